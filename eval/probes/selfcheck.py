"""Does a yes/no self-check by the chat model separate supported answers from invented ones?

For samples of saved replies (RGB rejection failures, RGB noise passes, seed
unanswerable failures, seed answerable passes) it rebuilds the prompt, appends the
reply and asks the model whether the sources state the answer. Measured 2026-11-21:
the default model (qwen2.5-1.5b) said "yes" to 100% of every group, so this check
has no signal and is not used.

    .venv/bin/python eval/probes/selfcheck.py ["custom check instruction"]
"""

import json
import random
import sys
import time
from pathlib import Path

from rag.backends.llms import LlamaCppLLM
from rag.evaluation.reports import report_sources
from rag.models import resolve_chat_model
from rag.prompting import build_messages

RESULTS = str(Path(__file__).resolve().parents[1] / "results") + "/"
MODELS = Path(__file__).resolve().parents[2] / "models"

CHECK = (
    sys.argv[1]
    if len(sys.argv) > 1
    else (
        "Look at the sources again. Do they explicitly state the answer to the question, "
        "for exactly what the question asks (same person, event, place and year)? Reply with only yes or no."
    )
)
llm = LlamaCppLLM(resolve_chat_model("qwen2.5-1.5b", MODELS)[0], n_ctx=4096)


def sample(report, pred, n):
    qs = [
        q
        for q in json.loads(Path(report).read_text())["questions"]
        if pred(q) and q["finish_reason"] == "stop" and q["sources"]
    ]
    random.Random(0).shuffle(qs)  # noqa: S311 (a fixed sample, not security)
    return qs[:n]


sets = {
    "rgb-rejection fail (want no)": sample(
        "" + RESULTS + "rgb-rejection-full/report.json", lambda q: q["status"] == "fail" and not q["notes"], 25
    ),
    "rgb-noise pass (want yes)": sample(
        "" + RESULTS + "rgb-noise-full/report.json", lambda q: q["status"] == "pass", 25
    ),
    "seed unanswerable fail (want no)": sample(
        "" + RESULTS + "seed-final/report.json", lambda q: q["type"] == "unanswerable" and q["status"] == "fail", 11
    ),
    "seed answerable pass (want yes)": sample(
        "" + RESULTS + "seed-final/report.json", lambda q: q["type"] == "answerable" and q["status"] == "pass", 20
    ),
}
out = {}
for name, qs in sets.items():
    votes = []
    for q in qs:
        hits = report_sources(q)
        plan = build_messages(q["question"], hits, count_tokens=llm.count_tokens, n_ctx=4096, max_new_tokens=320)
        msgs = [*plan.messages, {"role": "assistant", "content": q["raw_text"]}, {"role": "user", "content": CHECK}]
        t = time.perf_counter()
        reply = "".join(llm.stream_chat(msgs, max_tokens=3, temperature=0)).strip().lower()
        votes.append(reply.startswith("yes"))
        print(name, q["id"], repr(reply), "%.1fs" % (time.perf_counter() - t), flush=True)
    out[name] = sum(votes) / len(votes)
print(json.dumps(out, indent=1))
