"""Answer-time citation checks: repairing markers, flags, highlights; follow-up queries."""

from __future__ import annotations

import pytest

from rag.citations import check_citations, highlight_spans, repair_citations
from rag.pipeline import standalone_query
from rag.types import Chunk, Hit, Turn

P1 = (
    "The EU has earmarked an allocation of 16 million euros to support the procurement of weapons and "
    "equipment required for the training program."
)
P2 = "More than a thousand Ukrainian service members are currently undergoing training under this EU initiative."
P3 = "The European Union and NATO are signaling a concerted effort to deepen defense cooperation."


def sources(*texts: str) -> list[Hit]:
    return [
        Hit(chunk=Chunk(chunk_id=f"c{i}", doc_id=f"d{i}.txt", text=t, start=0, end=len(t)), score=0.5, rank=i)
        for i, t in enumerate(texts, 1)
    ]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        # correct marker kept
        (
            "The EU allocated 16 million euros for weapons and equipment [1].",
            "The EU allocated 16 million euros for weapons and equipment [1].",
        ),
        # wrong marker re-pointed to the passage that supports the sentence
        (
            "Over a thousand Ukrainian service members are undergoing training [1].",
            "Over a thousand Ukrainian service members are undergoing training [2].",
        ),
        # missing marker attached
        (
            "More than a thousand Ukrainian service members are in training.",
            "More than a thousand Ukrainian service members are in training [2].",
        ),
        # one right, one wrong: the wrong one is dropped
        (
            "The EU earmarked 16 million euros for weapons and equipment [1][3].",
            "The EU earmarked 16 million euros for weapons and equipment [1].",
        ),
        # a claim nothing supports loses its marker
        ("Brazil won the football tournament in Qatar [3].", "Brazil won the football tournament in Qatar."),
        # a wrong number is not supported by the passage with another number
        ("The EU earmarked 21 million euros for weapons [1].", "The EU earmarked 21 million euros for weapons."),
        # refusals and non-claims keep their text
        ("I cannot answer this from the provided articles.", "I cannot answer this from the provided articles."),
    ],
)
def test_repair_citations(answer: str, expected: str) -> None:
    text, _ = repair_citations(answer, sources(P1, P2, P3))
    assert text == expected


def test_repair_reports_best_support() -> None:
    _, good = repair_citations("The EU earmarked 16 million euros for weapons and equipment [1].", sources(P1, P2))
    _, bad = repair_citations("Brazil won the football tournament in Qatar.", sources(P1, P2))
    _, none = repair_citations("I cannot answer this from the provided articles.", sources(P1, P2))
    assert good >= 0.6 > bad and none == 1.0


def test_flags_and_highlights() -> None:
    from rag.citations import resolve_citations

    text = "The EU earmarked 16 million euros for weapons [1]. Brazil won the football tournament [2]."
    _, cites = resolve_citations(text, sources(P1, P2))
    checked, sentences = check_citations(text, cites, sources(P1, P2))
    assert [s.supported for s in sentences] == [True, False]
    assert checked[0].supported is True and checked[1].supported is False
    [(start, end)] = checked[0].highlights
    assert "16 million euros" in P1[start:end]
    assert highlight_spans("penguins in Antarctica", P1) == []


def test_a_marker_cited_only_by_a_sentence_stating_nothing_is_left_unchecked() -> None:
    from rag.citations import resolve_citations

    for text in ("1 [1]", "Yes, [1]."):
        _, cites = resolve_citations(text, sources(P2))
        checked, sentences = check_citations(text, cites, sources(P2))
        assert checked[0].supported is None and [s.supported for s in sentences] == [None]
    text = "Yes, [1]. More than a thousand Ukrainian service members are in training [1]. Brazil won [2]."
    _, cites = resolve_citations(text, sources(P2, P1))
    checked, _ = check_citations(text, cites, sources(P2, P1))
    assert [c.supported for c in checked] == [True, False]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("question", "Where is that official based?"),
        ("questions", "Who presents the training programme? Where is that official based?"),
        ("context", "Who presents the training programme? The EU High Representative. Where is that official based?"),
    ],
)
def test_standalone_query(mode: str, expected: str) -> None:
    history = [Turn("Who presents the training programme?", "The EU High Representative [2].")]
    assert standalone_query("Where is that official based?", history, mode=mode) == expected
    assert standalone_query("First question?", [], mode=mode) == "First question?"
