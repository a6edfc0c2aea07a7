"""Ablations for the grounded-answers work, from one evaluation report plus live retrieval.

Two parts, both cheap enough to run beside a full evaluation:

* ``retrieval``: re-runs retrieval only (no chat model) for every question of a
  dataset under each retrieval configuration (dense / hybrid, follow-up query mode,
  near-duplicate collapse) and prints document-level recall@k, MRR and time per query.
* ``post``: replays the answer post-processing (citation repair, support gate, evidence
  gate) on the raw model replies saved in a ``report.json``, for a sweep of thresholds,
  separately on the dev and test splits. Thresholds are chosen on dev only.

Usage:
    .venv/bin/python eval/ablate.py retrieval eval/seed.jsonl --data-dir data
    .venv/bin/python eval/ablate.py retrieval rgb --data-dir data/rgb
    .venv/bin/python eval/ablate.py post eval/results/<run>/report.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from rag import RAG, Settings, Turn
from rag.answering import finish_reply
from rag.citations import sentence_citations, strip_markers
from rag.evaluation import load_dataset, metrics
from rag.evaluation.reports import report_sources
from rag.retrieval import standalone_query

K = (1, 3, 5)


def _questions(dataset: Path) -> list[Any]:
    if str(dataset) == "rgb":  # the RGB noise-robustness questions over the pooled corpus
        from rag.evaluation.datasets.rgb import build_corpus, default_rgb_path, load_rgb, noise_questions

        items = load_rgb(default_rgb_path())
        return noise_questions(items, build_corpus(items))
    return [q for q in load_dataset(dataset) if q.gold_docs]


def retrieval_ablation(dataset: Path, data_dir: Path, top_k: int) -> list[dict[str, Any]]:
    base = RAG.open(data_dir=data_dir, llm=None)
    questions = _questions(dataset)
    configs = [
        (
            "dense, follow-up = question alone",
            {"retrieval": "dense", "followup_query": "question", "dedupe_threshold": 1.0},
        ),
        (
            "dense, follow-up = recent questions",
            {"retrieval": "dense", "followup_query": "questions", "dedupe_threshold": 1.0},
        ),
        ("dense + context follow-up", {"retrieval": "dense", "followup_query": "context", "dedupe_threshold": 1.0}),
        ("hybrid (dense + BM25, RRF)", {"retrieval": "hybrid", "followup_query": "context", "dedupe_threshold": 1.0}),
        (
            "hybrid + near-duplicate collapse",
            {"retrieval": "hybrid", "followup_query": "context", "dedupe_threshold": 0.8},
        ),
        (
            "hybrid + collapse, fetch_k 40",
            {"retrieval": "hybrid", "followup_query": "context", "dedupe_threshold": 0.8, "fetch_k": 40},
        ),
    ]
    rows = []
    for name, overrides in configs:
        rag = RAG(
            embedder=base.embedder, store=base.store, keyword=base.keyword, settings=replace(base.settings, **overrides)
        )
        recall: dict[int, list[float]] = {k: [] for k in K}
        hit: dict[int, list[bool]] = {k: [] for k in K}
        mrr, times, follow = [], [], []
        for q in questions:
            query = standalone_query(
                q.question,
                [Turn(t.question, t.answer) for t in q.history],
                mode=rag.settings.followup_query,
                turns=rag.settings.history_turns,
            )
            t0 = time.perf_counter()
            hits = rag.retrieve(query, top_k=top_k)
            times.append(time.perf_counter() - t0)
            ranked = [h.chunk.doc_id for h in hits]
            for k in K:
                recall[k].append(metrics.recall_at_k(ranked, q.gold_docs, k))
                hit[k].append(metrics.hit_at_k(ranked, q.gold_docs, k))
            mrr.append(metrics.reciprocal_rank(ranked, q.gold_docs))
            if q.type == "follow-up":
                follow.append(metrics.recall_at_k(ranked, q.gold_docs, 5))
        rows.append(
            {
                "config": name,
                **{f"hit@{k}": statistics.mean(hit[k]) for k in K},
                **{f"recall@{k}": statistics.mean(recall[k]) for k in K},
                "mrr": statistics.mean(mrr),
                "follow-up recall@5": statistics.mean(follow) if follow else None,
                "p50 ms": 1000 * statistics.median(times),
                "questions": len(questions),
            }
        )
    return rows


def replay(q: dict[str, Any], *, repair: bool, min_support: float, min_score: float) -> dict[str, Any]:
    """The verdicts this question would get with the given post-processing."""
    sources = report_sources(q)
    best_dense = max((h["dense"] for h in q["hits"] if h.get("dense") is not None), default=-1.0)
    gated = q["finish_reason"] == "gate" or best_dense < min_score
    settings = Settings(verify_citations=repair, min_support=min_support, flag_disagreements=False)
    final = finish_reply(q["raw_text"] or "", q["question"], sources, settings)
    abstained, text = gated or final.abstained, final.text
    answerable = q["type"] != "unanswerable"
    correct = None
    if answerable:
        correct = (not abstained) and metrics.answer_correct(strip_markers(text), q["expected"])
    passages = {i: h.chunk.text for i, h in enumerate(sources, 1)}
    sentences = [] if abstained else sentence_citations(text, passages)
    claims = [s for s in sentences if s.is_claim]
    return {
        "abstained": abstained,
        "correct": correct,
        "answerable": answerable,
        "type": q["type"],
        "pairs": sum(len(s.markers) for s in claims),
        "supported_pairs": sum(len(s.supported_markers) for s in claims),
        "claims": len(claims),
        "supported_claims": sum(1 for s in claims if s.supported),
    }


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ans = [r for r in rows if r["answerable"]]
    un = [r for r in rows if not r["answerable"]]
    pairs = sum(r["pairs"] for r in rows)
    claims = sum(r["claims"] for r in rows)
    return {
        "correct (answerable)": sum(bool(r["correct"]) for r in ans) / len(ans) if ans else None,
        "abstain (unanswerable)": sum(r["abstained"] for r in un) / len(un) if un else None,
        "false refusal": sum(r["abstained"] for r in ans) / len(ans) if ans else None,
        "citation precision": sum(r["supported_pairs"] for r in rows) / pairs if pairs else None,
        "citation recall": sum(r["supported_claims"] for r in rows) / claims if claims else None,
        "n": len(rows),
    }


def post_ablation(report: Path) -> dict[str, Any]:
    data = json.loads(report.read_text())
    questions = [q for q in data["questions"] if q.get("raw_text") is not None]
    out: dict[str, Any] = {"report": str(report), "rows": []}
    for split in ("dev", "test"):
        qs = [q for q in questions if q["split"] == split]
        for repair in (False, True):
            for min_support in (0.0, 0.3, 0.4, 0.5, 0.6):
                for min_score in (0.25, 0.3, 0.35):
                    rows = [replay(q, repair=repair, min_support=min_support, min_score=min_score) for q in qs]
                    out["rows"].append(
                        {
                            "split": split,
                            "repair": repair,
                            "min_support": min_support,
                            "min_score": min_score,
                            **summarize(rows),
                        }
                    )
    return out


def _print(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    keys = list(rows[0])
    print(" | ".join(keys))
    for r in rows:
        print(" | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in r.values()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    r = sub.add_parser("retrieval")
    r.add_argument("dataset", type=Path)
    r.add_argument("--data-dir", type=Path, default=Path("data"))
    r.add_argument("--top-k", type=int, default=5)
    p = sub.add_parser("post")
    p.add_argument("report", type=Path)
    args = parser.parse_args(argv)
    if args.what == "retrieval":
        rows = retrieval_ablation(args.dataset, args.data_dir, args.top_k)
        _print(rows)
        print(json.dumps(rows))
    else:
        result = post_ablation(args.report)
        _print(result["rows"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
