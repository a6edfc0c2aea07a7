"""The benchmark's pure parts (ratios, targets, percentiles, synthetic corpora, JSON) and a smoke run.

`bench/` sits at the repository root, not in the installed package: pytest runs from the
root with it on the path (``pythonpath`` in pyproject.toml).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bench
from bench import BenchOptions, BenchResult, Row, Target, make_row
from rag.config import Settings
from rag.errors import InputError
from rag.testing import FakeLLM, HashEmbedder

ROOT = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------ statistics and targets


def test_summarize_matches_linear_percentiles() -> None:
    s = bench.summarize([4.0, 1.0, 3.0, 2.0])
    assert s["n"] == 4
    assert s["p50"] == pytest.approx(2.5)
    assert s["p95"] == pytest.approx(3.85)
    assert (s["min"], s["max"], s["mean"]) == (1.0, 4.0, 2.5)
    assert bench.summarize([]) == {"n": 0}


@pytest.mark.parametrize(
    ("ours", "baseline", "expected"),
    [(2.0, 4.0, 0.5), (3.0, 3.0, 1.0), (1.0, 0.0, None), (None, 1.0, None), (1.0, None, None), (math.nan, 1.0, None)],
)
def test_ratio(ours: float | None, baseline: float | None, expected: float | None) -> None:
    assert bench.ratio(ours, baseline) == expected


@pytest.mark.parametrize(
    ("target", "ours", "baseline", "met"),
    [
        (Target(">=", 0.9), 95.0, 100.0, True),  # throughput ratio 0.95
        (Target(">=", 0.9), 85.0, 100.0, False),
        (Target("<=", 1.05), 10.4, 10.0, True),  # end-to-end time ratio 1.04
        (Target("<=", 1.05), 10.6, 10.0, False),
        (Target("<", 1.0), 1.0, 1.0, False),  # equal is not faster
        (Target("<=", 0.050, on="ours"), 0.049, 0.002, True),  # absolute p50 ≤ 50 ms
        (Target("<=", 0.050, on="ours"), 0.051, 0.002, False),
        (Target(">=", 0.0, on="diff"), 0.75, 0.75, True),  # correctness no lower
        (Target(">=", 0.0, on="diff"), 0.5, 0.75, False),
        (Target(), 1.0, 2.0, None),  # report only
        (Target("<=", 1.05), 1.0, None, None),  # no baseline: undecided, not failed
    ],
)
def test_targets(target: Target, ours: float, baseline: float | None, met: bool | None) -> None:
    row = make_row("s", "what", ours, baseline, "s", target)
    assert row.met is met


def test_row_keeps_a_given_ratio_and_labels_targets() -> None:
    # Medians of per-round ratios are not the ratio of medians: the row reports what it is given.
    row = make_row("ingest", "throughput", 100.0, 200.0, "chunks/s", Target(">=", 0.9), row_ratio=0.95)
    assert row.ratio == 0.95 and row.met is True
    assert Target(">=", 0.9).label() == "ratio >= 0.9"
    assert Target("<=", 0.05, on="ours", text="p50 ≤ 50 ms").label() == "p50 ≤ 50 ms"
    assert Target().label() == "report"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.0123, "ms", "12.3 ms"),
        (1.5, "s", "1.50 s"),
        (0.015, "%", "1.5 %"),
        (3 * 2**20, "MiB", "3.0 MiB"),
        (None, "s", "—"),
    ],
)
def test_format_value(value: float | None, unit: str, text: str) -> None:
    assert bench.format_value(value, unit) == text


def test_results_table_shows_every_row_and_verdict() -> None:
    from rich.console import Console

    rows = [
        make_row("a", "fast enough", 1.0, 1.0, "s", Target("<=", 1.05), baseline_what="direct"),
        make_row("a", "too slow", 2.0, 1.0, "s", Target("<=", 1.05)),
        make_row("a", "just a figure [1]", 3.0, None, "MiB"),
    ]
    console = Console(record=True, width=200)
    console.print(bench.results_table(rows))
    text = console.export_text()
    for fragment in ("fast enough", "too slow", "just a figure [1]", "(direct)", "yes", "NO", "2.000×"):
        assert fragment in text


# ------------------------------------------------------------------ options


def test_parse_suites_and_sizes() -> None:
    assert bench.parse_suites("query, ingest,query") == ("query", "ingest")
    assert bench.parse_sizes("1000, 10k,100_000") == (1000, 10000, 100000)
    with pytest.raises(InputError, match="Unknown suite"):
        bench.parse_suites("ingest,speed")
    with pytest.raises(InputError):
        bench.parse_suites(" , ")
    with pytest.raises(InputError, match="--sizes"):
        bench.parse_sizes("a lot")
    with pytest.raises(InputError, match="--sizes"):
        bench.parse_sizes("5")


# ------------------------------------------------------------------ synthetic corpora


def test_news_sentences_are_deterministic_and_distinct() -> None:
    a = bench.news_sentences(200, seed=3)
    assert a == bench.news_sentences(200, seed=3)
    assert len(set(a)) == 200
    assert a != bench.news_sentences(200, seed=4)
    assert all(s.endswith(".") and "{" not in s for s in a)


def test_news_documents_are_deterministic_news_articles() -> None:
    docs = bench.news_documents(5, seed=1)
    again = bench.news_documents(5, seed=1)
    assert [d.content_hash for d in docs] == [d.content_hash for d in again]
    assert len({d.doc_id for d in docs}) == 5
    for d in docs:
        assert d.title and d.url.startswith("https://") and len(d.date) == 10
        assert d.text.startswith(d.title) and len(d.text.split()) > 150


def test_synthetic_chunks_are_deterministic_with_unique_ids() -> None:
    pool = bench.news_sentences(300)
    pairs = bench.synthetic_chunks(500, pool, seed=2)
    assert [c.chunk_id for c, _ in pairs] == [c.chunk_id for c, _ in bench.synthetic_chunks(500, pool, seed=2)]
    assert len({c.chunk_id for c, _ in pairs}) == 500
    for chunk, idx in pairs[:50]:
        assert 6 <= len(idx) <= 8
        assert chunk.text == " ".join(pool[i] for i in idx)
        assert chunk.end == len(chunk.text) and chunk.title
    # 8 chunks per synthetic document, numbered in order.
    assert pairs[7][0].doc_id == pairs[0][0].doc_id != pairs[8][0].doc_id


def test_synthetic_questions_are_deterministic() -> None:
    qs = bench.synthetic_questions(20, seed=5)
    assert qs == bench.synthetic_questions(20, seed=5)
    assert all(q.endswith("?") and "{" not in q for q in qs)


def test_pool_size_grows_with_the_corpus_and_is_capped() -> None:
    assert bench.pool_size_for(1000) <= bench.pool_size_for(10_000) <= bench.pool_size_for(100_000) == 3000


# ------------------------------------------------------------------ helpers and JSON


def test_recording_llm_keeps_the_messages_it_forwarded() -> None:
    rec = bench.RecordingLLM(FakeLLM())
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    text = "".join(rec.stream_chat(messages, max_tokens=20, temperature=0.0))
    assert text and rec.last_messages == messages
    assert rec.count_tokens("two words") == FakeLLM().count_tokens("two words")


def test_timed_embedder_forwards_and_records() -> None:
    timed = bench.TimedEmbedder(HashEmbedder())
    vectors = timed.embed(["a b", "c"])
    assert len(vectors) == 2 and timed.texts == ["a b", "c"] and timed.seconds >= 0
    assert timed.dimension == HashEmbedder().dimension


def test_index_size_counts_chroma_and_keyword_files(tmp_path: Path) -> None:
    (tmp_path / "chroma" / "seg").mkdir(parents=True)
    (tmp_path / "chroma" / "seg" / "data.bin").write_bytes(b"x" * 100)
    (tmp_path / "chroma" / "chroma.sqlite3").write_bytes(b"x" * 50)
    (tmp_path / "keyword-news.sqlite3").write_bytes(b"x" * 30)
    (tmp_path / "keyword-news.sqlite3-wal").write_bytes(b"x" * 7)
    (tmp_path / "keyword-other.sqlite3").write_bytes(b"x" * 1000)
    assert bench.index_size(tmp_path, "news") == {"chroma_bytes": 150, "keyword_bytes": 37, "total_bytes": 187}


def test_json_shape(tmp_path: Path) -> None:
    result = BenchResult(
        rows=[make_row("query", "query p50", 0.02, 0.002, "ms", Target("<=", 0.05, on="ours"))],
        suites={"query": {"samples": [0.1, 0.2]}},
        errors={"peer": "pip failed"},
        meta={"cores": 2},
    )
    path = bench.write_results(result, tmp_path / "out" / "bench.json")
    data = json.loads(path.read_text())
    assert set(data) == {"schema", "meta", "rows", "suites", "errors"}
    [row] = data["rows"]
    assert set(row) == {f.name for f in Row.__dataclass_fields__.values()}
    assert row["target"] == {"op": "<=", "value": 0.05, "on": "ours", "text": "", "label": "ours <= 0.05"}
    assert row["ratio"] == pytest.approx(10.0) and row["met"] is True
    assert data["errors"] == {"peer": "pip failed"}
    table = path.with_suffix(".md").read_text()
    assert table.startswith("| what | ours |") and "| query p50 | 20.0 ms | 2.0 ms | 10.000× |" in table


def test_default_out_path_is_under_eval_results(tmp_path: Path) -> None:
    path = bench.default_out_path(tmp_path)
    assert path.parent == tmp_path / "eval" / "results" and path.name.startswith("bench-")


def test_a_failing_suite_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    # The answer suite needs the in-process backend; it fails before loading any model.
    settings = Settings(data_dir=tmp_path, llm_backend="openai")
    seen: list[dict[str, str]] = []
    result = bench.run_bench(
        settings, BenchOptions(suites=("answer",)), on_suite=lambda partial: seen.append(dict(partial.errors))
    )
    assert "llm_backend" in result.errors["answer"]
    assert seen == [result.errors]  # the partial result is handed out after each suite
    assert result.rows == [] and result.meta["cores"] >= 1
    assert result.meta["load"]["all"]["n"] >= 1 and len(result.meta["load_before"]) == 3


# ------------------------------------------------------------------ smoke run


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_bench_ingest_and_query_smoke(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    cli = [sys.executable, "-m", "bench", "--data-dir", str(tmp_path / "data"), "--out", str(out)]
    small = ["--sizes", "1000", "--questions", "1", "--docs", "4", "--queries", "5", "--rounds", "1"]
    done = subprocess.run(
        [*cli, "--suite", "ingest,query", *small],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "200"},
        timeout=280,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "met?" in done.stdout and "query p50, 1,000 chunks" in done.stdout
    data = json.loads(out.read_text())
    assert data["errors"] == {}
    whats = {r["what"] for r in data["rows"]}
    assert {"re-ingest of unchanged corpus", "query p50, 1,000 chunks"} <= whats
    ingest = data["suites"]["ingest"]
    [run] = ingest["ours"]
    assert run["chunks_embedded"] == ingest["chunks"] and run["reingest_embedded"] == 0
    assert run["same_texts_as_baseline"] is True
    size = data["suites"]["query"]["sizes"]["1000"]
    assert size["index"]["size"] == 1000 and len(size["samples"]["ours"]) == 5
    assert 0.5 < data["suites"]["query"]["vector_fidelity"]["mean_cosine"] <= 1.0
    # The index is cached: a second run reuses it instead of rebuilding.
    assert (tmp_path / "data" / "bench" / "query-1000" / "bench-index.json").is_file()
