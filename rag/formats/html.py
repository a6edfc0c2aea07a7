"""Saved web pages to article text: hidden content dropped, boilerplate removed, metadata read.

Four steps, the extraction and metadata by libraries made for them:

1. ``lxml`` parses the page, and every element a browser never shows is removed
   (``hidden``, ``aria-hidden="true"``, ``style="display:none"``/``visibility:hidden``
   and the like, ``<template>``, ``<noscript>``, common "hidden" utility classes), so
   no later step can keep its text.
2. Furniture the markup itself names is removed, by structure, never by a page's
   words: layout tables become ``<div>``s, link-dense blocks and pull quotes go, and
   so do ``<figcaption>``/``<aside>``, elements whose class, id or component name says
   newsletter, share, promo, related, credit, standfirst, byline, comments, ad and the
   like (``_FURNITURE_PARTS``), e-mail sign-up boxes, boxes linking to subscribe or
   donate pages, and lines that are only a dateline, byline, wire credit ("Reporting
   by …", "… contributed to this report") or copyright notice.
3. ``trafilatura`` (``favor_precision``) keeps the main article text: navigation,
   cookie notices, share buttons, "related articles" lists, comments and footers go.
4. ``trafilatura`` (with ``htmldate`` for the date) reads title, authors, publication
   date, site name and canonical URL from meta tags, JSON-LD and ``<time>``.

trafilatura drops short pages and lone paragraphs it cannot tell from boilerplate, and
keeps a short page's menu with its article. So the visible paragraphs of the page's
``<article>``/``<main>`` (or of its body without ``nav``/``footer``/``aside``) are kept
instead when trafilatura keeps nothing, less than half of them, or all of them plus
more than as much again. Feed items and dump records that carry HTML are reduced
with :func:`fragment_to_text`: steps 1 and the same paragraph walk, no boilerplate
removal (the fragment is the article).

What counts as article follows the sidecars of ``eval/pages``: headline, body
paragraphs and the body's own subheadings; standfirsts, photo captions and credits,
bylines and author bios are page, not article (eval/RESULTS.md measures both).

It does not fetch anything (a page's links, images and scripts are never loaded) and
never executes or keeps markup.
"""

from __future__ import annotations

import copy
import html
import logging
import re
from dataclasses import dataclass

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from rag.errors import DocumentError
from rag.formats.dates import normalise_date

__all__ = [
    "Page",
    "fragment_to_text",
    "page_to_text",
    "parse_html",
    "strip_furniture",
    "strip_hidden",
    "strip_link_lists",
    "unwrap_layout_tables",
]

log = logging.getLogger(__name__)
# trafilatura logs "discarding data" for every page it leaves to our fallback; only its errors matter.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Style declarations that keep an element off the screen.
_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|opacity\s*:\s*0(?:\.0*)?\s*(?:!important)?\s*(?:;|$)"
    r"|font-size\s*:\s*0(?:px|em|rem|%)?\s*(?:!important)?\s*(?:;|$))",
    re.I,
)
# Utility classes of Bootstrap, Tailwind, WordPress and the like that mean display:none
# or "visually hidden" (screen-reader-only text such as "Share on Facebook").
_HIDDEN_CLASSES = frozenset(
    {"hidden", "d-none", "is-hidden", "invisible", "visually-hidden", "sr-only", "screen-reader-text", "hide"}
)
# <head> is not here: trafilatura reads the metadata from it, and its text never reaches the body.
_NEVER_SHOWN = frozenset({"template", "noscript", "script", "style", "iframe", "object", "embed", "svg", "math"})
_BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figcaption", "td", "th", "dd", "dt"}
)
_CONTAINERS = frozenset({"div", "section", "article", "main", "ul", "ol", "table", "tr", "body", "dl", "header"})
_CHROME = frozenset({"nav", "footer", "aside", "form", "button", "select", "dialog"})
MAX_TREE_NODES = 200_000  # a news page has a few thousand elements


