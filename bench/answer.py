"""The answer suite: :meth:`RAG.stream` end to end vs llama-cpp-python called directly.

The baseline gets the exact messages our pipeline built (checked against what it sent),
and both start from a cleared KV cache, so the difference is our retrieval, prompt
building and post-generation checks.
"""

from __future__ import annotations

import re
from typing import Any

from bench.common import Row, Target, Timed, make_row, median, ratio
from bench.context import Bench

__all__ = ["run", "same_words"]


def run(b: Bench) -> tuple[list[Row], dict[str, Any]]:
    """End-to-end answer time and time to first token vs llama.cpp direct, per seed question."""
    rag, recorder = b.seeds_rag()
    llama = b.llama()
    questions = b.seed_questions("answerable")
    b.reporter.task("answer: warming up the chat model")
    llama.reset()
    b.time_direct([{"role": "user", "content": "Say OK."}])
    per: list[dict[str, Any]] = []
    b.reporter.task("answer: ours vs llama-cpp-python direct (cold KV cache)", total=len(questions))
    for i, q in enumerate(questions):
        messages = b.final_messages(rag, q.question)
        order = ("ours", "direct") if i % 2 == 0 else ("direct", "ours")
        timed: dict[str, Timed] = {}
        for which in order:
            llama.reset()  # both start from an empty KV cache: no prefix reuse on either side
            timed[which] = b.time_ours(rag, q.question) if which == "ours" else b.time_direct(messages)
        per.append(
            {
                "id": q.id,
                "order": list(order),
                "ours_total_s": timed["ours"].total_s,
                "ours_first_token_s": timed["ours"].first_token_s,
                "direct_total_s": timed["direct"].total_s,
                "direct_first_token_s": timed["direct"].first_token_s,
                "ours_before_generation_s": timed["ours"].pre_s,
                "ours_after_generation_s": timed["ours"].post_s,
                "same_prompt": recorder.last_messages == messages,
                "same_output": recorder.last_messages == messages
                and same_words(timed["ours"].text, timed["direct"].text),
                "ours_answer": timed["ours"].text,
                "direct_answer": timed["direct"].text,
            }
        )
        b.reporter.advance()
    tot = [p["ours_total_s"] / p["direct_total_s"] for p in per]
    ftt = [
        p["ours_first_token_s"] / p["direct_first_token_s"]
        for p in per
        if p["ours_first_token_s"] and p["direct_first_token_s"]
    ]
    if not all(p["same_prompt"] for p in per):
        b.reporter.note("answer: WARNING the pipeline sent other messages than the rebuilt ones for some questions")
    raw = {
        "questions": per,
        "total_ratio_per_question": tot,
        "first_token_ratio_per_question": ftt,
        "kv_cache": "cleared before every call",
    }
    sum_ratio = ratio(sum(p["ours_total_s"] for p in per), sum(p["direct_total_s"] for p in per))
    rows = [
        make_row(
            "answer",
            f"end-to-end answer time ({len(per)} q, median)",
            median([p["ours_total_s"] for p in per]),
            median([p["direct_total_s"] for p in per]),
            "s",
            Target("<=", 1.05),
            baseline_what="llama.cpp direct",
            row_ratio=median(tot),
            note=(
                f"sum ratio {sum_ratio:.3f}; ours spends median "
                f"{median([p['ours_before_generation_s'] for p in per]) or 0:.2f} s before and "
                f"{median([p['ours_after_generation_s'] for p in per]) or 0:.3f} s after generating"
                if sum_ratio
                else ""
            ),
        ),
        make_row(
            "answer",
            "time to first token (median)",
            median([p["ours_first_token_s"] for p in per if p["ours_first_token_s"]]),
            median([p["direct_first_token_s"] for p in per if p["direct_first_token_s"]]),
            "s",
            baseline_what="llama.cpp direct",
            row_ratio=median(ftt),
        ),
    ]
    return rows, raw


def same_words(ours: str, direct: str) -> bool:
    """Whether two answers have the same words, ignoring citation markers.

    Ours is the resolved answer (markers re-pointed), so only the words can be compared.
    """

    def words(t: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", re.sub(r"\[\d+\]", "", t.lower()))

    return words(ours) == words(direct)


# ----------------------------------------------------------------------------- followup
