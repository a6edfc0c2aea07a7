"""RSS and Atom feeds to one :class:`Document` per item, with ``feedparser``.

An item's text is its full content (``content:encoded`` or Atom ``<content>``), else its
summary, reduced to visible text by :func:`rag.formats.html.fragment_to_text` (hidden
elements dropped). Its id is its link, else its ``guid``/``id``, else a hash of its
title and text, so the same item keeps its id when the feed is read again later and
re-ingesting a feed that gained items adds only the new ones.

It does not follow an item's link (the article page is fetched only when the user
names its URL), and feedparser is given the bytes, never a name it could open or fetch.
"""

from __future__ import annotations

import io
import logging
import time
from datetime import UTC, datetime
from typing import Any

from rag.errors import DocumentError
from rag.formats.common import build_document, is_web_url, short_hash
from rag.formats.dates import format_datetime, normalise_date
from rag.formats.html import fragment_to_text
from rag.types import Document

__all__ = ["looks_like_feed", "parse_feed"]

log = logging.getLogger(__name__)


def looks_like_feed(data: bytes) -> bool:
    """True when the first KB of ``data`` opens an RSS, RDF or Atom document."""
    head = data[:1024].lstrip().lower()
    return any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf"))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _item_text(entry: Any, name: str) -> str:
    # The longest of the item's content blocks is the full article; summaries are teasers.
    candidates = [c for c in entry.get("content") or [] if _text(c.get("value"))]
    if candidates:
        best = max(candidates, key=lambda c: len(c.get("value", "")))
        value, kind = best["value"], best.get("type", "text/html")
    else:
        detail = entry.get("summary_detail") or {}
        value, kind = _text(entry.get("summary")), detail.get("type", "text/html")
    if not value:
        return ""
    if "html" in kind or "<" in value:
        return fragment_to_text(value, name=name)
    return str(value)


def _item_date(entry: Any) -> str:
    for key in ("published", "updated", "created"):
        found = normalise_date(_text(entry.get(key)))
        if found:
            return found
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if isinstance(parsed, time.struct_time):
            try:
                return format_datetime(datetime(*parsed[:6], tzinfo=UTC))
            except (ValueError, OverflowError):
                continue
    return ""


def _item_author(entry: Any) -> str:
    names = [_text(a.get("name")) for a in entry.get("authors") or [] if isinstance(a, dict)]
    names = [n for n in names if n]
    return "; ".join(names) if names else _text(entry.get("author"))


def parse_feed(
    data: bytes, *, name: str, source_id: str = "", path: str = ""
) -> tuple[list[Document], list[tuple[str, str]]]:
    """The items of an RSS/Atom feed as documents, and ``(item, reason)`` for items skipped.

    ``name`` names the feed in messages (its path or URL); ``source_id`` (default:
    ``name``) prefixes the ids of items with neither link nor guid. Raises
    :class:`DocumentError` when ``data`` is not a feed or has no items.
    """
    import feedparser

    try:
        # Bytes in a stream: feedparser treats a str as a URL or file name to open.
        parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    except Exception as exc:  # a parser of untrusted bytes: any failure means "malformed"
        raise DocumentError(f"{name} could not be read as a feed: {type(exc).__name__}.") from None
    entries = parsed.get("entries") or []
    if not parsed.get("version") and not entries:
        reason = parsed.get("bozo_exception")
        detail = f" ({str(reason).splitlines()[0][:120]})" if reason else ""
        raise DocumentError(f"{name} is not an RSS or Atom feed{detail}.")
    if not entries:
        raise DocumentError(f"{name} is a feed with no items.")
    site = _text(parsed.get("feed", {}).get("title"))
    docs: list[Document] = []
    skipped: list[tuple[str, str]] = []
    for n, entry in enumerate(entries, start=1):
        label = f"{name} item {n}"
        link, guid = _text(entry.get("link")), _text(entry.get("id"))
        title = _text(entry.get("title"))
        if "<" in title:
            title = fragment_to_text(title, name=label).replace("\n", " ")
        text = _item_text(entry, label)
        if link and is_web_url(link):
            doc_id = link
        elif guid:
            doc_id = guid
        else:
            doc_id = f"{source_id or name}#{short_hash(title + chr(10) + text)}"
        try:
            docs.append(
                build_document(
                    text,
                    doc_id=doc_id,
                    name=label,
                    path=path,
                    title=title,
                    url=link if is_web_url(link) else "",
                    date=_item_date(entry),
                    author=_item_author(entry),
                    site=site,
                )
            )
        except DocumentError:
            skipped.append((label, f"has no text (no content or summary){': ' + title if title else ''}"))
    return docs, skipped
