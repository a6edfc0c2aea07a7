"""The loader as it was at c85d4fb (hand-written HTML and date parsers), kept to measure against.

Load articles from disk: .txt, .md and .html files, or folders of them.

Decodes text robustly (BOMs, UTF-16 without BOM, cp1252), refuses binary files,
turns HTML into plain text without ever executing or keeping markup, and reads the
metadata news articles usually carry: title, source URL and publication date.
It does not chunk, embed or store anything.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlparse

from rag.errors import DocumentError
from rag.types import Document

__all__ = [
    "SUFFIXES",
    "collect_paths",
    "decode_bytes",
    "html_to_text",
    "load_document",
    "load_documents",
    "parse_document",
]

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
MAX_FILE_BYTES = 50 * 1024 * 1024

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](\d\d?)[/-](\d\d?)(?:/|-|$)")
_ISO_DATE = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")
_TEXT_DATE = re.compile(
    r"\b(?:(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+((?:19|20)\d\d)|([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+((?:19|20)\d\d))\b"
)
_SOURCE_LINE = re.compile(
    r"^\s*(?:source|url|link|original(?:ly published)?(?: at)?)\s*:\s*(https?://\S+)\s*$", re.I | re.M
)
_DATE_LINE = re.compile(r"^\s*(?:date|published(?: on)?|updated)\s*:\s*(.+?)\s*$", re.I | re.M)
_BARE_URL_LINE = re.compile(r"^\s*(https?://\S+)\s*$", re.M)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_bytes(data: bytes, *, name: str = "input") -> str:
    """Decode file bytes to text; raise :class:`DocumentError` for binary data."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    if b"\x00" in data:
        # UTF-16 without a BOM puts a NUL in every other byte of ASCII text.
        sample = data[:4096]
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = len(sample) / 2
        codec = ""
        if odd > 0.3 * half and even < 0.05 * half:
            codec = "utf-16-le"
        elif even > 0.3 * half and odd < 0.05 * half:
            codec = "utf-16-be"
        if codec:
            text = data.decode(codec, errors="replace")
            # Real prose has spaces and few replacement characters; padded binary does not.
            if text.count(" ") + text.count("\n") >= len(text) // 40 and text.count("\ufffd") < len(text) // 100 + 1:
                return text
        raise DocumentError(
            f"{name} looks like a binary file (it contains NUL bytes); only text, Markdown and HTML can be ingested."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows news exports are the common non-UTF-8 case; latin-1 never fails.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    controls = len(_CONTROL.findall(text[:20000]))
    if controls > max(8, len(text[:20000]) // 50):
        raise DocumentError(
            f"{name} looks like a binary file ({controls} control characters); only text, Markdown and HTML can be ingested."
        )
    return text


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text).replace("\u00a0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _TextExtractor(HTMLParser):
    """Collects visible text and article metadata; scripts, styles and markup are dropped."""

    _SKIP: ClassVar[set[str]] = {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "head",
        "iframe",
        "object",
        "canvas",
        "math",
        "select",
    }
    _BLOCK: ClassVar[set[str]] = {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "table",
        "hr",
        "figcaption",
        "main",
        "aside",
        "dd",
        "dt",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.title = ""
        self.h1 = ""
        self.url = ""
        self.date = ""
        self._in_title = False
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            content = a.get("content", "").strip()
            if key in {"og:url"} and content and not self.url:
                self.url = content
            elif key in {"article:published_time", "date", "pubdate", "datepublished", "dc.date"} and content:
                self.date = self.date or content
            elif key == "og:title" and content and not self.title:
                self.title = content
        elif tag == "link" and a.get("rel", "").lower() == "canonical" and a.get("href"):
            self.url = self.url or a["href"]
        elif tag == "time" and a.get("datetime"):
            self.date = self.date or a["datetime"]
        if tag == "title":
            self._in_title = True
        if tag in self._SKIP:
            self.skip_depth += 1
        elif tag == "h1" and not self.h1:
            self._in_h1 = True
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in self._SKIP and self.skip_depth:
            self.skip_depth -= 1
        if tag == "h1":
            self._in_h1 = False
        if tag in self._BLOCK:
            self.parts.append("\n")

    def close(self) -> None:
        # A tag or comment cut off by the end of the file must not surface as text.
        cut = self.rawdata.find("<")
        if cut != -1:
            self.rawdata = self.rawdata[:cut]
        super().close()

    def handle_data(self, data: str) -> None:
        if self._in_title and not self.title:
            self.title = data.strip()
        if self.skip_depth:
            return
        if self._in_h1:
            self.h1 += data
        self.parts.append(data)


def html_to_text(source: str) -> tuple[str, dict[str, str]]:
    """Visible text of an HTML page and its metadata (title, url, date)."""
    parser = _TextExtractor()
    try:
        parser.feed(source)
        parser.close()
    except (AssertionError, ValueError) as exc:  # malformed markup the parser gives up on
        raise DocumentError(f"HTML could not be parsed: {exc}") from None
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    meta = {"title": (parser.h1.strip() or parser.title).strip(), "url": parser.url, "date": parser.date}
    return text, meta


def _markdown_to_text(source: str) -> tuple[str, dict[str, str]]:
    title = ""
    m = re.search(r"^#\s+(.+?)\s*#*\s*$", source, re.M)
    if m:
        title = m.group(1).strip()
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", source)  # images: keep alt text only
    text = re.sub(r"\[([^\]]+)\]\((https?://[^)\s]+)[^)]*\)", r"\1", text)  # links: keep label
    text = re.sub(r"^#{1,6}\s+", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    # Inline HTML and comments never reach the index as markup, also across lines; repeated
    # because removing "<script>" from "<scr<script>ipt>" makes a new tag.
    tag = re.compile(r"<!--.*?(?:-->|$)|</?[A-Za-z][^<>]*(?:>|$)", re.S)
    while (stripped := tag.sub("", text)) != text:
        text = stripped
    return text, {"title": title, "url": "", "date": ""}


def _parse_date(raw: str) -> str:
    """Best-effort ISO date (YYYY-MM-DD) from a URL or a date string; '' if none."""
    for pattern in (_URL_DATE, _ISO_DATE):
        m = pattern.search(raw)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return date(y, mo, d).isoformat()
            except ValueError:
                continue
    m = _TEXT_DATE.search(raw)
    if m:
        if m.group(1):
            d, mon, y = int(m.group(1)), m.group(2), int(m.group(3))
        else:
            mon, d, y = m.group(4), int(m.group(5)), int(m.group(6))
        month = _MONTHS.get(mon.lower())
        if month:
            try:
                return date(y, month, d).isoformat()
            except ValueError:
                pass
    return ""


def _title_from_url(url: str) -> str:
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


def parse_document(raw: str, *, doc_id: str, path: str = "", suffix: str = ".txt") -> Document:
    """Build a :class:`Document` from decoded text, extracting title, URL and date."""
    if suffix in (".html", ".htm"):
        body, meta = html_to_text(raw)
    elif suffix in (".md", ".markdown"):
        body, meta = _markdown_to_text(raw)
    else:
        body, meta = raw, {"title": "", "url": "", "date": ""}
    text = _clean(body)
    if not re.search(r"\w", text):
        raise DocumentError(f"{path or doc_id} has no text to index (it is empty or only whitespace/markup).")

    url = meta["url"]
    if not url:
        m = _SOURCE_LINE.search(text) or _BARE_URL_LINE.search(text[-500:])
        url = m.group(1).rstrip(").,;") if m else ""
    published = _parse_date(meta["date"]) if meta["date"] else ""
    if not published:
        m = _DATE_LINE.search(text)
        published = _parse_date(m.group(1)) if m else ""
    if not published and url:
        published = _parse_date(url)

    title = meta["title"].strip()  # the HTML parser already decoded entities once
    if not title:
        first = text.split("\n", 1)[0]
        title = first.strip() if _looks_like_title(first) else _title_from_url(url)
    if not title:
        # The article's own opening words beat a bare file name in a citation list.
        sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
        title = sentence if len(sentence) <= 90 else sentence[:87].rsplit(" ", 1)[0] + "…"
    return Document(
        doc_id=doc_id,
        text=text,
        path=path,
        title=title[:300],
        url=url,
        date=published,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def load_document(path: str | Path) -> Document:
    """Read and parse one file; raise :class:`DocumentError` with the reason if it can't be used."""
    p = Path(path)
    if not p.exists():
        raise DocumentError(f"Path {p} does not exist.")
    if not p.is_file():
        raise DocumentError(f"{p} is not a file.")
    if p.suffix.lower() not in SUFFIXES:
        raise DocumentError(f"{p} has an unsupported type {p.suffix or '(none)'}; supported: {', '.join(SUFFIXES)}.")
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise DocumentError(f"{p} is {size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES // 1_000_000} MB per file.")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{p} cannot be read: {exc.strerror or exc}.") from None
    if not data.strip():
        raise DocumentError(f"{p} is empty.")
    text = decode_bytes(data, name=str(p))
    return parse_document(text, doc_id=p.name, path=str(p), suffix=p.suffix.lower())


def collect_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively) into the list of ingestible files, sorted.

    Raises :class:`DocumentError` for a missing path or when nothing ingestible is found.
    """
    found: list[Path] = []
    given = [Path(p) for p in paths]
    if not given:
        raise DocumentError("No path given to ingest.")
    for p in given:
        if not p.exists():
            raise DocumentError(f"Path {p} does not exist.")
        if p.is_dir():
            found.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in SUFFIXES
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)
                )
            )
        else:
            found.append(p)
    if not found:
        names = ", ".join(str(p) for p in given)
        raise DocumentError(f"No {', '.join(SUFFIXES)} files found in {names}.")
    return found


def load_documents(paths: Sequence[str | Path]) -> tuple[list[Document], list[tuple[str, str]]]:
    """Load every ingestible file under ``paths``.

    Returns the documents and the ``(path, reason)`` of each file that was skipped, so
    one bad file in a folder does not stop the others. Two files with the same name are
    the same document id: the later one is skipped.
    """
    docs: list[Document] = []
    skipped: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for p in collect_paths(paths):
        try:
            doc = load_document(p)
        except DocumentError as exc:
            log.warning("skipping %s: %s", p, exc)
            skipped.append((str(p), str(exc)))
            continue
        if doc.doc_id in seen:
            skipped.append((str(p), f"same file name as {seen[doc.doc_id]}; document ids are file names"))
            continue
        seen[doc.doc_id] = str(p)
        docs.append(doc)
    return docs, skipped
