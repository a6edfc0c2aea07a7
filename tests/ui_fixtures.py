"""Helpers for the UI tests: fake RAG instances, scripted chat models, a live server, Chromium."""

from __future__ import annotations

import re
import shutil
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from rag import RAG, testing
from rag.protocols import Message
from rag.testing import FakeLLM, free_port

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
MODELS = ROOT / "models"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def fake_rag(
    tmp_path: Path, reply: Any = "The EU set aside money for the mission [1].", *, llm: Any = None, **settings: Any
) -> RAG:
    """A RAG over the fakes; ``min_score=-1`` because hashed vectors score low, and no support
    gate (``min_support=0``) because scripted replies are about rendering, not grounding."""
    options = {"min_score": -1.0, "min_support": 0.0, **settings}
    return testing.fake_rag(tmp_path, reply=reply, llm=llm, **options)


def quote_first_source(messages: Sequence[Message]) -> str:
    """A reply that quotes the first sentence of source 1 and cites it: a model that always cites."""
    user = messages[-1]["content"]
    block = re.search(r'<source id="1">\n(?:\([^\n]*\)\n)?(.*?)</source>', user, re.S)
    if block is None:
        return "I cannot answer this from the provided articles."
    sentence = re.split(r"(?<=[.!?])\s", block.group(1).strip(), maxsplit=1)[0].rstrip(".")
    return f"{sentence} [1]."


class SlowLLM(FakeLLM):
    """A FakeLLM that waits ``delay`` seconds before each piece, like a model on a busy CPU."""

    def __init__(self, reply: Any = quote_first_source, *, delay: float = 0.1, **kwargs: Any) -> None:
        super().__init__(reply, **kwargs)
        self.delay = delay

    def stream_chat(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float,
        stop: Sequence[str] = (),
        **options: Any,  # grammar=, as FakeLLM takes it
    ) -> Iterator[str]:
        pieces = super().stream_chat(messages, max_tokens=max_tokens, temperature=temperature, stop=stop, **options)
        for piece in pieces:
            time.sleep(self.delay)
            yield piece


class GatedLLM(SlowLLM):
    """A SlowLLM whose answers stop after their first piece while ``gate`` is closed (it starts closed).

    The model is busy for exactly as long as the test needs, on any machine: a model
    that is merely slow (a delay per piece) may finish the first answer before a
    loaded machine has queued the second question.
    """

    def __init__(self, reply: Any = quote_first_source, *, delay: float = 0.0, **kwargs: Any) -> None:
        super().__init__(reply, delay=delay, **kwargs)
        self.gate = threading.Event()

    def stream_chat(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float,
        stop: Sequence[str] = (),
        **options: Any,
    ) -> Iterator[str]:
        pieces = super().stream_chat(messages, max_tokens=max_tokens, temperature=temperature, stop=stop, **options)
        for i, piece in enumerate(pieces):
            if i == 1:
                self.gate.wait(300)
            yield piece


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Launch ``app`` (a ChatApp) with its real launch options on a free loopback port; yields the URL."""
    demo = app.build()
    port = free_port()
    from ui.server import launch_options

    options = launch_options(app.settings, mcp=app.mcp, server_name="127.0.0.1", server_port=port)
    demo.launch(**options, prevent_thread_lock=True, quiet=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120  # a bound on a hang, not a speed target
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        demo.close()


def chromium() -> str:
    """Debian's Chromium, or a test failure that says how to install it."""
    if not Path(CHROMIUM).is_file() and shutil.which("chromium") is None:
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make browser` (apt-get install chromium).")
    return CHROMIUM if Path(CHROMIUM).is_file() else str(shutil.which("chromium"))


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """Headless Chromium driven by Playwright (fails, saying to run `make browser`, when missing)."""
    path = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
