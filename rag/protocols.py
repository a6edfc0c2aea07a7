"""The three seams of the pipeline: embedder, vector store and chat model.

Real backends (``rag.backends``) and the test fakes (``rag.testing``) implement these
same protocols, so every pipeline test runs unchanged against either. Each protocol
is deliberately small: one or two methods that do the work, plus identity fields
recorded in the index and in answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Protocol, runtime_checkable

from rag.types import Chunk, DateRange, Hit

__all__ = ["LLM", "Embedder", "KeywordIndex", "Message", "VectorStore"]

Message = Mapping[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors. ``max_tokens`` is the longest input it reads whole."""

    model_id: str
    dimension: int
    max_tokens: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit-length vector per text, in order."""
        ...

    def count_tokens(self, text: str) -> int:
        """Word pieces of ``text`` without special tokens, as the model reads it."""
        ...


@runtime_checkable
class VectorStore(Protocol):
    """Persistent chunks with their vectors. Chunk ids are unique across the store.

    ``shared`` is True when other processes may write to the same store (a Chroma
    server): readers then keep their local keyword index in step with it.
    """

    shared: bool

    def index_metadata(self) -> dict[str, str]:
        """Settings the index was built with (embedder, chunker), as recorded."""
        ...

    def set_index_metadata(self, metadata: Mapping[str, str]) -> None: ...

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        """Insert or replace chunks. All of one call lands, or none of it."""
        ...

    def delete(self, chunk_ids: Sequence[str]) -> None: ...

    def query(self, embedding: Sequence[float], k: int, *, where: DateRange | None = None) -> list[Hit]:
        """The ``k`` nearest chunks, best first; ``Hit.score`` is cosine similarity.

        ``where``: only chunks whose date is in that range (chunks without a date never match).
        """
        ...

    def chunks(self, *, doc_id: str | None = None, with_text: bool = False) -> list[Chunk]:
        """Every chunk (or those of one document); text only when asked, for speed."""
        ...

    def embeddings(self, chunk_ids: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors of the given chunks that exist."""
        ...

    def count(self) -> int: ...


@runtime_checkable
class KeywordIndex(Protocol):
    """A lexical (BM25) index of chunk texts, a derived copy of the vector store's chunks."""

    def upsert(self, chunks: Sequence[Chunk]) -> None: ...

    def delete(self, chunk_ids: Iterable[str]) -> None: ...

    def clear(self) -> None: ...

    def count(self) -> int: ...

    def ids(self) -> set[str]: ...

    def search(self, query: str, k: int, *, where: DateRange | None = None) -> list[Hit]:
        """The ``k`` best chunks for ``query``, best first, ``source="bm25"``.

        ``where``: only chunks whose date is in that range (chunks without a date never match).
        """
        ...

    def sync(self, chunks: Sequence[Chunk]) -> tuple[int, int]:
        """Hold exactly ``chunks``; returns (added, removed)."""
        ...


@runtime_checkable
class LLM(Protocol):
    """A chat model. Implementations serialise generation: one at a time per model."""

    model_id: str
    n_ctx: int

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` in the model's own tokenizer."""
        ...

    def stream_chat(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float,
        stop: Sequence[str] = (),
    ) -> Iterator[str]:
        """Yield the reply piece by piece. Closing the iterator cancels generation."""
        ...