@dataclass(frozen=True)
class Page:
    """The article a web page carries: its text (paragraphs separated by a blank line) and metadata.

    ``date`` is ISO 8601 (``rag.formats.dates``); ``authors`` joins several with ``"; "``.
    Any field the page does not give is ``""``.
    """

    text: str
    title: str = ""
    authors: str = ""
    date: str = ""
    site: str = ""
    url: str = ""


def parse_html(source: str | bytes, *, name: str = "page") -> HtmlElement:
    """Parse markup with lxml's HTML parser (recovering from broken markup).

    Raises :class:`DocumentError` naming ``name`` when nothing parseable is left.
    """
    if isinstance(source, bytes):
        source = source.decode("utf-8", errors="replace")
    # lxml refuses control characters, lone surrogates and (in a str) an XML encoding declaration.
    source = _CONTROL.sub("", source).encode("utf-8", errors="replace").decode("utf-8")
    source = re.sub(r"^\s*<\?xml[^>]*>", "", source)
    try:
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=False)
        tree = lxml.html.document_fromstring(source, parser=parser)
    except lxml.etree.ParserError:
        # lxml recovers from any broken markup; it gives up only on a page with no
        # elements at all (empty, or only comments): an empty page, not an error here.
        tree = lxml.html.document_fromstring("<html><body></body></html>")
    except (ValueError, TypeError) as exc:
        raise DocumentError(f"{name} could not be parsed as HTML: {exc}") from None
    if tree is None:
        raise DocumentError(f"{name} has no HTML content.")
    return tree


def _is_hidden(el: HtmlElement) -> bool:
    attrs = el.attrib
    if "hidden" in attrs or attrs.get("aria-hidden", "").strip().lower() == "true":
        return True
    if attrs.get("type", "").lower() == "hidden":
        return True
    style = attrs.get("style")
    if style and _HIDDEN_STYLE.search(style.replace("\n", " ")):
        return True
    classes = attrs.get("class")
    return bool(classes) and not _HIDDEN_CLASSES.isdisjoint(classes.lower().split())


def strip_hidden(tree: HtmlElement) -> HtmlElement:
    """Remove, in place, every element of ``tree`` a browser does not show; returns ``tree``.

    The text after a removed element (its tail) belongs to its parent and stays.
    """
    doomed = []
    for el in tree.iter():
        if el is tree:
            continue
        if not isinstance(el.tag, str):  # comments and processing instructions
            doomed.append(el)
            continue
        tag = el.tag.lower()
        if tag == "script" and "ld+json" in el.get("type", "").lower():
            continue  # JSON-LD: the article's metadata, read by trafilatura, never its text
        if tag in _NEVER_SHOWN or _is_hidden(el):
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    return tree


_PULL_QUOTE = re.compile(r"pull-?quote", re.I)
_LINK_BLOCKS = frozenset({"td", "ul", "ol", "div", "section", "aside", "p", "li", "table", "nav", "header", "footer"})


def strip_link_lists(tree: HtmlElement) -> HtmlElement:
    """Remove, in place, pull quotes and blocks that are mostly links (menus, "related" lists); returns ``tree``.

    A block goes when it holds at least 3 links and at least 80 % of its words are
    link text: link density, the classic boilerplate signal (Kohlschütter et al.,
    WSDM 2010), which catches the menus of layouts trafilatura does not know, such as
    old table layouts.
    """
    doomed = [
        el
        for el in tree.iter("blockquote", "aside", "div", "figure", "p")
        if _PULL_QUOTE.search(el.get("class", ""))  # the article's own words again, set large
    ]
    for el in tree.iter(*_LINK_BLOCKS):
        links = el.findall(".//a")
        if len(links) < 3:
            continue
        words = len(el.text_content().split())
        linked = sum(len(a.text_content().split()) for a in links)
        if words and linked >= 0.8 * words:
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    return tree


