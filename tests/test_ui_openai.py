"""The OpenAI-compatible API and the MCP tools served beside the UI (issue 15), over the fakes.

One server (``demo.launch`` with the UI's own launch options) serves the page at ``/`` and
``rag.api`` at ``/v1``; the official ``openai`` client talks to it. No model is loaded.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr
import pytest

from rag import Settings
from rag.api import create_api
from rag.testing import free_port
from tests.ui_fixtures import SEEDS, fake_rag
from ui import server as ui_server
from ui.app import ChatApp

QUESTION = "How much money did the EU set aside for weapons and equipment for the training mission?"
REPLY = "The EU set aside money for weapons and equipment for the training mission [1]."
KEY = "test-key-4f1c"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    rag = fake_rag(tmp_path_factory.mktemp("ui-openai"), REPLY)
    rag.ingest([SEEDS])
    app = ChatApp(rag)
    demo = app.build()
    port = free_port()
    options = ui_server.launch_options(
        app.settings, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True
    )
    demo.launch(**ui_server.with_api(options, create_api(rag, api_key=KEY)))
    try:
        yield SimpleNamespace(app=app, port=port, url=f"http://127.0.0.1:{port}")
    finally:
        demo.close()


def get(server: SimpleNamespace, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_the_openai_client_gets_a_cited_answer_from_the_ui_server(server: SimpleNamespace) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{server.url}/v1", api_key=KEY, max_retries=0)
    [model] = client.models.list().data
    assert model.id == server.app.settings.chat_model
    reply = client.chat.completions.create(model=model.id, messages=[{"role": "user", "content": QUESTION}])
    assert reply.choices[0].message.content == REPLY
    citations = reply.model_extra["citations"]  # type: ignore[index]
    expected = server.app.rag.ask(QUESTION).citations[0]
    assert citations[0]["marker"] == 1 and citations[0]["doc_id"] == expected.doc_id
    chunks = client.chat.completions.create(
        model=model.id, messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == REPLY
    status, page = get(server, "/")
    assert status == 200 and b"<html" in page.lower()  # the UI, on the same server


def test_the_api_beside_the_ui_needs_the_key_and_keeps_the_trusted_host_check(server: SimpleNamespace) -> None:
    from openai import AuthenticationError, OpenAI

    with pytest.raises(AuthenticationError):
        OpenAI(base_url=f"{server.url}/v1", api_key="wrong", max_retries=0).models.list()
    assert get(server, "/v1/models")[0] == 401
    auth = {"Authorization": f"Bearer {KEY}"}
    assert get(server, "/v1/models", auth)[0] == 200
    # DNS rebinding: the same request for another host name is refused before the API sees it.
    assert get(server, "/v1/models", {**auth, "Host": f"evil.example:{server.port}"})[0] == 400
    assert get(server, "/", {"Host": "evil.example"})[0] == 400
    assert get(server, "/config")[0] == 200  # the UI needs no key


def launched(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **kwargs: Any) -> dict[str, Any]:
    """The options ``launch`` passes to ``Blocks.launch`` (nothing is served)."""
    host = kwargs.pop("host", "127.0.0.1")
    rag = fake_rag(tmp_path, REPLY, host=host)
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(ui_server.RAG, "open", staticmethod(lambda **_: rag))
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **options: calls.append(options))
    ui_server.launch(Settings(data_dir=tmp_path / "data", host=host), **kwargs)
    [options] = calls
    return options


def api_mounted(options: dict[str, Any]) -> bool:
    return any(getattr(r, "path", "") == "/v1" for r in options.get("app_kwargs", {}).get("routes", []))


def test_launch_serves_the_api_on_loopback_and_off_loopback_only_with_a_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = launched(monkeypatch, tmp_path / "a")
    assert api_mounted(options) and options["mcp_server"] is False
    # Said without -v, beside Gradio's own "Running on local URL" line.
    assert "* OpenAI-compatible API at http://127.0.0.1:7860/v1" in capsys.readouterr().out
    assert options["app_kwargs"]["middleware"]  # the trusted-host check is still there
    assert not api_mounted(launched(monkeypatch, tmp_path / "b", host="0.0.0.0"))
    assert api_mounted(launched(monkeypatch, tmp_path / "c", host="0.0.0.0", api_key=KEY))
    assert launched(monkeypatch, tmp_path / "d", mcp=True)["mcp_server"] is True


def named_endpoints(app: ChatApp) -> set[str]:
    return set(app.build().get_api_info()["named_endpoints"])


def test_with_mcp_only_ask_and_search_are_listed_as_tools(tmp_path: Path) -> None:
    rag = fake_rag(tmp_path, REPLY)
    plain = named_endpoints(ChatApp(rag))
    assert {"/ask", "/upload", "/remove", "/answer", "/search"} <= plain
    assert named_endpoints(ChatApp(rag, mcp=True)) == {"/answer", "/search"}
    assert ChatApp.ask.__name__ == "ask" and ChatApp.search.__name__ == "search"  # Gradio names tools after them


def test_the_ask_and_search_tools_answer_with_references_and_passages(tmp_path: Path) -> None:
    rag = fake_rag(tmp_path, REPLY)
    rag.ingest([SEEDS])
    app = ChatApp(rag, mcp=True)
    text = app.ask(QUESTION)
    first = rag.ask(QUESTION).citations[0]
    assert text.startswith(REPLY) and "\nReferences:\n[1] " in text and first.title in text
    passages = app.search(QUESTION, top_k=3)
    assert len(passages) == 3 and passages[0]["doc_id"] == rag.retrieve(QUESTION, top_k=3)[0].chunk.doc_id
    assert set(passages[0]) == {"doc_id", "title", "date", "url", "text", "score"}
    for tool in (app.ask, app.search):
        with pytest.raises(gr.Error, match="question"):  # a one-line message, not a traceback
            tool("   ")
