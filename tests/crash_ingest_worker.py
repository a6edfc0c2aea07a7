"""A child process for tests/test_crash_safety.py: ingest a folder into a persistent Chroma index.

    python tests/crash_ingest_worker.py DATA_DIR CORPUS_DIR [--die-at before-stale-delete|after-stale-delete]
        [--sync [--die-after-deletes N]]

It writes through ``RAG.open``: the real persistent ``ChromaStore`` and the SQLite keyword
index beside it, with the hashing embedder (see the test module for why), and prints one line per event on stdout, so the
test knows where the ingest is when it kills it:

    ready                      the index is open, ingest starts
    landed DOC_ID N            an upsert holding this document's N chunks returned (one line
                               per document of the write; the pipeline writes documents in
                               groups, here of at most WRITE_GROUP_CHUNKS chunks)
    deleted N                  a store delete of N chunks returned
    done {IngestReport json}   the ingest finished
    locked SECONDS             another process holds the write lock (IndexLockedError),
                               SECONDS from calling ingest() to the error

``--hold-after-first-write`` blocks after the first upsert (holding the write lock) until
a line arrives on stdin, so a test can try a second writer while this one certainly
still writes, however fast or slow the machine.

``--die-at`` SIGKILLs the process itself at an exact point of the first update of a
document whose old version has chunks to delete: ``before-stale-delete`` (the new version
is in Chroma, the old one not yet removed) or ``after-stale-delete`` (Chroma holds the
new version only; the keyword index, written after Chroma, still holds the old one).
Use it on an index without leftovers of an earlier interruption, whose repair would
be the first delete.

``--sync`` ingests CORPUS_DIR as a synced folder (documents whose files are gone from it
are removed); ``--die-after-deletes N`` SIGKILLs the process right after its N-th store
delete returned, before the keyword index's matching delete: in the middle of a sync's
removals when nothing else is deleted.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import rag.indexing as indexing
from rag import RAG, IndexLockedError, Settings
from rag.backends.chroma import ChromaStore
from rag.testing import HashEmbedder
from rag.types import Chunk

EMBED_DIMENSION = 384  # all-MiniLM-L6-v2's, so the HNSW index has a realistic shape
# Small write groups, so that a kill lands mid-ingest: the pipeline's default (1,024
# chunks) would write this whole test corpus in one call. A group never splits a document.
WRITE_GROUP_CHUNKS = 8
indexing.WRITE_BATCH = WRITE_GROUP_CHUNKS
indexing.EMBED_BATCH = 2 * WRITE_GROUP_CHUNKS


class ReportingStore(ChromaStore):
    """ChromaStore that announces each landed upsert and can die around a stale delete."""

    die_at = ""
    hold = False
    die_after_deletes = 0
    deletes = 0

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        super().upsert(chunks, embeddings)
        per_doc: dict[str, int] = {}
        for c in chunks:
            per_doc[c.doc_id] = per_doc.get(c.doc_id, 0) + 1
        for doc_id, n in per_doc.items():
            print(f"landed {doc_id} {n}", flush=True)
        if self.hold:
            ReportingStore.hold = False
            sys.stdin.readline()

    def delete(self, chunk_ids: Sequence[str]) -> None:
        if chunk_ids and self.die_at == "before-stale-delete":
            os.kill(os.getpid(), signal.SIGKILL)
        super().delete(chunk_ids)
        if chunk_ids and self.die_at == "after-stale-delete":
            os.kill(os.getpid(), signal.SIGKILL)
        if chunk_ids:
            print(f"deleted {len(chunk_ids)}", flush=True)
            ReportingStore.deletes += 1
            if ReportingStore.deletes == self.die_after_deletes:
                os.kill(os.getpid(), signal.SIGKILL)


def open_rag(data: Path) -> RAG:
    return RAG.open(
        settings=Settings(data_dir=data),
        embedder=HashEmbedder(dimension=EMBED_DIMENSION),
        store=ReportingStore.persistent(data / "chroma"),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--die-at", choices=["before-stale-delete", "after-stale-delete"], default="")
    parser.add_argument("--hold-after-first-write", action="store_true")
    parser.add_argument("--sync", action="store_true")
    parser.add_argument("--die-after-deletes", type=int, default=0)
    args = parser.parse_args(argv)
    ReportingStore.die_at = args.die_at
    ReportingStore.hold = args.hold_after_first_write
    ReportingStore.die_after_deletes = args.die_after_deletes
    rag = open_rag(args.data)
    print("ready", flush=True)
    t0 = time.perf_counter()
    try:
        report = rag.ingest([args.corpus], sync=args.sync)
    except IndexLockedError:
        print(f"locked {time.perf_counter() - t0:.4f}", flush=True)
        return 3
    print("done " + json.dumps(dataclasses.asdict(report)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
