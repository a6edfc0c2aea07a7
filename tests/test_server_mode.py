"""Scale-out mode: the index in a Chroma server, the chat model behind an OpenAI-compatible server.

The slow tests run a question end to end through ``chroma run`` and
``python -m llama_cpp.server`` (SmolLM2, for structure only: its answers are
unreliable) started on loopback by ``tests/servers.py``. The fast ones check what a
user sees when a server is not there: one line naming the address and how to start it.
"""

from __future__ import annotations

import json
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


class _FinishReasonTee:
    """An HTTP response that OpenAICompatibleLLM reads as usual, noting the server's finish_reason.

    The server sends a finish_reason ("length", "stop") in the last event of an answer it
    completed; an answer it cut short ends with ``[DONE]`` and no reason.
    """

    def __init__(self, resp: Any, reasons: list[str]) -> None:
        self._resp, self._reasons = resp, reasons

    def __enter__(self) -> _FinishReasonTee:
        return self

    def __exit__(self, *exc: object) -> None:
        self._resp.close()

    def __iter__(self) -> Iterator[bytes]:
        for raw in self._resp:
            data = raw.decode("utf-8", "replace").strip().removeprefix("data:").strip()
            if data.startswith("{"):
                reason = json.loads(data)["choices"][0].get("finish_reason")
                if reason:
                    self._reasons.append(reason)
            yield raw


@pytest.mark.slow
def test_two_workers_sharing_one_llm_server_both_get_whole_answers(
    llm_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each of two concurrent answers is whole: it ends the way the lone answer ended.

    The server queues the second request; with llama_cpp.server's default
    --interrupt_requests True the first answer would end early, silently: the stream
    stops with ``[DONE]`` and no finish_reason. The prompt asks for a story, so a whole
    answer runs to MAX_TOKENS: the server's finish_reason "length" says it generated
    exactly MAX_TOKENS tokens and streamed them all. That is the token count compared,
    not the streamed pieces (a character split across two tokens arrives as one piece)
    and not the text: greedy decoding is not bitwise reproducible across prompt-cache
    states (the later requests reuse the cached prompt prefix; the first evaluates it
    whole), so two whole answers may differ in wording.
    """
    messages = [{"role": "user", "content": "Write a short story about a cat who travels to Paris."}]
    max_tokens = 24
    local = threading.local()
    real_urlopen = urllib.request.urlopen

    def urlopen(req: Any, *args: Any, **kwargs: Any) -> Any:
        resp = real_urlopen(req, *args, **kwargs)
        return _FinishReasonTee(resp, local.reasons) if req.full_url.endswith("/chat/completions") else resp

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)

    def generate() -> tuple[str, list[str]]:
        reasons: list[str] = []
        local.reasons = reasons
        llm = OpenAICompatibleLLM(f"{llm_server.url}/v1", model="smollm2-135m", n_ctx=2048)
        return "".join(llm.stream_chat(messages, max_tokens=max_tokens, temperature=0.0)), reasons

    alone = generate()
    together: list[tuple[str, list[str]]] = []
    threads = [threading.Thread(target=lambda: together.append(generate())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert len(alone[0]) > 20 and alone[1] == ["length"], alone
    assert len(together) == 2, together
    for text, reasons in together:
        assert reasons == alone[1], (text, reasons)  # finished, not cut short
        assert len(text) > 20, text


def test_chroma_server_down_is_one_clear_line(tmp_path: Path) -> None:
    from rag.testing import free_port

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
    from rag.testing import free_port

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
    from rag.testing import free_port
    from tests.servers import stub_server

    port = free_port()
    llm = OpenAICompatibleLLM(f"http://{LOOPBACK}:{port}/v1")
    assert llm.count_tokens(SENTENCE) == fallback_estimate(SENTENCE)  # nothing answers yet
    with stub_server({"/extras/tokenize": {"tokens": [1, 2, 3]}}, port=port):
        assert llm.count_tokens(SENTENCE) == 3


@pytest.mark.slow
def test_the_server_answers_like_the_in_process_model(llm_server: Server) -> None:
    """Same model, same sampling settings sent, same greedy answer, from the same starting state.

    Both sides start from an empty prompt cache, with the same thread count (2) and batch
    size (512): greedy decoding is reproducible only then. A server that reused part of
    an earlier prompt (every chat prompt starts with the same template tokens) or a
    warm in-process model may pick a different word at a near-tie, which says nothing
    about the settings this test is about.
    """
    from rag.backends.llms import LlamaCppLLM
    from tests.servers import SMOLLM

    messages = [
        {"role": "system", "content": "Answer from the sources and cite them like [1]."},
        {
            "role": "user",
            "content": "Sources:\n[1] The EU set aside 16 million euros for weapons and equipment for the "
            "training mission in Mozambique. It will be led by Portugal.\n\n"
            "Question: How much money did the EU set aside for weapons, and who leads the mission?",
        },
    ]
    local = LlamaCppLLM(SMOLLM, model_id="smollm2-135m", n_ctx=2048, n_threads=2, n_batch=512)  # a cold cache
    expected = "".join(local.stream_chat(messages, max_tokens=32, temperature=0.0))
    # A prompt sharing no first token with any chat prompt: the next request is evaluated whole.
    reset = urllib.request.Request(
        f"{llm_server.url}/v1/completions",
        data=json.dumps({"prompt": "Reset", "max_tokens": 1}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(reset, timeout=120) as resp:
        assert resp.status == 200
    remote = OpenAICompatibleLLM(f"{llm_server.url}/v1", model="smollm2-135m", n_ctx=2048)
    assert "".join(remote.stream_chat(messages, max_tokens=32, temperature=0.0)) == expected


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
