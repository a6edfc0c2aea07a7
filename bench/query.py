"""The query suite: :meth:`RAG.retrieve` vs a raw Chroma query, on 1k/10k/100k-chunk indexes.

Ours is embed + dense + BM25 + fusion + de-duplication; the baseline is Chroma's own
query with a precomputed embedding. Chunk vectors are means of real sentence
embeddings (see :func:`bench.corpus.synthetic_chunks`), because embedding 100k chunks
on 2 cores takes hours; :func:`vector_fidelity` reports how close they are to the real
thing. Indexes are cached under ``<data>/bench/query-<size>`` while their marker matches.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from bench.common import Row, Target, index_size, make_row, summarize
from bench.context import Bench
from bench.corpus import CORPUS_VERSION, news_sentences, pool_size_for, synthetic_chunks, synthetic_questions
from rag.backends.keyword import SqliteKeywordIndex
from rag.pipeline import RAG
from rag.retrieval import collapse_near_duplicates, reciprocal_rank_fusion
from rag.types import Chunk

__all__ = ["keyword_upsert_probe", "pool_vectors", "query_index", "run", "vector_fidelity"]


def pool_vectors(b: Bench, n: int) -> tuple[list[str], Any]:
    """``n`` corpus sentences and their real embeddings (an n x dim array, cached as .npy)."""
    pool = news_sentences(n, seed=b.options.seed)
    path = b.cache / f"pool-{n}-s{b.options.seed}-v{CORPUS_VERSION}-{b.settings.embed_model}.npy"
    if path.is_file():
        vecs = np.load(path)
        if vecs.shape[0] == n:
            return pool, vecs
    b.reporter.task(f"query: embedding {n} pool sentences with the real model")
    vecs = np.asarray(b.embedder().embed(pool), dtype=np.float32)
    np.save(path, vecs)
    return pool, vecs


def query_index(b: Bench, size: int) -> tuple[RAG, dict[str, Any]]:
    """The synthetic index of ``size`` chunks, built once and reused while its marker matches."""
    s, o = b.settings, b.options
    n_pool = pool_size_for(size)
    d = b.cache / f"query-{size}"
    marker = d / "bench-index.json"
    want = {"size": size, "seed": o.seed, "pool": n_pool, "version": CORPUS_VERSION, "embed_model": s.embed_model}
    settings = replace(s, data_dir=d)
    if marker.is_file():
        info = json.loads(marker.read_text())
        if {k: info.get(k) for k in want} == want:
            b.reporter.note(f"query: reusing the {size:,}-chunk index in {d} (built in {info['build_s']:.0f} s)")
            return RAG.open(settings=settings, embedder=b.embedder()), {**info, "reused": True}
    shutil.rmtree(d, ignore_errors=True)
    pool, pool_vecs = pool_vectors(b, n_pool)
    t0 = time.perf_counter()
    pairs = synthetic_chunks(size, pool, seed=o.seed)
    vecs = np.stack([pool_vecs[idx].mean(axis=0) for _, idx in pairs])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    chunks = [c for c, _ in pairs]
    rag = RAG.open(settings=settings, embedder=b.embedder())
    rag.ingest_documents([])  # records the index settings (embedder, chunker) like a real ingest
    store, keyword = rag.store, rag.keyword
    batch = min(5000, int(getattr(store, "max_batch_size", 5000)))
    b.reporter.task(f"query: building the {size:,}-chunk index", total=size)
    t_store = 0.0
    t_kw = 0.0
    for i in range(0, size, batch):
        t = time.perf_counter()
        store.upsert(chunks[i : i + batch], vecs[i : i + batch].tolist())
        t_store += time.perf_counter() - t
        t = time.perf_counter()
        if isinstance(keyword, SqliteKeywordIndex):
            # Every id is new: upsert would first delete each one, a full scan per chunk on
            # an FTS5 table (measured separately below, by keyword_upsert_probe).
            keyword.insert_new(chunks[i : i + batch])
        elif keyword is not None:
            keyword.upsert(chunks[i : i + batch])
        t_kw += time.perf_counter() - t
        b.reporter.advance(min(batch, size - i))
    info = {
        **want,
        "build_s": time.perf_counter() - t0,
        "chroma_upsert_s": t_store,
        "keyword_insert_s": t_kw,
        "built": dt.datetime.now().isoformat(timespec="seconds"),
        "size_on_disk": index_size(d, s.collection),
    }
    marker.write_text(json.dumps(info, indent=2))
    b.reporter.note(
        f"query: built the {size:,}-chunk index in {info['build_s']:.0f} s "
        f"(Chroma upsert {t_store:.0f} s, FTS5 insert {t_kw:.0f} s)"
    )
    # Reopen as a user would: the keyword index is checked against the store on open.
    return RAG.open(settings=settings, embedder=b.embedder()), {**info, "reused": False}


def vector_fidelity(b: Bench, size: int, n: int = 32) -> dict[str, float]:
    """Cosine between the cheap mean-of-sentences vector and the real chunk embedding."""
    pool, pool_vecs = pool_vectors(b, pool_size_for(size))
    pairs = synthetic_chunks(size, pool, seed=b.options.seed)[:n]
    real = np.asarray(b.embedder().embed([f"{c.title}\n{c.text}" for c, _ in pairs]))
    cheap = np.stack([pool_vecs[idx].mean(axis=0) for _, idx in pairs])
    cheap /= np.linalg.norm(cheap, axis=1, keepdims=True)
    cos = (real * cheap).sum(axis=1)
    return {"n": n, "mean_cosine": float(cos.mean()), "min_cosine": float(cos.min())}


def run(b: Bench) -> tuple[list[Row], dict[str, Any]]:
    """Retrieve p50/p95 vs raw Chroma for each size in ``options.sizes``, with each stage alone."""
    o, s = b.options, b.settings
    emb = b.embedder()
    questions = synthetic_questions(o.queries, seed=o.seed)
    qvecs = emb.embed(questions)
    fetch = max(s.fetch_k, s.top_k)
    rows: list[Row] = []
    raw: dict[str, Any] = {"queries": len(questions), "fetch_k": fetch, "sizes": {}}
    b.reporter.task("query: checking the cheap chunk vectors against real embeddings")
    raw["vector_fidelity"] = vector_fidelity(b, min(o.sizes))
    for size in o.sizes:
        rag, info = query_index(b, size)
        col = rag.store.collection  # type: ignore[attr-defined]  # the raw Chroma collection: the baseline
        keyword = rag.keyword

        def raw_query(v: Sequence[float], col: Any = col) -> None:
            col.query(query_embeddings=[list(v)], n_results=fetch)

        for q, v in zip(questions[:5], qvecs[:5], strict=False):  # warm caches (HNSW pages, SQLite)
            rag.retrieve(q)
            raw_query(v)
        samples: dict[str, list[float]] = {k: [] for k in ("ours", "raw", "embed", "dense", "bm25", "fuse")}
        b.reporter.task(f"query: {size:,} chunks, ours vs raw Chroma", total=len(questions))
        for i, (q, v) in enumerate(zip(questions, qvecs, strict=True)):
            order = ("ours", "raw") if i % 2 == 0 else ("raw", "ours")
            for which in order:
                t = time.perf_counter()
                if which == "ours":
                    rag.retrieve(q)
                else:
                    raw_query(v)
                samples[which].append(time.perf_counter() - t)
            # Where our time goes: each stage alone.
            t = time.perf_counter()
            [qv] = emb.embed([q])
            samples["embed"].append(time.perf_counter() - t)
            t = time.perf_counter()
            dense = rag.store.query(qv, fetch)
            samples["dense"].append(time.perf_counter() - t)
            t = time.perf_counter()
            bm25 = keyword.search(q, fetch) if keyword is not None else []
            samples["bm25"].append(time.perf_counter() - t)
            t = time.perf_counter()
            collapse_near_duplicates(reciprocal_rank_fusion([dense, bm25]), threshold=s.dedupe_threshold, limit=s.top_k)
            samples["fuse"].append(time.perf_counter() - t)
            b.reporter.advance()
        stats = {k: summarize(v) for k, v in samples.items()}
        upsert_probe = keyword_upsert_probe(rag, size) if keyword is not None else None
        raw["sizes"][str(size)] = {"index": info, "stats": stats, "samples": samples, "keyword_upsert_64": upsert_probe}
        p50 = stats["ours"]["p50"]
        share = stats["embed"]["p50"] / p50 if p50 else 0.0
        note = (
            f"p50 parts: embed {stats['embed']['p50'] * 1000:.1f} ms, dense {stats['dense']['p50'] * 1000:.1f} ms, "
            f"bm25 {stats['bm25']['p50'] * 1000:.1f} ms, fuse {stats['fuse']['p50'] * 1000:.1f} ms"
        )
        target = Target("<=", 0.050, on="ours", text="p50 ≤ 50 ms") if size >= 100_000 else Target()
        rows.append(
            make_row(
                "query",
                f"query p50, {size:,} chunks",
                p50,
                stats["raw"]["p50"],
                "ms",
                target,
                baseline_what="raw Chroma",
                note=f"{note}; embed share {share:.0%}",
            )
        )
        rows.append(
            make_row(
                "query",
                f"query p95, {size:,} chunks",
                stats["ours"]["p95"],
                stats["raw"]["p95"],
                "ms",
                baseline_what="raw Chroma",
            )
        )
        rows.append(
            make_row(
                "query",
                f"question embedding alone p50, {size:,}",
                stats["embed"]["p50"],
                p50,
                "ms",
                baseline_what="whole retrieve",
                note=f"the ratio is the embedding's share; BM25 alone p50 {stats['bm25']['p50'] * 1000:.1f} ms",
            )
        )
        rows.append(
            make_row(
                "memory",
                f"index on disk per 1k chunks ({size:,}-chunk index)",
                info["size_on_disk"]["total_bytes"] * 1000 / size,
                None,
                "MiB",
            )
        )
        b.reporter.note(
            f"query {size:,}: ours p50 {p50 * 1000:.1f} ms vs raw {stats['raw']['p50'] * 1000:.1f} ms ({note})"
        )
    return rows, raw


def keyword_upsert_probe(rag: RAG, size: int, n: int = 64) -> dict[str, float]:
    """Seconds for the keyword adapter to upsert (then delete) ``n`` new chunks into this index."""
    keyword = rag.keyword
    assert keyword is not None
    probe = [
        Chunk(
            chunk_id=f"probe-{i}",
            doc_id="probe.txt",
            text=f"probe passage number {i} about grain exports",
            start=0,
            end=10,
        )
        for i in range(n)
    ]
    t = time.perf_counter()
    keyword.upsert(probe)
    upsert_s = time.perf_counter() - t
    t = time.perf_counter()
    keyword.delete([c.chunk_id for c in probe])
    return {"chunks": n, "index_size": size, "upsert_s": upsert_s, "delete_s": time.perf_counter() - t}
