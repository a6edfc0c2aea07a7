"""The evaluation runner: load a question set, ask each question through :class:`rag.RAG`, score it.

``load_dataset`` reads and validates a JSONL evaluation set (schema in
``eval/README.md``); every problem is an :class:`rag.errors.InputError` naming the
line. ``evaluate`` asks each question through the same ``RAG`` object the UI uses
and scores the :class:`rag.types.Answer` with :mod:`rag.evaluation.metrics`:
document-level retrieval (on what retrieval returned and on what the model was
shown), answer correctness and token F1, abstention, citation validity, precision and
recall, and latency. ``score_answer`` does the scoring alone, so it can be tested on
hand-made answers.

A check that raises is recorded as an error of that question (never as 0 or as a
pass), and so is a question whose ``RAG`` call raises a :class:`rag.errors.RagError`;
the run goes on.

What it deliberately does not do: define metrics (``rag.evaluation.metrics`` does),
decide whether a passage supports a sentence (``rag.support`` does), write reports
(``rag.evaluation.reports`` does), check the support check against hand verdicts
(``rag.evaluation.judgements`` does), draw progress bars or print (front-ends do), or
know about external benchmarks (``rag.evaluation.datasets.rgb`` adapts RGB to this
runner).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from rag.citations import SentenceCitations, extract_markers, sentence_citations, strip_markers
from rag.errors import InputError, RagError
from rag.evaluation import metrics
from rag.types import Answer, Turn

if TYPE_CHECKING:
    from rag.pipeline import RAG

__all__ = [
    "K_VALUES",
    "QUESTION_TYPES",
    "SPLITS",
    "CheckError",
    "CitationScores",
    "EvalQuestion",
    "EvalRun",
    "Progress",
    "QuestionResult",
    "RetrievalScores",
    "evaluate",
    "jsonl_records",
    "load_dataset",
    "parse_dataset",
    "score_answer",
    "summarize",
]

log = logging.getLogger(__name__)

QUESTION_TYPES = ("answerable", "unanswerable", "multi-article", "follow-up")
ANSWERABLE_TYPES = frozenset({"answerable", "multi-article", "follow-up"})
SPLITS = ("dev", "test")
K_VALUES = (1, 3, 5)

Status = Literal["pass", "fail", "error"]
Progress = Callable[[int, int, "QuestionResult"], None]  # (questions done, total, the result just scored)
T = TypeVar("T")

_REQUIRED = ("id", "type", "question", "expected", "gold_docs", "history", "split")
_OPTIONAL = ("notes",)


# ----------------------------------------------------------------------------- dataset


@dataclass(frozen=True)
class EvalQuestion:
    """One question of an evaluation set (see ``eval/README.md`` for the schema)."""

    id: str
    type: str
    question: str
    expected: tuple[tuple[str, ...], ...] = ()  # facts, each a tuple of alternatives
    gold_docs: tuple[str, ...] = ()
    history: tuple[Turn, ...] = ()
    split: str = "test"
    notes: str = ""
    # Documents retrieval must not return for this question (``RAG.stream(exclude_docs=...)``);
    # not part of the JSONL schema: adapters set it (the RGB rejection run hides a question's sources).
    hidden_docs: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return self.type in ANSWERABLE_TYPES


def load_dataset(path: str | Path, *, split: str = "all") -> list[EvalQuestion]:
    """Read and validate a JSONL evaluation set; keep the questions of ``split`` (dev, test or all).

    Raises :class:`InputError` naming the file, the line and the problem.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"Evaluation set {p} not found (or not a file). See eval/README.md for the format.")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = p.read_bytes()[: exc.start].count(b"\n") + 1
        raise InputError(f"{p}, line {line}: not valid UTF-8 ({exc.reason}).") from None
    except OSError as exc:
        raise InputError(f"Evaluation set {p} cannot be read: {exc.strerror or exc}.") from None
    # Split on "\n" only: splitlines() also breaks at U+2028 and friends inside JSON strings.
    return parse_dataset(text.split("\n"), source=str(p), split=split)


