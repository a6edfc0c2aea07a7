"""Fusing ranked lists and collapsing near-duplicate passages. Pure functions.

Reciprocal rank fusion combines dense (embedding) and keyword (BM25) rankings without
calibrating their scores against each other: each list contributes 1/(k + rank).
Near-duplicates (the same wire story syndicated twice, a passage and its overlap)
are collapsed so they do not crowd the top-k. Retrieval backends live elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from rag.types import Hit

__all__ = ["collapse_near_duplicates", "jaccard", "reciprocal_rank_fusion"]

_WORD = re.compile(r"\w+", re.UNICODE)


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
