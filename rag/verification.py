"""Check an answer's citations against the passages they point to.

For every sentence of the answer: which of its ``[n]`` markers point to a passage that
supports it (``rag.support``'s lexical check), whether it states a checkable claim at
all, and which sentences of each cited passage support it best (the highlights the UI
shows). Pure; it reports and does not rewrite the answer text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from rag import support
from rag.metrics import sentence_citations
from rag.types import AnswerSentence, Citation, Hit

__all__ = ["check_citations", "highlight_spans"]

# A passage sentence must share this much of the claim to be highlighted.
_HIGHLIGHT_MIN = 0.34


def highlight_spans(claim: str, passage: str, *, limit: int = 2) -> list[tuple[int, int]]:
    """Spans of the ``limit`` passage sentences that best support ``claim``, in text order."""
    scored = [(support.support_score(claim, s.text), s.start, s.end) for s in support.split_sentences(passage)]
    best = sorted((x for x in scored if x[0] >= _HIGHLIGHT_MIN), key=lambda x: -x[0])[:limit]
    return sorted((start, end) for _, start, end in best)


def check_citations(
    text: str, citations: Sequence[Citation], sources: Sequence[Hit]
) -> tuple[tuple[Citation, ...], tuple[AnswerSentence, ...]]:
    """Citations with ``supported`` and ``highlights`` filled, and the checked sentences."""
    passages = {i + 1: h.chunk.text for i, h in enumerate(sources)}
    checked = sentence_citations(text, passages)
    sentences = []
    supported_by: dict[int, bool] = defaultdict(bool)
    spans: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for sc in checked:
        for m in sc.markers:
            supported_by[m] |= m in sc.supported_markers
            if m in passages:
                spans[m].update(highlight_spans(sc.claim, passages[m]))
        sentences.append(
            AnswerSentence(
                text=sc.text,
                start=sc.span.start,
                end=sc.span.end,
                markers=tuple(sc.markers),
                supported=(sc.supported if sc.is_claim else None),
            )
        )
    out = tuple(
        replace(c, supported=supported_by.get(c.marker, False), highlights=tuple(sorted(spans.get(c.marker, ()))))
        for c in citations
    )
    return out, tuple(sentences)
