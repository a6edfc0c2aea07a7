"""``rag eval``: run an evaluation set through the pipeline and write the reports.

The evaluation runner's front-end, loaded by the ``rag`` command line only when this
command runs (``rag.cli._LazyGroup``), so no library module imports evaluation code.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from rag import cli
from rag.errors import RagError

__all__ = ["app"]

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command("eval")
def eval_command(
    dataset: Annotated[
        Optional[str],
        typer.Argument(
            help="Evaluation set (JSONL, see eval/README.md), or `rgb` for the RGB benchmark.", show_default=False
        ),
    ] = None,
    report: Annotated[Optional[Path], typer.Option(help="Report folder (eval/results/<set>-<time>/).")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Ask only the first N questions.", show_default=False)] = None,
    model: cli.ModelOpt = None,
    split: Annotated[str, typer.Option(help="Questions of this split: dev, test or all.")] = "all",
    compare: Annotated[
        Optional[tuple[Path, Path]],
        typer.Option(
            "--compare", help="Print what changed between two report.json files, then exit.", show_default=False
        ),
    ] = None,
    rgb_run: Annotated[str, typer.Option("--rgb-run", help="With `rgb`: noise (robustness) or rejection.")] = "noise",
    rgb_path: Annotated[
        Optional[Path],
        typer.Option(
            "--rgb-path",
            help="RGB en_fact.jsonl (default: ../shared/benchmarks/rgb/en_fact.jsonl).",
            show_default=False,
        ),
    ] = None,
    rgb_data_dir: Annotated[Optional[Path], typer.Option(help="RGB corpus index (<data-dir>/rgb).")] = None,
) -> None:
    """Run an evaluation set through the pipeline and write reports (JSON, Markdown, HTML)."""
    from rag.evaluation import reports

    if compare is not None:
        _print_comparison(
            reports.compare_reports(reports.load_report(compare[0]), reports.load_report(compare[1])), *compare
        )
        return
    if dataset is None:
        raise RagError("Give an evaluation set (e.g. `rag eval eval/seed.jsonl`), `rgb`, or --compare A.json B.json.")
    if split not in ("dev", "test", "all"):
        raise RagError(f"Unknown --split {split!r}; use dev, test or all.")
    if limit is not None and limit < 1:
        raise RagError(f"--limit must be at least 1, got {limit}.")
    from rag.config import project_root
    from rag.evaluation import evaluate, load_dataset, render

    if dataset == "rgb" and not Path(dataset).exists():
        run = _eval_rgb(rgb_run, rgb_path, rgb_data_dir, model=model, limit=limit)
        stem = f"rgb-{rgb_run}"
    else:
        questions = load_dataset(dataset, split=split)  # fails on a malformed set before any model loads
        s = cli.settings(chat_model=model)
        rag = cli.open_index(s)
        if rag.store.count() == 0:
            raise RagError(f"The index in {s.data_dir} is empty. Run `rag ingest seeds/` first.")
        total = min(len(questions), limit or len(questions))
        with _eval_progress(total) as progress:
            run = evaluate(
                rag,
                questions,
                limit=limit,
                progress=progress,
                config={"dataset": dataset, "split": split, "data_dir": str(s.data_dir), "git": _git_state()},
            )
        stem = Path(dataset).stem
    folder = report or reports.default_report_dir(stem, root=project_root())
    paths = reports.write_reports(run, folder)
    data = reports.report_data(run)
    table = Table("metric", "value", "n", title="Evaluation summary")
    for row in render.summary_rows(data):
        table.add_row(*row)
    cli.out.print(table)
    if run.attribution:
        cli.out.print(f"[dim]{run.attribution}[/]", highlight=False)
    cli.out.print(f"Reports: {paths.json}, {paths.markdown.name}, {paths.html.name}", highlight=False)


def _git_state() -> str:
    """The checkout's commit, "+dirty" when tracked files differ from it: what a report was measured on."""
    import subprocess

    from rag.config import project_root

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=project_root(), capture_output=True, text=True, timeout=10, check=True
        )
        return done.stdout.strip()

    try:
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
        return git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _eval_progress(total: int) -> Any:
    """A context manager giving a rich progress callback for :func:`rag.evaluation.evaluate`."""
    from contextlib import contextmanager

    @contextmanager
    def bar() -> Any:
        counts = {"pass": 0, "fail": 0, "error": 0}
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TextColumn("{task.fields[tally]}"),
            TimeRemainingColumn(),
            console=cli.err,
        ) as progress:
            task = progress.add_task("Evaluating", total=total, tally="")

            def update(done: int, _total: int, result: Any) -> None:
                counts[result.status] += 1
                tally = (
                    f"[green]{counts['pass']} pass[/] [yellow]{counts['fail']} fail[/] [red]{counts['error']} error[/]"
                )
                progress.update(task, completed=done, tally=tally, description=f"Evaluating {result.question.id}")

            yield update

    return bar()


def _eval_rgb(
    run_name: str, path: Optional[Path], data_dir: Optional[Path], *, model: Optional[str], limit: Optional[int]
) -> Any:
    from rag.evaluation.datasets import rgb

    if run_name not in rgb.RUNS:
        raise RagError(f"Unknown --rgb-run {run_name!r}; use {' or '.join(rgb.RUNS)}.")
    items = rgb.load_rgb(path or rgb.default_rgb_path())
    corpus = rgb.build_corpus(items)
    s = cli.settings(chat_model=model)
    s = dataclasses.replace(s, data_dir=data_dir or Path(s.data_dir) / "rgb")
    rag = cli.open_index(s)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} passages"),
        TimeRemainingColumn(),
        console=cli.err,
        transient=True,
    ) as bar:
        task = bar.add_task("Indexing the RGB corpus", total=len(corpus.documents))
        rgb.index_corpus(rag, corpus, progress=lambda done, total, _doc: bar.update(task, completed=done))
    total = min(len(items), limit or len(items))
    with _eval_progress(total) as progress:
        return rgb.run_rgb(
            rag, items, corpus, run=run_name, limit=limit, progress=progress, config={"git": _git_state()}
        )


def _print_comparison(comparison: Any, a: Path, b: Path) -> None:
    cli.out.print(f"A: {a}\nB: {b}", highlight=False)
    if comparison.config_changes:
        table = Table("setting", "A", "B", title="Configuration changes")
        for row in comparison.config_changes:
            table.add_row(*row)
        cli.out.print(table)
    table = Table("metric", "A", "B", "change", title="Metrics that changed")
    for m in comparison.changed_metrics:
        delta = "" if m.delta is None else f"{m.delta:+.3f}"
        table.add_row(m.name, "n/a" if m.a is None else f"{m.a:.3f}", "n/a" if m.b is None else f"{m.b:.3f}", delta)
    cli.out.print(table if comparison.changed_metrics else "No metric changed.")
    if comparison.flips:
        table = Table("id", "A", "B", "question", title=f"Verdicts that flipped ({len(comparison.flips)})")
        for f in comparison.flips:
            style = "green" if f.b == "pass" else "red" if f.a == "pass" else ""
            table.add_row(Text(f.id), f.a, f.b, Text(f.question), style=style)
        cli.out.print(table)
    else:
        cli.out.print("No verdict flipped.")
    for label, ids in (("only in A", comparison.only_in_a), ("only in B", comparison.only_in_b)):
        if ids:
            cli.out.print(f"{len(ids)} question(s) {label}: {', '.join(ids)}", highlight=False)
