"""Saved pages lose the furniture their markup names, keep the article, and stay below a measured boilerplate share.

The share tests are regression guards on each page set of ``eval/pages`` (measured by
``eval/measure_boilerplate.py``), set a little above what was measured (eval/RESULTS.md);
they are not the issue's ≤ 2 % target, which the last blind held-out set does not meet.
Fast: no models.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from rag.formats.html import page_to_text

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (
    "The harbour board approved a new slipway for the lifeboat station on Tuesday. "
    "Work on the 400,000 pound slipway starts in June and takes about ten weeks."
)
SECOND = "Crew members will launch from the old pier until the slipway is finished in the autumn."


def _measure() -> ModuleType:
    spec = importlib.util.spec_from_file_location("measure_boilerplate", ROOT / "eval" / "measure_boilerplate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _page(inside: str, *, title: str = "New slipway for the lifeboat station", head: str = "") -> str:
    return (
        f"<html><head><title>{title}</title>{head}</head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>New slipway for the lifeboat station</h1><p>{ARTICLE}</p>{inside}<p>{SECOND}</p></article>"
        "<footer>Harbour Gazette</footer></body></html>"
    )


@pytest.mark.parametrize(
    ("furniture", "words"),
    [
        (
            '<figure><img src="a.jpg"><figcaption>The old slipway at low tide. Photograph: Ann Lee</figcaption></figure>',
            "Photograph",
        ),
        (
            '<div class="newsletter-signup"><p>Get the Harbour Gazette newsletter every Friday morning.</p></div>',
            "newsletter",
        ),
        ('<p class="story-credit">Reporting by Ann Lee; Editing by Tom Hart</p>', "Editing"),
        (
            '<div class="kg-cta-card"><p>Enjoying the Gazette? Forward it to a friend who loves boats.</p></div>',
            "Forward",
        ),
        ("<aside><p>Read more: Ferry timetable changes for the winter season</p></aside>", "timetable"),
        ('<div class="sharedaddy"><p>Share this: Twitter Facebook Print Email</p></div>', "Twitter"),
        ('<p class="dek">A long-awaited fix for the volunteers who launch in all weathers</p>', "volunteers"),
        (
            '<div class="ArticlePage-byline"><p>By Ann Lee, harbour reporter and lifeboat volunteer</p></div>',
            "reporter",
        ),
        ("<p><i>Friday 21 November 2025</i></p>", "November"),
        ("<p>Associated Press writer Kim Dalton in Salt Lake City contributed to this report.</p>", "Dalton"),
        ('<div class="body-para">Reporting by Ann Lee; Writing by Tom Hart; Editing by Jo Roy</div>', "Writing"),
        ("<p><em>Contributing: Lena Ortiz, Harbour Gazette</em></p>", "Ortiz"),
        (
            '<div><h4>Never miss a story</h4><p>The Gazette in your inbox.</p><form><input type="email"></form></div>',
            "inbox",
        ),
        ('<div><p>Thank you for reading.</p><a href="/subscribe/">Subscribe now for one pound</a></div>', "Thank"),
        ('<p><strong>READ MORE: <a href="/x">Ferry fares frozen for two years</a></strong></p>', "Ferry"),
    ],
)
def test_furniture_the_markup_names_inside_the_article_never_reaches_the_text(furniture: str, words: str) -> None:
    page = page_to_text(_page(furniture))
    assert words not in page.text
    assert ARTICLE in page.text and SECOND in page.text


def test_an_article_wrapped_in_a_furniture_named_element_is_kept() -> None:
    # A theme that wraps the whole post in class="post-meta-wrap": half the page's words or more is never furniture.
    html = (
        f"<html><body><div class='post-meta-wrap'><h1>Slipway</h1><p>{ARTICLE}</p><p>{SECOND}</p></div></body></html>"
    )
    page = page_to_text(html)
    assert ARTICLE in page.text and SECOND in page.text


@pytest.mark.parametrize(
    ("title", "head", "expected"),
    [
        ("Harbour Gazette - New slipway for the lifeboat station", "", "New slipway for the lifeboat station"),
        ("New slipway for the lifeboat station | Harbour Gazette", "", "New slipway for the lifeboat station"),
        ("Gazette", '<meta property="og:title" content="Slipway approved">', "Slipway approved"),
    ],
)
def test_the_title_is_the_headline_without_the_site_name(title: str, head: str, expected: str) -> None:
    assert page_to_text(_page("", title=title, head=head)).title == expected


def test_a_layout_table_keeps_its_article_and_loses_its_menu_column() -> None:
    menu = "<td>Sections<br><a href='/a'>News</a><br><a href='/b'>Sport</a><br><a href='/c'>Farming</a></td>"
    html = (
        f"<html><head><title>Herald - News</title></head><body><table><tr>{menu}"
        f"<td><p><b>Slipway approved</b></p><p>{ARTICLE}</p><p>{SECOND}</p></td></tr></table></body></html>"
    )
    text = page_to_text(html).text
    assert ARTICLE in text and SECOND in text
    assert "Farming" not in text and "|" not in text


# Measured on the committed pages (eval/RESULTS.md, round three), plus a little room.
MEASURED_SHARES = {
    "tuning": (0.006, 0.012),
    "held-out 1": (0.002, 0.01),
    "held-out 2": (0.074, 0.09),
    "held-out 3": (0.123, 0.14),
}


@pytest.mark.parametrize("page_set", sorted(MEASURED_SHARES))
def test_each_page_set_keeps_the_article_and_at_most_its_measured_boilerplate_share(page_set: str) -> None:
    measure = _measure()
    rows = measure.measure_set(measure.SETS[page_set], old=False)
    *pages, (_, n_article, n_boilerplate, _, _, article_kept, boilerplate_kept) = rows
    assert len(pages) >= 5 and n_article > 400 and n_boilerplate > 400
    assert article_kept >= 0.98
    assert boilerplate_kept <= MEASURED_SHARES[page_set][1]


def test_authors_and_date_are_still_read_from_the_byline_and_dateline_the_text_loses() -> None:
    byline = (
        '<div class="entry-meta"><span class="byline">By <span class="author vcard"><a rel="author" href="/a">Ann Lee</a>'
        '</span></span> <time class="entry-date published" datetime="2025-06-02T09:12:44+00:00">2 June 2025</time></div>'
    )
    page = page_to_text(_page(byline))
    assert page.authors == "Ann Lee"
    assert page.date.startswith("2025-06-02")
    assert "Ann Lee" not in page.text and "2 June 2025" not in page.text
