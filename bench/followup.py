"""The followup suite: time to first token of a follow-up with the KV cache warm vs cleared.

Warm: the previous question of the conversation was just answered, so llama.cpp can
reuse the prompt prefix it shares with the follow-up. Cold: the cache is cleared. The
suite also reports how many prompt tokens were actually reused.
"""

from __future__ import annotations

from typing import Any

from bench.common import Row, Timed, common_prefix, make_row, median
from bench.context import Bench
from rag.types import Turn

__all__ = ["run"]


def run(b: Bench) -> tuple[list[Row], dict[str, Any]]:
    """Follow-up time to first token, warm KV cache vs cleared, per seed follow-up."""
    rag, _ = b.seeds_rag()
    llama = b.llama()
    items = b.seed_questions("follow-up")
    per: list[dict[str, Any]] = []
    b.reporter.task("followup: warm KV cache vs cleared", total=len(items))
    for i, q in enumerate(items):
        history = list(q.history)
        earlier, last = history[:-1], history[-1]
        # What a chat UI passes on: the previous turn with the chunk ids it showed
        # (retrieval is deterministic, so building that turn's prompt gives them).
        shown_before = tuple(h.chunk.chunk_id for h in rag.stream(last.question, earlier).sources)
        history[-1] = Turn(last.question, last.answer, shown_before)

        primed: list[Timed] = []

        def prime(earlier: list[Turn] = earlier, last: Turn = last, primed: list[Timed] = primed) -> None:
            llama.reset()
            primed.append(b.time_ours(rag, last.question, earlier))  # the previous question, in full

        def measure(question: str = q.question, history: list[Turn] = history) -> tuple[Timed, int, int]:
            cached = list(llama.input_ids[: llama.n_tokens])
            t = b.time_ours(rag, question, history, first_only=True)
            now = list(llama.input_ids[: llama.n_tokens])
            return t, common_prefix(cached, now), len(now)

        if i % 2 == 0:
            prime()
            warm, reused, n_prompt = measure()
            llama.reset()
            cold, _, _ = measure()
        else:
            llama.reset()
            cold, _, _ = measure()
            prime()
            warm, reused, n_prompt = measure()
        per.append(
            {
                "id": q.id,
                "order": "warm-first" if i % 2 == 0 else "cold-first",
                "warm_first_token_s": warm.first_token_s,
                "cold_first_token_s": cold.first_token_s,
                "reused_prefix_tokens": reused,
                "prompt_tokens_evaluated": n_prompt,
                # A sources-before-history layout could reuse the cache this far at most:
                "sources_shared_with_previous": len(set(primed[0].sources) & set(warm.sources)),
                "leading_sources_identical": common_prefix(primed[0].sources, warm.sources),
                "sources_shown": len(warm.sources),
            }
        )
        b.reporter.advance()
    ok = [p for p in per if p["warm_first_token_s"] and p["cold_first_token_s"]]
    ratios = [p["warm_first_token_s"] / p["cold_first_token_s"] for p in ok]
    reused_median = median([p["reused_prefix_tokens"] for p in per])
    tokens = median([p["prompt_tokens_evaluated"] for p in per])
    raw = {"questions": per, "warm_over_cold_per_question": ratios, "history": "the seed set's history turns"}
    rows = [
        make_row(
            "followup",
            f"follow-up time to first token ({len(ok)} q, median)",
            median([p["warm_first_token_s"] for p in ok]),
            median([p["cold_first_token_s"] for p in ok]),
            "s",
            baseline_what="KV cache cleared",
            row_ratio=median(ratios),
            note=f"reused prefix: median {reused_median} of {tokens} prompt tokens",
        )
    ]
    b.reporter.note(f"followup: KV prefix reused, median {reused_median} of {tokens} prompt tokens")
    return rows, raw
