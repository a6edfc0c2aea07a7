"""The benchmark command line: ``python -m bench [--suite ...]`` from the repository root.

Prints the results table on stdout and progress on stderr, writes the JSON and a
Markdown table (``eval/results/bench-<timestamp>.json`` and ``.md`` by default) after
every suite, so an interrupt keeps what was measured. A bad flag or a failed suite
prints one line and exits with status 1.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from bench.common import (
    BenchOptions,
    RichReporter,
    default_out_path,
    parse_sizes,
    parse_suites,
    results_table,
    write_results,
)
from bench.run import run_bench
from rag.config import load_settings
from rag.errors import RagError

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
out = Console()
err = Console(stderr=True)


@app.command()
def bench(
    suite: Annotated[
        str, typer.Option("--suite", help="Comma-separated: ingest,query,answer,followup,peer,memory.")
    ] = "ingest,query,answer,followup,peer,memory",
    sizes: Annotated[str, typer.Option(help="Index sizes in chunks for the query suite.")] = "1000,10000,100000",
    questions: Annotated[int, typer.Option(help="Seed questions for the answer, followup and peer suites.")] = 8,
    out_path: Annotated[
        Optional[Path],
        typer.Option("--out", help="JSON results (default: eval/results/bench-<timestamp>.json).", show_default=False),
    ] = None,
    model: Annotated[
        Optional[str], typer.Option("--model", "-m", help="Chat model name or .gguf path.", show_default=False)
    ] = None,
    docs: Annotated[int, typer.Option(help="Synthetic articles for the ingest suite.")] = 300,
    queries: Annotated[int, typer.Option(help="Questions per index size in the query suite.")] = 100,
    rounds: Annotated[int, typer.Option(help="Alternating rounds of the ingest suite.")] = 2,
    data_dir: Annotated[
        Optional[Path], typer.Option("--data-dir", help="Index folder (RAG_DATA_DIR).", show_default=False)
    ] = None,
    config: Annotated[
        Optional[Path], typer.Option("--config", help="TOML config file (RAG_CONFIG).", show_default=False)
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
) -> None:
    """Benchmark speed against baselines measured in the same run; print a table, write JSON.

    Caches (synthetic indexes, the LangChain peer's venv) live under <data-dir>/bench/.
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if min(questions, docs, queries, rounds) < 1:
        raise RagError("--questions, --docs, --queries and --rounds must be at least 1.")
    options = BenchOptions(
        suites=parse_suites(suite),
        sizes=parse_sizes(sizes),
        questions=questions,
        docs=docs,
        queries=queries,
        rounds=rounds,
    )
    settings = load_settings(config, data_dir=data_dir, chat_model=model)
    path = out_path or default_out_path()
    with RichReporter(err) as reporter:
        result = run_bench(settings, options, reporter, on_suite=lambda partial: write_results(partial, path))
    out.print(results_table(result.rows))
    write_results(result, path)
    out.print(f"Results: {path} (and {path.with_suffix('.md').name})", highlight=False)
    if result.errors:
        raise RagError("Suite(s) failed: " + "; ".join(f"{k}: {v}" for k, v in result.errors.items()))


def main(argv: list[str] | None = None) -> None:
    """Run the command; a RagError (bad flag value, failed suite) is one line on stderr, exit 1."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    warnings.filterwarnings("ignore", category=FutureWarning)
    try:
        # Standalone mode: click prints usage errors itself (exit 2); ours propagate.
        app(args=argv, prog_name="python -m bench")
    except RagError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
