"""Evaluation reports as data and files, and the comparison of two runs.

``report_data`` turns an :class:`rag.evaluation.EvalRun` into the JSON document
written as ``report.json``; ``write_reports`` writes it with its Markdown and HTML
renderings (:mod:`rag.evaluation.render`), which, like ``compare_reports``, read only
that document, so they can be regenerated or compared from saved files.
``report_sources`` turns a stored question's sources back into hits, for replaying
stored replies.

What it deliberately does not do: compute metrics (``rag.evaluation.runner`` and
``rag.evaluation.metrics`` do), lay out text (``render`` does), run the pipeline, or
print (the CLI renders ``summary_rows`` and ``Comparison`` with rich).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rag.errors import InputError
from rag.evaluation.render import render_html, render_markdown
from rag.evaluation.runner import EvalRun, QuestionResult, RetrievalScores
from rag.types import Chunk, Hit

__all__ = [
    "REPORT_VERSION",
    "Comparison",
    "Flip",
    "MetricDelta",
    "ReportPaths",
    "compare_reports",
    "default_report_dir",
    "load_report",
    "report_data",
    "report_sources",
    "write_reports",
]

REPORT_VERSION = 1


# ------------------------------------------------------------------------------- JSON


def report_data(run: EvalRun) -> dict[str, Any]:
    """The JSON document of a run: config, summary and every question with its verdicts."""
    return {
        "report_version": REPORT_VERSION,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "seconds": round(run.seconds, 3),
        "attribution": run.attribution,
        "config": run.config,
        "summary": run.summary,
        "questions": [_question_data(r) for r in run.results],
    }


def _question_data(r: QuestionResult) -> dict[str, Any]:
    q, a = r.question, r.answer
    data: dict[str, Any] = {
        "id": q.id,
        "type": q.type,
        "split": q.split,
        "question": q.question,
        "history": [dataclasses.asdict(t) for t in q.history],
        "expected": [list(f) for f in q.expected],
        "gold_docs": list(q.gold_docs),
        "notes": q.notes,
        "hidden_docs": list(q.hidden_docs),
        "status": r.status,
        "correct": r.correct,
        "f1": r.f1,
        "abstained": r.abstained,
        "answer": a.text if a else None,
        "raw_text": r.raw_text if a else None,
        "finish_reason": a.finish_reason if a else None,
        "confidence": a.confidence if a else None,
        "refusal_reason": a.refusal_reason if a else None,
        "evidence": [dataclasses.asdict(e) for e in (a.evidence if a else ())],
        "standalone_question": a.standalone_question if a else None,
        "hits": [
            {
                "rank": h.rank,
                "doc_id": h.chunk.doc_id,
                "chunk_id": h.chunk.chunk_id,
                "score": round(h.score, 4),
                "retriever": h.source,
                "dense": None if h.dense is None else round(h.dense, 4),
            }
            for h in (a.hits if a else ())
        ],
        "sources": [
            {
                "marker": i,
                "doc_id": h.chunk.doc_id,
                "chunk_id": h.chunk.chunk_id,
                "score": round(h.score, 4),
                "title": h.chunk.title,
                "date": h.chunk.date,
                "text": h.chunk.text,
            }
            for i, h in enumerate(a.sources if a else (), 1)
        ],
        "disagreements": [dataclasses.asdict(d) for d in (a.disagreements if a else ())],
        "citations": [
            {"marker": c.marker, "doc_id": c.doc_id, "chunk_id": c.chunk_id, "supported": c.supported}
            for c in (a.citations if a else ())
        ],
        "sentences": [
            {"text": s.text, "markers": s.markers, "is_claim": s.is_claim, "supported_markers": s.supported_markers}
            for s in r.sentences
        ],
        "timings": dataclasses.asdict(a.timings) if a else None,
        "retrieval": {"returned": _retrieval_data(r.retrieval_returned), "shown": _retrieval_data(r.retrieval_shown)},
        "citation_scores": (
            {**dataclasses.asdict(r.citations), "stripped": r.citations.stripped} if r.citations else None
        ),
        "errors": [dataclasses.asdict(e) for e in r.errors],
    }
    return data


def _retrieval_data(s: RetrievalScores | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "hit": {str(k): v for k, v in s.hit.items()},
        "recall": {str(k): v for k, v in s.recall.items()},
        "ndcg": {str(k): v for k, v in s.ndcg.items()},
        "mrr": s.mrr,
        "curve": list(s.curve),
    }


def load_report(path: str | Path) -> dict[str, Any]:
    """Read a ``report.json`` (or the folder holding one); InputError when it is not one."""
    p = Path(path)
    if p.is_dir():
        p = p / "report.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"Report {p} not found.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"Report {p} cannot be read as JSON: {exc}.") from None
    if not (
        isinstance(data, dict) and isinstance(data.get("summary"), dict) and isinstance(data.get("questions"), list)
    ):
        raise InputError(
            f"{p} is not an evaluation report (no summary and questions). Use a report.json of `rag eval`."
        )
    return data


def report_sources(question: Mapping[str, Any]) -> list[Hit]:
    """The passages a report's question was shown, as hits in marker order ([1] first).

    What replaying a stored reply needs (``rag.pipeline.finish_reply``): text, ids, title
    and date (reports written before dates were stored give ""); spans are not stored.
    """
    return [
        Hit(
            chunk=Chunk(
                chunk_id=s["chunk_id"],
                doc_id=s["doc_id"],
                text=s["text"],
                start=0,
                end=len(s["text"]),
                title=s.get("title") or "",
                date=s.get("date") or "",
            ),
            score=s["score"],
            rank=s["marker"],
        )
        for s in question["sources"]
    ]


@dataclass(frozen=True)
class ReportPaths:
    json: Path
    markdown: Path
    html: Path


def default_report_dir(dataset_stem: str, *, root: Path, now: datetime | None = None) -> Path:
    """``<root>/eval/results/<dataset-stem>-<YYYYmmdd-HHMMSS>``."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return root / "eval" / "results" / f"{dataset_stem}-{stamp}"