def parse_dataset(lines: Iterable[str], *, source: str = "dataset", split: str = "all") -> list[EvalQuestion]:
    """Validate JSONL lines (blank lines are skipped) into questions; see :func:`load_dataset`."""
    if split not in (*SPLITS, "all"):
        raise InputError(f"Unknown split {split!r}; use dev, test or all.")
    questions: list[EvalQuestion] = []
    first_line: dict[str, int] = {}
    for number, where, raw in jsonl_records(lines, source=source):
        question = _parse_question(raw, where)
        if question.id in first_line:
            raise InputError(f"{where}: duplicate id {question.id!r} (first used on line {first_line[question.id]}).")
        first_line[question.id] = number
        questions.append(question)
    if not questions:
        raise InputError(f"{source} holds no questions.")
    return [q for q in questions if split == "all" or q.split == split]


def jsonl_records(lines: Iterable[str], *, source: str) -> Iterator[tuple[int, str, Any]]:
    """``(line number, "<source>, line <n>", parsed value)`` for each non-blank JSONL line.

    Raises :class:`InputError` naming the line when it is not JSON. The caller checks
    the value's shape; every evaluation file format (evaluation sets, hand judgements,
    RGB) reads its lines through here.
    """
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{source}, line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno}).") from None
        except (RecursionError, ValueError) as exc:  # absurd nesting, integers over 4,300 digits
            raise InputError(f"{where}: not usable JSON ({type(exc).__name__}).") from None
        yield number, where, raw


def _parse_question(raw: Any, where: str) -> EvalQuestion:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(raw).__name__}.")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise InputError(f"{where}: missing key(s) {', '.join(missing)}.")
    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise InputError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(_REQUIRED + _OPTIONAL)}.")

    def text(key: str, *, empty_ok: bool = False) -> str:
        value = raw.get(key, "")
        if not isinstance(value, str):
            raise InputError(f"{where}: {key} must be a string, got {type(value).__name__}.")
        if not empty_ok and not value.strip():
            raise InputError(f"{where}: {key} is empty.")
        return value

    qid, qtype, question, qsplit, notes = (
        text("id"),
        text("type"),
        text("question"),
        text("split"),
        text("notes", empty_ok=True),
    )
    if qtype not in QUESTION_TYPES:
        raise InputError(f"{where}: unknown type {qtype!r}; use one of {', '.join(QUESTION_TYPES)}.")
    if qsplit not in SPLITS:
        raise InputError(f"{where}: unknown split {qsplit!r}; use dev or test.")

    expected = raw["expected"]
    if not isinstance(expected, list) or not all(isinstance(f, list) for f in expected):
        raise InputError(f"{where}: expected must be a list of facts, each a list of alternative strings.")
    for i, fact in enumerate(expected, 1):
        if not fact or not all(isinstance(a, str) for a in fact):
            raise InputError(f"{where}: expected fact {i} must be a non-empty list of strings.")
        if not any(metrics.normalize_answer(a) for a in fact):
            raise InputError(f"{where}: expected fact {i} has no alternative with letters or digits.")
    gold = raw["gold_docs"]
    if not isinstance(gold, list) or not all(isinstance(d, str) and d.strip() for d in gold):
        raise InputError(f"{where}: gold_docs must be a list of document ids (file names).")
    history = raw["history"]
    if not isinstance(history, list):
        raise InputError(f"{where}: history must be a list of {{question, answer}} objects.")
    turns = []
    for i, turn in enumerate(history, 1):
        if not (
            isinstance(turn, dict)
            and set(turn) == {"question", "answer"}
            and all(isinstance(v, str) for v in turn.values())
        ):
            raise InputError(f"{where}: history turn {i} must be an object with string keys question and answer.")
        turns.append(Turn(question=turn["question"], answer=turn["answer"]))

    if qtype == "unanswerable" and (expected or gold):
        raise InputError(f"{where}: an unanswerable question has empty expected and gold_docs.")
    if qtype != "unanswerable" and not expected:
        raise InputError(f"{where}: expected is empty; only unanswerable questions have no expected facts.")
    if qtype == "follow-up" and not turns:
        raise InputError(f"{where}: a follow-up question needs a non-empty history.")
    return EvalQuestion(
        id=qid,
        type=qtype,
        question=question,
        expected=tuple(tuple(f) for f in expected),
        gold_docs=tuple(gold),
        history=tuple(turns),
        split=qsplit,
        notes=notes,
    )


