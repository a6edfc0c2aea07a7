"""The server side of the load test (:mod:`bench.load`): ``rag ingest`` and ``rag serve`` as child
processes on loopback, their resident memory sampled from /proc, and a clean stop of the
whole process group.

Runs the installed ``rag`` console script beside this interpreter; it never imports
``rag``, so what is measured is exactly what a user starts.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rag.testing import free_port

if TYPE_CHECKING:
    from bench.load import LoadConfig

__all__ = [
    "LOOPBACK",
    "RAG_BIN",
    "SEEDS",
    "RssSample",
    "RssSampler",
    "Server",
    "group_members",
    "ingest",
    "process_tree",
    "rss_mb",
    "serve",
    "server_env",
    "stop_process_group",
]

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
RAG_BIN = Path(sys.executable).parent / "rag"
LOOPBACK = "127.0.0.1"


@dataclass
class RssSample:
    t: float  # seconds since the server was started
    mb: float


def server_env(cfg: LoadConfig) -> dict[str, str]:
    """The environment of the child processes: ours without RAG_*, plus the load test's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(
        {
            "RAG_CHAT_MODEL": cfg.chat_model,
            "RAG_MAX_TOKENS": str(cfg.max_tokens),
            "RAG_N_THREADS": str(cfg.n_threads),
            "RAG_HOST": LOOPBACK,
            "HF_HUB_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False",
            "GRADIO_ANALYTICS_ENABLED": "False",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if cfg.top_k is not None:
        env["RAG_TOP_K"] = str(cfg.top_k)
    return env


def ingest(data_dir: Path, cfg: LoadConfig, *, cwd: Path) -> float:
    """Index seeds/ into ``data_dir`` (unchanged files are skipped); returns the seconds it took."""
    t0 = time.monotonic()
    done = subprocess.run(
        [str(RAG_BIN), "--data-dir", str(data_dir), "ingest", str(SEEDS)],
        env=server_env(cfg),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=cfg.ingest_timeout_s,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"rag ingest failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.monotonic() - t0


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{p}/task"):
                with contextlib.suppress(OSError), open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
    return out


def group_members(pgid: int) -> list[int]:
    """Live processes of process group ``pgid`` (the server's group: empty once it is stopped)."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError), open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != "Z":
                    members.append(int(entry))
    return members


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children, in MB (VmRSS from /proc/<pid>/status)."""
    total_kb = 0
    for p in process_tree(pid):
        with contextlib.suppress(OSError), open(f"/proc/{p}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
                    break
    return total_kb / 1024


class RssSampler(threading.Thread):
    """Samples :func:`rss_mb` of a process tree every ``interval`` seconds until stopped."""

    def __init__(self, pid: int, t0: float, interval: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.t0, self.interval = pid, t0, interval
        self.samples: list[RssSample] = []
        self.stopped = threading.Event()

    def sample(self) -> RssSample:
        s = RssSample(round(time.monotonic() - self.t0, 2), round(rss_mb(self.pid), 1))
        self.samples.append(s)
        return s

    def run(self) -> None:
        while not self.stopped.is_set():
            self.sample()
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    started: float  # time.monotonic() at start
    ready_s: float = 0.0
    sampler: RssSampler | None = None

    def alive(self) -> bool:
        return self.process.poll() is None

    def answers_http(self) -> bool:
        try:
            with urllib.request.urlopen(self.url, timeout=10) as resp:  # noqa: S310 - our own loopback URL
                return bool(resp.status == 200)
        except OSError:
            return False

    def log_tail(self, lines: int = 40) -> list[str]:
        try:
            return self.log_path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return []


@contextlib.contextmanager
def serve(data_dir: Path, cfg: LoadConfig, *, workdir: Path) -> Iterator[Server]:
    """``rag serve`` on a free loopback port, ready to answer; stopped (with its children) on exit."""
    port = free_port()
    log_path = workdir / "server.log"
    url = f"http://{LOOPBACK}:{port}/"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(RAG_BIN), "-v", "--data-dir", str(data_dir), "serve", "--host", LOOPBACK, "--port", str(port)],
            env=server_env(cfg),
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole, nothing left behind
        )
    server = Server(url, process, log_path, time.monotonic())
    server.sampler = RssSampler(process.pid, server.started)
    server.sampler.start()
    try:
        deadline = server.started + cfg.ready_timeout_s
        while not server.answers_http():
            if not server.alive():
                raise RuntimeError("rag serve exited:\n" + "\n".join(server.log_tail()))
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"rag serve not ready after {cfg.ready_timeout_s:.0f} s:\n" + "\n".join(server.log_tail())
                )
            time.sleep(0.5)
        server.ready_s = time.monotonic() - server.started
        yield server
    finally:
        server.sampler.stop()
        stop_process_group(process)


def stop_process_group(process: subprocess.Popen[bytes], grace_s: float = 20.0) -> None:
    """SIGINT (Gradio closes cleanly), then SIGKILL of the whole group if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)
    with contextlib.suppress(ProcessLookupError):  # children of the group, or the server itself
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
