"""The ``RAG`` facade: ingest articles, retrieve passages, answer with checked citations.

Front-ends (CLI, Gradio UI, evaluation runner) call only this class; it holds no UI
or reporting logic and little logic of its own: the work is done by
``rag.indexing`` (the index), ``rag.retrieval`` (hybrid search) and
``rag.answering`` (the prompt, generation and the checks on the reply). Backends are
injected through the protocols in ``rag.protocols`` or built from
:class:`rag.config.Settings` by :meth:`RAG.open` (``rag.backends``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from rag.answering import (
    AnswerRequest,
    AnswerStream,
    FinalText,
    english_query,
    finish_reply,
    prepare_answer,
    validate_question,
)
from rag.chunking import ChunkerSettings
from rag.config import Settings, load_settings
from rag.conversation import normalize_history
from rag.errors import IndexLockedError, QuestionError
from rag.indexing import DocumentInfo, FolderSnapshot, Indexer, IngestProgress
from rag.languages import ENGLISH, detect_language
from rag.loading import load_documents
from rag.protocols import LLM, Embedder, KeywordIndex, VectorStore
from rag.retrieval import Retriever, date_range, standalone_query
from rag.types import Answer, Hit, IngestReport

__all__ = [
    "RAG",
    "AnswerStream",
    "DocumentInfo",
    "FinalText",
    "IngestProgress",
    "finish_reply",
    "standalone_query",
    "validate_question",
]


class RAG:
    """Question answering over a persistent index of news articles.

    ``llm`` is a model, or a factory ``name -> LLM`` called on a model's first
    question. ``lock_path`` is the write lock's file (None: no lock, for tests).
    Opening repairs what an interrupted write left, unless a writer is busy.
    Raises :class:`rag.errors.IndexMismatchError` when the index was built with
    another embedder or chunker.
    """

    def __init__(
        self,
        *,
        embedder: Embedder,
        store: VectorStore,
        llm: LLM | Callable[[str], LLM] | None = None,
        settings: Settings | None = None,
        lock_path: Path | None = None,
        keyword: KeywordIndex | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.embedder = embedder
        self.store = store
        self.keyword = keyword
        self.chunker = ChunkerSettings(
            max_tokens=min(self.settings.chunk_tokens, embedder.max_tokens - 24),
            overlap_tokens=self.settings.chunk_overlap,
        )
        self._llm_factory: Callable[[str], LLM] | None = None
        self._llms: dict[str, LLM] = {}
        if callable(llm) and not isinstance(llm, LLM):
            self._llm_factory = llm
        elif llm is not None:
            self._llms[self.settings.chat_model] = llm
        self._llm_lock = threading.Lock()
        self.indexer = Indexer(
            embedder=embedder,
            store=store,
            keyword=keyword,
            chunker=self.chunker,
            data_dir=Path(self.settings.data_dir),
            lock_path=lock_path,
        )
        self.retriever = Retriever(store=store, keyword=keyword, settings=self.settings)
        self.indexer.check()
        with contextlib.suppress(IndexLockedError), self.indexer.write_lock():
            self.indexer.reconcile()

    @classmethod
    def open(
        cls,
        data_dir: str | Path | None = None,
        *,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        store: VectorStore | None = None,
        llm: LLM | None = None,
        keyword: KeywordIndex | None = None,
        **overrides: Any,
    ) -> RAG:
        """Open (or create) the index in ``data_dir`` with the configured backends.

        Backends not passed in are built from settings (``rag.backends``). The chat
        model loads on the first question, so ingesting never pays for it.
        """
        from rag import backends

        if settings is None:
            settings = load_settings(data_dir=data_dir, **overrides)
        elif data_dir is not None or overrides:
            changes: dict[str, Any] = {**overrides, **({"data_dir": Path(data_dir)} if data_dir else {})}
            settings = replace(settings, **changes)
        return cls(
            embedder=embedder or backends.create_embedder(settings),
            store=store or backends.create_store(settings),
            llm=llm or backends.llm_factory(settings),
            settings=settings,
            lock_path=Path(settings.data_dir) / "write.lock",
            keyword=keyword if keyword is not None else backends.create_keyword_index(settings),
        )

    # -- the index --------------------------------------------------------------------

    def documents(self, *, sort: Literal["id", "date"] = "id") -> list[DocumentInfo]:
        """Indexed documents with their chunk counts, sorted by id, or by date newest first (undated last)."""
        return self.indexer.documents(sort=sort)

    def ingest(
        self,
        paths: Sequence[str | Path],
        *,
        progress: IngestProgress | None = None,
        rebuild: bool = False,
        sync: bool = False,
    ) -> IngestReport:
        """Index the files under ``paths`` (see ``rag.loading``); unchanged documents cost nothing.

        ``sync``: ``paths`` are folders to keep in step; documents whose files are gone
        from them are removed too (``IngestReport.removed``), documents from elsewhere
        never (see :func:`rag.watching.load_folders`). An empty folder is allowed then.
        Raises :class:`rag.errors.DocumentError` when no file can be used at all (or,
        with ``sync``, a path is not a folder); individual unreadable files are reported
        in ``IngestReport.skipped``.
        """
        t0 = time.perf_counter()
        snapshots: list[FolderSnapshot] = []
        if sync:
            from rag.watching import load_folders

            docs, skipped, snapshots = load_folders(paths)
        else:
            docs, skipped = load_documents(list(paths))
        report = self.ingest_documents(docs, progress=progress, rebuild=rebuild, sync=snapshots)
        return replace(report, skipped=tuple(skipped) + report.skipped, seconds=time.perf_counter() - t0)

    @property
    def ingest_documents(self) -> Callable[..., IngestReport]:
        """Index already-loaded documents: :meth:`rag.indexing.Indexer.ingest_documents`."""
        return self.indexer.ingest_documents

    def remove(self, doc_ids: Sequence[str]) -> int:
        """Delete documents by id (file name, compared after NFC); returns the number of chunks removed."""
        return self.indexer.remove(doc_ids)

    # -- answering --------------------------------------------------------------------

    def llm(self, name: str | None = None) -> LLM:
        """The chat model ``name`` (default: settings.chat_model), loaded once and kept."""
        name = name or self.settings.chat_model
        with self._llm_lock:
            if name not in self._llms:
                if self._llm_factory is None:
                    raise QuestionError(f"No chat model {name!r} is configured for this RAG instance.")
                self._llms[name] = self._llm_factory(name)
            return self._llms[name]

    def _check_question(self, question: str) -> str:
        return validate_question(question, max_chars=self.settings.max_question_chars)

    def retrieve(
        self,
        question: str,
        *,
        top_k: int | None = None,
        exclude_docs: Collection[str] = (),
        since: str | dt.date | None = None,
        until: str | dt.date | None = None,
    ) -> list[Hit]:
        """The passages retrieval returns for ``question``, best first (at most ``top_k``).

        ``since``/``until``: only articles dated in that range, inclusive (ISO ``YYYY-MM-DD``
        or dates; undated articles are left out when either is given). Raises
        :class:`rag.errors.QuestionError` for a bad question or date.
        """
        q = self._check_question(question)
        where = date_range(since, until)
        [vector] = self.embedder.embed([q])
        return self.retriever.search(q, vector, top_k or self.settings.top_k, exclude_docs, where=where)

    def stream(
        self,
        question: str,
        history: Iterable[Any] | None = None,
        *,
        top_k: int | None = None,
        temperature: float | None = None,
        chat_model: str | None = None,
        exclude_docs: Collection[str] = (),
        since: str | dt.date | None = None,
        until: str | dt.date | None = None,
    ) -> AnswerStream:
        """Retrieve and prepare; iterate the result to generate. See :class:`AnswerStream`.

        When no passage reaches ``settings.min_score`` (the evidence gate) the answer is
        a refusal without calling the model: nothing in the index is about the question.
        ``since``/``until`` restrict retrieval to articles dated in that range, inclusive
        (ISO ``YYYY-MM-DD`` strings or dates; undated articles are left out).
        Raises :class:`rag.errors.QuestionError` for an empty or over-long question or a
        date not in that format.
        """
        q = self._check_question(question)
        where = date_range(since, until)
        llm = self.llm(chat_model)  # loading happens once, outside the answer's timings
        t0 = time.perf_counter()
        history = normalize_history(history)  # Turns, (question, answer) pairs or {role, content} messages
        timings: dict[str, float] = {}
        s = self.settings
        language = detect_language(q)
        query = q
        if language != ENGLISH:  # the embedder reads English: search with a translation
            t = time.perf_counter()
            query = english_query(llm, q)
            timings["translate"] = time.perf_counter() - t
        standalone = standalone_query(query, history, mode=s.followup_query, turns=s.history_turns)
        t = time.perf_counter()
        [vector] = self.embedder.embed([standalone])
        timings["embed"] = time.perf_counter() - t
        t = time.perf_counter()
        hits = self.retriever.search(standalone, vector, top_k or s.top_k, exclude_docs, where=where)
        timings["retrieve"] = time.perf_counter() - t
        request = AnswerRequest(
            question=q,
            standalone=standalone,
            hits=tuple(hits),
            plan=None,
            llm=llm,
            settings=s,
            embed_model=self.embedder.model_id,
            embedder=self.embedder,
            temperature=s.temperature if temperature is None else temperature,
            timings=timings,
            t0=t0,
            language=language,
        )
        return prepare_answer(request, history)

    def ask(self, question: str, history: Iterable[Any] | None = None, **options: Any) -> Answer:
        """Answer ``question`` (blocking). Same options as :meth:`stream`."""
        return self.stream(question, history, **options).answer()
