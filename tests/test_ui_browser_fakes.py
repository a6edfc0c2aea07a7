"""The UI in a real headless Chromium over the fakes: what a person sees while an answer is made.

- The sources panel shows the retrieved evidence before the model writes (issue 13, item 5).
- A reply the support check withdraws stays on show, struck through and labelled (issue 16, kind 7).
- A bad date in the settings is a one-line message (issue 14).
- "Export conversation" downloads the conversation as Markdown with its references (issue 15).
- 👎 on an answer, with a reason, is stored in data_dir/feedback.jsonl (issue 15).

The server runs hashed embeddings, an in-memory store and a scripted model (no model is
loaded, so these need no model lock): what is checked is what the page shows, not what a
real model would write. ``tests/test_ui_browser.py`` runs the real embedder.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from rag import Settings
from rag.protocols import Message
from tests.test_ui_browser import BOT, QUESTION, TIMEOUT_MS, ask, screenshot, wait_for_answer
from tests.ui_fixtures import SEEDS, GatedLLM, chromium_browser, fake_rag, quote_first_source, serve
from ui.app import ChatApp

pytestmark = pytest.mark.browser

# A question the model answers with a figure no passage has: the support check withdraws it.
WITHDRAW_QUESTION = "What was the budget of the EU training mission for Ukrainian soldiers, in zlotys?"
WITHDRAWN_REPLY = "The EU training mission's budget was exactly 987,654,321 zlotys in 1911 [1]."


def scripted_reply(messages: Sequence[Message]) -> str:
    """Quote source 1 and cite it, except for WITHDRAW_QUESTION: a claim no passage supports."""
    if "zlotys" in messages[-1]["content"]:
        return WITHDRAWN_REPLY
    return quote_first_source(messages)


@pytest.fixture(scope="module")
def server() -> Iterator[SimpleNamespace]:
    llm = GatedLLM(scripted_reply, delay=0.12)
    llm.gate.set()  # open: answers flow; a test closes it to keep the model busy
    with tempfile.TemporaryDirectory(prefix="ui-browser-fakes-") as tmp:
        # The real support check (min_support as configured), so a claim no passage has is withdrawn.
        rag = fake_rag(Path(tmp), llm=llm, min_support=Settings().min_support, max_tokens=64)
        rag.ingest([SEEDS])
        app = ChatApp(rag)
        with serve(app) as url:
            yield SimpleNamespace(url=url, app=app, llm=llm, data_dir=Path(rag.settings.data_dir))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def page(browser: Any, server: SimpleNamespace) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(server.url)
    page.locator("#question textarea").wait_for()
    yield page
    context.close()


def test_the_evidence_shows_before_the_answer_is_written(page: Any, server: SimpleNamespace) -> None:
    server.llm.gate.clear()  # the model writes one word, then holds until the gate opens
    try:
        before = ask(page, QUESTION)
        card = page.locator("#sources #src-1")
        card.wait_for(state="visible")
        reply = page.locator(BOT).last.inner_text()
        assert "▌" in reply or "Searching the articles" in reply  # the answer is not written yet
        first = server.app.rag.stream(QUESTION).sources[0].chunk
        assert first.doc_id in card.inner_text()
        assert "Writing the answer from" in page.locator("#sources").inner_text()
        assert page.locator("#sources mark").count() == 0  # no citation highlights before the answer
        screenshot(page, "evidence-first")
    finally:
        server.llm.gate.set()
    wait_for_answer(page, before)
    assert "Writing the answer" not in page.locator("#sources").inner_text()
    assert page.locator("#sources #src-1 summary mark").count() >= 1  # the cited sentence, once final


def test_a_reply_the_checks_withdraw_is_shown_struck_through_and_labelled(page: Any) -> None:
    before = ask(page, WITHDRAW_QUESTION)
    page.locator(BOT).filter(has_text="zlotys").filter(has_text="▌").first.wait_for()  # streamed as written
    wait_for_answer(page, before)
    reply = page.locator(BOT).last
    struck = reply.locator(".rag-withdrawn del")
    assert " ".join(struck.inner_text().split()) == WITHDRAWN_REPLY
    assert "line-through" in struck.evaluate("el => getComputedStyle(el).textDecorationLine")
    assert reply.get_by_text("withdrawn: not supported by the articles").is_visible()
    text = reply.inner_text()
    assert text.index("withdrawn: not supported") < text.index("The articles don't say.")  # the final answer after
    assert "withdrawn" in page.locator("#sources").inner_text()
    screenshot(page, "withdrawn")
    assert page.dialogs == []


def test_a_bad_date_in_the_settings_is_a_one_line_message(page: Any) -> None:
    page.locator("#settings").get_by_text("Settings").first.click()
    page.locator("#since textarea, #since input").first.fill("2025-13-01")
    ask(page, QUESTION)
    message = page.locator(BOT).last
    message.get_by_text("Since: '2025-13-01' is not a date").wait_for()
    assert "YYYY-MM-DD" in message.inner_text() and "Traceback" not in page.locator("body").inner_text()
    assert page.dialogs == []


def test_export_downloads_the_conversation_as_markdown_with_numbered_references(
    page: Any, server: SimpleNamespace, tmp_path: Path
) -> None:
    wait_for_answer(page, ask(page, QUESTION))
    answer = server.app.rag.ask(QUESTION)  # the same retrieval and scripted reply the page got
    page.locator("#export").click()
    link = page.locator('#exported a[download$=".md"]')
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    markdown = saved.read_text(encoding="utf-8")
    assert saved.suffix == ".md" and f"## 1. {QUESTION}" in markdown
    assert answer.text.strip() in markdown and answer.citations
    first = answer.citations[0]
    assert f"{first.marker}. {first.title}" in markdown and first.doc_id in markdown
    assert page.locator('#exported a[download$=".json"]').count() == 1
    assert "Exported 1 answer" in page.locator("#chat-status").inner_text()
    screenshot(page, "export")
    page.locator("#clear").click()  # a cleared chat takes its export list and any rating in progress with it
    page.locator("#exported").wait_for(state="hidden")
    assert page.locator(BOT).count() == 0
    page.locator("#export").click()
    page.locator("#chat-status").get_by_text("Nothing to export yet").wait_for()
    assert page.dialogs == []


def test_thumbs_down_with_a_reason_is_stored_as_a_feedback_line(page: Any, server: SimpleNamespace) -> None:
    import json

    feedback = server.data_dir / "feedback.jsonl"
    stored = feedback.read_text(encoding="utf-8").splitlines() if feedback.exists() else []
    wait_for_answer(page, ask(page, QUESTION))
    page.locator(BOT).last.hover()
    page.locator('#chat button[aria-label="Dislike"]').last.click()
    panel = page.locator("#feedback")
    panel.get_by_text("Not in the articles").click()
    panel.locator("#feedback-correction textarea").fill("The articles do not give this figure.")
    screenshot(page, "feedback")
    page.locator("#feedback-send").click()
    page.locator("#chat-status").get_by_text("👎 (not in the articles)").wait_for()
    assert not panel.is_visible()
    lines = feedback.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(stored) + 1
    record = json.loads(lines[-1])
    assert (record["verdict"], record["reason"]) == ("down", "not_in_articles")
    assert record["question"] == QUESTION and record["correction"] == "The articles do not give this figure."
    assert page.dialogs == []
