"""Speed benchmarks: every figure is measured beside its baseline in the same run, as a ratio.

Suites, each runnable alone (``rag bench --suite ...``):

- ``ingest``: :meth:`RAG.ingest_documents` on a synthetic news corpus vs
  ``SentenceTransformer.encode`` on the same chunk texts with the same batch size;
  then a re-ingest of the unchanged corpus vs the first ingest.
- ``query``: :meth:`RAG.retrieve` (embed + dense + BM25 + fusion + de-duplication) on
  synthetic indexes of 1k/10k/100k chunks vs a raw Chroma query with a precomputed
  embedding. Chunk vectors are means of real sentence embeddings (see
  :func:`synthetic_chunks`), because embedding 100k chunks on 2 cores takes hours.
- ``answer``: :meth:`RAG.stream` end to end vs llama-cpp-python called directly with
  the exact messages the pipeline built, both with a cleared KV cache.
- ``followup``: time to first token of a follow-up question with the KV cache left by
  the previous question vs with the cache cleared.
- ``peer``: a LangChain pipeline (``eval/bench_peer.py``, in its own virtual
  environment under ``<data>/bench/peer-venv``) on the same models, k and questions.
- ``memory``: peak RSS of ``rag serve`` after one question; index size on disk.

Baselines are the raw engines the adapters wrap, so this module deliberately reaches
into them (``SentenceTransformerEmbedder._model``, ``ChromaStore._col``,
``LlamaCppLLM._llama``). It never prints: progress goes through a :class:`Reporter`,
and front-ends render :func:`results_table`. Timed runs alternate their order
(ours first, then baseline first) so a drift in machine load hits both sides.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from rag.chunking import chunk_document, chunk_id
from rag.config import Settings, project_root
from rag.errors import InputError, RagError
from rag.evaluation.metrics import answer_correct, percentile
from rag.indexing import EMBED_BATCH as _EMBED_GROUP
from rag.pipeline import RAG
from rag.prompting import SYSTEM_PROMPT, build_messages
from rag.protocols import LLM, Message
from rag.retrieval import collapse_near_duplicates, reciprocal_rank_fusion
from rag.types import Chunk, Document, Turn

__all__ = [
    "CORPUS_VERSION",
    "PEER_REQUIREMENTS",
    "SUITES",
    "BenchOptions",
    "BenchResult",
    "NullReporter",
    "Reporter",
    "RichReporter",
    "Row",
    "Target",
    "default_out_path",
    "make_row",
    "markdown_table",
    "news_documents",
    "news_sentences",
    "parse_sizes",
    "parse_suites",
    "ratio",
    "results_table",
    "run_bench",
    "summarize",
    "synthetic_chunks",
    "synthetic_questions",
    "write_results",
]

SUITES = ("ingest", "query", "answer", "followup", "peer", "memory")
CORPUS_VERSION = 1  # bump when the synthetic corpus changes: cached query indexes are rebuilt
SCHEMA = 1
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

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._task: Any = None

    def __enter__(self) -> RichReporter:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def task(self, description: str, total: int | None = None) -> None:
        if self._task is not None:
            self._progress.update(self._task, visible=False)
        self._task = self._progress.add_task(description, total=total)

    def advance(self, steps: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, steps)

    def note(self, message: str) -> None:
        self._progress.console.print(f"  {message}", markup=False, highlight=False)


# ----------------------------------------------------------------------------- statistics


def summarize(values: Sequence[float]) -> dict[str, float]:
    """n, p50, p95, mean, min, max of ``values`` (empty → n = 0 only)."""
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
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


def results_table(rows: Sequence[Row], *, title: str = "rag bench") -> Any:
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


# ----------------------------------------------------------------------------- synthetic corpus

_PEOPLE = (
    ("Anna Kovacs", "finance minister"),
    ("Marek Nowak", "defence minister"),
    ("Lucia Ferreira", "mayor"),
    ("Tomas Lind", "central bank governor"),
    ("Amara Okafor", "health minister"),
    ("Kenji Watanabe", "trade envoy"),
    ("Sofia Petrova", "energy minister"),
    ("David Mensah", "opposition leader"),
    ("Elena Rossi", "prime minister"),
    ("Jonas Berg", "union leader"),
    ("Priya Nair", "foreign minister"),
    ("Omar Haddad", "transport minister"),
    ("Claire Dubois", "EU commissioner"),
    ("Mateo Alvarez", "police chief"),
    ("Ingrid Holm", "environment minister"),
    ("Yusuf Demir", "interior minister"),
    ("Hana Novak", "education minister"),
    ("Samuel Adeyemi", "central bank economist"),
    ("Laura Schmidt", "chief executive"),
    ("Viktor Horvat", "army chief of staff"),
    ("Mei Chen", "port authority director"),
    ("Pablo Ortega", "agriculture minister"),
    ("Rana Saleh", "UN envoy"),
    ("Niklas Weber", "spokesman"),
)


def _split(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(sep))


_ORGS = _split(
    "the European Commission|NATO|the World Bank|the IMF|the city council|the central bank|"
    "the UN Security Council|the health ministry|the port authority|the energy regulator|"
    "the transport union|the supreme court|the finance ministry|the national railway|"
    "the World Health Organization|the election commission|the defence ministry|"
    "the statistics office|the farmers' association|the African Union",
    "|",
)
_PLACES = _split(
    "Warsaw Lisbon Nairobi Jakarta Ottawa Lima Oslo Accra Hanoi Tbilisi Vilnius Santiago Manila Dakar Zagreb Brussels Kyiv Ankara Seoul Cairo Bogota Helsinki Riga Athens"
)
_TOPICS = _split(
    "grain exports|the wildfire season|a new rail link|interest rates|the election recount|"
    "drought relief|the vaccine rollout|steel tariffs|offshore wind farms|the teachers' strike|"
    "refugee housing|cyber attacks on hospitals|the budget deficit|flood defences|fishing quotas|"
    "chip manufacturing|air pollution|the peace talks|pension reform|a mining licence|"
    "military training for Ukraine|ammunition production|border controls|food prices|"
    "the housing shortage|a gas pipeline|electric buses|the fuel subsidy",
    "|",
)
_VERBS = _split("announced criticised defended approved postponed questioned welcomed rejected outlined proposed")
_MONTHS = _split("January February March April May June July August September October November December")
_SENTENCES = (
    "The {role} {person} {verb} plans for {topic} in {place} on {date}.",
    "{Org} said it would spend {amount} on {topic} over the next {n} years.",
    "Speaking in {place}, {person} warned that {topic} could cost the region {amount}.",
    "Officials at {org} {verb} a proposal on {topic} after two days of talks in {place}.",
    "About {count} people gathered in {place} on {date} to protest against {topic}.",
    "{Org} estimated that {topic} had affected {count} households since {month}.",
    "The agreement on {topic}, signed in {place} on {date}, runs until {year}.",
    "Critics, including {person}, said {org} had moved too slowly on {topic}.",
    "{person} told reporters in {place} that {org} would review {topic} by {month}.",
    "Analysts expect {topic} to dominate the agenda when leaders meet in {place} in {month}.",
    "A report by {org} found that spending on {topic} rose by {pct} percent in {year}.",
    "{person}, the {role}, resigned on {date} amid criticism over {topic}.",
    "In {place}, {org} set aside {amount} for {topic}, the largest such sum since {year}.",
    "{person} said {topic} was the main reason {org} {verb} the budget in {month}.",
    "More than {count} workers in {place} will be affected by the decision on {topic}, {org} said.",
    "The {role} {person} is expected to visit {place} in {month} to discuss {topic}.",
)
_QUESTIONS = (
    "What did {person} say about {topic}?",
    "How much did {org} set aside for {topic} in {place}?",
    "When will {org} review {topic}?",
    "Why did {person} resign?",
    "How many people protested against {topic} in {place}?",
    "Who criticised {org} over {topic}?",
    "What did the {role} announce in {place}?",
    "How much did spending on {topic} rise in {year}?",
    "When was the agreement on {topic} signed?",
    "Which leaders will meet in {place} to discuss {topic}?",
)


def _fill(template: str, rng: random.Random) -> str:
    person, role = rng.choice(_PEOPLE)
    org = rng.choice(_ORGS)
    values = {
        "person": person,
        "role": role,
        "org": org,
        "Org": org[0].upper() + org[1:],
        "place": rng.choice(_PLACES),
        "topic": rng.choice(_TOPICS),
        "verb": rng.choice(_VERBS),
        "month": rng.choice(_MONTHS),
        "date": f"{rng.randint(1, 28)} {rng.choice(_MONTHS)}",
        "year": str(rng.randint(2015, 2026)),
        "amount": f"{rng.randint(2, 950)} million {rng.choice(('euros', 'dollars', 'pounds'))}",
        "count": f"{rng.randint(2, 99) * 100:,}",
        "pct": str(rng.randint(2, 60)),
        "n": str(rng.randint(2, 10)),
    }
    return template.format(**values)


def news_sentences(n: int, *, seed: int = 7) -> list[str]:
    """``n`` distinct news-like sentences, always the same for the same ``seed``."""
    rng = random.Random(f"sentences-{seed}")  # noqa: S311 - a reproducible corpus, not a secret
    out: dict[str, None] = {}
    while len(out) < n:
        out.setdefault(_fill(rng.choice(_SENTENCES), rng), None)
    return list(out)


def synthetic_questions(n: int, *, seed: int = 7) -> list[str]:
    """``n`` questions in the style of the corpus (some distinct, repeats allowed)."""
    rng = random.Random(f"questions-{seed}")  # noqa: S311 - a reproducible corpus, not a secret
    return [_fill(rng.choice(_QUESTIONS), rng) for _ in range(n)]


def _headline(rng: random.Random) -> tuple[str, str, str]:
    org = rng.choice(_ORGS)
    topic = rng.choice(_TOPICS)
    title = f"{org[0].upper() + org[1:]} {rng.choice(_VERBS)} {topic} in {rng.choice(_PLACES)}"
    date = f"{rng.randint(2023, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    slug = "-".join(w.strip("'").lower() for w in title.split()[:8])
    return title, date, f"https://news.example/{date[:4]}/{date[5:7]}/{slug}"


def news_documents(n: int, *, seed: int = 7, paragraphs: tuple[int, int] = (5, 9)) -> list[Document]:
    """``n`` synthetic news articles (title, date, URL, 5–9 paragraphs of 2–4 sentences)."""
    rng = random.Random(f"documents-{seed}")  # noqa: S311 - a reproducible corpus, not a secret
    docs = []
    for i in range(n):
        title, date, url = _headline(rng)
        paras = [
            " ".join(_fill(rng.choice(_SENTENCES), rng) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(*paragraphs))
        ]
        text = title + "\n\n" + "\n\n".join(paras)
        docs.append(
            Document(
                doc_id=f"bench-{i:05d}.txt",
                text=text,
                title=title,
                url=url,
                date=date,
                content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            )
        )
    return docs


def synthetic_chunks(
    size: int, pool: Sequence[str], *, seed: int = 7, per_doc: int = 8
) -> list[tuple[Chunk, list[int]]]:
    """``size`` chunks of 6–8 sentences drawn from ``pool``, with the pool indices of each.

    A chunk's vector is then the normalised mean of its sentences' real embeddings: cheap
    for 100k chunks, and a vector that still matches what the chunk's words are about
    (the query suite measures how close it is to the real chunk embedding).
    """
    rng = random.Random(f"chunks-{seed}-{size}")  # noqa: S311 - a reproducible corpus, not a secret
    out: list[tuple[Chunk, list[int]]] = []
    title = date = url = ""
    for i in range(size):
        if i % per_doc == 0:
            title, date, url = _headline(rng)
        doc_id = f"synth-{i // per_doc:06d}.txt"
        idx = rng.sample(range(len(pool)), rng.randint(6, 8))
        text = " ".join(pool[j] for j in idx)
        chunk = Chunk(
            chunk_id=chunk_id(doc_id, text),
            doc_id=doc_id,
            text=text,
            start=0,
            end=len(text),
            ordinal=i % per_doc,
            title=title,
            url=url,
            date=date,
            doc_hash=hashlib.sha256(doc_id.encode()).hexdigest(),
            ingested_at=1.7e9,
        )
        out.append((chunk, idx))
    return out


def pool_size_for(size: int) -> int:
    """Distinct sentences behind a corpus of ``size`` chunks (embedded with the real model)."""
    return min(3000, max(300, size // 3))


# ----------------------------------------------------------------------------- options, results


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
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-load", daemon=True)
        self._t0 = time.monotonic()

    def _run(self) -> None:
        while True:
            self.samples.append((round(time.monotonic() - self._t0, 1), self.suite, os.getloadavg()[0]))
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

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


class _TimedEmbedder:
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


class _RecordingLLM:
    """Forwards the LLM protocol and keeps the last messages the pipeline sent."""

    def __init__(self, inner: LLM) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.n_ctx = inner.n_ctx
        self.last_messages: list[dict[str, str]] = []

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def stream_chat(
        self, messages: Sequence[Message], *, max_tokens: int, temperature: float, stop: Sequence[str] = ()
    ) -> Iterator[str]:
        self.last_messages = [dict(m) for m in messages]
        gen = self.inner.stream_chat(messages, max_tokens=max_tokens, temperature=temperature, stop=stop)
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


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


@dataclass
class _Timed:
    first_token_s: float | None
    total_s: float
    text: str
    pre_s: float = 0.0  # before generation: question embedding, retrieval, prompt building
    post_s: float = 0.0  # after the last token: citation resolution and checks
    sources: tuple[str, ...] = ()  # chunk ids of the sources shown to the model, in order


def _common_prefix(a: Sequence[object], b: Sequence[object]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


# ----------------------------------------------------------------------------- the runner


class _Bench:
    """Shared, lazily loaded state of one benchmark run."""

    def __init__(self, settings: Settings, options: BenchOptions, reporter: Reporter, load: LoadSampler) -> None:
        self.settings = settings
        self.options = options
        self.reporter = reporter
        self.load = load
        self.cache = Path(settings.data_dir) / "bench"
        self.cache.mkdir(parents=True, exist_ok=True)
        self.stamp = f"{os.getpid()}-{int(time.time())}"
        self._embedder: Any = None
        self._seeds: RAG | None = None
        self._recorder: _RecordingLLM | None = None
        self.ingest_dir: Path | None = None

    # -- shared models and indexes --------------------------------------------------------

    def embedder(self) -> Any:
        if self._embedder is None:
            from rag.backends.embedders import SentenceTransformerEmbedder

            self.reporter.task("Loading the embedder")
            self._embedder = SentenceTransformerEmbedder(self.settings.embed_model, threads=self.settings.n_threads)
        return self._embedder

    def seeds_rag(self) -> tuple[RAG, _RecordingLLM]:
        """The seeds/ index (built once, reused) with the chat model behind a recorder."""
        if self._seeds is None or self._recorder is None:
            if self.settings.llm_backend != "llama-cpp":
                raise RagError("The answer, followup and peer suites need llm_backend = llama-cpp (in-process).")
            s = replace(self.settings, data_dir=self.cache / "seeds")
            base = RAG.open(settings=s, embedder=self.embedder())
            self.reporter.task("Indexing seeds/")
            base.ingest([project_root() / "seeds"])
            self.reporter.task(f"Loading the chat model {s.chat_model}")
            self._recorder = _RecordingLLM(base.llm())
            self._seeds = RAG(
                embedder=base.embedder,
                store=base.store,
                keyword=base.keyword,
                llm=self._recorder,
                settings=s,
                lock_path=Path(s.data_dir) / "write.lock",
            )
        return self._seeds, self._recorder

    def llama(self) -> Any:
        _, rec = self.seeds_rag()
        return rec.inner._llama  # type: ignore[attr-defined]

    def seed_questions(self, kind: str) -> list[Any]:
        from rag.evaluation import load_dataset

        qs = [q for q in load_dataset(project_root() / "eval" / "seed.jsonl") if q.type == kind]
        return qs[: self.options.questions]

    # -- timed calls ----------------------------------------------------------------------

    def time_ours(self, rag: RAG, question: str, history: Sequence[Turn] = (), *, first_only: bool = False) -> _Timed:
        """Our pipeline end to end, as a front-end sees it: from the call to the final Answer."""
        t0 = time.perf_counter()
        stream = rag.stream(question, list(history))
        pre = time.perf_counter() - t0
        first: float | None = None
        for _piece in stream:
            if first is None:
                first = time.perf_counter() - t0
                if first_only:
                    break
        shown = tuple(h.chunk.chunk_id for h in stream.sources)
        if first_only:
            return _Timed(first, time.perf_counter() - t0, stream.text, pre, sources=shown)
        last = time.perf_counter()
        answer = stream.answer()
        end = time.perf_counter()
        return _Timed(first, end - t0, answer.text, pre, end - last, shown)

    def time_direct(self, messages: Sequence[Mapping[str, str]]) -> _Timed:
        """llama-cpp-python alone on ``messages``, with the sampling options LlamaCppLLM uses."""
        s = self.settings
        t0 = time.perf_counter()
        stream = self.llama().create_chat_completion(
            messages=[dict(m) for m in messages],
            max_tokens=s.max_tokens,
            temperature=s.temperature,
            top_p=1.0,
            top_k=1 if s.temperature == 0 else 40,
            repeat_penalty=1.0,
            stream=True,
        )
        first: float | None = None
        pieces = []
        for part in stream:
            delta = part["choices"][0]["delta"].get("content")
            if delta:
                if first is None:
                    first = time.perf_counter() - t0
                pieces.append(delta)
        return _Timed(first, time.perf_counter() - t0, "".join(pieces))

    def final_messages(self, rag: RAG, question: str, history: Sequence[Turn] = ()) -> list[dict[str, str]]:
        """The messages the pipeline sends for ``question``, built by its own public functions."""
        s = rag.settings
        stream = rag.stream(question, list(history))  # retrieval and prompt only: not iterated
        llm = rag.llm()
        plan = build_messages(
            stream.question,
            stream.hits,
            count_tokens=llm.count_tokens,
            n_ctx=llm.n_ctx,
            max_new_tokens=s.max_tokens,
            history=list(history),
            max_history_turns=s.history_turns,
        )
        return [dict(m) for m in plan.messages]


def run_bench(
    settings: Settings,
    options: BenchOptions,
    reporter: Reporter | None = None,
    *,
    on_suite: Callable[[BenchResult], object] | None = None,
) -> BenchResult:
    """Run ``options.suites`` in order; a failing suite is recorded and the others still run.

    ``on_suite`` sees the partial result after each suite (the CLI saves it, so a crash
    or an interrupt late in a long run keeps what was measured).
    """
    reporter = reporter or NullReporter()
    result = BenchResult()
    suites: dict[str, Callable[[_Bench], tuple[list[Row], dict[str, Any]]]] = {
        "ingest": _suite_ingest,
        "query": _suite_query,
        "answer": _suite_answer,
        "followup": _suite_followup,
        "peer": _suite_peer,
        "memory": _suite_memory,
    }
    t_start = time.perf_counter()
    with LoadSampler() as load:
        bench = _Bench(settings, options, reporter, load)
        result.meta = {
            **machine_info(),
            "options": {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(options).items()},
            "settings": {
                k: getattr(settings, k)
                for k in (
                    "chat_model",
                    "embed_model",
                    "n_ctx",
                    "n_threads",
                    "n_batch",
                    "temperature",
                    "max_tokens",
                    "top_k",
                    "fetch_k",
                    "retrieval",
                    "chunk_tokens",
                    "chunk_overlap",
                )
            },
            "load_before": list(os.getloadavg()),
        }
        for name in options.suites:
            load.suite = name
            t = time.perf_counter()
            try:
                rows, raw = suites[name](bench)
            except RagError as exc:
                result.errors[name] = str(exc)
                reporter.note(f"{name}: failed: {exc}")
            else:
                raw["suite_s"] = time.perf_counter() - t
                result.rows.extend(rows)
                result.suites[name] = raw
            finally:
                if on_suite is not None:
                    result.meta["load"] = load.summary()
                    on_suite(result)
        load.suite = "end"
        result.meta["load_after"] = list(os.getloadavg())
    result.meta["load"] = load.summary()
    result.meta["total_s"] = time.perf_counter() - t_start
    return result


# ----------------------------------------------------------------------------- ingest


def _suite_ingest(b: _Bench) -> tuple[list[Row], dict[str, Any]]:
    o, s = b.options, b.settings
    emb = b.embedder()
    model = emb._model  # the SentenceTransformer the adapter wraps: the baseline
    docs = news_documents(o.docs, seed=o.seed)
    root = b.cache / "ingest"
    shutil.rmtree(root, ignore_errors=True)  # earlier runs' indexes; this run's are fresh folders

    def fresh() -> tuple[RAG, _TimedEmbedder, Path]:
        d = root / f"run-{b.stamp}-{len(ours)}"
        timed = _TimedEmbedder(emb)
        return RAG.open(settings=replace(s, data_dir=d), embedder=timed), timed, d

    # The texts the pipeline embeds, computed the way it does (title line + chunk text);
    # checked below against what it actually passed to the embedder.
    chunker = RAG.open(settings=replace(s, data_dir=root / f"probe-{b.stamp}"), embedder=emb).chunker
    t = time.perf_counter()
    chunks = [c for d in docs for c in chunk_document(d, emb.count_tokens, chunker)]
    chunk_s = time.perf_counter() - t  # re-ingest repeats this for every unchanged document
    texts = [f"{c.title}\n{c.text}" if c.title else c.text for c in chunks]
    b.reporter.note(f"ingest corpus: {len(docs)} synthetic articles, {len(chunks)} chunks, batch size {emb.batch_size}")

    def encode(group: int | None) -> float:
        t = time.perf_counter()
        step = group or len(texts)
        for i in range(0, len(texts), step):
            model.encode(
                texts[i : i + step],
                batch_size=emb.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return time.perf_counter() - t

    ours: list[dict[str, Any]] = []
    base: list[float] = []
    grouped: list[float] = []
    b.reporter.task("ingest: warming up")
    model.encode(texts[:64], batch_size=emb.batch_size, show_progress_bar=False)
    b.reporter.task("ingest: ours vs SentenceTransformer.encode", total=o.rounds * 3)
    for r in range(o.rounds):
        steps: list[str] = ["ours", "encode", "grouped"] if r % 2 == 0 else ["grouped", "encode", "ours"]
        for step in steps:
            if step == "encode":
                base.append(encode(None))
            elif step == "grouped":
                grouped.append(encode(_EMBED_GROUP))
            else:
                rag, timed, d = fresh()
                t = time.perf_counter()
                first = rag.ingest_documents(docs)
                first_s = time.perf_counter() - t
                embed_s = timed.seconds
                same_texts = sorted(timed.texts) == sorted(texts)
                t = time.perf_counter()
                again = rag.ingest_documents(docs)
                again_s = time.perf_counter() - t
                ours.append(
                    {
                        "dir": str(d),
                        "first_s": first_s,
                        "first_embed_s": embed_s,
                        "chunks_embedded": first.chunks_embedded,
                        "same_texts_as_baseline": same_texts,
                        "reingest_s": again_s,
                        "reingest_embedded": again.chunks_embedded,
                        "chunks_total": first.chunks_total,
                        "size": index_size(d, s.collection),
                    }
                )
                b.ingest_dir = d
            b.reporter.advance()
    n = len(texts)
    ours_tput = [n / x["first_s"] for x in ours]
    base_tput = [n / x for x in base]
    per_round = [o_ / b_ for o_, b_ in zip(ours_tput, base_tput, strict=True)]
    reingest = [x["reingest_s"] / x["first_s"] for x in ours]
    size = ours[-1]["size"]
    raw = {
        "documents": len(docs),
        "chunks": n,
        "batch_size": emb.batch_size,
        "chunking_s": chunk_s,
        "ours": ours,
        "encode_s": base,
        "encode_in_groups_s": grouped,
        "encode_group_size": _EMBED_GROUP,
        "throughput_ratio_per_round": per_round,
        "reingest_share_per_round": reingest,
        "embed_share_of_ingest": [x["first_embed_s"] / x["first_s"] for x in ours],
    }
    if not all(x["same_texts_as_baseline"] for x in ours):
        b.reporter.note("ingest: WARNING the pipeline embedded other texts than the baseline encoded")
    if any(x["reingest_embedded"] for x in ours):
        b.reporter.note("ingest: WARNING re-ingest of the unchanged corpus embedded chunks")
    rows = [
        make_row(
            "ingest",
            f"ingest throughput ({n} chunks)",
            _median(ours_tput),
            _median(base_tput),
            "chunks/s",
            Target(">=", 0.9),
            baseline_what="encode",
            row_ratio=_median(per_round),
        ),
        make_row(
            "ingest",
            "re-ingest of unchanged corpus",
            _median([x["reingest_s"] for x in ours]),
            _median([x["first_s"] for x in ours]),
            "s",
            Target("<=", 0.02),
            baseline_what="first ingest",
            row_ratio=_median(reingest),
            note=f"unchanged articles are not chunked again (chunking all {len(docs)} takes {chunk_s:.2f} s)",
        ),
        make_row(
            "ingest",
            f"encode in groups of {_EMBED_GROUP} (as the pipeline calls it)",
            _median(grouped),
            _median(base),
            "s",
            baseline_what="one encode call",
        ),
        make_row(
            "memory",
            "index on disk per 1k chunks (ingest corpus)",
            size["total_bytes"] * 1000 / max(1, ours[-1]["chunks_total"]),
            None,
            "MiB",
            note=f"chroma {size['chroma_bytes']:,} B + keyword {size['keyword_bytes']:,} B for {ours[-1]['chunks_total']} chunks",
        ),
    ]
    return rows, raw


# ----------------------------------------------------------------------------- query


def _pool_vectors(b: _Bench, n: int) -> tuple[list[str], Any]:
    import numpy as np

    pool = news_sentences(n, seed=b.options.seed)
    path = b.cache / f"pool-{n}-s{b.options.seed}-v{CORPUS_VERSION}-{b.settings.embed_model}.npy"
    if path.is_file():
        vecs = np.load(path)
        if vecs.shape[0] == n:
            return pool, vecs
    b.reporter.task(f"query: embedding {n} pool sentences with the real model")
    vecs = np.asarray(b.embedder().embed(pool), dtype=np.float32)
    np.save(path, vecs)
    return pool, vecs


def _query_index(b: _Bench, size: int) -> tuple[RAG, dict[str, Any]]:
    """The synthetic index of ``size`` chunks, built once and reused while its marker matches."""
    import numpy as np

    s, o = b.settings, b.options
    n_pool = pool_size_for(size)
    d = b.cache / f"query-{size}"
    marker = d / "bench-index.json"
    want = {"size": size, "seed": o.seed, "pool": n_pool, "version": CORPUS_VERSION, "embed_model": s.embed_model}
    settings = replace(s, data_dir=d)
    if marker.is_file():
        info = json.loads(marker.read_text())
        if {k: info.get(k) for k in want} == want:
            b.reporter.note(f"query: reusing the {size:,}-chunk index in {d} (built in {info['build_s']:.0f} s)")
            return RAG.open(settings=settings, embedder=b.embedder()), {**info, "reused": True}
    shutil.rmtree(d, ignore_errors=True)
    pool, pool_vecs = _pool_vectors(b, n_pool)
    t0 = time.perf_counter()
    pairs = synthetic_chunks(size, pool, seed=o.seed)
    vecs = np.stack([pool_vecs[idx].mean(axis=0) for _, idx in pairs])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    chunks = [c for c, _ in pairs]
    rag = RAG.open(settings=settings, embedder=b.embedder())
    rag.ingest_documents([])  # records the index settings (embedder, chunker) like a real ingest
    store, keyword = rag.store, rag.keyword
    batch = min(5000, int(getattr(store, "_batch", 5000)))
    b.reporter.task(f"query: building the {size:,}-chunk index", total=size)
    t_store = 0.0
    t_kw = 0.0
    for i in range(0, size, batch):
        t = time.perf_counter()
        store.upsert(chunks[i : i + batch], vecs[i : i + batch].tolist())
        t_store += time.perf_counter() - t
        t = time.perf_counter()
        if keyword is not None:
            # Bulk insert through the adapter's own statement: its upsert deletes each id
            # first, a full scan per chunk on an FTS5 table (measured separately below).
            from rag.backends.keyword import _INSERT

            db = keyword._db  # type: ignore[attr-defined]
            db.execute("BEGIN")
            db.executemany(
                _INSERT,
                [_keyword_row(c) for c in chunks[i : i + batch]],
            )
            db.execute("COMMIT")
        t_kw += time.perf_counter() - t
        b.reporter.advance(min(batch, size - i))
    info = {
        **want,
        "build_s": time.perf_counter() - t0,
        "chroma_upsert_s": t_store,
        "keyword_insert_s": t_kw,
        "built": dt.datetime.now().isoformat(timespec="seconds"),
        "size_on_disk": index_size(d, s.collection),
    }
    marker.write_text(json.dumps(info, indent=2))
    b.reporter.note(
        f"query: built the {size:,}-chunk index in {info['build_s']:.0f} s "
        f"(Chroma upsert {t_store:.0f} s, FTS5 insert {t_kw:.0f} s)"
    )
    # Reopen as a user would: the keyword index is checked against the store on open.
    return RAG.open(settings=settings, embedder=b.embedder()), {**info, "reused": False}


def _keyword_row(c: Chunk) -> tuple[Any, ...]:
    """A row for the keyword adapter's ``_INSERT`` (its column order)."""
    return (
        c.text,
        c.title,
        c.chunk_id,
        c.doc_id,
        c.title,
        c.url,
        c.date,
        c.start,
        c.end,
        c.ordinal,
        c.doc_hash,
        c.ingested_at,
    )


