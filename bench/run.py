"""Runs the suites in order and collects their rows, raw measurements and errors.

Each suite is a module of this package with a ``run(bench) -> (rows, raw)`` function;
a suite that raises :class:`rag.errors.RagError` is recorded and the others still run.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from typing import Any

from bench import answer, followup, ingest, memory, peer, query
from bench.common import BenchOptions, BenchResult, LoadSampler, NullReporter, Reporter, Row, machine_info
from bench.context import Bench
from rag.config import Settings
from rag.errors import RagError

__all__ = ["SUITE_RUNNERS", "run_bench"]

SUITE_RUNNERS: dict[str, Callable[[Bench], tuple[list[Row], dict[str, Any]]]] = {
    "ingest": ingest.run,
    "query": query.run,
    "answer": answer.run,
    "followup": followup.run,
    "peer": peer.run,
    "memory": memory.run,
}


def run_bench(
    settings: Settings,
    options: BenchOptions,
    reporter: Reporter | None = None,
    *,
    on_suite: Callable[[BenchResult], object] | None = None,
) -> BenchResult:
    """Run ``options.suites`` in order; a failing suite is recorded and the others still run.

    ``on_suite`` sees the partial result after each suite (the CLI saves it, so a crash
    or an interrupt late in a long run keeps what was measured).
    """
    reporter = reporter or NullReporter()
    result = BenchResult()
    t_start = time.perf_counter()
    with LoadSampler() as load:
        bench = Bench(settings, options, reporter, load)
        result.meta = {
            **machine_info(),
            "options": {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(options).items()},
            "settings": {
                k: getattr(settings, k)
                for k in (
                    "chat_model",
                    "embed_model",
                    "n_ctx",
                    "n_threads",
                    "n_batch",
                    "temperature",
                    "max_tokens",
                    "top_k",
                    "fetch_k",
                    "retrieval",
                    "chunk_tokens",
                    "chunk_overlap",
                )
            },
            "load_before": list(os.getloadavg()),
        }
        for name in options.suites:
            load.suite = name
            t = time.perf_counter()
            try:
                rows, raw = SUITE_RUNNERS[name](bench)
            except RagError as exc:
                result.errors[name] = str(exc)
                reporter.note(f"{name}: failed: {exc}")
            else:
                raw["suite_s"] = time.perf_counter() - t
                result.rows.extend(rows)
                result.suites[name] = raw
            finally:
                if on_suite is not None:
                    result.meta["load"] = load.summary()
                    on_suite(result)
        load.suite = "end"
        result.meta["load_after"] = list(os.getloadavg())
    result.meta["load"] = load.summary()
    result.meta["total_s"] = time.perf_counter() - t_start
    return result
