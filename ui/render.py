"""The chat UI's HTML, built from escaped text: pure functions, no Gradio.

Every function here takes library values (:class:`rag.Answer`, :class:`rag.Citation`,
:class:`rag.Hit`) or plain strings and returns an HTML string for a Gradio component.
Text from articles or from the model is always escaped, and links are only plain
http(s) URLs, so nothing an article or the model writes can run in the page. An
answer's ``[n]`` markers link to the source cards (``#src-n``) and need no script:
following one scrolls to and focuses the card, and CSS highlights it. This module
deliberately holds no retrieval, grounding or Gradio wiring (``ui.app`` does the
wiring).
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Sequence
from urllib.parse import urlparse

from rag import Answer, Citation, Hit
from rag.prompting import is_refusal

__all__ = [
    "ABSTAINED",
    "CSS",
    "EMPTY_QUESTION",
    "LINK_REL",
    "SEARCHING",
    "WAITING",
    "WITHDRAWN",
    "card_id",
    "cited_sentence",
    "empty_sources",
    "highlight",
    "render_answer",
    "render_citation",
    "render_debug",
    "render_error",
    "render_evidence",
    "render_final",
    "render_hit",
    "render_partial",
    "render_question",
    "render_searching",
    "render_sources",
    "render_status",
    "render_stopped",
    "render_waiting",
    "safe_url",
    "shown_markers",
]

ABSTAINED = "The articles don't say."
WAITING = (
    "Waiting for the model: it answers one question at a time. If others asked first, "
    "your place in the queue shows at the bottom of this box."
)
SEARCHING = "Searching the articles…"
WITHDRAWN = "withdrawn: not supported by the articles"
EMPTY_QUESTION = "<em>(empty question)</em>"
LINK_REL = "noopener noreferrer nofollow"
_PREVIEW_CHARS = 220
# Answer.text writes every marker as "[n]" (rag.prompting.resolve_citations), so this is all the UI needs to find.
_MARKER_RE = re.compile(r"\[([1-9]\d?)\]")

CSS = """
#sources .rag-src { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin: 0 0 8px; }
#sources .rag-marker { font-weight: 700; margin-right: 4px; }
#sources .rag-meta { font-size: 0.85em; opacity: 0.8; margin: 2px 0 4px; word-break: break-all; }
#sources .rag-passage { white-space: pre-wrap; margin: 6px 0 0; padding-left: 8px; border-left: 3px solid var(--border-color-primary); }
#sources mark { background: #fde68a; color: inherit; padding: 0 1px; }
#sources summary { cursor: pointer; }
#sources .rag-warn, .rag-debug .rag-warn { color: #b45309; }
#sources .rag-empty { opacity: 0.7; }
#chat .rag-withdrawn del { opacity: 0.65; }
#chat .rag-withdrawn-label { color: #b45309; font-size: 0.9em; }
/* Following an [n] (a link to #src-n) scrolls to card n and focuses it (tabindex=-1); the highlight
   needs both :target and focus, so a later answer's card n is not lit up by the old #src-n in the URL. */
#chat a.rag-cite { font-weight: 600; text-decoration: none; color: var(--link-text-color, #2563eb); }
#chat a.rag-cite:hover, #chat a.rag-cite:focus-visible { text-decoration: underline; }
#sources .rag-card { scroll-margin-top: 12px; outline: none; }
#sources .rag-card:target:focus-within > .rag-src { border-color: #d97706; box-shadow: 0 0 0 3px #fbbf24; background: rgba(253, 230, 138, 0.18); }
#sources .rag-card:target:focus-within mark { background: #fbbf24; outline: 1px solid #d97706; }
.rag-debug table { font-size: 0.85em; border-collapse: collapse; }
.rag-debug td, .rag-debug th { padding: 2px 6px; border-bottom: 1px solid var(--border-color-primary); text-align: left; }
"""


# -- escaping and links -----------------------------------------------------------------


def _esc(text: str) -> str:
    return html.escape(text or "", quote=True)


def _esc_lines(text: str) -> str:
    return _esc(text).replace("\n", "<br>")


def safe_url(url: str) -> str | None:
    """The URL if it is a plain http(s) link, else None (no javascript:, data:, file:)."""
    url = (url or "").strip()
    try:
        parsed = urlparse(url)
    except ValueError:
        return None
    if parsed.scheme.lower() not in {"http", "https"} or not parsed.netloc:
        return None
    return url


def _link(url: str) -> str:
    safe = safe_url(url)
    if safe is None:
        return ""
    label = safe if len(safe) <= 80 else safe[:77] + "…"
    return f'<a href="{_esc(safe)}" rel="{LINK_REL}" target="_blank">{_esc(label)}</a>'


def _merge_spans(spans: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    clean = sorted((max(0, int(s)), min(length, int(e))) for s, e in spans)
    merged: list[tuple[int, int]] = []
    for s, e in clean:
        if s >= e:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def highlight(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` escaped, with the (start, end) ``spans`` wrapped in ``<mark>``."""
    out, pos = [], 0
    for s, e in _merge_spans(spans, len(text)):
        out.append(_esc(text[pos:s]))
        out.append(f"<mark>{_esc(text[s:e])}</mark>")
        pos = e
    out.append(_esc(text[pos:]))
    return "".join(out)