def write_reports(run: EvalRun | Mapping[str, Any], directory: str | Path) -> ReportPaths:
    """Write report.json, report.md and report.html into ``directory`` (created).

    The JSON goes first, so a failure in rendering never loses a run's results.
    """
    data = report_data(run) if isinstance(run, EvalRun) else dict(run)
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    paths = ReportPaths(d / "report.json", d / "report.md", d / "report.html")
    paths.json.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    paths.markdown.write_text(render_markdown(data), encoding="utf-8")
    paths.html.write_text(render_html(data), encoding="utf-8")
    return paths


# ------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class MetricDelta:
    name: str
    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a


@dataclass(frozen=True)
class Flip:
    """A question whose verdict differs between the two runs."""

    id: str
    question: str
    a: str
    b: str


@dataclass(frozen=True)
class Comparison:
    """What changed from run A to run B."""

    metrics: tuple[MetricDelta, ...]
    flips: tuple[Flip, ...]
    config_changes: tuple[tuple[str, str, str], ...]  # (key, value in A, value in B)
    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]

    @property
    def changed_metrics(self) -> tuple[MetricDelta, ...]:
        return tuple(m for m in self.metrics if m.a != m.b)


def _flatten(node: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, Mapping):
        if "value" in node and "n" in node:  # a rate: compare its value
            yield prefix, node["value"]
            return
        for key, value in node.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif not isinstance(node, list):
        yield prefix, node


def compare_reports(a: Mapping[str, Any], b: Mapping[str, Any]) -> Comparison:
    """Metric deltas (every number of the summaries) and the questions whose verdict flipped."""
    metrics_a = {k: v for k, v in _flatten(a["summary"]) if v is None or isinstance(v, int | float)}
    metrics_b = {k: v for k, v in _flatten(b["summary"]) if v is None or isinstance(v, int | float)}
    names = list(dict.fromkeys([*metrics_a, *metrics_b]))
    deltas = tuple(MetricDelta(n, _num(metrics_a.get(n)), _num(metrics_b.get(n))) for n in names)
    qa = {q["id"]: q for q in a["questions"]}
    qb = {q["id"]: q for q in b["questions"]}
    flips = tuple(
        Flip(i, qa[i]["question"], qa[i]["status"], qb[i]["status"])
        for i in qa
        if i in qb and qa[i]["status"] != qb[i]["status"]
    )
    conf_a, conf_b = dict(_flatten(a.get("config", {}))), dict(_flatten(b.get("config", {})))
    changes = tuple(
        (k, str(conf_a.get(k)), str(conf_b.get(k)))
        for k in dict.fromkeys([*conf_a, *conf_b])
        if conf_a.get(k) != conf_b.get(k)
    )
    return Comparison(
        metrics=deltas,
        flips=flips,
        config_changes=changes,
        only_in_a=tuple(i for i in qa if i not in qb),
        only_in_b=tuple(i for i in qb if i not in qa),
    )


def _num(value: Any) -> float | None:
    return None if value is None or isinstance(value, bool) else float(value)
