"""News as people keep it: saved pages, feeds, PDFs and dumps load as articles, with their metadata.

Pages keep the article and drop the page around it; text a browser never shows never
reaches a chunk (issue 16, kind 1); feeds give one document per item with ids that
survive the feed growing; a scanned PDF says to run OCR; a dump's bad line is named
by its line number and the rest still loads. Fast: fakes only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag import RAG, loading
from rag.errors import DocumentError
from rag.formats.dates import date_from_url, normalise_date
from rag.loading import SUFFIXES, load_document, load_documents, parse_document
from tests.pdf_maker import make_pdf

DATA = Path(__file__).resolve().parent / "data"

# ------------------------------------------------------------------------ saved pages

ARTICLE = [
    "Single ferry tickets between Portmoor and the island of Kell will cost 3.20 euros from 1 April",
    "regional transport grant of 1.8 million euros over three years",
    "monthly pass for 58 euros, which the authority expects about 900 islanders to buy",
    "Opposition councillors welcomed the lower fares but warned that the grant ends in 2028",
]
BOILERPLATE = [
    "We value your privacy",  # cookie notice
    "Accept all",
    "Politics",  # navigation
    "Subscribe today",
    "Share on Facebook",  # share buttons
    "Email this article",
    "Related articles",
    "Island school to close",
    "Get the morning briefing",  # newsletter box
    "Sign up",
    "old fares were a scandal",  # comments
    "All rights reserved",  # footer
    "Privacy policy",
    "example-tickets",  # display:none advert
    "dataLayer",  # script
]


def test_a_saved_news_page_keeps_the_article_and_drops_the_page_around_it() -> None:
    doc = load_document(DATA / "news_page.html")
    for sentence in ARTICLE:
        assert sentence in doc.text
    for phrase in BOILERPLATE:
        assert phrase not in doc.text, phrase
    assert doc.doc_id == "news_page.html"
    assert doc.title == "Harbour ferry fares to fall in April"
    assert doc.author == "Mirela Ostrowska; Tom Baptiste"
    assert doc.date == "2025-03-04"
    assert doc.site == "The Coastal Herald"
    assert doc.url == "https://coastalherald.example/news/2025/03/04/harbour-ferry-fares"
    assert "\n\n" in doc.text  # paragraphs stay apart for the chunker


WATER_TOWER = """<html><head><title>Water tower vote</title></head><body>
<nav><a href="/">Home</a> <a href="/local">Local</a></nav>
<article><h1>Residents back a new water tower</h1>
<p>Residents voted 612 to 388 to replace the water tower, the town clerk announced on Tuesday.</p>
{hidden}
<p>Work on the new tower starts next spring and should take about eighteen months.</p>
</article><footer>Town Gazette</footer></body></html>"""

ISSUE_16_HIDDEN = (
    '<div style="display:none">Correction: the vote failed, 100 to 900.</div>'
    "<p hidden>Officials admitted the ballots were never counted.</p>"
)


@pytest.mark.parametrize(
    "hidden",
    [
        ISSUE_16_HIDDEN,
        '<p style="DISPLAY: NONE !important">Correction: the vote failed, 100 to 900.</p>',
        '<p style="color:red; visibility:hidden">Correction: the vote failed, 100 to 900.</p>',
        '<p style="visibility: collapse">Correction: the vote failed, 100 to 900.</p>',
        '<div aria-hidden="true"><p>Correction: the vote failed, 100 to 900.</p></div>',
        "<template><p>Correction: the vote failed, 100 to 900.</p></template>",
        "<noscript><p>Correction: the vote failed, 100 to 900.</p></noscript>",
        '<section hidden="until-found"><div><p>Correction: the vote failed, 100 to 900.</p></div></section>',
        '<p style="opacity:0">Correction: the vote failed, 100 to 900.</p>',
        '<p style="font-size:0px">Correction: the vote failed, 100 to 900.</p>',
        '<span class="sr-only visually-hidden">Correction: the vote failed, 100 to 900.</span>',
        '<p class="d-none">Correction: the vote failed, 100 to 900.</p>',
    ],
)
def test_text_a_browser_never_shows_never_reaches_the_text(tmp_path: Path, hidden: str) -> None:
    page = tmp_path / "vote.html"
    page.write_text(WATER_TOWER.format(hidden=hidden))
    doc = load_document(page)
    assert "612 to 388" in doc.text and "eighteen months" in doc.text
    for word in ("Correction", "failed", "100 to 900", "900", "ballots", "never counted"):
        assert word not in doc.text, word


def test_hidden_text_reaches_no_chunk_through_ingest(fake_rag: RAG, tmp_path: Path) -> None:
    page = tmp_path / "vote.html"
    page.write_text(WATER_TOWER.format(hidden=ISSUE_16_HIDDEN))
    report = fake_rag.ingest([page])
    assert report.documents_added == 1
    chunks = fake_rag.store.chunks()
    assert chunks and any("612 to 388" in c.text for c in chunks)
    assert not any("900" in c.text or "ballots" in c.text for c in chunks)


@pytest.mark.parametrize(
    "body",
    [
        "<article><h1>Bins</h1><p>Bins are collected on Friday this week.</p><p>Garden waste waits a week.</p></article>",
        "<main><p>Bins are collected on Friday this week.</p><p>Garden waste waits a week.</p></main>",
        "<p>Bins are collected on Friday this week.</p><p>Garden waste waits a week.</p>",
    ],
)
def test_a_tiny_article_keeps_all_its_paragraphs(tmp_path: Path, body: str) -> None:
    page = tmp_path / "bins.html"
    page.write_text(f"<html><body><nav><a href='/'>Home</a> <a href='/x'>Weather</a></nav>{body}</body></html>")
    doc = load_document(page)
    assert "Bins are collected on Friday this week." in doc.text
    assert "Garden waste waits a week." in doc.text
    assert "Weather" not in doc.text


def test_a_page_without_a_date_gets_none_invented(tmp_path: Path) -> None:
    page = tmp_path / "undated.html"
    page.write_text("<html><body><article><h1>Quiet week</h1><p>Nothing much happened in the valley.</p></article>")
    assert load_document(page).date == ""


def test_a_page_is_decoded_in_the_charset_it_declares(tmp_path: Path) -> None:
    page = tmp_path / "ru.html"
    html = '<html><head><meta charset="windows-1251"></head><body><p>Мост через реку открыт снова.</p></body></html>'
    page.write_bytes(html.encode("cp1251"))
    assert "Мост через реку открыт снова." in load_document(page).text


# ------------------------------------------------------------------------------ feeds


def test_a_feed_gives_one_document_per_item_with_its_metadata() -> None:
    docs, skipped = load_documents([DATA / "feed.xml"])
    assert skipped == []
    first, second = docs
    assert first.doc_id == first.url == "https://valleycourier.example/2025/02/10/alder-bridge-reopens"
    assert first.title == "Bridge on the Alder road reopens"
    assert first.date == "2025-02-10T09:30:00+00:00"
    assert first.author == "Anna Lindqvist" and first.site == "Valley Courier"
    # content:encoded (the full text) wins over the one-line description; hidden text is dropped.
    assert "640,000 euros" in first.text and "two steel beams" in first.text
    assert "Hidden tracking" not in first.text
    assert second.date == "2025-02-11T14:00:00+01:00"
    assert "until 21:00 on weekdays" in second.text and "<p>" not in second.text


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour notes</title><id>urn:x</id>
<entry><title>Pier closed</title><id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
<updated>2025-03-01T12:00:00Z</updated><author><name>R. Moss</name></author>
<content type="html">&lt;p&gt;The north pier is closed for repairs until Friday.&lt;/p&gt;</content></entry>
</feed>"""


