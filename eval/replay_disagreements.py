"""Replay stored model replies through the post-generation steps and count "sources disagree" notes.

The disagreement check (rag.disagreement) runs after generation and calls no model,
so its false alarms on a set can be measured on any earlier report without asking
the model again: each question's raw reply and shown passages are in report.json.

    .venv/bin/python eval/replay_disagreements.py eval/results/seed-final eval/results/rgb-noise-full

prints, per report, how many answers get a note and lists them (question, the
answer's claim, the quoted passage) for reading.
"""

from __future__ import annotations

import sys

from rag.answering import finish_reply
from rag.config import load_settings
from rag.evaluation.reports import load_report, report_sources


def main(paths: list[str]) -> None:
    settings = load_settings(flag_disagreements=True)
    for path in paths:
        data = load_report(path)
        replies = [q for q in data["questions"] if q.get("raw_text") and q.get("sources")]
        noted = []
        for q in replies:
            final = finish_reply(q["raw_text"], q["question"], report_sources(q), settings)
            if final.disagreements:
                noted.append((q, final))
        print(f"{path}: {len(noted)} of {len(replies)} answers get a disagreement note")
        for q, final in noted:
            print(f"  {q['id']} ({q['type']}, {q['status']}): {q['question']}")
            for d in final.disagreements:
                print(f"    claim: {d.sentence}")
                print(f"    [{d.marker}] {d.quote}  -> {', '.join(d.values)} instead of {', '.join(d.claim_values)}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: replay_disagreements.py REPORT [REPORT ...]")
    main(sys.argv[1:])
