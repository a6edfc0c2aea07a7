"""Prompt lengths, ours vs the LangChain peer, for the peer suite's answerable seed questions.

Both sides of the peer suite clear the KV cache, so time to first token is the prefill
of the prompt: this says how much longer (or shorter) our prompts are, question by
question. Needs a finished ``python -m bench --suite answer,peer`` (its seeds/ index and
the peer's Chroma index under ``<data-dir>/bench/``). Our prompt is rebuilt with the
pipeline's public functions (:func:`bench.context.prompt_plan`); the peer's from its own
index with its own template (:mod:`bench.peer_pipeline`). Both are counted with the chat
model's tokenizer. Prints one line per question and the medians::

    python -m bench.peer_prompt_tokens [--data-dir data] [--questions 8]
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Annotated

import typer

from bench.context import prompt_plan
from bench.peer_pipeline import USER_TEMPLATE, format_sources
from rag.config import project_root
from rag.evaluation import load_dataset
from rag.pipeline import RAG
from rag.prompting import SYSTEM_PROMPT

__all__ = ["main", "prompt_tokens"]

PEER_MESSAGE_OVERHEAD = 24  # chat-template tokens around the messages: 3 x our per-message overhead


def prompt_tokens(data_dir: Path, questions: int = 8) -> list[tuple[str, int, int]]:
    """(question id, our prompt tokens, the peer's prompt tokens) for the first answerable seed questions."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    rag = RAG.open(data_dir / "bench" / "seeds")
    llm = rag.llm()
    peer = chromadb.PersistentClient(
        str(data_dir / "bench" / "peer-index"), settings=ChromaSettings(anonymized_telemetry=False)
    ).get_collection("peer")
    seed = load_dataset(project_root() / "eval" / "seed.jsonl")
    out = []
    for q in [q for q in seed if q.type == "answerable"][:questions]:
        ours = prompt_plan(rag, q.question).prompt_tokens
        [vector] = rag.embedder.embed([q.question])
        found = peer.query(query_embeddings=[vector], n_results=rag.settings.top_k, include=["documents"])
        user = USER_TEMPLATE.format(context=format_sources(found["documents"][0]), question=q.question)
        theirs = llm.count_tokens(SYSTEM_PROMPT) + llm.count_tokens(user) + PEER_MESSAGE_OVERHEAD
        out.append((q.id, ours, theirs))
    return out


def main(
    data_dir: Annotated[Path, typer.Option(help="The data dir the bench ran with.")] = Path("data"),
    questions: Annotated[int, typer.Option(help="Answerable seed questions (the peer suite's --questions).")] = 8,
) -> None:
    """Print our and the peer's prompt tokens per question, then the medians and the median ratio."""
    for needed in (data_dir / "bench" / "seeds", data_dir / "bench" / "peer-index"):
        if not needed.is_dir():
            raise typer.BadParameter(
                f"{needed} not found: run `python -m bench --suite answer,peer --data-dir {data_dir}` first.",
                param_hint="--data-dir",
            )
    rows = prompt_tokens(data_dir, questions)
    for qid, ours, peer in rows:
        typer.echo(f"{qid} {ours} {peer}")
    ours_median = statistics.median(r[1] for r in rows)
    peer_median = statistics.median(r[2] for r in rows)
    ratio_median = statistics.median(r[1] / r[2] for r in rows)
    typer.echo(f"median ours {ours_median:.0f} peer {peer_median:.0f} ratio {ratio_median:.3f}")


if __name__ == "__main__":
    typer.run(main)