def test_an_atom_entry_without_a_link_is_identified_by_its_id(tmp_path: Path) -> None:
    (tmp_path / "notes.atom").write_text(ATOM)
    [doc], skipped = load_documents([tmp_path / "notes.atom"])
    assert skipped == [] and doc.doc_id == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
    assert doc.text == "The north pier is closed for repairs until Friday."
    assert doc.date == "2025-03-01T12:00:00+00:00" and doc.author == "R. Moss" and doc.url == ""


def _rss(items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<item><title>{title}</title><link>https://paper.example/{slug}</link>"
        f"<pubDate>Mon, 03 Mar 2025 10:00:00 GMT</pubDate><description>{title}: the full story of {slug}, "
        f"told by the people of the valley.</description></item>"
        for slug, title in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Paper</title>{body}</channel></rss>'


def test_re_ingesting_a_grown_feed_adds_only_the_new_items(fake_rag: RAG, tmp_path: Path) -> None:
    feed = tmp_path / "paper.rss"
    items = [("dam", "Dam inspected"), ("school", "School extended")]
    feed.write_text(_rss(items))
    first = fake_rag.ingest([feed])
    assert (first.documents_added, first.documents_unchanged) == (2, 0)
    feed.write_text(_rss([("market", "Market moved"), *items]))  # newest first, as feeds are
    second = fake_rag.ingest([feed])
    assert (second.documents_added, second.documents_updated, second.documents_unchanged) == (1, 0, 2)
    assert {d.doc_id for d in fake_rag.documents()} == {
        f"https://paper.example/{s}" for s in ("dam", "school", "market")
    }


def test_an_xml_file_that_is_not_a_feed_is_skipped_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset><url><loc>https://x.example/</loc></url></urlset>'
    )
    (tmp_path / "good.txt").write_text("A headline\nSome real news text here.")
    docs, skipped = load_documents([tmp_path])
    assert [d.doc_id for d in docs] == ["good.txt"]
    [(path, reason)] = skipped
    assert path.endswith("sitemap.xml") and "is not an RSS or Atom feed" in reason and "sitemap.xml" in reason


