"""Article dumps (JSON lines, JSON lists) to one :class:`Document` per record.

The field rule: keys are compared without case, ``_``, ``-`` or spaces
(``published_at`` = ``publishedAt``), and the first key present with a value wins:

==========  ==================================================================
field       keys, in order
==========  ==================================================================
text        text, content, body, article, articlebody, maintext, fulltext, description
title       title, headline
date        date, published, publishedat, pubdate, datetime, datepublished, datepublish
url         url, link, canonicalurl, permalink
author      author, authors, byline, creator
site        site, sitename, source, sourcedomain, publisher
==========  ==================================================================

A value may be a string, a list of strings (joined), or an object with ``rendered``
(WordPress) or ``name`` (NewsAPI's ``source``, schema.org's ``author``); text that
holds HTML is reduced to its visible text. A ``.json`` file is a list of records, an
object holding the list under ``articles``, ``items``, ``results``, ``data``,
``documents``, ``entries`` or ``posts``, or a single record.

A record's id is its URL, else the dump's file name, ``#`` and a hash of its text. A line or record that
cannot be used is reported as skipped, named by its line or position, and the rest of
the file still loads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from rag.errors import DocumentError
from rag.formats.common import build_document, is_web_url, short_hash
from rag.formats.dates import normalise_date
from rag.formats.html import fragment_to_text
from rag.types import Document

__all__ = ["FIELDS", "parse_dump"]

FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "body", "article", "articlebody", "maintext", "fulltext", "description"),
    "title": ("title", "headline"),
    "date": ("date", "published", "publishedat", "pubdate", "datetime", "datepublished", "datepublish"),
    "url": ("url", "link", "canonicalurl", "permalink"),
    "author": ("author", "authors", "byline", "creator"),
    "site": ("site", "sitename", "source", "sourcedomain", "publisher"),
}
_LIST_KEYS = ("articles", "items", "results", "data", "documents", "entries", "posts")
_HTML_TAG = re.compile(r"<(?:p|div|br|span|a|h[1-6]|li|em|strong|b|i|article|section)\b", re.I)


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).lower()


def _as_text(value: Any, *, depth: int = 0) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or value is None or depth > 3:
        return ""
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "\n\n".join(t for t in (_as_text(v, depth=depth + 1) for v in value[:1000]) if t)
    if isinstance(value, dict):
        for key in ("rendered", "name", "value", "text"):
            if key in value:
                return _as_text(value[key], depth=depth + 1)
    return ""


def _field(record: dict[str, Any], field: str) -> str:
    keys = {_key(k): v for k, v in record.items() if isinstance(k, str)}
    for name in FIELDS[field]:
        if name in keys:
            text = _as_text(keys[name])
            if text:
                if field == "author":
                    text = text.replace("\n\n", "; ")
                return text
    return ""


def record_to_document(record: Any, *, source_id: str, label: str, path: str = "") -> Document:
    """One dump record as a document; raises :class:`DocumentError` naming ``label`` if unusable.

    Its id is its URL, else ``source_id#`` and a hash of its text.
    """
    if not isinstance(record, dict):
        raise DocumentError(f"{label}: not a JSON object (a record is {{'title': ..., 'text': ...}}).")
    text = _field(record, "text")
    if _HTML_TAG.search(text):
        text = fragment_to_text(text, name=label)
    if not re.search(r"\w", text):
        raise DocumentError(f"{label}: no text (looked for {', '.join(FIELDS['text'])}).")
    url = _field(record, "url")
    url = url if is_web_url(url) else ""
    title = _field(record, "title")
    if "<" in title:
        title = fragment_to_text(title, name=label).replace("\n", " ")
    return build_document(
        text,
        doc_id=url or f"{source_id}#{short_hash(text)}",
        name=label,
        path=path,
        title=title,
        url=url,
        date=normalise_date(_field(record, "date")),
        author=_field(record, "author"),
        site=_field(record, "site"),
    )


def _records(text: str, *, name: str, jsonl: bool) -> Iterator[tuple[str, Any]]:
    """(label, parsed record or the reason it is unusable) for each record of a dump."""
    if jsonl:
        for n, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                yield f"{name} line {n}", json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                yield f"{name} line {n}", DocumentError(f"{name} line {n}: not valid JSON")
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    except RecursionError:
        raise DocumentError(f"{name} is nested too deeply to be an article dump.") from None
    if isinstance(data, dict):
        lists = [data[k] for k in data if isinstance(k, str) and _key(k) in _LIST_KEYS and isinstance(data[k], list)]
        data = lists[0] if lists else [data]
    if not isinstance(data, list):
        raise DocumentError(f"{name} holds a JSON {type(data).__name__}, not a list of articles.")
    for n, record in enumerate(data, start=1):
        yield f"{name} record {n}", record


def parse_dump(
    text: str, *, name: str, source_id: str = "", path: str = "", jsonl: bool = True
) -> tuple[list[Document], list[tuple[str, str]]]:
    """The records of a dump as documents, and ``(label, reason)`` for each record skipped.

    ``name`` names the dump in messages, ``source_id`` (default: ``name``) prefixes the
    ids of records without a URL.

    ``label`` is ``"NAME line N"`` (JSON lines) or ``"NAME record N"`` (JSON). Raises
    :class:`DocumentError` when a ``.json`` file is not JSON or holds no list of records.
    """
    docs: list[Document] = []
    skipped: list[tuple[str, str]] = []
    for label, record in _records(text, name=name, jsonl=jsonl):
        try:
            if isinstance(record, DocumentError):
                raise record
            docs.append(record_to_document(record, source_id=source_id or name, label=label, path=path))
        except DocumentError as exc:
            reason = str(exc)
            skipped.append((label, reason.removeprefix(f"{label}: ")))
    return docs, skipped
