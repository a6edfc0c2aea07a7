"""The UI in a real headless Chromium (Debian's, through Playwright): what a person sees and clicks.

The server runs the real embedder and a Chroma index of seeds/; the chat model is a
scripted one that quotes its first source (after a short delay per word), so that
the test can rely on an answer that cites and streams; the queue test holds it after
its first word (a gate) while a second user queues behind it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlparse

import pytest

from rag import RAG, Settings
from tests.ui_fixtures import ROOT, GatedLLM, chromium_browser, serve
from ui.app import ChatApp
from ui.render import cited_sentence

pytestmark = [pytest.mark.slow, pytest.mark.browser]

QUESTION = "How many Ukrainian soldiers are being trained by the EU mission?"
SHOTS = ROOT / "test-output" / "ui"
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def server(
    seeded_chroma_dir: Path, real_embedder: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SimpleNamespace]:
    """One server per module over a private copy of the seeded index (uploads change it)."""
    from rag.backends.chroma import ChromaStore

    data = tmp_path_factory.mktemp("browser") / "data"
    shutil.copytree(seeded_chroma_dir / "chroma", data / "chroma")
    llm = GatedLLM(delay=0.12)
    llm.gate.set()  # open: answers flow; a test closes it to keep the model busy
    rag = RAG(
        embedder=real_embedder,
        store=ChromaStore.persistent(data / "chroma"),
        llm=llm,
        settings=Settings(data_dir=data, models_dir=tmp_path_factory.mktemp("models"), max_tokens=64),
        lock_path=data / "write.lock",
    )
    app = ChatApp(rag)
    with serve(app) as url:
        yield SimpleNamespace(url=url, app=app, llm=llm)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def page(browser: Any, server: SimpleNamespace) -> Iterator[Any]:
    """A fresh browser session that records every request and fails on any dialog (an alert())."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.requests = []  # type: ignore[attr-defined]
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(server.url)
    page.locator("#question textarea").wait_for()
    yield page
    context.close()


BOT = "#chat [data-testid=bot]"


def ask(page: Any, question: str) -> int:
    """Type ``question`` and press Enter; returns how many replies the page showed before."""
    before = page.locator(BOT).count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    return before


def wait_for_answer(page: Any, before: int) -> str:
    """Until a new reply has finished streaming and the sources panel shows its sources; the reply."""
    page.wait_for_function(
        """before => {
            const replies = document.querySelectorAll('#chat [data-testid=bot]');
            const panel = document.querySelector('#sources');
            if (replies.length <= before || !panel) return false;
            const last = replies[replies.length - 1].innerText;
            return !last.includes('▌') && !last.includes('Searching the articles')
                && panel.querySelector('.rag-sources') !== null && !panel.innerText.includes('appear here');
        }""",
        arg=before,
    )
    return str(page.locator(BOT).last.inner_text())


