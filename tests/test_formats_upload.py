"""The UI's upload takes every new format: a saved page, a feed, a PDF and a dump with a bad line.

Through :class:`ui.app.ChatApp` with the fake backends, as the Documents tab's "Add"
button calls it; the status names the dump's bad line, and the documents table lists
the feed's and the dump's articles one per row.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.pdf_maker import make_pdf
from tests.ui_fixtures import fake_rag
from ui.app import ChatApp

DATA = Path(__file__).resolve().parent / "data"


def test_the_upload_takes_pages_feeds_pdfs_and_dumps(tmp_path: Path) -> None:
    app = ChatApp(fake_rag(tmp_path))
    browser = tmp_path / "browser-tmp"
    browser.mkdir()
    for name in ("news_page.html", "feed.xml", "dump.jsonl"):
        shutil.copyfile(DATA / name, browser / name)
    (browser / "edition.pdf").write_bytes(make_pdf([["Print edition", "Ferry fares fall to 3.20 euros."]]))
    status, rows, _, _ = app.upload([str(p) for p in sorted(browser.iterdir())], progress=None)
    ids = {row[0] for row in rows}
    assert {"news_page.html", "edition.pdf"} <= ids
    assert "https://valleycourier.example/2025/02/10/alder-bridge-reopens" in ids  # a feed item
    assert "https://news.example/museum-reopens" in ids  # a dump record after its bad lines
    assert len(ids) == 2 + 2 + 4
    assert "8 added" in status
    assert "Skipped dump.jsonl line 7: not valid JSON" in status