# Words that, as a whole part of an element's class or id (split at "-", "_" and
# camelCase), name page furniture in the markup of WordPress, Ghost, Drupal, Arc,
# Brightspot, newsletter platforms and news themes: share bars, newsletter and
# subscription boxes, promos and calls to action, related/"more"/"most read" teasers,
# photo captions and credits, standfirsts, bylines and author bios, comments, ads.
_FURNITURE_PARTS = frozenset(
    {
        "ad",
        "ads",
        "advert",
        "advertisement",
        "adslot",
        "mpu",
        "sponsor",
        "sponsored",
        "outbrain",
        "taboola",
        "share",
        "sharing",
        "sharedaddy",
        "social",
        "newsletter",
        "subscribe",
        "subscription",
        "signup",
        "paywall",
        "promo",
        "cta",
        "related",
        "relatedposts",
        "more",
        "popular",
        "trending",
        "recirc",
        "teaser",
        "puff",
        "credit",
        "credits",
        "dek",
        "standfirst",
        "subtitle",
        "kicker",
        "byline",
        "bio",
        "author",
        "meta",
        "tags",
        "comment",
        "comments",
        "discussion",
        "respond",
        "breadcrumb",
        "breadcrumbs",
        "masthead",
        "sidebar",
        "widget",
        "cookie",
        "consent",
        "banner",
        "pinned",
        "subheadline",
        "rail",
        "caption",
    }
)
_CLASS_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
# Elements that are furniture whatever their class: a photo's caption and credit.
_FURNITURE_TAGS = frozenset({"figcaption", "aside"})


_DATE_WORDS = frozenset(
    re.findall(
        r"\S+",
        "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs fri sat sun "
        "january february march april may june july august september october november december "
        "jan feb mar apr jun jul aug sep sept oct nov dec "
        "am pm a.m p.m at on published updated posted last gmt bst utc et est edt ct cst cdt mt mst mdt pt pst pdt cet cest",
    )
)
_DATE_TOKEN = re.compile(r"[\w.]+")


def _is_date_line(text: str) -> bool:
    """Whether ``text`` is only a date or time ("Friday 21 November 2025", "Updated 9:31 a.m. EST")."""
    tokens = [t.lower().rstrip(".") or t for t in _DATE_TOKEN.findall(text)]
    if not tokens or len(tokens) > 10:
        return False
    dated = any(t in _DATE_WORDS and t not in ("at", "on", "am", "pm") for t in tokens) or any(
        re.fullmatch(r"(?:19|20)\d\d", t) for t in tokens
    )
    return (
        dated
        and any(t[:1].isdigit() for t in tokens)
        and all(
            t in _DATE_WORDS or re.fullmatch(r"\d+(?:st|nd|rd|th)?|\d+(?:[.:]\d+)?(?:[ap]m)?|[ap]\.?m", t)
            for t in tokens
        )
    )


# Attributes besides class and id in which component-based CMSes (Arc, Brightspot,
# the Guardian's and the BBC's renderers, React sites) name a block.
_NAME_ATTRIBUTES = ("class", "id", "data-component", "data-qa", "data-testid", "data-gu-name")
# The credit lines wire services and newspapers end a story with (AP: "X contributed to
# this report."; Reuters: "Reporting by X; Editing by Y"; US papers: "Contributing: X"),
# and the rules ("___") that set them off.
_CREDIT_LINE = re.compile(
    r"(?:\(?(?:additional\s+)?(?:reporting|writing|editing)\s+by\b.*"
    r"|.*\bcontributed\s+(?:to\s+)?this\s+(?:report|story|article)\b.*"
    r"|contributing:.*"
    r"|[_*=~\-\u2014\s]{3,})",
    re.I | re.S,
)