def screenshot(page: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_question_answer_and_cited_sources(page: Any, server: SimpleNamespace) -> None:
    before = ask(page, QUESTION)
    page.locator(BOT).filter(has_text="▌").first.wait_for()  # the reply streams in
    reply = wait_for_answer(page, before)
    assert "[1]" in reply
    cited = server.app.rag.ask(QUESTION).citations[0]
    source = page.locator("#sources .rag-src").first
    assert cited.title and cited.title in source.inner_text()
    assert cited.doc_id in source.inner_text()
    assert source.locator("a").count() in (0, 1)
    if cited.url:
        link = source.locator("a").first
        assert link.get_attribute("href") == cited.url
        assert link.get_attribute("rel") == "noopener noreferrer nofollow"
        assert link.get_attribute("target") == "_blank"
    # Collapsed by default: the whole passage shows when the source is expanded.
    passage = source.locator(".rag-passage")
    assert not passage.is_visible()
    source.locator("summary").click()
    assert passage.is_visible()
    assert " ".join(passage.inner_text().split()) == " ".join(cited.text.split())
    uncited = page.locator("#sources details.rag-uncited")
    assert uncited.count() == 1 and uncited.get_attribute("open") is None
    page.locator("#settings").get_by_text("Settings").first.click()
    page.get_by_text("Debug: retrieval scores and timings of the last answer").click()
    assert "first token" in page.locator("#debug").inner_text()
    shot = screenshot(page, "answer")
    assert shot.stat().st_size > 10_000
    remote = [u for u in page.requests if urlparse(u).hostname not in {"127.0.0.1", "localhost", None}]
    assert remote == [], f"the page fetched from outside: {remote}"
    assert page.dialogs == []


def test_upload_article_is_listed_escaped_and_answerable(page: Any, server: SimpleNamespace, tmp_path: Path) -> None:
    article = tmp_path / "lisbon-floods.txt"
    article.write_text(
        "Tagus floods Lisbon <script>alert('title')</script>\n\n"
        "The river Tagus flooded the Lisbon lower town on Monday <img src=x onerror=alert('img')>. "
        "Firefighters evacuated 340 residents from the Alfama district.\n"
    )
    page.get_by_role("tab", name="Documents").click()
    page.locator("#upload input[type=file]").set_input_files(str(article))
    page.locator("#upload").get_by_text("lisbon-floods.txt").wait_for()  # uploaded to the server
    page.locator("#add").click()
    page.locator("#doc-status").get_by_text("1 added").wait_for()
    assert page.locator("#documents").get_by_text("lisbon-floods.txt").count() >= 1
    screenshot(page, "documents")
    assert (server.app.uploads_dir / "lisbon-floods.txt").read_text() == article.read_text()

    page.get_by_role("tab", name="Chat").click()
    before = ask(page, "How many residents did firefighters evacuate from the Alfama district when the Tagus flooded?")
    wait_for_answer(page, before)
    sources = page.locator("#sources").inner_text()
    assert "<script>alert('title')</script>" in sources  # shown as text...
    assert page.locator("#sources script, #sources img, #chat img").count() == 0  # ...never as markup
    assert page.dialogs == []

    server.app.remove(["lisbon-floods.txt"])  # leave the index as the other tests expect it


def test_second_user_sees_the_queue_and_stop_frees_the_model(browser: Any, server: SimpleNamespace) -> None:
    # The first answer holds after its first piece until the gate opens: busy for as long
    # as the second user needs to queue, however slow the machine or the browser.
    server.llm.gate.clear()
    try:
        stopped_and_answered(browser, server)
    finally:
        server.llm.gate.set()


def stopped_and_answered(browser: Any, server: SimpleNamespace) -> None:
    pages = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        pages.append(context.new_page())
        pages[-1].set_default_timeout(TIMEOUT_MS)
        pages[-1].goto(server.url)
    first, second = pages
    ask(first, QUESTION)
    first.locator(BOT).filter(has_text="▌").first.wait_for()
    waiting = ask(second, "Who is expected to sign the EU–NATO cooperation document?")
    second.locator("#chat").get_by_text("queue:").wait_for()  # Gradio's position, e.g. "queue: 1/1 | 0.1/4.4s"
    assert "Waiting for the model" in second.locator("#chat").inner_text()
    assert "Who is expected to sign" in second.locator("#chat").inner_text()
    screenshot(second, "second-user-waiting")
    first.locator("#stop").click()
    first.locator("#chat").get_by_text("(Stopped.)").wait_for()
    # The held generation sees the Stop at its next piece (a real model's next token),
    # then the waiting user's answer starts.
    server.llm.gate.set()
    wait_for_answer(second, waiting)
    assert "Who is expected to sign" in second.locator("#chat").inner_text()
    assert second.locator("#chat").get_by_text("(Stopped.)").count() == 0
    for p in pages:
        p.context.close()


def test_example_question_and_clear(page: Any) -> None:
    before = page.locator(BOT).count()
    page.locator("#examples").get_by_text("How much money did the EU set aside").click()
    wait_for_answer(page, before)
    assert "How much money did the EU set aside" in page.locator("#chat").inner_text()
    page.locator("#clear").click()
    page.locator("#sources").get_by_text("Sources of the answer appear here.").wait_for()
    assert page.locator(BOT).count() == 0


def test_clicking_a_citation_scrolls_to_and_highlights_its_source_card(browser: Any, server: SimpleNamespace) -> None:
    # Narrow enough that the sources panel sits below the chat, out of view until a [1] is followed.
    context = browser.new_context(viewport={"width": 700, "height": 600})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server.url)
    before = ask(page, QUESTION)
    wait_for_answer(page, before)
    link = page.locator(BOT).last.locator("a.rag-cite", has_text="[1]").first
    card = page.locator("#src-1")
    assert link.get_attribute("href") == "#src-1"
    assert link.get_attribute("title") == cited_sentence(server.app.rag.ask(QUESTION).citations[0])
    highlighted = "el => getComputedStyle(el.querySelector('.rag-src')).boxShadow"
    assert card.evaluate(highlighted) == "none"
    link.scroll_into_view_if_needed()
    assert not in_view(page, card)
    assert link.evaluate("el => el.tabIndex") == 0  # in the Tab order
    link.focus()  # followed with Enter, as a keyboard user would
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#src-1').matches(':target')")
    assert in_view(page, card)
    assert card.evaluate(highlighted) != "none"
    mark = card.locator("summary mark").first  # the cited sentence in the card's preview
    assert mark.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(251, 191, 36)"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "citation-click.png"))  # the viewport: what the reader sees after the jump
    # Back to the question box: the highlight goes, so the next answer's card 1 is not lit up by the old link.
    page.locator("#question textarea").focus()
    assert card.evaluate(highlighted) == "none"
    context.close()


def in_view(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] < height and box["y"] + box["height"] > 0