def _vector_fidelity(b: _Bench, size: int, n: int = 32) -> dict[str, float]:
    """Cosine between the cheap mean-of-sentences vector and the real chunk embedding."""
    import numpy as np

    pool, pool_vecs = _pool_vectors(b, pool_size_for(size))
    pairs = synthetic_chunks(size, pool, seed=b.options.seed)[:n]
    real = np.asarray(b.embedder().embed([f"{c.title}\n{c.text}" for c, _ in pairs]))
    cheap = np.stack([pool_vecs[idx].mean(axis=0) for _, idx in pairs])
    cheap /= np.linalg.norm(cheap, axis=1, keepdims=True)
    cos = (real * cheap).sum(axis=1)
    return {"n": n, "mean_cosine": float(cos.mean()), "min_cosine": float(cos.min())}


def _suite_query(b: _Bench) -> tuple[list[Row], dict[str, Any]]:
    o, s = b.options, b.settings
    emb = b.embedder()
    questions = synthetic_questions(o.queries, seed=o.seed)
    qvecs = emb.embed(questions)
    fetch = max(s.fetch_k, s.top_k)
    rows: list[Row] = []
    raw: dict[str, Any] = {"queries": len(questions), "fetch_k": fetch, "sizes": {}}
    b.reporter.task("query: checking the cheap chunk vectors against real embeddings")
    raw["vector_fidelity"] = _vector_fidelity(b, min(o.sizes))
    for size in o.sizes:
        rag, info = _query_index(b, size)
        col = rag.store._col  # type: ignore[attr-defined]  # the raw Chroma collection: the baseline
        keyword = rag.keyword

        def raw_query(v: Sequence[float], col: Any = col) -> None:
            col.query(query_embeddings=[list(v)], n_results=fetch)

        for q, v in zip(questions[:5], qvecs[:5], strict=False):  # warm caches (HNSW pages, SQLite)
            rag.retrieve(q)
            raw_query(v)
        samples: dict[str, list[float]] = {k: [] for k in ("ours", "raw", "embed", "dense", "bm25", "fuse")}
        b.reporter.task(f"query: {size:,} chunks, ours vs raw Chroma", total=len(questions))
        for i, (q, v) in enumerate(zip(questions, qvecs, strict=True)):
            order = ("ours", "raw") if i % 2 == 0 else ("raw", "ours")
            for which in order:
                t = time.perf_counter()
                if which == "ours":
                    rag.retrieve(q)
                else:
                    raw_query(v)
                samples[which].append(time.perf_counter() - t)
            # Where our time goes: each stage alone.
            t = time.perf_counter()
            [qv] = emb.embed([q])
            samples["embed"].append(time.perf_counter() - t)
            t = time.perf_counter()
            dense = rag.store.query(qv, fetch)
            samples["dense"].append(time.perf_counter() - t)
            t = time.perf_counter()
            bm25 = keyword.search(q, fetch) if keyword is not None else []
            samples["bm25"].append(time.perf_counter() - t)
            t = time.perf_counter()
            collapse_near_duplicates(reciprocal_rank_fusion([dense, bm25]), threshold=s.dedupe_threshold, limit=s.top_k)
            samples["fuse"].append(time.perf_counter() - t)
            b.reporter.advance()
        stats = {k: summarize(v) for k, v in samples.items()}
        upsert_probe = _keyword_upsert_probe(rag, size) if keyword is not None else None
        raw["sizes"][str(size)] = {"index": info, "stats": stats, "samples": samples, "keyword_upsert_64": upsert_probe}
        p50 = stats["ours"]["p50"]
        share = stats["embed"]["p50"] / p50 if p50 else 0.0
        note = (
            f"p50 parts: embed {stats['embed']['p50'] * 1000:.1f} ms, dense {stats['dense']['p50'] * 1000:.1f} ms, "
            f"bm25 {stats['bm25']['p50'] * 1000:.1f} ms, fuse {stats['fuse']['p50'] * 1000:.1f} ms"
        )
        target = Target("<=", 0.050, on="ours", text="p50 ≤ 50 ms") if size >= 100_000 else Target()
        rows.append(
            make_row(
                "query",
                f"query p50, {size:,} chunks",
                p50,
                stats["raw"]["p50"],
                "ms",
                target,
                baseline_what="raw Chroma",
                note=f"{note}; embed share {share:.0%}",
            )
        )
        rows.append(
            make_row(
                "query",
                f"query p95, {size:,} chunks",
                stats["ours"]["p95"],
                stats["raw"]["p95"],
                "ms",
                baseline_what="raw Chroma",
            )
        )
        rows.append(
            make_row(
                "query",
                f"question embedding alone p50, {size:,}",
                stats["embed"]["p50"],
                p50,
                "ms",
                baseline_what="whole retrieve",
                note=f"the ratio is the embedding's share; BM25 alone p50 {stats['bm25']['p50'] * 1000:.1f} ms",
            )
        )
        rows.append(
            make_row(
                "memory",
                f"index on disk per 1k chunks ({size:,}-chunk index)",
                info["size_on_disk"]["total_bytes"] * 1000 / size,
                None,
                "MiB",
            )
        )
        b.reporter.note(
            f"query {size:,}: ours p50 {p50 * 1000:.1f} ms vs raw {stats['raw']['p50'] * 1000:.1f} ms ({note})"
        )
    return rows, raw


