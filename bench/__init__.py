"""Speed benchmarks of ``rag``: every figure is measured beside its baseline in the same run, as a ratio.

Run from the repository root (this folder is not installed with the library)::

    python -m bench --suite ingest,query      # or `make bench ARGS="--suite query"`

Suites, each runnable alone, one module each:

- ``ingest`` (:mod:`bench.ingest`): :meth:`RAG.ingest_documents` on a synthetic news
  corpus vs ``SentenceTransformer.encode`` on the same chunk texts; re-ingest of the
  unchanged corpus vs the first ingest.
- ``query`` (:mod:`bench.query`): :meth:`RAG.retrieve` on synthetic indexes of
  1k/10k/100k chunks vs a raw Chroma query with a precomputed embedding.
- ``answer`` (:mod:`bench.answer`): :meth:`RAG.stream` end to end vs llama-cpp-python
  called directly with the exact messages the pipeline built, both with a cleared KV cache.
- ``followup`` (:mod:`bench.followup`): time to first token of a follow-up question with
  the KV cache left by the previous question vs with the cache cleared.
- ``peer`` (:mod:`bench.peer`): a LangChain pipeline (:mod:`bench.peer_pipeline`, in its
  own virtual environment) on the same models, k and questions.
- ``memory`` (:mod:`bench.memory`): peak RSS of ``rag serve`` after one question.

Shared code: :mod:`bench.common` (reporting, statistics, rows, tables, results files),
:mod:`bench.corpus` (the synthetic corpus), :mod:`bench.context` (models and timed calls
shared by the suites), :mod:`bench.run` (the runner), ``__main__`` (the command line).

Beside the suites, with their own command lines: :mod:`bench.load` (N concurrent
conversations against a real ``rag serve``; ``python -m bench.load``; its server side in
:mod:`bench.load_server`) and :mod:`bench.peer_prompt_tokens` (prompt lengths, ours vs the
peer, after a peer run).

Baselines are the raw engines the adapters wrap, reached through the adapters' public
properties (``SentenceTransformerEmbedder.model``, ``ChromaStore.collection``,
``LlamaCppLLM.llama``); the benchmarks use no private name of ``rag``. Nothing here
prints: progress goes through a :class:`Reporter`, and the command line renders
:func:`results_table`. Timed runs alternate their order (ours first, then baseline first)
so a drift in machine load hits both sides.
"""

from __future__ import annotations

from bench.common import (
    SUITES,
    BenchOptions,
    BenchResult,
    NullReporter,
    RecordingLLM,
    Reporter,
    RichReporter,
    Row,
    Target,
    TimedEmbedder,
    default_out_path,
    format_value,
    index_size,
    make_row,
    markdown_table,
    parse_sizes,
    parse_suites,
    ratio,
    results_table,
    summarize,
    write_results,
)
from bench.corpus import (
    CORPUS_VERSION,
    news_documents,
    news_sentences,
    pool_size_for,
    synthetic_chunks,
    synthetic_questions,
)
from bench.run import run_bench

__all__ = [
    "CORPUS_VERSION",
    "SUITES",
    "BenchOptions",
    "BenchResult",
    "NullReporter",
    "RecordingLLM",
    "Reporter",
    "RichReporter",
    "Row",
    "Target",
    "TimedEmbedder",
    "default_out_path",
    "format_value",
    "index_size",
    "make_row",
    "markdown_table",
    "news_documents",
    "news_sentences",
    "parse_sizes",
    "parse_suites",
    "pool_size_for",
    "ratio",
    "results_table",
    "run_bench",
    "summarize",
    "synthetic_chunks",
    "synthetic_questions",
    "write_results",
]
