"""The page of the chat UI: its sections (Chat, settings, Documents) and their wiring to the handlers.

One function lays out each section and returns its components as a small frozen
dataclass; :func:`build_page` puts them on the page and wires each event to a
handler method of :class:`ui.app.ChatApp`. Nothing here answers, renders HTML or
touches files: that is the handlers' and :mod:`ui.render`'s job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr
from gradio.events import api as gradio_api

from rag import Settings
from rag.loading import SUFFIXES
from ui.render import empty_sources

if TYPE_CHECKING:
    from ui.app import ChatApp

__all__ = ["FEEDBACK_REASONS", "ChatPage", "DocumentsPage", "SettingsPanel", "build_page"]

# The "what was wrong" choices of a thumbs-down: (label, rag.feedback.REASONS value).
FEEDBACK_REASONS = (
    ("Wrong", "wrong"),
    ("Not in the articles", "not_in_articles"),
    ("Wrong source", "wrong_source"),
    ("Incomplete", "incomplete"),
)


@dataclass(frozen=True)
class ChatPage:
    """The components of the Chat tab that handlers read or write."""

    exchanges: gr.State
    chatbot: gr.Chatbot
    question: gr.Textbox
    ask: gr.Button
    stop: gr.Button
    clear: gr.Button
    examples: gr.Dataset
    sources: gr.HTML
    export: gr.Button
    exported: gr.File
    status: gr.HTML  # one-line confirmations (export, feedback) under the chat
    rated: gr.State  # the index of the exchange a thumbs-down is being written for
    feedback: gr.Group
    reason: gr.Radio
    correction: gr.Textbox
    send: gr.Button


@dataclass(frozen=True)
class SettingsPanel:
    """The answer settings and the debug panel, under the chat."""

    top_k: gr.Slider
    temperature: gr.Slider
    chat_model: gr.Dropdown
    since: gr.Textbox
    until: gr.Textbox
    debug: gr.HTML


@dataclass(frozen=True)
class DocumentsPage:
    """The components of the Documents tab."""

    files: gr.File
    add: gr.Button
    status: gr.HTML
    table: gr.Dataframe
    to_remove: gr.Dropdown
    remove: gr.Button


def build_page(app: ChatApp) -> gr.Blocks:
    """The whole page: header, Chat tab (with settings), Documents tab, and their wiring."""
    with gr.Blocks(title="News Q&A", analytics_enabled=False) as demo:
        gr.Markdown(
            "## Ask the news articles\nAnswers come only from the indexed articles, "
            "with numbered sources you can check."
        )
        exchanges = gr.State(())
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                chat = chat_section(exchanges, app.examples)
                settings = settings_section(app.settings, app.chat_models())
            with gr.Tab("Documents", id="documents"):
                docs = documents_section()
        wire_chat(app, chat, settings)
        wire_documents(app, docs)
        # Blocking question answering and retrieval for API clients, and the MCP tools.
        gradio_api(app.ask, api_name="answer", concurrency_limit=1, concurrency_id="answer")
        gradio_api(app.search, api_name="search", concurrency_limit=1, concurrency_id="search")
        demo.load(app.documents_view, None, [docs.table, docs.to_remove], queue=False, api_visibility="private")
    demo.queue(max_size=app.queue_size, default_concurrency_limit=1)
    return demo  # type: ignore[no-any-return]


def chat_section(exchanges: gr.State, questions: Sequence[str]) -> ChatPage:
    """Conversation, question box, buttons and examples on the left; sources on the right."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="Conversation",
                height=460,
                elem_id="chat",
                sanitize_html=True,
                render_markdown=False,
                latex_delimiters=[],
                feedback_options=("Like", "Dislike"),
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
                export = gr.Button("Export conversation", elem_id="export")
            status = gr.HTML("", elem_id="chat-status", js_on_load=None)
            rated = gr.State(None)
            with gr.Group(visible=False, elem_id="feedback") as feedback:
                reason = gr.Radio(
                    list(FEEDBACK_REASONS),
                    value=None,
                    label="What was wrong? (optional)",
                    elem_id="feedback-reason",
                )
                correction = gr.Textbox(
                    label="Correction (optional): the right answer, as a short fact",
                    lines=1,
                    max_lines=4,
                    elem_id="feedback-correction",
                )
                send = gr.Button("Send feedback", elem_id="feedback-send", size="sm")
            exported = gr.File(
                label="Exported conversation (Markdown and JSON)",
                file_count="multiple",
                interactive=False,
                visible=False,
                elem_id="exported",
            )
            examples = gr.Dataset(
                components=[question],
                samples=[[q] for q in questions],
                label="Example questions",
                elem_id="examples",
            )
        with gr.Column(scale=2):
            sources = gr.HTML(empty_sources(), label="Sources", elem_id="sources", js_on_load=None)
    return ChatPage(
        exchanges,
        chatbot,
        question,
        ask,
        stop,
        clear,
        examples,
        sources,
        export,
        exported,
        status,
        rated,
        feedback,
        reason,
        correction,
        send,
    )