def _keyword_upsert_probe(rag: RAG, size: int, n: int = 64) -> dict[str, float]:
    """Seconds for the keyword adapter to upsert (then delete) ``n`` new chunks into this index."""
    keyword = rag.keyword
    assert keyword is not None
    probe = [
        Chunk(
            chunk_id=f"probe-{i}",
            doc_id="probe.txt",
            text=f"probe passage number {i} about grain exports",
            start=0,
            end=10,
        )
        for i in range(n)
    ]
    t = time.perf_counter()
    keyword.upsert(probe)
    upsert_s = time.perf_counter() - t
    t = time.perf_counter()
    keyword.delete([c.chunk_id for c in probe])
    return {"chunks": n, "index_size": size, "upsert_s": upsert_s, "delete_s": time.perf_counter() - t}


# ----------------------------------------------------------------------------- answer


def _suite_answer(b: _Bench) -> tuple[list[Row], dict[str, Any]]:
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
        timed: dict[str, _Timed] = {}
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
                and _raw_equal(timed["ours"].text, timed["direct"].text),
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
            _median([p["ours_total_s"] for p in per]),
            _median([p["direct_total_s"] for p in per]),
            "s",
            Target("<=", 1.05),
            baseline_what="llama.cpp direct",
            row_ratio=_median(tot),
            note=(
                f"sum ratio {sum_ratio:.3f}; ours spends median "
                f"{_median([p['ours_before_generation_s'] for p in per]) or 0:.2f} s before and "
                f"{_median([p['ours_after_generation_s'] for p in per]) or 0:.3f} s after generating"
                if sum_ratio
                else ""
            ),
        ),
        make_row(
            "answer",
            "time to first token (median)",
            _median([p["ours_first_token_s"] for p in per if p["ours_first_token_s"]]),
            _median([p["direct_first_token_s"] for p in per if p["direct_first_token_s"]]),
            "s",
            baseline_what="llama.cpp direct",
            row_ratio=_median(ftt),
        ),
    ]
    return rows, raw


