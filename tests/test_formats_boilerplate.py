"""Saved pages lose the furniture their markup names, keep the article, and stay below a measured boilerplate share.

The share test is a regression guard on the held-out pages of ``eval/pages/heldout``
(measured by ``eval/measure_boilerplate.py``), set a little above what was measured
(eval/RESULTS.md); it is not the issue's ≤ 2 % target, which the held-out set does
not meet. Fast: no models.
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


def test_held_out_pages_keep_the_article_and_at_most_the_measured_boilerplate_share() -> None:
    measure = _measure()
    *_, total = measure.measure_set(measure.SETS["held-out"], old=False)
    _, n_article, n_boilerplate, _, _, article_kept, boilerplate_kept = total
    assert n_article > 900 and n_boilerplate > 1000  # the nine held-out pages are all there
    assert article_kept >= 0.98
    assert boilerplate_kept <= 0.18  # measured 16.0 % (eval/RESULTS.md)
