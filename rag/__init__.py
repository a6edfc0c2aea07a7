"""Offline question answering over news articles, with checked citations.

    >>> from rag import RAG
    >>> rag = RAG.open()                      # index under ./data, default models
    >>> rag.ingest(["seeds/"])
    >>> answer = rag.ask("How much did the EU set aside for weapons?")
    >>> answer.text, [c.doc_id for c in answer.citations]

Layers import downward only: types/errors/config → pure modules (loading, chunking,
prompting, metrics) → backends (chromadb, llama_cpp, sentence_transformers) →
pipeline → front-ends (``rag.cli``, ``ui``). Importing ``rag`` loads no model and no
engine.
"""

from rag.config import Settings, load_settings
from rag.errors import (
    BackendError,
    ConfigError,
    DocumentError,
    IndexLockedError,
    IndexMismatchError,
    InputError,
    ModelCorruptError,
    ModelNotFoundError,
    QuestionError,
    RagError,
)
from rag.pipeline import RAG, AnswerStream, DocumentInfo
from rag.types import Answer, AnswerSentence, Chunk, Citation, DateRange, Document, Hit, IngestReport, Timings, Turn

__all__ = [
    "RAG",
    "Answer",
    "AnswerSentence",
    "AnswerStream",
    "BackendError",
    "Chunk",
    "Citation",
    "ConfigError",
    "DateRange",
    "Document",
    "DocumentError",
    "DocumentInfo",
    "Hit",
    "IndexLockedError",
    "IndexMismatchError",
    "IngestReport",
    "InputError",
    "ModelCorruptError",
    "ModelNotFoundError",
    "QuestionError",
    "RagError",
    "Settings",
    "Timings",
    "Turn",
    "load_settings",
]

__version__ = "0.1.0"