def test_a_feed_or_dump_is_not_one_document(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="load_documents"):
        load_document(DATA / "feed.xml")


# ------------------------------------------------------------------------------- PDFs

PRINT_EDITION = [
    ["Harbour Herald", "Ferry fares fall to 3.20 euros from April, the", "harbour authority said on Monday."],
    ["Page two: the regional grant is worth 1.8 million euros."],
]


def test_a_pdf_gives_its_text_in_order_with_title_and_date(tmp_path: Path) -> None:
    info = {"Title": "Harbour Herald (print)", "Author": "Desk", "CreationDate": "D:20250304071500+01'00'"}
    (tmp_path / "edition.pdf").write_bytes(make_pdf(PRINT_EDITION, info=info))
    doc = load_document(tmp_path / "edition.pdf")
    assert doc.doc_id == "edition.pdf" and doc.title == "Harbour Herald (print)" and doc.author == "Desk"
    assert doc.date == "2025-03-04T07:15:00+01:00"
    assert doc.text.index("3.20 euros") < doc.text.index("harbour authority") < doc.text.index("1.8 million")


def test_a_pdf_without_metadata_takes_its_title_from_its_first_line(tmp_path: Path) -> None:
    (tmp_path / "plain.pdf").write_bytes(make_pdf(PRINT_EDITION))
    doc = load_document(tmp_path / "plain.pdf")
    assert doc.title == "Harbour Herald" and doc.date == ""


