"""Hybrid search: dense and BM25 candidates, fused, near-duplicates collapsed.

Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009) combines dense
(embedding) and keyword (BM25) rankings without calibrating their scores against
each other: each list contributes 1/(k + rank). Near-duplicates (the same wire story
syndicated twice, a passage and its overlap) are collapsed so they do not crowd the
top-k. A follow-up question is searched with :func:`standalone_query`, which adds
the conversation's recent questions (and the previous answer) without a model call.

What it deliberately does not do: embed or store anything itself (the backends do),
rerank with a model, or decide whether the evidence suffices (``rag.answering``).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Collection, Sequence
from dataclasses import replace

from rag.citations import strip_markers
from rag.config import Settings
from rag.errors import QuestionError
from rag.protocols import KeywordIndex, VectorStore
from rag.types import DateRange, Hit, Turn

__all__ = [
    "Retriever",
    "collapse_near_duplicates",
    "date_range",
    "iso_day",
    "jaccard",
    "reciprocal_rank_fusion",
    "standalone_query",
]

_WORD = re.compile(r"\w+", re.UNICODE)


def iso_day(text: str) -> str:
    """``text`` as an ISO ``YYYY-MM-DD`` day; raises ``ValueError`` for anything else (no partial dates)."""
    text = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(text)
    return dt.date.fromisoformat(text).isoformat()


def _iso_day(value: str | dt.date | None, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return iso_day(str(value))
    except ValueError:
        raise QuestionError(
            f"{name} {value!r} is not a date; give it as YYYY-MM-DD (ISO 8601), e.g. 2025-03-01."
        ) from None


def date_range(since: str | dt.date | None = None, until: str | dt.date | None = None) -> DateRange | None:
    """The :class:`DateRange` for user-given bounds (ISO ``YYYY-MM-DD`` strings or dates), inclusive.

    None when neither bound is given. Raises :class:`QuestionError` naming the bad
    value and the format, or when ``since`` is after ``until``.
    """
    start, end = _iso_day(since, "since"), _iso_day(until, "until")
    if start is None and end is None:
        return None
    if start is not None and end is not None and start > end:
        raise QuestionError(f"since {start} is after until {end}; give the earlier date as since.")
    return DateRange(since=start, until=end)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Hit]], *, k: int = 60) -> list[Hit]:
    """One list ordered by Σ 1/(k + rank); ties broken by best single rank, then chunk id.

    Each fused hit keeps the chunk from its first list, ``score`` is the fused score,
    ``dense``/``keyword`` carry the original scores, ``source`` names the lists it came from.
    """
    fused: dict[str, float] = {}
    best_rank: dict[str, int] = {}
    first: dict[str, Hit] = {}
    dense: dict[str, float] = {}
    keyword: dict[str, float] = {}
    sources: dict[str, list[str]] = {}
    for ranking in rankings:
        for pos, hit in enumerate(ranking, 1):
            cid = hit.chunk.chunk_id
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (k + pos)
            best_rank[cid] = min(best_rank.get(cid, pos), pos)
            first.setdefault(cid, hit)
            sources.setdefault(cid, []).append(hit.source)
            if hit.source == "bm25":
                keyword[cid] = hit.score
            else:
                dense[cid] = hit.score
    order = sorted(fused, key=lambda cid: (-fused[cid], best_rank[cid], cid))
    return [
        replace(
            first[cid],
            score=fused[cid],
            rank=i,
            source="+".join(dict.fromkeys(sources[cid])),
            dense=dense.get(cid),
            keyword=keyword.get(cid),
        )
        for i, cid in enumerate(order, 1)
    ]


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def _set_jaccard(wa: frozenset[str], wb: frozenset[str]) -> float:
    if not wa and not wb:
        return 1.0
    return len(wa & wb) / len(wa | wb)


def jaccard(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' lower-cased word sets."""
    return _set_jaccard(_words(a), _words(b))


