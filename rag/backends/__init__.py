"""Adapters to real engines, and the one factory that builds them from settings.

The adapter modules are the only ones that import chromadb, llama_cpp or torch; each
imports its engine lazily, so ``import rag`` stays fast and a missing engine raises
an error with the install hint. Everything that needs a backend (:meth:`rag.RAG.open`,
the CLI, the UI) builds it here: nothing else compares backend names.

What callers need to know about a backend is a property of the adapter, not a name
check: ``VectorStore.shared`` (other processes write to it too) and
``llm_class(settings).local`` (the model file lives in ``models_dir``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.config import Settings
from rag.errors import ConfigError

if TYPE_CHECKING:
    from rag.protocols import LLM, Embedder, KeywordIndex, VectorStore

__all__ = [
    "LLM_BACKENDS",
    "STORE_BACKENDS",
    "create_embedder",
    "create_keyword_index",
    "create_llm",
    "create_store",
    "llm_class",
    "llm_factory",
]

STORE_BACKENDS = ("chroma", "chroma-http")
LLM_BACKENDS = ("llama-cpp", "openai")


def _unknown(kind: str, name: str, known: tuple[str, ...]) -> ConfigError:
    return ConfigError(f"Unknown {kind} {name!r}. Use one of: {', '.join(known)}.")


def create_embedder(settings: Settings) -> Embedder:
    """The sentence-transformers embedder named by ``settings.embed_model``."""
    from rag.backends.embedders import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(settings.embed_model, threads=settings.n_threads)


def create_store(settings: Settings) -> VectorStore:
    """Chroma embedded in ``data_dir/chroma`` or a Chroma server, by ``settings.store_backend``.

    Raises :class:`rag.errors.ConfigError` for an unknown backend and
    :class:`rag.errors.BackendError` when the server does not answer.
    """
    from rag.backends.chroma import ChromaStore

    if settings.store_backend == "chroma":
        return ChromaStore.persistent(Path(settings.data_dir) / "chroma", settings.collection)
    if settings.store_backend == "chroma-http":
        return ChromaStore.http(settings.chroma_host, settings.chroma_port, settings.collection)
    raise _unknown("store_backend", settings.store_backend, STORE_BACKENDS)


def create_keyword_index(settings: Settings) -> KeywordIndex | None:
    """The BM25 index beside the store for ``retrieval = "hybrid"``; None for dense only."""
    if settings.retrieval != "hybrid":
        return None
    from rag.backends.keyword import SqliteKeywordIndex

    return SqliteKeywordIndex(Path(settings.data_dir) / f"keyword-{settings.collection}.sqlite3")


def llm_class(settings: Settings) -> Any:
    """The adapter class for ``settings.llm_backend``; its ``local`` says whether models are files here."""
    from rag.backends.llms import LlamaCppLLM, OpenAICompatibleLLM

    classes = {"llama-cpp": LlamaCppLLM, "openai": OpenAICompatibleLLM}
    if settings.llm_backend not in classes:
        raise _unknown("llm_backend", settings.llm_backend, LLM_BACKENDS)
    return classes[settings.llm_backend]


def create_llm(settings: Settings, name: str | None = None) -> LLM:
    """The chat model ``name`` (default ``settings.chat_model``) on ``settings.llm_backend``.

    Raises :class:`rag.errors.ModelNotFoundError` when a local model file is missing.
    """
    cls = llm_class(settings)
    name = name or settings.chat_model
    if not cls.local:
        return cls(settings.llm_url, model=name, n_ctx=settings.n_ctx)  # type: ignore[no-any-return]
    from rag.models import resolve_chat_model

    path, _ = resolve_chat_model(name, settings.models_dir)
    return cls(  # type: ignore[no-any-return]
        path, model_id=name, n_ctx=settings.n_ctx, n_threads=settings.n_threads, n_batch=settings.n_batch
    )


def llm_factory(settings: Settings) -> Callable[[str], LLM]:
    """``name -> LLM``: what :class:`rag.RAG` calls on a model's first question."""
    return lambda name: create_llm(settings, name)
