"""The new parsers on random input, property-based: a document, a skipped item, or a DocumentError.

Hypothesis feeds random bytes and text (and near-valid feeds, dumps and PDFs) to every
format's parser; none may raise anything but :class:`DocumentError`, and whatever
loads obeys the loader's contract (words in the text, an ISO date or none, no markup
in a page's text). Generated cases per run: 6 tests, 510 in all (a tenth under ``HYPOTHESIS_PROFILE=fast``). Fast: no network
(URL fetching is tested against a loopback server in test_fetch.py).
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.errors import DocumentError
from rag.formats.dates import normalise_date
from rag.formats.dumps import parse_dump
from rag.formats.feeds import parse_feed
from rag.formats.html import fragment_to_text, page_to_text
from rag.formats.pdf import parse_pdf
from rag.loading import load_documents
from rag.types import Document
from tests.conftest import examples
from tests.pdf_maker import make_pdf

FAST = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
_ISO = re.compile(r"^\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d([+-]\d\d:\d\d)?)?$")


def _check(docs: list[Document], skipped: list[tuple[str, str]]) -> None:
    for doc in docs:
        assert re.search(r"\w", doc.text) and doc.doc_id and len(doc.title) <= 300
        assert doc.date == "" or _ISO.match(doc.date), doc.date
    assert all(label and reason for label, reason in skipped)


@settings(max_examples=examples(100), **FAST)
@given(raw=st.text(max_size=80) | st.sampled_from(["2025-02-29", "31/02/2025", "Mon, 99 Foo 2025", "0000-00-00"]))
def test_any_date_string_gives_iso_or_nothing(raw: str) -> None:
    out = normalise_date(raw)
    assert out == "" or _ISO.match(out), out


_FEED_PARTS = [
    '<?xml version="1.0"?>',
    '<rss version="2.0">',
    "<channel><title>T</title>",
    "<item>",
    "<title>Bridge &amp; road</title>",
    "<link>https://x.example/a</link>",
    "<link>javascript:alert(1)</link>",
    "<guid>g1</guid>",
    "<pubDate>Mon, 10 Feb 2025 09:30:00 +0000</pubDate>",
    "<pubDate>not a date</pubDate>",
    "<description>The bridge reopened.</description>",
    "<description><![CDATA[<p hidden>x</p><script>alert(1)</script>]]></description>",
    "</item>",
    "</channel></rss>",
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    "<entry><id>e</id><content type='html'>&lt;p&gt;Text&lt;/p&gt;</content></entry>",
    "</feed>",
    "<!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>]>",
]


@settings(max_examples=examples(100), **FAST)
@given(parts=st.lists(st.sampled_from(_FEED_PARTS) | st.text(max_size=40), max_size=25), noise=st.binary(max_size=50))
def test_random_feeds_give_items_or_a_document_error(parts: list[str], noise: bytes) -> None:
    data = "".join(parts).encode("utf-8", errors="replace") + noise
    try:
        docs, skipped = parse_feed(data, name="f.xml")
    except DocumentError as exc:
        assert "f.xml" in str(exc)
        return
    _check(docs, skipped)
    assert all("<script" not in d.text and "javascript:" not in d.url for d in docs)


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
_KEYS = st.sampled_from(["title", "text", "content", "body", "Published_At", "url", "link", "authors", "source", "x"])


@settings(max_examples=examples(100), **FAST)
@given(
    records=st.lists(st.dictionaries(_KEYS, _VALUES, max_size=6) | _VALUES, max_size=6),
    garbage=st.lists(st.text(max_size=30), max_size=3),
    jsonl=st.booleans(),
)
def test_random_dumps_load_good_records_and_name_the_rest(
    records: list[object], garbage: list[str], jsonl: bool
) -> None:
    lines = [json.dumps(r) for r in records] + garbage
    text = "\n".join(lines) if jsonl else json.dumps(records)
    try:
        docs, skipped = parse_dump(text, name="d.jsonl", jsonl=jsonl)
    except DocumentError as exc:
        assert not jsonl and "d.jsonl" in str(exc)
        return
    _check(docs, skipped)
    assert all(label.startswith("d.jsonl ") for label, _ in skipped)


@settings(max_examples=examples(60), **FAST)
@given(
    lines=st.lists(
        st.text(alphabet=st.characters(codec="latin-1", exclude_categories=["Cc"]), max_size=50), max_size=6
    ),
    cut=st.integers(0, 4000),
    flip=st.integers(0, 4000),
)
def test_random_and_damaged_pdfs_give_a_document_or_a_document_error(lines: list[str], cut: int, flip: int) -> None:
    data = bytearray(make_pdf([lines or None], info={"Title": "T", "CreationDate": "D:2025"}))
    if flip < len(data):
        data[flip] ^= 0xFF
    data = data[: max(cut, 9)] if cut < len(data) else data
    try:
        doc = parse_pdf(bytes(data), name="p.pdf", doc_id="p.pdf")
    except DocumentError as exc:
        assert "p.pdf" in str(exc) and "\n" not in str(exc)
        return
    _check([doc], [])


_TAGS = [
    "<article>",
    "</article>",
    "<p>",
    "</p>",
    "<nav>Menu</nav>",
    '<div style="display:none">',
    "</div>",
    "<p hidden>",
    "<template>",
    "</template>",
    "<time datetime='2025-13-45'>",
    "<meta property='article:published_time' content='x'>",
    "<h1>",
    "</h1>",
    "<script type='application/ld+json'>{\"datePublished\": 7}</script>",
    "<table><tr><td>",
    "&amp;",
    "<",
]


@settings(max_examples=examples(100), **FAST)
@given(parts=st.lists(st.sampled_from(_TAGS) | st.text(max_size=30), max_size=30))
def test_random_pages_and_fragments_give_text_without_markup(parts: list[str]) -> None:
    source = "".join(parts)
    try:
        page = page_to_text(source)
    except DocumentError:
        return
    assert page.date == "" or _ISO.match(page.date)
    for text in (page.text, fragment_to_text(source)):
        assert "<script" not in text and "<p" not in text and "<div" not in text


@settings(max_examples=examples(50), **FAST)
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".xml", ".rss", ".atom", ".pdf", ".jsonl", ".json"]))
def test_random_bytes_under_any_new_suffix_never_stop_a_folder(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"x{suffix}").write_bytes(data)
        (Path(tmp) / "good.txt").write_text("A headline\nSome real news text here.")
        docs, skipped = load_documents([tmp])
    assert "good.txt" in {d.doc_id for d in docs}
    _check(docs, skipped)
