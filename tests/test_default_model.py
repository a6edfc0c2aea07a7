"""Grounded answers and abstention with the default model (Qwen2.5 1.5B), through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag import RAG, Settings
from rag.backends.chroma import ChromaStore
from tests.test_cli import rag as run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def default_rag(seeded_chroma_dir: Path, real_embedder: object, qwen: object) -> RAG:
    return RAG(
        embedder=real_embedder,
        store=ChromaStore.persistent(seeded_chroma_dir / "chroma"),  # type: ignore[arg-type]
        llm=qwen,
        settings=Settings(data_dir=seeded_chroma_dir),
    )  # type: ignore[arg-type]


def test_cli_answers_16_million_euros_citing_003(seeded_chroma_dir: Path) -> None:
    result = run_cli(
        "--data-dir",
        str(seeded_chroma_dir),
        "ask",
        "How much money did the EU set aside for weapons and equipment for the training mission?",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert "16 million euros" in answer["text"]
    assert not answer["abstained"]
    assert "003_bdfe6df497ee2b67.txt" in {c["doc_id"] for c in answer["citations"]}
    cited = next(c for c in answer["citations"] if c["doc_id"] == "003_bdfe6df497ee2b67.txt")
    assert "16 million euros" in cited["text"] and cited["end"] > cited["start"]
    assert answer["chat_model"] == "qwen2.5-1.5b" and answer["timings"]["first_token_s"] > 0


def test_off_topic_question_is_refused(default_rag: RAG) -> None:
    answer = default_rag.ask("Who won the 2022 FIFA World Cup?")
    assert answer.abstained
    assert "France" not in answer.text and "Argentina" not in answer.text


def test_grounded_answer_from_another_article(default_rag: RAG) -> None:
    answer = default_rag.ask("Who is Ukraine's defence minister that joined the Paris meeting by video link?")
    assert "Umerov" in answer.text and not answer.abstained
    assert "004_82346c73717dd168.txt" in {c.doc_id for c in answer.citations}
