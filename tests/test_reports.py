"""Tests for rag.evaluation.reports and render: the three report files, escaping, failures first, and run comparison."""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from rag import RAG, Settings
from rag.cli import main
from rag.errors import InputError
from rag.evaluation import EvalQuestion, evaluate
from rag.evaluation.render import render_html, render_markdown, summary_rows
from rag.evaluation.reports import (
    compare_reports,
    default_report_dir,
    load_report,
    report_data,
    report_sources,
    write_reports,
)
from rag.prompting import REFUSAL
from rag.protocols import Message
from rag.testing import FakeLLM, HashEmbedder, MemoryStore
from rag.types import Document

WEAPONS = "The EU has earmarked 16 million euros for weapons and equipment. See https://example.org/eu for more."
PARIS = "Defence ministers of five countries met in Paris on 12 March 2025."
INJECTION = "<script>alert('x')</script><img src=https://evil.example/x.png>"

QUESTIONS = [
    EvalQuestion(
        id="q-ok",
        type="answerable",
        question="How much for weapons?",
        expected=(("16 million",),),
        gold_docs=("a.txt",),
    ),
    EvalQuestion(
        id="q-bad",
        type="answerable",
        question="Where did the ministers meet?",
        expected=(("Paris",),),
        gold_docs=("b.txt",),
    ),
    EvalQuestion(id="q-unans", type="unanswerable", question="Who chairs the weapons committee?"),
]


def reply(messages: Sequence[Message]) -> str:
    question = messages[-1]["content"].split("Question:")[-1]
    if "ministers" in question:
        return f"They met in {INJECTION} [2]."
    if "chairs" in question:
        return REFUSAL
    return "The EU earmarked 16 million euros for weapons [1]."


def _tags(page: str) -> list[tuple[str, list[tuple[str, str]]]]:
    found: list[tuple[str, list[tuple[str, str]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, [(k, v or "") for k, v in attrs]))

    Collect().feed(page)
    return found


@pytest.fixture
def run_data(tmp_path: Path) -> dict[str, Any]:
    rag = RAG(
        embedder=HashEmbedder(),
        store=MemoryStore(),
        llm=FakeLLM(reply),
        settings=Settings(data_dir=tmp_path, min_score=-1.0, min_support=0.0),  # scripted replies: no support gate
    )
    rag.ingest_documents([Document(doc_id="a.txt", text=WEAPONS), Document(doc_id="b.txt", text=PARIS)])
    return report_data(evaluate(rag, QUESTIONS, config={"dataset": "unit.jsonl"}))


def test_write_reports_writes_three_files(tmp_path: Path, run_data: dict[str, Any]) -> None:
    paths = write_reports(run_data, tmp_path / "out")
    assert [p.name for p in (paths.json, paths.markdown, paths.html)] == ["report.json", "report.md", "report.html"]
    data = load_report(paths.json)
    assert load_report(tmp_path / "out") == data  # a folder works too
    assert [q["id"] for q in data["questions"]] == ["q-ok", "q-bad", "q-unans"]
    assert [q["status"] for q in data["questions"]] == ["pass", "fail", "pass"]
    ok = data["questions"][0]
    assert ok["hits"][0].keys() >= {"doc_id", "chunk_id", "score", "rank"}
    assert ok["sources"][0]["marker"] == 1
    assert ok["citations"][0]["doc_id"] == "a.txt"
    assert ok["timings"]["total_s"] >= 0
    assert ok["retrieval"]["returned"]["hit"]["1"] in (True, False)
    assert data["config"]["chat_model"] and data["config"]["embed_model"] == "hash-embedder"
    assert data["config"]["top_k"] == 5 and "settings" in data["config"]


def test_html_is_self_contained_and_escaped(run_data: dict[str, Any]) -> None:
    page = render_html(run_data)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=https://evil.example/x.png&gt;" in page
    # Every resource is inline: no real tag points outside the page (escaped text may name URLs).
    tags = _tags(page)
    assert {t for t, _ in tags} <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "h2",
        "p",
        "b",
        "span",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "div",
        "figure",
        "img",
        "figcaption",
        "blockquote",
        "details",
        "summary",
        "ul",
        "li",
    }
    links = [v for _, attrs in tags for k, v in attrs if k in ("src", "href", "action")]
    assert links and all(v.startswith("data:image/png;base64,") for v in links)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert page.count("data:image/png;base64,") == 3  # accuracy by type, latency, recall@k


