"""The VectorStore contract, one suite run against every implementation.

``MemoryStore`` (the fake), ``ChromaStore.persistent`` (embedded) and
``ChromaStore.http`` (a real ``chroma run`` server, marked slow) must behave the same
wherever the pipeline depends on it. Vectors are small hand-made unit vectors, so the
expected ranking and scores are known exactly.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from rag.backends.chroma import ChromaStore
from rag.protocols import VectorStore
from rag.testing import MemoryStore
from rag.types import Chunk, DateRange

pytest_plugins = ["tests.servers"]

# Cosine to QUERY is the first component: 1, 0.8, 0.6, 0, -0.6, -1 (no ties).
QUERY = [1.0, 0.0, 0.0, 0.0]
VECTORS = {
    "a": [1.0, 0.0, 0.0, 0.0],
    "b": [0.8, 0.6, 0.0, 0.0],
    "c": [0.6, 0.0, 0.8, 0.0],
    "d": [0.0, 0.0, 0.0, 1.0],
    "e": [-0.6, 0.0, 0.0, 0.8],
    "f": [-1.0, 0.0, 0.0, 0.0],
}
EXPECTED_ORDER = ["a", "b", "c", "d", "e", "f"]
EXPECTED_SCORE = {"a": 1.0, "b": 0.8, "c": 0.6, "d": 0.0, "e": -0.6, "f": -1.0}
EPS = 1e-5  # Chroma keeps float32 vectors and reports 1 - distance


@dataclass(frozen=True)
class StoreCase:
    kind: str
    open: Callable[[], VectorStore]  # a new handle on the same data: another worker, for a server


def chunk(cid: str, doc: str = "doc1.txt", *, text: str | None = None, **fields: object) -> Chunk:
    text = f"Passage {cid}: it rained in Brussels." if text is None else text
    values: dict[str, object] = {
        "start": 10 * (ord(cid[0]) - 97),
        "end": 10 * (ord(cid[0]) - 97) + len(text),
        "ordinal": ord(cid[0]) - 97,
        "title": f"Title of {doc}",
        "url": f"https://example.org/{doc}",
        "date": "2024-03-01",
        "doc_hash": f"hash-{doc}",
        "ingested_at": 1_717_171_717.123456,
        "source": f"/news/{doc}",
        **fields,
    }
    return Chunk(chunk_id=cid, doc_id=doc, text=text, **values)  # type: ignore[arg-type]


def upsert(store: VectorStore, chunks: Sequence[Chunk]) -> None:
    store.upsert(chunks, [VECTORS[c.chunk_id[0]] for c in chunks])


def without_text(chunks: Sequence[Chunk]) -> list[Chunk]:
    return sorted((replace(c, text="") for c in chunks), key=lambda c: c.chunk_id)


@pytest.fixture(params=["memory", "chroma-persistent", pytest.param("chroma-http", marks=pytest.mark.slow)])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreCase]:
    kind = request.param
    if kind == "memory":
        mem = MemoryStore()
        yield StoreCase(kind, lambda: mem)
    elif kind == "chroma-persistent":
        yield StoreCase(kind, lambda: ChromaStore.persistent(tmp_path / "chroma"))
    else:
        server = request.getfixturevalue("chroma_server")
        name = f"contract-{uuid.uuid4().hex[:12]}"  # one collection per test on the shared server
        yield StoreCase(kind, lambda: ChromaStore.http(server.host, server.port, name))
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        with contextlib.suppress(Exception):
            client = chromadb.HttpClient(
                host=server.host, port=server.port, settings=ChromaSettings(anonymized_telemetry=False)
            )
            client.delete_collection(name)


@pytest.fixture
def store(case: StoreCase) -> VectorStore:
    return case.open()


def test_implements_the_protocol(store: VectorStore) -> None:
    assert isinstance(store, VectorStore)


def test_empty_store(store: VectorStore) -> None:
    assert store.count() == 0
    assert store.query(QUERY, 5) == []
    assert store.chunks() == []
    assert store.embeddings(["a"]) == {}
    assert store.embeddings([]) == {}
    store.upsert([], [])
    store.delete([])
    assert store.count() == 0


def test_index_metadata_is_set_merged_and_shared(case: StoreCase, store: VectorStore) -> None:
    assert "embedder" not in store.index_metadata()  # the pipeline reads this as "new index"
    store.set_index_metadata({"embedder": "all-minilm-l6-v2", "dimension": "4"})
    store.set_index_metadata({"chunker": "sentences/200/40"})
    meta = store.index_metadata()
    assert {k: meta[k] for k in ("embedder", "dimension", "chunker")} == {
        "embedder": "all-minilm-l6-v2",
        "dimension": "4",
        "chunker": "sentences/200/40",
    }
    store.set_index_metadata({"dimension": "384"})
    assert store.index_metadata()["dimension"] == "384"
    assert store.index_metadata()["embedder"] == "all-minilm-l6-v2"
    assert case.open().index_metadata()["dimension"] == "384"


def test_upsert_then_count_and_every_field_round_trips(store: VectorStore) -> None:
    originals = [
        chunk("a"),
        chunk("b", text="Ünïcode — 16 million € for «weapons»; 中文.\nSecond line."),
        chunk("c", "doc2.html", title="", url="", date="", ingested_at=0.0, source=""),
    ]
    upsert(store, originals)
    assert store.count() == 3
    assert sorted(store.chunks(with_text=True), key=lambda c: c.chunk_id) == originals


def test_upsert_same_ids_replaces_without_duplicates(store: VectorStore) -> None:
    upsert(store, [chunk("a"), chunk("b")])
    new_a = chunk(
        "a",
        text="A rewritten passage.",
        title="New title",
        url="https://example.org/new",
        date="2025-12-31",
        start=500,
        end=520,
        ordinal=9,
        doc_hash="hash-v2",
        ingested_at=1_800_000_000.654321,
    )
    store.upsert([new_a], [VECTORS["f"]])
    assert store.count() == 2
    by_id = {c.chunk_id: c for c in store.chunks(with_text=True)}
    assert by_id == {"a": new_a, "b": chunk("b")}
    assert store.embeddings(["a"])["a"] == pytest.approx(VECTORS["f"], abs=1e-6)
    [best] = store.query(VECTORS["f"], 1)
    assert best.chunk == new_a


def test_delete_removes_chunks_and_ignores_unknown_ids(store: VectorStore) -> None:
    upsert(store, [chunk("a"), chunk("b"), chunk("c")])
    store.delete(["a", "no-such-chunk"])
    assert store.count() == 2
    assert {c.chunk_id for c in store.chunks()} == {"b", "c"}
    assert [h.chunk.chunk_id for h in store.query(QUERY, 5)] == ["b", "c"]
    assert store.embeddings(["a", "b"]).keys() == {"b"}
    store.delete(["b", "c"])
    assert store.count() == 0
    assert store.query(QUERY, 5) == []


def test_query_returns_the_k_best_by_cosine_best_first(store: VectorStore) -> None:
    chunks = {cid: chunk(cid, "doc1.txt" if cid < "d" else "doc2.txt") for cid in VECTORS}
    upsert(store, [chunks[cid] for cid in ["d", "f", "b", "a", "e", "c"]])  # not in rank order
    hits = store.query(QUERY, 3)
    assert [h.chunk.chunk_id for h in hits] == ["a", "b", "c"]
    assert [h.rank for h in hits] == [1, 2, 3]
    assert [h.score for h in hits] == pytest.approx([1.0, 0.8, 0.6], abs=EPS)
    assert hits[0].chunk == chunks["a"]  # hits carry text and metadata


def test_query_with_k_above_count_returns_everything_with_cosine_scores(store: VectorStore) -> None:
    upsert(store, [chunk(cid) for cid in reversed(EXPECTED_ORDER)])
    hits = store.query(QUERY, 50)
    assert [h.chunk.chunk_id for h in hits] == EXPECTED_ORDER
    assert [h.rank for h in hits] == list(range(1, len(EXPECTED_ORDER) + 1))
    assert [h.score for h in hits] == pytest.approx([EXPECTED_SCORE[c] for c in EXPECTED_ORDER], abs=EPS)
    assert all(-1.0 - EPS <= h.score <= 1.0 + EPS for h in hits)
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))


def test_chunks_filters_by_document_and_gives_text_when_asked(store: VectorStore) -> None:
    doc1 = [chunk("a"), chunk("b")]
    doc2 = [chunk("c", "doc2.txt")]
    upsert(store, doc1 + doc2)
    assert without_text(store.chunks()) == without_text(doc1 + doc2)  # metadata even without text
    assert without_text(store.chunks(doc_id="doc1.txt")) == without_text(doc1)
    assert sorted(store.chunks(doc_id="doc2.txt", with_text=True), key=lambda c: c.chunk_id) == doc2
    assert store.chunks(doc_id="no-such-doc.txt") == []


def test_embeddings_round_trip(store: VectorStore) -> None:
    upsert(store, [chunk("b"), chunk("c"), chunk("e")])
    got = store.embeddings(["b", "e", "missing"])
    assert got.keys() == {"b", "e"}
    for cid, vec in got.items():
        assert vec == pytest.approx(VECTORS[cid], abs=1e-6)
        assert math.isclose(math.fsum(x * x for x in vec), 1.0, abs_tol=1e-5)


def test_an_upsert_lands_whole_or_not_at_all(store: VectorStore) -> None:
    many = [chunk(f"{'abcdef'[i % 6]}{i:03d}", f"doc{i % 7}.txt") for i in range(120)]
    upsert(store, many)
    assert store.count() == 120
    assert {c.chunk_id for c in store.chunks()} == {c.chunk_id for c in many}
    # Two chunks, one vector: refused as a whole, nothing of it lands.
    with pytest.raises(ValueError):
        store.upsert([chunk("a-new"), chunk("b-new")], [VECTORS["a"]])
    assert store.count() == 120
    assert store.embeddings(["a-new", "b-new"]) == {}


def test_another_handle_sees_the_writes(case: StoreCase, store: VectorStore) -> None:
    upsert(store, [chunk("a"), chunk("b")])
    other = case.open()  # for chroma-http: what a second UI worker sees
    assert other.count() == 2
    assert [h.chunk.chunk_id for h in other.query(QUERY, 1)] == ["a"]
    other.delete(["a"])
    assert [c.chunk_id for c in store.chunks()] == ["b"]


# Cosine order a..f; each chunk's date (f has none; e's date carries a time).
DATES = {
    "a": "2025-02-28",
    "b": "2025-03-01",
    "c": "2025-03-15",
    "d": "2025-03-31",
    "e": "2025-03-31T23:10:00+01:00",
    "f": "",
}


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (None, EXPECTED_ORDER),
        (DateRange("2025-03-01", "2025-03-31"), ["b", "c", "d", "e"]),
        (DateRange("2025-03-02", None), ["c", "d", "e"]),
        (DateRange(None, "2025-03-01"), ["a", "b"]),  # the undated chunk is never in a range
        (DateRange("2025-03-15", "2025-03-15"), ["c"]),
        (DateRange("2026-01-01", None), []),
        (DateRange(None, None), ["a", "b", "c", "d", "e"]),  # dated chunks only
    ],
)
def test_query_keeps_the_date_range_in_cosine_order(
    store: VectorStore, where: DateRange | None, expected: list[str]
) -> None:
    upsert(store, [chunk(cid, f"doc-{cid}.txt", date=DATES[cid]) for cid in EXPECTED_ORDER])
    hits = store.query(QUERY, 50, where=where)
    assert [h.chunk.chunk_id for h in hits] == expected
    assert [h.rank for h in hits] == list(range(1, len(expected) + 1))
    assert [h.chunk.date for h in hits] == [DATES[c] for c in expected]
    # k counts matching chunks: a narrow range still gets its best k.
    assert [h.chunk.chunk_id for h in store.query(QUERY, 2, where=where)] == expected[:2]