# ------------------------------------------------------------------------------ scores


@dataclass(frozen=True)
class CheckError:
    """A check that could not be computed, or a question the pipeline failed on (check "ask")."""

    check: str
    message: str


@dataclass(frozen=True)
class RetrievalScores:
    """Document-level retrieval quality of one ranked list against the gold documents."""

    hit: dict[int, bool]  # k -> hit@k
    recall: dict[int, float]  # k -> recall@k
    ndcg: dict[int, float]  # k -> nDCG@k
    mrr: float  # reciprocal rank of the first gold document (0.0 when none)
    curve: tuple[float, ...]  # recall@1 .. recall@len(list)


@dataclass(frozen=True)
class CitationScores:
    """Citation checks of one answer; the rates are None where nothing was there to check.

    ``pairs``/``claims`` are counted on the final answer (after the pipeline dropped
    invalid markers and, with ``verify_citations``, re-pointed markers to supporting
    passages); ``model_pairs``/``model_claims`` on the model's raw reply, where a
    marker to no shown source is an unsupported citation.
    """

    markers: int  # markers in the model's raw reply, repeats counted
    valid_markers: int  # of those, the ones pointing to a shown source
    validity: float | None
    pairs: int  # (claim sentence, cited passage) pairs in the final answer
    supported_pairs: int
    precision: float | None
    claims: int  # claim sentences (rag.support.is_claim)
    supported_claims: int  # claim sentences with at least one supporting citation
    recall: float | None
    model_pairs: int = 0
    model_supported_pairs: int = 0
    model_claims: int = 0
    model_supported_claims: int = 0

    @property
    def stripped(self) -> int:
        """Markers the pipeline removed because they point to no shown source."""
        return self.markers - self.valid_markers


@dataclass(frozen=True)
class QuestionResult:
    """One question, the pipeline's answer (None if it failed) and every verdict on it."""

    question: EvalQuestion
    answer: Answer | None
    raw_text: str = ""  # the model's reply before invalid markers were removed
    status: Status = "error"
    correct: bool | None = None  # all expected facts present (answerable types only)
    f1: float | None = None
    abstained: bool | None = None
    retrieval_returned: RetrievalScores | None = None  # on answer.hits
    retrieval_shown: RetrievalScores | None = None  # on answer.sources
    citations: CitationScores | None = None
    sentences: tuple[SentenceCitations, ...] = ()
    errors: tuple[CheckError, ...] = ()


def score_answer(q: EvalQuestion, answer: Answer, *, raw_text: str | None = None) -> QuestionResult:
    """Every verdict on ``answer``; checks that raise become :class:`CheckError` entries.

    ``raw_text`` is the model's reply before the pipeline removed invalid markers
    (default: ``answer.text``, which then shows no invalid marker).
    """
    raw = answer.text if raw_text is None else raw_text
    errors: list[CheckError] = []

    def check(name: str, fn: Callable[[], T]) -> T | None:
        try:
            return fn()
        except Exception as exc:  # a broken check is an error of this question, not a crash of the run
            log.warning("check %s failed on %s: %s", name, q.id, exc)
            errors.append(CheckError(name, f"{type(exc).__name__}: {exc}"))
            return None

    plain = strip_markers(answer.text)  # "[3]" must not count as the fact "3"
    correct = f1 = None
    if q.answerable:
        correct = check("correct", lambda: metrics.answer_correct(plain, q.expected))
        f1 = check("f1", lambda: metrics.token_f1(plain, " ".join(f[0] for f in q.expected)))
    returned = shown = None
    if q.gold_docs:
        returned = check("retrieval_returned", lambda: _retrieval([h.chunk.doc_id for h in answer.hits], q.gold_docs))
        shown = check("retrieval_shown", lambda: _retrieval([h.chunk.doc_id for h in answer.sources], q.gold_docs))
    passages = {i: h.chunk.text for i, h in enumerate(answer.sources, 1)}
    sentences = check("sentences", lambda: sentence_citations(answer.text, passages))
    raw_sentences = check("sentences", lambda: sentence_citations(raw, passages))
    citations = check(
        "citations", lambda: _citations(raw, len(answer.sources), sentences or [], raw_sentences or [], passages)
    )
    if sentences is None or raw_sentences is None:
        citations = None  # precision and recall need the sentences

    verdict = answer.abstained if not q.answerable else correct
    return QuestionResult(
        question=q,
        answer=answer,
        raw_text=raw,
        status="error" if verdict is None else "pass" if verdict else "fail",
        correct=correct,
        f1=f1,
        abstained=answer.abstained,
        retrieval_returned=returned,
        retrieval_shown=shown,
        citations=citations,
        sentences=tuple(sentences or ()),
        errors=tuple(errors),
    )


