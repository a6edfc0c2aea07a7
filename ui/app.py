"""The browser chat UI (Gradio Blocks): a thin front-end over :class:`rag.RAG`.

:class:`ChatApp` holds one ``RAG`` instance and plain handler methods that call its
public API (``stream``, ``ingest``, ``documents``, ``remove``); ``build`` wires them
to components. It contains no retrieval or prompting logic, and it builds every piece
of HTML itself from escaped text, so nothing an article or the model writes can run
in the page.

Each browser session keeps its own conversation in a ``gr.State``; the model answers
one question at a time (``concurrency_limit=1``) and later askers wait in a bounded
queue whose position Gradio shows them.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import re
import shutil
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlparse

# Must be set before gradio is imported: gradio reads it at import time.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio as gr

from rag import RAG, Answer, AnswerStream, Citation, DocumentError, Hit, RagError, Settings, Turn
from rag.loading import SUFFIXES
from rag.models import list_models

__all__ = ["EXAMPLES", "ChatApp", "Exchange", "create_app", "launch", "safe_filename"]

log = logging.getLogger(__name__)

EXAMPLES = (
    "How much money did the EU set aside for weapons and equipment for the training mission?",
    "How many Ukrainian soldiers are being trained by the EU mission?",
    "What did French defence minister Sébastien Lecornu say about demilitarization?",
    "Who is expected to sign the EU–NATO cooperation document?",
)
ABSTAINED = "The articles don't say."
WAITING = (
    "Waiting for the model: it answers one question at a time. If others asked first, "
    "your place in the queue shows at the bottom of this box."
)
QUEUE_SIZE = 16  # questions waiting for the model; more get Gradio's "currently busy" message
LINK_REL = "noopener noreferrer nofollow"
_PREVIEW_CHARS = 220

CSS = """
#sources .rag-src { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin: 0 0 8px; }
#sources .rag-marker { font-weight: 700; margin-right: 4px; }
#sources .rag-meta { font-size: 0.85em; opacity: 0.8; margin: 2px 0 4px; word-break: break-all; }
#sources .rag-passage { white-space: pre-wrap; margin: 6px 0 0; padding-left: 8px; border-left: 3px solid var(--border-color-primary); }
#sources mark { background: #fde68a; color: inherit; padding: 0 1px; }
#sources summary { cursor: pointer; }
#sources .rag-warn, .rag-debug .rag-warn { color: #b45309; }
#sources .rag-empty { opacity: 0.7; }
.rag-debug table { font-size: 0.85em; border-collapse: collapse; }
.rag-debug td, .rag-debug th { padding: 2px 6px; border-bottom: 1px solid var(--border-color-primary); text-align: left; }
"""


@dataclass(frozen=True)
class Exchange:
    """One question of a session as shown in the chat.

    ``complete`` is False for errors and stopped answers: they stay visible but are
    not passed to the model as conversation history.
    """

    question: str
    answer: str  # the final answer text (Turn.answer)
    shown: str  # the assistant message as displayed (escaped HTML)
    complete: bool = True
    sources: tuple[str, ...] = ()  # chunk ids shown with the answer, in marker order (Turn.sources)


Outputs = tuple[Any, ...]


# -- pure rendering helpers ---------------------------------------------------------------


def _esc(text: str) -> str:
    return html.escape(text or "", quote=True)


def _esc_lines(text: str) -> str:
    return _esc(text).replace("\n", "<br>")


def _safe_url(url: str) -> str | None:
    """The URL if it is a plain http(s) link, else None (no javascript:, data:, file:)."""
    url = (url or "").strip()
    try:
        parsed = urlparse(url)
    except ValueError:
        return None
    if parsed.scheme.lower() not in {"http", "https"} or not parsed.netloc:
        return None
    return url


def _link(url: str) -> str:
    safe = _safe_url(url)
    if safe is None:
        return ""
    label = safe if len(safe) <= 80 else safe[:77] + "…"
    return f'<a href="{_esc(safe)}" rel="{LINK_REL}" target="_blank">{_esc(label)}</a>'


def _merge_spans(spans: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    clean = sorted((max(0, int(s)), min(length, int(e))) for s, e in spans)
    merged: list[tuple[int, int]] = []
    for s, e in clean:
        if s >= e:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def highlight(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` escaped, with the (start, end) ``spans`` wrapped in ``<mark>``."""
    out, pos = [], 0
    for s, e in _merge_spans(spans, len(text)):
        out.append(_esc(text[pos:s]))
        out.append(f"<mark>{_esc(text[s:e])}</mark>")
        pos = e
    out.append(_esc(text[pos:]))
    return "".join(out)


