"""Time to first content in the chat UI, as a person sees it in a real browser.

Serves the UI exactly as ``rag serve`` does (``ChatApp`` over ``RAG.open`` with the
configured default models) over an index of ``seeds/`` built in a temporary folder,
drives Debian's headless Chromium through Playwright, and for each question measures,
with the page's own clock (``performance.now()``) from the Enter keydown:

- first evidence: source card 1 (``#src-1``) is in the sources panel (issue 13, item 5:
  target ≤ 1 s on a quiet machine);
- first token: the answer shows its first words (time to first token as the reader sees it);
- answer: the final answer and its cited sources are on show.

Prints one row per question and the p50 (median) of each. Not a test: it loads the real
models, so run it alone (``flock /tmp/model.lock python bench/ui_first_evidence.py``).
One unmeasured question first loads what is loaded lazily.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import RAG  # noqa: E402
from rag.config import load_settings  # noqa: E402
from ui.app import EXAMPLES, ChatApp  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
QUESTIONS = (*EXAMPLES, "Which countries took part in the E5 meeting in Paris?")
WARM_UP = "What is the EU training mission?"

# Installed before Enter is pressed: records when each milestone first shows, on the page's clock.
_WATCH = """before => {
  const t = window.__rag = {before, enter: null, evidence: null, token: null, done: null};
  const box = document.querySelector('#question textarea');
  box.addEventListener('keydown', e => { if (e.key === 'Enter' && t.enter === null) t.enter = performance.now(); });
  const placeholder = s => s === '' || s.includes('Searching the articles') || s.includes('Waiting for the model');
  const check = () => {
    if (t.enter === null) return;
    const now = performance.now();
    const panel = document.querySelector('#sources');
    if (t.evidence === null && panel && panel.querySelector('#src-1')) t.evidence = now;
    const replies = document.querySelectorAll('#chat [data-testid=bot]');
    if (replies.length <= before) return;
    const last = replies[replies.length - 1].innerText.trim();
    if (t.token === null && !placeholder(last)) t.token = now;
    if (t.done === null && !placeholder(last) && !last.includes('▌') && panel
        && !panel.innerText.includes('Writing the answer')) t.done = now;
  };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def measure(browser: Any, url: str, question: str) -> dict[str, float]:
    """Seconds from Enter to first evidence, first token and the whole answer, for one fresh page."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(300_000)
    page.goto(url)
    box = page.locator("#question textarea")
    box.wait_for()
    page.evaluate(_WATCH, page.locator("#chat [data-testid=bot]").count())
    box.fill(question)
    box.press("Enter")
    page.wait_for_function("window.__rag.done !== null && window.__rag.evidence !== null")
    t = page.evaluate("window.__rag")
    page.close()
    return {k: (t[k] - t["enter"]) / 1000 for k in ("evidence", "token", "done")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--questions", type=int, default=len(QUESTIONS), help="how many questions to time")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="ui-first-evidence-") as tmp:
        settings = load_settings(data_dir=Path(tmp) / "data")
        rag = RAG.open(settings=settings)
        rag.ingest([ROOT / "seeds"])
        app = ChatApp(rag)
        app.warm_up()  # as `rag serve` does before it serves
        demo = app.build()
        port = free_port()
        demo.launch(
            **app.launch_options(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
        )
        url = f"http://127.0.0.1:{port}/"
        rows = []
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM,
                    headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                )
                measure(browser, url, WARM_UP)
                for question in QUESTIONS[: args.questions]:
                    row = measure(browser, url, question)
                    rows.append(row)
                    print(
                        f"first evidence {row['evidence']:6.2f} s   first token {row['token']:6.2f} s   "
                        f"answer {row['done']:6.2f} s   {question}",
                        flush=True,
                    )
                browser.close()
        finally:
            demo.close()
    print(
        f"p50 over {len(rows)} questions ({settings.chat_model}, {settings.embed_model}, {os.cpu_count()} CPUs, "
        f"{time.strftime('%Y-%m-%d %H:%M')}): "
        + "   ".join(
            f"{name} {statistics.median(r[k] for r in rows):.2f} s"
            for name, k in (("first evidence", "evidence"), ("first token", "token"), ("answer", "done"))
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
