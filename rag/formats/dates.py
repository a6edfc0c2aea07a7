"""Publication dates as data: any common date string to ISO 8601.

Every loader passes what a page, feed, PDF or dump calls its date through
:func:`normalise_date`, so ``Document.date`` always starts with ``YYYY-MM-DD`` and
compares as text (the first ten characters are the day). ISO 8601 and RFC 822 strings
(feeds, HTTP) are read by ``python-dateutil`` and the standard library; anything else
("March 12, 2025", "12. März 2025") by ``dateparser``, which requires a day, a month
and a year and never reads relative dates ("yesterday"), so no date is invented.
Dates in web pages are found by ``htmldate`` (through trafilatura, ``rag.formats.html``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from dateutil.parser import isoparse

__all__ = ["date_from_url", "format_datetime", "normalise_date"]

# Only absolute dates with all three parts: a bare "2025" or "yesterday" is no date.
_DATEPARSER_SETTINGS = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["custom-formats", "absolute-time"],
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PREFER_DAY_OF_MONTH": "first",
}
# The languages dateparser tries: those of European news. With none given it loads every
# locale it knows on first use (4.5 s measured on 2 cores), for each first unusual date.
_LANGUAGES = ["en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "da", "nb", "fi", "cs", "ro", "hu", "el", "uk", "ru", "tr", "ca"]  # fmt: skip
_HAS_TIME = re.compile(r"\d(?:T|\s+|\s*at\s*|,\s*)\d{1,2}[:h]\d\d", re.I)
# The /2025/11/15/ of news URLs (what htmldate's own URL rule reads, for files that are not HTML).
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](\d\d?)[/-](\d\d?)(?:/|-|_|\.|$)")
_MAX_CHARS = 200  # a date string; longer is prose, not a date


def format_datetime(value: datetime | date, *, with_time: bool = True) -> str:
    """``YYYY-MM-DD``, or ``YYYY-MM-DDTHH:MM:SS[±HH:MM]`` when ``with_time`` and it has one.

    A midnight without a time zone is taken as "no time given".
    """
    if not isinstance(value, datetime):
        return value.isoformat()
    if not with_time or (value.tzinfo is None and (value.hour, value.minute, value.second) == (0, 0, 0)):
        return value.date().isoformat()
    return value.replace(microsecond=0).isoformat()


def _plausible(value: datetime | date) -> bool:
    return 1800 <= value.year <= date.today().year + 1


def normalise_date(raw: str | None) -> str:
    """ISO 8601 form of a date string, or ``""`` when it holds no complete date.

    Returns ``YYYY-MM-DD``, with ``THH:MM:SS`` (and the offset when given) appended
    when the string gives a time. Never raises.
    """
    text = (raw or "").strip()
    if not text or len(text) > _MAX_CHARS or not re.search(r"\d", text):
        return ""
    has_time = bool(_HAS_TIME.search(text))
    for parse in (isoparse, parsedate_to_datetime):
        try:
            value = parse(text)
        except (ValueError, TypeError, OverflowError, IndexError):
            continue
        if value is not None and _plausible(value):
            # isoparse also reads "2025" and "2025-03": a date needs its day.
            if parse is isoparse and not re.match(r"\d{4}-?\d\d-?\d\d", text):
                continue
            return format_datetime(value, with_time=has_time)
    import dateparser  # ~0.1 s to import; most dates are ISO or RFC 822 and never need it

    try:
        value = dateparser.parse(text, languages=_LANGUAGES, settings=_DATEPARSER_SETTINGS)
    except (ValueError, TypeError, OverflowError, RecursionError):
        return ""
    if value is None or not _plausible(value):
        return ""
    return format_datetime(value, with_time=has_time)


def date_from_url(url: str) -> str:
    """The ``YYYY-MM-DD`` in a news URL's path (``/2025/11/15/slug``), or ``""``."""
    m = _URL_DATE.search(url)
    if not m:
        return ""
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return ""