def _preview(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """A short excerpt, cut at spaces: around the first highlight when there is one, else the start."""
    merged = _merge_spans(spans, len(text))
    first = merged[0] if merged else (0, 0)
    start = max(0, first[0] - 60)
    if start > 0:
        space = text.find(" ", start, first[0])
        start = space + 1 if space >= 0 else start
    end = max(min(len(text), start + _PREVIEW_CHARS), first[1])
    if end < len(text):
        space = text.rfind(" ", max(start, first[1]), end)
        end = space if space > start else end
    shifted = [(s - start, e - start) for s, e in merged if s < end and e > start]
    body = highlight(text[start:end], shifted)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def _meta_line(date: str, url: str, doc_id: str) -> str:
    parts = [_esc(date)] if date else []
    link = _link(url)
    if link:
        parts.append(link)
    parts.append(f"<code>{_esc(doc_id)}</code>")
    return '<div class="rag-meta">' + " · ".join(parts) + "</div>"


def render_citation(c: Citation, disagrees_with: Sequence[int] = ()) -> str:
    """One cited source; ``disagrees_with``: the markers of the sources this one contradicts."""
    title = _esc(c.title or c.doc_id)
    warn = ""
    if c.supported is False:
        warn = ' <span class="rag-warn" title="This passage does not support the sentence citing it">⚠ does not support the claim</span>'
    if disagrees_with:
        others = "".join(f"[{m}]" for m in disagrees_with)
        warn += (
            f' <span class="rag-warn rag-disagree" title="This article gives a different value than {others}">'
            f"⚠ disagrees with {others}</span>"
        )
    return (
        f'<div class="rag-src" id="rag-src-{c.marker}">'
        f'<div><span class="rag-marker">[{c.marker}]</span><strong>{title}</strong>{warn}</div>'
        f"{_meta_line(c.date, c.url, c.doc_id)}"
        f"<details><summary>{_preview(c.text, c.highlights)}</summary>"
        f'<div class="rag-passage">{highlight(c.text, c.highlights)}</div></details>'
        "</div>"
    )


def render_hit(hit: Hit) -> str:
    c = hit.chunk
    return (
        f'<details class="rag-hit"><summary><strong>{_esc(c.title or c.doc_id)}</strong> '
        f"(score {hit.score:.2f})</summary>{_meta_line(c.date, c.url, c.doc_id)}"
        f'<div class="rag-passage">{_esc(c.text)}</div></details>'
    )


def render_sources(answer: Answer) -> str:
    """The sources panel: cited passages, then the other retrieved ones collapsed."""
    cited_ids = {c.chunk_id for c in answer.citations}
    uncited = [h for h in answer.hits if h.chunk.chunk_id not in cited_ids]
    parts = ['<div class="rag-sources">']
    if answer.citations:
        parts.append("<h3>Sources</h3>")
        against = {d.marker: d.backing for d in answer.disagreements}
        parts.extend(render_citation(c, against.get(c.marker, ())) for c in answer.citations)
    elif answer.abstained:
        parts.append(f'<p class="rag-empty">{_esc(ABSTAINED)} No passage answers the question.</p>')
    else:
        parts.append('<p class="rag-empty rag-warn">⚠ The answer cites no source.</p>')
    if uncited:
        label = "Retrieved passages" if not answer.citations else "Other retrieved passages, not cited"
        parts.append(f'<details class="rag-uncited"><summary>{label} ({len(uncited)})</summary>')
        parts.extend(render_hit(h) for h in uncited)
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)


def render_answer(answer: Answer) -> str:
    """The assistant message: escaped text, unsupported sentences flagged, abstention said plainly."""
    if answer.abstained:
        return f"<strong>{_esc(ABSTAINED)}</strong>"
    text = answer.text
    if answer.sentences:
        out, pos = [], 0
        for s in sorted(answer.sentences, key=lambda s: s.start):
            start, end = max(pos, s.start), min(len(text), s.end)
            if start >= end:
                continue
            out.append(_esc_lines(text[pos:start]))
            out.append(_esc_lines(text[start:end]))
            if s.supported is False:
                out.append(
                    ' <span class="rag-warn" title="No cited source supports this sentence">⚠ unsupported</span>'
                )
            pos = end
        out.append(_esc_lines(text[pos:]))
        body = "".join(out)
    else:
        body = _esc_lines(text)
    if answer.finish_reason == "length":
        body += "<br><em>(cut off at the answer length limit)</em>"
    return body