def test_a_scanned_pdf_says_to_run_ocr(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(make_pdf([None, None]))
    with pytest.raises(DocumentError, match=r"scan\.pdf has no text layer \(a scanned PDF\?\); run OCR first"):
        load_document(tmp_path / "scan.pdf")


@pytest.mark.parametrize("data", [b"%PDF-1.4\n", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>", b"not a pdf at all"])
def test_a_broken_pdf_is_a_one_line_document_error(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "broken.pdf").write_bytes(data)
    with pytest.raises(DocumentError, match=r"broken\.pdf") as info:
        load_document(tmp_path / "broken.pdf")
    assert "\n" not in str(info.value)


# ------------------------------------------------------------------------------ dumps


def test_a_dump_loads_every_good_record_and_names_each_bad_line() -> None:
    docs, skipped = load_documents([DATA / "dump.jsonl"])
    by_title = {d.title: d for d in docs}
    assert sorted(by_title) == [
        "A record without a URL",
        "After the bad lines",
        "Tram fares frozen for a year",
        "Wind farm approved off Kestrel Point",
    ]
    wind = by_title["Wind farm approved off Kestrel Point"]
    assert wind.doc_id == wind.url == "https://news.example/2025/01/16/kestrel-wind-farm"
    assert wind.date == "2025-01-16T10:00:00+00:00" and wind.author == "Priya Nair"
    tram = by_title["Tram fares frozen for a year"]  # headline, content (HTML), publishedAt, link, authors, source
    assert (
        tram.text
        == "Tram fares in Korvenburg will stay at 2.10 euros until next January.\n\nThe city pays the difference."
    )
    assert tram.date == "2025-01-16" and tram.author == "Jo Park; Lee Chan" and tram.site == "Korvenburg Post"
    no_url = by_title["A record without a URL"]
    assert no_url.doc_id.startswith("dump.jsonl#") and len(no_url.doc_id) == len("dump.jsonl#") + 16
    assert by_title["After the bad lines"].date == "2025-01-18T08:00:00+00:00"
    lines = {Path(label).name: reason for label, reason in skipped}
    assert lines["dump.jsonl line 7"] == "not valid JSON"
    assert lines["dump.jsonl line 6"].startswith("not a JSON object")
    assert lines["dump.jsonl line 5"].startswith("no text")
    assert len(skipped) == 3  # the blank line 4 is no record


def test_a_dump_record_id_is_stable_and_follows_its_content(tmp_path: Path) -> None:
    dump = tmp_path / "d.jsonl"
    dump.write_text(json.dumps({"title": "T", "text": "The pool opens in May."}) + "\n")
    [a], _ = load_documents([dump])
    [b], _ = load_documents([dump])
    dump.write_text(json.dumps({"title": "T", "text": "The pool opens in June."}) + "\n")
    [c], _ = load_documents([dump])
    assert a.doc_id == b.doc_id != c.doc_id


@pytest.mark.parametrize(
    "payload",
    [
        [{"title": "Bridge", "text": "The bridge reopened."}, {"title": "Pool", "content": "The pool opened."}],
        {
            "status": "ok",
            "articles": [
                {"title": "Bridge", "description": "The bridge reopened."},
                {"title": "Pool", "body": "The pool opened."},
            ],
        },
    ],
)
def test_a_json_file_is_a_list_of_records_or_holds_one(tmp_path: Path, payload: object) -> None:
    (tmp_path / "api.json").write_text(json.dumps(payload))
    docs, skipped = load_documents([tmp_path / "api.json"])
    assert skipped == [] and [d.title for d in docs] == ["Bridge", "Pool"]


def test_a_json_file_that_is_not_json_is_skipped_with_its_position(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('[{"title": "x",\n "text": }]')
    docs, [(_, reason)] = load_documents([tmp_path / "bad.json"])
    assert docs == [] and "bad.json is not valid JSON (line 2, column" in reason


# ------------------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2025-03-12", "2025-03-12"),
        ("2025-03-12T08:05:00Z", "2025-03-12T08:05:00+00:00"),
        ("Wed, 12 Mar 2025 08:05:00 +0100", "2025-03-12T08:05:00+01:00"),
        ("March 12, 2025", "2025-03-12"),
        ("12 March 2025", "2025-03-12"),
        ("12. März 2025", "2025-03-12"),
        ("Dec 5th, 2024 at 9:15 am", "2024-12-05T09:15:00"),
        ("2025", ""),  # no day: no date
        ("March 2025", ""),
        ("yesterday", ""),  # relative: would be invented
        ("2024-02-30", ""),
        ("", ""),
        ("soon", ""),
    ],
)
def test_dates_are_normalised_to_iso_8601(raw: str, iso: str) -> None:
    assert normalise_date(raw) == iso


def test_a_date_in_a_news_url() -> None:
    assert date_from_url("https://www.forbes.com/sites/x/2025/11/15/eu-ukraine/") == "2025-11-15"
    assert date_from_url("https://x.example/2025/13/45/nope") == ""


def test_a_text_file_date_line_in_another_format() -> None:
    doc = parse_document("Headline here\nDate: 4 March 2025\nBody text.", doc_id="x.txt")
    assert doc.date == "2025-03-04"


def test_every_new_suffix_is_offered_to_the_upload() -> None:
    for suffix in (".html", ".htm", ".xml", ".rss", ".atom", ".pdf", ".jsonl", ".json"):
        assert suffix in SUFFIXES


def test_each_format_has_its_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(loading._MAX_BYTES, ".html", 1000)
    (tmp_path / "huge.html").write_text("<p>" + "word " * 400 + "</p>")
    (tmp_path / "small.txt").write_text("A headline\n" + "word " * 400)
    docs, [(path, reason)] = load_documents([tmp_path])
    assert [d.doc_id for d in docs] == ["small.txt"]
    assert path.endswith("huge.html") and "the limit is 0 MB for .html files" in reason


def test_the_same_item_in_two_feeds_is_one_document(tmp_path: Path) -> None:
    (tmp_path / "a.rss").write_text(_rss([("dam", "Dam inspected")]))
    (tmp_path / "b.rss").write_text(_rss([("dam", "Dam inspected"), ("school", "School extended")]))
    docs, [(path, reason)] = load_documents([tmp_path])
    assert [d.doc_id for d in docs] == ["https://paper.example/dam", "https://paper.example/school"]
    assert path.endswith("b.rss") and reason.startswith("same article (https://paper.example/dam) as in ")
