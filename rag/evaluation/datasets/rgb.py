"""Adapter for the RGB benchmark (English counterfactual split, ``en_fact.jsonl``) to the evaluation runner.

RGB: Chen, Lin, Han, Sun, "Benchmarking Large Language Models in Retrieval-Augmented
Generation", AAAI 2024 (arXiv 2309.01431); data licensed CC BY-NC-SA 4.0, used here
for evaluation only. :data:`ATTRIBUTION` goes into every report of a run on it.

``load_rgb`` validates the file; ``build_corpus`` pools every ``positive`` and
``negative`` passage of all questions into one corpus (one :class:`rag.types.Document`
per distinct passage text, ids ``rgb-<qid>-pos-<i>.txt`` / ``rgb-<qid>-neg-<i>.txt``
of its first occurrence). Two runs go through :func:`rag.evaluation.evaluate`:

* ``noise``: every query against the pooled corpus; correct when the gold answer is
  in the reply (``rag.evaluation.metrics.answer_correct``, see :func:`expected_facts`
  for list answers); the question's positive passages are its gold documents.
* ``rejection``: every query with that question's own positive passages hidden; the
  pipeline should abstain. The corpus is indexed once; the passages are hidden at
  query time (``RAG.stream(exclude_docs=...)``), so nothing is re-indexed per question.

What it deliberately does not do: the counterfactual-robustness run (``positive_wrong``),
RGB's fixed per-question noise ratios (our retrieval ranks the whole pooled corpus), or
RGB's own rejection test (the phrase "insufficient information"); a rejection here is
``Answer.abstained``, as for every other evaluation set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.citations import strip_markers
from rag.config import project_root
from rag.errors import InputError
from rag.evaluation import metrics
from rag.evaluation.runner import EvalQuestion, EvalRun, Progress, evaluate, jsonl_records
from rag.types import Document, IngestReport

if TYPE_CHECKING:
    from rag.pipeline import RAG, IngestProgress

__all__ = [
    "ATTRIBUTION",
    "RUNS",
    "RgbCorpus",
    "RgbItem",
    "build_corpus",
    "default_rgb_path",
    "expected_facts",
    "index_corpus",
    "load_rgb",
    "noise_questions",
    "rejection_questions",
    "rgb_correct",
    "run_rgb",
]

ATTRIBUTION = (
    'RGB benchmark (en_fact): Chen, Lin, Han, Sun, "Benchmarking Large Language Models in Retrieval-Augmented '
    'Generation", AAAI 2024, arXiv:2309.01431. Data licensed CC BY-NC-SA 4.0; used for evaluation only.'
)
RUNS = ("noise", "rejection")

RgbAnswer = str | list[Any]  # a string, or a list of facts (each a string or a list of alternatives)


def default_rgb_path() -> Path:
    """``<project root>/../shared/benchmarks/rgb/en_fact.jsonl``."""
    return project_root().parent / "shared" / "benchmarks" / "rgb" / "en_fact.jsonl"


@dataclass(frozen=True)
class RgbItem:
    id: int
    query: str
    answer: RgbAnswer
    positive: tuple[str, ...]
    negative: tuple[str, ...]


def load_rgb(path: str | Path) -> list[RgbItem]:
    """Read and validate ``en_fact.jsonl``; InputError naming the line on a bad entry."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"RGB file {p} not found. Pass --rgb-path to en_fact.jsonl (see eval/README.md).")
    items: list[RgbItem] = []
    seen: set[int] = set()
    for _number, where, raw in jsonl_records(p.read_text(encoding="utf-8").split("\n"), source=str(p)):
        if not isinstance(raw, dict):
            raise InputError(f"{where}: expected a JSON object.")
        missing = [k for k in ("id", "query", "answer", "positive", "negative") if k not in raw]
        if missing:
            raise InputError(f"{where}: missing key(s) {', '.join(missing)}.")
        if not isinstance(raw["id"], int) or isinstance(raw["id"], bool) or raw["id"] in seen:
            raise InputError(f"{where}: id must be a unique integer, got {raw['id']!r}.")
        if not isinstance(raw["query"], str) or not raw["query"].strip():
            raise InputError(f"{where}: query must be a non-empty string.")
        for key in ("positive", "negative"):
            if not isinstance(raw[key], list) or not all(isinstance(t, str) and t.strip() for t in raw[key]):
                raise InputError(f"{where}: {key} must be a list of non-empty passage strings.")
        if not raw["positive"]:
            raise InputError(f"{where}: positive is empty.")
        try:
            expected_facts(raw["answer"])
        except ValueError as exc:
            raise InputError(f"{where}: unusable answer {raw['answer']!r} ({exc}).") from None
        seen.add(raw["id"])
        items.append(
            RgbItem(raw["id"], raw["query"].strip(), raw["answer"], tuple(raw["positive"]), tuple(raw["negative"]))
        )
    if not items:
        raise InputError(f"{p} holds no questions.")
    return items


def expected_facts(answer: RgbAnswer) -> tuple[tuple[str, ...], ...]:
    """RGB's answer as facts for :func:`rag.evaluation.metrics.answer_correct`.

    As RGB's own scorer (``checkanswer`` in its ``evalue.py``) reads it: a string is
    one fact; a list holds facts that must all be present, each a string or a list of
    alternatives of which one is enough. So ``[["May 15 2012", "15 May 2012"]]`` is
    one date in any of its spellings. ValueError for an empty answer.
    """
    facts: list[tuple[str, ...]] = []
    for fact in answer if isinstance(answer, list) else [answer]:
        alternatives = tuple(fact) if isinstance(fact, list) else (fact,)
        if not alternatives or not all(isinstance(a, str) for a in alternatives):
            raise ValueError("each fact must be a string or a non-empty list of strings")
        if not any(metrics.normalize_answer(a) for a in alternatives):
            raise ValueError("a fact has no alternative with letters or digits")
        facts.append(alternatives)
    if not facts:
        raise ValueError("the answer is empty")
    return tuple(facts)


