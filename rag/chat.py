"""The terminal chat behind ``rag chat``, and the final-answer printing ``rag ask`` shares.

:func:`chat_loop` reads questions (through ``input``, so readline's editing and
history work when the CLI has imported it), streams each answer with the
conversation so far as history, and understands a few slash commands (``/help``).
Ctrl-C during an answer stops that answer (:meth:`rag.AnswerStream.cancel`), not the
chat. :func:`show_final` prints what the checks made of a streamed reply: when they
changed it, the streamed text is visibly withdrawn or replaced.

What it deliberately does not do: parse flags or open indexes (``rag.cli``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from rag.citations import strip_markers
from rag.errors import RagError
from rag.prompting import is_refusal
from rag.types import Answer

__all__ = ["HELP", "chat_loop", "format_sources", "replacement_note", "show_final"]

HELP = """Commands:
  /sources        the last answer's numbered sources (* = cited)
  /export FILE    save the conversation: Markdown (.md) or JSON (.json)
  /clear          forget the conversation (start a new one)
  /up             rate the last answer as good
  /down [REASON] [CORRECTION]
                  rate it as bad; REASON: wrong, not_in_articles, wrong_source or
                  incomplete; CORRECTION: the short fact a right answer contains
                  (kept in <data-dir>/feedback.jsonl; `rag feedback export` makes
                  evaluation rows of them)
  /help           this list
  /quit           leave (also Ctrl-D)
