"""Test doubles that implement the real protocols: a hashing embedder, an in-memory
store and a scripted chat model. Public API, like httpx's ``MockTransport``: use them
to test code built on :class:`rag.RAG` without models or a database.

They are deterministic and fast, and they behave like the real backends where the
pipeline depends on it: unit-length vectors, cosine scores, atomic upserts, a token
count, streamed replies and a lock around generation. :func:`fake_rag` puts them
together into a :class:`rag.RAG`, the one builder the test suite uses.
"""

from __future__ import annotations

import hashlib
import math
import re
import socket
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.protocols import LLM, Embedder, KeywordIndex, Message, VectorStore
from rag.types import Chunk, DateRange, Hit

if TYPE_CHECKING:
    from rag.pipeline import RAG

__all__ = ["FakeLLM", "HashEmbedder", "MemoryStore", "fake_rag", "free_port"]

_WORD = re.compile(r"\w+", re.UNICODE)


class HashEmbedder:
    """Bag-of-words vectors by feature hashing: texts sharing words are near each other."""

    def __init__(self, dimension: int = 256, *, model_id: str = "hash-embedder", max_tokens: int = 254) -> None:
        self.dimension = dimension
        self.model_id = model_id
        self.max_tokens = max_tokens
        self.calls: list[int] = []  # batch sizes, so tests can assert what was embedded

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(len(texts))
        out = []
        for text in texts:
            vec = [0.0] * self.dimension
            for word in _WORD.findall(text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
                vec[h % self.dimension] += 1.0 if (h >> 63) == 0 else -1.0
            norm = math.sqrt(sum(x * x for x in vec)) or 1.0
            out.append([x / norm for x in vec])
        return out

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text))

    @property
    def embedded(self) -> int:
        return sum(self.calls)


class MemoryStore:
    """A :class:`rag.protocols.VectorStore` in a dict, with exact cosine search."""

    def __init__(self, *, shared: bool = False) -> None:
        self.shared = shared  # True stands for a store other processes write to (a Chroma server)
        self._rows: dict[str, tuple[Chunk, list[float]]] = {}
        self._meta: dict[str, str] = {}

    def index_metadata(self) -> dict[str, str]:
        return dict(self._meta)

    def set_index_metadata(self, metadata: Mapping[str, str]) -> None:
        self._meta.update(metadata)

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        if len(chunks) != len(embeddings):
            raise ValueError("chunks and embeddings differ in length")
        rows = dict(self._rows)  # build aside, then swap: all or nothing
        for c, e in zip(chunks, embeddings, strict=True):
            rows[c.chunk_id] = (c, list(e))
        self._rows = rows

    def delete(self, chunk_ids: Sequence[str]) -> None:
        for cid in chunk_ids:
            self._rows.pop(cid, None)

    def query(self, embedding: Sequence[float], k: int, *, where: DateRange | None = None) -> list[Hit]:
        rows = [(c, vec) for c, vec in self._rows.values() if where is None or where.contains(c.date)]
        scored = sorted(
            ((sum(a * b for a, b in zip(embedding, vec, strict=True)), c) for c, vec in rows),
            key=lambda t: (-t[0], t[1].chunk_id),
        )
        return [Hit(chunk=c, score=s, rank=i) for i, (s, c) in enumerate(scored[:k], 1)]

    def chunks(self, *, doc_id: str | None = None, with_text: bool = False) -> list[Chunk]:
        return [c for c, _ in self._rows.values() if doc_id is None or c.doc_id == doc_id]

    def embeddings(self, chunk_ids: Sequence[str]) -> dict[str, list[float]]:
        return {cid: list(self._rows[cid][1]) for cid in chunk_ids if cid in self._rows}

    def count(self) -> int:
        return len(self._rows)


