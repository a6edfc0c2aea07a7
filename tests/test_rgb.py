"""Tests for rag.evaluation.datasets.rgb: loading, corpus pooling and de-duplication, answer matching, the two runs (with fakes)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from rag import RAG, Settings
from rag.errors import InputError
from rag.evaluation.datasets.rgb import (
    ATTRIBUTION,
    build_corpus,
    default_rgb_path,
    expected_facts,
    index_corpus,
    load_rgb,
    noise_questions,
    rejection_questions,
    rgb_correct,
    run_rgb,
)
from rag.prompting import REFUSAL
from rag.protocols import Message
from rag.testing import FakeLLM, HashEmbedder, MemoryStore

SHARED = "Official Super Bowl ticket packages are on sale now for the next game in Las Vegas."
ROWS: list[dict[str, Any]] = [
    {
        "id": 0,
        "query": "Super Bowl 2021 location",
        "answer": "Tampa, Florida",
        "positive": [
            "The game was played on February 7, 2021, at Raymond James Stadium in Tampa, Florida.",
            "Super Bowl LV took place in Tampa, Florida, home of the Buccaneers.",
        ],
        "negative": [SHARED, "The halftime show featured The Weeknd."],
    },
    {
        "id": 1,
        "query": "On what date did Facebook go public and list its shares?",
        "answer": [["May 18 2012", "18 May 2012", "May 18, 2012"]],
        "positive": ["Facebook went public and listed its shares on May 18, 2012, raising 16 billion dollars."],
        "negative": [SHARED, "Facebook was founded in 2004 in a Harvard dorm room."],
    },
    {
        "id": 2,
        "query": "Who won the 2022 World Cup and where?",
        "answer": ["Argentina", ["Qatar", "Lusail"]],
        "positive": ["Argentina won the 2022 World Cup final in Lusail, Qatar."],
        "negative": ["The 2022 World Cup final went to penalties.", SHARED],
    },
]


def write_rgb(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_corpus_pools_every_passage_once(tmp_path: Path) -> None:
    items = load_rgb(write_rgb(tmp_path / "en_fact.jsonl", ROWS))
    corpus = build_corpus(items)
    assert corpus.passages == 10
    assert len(corpus.documents) == 8 and corpus.duplicates == 2  # SHARED appears three times
    ids = [d.doc_id for d in corpus.documents]
    assert ids[:4] == ["rgb-0-pos-0.txt", "rgb-0-pos-1.txt", "rgb-0-neg-0.txt", "rgb-0-neg-1.txt"]
    assert len(set(ids)) == len(ids)
    assert corpus.positives[0] == ("rgb-0-pos-0.txt", "rgb-0-pos-1.txt")
    assert corpus.negatives[1] == ("rgb-0-neg-0.txt", "rgb-1-neg-1.txt")  # the shared passage keeps its first id
    assert all(d.title == "" and d.content_hash for d in corpus.documents)


def test_the_shipped_file_loads() -> None:
    path = default_rgb_path()
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    items = load_rgb(path)
    corpus = build_corpus(items)
    assert len(items) == 100
    assert corpus.passages == sum(len(i.positive) + len(i.negative) for i in items)
    assert len(corpus.documents) == len({t.strip() for i in items for t in (*i.positive, *i.negative)})
    assert sum(isinstance(i.answer, list) for i in items) == 28


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ("{oops", "not valid JSON"),
        (json.dumps({**ROWS[0], "id": "zero"}), "id must be a unique integer"),
        (json.dumps({**ROWS[1], "id": 0}), "id must be a unique integer"),
        (json.dumps({k: v for k, v in ROWS[1].items() if k != "negative"}), "missing key(s) negative"),
        (json.dumps({**ROWS[1], "positive": []}), "positive is empty"),
        (json.dumps({**ROWS[1], "answer": []}), "unusable answer"),
        (json.dumps({**ROWS[1], "query": " "}), "query must be a non-empty string"),
    ],
)
def test_malformed_rgb_lines_name_the_line(tmp_path: Path, bad: str, problem: str) -> None:
    path = tmp_path / "en_fact.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n" + bad + "\n")
    with pytest.raises(InputError, match=r"line 2: ") as info:
        load_rgb(path)
    assert problem in str(info.value)
    with pytest.raises(InputError, match="not found"):
        load_rgb(tmp_path / "missing.jsonl")


@pytest.mark.parametrize(
    ("reply", "answer", "correct"),
    [
        ("It was held in Tampa, Florida [1].", "Tampa, Florida", True),
        ("It was held in TAMPA FLORIDA.", "Tampa, Florida", True),  # case and punctuation folded
        ("It was held in Tampa Bay.", "Tampa, Florida", False),
        ("Facebook listed on 18 May 2012 [2].", [["May 18 2012", "18 May 2012"]], True),  # one alternative is enough
        ("Facebook listed in May 2012.", [["May 18 2012", "18 May 2012"]], False),
        ("Argentina won in Lusail [1].", ["Argentina", ["Qatar", "Lusail"]], True),  # every fact, any alternative
        ("Argentina won.", ["Argentina", ["Qatar", "Lusail"]], False),
        ("It ended 3-3 [1].", "1", False),  # a marker is not an answer
    ],
)
def test_answer_matching(reply: str, answer: Any, correct: bool) -> None:
    assert rgb_correct(reply, answer) is correct


def test_expected_facts_shapes() -> None:
    assert expected_facts("Tampa") == (("Tampa",),)
    assert expected_facts([["a", "b"]]) == (("a", "b"),)
    assert expected_facts(["x", ["y", "z"]]) == (("x",), ("y", "z"))
    with pytest.raises(ValueError, match="empty"):
        expected_facts([])


def test_questions_for_both_runs(tmp_path: Path) -> None:
    items = load_rgb(write_rgb(tmp_path / "en_fact.jsonl", ROWS))
    corpus = build_corpus(items)
    noise = noise_questions(items, corpus)
    assert (noise[0].id, noise[0].type, noise[0].gold_docs, noise[0].hidden_docs) == (
        "rgb-0",
        "answerable",
        ("rgb-0-pos-0.txt", "rgb-0-pos-1.txt"),
        (),
    )
    assert noise[2].expected == (("Argentina",), ("Qatar", "Lusail"))
    rejection = rejection_questions(items, corpus)
    assert [q.type for q in rejection] == ["unanswerable"] * 3
    assert rejection[0].hidden_docs == corpus.positives[0] and rejection[0].expected == ()
    assert rejection[0].notes == ""
    assert rejection[2].notes.startswith("answer still in 1 visible passage(s): rgb-2-neg-0.txt") is False
    leaky = build_corpus(
        load_rgb(
            write_rgb(
                tmp_path / "leak.jsonl",
                [ROWS[0], {**ROWS[1], "negative": ["Raymond James Stadium in Tampa, Florida hosted it."]}],
            )
        )
    )
    assert rejection_questions(load_rgb(tmp_path / "leak.jsonl"), leaky)[0].notes == (
        "answer still in 1 visible passage(s): rgb-1-neg-0.txt"
    )


def reply_from_sources(messages: Sequence[Message]) -> str:
    # A faithful reader: answers only when a shown source holds the answer to this question.
    sources, question = messages[-1]["content"].split("Question:")
    for topic, needle, answer in (
        ("Super Bowl", "Tampa, Florida", "Tampa, Florida"),
        ("Facebook", "May 18, 2012", "May 18, 2012"),
        ("World Cup", "Lusail, Qatar", "Argentina, in Lusail"),
    ):
        if topic in question and needle in sources:
            return f"{answer} [1]."
    return REFUSAL


@pytest.fixture
def rgb_setup(tmp_path: Path) -> tuple[RAG, Any, Any, FakeLLM]:
    llm = FakeLLM(reply_from_sources)
    rag = RAG(
        embedder=HashEmbedder(),
        store=MemoryStore(),
        llm=llm,
        settings=Settings(data_dir=tmp_path / "rgb", min_score=-1.0),
    )
    items = load_rgb(write_rgb(tmp_path / "en_fact.jsonl", ROWS))
    corpus = build_corpus(items)
    report = index_corpus(rag, corpus)
    assert report.documents_added == 8
    assert index_corpus(rag, corpus).documents_unchanged == 8  # indexed once, reused
    return rag, items, corpus, llm


def test_noise_run_scores_answers(rgb_setup: tuple[RAG, Any, Any, FakeLLM]) -> None:
    rag, items, corpus, _llm = rgb_setup
    run = run_rgb(rag, items, corpus, run="noise")
    assert run.attribution == ATTRIBUTION and "CC BY-NC-SA 4.0" in ATTRIBUTION
    assert run.config["corpus_documents"] == 8 and run.config["corpus_duplicates"] == 2
    assert [r.status for r in run.results] == ["pass", "pass", "pass"]
    assert run.summary["correct"]["value"] == 1.0
    assert run.summary["retrieval"]["returned"]["n"] == 3


def test_rejection_run_hides_the_questions_own_passages(rgb_setup: tuple[RAG, Any, Any, FakeLLM]) -> None:
    rag, items, corpus, llm = rgb_setup
    run = run_rgb(rag, items, corpus, run="rejection", limit=2)
    assert [r.question.id for r in run.results] == ["rgb-0", "rgb-1"]
    for result, prompt in zip(run.results, llm.prompts, strict=True):
        assert result.answer is not None
        shown = {h.chunk.doc_id for h in result.answer.hits}
        assert shown and not shown & set(result.question.hidden_docs)
        own = items[int(result.question.id.split("-")[1])].positive
        assert not any(p in prompt[-1]["content"] for p in own)
    assert [r.status for r in run.results] == ["pass", "pass"]  # both abstained
    assert run.summary["abstention"]["value"] == 1.0
    assert run.config["questions_with_answer_still_visible"] == []
    with pytest.raises(InputError, match="Unknown RGB run"):
        run_rgb(rag, items, corpus, run="counterfactual")
