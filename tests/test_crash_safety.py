"""Crash safety of ingestion into a real persistent Chroma index (and its keyword index).

A child process (``tests/crash_ingest_worker.py``) ingests a generated corpus of 400
news-like articles through ``RAG.open`` and is SIGKILLed in the middle, at three points;
after each kill the test reopens the index and checks every document against its source
file: no half-documents, no orphans, no duplicates, vectors and keyword rows for every
chunk; then the ingest is re-run until it completes. Also: a kill in the middle of an
update run, kills at the exact worst moments of an update, and a second writer process.

Embeddings come from ``HashEmbedder(dimension=384)``, not the real model: what is under
test is the write order of the pipeline and the durability of Chroma and SQLite, which
do not depend on the vectors' values, and the real model would blow the time budget (on
the shared 2-core machine it embedded 128 of these chunks in 25 s after a 10 s load:
over 3 minutes per full ingest of this corpus, in every worker process). The vectors
have the real model's dimension, so Chroma's HNSW index has a realistic shape. Indexes that are only a
starting point (before an update) are written in bulk from an in-memory ingest, which
gives the same rows as the pipeline in a few Chroma calls instead of one per document.
"""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from rag import RAG, Settings
from rag.backends.chroma import ChromaStore
from rag.backends.keyword import SqliteKeywordIndex
from rag.chunking import ChunkerSettings, chunk_document
from rag.loading import load_documents
from rag.testing import HashEmbedder, MemoryStore, fake_rag
from rag.types import Chunk

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).with_name("crash_ingest_worker.py")
EMBED_DIMENSION = 384
CORPUS_SIZE = 400
# The worker writes groups of at most 8 chunks (WRITE_GROUP_CHUNKS in the worker), so a
# write holds at most 8 documents: how far the index can be ahead of the "landed" lines.
GROUP_DOCS = 8
KILL_POINTS = (60, 180, 300)  # documents landed in the index when the ingest is killed

Edition = dict[str, tuple[str, set[str]]]  # doc id -> (content hash, chunk ids) of a clean ingest

# ------------------------------------------------------------------- a news-like corpus