class FakeLLM:
    """A chat model that replies by a rule: a fixed text, or a function of the messages.

    Streams its reply word by word, records every prompt it got, and serialises
    generation with a lock exactly like the real backends. ``option_probability``
    (a number, or a function of the messages) is what :meth:`option_probabilities`
    gives the first option; the others share the rest.
    """

    supports_grammar = True  # takes grammar= like the real backends; records it, cannot apply GBNF

    def __init__(
        self,
        reply: str | Callable[[Sequence[Message]], str] = "It rained [1].",
        *,
        model_id: str = "fake-llm",
        n_ctx: int = 4096,
        option_probability: float | Callable[[Sequence[Message]], float] = 0.9,
    ) -> None:
        self._reply = reply
        self.model_id = model_id
        self.n_ctx = n_ctx
        self.prompts: list[list[dict[str, str]]] = []
        self.checks: list[list[dict[str, str]]] = []  # prompts given to option_probabilities
        self.grammars: list[str | None] = []  # grammar= of each stream_chat call
        self._option_probability = option_probability
        self._lock = threading.Lock()

    def option_probabilities(self, messages: Sequence[Message], options: Sequence[str]) -> dict[str, float]:
        with self._lock:
            self.checks.append([dict(m) for m in messages])
            p = self._option_probability(messages) if callable(self._option_probability) else self._option_probability
            rest = (1.0 - p) / (len(options) - 1) if len(options) > 1 else 0.0
            return {o: (p if i == 0 else rest) for i, o in enumerate(options)}

    def count_tokens(self, text: str) -> int:
        return len(re.findall(r"\w+|[^\w\s]", text))

    def stream_chat(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float,
        stop: Sequence[str] = (),
        grammar: str | None = None,
    ) -> Iterator[str]:
        with self._lock:
            self.prompts.append([dict(m) for m in messages])
            self.grammars.append(grammar)
            text = self._reply(messages) if callable(self._reply) else self._reply
            for i, piece in enumerate(re.findall(r"\S+\s*", text)):
                if i >= max_tokens:
                    return
                yield piece


def fake_rag(
    root: Path | str,
    *,
    reply: str | Callable[[Sequence[Message]], str] = "It rained [1].",
    llm: LLM | Callable[[str], LLM] | None = None,
    embedder: Embedder | None = None,
    store: VectorStore | None = None,
    keyword: KeywordIndex | bool = False,
    locked: bool = True,
    **settings: Any,
) -> RAG:
    """A :class:`rag.RAG` over the fakes, writing only under the folder ``root``.

    ``root``: a scratch folder; the RAG's ``data_dir`` is ``root/data`` and its
    ``models_dir`` ``root/models`` (so no test sees the real models), and with
    ``locked`` (the default) ingestion takes the write lock ``root/data/write.lock``
    as the CLI's RAG does (``locked=False``: no lock file, for in-memory tests).
    ``reply``: the :class:`FakeLLM`'s reply (a text, or a function of the messages),
    ignored when ``llm`` is given. ``embedder`` / ``store`` default to a fresh
    :class:`HashEmbedder` / :class:`MemoryStore`. ``keyword``: a keyword index for
    hybrid retrieval, or True for a new in-memory SQLite FTS5 one.
    Other keyword arguments are :class:`rag.Settings` fields (``min_score=-1.0``,
    ``data_dir=...``) and override the defaults above; an unknown name raises
    ``TypeError``. Hashed vectors score lower than a real embedder's, so tests that
    must retrieve something usually pass ``min_score=-1.0``.
    """
    from rag.config import Settings
    from rag.pipeline import RAG

    root = Path(root)
    options: dict[str, Any] = {"data_dir": root / "data", "models_dir": root / "models", **settings}
    if keyword is True:
        from rag.backends.keyword import SqliteKeywordIndex

        keyword = SqliteKeywordIndex(":memory:")
    return RAG(
        embedder=embedder if embedder is not None else HashEmbedder(),
        store=store if store is not None else MemoryStore(),
        llm=llm if llm is not None else FakeLLM(reply),
        settings=Settings(**options),
        lock_path=Path(options["data_dir"]) / "write.lock" if locked else None,
        keyword=None if keyword is False else keyword,
    )


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now (the kernel picks it).

    For tests and benchmarks that start a server or need an address nobody answers on.
    The port is free when returned; another process could take it before it is used.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])
