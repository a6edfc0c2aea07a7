"""What refusing below each confidence threshold would give, from one report run with min_confidence=0.

Reads a ``report.json`` whose answers carry ``confidence`` (``answerability`` on) and
prints, per threshold: answerable correct, false refusals, unanswerable refused; then
the AUROC of confidence for "this question should be answered" (answerable vs not) and
a Platt fit (logistic regression of answered-right on logit(confidence), Newton's method).

    .venv/bin/python eval/confidence_sweep.py eval/results/seed-dev-sentences/report.json
"""

from __future__ import annotations

import json
import math
import sys


def main(path: str) -> None:
    with open(path) as fh:
        qs = [q for q in json.load(fh)["questions"] if q["status"] != "error"]
    rows = [(q.get("confidence"), q["type"] != "unanswerable", bool(q["correct"]), bool(q["abstained"])) for q in qs]
    ans = [r for r in rows if r[1]]
    una = [r for r in rows if not r[1]]
    print(f"{len(ans)} answerable, {len(una)} unanswerable; confidence missing on {sum(r[0] is None for r in rows)}")
    print("threshold  correct(answerable)  false-refusal  unanswerable-refused")
    for t in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):

        def kept(r: tuple, t: float = t) -> bool:
            return not r[3] and (r[0] if r[0] is not None else 0.0) >= t

        correct = sum(1 for r in ans if kept(r) and r[2])
        refused = sum(1 for r in ans if not kept(r))
        una_refused = sum(1 for r in una if not kept(r))
        print(
            f"{t:9.1f}  {correct:3d}/{len(ans)} {correct / len(ans):6.1%}      {refused:3d} {refused / len(ans):6.1%}"
            f"   {una_refused:3d}/{len(una)} {una_refused / len(una):6.1%}"
        )
    scored = [(r[0], r[1]) for r in rows if r[0] is not None]
    pos = [c for c, a in scored if a]
    neg = [c for c, a in scored if not a]
    if pos and neg:
        auroc = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))
        print(f"AUROC of confidence, answerable vs unanswerable: {auroc:.3f} ({len(pos)} / {len(neg)})")
    # Platt: y = answered right (answerable, correct, not abstained), x = logit(confidence).
    data = [
        (
            math.log(min(max(c, 1e-6), 1 - 1e-6) / (1 - min(max(c, 1e-6), 1 - 1e-6))),
            1.0 if (a and ok and not ab) else 0.0,
        )
        for c, a, ok, ab in rows
        if c is not None
    ]
    a, b = 1.0, 0.0
    for _ in range(50):
        ga = gb = haa = hab = hbb = 0.0
        for x, y in data:
            p = 1 / (1 + math.exp(-(a * x + b)))
            ga += (p - y) * x
            gb += p - y
            w = p * (1 - p) + 1e-9
            haa += w * x * x
            hab += w * x
            hbb += w
        det = haa * hbb - hab * hab
        if abs(det) < 1e-12:
            break
        a -= (hbb * ga - hab * gb) / det
        b -= (haa * gb - hab * ga) / det
    print(f"Platt fit on {len(data)} questions: A = {a:.3f}, B = {b:.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
