"""Evidence-first answering (answer_mode="sentences"), answerability confidence, the no-bare grammar,
refusal reasons and the risk-coverage curve, over the fakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.answering import calibrate, refusal_reason
from rag.evaluation.metrics import risk_coverage
from rag.evidence import HEADER_TOKENS, evidence_views, score_sentences, select_evidence
from rag.prompting import ANSWERABILITY_PROMPT, NO_BARE_GRAMMAR
from rag.testing import FakeLLM, HashEmbedder, fake_rag
from rag.types import Chunk, Hit

PARIS = (
    "Ministers met in Paris on Monday. The E5 group is France, Britain, Germany, Italy and Poland. "
    "They discussed air defence. Lunch was served at noon. The weather was mild."
)
NATO = "NATO has 32 members. Its summit is in July. Officials expect a long meeting about budgets."


def hit(text: str, n: int, title: str = "") -> Hit:
    chunk = Chunk(
        chunk_id=f"d{n}#0",
        doc_id=f"d{n}",
        text=text,
        start=0,
        end=len(text),
        title=title or f"Article {n}",
        date="2025-02-01",
    )
    return Hit(chunk=chunk, score=1.0 / n, rank=n)


def count(text: str) -> int:
    return len(text.split())


def test_each_passage_gives_its_best_sentence_first_then_the_best_overall_within_the_budget() -> None:
    hits = [hit(PARIS, 1), hit(NATO, 2)]
    scored = score_sentences("Which countries are in the E5 group?", hits, HashEmbedder())
    chosen = select_evidence(scored, count_tokens=count, budget=2 * HEADER_TOKENS + 25)
    assert 1 in chosen[0]  # the E5 sentence
    assert chosen[1]  # the second article keeps its best sentence
    used = sum(count(scored[i][j].span.text) + 1 for i, c in enumerate(chosen) for j in c)
    assert used + HEADER_TOKENS * sum(1 for c in chosen if c) <= 2 * HEADER_TOKENS + 25


def test_a_sentence_that_leans_on_the_one_before_brings_it_along() -> None:
    hits = [hit(PARIS, 1)]
    scored = score_sentences("What did they discuss about air defence?", hits, HashEmbedder())
    [chosen] = select_evidence(scored, count_tokens=count, budget=HEADER_TOKENS + 20)
    assert chosen[:2] == [1, 2]  # "They discussed air defence." comes with the E5 sentence


def test_views_keep_the_passage_identity_and_spans_index_the_original_text() -> None:
    hits = [hit(PARIS, 1), hit(NATO, 2)]
    scored = score_sentences("E5 countries", hits, HashEmbedder())
    views, spans = evidence_views(hits, scored, [[0, 1, 4], []])
    [view] = views
    assert view.chunk.chunk_id == "d1#0" and view.chunk.title == "Article 1"
    assert view.chunk.text == (
        "Ministers met in Paris on Monday. The E5 group is France, Britain, Germany, Italy and Poland. … "
        "The weather was mild."
    )
    assert [PARIS[s.start : s.end] for s in spans] == [s.text for s in spans]


def test_sentences_mode_shows_the_model_sentences_but_cites_the_whole_passage(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "paris.txt").write_text("E5 meeting in Paris\n\n" + PARIS, encoding="utf-8")
    llm = FakeLLM("The E5 group is France, Britain, Germany, Italy and Poland [1].")
    rag = fake_rag(tmp_path, llm=llm, min_score=-1.0, answer_mode="sentences", evidence_tokens=40)
    rag.ingest([news])
    answer = rag.ask("Which countries are in the E5 group?")
    prompt = llm.prompts[-1][-1]["content"]
    assert "E5 group is France" in prompt and "Lunch was served" not in prompt
    assert answer.evidence and all(e.text in answer.sources[0].chunk.text for e in answer.evidence)
    assert "Lunch was served at noon." in answer.sources[0].chunk.text  # the card shows the whole passage
    assert answer.citations and answer.citations[0].supported
    assert llm.grammars[-1] == NO_BARE_GRAMMAR


@pytest.mark.parametrize(
    ("options", "question", "grammar"),
    [
        ({}, "Which countries are in the E5 group?", NO_BARE_GRAMMAR),
        ({"grammar": False}, "Which countries are in the E5 group?", None),
        # Written without spaces between words: a grammar that counts words by spaces would mangle it.
        ({}, "欧洲五国集团包括哪些国家？请告诉我这些国家的名字。", None),
    ],
)
def test_chunks_mode_shows_whole_chunks_and_rules_out_bare_replies_where_words_have_spaces(
    tmp_path: Path, options: dict[str, object], question: str, grammar: str | None
) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "paris.txt").write_text("E5 meeting in Paris\n\n" + PARIS, encoding="utf-8")
    llm = FakeLLM("The E5 group is France, Britain, Germany, Italy and Poland [1].")
    rag = fake_rag(tmp_path, llm=llm, min_score=-1.0, **options)
    rag.ingest([news])
    answer = rag.ask(question)
    assert "Lunch was served" in llm.prompts[-1][-1]["content"]
    assert llm.grammars[-1] == grammar and answer.evidence == () and answer.confidence is None


@pytest.mark.parametrize(("p_yes", "refused"), [(0.9, False), (0.2, True)])
def test_answerability_gives_confidence_and_refuses_below_min_confidence(
    tmp_path: Path, p_yes: float, refused: bool
) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "nato.txt").write_text("NATO summit\n\n" + NATO, encoding="utf-8")
    llm = FakeLLM("NATO has 32 members [1].", option_probability=p_yes)
    rag = fake_rag(tmp_path, llm=llm, min_score=-1.0, answerability=True, min_confidence=0.5)
    rag.ingest([news])
    answer = rag.ask("Who chairs the NATO summit?")
    [check] = llm.checks
    assert check[-1]["content"].endswith(ANSWERABILITY_PROMPT)
    assert check[-1]["content"].startswith(llm.prompts[-1][-1]["content"] if llm.prompts else "Sources:")
    assert answer.confidence == pytest.approx(calibrate(p_yes))
    assert answer.abstained is refused
    assert (len(llm.prompts) == 0) is refused  # a refusal by confidence costs no generation
    if refused:
        assert answer.finish_reason == "gate"
        assert answer.refusal_reason == "The closest article, \u201cNATO summit\u201d, names no one for this."


def test_refusal_reason_names_what_the_question_asks_for() -> None:
    hits = [hit(NATO, 1, title="NATO summit")]
    assert (
        refusal_reason("How many members joined?", hits)
        == "The closest article, \u201cNATO summit\u201d, gives no figure for this."
    )
    assert refusal_reason("When is the summit?", hits).endswith("gives no date for this.")
    assert refusal_reason("Where will they meet?", hits).endswith("names no place for this.")
    assert refusal_reason("Why did it happen?", hits).endswith("does not state this.")
    assert refusal_reason("Why?", [], gated=True) == "No indexed article is close enough to this question."


def test_calibration_is_monotonic_and_bounded() -> None:
    values = [calibrate(p) for p in (0.0, 0.1, 0.5, 0.9, 1.0)]
    assert values == sorted(values) and all(0.0 < v < 1.0 for v in values)


def test_risk_coverage_keeps_answers_at_or_above_each_threshold() -> None:
    points = [(0.9, True, True), (0.8, True, False), (0.5, True, True), (0.3, False, False)]
    assert risk_coverage(points) == [
        (0.9, 0.25, 1.0),
        (0.8, 0.5, 0.5),
        (0.5, 0.75, 2 / 3),
        (0.3, 0.75, 2 / 3),
    ]
    assert risk_coverage([(0.4, False, False)]) == [(0.4, 0.0, None)]


def test_the_grammar_forbids_a_marker_among_the_first_three_words() -> None:
    assert "word ws word ws word" in NO_BARE_GRAMMAR and "[^ \\t\\n\\[\\]]+" in NO_BARE_GRAMMAR


def test_the_sources_panel_shows_the_refusal_reason_and_the_confidence() -> None:
    from rag.types import Answer
    from ui.render import render_debug, render_sources

    reason = "The closest article, \u201cNATO <summit>\u201d, names no one for this."
    refused = Answer(question="Who?", text="x", abstained=True, confidence=0.12, refusal_reason=reason)
    html = render_sources(refused)
    assert "names no one for this." in html and "NATO &lt;summit&gt;" in html
    assert "Confidence 12%" in html and "0.12" in render_debug(refused)
    assert "Confidence" not in render_sources(Answer(question="Who?", text="x", abstained=True))
