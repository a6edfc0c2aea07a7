"""Folders kept in step with the index: a one-off sync, and watching a folder for changes.

:func:`load_folders` loads synced folders and takes a :class:`rag.indexing.FolderSnapshot`
of each (``rag ingest --sync``: the index then drops documents whose files are gone).
:func:`watch_folder` does the same continuously: the watchfiles library (Rust
``notify``: inotify, FSEvents, ReadDirectoryChangesW) reports changed paths, debounced
into batches; each batch loads the changed files and runs one synced ingest, and each
file whose documents changed is reported as a :class:`FolderChange`.

What it deliberately does not do: parse files (``rag.loading``), decide what changed in
a document (``rag.indexing``: content hashes), or print (the CLI prints the changes).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from rag.errors import DocumentError, RagError
from rag.indexing import FolderSnapshot
from rag.loading import SUFFIXES, collect_paths, load_documents, load_file
from rag.types import Document

if TYPE_CHECKING:
    from rag.pipeline import RAG

__all__ = ["FolderChange", "load_folders", "snapshot_folder", "watch_folder"]

log = logging.getLogger(__name__)

Loaded = tuple[list[Document], list[tuple[str, str]], list[FolderSnapshot]]


def snapshot_folder(folder: str | Path) -> FolderSnapshot:
    """The ingestible files in ``folder`` now (resolved paths); an empty folder has none.

    Raises :class:`DocumentError` when ``folder`` is not a folder.
    """
    root = Path(folder)
    if not root.is_dir():
        raise DocumentError(
            f"{folder} is not a folder; sync keeps a folder in step with the index (name the folder that holds the files)."
        )
    try:
        files = collect_paths([root])
    except DocumentError:  # no ingestible file left: every document from it is gone
        files = []
    return FolderSnapshot(str(root.resolve()), frozenset(str(f.resolve()) for f in files))


def load_folders(folders: Sequence[str | Path]) -> Loaded:
    """Load every ingestible file in ``folders``, then snapshot them: (documents, skipped, snapshots).

    Loading comes first: a file deleted meanwhile is then missing from the snapshot and
    its document is removed, a file created meanwhile is only not loaded yet. Raises
    :class:`DocumentError` when a path is not a folder or none is given.
    """
    if not folders:
        raise DocumentError("No folder given to sync.")
    for folder in folders:
        if not Path(folder).is_dir():
            snapshot_folder(folder)  # raises, naming it
    try:
        docs, skipped = load_documents(list(folders))
    except DocumentError:
        docs, skipped = [], []  # the folders hold no ingestible file
    return docs, skipped, [snapshot_folder(f) for f in folders]


@dataclass(frozen=True)
class FolderChange:
    """One file's change as the index saw it; ``str()`` gives the line the CLI prints.

    ``path`` is relative to the watched folder. ``documents`` and ``chunks`` count the
    file's documents that changed (a feed or dump holds many) and their chunks now.
    ``error`` means the batch could not be written (another writer, a backend down): it
    is retried with a full sync of the folder at the next tick.
    """

    kind: Literal["added", "updated", "removed", "skipped", "error"]
    path: str
    documents: int = 1
    chunks: int = 0
    reason: str = ""

    def __str__(self) -> str:
        if self.kind == "error":
            return f"error: {self.reason}"
        if self.kind == "skipped":
            return f"skipped {self.path}: {self.reason}"
        if self.kind == "removed":
            return f"removed {self.path}" + (f" ({self.documents} documents)" if self.documents > 1 else "")
        counts = f"{self.chunks} chunks" if self.documents == 1 else f"{self.documents} documents, {self.chunks} chunks"
        return f"{self.kind} {self.path} ({counts})"


def _relative(path: str, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


def _ingestible(path: Path, root: Path) -> bool:
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return False
    return path.suffix.lower() in SUFFIXES and not any(p.startswith(".") for p in parts) and path.is_file()


def _ingestible_dir(path: Path, root: Path) -> bool:
    try:
        return not any(p.startswith(".") for p in path.relative_to(root).parts)
    except ValueError:
        return False


def _versions(rag: RAG, doc_ids: Sequence[str]) -> dict[str, tuple[float, int]]:
    """doc id -> (newest ingested_at, chunk count) of the indexed documents among ``doc_ids``."""
    if len(doc_ids) > 50:  # one scan beats a query per document
        wanted = set(doc_ids)
        chunks = [c for c in rag.store.chunks() if c.doc_id in wanted]
    else:
        chunks = [c for d in doc_ids for c in rag.store.chunks(doc_id=d)]
    stamps: dict[str, float] = {}
    counts: dict[str, int] = defaultdict(int)
    for c in chunks:
        stamps[c.doc_id] = max(stamps.get(c.doc_id, 0.0), c.ingested_at)
        counts[c.doc_id] += 1
    return {d: (stamps[d], counts[d]) for d in stamps}


def sync_files(rag: RAG, root: Path, files: Sequence[Path] | None) -> list[FolderChange]:
    """Ingest ``files`` (all of ``root``'s when None) and drop documents whose files left ``root``.

    Returns one change per file whose documents were added, updated, removed or skipped.
    Raises :class:`RagError` when the index cannot be written (another writer holds it).
    """
    if files is None:
        try:
            files = collect_paths([root])
        except DocumentError:
            files = []
    changes: list[FolderChange] = []
    by_file: dict[str, list[Document]] = {}
    seen: set[str] = set()
    for f in files:
        try:
            found, bad = load_file(f)
        except DocumentError as exc:  # the indexed version, if any, stays
            changes.append(FolderChange("skipped", _relative(str(f), root), reason=str(exc)))
            continue
        changes.extend(FolderChange("skipped", _relative(item, root), reason=why) for item, why in bad)
        fresh = [d for d in found if d.doc_id not in seen]
        seen.update(d.doc_id for d in fresh)
        by_file[str(f)] = fresh
    docs = [d for found in by_file.values() for d in found]
    before = _versions(rag, [d.doc_id for d in docs])
    report = rag.ingest_documents(docs, sync=[snapshot_folder(root)])
    after = _versions(rag, [d.doc_id for d in docs])
    for name, found in by_file.items():
        changed = [d for d in found if d.doc_id in after and after[d.doc_id] != before.get(d.doc_id)]
        if not changed:
            continue
        kind: Literal["added", "updated"] = "added" if all(d.doc_id not in before for d in found) else "updated"
        chunks = sum(after[d.doc_id][1] for d in changed)
        changes.append(FolderChange(kind, _relative(name, root), documents=len(changed), chunks=chunks))
    removed: dict[str, int] = defaultdict(int)
    for _doc_id, source in report.removed:
        removed[source] += 1
    changes.extend(FolderChange("removed", _relative(src, root), documents=n) for src, n in removed.items())
    return changes


def watch_folder(
    rag: RAG,
    folder: str | Path,
    *,
    on_change: Callable[[FolderChange], None],
    stop_event: threading.Event,
    debounce_ms: int = 400,
    tick_ms: int = 500,
) -> None:
    """Keep the index in step with ``folder`` until ``stop_event`` is set.

    First a full sync of the folder (catching up on changes made while not watching),
    taken after the watcher started, so nothing changed meanwhile is missed; then, per
    batch of changes (``debounce_ms``: how long watchfiles gathers events after the
    first), the changed files are ingested and documents whose files are gone removed.
    ``on_change`` gets one :class:`FolderChange` per file that changed in the index.
    ``tick_ms``: how often the loop wakes without changes (to retry after an error).
    Returns when ``stop_event`` is set; raises :class:`DocumentError` when ``folder``
    is not a folder.
    """
    import watchfiles

    root = Path(snapshot_folder(folder).folder)
    full_sync = True  # on the first tick, and after a batch that could not be written
    for batch in watchfiles.watch(
        root,
        stop_event=stop_event,
        debounce=debounce_ms,
        rust_timeout=tick_ms,
        yield_on_timeout=True,
        raise_interrupt=False,
    ):
        if stop_event.is_set():
            break
        if not batch and not full_sync:
            continue
        changed: set[Path] = set()
        for _, name in batch:
            path = Path(name)
            if path.is_dir() and _ingestible_dir(path, root):  # a folder moved in: one event for all its files
                with contextlib.suppress(DocumentError):
                    changed.update(collect_paths([path]))
            elif _ingestible(path, root):
                changed.add(path)
        try:
            for change in sync_files(rag, root, None if full_sync else sorted(changed)):
                on_change(change)
            full_sync = False
        except RagError as exc:
            log.warning("could not sync %s: %s", root, exc)
            on_change(FolderChange("error", ".", reason=str(exc)))
            full_sync = True
