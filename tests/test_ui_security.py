"""UI security, checked against the running app: in a real headless Chromium, and over raw HTTP.

- Markup in an article and in the model's answer renders as inert text: no dialog fires,
  no element is created from it, and the page fetches nothing from any host but the
  app's own loopback address. Both detectors are shown to work first (a positive control).
- Limits hold in the browser: an upload over ``max_upload_mb`` and a question over
  ``max_question_chars`` are refused with a message, and nothing is indexed or generated.
- Gradio's file routes refuse what ``tests/test_ui_api.py`` does not already cover:
  encoded and double-encoded ``..``, case variants of the route, symlinks planted in
  Gradio's own upload folder, the uploads folder, SSRF through ``file=http://...`` and
  ``proxy=``; cross-origin requests get no CORS grant.
- A request whose ``Host`` header names another site (DNS rebinding) is refused on a
  loopback server (this test found the gap; ``launch_options`` adds TrustedHostMiddleware).

The server runs fakes (hashed embeddings, an in-memory store, a scripted model): what is
checked here is what the UI does with hostile text, not what a real model would write.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.test_ui_api import raw_get
from tests.test_ui_browser import ask, wait_for_answer
from tests.ui_fixtures import ROOT, SlowLLM, fake_rag, serve
from ui.app import ChatApp

pytestmark = pytest.mark.slow

SHOTS = ROOT / "test-output" / "security"
TIMEOUT_MS = 60_000
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
SECRET = secrets.token_hex(8)  # written into every decoy file; a body that contains it leaked the file
MAX_QUESTION_CHARS = 300

# Every payload the issue lists, as they would appear in a scraped article or a model's reply.
PAYLOADS = (
    '<img src="http://attacker.example/x.png" onerror="alert(\'img\')">',
    "![x](http://attacker.example/y.png)",
    "<script>alert('script')</script>",
    "<a href=\"javascript:alert('link')\">details</a>",
    "[more](javascript:alert('md'))",
    '<iframe src="http://attacker.example/frame"></iframe>',
    '<svg onload="alert(\'svg\')"><circle r="1"/></svg>',
    "<style>body{background:url(http://attacker.example/css.png)}</style>",
    '<link rel="stylesheet" href="http://attacker.example/s.css">',
    '<meta http-equiv="refresh" content="0;url=http://attacker.example/">',
    '<object data="http://attacker.example/o.swf"></object>',
)
ARTICLE = (
    "Tagus floods Lisbon <script>alert('title')</script> <img src=\"http://attacker.example/t.png\">\n"
    "Source: http://attacker.example/a\"><img/src=x/onerror=alert('href')>\n"
    "Date: 2025-03-01\n\n"
    "The river Tagus flooded the Lisbon lower town on Monday. " + " ".join(PAYLOADS[:4]) + "\n\n"
    "Firefighters evacuated 340 residents from the Alfama district. " + " ".join(PAYLOADS[4:]) + "\n"
)
REPLY = "The Tagus flooded Lisbon [1]. " + " ".join(PAYLOADS) + " Firefighters evacuated 340 residents [1]."
QUESTION = "How many residents did firefighters evacuate when the Tagus flooded Lisbon?"
# Elements and attributes that hostile text must never become inside the app's own panels.
FORBIDDEN = (
    "script, img, iframe, object, embed, svg, style, link, meta, form, "
    "[onerror], [onload], [onclick], [onmouseover], a[href^='javascript:' i], [src^='http://attacker' i]"
)
PANELS = ("#chat", "#sources", "#debug", "#documents", "#doc-status", "#upload")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The real ChatApp and launch options over fakes, with small limits and decoy secret files."""
    tmp = tmp_path_factory.mktemp("security")
    llm = SlowLLM(REPLY, delay=0.02)  # streams, so partial renders are checked too
    rag = fake_rag(tmp, llm=llm, max_upload_mb=1, max_question_chars=MAX_QUESTION_CHARS)
    data, models = Path(rag.settings.data_dir).resolve(), Path(rag.settings.models_dir).resolve()
    decoys = {
        "index": data / "chroma" / "chroma.sqlite3",
        "keyword": data / "keyword-news.sqlite3",
        "upload": data / "uploads" / "private-notes.txt",
        "model": models / "decoy.Q4_K_M.gguf",
    }
    for path in decoys.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"SQLite format 3\x00" + SECRET.encode() + b"\n")
    app = ChatApp(rag)
    with serve(app) as url:
        yield SimpleNamespace(url=url, app=app, rag=rag, llm=llm, data=data, models=models, decoys=decoys, tmp=tmp)


# -- in the browser -------------------------------------------------------------------------


