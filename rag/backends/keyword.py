"""BM25 keyword index in SQLite FTS5, beside the vector store and keyed by the same chunk ids.

FTS5 is incremental (documents are added and deleted in place, inside transactions),
persistent and in the standard library, so the keyword index never needs a full
rebuild on ingest. It is a derived copy: :meth:`SqliteKeywordIndex.sync` brings it
back in line with the vector store after a crash or when it is new. A file written
with other columns (before ``source`` existed) is dropped and rebuilt from the store
the same way.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from rag.text import STOP_WORDS, word_set
from rag.types import Chunk, DateRange, Hit

__all__ = ["SqliteKeywordIndex"]

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"\w+", re.UNICODE)
_COLUMNS = (
    "chunk_id",
    "doc_id",
    "title",
    "url",
    "date",
    "start",
    "end",
    "ordinal",
    "doc_hash",
    "ingested_at",
    "source",
)
# Statements are built from the constant column list above, never from input.
_INSERT = (
    f"INSERT INTO chunks (text, title_text, {', '.join(_COLUMNS)}) VALUES ({', '.join('?' * (len(_COLUMNS) + 2))})"  # noqa: S608
)
# Two steps: rank on the full-text index alone (rowid and score), then read the text
# and metadata of the k winners only. Selecting every column in the ranking query made
# SQLite read the stored row of every match before sorting.
_RANK = "SELECT rowid, bm25(chunks, 1.0, 0.5) AS s FROM chunks WHERE chunks MATCH ?{where} ORDER BY s LIMIT ?"
# A date range compares the stored ISO date's day as text (YYYY-MM-DD sorts by date);
# a chunk without a date in that form never matches.
_IN_RANGE = " AND date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'"
_FETCH = f"SELECT rowid, text, {', '.join(_COLUMNS)} FROM chunks WHERE rowid IN "  # noqa: S608


# Function words left out of the BM25 query. BM25 gives them almost no weight, but
# OR-ing them into the query makes FTS5 score nearly every row (BM25 p50 at 100k
# chunks: 148 ms with them, 64 ms without). The shared list minus words that are
# names and dates to a keyword search ("US", "May", "last week", "next year"), plus
# the filler of a typed request ("please tell me what ... said").
STOPWORDS = (STOP_WORDS - {"us", "may", "last", "next"}) | word_set("no nor not tell say said says please know")
_BATCH = 500  # bound parameters per DELETE … IN (…), under SQLite's limit


class SqliteKeywordIndex:
    """BM25 search over chunk texts (Porter-stemmed) with the chunk metadata stored alongside."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared across threads, serialised by a lock: searches are ~1 ms.
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._lock = threading.Lock()
        unindexed = ", ".join(f"{c} UNINDEXED" for c in _COLUMNS)
        have = [row[1] for row in self._db.execute("PRAGMA table_info(chunks)")]
        if have and have != ["text", "title_text", *_COLUMNS]:
            # A derived copy in an older layout: start empty; opening the index syncs it from the store.
            log.info("keyword index %s has other columns; rebuilding it from the vector store", path)
            self._db.execute("DROP TABLE chunks")
        self._db.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS chunks USING fts5(text, title_text, {unindexed}, "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )

    def upsert(self, chunks: Sequence[Chunk]) -> None:
        self._insert(chunks, replace=True)

    def insert_new(self, chunks: Sequence[Chunk]) -> None:
        """Add ``chunks`` whose ids are not in the index yet, in one transaction.

        For bulk loads of a fresh index (the query benchmark's 100k-chunk corpora):
        :meth:`upsert` first deletes each id, and ``chunk_id`` is an unindexed FTS5 column,
        so that delete scans the table. Inserting an id that is already present makes a
        duplicate row; use :meth:`upsert` when that can happen.
        """
        self._insert(chunks, replace=False)

    def _insert(self, chunks: Sequence[Chunk], *, replace: bool) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                if replace:
                    self._delete_locked([c.chunk_id for c in chunks])
                self._db.executemany(_INSERT, [_row(c) for c in chunks])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def delete(self, chunk_ids: Iterable[str]) -> None:
        ids = list(chunk_ids)
        if not ids:
            return
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._delete_locked(ids)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _delete_locked(self, ids: Sequence[str]) -> None:
        # chunk_id is an UNINDEXED column: each DELETE scans the table, so delete in
        # batches (one scan per batch) instead of one statement per id.
        for i in range(0, len(ids), _BATCH):
            part = ids[i : i + _BATCH]
            self._db.execute(
                f"DELETE FROM chunks WHERE chunk_id IN ({', '.join('?' * len(part))})",  # noqa: S608
                part,
            )

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM chunks")

    def ids(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT chunk_id FROM chunks")}

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def search(self, query: str, k: int, *, where: DateRange | None = None) -> list[Hit]:
        """The ``k`` best chunks by BM25 (any query word may match); score = -bm25, higher is better.

        Function words are left out of the query unless it has nothing else. ``where``
        keeps chunks dated in that range only.
        """
        words = list(dict.fromkeys(w.lower() for w in _TOKEN.findall(query)))
        if not words:
            return []
        words = ([w for w in words if w not in STOPWORDS] or words)[:64]
        # Quoted terms: user text never reaches FTS5's query syntax.
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        condition, params = "", []
        if where is not None:
            condition = _IN_RANGE
            for op, day in ((">=", where.since), ("<=", where.until)):
                if day:
                    condition += f" AND substr(date, 1, 10) {op} ?"
                    params.append(day)
        with self._lock:
            ranked = self._db.execute(_RANK.format(where=condition), (match, *params, k)).fetchall()
            if not ranked:
                return []
            marks = ", ".join("?" * len(ranked))
            stored = {row[0]: row[1:] for row in self._db.execute(f"{_FETCH}({marks})", [r[0] for r in ranked])}
        hits: list[Hit] = []
        for rowid, score in ranked:
            if rowid not in stored:  # deleted by another process between the two reads
                continue
            text, cid, doc_id, title, url, date, start, end, ordinal, doc_hash, ingested_at, source = stored[rowid]
            chunk = Chunk(
                chunk_id=cid,
                doc_id=doc_id,
                text=text,
                start=int(start),
                end=int(end),
                ordinal=int(ordinal),
                title=title,
                url=url,
                date=date,
                doc_hash=doc_hash,
                ingested_at=float(ingested_at),
                source=source,
            )
            hits.append(Hit(chunk=chunk, score=-float(score), rank=len(hits) + 1, source="bm25"))
        return hits

    def sync(self, chunks: Sequence[Chunk]) -> tuple[int, int]:
        """Make the index hold exactly ``chunks`` (the store's, with text); returns (added, removed)."""
        wanted = {c.chunk_id: c for c in chunks}
        have = self.ids()
        extra = have - set(wanted)
        missing = [wanted[cid] for cid in wanted.keys() - have]
        if extra:
            self.delete(extra)
        if missing:
            self.upsert(missing)
        return len(missing), len(extra)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _row(c: Chunk) -> tuple[str | int | float, ...]:
    """The values of ``_INSERT`` for one chunk: its text, its title as text, then ``_COLUMNS``."""
    return (
        c.text,
        c.title,
        c.chunk_id,
        c.doc_id,
        c.title,
        c.url,
        c.date,
        c.start,
        c.end,
        c.ordinal,
        c.doc_hash,
        c.ingested_at,
        c.source,
    )
