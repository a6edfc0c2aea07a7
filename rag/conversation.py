"""Conversations: history in the forms people already have, and a conversation's export.

:func:`normalize_history` turns what callers hold (``Turn``s, ``(question, answer)``
pairs as Gradio's tuple format keeps them, OpenAI-style ``{"role", "content"}``
messages as Gradio, llama-cpp-python and the OpenAI API use) into ``Turn``s.
:class:`Conversation` keeps the answers of a chat and writes them as Markdown (for
people) or JSON (the full :class:`rag.types.Answer` objects, readable again with
:meth:`Conversation.from_json`).

What it deliberately does not do: answer (``rag.pipeline``), store conversations
anywhere, or render HTML.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rag.errors import InputError, QuestionError
from rag.types import Answer, AnswerSentence, Chunk, Citation, Disagreement, EvidenceSpan, Hit, Timings, Turn

__all__ = [
    "JSON_FORMAT",
    "Conversation",
    "answer_from_dict",
    "cited_quote",
    "describe_value",
    "message_text",
    "normalize_history",
]

JSON_FORMAT = "rag.conversation/1"
_HISTORY_HELP = "expected a Turn, a (question, answer) pair or a {role, content} message"
_IGNORED_ROLES = {"system", "developer", "tool", "function"}


def normalize_history(history: Iterable[Any] | None) -> list[Turn]:
    """The earlier turns of a conversation as ``Turn``s, oldest first.

    Accepts, freely mixed: :class:`Turn`; ``(question, answer)`` pairs (tuple or list,
    ``answer`` may be None); ``{"question", "answer"}`` objects (the evaluation set's
    form); and ``{"role", "content"}`` messages, where each ``user`` message opens a
    turn and the next ``assistant`` message answers it. ``system`` (and ``developer``,
    ``tool``) messages are ignored; ``[n]`` markers in assistant messages are kept;
    ``content`` may be a string or a list of ``{"type": "text", "text"}`` parts. A
    user message with no answer becomes a turn with an empty answer, an assistant
    message with no question (a greeting) one with an empty question.

    Raises :class:`rag.errors.QuestionError` naming the first malformed item (1-based).
    """
    if history is None:
        return []
    if isinstance(history, (str, bytes, Mapping)):
        raise QuestionError("history must be a list of turns, pairs or messages, not a single string or object.")
    turns: list[Turn] = []
    pending: str | None = None  # a user message waiting for its answer
    for i, item in enumerate(history, 1):
        if isinstance(item, Mapping) and "role" in item:
            role, content = item.get("role"), _content(item.get("content"), i)
            if role == "user":
                if pending is not None:
                    turns.append(Turn(question=pending, answer=""))
                pending = content
            elif role == "assistant":
                turns.append(Turn(question=pending or "", answer=content))
                pending = None
            elif role not in _IGNORED_ROLES:
                raise QuestionError(f"history item {i}: unknown role {role!r}; use user, assistant or system.")
            continue
        if pending is not None:
            turns.append(Turn(question=pending, answer=""))
            pending = None
        turns.append(_turn(item, i))
    if pending is not None:
        turns.append(Turn(question=pending, answer=""))
    return turns


def _turn(item: Any, i: int) -> Turn:
    if isinstance(item, Turn):
        return item
    if isinstance(item, Mapping) and set(item) >= {"question", "answer"}:
        q, a = item["question"], item["answer"]
    elif isinstance(item, (tuple, list)) and len(item) == 2:
        q, a = item
    else:
        raise QuestionError(f"history item {i}: {_HISTORY_HELP}, got {describe_value(item)}.")
    if not isinstance(q, str) or not (a is None or isinstance(a, str)):
        raise QuestionError(f"history item {i}: question and answer must be strings, got {describe_value(item)}.")
    return Turn(question=q, answer=a or "")


def message_text(content: Any) -> str | None:
    """The text of a message's ``content``: a string, None (""), or a list of
    ``{"type": "text", "text": …}`` parts (OpenAI's form) joined; None when it is none of these."""
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if isinstance(content, list) and all(isinstance(p, Mapping) for p in content):
        return "".join(str(p.get("text", "")) for p in content if p.get("type", "text") == "text")
    return None


def _content(content: Any, i: int) -> str:
    text = message_text(content)
    if text is None:
        raise QuestionError(f"history item {i}: message content must be text, got {describe_value(content)}.")
    return text


def describe_value(value: Any) -> str:
    """A value for an error message: its type and the start of its repr (``int 42``)."""
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'…' if len(text) > 60 else ''}"


