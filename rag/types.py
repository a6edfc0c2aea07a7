"""Value types shared by every layer: documents, chunks, hits, citations, answers.

All are frozen dataclasses, so a value handed to the UI or the evaluator cannot be
changed behind the pipeline's back, and a return type never changes shape with a flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "Answer",
    "AnswerSentence",
    "Chunk",
    "Citation",
    "DateRange",
    "Disagreement",
    "Document",
    "EvidenceSpan",
    "Hit",
    "IngestReport",
    "Timings",
    "Turn",
]

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Document:
    """One article as loaded from disk.

    ``doc_id`` is the file name (``003_bdfe6df497ee2b67.txt``); ``text`` is the
    plain text the chunks' character spans index into.
    """

    doc_id: str
    text: str
    path: str = ""
    title: str = ""
    url: str = ""
    date: str = ""  # ISO 8601 (YYYY-MM-DD) when known
    content_hash: str = ""
    author: str = ""  # the byline; several authors joined with "; "
    site: str = ""  # the publication: a page's site name, a feed's title


@dataclass(frozen=True)
class Chunk:
    """A passage of a document, with its character span in ``Document.text``."""

    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    ordinal: int = 0
    title: str = ""
    url: str = ""
    date: str = ""
    doc_hash: str = ""
    ingested_at: float = 0.0  # when its document version was written; resolves interrupted updates
    # Where its document came from: the file's resolved absolute path, or the URL ("" in
    # indexes written before sources were recorded). ``rag ingest --sync`` reads it.
    source: str = ""


@dataclass(frozen=True)
class DateRange:
    """Publication dates to search within, inclusive, as ISO 8601 ``YYYY-MM-DD`` (None: open).

    A chunk matches when its date's day is in the range; a chunk without a date never
    matches a range. Build one from user input with :func:`rag.retrieval.date_range`,
    which checks the format.
    """

    since: str | None = None
    until: str | None = None

    def contains(self, date: str) -> bool:
        """Whether a stored date (``YYYY-MM-DD``, maybe with a time after it) falls in the range."""
        day = date[:10]
        if not _ISO_DAY.fullmatch(day):
            return False
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its score (higher is better; cosine similarity for dense)."""

    chunk: Chunk
    score: float
    rank: int = 0
    source: str = "dense"  # which retrievers found it: dense, bm25, dense+bm25
    dense: float | None = None  # cosine similarity, when dense retrieval found it
    keyword: float | None = None  # BM25 score, when keyword retrieval found it


@dataclass(frozen=True)
class EvidenceSpan:
    """A sentence shown to the model as evidence (``answer_mode="sentences"``).

    ``start``/``end`` index the chunk's text (``text == chunk.text[start:end]``);
    ``score`` is the selection score (``rag.evidence.score_sentences``).
    """

    chunk_id: str
    start: int
    end: int
    text: str
    score: float = 0.0


@dataclass(frozen=True)
class Citation:
    """A ``[marker]`` in an answer, resolved to the passage it points to."""

    marker: int
    doc_id: str
    chunk_id: str
    title: str
    url: str
    date: str
    text: str
    start: int
    end: int
    supported: bool | None = None  # None: not checked
    # Spans of ``text`` (relative to it) that support the citing sentences, for highlighting.
    highlights: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer with its citation check.

    ``supported`` is None for sentences that state nothing checkable (a refusal, a
    hedge), True when a shown source supports it, False when none does: the UI flags
    those as unsupported.
    """

    text: str
    start: int
    end: int
    markers: tuple[int, ...] = ()
    supported: bool | None = None


@dataclass(frozen=True)
class Disagreement:
    """A shown passage that gives another value for something the answer states.

    ``sentence`` is the answer's sentence as the model wrote it, ``backing`` the
    markers of the passages that support it, ``marker`` the disagreeing passage,
    ``quote`` its sentence that says otherwise, ``values`` the names/numbers that
    sentence gives instead of ``claim_values`` (canonical forms: lowercase names,
    numbers as ``rag.support.numbers`` writes them).
    """

    sentence: str
    backing: tuple[int, ...]
    marker: int
    quote: str
    values: tuple[str, ...] = ()
    claim_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation."""

    question: str
    answer: str
    # Chunk ids of the sources shown with this answer, in marker order ([1] first).
    # Optional: with them the next prompt keeps shared sources first, in the same
    # order, so their numbers stay the same and llama.cpp reuses its KV cache.
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Timings:
    """Per-stage timings of one answer, in seconds unless named otherwise."""

    embed_s: float = 0.0
    retrieve_s: float = 0.0
    prompt_s: float = 0.0
    first_token_s: float = 0.0  # from the start of the request to the first token
    generate_s: float = 0.0
    total_s: float = 0.0
    prompt_tokens: int = 0
    generated_tokens: int = 0


@dataclass(frozen=True)
class Answer:
    """The result of one question.

    ``text`` holds only markers that resolve to a source shown to the model;
    ``sources`` are the hits the model was shown (marker ``n`` is ``sources[n-1]``);
    ``hits`` are everything retrieval returned, in rank order.
    """

    question: str
    text: str
    citations: tuple[Citation, ...] = ()
    sources: tuple[Hit, ...] = ()
    hits: tuple[Hit, ...] = ()
    abstained: bool = False
    timings: Timings = field(default_factory=Timings)
    chat_model: str = ""
    embed_model: str = ""
    # stop | length (hit max_tokens) | cancelled | gate (no relevant passage, model not called)
    # | unsupported (the support check found no claim backed by the sources)
    finish_reason: Literal["stop", "length", "cancelled", "gate", "unsupported", "error"] = "stop"
    standalone_question: str = ""
    sentences: tuple[AnswerSentence, ...] = ()
    # Shown passages from other articles that state a different value for a claim; the
    # text then ends with a sentence quoting each (``rag.disagreement``).
    disagreements: tuple[Disagreement, ...] = ()
    # P(the shown evidence answers the question) from the chat model's token probabilities,
    # calibrated on the seed dev split (``rag.answering.calibrate``); None when not asked
    # (``answerability`` off, or no model call).
    confidence: float | None = None
    # Why an answer is a refusal, in one line ("the closest article names no official"); "" otherwise.
    refusal_reason: str = ""
    # The sentences shown to the model (``answer_mode="sentences"``), in prompt order.
    evidence: tuple[EvidenceSpan, ...] = ()


@dataclass(frozen=True)
class IngestReport:
    """What an ingest run did: documents by outcome, chunks written and removed, seconds taken.

    Unchanged documents cost nothing (no chunking, no embedding); ``skipped`` names
    each input that could not be read and why, so one bad file never hides the rest.
    """

    documents_seen: int = 0
    documents_added: int = 0
    documents_updated: int = 0
    documents_unchanged: int = 0
    # With sync: documents removed because their files are gone from a synced folder.
    documents_removed: int = 0
    skipped: tuple[tuple[str, str], ...] = ()  # (path, reason) of files not ingested
    chunks_embedded: int = 0
    chunks_removed: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
    removed: tuple[tuple[str, str], ...] = ()  # (doc id, source) of each, in removal order
