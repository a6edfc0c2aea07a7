"""The index: ingest documents, remove them, list them; the write lock and crash repair.

Chunks are content-addressed (``rag.chunking.chunk_id``), so re-ingesting unchanged
documents embeds nothing, a changed document replaces exactly its old chunks, and
unchanged passages of a changed document keep their vectors. Documents are written in
groups, never split across store calls, so an interrupted ingest never leaves half a
document; :meth:`Indexer.reconcile` removes what an interrupted update left and brings
the keyword index back in line with the store.

Each chunk records its document's source (the file's resolved path, or the URL), so
an ingest given folder snapshots ("sync") also removes the documents whose
files are gone from those folders, and only those. Removals are written a group of
whole documents at a time, store first, like every other write: a crash between the
store and the keyword index is repaired by :meth:`Indexer.reconcile`, and running the
sync again finishes the removals.

What it deliberately does not do: read files (``rag.loading``), search
(``rag.retrieval``) or coordinate writers on different machines (the lock is a local
file lock: see the README's server-mode section).
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from rag.chunking import ChunkerSettings, chunk_document
from rag.errors import IndexLockedError, IndexMismatchError
from rag.protocols import Embedder, KeywordIndex, VectorStore
from rag.types import Chunk, Document, IngestReport

__all__ = [
    "EMBED_BATCH",
    "WRITE_BATCH",
    "DocumentInfo",
    "FolderSnapshot",
    "Indexer",
    "IngestProgress",
    "assign_ids",
    "document_source",
    "embed_text",
]

log = logging.getLogger(__name__)

IngestProgress = Callable[[int, int, str], None]  # (documents done, documents total, current doc id)
# Chunks embedded per call: sentence-transformers sorts by length within a call only.
EMBED_BATCH = 1024
# Chunks per store write, well under Chroma's batch limit (~5,000).
WRITE_BATCH = 1024

_Pending = tuple[Document, list[Chunk], dict[str, Chunk]]  # (document, new chunks, old chunks by id)


@dataclass(frozen=True)
class DocumentInfo:
    """One indexed document: its metadata and how many chunks it has."""

    doc_id: str
    title: str
    url: str
    date: str
    chunks: int
    content_hash: str
    source: str = ""  # the file's resolved path or the URL ("" in indexes older than sources)


@dataclass(frozen=True)
class FolderSnapshot:
    """What a synced folder holds now: its resolved path and the resolved paths of its ingestible files.

    A document whose recorded source is under ``folder`` but not in ``files`` is gone.
    """

    folder: str
    files: frozenset[str]

    def lost(self, source: str) -> bool:
        """Whether a document with this source came from this folder and its file is gone."""
        root = self.folder.rstrip(os.sep) + os.sep
        return source.startswith(root) and source not in self.files


def assign_ids(docs: Sequence[Document], indexed: Mapping[str, tuple[str, str]]) -> list[Document]:
    """``docs`` with ids that say which document each one is; ``indexed``: doc id -> (source, content hash).

    A file's identity is where it came from (its resolved path), not its name: the
    same path is the same document (an update, under its indexed id); a new file keeps
    its name as id unless a document from another source holds that name. Then a copy
    (same text) is that document, and any other text gets the shortest unique
    path-qualified id ("b/report.txt", then "x/b/report.txt", then "b/report~2.txt");
    a file with the same text whose indexed source is gone was moved: same document.
    A name indexed without a source (an index made before sources were recorded) is
    adopted by the first file that brings it, as before. URLs, feed items and dump
    records keep their ids: those already say where they came from.
    """
    taken = dict(indexed)
    by_source = {source: doc_id for doc_id, (source, _) in indexed.items() if source}
    out: list[Document] = []
    for doc in docs:
        source = document_source(doc)
        if not doc.path or doc.doc_id != Path(doc.path).name:
            taken[doc.doc_id] = (source, doc.content_hash)
            out.append(doc)
            continue
        owner, owner_hash = taken.get(doc.doc_id, ("", ""))
        if source in by_source:
            doc_id = by_source[source]
        elif owner in ("", source):
            doc_id = doc.doc_id
        elif owner_hash == doc.content_hash:
            if Path(owner).is_file():  # a copy of an indexed article: no duplicate, first source kept
                out.append(replace(doc, path=owner))
                continue
            doc_id = doc.doc_id  # the same article, moved: recorded under its new path
        else:
            doc_id = _qualified_id(Path(source), taken)
            log.info("%s: %s already names a document from %s; indexed as %s", source, doc.doc_id, owner, doc_id)
        taken[doc_id] = (source, doc.content_hash)
        by_source[source] = doc_id
        out.append(doc if doc_id == doc.doc_id else replace(doc, doc_id=doc_id))
    return out


def _qualified_id(path: Path, taken: Mapping[str, object]) -> str:
    parts = path.parts
    for depth in range(2, len(parts)):
        candidate = "/".join(parts[-depth:])
        if candidate not in taken:
            return candidate
    n = 2
    while f"{path.parent.name}/{path.stem}~{n}{path.suffix}" in taken:
        n += 1
    return f"{path.parent.name}/{path.stem}~{n}{path.suffix}"


def document_source(doc: Document) -> str:
    """Where ``doc`` came from: its file's resolved absolute path, else its URL."""
    return str(Path(doc.path).resolve()) if doc.path else doc.url


