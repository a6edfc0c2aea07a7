"""PDFs (print editions, saved articles) to one :class:`Document`, with ``pypdf``.

The text is each page's text layer in content order (which is reading order for the
PDFs newsrooms and browsers write), pages separated by a blank line, words broken
across lines by a hyphen joined again. Title, author and date come from the PDF's
metadata (``/Title``, ``/Author``, ``/CreationDate``) when present.

A PDF without a text layer (a scan) is refused with a message that says to run OCR
first; this module does no OCR. Encrypted PDFs open only without a password.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from rag.errors import DocumentError
from rag.formats.common import build_document
from rag.formats.dates import format_datetime, normalise_date
from rag.types import Document

__all__ = ["MAX_PAGES", "parse_pdf"]

log = logging.getLogger(__name__)
# pypdf logs each repair of a malformed file; the one-line DocumentError says what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)

MAX_PAGES = 2000  # a daily paper is under 100; more is not an article


def _meta(reader: Any, key: str) -> str:
    try:
        value = (reader.metadata or {}).get(key)
    except Exception:  # a broken /Info dictionary only loses the metadata
        return ""
    return str(value).strip() if value is not None else ""


def _date(reader: Any) -> str:
    try:
        created = reader.metadata.creation_date if reader.metadata else None
    except Exception:  # pypdf raises on malformed D: strings
        created = None
    if created is not None:
        return format_datetime(created)
    raw = _meta(reader, "/CreationDate").removeprefix("D:")
    return normalise_date(raw[:8]) if re.fullmatch(r"\d{8}.*", raw) else ""


def parse_pdf(data: bytes, *, name: str, doc_id: str, path: str = "") -> Document:
    """The text layer and metadata of a PDF as a document.

    Raises :class:`DocumentError` naming ``name`` for a malformed or encrypted PDF,
    one over ``MAX_PAGES`` pages, or one with no text layer (a scan: OCR it first).
    """
    from pypdf import PdfReader

    # pypdf reads untrusted bytes: any exception it raises means "malformed PDF".
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(f"{name} is encrypted; save an unencrypted copy and ingest that.")
        pages = reader.pages
        count = len(pages)
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError(f"{name} is not a readable PDF ({type(exc).__name__}).") from None
    if count > MAX_PAGES:
        raise DocumentError(f"{name} has {count} pages; the limit is {MAX_PAGES}.")
    texts: list[str] = []
    for number in range(count):
        try:
            texts.append(pages[number].extract_text() or "")
        except Exception as exc:  # one broken page should not lose the others
            log.warning("%s: page %d has no readable text (%s)", name, number + 1, type(exc).__name__)
    text = "\n\n".join(t.strip() for t in texts if t.strip())
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    if not re.search(r"\w", text):
        raise DocumentError(
            f"{name} has no text layer (a scanned PDF?); run OCR first, e.g. `ocrmypdf {name} ocr.pdf`, "
            "and ingest the result."
        )
    return build_document(
        text,
        doc_id=doc_id,
        name=name,
        path=path,
        title=_meta(reader, "/Title"),
        date=_date(reader),
        author=_meta(reader, "/Author"),
    )