_PEOPLE = [
    "Ursula von der Leyen",
    "Kaja Kallas",
    "Mark Rutte",
    "Olaf Scholz",
    "Emmanuel Macron",
    "Giorgia Meloni",
    "Donald Tusk",
    "Pedro Sanchez",
    "Keir Starmer",
    "Rustem Umerov",
    "Boris Pistorius",
    "Antonio Costa",
    "the finance minister",
    "a government spokesperson",
    "the central bank governor",
    "the mayor",
    "the opposition leader",
    "a senior diplomat",
    "the health commissioner",
    "the union's chief negotiator",
]
_PLACES = [
    "Brussels",
    "Paris",
    "Berlin",
    "Warsaw",
    "Kyiv",
    "Rome",
    "Madrid",
    "Lisbon",
    "Vilnius",
    "Helsinki",
    "Athens",
    "Vienna",
    "Prague",
    "Dublin",
    "Copenhagen",
    "Stockholm",
    "Bucharest",
    "Sofia",
    "Riga",
    "Tallinn",
]
_TOPICS = [
    "the energy budget",
    "a new defence fund",
    "farm subsidies",
    "the migration pact",
    "rail freight rules",
    "the digital markets law",
    "grain exports",
    "a housing programme",
    "hospital staffing",
    "carbon prices",
    "the fishing quota",
    "water rationing",
    "a teachers' strike",
    "port security",
    "the census results",
    "wildfire prevention",
    "the pension reform",
    "semiconductor plants",
    "air traffic control",
    "flood defences",
]
_VERBS = [
    "announced",
    "criticised",
    "defended",
    "postponed",
    "approved",
    "questioned",
    "welcomed",
    "rejected",
    "outlined",
    "reviewed",
    "proposed",
    "delayed",
    "expanded",
    "cut",
    "froze",
    "extended",
]
_UNITS = ["million euros", "billion euros", "per cent", "jobs", "homes", "tonnes", "kilometres", "schools"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_TEMPLATES = [
    "{person} {verb} {topic} in {place} on {day}, saying the plan would cost {n} {unit}.",
    "Officials in {place} said {topic} had been {verb} after talks that lasted {m} hours.",
    '"We cannot wait another year," {person} told reporters in {place}, referring to {topic}.',
    "According to figures published on {day}, {topic} now accounts for {n} {unit} across the region.",
    "Critics in {place} argued that {topic} was {verb} without consulting local councils.",
    "The measure, first {verb} by {person} in {year}, is expected to affect about {n} {unit}.",
    "{person} said the decision on {topic} would be reviewed again within {m} months.",
    "Analysts noted that {topic} had {verb} investor confidence in {place} by {m} per cent.",
    "Protesters gathered outside the parliament in {place} on {day} to oppose {topic}.",
    "A report by the audit office found that {n} {unit} earmarked for {topic} had not been spent.",
    "In {place}, {person} {verb} a compromise on {topic} late on {day} evening.",
    "The agency expects {topic} to be fully in force by {year}, {m} years later than planned.",
]


def _sentence(rng: random.Random) -> str:
    return rng.choice(_TEMPLATES).format(
        person=rng.choice(_PEOPLE),
        verb=rng.choice(_VERBS),
        topic=rng.choice(_TOPICS),
        place=rng.choice(_PLACES),
        day=rng.choice(_DAYS),
        n=rng.randint(2, 9_999),
        m=rng.randint(2, 48),
        unit=rng.choice(_UNITS),
        year=rng.randint(2009, 2031),
    )


def _article(rng: random.Random, i: int, edition: int) -> str:
    place, topic = rng.choice(_PLACES), rng.choice(_TOPICS)
    day = 1 + i % 28
    title = f"{place} {rng.choice(_VERBS)} {topic}: what changes for residents (report {i})"
    slug = "-".join(title.lower().replace(":", "").replace("'", "").split()[:6])
    paragraphs = [" ".join(_sentence(rng) for _ in range(rng.randint(3, 6))) for _ in range(rng.randint(3, 6))]
    if edition > 1:
        # An update as newsrooms make them: a correction note, the last paragraph dropped, an update added.
        paragraphs[0] = paragraphs[0].replace(" ", f" (corrected edition {edition}) ", 1)
        del paragraphs[-1]
        paragraphs.append(f"Update {edition}: " + " ".join(_sentence(rng) for _ in range(3)))
    head = f"{title}\nSource: https://news.example.org/2024/05/{day:02d}/{slug}\nDate: 2024-05-{day:02d}\n\n"
    return head + "\n\n".join(paragraphs) + "\n"


def write_corpus(folder: Path, n: int, *, edition: int = 1, edited: range | None = None) -> None:
    """``n`` articles of 3 to 6 paragraphs, the same every time; an ``edition`` > 1 updates the
    articles whose index is in ``edited`` (all of them when None)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        rng = random.Random(7_919 * i + 1)  # per article: an edition changes only what it edits
        version = edition if edited is None or i in edited else 1
        (folder / f"{i:04d}_article.txt").write_text(_article(rng, i, version), encoding="utf-8")


def correct_a_figure(path: Path) -> None:
    """The smallest update: one figure in the body changes, so the chunk count stays the same."""
    head, body = path.read_text(encoding="utf-8").split("\n\n", 1)
    body = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), body, count=1)
    path.write_text(f"{head}\n\n{body}", encoding="utf-8")


# ---------------------------------------------------------------------------- the worker


@dataclass
class WorkerRun:
    landed: list[str] = field(default_factory=list)  # doc ids whose upsert returned, in order
    lines: list[str] = field(default_factory=list)
    returncode: int = 0
    killed: bool = False

    @property
    def report(self) -> dict[str, object]:
        [done] = [line for line in self.lines if line.startswith("done ")]
        return dict(json.loads(done[5:]))


def start_worker(data: Path, corpus: Path, *flags: str) -> subprocess.Popen[str]:
    with (data.parent / f"{data.name}-worker.log").open("a") as err:  # chromadb's logging, for post-mortems
        return subprocess.Popen(
            [sys.executable, str(WORKER), str(data), str(corpus), *flags],
            stdin=subprocess.PIPE if "--hold-after-first-write" in flags else None,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            cwd=ROOT,
        )


def run_worker(data: Path, corpus: Path, *flags: str, kill_after: int | None = None, timeout: float = 240) -> WorkerRun:
    """Run the worker; SIGKILL it as soon as ``kill_after`` documents have landed."""
    proc = start_worker(data, corpus, *flags)
    watchdog = threading.Timer(timeout, proc.kill)  # a hung worker fails the test instead of hanging it
    watchdog.start()
    run = WorkerRun()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # after a kill: the lines already written, then EOF
            run.lines.append(line.strip())
            if line.startswith("landed "):
                run.landed.append(line.split()[1])
                if kill_after is not None and len(run.landed) >= kill_after and not run.killed:
                    proc.send_signal(signal.SIGKILL)
                    run.killed = True
        run.returncode = proc.wait()
    finally:
        watchdog.cancel()
    return run


# ---------------------------------------------------------------------------- the checks


def expected_chunks(corpus: Path, chunker: ChunkerSettings) -> Edition:
    """doc id -> (content hash, chunk ids) of a clean ingest of the files in ``corpus`` now."""
    docs, skipped = load_documents([corpus])
    assert skipped == []
    counter = HashEmbedder(dimension=EMBED_DIMENSION).count_tokens
    return {d.doc_id: (d.content_hash, {c.chunk_id for c in chunk_document(d, counter, chunker)}) for d in docs}


def pipeline_chunker() -> ChunkerSettings:
    """The chunker settings the worker's RAG uses (they depend on the embedder)."""
    return RAG(embedder=HashEmbedder(dimension=EMBED_DIMENSION), store=MemoryStore(), settings=Settings()).chunker


def open_index(data: Path) -> RAG:
    """Open the index as the CLI does (Chroma and keyword index), with a fresh Chroma client.

    chromadb caches one client per path in a process; a cached one could answer from
    state read before the worker wrote.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    return RAG.open(settings=Settings(data_dir=data), embedder=HashEmbedder(dimension=EMBED_DIMENSION))


@dataclass
class IndexState:
    """What a reopened index holds: its chunks, grouped by document, and each document's versions."""

    chunks: list[Chunk]
    by_doc: dict[str, list[Chunk]]
    versions: dict[str, set[str]]  # doc id -> doc hashes present


def check_index(data: Path, *sources: Edition) -> IndexState:
    """Reopen ``data`` and check it; each document must match one of the ``sources`` editions whole.

    Checks: it opens and answers queries; chunk ids are unique; every chunk belongs to a
    source file (no orphans) and its stored text is that file's text at its span; per
    document and version, the chunk set is exactly the one a clean ingest of that
    edition gives (no half-documents); every chunk has a vector and a keyword row;
    ``count() == sum(documents().chunks)``. A document may hold two versions (an
    update killed between its two writes): the newest must be whole.
    """
    rag = open_index(data)
    try:
        chunks = rag.store.chunks(with_text=True)
        ids = [c.chunk_id for c in chunks]
        assert len(ids) == len(set(ids)), "duplicate chunk ids"
        assert rag.store.count() == len(chunks) == sum(d.chunks for d in rag.documents())
        by_doc: dict[str, list[Chunk]] = defaultdict(list)
        for c in chunks:
            by_doc[c.doc_id].append(c)
        versions = {doc_id: {c.doc_hash for c in cs} for doc_id, cs in by_doc.items()}
        for doc_id, cs in by_doc.items():
            assert all(doc_id in s for s in sources), f"orphan chunks of {doc_id}"
            editions = {s[doc_id][0]: s[doc_id][1] for s in sources}
            newest = max(cs, key=lambda c: c.ingested_at).doc_hash
            for doc_hash in versions[doc_id]:
                assert doc_hash in editions, f"{doc_id} holds a version no source edition has"
                have = {c.chunk_id for c in cs if c.doc_hash == doc_hash}
                if doc_hash == newest:
                    assert have == editions[doc_hash], f"{doc_id}: half a document ({len(have)} chunks)"
                else:  # leftovers of the version being replaced: a subset of it
                    assert have <= editions[doc_hash], f"{doc_id}: stray chunks of an old version"
        docs, _ = load_documents([data.parent / "corpus"])
        parsed = {d.doc_id: d for d in docs}
        for c in chunks:
            d = parsed[c.doc_id]
            if c.doc_hash == d.content_hash:
                assert d.text[c.start : c.end] == c.text, f"{c.chunk_id}: stored text is not the file's span"
        vectors = {}
        for i in range(0, len(ids), 500):
            vectors.update(rag.store.embeddings(ids[i : i + 500]))
        assert set(vectors) == set(ids), f"{len(set(ids) - set(vectors))} chunks have no vector"
        for c in random.Random(1).sample(chunks, min(10, len(chunks))):  # the HNSW index finds them
            [top] = rag.store.query(vectors[c.chunk_id], 1)
            assert top.chunk.chunk_id == c.chunk_id and top.score > 0.999
        assert rag.keyword is not None
        assert rag.keyword.ids() == set(ids), "keyword index and vector store disagree"  # type: ignore[attr-defined]
        return IndexState(chunks=chunks, by_doc=dict(by_doc), versions=versions)
    finally:
        rag.keyword.close()  # type: ignore[union-attr]


def build_index_in_bulk(data: Path) -> int:
    """The index a clean ingest of ``data.parent/corpus`` gives, written in a few Chroma calls."""
    memory = fake_rag(data.parent, embedder=HashEmbedder(dimension=EMBED_DIMENSION), data_dir=data, locked=False)
    memory.ingest([data.parent / "corpus"])
    chunks = memory.store.chunks()
    vectors = memory.store.embeddings([c.chunk_id for c in chunks])
    store = ChromaStore.persistent(data / "chroma")
    store.set_index_metadata(memory.store.index_metadata())
    for i in range(0, len(chunks), 1000):
        part = chunks[i : i + 1000]
        store.upsert(part, [vectors[c.chunk_id] for c in part])
    keyword = SqliteKeywordIndex(data / "keyword-news.sqlite3")
    keyword.upsert(chunks)
    keyword.close()
    return len(chunks)


# ----------------------------------------------------------------------------- the tests


def test_ingest_killed_three_times_leaves_whole_documents_and_resumes_without_duplicates(tmp_path: Path) -> None:
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    write_corpus(corpus, CORPUS_SIZE)
    rag = fake_rag(tmp_path, embedder=HashEmbedder(dimension=EMBED_DIMENSION), locked=False)
    clean = rag.ingest([corpus])  # what a clean, uninterrupted ingest of the corpus gives
    edition = expected_chunks(corpus, rag.chunker)
    assert clean.chunks_total == sum(len(ids) for _, ids in edition.values()) > 2 * CORPUS_SIZE

    stored_docs, summary = 0, []
    for point in KILL_POINTS:  # each kill interrupts the re-run that resumes the previous one
        run = run_worker(data, corpus, kill_after=point - stored_docs)
        assert run.killed and run.returncode == -signal.SIGKILL, run.lines[-3:]
        state = check_index(data, edition)
        # Mid-ingest: the documents announced before the kill are in, at most the write group being
        # written when the signal arrived is in too, and the rest are not.
        assert point <= len(state.by_doc) <= stored_docs + len(run.landed) + GROUP_DOCS < CORPUS_SIZE
        assert all(len(v) == 1 for v in state.versions.values())
        stored_docs = len(state.by_doc)
        summary.append(f"{stored_docs} docs/{len(state.chunks)} chunks")

    final = run_worker(data, corpus)
    assert final.returncode == 0 and not final.killed
    report = final.report
    assert report["documents_unchanged"] == stored_docs  # nothing that landed was written again
    assert report["documents_added"] == CORPUS_SIZE - stored_docs
    state = check_index(data, edition)
    assert len(state.by_doc) == CORPUS_SIZE
    assert len(state.chunks) == report["chunks_total"] == clean.chunks_total  # no duplicates, nothing missing
    print(f"killed at {', '.join(summary)}; completed: {CORPUS_SIZE} docs/{len(state.chunks)} chunks")


def test_update_killed_midway_leaves_one_whole_version_per_document(tmp_path: Path) -> None:
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    write_corpus(corpus, CORPUS_SIZE)
    build_index_in_bulk(data)
    chunker = pipeline_chunker()
    old = expected_chunks(corpus, chunker)
    changed = range(0, CORPUS_SIZE, 4)
    write_corpus(corpus, CORPUS_SIZE, edition=2, edited=changed)  # 100 articles updated on disk
    new = expected_chunks(corpus, chunker)
    assert sum(old[d][0] != new[d][0] for d in new) == len(changed)

    run = run_worker(data, corpus, kill_after=40)
    assert run.killed and run.returncode == -signal.SIGKILL
    state = check_index(data, old, new)
    updated = {d for d, v in state.versions.items() if new[d][0] in v and new[d][0] != old[d][0]}
    assert 40 <= len(updated) <= len(run.landed) + GROUP_DOCS < len(changed)  # mid-update: some new, some old
    # Every document is one whole version, except at most the write group whose update the
    # kill cut between its two writes (new versions in, old not yet deleted; reopening
    # repairs it): "landed" is announced right after the upsert, so the kill often arrives there.
    assert sum(len(v) > 1 for v in state.versions.values()) <= GROUP_DOCS

    final = run_worker(data, corpus)
    assert final.returncode == 0
    state = check_index(data, new)
    assert all(state.versions[d] == {new[d][0]} for d in new)  # the new content only
    assert len(state.chunks) == sum(len(ids) for _, ids in new.values())
    assert final.report["documents_added"] == 0
    print(
        f"update killed with {len(updated)}/{len(changed)} updated, {len(state.versions)} docs checked; "
        f"completed: {len(state.chunks)} chunks, one version each"
    )


def _interrupted_update(tmp_path: Path, die_at: str, *, articles: int = 24) -> tuple[Path, Edition, Edition]:
    """A complete index of ``articles``, then an update of one figure in the first, killed at ``die_at``."""
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    write_corpus(corpus, articles)
    build_index_in_bulk(data)
    chunker = pipeline_chunker()
    old = expected_chunks(corpus, chunker)
    correct_a_figure(corpus / "0000_article.txt")
    new = expected_chunks(corpus, chunker)
    run = run_worker(data, corpus, "--die-at", die_at)
    assert run.returncode == -signal.SIGKILL and run.landed == ["0000_article.txt"]
    return data, old, new


def test_update_killed_between_its_two_writes_is_repaired_when_reopened(tmp_path: Path) -> None:
    data, _old, new = _interrupted_update(tmp_path, "before-stale-delete")
    # Opening the index takes the free write lock and drops the old version's leftovers.
    state = check_index(data, new)
    assert state.versions["0000_article.txt"] == {new["0000_article.txt"][0]}

    final = run_worker(data, tmp_path / "corpus")  # nothing left to repair or embed
    assert final.returncode == 0
    assert final.report["chunks_total"] == len(state.chunks)
    state = check_index(data, new)
    assert all(state.versions[d] == {new[d][0]} for d in new)


def test_reopened_index_shows_one_version_right_after_an_interrupted_update(tmp_path: Path) -> None:
    data, _, new = _interrupted_update(tmp_path, "before-stale-delete")
    rag = open_index(data)
    versions = {c.doc_hash for c in rag.store.chunks(doc_id="0000_article.txt")}
    rag.keyword.close()  # type: ignore[union-attr]
    assert versions == {new["0000_article.txt"][0]}


def test_keyword_index_matches_the_store_after_an_interrupted_update(tmp_path: Path) -> None:
    data, old, new = _interrupted_update(tmp_path, "after-stale-delete")
    assert len(old["0000_article.txt"][1]) == len(new["0000_article.txt"][1])
    final = run_worker(data, tmp_path / "corpus")  # completes: the document counts as unchanged
    assert final.returncode == 0
    check_index(data, new)  # fails: the keyword index still holds the old figure's chunk


def test_second_writer_process_is_refused_at_once_and_the_index_stays_consistent(tmp_path: Path) -> None:
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    write_corpus(corpus, 150)
    edition = expected_chunks(corpus, pipeline_chunker())
    # The first writer holds the lock after its first write until told to go on: a second
    # writer that waited for the lock would wait for ever (and time out), not be refused.
    # Neither a fast machine (first finishes before second starts) nor a slow one matters.
    first = start_worker(data, corpus, "--hold-after-first-write")
    assert first.stdout is not None and first.stdin is not None
    lines = []
    for line in first.stdout:  # wait until the first writer is writing
        lines.append(line.strip())
        if line.startswith("landed "):
            break
    t0 = time.perf_counter()
    try:
        second = subprocess.run(
            [sys.executable, str(WORKER), str(data), str(corpus)], capture_output=True, text=True, cwd=ROOT, timeout=240
        )
    finally:
        first.stdin.write("go on\n")
        first.stdin.close()
    second_wall = time.perf_counter() - t0
    out = second.stdout.split()
    assert second.returncode == 3 and out[:2] == ["ready", "locked"], second.stdout + second.stderr[-2000:]
    refusal = float(out[2])  # measured, printed below; not a timed assert
    assert "landed" not in second.stdout
    lines += [line.strip() for line in first.stdout]
    assert first.wait(timeout=240) == 0 and lines[-1].startswith("done ")
    state = check_index(data, edition)
    assert len(state.by_doc) == 150 and len(state.chunks) == sum(len(ids) for _, ids in edition.values())
    print(f"second writer refused after {refusal:.3f} s (process wall {second_wall:.1f} s)")


# ------------------------------------------------------------------------------- sync


def check_synced_index(data: Path, *editions: Edition) -> dict[str, set[str]]:
    """Reopen ``data`` (which repairs it) and check it; returns doc id -> chunk ids.

    Every document is whole (exactly its chunks in one of ``editions``), every chunk has
    a vector, and the keyword index holds exactly the store's chunks.
    """
    rag = open_index(data)
    try:
        chunks = rag.store.chunks()
        by_doc: dict[str, set[str]] = defaultdict(set)
        for c in chunks:
            by_doc[c.doc_id].add(c.chunk_id)
        assert len(chunks) == sum(len(ids) for ids in by_doc.values()), "duplicate chunk ids"
        expected = {d: ids for edition in editions for d, (_, ids) in edition.items()}
        for doc_id, ids in by_doc.items():
            assert ids == expected[doc_id], f"{doc_id}: half a document ({len(ids)} of {len(expected[doc_id])})"
        all_ids = [c.chunk_id for c in chunks]
        vectors = {}
        for i in range(0, len(all_ids), 500):
            vectors.update(rag.store.embeddings(all_ids[i : i + 500]))
        assert set(vectors) == set(all_ids)
        assert rag.keyword is not None
        assert rag.keyword.ids() == set(all_ids), "keyword index and vector store disagree"  # type: ignore[attr-defined]
        return dict(by_doc)
    finally:
        rag.keyword.close()  # type: ignore[union-attr]


def test_sync_killed_during_its_removals_is_repaired_and_a_rerun_completes(tmp_path: Path) -> None:
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    write_corpus(corpus, 60)
    # A folder whose name starts like the synced one, ingested too, never synced.
    outside = tmp_path / "corpus-old"
    outside.mkdir()
    for i in range(6):
        (outside / f"old-{i}.txt").write_text(_article(random.Random(i), 1000 + i, 1), encoding="utf-8")
    build_index_in_bulk(data)
    assert run_worker(data, outside).returncode == 0
    chunker = pipeline_chunker()
    inside, beside = expected_chunks(corpus, chunker), expected_chunks(outside, chunker)
    deleted = {f"{i:04d}_article.txt" for i in range(0, 60, 2)}
    for name in deleted:
        (corpus / name).unlink()
    for name in ("old-0.txt", "old-1.txt"):  # gone too, but not from the synced folder
        (outside / name).unlink()

    run = run_worker(data, corpus, "--sync", "--die-after-deletes", "3")
    assert run.returncode == -signal.SIGKILL and run.landed == []
    assert sum(line.startswith("deleted ") for line in run.lines) == 3
    keyword = SqliteKeywordIndex(data / "keyword-news.sqlite3")
    left_behind = keyword.count()
    keyword.close()
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    assert left_behind > ChromaStore.persistent(data / "chroma").count()  # the keyword delete never ran
    docs = check_synced_index(data, inside, beside)  # killed between the store and the keyword delete
    assert beside.keys() <= docs.keys()  # nothing outside the folder removed
    assert inside.keys() - deleted <= docs.keys()  # nor any file still there
    gone = inside.keys() - docs.keys()
    assert 3 <= len(gone) < len(deleted) and gone <= deleted  # mid-sync: some removed, not all

    final = run_worker(data, corpus, "--sync")
    assert final.returncode == 0
    assert final.report["documents_removed"] == len(deleted) - len(gone)
    assert final.report["documents_unchanged"] == len(inside) - len(deleted) and final.report["chunks_embedded"] == 0
    docs = check_synced_index(data, inside, beside)
    assert docs.keys() == (inside.keys() - deleted) | beside.keys()
    again = run_worker(data, corpus, "--sync")
    assert again.report["documents_removed"] == 0 and not any(line.startswith("deleted ") for line in again.lines)
    print(f"sync killed after removing {len(gone)}/{len(deleted)} documents; completed: {len(docs)} documents")
