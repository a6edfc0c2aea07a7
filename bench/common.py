"""What every suite shares: progress reporting, statistics, result rows and tables, options,
the JSON and Markdown results, machine state, and thin recorders around the protocols.

Pure and cheap to import: no model is loaded here, and rich is imported only by the
functions that draw.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rag.config import project_root
from rag.errors import InputError
from rag.protocols import LLM, Message

__all__ = [
    "SCHEMA",
    "SUITES",
    "BenchOptions",
    "BenchResult",
    "LoadSampler",
    "NullReporter",
    "RecordingLLM",
    "Reporter",
    "RichReporter",
    "Row",
    "Target",
    "Timed",
    "TimedEmbedder",
    "common_prefix",
    "default_out_path",
    "dir_size",
    "format_value",
    "index_size",
    "machine_info",
    "make_row",
    "markdown_table",
    "median",
    "parse_sizes",
    "parse_suites",
    "proc_status",
    "ratio",
    "results_table",
    "summarize",
    "tail",
    "write_results",
]

SUITES = ("ingest", "query", "answer", "followup", "peer", "memory")
SCHEMA = 1


# ----------------------------------------------------------------------------- progress


class Reporter(Protocol):
    """Where a benchmark reports progress; front-ends draw it."""

    def task(self, description: str, total: int | None = None) -> None:
        """Start a new step (replaces the current one)."""
        ...

    def advance(self, steps: int = 1) -> None: ...

    def note(self, message: str) -> None:
        """A line worth keeping in the scroll-back (a finding, a cache reuse, a warning)."""
        ...


class NullReporter:
    """Discards progress (library use, tests)."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    def task(self, description: str, total: int | None = None) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass

    def note(self, message: str) -> None:
        self.notes.append(message)


class RichReporter:
    """A rich progress bar on ``console`` (use as a context manager)."""

    def __init__(self, console: Any) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.current: Any = None

    def __enter__(self) -> RichReporter:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def task(self, description: str, total: int | None = None) -> None:
        if self.current is not None:
            self.progress.update(self.current, visible=False)
        self.current = self.progress.add_task(description, total=total)

    def advance(self, steps: int = 1) -> None:
        if self.current is not None:
            self.progress.advance(self.current, steps)

    def note(self, message: str) -> None:
        self.progress.console.print(f"  {message}", markup=False, highlight=False)


# ----------------------------------------------------------------------------- statistics


def summarize(values: Sequence[float]) -> dict[str, float]:
    """n, p50, p95, mean, min, max of ``values`` (empty → n = 0 only).

    Percentiles are ``numpy.percentile`` (linear interpolation between closest ranks).
    """
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": float(np.percentile(values, 50)),
        "p95": float(np.percentile(values, 95)),
        "mean": statistics.fmean(values),
        "min": min(values),
        "max": max(values),
    }


def ratio(ours: float | None, baseline: float | None) -> float | None:
    """``ours / baseline``; None when either is missing or the baseline is zero."""
    if ours is None or baseline is None or baseline == 0 or math.isnan(ours) or math.isnan(baseline):
        return None
    return ours / baseline


@dataclass(frozen=True)
class Target:
    """What a row must reach: ``on`` (ratio, ours, or diff = ours − baseline) ``op`` ``value``.

    ``op == "report"`` means no target, only a figure to report.
    """

    op: str = "report"  # <=, <, >=, report
    value: float = 0.0
    on: str = "ratio"  # ratio | ours | diff
    text: str = ""  # how the table shows it; derived when empty

    def check(self, *, ours: float | None, baseline: float | None, ratio: float | None) -> bool | None:
        if self.op == "report":
            return None
        x = {"ratio": ratio, "ours": ours, "diff": None if ours is None or baseline is None else ours - baseline}[
            self.on
        ]
        if x is None:
            return None
        return {"<=": x <= self.value, "<": x < self.value, ">=": x >= self.value}[self.op]

    def label(self) -> str:
        if self.text:
            return self.text
        if self.op == "report":
            return "report"
        what = {"ratio": "ratio", "ours": "ours", "diff": "ours − baseline"}[self.on]
        return f"{what} {self.op} {self.value:g}"


@dataclass(frozen=True)
class Row:
    """One line of the results table; numbers raw, the unit says how to show them."""

    suite: str
    what: str
    ours: float | None
    baseline: float | None
    unit: str  # s, ms, chunks/s, MiB, %, rate
    ratio: float | None
    target: Target
    met: bool | None
    baseline_what: str = ""
    note: str = ""


