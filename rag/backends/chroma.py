"""Chroma vector store: embedded (PersistentClient) or a Chroma server (HttpClient).

Always cosine space, telemetry off, and no embedding function: vectors come from our
embedder, so Chroma never downloads its default ONNX model. Index settings live in the
collection metadata under ``rag:`` keys.

A chunk's date is stored twice: as the ISO string (``date``) and as the integer
``date_num`` = YYYYMMDD, because Chroma's ``$gte``/``$lte`` filters compare numbers only.
Collections written before ``date_num`` existed (schema 1) get it added on open.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rag.errors import BackendError
from rag.types import Chunk, DateRange, Hit

__all__ = ["ChromaStore"]

log = logging.getLogger(__name__)
_META_PREFIX = "rag:"
SCHEMA = "2"  # 2: chunks carry date_num (and source)


def _settings() -> Any:
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False, allow_reset=False)


class ChromaStore:
    """A :class:`rag.protocols.VectorStore` over one Chroma collection."""

    def __init__(self, client: Any, collection: str = "news", *, server: str | None = None) -> None:
        self._client = client
        self._server = server
        self.shared = server is not None  # a Chroma server: other workers write to it too
        try:
            self._col = client.get_or_create_collection(
                collection,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={f"{_META_PREFIX}schema": SCHEMA},
                embedding_function=None,
            )
        except Exception as exc:  # chromadb raises many unrelated types; report them as one
            raise BackendError(f"Chroma could not open collection {collection!r}: {exc}") from None
        self._batch = int(client.get_max_batch_size())
        if self.index_metadata().get("schema", "1") < SCHEMA:
            self._add_date_numbers()

    def _add_date_numbers(self) -> None:
        """Schema 1 -> 2: give every dated chunk its ``date_num``, so date ranges find old chunks too.

        Metadata only (Chroma merges an update's metadata into the stored one): no vector
        is read or written. Idempotent, so two workers opening one server at once is harmless.
        """
        with self._guard():
            offset, updated = 0, 0
            while True:
                res = self._col.get(include=["metadatas"], limit=self._batch, offset=offset)
                ids, metas = [], []
                for cid, meta in zip(res["ids"], res["metadatas"], strict=True):
                    num = _date_num(str((meta or {}).get("date", "")))
                    if num and (meta or {}).get("date_num") != num:
                        ids.append(cid)
                        metas.append({"date_num": num})
                if ids:
                    self._col.update(ids=ids, metadatas=metas)
                    updated += len(ids)
                if len(res["ids"]) < self._batch:
                    break
                offset += self._batch
        self.set_index_metadata({"schema": SCHEMA})
        if updated:
            log.info("added date_num to %d chunks (collection schema %s)", updated, SCHEMA)

    @classmethod
    def persistent(cls, path: str | Path, collection: str = "news") -> ChromaStore:
        import chromadb

        Path(path).mkdir(parents=True, exist_ok=True)
        return cls(chromadb.PersistentClient(path=str(path), settings=_settings()), collection)

    @classmethod
    def http(cls, host: str, port: int, collection: str = "news") -> ChromaStore:
        import chromadb

        try:
            client = chromadb.HttpClient(host=host, port=port, settings=_settings())
            client.heartbeat()
        except Exception as exc:
            raise BackendError(
                f"No Chroma server answers at {host}:{port} ({exc.__class__.__name__}). "
                "Start one with `chroma run --path DIR --port PORT` or set store_backend=chroma."
            ) from None
        return cls(client, collection, server=f"{host}:{port}")

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """A server that stops answering becomes one clear BackendError, not an httpx traceback."""
        if self._server is None:
            yield
            return
        import httpx

        try:
            yield
        except httpx.TransportError as exc:
            raise BackendError(
                f"The Chroma server at {self._server} stopped answering ({exc.__class__.__name__}). "
                "Start it again with `chroma run --path DIR --port PORT`."
            ) from None

    def index_metadata(self) -> dict[str, str]:
        meta = self._col.metadata or {}
        return {k[len(_META_PREFIX) :]: str(v) for k, v in meta.items() if k.startswith(_META_PREFIX)}

    def set_index_metadata(self, metadata: Mapping[str, str]) -> None:
        with self._guard():
            current = dict(self._col.metadata or {})
            current.update({_META_PREFIX + k: v for k, v in metadata.items()})
            self._col.modify(metadata=current)

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        with self._guard():
            if not chunks:
                return
            if len(chunks) > self._batch:
                raise BackendError(f"{len(chunks)} chunks in one write exceed Chroma's batch limit of {self._batch}.")
            self._col.upsert(
                ids=[c.chunk_id for c in chunks],
                embeddings=[list(e) for e in embeddings],
                documents=[c.text for c in chunks],
                metadatas=[_to_meta(c) for c in chunks],
            )

    def delete(self, chunk_ids: Sequence[str]) -> None:
        with self._guard():
            ids = list(chunk_ids)
            for i in range(0, len(ids), self._batch):
                self._col.delete(ids=ids[i : i + self._batch])

    def query(self, embedding: Sequence[float], k: int, *, where: DateRange | None = None) -> list[Hit]:
        with self._guard():
            n = self._col.count()
            if n == 0:
                return []
            res = self._col.query(
                query_embeddings=[list(embedding)],
                n_results=min(k, n),
                where=_where(where),
                include=["documents", "metadatas", "distances"],
            )
            hits = []
            for rank, (cid, text, meta, dist) in enumerate(
                zip(res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0], strict=True), 1
            ):
                hits.append(Hit(chunk=_from_meta(cid, meta, text or ""), score=1.0 - float(dist), rank=rank))
            return hits

    def chunks(self, *, doc_id: str | None = None, with_text: bool = False) -> list[Chunk]:
        with self._guard():
            include: list[Any] = ["metadatas", "documents"] if with_text else ["metadatas"]
            out: list[Chunk] = []
            offset = 0
            while True:
                res = self._col.get(
                    where={"doc_id": doc_id} if doc_id else None, include=include, limit=self._batch, offset=offset
                )
                docs = res.get("documents") or [""] * len(res["ids"])
                out.extend(
                    _from_meta(cid, meta, text or "")
                    for cid, meta, text in zip(res["ids"], res["metadatas"], docs, strict=True)
                )
                if len(res["ids"]) < self._batch:
                    return out
                offset += self._batch

    def embeddings(self, chunk_ids: Sequence[str]) -> dict[str, list[float]]:
        with self._guard():
            if not chunk_ids:
                return {}
            res = self._col.get(ids=list(chunk_ids), include=["embeddings"])
            return {cid: [float(x) for x in emb] for cid, emb in zip(res["ids"], res["embeddings"], strict=True)}

    def count(self) -> int:
        with self._guard():
            return int(self._col.count())

    @property
    def collection(self) -> Any:
        """The ``chromadb`` Collection this store wraps (for benchmarks that time Chroma alone)."""
        return self._col

    @property
    def max_batch_size(self) -> int:
        """The most chunks one :meth:`upsert` accepts: the Chroma client's ``get_max_batch_size()``."""
        return self._batch


def _date_num(date: str) -> int:
    """YYYYMMDD of an ISO date (a time after the day is ignored); 0 when there is no such date."""
    day = date[:10]
    if len(day) == 10 and day[4] == "-" and day[7] == "-" and (digits := day[:4] + day[5:7] + day[8:]).isdigit():
        return int(digits)
    return 0


def _where(where: DateRange | None) -> dict[str, Any] | None:
    """A Chroma ``where`` filter for a date range; chunks without ``date_num`` never match it."""
    if where is None:
        return None
    bounds: list[dict[str, Any]] = [{"date_num": {"$gte": _date_num(where.since) if where.since else 1}}]
    if where.until:
        bounds.append({"date_num": {"$lte": _date_num(where.until)}})
    return bounds[0] if len(bounds) == 1 else {"$and": bounds}


def _to_meta(c: Chunk) -> dict[str, str | int | float]:
    meta: dict[str, str | int | float] = {
        "doc_id": c.doc_id,
        "doc_hash": c.doc_hash,
        "title": c.title,
        "url": c.url,
        "date": c.date,
        "start": c.start,
        "end": c.end,
        "ordinal": c.ordinal,
        "ingested_at": c.ingested_at,
        "source": c.source,
    }
    if num := _date_num(c.date):
        meta["date_num"] = num
    return meta


def _from_meta(cid: str, meta: Mapping[str, Any] | None, text: str) -> Chunk:
    m = meta or {}
    return Chunk(
        chunk_id=cid,
        doc_id=str(m.get("doc_id", "")),
        text=text,
        start=int(m.get("start", 0)),
        end=int(m.get("end", 0)),
        ordinal=int(m.get("ordinal", 0)),
        title=str(m.get("title", "")),
        url=str(m.get("url", "")),
        date=str(m.get("date", "")),
        doc_hash=str(m.get("doc_hash", "")),
        ingested_at=float(m.get("ingested_at", 0.0)),
        source=str(m.get("source", "")),
    )
