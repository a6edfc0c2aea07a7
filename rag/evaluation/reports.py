"""Evaluation reports (JSON, Markdown, self-contained HTML) and the comparison of two runs.

``report_data`` turns an :class:`rag.evaluation.EvalRun` into the JSON document
written as ``report.json``; the Markdown and HTML reports and ``compare_reports`` read
only that document, so they can be regenerated or compared from saved files. The
HTML report is one file: inline CSS, plots as base64 PNG drawn by matplotlib's Agg
canvas, no script and no external resource; every piece of text that comes from a
question, an answer or an article is escaped.

What it deliberately does not do: compute metrics (``rag.evaluation`` and
``rag.metrics`` do), run the pipeline, or print (the CLI renders ``summary_rows`` and
``Comparison`` with rich).
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rag.errors import InputError
from rag.evaluation import QUESTION_TYPES, EvalRun, QuestionResult, RetrievalScores
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
    "render_html",
    "render_markdown",
    "report_data",
    "report_sources",
    "summary_rows",
    "write_reports",
]

REPORT_VERSION = 1
_STATUS_ORDER = {"error": 0, "fail": 1, "pass": 2}


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


# ---------------------------------------------------------------------- summary rows


def _fmt_rate(rate: Mapping[str, Any] | None) -> tuple[str, str]:
    if not rate or rate.get("value") is None:
        return "n/a", str(rate.get("n", 0) if rate else 0)
    return f"{100 * rate['value']:.1f}% ({rate['count']}/{rate['n']})", str(rate["n"])


def _fmt_num(value: float | None, unit: str = "", digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def summary_rows(data: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Headline (metric, value, n) rows, shared by the CLI table and both reports."""
    s = data["summary"]
    rows: list[tuple[str, str, str]] = [
        ("questions", str(s["questions"]), ""),
        ("errors (pipeline / check)", f"{s['errors']} ({s['pipeline_errors']} / {s['check_errors']})", ""),
        ("passed (all types)", *_fmt_rate(s["passed"])),
        ("correct (answerable types)", *_fmt_rate(s["correct"])),
        (
            "token F1 mean (answerable types)",
            _fmt_num(s["f1_mean"], digits=3),
            str(s["correct"]["n"]),
        ),
        ("abstention (unanswerable)", *_fmt_rate(s["abstention"])),
        ("false refusal (answerable types)", *_fmt_rate(s["false_refusal"])),
        ("answers noting disagreeing sources", *_fmt_rate(s.get("disagreements"))),
    ]
    for qtype in QUESTION_TYPES:
        t = s["by_type"].get(qtype)
        if t:
            rows.append((f"  passed: {qtype}", *_fmt_rate(t["passed"])))
    for name, r in s["retrieval"].items():
        if r["n"]:
            rows.append(
                (
                    f"retrieval recall@1/3/5 ({name})",
                    " / ".join(_fmt_num(r["recall"][k]) for k in ("1", "3", "5")),
                    str(r["n"]),
                )
            )
            rows.append(
                (f"retrieval hit@1, MRR ({name})", f"{_fmt_num(r['hit']['1'])}, {_fmt_num(r['mrr'])}", str(r["n"]))
            )
    c = s["citations"]
    rows += [
        ("citation validity (raw markers)", *_fmt_rate(c["validity"])),
        ("markers stripped by the pipeline", str(c["stripped_markers"]), ""),
        ("citation precision (claim, passage pairs)", *_fmt_rate(c["precision"])),
        ("citation recall (claim sentences)", *_fmt_rate(c["recall"])),
        ("citation precision, model's own markers", *_fmt_rate(c.get("model_precision"))),
        ("citation recall, model's own markers", *_fmt_rate(c.get("model_recall"))),
    ]
    lat = s["latency"]
    rows += [
        (
            "time to first token p50 / p95",
            f"{_fmt_num(lat['first_token_p50'], ' s')} / {_fmt_num(lat['first_token_p95'], ' s')}",
            str(lat["n"]),
        ),
        (
            "total time p50 / p95",
            f"{_fmt_num(lat['total_p50'], ' s')} / {_fmt_num(lat['total_p95'], ' s')}",
            str(lat["n"]),
        ),
        (
            "prompt tokens mean / p95",
            f"{_fmt_num(lat['prompt_tokens_mean'], digits=0)} / {_fmt_num(lat['prompt_tokens_p95'], digits=0)}",
            str(lat["n"]),
        ),
    ]
    return rows