def embed_text(c: Chunk) -> str:
    """What the embedder reads for a chunk: the title situates passages that never name their subject."""
    return f"{c.title}\n{c.text}" if c.title else c.text


class Indexer:
    """Writes to a vector store and its keyword index, one writer at a time.

    ``lock_path`` is the write lock's file (None: no locking, for in-memory tests).
    """

    def __init__(
        self,
        *,
        embedder: Embedder,
        store: VectorStore,
        keyword: KeywordIndex | None,
        chunker: ChunkerSettings,
        data_dir: Path,
        lock_path: Path | None = None,
    ) -> None:
        self.embedder = embedder
        self.store = store
        self.keyword = keyword
        self.chunker = chunker
        self._data_dir = data_dir
        self._lock_path = lock_path

    # -- state ------------------------------------------------------------------------

    def index_settings(self) -> dict[str, str]:
        """What the index records about how it was built (embedder, dimension, chunker)."""
        return {
            "embedder": self.embedder.model_id,
            "dimension": str(self.embedder.dimension),
            "chunker": self.chunker.signature(),
        }

    def check(self) -> None:
        """Raise :class:`IndexMismatchError` when the index was built with other settings."""
        recorded = self.store.index_metadata()
        if "embedder" not in recorded:
            return  # new, empty index: settings are recorded on first ingest
        wanted = self.index_settings()
        diffs = [f"{k} {recorded.get(k)!r} (asked for {v!r})" for k, v in wanted.items() if recorded.get(k) != v]
        if diffs:
            raise IndexMismatchError(
                f"The index in {self._data_dir} was built with {'; '.join(diffs)}. "
                "Rebuild it with `rag ingest --rebuild PATH...`, or use another --data-dir."
            )

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Exclusive, non-blocking: a second writer fails at once instead of corrupting the index.

        Raises :class:`IndexLockedError` when another process holds the lock.
        """
        if self._lock_path is None:
            yield
            return
        self._lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexLockedError(
                    f"Another process is writing to the index in {self._lock_path.parent}. "
                    "Wait for it to finish and try again."
                ) from None
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            yield
        finally:
            os.close(fd)  # closing releases the lock, also when the process dies

    def documents(self, *, sort: Literal["id", "date"] = "id") -> list[DocumentInfo]:
        """Indexed documents with their chunk counts, sorted by id, or by date newest first
        (undated last, ties by id)."""
        by_doc: dict[str, list[Chunk]] = defaultdict(list)
        for c in self.store.chunks():
            by_doc[c.doc_id].append(c)
        out = []
        for doc_id in sorted(by_doc):
            first = by_doc[doc_id][0]
            out.append(
                DocumentInfo(
                    doc_id, first.title, first.url, first.date, len(by_doc[doc_id]), first.doc_hash, first.source
                )
            )
        if sort == "date":
            # Stable sorts: by id, then by date descending, so ties keep id order.
            out.sort(key=lambda d: d.date, reverse=True)
            out.sort(key=lambda d: not d.date)
        return out

    def reconcile(self) -> list[Chunk]:
        """Under the write lock: drop half-replaced versions, resync the keyword index.

        Returns the store's chunks (metadata only) after the repair.
        """
        chunks = self.store.chunks()
        if self._repair(chunks):
            chunks = self.store.chunks()
        if self.keyword is not None and self.keyword.ids() != {c.chunk_id for c in chunks}:
            # New, or left behind by a crash between the two writes: rebuild from the store.
            added, removed = self.keyword.sync(self.store.chunks(with_text=True))
            log.info("keyword index synced: %d added, %d removed", added, removed)
        return chunks

    def _repair(self, chunks: Sequence[Chunk]) -> int:
        """Remove chunks of an interrupted update: keep each document's newest version only."""
        versions: dict[str, dict[str, float]] = defaultdict(dict)
        for c in chunks:
            versions[c.doc_id][c.doc_hash] = max(versions[c.doc_id].get(c.doc_hash, 0.0), c.ingested_at)
        stale: list[str] = []
        for doc_id, hashes in versions.items():
            if len(hashes) > 1:
                newest = max(hashes, key=lambda h: hashes[h])
                stale.extend(c.chunk_id for c in chunks if c.doc_id == doc_id and c.doc_hash != newest)
        if stale:
            log.warning("removing %d chunks left by an interrupted update", len(stale))
            self.store.delete(stale)
            if self.keyword is not None:
                self.keyword.delete(stale)
        return len(stale)

    # -- writes -----------------------------------------------------------------------

    def ingest_documents(
        self,
        docs: Sequence[Document],
        *,
        progress: IngestProgress | None = None,
        rebuild: bool = False,
        sync: Sequence[FolderSnapshot] = (),
    ) -> IngestReport:
        """Index loaded documents; unchanged ones cost nothing.

        ``rebuild`` first deletes every chunk (after a change of embedder or chunking).
        ``sync``: then remove the documents whose recorded source is under one of these
        folders but no longer among its files (documents from elsewhere, and chunks
        without a recorded source, are never touched). Raises
        :class:`IndexLockedError` when another writer is busy and
        :class:`IndexMismatchError` when the index was built with other settings.
        """
        t0 = time.perf_counter()
        with self.write_lock():
            removed = 0
            if rebuild:
                existing = self.store.chunks()
                self.store.delete([c.chunk_id for c in existing])
                if self.keyword is not None:
                    self.keyword.clear()
                removed, existing = len(existing), []
            else:
                self.check()
                existing = self.reconcile()
            self.store.set_index_metadata(self.index_settings())
            by_doc: dict[str, dict[str, Chunk]] = defaultdict(dict)
            for c in existing:
                by_doc[c.doc_id][c.chunk_id] = c
            newest = {d: max(cs.values(), key=lambda c: c.ingested_at) for d, cs in by_doc.items()}
            docs = assign_ids(docs, {d: (c.source, c.doc_hash) for d, c in newest.items()})

            added = updated = unchanged = 0
            counts = {"embedded": 0, "removed": removed}
            pending: list[_Pending] = []
            pending_chunks = 0
            sources: dict[str, str] = {}  # doc id -> source, after this run
            written: dict[str, list[str]] = {}  # doc id -> chunk ids, of documents written in this run
            for i, doc in enumerate(docs):
                old = by_doc.get(doc.doc_id, {})
                source = sources[doc.doc_id] = document_source(doc)
                # Same text and metadata under the same chunker settings (checked above)
                # give the same chunks: skip chunking them again. A new source alone
                # (a file moved, an index older than sources) rewrites the chunks with
                # their stored vectors: nothing is embedded.
                if old and all(
                    (c.doc_hash, c.title, c.url, c.date, c.source)
                    == (doc.content_hash, doc.title, doc.url, doc.date, source)
                    for c in old.values()
                ):
                    unchanged += 1
                else:
                    chunks = [
                        replace(c, source=source) for c in chunk_document(doc, self.embedder.count_tokens, self.chunker)
                    ]
                    if old:
                        updated += 1
                    else:
                        added += 1
                    written[doc.doc_id] = [c.chunk_id for c in chunks]
                    pending.append((doc, chunks, old))
                    pending_chunks += len(chunks)
                    if pending_chunks >= EMBED_BATCH:
                        self._flush(pending, counts)
                        pending_chunks = 0
                if progress:
                    progress(i + 1, len(docs), doc.doc_id)
            self._flush(pending, counts)
            gone: list[tuple[str, str]] = []
            if sync:
                # A file may vanish between loading and the snapshot: its document goes too.
                for doc_id in sorted(by_doc.keys() | sources.keys()):
                    if doc_id in sources:
                        source = sources[doc_id]
                    else:
                        source = max(by_doc[doc_id].values(), key=lambda c: c.ingested_at).source
                    if any(snapshot.lost(source) for snapshot in sync):
                        gone.append((doc_id, source))
                doomed = [written[d] if d in written else list(by_doc[d]) for d, _ in gone]
                counts["removed"] += self._remove_documents(doomed)
            total = self.store.count()
        return IngestReport(
            documents_seen=len(docs),
            documents_added=added,
            documents_updated=updated,
            documents_unchanged=unchanged,
            chunks_embedded=counts["embedded"],
            chunks_removed=counts["removed"],
            chunks_total=total,
            seconds=time.perf_counter() - t0,
            documents_removed=len(gone),
            removed=tuple(gone),
        )

    def _remove_documents(self, docs: Sequence[list[str]]) -> int:
        """Delete documents (each given as its chunk ids) in groups of whole documents; returns chunks removed.

        Store first, then the keyword index, per group: a crash leaves every document
        whole or gone from the store, and reconcile() brings the keyword index in line.
        """
        group: list[str] = []
        removed = 0
        for ids in docs:
            if group and len(group) + len(ids) > WRITE_BATCH:
                removed += self._delete(group)
                group = []
            group.extend(ids)
        if group:
            removed += self._delete(group)
        return removed

    def _delete(self, ids: list[str]) -> int:
        self.store.delete(ids)
        if self.keyword is not None:
            self.keyword.delete(ids)
        return len(ids)

    def _flush(self, pending: list[_Pending], counts: dict[str, int]) -> None:
        """Embed the pending documents' new chunks, then write them in groups of whole documents."""
        need = [c for _, chunks, old in pending for c in chunks if c.chunk_id not in old]
        vectors = dict(zip((c.chunk_id for c in need), self.embedder.embed([embed_text(c) for c in need]), strict=True))
        counts["embedded"] += len(need)
        vectors.update(self.store.embeddings([c.chunk_id for _, cs, old in pending for c in cs if c.chunk_id in old]))
        group: list[_Pending] = []
        size = 0
        for item in pending:
            if group and size + len(item[1]) > WRITE_BATCH:
                counts["removed"] += self._write(group, vectors)
                group, size = [], 0
            group.append(item)
            size += len(item[1])
        if group:
            counts["removed"] += self._write(group, vectors)
        pending.clear()

    def _write(self, group: list[_Pending], vectors: dict[str, list[float]]) -> int:
        """One store write per group: each document lands with all of its chunks, or none of the group does.

        (One write per document cost ~20 ms each in Chroma: a fifth of a 300-article
        ingest.) Returns the number of stale chunks removed.
        """
        stamp = time.time()
        chunks = [replace(c, ingested_at=stamp) for _, cs, _ in group for c in cs]
        keep = {c.chunk_id for c in chunks}
        stale = [cid for _, _, old in group for cid in old if cid not in keep]
        self.store.upsert(chunks, [vectors[c.chunk_id] for c in chunks])
        if stale:
            self.store.delete(stale)
        if self.keyword is not None:  # after the store: a crash here is repaired by sync
            self.keyword.upsert(chunks)
            self.keyword.delete(stale)
        return len(stale)

    def remove(self, doc_ids: Sequence[str]) -> int:
        """Delete documents by id; returns the number of chunks removed.

        Ids are compared after Unicode NFC normalisation, so a name typed on one
        system matches one stored by another (macOS writes file names decomposed).
        """
        with self.write_lock():
            ids: list[str] = []
            missing: set[str] = set()
            for d in doc_ids:
                found = [c.chunk_id for c in self.store.chunks(doc_id=d)]
                ids.extend(found)
                if not found:
                    missing.add(unicodedata.normalize("NFC", d))
            if missing:  # stored under another normal form: one scan of the ids
                stored = {c.doc_id for c in self.store.chunks() if unicodedata.normalize("NFC", c.doc_id) in missing}
                ids.extend(c.chunk_id for d in stored for c in self.store.chunks(doc_id=d))
            self.store.delete(ids)
            if self.keyword is not None:
                self.keyword.delete(ids)
        return len(ids)
