"""End to end: a few seed questions through the real pipeline (MiniLM, Chroma, llama.cpp), then the reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rag import RAG, Settings
from rag.evaluation import evaluate, load_dataset
from rag.evaluation.reports import write_reports

ROOT = Path(__file__).resolve().parent.parent
PICKED = ("seed-020", "seed-030", "seed-056", "seed-061", "seed-070")  # answerable x2, off-topic, multi, follow-up

pytestmark = pytest.mark.slow


@pytest.fixture
def report(tmp_path: Path, seeded_chroma_dir: Path, real_embedder: object, smollm: object) -> dict[str, object]:
    data = tmp_path / "data"
    shutil.copytree(seeded_chroma_dir, data)  # RAG.open adds a keyword index: keep the shared index as it is
    rag = RAG.open(
        settings=Settings(data_dir=data, chat_model="smollm2-135m"),
        embedder=real_embedder,  # type: ignore[arg-type]
        llm=smollm,
    )  # type: ignore[arg-type]
    questions = [q for q in load_dataset(ROOT / "eval" / "seed.jsonl") if q.id in PICKED]
    assert {q.type for q in questions} == {"answerable", "unanswerable", "multi-article", "follow-up"}
    run = evaluate(rag, questions, config={"dataset": "eval/seed.jsonl"})
    paths = write_reports(run, tmp_path / "report")
    assert paths.markdown.stat().st_size > 0
    assert paths.html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    return json.loads(paths.json.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_eval_end_to_end_writes_consistent_reports(report: dict[str, object]) -> None:
    questions: list[dict[str, object]] = report["questions"]  # type: ignore[assignment]
    summary: dict[str, object] = report["summary"]  # type: ignore[assignment]
    assert [q["id"] for q in questions] == list(PICKED)
    assert report["config"]["chat_model"] == "smollm2-135m"  # type: ignore[index]
    for q in questions:
        assert q["status"] in ("pass", "fail", "error")
        assert q["answer"] is not None and q["hits"] and q["timings"]
        if q["type"] != "unanswerable":
            assert q["correct"] in (True, False) and q["retrieval"]["returned"] is not None  # type: ignore[index]

    done = [q for q in questions if q["status"] != "error"]
    answerable = [q for q in questions if q["type"] != "unanswerable" and q["correct"] is not None]
    unanswerable = [q for q in questions if q["type"] == "unanswerable"]
    assert summary["questions"] == 5
    assert summary["errors"] == len(questions) - len(done)
    assert summary["passed"] == {
        "value": sum(q["status"] == "pass" for q in done) / len(done),  # type: ignore[misc]
        "count": sum(q["status"] == "pass" for q in done),
        "n": len(done),
    }
    assert summary["correct"]["count"] == sum(bool(q["correct"]) for q in answerable)  # type: ignore[index]
    assert summary["abstention"]["n"] == len(unanswerable)  # type: ignore[index]
    assert summary["false_refusal"]["count"] == sum(bool(q["abstained"]) for q in answerable)  # type: ignore[index]
    cites = [q["citation_scores"] for q in questions if q["citation_scores"]]
    assert summary["citations"]["validity"]["n"] == sum(c["markers"] for c in cites)  # type: ignore[index]
    assert summary["citations"]["precision"]["n"] == sum(c["pairs"] for c in cites)  # type: ignore[index]
    assert summary["retrieval"]["returned"]["n"] == 4  # type: ignore[index]
    recall5 = [q["retrieval"]["returned"]["recall"]["5"] for q in answerable]  # type: ignore[index]
    assert summary["retrieval"]["returned"]["recall"]["5"] == pytest.approx(sum(recall5) / len(recall5))  # type: ignore[index]
    totals = sorted(q["timings"]["total_s"] for q in questions)  # type: ignore[index]
    assert summary["latency"]["total_p50"] == pytest.approx(totals[2])  # type: ignore[index]
