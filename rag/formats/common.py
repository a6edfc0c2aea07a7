"""What every format shares: cleaning text and building a :class:`Document` from it.

Cleaning folds line endings, drops control characters and repeated blank lines and
normalises Unicode (NFC); a document must keep some word characters, or it is refused
with a :class:`DocumentError` naming it. A missing title is taken from the first line,
the URL's slug, or the opening sentence, in that order.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlparse

from rag.errors import DocumentError
from rag.types import Document

__all__ = ["build_document", "clean_text", "is_web_url", "short_hash", "title_from_text", "title_from_url"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Text with ``\\n`` line ends, no control characters, at most one blank line in a row, NFC."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text).replace("\u00a0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def short_hash(text: str) -> str:
    """The first 16 hex digits of the SHA-256 of ``text``: an id for content without a URL."""
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()[:16]


def is_web_url(value: str) -> bool:
    """True for an absolute ``http://`` or ``https://`` URL with a host."""
    try:
        parts = urlparse(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def title_from_url(url: str) -> str:
    """A title from a URL's slug (``/eu-budget-approved-today`` → "Eu budget approved today"), or ``""``."""
    try:
        path = urlparse(url).path.rstrip("/")
    except ValueError:  # e.g. an unbalanced "[" in the host part
        return ""
    slug = path.rsplit("/", 1)[-1]
    slug = re.sub(r"\.(html?|php|aspx?)$", "", slug)
    words = [w for w in re.split(r"[-_]+", slug) if w and not w.isdigit()]
    if len(words) < 3:
        return ""
    acronyms = {"eu", "us", "uk", "un", "nato", "usa", "uae"}
    out = [w.upper() if w.lower() in acronyms else w.lower() for w in words]
    out[0] = out[0][0].upper() + out[0][1:]
    return " ".join(out)


def _looks_like_title(line: str) -> bool:
    line = line.strip()
    return 3 <= len(line) <= 160 and not line.endswith((".", ",", ";", ":")) and len(line.split()) >= 2


def title_from_text(text: str, url: str = "") -> str:
    """The first line when it reads like a headline, else the URL's slug, else the opening sentence."""
    first = text.split("\n", 1)[0]
    title = first.strip() if _looks_like_title(first) else title_from_url(url)
    if not title:
        # The article's own opening words beat a bare file name in a citation list.
        sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
        title = sentence if len(sentence) <= 90 else sentence[:87].rsplit(" ", 1)[0] + "…"
    return title


def build_document(
    text: str,
    *,
    doc_id: str,
    name: str,
    path: str = "",
    title: str = "",
    url: str = "",
    date: str = "",
    author: str = "",
    site: str = "",
) -> Document:
    """A :class:`Document` of cleaned ``text``; raises :class:`DocumentError` naming ``name`` if it has no words."""
    text = clean_text(text)
    if not re.search(r"\w", text):
        raise DocumentError(f"{name} has no text to index (it is empty or only whitespace/markup).")
    title = clean_text(title).replace("\n", " ") or title_from_text(text, url)
    return Document(
        doc_id=doc_id,
        text=text,
        path=path,
        title=title[:300],
        url=url.strip(),
        date=date,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        author=clean_text(author).replace("\n", " ")[:300],
        site=clean_text(site).replace("\n", " ")[:300],
    )
