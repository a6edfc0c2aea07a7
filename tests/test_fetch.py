"""URLs the user names: pages, feeds and PDFs fetched from a local HTTP server on 127.0.0.1.

The server is a thread running ``http.server``; it records every path asked of it, so
the tests can check that nothing is fetched that the user did not name (no images,
scripts or item links). Errors (unreachable, 404, redirect loops, non-http redirects,
oversize bodies, slow servers, unknown content) are one-line :class:`DocumentError`
messages naming the URL.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import rag.backends.embedders
from rag import RAG
from rag.errors import DocumentError
from rag.formats.web import fetch
from rag.loading import load_documents
from rag.testing import free_port
from tests.pdf_maker import make_pdf
from tests.test_cli import cli

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

PAGE = b"""<html><head><title>Dam inspected</title><link rel="stylesheet" href="/style.css">
<script src="/tracker.js"></script></head><body><nav><a href="/other">Other news</a></nav>
<article><h1>Dam inspected after the storm</h1><img src="/photo.jpg">
<p>Engineers inspected the Holm dam on Sunday and found no damage, the water board said.</p>
<p>The reservoir is at 92 percent of its capacity.</p></article></body></html>"""

ROUTES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/page": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE),
    "/feed": (200, {"Content-Type": "application/rss+xml"}, (DATA / "feed.xml").read_bytes()),
    "/feed-as-xml": (200, {"Content-Type": "text/xml"}, (DATA / "feed.xml").read_bytes()),
    "/edition": (200, {"Content-Type": "application/pdf"}, make_pdf([["Print edition", "The dam is safe."]])),
    "/untyped": (200, {"Content-Type": "application/octet-stream"}, PAGE),
    "/binary": (200, {"Content-Type": "application/octet-stream"}, bytes(range(256)) * 8),
    "/moved": (301, {"Location": "/page"}, b""),
    "/loop": (302, {"Location": "/loop"}, b""),
    "/to-ftp": (302, {"Location": "ftp://127.0.0.1/secret"}, b""),
    "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
    "/big": (200, {"Content-Type": "text/html"}, b"<p>" + b"word " * 2000 + b"</p>"),
}


class _Handler(BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        if self.path == "/slow":
            time.sleep(2)
        status, headers, body = ROUTES.get(self.path, (404, {"Content-Type": "text/plain"}, b"not found"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """(base URL on 127.0.0.1, the list of paths requested so far)."""
    seen: list[str] = []
    handler = type("Handler", (_Handler,), {"seen": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # poll_interval: shutdown() waits up to one poll, 0.5 s by default, and every test paid it
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_page_url_loads_its_article_and_fetches_nothing_else(server: tuple[str, list[str]]) -> None:
    base, seen = server
    [doc], skipped = load_documents([f"{base}/page"])
    assert skipped == [] and doc.doc_id == f"{base}/page" and doc.url == f"{base}/page"
    assert doc.title == "Dam inspected after the storm"
    assert "found no damage" in doc.text and "92 percent" in doc.text and "Other news" not in doc.text
    assert seen == ["/page"]  # no stylesheet, script, image or linked page


def test_a_feed_url_gives_its_items_without_following_their_links(server: tuple[str, list[str]]) -> None:
    base, seen = server
    for path in ("/feed", "/feed-as-xml"):
        docs, skipped = load_documents([base + path])
        assert skipped == [] and [d.title for d in docs] == [
            "Bridge on the Alder road reopens",
            "Valley library extends opening hours",
        ]
    assert seen == ["/feed", "/feed-as-xml"]


def test_a_pdf_url_and_a_redirected_url(server: tuple[str, list[str]]) -> None:
    base, _ = server
    [pdf], _ = load_documents([f"{base}/edition"])
    assert pdf.doc_id == f"{base}/edition" and "The dam is safe." in pdf.text
    [moved], _ = load_documents([f"{base}/moved"])
    assert moved.doc_id == f"{base}/moved" and moved.url == f"{base}/page" and "92 percent" in moved.text


def test_content_is_sniffed_when_the_server_gives_no_useful_type(server: tuple[str, list[str]]) -> None:
    base, _ = server
    assert fetch(f"{base}/untyped").kind == "html"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "answered 404 Not Found"),
        ("/loop", "redirects more than 5 times"),
        ("/to-ftp", "not http(s); it was not followed"),
        ("/to-file", "not http(s); it was not followed"),
        ("/binary", "is application/octet-stream, not a web page, feed, PDF or plain text"),
    ],
)
def test_fetch_errors_are_one_line_and_name_the_url(server: tuple[str, list[str]], path: str, message: str) -> None:
    base, _ = server
    docs, [(url, reason)] = load_documents([base + path])
    assert docs == [] and url == base + path
    assert reason.startswith(base + path) and message in reason and "\n" not in reason


def test_a_redirect_loop_stops_after_five_redirects(server: tuple[str, list[str]]) -> None:
    base, seen = server
    with pytest.raises(DocumentError):
        fetch(f"{base}/loop")
    assert len(seen) == 6  # the request and five redirects


def test_size_cap_and_timeout(server: tuple[str, list[str]]) -> None:
    base, _ = server
    with pytest.raises(DocumentError, match=r"/big is \d+ MB; the limit is 0 MB"):
        fetch(f"{base}/big", max_bytes=1000)
    with pytest.raises(DocumentError, match=r"/slow did not answer within 0 s"):
        fetch(f"{base}/slow", timeout=0.3)


def test_an_unreachable_host_and_other_schemes() -> None:
    url = f"http://127.0.0.1:{free_port()}/news"
    with pytest.raises(DocumentError, match="cannot be reached") as info:
        fetch(url)
    assert str(info.value).startswith(url)
    docs, skipped = load_documents(["ftp://127.0.0.1/news.xml", "file:///etc/passwd"])
    assert docs == [] and all("is not an http:// or https:// URL" in reason for _, reason in skipped)


def test_urls_and_files_load_together_and_a_bad_url_stops_nothing(server: tuple[str, list[str]]) -> None:
    base, _ = server
    docs, skipped = load_documents([DATA / "news_page.html", f"{base}/page", f"{base}/missing"])
    assert [d.doc_id for d in docs] == ["news_page.html", f"{base}/page"]
    assert [url for url, _ in skipped] == [f"{base}/missing"]


def test_re_fetching_a_page_is_an_update_not_a_new_document(server: tuple[str, list[str]], fake_rag: RAG) -> None:
    base, _ = server
    assert fake_rag.ingest([f"{base}/page"]).documents_added == 1
    again = fake_rag.ingest([f"{base}/page"])
    assert (again.documents_added, again.documents_unchanged) == (0, 1)


def test_rag_ingest_of_an_unreachable_url_is_one_line_without_loading_a_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("the embedder was loaded: the URL error should have come before")

    monkeypatch.setattr(rag.backends.embedders.SentenceTransformerEmbedder, "__init__", no_model)
    url = f"http://127.0.0.1:{free_port()}/story"
    result = cli(capsys, monkeypatch, "--data-dir", str(tmp_path / "data"), "ingest", url)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and url in lines[0] and "cannot be reached" in lines[0]
