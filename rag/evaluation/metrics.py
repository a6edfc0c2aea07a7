"""Evaluation metrics as pure functions on plain data (strings, lists, dicts).

Answer quality (``normalize_answer``, ``fact_present``, ``answer_correct``,
``token_f1``), document-level retrieval quality (``hit_at_k``, ``recall_at_k``,
``reciprocal_rank``, ``ndcg_at_k``), aggregation (``percentile``, ``rate``) and
citation quality (``citation_validity``, ``citation_precision``, ``citation_recall``).
Each function's docstring gives its exact definition.

What it deliberately does not do: read files, call models, time anything, average
over questions or decide pass/fail thresholds (the runner does that with these
functions), or parse citation markers (:mod:`rag.citations` does, for the pipeline
and the runner alike). Retrieval metrics use binary relevance at document level only
(a chunk hit counts for its document). Whether a passage supports a sentence is decided by
:mod:`rag.support`, a lexical proxy, not by an entailment model.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Sequence

from rag import support

__all__ = [
    "answer_correct",
    "citation_precision",
    "citation_recall",
    "citation_validity",
    "fact_present",
    "hit_at_k",
    "ndcg_at_k",
    "normalize_answer",
    "percentile",
    "rate",
    "recall_at_k",
    "reciprocal_rank",
    "token_f1",
]

# ------------------------------------------------------------------------ answer text

_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_KEPT_SYMBOLS = frozenset("€$£¥%")


def normalize_answer(s: str) -> str:
    """Canonical form of an answer or a fact for lexical matching.

    NFKC; casefold (a stronger lowercase: "Straße" -> "strasse"); thousands
    separators folded ("1,000,000" -> "1000000"); every character that is not a
    letter, digit or combining mark becomes a space, except "€", "$", "£", "¥" and
    "%", which become tokens of their own ("€16m" -> "€ 16m"); whitespace collapsed
    and trimmed. A decimal point is punctuation too: "3.5" -> "3 5" (on both sides of
    a comparison, so "3.5" still matches "3.5" but not "13.5"). Articles are kept.
    """
    # NFKC again after casefold: casefolding can leave a string that NFKC changes.
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", s).casefold())
    text = _THOUSANDS_RE.sub("", folded)
    out: list[str] = []
    for char in text:
        if char in _KEPT_SYMBOLS:
            out.append(f" {char} ")
        elif unicodedata.category(char)[0] in "LNM":
            out.append(char)
        else:
            out.append(" ")
    return " ".join("".join(out).split())


def fact_present(answer: str, alternatives: Sequence[str]) -> bool:
    """Whether some alternative occurs in the answer on token boundaries.

    True iff for some alternative ``a`` with a non-empty ``normalize_answer(a)``,
    ``" " + normalize_answer(a) + " "`` is a substring of
    ``" " + normalize_answer(answer) + " "``. So "16 million" is found in
    "EUR 16 million." but "1" is not found in "16". Raises ValueError when no
    alternative is non-empty after normalisation (a broken gold fact).
    """
    needles = [n for n in (normalize_answer(a) for a in alternatives) if n]
    if not needles:
        raise ValueError(f"a fact needs at least one non-empty alternative, got {alternatives!r}")
    haystack = f" {normalize_answer(answer)} "
    return any(f" {needle} " in haystack for needle in needles)


def answer_correct(answer: str, expected: Sequence[Sequence[str]]) -> bool:
    """Whether every expected fact is present: ``all(fact_present(answer, f) for f in expected)``.

    ``expected`` lists facts, each a list of acceptable alternatives. Raises ValueError
    when it is empty: an unanswerable question has no correctness, only abstention.
    """
    if not expected:
        raise ValueError("expected facts are empty; unanswerable questions have no correctness")
    return all(fact_present(answer, fact) for fact in expected)


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD-style token F1 over ``normalize_answer(...).split()`` tokens.

    With ``c`` the size of the multiset intersection of the two token lists,
    precision ``c / len(pred)``, recall ``c / len(ref)``, F1 ``2PR / (P + R)``.
    1.0 when both token lists are empty, 0.0 when exactly one is (or ``c == 0``).
    Unlike SQuAD, articles are not removed.
    """
    pred = normalize_answer(prediction).split()
    ref = normalize_answer(reference).split()
    if not pred and not ref:
        return 1.0
    if not pred or not ref:
        return 0.0
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision = common / len(pred)
    recall = common / len(ref)
    return 2 * precision * recall / (precision + recall)


# --------------------------------------------------------------------------- retrieval


def _dedupe(ranked: Sequence[str]) -> list[str]:
    # Several chunks of one document are one document hit, at its best rank.
    return list(dict.fromkeys(ranked))


def _check_gold(gold: Collection[str]) -> None:
    if not gold:
        raise ValueError("gold documents are empty; retrieval metrics need at least one")


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")


def hit_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> bool:
    """Whether any gold document is among the first ``k`` distinct ranked documents.

    ``ranked`` may repeat a document (one entry per chunk hit); repeats are dropped,
    keeping the first occurrence, before cutting at ``k``. ValueError on empty
    ``gold`` or ``k < 1``.
    """
    _check_gold(gold)
    _check_k(k)
    gold_set = set(gold)
    return any(doc in gold_set for doc in _dedupe(ranked)[:k])