def _preview(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """A short excerpt, cut at spaces: around the first highlight when there is one, else the start."""
    merged = _merge_spans(spans, len(text))
    first = merged[0] if merged else (0, 0)
    start = max(0, first[0] - 60)
    if start > 0:
        space = text.find(" ", start, first[0])
        start = space + 1 if space >= 0 else start
    end = max(min(len(text), start + _PREVIEW_CHARS), first[1])
    if end < len(text):
        space = text.rfind(" ", max(start, first[1]), end)
        end = space if space > start else end
    shifted = [(s - start, e - start) for s, e in merged if s < end and e > start]
    body = highlight(text[start:end], shifted)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


# -- sources panel ---------------------------------------------------------------------


def _meta_line(date: str, url: str, doc_id: str) -> str:
    parts = [_esc(date)] if date else []
    link = _link(url)
    if link:
        parts.append(link)
    parts.append(f"<code>{_esc(doc_id)}</code>")
    return '<div class="rag-meta">' + " · ".join(parts) + "</div>"


def card_id(marker: int) -> str:
    """The element id of source card ``marker`` in the sources panel (``src-1``, ``src-2``, ...)."""
    return f"src-{marker}"


def cited_sentence(c: Citation) -> str:
    """The passage text an answer's ``[n]`` points to, as plain text for a tooltip.

    The highlighted (supporting) sentences of the passage joined by " … ", or, when the
    check highlighted none, the start of the passage cut at a space.
    """
    spans = _merge_spans(c.highlights, len(c.text))
    if spans:
        quote = " … ".join(c.text[s:e] for s, e in spans)
    else:
        quote = c.text[:_PREVIEW_CHARS]
        if len(c.text) > _PREVIEW_CHARS:
            quote = quote[: quote.rfind(" ")] if " " in quote else quote
            quote += "…"
    return " ".join(quote.split())


def render_citation(c: Citation, disagrees_with: Sequence[int] = ()) -> str:
    """One cited source; ``disagrees_with``: the markers of the sources this one contradicts."""
    title = _esc(c.title or c.doc_id)
    warn = ""
    if c.supported is False:
        warn = ' <span class="rag-warn" title="This passage does not support the sentence citing it">⚠ does not support the claim</span>'
    if disagrees_with:
        others = "".join(f"[{m}]" for m in disagrees_with)
        warn += (
            f' <span class="rag-warn rag-disagree" title="This article gives a different value than {others}">'
            f"⚠ disagrees with {others}</span>"
        )
    # The outer id is what an answer's [n] links to (card_id); the inner one is older and kept for callers.
    return (
        f'<div class="rag-card" id="{card_id(c.marker)}" tabindex="-1">'
        f'<div class="rag-src" id="rag-src-{c.marker}">'
        f'<div><span class="rag-marker">[{c.marker}]</span><strong>{title}</strong>{warn}</div>'
        f"{_meta_line(c.date, c.url, c.doc_id)}"
        f"<details><summary>{_preview(c.text, c.highlights)}</summary>"
        f'<div class="rag-passage">{highlight(c.text, c.highlights)}</div></details>'
        "</div></div>"
    )


def render_hit(hit: Hit) -> str:
    """A retrieved passage the answer does not cite, collapsed."""
    c = hit.chunk
    return (
        f'<details class="rag-hit"><summary><strong>{_esc(c.title or c.doc_id)}</strong> '
        f"(score {hit.score:.2f})</summary>{_meta_line(c.date, c.url, c.doc_id)}"
        f'<div class="rag-passage">{_esc(c.text)}</div></details>'
    )


def render_sources(answer: Answer) -> str:
    """The sources panel: cited passages, then the other retrieved ones collapsed."""
    cited_ids = {c.chunk_id for c in answer.citations}
    uncited = [h for h in answer.hits if h.chunk.chunk_id not in cited_ids]
    parts = ['<div class="rag-sources">']
    if answer.citations:
        parts.append("<h3>Sources</h3>")
        against = {d.marker: d.backing for d in answer.disagreements}
        parts.extend(render_citation(c, against.get(c.marker, ())) for c in answer.citations)
    elif answer.finish_reason == "unsupported":
        parts.append(
            f'<p class="rag-empty">{_esc(ABSTAINED)} No passage supports what the model wrote, so it was withdrawn.</p>'
        )
    elif answer.abstained:
        why = answer.refusal_reason or "No passage answers the question."
        parts.append(f'<p class="rag-empty">{_esc(ABSTAINED)} {_esc(why)}</p>')
    else:
        parts.append('<p class="rag-empty rag-warn">⚠ The answer cites no source.</p>')
    if answer.confidence is not None:
        parts.append(
            f'<p class="rag-confidence">Confidence {answer.confidence:.0%} (answerability, seed dev split)</p>'
        )
    if uncited:
        label = "Retrieved passages" if not answer.citations else "Other retrieved passages, not cited"
        parts.append(f'<details class="rag-uncited"><summary>{label} ({len(uncited)})</summary>')
        parts.extend(render_hit(h) for h in uncited)
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)