def _config_rows(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    c = data.get("config", {})
    keys = (
        "dataset",
        "benchmark",
        "run",
        "chat_model",
        "embed_model",
        "top_k",
        "min_score",
        "split",
        "limit",
        "questions",
        "data_dir",
    )
    rows = [(k, str(c[k])) for k in keys if k in c]
    rows += [("started", str(data.get("started_at", ""))), ("seconds", str(data.get("seconds", "")))]
    return rows


def _ordered(questions: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Failures first: errors, then wrong answers, then passes; dataset order within each."""
    return sorted(questions, key=lambda q: _STATUS_ORDER.get(q["status"], 0))


def _expected_text(q: Mapping[str, Any]) -> str:
    if q["type"] == "unanswerable" and not q["expected"]:
        return "(should abstain)"
    return "; ".join(" | ".join(f) for f in q["expected"])


# --------------------------------------------------------------------------- Markdown


def _md(text: Any) -> str:
    """Escape text for a Markdown table cell or paragraph: no HTML, no table breaks."""
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _md_quote(text: str) -> str:
    return "\n".join("> " + html.escape(line, quote=False) for line in (text or "(empty)").splitlines() or [""])


def render_markdown(data: Mapping[str, Any]) -> str:
    """The Markdown report: configuration, summary tables, then failures first, then passes."""
    c = data.get("config", {})
    lines = [f"# Evaluation report: {_md(c.get('dataset') or c.get('benchmark') or 'run')}", ""]
    if data.get("attribution"):
        lines += [f"_{_md(data['attribution'])}_", ""]
    lines += ["| setting | value |", "|---|---|", *(f"| {k} | {_md(v)} |" for k, v in _config_rows(data)), ""]
    lines += [
        "## Summary",
        "",
        "| metric | value | n |",
        "|---|---|---|",
        *(f"| {_md(m)} | {_md(v)} | {_md(n)} |" for m, v, n in summary_rows(data)),
        "",
    ]
    lines += _md_retrieval(data["summary"]["retrieval"])
    questions = _ordered(data["questions"])
    failures = [q for q in questions if q["status"] != "pass"]
    lines += [f"## Failures ({len(failures)})", ""]
    for q in failures:
        lines += [
            f"### {_md(q['id'])} ({_md(q['type'])}, {_md(q['split'])}): {q['status']}",
            "",
            f"**Question:** {_md(q['question'])}",
            "",
        ]
        for turn in q["history"]:
            lines += [f"- earlier: {_md(turn['question'])} → {_md(turn['answer'])}"]
        if q["history"]:
            lines.append("")
        lines += [f"**Expected:** {_md(_expected_text(q))}", ""]
        if q["answer"] is not None:
            lines += ["**Answer:**", "", _md_quote(q["answer"]), ""]
            lines += [
                f"**Retrieved:** {_md(', '.join(h['doc_id'] for h in q['hits']) or '(nothing)')}; "
                f"**gold:** {_md(', '.join(q['gold_docs']) or '(none)')}",
                "",
            ]
        for e in q["errors"]:
            lines += [f"- error in `{_md(e['check'])}`: {_md(e['message'])}"]
        if q["errors"]:
            lines.append("")
    passes = [q for q in questions if q["status"] == "pass"]
    lines += [f"## Passed ({len(passes)})", "", "| id | type | question | answer |", "|---|---|---|---|"]
    lines += [f"| {_md(q['id'])} | {_md(q['type'])} | {_md(q['question'])} | {_md(q['answer'])} |" for q in passes]
    return "\n".join(lines) + "\n"


def _md_retrieval(retrieval: Mapping[str, Any]) -> list[str]:
    if not any(r["n"] for r in retrieval.values()):
        return []
    names = list(retrieval)
    lines = [
        "## Retrieval (document level, questions with gold documents)",
        "",
        "| metric | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for metric in ("hit", "recall", "ndcg"):
        for k in ("1", "3", "5"):
            lines.append(f"| {metric}@{k} | " + " | ".join(_fmt_num(retrieval[n][metric][k]) for n in names) + " |")
    lines.append("| MRR | " + " | ".join(_fmt_num(retrieval[n]["mrr"]) for n in names) + " |")
    lines.append("| n | " + " | ".join(str(retrieval[n]["n"]) for n in names) + " |")
    return [*lines, ""]


# ------------------------------------------------------------------------------- HTML

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}.q{border:1px solid #ddd;border-left:6px solid #999;margin:1em 0;padding:.5em 1em}
.q.fail{border-left-color:#d9822b}.q.error{border-left-color:#c23030}.q.pass{border-left-color:#0f9960}
.badge{font-weight:bold;text-transform:uppercase}.fail .badge{color:#d9822b}.error .badge{color:#c23030}
.pass .badge{color:#0f9960}blockquote{margin:.4em 0;padding:.3em .8em;background:#f7f7f7;white-space:pre-wrap}
.src{font-size:.9em;color:#444;white-space:pre-wrap}.muted{color:#777}img{max-width:100%}
.plots{display:flex;flex-wrap:wrap;gap:1em}.plots figure{margin:0;flex:1 1 320px}
"""


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def render_html(data: Mapping[str, Any]) -> str:
    """A single self-contained HTML page: no script, no external resource, all text escaped."""
    c = data.get("config", {})
    title = f"Evaluation report: {c.get('dataset') or c.get('benchmark') or 'run'}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">",
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
    ]
    if data.get("attribution"):
        parts.append(f'<p class="muted">{_e(data["attribution"])}</p>')
    parts.append(_html_table(("setting", "value"), _config_rows(data)))
    parts += ["<h2>Summary</h2>", _html_table(("metric", "value", "n"), summary_rows(data))]
    parts += ['<div class="plots">', *(_figure(caption, png) for caption, png in _plots(data)), "</div>"]
    retrieval = data["summary"]["retrieval"]
    if any(r["n"] for r in retrieval.values()):
        names = list(retrieval)
        rows = [
            (f"{m}@{k}", *(_fmt_num(retrieval[n][m][k]) for n in names))
            for m in ("hit", "recall", "ndcg")
            for k in ("1", "3", "5")
        ]
        rows += [
            ("MRR", *(_fmt_num(retrieval[n]["mrr"]) for n in names)),
            ("n", *(str(retrieval[n]["n"]) for n in names)),
        ]
        parts += ["<h2>Retrieval (document level)</h2>", _html_table(("metric", *names), rows)]
    questions = _ordered(data["questions"])
    failures = [q for q in questions if q["status"] != "pass"]
    parts.append(f"<h2>Failures ({len(failures)})</h2>")
    parts += [_html_question(q) for q in failures]
    passes = [q for q in questions if q["status"] == "pass"]
    parts.append(f"<h2>Passed ({len(passes)})</h2>")
    parts += [_html_question(q) for q in passes]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _html_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(caption: str, png: bytes) -> str:
    b64 = base64.b64encode(png).decode("ascii")
    return f'<figure><img alt="{_e(caption)}" src="data:image/png;base64,{b64}"><figcaption>{_e(caption)}</figcaption></figure>'


def _html_question(q: Mapping[str, Any]) -> str:
    status = q["status"] if q["status"] in _STATUS_ORDER else "error"
    out = [
        f'<div class="q {status}"><p><span class="badge">{_e(status)}</span> '
        f'<b>{_e(q["id"])}</b> <span class="muted">{_e(q["type"])}, {_e(q["split"])}</span></p>',
        f"<p><b>Question:</b> {_e(q['question'])}</p>",
    ]
    if q["history"]:
        out.append(
            "<ul>"
            + "".join(f'<li class="muted">earlier: {_e(t["question"])} → {_e(t["answer"])}</li>' for t in q["history"])
            + "</ul>"
        )
    out.append(f"<p><b>Expected:</b> {_e(_expected_text(q))}</p>")
    if q["answer"] is not None:
        out.append(f"<blockquote>{_e(q['answer'])}</blockquote>")
        facts = [f"abstained: {q['abstained']}", f"correct: {q['correct']}"]
        if q["f1"] is not None:
            facts.append(f"F1: {q['f1']:.2f}")
        cs = q.get("citation_scores")
        if cs:
            facts.append(
                f"markers {cs['valid_markers']}/{cs['markers']} valid, "
                f"{cs['supported_pairs']}/{cs['pairs']} citations supported, "
                f"{cs['supported_claims']}/{cs['claims']} claims supported"
            )
        t = q.get("timings") or {}
        if t:
            facts.append(f"first token {t['first_token_s']:.2f} s, total {t['total_s']:.2f} s")
        out.append(f'<p class="muted">{_e("; ".join(facts))}</p>')
        gold = set(q["gold_docs"])
        hits = ", ".join(f"{h['doc_id']}{' (gold)' if h['doc_id'] in gold else ''} {h['score']:.2f}" for h in q["hits"])
        out.append(
            f'<p class="muted">retrieved: {_e(hits or "(nothing)")}; gold: {_e(", ".join(q["gold_docs"]) or "(none)")}</p>'
        )
        if q["sources"]:
            out.append("<details><summary>sources shown to the model</summary>")
            out += [f'<p class="src">[{s["marker"]}] {_e(s["doc_id"])}: {_e(s["text"])}</p>' for s in q["sources"]]
            out.append("</details>")
    for e in q["errors"]:
        out.append(f"<p><b>error in {_e(e['check'])}:</b> {_e(e['message'])}</p>")
    out.append("</div>")
    return "\n".join(out)


# ------------------------------------------------------------------------------ plots


def _plots(data: Mapping[str, Any]) -> Iterator[tuple[str, bytes]]:
    for caption, draw in (
        ("Passed by question type", _plot_types),
        ("Latency distribution", _plot_latency),
        ("Retrieval recall@k", _plot_recall),
    ):
        png = _draw(draw, data)
        if png is not None:
            yield caption, png


def _draw(draw: Callable[[Any, Mapping[str, Any]], bool], data: Mapping[str, Any]) -> bytes | None:
    # The object API with the Agg canvas: no pyplot global state, no GUI backend.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 3.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if not draw(ax, data):
        return None
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _plot_types(ax: Any, data: Mapping[str, Any]) -> bool:
    by_type = data["summary"]["by_type"]
    names = [t for t in by_type if by_type[t]["passed"]["value"] is not None]
    if not names:
        return False
    values = [100 * by_type[t]["passed"]["value"] for t in names]
    bars = ax.bar(names, values, color="#4c78a8")
    for bar, t in zip(bars, names, strict=True):
        p = by_type[t]["passed"]
        ax.annotate(
            f"{p['count']}/{p['n']}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_ylim(0, 105)
    ax.set_ylabel("passed (%)")
    ax.tick_params(axis="x", labelsize=8)
    return True


def _plot_latency(ax: Any, data: Mapping[str, Any]) -> bool:
    timings = [q["timings"] for q in data["questions"] if q.get("timings")]
    if not timings:
        return False
    totals = [t["total_s"] for t in timings]
    firsts = [t["first_token_s"] for t in timings]
    top = max(max(totals), max(firsts), 1e-3)
    edges = [top * i / 20 for i in range(21)]  # shared bins: the two histograms compare bar by bar
    ax.hist(totals, bins=edges, alpha=0.6, label="total")
    ax.hist(firsts, bins=edges, alpha=0.6, label="first token")
    ax.set_xlabel("seconds")
    ax.set_ylabel("questions")
    ax.legend()
    return True


def _plot_recall(ax: Any, data: Mapping[str, Any]) -> bool:
    drawn = False
    for name, r in data["summary"]["retrieval"].items():
        curve = [v for v in r["curve"] if v is not None]
        if curve:
            ax.plot(range(1, len(curve) + 1), curve, marker="o", label=name)
            drawn = True
    if drawn:
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("k (documents)")
        ax.set_ylabel("mean recall@k")
        ax.set_ylim(0, 1.05)
        ax.legend()
    return drawn


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