def make_row(
    suite: str,
    what: str,
    ours: float | None,
    baseline: float | None,
    unit: str,
    target: Target | None = None,
    *,
    baseline_what: str = "",
    note: str = "",
    row_ratio: float | None = None,
) -> Row:
    """A row with its ratio (``ours / baseline`` unless given) and whether the target is met."""
    target = target or Target()
    r = row_ratio if row_ratio is not None else ratio(ours, baseline)
    return Row(
        suite=suite,
        what=what,
        ours=ours,
        baseline=baseline,
        unit=unit,
        ratio=r,
        target=target,
        met=target.check(ours=ours, baseline=baseline, ratio=r),
        baseline_what=baseline_what,
        note=note,
    )


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value * 1000:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "%":
        return f"{value * 100:.1f} %"
    if unit == "rate":
        return f"{value:.2f}"
    if unit == "MiB":
        return f"{value / 2**20:.1f} MiB"
    return f"{value:,.1f} {unit}"


def results_table(rows: Sequence[Row], *, title: str = "bench") -> Any:
    """A rich Table: what, ours, baseline, ratio, target, met?"""
    from rich.table import Table
    from rich.text import Text

    table = Table("what", "ours", "baseline", "ratio", "target", "met?", title=title)
    for r in rows:
        met = {True: Text("yes", style="green"), False: Text("NO", style="red"), None: Text("—")}[r.met]
        base = format_value(r.baseline, r.unit)
        if r.baseline_what:
            base = f"{base} ({r.baseline_what})" if r.baseline is not None else r.baseline_what
        table.add_row(
            Text(r.what),
            Text(format_value(r.ours, r.unit)),
            Text(base),
            Text("—" if r.ratio is None else f"{r.ratio:.3f}×"),
            Text(r.target.label()),
            met,
        )
    return table


@dataclass(frozen=True, kw_only=True)
class BenchOptions:
    suites: tuple[str, ...] = SUITES
    sizes: tuple[int, ...] = (1000, 10000, 100000)
    questions: int = 8  # seed questions for answer, followup and peer
    docs: int = 300  # synthetic articles for the ingest suite
    queries: int = 100  # synthetic questions per corpus size in the query suite
    rounds: int = 2  # alternating rounds of the ingest suite
    seed: int = 7


@dataclass
class BenchResult:
    rows: list[Row] = field(default_factory=list)
    suites: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "meta": self.meta,
            "rows": [
                {**dataclasses.asdict(r), "target": {**dataclasses.asdict(r.target), "label": r.target.label()}}
                for r in self.rows
            ],
            "suites": self.suites,
            "errors": self.errors,
        }


def parse_suites(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))
    unknown = [n for n in names if n not in SUITES]
    if unknown or not names:
        raise InputError(f"Unknown suite(s) {', '.join(unknown) or '(none)'}; choose from {','.join(SUITES)}.")
    return names


def parse_sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(s.strip().lower().replace("k", "000").replace("_", "")) for s in text.split(",") if s.strip())
    except ValueError:
        raise InputError(
            f"--sizes must be comma-separated chunk counts like 1000,10000,100000, got {text!r}."
        ) from None
    if not sizes or any(s < 10 or s > 2_000_000 for s in sizes):
        raise InputError(f"--sizes must be between 10 and 2,000,000 chunks each, got {text!r}.")
    return sizes


def default_out_path(root: Path | None = None) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return (root or project_root()) / "eval" / "results" / f"bench-{stamp}.json"