_BLOCK_CHILDREN = "./*[self::p or self::div or self::section or self::ul or self::ol or self::table or self::h1 or self::h2 or self::h3 or self::h4 or self::blockquote or self::figure]"
# A byline on its own: "By Ann Lee", "By ANN LEE, City Reporter".
_BYLINE = re.compile(r"[Bb][Yy]\s+(?:[A-Z][\w'\u2019.-]*\s*){1,4}(?:,[^.]*)?")
# Links of promotion boxes: subscription, sign-up, membership and donation pages, and
# "mailto:?" (share by e-mail: no recipient).
_PROMO_HREF = re.compile(
    r"^mailto:\?|/(?:subscribe|subscription|signup|sign-up|newsletters?|membership|donate|support-us)\b", re.I
)
# A site's copyright notice.
_COPYRIGHT = re.compile(r"\u00a9|\(c\)\s*\d{4}|\bcopyright\s+\d{4}|\ball rights reserved\b", re.I)


def _is_furniture(el: HtmlElement) -> bool:
    names = " ".join(el.get(name, "") for name in _NAME_ATTRIBUTES)
    if any(part.lower() in _FURNITURE_PARTS for part in _CLASS_PART.findall(names)):
        return True
    tag = el.tag.lower()
    text = _squash(el.text_content())
    n_words = len(text.split())
    # A short box that links to a subscription, sign-up or donation page, or shares by e-mail.
    if n_words <= 50 and any(_PROMO_HREF.search(a.get("href", "")) for a in el.iter("a")):
        return True
    if tag in _CONTAINERS and (tag != "div" or el.xpath(_BLOCK_CHILDREN)):
        return False  # a <div> with no blocks inside is a paragraph
    # A dateline, byline, credit line or copyright notice of its own (the page's date
    # and authors are read from its metadata, not its text).
    if _is_date_line(text) or (
        n_words <= 40 and (_CREDIT_LINE.fullmatch(text) or _COPYRIGHT.search(text) or _BYLINE.fullmatch(text))
    ):
        return True
    # A short paragraph that is mostly link text: "Read more: <headline>", "Related: <headline>".
    linked = sum(len(a.text_content().split()) for a in el.iter("a"))
    return tag == "p" and 0 < n_words <= 30 and linked >= 0.5 * n_words


def _signup_boxes(tree: HtmlElement, total: int) -> list[HtmlElement]:
    """The boxes around e-mail fields: newsletter sign-ups (the largest ancestor under 60 words)."""
    boxes = []
    for field in tree.xpath("//input[translate(@type, 'EMAIL', 'email')='email']"):
        box = None
        for ancestor in field.iterancestors():
            tag = ancestor.tag.lower() if isinstance(ancestor.tag, str) else ""
            words = _words(ancestor.text_content())
            if tag in ("body", "html", "article", "main") or words >= 60 or words >= 0.5 * total:
                break
            box = ancestor
        if box is not None:
            boxes.append(box)
    return boxes


def unwrap_layout_tables(tree: HtmlElement) -> HtmlElement:
    """Turn, in place, tables used for page layout into ``<div>``s; returns ``tree``.

    A table lays out a page, not data, when it holds another table or block text
    (``<p>``, headings, lists) in its cells, the test Mozilla's Readability uses
    (``_markDataTables``), shortened; or when a cell holds prose (over 20 words),
    which a data table's cells do not. trafilatura would otherwise keep a layout table
    whole, menus and masthead included, as one row of text per table row.
    """
    blocks = ".//table | .//p | .//h1 | .//h2 | .//h3 | .//h4 | .//ul | .//ol | .//blockquote"
    layout = [
        table
        for table in tree.iter("table")
        if table.xpath(blocks) or any(_words(cell.text_content()) > 20 for cell in table.iter("td", "th"))
    ]
    for table in layout:
        for el in [table, *table.iter("tbody", "thead", "tfoot", "tr", "td", "th")]:
            el.tag = "div"
            for attr in ("colspan", "rowspan", "width", "valign", "align", "bgcolor"):
                el.attrib.pop(attr, None)
    return tree