def _retrieval(ranked: Sequence[str], gold: Sequence[str]) -> RetrievalScores:
    return RetrievalScores(
        hit={k: metrics.hit_at_k(ranked, gold, k) for k in K_VALUES},
        recall={k: metrics.recall_at_k(ranked, gold, k) for k in K_VALUES},
        ndcg={k: metrics.ndcg_at_k(ranked, gold, k) for k in K_VALUES},
        mrr=metrics.reciprocal_rank(ranked, gold),
        curve=tuple(metrics.recall_at_k(ranked, gold, k) for k in range(1, len(ranked) + 1)),
    )


def _citations(
    raw: str,
    n_shown: int,
    sentences: Sequence[SentenceCitations],
    raw_sentences: Sequence[SentenceCitations],
    passages: Mapping[int, str],
) -> CitationScores:
    markers = extract_markers(raw)
    shown = range(1, n_shown + 1)
    claims = [s for s in sentences if s.is_claim]
    # Only claim sentences: a marker on a refusal or a hedge cites nothing checkable.
    pairs = [(s.claim, passages.get(m, "")) for s in claims for m in s.markers]
    supported_pairs = sum(len(s.supported_markers) for s in claims)
    model_claims = [s for s in raw_sentences if s.is_claim]
    return CitationScores(
        markers=len(markers),
        valid_markers=sum(1 for m in markers if m in shown),
        validity=metrics.citation_validity(markers, shown),
        pairs=len(pairs),
        supported_pairs=supported_pairs,
        precision=metrics.citation_precision(pairs),
        claims=len(claims),
        supported_claims=sum(1 for s in claims if s.supported),
        recall=metrics.citation_recall([(s.text, s.supported) for s in sentences]),
        model_pairs=sum(len(s.markers) for s in model_claims),
        model_supported_pairs=sum(len(s.supported_markers) for s in model_claims),
        model_claims=len(model_claims),
        model_supported_claims=sum(1 for s in model_claims if s.supported),
    )


# ------------------------------------------------------------------------------ runner


@dataclass(frozen=True)
class EvalRun:
    """A finished run: its configuration, every question's result and the summary."""

    config: dict[str, Any]
    results: tuple[QuestionResult, ...]
    summary: dict[str, Any]
    started_at: str
    finished_at: str
    seconds: float
    attribution: str = ""  # licence and citation of external data, shown in every report