def render_evidence(sources: Sequence[Hit], hits: Sequence[Hit] = (), status: str = "") -> str:
    """The sources panel before the answer is final: the passages the model is shown.

    ``sources``: the hits in marker order (``AnswerStream.sources``; card n is
    ``sources[n-1]``, so an answer's ``[n]`` will point at it); ``hits``: everything
    retrieval returned, the others listed collapsed; ``status``: a line above the
    cards ("Writing the answer…", "Stopped."). Nothing is highlighted yet: which
    sentences the answer rests on is known only when it is final (:func:`render_sources`).
    """
    parts = [render_status(status) if status else "", '<div class="rag-sources">']
    if sources:
        parts.append("<h3>Sources</h3>")
        parts.extend(render_citation(_unchecked_citation(n, h)) for n, h in enumerate(sources, 1))
    shown = {h.chunk.chunk_id for h in sources}
    others = [h for h in hits if h.chunk.chunk_id not in shown]
    if others:
        label = "Other retrieved passages" if sources else "Retrieved passages"
        parts.append(f'<details class="rag-uncited"><summary>{label} ({len(others)})</summary>')
        parts.extend(render_hit(h) for h in others)
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)


def _unchecked_citation(marker: int, hit: Hit) -> Citation:
    c = hit.chunk
    return Citation(marker, c.doc_id, c.chunk_id, c.title, c.url, c.date, c.text, c.start, c.end)


# -- chat messages and status ------------------------------------------------------------


def render_answer(answer: Answer, *, linked: Collection[int] | None = None) -> str:
    """The assistant message: escaped text, unsupported sentences flagged, abstention said plainly.

    Every ``[n]`` that resolves to one of ``answer.citations`` becomes a link to source
    card n (``#src-n``, see :func:`card_id`) whose tooltip is the cited sentence.
    ``linked``: the markers whose card is on show (default: all of them); the others
    keep the tooltip but link nowhere, for an earlier answer whose card n now shows
    another passage.
    """
    if answer.abstained:
        return f"<strong>{_esc(ABSTAINED)}</strong>"
    cites = {c.marker: c for c in answer.citations}
    live = set(cites) if linked is None else set(linked)

    def show(segment: str) -> str:
        return _link_markers(_esc_lines(segment), cites, live)

    text = answer.text
    if answer.sentences:
        out, pos = [], 0
        for s in sorted(answer.sentences, key=lambda s: s.start):
            start, end = max(pos, s.start), min(len(text), s.end)
            if start >= end:
                continue
            out.append(show(text[pos:start]))
            out.append(show(text[start:end]))
            if s.supported is False:
                out.append(
                    ' <span class="rag-warn" title="No cited source supports this sentence">⚠ unsupported</span>'
                )
            pos = end
        out.append(show(text[pos:]))
        body = "".join(out)
    else:
        body = show(text)
    if answer.finish_reason == "length":
        body += "<br><em>(cut off at the answer length limit)</em>"
    return body


def render_final(answer: Answer, streamed: str = "", *, linked: Collection[int] | None = None) -> str:
    """The assistant message once ``answer`` is final, replacing the ``streamed`` reply.

    When the post-generation checks withdrew the reply (``finish_reason ==
    "unsupported"``: the model answered, no source supports it, the answer became a
    refusal), the reader saw it stream, so it stays on show struck through (``<del>``)
    and labelled :data:`WITHDRAWN`, followed by the final answer. In every other case
    (markers re-pointed, a disagreement note added, a refusal from the start) the final
    answer simply replaces the stream: this is :func:`render_answer`.
    """
    final = render_answer(answer, linked=linked)
    if answer.finish_reason != "unsupported" or is_refusal(streamed):
        return final
    # The withdrawn reply's [n] stay plain text: they point at nothing the answer stands by.
    return (
        f'<div class="rag-withdrawn"><del>{_esc_lines(streamed.strip())}</del><br>'
        f'<span class="rag-withdrawn-label">{_esc(WITHDRAWN)}</span></div>{final}'
    )


