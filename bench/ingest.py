"""The ingest suite: :meth:`RAG.ingest_documents` vs ``SentenceTransformer.encode``.

On a synthetic news corpus (:func:`bench.corpus.news_documents`), our ingest (chunk,
embed, write Chroma and the keyword index) against the bare model encoding the same
chunk texts with the same batch size; then a re-ingest of the unchanged corpus against
the first ingest. Rounds alternate their order so machine load hits both sides.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.common import Row, Target, TimedEmbedder, index_size, make_row, median
from bench.context import Bench
from bench.corpus import news_documents
from rag.chunking import chunk_document
from rag.indexing import EMBED_BATCH
from rag.pipeline import RAG

__all__ = ["run"]


def run(b: Bench) -> tuple[list[Row], dict[str, Any]]:
    """Ingest throughput vs encode, re-ingest vs first ingest, grouped encode, index size."""
    o, s = b.options, b.settings
    emb = b.embedder()
    model = emb.model  # the SentenceTransformer the adapter wraps: the baseline
    docs = news_documents(o.docs, seed=o.seed)
    root = b.cache / "ingest"
    shutil.rmtree(root, ignore_errors=True)  # earlier runs' indexes; this run's are fresh folders

    def fresh() -> tuple[RAG, TimedEmbedder, Path]:
        d = root / f"run-{b.stamp}-{len(ours)}"
        timed = TimedEmbedder(emb)
        return RAG.open(settings=replace(s, data_dir=d), embedder=timed), timed, d

    # The texts the pipeline embeds, computed the way it does (title line + chunk text);
    # checked below against what it actually passed to the embedder.
    chunker = RAG.open(settings=replace(s, data_dir=root / f"probe-{b.stamp}"), embedder=emb).chunker
    t = time.perf_counter()
    chunks = [c for d in docs for c in chunk_document(d, emb.count_tokens, chunker)]
    chunk_s = time.perf_counter() - t  # re-ingest repeats this for every unchanged document
    texts = [f"{c.title}\n{c.text}" if c.title else c.text for c in chunks]
    b.reporter.note(f"ingest corpus: {len(docs)} synthetic articles, {len(chunks)} chunks, batch size {emb.batch_size}")

    def encode(group: int | None) -> float:
        t = time.perf_counter()
        step = group or len(texts)
        for i in range(0, len(texts), step):
            model.encode(
                texts[i : i + step],
                batch_size=emb.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return time.perf_counter() - t

    ours: list[dict[str, Any]] = []
    base: list[float] = []
    grouped: list[float] = []
    b.reporter.task("ingest: warming up")
    model.encode(texts[:64], batch_size=emb.batch_size, show_progress_bar=False)
    b.reporter.task("ingest: ours vs SentenceTransformer.encode", total=o.rounds * 3)
    for r in range(o.rounds):
        steps: list[str] = ["ours", "encode", "grouped"] if r % 2 == 0 else ["grouped", "encode", "ours"]
        for step in steps:
            if step == "encode":
                base.append(encode(None))
            elif step == "grouped":
                grouped.append(encode(EMBED_BATCH))
            else:
                rag, timed, d = fresh()
                t = time.perf_counter()
                first = rag.ingest_documents(docs)
                first_s = time.perf_counter() - t
                embed_s = timed.seconds
                same_texts = sorted(timed.texts) == sorted(texts)
                t = time.perf_counter()
                again = rag.ingest_documents(docs)
                again_s = time.perf_counter() - t
                ours.append(
                    {
                        "dir": str(d),
                        "first_s": first_s,
                        "first_embed_s": embed_s,
                        "chunks_embedded": first.chunks_embedded,
                        "same_texts_as_baseline": same_texts,
                        "reingest_s": again_s,
                        "reingest_embedded": again.chunks_embedded,
                        "chunks_total": first.chunks_total,
                        "size": index_size(d, s.collection),
                    }
                )
                b.ingest_dir = d
            b.reporter.advance()
    n = len(texts)
    ours_tput = [n / x["first_s"] for x in ours]
    base_tput = [n / x for x in base]
    per_round = [o_ / b_ for o_, b_ in zip(ours_tput, base_tput, strict=True)]
    reingest = [x["reingest_s"] / x["first_s"] for x in ours]
    size = ours[-1]["size"]
    raw = {
        "documents": len(docs),
        "chunks": n,
        "batch_size": emb.batch_size,
        "chunking_s": chunk_s,
        "ours": ours,
        "encode_s": base,
        "encode_in_groups_s": grouped,
        "encode_group_size": EMBED_BATCH,
        "throughput_ratio_per_round": per_round,
        "reingest_share_per_round": reingest,
        "embed_share_of_ingest": [x["first_embed_s"] / x["first_s"] for x in ours],
    }
    if not all(x["same_texts_as_baseline"] for x in ours):
        b.reporter.note("ingest: WARNING the pipeline embedded other texts than the baseline encoded")
    if any(x["reingest_embedded"] for x in ours):
        b.reporter.note("ingest: WARNING re-ingest of the unchanged corpus embedded chunks")
    rows = [
        make_row(
            "ingest",
            f"ingest throughput ({n} chunks)",
            median(ours_tput),
            median(base_tput),
            "chunks/s",
            Target(">=", 0.9),
            baseline_what="encode",
            row_ratio=median(per_round),
        ),
        make_row(
            "ingest",
            "re-ingest of unchanged corpus",
            median([x["reingest_s"] for x in ours]),
            median([x["first_s"] for x in ours]),
            "s",
            Target("<=", 0.02),
            baseline_what="first ingest",
            row_ratio=median(reingest),
            note=f"unchanged articles are not chunked again (chunking all {len(docs)} takes {chunk_s:.2f} s)",
        ),
        make_row(
            "ingest",
            f"encode in groups of {EMBED_BATCH} (as the pipeline calls it)",
            median(grouped),
            median(base),
            "s",
            baseline_what="one encode call",
        ),
        make_row(
            "memory",
            "index on disk per 1k chunks (ingest corpus)",
            size["total_bytes"] * 1000 / max(1, ours[-1]["chunks_total"]),
            None,
            "MiB",
            note=f"chroma {size['chroma_bytes']:,} B + keyword {size['keyword_bytes']:,} B for {ours[-1]['chunks_total']} chunks",
        ),
    ]
    return rows, raw
