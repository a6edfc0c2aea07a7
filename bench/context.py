"""The state one benchmark run shares between its suites: settings, options, caches and models.

Models are loaded on first use and kept for the run: the answer, followup, peer and
memory suites all use the seeds/ index and the same chat model. Timed calls live here
too, so every suite times our pipeline and the direct baseline the same way.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.common import BenchOptions, LoadSampler, RecordingLLM, Reporter, Timed
from rag.config import Settings, project_root
from rag.errors import RagError
from rag.pipeline import RAG
from rag.prompting import PromptPlan, build_messages
from rag.types import Turn

__all__ = ["Bench", "prompt_plan"]


def prompt_plan(rag: RAG, question: str, history: Sequence[Turn] = ()) -> PromptPlan:
    """The prompt the pipeline sends for ``question``, rebuilt with its public functions.

    Retrieval runs (the stream is not iterated, so nothing is generated).
    """
    s = rag.settings
    stream = rag.stream(question, list(history))
    llm = rag.llm()
    return build_messages(
        stream.question,
        stream.hits,
        count_tokens=llm.count_tokens,
        n_ctx=llm.n_ctx,
        max_new_tokens=s.max_tokens,
        history=list(history),
        max_history_turns=s.history_turns,
    )


class Bench:
    """Shared, lazily loaded state of one benchmark run."""

    def __init__(self, settings: Settings, options: BenchOptions, reporter: Reporter, load: LoadSampler) -> None:
        self.settings = settings
        self.options = options
        self.reporter = reporter
        self.load = load
        self.cache = Path(settings.data_dir) / "bench"
        self.cache.mkdir(parents=True, exist_ok=True)
        self.stamp = f"{os.getpid()}-{int(time.time())}"
        self.loaded_embedder: Any = None
        self.seeds: tuple[RAG, RecordingLLM] | None = None  # set by seeds_rag()
        self.ingest_dir: Path | None = None

    # -- shared models and indexes --------------------------------------------------------

    def embedder(self) -> Any:
        """The real sentence-transformers embedder (a ``SentenceTransformerEmbedder``)."""
        if self.loaded_embedder is None:
            from rag.backends import create_embedder

            self.reporter.task("Loading the embedder")
            self.loaded_embedder = create_embedder(self.settings)
        return self.loaded_embedder

    def seeds_rag(self) -> tuple[RAG, RecordingLLM]:
        """The seeds/ index (built once, reused) with the chat model behind a recorder."""
        if self.seeds is None:
            from rag.backends import llm_class

            if not llm_class(self.settings).local:
                raise RagError("The answer, followup and peer suites need llm_backend = llama-cpp (in-process).")
            s = replace(self.settings, data_dir=self.cache / "seeds")
            base = RAG.open(settings=s, embedder=self.embedder())
            self.reporter.task("Indexing seeds/")
            base.ingest([project_root() / "seeds"])
            self.reporter.task(f"Loading the chat model {s.chat_model}")
            recorder = RecordingLLM(base.llm())
            rag = RAG(
                embedder=base.embedder,
                store=base.store,
                keyword=base.keyword,
                llm=recorder,
                settings=s,
                lock_path=Path(s.data_dir) / "write.lock",
            )
            self.seeds = (rag, recorder)
        return self.seeds

    def llama(self) -> Any:
        """The ``llama_cpp.Llama`` behind the seeds pipeline: the direct baseline."""
        _, rec = self.seeds_rag()
        return rec.inner.llama  # type: ignore[attr-defined]

    def seed_questions(self, kind: str) -> list[Any]:
        """The first ``options.questions`` questions of eval/seed.jsonl of type ``kind``."""
        from rag.evaluation import load_dataset

        qs = [q for q in load_dataset(project_root() / "eval" / "seed.jsonl") if q.type == kind]
        return qs[: self.options.questions]

    # -- timed calls ----------------------------------------------------------------------

    def time_ours(self, rag: RAG, question: str, history: Sequence[Turn] = (), *, first_only: bool = False) -> Timed:
        """Our pipeline end to end, as a front-end sees it: from the call to the final Answer."""
        t0 = time.perf_counter()
        stream = rag.stream(question, list(history))
        pre = time.perf_counter() - t0
        first: float | None = None
        for _piece in stream:
            if first is None:
                first = time.perf_counter() - t0
                if first_only:
                    break
        shown = tuple(h.chunk.chunk_id for h in stream.sources)
        if first_only:
            return Timed(first, time.perf_counter() - t0, stream.text, pre, sources=shown)
        last = time.perf_counter()
        answer = stream.answer()
        end = time.perf_counter()
        return Timed(first, end - t0, answer.text, pre, end - last, shown)

    def time_direct(self, messages: Sequence[Mapping[str, str]]) -> Timed:
        """llama-cpp-python alone on ``messages``, with the sampling options LlamaCppLLM uses."""
        s = self.settings
        t0 = time.perf_counter()
        stream = self.llama().create_chat_completion(
            messages=[dict(m) for m in messages],
            max_tokens=s.max_tokens,
            temperature=s.temperature,
            top_p=1.0,
            top_k=1 if s.temperature == 0 else 40,
            repeat_penalty=1.0,
            stream=True,
        )
        first: float | None = None
        pieces = []
        for part in stream:
            delta = part["choices"][0]["delta"].get("content")
            if delta:
                if first is None:
                    first = time.perf_counter() - t0
                pieces.append(delta)
        return Timed(first, time.perf_counter() - t0, "".join(pieces))

    def final_messages(self, rag: RAG, question: str, history: Sequence[Turn] = ()) -> list[dict[str, str]]:
        """The messages the pipeline sends for ``question``, built by its own public functions."""
        return [dict(m) for m in prompt_plan(rag, question, history).messages]
