"""Ratings kept as JSON lines under data_dir, and their export as rows `rag eval` runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag import RAG, Settings, Turn
from rag.errors import InputError
from rag.evaluation import evaluate, load_dataset
from rag.feedback import answer_facts, export_rows, read_feedback, record_feedback, write_rows
from rag.testing import FakeLLM, HashEmbedder, MemoryStore

MONEY = "How much money did the EU set aside for weapons and equipment for the training mission?"
GOOD = "The EU allocated 16 million euros for weapons and equipment for the training [1]."


@pytest.fixture
def rag(tmp_path: Path, seeds: Path) -> RAG:
    r = RAG(
        embedder=HashEmbedder(),
        store=MemoryStore(),
        llm=FakeLLM(GOOD),
        settings=Settings(data_dir=tmp_path / "data", min_score=-1.0),
        lock_path=tmp_path / "data" / "write.lock",
    )
    r.ingest([seeds])
    return r


def test_a_rating_is_one_json_line_with_everything_needed_to_replay_it(tmp_path: Path, rag: RAG) -> None:
    answer = rag.ask(MONEY, [("What is the mission?", "Training [1].")])
    record_feedback(
        tmp_path / "data",
        answer,
        verdict="down",
        reason="incomplete",
        correction="  16 million euros ",
        history=[("What is the mission?", "Training [1].")],
        settings=rag.settings,
    )
    lines = (tmp_path / "data" / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    [record] = [json.loads(line) for line in lines]
    assert record["question"] == MONEY and record["answer"] == answer.text
    assert record["history"] == [{"question": "What is the mission?", "answer": "Training [1]."}]
    assert record["verdict"] == "down" and record["reason"] == "incomplete"
    assert record["correction"] == "16 million euros"
    assert record["model"] == "fake-llm" and record["settings"]["top_k"] == rag.settings.top_k
    assert record["settings"]["data_dir"] == str(tmp_path / "data")
    cited = [s for s in record["sources"] if s["cited"]]
    assert [s["doc_id"] for s in cited] == [answer.citations[0].doc_id]
    assert [s["marker"] for s in record["sources"]] == list(range(1, len(answer.sources) + 1))
    assert record["time"].endswith("+00:00")
    record_feedback(tmp_path / "data", answer, verdict="up")
    assert [r["verdict"] for r in read_feedback(tmp_path / "data")] == ["down", "up"]


@pytest.mark.parametrize(
    ("options", "message"),
    [({"verdict": "meh"}, "Unknown verdict 'meh'"), ({"verdict": "down", "reason": "rude"}, "Unknown reason 'rude'")],
)
def test_unknown_verdicts_and_reasons_are_refused(tmp_path: Path, rag: RAG, options: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        record_feedback(tmp_path / "data", rag.ask(MONEY), **options)
    assert not (tmp_path / "data" / "feedback.jsonl").exists()


def test_a_broken_feedback_line_is_named(tmp_path: Path) -> None:
    (tmp_path / "feedback.jsonl").write_text('{"verdict": "up", "question": "Q"}\n{oops\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"feedback.jsonl, line 2: not valid JSON"):
        read_feedback(tmp_path)
    assert read_feedback(tmp_path / "nowhere") == []


def test_export_makes_rows_load_dataset_accepts(tmp_path: Path, rag: RAG) -> None:
    data = tmp_path / "data"
    money = rag.ask(MONEY)
    record_feedback(data, money, verdict="down", reason="wrong", correction="16 million euros")
    follow = rag.ask("Who pays for it?", [Turn("What is the mission?", "Training [1].")])
    record_feedback(
        data,
        follow,
        verdict="down",
        reason="wrong_source",
        correction="the EU",
        history=[("What is the mission?", "Training [1].")],
    )
    world_cup = rag.ask("Who won the 2022 World Cup?")
    record_feedback(data, world_cup, verdict="down", reason="not_in_articles")
    record_feedback(data, rag.ask("What is the mission about?"), verdict="down")  # says nothing about what is right
    record_feedback(data, rag.ask("What does the EU fund?"), verdict="up")

    result = export_rows(read_feedback(data))
    rows = {r["question"]: r for r in result.rows}
    assert set(rows) == {MONEY, "Who pays for it?", "Who won the 2022 World Cup?"}
    assert [why for _, why in result.skipped] == [
        "thumbs-down without a correction: nothing says what is right",
        "thumbs-up (export them with --include-up)",
    ]
    assert rows[MONEY]["type"] == "answerable" and rows[MONEY]["expected"] == [["16 million euros"]]
    assert rows[MONEY]["gold_docs"] == [money.citations[0].doc_id]
    assert rows["Who pays for it?"]["type"] == "follow-up" and rows["Who pays for it?"]["gold_docs"] == []
    assert rows["Who pays for it?"]["history"] == [{"question": "What is the mission?", "answer": "Training [1]."}]
    unanswerable = rows["Who won the 2022 World Cup?"]
    assert unanswerable["type"] == "unanswerable" and unanswerable["expected"] == [] == unanswerable["gold_docs"]
    assert all(
        list(r) == ["id", "type", "question", "expected", "gold_docs", "history", "split", "notes"] for r in result.rows
    )
    assert {r["split"] for r in result.rows} == {"dev"}

    path = tmp_path / "eval" / "my.jsonl"
    assert write_rows(result.rows, path) == 3
    questions = load_dataset(path)
    assert [q.question for q in questions] == [r["question"] for r in result.rows]
    assert questions[0].expected == (("16 million euros",),) and questions[0].split == "dev"
    assert export_rows(read_feedback(data)).rows == result.rows  # same ids when exported again
    run = evaluate(rag, path)  # what `rag eval eval/my.jsonl` runs
    # The fake always answers GOOD: it names the EU and 16 million euros but does not decline.
    assert [r.status for r in run.results] == ["pass", "pass", "fail"]


def test_cli_export_writes_the_rows_and_names_what_it_skipped(tmp_path: Path, rag: RAG) -> None:
    from tests.test_cli import one_line_error
    from tests.test_cli import rag as run_cli

    data = tmp_path / "data"
    one_line_error(
        run_cli("--data-dir", str(data), "feedback", "export", "--to", str(tmp_path / "x.jsonl")), "No feedback"
    )
    record_feedback(data, rag.ask(MONEY), verdict="up")
    one_line_error(
        run_cli("--data-dir", str(data), "feedback", "export", "--to", str(tmp_path / "x.jsonl")), "--include-up"
    )
    record_feedback(data, rag.ask("Who won the 2022 World Cup?"), verdict="down", reason="not_in_articles")
    done = run_cli("--data-dir", str(data), "feedback", "export", "--to", str(tmp_path / "eval" / "my.jsonl"))
    assert done.returncode == 0, done.stderr
    assert "Wrote 1 row(s)" in done.stdout and "thumbs-up" in done.stderr
    [q] = load_dataset(tmp_path / "eval" / "my.jsonl", split="dev")
    assert q.type == "unanswerable" and q.question == "Who won the 2022 World Cup?"


def test_thumbs_up_rows_only_on_request_with_the_answers_numbers_and_names(tmp_path: Path, rag: RAG) -> None:
    data = tmp_path / "data"
    answer = rag.ask(MONEY)
    record_feedback(data, answer, verdict="up")
    assert export_rows(read_feedback(data)).rows == ()
    [row] = export_rows(read_feedback(data), include_up=True, split="test").rows
    assert row["expected"] == [["16 million"]] and row["split"] == "test"  # "EU" is in the question itself
    write_rows([row], tmp_path / "up.jsonl")
    assert load_dataset(tmp_path / "up.jsonl")[0].gold_docs == (answer.citations[0].doc_id,)


def test_the_latest_rating_of_a_question_wins(tmp_path: Path, rag: RAG) -> None:
    answer = rag.ask(MONEY)
    record_feedback(tmp_path, answer, verdict="down", correction="16 million")
    record_feedback(tmp_path, answer, verdict="down", reason="not_in_articles")
    [row] = export_rows(read_feedback(tmp_path)).rows
    assert row["type"] == "unanswerable"


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        (
            "The EU gave 16 million euros [1]. Ursula von der Leyen spoke in Brussels [2].",
            ["EU", "16 million", "Ursula von der Leyen"],
        ),
        ("More than 1,000 soldiers were trained [1].", ["1,000"]),
        ("They met.", []),
        ("Kyiv’s defence got 16 million [1].", ["Kyiv", "16 million"]),
    ],
)
def test_answer_facts_are_numbers_and_names_as_written(text: str, facts: list[str]) -> None:
    assert answer_facts(text) == facts


def test_answer_facts_leave_out_what_the_question_already_says() -> None:
    text = "The EU set aside 16 million euros for Kyiv's forces [1]."
    assert answer_facts(text, question="How much money did the EU set aside?") == ["16 million", "Kyiv"]
    assert answer_facts(text, question="What did Europe's leaders set aside?")[0] == "EU"  # words, not substrings