def render_partial(text: str) -> str:
    return _esc_lines(text) + " ▌"


def render_debug(answer: Answer) -> str:
    """Retrieval scores and per-stage timings of one answer."""
    t = answer.timings
    cited = {c.chunk_id: c.marker for c in answer.citations}
    shown = {h.chunk.chunk_id: i for i, h in enumerate(answer.sources, 1)}
    rows = "".join(
        f"<tr><td>{h.rank}</td><td>{h.score:.3f}</td><td>{_fmt_score(h.dense)}</td><td>{_fmt_score(h.keyword)}</td>"
        f"<td>{_esc(h.source)}</td>"
        f"<td>{shown.get(h.chunk.chunk_id, '–')}</td><td>{'[' + str(cited[h.chunk.chunk_id]) + ']' if h.chunk.chunk_id in cited else ''}</td>"
        f"<td><code>{_esc(h.chunk.doc_id)}</code> #{h.chunk.ordinal}</td></tr>"
        for h in answer.hits
    )
    rate = t.generated_tokens / t.generate_s if t.generate_s > 0 else 0.0
    stages = [
        ("embed", f"{t.embed_s * 1000:.0f} ms"),
        ("retrieve", f"{t.retrieve_s * 1000:.0f} ms"),
        ("prompt", f"{t.prompt_s * 1000:.0f} ms"),
        ("first token", f"{t.first_token_s:.2f} s"),
        ("generate", f"{t.generate_s:.2f} s ({t.generated_tokens} tokens, {rate:.1f}/s)"),
        ("total", f"{t.total_s:.2f} s"),
        ("prompt tokens", str(t.prompt_tokens)),
        ("chat model", answer.chat_model),
        ("embedder", answer.embed_model),
        ("finish", answer.finish_reason),
        ("retrieval query", answer.standalone_question),
    ]
    timing_rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in stages)
    return (
        '<div class="rag-debug"><h4>Retrieval</h4><table><tr><th>rank</th><th>fused</th><th>cosine</th>'
        "<th>BM25</th><th>retriever</th>"
        f"<th>shown as</th><th>cited</th><th>passage</th></tr>{rows}</table>"
        f"<h4>Timings</h4><table>{timing_rows}</table></div>"
    )


def _fmt_score(score: float | None) -> str:
    return "–" if score is None else f"{score:.3f}"


def _status(text: str, *, error: bool = False) -> str:
    cls = "rag-status rag-warn" if error else "rag-status"
    return f'<div class="{cls}">{_esc_lines(text)}</div>'


def safe_filename(name: str) -> str:
    """The base name of an uploaded file, safe to create in the uploads folder.

    Drops any directory part (``/`` or ``\\``), control characters and leading dots
    (no ``..``, no hidden files). Raises DocumentError for names that leave nothing
    usable or have a suffix the loader does not read.
    """
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().lstrip(".").strip()
    if len(base) > 180:
        suffix = Path(base).suffix[:16]
        base = base[: 180 - len(suffix)] + suffix
    if not base or base in {".", ".."}:
        raise DocumentError(f"The file name {name!r} cannot be used; rename the file and upload it again.")
    if Path(base).suffix.lower() not in SUFFIXES:
        raise DocumentError(f"{base}: only {', '.join(SUFFIXES)} files can be added.")
    return base


# -- the app ------------------------------------------------------------------------------


