"""The OpenAI-compatible endpoint, driven by the official ``openai`` client against a live
uvicorn server on loopback, over a fake-backed RAG."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
import uvicorn

from rag import RAG, Settings
from rag.api import check_bind, create_api
from rag.errors import ConfigError
from rag.testing import FakeLLM, HashEmbedder, MemoryStore

MONEY = "How much money did the EU set aside for weapons and equipment for the training mission?"
GOOD = "The EU allocated 16 million euros for weapons and equipment for the training [1]."
KEY = "s3cret-key"


def _reply(messages: list[dict[str, str]]) -> str:
    prompt = messages[-1]["content"]
    if "World Cup" in prompt:  # the support check withdraws this one
        return "Argentina won the 2022 FIFA World Cup final against France on penalties [1]."
    return GOOD


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> tuple[RAG, FakeLLM]:
    from tests.conftest import SEEDS

    tmp = tmp_path_factory.mktemp("api")
    llm = FakeLLM(_reply)  # type: ignore[arg-type]
    rag = RAG(
        embedder=HashEmbedder(),
        store=MemoryStore(),
        llm=llm,
        settings=Settings(data_dir=tmp / "data", min_score=-1.0, chat_model="fake-llm"),
        lock_path=tmp / "data" / "write.lock",
    )
    rag.ingest([SEEDS])
    return rag, llm


def _serve(app: object) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/v1"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def url(fake: tuple[RAG, FakeLLM]) -> Iterator[str]:
    yield from _serve(create_api(fake[0], api_key=KEY))


@pytest.fixture(scope="module")
def open_url(fake: tuple[RAG, FakeLLM]) -> Iterator[str]:
    yield from _serve(create_api(fake[0]))


def test_models_lists_the_chat_model(url: str) -> None:
    client = openai.OpenAI(base_url=url, api_key=KEY)
    assert [m.id for m in client.models.list()] == ["fake-llm"]


def test_completion_carries_markers_and_citations(url: str, fake: tuple[RAG, FakeLLM]) -> None:
    client = openai.OpenAI(base_url=url, api_key=KEY)
    done = client.chat.completions.create(model="fake-llm", messages=[{"role": "user", "content": MONEY}])
    assert done.choices[0].message.content == GOOD and done.choices[0].finish_reason == "stop"
    extra = done.model_extra or {}
    [cite] = extra["citations"]
    assert cite["marker"] == 1 and cite["doc_id"] == "003_bdfe6df497ee2b67.txt"
    assert "16 million euros" in cite["quote"] and {"title", "url", "date"} <= set(cite)
    assert extra["abstained"] is False
    assert done.usage is not None and done.usage.completion_tokens > 0


def test_the_messages_before_the_last_are_the_history(url: str, fake: tuple[RAG, FakeLLM]) -> None:
    client = openai.OpenAI(base_url=url, api_key=KEY)
    client.chat.completions.create(
        model="fake-llm",
        messages=[
            {"role": "system", "content": "You are a pirate."},
            {"role": "user", "content": "What is the EU training mission?"},
            {"role": "assistant", "content": "A mission that trains soldiers [1]."},
            {"role": "user", "content": "How much money goes to weapons for it?"},
        ],
    )
    prompt = fake[1].prompts[-1]
    assert "Q: What is the EU training mission?" in prompt[-1]["content"]
    assert "pirate" not in str(prompt)


def test_streaming_gives_the_pieces_then_citations_and_replacements(url: str) -> None:
    client = openai.OpenAI(base_url=url, api_key=KEY)
    chunks = list(
        client.chat.completions.create(model="fake-llm", messages=[{"role": "user", "content": MONEY}], stream=True)
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == GOOD and len(chunks) > 5
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert (last.model_extra or {})["citations"][0]["marker"] == 1
    assert "replaced_content" not in (last.model_extra or {})
    withdrawn = list(
        client.chat.completions.create(
            model="fake-llm", messages=[{"role": "user", "content": "Who won the 2022 FIFA World Cup?"}], stream=True
        )
    )
    extra = withdrawn[-1].model_extra or {}
    assert "Argentina" in "".join(c.choices[0].delta.content or "" for c in withdrawn)
    assert extra["abstained"] is True and "Argentina" not in extra["replaced_content"]
    assert extra["citations"] == []


def test_a_wrong_or_missing_key_is_401(url: str) -> None:
    client = openai.OpenAI(base_url=url, api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as info:
        client.chat.completions.create(model="fake-llm", messages=[{"role": "user", "content": MONEY}])
    assert info.value.status_code == 401
    body = {"model": "fake-llm", "messages": [{"role": "user", "content": MONEY}]}
    missing = httpx.post(f"{url}/chat/completions", json=body)
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "invalid_api_key"
    assert httpx.get(f"{url}/models").status_code == 401


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "fake-llm", "messages": []}, "messages"),
        ({"model": "fake-llm", "messages": [{"role": "assistant", "content": "hi"}]}, "messages"),
        ({"model": "fake-llm", "messages": [{"role": "user", "content": "   "}]}, "messages"),
        ({"model": "fake-llm", "messages": [{"role": "user", "content": "Q?"}], "temperature": 9}, "temperature"),
        ({"model": "fake-llm", "messages": ["Q?", {"role": "user", "content": "Q?"}]}, "messages"),
    ],
)
def test_bad_requests_are_400_with_a_json_error(url: str, body: dict, param: str) -> None:
    client = openai.OpenAI(base_url=url, api_key=KEY, max_retries=0)
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(**body)
    error = info.value.body
    assert isinstance(error, dict) and error["param"] == param and error["message"]
    assert error["type"] == "invalid_request_error"


def test_a_question_that_is_not_text_is_named_as_the_question(url: str) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    body = {"model": "fake-llm", "messages": [{"role": "user", "content": 42}]}
    bad = httpx.post(f"{url}/chat/completions", json=body, headers=headers)
    error = bad.json()["error"]
    assert bad.status_code == 400 and error["param"] == "messages"
    assert error["message"].startswith("The question (the last message) must be text") and "int 42" in error["message"]
    assert "history" not in error["message"]


def test_invalid_json_and_unknown_model(url: str) -> None:
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    bad = httpx.post(f"{url}/chat/completions", content=b"{nope", headers=headers)
    assert bad.status_code == 400 and "not valid JSON" in bad.json()["error"]["message"]
    client = openai.OpenAI(base_url=url, api_key=KEY, max_retries=0)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": MONEY}])


def test_loopback_needs_no_key_unless_one_is_set(open_url: str) -> None:
    client = openai.OpenAI(base_url=open_url, api_key="anything")
    assert client.chat.completions.create(model="fake-llm", messages=[{"role": "user", "content": MONEY}]).choices


@pytest.mark.parametrize(
    ("host", "key", "ok"),
    [("127.0.0.1", None, True), ("localhost", "", True), ("0.0.0.0", None, False), ("0.0.0.0", "k", True)],
)
def test_off_loopback_needs_a_key(host: str, key: str | None, ok: bool) -> None:
    if ok:
        check_bind(host, key)
    else:
        with pytest.raises(ConfigError, match="needs an API key: pass --api-key or set RAG_API_KEY"):
            check_bind(host, key)


def test_serve_refuses_off_loopback_without_a_key_in_one_line(tmp_path: Path) -> None:
    from tests.test_cli import one_line_error
    from tests.test_cli import rag as run_cli

    result = run_cli("--data-dir", str(tmp_path), "serve", "--api-only", "--host", "0.0.0.0", env={"RAG_API_KEY": ""})
    one_line_error(result, "needs an API key")


def test_the_api_mounts_beside_the_gradio_ui(fake: tuple[RAG, FakeLLM]) -> None:
    """The recipe for `rag serve` (ui/server.py): API routes first, the UI mounted at "/" behind them."""
    import gradio as gr
    from fastapi.testclient import TestClient

    from ui.app import ChatApp
    from ui.server import launch_options

    chat = ChatApp(fake[0])
    options = launch_options(chat.settings)
    combined = create_api(fake[0], api_key=KEY)
    gr.mount_gradio_app(
        combined,
        chat.build(),
        path="/",
        **{
            k: options[k]
            for k in ("allowed_paths", "blocked_paths", "max_file_size", "show_error", "ssr_mode", "mcp_server", "css")
        },
    )
    with TestClient(combined) as client:
        headers = {"Authorization": f"Bearer {KEY}"}
        assert client.get("/v1/models", headers=headers).json()["data"][0]["id"] == "fake-llm"
        body = {"model": "fake-llm", "messages": [{"role": "user", "content": MONEY}]}
        done = client.post("/v1/chat/completions", json=body, headers=headers).json()
        assert done["citations"][0]["marker"] == 1
        assert client.get("/v1/models").status_code == 401
        page = client.get("/")  # the UI is not behind the API's key
        assert page.status_code == 200 and "<html" in page.text.lower()


def test_mcp_comes_with_the_ui_not_the_api_only_server(tmp_path: Path) -> None:
    from tests.test_cli import one_line_error
    from tests.test_cli import rag as run_cli

    one_line_error(run_cli("--data-dir", str(tmp_path), "serve", "--api-only", "--mcp"), "--mcp comes with the UI")