def recall_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """``|set(gold) ∩ top_k| / |set(gold)|`` with ``top_k`` the first ``k`` distinct documents.

    ValueError on empty ``gold`` or ``k < 1``.
    """
    _check_gold(gold)
    _check_k(k)
    gold_set = set(gold)
    return len(gold_set.intersection(_dedupe(ranked)[:k])) / len(gold_set)


def reciprocal_rank(ranked: Sequence[str], gold: Collection[str]) -> float:
    """``1 / r`` for the 1-based rank ``r`` of the first gold document, 0.0 if none.

    Ranks count distinct documents (repeats dropped, first occurrence kept).
    ValueError on empty ``gold``.
    """
    _check_gold(gold)
    gold_set = set(gold)
    for rank, doc in enumerate(_dedupe(ranked), start=1):
        if doc in gold_set:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """Normalised discounted cumulative gain at ``k`` with binary relevance.

    After dropping repeats, ``DCG = Σ_{i=1..k} rel_i / log2(i + 1)`` where ``rel_i`` is
    1 if the document at rank ``i`` is gold, else 0 (ranks past the list's end
    contribute 0); ``IDCG = Σ_{i=1..min(k, |set(gold)|)} 1 / log2(i + 1)``; the
    result is ``DCG / IDCG``, in [0, 1]. ValueError on empty ``gold`` or ``k < 1``.
    """
    _check_gold(gold)
    _check_k(k)
    gold_set = set(gold)
    gold_ranks = [rank for rank, doc in enumerate(_dedupe(ranked)[:k], start=1) if doc in gold_set]
    dcg = sum(1.0 / math.log2(rank + 1) for rank in gold_ranks)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, len(gold_set)) + 1))
    return dcg / ideal


# -------------------------------------------------------------------------- aggregates


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile with linear interpolation between closest ranks.

    Same as ``numpy.percentile(values, p)`` (method "linear"): with ``x`` sorted and
    ``h = (n - 1) * p / 100``, the result is ``x[⌊h⌋] + (h - ⌊h⌋) * (x[⌊h⌋+1] - x[⌊h⌋])``.
    ValueError on empty ``values``, NaN values, or ``p`` outside [0, 100].
    """
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0.0 <= p <= 100.0:
        raise ValueError(f"p must be in [0, 100], got {p!r}")
    if any(math.isnan(v) for v in values):
        raise ValueError("percentile of a sequence containing NaN")
    xs = sorted(values)
    h = (len(xs) - 1) * (p / 100.0)
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    a, b, t = xs[lo], xs[hi], h - lo
    # numpy's _lerp: interpolate from the nearer end, so results match it to the bit.
    diff = b - a
    return float(b - diff * (1.0 - t)) if t >= 0.5 else float(a + diff * t)


def rate(flags: Sequence[bool]) -> float | None:
    """The fraction of true flags; None for no flags (a rate of nothing is undefined)."""
    if not flags:
        return None
    return sum(1 for flag in flags if flag) / len(flags)


def citation_validity(markers: Sequence[int], shown: Collection[int]) -> float | None:
    """The fraction of ``markers`` (repeats counted) that are in ``shown``.

    ``shown`` holds the marker numbers of the sources the model was shown. None when
    there are no markers.
    """
    if not markers:
        return None
    shown_set = set(shown)
    return sum(1 for m in markers if m in shown_set) / len(markers)


def citation_precision(
    cited_pairs: Sequence[tuple[str, str]],
    *,
    check: Callable[[str, str], bool] = support.is_supported,
) -> float | None:
    """The fraction of (sentence, cited passage text) pairs that ``check`` accepts.

    One pair per citation of a sentence; ``check(sentence, passage)`` defaults to
    ``support.is_supported``. None when there are no pairs.
    """
    if not cited_pairs:
        return None
    accepted = sum(1 for sentence, passage in cited_pairs if check(sentence, passage))
    return accepted / len(cited_pairs)


def citation_recall(
    sentences: Sequence[tuple[str, bool]],
    *,
    claim_check: Callable[[str], bool] = support.is_claim,
) -> float | None:
    """The fraction of claim sentences that carry at least one supporting citation.

    ``sentences`` are (sentence, has a supporting citation) pairs, e.g.
    ``(s.text, s.supported)`` for each ``SentenceCitations``; only those for which
    ``claim_check(sentence)`` (default ``support.is_claim``) holds are counted. None
    when no sentence is a claim.
    """
    flags = [supported for sentence, supported in sentences if claim_check(sentence)]
    return rate(flags)


def risk_coverage(points: Sequence[tuple[float, bool, bool]]) -> list[tuple[float, float, float | None]]:
    """The risk-coverage curve of selective answering: ``(threshold, coverage, accuracy)`` rows.

    ``points``: one ``(confidence, answered, right)`` per question, where ``answered``
    means the pipeline gave an answer (did not refuse) and ``right`` that the answer
    was correct. At each distinct confidence ``t`` (descending), the questions
    answered with confidence ≥ t are kept: coverage is their share of all questions,
    accuracy the share of them that are right (None when none are kept). Refusing
    below ``t`` gives exactly that row (El-Yaniv & Wiener 2010, "On the foundations of
    noise-free selective classification"; the curve of Geifman & El-Yaniv 2017).
    """
    n = len(points)
    rows: list[tuple[float, float, float | None]] = []
    for t in sorted({c for c, _, _ in points}, reverse=True):
        kept = [right for c, answered, right in points if answered and c >= t]
        rows.append((t, len(kept) / n if n else 0.0, sum(kept) / len(kept) if kept else None))
    return rows
