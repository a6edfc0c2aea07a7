"""Scale-out mode: the index in a Chroma server, the chat model behind an OpenAI-compatible server.

The slow tests run a question end to end through ``chroma run`` and
``python -m llama_cpp.server`` (SmolLM2, for structure only: its answers are
unreliable) started on loopback by ``tests/servers.py``. The fast ones check what a
user sees when a server is not there: one line naming the address and how to start it.
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from rag import RAG, Settings
from rag.backends.llms import OpenAICompatibleLLM
from rag.citations import parse_markers
from rag.errors import BackendError
from rag.testing import HashEmbedder, MemoryStore

if TYPE_CHECKING:
    from tests.servers import Server

# The fixtures (chroma_server, llm_server) come from this plugin. Helpers are imported
# inside the tests: importing tests.servers here, before pytest loads it as a plugin,
# would earn a PytestAssertRewriteWarning.
pytest_plugins = ["tests.servers"]
LOOPBACK = "127.0.0.1"

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
QUESTION = "How much money did the EU set aside for weapons and equipment for the training mission?"
SENTENCE = (
    "The European Union set aside 16 million euros for weapons and equipment "
    "for its military training mission, officials said on Tuesday."
)


def server_settings(data: Path, chroma: Server, llm_url: str, collection: str, **more: object) -> Settings:
    return Settings(
        data_dir=data,
        store_backend="chroma-http",
        chroma_host=chroma.host,
        chroma_port=chroma.port,
        collection=collection,
        llm_backend="openai",
        llm_url=llm_url,
        chat_model="smollm2-135m",
        n_ctx=2048,  # must match the server's --n_ctx: prompts are fitted to this
        min_score=-1.0,
        max_tokens=48,
        **more,  # type: ignore[arg-type]
    )


def fallback_estimate(text: str) -> int:
    return len(text.encode("utf-8")) // 3 + 1


@pytest.mark.slow
def test_question_end_to_end_through_both_servers(
    tmp_path: Path, chroma_server: Server, llm_server: Server, real_embedder: object
) -> None:
    llm_url = f"{llm_server.url}/v1"
    collection = f"e2e-{uuid.uuid4().hex[:12]}"
    worker1 = RAG.open(
        settings=server_settings(tmp_path / "worker1", chroma_server, llm_url, collection),
        embedder=real_embedder,  # type: ignore[arg-type]
    )
    first = worker1.ingest([SEEDS])
    assert first.documents_added == 5 and first.chunks_embedded == first.chunks_total > 10

    # A second UI worker with its own data_dir: the index lives in the server, not on its disk.
    worker2 = RAG.open(
        settings=server_settings(tmp_path / "worker2", chroma_server, llm_url, collection),
        embedder=real_embedder,  # type: ignore[arg-type]
    )
    again = worker2.ingest([SEEDS])
    assert again.chunks_embedded == 0 and again.documents_unchanged == 5
    assert again.chunks_total == first.chunks_total
    assert worker2.documents() == worker1.documents()

    stream = worker2.stream(QUESTION)
    assert stream.hits and stream.sources  # retrieval is done before the first token
    pieces = list(stream)
    answer = stream.answer()

    assert len(pieces) > 1
    assert answer.chat_model == f"openai:smollm2-135m@{llm_url}"
    assert answer.hits[0].chunk.doc_id == "003_bdfe6df497ee2b67.txt"
    assert "16 million euros" in answer.hits[0].chunk.text
    assert answer.sources and answer.hits
    assert answer.timings.total_s > 0 and answer.timings.first_token_s > 0
    assert answer.timings.prompt_tokens > 0 and answer.timings.generated_tokens == len(pieces)
    assert answer.finish_reason in {"stop", "length", "unsupported"}
    for marker in parse_markers(answer.text):
        assert 1 <= marker <= len(answer.sources)
    for c in answer.citations:
        shown = answer.sources[c.marker - 1].chunk
        assert (c.chunk_id, c.doc_id, c.text) == (shown.chunk_id, shown.doc_id, shown.text)


@pytest.mark.slow
def test_token_counts_come_from_the_server_tokenizer(llm_server: Server, smollm: object) -> None:
    llm = OpenAICompatibleLLM(f"{llm_server.url}/v1", model="smollm2-135m", n_ctx=2048)
    local = smollm.count_tokens(SENTENCE)  # type: ignore[attr-defined]
    remote = llm.count_tokens(SENTENCE)
    assert abs(remote - local) <= 2, (remote, local)  # the server may count a BOS token
    assert remote != fallback_estimate(SENTENCE)  # not the estimate: it differs by about 15 here


@pytest.mark.slow
def test_without_a_tokenize_endpoint_the_count_over_estimates(smollm: object) -> None:
    from tests.servers import stub_server

    with stub_server({}) as port:  # answers 404 to /tokenize and /extras/tokenize
        llm = OpenAICompatibleLLM(f"http://{LOOPBACK}:{port}/v1")
        texts = [SENTENCE, QUESTION, *(p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt")))]
        for text in texts:
            assert llm.count_tokens(text) >= smollm.count_tokens(text)  # type: ignore[attr-defined]


@pytest.mark.slow
def test_two_workers_sharing_one_llm_server_both_get_whole_answers(llm_server: Server) -> None:
    # The server queues the second request; with llama_cpp.server's default
    # --interrupt_requests True the first answer would end early, silently.
    messages = [{"role": "user", "content": "Write a short story about a cat who travels to Paris."}]

    def generate() -> str:
        llm = OpenAICompatibleLLM(f"{llm_server.url}/v1", model="smollm2-135m", n_ctx=2048)
        return "".join(llm.stream_chat(messages, max_tokens=24, temperature=0.0))

    alone = generate()
    together: list[str] = []
    threads = [threading.Thread(target=lambda: together.append(generate())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert len(alone) > 20
    assert together == [alone, alone]


def test_chroma_server_down_is_one_clear_line(tmp_path: Path) -> None:
    from tests.servers import free_port

    port = free_port()  # nothing listens there
    with pytest.raises(BackendError) as info:
        RAG.open(
            settings=Settings(data_dir=tmp_path, store_backend="chroma-http", chroma_host=LOOPBACK, chroma_port=port),
            embedder=HashEmbedder(),
        )
    message = str(info.value)
    assert "\n" not in message
    assert f"{LOOPBACK}:{port}" in message and "chroma run" in message


def test_llm_server_down_is_one_clear_line(tmp_path: Path) -> None:
    from tests.servers import free_port

    url = f"http://{LOOPBACK}:{free_port()}/v1"  # nothing listens there
    rag = RAG.open(
        settings=Settings(data_dir=tmp_path, llm_backend="openai", llm_url=url, min_score=-1.0),
        embedder=HashEmbedder(),
        store=MemoryStore(),
    )
    rag.ingest([SEEDS])
    with pytest.raises(BackendError) as info:
        rag.ask(QUESTION)
    message = str(info.value)
    assert "\n" not in message
    assert url in message and "python -m llama_cpp.server" in message


def test_token_counts_use_the_server_once_it_is_up() -> None:
    from tests.servers import free_port, stub_server

    port = free_port()
    llm = OpenAICompatibleLLM(f"http://{LOOPBACK}:{port}/v1")
    assert llm.count_tokens(SENTENCE) == fallback_estimate(SENTENCE)  # nothing answers yet
    with stub_server({"/extras/tokenize": {"tokens": [1, 2, 3]}}, port=port):
        assert llm.count_tokens(SENTENCE) == 3


@pytest.mark.slow
def test_the_server_answers_like_the_in_process_model(llm_server: Server, smollm: object) -> None:
    messages = [
        {"role": "system", "content": "Answer from the sources and cite them like [1]."},
        {
            "role": "user",
            "content": "Sources:\n[1] The EU set aside 16 million euros for weapons and equipment for the "
            "training mission in Mozambique. It will be led by Portugal.\n\n"
            "Question: How much money did the EU set aside for weapons, and who leads the mission?",
        },
    ]
    remote = OpenAICompatibleLLM(f"{llm_server.url}/v1", model="smollm2-135m", n_ctx=2048)
    local = "".join(smollm.stream_chat(messages, max_tokens=32, temperature=0.0))  # type: ignore[attr-defined]
    assert "".join(remote.stream_chat(messages, max_tokens=32, temperature=0.0)) == local


@pytest.mark.slow
def test_chroma_server_gone_after_open_is_a_backend_error(tmp_path: Path) -> None:
    from tests.servers import start_chroma

    with start_chroma(tmp_path / "db", log=tmp_path / "chroma.log") as chroma:
        rag = RAG.open(
            settings=server_settings(tmp_path / "data", chroma, "http://127.0.0.1:1/v1", "gone", top_k=3),
            embedder=HashEmbedder(),
        )
        rag.ingest([SEEDS])
    with pytest.raises(BackendError) as info:  # the server was stopped at the end of the block
        rag.retrieve(QUESTION)
    assert f"{chroma.host}:{chroma.port}" in str(info.value)
