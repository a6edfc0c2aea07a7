"""``rag serve --mcp`` (issue 15): a real MCP client gets answers and passages from the live server.

``ui.server.launch(settings, mcp=True)`` (what ``rag serve --mcp`` calls) serves the UI, the API
and Gradio's MCP server on one loopback port, over the fakes; the official ``mcp`` client
connects over the streamable HTTP transport at ``/gradio_api/mcp/``, lists the tools and
calls them. No model is loaded, except in the one ``slow`` test, which runs the real
``rag serve --mcp`` command with smollm2-135m and the real embedder.
"""

from __future__ import annotations

import ast
import asyncio
import http.client
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr
import pytest

from rag import Settings
from rag.testing import free_port
from tests.ui_fixtures import fake_rag
from ui import server as ui_server
from ui.app import ChatApp

mcp = pytest.importorskip("mcp", reason="the MCP client comes with the mcp extra: pip install -e '.[mcp]'")
from mcp.client.streamable_http import streamablehttp_client  # noqa: E402

QUESTION = "Where did the lava of the volcano flow?"
REPLY = "Lava from the Reykjanes volcano flowed toward the town of Grindavik [1]."
ARTICLES = {
    "volcano.md": (
        "# Volcano erupts on Iceland\n\nDate: 2024-03-05\n\n"
        "The Reykjanes volcano erupted again on Tuesday night. Lava flowed toward the town of Grindavik.\n\n"
        "Source: https://example.org/volcano\n"
    ),
    "budget.md": "# Parliament passes budget\n\nThe parliament passed the annual budget after a long debate about taxes.\n",
    "football.md": "# Cup final goes to penalties\n\nThe cup final ended in a draw and was decided on penalties.\n",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """``ui.server.launch(..., mcp=True)`` serving a fake RAG, with ``Blocks.launch`` told not to block."""
    tmp = tmp_path_factory.mktemp("mcp")
    news = tmp / "news"
    news.mkdir()
    for name, text in ARTICLES.items():
        (news / name).write_text(text, encoding="utf-8")
    demos: list[gr.Blocks] = []
    real_launch = gr.Blocks.launch

    def launch_in_background(self: gr.Blocks, **options: Any) -> Any:
        demos.append(self)
        return real_launch(self, **{**options, "prevent_thread_lock": True, "quiet": True})

    # free_port() can lose its port to another xdist worker before uvicorn binds it: try anew.
    for attempt in range(3):
        port = free_port()
        demos.clear()
        rag = fake_rag(tmp / f"try{attempt}", REPLY, port=port)  # the UI serves on rag.settings.port
        rag.ingest([news])
        try:
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(ui_server.RAG, "open", staticmethod(lambda _rag=rag, **_: _rag))
                mp.setattr(gr.Blocks, "launch", launch_in_background)
                ui_server.launch(Settings(data_dir=tmp / f"try{attempt}" / "data", port=port), mcp=True)
            break
        except OSError:
            if attempt == 2:
                raise
    [demo] = demos
    try:
        yield SimpleNamespace(rag=rag, port=port, url=f"http://127.0.0.1:{port}/gradio_api/mcp/")
    finally:
        demo.close()


def session_run(url: str, steps: Any) -> Any:
    """Open an MCP session to ``url`` (streamable HTTP), run ``await steps(session)``, close it."""

    async def main() -> Any:
        async with (
            streamablehttp_client(url, timeout=30) as (read, write, _),
            mcp.ClientSession(read, write) as session,
        ):
            await session.initialize()
            return await steps(session)

    return asyncio.run(asyncio.wait_for(main(), 60))


def call(server: SimpleNamespace, tool: str, arguments: dict[str, Any]) -> Any:
    return session_run(server.url, lambda s: s.call_tool(tool, arguments))


def text_of(result: Any) -> str:
    [content] = result.content
    assert content.type == "text"
    return str(content.text)


def test_the_mcp_client_lists_exactly_ask_and_search_with_their_arguments(server: SimpleNamespace) -> None:
    tools = {t.name: t for t in session_run(server.url, lambda s: s.list_tools()).tools}
    assert set(tools) == {"ask", "search"}  # not the UI's own endpoints (upload, remove, clear, ...)
    ask, search = tools["ask"], tools["search"]
    assert ask.inputSchema["required"] == ["question"] and set(ask.inputSchema["properties"]) == {"question"}
    assert search.inputSchema["properties"]["top_k"]["type"] == "integer"
    assert search.inputSchema["properties"]["top_k"]["default"] == 5
    # The host's model reads the docstrings to decide when to call a tool.
    assert ChatApp.ask.__doc__.splitlines()[0] in (ask.description or "")  # type: ignore[union-attr]
    assert ChatApp.search.__doc__.splitlines()[0] in (search.description or "")  # type: ignore[union-attr]


def test_the_search_tool_returns_the_matching_passages_best_first(server: SimpleNamespace) -> None:
    result = call(server, "search", {"question": QUESTION, "top_k": 2})
    assert not result.isError
    # Gradio sends a tool's list result as its Python repr (str(output)), not JSON.
    passages = ast.literal_eval(text_of(result))
    assert [p["doc_id"] for p in passages][:1] == ["volcano.md"] and len(passages) == 2
    top = passages[0]
    assert top["title"] == "Volcano erupts on Iceland" and top["date"] == "2024-03-05"
    assert top["url"] == "https://example.org/volcano" and "Lava flowed toward the town of Grindavik." in top["text"]
    assert passages[0]["score"] >= passages[1]["score"]
    expected = server.rag.retrieve(QUESTION, top_k=2)
    assert [(p["doc_id"], p["text"]) for p in passages] == [(h.chunk.doc_id, h.chunk.text) for h in expected]


def test_the_ask_tool_returns_the_models_answer_with_its_references(server: SimpleNamespace) -> None:
    llm = server.rag.llm()
    before = len(llm.prompts)
    result = call(server, "ask", {"question": QUESTION})
    assert not result.isError
    text = text_of(result)
    answer, references = text.split("\n\nReferences:\n")
    assert answer == REPLY
    [reference] = references.splitlines()
    assert reference.startswith("[1] Volcano erupts on Iceland (2024-03-05) https://example.org/volcano: ")
    assert "Grindavik" in reference  # the quoted sentence of source 1
    # The call went through the pipeline: the model was prompted with the question and the passage.
    [prompt] = llm.prompts[before:]
    assert QUESTION in prompt[-1]["content"] and "Grindavik" in prompt[-1]["content"]


def test_a_tool_error_reaches_the_client_as_one_line(server: SimpleNamespace) -> None:
    result = call(server, "ask", {"question": "   "})
    assert result.isError
    message = text_of(result)
    assert "question" in message and "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize("top_k", [-3, 0, 21])
def test_a_top_k_outside_1_to_20_is_a_tool_error_naming_it(server: SimpleNamespace, top_k: int) -> None:
    result = call(server, "search", {"question": QUESTION, "top_k": top_k})
    assert result.isError
    message = text_of(result)
    assert "top_k" in message and "1 to 20" in message and "\n" not in message


def test_the_mcp_endpoint_keeps_the_trusted_host_check(server: SimpleNamespace) -> None:
    """DNS rebinding: a page whose name points at 127.0.0.1 must not reach the tools either."""

    def status(host: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            body = '{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}'
            headers = {
                "Host": host,
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
            }
            conn.request("POST", "/gradio_api/mcp/", body=body, headers=headers)
            return conn.getresponse().status
        finally:
            conn.close()

    assert status(f"127.0.0.1:{server.port}") == 200
    assert status(f"evil.example:{server.port}") == 400


@pytest.mark.slow
def test_rag_serve_mcp_answers_a_real_mcp_client_with_the_real_models(tmp_path: Path) -> None:
    """The real command: ``rag serve --mcp`` over the seed articles, smollm2-135m and the real embedder."""
    from tests.servers import start_server
    from tests.ui_fixtures import MODELS, SEEDS

    data, port = tmp_path / "data", free_port()
    env = {
        "HF_HUB_OFFLINE": "1",
        "RAG_MODELS_DIR": str(MODELS),
        "RAG_CHAT_MODEL": "smollm2-135m",
        "RAG_MAX_TOKENS": "64",
        "RAG_N_THREADS": "2",
    }
    cli = [sys.executable, "-m", "rag.cli", "--data-dir", str(data)]
    ingested = subprocess.run(
        [*cli, "ingest", str(SEEDS)], capture_output=True, text=True, env={**os.environ, **env}, timeout=600
    )
    assert ingested.returncode == 0, ingested.stderr
    seed_ids = {p.name for p in SEEDS.iterdir()}
    question = "Who met in Paris?"
    serve = [*cli, "serve", "--mcp", "--port", str(port)]
    # The landing page at the MCP URL answers once the model is loaded and the server is up.
    with start_server(
        "rag serve --mcp", serve, port=port, health_path="/gradio_api/mcp/", log=tmp_path / "serve.log", env=env
    ):
        url = f"http://127.0.0.1:{port}/gradio_api/mcp/"
        assert {t.name for t in session_run(url, lambda s: s.list_tools()).tools} == {"ask", "search"}

        result = session_run(url, lambda s: s.call_tool("search", {"question": question, "top_k": 3}))
        assert not result.isError, text_of(result)
        passages = ast.literal_eval(text_of(result))
        assert len(passages) == 3 and {p["doc_id"] for p in passages} <= seed_ids
        assert "Paris" in passages[0]["text"]
        assert [p["score"] for p in passages] == sorted((p["score"] for p in passages), reverse=True)

        result = session_run(url, lambda s: s.call_tool("ask", {"question": question}))
        assert not result.isError, text_of(result)
        answer, _, references = text_of(result).partition("\n\nReferences:\n")
        assert answer.strip()
        found = session_run(url, lambda s: s.call_tool("search", {"question": question, "top_k": 20}))
        titles = {p["title"] or p["doc_id"] for p in ast.literal_eval(text_of(found))}
        listed = set()
        for line in references.splitlines():
            marker, _, rest = line.partition(" ")
            listed.add(marker)
            assert any(rest.startswith(t) for t in titles), (rest, titles)  # names an indexed article
        assert listed == set(re.findall(r"\[\d+\]", answer)), text_of(result)  # one per cited [n]
