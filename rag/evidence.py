"""Evidence selection: the question's best sentences from the retrieved passages.

``answer_mode = "sentences"`` shows the chat model these sentences instead of whole
chunks: a prompt of ~300 tokens instead of ~1,000, so the first token comes sooner
and a small model has less neighbouring text to copy a wrong fact from. Each
selected sentence keeps its article's title and date (the passage header) and, when
it leans on the sentence before ("He said …", "These figures …"), that sentence too.

Scoring is the embedder's cosine similarity between question and sentence plus a
lexical term: the share of the question's content words (``rag.support.content_tokens``,
stemmed) that the sentence contains. Selection first takes each passage's best
sentence (a multi-article question needs one fact from each article), then the
best remaining sentences overall, while they fit the token budget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rag.protocols import Embedder
from rag.support import content_tokens
from rag.text import Span, split_sentences
from rag.types import EvidenceSpan, Hit

__all__ = ["HEADER_TOKENS", "LEXICAL_WEIGHT", "ScoredSentence", "evidence_views", "score_sentences", "select_evidence"]

# Weight of the lexical term against cosine similarity (both 0-1). Fixed before any run,
# not tuned: exact word matches (names, rare terms) matter as much as a strong paraphrase.
LEXICAL_WEIGHT = 0.5
# Tokens a passage header costs in the prompt (`<source id="n">`, title and date), estimated.
HEADER_TOKENS = 24
_GAP = " … "
# A sentence starting with one of these leans on the one before; both are shown.
_LEANS_ON_PREVIOUS = frozenset(
    {"he", "she", "it", "they", "his", "her", "its", "their", "this", "that", "these", "those", "such"}
    | {"latter", "former", "but", "however", "also", "meanwhile", "there", "both"}
)


@dataclass(frozen=True)
class ScoredSentence:
    """A sentence of ``hits[source]``'s chunk text (``span`` indexes that text) and its score."""

    source: int
    index: int  # position among that passage's sentences
    span: Span
    score: float


def score_sentences(question: str, hits: Sequence[Hit], embedder: Embedder) -> list[list[ScoredSentence]]:
    """Every sentence of every hit, scored against ``question``; one list per hit, in text order.

    Score = cosine(question, sentence) + ``LEXICAL_WEIGHT`` × share of the question's
    content words found in the sentence. One embedder call for all sentences.
    """
    spans = [split_sentences(h.chunk.text) for h in hits]
    flat = [s.text for per_hit in spans for s in per_hit]
    if not flat:
        return [[] for _ in hits]
    vectors = embedder.embed([question, *flat])
    q_vec, sent_vecs = vectors[0], vectors[1:]
    q_words = set(content_tokens(question))
    out: list[list[ScoredSentence]] = []
    k = 0
    for i, per_hit in enumerate(spans):
        scored = []
        for j, span in enumerate(per_hit):
            cosine = sum(a * b for a, b in zip(q_vec, sent_vecs[k], strict=True))
            lexical = len(q_words & set(content_tokens(span.text))) / len(q_words) if q_words else 0.0
            scored.append(ScoredSentence(i, j, span, cosine + LEXICAL_WEIGHT * lexical))
            k += 1
        out.append(scored)
    return out


def _leans_on_previous(text: str) -> bool:
    first = text.split(maxsplit=1)[0].strip("\"'\u201c\u2018(").lower() if text.split() else ""
    return first in _LEANS_ON_PREVIOUS


def select_evidence(
    scored: Sequence[Sequence[ScoredSentence]], *, count_tokens: Callable[[str], int], budget: int
) -> list[list[int]]:
    """Indices of the sentences to show, per hit (sorted; empty: the hit is not shown).

    First each hit's best sentence in hit order, then the best remaining sentences
    overall, each with the sentence before when it leans on it, while the running cost
    (sentence tokens, plus ``HEADER_TOKENS`` for each newly shown passage) stays within
    ``budget`` tokens. The first sentence is always taken, so a tiny budget still shows something.
    """
    chosen: list[set[int]] = [set() for _ in scored]
    used = 0

    def take(s: ScoredSentence) -> None:
        nonlocal used
        wanted = [s.index]
        if s.index > 0 and _leans_on_previous(s.span.text):
            wanted.insert(0, s.index - 1)
        new = [j for j in wanted if j not in chosen[s.source]]
        cost = sum(count_tokens(scored[s.source][j].span.text) + 1 for j in new)
        cost += HEADER_TOKENS if not chosen[s.source] else 0
        if used + cost > budget and used > 0:
            return
        chosen[s.source].update(new)
        used += cost

    for per_hit in scored:
        if per_hit:
            take(max(per_hit, key=lambda s: s.score))
    for s in sorted((s for per_hit in scored for s in per_hit), key=lambda s: -s.score):
        if s.index not in chosen[s.source]:
            take(s)
    return [sorted(c) for c in chosen]


def evidence_views(
    hits: Sequence[Hit], scored: Sequence[Sequence[ScoredSentence]], chosen: Sequence[Sequence[int]]
) -> tuple[list[Hit], list[EvidenceSpan]]:
    """The hits to show, each with its chunk text cut to the chosen sentences, and those sentences' spans.

    Views keep every other field of their hit (ids, title, date), so the prompt's
    marker ``n`` still names the original passage; adjacent sentences are joined
    with a space, gaps with " … ". Hits with no chosen sentence are left out.
    """
    views: list[Hit] = []
    spans: list[EvidenceSpan] = []
    for hit, per_hit, idx in zip(hits, scored, chosen, strict=True):
        if not idx:
            continue
        parts: list[str] = []
        for n, j in enumerate(idx):
            if n and j != idx[n - 1] + 1:
                parts.append(_GAP)
            elif n:
                parts.append(" ")
            span = per_hit[j].span
            parts.append(span.text)
            spans.append(EvidenceSpan(hit.chunk.chunk_id, span.start, span.end, span.text, per_hit[j].score))
        views.append(replace(hit, chunk=replace(hit.chunk, text="".join(parts))))
    return views, spans
