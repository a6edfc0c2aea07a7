"""Real backends: sentence-transformers, a persistent Chroma index and llama.cpp (SmolLM2).

SmolLM2 is used for structure only (its answers are unreliable); answer quality is
asserted with the default model in test_default_model.py.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from rag import RAG, IndexLockedError, IndexMismatchError, Settings
from rag.backends.chroma import ChromaStore
from rag.testing import HashEmbedder

pytestmark = pytest.mark.slow


def open_real(data: Path, embedder: object, llm: object = None, **settings: object) -> RAG:
    return RAG(
        embedder=embedder,
        store=ChromaStore.persistent(data / "chroma"),
        llm=llm,  # type: ignore[arg-type]
        settings=Settings(data_dir=data, **settings),
        lock_path=data / "write.lock",
    )  # type: ignore[arg-type]


def test_ingest_is_idempotent_and_persistent(tmp_path: Path, seeds: Path, real_embedder: object) -> None:
    rag = open_real(tmp_path, real_embedder)
    first = rag.ingest([seeds])
    assert first.documents_added == 5 and first.chunks_embedded == first.chunks_total > 10
    second = rag.ingest([seeds])
    assert second.chunks_embedded == 0 and second.chunks_total == first.chunks_total
    reopened = open_real(tmp_path, real_embedder)
    assert reopened.store.count() == first.chunks_total
    assert reopened.store.index_metadata()["embedder"] == "all-minilm-l6-v2"
    hits = reopened.retrieve("How much money did the EU set aside for weapons and equipment for the training mission?")
    assert hits[0].chunk.doc_id == "003_bdfe6df497ee2b67.txt"
    assert "16 million euros" in hits[0].chunk.text
    assert 0 < hits[0].score <= 1


def test_changed_file_and_remove_leave_no_orphans(tmp_path: Path, seeds: Path, real_embedder: object) -> None:
    rag = open_real(tmp_path, real_embedder)
    rag.ingest([seeds])
    f = seeds / "002_ded4a86885e97be2.txt"
    f.write_text(f.read_text().replace("Jens Stoltenberg", "Mark Rutte"))
    report = rag.ingest([seeds])
    assert report.documents_updated == 1 and report.chunks_removed >= 1
    texts = [c.text for c in rag.store.chunks(doc_id=f.name, with_text=True)]
    assert any("Mark Rutte" in t for t in texts) and not any("Stoltenberg" in t for t in texts)
    assert rag.store.count() == sum(d.chunks for d in rag.documents())
    rag.remove([f.name])
    assert rag.store.chunks(doc_id=f.name) == []


def test_other_embedder_is_refused_with_the_rebuild_command(tmp_path: Path, seeds: Path, real_embedder: object) -> None:
    open_real(tmp_path, real_embedder).ingest([seeds])
    with pytest.raises(IndexMismatchError) as info:
        open_real(tmp_path, HashEmbedder(dimension=384, model_id="other-model"))
    assert "all-minilm-l6-v2" in str(info.value) and "rag ingest --rebuild" in str(info.value)


def test_second_process_gets_the_lock_error_at_once(tmp_path: Path, seeds: Path, real_embedder: object) -> None:
    rag = open_real(tmp_path, real_embedder)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import fcntl, os, sys, time
            fd = os.open({str(tmp_path / "write.lock")!r}, os.O_RDWR | os.O_CREAT)
            fcntl.flock(fd, fcntl.LOCK_EX)
            print("locked", flush=True)
            time.sleep(30)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexLockedError):
            rag.ingest([seeds])
    finally:
        holder.kill()
        holder.wait()
    assert rag.ingest([seeds]).documents_added == 5  # the lock died with its holder


def test_real_llm_answer_structure_and_context_budget(
    seeded_chroma_dir: Path, real_embedder: object, smollm: object
) -> None:
    rag = open_real(seeded_chroma_dir, real_embedder, smollm, max_tokens=48, top_k=8, min_score=-1.0)
    stream = rag.stream("How many Ukrainian soldiers are being trained by the EU mission?")
    pieces = list(stream)
    answer = stream.answer()
    assert len(pieces) > 1 and answer.text
    assert answer.timings.prompt_tokens > 0 and answer.timings.first_token_s > 0
    assert answer.timings.total_s >= answer.timings.first_token_s
    assert len(answer.hits) == 8 and answer.sources
    assert all(1 <= c.marker <= len(answer.sources) for c in answer.citations)
    # SmolLM2's context is fitted: n_ctx 2048 minus 48 new tokens.
    assert answer.timings.prompt_tokens + 48 <= 2048


def test_small_context_drops_sources_instead_of_overflowing(seeded_chroma_dir: Path, real_embedder: object) -> None:
    from rag.backends.llms import LlamaCppLLM
    from tests.conftest import MODELS

    tiny = LlamaCppLLM(MODELS / "SmolLM2-135M-Instruct.Q4_1.gguf", n_ctx=512, n_threads=2)
    rag = open_real(seeded_chroma_dir, real_embedder, tiny, max_tokens=32, top_k=8, min_score=-1.0)
    answer = rag.ask("What did the French defence minister say about demilitarization?")
    assert 0 < len(answer.sources) < 8  # lowest-ranked sources were dropped to fit
    assert answer.timings.prompt_tokens + 32 <= 512


def test_concurrent_questions_share_one_model_safely(
    seeded_chroma_dir: Path, real_embedder: object, smollm: object
) -> None:
    rag = open_real(seeded_chroma_dir, real_embedder, smollm, max_tokens=16, min_score=-1.0)
    answers: list[object] = []
    errors: list[BaseException] = []

    def ask(q: str) -> None:
        try:
            answers.append(rag.ask(q))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(f"What did the EU decide about Ukraine? ({i})",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert errors == [] and len(answers) == 4
