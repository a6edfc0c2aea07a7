"""Load articles: files, folders of them, and URLs, whatever the format news comes in.

=============================  ==========================================  =====================
input                          one document per                            read by
=============================  ==========================================  =====================
.txt .md .markdown             file                                        this module
.html .htm                     file (main article only, hidden text gone)  ``rag.formats.html``
.xml .rss .atom                feed item                                   ``rag.formats.feeds``
.pdf                           file (text layer)                           ``rag.formats.pdf``
.jsonl .json                   record                                      ``rag.formats.dumps``
``http(s)://`` URL             page, or feed item                          ``rag.formats.web``
=============================  ==========================================  =====================

Text files are decoded robustly (BOMs, UTF-16 without BOM, cp1252) and binary files
refused; every file has a size cap; title, source URL and publication date (ISO 8601,
``rag.formats.dates``) are read from what each format carries. A file or URL that
cannot be used is reported as skipped with a one-line reason; it never stops the others.
It does not chunk, embed or store anything.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from rag.errors import DocumentError
from rag.formats.common import build_document, clean_text
from rag.formats.dates import date_from_url, normalise_date
from rag.types import Document

__all__ = [
    "MAX_FILE_BYTES",
    "SUFFIXES",
    "collect_paths",
    "decode_bytes",
    "html_to_text",
    "load_document",
    "load_documents",
    "load_file",
    "load_url",
    "parse_document",
]

log = logging.getLogger(__name__)

_TEXT = (".txt", ".md", ".markdown")
_HTML = (".html", ".htm")
_FEED = (".xml", ".rss", ".atom")
_DUMP = (".jsonl", ".json")
SUFFIXES = (*_TEXT, *_HTML, *_FEED, ".pdf", *_DUMP)
MB = 1024 * 1024
MAX_FILE_BYTES = 50 * MB  # text and the default; per-format caps below
# Pages and feeds past these are not one article or one feed; a dump holds many articles.
_MAX_BYTES = {".html": 20 * MB, ".htm": 20 * MB, ".xml": 20 * MB, ".rss": 20 * MB, ".atom": 20 * MB}
_MAX_BYTES |= {".pdf": 100 * MB, ".jsonl": 500 * MB, ".json": 200 * MB}

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
            f"{name} looks like a binary file (it contains NUL bytes); only text, Markdown, HTML, feeds, PDFs and JSON dumps can be ingested."
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
            f"{name} looks like a binary file ({controls} control characters); only text, Markdown, HTML, feeds, PDFs and JSON dumps can be ingested."
        )
    return text


def html_to_text(source: str) -> tuple[str, dict[str, str]]:
    """Main article text of an HTML page and its metadata (title, url, date, author, site).

    See :func:`rag.formats.html.page_to_text`; hidden elements never reach the text.
    """
    from rag.formats.html import page_to_text

    page = page_to_text(source)
    return page.text, {
        "title": page.title,
        "url": page.url,
        "date": page.date,
        "author": page.authors,
        "site": page.site,
    }


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


def parse_document(raw: str, *, doc_id: str, path: str = "", suffix: str = ".txt") -> Document:
    """Build a :class:`Document` from decoded text (``suffix`` .txt, .md or .html), extracting metadata.

    Raises :class:`DocumentError` when no text is left.
    """
    if suffix in _HTML:
        body, meta = html_to_text(raw)
    elif suffix in (".md", ".markdown"):
        body, meta = _markdown_to_text(raw)
    else:
        body, meta = raw, {"title": "", "url": "", "date": ""}
    text = clean_text(body)
    url = meta["url"]
    if not url:
        m = _SOURCE_LINE.search(text) or _BARE_URL_LINE.search(text[-500:])
        url = m.group(1).rstrip(").,;") if m else ""
    published = normalise_date(meta["date"])
    if not published:
        m = _DATE_LINE.search(text)
        published = normalise_date(m.group(1)) if m else ""
    if not published and url:
        published = date_from_url(url)
    return build_document(
        text,
        doc_id=doc_id,
        name=path or doc_id,
        path=path,
        title=meta["title"].strip(),
        url=url,
        date=published,
        author=meta.get("author", ""),
        site=meta.get("site", ""),
    )


def _read(p: Path) -> bytes:
    if not p.exists():
        raise DocumentError(f"Path {p} does not exist.")
    if not p.is_file():
        raise DocumentError(f"{p} is not a file.")
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        raise DocumentError(f"{p} has an unsupported type {p.suffix or '(none)'}; supported: {', '.join(SUFFIXES)}.")
    size, limit = p.stat().st_size, _MAX_BYTES.get(suffix, MAX_FILE_BYTES)
    if size > limit:
        raise DocumentError(f"{p} is {size / 1e6:.0f} MB; the limit is {limit // 1_000_000} MB for {suffix} files.")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{p} cannot be read: {exc.strerror or exc}.") from None
    if not data.strip():
        raise DocumentError(f"{p} is empty.")
    return data


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def _decode_html(data: bytes, *, name: str) -> str:
    """A page's text in the charset its ``<meta>`` declares, else as :func:`decode_bytes` finds it."""
    m = _META_CHARSET.search(data[:4096])
    if m and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        codec = m.group(1).decode("ascii").lower()
        if codec not in ("utf-8", "utf8"):
            try:
                return data.decode(codec)
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong or unknown declaration: detect instead
    return decode_bytes(data, name=name)


