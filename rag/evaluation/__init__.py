"""Evaluation of the question-answering pipeline: question sets, metrics, runs and reports.

Not part of the product: the library in ``rag/`` never imports this package; this
package imports the library's public API (``rag.RAG``, the value types) and runs the
exact pipeline the UI runs. Reading order:

- :mod:`rag.evaluation.metrics`: the metrics, pure functions with their definitions.
- :mod:`rag.evaluation.runner`: load a JSONL question set, ask, score, summarize.
- :mod:`rag.evaluation.reports`: the JSON report, files, comparison of two runs.
- :mod:`rag.evaluation.render` and :mod:`rag.evaluation.plots`: Markdown and HTML
  reports; the plots need matplotlib (``pip install 'rag[eval]'``).
- :mod:`rag.evaluation.judgements`: the citation support check against hand verdicts.
- :mod:`rag.evaluation.datasets.rgb`: the RGB benchmark (Chen et al., AAAI 2024) as
  evaluation runs.

Example::

    from rag import RAG
    from rag.evaluation import evaluate, write_reports

    run = evaluate(RAG.open(data_dir="data"), "eval/seed.jsonl")
    write_reports(run, "eval/results/my-run")
"""

from __future__ import annotations

from rag.evaluation.judgements import Agreement, Judgement, judgement_agreement, load_judgements
from rag.evaluation.reports import compare_reports, load_report, report_data, write_reports
from rag.evaluation.runner import (
    K_VALUES,
    QUESTION_TYPES,
    SPLITS,
    CheckError,
    CitationScores,
    EvalQuestion,
    EvalRun,
    Progress,
    QuestionResult,
    RetrievalScores,
    evaluate,
    load_dataset,
    parse_dataset,
    score_answer,
    summarize,
)

__all__ = [
    "K_VALUES",
    "QUESTION_TYPES",
    "SPLITS",
    "Agreement",
    "CheckError",
    "CitationScores",
    "EvalQuestion",
    "EvalRun",
    "Judgement",
    "Progress",
    "QuestionResult",
    "RetrievalScores",
    "compare_reports",
    "evaluate",
    "judgement_agreement",
    "load_dataset",
    "load_judgements",
    "load_report",
    "parse_dataset",
    "report_data",
    "score_answer",
    "summarize",
    "write_reports",
]
