"""The peer suite: our pipeline vs a plain LangChain one on the same models, k and questions.

The LangChain pipeline (:mod:`bench.peer_pipeline`) runs in its own virtual environment
under ``<data>/bench/peer-venv``, installed here on first use: LangChain is never a
dependency of the product. Both sides clear the KV cache before every question.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.common import Row, Target, make_row, median, tail
from bench.context import Bench
from rag.config import project_root
from rag.errors import RagError
from rag.pipeline import RAG
from rag.prompting import SYSTEM_PROMPT

__all__ = ["PEER_REQUIREMENTS", "PEER_SCRIPT", "PEER_TORCH", "PeerProcess", "peer_python", "run"]

# The peer lives in its own venv, never in the product's dependencies. torch comes first,
# pinned to the CPU build; llama-cpp-python reuses pip's cached wheel (no 6-minute build).
PEER_TORCH = "torch==2.13.0"
PEER_REQUIREMENTS = (
    "llama-cpp-python==0.3.36",
    "chromadb==1.5.9",
    "sentence-transformers==6.2.0",
    "langchain-core==1.7.2",
    "langchain-community==0.4.2",
    "langchain-chroma==1.1.0",
    "langchain-huggingface==1.2.3",
    "langchain-text-splitters==1.1.3",
)
# Run by path with the peer venv's python: it must not import this package or rag.
PEER_SCRIPT = Path(__file__).resolve().with_name("peer_pipeline.py")


def peer_python(b: Bench) -> tuple[Path, dict[str, Any]]:
    """The peer venv's python, installing it first when its requirements changed (idempotent)."""
    venv = b.cache / "peer-venv"
    marker = venv / ".bench-requirements"
    want = "\n".join((PEER_TORCH, *PEER_REQUIREMENTS))
    py = venv / "bin" / "python"
    if marker.is_file() and marker.read_text() == want and py.is_file():
        return py, {"reused": True}
    log = b.cache / "peer-install.log"
    t0 = time.perf_counter()
    steps = [
        ("create the venv", [sys.executable, "-m", "venv", str(venv)]),
        ("install torch (CPU)", [str(py), "-m", "pip", "install", "--disable-pip-version-check", PEER_TORCH]),
        ("install LangChain", [str(py), "-m", "pip", "install", "--disable-pip-version-check", *PEER_REQUIREMENTS]),
    ]
    b.reporter.task(f"peer: installing LangChain into {venv} (log: {log})", total=len(steps))
    with log.open("w") as fh:
        for what, cmd in steps:
            fh.write(f"$ {' '.join(cmd)}\n")
            fh.flush()
            done = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, check=False)
            if done.returncode != 0:
                raise RagError(
                    f"Could not {what} for the peer pipeline in {venv} (exit {done.returncode}); see {log}. "
                    f"Last lines:\n{tail(log, 8)}"
                )
            b.reporter.advance()
    marker.write_text(want)
    built = "Building wheel for llama-cpp-python" in log.read_text(errors="replace")
    return py, {"reused": False, "install_s": time.perf_counter() - t0, "llama_cpp_compiled": built}


class PeerProcess:
    """The peer pipeline process: JSON lines in, JSON lines out (see bench/peer_pipeline.py)."""

    def __init__(self, python: Path, config: Mapping[str, Any], log: Path) -> None:
        self.log = log
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
        env.pop("PYTHONPATH", None)
        self.stderr_file = log.open("w")
        self.proc = subprocess.Popen(
            [str(python), str(PEER_SCRIPT), json.dumps(dict(config))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr_file,
            text=True,
            env=env,
        )
        self.ready = self.receive()

    def receive(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=10)
            raise RagError(
                f"The peer pipeline exited (status {self.proc.returncode}); see {self.log}:\n{tail(self.log)}"
            )
        data: dict[str, Any] = json.loads(line)
        if "error" in data:
            raise RagError(f"The peer pipeline failed: {data['error']} (see {self.log})")
        return data

    def ask(self, question: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"question": question, "reset": True}) + "\n")
        self.proc.stdin.flush()
        return self.receive()

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            if self.proc.stdin:
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.stderr_file.close()