@pytest.fixture
def page(browser: Any, server: SimpleNamespace) -> Iterator[Any]:
    """A fresh session recording every request and dialog; requests to other hosts are aborted."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.requests, page.dialogs = [], []  # type: ignore[attr-defined]
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))

    def only_loopback(route: Any) -> None:
        # Recorded by the "request" listener above; aborted so that an offline DNS lookup cannot stall the page.
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK_HOSTS:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_loopback)
    page.goto(server.url)
    page.locator("#question textarea").wait_for()
    yield page
    context.close()


def outside_requests(page: Any) -> list[str]:
    return [
        u for u in page.requests if not u.startswith(("data:", "blob:")) and urlparse(u).hostname not in LOOPBACK_HOSTS
    ]


def forbidden_elements(page: Any) -> list[str]:
    """outerHTML (cut) of every forbidden element inside the app's panels.

    Gradio's own icons are inline ``<svg>`` (some with a ``<style>`` inside); an svg counts
    only when it, or what it holds, carries a handler, ``alert`` or the attacker's host.
    """
    return list(
        page.evaluate(
            """([panels, selector]) => panels.flatMap(p => Array.from(document.querySelectorAll(p)))
                .flatMap(root => Array.from(root.querySelectorAll(selector)))
                .filter(el => {
                    const svg = el.closest('svg');
                    return !svg || /alert|attacker|\\son[a-z]+\\s*=/i.test(svg.outerHTML);
                })
                .map(el => el.outerHTML.slice(0, 160))""",
            [list(PANELS), FORBIDDEN],
        )
    )


def screenshot(page: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def bot_text(page: Any) -> str:
    return str(page.locator("#chat [data-testid=bot]").last.inner_text())


@pytest.mark.browser
def test_markup_in_an_article_and_in_the_answer_stays_inert_text(page: Any, server: SimpleNamespace) -> None:
    # The detectors work: an element the page really creates is seen fetching, a real alert() is seen.
    page.evaluate("() => { const i = new Image(); i.src = 'http://attacker.example/control.png'; }")
    page.evaluate("() => alert('control')")
    page.wait_for_timeout(300)
    assert "http://attacker.example/control.png" in outside_requests(page)
    assert page.dialogs == ["control"]
    page.requests.clear()
    page.dialogs.clear()

    # An article full of markup, uploaded as a user would, under a hostile file name.
    article = server.tmp / "tagus <svg onload=alert('name')>.txt"
    article.write_text(ARTICLE)
    page.get_by_role("tab", name="Documents").click()
    page.locator("#upload input[type=file]").set_input_files(str(article))
    page.locator("#upload").get_by_text("tagus").first.wait_for()
    page.locator("#add").click()
    page.locator("#doc-status").get_by_text("1 added").wait_for()
    table = page.locator("#documents").inner_text()
    assert "<script>alert('title')</script>" in table  # the title, shown as text
    screenshot(page, "hostile-article-listed")

    page.get_by_role("tab", name="Chat").click()
    ask(page, QUESTION)
    wait_for_answer(page, 0)
    page.evaluate("() => document.querySelectorAll('#sources details').forEach(d => d.open = true)")
    page.locator("#settings").get_by_text("Settings").first.click()
    page.get_by_text("Debug: retrieval scores and timings of the last answer").click()
    page.wait_for_timeout(1000)  # time for anything that would load or run to do so
    screenshot(page, "hostile-answer-and-sources")

    reply, sources = bot_text(page), page.locator("#sources").inner_text()
    for payload in (
        "<script>alert('script')</script>",
        "![x](http://attacker.example/y.png)",
        '<iframe src="http://attacker.example/frame"></iframe>',
    ):
        assert payload in reply, (payload, reply[:500])  # the model's markup, as text
    assert "<svg onload=\"alert('svg')\">" in sources and "javascript:alert('link')" in sources  # the article's
    assert forbidden_elements(page) == []
    assert page.locator("a[href^='javascript:' i]").count() == 0
    # The article's source URL is a plain link whose quotes could not break out of href.
    link = page.locator("#sources a[href*='attacker.example']").first
    assert link.get_attribute("href") == "http://attacker.example/a\"><img/src=x/onerror=alert('href')>"
    assert link.get_attribute("rel") == "noopener noreferrer nofollow"
    assert page.dialogs == []
    assert outside_requests(page) == [], "the page fetched from outside"
    server.app.remove([d.doc_id for d in server.rag.documents() if d.doc_id.startswith("tagus")])


@pytest.mark.browser
def test_an_upload_over_the_size_limit_is_refused_with_a_message(page: Any, server: SimpleNamespace) -> None:
    big = server.tmp / "big-article.txt"
    big.write_text(("The mission trains soldiers in Poland and Germany. " * 40 + "\n\n") * 1000)  # ~2 MB
    assert big.stat().st_size > 2 * 1024 * 1024 * 0.95
    before = [d.doc_id for d in server.rag.documents()]
    page.get_by_role("tab", name="Documents").click()
    page.locator("#upload input[type=file]").set_input_files(str(big))
    toast = page.get_by_text(re.compile(r"exceed the maximum allowed size of 1(\.0)? ?Mb", re.I))
    toast.first.wait_for()
    assert "big-article.txt" in toast.first.inner_text()
    screenshot(page, "upload-over-limit")
    page.locator("#add").click()  # nothing was accepted, so there is nothing to add
    page.locator("#doc-status").get_by_text("Choose one or more").wait_for()
    assert [d.doc_id for d in server.rag.documents()] == before
    assert not (server.app.uploads_dir / big.name).exists()
    assert "big-article.txt" not in page.locator("#documents").inner_text()
    assert page.dialogs == [] and outside_requests(page) == []


def test_an_upload_over_the_size_limit_is_refused_by_the_server_too(server: SimpleNamespace) -> None:
    """The browser's check can be skipped; Gradio's upload route enforces max_file_size itself."""
    boundary, name = "----ragsecurity", secrets.token_hex(6)
    content = b"x" * (2 * 1024 * 1024)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big-{name}.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    parsed = urlparse(server.url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    try:
        conn.request(
            "POST",
            "/gradio_api/upload",
            body=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        resp = conn.getresponse()
        status, text = resp.status, resp.read().decode(errors="replace")
    finally:
        conn.close()
    assert status == 413, (status, text[:300])
    assert "maximum allowed size" in text
    gradio_tmp = Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")
    assert not list(gradio_tmp.glob(f"*/big-{name}.txt"))  # nothing of it was kept


@pytest.mark.browser
def test_a_question_over_the_length_limit_is_refused_with_a_message(page: Any, server: SimpleNamespace) -> None:
    asked = len(server.llm.prompts)
    box = page.locator("#question textarea")
    box.fill("Why did the river flood? " * (MAX_QUESTION_CHARS // 20))  # 375 characters
    box.press("Enter")
    page.locator("#chat").get_by_text(f"the limit is {MAX_QUESTION_CHARS}").wait_for()
    assert "(setting max_question_chars). Shorten it." in bot_text(page)
    assert f"the limit is {MAX_QUESTION_CHARS}" in page.locator("#sources").inner_text()  # the status panel says it too
    screenshot(page, "question-over-limit")
    assert len(server.llm.prompts) == asked  # refused before retrieval and generation
    assert page.dialogs == [] and outside_requests(page) == []


# -- over raw HTTP --------------------------------------------------------------------------


def _leaked(body: bytes) -> bool:
    return SECRET.encode() in body or b"root:x:0:0" in body


@pytest.mark.parametrize(
    "path",
    [
        # `..` encoded, double-encoded, and mixed; test_ui_api.py covers the plain and %2e%2e/ forms.
        "/gradio_api/file=..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/gradio_api/file=%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/gradio_api/file=%252e%252e%252f%252e%252e%252f%252e%252e%252f%252e%252e%252fetc%252fpasswd",
        "/gradio_api/file=%2fetc%2fpasswd",
        "/gradio_api/file=//etc//passwd",
        "/gradio_api/file=/etc/./passwd",
        "/gradio_api/file=/etc/passwd%00.txt",
        "/gradio_api/file={gradio_tmp}/../../../../etc/passwd",
        # The route's own name in other cases, and the deprecated and unprefixed forms.
        "/GRADIO_API/FILE=/etc/passwd",
        "/gradio_api/File=/etc/passwd",
        "/gradio_api/FILE={index}",
        "/Gradio_Api/file={index}",
        "/gradio_api/file/{index}",
        "/gradio_api/file/etc/passwd",
        "/file={index}",
        "/file=/etc/passwd",
        # The data dir, its files and the models under other spellings of their paths.
        "/gradio_api/file={data}",
        "/gradio_api/file={DATA}/chroma/chroma.sqlite3",
        "/gradio_api/file={data}//chroma/./chroma.sqlite3",
        "/gradio_api/file={data}/../{data_name}/chroma/chroma.sqlite3",
        "/gradio_api/file={keyword}",
        "/gradio_api/file={upload}",
        "/gradio_api/file={model}",
        "/gradio_api/file={MODEL}",
        # Static routes.
        "/static/../../../../../../etc/passwd",
        "/assets/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/favicon.ico/../../../../etc/passwd",
    ],
)
def test_file_routes_refuse_traversal_case_and_encoding_tricks(server: SimpleNamespace, path: str) -> None:
    d = server.decoys
    target = path.format(
        gradio_tmp=_gradio_tmp(),
        index=d["index"],
        data=server.data,
        DATA=str(server.data).upper(),
        data_name=server.data.name,
        keyword=d["keyword"],
        upload=d["upload"],
        model=d["model"],
        MODEL=str(d["model"]).upper(),
    )
    status, body = raw_get(server.url, target)
    assert status != 200 or not _leaked(body), (status, body[:200])
    assert not _leaked(body)


def _gradio_tmp() -> Path:
    return Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")


def test_symlinks_planted_in_gradios_upload_folder_are_refused(server: SimpleNamespace) -> None:
    """Gradio serves files it created (its upload folder); a link there must not reach the index or /etc."""
    folder = _gradio_tmp() / f"rag-security-{secrets.token_hex(6)}"  # not SECRET: refusals echo the path
    folder.mkdir(parents=True)
    try:
        links = {"index": server.decoys["index"], "model": server.decoys["model"], "passwd": Path("/etc/passwd")}
        for name, target in links.items():
            (folder / name).symlink_to(target)
        (folder / "dir").symlink_to(server.data, target_is_directory=True)
        for path in [*(folder / n for n in links), folder / "dir" / "chroma" / "chroma.sqlite3"]:
            status, body = raw_get(server.url, f"/gradio_api/file={path}")
            assert status in {403, 404}, (path, status, body[:200])
            assert not _leaked(body)
        # A plain file there is served: the refusals above are the links', not the folder's.
        (folder / "plain.txt").write_text("plain")
        assert raw_get(server.url, f"/gradio_api/file={folder / 'plain.txt'}") == (200, b"plain")
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize(
    "route",
    [
        "/gradio_api/file=http://127.0.0.1:{port}/gradio_api/info",
        "/gradio_api/file=http://localhost:{port}/config",
        "/gradio_api/file=http://[::1]:{port}/config",
        "/gradio_api/file=http://0.0.0.0:{port}/config",
        "/gradio_api/file=http://169.254.169.254/latest/meta-data/",
        "/gradio_api/file=http://attacker.example/x.png",
        "/gradio_api/proxy=http://127.0.0.1:{port}/gradio_api/info",
        "/gradio_api/proxy=https://attacker.hf.space/config",
    ],
)
def test_file_and_proxy_routes_fetch_nothing_for_a_caller(server: SimpleNamespace, route: str) -> None:
    """No SSRF: the server fetches no loopback, link-local or unresolvable URL on a caller's behalf."""
    port = urlparse(server.url).port
    t0 = time.monotonic()
    status, body = raw_get(server.url, route.format(port=port))
    assert status in {400, 403}, (status, body[:200])
    assert b"named_endpoints" not in body and b"components" not in body
    assert time.monotonic() - t0 < 15


