"""Headline numbers of a report.json, per split: the figures eval/RESULTS.md quotes.

Usage:

    .venv/bin/python eval/split_summary.py eval/results/seed-final [more reports or report.json files]
"""

from __future__ import annotations

import statistics
import sys
from typing import Any

from rag.evaluation.reports import load_report


def _rate(flags: list[bool]) -> str:
    return f"{100 * sum(flags) / len(flags):.1f}% ({sum(flags)}/{len(flags)})" if flags else "n/a"


def summary(questions: list[dict[str, Any]]) -> dict[str, str]:
    ok = [q for q in questions if not q["errors"]]
    answerable = [q for q in ok if q["type"] != "unanswerable"]
    unanswerable = [q for q in ok if q["type"] == "unanswerable"]
    c = [q["citation_scores"] for q in ok if q.get("citation_scores")]
    pairs, sup = sum(x["pairs"] for x in c), sum(x["supported_pairs"] for x in c)
    claims, cov = sum(x["claims"] for x in c), sum(x["supported_claims"] for x in c)
    ttft = [q["timings"]["first_token_s"] for q in ok if q.get("timings")]
    total = [q["timings"]["total_s"] for q in ok if q.get("timings")]
    out = {
        "questions": f"{len(questions)} ({len(questions) - len(ok)} errors)",
        "correct, answerable types": _rate([bool(q["correct"]) for q in answerable]),
        "abstains, unanswerable": _rate([bool(q["abstained"]) for q in unanswerable]),
        "false refusals": _rate([bool(q["abstained"]) for q in answerable]),
        "citation precision": f"{100 * sup / pairs:.1f}% ({sup}/{pairs})" if pairs else "n/a",
        "citation recall": f"{100 * cov / claims:.1f}% ({cov}/{claims})" if claims else "n/a",
        "first token p50": f"{statistics.median(ttft):.2f} s" if ttft else "n/a",
        "total p50": f"{statistics.median(total):.2f} s" if total else "n/a",
    }
    for kind in ("answerable", "multi-article", "follow-up"):
        group = [q for q in ok if q["type"] == kind]
        if group:
            out[f"correct, {kind}"] = _rate([bool(q["correct"]) for q in group])
    return out


def main(paths: list[str]) -> int:
    for path in paths:
        questions = load_report(path)["questions"]  # a report.json or its folder
        print(f"## {path}")
        for split in ("dev", "test", "all"):
            qs = [q for q in questions if split == "all" or q.get("split") == split]
            if not qs:
                continue
            print(f"### {split}")
            for k, v in summary(qs).items():
                print(f"  {k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
