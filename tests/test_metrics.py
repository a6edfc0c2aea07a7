"""Tests for rag.evaluation.metrics (and the marker parsing of rag.citations they use): every expected value is computed by hand (arithmetic in comments)."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence

import pytest

from rag.citations import MAX_RANGE_ITEMS, SentenceCitations, extract_markers, sentence_citations, strip_markers
from rag.evaluation.metrics import (
    answer_correct,
    citation_precision,
    citation_recall,
    citation_validity,
    fact_present,
    hit_at_k,
    ndcg_at_k,
    normalize_answer,
    percentile,
    rate,
    recall_at_k,
    reciprocal_rank,
    token_f1,
)
from rag.support import Span

try:  # hypothesis is optional: without it the property tests at the end are not defined
    from hypothesis import given
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None  # type: ignore[assignment]

TRAINING = (
    "Reports show that more than a thousand Ukrainian service members are currently "
    "undergoing training under this EU initiative. Additionally, the EU has earmarked "
    "an allocation of 16 million euros to support the procurement of weapons and "
    "equipment required for the training program."
)
UNRELATED = (
    "The anticipated document is expected to be signed by NATO Secretary General "
    "Jens Stoltenberg and Ursula von der Leyen."
)

# ------------------------------------------------------------------------ answer text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        (" \n\t ", ""),
        ("Hello,  World!", "hello world"),
        ("EUR 16 million.", "eur 16 million"),
        ("\u20ac16m", "\u20ac 16m"),
        ("rose 50%", "rose 50 %"),
        ("$5", "$ 5"),
        ("1,000,000 troops", "1000000 troops"),
        ("1,5 and 12,34", "1 5 and 12 34"),  # not thousands groups: plain punctuation
        ("3.5", "3 5"),
        ("S\u00e9bastien LECORNU", "s\u00e9bastien lecornu"),  # accents kept
        ("Stra\u00dfe", "strasse"),  # casefold
        ("\ufb01nance", "finance"),  # NFKC: the "fi" ligature
        ("\uff35\uff33\uff04\uff15", "us $ 5"),  # NFKC: fullwidth
        ("don't", "don t"),
        ("capacity-building", "capacity building"),
        ("snake_case", "snake case"),
        ("\u00abquoted\u00bb \u2014 dash", "quoted dash"),
    ],
)
def test_normalize_answer(text: str, expected: str) -> None:
    assert normalize_answer(text) == expected


@pytest.mark.parametrize(
    ("answer", "alternatives", "expected"),
    [
        ("The EU gave EUR 16 million.", ["16 million"], True),
        ("It cost 16 euros.", ["1"], False),  # token boundary: "1" is not in "16"
        ("It cost 16 euros.", ["16"], True),
        ("About 1,000 troops", ["1000"], True),
        ("About 1000 troops", ["1,000"], True),
        ("About 1000 troops", ["100"], False),
        ("S\u00e9bastien Lecornu said", ["SEBASTIEN LECORNU"], False),  # accents matter
        ("S\u00e9bastien Lecornu said", ["S\u00c9BASTIEN LECORNU"], True),
        ("\u20ac16m", ["16 million", "16m"], True),  # second alternative
        ("\u20ac16m", ["16 million"], False),  # lexical only: numbers are support's job
        ("\u20ac16m", ["\u20ac16m"], True),
        ("It rose 5%.", ["5%"], True),
        ("It rose 5%.", ["5 %"], True),
        ("Jens Stoltenberg.", ["stoltenberg"], True),
        ("Stoltenbergs", ["stoltenberg"], False),
        ("a capacity-building effort", ["capacity building"], True),
        ("", ["x"], False),
        ("x", ["", "x"], True),  # empty alternatives are skipped
    ],
)
def test_fact_present(answer: str, alternatives: list[str], expected: bool) -> None:
    assert fact_present(answer, alternatives) is expected


@pytest.mark.parametrize("alternatives", [[], [""], ["!!!", " "]])
def test_fact_present_rejects_empty_facts(alternatives: list[str]) -> None:
    with pytest.raises(ValueError, match="alternative"):
        fact_present("anything", alternatives)


FACTS = [["16 million", "16m"], ["14 November", "November 14"]]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("The EU earmarked \u20ac16m and launched the mission on November 14.", True),
        ("The EU earmarked 16 million euros on 14 November [1].", True),
        ("The EU earmarked 16 million euros.", False),  # second fact missing
        ("The mission started on 14 November.", False),  # first fact missing
        ("", False),
    ],
)
def test_answer_correct(answer: str, expected: bool) -> None:
    assert answer_correct(answer, FACTS) is expected


def test_answer_correct_rejects_unanswerable() -> None:
    with pytest.raises(ValueError, match="unanswerable"):
        answer_correct("anything", [])


@pytest.mark.parametrize(
    ("prediction", "reference", "expected"),
    [
        ("", "", 1.0),
        ("", "x", 0.0),
        ("x", "", 0.0),
        ("!!!", "...", 1.0),  # both normalise to nothing
        ("cat", "dog", 0.0),
        ("A B", "a, b!", 1.0),
        # pred [the, eu, trained, soldiers], ref [eu, trained, 1000, soldiers, in,
        # poland]: common 3, P = 3/4, R = 3/6, F1 = 2PR/(P+R) = 0.75/1.25 = 0.6
        ("the EU trained soldiers", "EU trained 1,000 soldiers in Poland", 0.6),
        # multiset: pred [a, a, b], ref [a, b, b] -> common 2, P = R = 2/3, F1 = 2/3
        ("a a b", "a b b", 2 / 3),
        # pred [x] in ref [x, y, z, w]: P = 1, R = 1/4, F1 = 0.5/1.25 = 0.4
        ("x", "x y z w", 0.4),
    ],
)
def test_token_f1(prediction: str, reference: str, expected: float) -> None:
    assert token_f1(prediction, reference) == pytest.approx(expected)


# -------------------------------------------------------------------------- retrieval

# Deduplicated: [d1, d2, d3]; d9 is gold but never retrieved.
RANKED = ["d1", "d1", "d2", "d3", "d2"]
GOLD = {"d2", "d3", "d9"}


@pytest.mark.parametrize(
    ("ranked", "gold", "k", "expected"),
    [
        (RANKED, GOLD, 1, False),  # top-1 is d1
        (RANKED, GOLD, 2, True),  # the repeat of d1 does not push d2 out
        (RANKED, GOLD, 100, True),  # k beyond the list
        ([], GOLD, 5, False),
        (["d9"], GOLD, 1, True),
        (["x", "y"], GOLD, 5, False),  # gold not retrieved
    ],
)
def test_hit_at_k(ranked: list[str], gold: set[str], k: int, expected: bool) -> None:
    assert hit_at_k(ranked, gold, k) is expected


@pytest.mark.parametrize(
    ("ranked", "gold", "k", "expected"),
    [
        (RANKED, GOLD, 1, 0.0),
        (RANKED, GOLD, 2, 1 / 3),  # {d1, d2} ∩ gold = {d2}
        (RANKED, GOLD, 3, 2 / 3),  # {d1, d2, d3} ∩ gold = {d2, d3}
        (RANKED, GOLD, 10, 2 / 3),  # d9 is never retrieved
        ([], GOLD, 3, 0.0),
        (["d2", "d1"], ["d2", "d2"], 2, 1.0),  # gold as a list with a repeat: one doc
        (["a", "b"], {"a", "b"}, 2, 1.0),
    ],
)
def test_recall_at_k(ranked: list[str], gold: Collection[str], k: int, expected: float) -> None:
    assert recall_at_k(ranked, gold, k) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("ranked", "gold", "expected"),
    [
        (["d1", "d1", "d1", "d2"], {"d2"}, 0.5),  # rank 2 after dedupe, not 4
        (["d2"], {"d2"}, 1.0),
        (RANKED, GOLD, 0.5),
        (["a", "b", "c", "d"], {"d", "x"}, 0.25),
        (["d1"], {"d2"}, 0.0),
        ([], {"d2"}, 0.0),
    ],
)
def test_reciprocal_rank(ranked: list[str], gold: set[str], expected: float) -> None:
    assert reciprocal_rank(ranked, gold) == pytest.approx(expected)


# 1 / log2(3) = 0.6309297535714575
_INV_LOG2_3 = 0.6309297535714575


@pytest.mark.parametrize(
    ("ranked", "gold", "k", "expected"),
    [
        # Gold at ranks 1 and 3, k = 5:
        #   DCG  = 1/log2(2) + 1/log2(4)  = 1 + 0.5            = 1.5
        #   IDCG = 1/log2(2) + 1/log2(3)  = 1 + 0.6309297536   = 1.6309297536
        #   nDCG = 1.5 / 1.6309297536                           = 0.9197207891
        (["a", "x", "b", "y", "z"], {"a", "b"}, 5, 0.9197207891481876),
        # Same after dedupe: [a, x, b].
        (["a", "a", "x", "x", "b"], {"a", "b"}, 5, 0.9197207891481876),
        # k = 2 cuts b off: DCG = 1, IDCG = 1 + 0.6309297536 -> 0.6131471928
        (["a", "x", "b"], {"a", "b"}, 2, 1 / (1 + _INV_LOG2_3)),
        # k = 1: IDCG over min(1, 2) = 1 item -> 1 / 1
        (["a", "x", "b"], {"a", "b"}, 1, 1.0),
        # Gold only at rank 2 of k = 2: DCG = 0.6309297536, IDCG = 1.6309297536
        # -> 0.3868528072
        (["x", "a"], {"a", "b"}, 2, _INV_LOG2_3 / (1 + _INV_LOG2_3)),
        (["a", "b"], {"a", "b"}, 10, 1.0),  # perfect; k beyond the list
        (["a"], {"a"}, 10, 1.0),
        # One of two gold docs at rank 1, k = 10: DCG = 1, IDCG = 1.6309297536
        (["b"], {"a", "b"}, 10, 1 / (1 + _INV_LOG2_3)),
        (["x", "y"], {"a"}, 2, 0.0),
        ([], {"a"}, 3, 0.0),
    ],
)
def test_ndcg_at_k(ranked: list[str], gold: set[str], k: int, expected: float) -> None:
    assert ndcg_at_k(ranked, gold, k) == pytest.approx(expected)


def test_ndcg_hand_value() -> None:
    assert 1.5 / (1 + 1 / math.log2(3)) == pytest.approx(0.9197207891481876)


_K_METRICS: list[Callable[[Sequence[str], Collection[str], int], object]] = [
    hit_at_k,
    recall_at_k,
    ndcg_at_k,
]


@pytest.mark.parametrize("metric", _K_METRICS)
@pytest.mark.parametrize(("gold", "k", "message"), [(set(), 3, "gold"), ({"a"}, 0, "k")])
def test_retrieval_metrics_reject_bad_input(
    metric: Callable[[Sequence[str], Collection[str], int], object],
    gold: set[str],
    k: int,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        metric(["a"], gold, k)


def test_reciprocal_rank_rejects_empty_gold() -> None:
    with pytest.raises(ValueError, match="gold"):
        reciprocal_rank(["a"], [])


# ------------------------------------------------------------------------- aggregates


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([1, 2, 3, 4], 50, 2.5),  # h = 3 * 0.50 = 1.5  -> 2 + 0.5 * (3 - 2)
        ([1, 2, 3, 4], 95, 3.85),  # h = 3 * 0.95 = 2.85 -> 3 + 0.85 * (4 - 3)
        ([1, 2, 3, 4], 0, 1.0),
        ([1, 2, 3, 4], 100, 4.0),
        ([4, 1, 3, 2], 25, 1.75),  # unsorted input; h = 0.75 -> 1 + 0.75
        ([7.0], 90, 7.0),
        ([10, 20], 10, 11.0),  # h = 0.1 -> 10 + 0.1 * 10
        ([5, 5, 5], 37, 5.0),
        ([-1.0, 1.0], 50, 0.0),
    ],
)
def test_percentile(values: list[float], p: float, expected: float) -> None:
    assert percentile(values, p) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("values", "p"),
    [([], 50), ([1.0], -1), ([1.0], 100.5), ([1.0], math.nan), ([math.nan], 50)],
)
def test_percentile_rejects_bad_input(values: list[float], p: float) -> None:
    with pytest.raises(ValueError):
        percentile(values, p)


@pytest.mark.parametrize(
    ("flags", "expected"),
    [([], None), ([True], 1.0), ([False], 0.0), ([True, False, True, True], 0.75)],
)
def test_rate(flags: list[bool], expected: float | None) -> None:
    assert rate(flags) == expected


# -------------------------------------------------------------------------- citations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("No markers here.", []),
        ("A [1]. B [1, 2] C [3,4][5]", [1, 1, 2, 3, 4, 5]),  # order kept, repeats kept
        ("[1-3]", [1, 2, 3]),
        ("[2\u20134]", [2, 3, 4]),  # en dash
        ("[1; 3]", [1, 3]),
        ("[ 7 ]", [7]),
        ("[1, 4-5]", [1, 4, 5]),
        ("[1-30]", list(range(1, MAX_RANGE_ITEMS + 1))),  # capped at 20 numbers
        ("[5-2]", [5, 2]),  # descending range: its two ends
        ("[99]", [99]),
        ("[a] [2022] [2022-01] [0] [100] [1.5] [01]", []),
        ("In [2023] see [12].", [12]),
    ],
)
def test_extract_markers(text: str, expected: list[int]) -> None:
    assert extract_markers(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("It rained [1].", "It rained."),
        ("It rained.[1][2] Then it stopped [3, 4].", "It rained. Then it stopped."),
        ("It rained. [1] Then it stopped.", "It rained. Then it stopped."),
        ("A [1] and B [2]", "A and B"),
        ("[2] Starts here", "Starts here"),
        ("Line one [1]\nLine two [2]", "Line one\nLine two"),
        ("List: x [1], y [2]; z [3]!", "List: x, y; z!"),
        ("(see [1])", "(see)"),
        ("Keep [2022] and [a].", "Keep [2022] and [a]."),
        ("[[1]1]", ""),  # stripping until nothing is left that looks like a marker
    ],
)
def test_strip_markers(text: str, expected: str) -> None:
    assert strip_markers(text) == expected


ANSWER = (
    "The EU is training over 1,000 Ukrainian service members. [1] "
    "It earmarked \u20ac16m for weapons [1][2].\n"
    "Stoltenberg will sign [3]. "
    "I cannot answer this from the provided articles."
)


def test_sentence_citations() -> None:
    result = sentence_citations(ANSWER, {1: TRAINING, 2: UNRELATED})
    assert [(s.text, s.markers, s.is_claim, s.supported_markers) for s in result] == [
        # eu, train, ukrainian, servic, member: 5/5 in TRAINING, 1000 == "a thousand".
        ("The EU is training over 1,000 Ukrainian service members. [1]", [1], True, [1]),
        # earmark, euro, weapon: 3/3 in TRAINING (and €16m == 16 million euros);
        # 0/3 in UNRELATED.
        ("It earmarked \u20ac16m for weapons [1][2].", [1, 2], True, [1]),
        # [3] points to no passage: never supported.
        ("Stoltenberg will sign [3].", [3], True, []),
        ("I cannot answer this from the provided articles.", [], False, []),
    ]
    for s in result:
        assert ANSWER[s.span.start : s.span.end] == s.text
    first = result[0]
    assert first.span == Span(0, 60, first.text)
    assert first.claim == "The EU is training over 1,000 Ukrainian service members."
    assert first.supported and not result[2].supported


def test_sentence_citations_threshold_and_repeats() -> None:
    # eu, earmark, euro, dron: 3/4 = 0.75 in TRAINING.
    text = "The EU earmarked 16 million euros for drones [1][1]."
    assert sentence_citations(text, {1: TRAINING})[0].supported_markers == [1]
    strict = sentence_citations(text, {1: TRAINING}, threshold=0.8)[0]
    assert strict == SentenceCitations(
        text=text, span=Span(0, len(text), text), markers=[1], is_claim=True, supported_markers=[]
    )


def test_sentence_citations_empty() -> None:
    assert sentence_citations("", {1: TRAINING}) == []


@pytest.mark.parametrize(
    ("markers", "shown", "expected"),
    [
        ([], {1, 2}, None),
        ([1, 2, 2, 5], {1, 2, 3}, 0.75),  # repeats count: 3 of 4
        ([4], set(), 0.0),
        ([1, 2], [1, 2], 1.0),
    ],
)
def test_citation_validity(
    markers: list[int],
    shown: Collection[int],
    expected: float | None,
) -> None:
    assert citation_validity(markers, shown) == expected


CLAIM = "The EU is training over 1,000 Ukrainian service members."


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([], None),
        ([(CLAIM, TRAINING)], 1.0),
        ([(CLAIM, TRAINING), (CLAIM, UNRELATED)], 0.5),
        ([(CLAIM, UNRELATED)], 0.0),
        # Different number: capped at 0.2, below the threshold.
        ([(CLAIM.replace("1,000", "5,000"), TRAINING)], 0.0),
    ],
)
def test_citation_precision(pairs: list[tuple[str, str]], expected: float | None) -> None:
    assert citation_precision(pairs) == expected


def test_citation_precision_custom_check() -> None:
    pairs = [("a", "a"), ("a", "b"), ("c", "c")]
    assert citation_precision(pairs, check=lambda s, p: s == p) == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("sentences", "expected"),
    [
        ([], None),
        # Two claim sentences, one supported -> 1/2; the question and the refusal
        # are not claims and do not count.
        (
            [
                ("The EU trained over 1,000 soldiers [1].", True),
                ("Stoltenberg will sign the document.", False),
                ("What did the EU do?", False),
                ("I cannot answer this from the provided articles.", False),
            ],
            0.5,
        ),
        ([("What did the EU do?", True)], None),  # no claims at all
        ([("Stoltenberg will sign it.", True)], 1.0),
    ],
)
def test_citation_recall(sentences: list[tuple[str, bool]], expected: float | None) -> None:
    assert citation_recall(sentences) == expected


def test_citation_recall_custom_claim_check() -> None:
    sentences = [("a", True), ("b", False), ("c", False), ("d", False)]
    assert citation_recall(sentences, claim_check=lambda s: True) == 0.25


def test_citation_recall_from_sentence_citations() -> None:
    # Claims: sentences 1-3 (1 and 2 supported) -> 2/3.
    result = sentence_citations(ANSWER, {1: TRAINING, 2: UNRELATED})
    assert citation_recall([(s.text, s.supported) for s in result]) == pytest.approx(2 / 3)


# ------------------------------------------------------------------------- properties

if given is not None:
    _DOCS = st.lists(st.sampled_from("abcdefgh"), max_size=12)
    _GOLD = st.sets(st.sampled_from("abcdefgh"), min_size=1, max_size=5)
    _K = st.integers(min_value=1, max_value=15)

    @given(_DOCS, _GOLD, _K)
    def test_ranking_metrics_are_bounded(ranked: list[str], gold: set[str], k: int) -> None:
        ndcg = ndcg_at_k(ranked, gold, k)
        recall = recall_at_k(ranked, gold, k)
        assert 0.0 <= ndcg <= 1.0 + 1e-12
        assert 0.0 <= recall <= 1.0
        assert 0.0 <= reciprocal_rank(ranked, gold) <= 1.0
        assert hit_at_k(ranked, gold, k) == (recall > 0) == (ndcg > 0)

    @given(_DOCS, _GOLD, _K)
    def test_recall_is_monotone_in_k(ranked: list[str], gold: set[str], k: int) -> None:
        assert recall_at_k(ranked, gold, k) <= recall_at_k(ranked, gold, k + 1)

    @given(_DOCS, _GOLD)
    def test_reciprocal_rank_matches_hits(ranked: list[str], gold: set[str]) -> None:
        rr = reciprocal_rank(ranked, gold)
        if rr > 0:
            rank = round(1 / rr)
            assert hit_at_k(ranked, gold, rank)
            assert rank == 1 or not hit_at_k(ranked, gold, rank - 1)

    _FLOAT = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
    _FLOATS = st.lists(_FLOAT, min_size=1, max_size=20)
    _P = st.floats(min_value=0, max_value=100)

    @given(_FLOATS, _P, _P)
    def test_percentile_is_monotone_and_bounded(values: list[float], p: float, q: float) -> None:
        lo, hi = sorted((p, q))
        assert min(values) <= percentile(values, lo) <= percentile(values, hi) <= max(values)

    @given(_FLOATS, _P)
    def test_percentile_matches_numpy(values: list[float], p: float) -> None:
        numpy = pytest.importorskip("numpy")
        assert percentile(values, p) == float(numpy.percentile(values, p))

    _TEXT = st.text(alphabet=st.sampled_from("aAbé1,.%€ [3]-"), max_size=30)

    @given(_TEXT, _TEXT)
    def test_token_f1_is_symmetric_and_bounded(a: str, b: str) -> None:
        assert token_f1(a, b) == pytest.approx(token_f1(b, a))
        assert 0.0 <= token_f1(a, b) <= 1.0

    @given(st.text(max_size=40))
    def test_normalize_answer_is_idempotent(text: str) -> None:
        once = normalize_answer(text)
        assert normalize_answer(once) == once

    @given(_TEXT)
    def test_strip_markers_leaves_no_markers(text: str) -> None:
        assert extract_markers(strip_markers(text)) == []