def markdown_table(rows: Sequence[Row]) -> str:
    """The results table in Markdown, with each row's note (for eval/BENCHMARKS.md)."""
    lines = ["| what | ours | baseline | ratio | target | met? | notes |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        base = format_value(r.baseline, r.unit)
        if r.baseline_what:
            base = f"{base} ({r.baseline_what})" if r.baseline is not None else r.baseline_what
        cells = [
            r.what.strip(),
            format_value(r.ours, r.unit),
            base,
            "—" if r.ratio is None else f"{r.ratio:.3f}×",
            r.target.label(),
            {True: "yes", False: "**no**", None: "—"}[r.met],
            r.note,
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def write_results(result: BenchResult, path: Path) -> Path:
    """Write the JSON to ``path`` and the Markdown table beside it (same name, ``.md``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    path.with_suffix(".md").write_text(markdown_table(result.rows), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- machine state


class LoadSampler:
    """Samples the 1-minute load average every ``every`` seconds in a thread, tagged by suite."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self.samples: list[tuple[float, str, float]] = []
        self.suite = "setup"
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.sample_forever, name="bench-load", daemon=True)
        self.t0 = time.monotonic()

    def sample_forever(self) -> None:
        while True:
            self.samples.append((round(time.monotonic() - self.t0, 1), self.suite, os.getloadavg()[0]))
            if self.stopped.wait(self.every):
                return

    def __enter__(self) -> LoadSampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=2)

    def summary(self) -> dict[str, Any]:
        by_suite: dict[str, list[float]] = {}
        for _, suite, load in self.samples:
            by_suite.setdefault(suite, []).append(load)
        return {
            "all": summarize([s[2] for s in self.samples]),
            "by_suite": {k: summarize(v) for k, v in by_suite.items()},
            "samples": self.samples,
        }


def machine_info() -> dict[str, Any]:
    from importlib import metadata

    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem = int(Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]) * 1024
    versions = {}
    for pkg in ("torch", "sentence-transformers", "chromadb", "llama_cpp_python", "numpy"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[pkg] = metadata.version(pkg)
    git = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        root = project_root()
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, timeout=10)
        git = head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "memory_bytes": mem,
        "python": platform.python_version(),
        "versions": versions,
        "git": git,
        "argv": sys.argv,
    }


# ----------------------------------------------------------------------------- helpers


class TimedEmbedder:
    """Forwards the Embedder protocol and records what ``embed`` was given and how long it took."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.model_id: str = inner.model_id
        self.dimension: int = inner.dimension
        self.max_tokens: int = inner.max_tokens
        self.texts: list[str] = []
        self.seconds = 0.0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        t = time.perf_counter()
        vectors: list[list[float]] = self.inner.embed(texts)
        self.seconds += time.perf_counter() - t
        self.texts.extend(texts)
        return vectors

    def count_tokens(self, text: str) -> int:
        n: int = self.inner.count_tokens(text)
        return n


class RecordingLLM:
    """Forwards the LLM protocol and keeps the last messages the pipeline sent."""

    def __init__(self, inner: LLM) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.n_ctx = inner.n_ctx
        self.last_messages: list[dict[str, str]] = []

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    @property
    def supports_grammar(self) -> bool:
        return bool(getattr(self.inner, "supports_grammar", False))

    def stream_chat(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float,
        stop: Sequence[str] = (),
        **options: Any,  # grammar=, when the inner model takes it
    ) -> Iterator[str]:
        self.last_messages = [dict(m) for m in messages]
        gen = self.inner.stream_chat(messages, max_tokens=max_tokens, temperature=temperature, stop=stop, **options)
        try:
            yield from gen
        finally:
            gen.close()  # type: ignore[attr-defined]


def dir_size(path: Path) -> int:
    """Bytes of the files under ``path`` (a file: its size; missing: 0)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


def index_size(data_dir: Path, collection: str) -> dict[str, int]:
    """On-disk bytes of an index: Chroma folder and keyword SQLite (with its WAL)."""
    chroma = dir_size(data_dir / "chroma")
    keyword = sum(dir_size(p) for p in data_dir.glob(f"keyword-{collection}.sqlite3*"))
    return {"chroma_bytes": chroma, "keyword_bytes": keyword, "total_bytes": chroma + keyword}


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values (a suite whose every call failed)."""
    return statistics.median(values) if values else None


def tail(path: Path, lines: int = 15) -> str:
    """The last ``lines`` lines of a log file, or "" when it cannot be read."""
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


@dataclass
class Timed:
    """One timed answer: seconds from the call to the first token and to the end."""

    first_token_s: float | None
    total_s: float
    text: str
    pre_s: float = 0.0  # before generation: question embedding, retrieval, prompt building
    post_s: float = 0.0  # after the last token: citation resolution and checks
    sources: tuple[str, ...] = ()  # chunk ids of the sources shown to the model, in order


def common_prefix(a: Sequence[object], b: Sequence[object]) -> int:
    """How many leading items ``a`` and ``b`` share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM, RssAnon, RssFile of a live process, in bytes (empty when it is gone)."""
    out: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0]) * 1024
    return out
