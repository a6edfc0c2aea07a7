"""Split a document into overlapping, sentence-aligned passages that fit the embedder.

Pure and deterministic: the same text and settings always give the same chunks and
the same ids. Paragraphs and sentences repeated word for word inside a document are kept once
(scraped news pages often repeat blocks), and a chunk never spans the gap a dropped
repeat leaves, so every chunk's character span is one contiguous piece of the text.
It does not embed, store or know about any backend; token counting is injected.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.text import split_sentences
from rag.types import Chunk, Document

__all__ = ["ChunkerSettings", "chunk_document", "chunk_id", "split_sentence_spans"]

TokenCounter = Callable[[str], int]


@dataclass(frozen=True)
class ChunkerSettings:
    """Sizes are in embedder word pieces; ``max_tokens`` must leave room for special tokens."""

    max_tokens: int = 200
    overlap_tokens: int = 40
    version: str = "sentences-v1"

    def signature(self) -> str:
        """Recorded in the index so a change of chunking is detected."""
        return f"{self.version}:max={self.max_tokens}:overlap={self.overlap_tokens}"


def chunk_id(doc_id: str, text: str) -> str:
    """Deterministic id: a content hash, scoped to the document so provenance stays exact."""
    normalized = " ".join(text.split())
    return hashlib.sha256(f"{doc_id}\x00{normalized}".encode()).hexdigest()[:24]


def split_sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` within ``text[start:end]``, by :func:`rag.text.split_sentences`.

    Unlike the answer checks, a chunk keeps a line's bullet ("•", "-", "1."): the
    first sentence of a line starts at the line's first visible character, so every
    character of a chunk is counted in its token budget.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for sentence in split_sentences(text[start:end]):
        s, e = start + sentence.start, start + sentence.end
        line_start = max(text.rfind("\n", 0, s) + 1, start)
        if (not spans or spans[-1][1] <= line_start) and text[line_start:s].strip():
            s = line_start + len(text[line_start:s]) - len(text[line_start:s].lstrip())
        spans.append((s, e))
    return spans


def _split_long(text: str, s: int, e: int, count: TokenCounter, limit: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence at word boundaries into pieces within ``limit`` tokens."""
    words: list[tuple[int, int]] = []
    for m in re.finditer(r"\S+", text[s:e]):
        a, b = m.start(), m.end()
        # A single "word" over the limit (a long URL, a run of symbols) is cut by characters:
        # the longest prefix within the limit, found by bisection.
        while count(text[s + a : s + b]) > limit:
            lo, hi = a + 1, b
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if count(text[s + a : s + mid]) <= limit:
                    lo = mid
                else:
                    hi = mid - 1
            words.append((a, lo))
            a = lo
        words.append((a, b))
    pieces: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        j = i + 1
        while j < len(words) and count(text[s + words[i][0] : s + words[j][1]]) <= limit:
            j += 1
        pieces.append((s + words[i][0], s + words[j - 1][1]))
        i = j
    return pieces


def _sections(text: str, count: TokenCounter, limit: int) -> list[list[tuple[int, int, int]]]:
    """Sentences ``(start, end, tokens)`` grouped in runs of consecutive text.

    A sentence already seen earlier in the document (case- and space-insensitive) is
    dropped and ends the run, so no chunk repeats text and every span is contiguous.
    """
    seen: set[str] = set()
    sections: list[list[tuple[int, int, int]]] = [[]]
    for s, e in split_sentence_spans(text):
        key = " ".join(text[s:e].split()).lower()
        if key in seen:
            if sections[-1]:
                sections.append([])
            continue
        seen.add(key)
        n = count(text[s:e])
        if n <= limit:
            sections[-1].append((s, e, n))
        else:
            sections[-1].extend((a, b, count(text[a:b])) for a, b in _split_long(text, s, e, count, limit))
    return [sec for sec in sections if sec]


def chunk_document(doc: Document, count_tokens: TokenCounter, settings: ChunkerSettings | None = None) -> list[Chunk]:
    """Chunks of ``doc``: greedy packing of whole sentences up to ``max_tokens``.

    Consecutive chunks of a section share up to ``overlap_tokens`` of trailing
    sentences, so a fact split across a boundary is whole in at least one chunk.
    Chunks with identical text (after whitespace folding) are emitted once.
    """
    settings = settings or ChunkerSettings()
    text = doc.text
    limit = settings.max_tokens
    chunks: list[Chunk] = []
    seen_ids: set[str] = set()

    def emit(s: int, e: int) -> None:
        body = text[s:e]
        cid = chunk_id(doc.doc_id, body)
        if cid in seen_ids:
            return
        seen_ids.add(cid)
        chunks.append(
            Chunk(
                chunk_id=cid,
                doc_id=doc.doc_id,
                text=body,
                start=s,
                end=e,
                ordinal=len(chunks),
                title=doc.title,
                url=doc.url,
                date=doc.date,
                doc_hash=doc.content_hash,
            )
        )

    for sentences in _sections(text, count_tokens, limit):
        i = 0
        while i < len(sentences):
            j, used = i, 0
            # Token counts of separate sentences add up to slightly more than the joined
            # span, so the packed chunk never exceeds the limit.
            while j < len(sentences) and used + sentences[j][2] <= limit:
                used += sentences[j][2]
                j += 1
            j = max(j, i + 1)
            emit(sentences[i][0], sentences[j - 1][1])
            if j >= len(sentences):
                break
            # Step back over trailing sentences that fit in the overlap budget.
            back, k = 0, j
            while k - 1 > i and back + sentences[k - 1][2] <= settings.overlap_tokens:
                back += sentences[k - 1][2]
                k -= 1
            i = k
    return chunks
