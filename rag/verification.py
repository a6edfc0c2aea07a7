"""Check an answer's citations against the passages they point to.

For every sentence of the answer: which of its ``[n]`` markers point to a passage that
supports it (``rag.support``'s lexical check), whether it states a checkable claim at
all, and which sentences of each cited passage support it best (the highlights the UI
shows). :func:`repair_citations` rewrites markers to the passages that support each
sentence. Pure functions; the support check itself is ``rag.support``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from rag import support
from rag.metrics import sentence_citations, strip_markers
from rag.types import AnswerSentence, Citation, Hit

__all__ = ["check_citations", "highlight_spans", "repair_citations"]

# A passage sentence must share this much of the claim to be highlighted.
_HIGHLIGHT_MIN = 0.34
# A marker the model chose stands when its passage reaches KEEP; a passage the model did
# not cite is attached only at the stricter ATTACH. The lexical check misses paraphrases
# ("set aside" for "earmarked"), so the model's own choice needs less evidence.
KEEP_THRESHOLD = 0.5
ATTACH_THRESHOLD = support.DEFAULT_THRESHOLD


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
    checked = sentence_citations(text, passages, threshold=KEEP_THRESHOLD)
    sentences = []
    # Only claim sentences are checked: "1 [1]" or "Yes, [1]" states nothing a passage
    # could support or contradict, so a marker cited only there stays unchecked (None).
    supported_by: dict[int, bool] = {}
    spans: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for sc in checked:
        for m in sc.markers:
            if sc.is_claim:
                supported_by[m] = supported_by.get(m, False) or m in sc.supported_markers
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
        replace(c, supported=supported_by.get(c.marker), highlights=tuple(sorted(spans.get(c.marker, ()))))
        for c in citations
    )
    return out, tuple(sentences)


def repair_citations(text: str, sources: Sequence[Hit]) -> tuple[str, float]:
    """Rewrite the markers of ``text`` so each claim sentence cites a passage that supports it.

    Per claim sentence: markers whose passage supports it are kept, unsupported ones
    are dropped, and when none is left the best-supporting shown passage (if any
    reaches the support threshold) is attached. Sentences that are not claims keep
    their markers. Returns the new text and the best support score any claim
    sentence reached against any shown passage (the post-generation evidence signal;
    1.0 when the answer has no claim sentence).
    """
    passages = {i + 1: h.chunk.text for i, h in enumerate(sources)}
    ordered = [passages[n] for n in sorted(passages)]
    pieces: list[str] = []
    pos = 0
    best_overall = 0.0
    claims = 0
    for sc in sentence_citations(text, passages, threshold=KEEP_THRESHOLD):
        pieces.append(text[pos : sc.span.start])
        pos = sc.span.end
        if not sc.is_claim:
            pieces.append(sc.text)
            continue
        claims += 1
        index, score = support.best_support(sc.claim, ordered, threshold=ATTACH_THRESHOLD)
        best_overall = max(best_overall, score)
        keep = list(sc.supported_markers)
        if not keep and index is not None:
            keep = [sorted(passages)[index]]
        body = strip_markers(sc.text).rstrip()
        markers = "".join(f"[{m}]" for m in keep)
        if markers and body and body[-1] in ".!?":
            pieces.append(f"{body[:-1]} {markers}{body[-1]}")
        elif markers:
            pieces.append(f"{body} {markers}")
        else:
            pieces.append(body)
    pieces.append(text[pos:])
    return "".join(pieces), (best_overall if claims else 1.0)