def cited_quote(citation: Citation) -> str:
    """The sentence(s) of the cited passage that support the answer (its highlights), else the passage."""
    if citation.highlights:
        return " … ".join(citation.text[s:e].strip() for s, e in citation.highlights)
    return " ".join(citation.text.split())


@dataclass
class Conversation:
    """The answers of one chat, oldest first; :meth:`turns` is the history for the next question."""

    answers: list[Answer] = field(default_factory=list)

    def add(self, answer: Answer) -> None:
        self.answers.append(answer)

    def clear(self) -> None:
        self.answers.clear()

    def turns(self) -> list[Turn]:
        """The history to pass to ``RAG.ask/stream``, with each answer's shown sources (keeps numbering stable)."""
        return [
            Turn(question=a.question, answer=a.text, sources=tuple(h.chunk.chunk_id for h in a.sources))
            for a in self.answers
        ]

    def to_markdown(self, *, title: str = "Conversation") -> str:
        """Questions, answers and, under each answer, its numbered references.

        A reference reads ``[n] Title (date). URL`` followed by the quoted passage
        sentence that supports the citing sentence (:func:`cited_quote`).
        """
        parts = [f"# {title}\n"]
        for n, a in enumerate(self.answers, 1):
            parts.append(f"## {n}. {_one_line(a.question)}\n")
            parts.append(a.text.strip() + "\n")
            if a.finish_reason == "cancelled":
                parts.append("*(stopped before the end)*\n")
            if a.citations:
                parts.append("**References**\n")
                for c in a.citations:
                    head = c.title or c.doc_id
                    meta = f" ({c.date})" if c.date else ""
                    url = f" <{c.url}>" if c.url else ""
                    quote = _one_line(cited_quote(c))
                    parts.append(f"{c.marker}. {head}{meta}.{url} `{c.doc_id}`\n   > {quote}\n")
        return "\n".join(parts)

    def to_json(self, *, indent: int | None = 2) -> str:
        """``{"format": "rag.conversation/1", "answers": [Answer as dataclasses.asdict]}``."""
        data = {"format": JSON_FORMAT, "answers": [dataclasses.asdict(a) for a in self.answers]}
        return json.dumps(data, ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> Conversation:
        """Read :meth:`to_json` output back. Raises :class:`rag.errors.InputError` when it is not one."""
        try:
            data = json.loads(text)
            if data.get("format") != JSON_FORMAT:
                raise ValueError(f"format is {data.get('format')!r}, not {JSON_FORMAT!r}")
            return cls([answer_from_dict(a) for a in data["answers"]])
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise InputError(f"Not a conversation export ({exc}). Export one with Conversation.to_json().") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _hit(d: Mapping[str, Any]) -> Hit:
    return Hit(**{**d, "chunk": Chunk(**d["chunk"])})


def answer_from_dict(d: Mapping[str, Any]) -> Answer:
    """An :class:`Answer` from its ``dataclasses.asdict`` form (lists back to tuples)."""
    return Answer(
        **{
            **d,
            "citations": tuple(
                Citation(**{**c, "highlights": tuple(tuple(s) for s in c["highlights"])}) for c in d["citations"]
            ),
            "sources": tuple(_hit(h) for h in d["sources"]),
            "hits": tuple(_hit(h) for h in d["hits"]),
            "timings": Timings(**d["timings"]),
            "sentences": tuple(AnswerSentence(**{**s, "markers": tuple(s["markers"])}) for s in d["sentences"]),
            "disagreements": tuple(
                Disagreement(
                    **{
                        **x,
                        "backing": tuple(x["backing"]),
                        "values": tuple(x["values"]),
                        "claim_values": tuple(x["claim_values"]),
                    }
                )
                for x in d["disagreements"]
            ),
            "evidence": tuple(EvidenceSpan(**e) for e in d.get("evidence", ())),
        }
    )
