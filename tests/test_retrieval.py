"""Fusion, de-duplication and the BM25 keyword index, in isolation and inside the pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.backends.keyword import SqliteKeywordIndex
from rag.retrieval import collapse_near_duplicates, jaccard, reciprocal_rank_fusion
from rag.testing import MemoryStore, fake_rag
from rag.types import Chunk, Hit


def h(cid: str, score: float = 1.0, source: str = "dense", text: str = "") -> Hit:
    return Hit(
        chunk=Chunk(chunk_id=cid, doc_id=cid + ".txt", text=text or f"text of {cid}", start=0, end=1),
        score=score,
        source=source,
    )


def test_rrf_orders_by_summed_reciprocal_ranks() -> None:
    dense = [h("a", 0.9), h("b", 0.8), h("c", 0.7)]
    bm25 = [h("c", 12.0, "bm25"), h("d", 9.0, "bm25"), h("a", 3.0, "bm25")]
    fused = reciprocal_rank_fusion([dense, bm25], k=60)
    # a: 1/61 + 1/63 = 0.032266, c: 1/63 + 1/61 (same), b: 1/62 = 0.016129, d: 1/62.
    assert [x.chunk.chunk_id for x in fused] == ["a", "c", "b", "d"]
    assert fused[0].score == pytest.approx(1 / 61 + 1 / 63)
    assert fused[0].dense == 0.9 and fused[0].keyword == 3.0 and fused[0].source == "dense+bm25"
    assert fused[2].keyword is None and fused[3].dense is None
    assert [x.rank for x in fused] == [1, 2, 3, 4]


def test_collapse_keeps_the_better_ranked_copy() -> None:
    story = "The EU set aside 16 million euros for weapons and equipment for the training mission"
    hits = [h("a", text=story), h("b", text="Something else entirely about NATO"), h("c", text=story + " today")]
    kept = collapse_near_duplicates(hits, threshold=0.8)
    assert [x.chunk.chunk_id for x in kept] == ["a", "b"]
    # 13 distinct words ("the" and "for" repeat), plus "today": 13 / 14.
    assert jaccard(story, story + " today") == pytest.approx(13 / 14)


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_collapse_with_a_limit_equals_collapsing_everything_then_cutting(limit: int) -> None:
    story = "The EU set aside 16 million euros for weapons and equipment for the training mission"
    texts = [story, story + " today", "NATO allies met", "NATO allies met again", "Paris talks", story + " now"]
    hits = [h(str(i), text=t) for i, t in enumerate(texts)]
    whole = collapse_near_duplicates(hits, threshold=0.6)
    assert collapse_near_duplicates(hits, threshold=0.6, limit=limit) == whole[:limit]


def test_keyword_search_leaves_out_function_words_unless_nothing_else_is_left(tmp_path: Path) -> None:
    idx = SqliteKeywordIndex(tmp_path / "kw.sqlite3")
    idx.upsert(
        [
            Chunk(chunk_id="1", doc_id="a.txt", text="What did the minister do about the budget?", start=0, end=1),
            Chunk(chunk_id="2", doc_id="b.txt", text="Drones struck the power grid.", start=0, end=1),
        ]
    )
    # "what", "did", "the" would match chunk 1; only "drones" is searched.
    assert [x.chunk.chunk_id for x in idx.search("What did the drones hit?", 5)] == ["2"]
    # A query of function words alone still searches them.
    assert [x.chunk.chunk_id for x in idx.search("What did", 5)] == ["1"]


def test_keyword_delete_handles_more_ids_than_one_statement_binds(tmp_path: Path) -> None:
    idx = SqliteKeywordIndex(tmp_path / "kw.sqlite3")
    chunks = [Chunk(chunk_id=f"c{i}", doc_id="a.txt", text=f"word{i} text", start=0, end=1) for i in range(1200)]
    idx.upsert(chunks)
    idx.upsert(chunks[:700])  # the replace path deletes 700 ids first
    assert idx.count() == 1200
    idx.delete([f"c{i}" for i in range(0, 1200, 2)] + ["unknown"])
    assert idx.ids() == {f"c{i}" for i in range(1, 1200, 2)}
    idx.delete([])
    assert idx.count() == 600


def test_keyword_index_is_incremental_and_searchable(tmp_path: Path) -> None:
    idx = SqliteKeywordIndex(tmp_path / "kw.sqlite3")
    chunks = [
        Chunk(
            chunk_id="1",
            doc_id="a.txt",
            text="The mission trains Ukrainian soldiers in Poland.",
            start=0,
            end=10,
            title="Training",
        ),
        Chunk(chunk_id="2", doc_id="b.txt", text="Ministers met in Paris to discuss air defence.", start=0, end=10),
    ]
    idx.upsert(chunks)
    idx.upsert(chunks[:1])  # upserting again does not duplicate
    assert idx.count() == 2
    hits = idx.search("Where are soldiers trained?", 5)  # stemming: trained ~ trains
    assert [x.chunk.chunk_id for x in hits] == ["1"] and hits[0].chunk.title == "Training"
    assert idx.search('"); DROP TABLE chunks; --', 5) == []  # input never reaches FTS syntax
    idx.delete(["1"])
    assert idx.count() == 1 and idx.search("soldiers", 5) == []
    reopened = SqliteKeywordIndex(tmp_path / "kw.sqlite3")
    assert reopened.ids() == {"2"}
    assert reopened.sync(chunks) == (1, 0) and reopened.count() == 2


def test_keyword_insert_new_stores_chunks_like_upsert(tmp_path: Path) -> None:
    # The bulk path for fresh ids (bench/query.py) writes the same rows upsert writes.
    chunks = [
        Chunk(
            chunk_id=f"c{i}",
            doc_id="a.txt",
            text=f"Grain exports rose {i} percent",
            start=0,
            end=9,
            ordinal=i,
            title="Grain",
            url="https://news.example/grain",
            date="2024-05-01",
            doc_hash="h",
            ingested_at=1.5,
        )
        for i in range(3)
    ]
    bulk, upserted = SqliteKeywordIndex(tmp_path / "bulk.sqlite3"), SqliteKeywordIndex(tmp_path / "up.sqlite3")
    bulk.insert_new(chunks)
    upserted.upsert(chunks)
    assert bulk.ids() == {"c0", "c1", "c2"}
    assert bulk.search("grain exports", 5) == upserted.search("grain exports", 5)
    assert [h.chunk for h in bulk.search("rose 2", 1)] == [chunks[2]]


def test_hybrid_pipeline_keeps_keyword_index_in_sync(tmp_path: Path, seeds: Path) -> None:
    store, kw = MemoryStore(), SqliteKeywordIndex(":memory:")
    rag = fake_rag(tmp_path, store=store, keyword=kw, data_dir=tmp_path, min_score=-1.0, locked=False)
    rag.ingest([seeds])
    assert kw.count() == store.count()
    rag.remove(["000_03ce8f0b4e197bba.txt"])
    assert kw.count() == store.count()
    hits = rag.retrieve("Rustem Umerov video link")
    assert hits[0].chunk.doc_id == "004_82346c73717dd168.txt"
    assert any(x.keyword is not None for x in hits)
    # A keyword index that fell behind (crash between the two writes) is re-synced on open.
    kw.clear()
    fake_rag(tmp_path, store=store, keyword=kw, data_dir=tmp_path, min_score=-1.0, locked=False)
    assert kw.count() == store.count()


def test_exclude_docs_hides_documents_from_both_retrievers(tmp_path: Path, seeds: Path) -> None:
    rag = fake_rag(tmp_path, keyword=True, data_dir=tmp_path, min_score=-1.0, locked=False)
    rag.ingest([seeds])
    q = "How much money did the EU set aside for weapons and equipment for the training mission?"
    assert rag.retrieve(q)[0].chunk.doc_id == "003_bdfe6df497ee2b67.txt"
    hits = rag.retrieve(q, top_k=5, exclude_docs={"003_bdfe6df497ee2b67.txt"})
    assert len(hits) == 5 and "003_bdfe6df497ee2b67.txt" not in {x.chunk.doc_id for x in hits}


def test_server_mode_worker_follows_another_workers_ingest(tmp_path: Path, seeds: Path) -> None:
    shared = MemoryStore(shared=True)  # stands for one Chroma server
    settings = {"data_dir": tmp_path, "min_score": -1.0, "store_backend": "chroma-http", "locked": False}
    reader = fake_rag(tmp_path, store=shared, keyword=True, **settings)
    writer = fake_rag(tmp_path, store=shared, keyword=True, **settings)
    writer.ingest([seeds])
    assert reader.keyword is not None and reader.keyword.count() == 0
    reader.retrieve("Rustem Umerov")  # within 30 s of start: not checked yet
    assert reader.keyword.count() == 0
    reader.retriever.keyword_checked_at -= 31  # half a minute later
    hits = reader.retrieve("Rustem Umerov video link")
    assert reader.keyword.count() == shared.count()
    assert any(h.keyword is not None for h in hits)
