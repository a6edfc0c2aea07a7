"""The running UI server, driven over HTTP with gradio_client: streaming, file routes, the queue."""

from __future__ import annotations

import http.client
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlparse

import pytest
from gradio_client import Client
from gradio_client.utils import QueueError, Status

from rag import RAG, Settings
from tests.ui_fixtures import MODELS, SEEDS, GatedLLM, fake_rag, serve
from ui.app import ChatApp

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)

QUESTION = "How many Ukrainian soldiers are being trained by the EU mission?"
SEED_IDS = sorted(p.name for p in SEEDS.iterdir())


@pytest.fixture(scope="module")
def server(seeded_chroma_dir: Path, real_embedder: Any, smollm: Any) -> Iterator[SimpleNamespace]:
    """The real app over a Chroma index of seeds/ and SmolLM2, one server for the module."""
    from rag.backends.chroma import ChromaStore

    settings = Settings(
        data_dir=seeded_chroma_dir, models_dir=MODELS, chat_model="smollm2-135m", max_tokens=64, n_threads=2
    )
    rag = RAG(
        embedder=real_embedder,
        store=ChromaStore.persistent(seeded_chroma_dir / "chroma"),
        llm=smollm,
        settings=settings,
        lock_path=seeded_chroma_dir / "write.lock",
    )
    app = ChatApp(rag)
    with serve(app) as url:
        yield SimpleNamespace(url=url, app=app, data_dir=seeded_chroma_dir)


def message_text(message: dict[str, Any]) -> str:
    content = message["content"]
    return content if isinstance(content, str) else "".join(part.get("text", "") for part in content)


def test_answer_streams_over_the_api_and_ends_with_sources(server: SimpleNamespace) -> None:
    client = Client(server.url, verbose=False)
    t0 = time.perf_counter()
    job = client.submit(QUESTION, 5, 0.0, "smollm2-135m", api_name="/ask")
    first_token = None
    partial: list[str] = []
    for chat, _sources, _debug, _box in job:
        if isinstance(chat, list) and chat and chat[-1]["role"] == "assistant":
            text = message_text(chat[-1])
            if text.endswith("▌"):
                first_token = first_token or time.perf_counter() - t0
                partial.append(text)
    chat, sources, debug, _ = job.outputs()[-1]
    log.info("first token after %.1fs over the API", first_token or -1)
    assert job.status().success
    assert len(set(partial)) >= 3, partial  # streamed piece by piece, not in one block
    final = message_text(chat[-1])
    assert final and "▌" not in final and "Searching the articles" not in final
    assert chat[-2]["role"] == "user" and QUESTION in message_text(chat[-2])
    # Every answer shows where it looked: cited sources, or the retrieved passages collapsed.
    assert '<div class="rag-sources">' in sources
    assert any(doc_id in sources for doc_id in SEED_IDS), sources[:500]
    assert "<h3>Sources</h3>" in sources or "Retrieved passages" in sources
    assert "first token" in debug and "smollm2-135m" in debug


def raw_get(url: str, path: str) -> tuple[int, bytes]:
    """GET ``path`` exactly as written: no client-side normalisation of ``..``."""
    parsed = urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read(1 << 20)
    finally:
        conn.close()


@pytest.mark.parametrize(
    "target",
    [
        "{data}/chroma/chroma.sqlite3",
        "{data}/write.lock",
        "{models}/SmolLM2-135M-Instruct.Q4_1.gguf",
        "/etc/passwd",
        "../../../../../../../../etc/passwd",
        "/tmp/gradio/../../etc/passwd",
        "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "{data}/chroma/../chroma/chroma.sqlite3",
    ],
)
def test_file_route_refuses_index_models_and_system_files(server: SimpleNamespace, target: str) -> None:
    path = target.format(data=server.data_dir, models=MODELS)
    assert path.startswith(("/", "..", "%2e")), path
    if "chroma.sqlite3" in path:
        assert (server.data_dir / "chroma" / "chroma.sqlite3").is_file()  # the file exists: refusal is real
    status, body = raw_get(server.url, f"/gradio_api/file={path}")
    assert status in {400, 403, 404}, (status, body[:200])
    assert b"root:" not in body and b"SQLite format 3" not in body and b"GGUF" not in body


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, GatedLLM]]:
    """A server whose (fake) model is busy until the test says, with room for one waiting question."""
    llm = GatedLLM()
    rag = fake_rag(tmp_path_factory.mktemp("busy"), llm=llm)
    rag.ingest([SEEDS])
    with serve(ChatApp(rag, queue_size=1)) as url:
        try:
            yield url, llm
        finally:
            llm.gate.set()


def test_second_user_waits_in_the_queue_and_a_full_queue_says_so(busy_server: tuple[str, GatedLLM]) -> None:
    url, llm = busy_server
    first = Client(url, verbose=False).submit(QUESTION, api_name="/ask")
    # Bounded waits for states that do come (the first answer is held at the gate); the
    # bounds only turn a hang into a failure.
    deadline = time.monotonic() + 120
    while first.status().code != Status.ITERATING:
        assert time.monotonic() < deadline, first.status()
        time.sleep(0.05)
    second = Client(url, verbose=False).submit("Who signs the EU–NATO document?", api_name="/ask")
    deadline = time.monotonic() + 120
    while (status := second.status()).code != Status.IN_QUEUE:
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    assert status.rank == 0 and status.queue_size == 1  # first in line, one waiting
    third = Client(url, verbose=False).submit("And a third?", api_name="/ask")
    with pytest.raises(QueueError, match="Queue is full"):
        third.result(timeout=120)
    llm.gate.set()
    assert first.result(timeout=120)[0][-1]["role"] == "assistant"
    assert "Who signs the EU–NATO document?" in message_text(second.result(timeout=120)[0][-2])
