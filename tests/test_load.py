"""The CI version of bench/load.py: 6 concurrent conversations x 2 turns against a real `rag serve`.

The full run (20 conversations) is ``.venv/bin/python -m bench.load``; its figures are in
RELIABILITY.md. This one starts the same server the same way (SmolLM2, answers cut at 32
tokens, 3 passages per question) and checks what must hold under concurrent use: every
request gets an answer or the clear busy message, one generation at a time, follow-ups
keep their conversation, memory stays bounded, the server survives, and it is stopped
with nothing left behind.
A full queue is exercised in-process with a scripted model (a real one would take minutes
to fill 16 places).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.ui_fixtures import MODELS, ROOT, SEEDS, GatedLLM, fake_rag, serve
from ui.app import ChatApp

log = logging.getLogger(__name__)

CONVERSATIONS, TURNS, MAX_TOKENS = 6, 2, 32
TOP_K = 3  # shorter prompts than the app's 5: this checks concurrency, not answer quality
OUT = ROOT / "test-output" / "load"


def load_script() -> ModuleType:
    """bench/load.py (bench/ is importable from the repository root, see pyproject's pythonpath)."""
    from bench import load

    return load


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    from rag.models import CHAT_MODELS

    model = MODELS / CHAT_MODELS["smollm2-135m"].filename
    if not model.is_file():
        pytest.fail(f"{model} is missing: run `rag models pull smollm2-135m` (make test does).")
    lt = load_script()
    cfg = lt.LoadConfig(
        conversations=CONVERSATIONS,
        turns=TURNS,
        max_tokens=MAX_TOKENS,
        top_k=TOP_K,
        request_timeout_s=240,
        total_timeout_s=300,
        ready_timeout_s=180,
        ingest_timeout_s=240,
    )
    t0 = time.monotonic()
    summary: dict[str, Any] = lt.run_load_test(cfg)
    summary["wall_s"] = round(time.monotonic() - t0, 1)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ci.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    log.info("load test (CI):\n%s\nwall %.1f s", lt.format_table(summary), summary["wall_s"])
    return summary


def _context(report: dict[str, Any]) -> str:
    keys = ("answered", "busy", "errors", "error_messages", "server_alive_at_end", "rss_check", "server_log_tail")
    return json.dumps({k: report.get(k) for k in keys}, indent=1)[:4000]


@pytest.mark.slow
def test_every_request_gets_an_answer_or_the_busy_message(report: dict[str, Any]) -> None:
    assert report["requests"] == CONVERSATIONS * TURNS
    assert report["errors"] == 0, _context(report)
    assert report["answered"] + report["busy"] == report["requests"]
    assert all("Queue is full" in m for m in report["busy_messages"]), report["busy_messages"]
    # 6 conversations fit the queue of 16: every question is answered, none refused.
    assert report["answered"] == report["requests"], _context(report)
    assert all(r["answer"].strip() for r in report["records"] if r["outcome"] == "answered")


@pytest.mark.slow
def test_one_generation_at_a_time(report: dict[str, Any]) -> None:
    """The queue is respected: no two answers are being written at once (concurrency_limit=1)."""
    assert report["max_concurrent_generations"] == 1, [(r["started_at"], r["finished_at"]) for r in report["records"]]
    assert report["answered_log_lines"] == report["answered"]  # the server logged each answer once
    # With everyone asking at once, the later ones really waited for the earlier ones.
    assert report["wait_p95_s"] > report["generation_p50_s"]


@pytest.mark.slow
def test_follow_ups_keep_their_own_conversation(report: dict[str, Any]) -> None:
    assert report["followups_answered"] == CONVERSATIONS
    assert report["followups_with_history"] == report["followups_answered"]


@pytest.mark.slow
def test_memory_stays_bounded(report: dict[str, Any]) -> None:
    """RSS at the end <= RSS when ready + 600 MB, and <= RSS after the first answer + 150 MB."""
    assert report["rss_samples"] >= 10
    assert report["rss_bounded"], report["rss_check"]
    assert report["rss_peak_mb"] < report["rss_ready_mb"] + 1024


@pytest.mark.slow
def test_the_server_survives_and_is_stopped_cleanly(report: dict[str, Any]) -> None:
    assert report["server_alive_at_end"], _context(report)
    assert report["server_exit_code"] is not None
    assert report["leftover_processes"] == []  # wall_s is logged and in ci.json: a number, not a timed assert
    assert report["ok"], _context(report)


@pytest.mark.slow
def test_the_script_counts_a_full_queue_as_busy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The load script's accounting, against the real app over fakes with one place in the queue.

    The model holds its first answer until two questions were turned away (one runs, one
    waits, two find the queue full), so the outcome does not depend on how fast this
    machine starts four clients compared with how fast the fake model writes.
    """
    lt = load_script()
    llm = GatedLLM()
    rag = fake_rag(tmp_path, llm=llm)
    rag.ingest([SEEDS])
    busy: list[object] = []
    ask_once = lt.ask_once

    def ask_once_counting_busy(*args: Any, **kwargs: Any) -> Any:
        chat = ask_once(*args, **kwargs)
        if args[1].outcome == "busy":
            busy.append(args[1])
            if len(busy) == 2:
                llm.gate.set()
        return chat

    monkeypatch.setattr(lt, "ask_once", ask_once_counting_busy)
    cfg = lt.LoadConfig(conversations=4, turns=1, request_timeout_s=120, total_timeout_s=240)
    with serve(ChatApp(rag, queue_size=1)) as url:
        try:
            records, _ = lt.run_conversations(url, cfg)
        finally:
            llm.gate.set()
    outcomes = sorted(r.outcome for r in records)
    assert "error" not in outcomes, [r.message for r in records]
    assert outcomes.count("answered") >= 2 and outcomes.count("busy") >= 1, outcomes  # one running, one queued
    assert {r.message for r in records if r.outcome == "busy"} == {"Queue is full! Please try again."}
    assert all(r.wait_s is not None and r.total_s is not None for r in records if r.outcome == "answered")


def test_percentiles_and_overlap() -> None:
    lt = load_script()
    assert lt.percentile([], 95) is None
    assert lt.percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert lt.percentile([float(i) for i in range(1, 21)], 95) == 19.0
    assert lt.max_overlap([(0, 5), (5.2, 9), (9.1, 12)]) == 1
    assert lt.max_overlap([(0, 5), (4.0, 9)]) == 2  # 1 s of overlap is more than the tolerance
    assert lt.max_overlap([(0, 5), (4.8, 9)]) == 1  # 0.2 s: two clients' polling, not two generations