def _raw_equal(ours: str, direct: str) -> bool:
    # Ours is the resolved answer (markers re-pointed); compare the words only.
    import re

    def words(t: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", re.sub(r"\[\d+\]", "", t.lower()))

    return words(ours) == words(direct)


# ----------------------------------------------------------------------------- followup


def _suite_followup(b: _Bench) -> tuple[list[Row], dict[str, Any]]:
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

        primed: list[_Timed] = []

        def prime(earlier: list[Turn] = earlier, last: Turn = last, primed: list[_Timed] = primed) -> None:
            llama.reset()
            primed.append(b.time_ours(rag, last.question, earlier))  # the previous question, in full

        def measure(question: str = q.question, history: list[Turn] = history) -> tuple[_Timed, int, int]:
            cached = list(llama._input_ids[: llama.n_tokens])
            t = b.time_ours(rag, question, history, first_only=True)
            now = list(llama._input_ids[: llama.n_tokens])
            return t, _common_prefix(cached, now), len(now)

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
                "leading_sources_identical": _common_prefix(primed[0].sources, warm.sources),
                "sources_shown": len(warm.sources),
            }
        )
        b.reporter.advance()
    ok = [p for p in per if p["warm_first_token_s"] and p["cold_first_token_s"]]
    ratios = [p["warm_first_token_s"] / p["cold_first_token_s"] for p in ok]
    reused_median = _median([p["reused_prefix_tokens"] for p in per])
    tokens = _median([p["prompt_tokens_evaluated"] for p in per])
    raw = {"questions": per, "warm_over_cold_per_question": ratios, "history": "the seed set's history turns"}
    rows = [
        make_row(
            "followup",
            f"follow-up time to first token ({len(ok)} q, median)",
            _median([p["warm_first_token_s"] for p in ok]),
            _median([p["cold_first_token_s"] for p in ok]),
            "s",
            baseline_what="KV cache cleared",
            row_ratio=_median(ratios),
            note=f"reused prefix: median {reused_median} of {tokens} prompt tokens",
        )
    ]
    b.reporter.note(f"followup: KV prefix reused, median {reused_median} of {tokens} prompt tokens")
    return rows, raw