def _from_bytes(
    data: bytes, *, kind: str, name: str, doc_id: str, path: str = "", url: str = ""
) -> tuple[list[Document], list[tuple[str, str]]]:
    """Documents (and skipped items) from the bytes of one file or fetched URL of format ``kind``."""
    if kind == ".pdf":
        from rag.formats.pdf import parse_pdf

        return [parse_pdf(data, name=name, doc_id=doc_id, path=path)], []
    if kind in _FEED:
        from rag.formats.feeds import parse_feed

        return parse_feed(data, name=name, source_id=doc_id, path=path)
    text = _decode_html(data, name=name) if kind in _HTML else decode_bytes(data, name=name)
    if kind in _DUMP:
        from rag.formats.dumps import parse_dump

        return parse_dump(text, name=name, source_id=doc_id, path=path, jsonl=kind == ".jsonl")
    doc = parse_document(text, doc_id=doc_id, path=path, suffix=kind)
    if url:
        doc = replace(doc, url=doc.url or url, date=doc.date or date_from_url(url))
    return [doc], []


def load_file(path: str | Path) -> tuple[list[Document], list[tuple[str, str]]]:
    """The documents in one file of any supported format, and ``(item, reason)`` of items skipped.

    A page, text or PDF file gives one document (id: the file name); a feed one per
    item, a dump one per record (ids: their URLs, or ``NAME#hash``). Raises
    :class:`DocumentError` with the reason when the file cannot be used at all.
    """
    p = Path(path)
    data = _read(p)
    return _from_bytes(data, kind=p.suffix.lower(), name=str(p), doc_id=p.name, path=str(p))


def load_document(path: str | Path) -> Document:
    """Read and parse one single-article file (.txt, .md, .html, .pdf).

    Raises :class:`DocumentError` with the reason if it can't be used, and for feeds
    and dumps, which hold many articles (use :func:`load_documents`).
    """
    p = Path(path)
    if p.suffix.lower() in (*_FEED, *_DUMP) and p.is_file():
        raise DocumentError(f"{p} holds many articles (a feed or a dump); load it with load_documents.")
    docs, _ = load_file(p)
    return docs[0]


_KINDS = {"html": ".html", "feed": ".xml", "pdf": ".pdf", "text": ".txt"}


def load_url(url: str) -> tuple[list[Document], list[tuple[str, str]]]:
    """Fetch one web page, feed or PDF (``rag.formats.web.fetch``) and load it.

    A page's or PDF's id is ``url`` as given, so fetching it again updates it; a
    feed's items have their own ids. Raises :class:`DocumentError` (one line, naming
    the URL) when it cannot be fetched or read.
    """
    from rag.formats.web import fetch

    url = url.strip()
    got = fetch(url)
    return _from_bytes(got.data, kind=_KINDS[got.kind], name=url, doc_id=url, url=got.url)


def _is_url(value: str | Path) -> bool:
    return isinstance(value, str) and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value.strip()) is not None


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
    """Load every ingestible file under ``paths``, and every ``http(s)://`` URL among them.

    Returns the documents and the ``(path, reason)`` of each file, URL, feed item or
    dump line that was skipped, so one bad input does not stop the others. Two files
    with the same name and different text are both loaded (the index gives the second
    a longer id, ``rag.indexing.assign_ids``); a copy with the same name and text, or
    two items with the same link, load once. Raises :class:`DocumentError` for a missing path,
    or when no path or URL is given or a folder holds no ingestible file.
    """
    urls = [str(p).strip() for p in paths if _is_url(p)]
    files = [p for p in paths if not _is_url(p)]
    docs: list[Document] = []
    skipped: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    missing = [p for p in files if not Path(p).exists()]
    if missing and (len(missing) < len(files) or urls):  # one missing path among others is one skip
        skipped.extend((str(p), f"Path {p} does not exist.") for p in missing)
        files = [p for p in files if Path(p).exists()]

    def add(found: list[Document], source: str) -> None:
        for doc in found:
            # Two files that share a name but not their text are two documents: the index
            # tells them apart by where they came from (``rag.indexing.assign_ids``). A copy
            # (same name, same text) or the same item twice is one.
            is_file = bool(doc.path) and doc.doc_id == Path(doc.path).name
            key = f"{doc.doc_id}\x00{doc.content_hash}" if is_file else doc.doc_id
            if key in seen:
                if seen[key] != source:
                    skipped.append((source, f"same article ({doc.doc_id}) as in {seen[key]}"))
                continue
            seen[key] = source
            docs.append(doc)

    for p in collect_paths(files) if files or not urls else []:
        try:
            found, bad = load_file(p)
        except DocumentError as exc:
            log.info("skipping %s: %s", p, exc)  # callers report skipped inputs (IngestReport.skipped)
            skipped.append((str(p), str(exc)))
            continue
        skipped.extend(bad)
        add(found, str(p))
    for url in urls:
        try:
            found, bad = load_url(url)
        except DocumentError as exc:
            log.info("skipping %s: %s", url, exc)
            skipped.append((url, str(exc)))
            continue
        skipped.extend(bad)
        add(found, url)
    return docs, skipped