class ChatApp:
    """Handlers and layout of the UI over one :class:`RAG` instance."""

    def __init__(self, rag: RAG, *, queue_size: int = QUEUE_SIZE, examples: Sequence[str] = EXAMPLES) -> None:
        self.rag = rag
        self.settings: Settings = rag.settings
        self.queue_size = queue_size
        self.examples = tuple(examples)
        self.uploads_dir = Path(self.settings.data_dir) / "uploads"
        # Streams being generated, by browser session, so Stop can cancel the right one.
        self._running: dict[str, AnswerStream] = {}
        self._running_lock = threading.Lock()

    # -- chat -------------------------------------------------------------------------------

    def chat_models(self) -> list[str]:
        """The configured chat model first, then every other pulled chat model."""
        names = [self.settings.chat_model]
        if self.settings.llm_backend == "llama-cpp":
            names += [s.spec.name for s in list_models(self.settings.models_dir) if s.spec.kind == "chat" and s.present]
        return list(dict.fromkeys(names))

    def warm_up(self) -> None:
        """Load the default chat model now, so the first question does not pay for it."""
        self.rag.llm()

    @staticmethod
    def messages(exchanges: Sequence[Exchange]) -> list[dict[str, str]]:
        out = []
        for e in exchanges:
            out.append({"role": "user", "content": _esc_lines(e.question) or "<em>(empty question)</em>"})
            out.append({"role": "assistant", "content": e.shown})
        return out

    @staticmethod
    def history(exchanges: Sequence[Exchange]) -> list[Turn]:
        return [Turn(e.question, e.answer, e.sources) for e in exchanges if e.complete]

    @staticmethod
    def _session(request: Optional[gr.Request]) -> str:
        return getattr(request, "session_hash", None) or "local"

    def respond(
        self,
        question: str,
        exchanges: Sequence[Exchange] | None,
        top_k: float | None = None,
        temperature: float | None = None,
        chat_model: str | None = None,
        request: Optional[gr.Request] = None,
    ) -> Iterator[Outputs]:
        """Answer ``question``; yields (chat, exchanges, sources, debug, question box) as it streams.

        Outputs that did not change are ``gr.skip()``; the session's exchanges are only
        written at the end, so a Stop that lands meanwhile is not overwritten.
        """
        question = question if isinstance(question, str) else ""
        past = tuple(exchanges or ())
        shown_q = question.strip()
        pending = {"role": "user", "content": _esc_lines(shown_q) or "<em>(empty question)</em>"}
        chat = self.messages(past)
        yield (
            [*chat, pending, {"role": "assistant", "content": "<em>Searching the articles…</em>"}],
            gr.skip(),
            _status("Searching the articles…"),
            gr.skip(),
            "",
        )
        try:
            stream = self.rag.stream(
                question,
                self.history(past),
                top_k=int(top_k) if top_k else None,
                temperature=None if temperature is None else float(temperature),
                chat_model=chat_model or None,
            )
        except RagError as exc:
            failed = Exchange(shown_q, "", _esc_lines(str(exc)), complete=False)
            yield self.messages((*past, failed)), (*past, failed), _status(str(exc), error=True), gr.skip(), gr.skip()
            return

        key = self._session(request)
        with self._running_lock:
            self._running[key] = stream
        try:
            yield (
                gr.skip(),
                gr.skip(),
                _status(f"Writing the answer from {len(stream.sources)} passages…"),
                gr.skip(),
                gr.skip(),
            )
            for _ in stream:
                yield (
                    [*chat, pending, {"role": "assistant", "content": render_partial(stream.text)}],
                    gr.skip(),
                    gr.skip(),
                    gr.skip(),
                    gr.skip(),
                )
            answer = stream.answer()
        except RagError as exc:
            failed = Exchange(shown_q, "", _esc_lines(str(exc)), complete=False)
            yield self.messages((*past, failed)), (*past, failed), _status(str(exc), error=True), gr.skip(), gr.skip()
            return
        finally:
            with self._running_lock:
                if self._running.get(key) is stream:
                    del self._running[key]
            stream.cancel()  # no-op when finished; frees the model when Gradio closed us mid-answer
        if answer.finish_reason == "cancelled":
            return  # Stop has already shown and recorded what there was
        done = Exchange(
            shown_q, answer.text, render_answer(answer), sources=tuple(h.chunk.chunk_id for h in answer.sources)
        )
        log.info(
            "answered in %.2fs (%s, %d citations)", answer.timings.total_s, answer.finish_reason, len(answer.citations)
        )
        yield self.messages((*past, done)), (*past, done), render_sources(answer), render_debug(answer), gr.skip()

    def waiting(self, question: str, exchanges: Sequence[Exchange] | None) -> list[dict[str, str]]:
        """The chat with the new question and a note that it waits for the model (shown before queueing)."""
        shown_q = question.strip() if isinstance(question, str) else ""
        return [
            *self.messages(tuple(exchanges or ())),
            {"role": "user", "content": _esc_lines(shown_q) or "<em>(empty question)</em>"},
            {"role": "assistant", "content": f"<em>{_esc(WAITING)}</em>"},
        ]

    def stop(self, exchanges: Sequence[Exchange] | None, request: Optional[gr.Request] = None) -> Outputs:
        """Cancel this session's running answer; keep what was written, marked as stopped."""
        with self._running_lock:
            stream = self._running.pop(self._session(request), None)
        past = tuple(exchanges or ())
        if stream is None:  # nothing generating: maybe a question still waiting in the queue, now cancelled
            return self.messages(past), gr.skip(), gr.skip()
        stream.cancel()
        shown = (_esc_lines(stream.text) + "<br>" if stream.text else "") + "<em>(Stopped.)</em>"
        stopped = Exchange(stream.question, stream.text, shown, complete=False)
        return self.messages((*past, stopped)), (*past, stopped), _status("Stopped.")

    def clear(self, request: Optional[gr.Request] = None) -> Outputs:
        """Forget this session's conversation (and stop an answer in progress)."""
        with self._running_lock:
            stream = self._running.pop(self._session(request), None)
        if stream is not None:
            stream.cancel()
        return [], (), self.empty_sources(), ""

    def empty_sources(self) -> str:
        return '<div class="rag-sources"><p class="rag-empty">Sources of the answer appear here.</p></div>'

    # -- documents --------------------------------------------------------------------------

    def documents_table(self) -> list[list[Any]]:
        return [[d.doc_id, d.title, d.date, d.chunks] for d in self.rag.documents()]

    def documents_view(self) -> Outputs:
        rows = self.documents_table()
        return rows, gr.update(choices=[r[0] for r in rows], value=[])

    def save_upload(self, src: str | Path, original_name: str) -> Path:
        """Copy an uploaded file to ``uploads/<safe name>``; the name is the document id."""
        name = safe_filename(original_name)
        src = Path(src)
        limit = self.settings.max_upload_mb * 1024 * 1024
        if src.stat().st_size > limit:
            raise DocumentError(f"{name} is larger than {self.settings.max_upload_mb} MB (setting max_upload_mb).")
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        dest = self.uploads_dir / name
        if dest.resolve().parent != self.uploads_dir.resolve():  # belt and braces after safe_filename
            raise DocumentError(f"The file name {original_name!r} cannot be used.")
        partial = self.uploads_dir / f".{name}.partial"
        shutil.copyfile(src, partial)
        os.replace(partial, dest)  # replaces a symlink itself, never writes through it
        return dest

    def ingest_files(self, files: Sequence[tuple[str | Path, str]], progress: Callable[..., Any] | None = None) -> str:
        """Save and index (path, original name) pairs; returns the status message (HTML)."""
        if not files:
            return _status("Choose one or more .txt, .md or .html files first.", error=True)
        saved, problems = [], []
        for src, name in files:
            try:
                saved.append(self.save_upload(src, name))
            except (RagError, OSError) as exc:
                problems.append(str(exc) if isinstance(exc, RagError) else f"{name}: {exc.strerror or exc}")
        if not saved:
            return _status("Nothing was added.\n" + "\n".join(problems), error=True)

        def report_progress(done: int, total: int, doc_id: str) -> None:
            if progress is not None:
                progress((done, total), desc=f"Indexed {doc_id}")

        try:
            report = self.rag.ingest(saved, progress=report_progress)
        except RagError as exc:
            return _status("\n".join([str(exc), *problems]), error=True)
        lines = [
            f"Indexed {report.documents_seen} file(s): {report.documents_added} added, "
            f"{report.documents_updated} updated, {report.documents_unchanged} unchanged; "
            f"{report.chunks_embedded} chunks embedded, {report.chunks_total} in the index "
            f"({report.seconds:.1f} s).",
            *problems,
            *(f"Skipped {Path(p).name}: {why}" for p, why in report.skipped),
        ]
        log.info("%s", lines[0])
        return _status("\n".join(lines), error=bool(problems or report.skipped))

    def upload(self, files: Sequence[Any] | None, progress: Any = gr.Progress()) -> Outputs:  # noqa: B008 - Gradio's idiom
        """The Documents tab's "Add" button: (status, table, remove choices, cleared file input)."""
        pairs = []
        for f in files or []:
            path = str(getattr(f, "name", f))  # str with type="filepath"; tempfile wrappers elsewhere
            pairs.append((path, Path(path).name))
        if progress is not None:
            progress(0, desc="Saving files")
        status = self.ingest_files(pairs, progress)
        rows, choices = self.documents_view()
        return status, rows, choices, None

    def remove(self, doc_ids: Sequence[str] | str | None) -> Outputs:
        """Remove documents from the index (and their uploaded copies); (status, table, choices)."""
        ids = [doc_ids] if isinstance(doc_ids, str) else list(doc_ids or [])
        if not ids:
            rows, choices = self.documents_view()
            return _status("Choose the documents to remove first.", error=True), rows, choices
        try:
            removed = self.rag.remove(ids)
        except RagError as exc:
            rows, choices = self.documents_view()
            return _status(str(exc), error=True), rows, choices
        for doc_id in ids:
            # Not an upload, or already gone: the index is what matters.
            with contextlib.suppress(RagError, OSError):
                (self.uploads_dir / safe_filename(doc_id)).unlink(missing_ok=True)
        rows, choices = self.documents_view()
        return _status(f"Removed {len(ids)} document(s), {removed} chunks."), rows, choices

    # -- layout -----------------------------------------------------------------------------

    def build(self) -> gr.Blocks:
        s = self.settings
        models = self.chat_models()
        with gr.Blocks(title="News Q&A", analytics_enabled=False) as demo:
            gr.Markdown(
                "## Ask the news articles\nAnswers come only from the indexed articles, "
                "with numbered sources you can check."
            )
            exchanges = gr.State(())
            with gr.Tabs():
                with gr.Tab("Chat", id="chat"):
                    with gr.Row(equal_height=False):
                        with gr.Column(scale=3):
                            chatbot = gr.Chatbot(
                                label="Conversation",
                                height=460,
                                elem_id="chat",
                                sanitize_html=True,
                                render_markdown=False,
                                latex_delimiters=[],
                                feedback_options=None,
                                buttons=[],
                                placeholder="Ask a question about the articles.",
                            )
                            question = gr.Textbox(
                                placeholder="Ask a question about the articles…",
                                show_label=False,
                                lines=1,
                                max_lines=4,
                                elem_id="question",
                                autofocus=True,
                            )
                            with gr.Row():
                                ask = gr.Button("Ask", variant="primary", elem_id="ask")
                                stop = gr.Button("Stop", variant="stop", elem_id="stop")
                                clear = gr.Button("Clear chat", elem_id="clear")
                            examples = gr.Dataset(
                                components=[question],
                                samples=[[q] for q in self.examples],
                                label="Example questions",
                                elem_id="examples",
                            )
                        with gr.Column(scale=2):
                            sources = gr.HTML(self.empty_sources(), label="Sources", elem_id="sources", js_on_load=None)
                    with gr.Accordion("Settings", open=False, elem_id="settings"):
                        with gr.Row():
                            top_k = gr.Slider(1, 20, value=s.top_k, step=1, label="Passages to retrieve (top_k)")
                            temperature = gr.Slider(0.0, 1.5, value=s.temperature, step=0.05, label="Temperature")
                            chat_model = gr.Dropdown(models, value=models[0], label="Chat model")
                        with gr.Accordion("Debug: retrieval scores and timings of the last answer", open=False):
                            debug = gr.HTML("", label="Debug", elem_id="debug", js_on_load=None)
                with gr.Tab("Documents", id="documents"):
                    files = gr.File(
                        label="Add articles (.txt, .md, .html)",
                        file_count="multiple",
                        file_types=list(SUFFIXES),
                        elem_id="upload",
                    )
                    add = gr.Button("Add to index", variant="primary", elem_id="add")
                    status = gr.HTML("", label="Status", elem_id="doc-status", js_on_load=None)
                    table = gr.Dataframe(
                        headers=["Document id", "Title", "Date", "Chunks"],
                        datatype=["str", "str", "str", "number"],
                        interactive=False,
                        elem_id="documents",
                        label="Indexed documents",
                    )
                    with gr.Row():
                        to_remove = gr.Dropdown([], multiselect=True, label="Documents to remove", scale=3)
                        remove = gr.Button("Remove", variant="stop", scale=1, elem_id="remove")

            chat_inputs = [question, exchanges, top_k, temperature, chat_model]
            chat_outputs = [chatbot, exchanges, sources, debug, question]
            # One model, one question at a time, across all sessions and all triggers.
            chat_options: dict[str, Any] = {
                "concurrency_limit": 1,
                "concurrency_id": "answer",
                "show_progress": "full",
                "show_progress_on": [chatbot],
            }
            # Show the question at once, queue or not; the answer replaces the waiting note when it starts.
            waiting: dict[str, Any] = {
                "fn": self.waiting,
                "inputs": [question, exchanges],
                "outputs": [chatbot],
                "queue": False,
                "api_visibility": "private",
            }
            on_submit = question.submit(**waiting).then(
                self.respond, chat_inputs, chat_outputs, api_name="ask", **chat_options
            )
            on_ask = ask.click(**waiting).then(
                self.respond, chat_inputs, chat_outputs, api_visibility="private", **chat_options
            )
            on_example = (
                examples.click(lambda sample: sample[0], examples, question, queue=False, api_visibility="private")
                .then(**waiting)
                .then(self.respond, chat_inputs, chat_outputs, api_visibility="private", **chat_options)
            )
            running = [on_submit, on_ask, on_example]
            stop.click(
                self.stop, [exchanges], [chatbot, exchanges, sources], cancels=running, queue=False, api_name="stop"
            )
            clear.click(
                self.clear, None, [chatbot, exchanges, sources, debug], cancels=running, queue=False, api_name="clear"
            )

            # The chat's own trash button: forget the session too, not just the display.
            chatbot.clear(
                self.clear,
                None,
                [chatbot, exchanges, sources, debug],
                cancels=running,
                queue=False,
                api_visibility="private",
            )

            add.click(
                self.upload,
                [files],
                [status, table, to_remove, files],
                concurrency_limit=1,
                concurrency_id="index",
                api_name="upload",
            )
            remove.click(
                self.remove,
                [to_remove],
                [status, table, to_remove],
                concurrency_limit=1,
                concurrency_id="index",
                api_name="remove",
            )
            demo.load(self.documents_view, None, [table, to_remove], queue=False, api_visibility="private")
        demo.queue(max_size=self.queue_size, default_concurrency_limit=1)
        return demo  # type: ignore[no-any-return]

    def launch_options(self, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for ``Blocks.launch``: loopback by default, no share link, nothing extra served."""
        s = self.settings
        options: dict[str, Any] = {
            "server_name": s.host,
            "server_port": s.port,
            "share": False,
            "inbrowser": False,
            "max_file_size": s.max_upload_mb * 1024 * 1024,
            # The index and the models must never be reachable through /gradio_api/file=.
            "allowed_paths": [],
            "blocked_paths": [str(Path(s.data_dir).resolve()), str(Path(s.models_dir).resolve())],
            "show_error": False,
            "ssr_mode": False,
            "mcp_server": False,
            "pwa": False,
            "enable_monitoring": False,
            "footer_links": ["api", "settings"],
            "css": CSS,
        }
        if s.host in _LOOPBACK:
            # DNS rebinding: a page whose name is re-pointed at 127.0.0.1 would otherwise pass
            # Gradio's CORS check (it trusts the Host header) and could drive the UI.
            from starlette.middleware import Middleware
            from starlette.middleware.trustedhost import TrustedHostMiddleware

            hosts = ["127.0.0.1", "localhost", "[::1]", "::1"]
            options["app_kwargs"] = {"middleware": [Middleware(TrustedHostMiddleware, allowed_hosts=hosts)]}
        options.update(overrides)
        return options


_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def create_app(rag: RAG, **options: Any) -> gr.Blocks:
    """The Blocks app over ``rag`` (for tests and embedding); see :class:`ChatApp`."""
    return ChatApp(rag, **options).build()


def launch(settings: Settings) -> None:
    """Open the index and models once, then serve the UI until interrupted (``rag serve``)."""
    rag = RAG.open(settings=settings)
    app = ChatApp(rag)
    log.info("loading chat model %s", settings.chat_model)
    app.warm_up()
    if settings.host not in {"127.0.0.1", "localhost", "::1"}:
        log.warning("serving on %s: anyone who can reach this address can use the UI", settings.host)
    demo = app.build()
    log.info("serving on http://%s:%d", settings.host, settings.port)
    demo.launch(**app.launch_options())