def evaluate(
    rag: RAG,
    dataset: str | Path | Sequence[EvalQuestion],
    *,
    limit: int | None = None,
    split: str = "all",
    progress: Progress | None = None,
    config: Mapping[str, Any] | None = None,
    attribution: str = "",
) -> EvalRun:
    """Ask every question of ``dataset`` through ``rag`` and score the answers.

    Each question goes through ``rag.stream(question, history).answer()``, which is
    exactly ``rag.ask`` (and what the UI runs); the stream also gives the raw reply, so
    invalid markers the pipeline strips can be counted. A question's ``hidden_docs`` go
    to ``exclude_docs``. ``config`` is added to the run's recorded configuration.
    """
    questions = (
        load_dataset(dataset, split=split)
        if isinstance(dataset, str | Path)
        else [q for q in dataset if split == "all" or q.split == split]
    )
    if limit is not None:
        if limit < 1:
            raise InputError(f"--limit must be at least 1, got {limit}.")
        questions = questions[:limit]
    started, t0 = datetime.now(UTC), time.perf_counter()
    results: list[QuestionResult] = []
    for q in questions:
        result = _ask_and_score(rag, q)
        results.append(result)
        log.info(
            "%s %s (%d/%d, %.1f s)",
            q.id,
            result.status,
            len(results),
            len(questions),
            result.answer.timings.total_s if result.answer else 0.0,
        )
        if progress:
            progress(len(results), len(questions), result)
    recorded = {
        "chat_model": rag.settings.chat_model,
        "embed_model": rag.embedder.model_id,
        "top_k": rag.settings.top_k,
        "min_score": rag.settings.min_score,
        "questions": len(questions),
        "split": split,
        "limit": limit,
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(rag.settings).items()},
        **(config or {}),
    }
    if isinstance(dataset, str | Path):
        recorded.setdefault("dataset", str(dataset))
    return EvalRun(
        config=recorded,
        results=tuple(results),
        summary=summarize(results),
        started_at=started.isoformat(timespec="seconds"),
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        seconds=time.perf_counter() - t0,
        attribution=attribution,
    )


def _ask_and_score(rag: RAG, q: EvalQuestion) -> QuestionResult:
    try:
        stream = rag.stream(q.question, list(q.history), exclude_docs=q.hidden_docs)
        answer = stream.answer()
    except RagError as exc:
        log.warning("question %s failed: %s", q.id, exc)
        return QuestionResult(question=q, answer=None, status="error", errors=(CheckError("ask", str(exc)),))
    return score_answer(q, answer, raw_text=stream.text)


# ----------------------------------------------------------------------------- summary


def _rate(flags: Sequence[bool]) -> dict[str, Any]:
    return {"value": metrics.rate(flags), "count": sum(flags), "n": len(flags)}


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _ratio(num: int, den: int) -> dict[str, Any]:
    return {"value": num / den if den else None, "count": num, "n": den}


