"""The memory suite: peak resident memory of ``rag serve`` after one question.

Starts the real server on a free port, asks one question through ``gradio_client``
(a dev dependency, imported here only) and reads the process's high-water mark from
/proc; the model file's size is the baseline. Without the UI it measures ``rag ask``.
Index sizes on disk are reported by the ingest and query suites.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.common import Row, make_row, proc_status, tail
from bench.context import Bench
from rag.config import project_root
from rag.errors import RagError
from rag.pipeline import RAG
from rag.testing import free_port

__all__ = ["run"]


def run(b: Bench) -> tuple[list[Row], dict[str, Any]]:
    """Peak RSS of a ``rag serve`` (or ``rag ask``) process after one question vs the model file."""
    s = b.settings
    rag, _ = b.seeds_rag() if b.seeds is not None else (None, None)
    data = b.cache / "seeds"
    if rag is None:  # the index only: the chat model loads in the measured process
        RAG.open(settings=replace(s, data_dir=data), embedder=b.embedder()).ingest([project_root() / "seeds"])
    exe = Path(sys.executable).with_name("rag")
    cmd = [str(exe)] if exe.is_file() else [sys.executable, "-m", "rag.cli"]
    env = {**os.environ, "RAG_CHAT_MODEL": s.chat_model, "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1"}
    question = "How much money did the EU set aside for weapons and equipment for the training mission?"
    log = b.cache / "memory.log"
    has_ui = (project_root() / "ui" / "app.py").is_file()
    raw: dict[str, Any] = {"process": "rag serve" if has_ui else "rag ask", "question": question, "model": s.chat_model}
    b.reporter.task(f"memory: {raw['process']} with {s.chat_model}, one question")
    samples: list[int] = []
    with log.open("w") as fh:
        if has_ui:
            port = free_port()
            proc = subprocess.Popen(
                [*cmd, "--data-dir", str(data), "serve", "--port", str(port)],
                stdout=fh,
                stderr=subprocess.STDOUT,
                env=env,
            )
            try:
                t0 = time.perf_counter()
                while True:
                    if proc.poll() is not None:
                        raise RagError(f"`rag serve` exited with status {proc.returncode}; see {log}:\n{tail(log)}")
                    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                    if time.perf_counter() - t0 > 300:
                        raise RagError(f"`rag serve` did not listen on port {port} within 300 s; see {log}.")
                    samples.append(proc_status(proc.pid).get("VmRSS", 0))
                    time.sleep(0.5)
                raw["startup_s"] = time.perf_counter() - t0
                raw["after_start"] = proc_status(proc.pid)
                from gradio_client import Client

                stop = threading.Event()

                def sample() -> None:
                    while not stop.wait(0.2):
                        samples.append(proc_status(proc.pid).get("VmRSS", 0))

                sampler = threading.Thread(target=sample, daemon=True)
                sampler.start()
                t = time.perf_counter()
                reply = Client(f"http://127.0.0.1:{port}/", verbose=False).predict(question, api_name="/ask")
                raw["question_s"] = time.perf_counter() - t
                stop.set()
                sampler.join()
                raw["reply_ok"] = bool(reply)
                raw["after_question"] = proc_status(proc.pid)
                peak = raw["after_question"].get("VmHWM", max(samples, default=0))
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        else:
            proc = subprocess.Popen(
                [*cmd, "--data-dir", str(data), "ask", question], stdout=fh, stderr=subprocess.STDOUT, env=env
            )
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                raise RagError(f"`rag ask` exited with status {proc.returncode}; see {log}:\n{tail(log)}")
            peak = usage.ru_maxrss * 1024
    raw["peak_rss_bytes"] = peak
    raw["rss_samples_max"] = max(samples, default=0)
    model_size = 0
    with contextlib.suppress(RagError, OSError):
        from rag.models import resolve_chat_model

        model_size = resolve_chat_model(s.chat_model, s.models_dir)[0].stat().st_size
    raw["model_file_bytes"] = model_size
    rows = [
        make_row(
            "memory",
            f"peak RSS of {raw['process']} ({s.chat_model}, 1 question)",
            float(peak),
            float(model_size) if model_size else None,
            "MiB",
            baseline_what="model file",
            note="" if has_ui else "ui/app.py missing: measured a `rag ask` process instead of `rag serve`",
        )
    ]
    return rows, raw