def run(b: Bench) -> tuple[list[Row], dict[str, Any]]:
    """First token, total time, correctness and indexing vs the LangChain peer."""
    from rag.evaluation.metrics import answer_correct
    from rag.models import embedder_path, resolve_chat_model

    s = b.settings
    python, install = peer_python(b)
    rag, _ = b.seeds_rag()
    llama = b.llama()
    questions = b.seed_questions("answerable")
    model_path, _ = resolve_chat_model(s.chat_model, s.models_dir)
    index_dir = b.cache / "peer-index"
    shutil.rmtree(index_dir, ignore_errors=True)
    config = {
        "model_path": str(model_path),
        "embed_path": str(embedder_path(s.embed_model)),
        "seeds_dir": str(project_root() / "seeds"),
        "index_dir": str(index_dir),
        "k": s.top_k,
        "chunk_tokens": s.chunk_tokens,
        "chunk_overlap": s.chunk_overlap,
        "n_ctx": s.n_ctx,
        "n_threads": s.n_threads,
        "n_batch": s.n_batch,
        "max_tokens": s.max_tokens,
        "temperature": s.temperature,
        "system_prompt": SYSTEM_PROMPT,
    }
    # Our side of "index seeds/": a fresh folder, models already loaded, like the peer's.
    fresh = b.cache / f"peer-ours-{b.stamp}"
    t_index = time.perf_counter()
    ours_index = RAG.open(settings=replace(s, data_dir=fresh), embedder=b.embedder()).ingest([project_root() / "seeds"])
    ours_index_s = time.perf_counter() - t_index
    shutil.rmtree(fresh, ignore_errors=True)
    b.reporter.task("peer: starting the LangChain pipeline (indexing seeds/, loading models)")
    peer = PeerProcess(python, config, b.cache / "peer.log")
    per: list[dict[str, Any]] = []
    try:
        b.reporter.task("peer: ours vs LangChain (cold KV cache on both)", total=len(questions))
        for i, q in enumerate(questions):
            order = ("ours", "peer") if i % 2 == 0 else ("peer", "ours")
            got: dict[str, dict[str, Any]] = {}
            for which in order:
                if which == "ours":
                    llama.reset()
                    t = b.time_ours(rag, q.question)
                    got["ours"] = {"answer": t.text, "first_token_s": t.first_token_s, "total_s": t.total_s}
                else:
                    got["peer"] = peer.ask(q.question)
            per.append(
                {
                    "id": q.id,
                    "order": list(order),
                    **{f"{w}_{k}": got[w][k] for w in ("ours", "peer") for k in ("answer", "first_token_s", "total_s")},
                    "ours_correct": answer_correct(got["ours"]["answer"], q.expected),
                    "peer_correct": answer_correct(got["peer"]["answer"], q.expected),
                }
            )
            b.reporter.advance()
    finally:
        peer.close()
    ftt = [
        p["ours_first_token_s"] / p["peer_first_token_s"]
        for p in per
        if p["ours_first_token_s"] and p["peer_first_token_s"]
    ]
    tot = [p["ours_total_s"] / p["peer_total_s"] for p in per]
    ours_ok = sum(p["ours_correct"] for p in per) / len(per)
    peer_ok = sum(p["peer_correct"] for p in per) / len(per)
    raw = {
        "install": install,
        "peer": peer.ready,
        "config": config,
        "questions": per,
        "ours_index_s": ours_index_s,
        "ours_chunks": ours_index.chunks_total,
        "kv_cache": "cleared before every call on both sides",
    }
    rows = [
        make_row(
            "peer",
            f"vs LangChain: time to first token ({len(per)} q, median)",
            median([p["ours_first_token_s"] for p in per if p["ours_first_token_s"]]),
            median([p["peer_first_token_s"] for p in per if p["peer_first_token_s"]]),
            "s",
            Target("<", 1.0, text="ratio < 1 (faster)"),
            baseline_what="LangChain",
            row_ratio=median(ftt),
        ),
        make_row(
            "peer",
            "vs LangChain: total answer time (median)",
            median([p["ours_total_s"] for p in per]),
            median([p["peer_total_s"] for p in per]),
            "s",
            Target("<", 1.0, text="ratio < 1 (faster)"),
            baseline_what="LangChain",
            row_ratio=median(tot),
        ),
        make_row(
            "peer",
            "vs LangChain: answers correct",
            ours_ok,
            peer_ok,
            "rate",
            Target(">=", 0.0, on="diff", text="ours ≥ peer"),
            baseline_what="LangChain",
        ),
        make_row(
            "peer",
            "vs LangChain: index seeds/ (fresh)",
            ours_index_s,
            float(peer.ready.get("index_s", 0.0)),
            "s",
            baseline_what="LangChain",
            note=f"chunks: ours {ours_index.chunks_total}, peer {peer.ready.get('chunks')}",
        ),
    ]
    return rows, raw