def strip_furniture(tree: HtmlElement) -> HtmlElement:
    """Remove, in place, elements a news page's markup marks as furniture; returns ``tree``.

    An element goes when it is a ``<figcaption>`` or ``<aside>``, when its whole text
    is a date or time (a dateline: the date is read from metadata), or when a part of its
    class or id is one of ``_FURNITURE_PARTS`` (``"newsletter-signup"``,
    ``"kg-cta-card"``, ``"StyledFigureCaption"``). These sit inside the article's own
    container, where trafilatura and link density cannot tell them from text. An
    element that holds half the page's words or more is kept whatever its name (a
    ``<body class="single-post">`` or an article wrapped in a ``"post-meta"`` div
    would otherwise take the article with it).
    """
    body = tree.find("body")
    total = _words((body if body is not None else tree).text_content())
    doomed = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag.lower() in ("html", "body", "head"):
            continue
        furniture = el.tag.lower() in _FURNITURE_TAGS or _is_furniture(el)
        if furniture and _words(el.text_content()) < 0.5 * total:
            doomed.append(el)
    doomed += _signup_boxes(tree, total)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    return tree


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _paragraphs(root: HtmlElement, *, skip_chrome: bool) -> list[str]:
    """The visible text of ``root``, one entry per block element, in document order."""
    out: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = _squash("".join(buffer))
        if text:
            out.append(text)
        buffer.clear()

    def walk(el: HtmlElement) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in ("head", "script", "style") or (skip_chrome and tag in _CHROME):
            return
        block = tag in _BLOCKS or tag in _CONTAINERS or tag == "br"
        if block:
            flush()
        if el.text:
            buffer.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                buffer.append(child.tail)
        if block:
            flush()

    walk(root)
    flush()
    return out


def fragment_to_text(source: str, *, name: str = "fragment") -> str:
    """Visible text of an HTML fragment (a feed item's content), paragraphs separated by blank lines.

    No boilerplate removal: the fragment is taken to be the article. Hidden elements
    are dropped as for pages. Raises :class:`DocumentError` only for markup lxml cannot read.
    """
    if "<" not in source:
        return source.strip()
    try:
        tree = strip_hidden(parse_html(source, name=name))
    except DocumentError:
        return ""
    return "\n\n".join(_paragraphs(tree, skip_chrome=False))


def _article_root(tree: HtmlElement) -> HtmlElement | None:
    for xpath in ("//article", "//main", "//*[@role='main']", "//*[@itemprop='articleBody']"):
        found = tree.xpath(xpath)
        if found:
            # The largest, when a page has several (a teaser <article> per related story).
            best: HtmlElement = max(found, key=lambda el: len(el.text_content()))
            return best
    return None


_TITLE_SEPARATOR = re.compile(r"\s+[|\-\u2013\u2014:\u00b7\u2022]\s+|:\s+")


def _title_from_title_tag(title: str, headings: list[str]) -> str:
    """The headline part of a ``<title>`` that adds the site's name ("Site: Headline", "Headline | Site").

    The part that is also one of the page's headings, the longest when several are
    (a blog's name and its post's title both are); without one, the longest part.
    Returns ``""`` for a ``<title>`` with no separator.
    """
    parts = [p.strip() for p in _TITLE_SEPARATOR.split(title) if p.strip()]
    if len(parts) < 2:
        return ""
    matching = [p for p in parts if p in headings]
    return max(matching or parts, key=len)


def _title(tree: HtmlElement, found: str) -> str:
    """The article's headline, as the page spells it once decoded (trafilatura decodes entities twice).

    In order: the page's ``og:title``/``twitter:title``; trafilatura's title when it
    is not simply the page's ``<title>`` or first ``<h1>`` (it came from JSON-LD or
    another meta tag); the headline part of a ``<title>`` that adds the site's name;
    trafilatura's title; the first ``<h1>``; the ``<title>``.
    """
    social = [_squash(str(v)) for v in tree.xpath("//meta[@property='og:title' or @name='twitter:title']/@content")]
    h1 = [_squash(el.text_content()) for el in tree.xpath("//h1")]
    title_tag = next((_squash(el.text_content()) for el in tree.xpath("//title")), "")
    own = [t for t in [*social, *h1, title_tag] if t]
    if found:
        # trafilatura decodes entities twice: keep the page's own spelling of the same title.
        found = next((t for t in own if t != found and html.unescape(t) == found), found)
    if social and social[0]:
        return social[0]
    parts = [p.strip() for p in _TITLE_SEPARATOR.split(title_tag)]
    if found and found not in (title_tag, *parts, *h1[:1]):
        return found
    headings = [_squash(el.text_content()) for el in tree.xpath("//h1 | //h2 | //h3")]
    return _title_from_title_tag(title_tag, headings) or found or next(iter(own), "")


