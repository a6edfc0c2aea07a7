"""Rendering of an evaluation report document as text: summary rows, Markdown, HTML.

Every function reads only the JSON document of ``rag.evaluation.reports.report_data``
(or a saved ``report.json``), so a report can be re-rendered from its file.
``summary_rows`` gives the headline (metric, value, n) rows that the CLI table and both
reports share. The HTML page is one file: inline CSS, plots as base64 PNG
(:mod:`rag.evaluation.plots`), no script and no external resource; every piece of
text that comes from a question, an answer or an article is escaped.

What it deliberately does not do: compute metrics, write files (``reports`` does),
or draw plots (``plots`` does).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rag.evaluation import plots
from rag.evaluation.runner import QUESTION_TYPES

__all__ = ["render_html", "render_markdown", "summary_rows"]

_STATUS_ORDER = {"error": 0, "fail": 1, "pass": 2}


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
    conf = s.get("confidence") or {}
    if conf.get("n"):
        rows.append(("confidence mean (answerability)", _fmt_num(conf["mean"]), str(conf["n"])))
        for target in (0.9, 0.8):
            best = [p for p in conf["risk_coverage"] if p["accuracy"] is not None and p["accuracy"] >= target]
            cover = max((p["coverage"] for p in best), default=0.0)
            rows.append((f"coverage at accuracy ≥ {target:.0%} (risk-coverage)", _fmt_num(cover), str(conf["n"])))
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
        lines += _md_list(f"- earlier: {_md(t['question'])} → {_md(t['answer'])}" for t in q["history"])
        lines += [f"**Expected:** {_md(_expected_text(q))}", ""]
        if q["answer"] is not None:
            lines += ["**Answer:**", "", _md_quote(q["answer"]), ""]
            lines += [
                f"**Retrieved:** {_md(', '.join(h['doc_id'] for h in q['hits']) or '(nothing)')}; "
                f"**gold:** {_md(', '.join(q['gold_docs']) or '(none)')}",
                "",
            ]
        lines += _md_list(f"- error in `{_md(e['check'])}`: {_md(e['message'])}" for e in q["errors"])
    passes = [q for q in questions if q["status"] == "pass"]
    lines += [f"## Passed ({len(passes)})", "", "| id | type | question | answer |", "|---|---|---|---|"]
    lines += [f"| {_md(q['id'])} | {_md(q['type'])} | {_md(q['question'])} | {_md(q['answer'])} |" for q in passes]
    return "\n".join(lines) + "\n"


def _md_list(items: Iterable[str]) -> list[str]:
    """Markdown list lines and the blank line that ends the list; nothing for no items."""
    listed = list(items)
    return [*listed, ""] if listed else []


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
    try:
        figures = [_figure(caption, png) for caption, png in plots.draw_plots(data)]
    except ImportError as exc:  # matplotlib is optional: the report says how to get the plots
        figures = [f'<p class="muted">{_e(exc)}</p>']
    parts += ['<div class="plots">', *figures, "</div>"]
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