def summarize(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """Aggregate per-question verdicts into plain JSON-ready numbers.

    Rates are ``{"value", "count", "n"}`` with ``value`` None when ``n`` is 0.
    Questions whose pipeline call failed are left out of every rate and counted in
    ``errors``; a question with a failed check is left out of that check's numbers
    only. Citation numbers pool the counts of all answers (micro averages).
    """
    ok = [r for r in results if r.answer is not None]
    answerable = [r for r in ok if r.question.answerable]
    unanswerable = [r for r in ok if not r.question.answerable]
    check_errors = Counter(e.check for r in results for e in r.errors)
    by_type: dict[str, Any] = {}
    for qtype in QUESTION_TYPES:
        rows = [r for r in results if r.question.type == qtype]
        if rows:
            done = [r for r in rows if r.status != "error"]
            by_type[qtype] = {
                "questions": len(rows),
                "errors": len(rows) - len(done),
                "passed": _rate([r.status == "pass" for r in done]),
                "abstained": _rate([bool(r.abstained) for r in rows if r.answer is not None]),
            }
    by_split: dict[str, Any] = {}
    for name in SPLITS:
        done = [r for r in results if r.question.split == name and r.status != "error"]
        if done:
            by_split[name] = {
                "passed": _rate([r.status == "pass" for r in done]),
                "correct": _rate([bool(r.correct) for r in done if r.correct is not None]),
            }
    cites = [r.citations for r in ok if r.citations is not None]
    timings = [r.answer.timings for r in ok if r.answer is not None]
    first = [t.first_token_s for t in timings]
    total = [t.total_s for t in timings]
    prompt = [float(t.prompt_tokens) for t in timings]
    # Selective answering: each answered question's confidence and whether it was right.
    confident = [r for r in ok if r.answer is not None and r.answer.confidence is not None]
    curve = metrics.risk_coverage(
        [
            (r.answer.confidence or 0.0, not r.abstained, bool(r.correct) and not r.abstained)
            for r in confident
            if r.answer is not None
        ]
    )
    return {
        "questions": len(results),
        "errors": sum(1 for r in results if r.status == "error"),
        "confidence": {
            "n": len(confident),
            "mean": _mean([r.answer.confidence or 0.0 for r in confident if r.answer is not None]),
            "risk_coverage": [
                {"threshold": round(t, 4), "coverage": round(c, 4), "accuracy": None if a is None else round(a, 4)}
                for t, c, a in curve
            ],
        },
        "pipeline_errors": check_errors.get("ask", 0),
        "check_errors": sum(n for check, n in check_errors.items() if check != "ask"),
        "errors_by_check": dict(sorted(check_errors.items())),
        "passed": _rate([r.status == "pass" for r in results if r.status != "error"]),
        "correct": _rate([r.correct for r in answerable if r.correct is not None]),
        "f1_mean": _mean([r.f1 for r in answerable if r.f1 is not None]),
        "abstention": _rate([bool(r.abstained) for r in unanswerable]),
        "false_refusal": _rate([bool(r.abstained) for r in answerable]),
        # Answers that added a "sources disagree" sentence (rag.disagreement).
        "disagreements": _rate([bool(r.answer.disagreements) for r in ok if r.answer is not None]),
        "by_type": by_type,
        "by_split": by_split,
        "retrieval": {
            "returned": _retrieval_summary([r.retrieval_returned for r in ok if r.retrieval_returned]),
            "shown": _retrieval_summary([r.retrieval_shown for r in ok if r.retrieval_shown]),
        },
        "citations": {
            "answers_with_markers": sum(1 for c in cites if c.markers),
            "validity": _ratio(sum(c.valid_markers for c in cites), sum(c.markers for c in cites)),
            "stripped_markers": sum(c.stripped for c in cites),
            "precision": _ratio(sum(c.supported_pairs for c in cites), sum(c.pairs for c in cites)),
            "recall": _ratio(sum(c.supported_claims for c in cites), sum(c.claims for c in cites)),
            "model_precision": _ratio(sum(c.model_supported_pairs for c in cites), sum(c.model_pairs for c in cites)),
            "model_recall": _ratio(sum(c.model_supported_claims for c in cites), sum(c.model_claims for c in cites)),
        },
        "latency": {
            "n": len(timings),
            # first, total and prompt each hold one value per timing: all empty or none.
            "first_token_p50": metrics.percentile(first, 50) if timings else None,
            "first_token_p95": metrics.percentile(first, 95) if timings else None,
            "total_p50": metrics.percentile(total, 50) if timings else None,
            "total_p95": metrics.percentile(total, 95) if timings else None,
            "prompt_tokens_mean": _mean(prompt),
            "prompt_tokens_p95": metrics.percentile(prompt, 95) if timings else None,
            "generated_tokens_mean": _mean([float(t.generated_tokens) for t in timings]),
        },
    }


def _retrieval_summary(scores: Sequence[RetrievalScores]) -> dict[str, Any]:
    n = len(scores)
    depth = max((len(s.curve) for s in scores), default=0)

    def at(s: RetrievalScores, k: int) -> float:
        # Past the end of a list recall stays where it was (0.0 for an empty list).
        return s.curve[min(k, len(s.curve)) - 1] if s.curve else 0.0

    return {
        "n": n,
        "hit": {str(k): _mean([float(s.hit[k]) for s in scores]) for k in K_VALUES},
        "recall": {str(k): _mean([s.recall[k] for s in scores]) for k in K_VALUES},
        "ndcg": {str(k): _mean([s.ndcg[k] for s in scores]) for k in K_VALUES},
        "mrr": _mean([s.mrr for s in scores]),
        "curve": [_mean([at(s, k) for s in scores]) for k in range(1, depth + 1)],
    }