# ----------------------------------------------------------------------------- peer


def _peer_python(b: _Bench) -> tuple[Path, dict[str, Any]]:
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
                    f"Last lines:\n{_tail(log, 8)}"
                )
            b.reporter.advance()
    marker.write_text(want)
    built = "Building wheel for llama-cpp-python" in log.read_text(errors="replace")
    return py, {"reused": False, "install_s": time.perf_counter() - t0, "llama_cpp_compiled": built}


class _Peer:
    """The peer pipeline process: JSON lines in, JSON lines out (see eval/bench_peer.py)."""

    def __init__(self, python: Path, config: Mapping[str, Any], log: Path) -> None:
        self.log = log
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
        env.pop("PYTHONPATH", None)
        self._err = log.open("w")
        self.proc = subprocess.Popen(
            [str(python), str(project_root() / "eval" / "bench_peer.py"), json.dumps(dict(config))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._err,
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
                f"The peer pipeline exited (status {self.proc.returncode}); see {self.log}:\n{_tail(self.log)}"
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
        self._err.close()


def _suite_peer(b: _Bench) -> tuple[list[Row], dict[str, Any]]:
    from rag.models import embedder_path, resolve_chat_model

    s = b.settings
    python, install = _peer_python(b)
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
    peer = _Peer(python, config, b.cache / "peer.log")
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
            _median([p["ours_first_token_s"] for p in per if p["ours_first_token_s"]]),
            _median([p["peer_first_token_s"] for p in per if p["peer_first_token_s"]]),
            "s",
            Target("<", 1.0, text="ratio < 1 (faster)"),
            baseline_what="LangChain",
            row_ratio=_median(ftt),
        ),
        make_row(
            "peer",
            "vs LangChain: total answer time (median)",
            _median([p["ours_total_s"] for p in per]),
            _median([p["peer_total_s"] for p in per]),
            "s",
            Target("<", 1.0, text="ratio < 1 (faster)"),
            baseline_what="LangChain",
            row_ratio=_median(tot),
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


# ----------------------------------------------------------------------------- memory


def _proc_status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM, RssAnon, RssFile of a live process, in bytes (empty when it is gone)."""
    out: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0]) * 1024
    return out


def _suite_memory(b: _Bench) -> tuple[list[Row], dict[str, Any]]:
    s = b.settings
    rag, _ = b.seeds_rag() if b._seeds is not None else (None, None)
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
            port = _free_port()
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
                        raise RagError(f"`rag serve` exited with status {proc.returncode}; see {log}:\n{_tail(log)}")
                    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                    if time.perf_counter() - t0 > 300:
                        raise RagError(f"`rag serve` did not listen on port {port} within 300 s; see {log}.")
                    samples.append(_proc_status(proc.pid).get("VmRSS", 0))
                    time.sleep(0.5)
                raw["startup_s"] = time.perf_counter() - t0
                raw["after_start"] = _proc_status(proc.pid)
                from gradio_client import Client

                stop = threading.Event()

                def sample() -> None:
                    while not stop.wait(0.2):
                        samples.append(_proc_status(proc.pid).get("VmRSS", 0))

                sampler = threading.Thread(target=sample, daemon=True)
                sampler.start()
                t = time.perf_counter()
                reply = Client(f"http://127.0.0.1:{port}/", verbose=False).predict(question, api_name="/ask")
                raw["question_s"] = time.perf_counter() - t
                stop.set()
                sampler.join()
                raw["reply_ok"] = bool(reply)
                raw["after_question"] = _proc_status(proc.pid)
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
                raise RagError(f"`rag ask` exited with status {proc.returncode}; see {log}:\n{_tail(log)}")
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