def collapse_near_duplicates(hits: Sequence[Hit], *, threshold: float = 0.8, limit: int | None = None) -> list[Hit]:
    """Drop each hit whose text is at least ``threshold``-Jaccard-similar to a better-ranked kept one.

    A hit's fate depends only on the hits kept before it, so with ``limit`` the scan
    stops once that many are kept (same result as collapsing everything and cutting).
    Each text's word set is computed once.
    """
    kept: list[Hit] = []
    kept_words: list[frozenset[str]] = []
    for hit in hits:
        if limit is not None and len(kept) >= limit:
            break
        words = _words(hit.chunk.text)
        if all(_set_jaccard(words, w) < threshold for w in kept_words):
            kept.append(hit)
            kept_words.append(words)
    return [replace(h, rank=i) for i, h in enumerate(kept, 1)]


def standalone_query(question: str, history: Sequence[Turn], *, mode: str = "context", turns: int = 3) -> str:
    """The retrieval query for ``question`` given the conversation so far.

    ``question``: the question alone. ``questions``: the recent questions, then this
    one. ``context``: that, plus the previous answer without its markers, which
    names what "it" or "that official" refers to. Costs no model call.
    """
    if not history or mode == "question":
        return question
    recent = list(history)[-turns:] if turns else []
    parts = [t.question for t in recent]
    if mode == "context" and recent:
        previous = strip_markers(recent[-1].answer)
        parts.append(previous if len(previous) <= 400 else previous[:400].rsplit(" ", 1)[0])
    return " ".join([*parts, question])


class Retriever:
    """Dense (and, for ``retrieval = "hybrid"``, BM25) search over one index.

    ``keyword_sync_s`` (seconds): with a shared store, how often at most the local
    BM25 copy is compared with the store and synced (other workers ingest too).
    """

    keyword_sync_s = 30.0

    def __init__(self, *, store: VectorStore, keyword: KeywordIndex | None, settings: Settings) -> None:
        self.store = store
        self.keyword = keyword
        self.settings = settings
        self.keyword_checked_at = time.monotonic()

    def follow_other_writers(self) -> None:
        """With a shared store, keep the local BM25 copy in step with what other workers ingested.

        Checked at most every ``keyword_sync_s``, by comparing counts; the sync itself
        is idempotent, so two processes syncing at once converge.
        """
        if self.keyword is None or not self.store.shared:
            return
        now = time.monotonic()
        if now - self.keyword_checked_at < self.keyword_sync_s:
            return
        self.keyword_checked_at = now
        if self.keyword.count() != self.store.count():
            self.keyword.sync(self.store.chunks(with_text=True))

    def search(
        self,
        text: str,
        vector: Sequence[float],
        k: int,
        exclude_docs: Collection[str] = (),
        *,
        where: DateRange | None = None,
    ) -> list[Hit]:
        """Dense (and BM25) candidates, fused, near-duplicates collapsed, cut to ``k``, best first.

        ``vector`` is ``text``'s embedding. ``exclude_docs`` hides documents from this
        one search (evaluation uses it to leave a question's own sources out without
        re-indexing). ``where`` keeps chunks dated in that range only; both retrievers
        filter in the backend, so a narrow range still gets its ``k`` best.
        """
        self.follow_other_writers()
        fetch = max(self.settings.fetch_k, k) + (4 * k if exclude_docs else 0)
        dense = [replace(h, dense=h.score) for h in self.store.query(vector, fetch, where=where)]
        rankings = [dense]
        if self.keyword is not None and self.settings.retrieval == "hybrid":
            rankings.append(self.keyword.search(text, fetch, where=where))
        if exclude_docs:
            rankings = [[h for h in r if h.chunk.doc_id not in exclude_docs] for r in rankings]
        fused = reciprocal_rank_fusion(rankings) if len(rankings) > 1 else rankings[0]
        return collapse_near_duplicates(fused, threshold=self.settings.dedupe_threshold, limit=k)
