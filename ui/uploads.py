"""Files people add in the browser: safe names, the uploads folder, and Gradio's download folder.

:class:`UploadFolder` copies an upload into ``data_dir/uploads`` under a name that
is safe to create and never replaces another article; indexing the copy is the
caller's job (:meth:`ui.app.ChatApp.ingest_files`). This module reads no file
contents beyond comparing bytes and knows nothing of Gradio components.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import unicodedata
from collections.abc import Callable, Collection
from pathlib import Path

from rag import DocumentError, RagError
from rag.loading import SUFFIXES

__all__ = ["UploadFolder", "download_folder", "formats", "safe_filename"]


def safe_filename(name: str) -> str:
    """The base name of an uploaded file, safe to create in the uploads folder.

    Drops any directory part (``/`` or ``\\``), control characters and leading dots
    (no ``..``, no hidden files). Raises DocumentError for names that leave nothing
    usable or have a suffix the loader does not read.
    """
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().lstrip(".").strip()
    if len(base) > 180:
        suffix = Path(base).suffix[:16]
        base = base[: 180 - len(suffix)] + suffix
    if not base or base in {".", ".."}:
        raise DocumentError(f"The file name {name!r} cannot be used; rename the file and upload it again.")
    if Path(base).suffix.lower() not in SUFFIXES:
        raise DocumentError(f"{base}: only {', '.join(SUFFIXES)} files can be added.")
    return base


def formats() -> str:
    """The file types the loader reads, for messages: ``.txt, .md, … or .htm`` (from ``rag.loading.SUFFIXES``)."""
    return ", ".join(SUFFIXES[:-1]) + f" or {SUFFIXES[-1]}" if len(SUFFIXES) > 1 else SUFFIXES[0]


def download_folder() -> str:
    """Gradio's upload folder (files there may be served to the browser), created if needed."""
    from gradio.utils import get_upload_folder

    folder = Path(get_upload_folder())
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder)


class UploadFolder:
    """``data_dir/uploads``: where uploaded articles are kept; the file name is the document id.

    ``max_mb``: the largest upload accepted, in MB (setting ``max_upload_mb``).
    """

    def __init__(self, folder: Path, max_mb: int) -> None:
        self.folder = Path(folder)
        self.max_mb = max_mb

    def save(
        self, src: str | Path, original_name: str, indexed: Callable[[], Collection[str]]
    ) -> tuple[Path, str | None]:
        """Copy ``src`` to ``uploads/<safe name>``; (the saved path, a note when the name is not the upload's own).

        Never replaces an unrelated document: when another file of that name is already
        in the folder, or an indexed document (``indexed()``: their ids) has that id, the
        upload is saved as ``<stem>-2<suffix>`` (then -3, …). An upload with the same
        bytes as the file of its name (or of one of those numbered names) reuses it, so
        uploading the same file again is an update, not a copy. Raises DocumentError for
        a bad name or a file over ``max_mb``; OSError when the copy fails.
        """
        name = safe_filename(original_name)
        src = Path(src)
        if src.stat().st_size > self.max_mb * 1024 * 1024:
            raise DocumentError(f"{name} is larger than {self.max_mb} MB (setting max_upload_mb).")
        self.folder.mkdir(parents=True, exist_ok=True)
        dest = self._destination(src, name, set(indexed()))
        if dest.resolve().parent != self.folder.resolve():  # belt and braces after safe_filename
            raise DocumentError(f"The file name {original_name!r} cannot be used.")
        if dest.is_file() and not dest.is_symlink():  # the same bytes: the ingest reports it unchanged
            return dest, None if dest.name == name else f"{name} is the same file as {dest.name}, already added."
        partial = self.folder / f".{dest.name}.partial"
        shutil.copyfile(src, partial)
        os.replace(partial, dest)  # replaces a symlink itself, never writes through it
        note = f"{name} was added as {dest.name}: an indexed article already has that name."
        return dest, None if dest.name == name else note

    def _destination(self, src: Path, name: str, indexed: Collection[str]) -> Path:
        """``uploads/name``, or the first free (or same-bytes) ``<stem>-<n><suffix>`` when that is taken."""
        data = src.read_bytes()  # at most max_mb
        stem, suffix = Path(name).stem, Path(name).suffix
        for n in itertools.count(1):
            candidate = self.folder / (name if n == 1 else f"{stem}-{n}{suffix}")
            if candidate.is_symlink() or candidate.exists():
                if candidate.is_file() and not candidate.is_symlink() and candidate.read_bytes() == data:
                    return candidate
            elif candidate.name not in indexed:  # a document ingested from elsewhere may have the name
                return candidate
        raise AssertionError("unreachable")  # itertools.count never ends

    def discard(self, doc_id: str) -> None:
        """Delete the uploaded copy of ``doc_id``, if there is one (a removed document's file)."""
        # Not an upload, or already gone: the index is what matters.
        with contextlib.suppress(RagError, OSError):
            (self.folder / safe_filename(doc_id)).unlink(missing_ok=True)