Ctrl-C stops an answer that is being written."""

_ERASE_LINES = "\x1b[{n}F\x1b[J"  # cursor to the start of n lines up, clear to the end of the screen


def replacement_note(streamed: str, answer: Answer) -> str | None:
    """Why the final answer differs from the streamed reply, or None when it doesn't (whitespace aside).

    "" when only the citation markers changed (a marker re-pointed or attached): the
    answer is reprinted with its checked markers but not announced as replaced.
    """
    if " ".join(streamed.split()) == " ".join(answer.text.split()):
        return None
    if answer.abstained and not is_refusal(streamed):
        return "(withdrawn: not supported by the articles)"
    if " ".join(strip_markers(streamed).split()) == " ".join(strip_markers(answer.text).split()):
        return ""
    return "(replaced by the checked answer)"


def show_final(write: IO[str], streamed: str, answer: Answer, *, tty: bool) -> None:
    """After streaming ``streamed`` to ``write``: print the checked answer where it differs.

    On a terminal the streamed lines are erased (ANSI) when they still fit on the
    screen; the note and the final answer follow either way, so a withdrawn reply is
    never left standing unmarked.
    """
    note = replacement_note(streamed, answer)
    if note is None:
        write.write("\n")
        return
    columns, rows = shutil.get_terminal_size((80, 24))
    used = sum(max(1, -(-len(line) // max(columns, 1))) for line in streamed.split("\n"))
    if tty and used < rows:
        write.write("\r" + _ERASE_LINES.format(n=used - 1) if used > 1 else "\r\x1b[J")
    else:
        write.write("\n")
    write.write(f"{note}\n{answer.text}\n" if note else f"{answer.text}\n")


def format_sources(answer: Answer) -> str:
    """The numbered sources shown with ``answer``, cited ones starred."""
    if not answer.sources:
        return "No sources: nothing in the index matched."
    cited = {c.marker for c in answer.citations}
    lines = []
    for n, hit in enumerate(answer.sources, 1):
        c = hit.chunk
        meta = ", ".join(x for x in (c.title, c.date, c.url) if x)
        lines.append(f"{'*' if n in cited else ' '}[{n}] {c.doc_id}" + (f" — {meta}" if meta else ""))
    return "\n".join(lines)


def chat_loop(
    rag: Any,
    *,
    read: Callable[[str], str] = input,
    write: IO[str],
    tty: bool = False,
    options: dict[str, Any] | None = None,
    feedback_dir: Path | None = None,
    settings: Any = None,
) -> Any:
    """Run the chat until ``/quit`` or end of input; returns the :class:`rag.conversation.Conversation`.

    ``read`` is called with the prompt and raises EOFError at the end of input;
    ``options`` go to :meth:`rag.RAG.stream` (top_k, temperature, chat_model);
    ``/up`` and ``/down`` store ratings under ``feedback_dir`` (None: rating is off)
    with ``settings``.
    """
    from rag.conversation import Conversation

    conversation = Conversation()
    write.write("Ask about the articles. /help lists commands, /quit leaves.\n")
    while True:
        try:
            line = read("> ").strip()
        except EOFError:
            write.write("\n")
            break
        except KeyboardInterrupt:  # at the prompt: drop the line, like a shell
            write.write("\n")
            continue
        if not line:
            continue
        if line.startswith("/"):
            if not _command(line, conversation, write, feedback_dir=feedback_dir, settings=settings):
                break
            continue
        try:
            _answer(rag, line, conversation, write, tty=tty, options=options or {})
        except KeyboardInterrupt:  # before the first token (retrieval, loading the model)
            write.write("\n(stopped)\n")
        except RagError as exc:
            write.write(f"error: {exc}\n")
        write.flush()
    return conversation


def _answer(rag: Any, question: str, conversation: Any, write: IO[str], *, tty: bool, options: dict[str, Any]) -> None:
    stream = rag.stream(question, conversation.turns(), **options)
    streamed: list[str] = []
    try:
        for piece in stream:
            streamed.append(piece)
            write.write(piece)
            write.flush()
    except KeyboardInterrupt:
        stream.cancel()
        write.write("\n(stopped)\n")
    answer = stream.answer()
    conversation.add(answer)
    if answer.finish_reason == "cancelled":
        return  # stopped: no checked answer, so no sources to list
    show_final(write, "".join(streamed), answer, tty=tty)
    for c in answer.citations:
        meta = ", ".join(x for x in (c.title, c.date) if x)
        write.write(f"[{c.marker}] {c.doc_id}" + (f" — {meta}" if meta else "") + "\n")


def _command(line: str, conversation: Any, write: IO[str], *, feedback_dir: Path | None, settings: Any) -> bool:
    """Run a slash command; False means leave."""
    name, _, arg = line.partition(" ")
    arg = arg.strip()
    if name in ("/quit", "/exit", "/q"):
        return False
    if name == "/help":
        write.write(HELP + "\n")
    elif name == "/clear":
        conversation.clear()
        write.write("Conversation cleared.\n")
    elif name == "/sources":
        if not conversation.answers:
            write.write("No answer yet.\n")
        else:
            write.write(format_sources(conversation.answers[-1]) + "\n")
    elif name == "/export":
        write.write(_export(conversation, arg) + "\n")
    elif name in ("/up", "/down"):
        write.write(_rate(conversation, name[1:], arg, feedback_dir, settings) + "\n")
    else:
        write.write(f"Unknown command {name}; /help lists them.\n")
    return True


def _export(conversation: Any, arg: str) -> str:
    if not arg:
        return "Give a file: /export chat.md (Markdown) or /export chat.json (JSON)."
    path = Path(arg).expanduser()
    suffix = path.suffix.lower()
    if suffix not in (".md", ".markdown", ".json"):
        return f"Cannot tell the format of {path}: end the name with .md (Markdown) or .json (JSON)."
    if not conversation.answers:
        return "Nothing to export yet: ask a question first."
    text = conversation.to_json() if suffix == ".json" else conversation.to_markdown()
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        return f"Cannot write {path}: {exc.strerror or exc}."
    return f"Saved {len(conversation.answers)} answer(s) to {path}."


def _rate(conversation: Any, verdict: str, arg: str, feedback_dir: Path | None, settings: Any) -> str:
    from rag.feedback import REASONS, record_feedback

    if feedback_dir is None:
        return "Rating is off in this chat."
    if not conversation.answers:
        return "No answer to rate yet."
    reason, correction = None, ""
    if verdict == "down" and arg:
        first, _, rest = arg.partition(" ")
        word = first.lower().replace("-", "_")
        if word in REASONS:
            reason, correction = word, rest.strip()
        else:
            correction = arg
    elif arg:
        return "/up takes nothing after it; /down takes a reason and a correction."
    record_feedback(
        feedback_dir,
        conversation.answers[-1],
        verdict=verdict,  # type: ignore[arg-type]
        reason=reason,
        correction=correction or None,
        history=conversation.turns()[:-1],
        settings=settings,
    )
    return f"Thanks: rating saved to {feedback_dir / 'feedback.jsonl'}."