def _request(server: SimpleNamespace, method: str, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    parsed = urlparse(server.url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    conn.request(method, path, headers=headers)
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp


def test_cross_origin_requests_get_no_cors_grant(server: SimpleNamespace) -> None:
    attacker = {"Origin": "http://attacker.example"}
    preflight = _request(
        server, "OPTIONS", "/gradio_api/queue/join", {**attacker, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.getheader("access-control-allow-origin") is None
    simple = _request(server, "GET", "/gradio_api/info", attacker)
    assert simple.getheader("access-control-allow-origin") is None
    # Positive control: the app's own origin is granted.
    own = f"http://127.0.0.1:{urlparse(server.url).port}"
    assert _request(server, "GET", "/gradio_api/info", {"Origin": own}).getheader("access-control-allow-origin") == own


def test_a_request_for_another_host_name_is_refused(server: SimpleNamespace) -> None:
    """DNS rebinding: attacker.example resolves to 127.0.0.1, and its page calls the app as same-origin."""
    port = urlparse(server.url).port
    rebound = {"Host": f"attacker.example:{port}", "Origin": f"http://attacker.example:{port}"}
    for method, path in (("GET", "/"), ("GET", "/gradio_api/info"), ("GET", "/config")):
        assert _request(server, method, path, rebound).status in {400, 403, 421}, path
    body = json.dumps({"data": [QUESTION]}).encode()
    parsed = urlparse(server.url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    conn.request("POST", "/gradio_api/call/ask", body=body, headers={**rebound, "Content-Type": "application/json"})
    status = conn.getresponse().status
    conn.close()
    assert status in {400, 403, 421}
