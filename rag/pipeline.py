"""The ``RAG`` facade: ingest articles, retrieve passages, answer with checked citations.

Front-ends (CLI, Gradio UI, evaluation runner) call only this class; it holds no UI
or reporting logic. Backends are injected through the protocols in ``rag.protocols``
or built from :class:`rag.config.Settings` by :meth:`RAG.open`.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rag.chunking import ChunkerSettings, chunk_document
from rag.config import Settings, load_settings
from rag.disagreement import find_disagreements, note_disagreements
from rag.errors import IndexLockedError, IndexMismatchError, QuestionError
from rag.loading import load_documents
from rag.metrics import strip_markers
from rag.prompting import (
    REFUSAL,
    RETRY_PROMPT,
    PromptPlan,
    build_messages,
    is_bare_reply,
    is_refusal,
    order_for_reuse,
    resolve_citations,
)
from rag.protocols import LLM, Embedder, KeywordIndex, VectorStore
from rag.retrieval import collapse_near_duplicates, reciprocal_rank_fusion
from rag.types import Answer, AnswerSentence, Chunk, Citation, Disagreement, Document, Hit, IngestReport, Timings, Turn
from rag.verification import check_citations, repair_citations

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

log = logging.getLogger(__name__)

IngestProgress = Callable[[int, int, str], None]  # (documents done, documents total, current doc id)
_EMBED_GROUP = 1024  # chunks embedded per call: sentence-transformers sorts by length within a call only
_WRITE_GROUP = 1024  # chunks per store write, well under Chroma's batch limit (~5,000)


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    title: str
    url: str
    date: str
    chunks: int
    content_hash: str


class AnswerStream:
    """A streaming answer: iterate for text pieces, then :meth:`answer` for the final :class:`Answer`.

    Retrieval has already happened when this object exists, so ``hits`` and
    ``sources`` can be shown before the first token. :meth:`cancel` stops generation
    and frees the model for the next question.
    """

    def __init__(
        self,
        rag: RAG,
        *,
        question: str,
        standalone: str,
        hits: Sequence[Hit],
        plan: PromptPlan | None,
        llm: LLM | None,
        temperature: float,
        max_tokens: int,
        timings: dict[str, float],
        t0: float,
    ) -> None:
        self.question = question
        self.hits = tuple(hits)
        self.sources = plan.sources if plan else ()
        self._rag = rag
        self._plan = plan
        self._llm = llm
        self._temperature = temperature
        self._max_tokens = max_tokens
        self._timings = timings
        self._t0 = t0
        self._standalone = standalone
        self._pieces: list[str] = []
        self._generated = 0  # pieces generated, a bare first reply's included
        # The model's first reply when it stated nothing and was asked again (``retry_bare``).
        self.first_reply: str | None = None
        self._gen: Iterator[str] | None = None
        self._done = False
        self._cancelled = False
        self._first_token: float | None = None
        self._answer: Answer | None = None

    @property
    def text(self) -> str:
        """The reply so far."""
        return "".join(self._pieces)

    def __iter__(self) -> Iterator[str]:
        if self._done:
            return
        if self._plan is None or self._llm is None:  # the evidence gate decided: no generation
            self._pieces.append(REFUSAL)
            self._first_token = time.perf_counter()
            self._done = True
            yield REFUSAL
            return
        try:
            yield from self._generate(self._plan.messages)
            if not self._cancelled and self._rag.settings.retry_bare and is_bare_reply(self.text):
                # "1 [1]", "Yes, [1]", "[1]": the reply states nothing. Ask once more in the
                # same conversation (the prompt so far is in llama.cpp's KV cache, so only
                # the few new tokens are read); the new reply replaces the bare one.
                first = list(self._pieces)
                self.first_reply = self.text
                log.info("bare reply %r: asking once more", self.first_reply)
                self._pieces = []
                yield from self._generate(
                    [
                        *self._plan.messages,
                        {"role": "assistant", "content": self.first_reply},
                        {"role": "user", "content": RETRY_PROMPT},
                    ]
                )
                if not self._cancelled and (is_bare_reply(self.text) or is_refusal(self.text)):
                    # Nothing better: "2022 [1]" may still be the answer, "[1]" stays a refusal.
                    self._pieces = first
        finally:
            self._done = True

    def _generate(self, messages: Sequence[dict[str, str]]) -> Iterator[str]:
        assert self._llm is not None
        self._gen = self._llm.stream_chat(messages, max_tokens=self._max_tokens, temperature=self._temperature)
        try:
            for piece in self._gen:
                if self._first_token is None:
                    self._first_token = time.perf_counter()
                self._pieces.append(piece)
                self._generated += 1
                yield piece
                if self._cancelled:
                    break
        finally:
            self._gen.close()  # type: ignore[attr-defined]

    def cancel(self) -> None:
        """Stop generating; :meth:`answer` then returns what was produced so far."""
        self._cancelled = True
        if self._gen is not None and not self._done:
            # "generator already executing" (closed from another thread): the loop sees the flag.
            with contextlib.suppress(ValueError):
                self._gen.close()  # type: ignore[attr-defined]

    def answer(self) -> Answer:
        """Finish generation (if not done) and return the resolved :class:`Answer`."""
        if self._answer is not None:
            return self._answer
        if not self._done:
            for _ in self:
                pass
        if self._plan is None:
            final = FinalText(REFUSAL, (), abstained=True)
        else:
            final = finish_reply(self.text, self.question, self.sources, self._rag.settings)
        end = time.perf_counter()
        first = (self._first_token or end) - self._t0
        t = self._timings
        timings = Timings(
            embed_s=t.get("embed", 0.0),
            retrieve_s=t.get("retrieve", 0.0),
            prompt_s=t.get("prompt", 0.0),
            first_token_s=first,
            generate_s=end - (self._first_token or end),
            total_s=end - self._t0,
            prompt_tokens=self._plan.prompt_tokens if self._plan else 0,
            generated_tokens=self._generated,
        )
        finish = "cancelled" if self._cancelled else ("gate" if self._plan is None else "stop")
        if final.unsupported and finish == "stop":
            finish = "unsupported"
        if finish == "stop" and len(self._pieces) >= self._max_tokens:
            finish = "length"
        self._answer = Answer(
            question=self.question,
            text=final.text,
            citations=final.citations,
            sources=self.sources,
            hits=self.hits,
            abstained=final.abstained,
            timings=timings,
            chat_model=self._llm.model_id if self._llm else "",
            embed_model=self._rag.embedder.model_id,
            finish_reason=finish,  # type: ignore[arg-type]
            standalone_question=self._standalone,
            sentences=final.sentences,
            disagreements=final.disagreements,
        )
        return self._answer


@dataclass(frozen=True)
class FinalText:
    """What :func:`finish_reply` makes of a model's reply."""

    text: str
    citations: tuple[Citation, ...]
    abstained: bool = False
    unsupported: bool = False  # refused by the post-generation support check
    sentences: tuple[AnswerSentence, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()


def finish_reply(raw: str, question: str, sources: Sequence[Hit], settings: Settings) -> FinalText:
    """The post-generation steps, in order, on the model's ``raw`` reply.

    Markers are resolved to ``sources`` (out-of-range ones dropped); a refusal stays a
    refusal. With ``verify_citations``: markers are re-pointed to supporting passages
    and, when no claim reaches ``min_support``, the reply becomes a refusal. With
    ``flag_disagreements``: a sentence quoting each disagreeing source is added. Last,
    every sentence's citations are checked. Pure; replaying a stored reply through it
    gives what the pipeline gave (``eval/replay_disagreements.py`` does).
    """
    text, citations = resolve_citations(raw, sources)
    if is_refusal(text):
        if not strip_markers(text).strip():  # "[1][2]": no words at all
            return FinalText(REFUSAL, (), abstained=True)
        return FinalText(text, citations, abstained=True)
    if settings.verify_citations:
        text, support_score = repair_citations(text, sources)
        # Post-generation gate: no claim the sources support → the answer was invented.
        if support_score < settings.min_support:
            log.info("answer refused by the support check (best support %.2f): %r", support_score, text)
            return FinalText(REFUSAL, (), abstained=True, unsupported=True)
        text, citations = resolve_citations(text, sources)
    disagreements: tuple[Disagreement, ...] = ()
    if settings.flag_disagreements:
        disagreements = tuple(find_disagreements(question, text, sources))
        if disagreements:
            text, citations = resolve_citations(note_disagreements(text, disagreements, sources), sources)
    citations, sentences = check_citations(text, citations, sources)
    return FinalText(text, citations, sentences=sentences, disagreements=disagreements)


class RAG:
    """Question answering over a persistent index of news articles."""

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
        self._lock_path = lock_path
        self._keyword_checked_at = time.monotonic()
        self._check_index()
        # Repair what an interrupted write left, unless a writer is busy (it repairs as it goes).
        with contextlib.suppress(IndexLockedError), self._write_lock():
            self._reconcile()

    # -- construction ---------------------------------------------------------------

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

        Backends not passed in are built from settings. The chat model loads on the
        first question, so ingesting never pays for it.
        """
        if settings is None:
            settings = load_settings(data_dir=data_dir, **overrides)
        elif data_dir is not None or overrides:
            changes: dict[str, Any] = {**overrides, **({"data_dir": Path(data_dir)} if data_dir else {})}
            settings = replace(settings, **changes)
        data = Path(settings.data_dir)
        if embedder is None:
            from rag.backends.embedders import SentenceTransformerEmbedder

            embedder = SentenceTransformerEmbedder(settings.embed_model, threads=settings.n_threads)
        if store is None:
            from rag.backends.chroma import ChromaStore

            if settings.store_backend == "chroma-http":
                store = ChromaStore.http(settings.chroma_host, settings.chroma_port, settings.collection)
            else:
                store = ChromaStore.persistent(data / "chroma", settings.collection)
        if keyword is None and settings.retrieval == "hybrid":
            from rag.backends.keyword import SqliteKeywordIndex

            keyword = SqliteKeywordIndex(data / f"keyword-{settings.collection}.sqlite3")
        return cls(
            embedder=embedder,
            store=store,
            llm=llm or _llm_factory(settings),
            settings=settings,
            lock_path=data / "write.lock",
            keyword=keyword,
        )

    # -- the index --------------------------------------------------------------------

    def _index_settings(self) -> dict[str, str]:
        return {
            "embedder": self.embedder.model_id,
            "dimension": str(self.embedder.dimension),
            "chunker": self.chunker.signature(),
        }

    def _check_index(self) -> None:
        recorded = self.store.index_metadata()
        if "embedder" not in recorded:
            return  # new, empty index: settings are recorded on first ingest
        wanted = self._index_settings()
        diffs = [f"{k} {recorded.get(k)!r} (asked for {v!r})" for k, v in wanted.items() if recorded.get(k) != v]
        if diffs:
            raise IndexMismatchError(
                f"The index in {self.settings.data_dir} was built with {'; '.join(diffs)}. "
                "Rebuild it with `rag ingest --rebuild PATH...`, or use another --data-dir."
            )

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        """Exclusive, non-blocking: a second writer fails at once instead of corrupting the index."""
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

    def documents(self) -> list[DocumentInfo]:
        """Indexed documents with their chunk counts, sorted by id."""
        by_doc: dict[str, list[Chunk]] = defaultdict(list)
        for c in self.store.chunks():
            by_doc[c.doc_id].append(c)
        out = []
        for doc_id in sorted(by_doc):
            first = by_doc[doc_id][0]
            out.append(DocumentInfo(doc_id, first.title, first.url, first.date, len(by_doc[doc_id]), first.doc_hash))
        return out

    def _reconcile(self) -> list[Chunk]:
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

    def ingest(
        self, paths: Sequence[str | Path], *, progress: IngestProgress | None = None, rebuild: bool = False
    ) -> IngestReport:
        """Index the .txt/.md/.html files under ``paths``; unchanged documents cost nothing.

        Raises :class:`rag.errors.DocumentError` when no file can be used at all;
        individual unreadable files are reported in ``IngestReport.skipped``.
        """
        t0 = time.perf_counter()
        docs, skipped = load_documents(list(paths))
        report = self.ingest_documents(docs, progress=progress, rebuild=rebuild)
        return replace(report, skipped=tuple(skipped) + report.skipped, seconds=time.perf_counter() - t0)

    def ingest_documents(
        self, docs: Sequence[Document], *, progress: IngestProgress | None = None, rebuild: bool = False
    ) -> IngestReport:
        """Index already-loaded documents (see :meth:`ingest`)."""
        t0 = time.perf_counter()
        with self._write_lock():
            removed = 0
            if rebuild:
                existing = self.store.chunks()
                self.store.delete([c.chunk_id for c in existing])
                if self.keyword is not None:
                    self.keyword.clear()
                removed, existing = len(existing), []
            else:
                self._check_index()
                existing = self._reconcile()
            self.store.set_index_metadata(self._index_settings())
            by_doc: dict[str, dict[str, Chunk]] = defaultdict(dict)
            for c in existing:
                by_doc[c.doc_id][c.chunk_id] = c

            added = updated = unchanged = embedded = 0
            pending: list[tuple[Document, list[Chunk], dict[str, Chunk]]] = []
            pending_chunks = 0

            def write(
                group: list[tuple[Document, list[Chunk], dict[str, Chunk]]], vectors: dict[str, list[float]]
            ) -> None:
                nonlocal removed
                stamp = time.time()
                chunks = [replace(c, ingested_at=stamp) for _, cs, _ in group for c in cs]
                keep = {c.chunk_id for c in chunks}
                stale = [cid for _, _, old in group for cid in old if cid not in keep]
                # One store write per group of documents: each lands with all of its
                # chunks, or none of the group does. (One write per document cost
                # ~20 ms each in Chroma: a fifth of a 300-article ingest.)
                self.store.upsert(chunks, [vectors[c.chunk_id] for c in chunks])
                if stale:
                    self.store.delete(stale)
                if self.keyword is not None:  # after the store: a crash here is repaired by sync
                    self.keyword.upsert(chunks)
                    self.keyword.delete(stale)
                removed += len(stale)

            def flush() -> None:
                nonlocal embedded
                need = [c for _, chunks, old in pending for c in chunks if c.chunk_id not in old]
                vectors = dict(
                    zip((c.chunk_id for c in need), self.embedder.embed([_embed_text(c) for c in need]), strict=True)
                )
                embedded += len(need)
                vectors.update(
                    self.store.embeddings([c.chunk_id for _, cs, old in pending for c in cs if c.chunk_id in old])
                )
                group: list[tuple[Document, list[Chunk], dict[str, Chunk]]] = []
                size = 0
                for item in pending:
                    if group and size + len(item[1]) > _WRITE_GROUP:
                        write(group, vectors)
                        group, size = [], 0
                    group.append(item)
                    size += len(item[1])
                if group:
                    write(group, vectors)
                pending.clear()

            for i, doc in enumerate(docs):
                old = by_doc.get(doc.doc_id, {})
                # Same text and metadata under the same chunker settings (checked by
                # _check_index) give the same chunks: skip chunking them again.
                if old and all(
                    (c.doc_hash, c.title, c.url, c.date) == (doc.content_hash, doc.title, doc.url, doc.date)
                    for c in old.values()
                ):
                    unchanged += 1
                else:
                    chunks = chunk_document(doc, self.embedder.count_tokens, self.chunker)
                    if old:
                        updated += 1
                    else:
                        added += 1
                    pending.append((doc, chunks, old))
                    pending_chunks += len(chunks)
                    if pending_chunks >= _EMBED_GROUP:
                        flush()
                        pending_chunks = 0
                if progress:
                    progress(i + 1, len(docs), doc.doc_id)
            flush()
            total = self.store.count()
        return IngestReport(
            documents_seen=len(docs),
            documents_added=added,
            documents_updated=updated,
            documents_unchanged=unchanged,
            chunks_embedded=embedded,
            chunks_removed=removed,
            chunks_total=total,
            seconds=time.perf_counter() - t0,
        )

    def remove(self, doc_ids: Sequence[str]) -> int:
        """Delete documents by id (file name); returns the number of chunks removed.

        Ids match after Unicode NFC normalisation: "Café.txt" typed (NFC) removes a file
        macOS named in decomposed form (NFD).
        """
        wanted = {unicodedata.normalize("NFC", d) for d in doc_ids}
        with self._write_lock():
            ids = [c.chunk_id for c in self.store.chunks() if unicodedata.normalize("NFC", c.doc_id) in wanted]
            self.store.delete(ids)
            if self.keyword is not None:
                self.keyword.delete(ids)
        return len(ids)

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

    def retrieve(self, question: str, *, top_k: int | None = None, exclude_docs: Collection[str] = ()) -> list[Hit]:
        """The passages retrieval returns for ``question``, best first."""
        q = self._check_question(question)
        [vector] = self.embedder.embed([q])
        return self._search(q, vector, top_k or self.settings.top_k, exclude_docs)

    def _follow_other_writers(self) -> None:
        """With a shared Chroma server, other workers ingest too: keep the local BM25 copy in step.

        Checked at most every 30 s, by comparing counts; the sync itself is idempotent,
        so two processes syncing at once converge.
        """
        if self.keyword is None or self.settings.store_backend != "chroma-http":
            return
        now = time.monotonic()
        if now - self._keyword_checked_at < 30.0:
            return
        self._keyword_checked_at = now
        if self.keyword.count() != self.store.count():
            self.keyword.sync(self.store.chunks(with_text=True))

    def _search(self, text: str, vector: Sequence[float], k: int, exclude_docs: Collection[str] = ()) -> list[Hit]:
        """Dense (and BM25) candidates, fused, near-duplicates collapsed, cut to ``k``.

        ``exclude_docs`` hides documents from this one search (evaluation uses it to
        leave a question's own sources out without re-indexing).
        """
        self._follow_other_writers()
        fetch = max(self.settings.fetch_k, k) + (4 * k if exclude_docs else 0)
        dense = [replace(h, dense=h.score) for h in self.store.query(vector, fetch)]
        rankings = [dense]
        if self.keyword is not None and self.settings.retrieval == "hybrid":
            rankings.append(self.keyword.search(text, fetch))
        if exclude_docs:
            rankings = [[h for h in r if h.chunk.doc_id not in exclude_docs] for r in rankings]
        fused = reciprocal_rank_fusion(rankings) if len(rankings) > 1 else rankings[0]
        return collapse_near_duplicates(fused, threshold=self.settings.dedupe_threshold, limit=k)

    def stream(
        self,
        question: str,
        history: Sequence[Turn] | None = None,
        *,
        top_k: int | None = None,
        temperature: float | None = None,
        chat_model: str | None = None,
        exclude_docs: Collection[str] = (),
    ) -> AnswerStream:
        """Retrieve and prepare; iterate the result to generate. See :class:`AnswerStream`.

        When no passage reaches ``settings.min_score`` (the evidence gate) the answer is
        a refusal without calling the model: nothing in the index is about the question.
        """
        q = self._check_question(question)
        llm = self.llm(chat_model)  # loading happens once, outside the answer's timings
        t0 = time.perf_counter()
        history = list(history or [])
        timings: dict[str, float] = {}
        standalone = standalone_query(q, history, mode=self.settings.followup_query, turns=self.settings.history_turns)
        t = time.perf_counter()
        [vector] = self.embedder.embed([standalone])
        timings["embed"] = time.perf_counter() - t
        t = time.perf_counter()
        hits = self._search(standalone, vector, top_k or self.settings.top_k, exclude_docs)
        timings["retrieve"] = time.perf_counter() - t
        options: dict[str, Any] = {
            "temperature": self.settings.temperature if temperature is None else temperature,
            "max_tokens": self.settings.max_tokens,
            "timings": timings,
            "t0": t0,
        }
        best_dense = max((h.dense for h in hits if h.dense is not None), default=-1.0)
        if not hits or best_dense < self.settings.min_score:
            return AnswerStream(self, question=q, standalone=standalone, hits=hits, plan=None, llm=llm, **options)
        t = time.perf_counter()
        plan = build_messages(
            q,
            order_for_reuse(hits, history[-1].sources if history else ()),
            count_tokens=llm.count_tokens,
            n_ctx=llm.n_ctx,
            max_new_tokens=self.settings.max_tokens,
            history=history,
            max_history_turns=self.settings.history_turns,
        )
        timings["prompt"] = time.perf_counter() - t
        return AnswerStream(self, question=q, standalone=standalone, hits=hits, plan=plan, llm=llm, **options)

    def ask(self, question: str, history: Sequence[Turn] | None = None, **options: Any) -> Answer:
        """Answer ``question`` (blocking). Same options as :meth:`stream`."""
        return self.stream(question, history, **options).answer()


def standalone_query(question: str, history: Sequence[Turn], *, mode: str = "context", turns: int = 3) -> str:
    """The retrieval query for ``question`` given the conversation so far.

    ``question``: the question alone. ``questions``: the recent questions, then this
    one. ``context``: that, plus the previous answer without its markers, which
    names what "it" or "that official" refers to. Costs no model call.
    """
    if not history or mode == "question":
        return question
    recent = list(history)[-turns:] if turns else []
    parts = [t.question for t in recent]
    if mode == "context" and recent:
        previous = strip_markers(recent[-1].answer)
        parts.append(previous if len(previous) <= 400 else previous[:400].rsplit(" ", 1)[0])
    return " ".join([*parts, question])


def validate_question(question: str, *, max_chars: int) -> str:
    """The stripped question, or :class:`QuestionError` if it is empty or too long."""
    q = question.strip() if isinstance(question, str) else ""
    # Lone surrogates and control characters break tokenizers; they carry no meaning.
    q = q.encode("utf-8", "replace").decode("utf-8")
    q = "".join(ch for ch in q if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")).strip()
    if not q:
        raise QuestionError("The question is empty. Type a question about the articles.")
    if len(q) > max_chars:
        raise QuestionError(
            f"The question is {len(q):,} characters long; the limit is {max_chars:,} "
            "(setting max_question_chars). Shorten it."
        )
    return q


def _embed_text(c: Chunk) -> str:
    # The title situates passages that never name their subject ("the mission...").
    return f"{c.title}\n{c.text}" if c.title else c.text


def _llm_factory(settings: Settings) -> Callable[[str], LLM]:
    def build(name: str) -> LLM:
        if settings.llm_backend == "openai":
            from rag.backends.llms import OpenAICompatibleLLM

            return OpenAICompatibleLLM(settings.llm_url, model=name, n_ctx=settings.n_ctx)
        from rag.backends.llms import LlamaCppLLM
        from rag.models import resolve_chat_model

        path, _ = resolve_chat_model(name, settings.models_dir)
        return LlamaCppLLM(
            path, model_id=name, n_ctx=settings.n_ctx, n_threads=settings.n_threads, n_batch=settings.n_batch
        )

    return build
