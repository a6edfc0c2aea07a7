"""Can a stricter lexical check tell invented answers from supported ones? (It cannot.)

Replays the saved raw replies of three reports (RGB rejection, RGB noise, seed set) and
counts, per group, how many answers each candidate check would keep:

* best support of any claim sentence against a whole passage (the shipped gate),
  or against windows of 1-3 consecutive passage sentences;
* "novel tokens": the claim's content words that are not in the question, plus the
  question's and the claim's numbers, must all occur in one window.

A useful check keeps the "want high" groups and drops the "want low" ones.

    .venv/bin/python eval/probes/abstention.py
"""

import json
from pathlib import Path

from rag import support
from rag.citations import strip_markers


def claims(text):
    out = []
    for sp in support.split_sentences(text):
        c = strip_markers(sp.text).strip()
        if support.is_claim(c):
            out.append(c)
    return out


def windows(passage, w):
    sents = [s.text for s in support.split_sentences(passage)]
    if len(sents) <= w:
        return [passage]
    return [" ".join(sents[i : i + w]) for i in range(len(sents) - w + 1)]


def score(q, w):
    cl = claims(q["raw_text"])
    if not cl:
        return 1.0
    best = 0.0
    for c in cl:
        for s in q["sources"]:
            ps = [s["text"]] if w is None else windows(s["text"], w)
            for p in ps:
                best = max(best, support.support_score(c, p))
    return best


R = str(Path(__file__).resolve().parents[1] / "results") + "/"
groups = {
    "rgb-rej fail noleak (want low)": [
        q
        for q in json.loads(Path(R + "rgb-rejection-full/report.json").read_text())["questions"]
        if q["status"] == "fail" and not q["notes"] and q["finish_reason"] not in ("gate",)
    ],
    "rgb-noise pass (want high)": [
        q for q in json.loads(Path(R + "rgb-noise-full/report.json").read_text())["questions"] if q["status"] == "pass"
    ],
}
seed = json.loads(Path(R + "seed-final/report.json").read_text())["questions"]
groups["seed unans fail (want low)"] = [q for q in seed if q["type"] == "unanswerable" and q["status"] == "fail"]
groups["seed answerable-types pass (want high)"] = [
    q for q in seed if q["type"] != "unanswerable" and q["status"] == "pass"
]
for w in (None, 3, 2, 1):
    print("window", w)
    for th in (0.5, 0.6, 0.7):
        row = []
        for name, qs in groups.items():
            sc = [score(q, w) for q in qs]
            row.append(f"{name}: {sum(s >= th for s in sc)}/{len(sc)} kept")
        print("  th", th, " | ".join(row))

print("novel-token test")


def novel_ok(q, w, need_q_numbers=True):
    cl = claims(q["raw_text"])
    if not cl:
        return True
    qt = set(support.content_tokens(q["question"]))
    qn = support.numbers(q["question"]) if need_q_numbers else []
    for c in cl:
        nov = set(support.content_tokens(c)) - qt
        cn = support.numbers(c)
        for s in q["sources"]:
            for p in windows(s["text"], w):
                pt = set(support.content_tokens(p))
                pn = set(support.numbers(p))
                if nov <= pt and all(n in pn for n in qn) and all(n in pn for n in cn):
                    return True
    return False


for w in (1, 2, 3):
    for need in (True, False):
        row = []
        for name, qs in groups.items():
            row.append(f"{name}: {sum(novel_ok(q, w, need) for q in qs)}/{len(qs)}")
        print(" w", w, "qnum", need, " | ".join(row))