def rgb_correct(reply: str, answer: RgbAnswer) -> bool:
    """Whether ``reply`` (markers removed) contains RGB's answer; matching as ``metrics.fact_present``.

    More lenient than RGB's case-insensitive substring test in one way only:
    punctuation and spacing are normalised on both sides ("Tampa, Florida" matches
    "Tampa Florida").
    """
    return metrics.answer_correct(strip_markers(reply), expected_facts(answer))


# ------------------------------------------------------------------------------ corpus


@dataclass(frozen=True)
class RgbCorpus:
    """The pooled passages as documents, and each question's passage ids."""

    documents: tuple[Document, ...]
    positives: Mapping[int, tuple[str, ...]]  # question id -> doc ids of its positive passages
    negatives: Mapping[int, tuple[str, ...]]
    passages: int  # passages read, before removing duplicates

    @property
    def duplicates(self) -> int:
        return self.passages - len(self.documents)


def build_corpus(items: Sequence[RgbItem]) -> RgbCorpus:
    """Pool every positive and negative passage; identical texts become one document."""
    by_text: dict[str, str] = {}
    documents: list[Document] = []
    positives: dict[int, tuple[str, ...]] = {}
    negatives: dict[int, tuple[str, ...]] = {}
    passages = 0

    def doc_id(text: str, name: str) -> str:
        nonlocal passages
        passages += 1
        key = text.strip()
        if key not in by_text:
            by_text[key] = name
            # No title: the pipeline would embed it in front of the passage.
            documents.append(
                Document(doc_id=name, text=key, path=name, content_hash=hashlib.sha256(key.encode("utf-8")).hexdigest())
            )
        return by_text[key]

    for item in items:
        positives[item.id] = tuple(
            dict.fromkeys(doc_id(t, f"rgb-{item.id}-pos-{i}.txt") for i, t in enumerate(item.positive))
        )
        negatives[item.id] = tuple(
            dict.fromkeys(doc_id(t, f"rgb-{item.id}-neg-{i}.txt") for i, t in enumerate(item.negative))
        )
    return RgbCorpus(tuple(documents), positives, negatives, passages)


def index_corpus(rag: RAG, corpus: RgbCorpus, *, progress: IngestProgress | None = None) -> IngestReport:
    """Index the pooled corpus into ``rag``'s store; a second call finds it unchanged and costs nothing."""
    return rag.ingest_documents(corpus.documents, progress=progress)


def noise_questions(items: Sequence[RgbItem], corpus: RgbCorpus) -> list[EvalQuestion]:
    """Each query against the whole corpus; gold documents are the question's positive passages."""
    return [
        EvalQuestion(
            id=f"rgb-{item.id}",
            type="answerable",
            question=item.query,
            expected=expected_facts(item.answer),
            gold_docs=corpus.positives[item.id],
            split="test",
        )
        for item in items
    ]


def rejection_questions(items: Sequence[RgbItem], corpus: RgbCorpus) -> list[EvalQuestion]:
    """Each query, to be asked with its positive passages hidden; the right answer is to abstain.

    ``notes`` names the remaining passages that still contain the answer (other
    questions' passages on the same event), so a "failure" there can be told apart.
    """
    normalized = {d.doc_id: f" {metrics.normalize_answer(d.text)} " for d in corpus.documents}
    out = []
    for item in items:
        hidden = set(corpus.positives[item.id])
        needles = [f" {n} " for f in expected_facts(item.answer) for n in map(metrics.normalize_answer, f) if n]
        leaks = [d for d, text in normalized.items() if d not in hidden and any(n in text for n in needles)]
        notes = f"answer still in {len(leaks)} visible passage(s): {', '.join(leaks)}" if leaks else ""
        out.append(
            EvalQuestion(
                id=f"rgb-{item.id}",
                type="unanswerable",
                question=item.query,
                split="test",
                notes=notes,
                hidden_docs=corpus.positives[item.id],
            )
        )
    return out


# --------------------------------------------------------------------------------- runs


def run_rgb(
    rag: RAG,
    items: Sequence[RgbItem],
    corpus: RgbCorpus,
    *,
    run: str,
    limit: int | None = None,
    progress: Progress | None = None,
    config: Mapping[str, Any] | None = None,
) -> EvalRun:
    """The ``noise`` or ``rejection`` run over an indexed corpus (see the module docstring).

    ``config`` is added to the run's recorded configuration.
    """
    if run not in RUNS:
        raise InputError(f"Unknown RGB run {run!r}; use {' or '.join(RUNS)}.")
    recorded: dict[str, Any] = {
        "benchmark": f"RGB en_fact ({run})",
        "run": run,
        "corpus_passages": corpus.passages,
        "corpus_documents": len(corpus.documents),
        "corpus_duplicates": corpus.duplicates,
        "data_dir": str(rag.settings.data_dir),
        **(config or {}),
    }
    if run == "noise":
        return evaluate(
            rag,
            noise_questions(items, corpus),
            limit=limit,
            progress=progress,
            config=recorded,
            attribution=ATTRIBUTION,
        )
    questions = rejection_questions(items, corpus)
    recorded["questions_with_answer_still_visible"] = [q.id for q in questions[:limit] if q.notes]
    return evaluate(rag, questions, limit=limit, progress=progress, config=recorded, attribution=ATTRIBUTION)