def test_without_matplotlib_the_reports_are_written_and_the_html_says_how_to_get_plots(
    tmp_path: Path, run_data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    with_plots = render_html(run_data)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now raises ImportError
    paths = write_reports(run_data, tmp_path / "out")
    page = paths.html.read_text(encoding="utf-8")
    assert page.count("Plots need matplotlib: pip install &#x27;rag[eval]&#x27;") == 1
    assert "data:image/png" not in page and "Traceback" not in page
    assert load_report(paths.json) == json.loads(json.dumps(run_data))
    # Everything but the plots is the page drawn with matplotlib.
    assert page.split('<div class="plots">')[0] == with_plots.split('<div class="plots">')[0]
    assert page.split("</div>", 1)[1] == with_plots.split('<div class="plots">')[1].split("</div>", 1)[1]


def test_failures_come_first(run_data: dict[str, Any]) -> None:
    page = render_html(run_data)
    md = render_markdown(run_data)
    for text in (page, md):
        assert text.index("Failures (1)") < text.index("q-bad") < text.index("Passed (2)") < text.index("q-ok")


def test_markdown_escapes_html_and_table_breaks(run_data: dict[str, Any]) -> None:
    data = copy.deepcopy(run_data)
    data["questions"][0]["answer"] = "A | B <b>bold</b>\nnext line"
    md = render_markdown(data)
    assert "<script" not in md and "<b>" not in md
    assert "A \\| B &lt;b&gt;bold&lt;/b&gt; next line" in md


def test_summary_rows_name_every_headline(run_data: dict[str, Any]) -> None:
    rows = {metric: value for metric, value, _n in summary_rows(run_data)}
    assert rows["correct (answerable types)"] == "50.0% (1/2)"
    assert rows["abstention (unanswerable)"] == "100.0% (1/1)"
    assert "time to first token p50 / p95" in rows and "citation precision (claim, passage pairs)" in rows
    empty = copy.deepcopy(run_data)
    empty["summary"]["correct"] = {"value": None, "count": 0, "n": 0}  # e.g. an all-unanswerable run
    empty["summary"]["f1_mean"] = None
    for row in [*summary_rows(run_data), *summary_rows(empty)]:
        assert all(isinstance(cell, str) for cell in row), row  # rich tables take strings only


def test_compare_reports_lists_deltas_and_flips(run_data: dict[str, Any]) -> None:
    b = copy.deepcopy(run_data)
    b["questions"][1]["status"] = "pass"
    b["summary"]["passed"] = {"value": 1.0, "count": 3, "n": 3}
    b["config"]["chat_model"] = "other-model"
    b["questions"].append({**b["questions"][0], "id": "new"})
    c = compare_reports(run_data, b)
    assert [(f.id, f.a, f.b) for f in c.flips] == [("q-bad", "fail", "pass")]
    passed = next(m for m in c.metrics if m.name == "passed")
    assert passed.delta == pytest.approx(1 / 3)
    assert [m.name for m in c.changed_metrics] == ["passed"]
    assert ("chat_model", run_data["config"]["chat_model"], "other-model") in c.config_changes
    assert c.only_in_b == ("new",) and c.only_in_a == ()


def test_stored_sources_replay_to_the_stored_answer(run_data: dict[str, Any]) -> None:
    from rag.pipeline import finish_reply

    replied = [q for q in run_data["questions"] if q["sources"]]
    assert replied
    for q in replied:
        hits = report_sources(q)
        assert [h.chunk.chunk_id for h in hits] == [s["chunk_id"] for s in q["sources"]]
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        final = finish_reply(q["raw_text"], q["question"], hits, Settings(min_support=0.0))
        assert final.text == q["answer"]


def test_load_report_rejects_other_files(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(InputError, match="not an evaluation report"):
        load_report(tmp_path / "x.json")
    with pytest.raises(InputError, match="not found"):
        load_report(tmp_path / "missing.json")


def test_default_report_dir() -> None:
    path = default_report_dir("seed", root=Path("/r"), now=datetime(2025, 3, 12, 9, 5, 1))
    assert path == Path("/r/eval/results/seed-20250312-090501")


def test_cli_compare_prints_changes(
    tmp_path: Path, run_data: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    b = copy.deepcopy(run_data)
    b["questions"][1]["status"] = "pass"
    (tmp_path / "a.json").write_text(json.dumps(run_data))
    (tmp_path / "b.json").write_text(json.dumps(b))
    main(["eval", "--compare", str(tmp_path / "a.json"), str(tmp_path / "b.json")])
    out = capsys.readouterr().out
    assert "flipped (1)" in out and "q-bad" in out


def test_cli_rejects_a_malformed_dataset_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "set.jsonl"
    good = {
        "id": "q",
        "type": "answerable",
        "question": "Q?",
        "expected": [["a"]],
        "gold_docs": [],
        "history": [],
        "split": "dev",
    }
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "id": "q2", "type": "trivia"}) + "\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["--data-dir", str(tmp_path / "data"), "eval", str(path)])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "line 2: unknown type 'trivia'" in err.replace("\n", "")
    assert "Traceback" not in err