def _link_markers(escaped: str, cites: dict[int, Citation], live: Collection[int]) -> str:
    """``escaped`` HTML with each resolvable ``[n]`` made a citation link (escaping leaves markers alone)."""

    def link(m: re.Match[str]) -> str:
        c = cites.get(int(m.group(1)))
        if c is None:
            return m.group()
        tip = _esc(cited_sentence(c))
        if c.marker in live:
            return f'<a class="rag-cite" href="#{card_id(c.marker)}" title="{tip}">{m.group()}</a>'
        return f'<span class="rag-cite rag-cite-earlier" title="{tip}">{m.group()}</span>'

    return _MARKER_RE.sub(link, escaped)


def shown_markers(earlier: Sequence[str], shown: Sequence[str]) -> set[int]:
    """The markers of an earlier answer whose source card is on show now.

    ``earlier`` and ``shown``: chunk ids in marker order (``[1]`` first) of that answer
    and of the answer whose cards the panel shows. Marker n still points to card n
    when both give it the same passage (the library keeps shared sources in place).
    """
    return {n for n, (a, b) in enumerate(zip(earlier, shown, strict=False), 1) if a == b}


def render_partial(text: str) -> str:
    """An answer still streaming, with a cursor."""
    return _esc_lines(text) + " ▌"


# -- debug panel -----------------------------------------------------------------------


def render_debug(answer: Answer) -> str:
    """Retrieval scores and per-stage timings of one answer."""
    t = answer.timings
    cited = {c.chunk_id: c.marker for c in answer.citations}
    shown = {h.chunk.chunk_id: i for i, h in enumerate(answer.sources, 1)}
    rows = "".join(
        f"<tr><td>{h.rank}</td><td>{h.score:.3f}</td><td>{_fmt_score(h.dense)}</td><td>{_fmt_score(h.keyword)}</td>"
        f"<td>{_esc(h.source)}</td>"
        f"<td>{shown.get(h.chunk.chunk_id, '–')}</td><td>{'[' + str(cited[h.chunk.chunk_id]) + ']' if h.chunk.chunk_id in cited else ''}</td>"
        f"<td><code>{_esc(h.chunk.doc_id)}</code> #{h.chunk.ordinal}</td></tr>"
        for h in answer.hits
    )
    rate = t.generated_tokens / t.generate_s if t.generate_s > 0 else 0.0
    stages = [
        ("embed", f"{t.embed_s * 1000:.0f} ms"),
        ("retrieve", f"{t.retrieve_s * 1000:.0f} ms"),
        ("prompt", f"{t.prompt_s * 1000:.0f} ms"),
        ("first token", f"{t.first_token_s:.2f} s"),
        ("generate", f"{t.generate_s:.2f} s ({t.generated_tokens} tokens, {rate:.1f}/s)"),
        ("total", f"{t.total_s:.2f} s"),
        ("prompt tokens", str(t.prompt_tokens)),
        ("chat model", answer.chat_model),
        ("embedder", answer.embed_model),
        ("finish", answer.finish_reason),
        ("confidence", "—" if answer.confidence is None else f"{answer.confidence:.2f}"),
        ("retrieval query", answer.standalone_question),
    ]
    timing_rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in stages)
    return (
        '<div class="rag-debug"><h4>Retrieval</h4><table><tr><th>rank</th><th>fused</th><th>cosine</th>'
        "<th>BM25</th><th>retriever</th>"
        f"<th>shown as</th><th>cited</th><th>passage</th></tr>{rows}</table>"
        f"<h4>Timings</h4><table>{timing_rows}</table></div>"
    )


def _fmt_score(score: float | None) -> str:
    return "–" if score is None else f"{score:.3f}"


# -- small pieces ------------------------------------------------------------------------


def render_status(text: str, *, error: bool = False) -> str:
    """A status line (multi-line text kept); ``error`` styles it as a warning."""
    cls = "rag-status rag-warn" if error else "rag-status"
    return f'<div class="{cls}">{_esc_lines(text)}</div>'


def render_question(question: str) -> str:
    """The user's message as shown in the chat."""
    return _esc_lines(question) or EMPTY_QUESTION


def render_error(message: str) -> str:
    """An error message shown in the chat in place of an answer."""
    return _esc_lines(message)


def render_searching() -> str:
    """The assistant's placeholder while passages are retrieved."""
    return f"<em>{_esc(SEARCHING)}</em>"


def render_waiting() -> str:
    """The assistant's placeholder while the question waits in the queue."""
    return f"<em>{_esc(WAITING)}</em>"


def render_stopped(partial: str) -> str:
    """What was written before Stop, marked as stopped."""
    return (_esc_lines(partial) + "<br>" if partial else "") + "<em>(Stopped.)</em>"


def empty_sources() -> str:
    """The sources panel before any answer."""
    return '<div class="rag-sources"><p class="rag-empty">Sources of the answer appear here.</p></div>'
