"""Fetch one URL the user named (a page, a feed or a PDF), with ``httpx``.

Only ``http``/``https``; at most 5 redirects; a connect/read timeout; the body is read
in pieces and refused past a size cap. The response's content type picks the format
(HTML, RSS/Atom, PDF, plain text), with a look at the first bytes when the server
does not say. Failures are one-line :class:`DocumentError` messages naming the URL.

Nothing else is fetched: not a page's links, images or scripts, not a feed's item
links. The ``transport`` argument lets tests and callers inject an
``httpx.MockTransport`` or a proxy transport.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import httpx

from rag.errors import DocumentError
from rag.formats.common import is_web_url
from rag.formats.feeds import looks_like_feed

__all__ = ["MAX_FETCH_BYTES", "MAX_REDIRECTS", "TIMEOUT_S", "Fetched", "fetch"]

log = logging.getLogger(__name__)

MAX_FETCH_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT_S = 20.0
USER_AGENT = "rag-news-reader/0.1 (fetches only URLs its user names)"

Kind = Literal["html", "feed", "pdf", "text"]


@dataclass(frozen=True)
class Fetched:
    """A fetched body: ``url`` is where it ended up (after redirects), ``kind`` its format."""

    url: str
    kind: Kind
    data: bytes
    content_type: str = ""


def _kind(content_type: str, data: bytes) -> Kind | None:
    ct = content_type.split(";", 1)[0].strip().lower()
    if ct == "application/pdf" or data.startswith(b"%PDF-"):
        return "pdf"
    if ct in ("application/rss+xml", "application/atom+xml", "application/rdf+xml") or (
        ct in ("application/xml", "text/xml", "") and looks_like_feed(data)
    ):
        return "feed"
    if ct in ("text/html", "application/xhtml+xml"):
        return "html"
    if ct == "text/plain":
        return "text"
    head = data[:512].lstrip().lower()
    if looks_like_feed(data):
        return "feed"
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in data[:4096].lower():
        return "html"
    return None


def fetch(
    url: str,
    *,
    timeout: float = TIMEOUT_S,
    max_bytes: int = MAX_FETCH_BYTES,
    transport: httpx.BaseTransport | None = None,
) -> Fetched:
    """GET ``url`` and return its body and format.

    Raises :class:`DocumentError` (one line, naming ``url``) when the URL is not
    http(s), the host cannot be reached, the request times out (``timeout`` seconds
    per connect/read), there are more than ``MAX_REDIRECTS`` redirects, the server
    answers an error status, the body exceeds ``max_bytes``, or the content is not a
    page, feed, PDF or plain text.
    """
    if not is_web_url(url):
        raise DocumentError(f"{url} is not an http:// or https:// URL; only web pages, feeds and PDFs can be fetched.")
    try:
        with (
            httpx.Client(
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                timeout=httpx.Timeout(timeout),
                headers={"User-Agent": USER_AGENT},
                transport=transport,
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise DocumentError(
                    f"{url} answered {response.status_code} {response.reason_phrase}; check the address."
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise DocumentError(f"{url} is {int(declared) / 1e6:.0f} MB; the limit is {max_bytes // 1_000_000} MB.")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise DocumentError(f"{url} is over {max_bytes // 1_000_000} MB; the limit for one page is that.")
                chunks.append(chunk)
            final, content_type = str(response.url), response.headers.get("content-type", "")
    except httpx.TooManyRedirects:
        raise DocumentError(
            f"{url} redirects more than {MAX_REDIRECTS} times; open it in a browser to check."
        ) from None
    except httpx.UnsupportedProtocol:
        raise DocumentError(f"{url} redirects to a URL that is not http(s); it was not followed.") from None
    except httpx.TimeoutException:
        raise DocumentError(f"{url} did not answer within {timeout:.0f} s; try again later.") from None
    except httpx.ConnectError:
        raise DocumentError(f"{url} cannot be reached (offline, or the host is down or unknown).") from None
    except httpx.HTTPError as exc:
        raise DocumentError(f"{url} could not be fetched: {type(exc).__name__}.") from None
    data = b"".join(chunks)
    kind = _kind(content_type, data)
    if kind is None:
        raise DocumentError(f"{url} is {content_type or 'of unknown type'}, not a web page, feed, PDF or plain text.")
    log.info("fetched %s (%s, %d bytes)", final, kind, len(data))
    return Fetched(url=final, kind=kind, data=data, content_type=content_type)
