"""The browser chat UI (Gradio Blocks): a thin front-end over :class:`rag.RAG`.

:class:`ChatApp` holds one ``RAG`` instance and plain handler methods that call its
public API (``stream``, ``ingest``, ``documents``, ``remove``); ``build`` lays out the
page one section at a time and wires the handlers to it. Every piece of HTML comes
from :mod:`ui.render` (escaped text only); this module holds no retrieval or
prompting logic and no markup of its own.

Each browser session keeps its own conversation in a ``gr.State``; the model answers
one question at a time (``concurrency_limit=1``) and later askers wait in a bounded
queue whose position Gradio shows them.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import tempfile
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import gradio as gr

from rag import RAG, Answer, AnswerStream, QuestionError, RagError, Settings, Turn
from rag.backends import llm_class
from rag.conversation import Conversation, cited_quote
from rag.feedback import FEEDBACK_FILE, record_feedback
from rag.models import list_models
from rag.retrieval import iso_day
from ui.layout import FEEDBACK_REASONS, build_page
from ui.render import (
    SEARCHING,
    empty_sources,
    render_debug,
    render_error,
    render_evidence,
    render_final,
    render_partial,
    render_question,
    render_searching,
    render_sources,
    render_status,
    render_stopped,
    render_waiting,
    shown_markers,
)
from ui.uploads import UploadFolder, download_folder, formats

__all__ = [
    "EXAMPLES",
    "QUEUE_SIZE",
    "ChatApp",
    "Exchange",
    "date_limit",
]

log = logging.getLogger(__name__)

EXAMPLES = (
    "How much money did the EU set aside for weapons and equipment for the training mission?",
    "How many Ukrainian soldiers are being trained by the EU mission?",
    "What did French defence minister Sébastien Lecornu say about demilitarization?",
    "Who is expected to sign the EU–NATO cooperation document?",
)
QUEUE_SIZE = 16  # questions waiting for the model; more get Gradio's "currently busy" message


@dataclass(frozen=True)
class Exchange:
    """One question of a session as shown in the chat.

    ``complete`` is False for errors and stopped answers: they stay visible but are
    not passed to the model as conversation history.
    """

    question: str
    answer: str  # the final answer text (Turn.answer)
    shown: str  # the assistant message as displayed (escaped HTML)
    complete: bool = True
    sources: tuple[str, ...] = ()  # chunk ids shown with the answer, in marker order (Turn.sources)
    result: Answer | None = None  # the finished answer, re-rendered as the sources panel changes
    streamed: str = ""  # the model's reply as it streamed (struck through when the checks withdrew it)


Outputs = tuple[Any, ...]


def _assistant(content: str) -> dict[str, str]:
    return {"role": "assistant", "content": content}


def date_limit(field: str, value: str | None) -> str | None:
    """A date box's value as an ISO date (``YYYY-MM-DD``), or None when empty (no limit).

    ``field``: the box's label, named in the error. Raises QuestionError (one line)
    for anything that is not a real calendar date written YYYY-MM-DD.
    """
    text = (value or "").strip()
    if not text:
        return None
    try:
        return iso_day(text)
    except ValueError:
        raise QuestionError(
            f"{field}: {text!r} is not a date; write it as YYYY-MM-DD (e.g. 2025-03-01), or leave it empty for no limit."
        ) from None


# -- the app ------------------------------------------------------------------------------


class ChatApp:
    """Handlers and layout of the UI over one :class:`RAG` instance."""

    def __init__(
        self, rag: RAG, *, queue_size: int = QUEUE_SIZE, examples: Sequence[str] = EXAMPLES, mcp: bool = False
    ) -> None:
        self.rag = rag
        # With MCP on, only ``ask`` and ``search`` are listed (Gradio makes every listed endpoint a tool).
        self.mcp = mcp
        self.settings: Settings = rag.settings
        self.queue_size = queue_size
        self.examples = tuple(examples)
        self.uploads = UploadFolder(Path(self.settings.data_dir) / "uploads", self.settings.max_upload_mb)
        self.exports_dir = Path(self.settings.data_dir) / "exports"
        # Streams being generated, by browser session, so Stop can cancel the right one.
        self._running: dict[str, AnswerStream] = {}
        self._running_lock = threading.Lock()

    @property
    def uploads_dir(self) -> Path:
        """``data_dir/uploads``, where uploaded articles are kept."""
        return self.uploads.folder

    # -- chat -------------------------------------------------------------------------------

    def chat_models(self) -> list[str]:
        """The configured chat model first, then every other pulled chat model."""
        names = [self.settings.chat_model]
        if llm_class(self.settings).local:  # a server decides its own model
            names += [s.spec.name for s in list_models(self.settings.models_dir) if s.spec.kind == "chat" and s.present]
        return list(dict.fromkeys(names))

    def warm_up(self) -> None:
        """Load the default chat model now, so the first question does not pay for it."""
        self.rag.llm()

    @staticmethod
    def messages(exchanges: Sequence[Exchange]) -> list[dict[str, str]]:
        """The chat display of ``exchanges``: user and assistant messages, in order.

        The sources panel shows the cards of the latest answer, so an earlier answer's
        ``[n]`` links to card n only while that card shows the same passage.
        """
        latest = next((e for e in reversed(exchanges) if e.result is not None), None)
        on_show = latest.sources if latest is not None else ()
        # Only the latest answer's cited passages have cards (#src-n); the others are listed uncited.
        carded = {c.marker for c in latest.result.citations} if latest is not None and latest.result else set()
        out = []
        for e in exchanges:
            shown = e.shown
            if e.result is not None and e is not latest:
                linked = shown_markers(e.sources, on_show) & carded
                if not {c.marker for c in e.result.citations} <= linked:
                    shown = render_final(e.result, e.streamed, linked=linked)
            out.append({"role": "user", "content": render_question(e.question)})
            out.append(_assistant(shown))
        return out

    @staticmethod
    def history(exchanges: Sequence[Exchange]) -> list[Turn]:
        """The completed exchanges as conversation history for the library."""
        return [Turn(e.question, e.answer, e.sources) for e in exchanges if e.complete]

    @staticmethod
    def _session(request: Optional[gr.Request]) -> str:
        return getattr(request, "session_hash", None) or "local"

    def respond(
        self,
        question: str,
        exchanges: Sequence[Exchange] | None,
        top_k: float | None = None,
        temperature: float | None = None,
        chat_model: str | None = None,
        request: Optional[gr.Request] = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Iterator[Outputs]:
        """Answer ``question``; yields (chat, exchanges, sources, debug, question box) as it streams.

        ``since``/``until``: the settings' date range (``YYYY-MM-DD``, empty for no
        limit), passed to ``RAG.stream`` only when set; a bad date is shown as a
        one-line message naming the box. (``request`` comes before them because
        Gradio fills the parameters in order and inserts the request where it is.)
        Outputs that did not change are ``gr.skip()``; the session's exchanges are only
        written at the end, so a Stop that lands meanwhile is not overwritten.
        """
        question = question if isinstance(question, str) else ""
        past = tuple(exchanges or ())
        shown_q = question.strip()
        chat = [*self.messages(past), {"role": "user", "content": render_question(shown_q)}]
        yield [*chat, _assistant(render_searching())], gr.skip(), render_status(SEARCHING), gr.skip(), ""
        try:
            dates = {"since": date_limit("Since", since), "until": date_limit("Until", until)}
            if dates["since"] and dates["until"] and dates["since"] > dates["until"]:
                raise QuestionError(f"Since ({dates['since']}) is after Until ({dates['until']}); swap them.")
            stream = self.rag.stream(
                question,
                self.history(past),
                top_k=int(top_k) if top_k else None,
                temperature=None if temperature is None else float(temperature),
                chat_model=chat_model or None,
                **{k: v for k, v in dates.items() if v},
            )
        except RagError as exc:
            yield self._failed(past, shown_q, exc)
            return
        answer = yield from self._follow(stream, chat, past, shown_q, self._session(request))
        if answer is None or answer.finish_reason == "cancelled":
            return  # failed (already shown), or Stop has already shown and recorded what there was
        sources = tuple(h.chunk.chunk_id for h in answer.sources)
        streamed = stream.text
        shown = render_final(answer, streamed)
        done = Exchange(shown_q, answer.text, shown, sources=sources, result=answer, streamed=streamed)
        log.info(
            "answered in %.2fs (%s, %d citations)", answer.timings.total_s, answer.finish_reason, len(answer.citations)
        )
        yield self.messages((*past, done)), (*past, done), render_sources(answer), render_debug(answer), gr.skip()

    def _follow(
        self, stream: AnswerStream, chat: list[dict[str, str]], past: tuple[Exchange, ...], shown_q: str, key: str
    ) -> Generator[Outputs, None, Answer | None]:
        """Yield the growing answer of ``stream`` (registered under ``key`` for Stop); return it, or None on error."""
        with self._running_lock:
            self._running[key] = stream
        skip = gr.skip
        try:
            # Retrieval is done: show its evidence now, before the model's first token (issue 13).
            writing = f"Writing the answer from {len(stream.sources)} passages…"
            yield skip(), skip(), render_evidence(stream.sources, stream.hits, writing), skip(), skip()
            for _ in stream:
                yield [*chat, _assistant(render_partial(stream.text))], skip(), skip(), skip(), skip()
            return stream.answer()
        except RagError as exc:
            yield self._failed(past, shown_q, exc)
            return None
        finally:
            with self._running_lock:
                if self._running.get(key) is stream:
                    del self._running[key]
            stream.cancel()  # no-op when finished; frees the model when Gradio closed us mid-answer

    def _failed(self, past: tuple[Exchange, ...], shown_q: str, exc: RagError) -> Outputs:
        """The outputs for a question that failed: the message shown in the chat, kept out of the history."""
        failed = Exchange(shown_q, "", render_error(str(exc)), complete=False)
        return (
            self.messages((*past, failed)),
            (*past, failed),
            render_status(str(exc), error=True),
            gr.skip(),
            gr.skip(),
        )

    def waiting(self, question: str, exchanges: Sequence[Exchange] | None) -> list[dict[str, str]]:
        """The chat with the new question and a note that it waits for the model (shown before queueing)."""
        shown_q = question.strip() if isinstance(question, str) else ""
        return [
            *self.messages(tuple(exchanges or ())),
            {"role": "user", "content": render_question(shown_q)},
            _assistant(render_waiting()),
        ]

    def stop(self, exchanges: Sequence[Exchange] | None, request: Optional[gr.Request] = None) -> Outputs:
        """Cancel this session's running answer; keep what was written, marked as stopped."""
        with self._running_lock:
            stream = self._running.pop(self._session(request), None)
        past = tuple(exchanges or ())
        if stream is None:  # nothing generating: maybe a question still waiting in the queue, now cancelled
            return self.messages(past), gr.skip(), gr.skip()
        stream.cancel()
        stopped = Exchange(stream.question, stream.text, render_stopped(stream.text), complete=False)
        evidence = render_evidence(stream.sources, stream.hits, "Stopped.")
        return self.messages((*past, stopped)), (*past, stopped), evidence

    def clear(self, request: Optional[gr.Request] = None) -> Outputs:
        """Forget this session's conversation (and stop an answer in progress)."""
        with self._running_lock:
            stream = self._running.pop(self._session(request), None)
        if stream is not None:
            stream.cancel()
        return [], (), empty_sources(), ""

    def _rated(self, exchanges: Sequence[Exchange] | None, index: Any) -> tuple[int, Exchange] | None:
        """The exchange whose answer is chat message ``index`` (Gradio's like index), when it has one."""
        position = index[0] if isinstance(index, (list, tuple)) else index
        past = tuple(exchanges or ())
        if not isinstance(position, int) or position % 2 != 1 or not 0 <= position // 2 < len(past):
            return None
        exchange = past[position // 2]  # messages() shows two messages (question, answer) per exchange
        return (position // 2, exchange) if exchange.result is not None else None

    def like(self, exchanges: Sequence[Exchange] | None, data: gr.LikeData) -> Outputs:
        """👍 or 👎 on an answer: (rated index, feedback panel, status).

        👍 is stored at once; 👎 opens the panel ("what was wrong", a correction), stored
        on Send. Clicking a thumb again (undo) or rating an error message stores nothing.
        """
        rated = self._rated(exchanges, data.index)
        if rated is None:
            return None, gr.update(visible=False), render_status("Only answers can be rated.", error=True)
        if data.liked is True:
            return None, gr.update(visible=False), self._record(exchanges, rated[0], "up")
        if data.liked is False:
            note = (
                "👎 What was wrong? Choose a reason and write a correction if you know it (both optional), then Send."
            )
            return rated[0], gr.update(visible=True), render_status(note)
        return None, gr.update(visible=False), ""

    def send_feedback(
        self, exchanges: Sequence[Exchange] | None, rated: int | None, reason: str | None, correction: str | None
    ) -> Outputs:
        """The feedback panel's Send: store the 👎; (rated, panel, reason, correction, status)."""
        if rated is None:
            return None, gr.update(visible=False), None, "", render_status("Click 👎 on an answer first.", error=True)
        status = self._record(exchanges, rated, "down", reason=reason or None, correction=correction)
        return None, gr.update(visible=False), None, "", status

    @staticmethod
    def forget_feedback() -> Outputs:
        """After Clear: no answer is being rated, the feedback panel and the export list are hidden."""
        return None, gr.update(visible=False), gr.update(value=None, visible=False), ""

    def _record(self, exchanges: Sequence[Exchange] | None, index: int, verdict: Any, **details: Any) -> str:
        """Append a rating of exchange ``index`` to ``data_dir/feedback.jsonl``; the status line."""
        past = tuple(exchanges or ())
        if not 0 <= index < len(past) or past[index].result is None:
            return render_status("That answer is no longer in the chat; nothing was stored.", error=True)
        answer = past[index].result
        assert answer is not None
        try:
            record_feedback(
                self.settings.data_dir,
                answer,
                verdict=verdict,
                history=self.history(past[:index]),
                settings=self.settings,
                **details,
            )
        except (RagError, OSError) as exc:
            return render_status(f"The feedback could not be stored: {exc}", error=True)
        thumb = "👍" if verdict == "up" else "👎"
        why = dict((v, label.lower()) for label, v in FEEDBACK_REASONS).get(details.get("reason") or "", "")
        return render_status(
            f"Thanks: {thumb}{f' ({why})' if why else ''} stored in {FEEDBACK_FILE} on this server, never sent anywhere."
        )

    def export(self, exchanges: Sequence[Exchange] | None) -> Outputs:
        """The "Export conversation" button: (the download list, shown with both files; status line).

        Writes the session's answered questions as Markdown and JSON
        (:class:`rag.conversation.Conversation`) to ``data_dir/exports/conversation-<UTC
        time>-<random>.md/.json`` and offers copies for download: ``data_dir`` is a
        blocked path of the server, so the browser gets the copies from Gradio's
        upload folder. Errors and stopped answers are not part of the export.
        """
        conversation = Conversation([e.result for e in exchanges or () if e.result is not None])
        if not conversation.answers:
            return gr.skip(), render_status("Nothing to export yet: ask a question first.", error=True)
        stem = f"conversation-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        texts = {".md": conversation.to_markdown(), ".json": conversation.to_json()}
        try:
            self.exports_dir.mkdir(parents=True, exist_ok=True)
            download = Path(tempfile.mkdtemp(prefix="export-", dir=download_folder()))
            paths = []
            for suffix, text in texts.items():
                (self.exports_dir / f"{stem}{suffix}").write_text(text, encoding="utf-8")
                paths.append(download / f"{stem}{suffix}")
                paths[-1].write_text(text, encoding="utf-8")
        except OSError as exc:
            return gr.skip(), render_status(f"The export could not be written: {exc.strerror or exc}.", error=True)
        n = len(conversation.answers)
        note = f"Exported {n} answer{'s' if n != 1 else ''} as {stem}.md and {stem}.json (a copy stays in the data folder's exports/)."
        log.info("%s", note)
        return gr.update(value=[str(p) for p in paths], visible=True), render_status(note)

    # -- the API and MCP tools ----------------------------------------------------------------

    def ask(self, question: str) -> str:
        """Answer a question from the indexed news articles.

        Returns the answer, whose sentences cite their sources as [n], then a References
        list: one line per cited source, "[n] Title (date) URL: the quoted sentence".
        An answer the articles do not support says so instead of guessing.

        Args:
            question: the question, in any language (at most the configured length).
        """
        try:
            answer = self.rag.ask(question)
        except RagError as exc:
            raise gr.Error(str(exc)) from None  # a one-line error for the API client or MCP host
        lines = [answer.text.strip()]
        if answer.citations:
            lines += ["", "References:"]
            for c in answer.citations:
                meta = "".join(f" {x}" for x in (f"({c.date})" if c.date else "", c.url) if x)
                lines.append(f"[{c.marker}] {c.title or c.doc_id}{meta}: {' '.join(cited_quote(c).split())}")
        return "\n".join(lines)

    def search(self, question: str, top_k: int = 5) -> list[dict[str, Any]]:
        """The passages of the indexed news articles that best match a question, best first.

        Each passage: doc_id, title, date (YYYY-MM-DD or empty), url, text and score
        (reciprocal rank fusion of dense and keyword retrieval; higher is better).

        Args:
            question: what to look for.
            top_k: how many passages to return (1 to 20).
        """
        if (
            isinstance(top_k, bool)
            or not isinstance(top_k, (int, float))
            or top_k != int(top_k)
            or not 1 <= top_k <= 20
        ):
            raise gr.Error(f"top_k must be a whole number from 1 to 20, got {top_k!r}.")
        try:
            hits = self.rag.retrieve(question, top_k=int(top_k))
        except RagError as exc:
            raise gr.Error(str(exc)) from None
        return [
            {
                "doc_id": h.chunk.doc_id,
                "title": h.chunk.title,
                "date": h.chunk.date,
                "url": h.chunk.url,
                "text": h.chunk.text,
                "score": round(h.score, 6),
            }
            for h in hits
        ]

    # -- documents --------------------------------------------------------------------------

    def documents_table(self) -> list[list[Any]]:
        """One row per indexed document (id, title, date, chunks), newest first; undated ones last, by id."""
        docs = sorted(self.rag.documents(), key=lambda d: d.doc_id)
        # Stable sorts: by id, then by date newest first (ISO dates sort as text); "" goes last.
        docs.sort(key=lambda d: (d.date != "", d.date), reverse=True)
        return [[d.doc_id, d.title, d.date, d.chunks] for d in docs]

    def documents_view(self) -> Outputs:
        rows = self.documents_table()
        return rows, gr.update(choices=[r[0] for r in rows], value=[])

    def save_upload(self, src: str | Path, original_name: str) -> Path:
        """Copy an uploaded file to ``uploads/<safe name>``; the file name is the document id.

        Never replaces an unrelated document (see :meth:`ui.uploads.UploadFolder.save`).
        """
        return self._save_upload(src, original_name)[0]

    def _save_upload(self, src: str | Path, original_name: str) -> tuple[Path, str | None]:
        """:meth:`save_upload`, and a note for the status line when the name was not the upload's own."""
        return self.uploads.save(src, original_name, indexed=lambda: [d.doc_id for d in self.rag.documents()])

    def ingest_files(self, files: Sequence[tuple[str | Path, str]], progress: Callable[..., Any] | None = None) -> str:
        """Save and index (path, original name) pairs; returns the status message (HTML)."""
        if not files:
            return render_status(f"Choose one or more {formats()} files first.", error=True)
        saved, problems, renamed = [], [], []
        for src, name in files:
            try:
                path, note = self._save_upload(src, name)
                saved.append(path)
                renamed += [note] if note else []
            except (RagError, OSError) as exc:
                problems.append(str(exc) if isinstance(exc, RagError) else f"{name}: {exc.strerror or exc}")
        if not saved:
            return render_status("Nothing was added.\n" + "\n".join(problems), error=True)

        def report_progress(done: int, total: int, doc_id: str) -> None:
            if progress is not None:
                progress((done, total), desc=f"Indexed {doc_id}")

        try:
            report = self.rag.ingest(saved, progress=report_progress)
        except RagError as exc:
            return render_status("\n".join([str(exc), *problems]), error=True)
        lines = [
            f"Indexed {report.documents_seen} file(s): {report.documents_added} added, "
            f"{report.documents_updated} updated, {report.documents_unchanged} unchanged; "
            f"{report.chunks_embedded} chunks embedded, {report.chunks_total} in the index "
            f"({report.seconds:.1f} s).",
            *renamed,
            *problems,
            *(f"Skipped {Path(p).name}: {why}" for p, why in report.skipped),
        ]
        log.info("%s", lines[0])
        return render_status("\n".join(lines), error=bool(problems or report.skipped))

    def upload(self, files: Sequence[Any] | None, progress: Any = gr.Progress()) -> Outputs:  # noqa: B008 - Gradio's idiom
        """The Documents tab's "Add" button: (status, table, remove choices, cleared file input)."""
        pairs = []
        for f in files or []:
            path = str(getattr(f, "name", f))  # str with type="filepath"; tempfile wrappers elsewhere
            pairs.append((path, Path(path).name))
        if progress is not None:
            progress(0, desc="Saving files")
        status = self.ingest_files(pairs, progress)
        rows, choices = self.documents_view()
        return status, rows, choices, None

    def remove(self, doc_ids: Sequence[str] | str | None) -> Outputs:
        """Remove documents from the index (and their uploaded copies); (status, table, choices)."""
        ids = [doc_ids] if isinstance(doc_ids, str) else list(doc_ids or [])
        if not ids:
            rows, choices = self.documents_view()
            return render_status("Choose the documents to remove first.", error=True), rows, choices
        try:
            removed = self.rag.remove(ids)
        except RagError as exc:
            rows, choices = self.documents_view()
            return render_status(str(exc), error=True), rows, choices
        for doc_id in ids:
            self.uploads.discard(doc_id)
        rows, choices = self.documents_view()
        return render_status(f"Removed {len(ids)} document(s), {removed} chunks."), rows, choices

    # -- layout: one function per section of the page -----------------------------------------

    def build(self) -> gr.Blocks:
        """The whole page: header, Chat tab (with settings), Documents tab, and their wiring (:mod:`ui.layout`)."""
        return build_page(self)
