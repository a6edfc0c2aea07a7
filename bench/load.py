"""Load test: N concurrent conversations against a real ``rag serve``, through gradio_client on loopback.

What it does, in order, every step bounded in time:

1. ``rag --data-dir D ingest seeds/`` into a fresh temporary data dir (or the one given);
2. starts ``rag -v --data-dir D serve --port P`` as a child process on 127.0.0.1 with a
   small chat model (``RAG_CHAT_MODEL=smollm2-135m``, short answers via ``RAG_MAX_TOKENS``)
   and waits until it answers HTTP;
3. opens N conversations at once, one ``gradio_client.Client`` (one Gradio session) each,
   and sends each one T questions through the app's ``/ask`` endpoint: a seed question,
   then follow-ups that lean on the conversation (taken from eval/seed.jsonl);
4. samples the server's resident memory (VmRSS of the process and its children) every
   second, and stops the server at the end (SIGINT, then SIGKILL of its process group).

Every request ends as one of: ``answered`` (a final answer with its sources panel),
``busy`` (refused by Gradio's bounded queue with "Queue is full! Please try again.") or
``error`` (anything else, a per-request timeout included). The summary gives throughput
(answers per minute of load), p50/p95 of the wait (submit -> the first output, i.e. the
time spent queued) and of the total time, the peak and start/end memory, whether two
generations ever overlapped (the app promises one at a time), and the server log's tail
when anything went wrong. It does not judge answer quality: that is ``rag eval``'s job.

Usage::

    .venv/bin/python -m bench.load                          # 20 conversations x 2 turns
    .venv/bin/python -m bench.load --conversations 6 --max-tokens 32 --out /tmp/load.json

``tests/test_load.py`` runs a smaller version through :func:`run_load_test`. The server's
side (start, memory sampling, stop) is :mod:`bench.load_server`. Not a suite of
``python -m bench``: it has no baseline, and its verdict is whether the server held up.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.load_server import Server, group_members, ingest, serve

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "eval" / "seed.jsonl"
BUSY_MESSAGE = "Queue is full"  # gradio_client's QueueError: "Queue is full! Please try again."
# A generation that ends and the next one that starts are seen by different client
# connections, each through its own polling loop: allow this much apparent overlap.
OVERLAP_TOLERANCE_S = 0.5
POLL_S = 0.05

# Used when eval/seed.jsonl is missing: (first question, follow-up that needs the first).
FALLBACK_CONVERSATIONS = (
    ("What is the EU doing to help train Ukraine's army?", "Is it fully up and running yet?"),
    ("Who is expected to sign the new EU–NATO cooperation document?", "Where did that report come from?"),
)


@dataclass
class RequestRecord:
    """One question of one conversation, as the client saw it."""

    conversation: int
    turn: int
    question: str
    outcome: str = "error"  # answered | busy | error
    message: str = ""  # the busy message, or what went wrong
    submitted_at: float = 0.0  # seconds since the load started
    started_at: float | None = None  # first output: the server began this request (left the queue)
    finished_at: float | None = None
    wait_s: float | None = None  # submitted -> first output
    total_s: float | None = None  # submitted -> final output
    answer: str = ""
    server_timings: dict[str, str] = field(default_factory=dict)  # the debug panel's stages of this answer
    history_kept: bool | None = None  # follow-ups: the chat shows the earlier exchanges of this session


@dataclass
class LoadConfig:
    conversations: int = 20
    turns: int = 2
    chat_model: str = "smollm2-135m"
    max_tokens: int = 48
    n_threads: int = 2
    top_k: int | None = None  # passages per question; None keeps the app's default (5)
    request_timeout_s: float = 600.0  # one question, from submit to its final output (queueing included)
    total_timeout_s: float = 900.0  # all conversations
    ready_timeout_s: float = 300.0  # the server, from start to answering HTTP
    ingest_timeout_s: float = 600.0
    data_dir: Path | None = None  # a fresh temporary one when None (removed afterwards)
    rss_growth_limit_mb: float = 600.0  # end-of-run RSS may exceed the ready RSS by this much
    rss_steady_growth_limit_mb: float = 150.0  # ... and the RSS after the first answer by this much


# -- the conversations ----------------------------------------------------------------------


def conversation_scripts(n: int, turns: int) -> list[list[str]]:
    """``n`` conversations of ``turns`` questions: a seed question, then follow-ups on it."""
    pairs: list[tuple[str, str]] = []
    if DATASET.is_file():
        for line in DATASET.read_text().splitlines():
            row = json.loads(line) if line.strip() else {}
            if row.get("type") == "follow-up" and row.get("history"):
                first = row["history"][0]
                pairs.append((first["question"] if isinstance(first, dict) else str(first), row["question"]))
    pairs = pairs or list(FALLBACK_CONVERSATIONS)
    extra = ("Can you say more about that?", "Which article says so?", "When did that happen?")
    scripts = []
    for i in range(n):
        first, follow = pairs[i % len(pairs)]
        scripts.append([first, follow, *extra][:turns])
    return scripts


def _message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in content)
    return str(content or "")


def _is_final(output: Any) -> tuple[bool, str]:
    """(whether ``output`` is the /ask endpoint's final answer, its text)."""
    if not (isinstance(output, list | tuple) and len(output) >= 2):
        return False, ""
    chat, sources = output[0], output[1]
    if not (isinstance(chat, list) and chat and isinstance(chat[-1], dict) and chat[-1].get("role") == "assistant"):
        return False, ""
    text = _message_text(chat[-1])
    final = bool(text) and "▌" not in text and "Searching the articles" not in text
    return final and isinstance(sources, str) and "rag-sources" in sources, text


def ask_once(client: Any, record: RequestRecord, *, t0: float, timeout_s: float) -> list[Any]:
    """Send ``record.question`` through ``/ask`` and fill in the record; returns the final chat."""
    from gradio_client.utils import QueueError

    submitted = time.monotonic()
    record.submitted_at = submitted - t0
    job = client.submit(record.question, api_name="/ask")
    deadline = submitted + timeout_s
    try:
        while not job.done():
            if record.started_at is None and job.outputs():
                record.started_at = time.monotonic() - t0
            if time.monotonic() > deadline:
                job.cancel()
                record.message = f"no answer within {timeout_s:.0f} s"
                return []
            time.sleep(POLL_S)
        result = job.result(timeout=0)
    except QueueError as exc:
        record.outcome, record.message = "busy", str(exc)
        return []
    except Exception as exc:  # a load test records every failure, whatever its type
        record.message = f"{type(exc).__name__}: {exc}"
        return []
    finished = time.monotonic()
    record.finished_at = finished - t0
    if record.started_at is None:  # the first output and the last came within one poll
        record.started_at = record.finished_at
    record.wait_s = round(record.started_at - record.submitted_at, 3)
    record.total_s = round(finished - submitted, 3)
    final, text = _is_final(result)
    record.answer = text
    if len(result) >= 3 and isinstance(result[2], str):
        record.server_timings = dict(re.findall(r"<tr><th>([^<]*)</th><td>([^<]*)</td></tr>", result[2]))
    if final:
        record.outcome = "answered"
        return list(result[0])
    record.message = f"not a final answer: {text[:300]!r}"
    return []


def _shows_history(chat: Sequence[Any], questions: Sequence[str]) -> bool:
    """Whether ``chat`` is exactly this session's exchanges: its own questions, in order, one answer each."""
    asked = [
        html.unescape(_message_text(m)).replace("<br>", "\n").strip()
        for m in chat
        if isinstance(m, dict) and m.get("role") == "user"
    ]
    return len(chat) == 2 * len(questions) and asked == [q.strip() for q in questions]


def run_conversation(
    url: str, script: Sequence[str], index: int, *, t0: float, deadline: float, cfg: LoadConfig
) -> list[RequestRecord]:
    """One Gradio session asking ``script`` in order; a refused question does not end it."""
    from gradio_client import Client

    records = [RequestRecord(index, turn, q) for turn, q in enumerate(script, 1)]
    try:
        client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
    except Exception as exc:
        for r in records:
            r.message = f"could not connect: {type(exc).__name__}: {exc}"
        return records
    try:
        asked_before: list[str] = []  # this session's answered questions, in order
        for record in records:
            left = deadline - time.monotonic()
            if left <= 0:
                record.message = "the run's time limit was reached before this question was sent"
                continue
            chat = ask_once(client, record, t0=t0, timeout_s=min(cfg.request_timeout_s, left))
            if record.outcome == "answered":
                if asked_before:
                    record.history_kept = _shows_history(chat, [*asked_before, record.question])
                asked_before.append(record.question)
    finally:
        client.close()
    return records


def run_conversations(url: str, cfg: LoadConfig) -> tuple[list[RequestRecord], float]:
    """All conversations at once, one thread each; returns the records and the load's wall time."""
    scripts = conversation_scripts(cfg.conversations, cfg.turns)
    t0 = time.monotonic()
    deadline = t0 + cfg.total_timeout_s
    results: list[list[RequestRecord]] = [[] for _ in scripts]
    start = threading.Barrier(len(scripts))

    def worker(i: int) -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait(timeout=60)  # every session sends its first question at the same moment
        results[i] = run_conversation(url, scripts[i], i, t0=t0, deadline=deadline, cfg=cfg)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(len(scripts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()) + cfg.request_timeout_s + 30)
    records = [r for rs in results for r in rs]
    for i, t in enumerate(threads):
        if t.is_alive() or not results[i]:
            records.extend(
                RequestRecord(i, turn, q, message="the conversation's thread did not finish in time")
                for turn, q in enumerate(scripts[i], 1)
            )
    return records, time.monotonic() - t0


# -- the summary ----------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100), rounded to the millisecond; None for no values.

    ``numpy.percentile`` with method "inverted_cdf": the smallest value with at least
    ``q`` % of the values at or below it (Hyndman & Fan 1996, definition 1).
    """
    if not values:
        return None
    return round(float(np.percentile(values, q, method="inverted_cdf")), 3)


def max_overlap(intervals: Sequence[tuple[float, float]], tolerance: float = OVERLAP_TOLERANCE_S) -> int:
    """The largest number of intervals open at one moment, each shortened by ``tolerance`` at its end."""
    events = []
    for start, end in intervals:
        events.append((start, 1))
        events.append((max(start, end - tolerance), -1))
    best = current = 0
    for _, step in sorted(events, key=lambda e: (e[0], e[1])):  # ends before starts at the same instant
        current += step
        best = max(best, current)
    return best


def _seconds(record: RequestRecord, stage: str) -> float | None:
    m = re.match(r"\s*([\d.]+) s", record.server_timings.get(stage, ""))
    return float(m.group(1)) if m else None


def summarize(
    records: Sequence[RequestRecord], load_s: float, server: Server, cfg: LoadConfig, *, ready_rss: float, alive: bool
) -> dict[str, Any]:
    answered = [r for r in records if r.outcome == "answered"]
    busy = [r for r in records if r.outcome == "busy"]
    errors = [r for r in records if r.outcome == "error"]
    samples = server.sampler.samples if server.sampler else []
    first_done = min((r.finished_at for r in answered if r.finished_at is not None), default=None)
    during = [s for s in samples if s.t >= server.ready_s]
    end_rss = during[-1].mb if during else ready_rss
    peak_rss = max((s.mb for s in samples), default=ready_rss)
    # RSS once the first answer is written: model loaded, KV cache and torch buffers touched.
    after_first = None
    if first_done is not None:
        t_first = server.ready_s + first_done + 1.0
        after_first = next((s.mb for s in samples if s.t >= t_first), end_rss)
    followups = [r for r in answered if r.history_kept is not None]
    generations = [
        (r.started_at, r.finished_at) for r in answered if r.started_at is not None and r.finished_at is not None
    ]
    summary: dict[str, Any] = {
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg).items()},
        "requests": len(records),
        "answered": len(answered),
        "busy": len(busy),
        "errors": len(errors),
        "busy_messages": sorted({r.message for r in busy}),
        "error_messages": sorted({r.message for r in errors})[:10],
        "load_s": round(load_s, 1),
        "throughput_answers_per_min": round(len(answered) / (load_s / 60), 2) if load_s > 0 else 0.0,
        "wait_p50_s": percentile([r.wait_s for r in answered if r.wait_s is not None], 50),
        "wait_p95_s": percentile([r.wait_s for r in answered if r.wait_s is not None], 95),
        "wait_max_s": percentile([r.wait_s for r in answered if r.wait_s is not None], 100),
        "total_p50_s": percentile([r.total_s for r in answered if r.total_s is not None], 50),
        "total_p95_s": percentile([r.total_s for r in answered if r.total_s is not None], 95),
        "generation_p50_s": percentile([e - s for s, e in generations], 50),
        "server_first_token_p50_s": percentile([v for r in answered if (v := _seconds(r, "first token"))], 50),
        "server_total_p50_s": percentile([v for r in answered if (v := _seconds(r, "total"))], 50),
        "max_concurrent_generations": max_overlap(generations),
        "followups_answered": len(followups),
        "followups_with_history": sum(1 for r in followups if r.history_kept),
        "server_ready_s": round(server.ready_s, 1),
        "rss_ready_mb": round(ready_rss, 1),
        "rss_after_first_answer_mb": after_first,
        "rss_peak_mb": round(peak_rss, 1),
        "rss_end_mb": round(end_rss, 1),
        "rss_samples": len(samples),
        "server_alive_at_end": alive,
        "answered_log_lines": sum(1 for line in server.log_tail(100_000) if "answered in" in line),
    }
    growth = end_rss - ready_rss
    steady = end_rss - after_first if after_first is not None else 0.0
    summary["rss_bounded"] = growth <= cfg.rss_growth_limit_mb and steady <= cfg.rss_steady_growth_limit_mb
    summary["rss_check"] = (
        f"end - ready = {growth:+.0f} MB (limit {cfg.rss_growth_limit_mb:.0f}: model context, KV cache and "
        f"embedder buffers are touched by the first questions); end - after first answer = {steady:+.0f} MB "
        f"(limit {cfg.rss_steady_growth_limit_mb:.0f}: no growth with the number of requests)"
    )
    summary["ok"] = (
        summary["errors"] == 0
        and summary["answered"] > 0
        and alive
        and summary["rss_bounded"]
        and summary["max_concurrent_generations"] <= 1
    )
    if not summary["ok"]:
        summary["server_log_tail"] = server.log_tail(60)
    summary["records"] = [asdict(r) for r in records]
    summary["rss_timeline"] = [asdict(s) for s in samples]
    return summary


def run_load_test(cfg: LoadConfig) -> dict[str, Any]:
    """Ingest, serve, run the conversations, stop the server; the summary (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="rag-load-") as tmp:
        workdir = Path(tmp)
        data_dir = Path(cfg.data_dir) if cfg.data_dir else workdir / "data"
        ingest_s = ingest(data_dir, cfg, cwd=workdir)
        with serve(data_dir, cfg, workdir=workdir) as server:
            assert server.sampler is not None
            ready_rss = server.sampler.sample().mb
            records, load_s = run_conversations(server.url, cfg)
            alive = server.alive() and server.answers_http()
            summary = summarize(records, load_s, server, cfg, ready_rss=ready_rss, alive=alive)
        summary["ingest_s"] = round(ingest_s, 1)
        summary["server_exit_code"] = server.process.returncode
        summary["leftover_processes"] = group_members(server.process.pid)
        summary["loadavg_1m_at_end"] = os.getloadavg()[0]
    return summary


def format_table(s: dict[str, Any]) -> str:
    c = s["config"]
    rows = [
        (
            "conversations x turns",
            f"{c['conversations']} x {c['turns']} ({c['chat_model']}, max_tokens {c['max_tokens']}, "
            f"top_k {c['top_k'] or 'default'}, {c['n_threads']} threads)",
        ),
        ("requests", s["requests"]),
        ("answered / busy / errors", f"{s['answered']} / {s['busy']} / {s['errors']}"),
        ("busy message", "; ".join(s["busy_messages"]) or "-"),
        ("load wall time", f"{s['load_s']} s"),
        ("throughput", f"{s['throughput_answers_per_min']} answers/min"),
        ("wait p50 / p95 / max", f"{s['wait_p50_s']} / {s['wait_p95_s']} / {s['wait_max_s']} s"),
        ("total p50 / p95", f"{s['total_p50_s']} / {s['total_p95_s']} s"),
        (
            "answer time p50 (client / server, first token)",
            f"{s['generation_p50_s']} / {s['server_total_p50_s']} / {s['server_first_token_p50_s']} s",
        ),
        ("max concurrent generations", s["max_concurrent_generations"]),
        ("follow-ups with history", f"{s['followups_with_history']} / {s['followups_answered']}"),
        (
            "RSS ready / after 1st / peak / end",
            f"{s['rss_ready_mb']} / {s['rss_after_first_answer_mb']} / {s['rss_peak_mb']} / {s['rss_end_mb']} MB",
        ),
        ("RSS bounded", f"{s['rss_bounded']} ({s['rss_check']})"),
        ("server alive at end", s["server_alive_at_end"]),
        ("server ready after", f"{s['server_ready_s']} s (ingest {s.get('ingest_s', '?')} s)"),
        ("leftover processes", s.get("leftover_processes", [])),
        ("load average (1 min) at end", s.get("loadavg_1m_at_end")),
        ("ok", s["ok"]),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"{k.ljust(width)}  {v}" for k, v in rows]
    if s["error_messages"]:
        lines.append("errors: " + " | ".join(s["error_messages"]))
    if s.get("server_log_tail"):
        lines.append("server log (tail):")
        lines.extend("  " + line for line in s["server_log_tail"])
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    defaults = LoadConfig()
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--conversations", type=int, default=defaults.conversations)
    p.add_argument("--turns", type=int, default=defaults.turns)
    p.add_argument("--model", default=defaults.chat_model, help="chat model name (default smollm2-135m)")
    p.add_argument("--max-tokens", type=int, default=defaults.max_tokens)
    p.add_argument("--threads", type=int, default=defaults.n_threads, help="llama.cpp/torch threads of the server")
    p.add_argument("--top-k", type=int, help="passages per question (default: the app's, 5)")
    p.add_argument("--request-timeout", type=float, default=defaults.request_timeout_s)
    p.add_argument("--total-timeout", type=float, default=defaults.total_timeout_s)
    p.add_argument("--data-dir", type=Path, help="index folder to use (default: a fresh temporary one)")
    p.add_argument("--out", type=Path, help="JSON report (default eval/results/load-<N>x<T>.json)")
    args = p.parse_args(argv)
    cfg = LoadConfig(
        conversations=args.conversations,
        turns=args.turns,
        chat_model=args.model,
        max_tokens=args.max_tokens,
        n_threads=args.threads,
        top_k=args.top_k,
        request_timeout_s=args.request_timeout,
        total_timeout_s=args.total_timeout,
        data_dir=args.data_dir,
    )
    out = args.out or ROOT / "eval" / "results" / f"load-{cfg.conversations}x{cfg.turns}.json"
    summary = run_load_test(cfg)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(format_table(summary))
    print(f"report: {out}")
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
