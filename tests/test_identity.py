"""A document's identity is where it came from, not its file name (issue #16 kind 2)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from rag import RAG
from rag.indexing import assign_ids
from rag.types import Chunk, Document

SAMENAME = Path(__file__).resolve().parent / "data" / "faults" / "samename"


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(SAMENAME, tmp_path / "news")
    return tmp_path / "news" / "a", tmp_path / "news" / "b"


def _ids(rag: RAG) -> dict[str, str]:
    return {d.doc_id: d.title for d in rag.documents()}


def test_two_files_with_one_name_in_one_ingest_are_two_documents(fake_rag: RAG, folders: tuple[Path, Path]) -> None:
    a, b = folders
    report = fake_rag.ingest([a, b])
    assert report.documents_added == 2 and not report.skipped
    assert _ids(fake_rag) == {
        "report.txt": "Harbour dredging project approved",
        "b/report.txt": "New library opens in Marrowfield",
    }
    hits = fake_rag.retrieve("How much does the Lindqvay dredging project cost?")
    assert any("3.4 million" in h.chunk.text for h in hits)


def test_a_second_ingest_of_another_folder_adds_instead_of_replacing(fake_rag: RAG, folders: tuple[Path, Path]) -> None:
    a, b = folders
    fake_rag.ingest([a])
    report = fake_rag.ingest([b])
    assert (report.documents_added, report.documents_updated) == (1, 0)
    assert set(_ids(fake_rag)) == {"report.txt", "b/report.txt"}


def test_re_ingesting_the_same_path_is_still_an_update(fake_rag: RAG, folders: tuple[Path, Path]) -> None:
    a, b = folders
    fake_rag.ingest([a, b])
    assert fake_rag.ingest([b]).documents_unchanged == 1  # found by its path, under its longer id
    (a / "report.txt").write_text((a / "report.txt").read_text().replace("3.4 million", "3.9 million"))
    report = fake_rag.ingest([a])
    assert (report.documents_updated, report.documents_added) == (1, 0)
    assert set(_ids(fake_rag)) == {"report.txt", "b/report.txt"}
    assert any("3.9 million" in c.text for c in fake_rag.store.chunks(doc_id="report.txt", with_text=True))


def test_a_longer_id_can_be_removed(fake_rag: RAG, folders: tuple[Path, Path]) -> None:
    fake_rag.ingest(list(folders))
    assert fake_rag.remove(["b/report.txt"]) > 0
    assert set(_ids(fake_rag)) == {"report.txt"}


def test_an_index_without_sources_keeps_working(fake_rag: RAG, folders: tuple[Path, Path]) -> None:
    """Chunks written before sources were recorded: the first file with that name adopts them."""
    a, b = folders
    rag = fake_rag
    rag.ingest([a])
    legacy = [replace(c, source="") for c in rag.store.chunks(with_text=True)]
    vectors = rag.store.embeddings([c.chunk_id for c in legacy])
    rag.store.upsert(legacy, [vectors[c.chunk_id] for c in legacy])
    assert {c.source for c in rag.store.chunks()} == {""}
    assert rag.ingest([a]).documents_added == 0  # adopted: same id, source now recorded
    assert rag.ingest([b]).documents_added == 1
    assert set(_ids(rag)) == {"report.txt", "b/report.txt"}


@pytest.mark.parametrize(
    ("indexed", "path", "expected"),
    [
        ({}, "/n/a/report.txt", "report.txt"),
        ({"report.txt": ("/n/a/report.txt", "h0")}, "/n/a/report.txt", "report.txt"),
        ({"report.txt": ("/n/a/report.txt", "h0")}, "/n/b/report.txt", "b/report.txt"),
        (
            {"report.txt": ("/n/a/report.txt", "h0"), "b/report.txt": ("/m/b/report.txt", "h2")},
            "/n/b/report.txt",
            "n/b/report.txt",
        ),
        ({"report.txt": ("", "h0")}, "/n/b/report.txt", "report.txt"),  # legacy: adopted
        ({"x.txt": ("/n/b/report.txt", "h0")}, "/n/b/report.txt", "x.txt"),  # found by source
        ({"report.txt": ("/n/a/report.txt", "h1")}, "/n/b/report.txt", "report.txt"),  # a copy: the same document
    ],
)
def test_assign_ids(indexed: dict[str, tuple[str, str]], path: str, expected: str) -> None:
    doc = Document(doc_id=Path(path).name, text="t", path=path, content_hash="h1")
    assert [d.doc_id for d in assign_ids([doc], indexed)] == [expected]


def test_urls_and_feed_items_keep_their_ids() -> None:
    docs = [Document(doc_id="https://x.example/a", text="t", url="https://x.example/a")]
    assert assign_ids(docs, {"https://x.example/a": ("https://x.example/a", "")}) == docs


def test_a_copy_of_an_indexed_article_elsewhere_is_no_duplicate(
    fake_rag: RAG, folders: tuple[Path, Path], tmp_path: Path
) -> None:
    a, _ = folders
    fake_rag.ingest([a])
    copy = tmp_path / "elsewhere"
    shutil.copytree(a, copy)
    report = fake_rag.ingest([copy])
    assert (report.documents_added, report.documents_unchanged) == (0, 1)
    assert set(_ids(fake_rag)) == {"report.txt"}


def test_chunks_carry_the_new_id(fake_rag: RAG, folders: tuple[Path, Path]) -> None:
    fake_rag.ingest(list(folders))
    chunks: list[Chunk] = fake_rag.store.chunks(doc_id="b/report.txt")
    assert chunks and all(c.source.endswith("b/report.txt") for c in chunks)
