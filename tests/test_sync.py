"""Folders kept in step with the index: ``ingest(sync=True)``, ``rag ingest --sync`` and ``watch_folder``.

Fast: the fake embedder and store, with the real SQLite keyword index so the two copies
are checked to stay equal; the watcher runs on a real temporary folder in a thread.
"""

from __future__ import annotations

import queue
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from rag import RAG, Settings
from rag.backends.keyword import SqliteKeywordIndex
from rag.errors import DocumentError
from rag.testing import FakeLLM, HashEmbedder, MemoryStore
from rag.types import Document
from rag.watching import FolderChange, watch_folder

DEADLINE_S = 20.0  # a bounded wait for the watcher; it usually answers in well under a second


def article(topic: str, date: str = "2025-03-01") -> str:
    return (
        f"{topic.title()} plans announced\nDate: {date}\n\n"
        f"The council discussed {topic} on Monday. Officials said the {topic} budget would rise "
        f"by four percent next year. Residents asked how {topic} would change their daily lives.\n"
    )


def make(tmp_path: Path) -> RAG:
    return RAG(
        embedder=HashEmbedder(),
        store=MemoryStore(),
        llm=FakeLLM(),
        settings=Settings(data_dir=tmp_path / "data"),
        lock_path=tmp_path / "data" / "write.lock",
        keyword=SqliteKeywordIndex(":memory:"),
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ids(rag: RAG) -> set[str]:
    return {d.doc_id for d in rag.documents()}


def consistent(rag: RAG) -> None:
    """Every document whole, and the keyword copy holds exactly the store's chunks."""
    assert rag.keyword is not None
    assert rag.keyword.ids() == {c.chunk_id for c in rag.store.chunks()}
    assert rag.store.count() == sum(d.chunks for d in rag.documents())


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """news/ (synced), news-old/ (a name that starts the same), elsewhere/."""
    news, old, elsewhere = tmp_path / "news", tmp_path / "news-old", tmp_path / "elsewhere"
    write(news, "a.txt", article("housing"))
    write(news, "b.txt", article("rail freight"))
    write(news, "sub/c.txt", article("water rationing"))
    write(old, "e.txt", article("fishing quotas"))
    write(elsewhere, "d.txt", article("port security"))
    return {"news": news, "old": old, "elsewhere": elsewhere}


def test_sync_removes_documents_whose_files_left_the_folder_and_nothing_else(
    tmp_path: Path, layout: dict[str, Path]
) -> None:
    rag = make(tmp_path)
    rag.ingest([layout["news"], layout["old"], layout["elsewhere"]])
    upload = Document(doc_id="upload.txt", text=article("grain exports"), content_hash="u1")  # no path: an upload
    fetched = Document(doc_id="https://example.org/x", text=article("tram lines"), url="https://example.org/x")
    rag.ingest_documents([upload, fetched])
    assert ids(rag) == {"a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "upload.txt", "https://example.org/x"}

    (layout["news"] / "a.txt").unlink()
    (layout["news"] / "sub" / "c.txt").unlink()
    (layout["old"] / "e.txt").unlink()  # gone too, but not from the synced folder
    (layout["elsewhere"] / "d.txt").unlink()
    report = rag.ingest([layout["news"]], sync=True)

    news = layout["news"].resolve()
    assert report.documents_removed == 2
    assert report.removed == (("a.txt", str(news / "a.txt")), ("c.txt", str(news / "sub" / "c.txt")))
    assert report.documents_unchanged == 1 and report.chunks_embedded == 0
    assert ids(rag) == {"b.txt", "d.txt", "e.txt", "upload.txt", "https://example.org/x"}
    consistent(rag)


def test_sync_again_changes_nothing(tmp_path: Path, layout: dict[str, Path]) -> None:
    rag = make(tmp_path)
    rag.ingest([layout["news"]], sync=True)
    (layout["news"] / "b.txt").unlink()
    first = rag.ingest([layout["news"]], sync=True)
    stored = sorted(rag.store.chunks(), key=lambda c: c.chunk_id)
    again = rag.ingest([layout["news"]], sync=True)
    assert first.documents_removed == 1 and again.documents_removed == 0 and again.removed == ()
    assert again.documents_unchanged == 2 and again.chunks_embedded == 0 and again.chunks_removed == 0
    assert sorted(rag.store.chunks(), key=lambda c: c.chunk_id) == stored  # not even rewritten


def test_chunks_record_the_resolved_source_of_their_document(tmp_path: Path, layout: dict[str, Path]) -> None:
    rag = make(tmp_path)
    rag.ingest([layout["news"]])
    fetched = Document(doc_id="https://example.org/x", text=article("tram lines"), url="https://example.org/x")
    rag.ingest_documents([fetched])
    sources = {c.doc_id: c.source for c in rag.store.chunks()}
    assert sources["c.txt"] == str((layout["news"] / "sub" / "c.txt").resolve())
    assert sources["https://example.org/x"] == "https://example.org/x"
    assert {d.doc_id: d.source for d in rag.documents()} == sources
    assert rag.keyword is not None
    [hit] = rag.keyword.search("water rationing", 1)
    assert hit.chunk.source == sources["c.txt"]


def test_emptied_folder_loses_all_its_documents(tmp_path: Path, layout: dict[str, Path]) -> None:
    rag = make(tmp_path)
    rag.ingest([layout["news"], layout["elsewhere"]])
    shutil.rmtree(layout["news"])
    layout["news"].mkdir()
    report = rag.ingest([layout["news"]], sync=True)
    assert report.documents_seen == 0 and report.documents_removed == 3
    assert ids(rag) == {"d.txt"}
    consistent(rag)


def test_a_moved_file_is_updated_in_place_without_embedding(tmp_path: Path, layout: dict[str, Path]) -> None:
    rag = make(tmp_path)
    rag.ingest([layout["news"]], sync=True)
    (layout["news"] / "a.txt").rename(layout["news"] / "sub" / "a.txt")
    report = rag.ingest([layout["news"]], sync=True)
    assert report.documents_removed == 0 and report.documents_updated == 1 and report.chunks_embedded == 0
    assert {c.source for c in rag.store.chunks(doc_id="a.txt")} == {str((layout["news"] / "sub" / "a.txt").resolve())}


def test_a_file_that_became_unreadable_is_kept(tmp_path: Path, layout: dict[str, Path]) -> None:
    rag = make(tmp_path)
    rag.ingest([layout["news"]], sync=True)
    before = rag.store.chunks(doc_id="b.txt")
    (layout["news"] / "b.txt").write_bytes(b"\x00\xff" * 400)  # binary now: skipped, not gone
    report = rag.ingest([layout["news"]], sync=True)
    assert [Path(p).name for p, _ in report.skipped] == ["b.txt"] and report.documents_removed == 0
    assert rag.store.chunks(doc_id="b.txt") == before


def test_an_index_without_recorded_sources_keeps_working(tmp_path: Path, layout: dict[str, Path]) -> None:
    rag = make(tmp_path)
    rag.ingest([layout["news"]])
    # Chunks as an index written before sources were recorded holds them.
    old = [replace(c, source="") for c in rag.store.chunks(with_text=True)]
    rag.store.upsert(old, [rag.store.embeddings([c.chunk_id])[c.chunk_id] for c in old])
    (layout["news"] / "a.txt").unlink()
    report = rag.ingest([layout["news"]], sync=True)
    # a.txt's source is unknown: it is not removed. The files still there get their source recorded.
    assert report.documents_removed == 0 and "a.txt" in ids(rag)
    assert report.documents_updated == 2 and report.chunks_embedded == 0
    assert {c.source for c in rag.store.chunks(doc_id="b.txt")} == {str((layout["news"] / "b.txt").resolve())}
    assert rag.retrieve("rail freight budget")[0].chunk.doc_id == "b.txt"


def test_sync_refuses_a_path_that_is_not_a_folder(tmp_path: Path, layout: dict[str, Path]) -> None:
    rag = make(tmp_path)
    rag.ingest([layout["news"]])
    for bad in (layout["news"] / "a.txt", tmp_path / "missing"):
        with pytest.raises(DocumentError, match="is not a folder"):
            rag.ingest([bad], sync=True)
    assert ids(rag) == {"a.txt", "b.txt", "c.txt"}  # nothing lost


def test_cli_ingest_sync_prints_a_line_per_removed_document(
    tmp_path: Path, layout: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rag import cli

    rag = make(tmp_path)
    monkeypatch.setattr(RAG, "open", classmethod(lambda cls, *a, **k: rag))
    cli.main(["--data-dir", str(tmp_path / "data"), "ingest", "--sync", str(layout["news"])])
    (layout["news"] / "a.txt").unlink()
    (layout["news"] / "b.txt").unlink()
    capsys.readouterr()
    cli.main(["--data-dir", str(tmp_path / "data"), "ingest", "--sync", str(layout["news"])])
    lines = capsys.readouterr().out.splitlines()
    removed = [line for line in lines if line.startswith("removed ")]
    assert [line.split()[1] for line in removed] == ["a.txt", "b.txt"]
    assert str((layout["news"] / "a.txt").resolve()) in removed[0]
    assert "1 documents: 0 added, 0 updated, 1 unchanged, 2 removed." in " ".join(lines)


# ------------------------------------------------------------------------- watching


class Watcher:
    """``watch_folder`` on a thread; its changes arrive on a queue, read with a deadline."""

    def __init__(self, rag: RAG, folder: Path) -> None:
        self.changes: queue.Queue[FolderChange] = queue.Queue()
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, args=(rag, folder), daemon=True)
        self.thread.start()

    def _run(self, rag: RAG, folder: Path) -> None:
        try:
            watch_folder(rag, folder, on_change=self.changes.put, stop_event=self.stop, debounce_ms=50, tick_ms=100)
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.errors.append(exc)

    def next(self, want: Callable[[FolderChange], bool]) -> FolderChange:
        """The first change that ``want`` accepts, skipping others; fails after DEADLINE_S."""
        deadline = time.monotonic() + DEADLINE_S
        seen = []
        while (left := deadline - time.monotonic()) > 0:
            try:
                change = self.changes.get(timeout=left)
            except queue.Empty:
                break
            if want(change):
                return change
            seen.append(str(change))
        raise AssertionError(f"no such change within {DEADLINE_S} s; got {seen}, errors {self.errors}")

    def close(self) -> None:
        self.stop.set()
        self.thread.join(DEADLINE_S)
        assert not self.thread.is_alive(), "the watcher did not stop"
        assert self.errors == []


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[RAG, Path, Watcher]]:
    folder = tmp_path / "watched"
    write(folder, "first.txt", article("housing"))
    rag = make(tmp_path)
    watcher = Watcher(rag, folder)
    yield rag, folder, watcher
    watcher.close()


def put(folder: Path, name: str, text: str) -> None:
    """Write a file whole (a hidden temporary file renamed into place), as editors save."""
    tmp = folder / f".{name}.tmp"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(folder / name)


def test_watch_follows_files_added_changed_and_removed(watched: tuple[RAG, Path, Watcher]) -> None:
    rag, folder, watcher = watched
    first = watcher.next(lambda c: c.path == "first.txt")  # the catch-up sync when watching starts
    assert (first.kind, first.chunks) == ("added", len(rag.store.chunks(doc_id="first.txt")))
    assert str(first) == f"added first.txt ({first.chunks} chunks)"

    put(folder, "second.txt", article("rail freight"))
    added = watcher.next(lambda c: c.path == "second.txt")
    assert added.kind == "added" and added.chunks == len(rag.store.chunks(doc_id="second.txt")) > 0
    old_hash = rag.store.chunks(doc_id="second.txt")[0].doc_hash

    put(folder, "second.txt", article("rail freight", "2025-04-02") + "A late change to the timetable.\n")
    updated = watcher.next(lambda c: c.path == "second.txt")
    assert updated.kind == "updated"
    chunks = rag.store.chunks(doc_id="second.txt", with_text=True)
    assert {c.doc_hash for c in chunks} != {old_hash} and any("late change" in c.text for c in chunks)
    assert {c.date for c in chunks} == {"2025-04-02"}

    (folder / "second.txt").unlink()
    removed = watcher.next(lambda c: c.path == "second.txt")
    assert str(removed) == "removed second.txt"
    assert ids(rag) == {"first.txt"}
    consistent(rag)


def test_watch_reports_a_bad_file_and_keeps_going(watched: tuple[RAG, Path, Watcher]) -> None:
    rag, folder, watcher = watched
    watcher.next(lambda c: c.path == "first.txt")
    (folder / "broken.txt").write_bytes(b"\x00\xff" * 400)
    skipped = watcher.next(lambda c: c.path == "broken.txt")
    assert skipped.kind == "skipped" and "binary" in skipped.reason
    sub = folder.parent / "incoming"
    write(sub, "a.txt", article("grain exports"))
    write(sub, "b.txt", article("port security"))
    sub.rename(folder / "incoming")  # a folder moved in: one event for the folder, two files in it
    got = {watcher.next(lambda c: c.path.startswith("incoming")).path for _ in range(2)}
    assert got == {"incoming/a.txt", "incoming/b.txt"}
    assert ids(rag) == {"first.txt", "a.txt", "b.txt"}


def test_watch_retries_when_another_writer_holds_the_index(watched: tuple[RAG, Path, Watcher]) -> None:
    rag, folder, watcher = watched
    watcher.next(lambda c: c.path == "first.txt")
    with rag.indexer.write_lock():  # another writer, as far as the watcher can tell
        put(folder, "late.txt", article("tram lines"))
        error = watcher.next(lambda c: c.kind == "error")
        assert str(error).startswith("error: Another process is writing")
    added = watcher.next(lambda c: c.path == "late.txt")  # the next tick syncs the whole folder
    assert added.kind == "added" and "late.txt" in ids(rag)


def test_watch_refuses_a_path_that_is_not_a_folder(tmp_path: Path) -> None:
    rag = make(tmp_path)
    with pytest.raises(DocumentError, match="is not a folder"):
        watch_folder(rag, tmp_path / "missing", on_change=print, stop_event=threading.Event())


# The CLI's watch with the fake backends, in a child process so Ctrl-C (SIGINT) is real.
_WATCH_CLI = """
import sys
from pathlib import Path
from rag import RAG, Settings
from rag.backends.keyword import SqliteKeywordIndex
from rag.testing import HashEmbedder, MemoryStore
fake = RAG(embedder=HashEmbedder(), store=MemoryStore(), settings=Settings(data_dir=Path(sys.argv[1])),
           keyword=SqliteKeywordIndex(":memory:"))
RAG.open = classmethod(lambda cls, *a, **k: fake)
from rag.cli import main
main(["watch", "--debounce", "50", sys.argv[2]])
"""


def test_cli_watch_prints_a_line_per_change_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    folder = tmp_path / "watched"
    write(folder, "first.txt", article("housing"))
    proc = subprocess.Popen(
        [sys.executable, "-c", _WATCH_CLI, str(tmp_path / "data"), str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    killer = threading.Timer(60, proc.kill)  # a hung watcher fails the test instead of hanging it
    killer.start()
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip()]  # the catch-up sync
        put(folder, "second.txt", article("rail freight"))
        lines.append(proc.stdout.readline().strip())
        (folder / "first.txt").unlink()
        lines.append(proc.stdout.readline().strip())
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        killer.cancel()
    assert [" ".join(line.split()[:2]) for line in lines] == [
        "added first.txt",
        "added second.txt",
        "removed first.txt",
    ]
    assert proc.returncode == 0
    assert err.splitlines() == [f"Watching {folder} (Ctrl-C to stop).", f"Stopped watching {folder}."]


@pytest.mark.parametrize("command", ["watch", "ingest --sync"])
def test_cli_sync_and_watch_name_a_path_that_is_not_a_folder_in_one_line(tmp_path: Path, command: str) -> None:
    import subprocess
    import sys

    write(tmp_path, "a.txt", article("housing"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rag.cli",
            "--data-dir",
            str(tmp_path / "data"),
            *command.split(),
            str(tmp_path / "a.txt"),
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=120,
    )
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {tmp_path / 'a.txt'} is not a folder;")
