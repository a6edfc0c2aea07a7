"""The public test helpers in rag.testing: ``fake_rag`` builds what it says, ``free_port`` is free."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from rag.backends.keyword import SqliteKeywordIndex
from rag.testing import FakeLLM, HashEmbedder, MemoryStore, fake_rag, free_port
from tests.conftest import SEEDS


def test_fake_rag_keeps_everything_under_its_folder_and_locks_like_the_cli(tmp_path: Path) -> None:
    rag = fake_rag(tmp_path, min_score=-1.0)
    assert rag.settings.data_dir == tmp_path / "data" and rag.settings.models_dir == tmp_path / "models"
    assert isinstance(rag.embedder, HashEmbedder) and isinstance(rag.store, MemoryStore) and rag.keyword is None
    report = rag.ingest([SEEDS])
    assert report.documents_added == 5
    assert (tmp_path / "data" / "write.lock").is_file()
    assert rag.ask("How much money did the EU set aside for the training mission?").text == "It rained [1]."


def test_fake_rag_options_and_settings_overrides(tmp_path: Path) -> None:
    store, llm = MemoryStore(), FakeLLM("Scripted [1].")
    rag = fake_rag(tmp_path, store=store, llm=llm, keyword=True, locked=False, top_k=3, data_dir=tmp_path / "d")
    assert rag.store is store and rag.settings.top_k == 3 and rag.settings.data_dir == tmp_path / "d"
    assert isinstance(rag.keyword, SqliteKeywordIndex) and str(rag.keyword.path) == ":memory:"
    rag.ingest([SEEDS])
    assert rag.keyword.count() == store.count() > 0
    assert not (tmp_path / "d" / "write.lock").exists()
    assert rag.llm() is llm
    other = fake_rag(tmp_path / "other", reply="Other [1].", min_score=-1.0)
    other.ingest([SEEDS])
    assert other.ask("How much money did the EU set aside for the training mission?").text == "Other [1]."


def test_fake_rag_rejects_an_unknown_setting(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="top_kk"):
        fake_rag(tmp_path, top_kk=3)


def test_free_port_can_be_bound() -> None:
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # raises OSError if something holds it
    assert 1024 <= port <= 65535