def settings_section(s: Settings, models: Sequence[str]) -> SettingsPanel:
    """The collapsed settings (top_k, temperature, chat model, date range) and the debug panel."""
    with gr.Accordion("Settings", open=False, elem_id="settings"):
        with gr.Row():
            top_k = gr.Slider(1, 20, value=s.top_k, step=1, label="Passages to retrieve (top_k)")
            temperature = gr.Slider(0.0, 1.5, value=s.temperature, step=0.05, label="Temperature")
            chat_model = gr.Dropdown(models, value=models[0], label="Chat model")
        with gr.Row():
            since = gr.Textbox(label="Since", placeholder="YYYY-MM-DD (empty: no limit)", elem_id="since", max_lines=1)
            until = gr.Textbox(label="Until", placeholder="YYYY-MM-DD (empty: no limit)", elem_id="until", max_lines=1)
        with gr.Accordion("Debug: retrieval scores and timings of the last answer", open=False):
            debug = gr.HTML("", label="Debug", elem_id="debug", js_on_load=None)
    return SettingsPanel(top_k, temperature, chat_model, since, until, debug)


def documents_section() -> DocumentsPage:
    """Upload, the table of indexed documents, and removal."""
    files = gr.File(
        label=f"Add articles ({', '.join(SUFFIXES)})",
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
    return DocumentsPage(files, add, status, table, to_remove, remove)


def wire_chat(app: ChatApp, c: ChatPage, s: SettingsPanel) -> None:
    """Enter, Ask and the examples answer; Stop, Clear and the chat's trash button cancel."""
    inputs = [c.question, c.exchanges, s.top_k, s.temperature, s.chat_model, s.since, s.until]
    outputs = [c.chatbot, c.exchanges, c.sources, s.debug, c.question]
    # One model, one question at a time, across all sessions and all triggers.
    answer: dict[str, Any] = {
        "concurrency_limit": 1,
        "concurrency_id": "answer",
        "show_progress": "full",
        "show_progress_on": [c.chatbot],
    }
    # Show the question at once, queue or not; the answer replaces the waiting note when it starts.
    waiting: dict[str, Any] = {
        "fn": app.waiting,
        "inputs": [c.question, c.exchanges],
        "outputs": [c.chatbot],
        "queue": False,
        "api_visibility": "private",
    }
    listed = listed_visibility(app)
    on_submit = c.question.submit(**waiting).then(
        app.respond, inputs, outputs, api_name="ask", api_visibility=listed, **answer
    )
    on_ask = c.ask.click(**waiting).then(app.respond, inputs, outputs, api_visibility="private", **answer)
    on_example = (
        c.examples.click(lambda sample: sample[0], c.examples, c.question, queue=False, api_visibility="private")
        .then(**waiting)
        .then(app.respond, inputs, outputs, api_visibility="private", **answer)
    )
    running = [on_submit, on_ask, on_example]
    c.stop.click(
        app.stop,
        [c.exchanges],
        [c.chatbot, c.exchanges, c.sources],
        cancels=running,
        queue=False,
        api_name="stop",
        api_visibility=listed,
    )
    cleared = [c.chatbot, c.exchanges, c.sources, s.debug]
    # A thumbs-down being written refers to an answer by its place in the chat: gone with the chat.
    reset: dict[str, Any] = {
        "fn": app.forget_feedback,
        "inputs": None,
        "outputs": [c.rated, c.feedback, c.exported, c.status],
        "queue": False,
        "api_visibility": "private",
    }
    c.clear.click(app.clear, None, cleared, cancels=running, queue=False, api_name="clear", api_visibility=listed).then(
        **reset
    )
    # The chat's own trash button: forget the session too, not just the display.
    c.chatbot.clear(app.clear, None, cleared, cancels=running, queue=False, api_visibility="private").then(**reset)
    c.export.click(app.export, [c.exchanges], [c.exported, c.status], queue=False, api_visibility="private")
    c.chatbot.like(app.like, [c.exchanges], [c.rated, c.feedback, c.status], queue=False, api_visibility="private")
    c.send.click(
        app.send_feedback,
        [c.exchanges, c.rated, c.reason, c.correction],
        [c.rated, c.feedback, c.reason, c.correction, c.status],
        queue=False,
        api_visibility="private",
    )


def wire_documents(app: ChatApp, d: DocumentsPage) -> None:
    """Add and Remove, one indexing job at a time."""
    index: dict[str, Any] = {"concurrency_limit": 1, "concurrency_id": "index"}
    listed = listed_visibility(app)
    outputs = [d.status, d.table, d.to_remove]
    d.add.click(app.upload, [d.files], [*outputs, d.files], api_name="upload", api_visibility=listed, **index)
    d.remove.click(app.remove, [d.to_remove], outputs, api_name="remove", api_visibility=listed, **index)


def listed_visibility(app: ChatApp) -> Any:
    """The UI's own named endpoints: public, or callable but unlisted when MCP is on (not tools)."""
    return "undocumented" if app.mcp else "public"
