"""Real servers on loopback for the scale-out tests: ``chroma run`` and ``python -m llama_cpp.server``.

Each server runs in its own process group on a free port of 127.0.0.1, is polled on
its health URL for a bounded time, and is killed with its whole group when the test
session ends. A server that exits or never answers fails the test with the tail of
its log; nothing is skipped. Test modules load the fixtures with
``pytest_plugins = ["tests.servers"]``, which registers them once per session, so
two modules share one server instead of starting one each.

:func:`start_server` works without pytest too, to start the same servers by hand.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rag.testing import free_port

__all__ = [
    "LOOPBACK",
    "Server",
    "ServerStartError",
    "chroma_server",
    "llm_server",
    "start_chroma",
    "start_llm",
    "start_server",
    "stub_server",
]

LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT_S = 180.0  # a bound on a hang, not a speed target: a loaded CI machine starts servers slowly
ROOT = Path(__file__).resolve().parent.parent
SMOLLM = ROOT / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class ServerStartError(RuntimeError):
    """A server exited or did not answer its health URL in time; the message has its log tail."""


@dataclass(frozen=True)
class Server:
    name: str
    host: str
    port: int
    log: Path
    startup_s: float  # from spawn to the first healthy answer
    pid: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def _log_tail(log: Path, lines: int = 40) -> str:
    try:
        text = _ANSI.sub("", log.read_text("utf-8", "replace"))
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # loopback URL built here
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _die_with_parent() -> None:
    # Runs in the child before exec: if pytest itself is killed (no teardown), the
    # kernel sends SIGTERM to the server too, so no server outlives its test run.
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:  # pragma: no cover - not glibc
        pass


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the whole process group, SIGKILL whatever is left after 10 s."""
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; children it left in the group go with it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        return


@contextlib.contextmanager
def start_server(
    name: str,
    argv: Sequence[str],
    *,
    port: int,
    health_path: str,
    log: Path,
    env: Mapping[str, str] | None = None,
    timeout_s: float = STARTUP_TIMEOUT_S,
) -> Iterator[Server]:
    """Run ``argv`` until the block ends; yield once ``http://127.0.0.1:port/health_path`` answers 200."""
    log.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            cwd=ROOT,
            start_new_session=True,  # its own process group: one killpg stops it and its children
            preexec_fn=_die_with_parent,
        )
    try:
        url = f"http://{LOOPBACK}:{port}{health_path}"
        deadline = t0 + timeout_s
        while not _healthy(url):
            if proc.poll() is not None:
                raise ServerStartError(
                    f"{name} exited with status {proc.returncode} before answering {url}. "
                    f"Command: {' '.join(argv)}\nLog tail ({log}):\n{_log_tail(log)}"
                )
            if time.perf_counter() > deadline:
                raise ServerStartError(
                    f"{name} did not answer {url} within {timeout_s:.0f} s. "
                    f"Command: {' '.join(argv)}\nLog tail ({log}):\n{_log_tail(log)}"
                )
            time.sleep(0.1)
        yield Server(name, LOOPBACK, port, log, time.perf_counter() - t0, proc.pid)
    finally:
        _stop(proc)


def chroma_argv(path: Path, port: int) -> list[str]:
    chroma = Path(sys.executable).with_name("chroma")  # installed with chromadb, next to python
    return [str(chroma), "run", "--path", str(path), "--host", LOOPBACK, "--port", str(port)]


def llm_argv(model: Path, port: int, *, alias: str = "smollm2-135m", n_ctx: int = 2048, threads: int = 2) -> list[str]:
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model),
        "--model_alias", alias,
        "--host", LOOPBACK,
        "--port", str(port),
        "--n_ctx", str(n_ctx),
        "--n_threads", str(threads),
        "--n_threads_batch", str(threads),
        # The default (True) ends a streaming answer early, silently, as soon as any other
        # request arrives (another worker's question or /extras/tokenize): wrong when
        # several UI workers share the server. False queues requests instead.
        "--interrupt_requests", "False",
    ]  # fmt: skip


@contextlib.contextmanager
def start_chroma(path: Path, *, log: Path, port: int | None = None) -> Iterator[Server]:
    """A Chroma server storing under ``path``, telemetry off."""
    port = port or free_port()
    with start_server(
        "Chroma server",
        chroma_argv(path, port),
        port=port,
        health_path="/api/v2/heartbeat",
        log=log,
        env={"ANONYMIZED_TELEMETRY": "False"},
    ) as server:
        yield server


@contextlib.contextmanager
def start_llm(model: Path = SMOLLM, *, log: Path, port: int | None = None) -> Iterator[Server]:
    """An OpenAI-compatible llama.cpp server (llama-cpp-python[server]) for ``model``."""
    if not model.is_file():
        raise ServerStartError(f"{model} is missing: run `rag models pull smollm2-135m` (make test does).")
    port = port or free_port()
    with start_server("LLM server", llm_argv(model, port), port=port, health_path="/v1/models", log=log) as server:
        yield server


@contextlib.contextmanager
def stub_server(routes: Mapping[str, object], *, port: int = 0) -> Iterator[int]:
    """A tiny JSON server in a thread: ``routes`` maps a POST path to its answer; other paths get 404.

    For what a real server cannot be made to do on demand: lack an endpoint, or
    appear on a port where nothing answered a moment ago. Yields the port.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path not in routes:
                self.send_error(404)
                return
            body = json.dumps(routes[self.path]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer((LOOPBACK, port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _fixture_server(cm: contextlib.AbstractContextManager[Server]) -> Iterator[Server]:
    try:
        with cm as server:
            yield server
    except ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``chroma run`` on a temporary path and a free loopback port, for the whole session."""
    tmp = tmp_path_factory.mktemp("chroma-server")
    yield from _fixture_server(start_chroma(tmp / "db", log=tmp / "chroma.log"))


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``python -m llama_cpp.server`` with SmolLM2 (alias ``smollm2-135m``), for the whole session."""
    tmp = tmp_path_factory.mktemp("llm-server")
    yield from _fixture_server(start_llm(log=tmp / "llm.log"))