def _one_cell(line: str) -> str:
    """A table row trafilatura wrote as ``| text |`` with one cell (an old layout table's paragraph), as plain text."""
    match = re.fullmatch(r"\|\s*(.*?)\s*\|", line)
    return match.group(1) if match and " | " not in match.group(1) else line


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def page_to_text(source: str | bytes, *, url: str = "", name: str = "page") -> Page:
    """The main article of a web page, with its metadata.

    ``url`` is where the page came from, when known (a fetched page): it is used for
    the date in the URL and as the page's URL when the page names no canonical one.
    Raises :class:`DocumentError` naming ``name`` for markup that cannot be parsed or
    is too large (over ``MAX_TREE_NODES`` elements).
    """
    import trafilatura  # imports lxml_html_clean, justext, htmldate: ~0.3 s, only when a page is read
    from trafilatura.settings import set_date_params  # what bare_extraction uses: EXTENSIVE_DATE_SEARCH on

    tree = parse_html(source, name=name)
    nodes = sum(1 for _ in tree.iter())
    if nodes > MAX_TREE_NODES:
        raise DocumentError(f"{name} has {nodes} HTML elements; the limit is {MAX_TREE_NODES}.")
    strip_hidden(tree)
    # Metadata is read from the page before furniture goes: bylines, datelines and
    # "author" blocks are furniture in the text but where trafilatura finds authors and dates.
    shown = copy.deepcopy(tree)
    unwrap_layout_tables(tree)
    strip_link_lists(tree)
    strip_furniture(tree)
    root = _article_root(tree)
    body = tree.find("body")
    fallback = _paragraphs(root if root is not None else (body if body is not None else tree), skip_chrome=True)
    try:
        result = trafilatura.bare_extraction(
            tree,
            url=url or None,
            with_metadata=False,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            favor_precision=True,
            deduplicate=False,
        )
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError) as exc:
        # A parser of untrusted markup: any failure of the extractor means "use the fallback".
        log.info("trafilatura failed on %s (%s); keeping its visible paragraphs", name, exc)
        result = None
    extracted = getattr(result, "text", None) or ""
    paragraphs = [_one_cell(_squash(line)) for line in extracted.split("\n") if line.strip()]
    # trafilatura drops short pages and lone paragraphs it cannot tell from boilerplate:
    # keep the article element's own visible paragraphs when it kept less than half of
    # them, or the page's when it kept nothing (a page without an article element).
    kept, own = _words(" ".join(paragraphs)), _words(" ".join(fallback))
    if (root is not None and kept < 0.5 * own) or kept == 0:
        paragraphs = fallback
    elif own >= 0.5 * kept and set(fallback) <= set(paragraphs):
        # It kept all of the article element (or the page without its nav, header and
        # footer elements) and some page around it: a short page's menu.
        paragraphs = fallback
    try:
        meta = trafilatura.extract_metadata(shown, url or None, set_date_params(True), False)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError) as exc:
        log.info("trafilatura could not read the metadata of %s (%s)", name, exc)
        meta = None
    return Page(
        text="\n\n".join(paragraphs),
        title=_title(shown, _squash(getattr(meta, "title", None) or "")),
        authors=_squash(getattr(meta, "author", None) or ""),
        date=normalise_date(getattr(meta, "date", None) or ""),
        site=_squash(getattr(meta, "sitename", None) or ""),
        url=(getattr(meta, "url", None) or url or "").strip(),
    )
