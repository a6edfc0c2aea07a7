"""The UI's HTML as pure functions of library values: no Gradio, no server, no model."""

from __future__ import annotations

from typing import Any

import pytest

from rag import Answer, AnswerSentence, Chunk, Citation, Hit, Timings
from ui import render


def citation(**fields: Any) -> Citation:
    base = {
        "marker": 1,
        "doc_id": "a.txt",
        "chunk_id": "a#0",
        "title": "EU mission",
        "url": "",
        "date": "",
        "text": "The EU set aside €16m for weapons. The mission trains 15,000 soldiers.",
        "start": 0,
        "end": 70,
    }
    return Citation(**{**base, **fields})


def hit(chunk_id: str = "b#0", text: str = "Unrelated passage.", **fields: Any) -> Hit:
    chunk = Chunk(chunk_id=chunk_id, doc_id=chunk_id.split("#")[0], text=text, start=0, end=len(text), title="B")
    return Hit(chunk=chunk, score=0.5, **fields)


# -- small pieces ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=1", "https://example.com/a?b=1"),
        ("  http://example.com/  ", "http://example.com/"),
        ("HTTPS://EXAMPLE.COM", "HTTPS://EXAMPLE.COM"),
        ("javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("file:///etc/passwd", None),
        ("//evil.example/x", None),
        ("https://", None),
        ("http://[::1", None),  # unparsable
        ("", None),
    ],
)
def test_safe_url_keeps_only_http_links(url: str, expected: str | None) -> None:
    assert render.safe_url(url) == expected


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("abc", (), "abc"),
        ("a<b>c", ((1, 4),), "a<mark>&lt;b&gt;</mark>c"),
        ("abcdef", ((0, 2), (1, 3)), "<mark>abc</mark>def"),  # overlapping spans merge
        ("abcdef", ((4, 6), (0, 1)), "<mark>a</mark>bcd<mark>ef</mark>"),  # any order
        ("abc", ((2, 99), (-5, 1)), "<mark>a</mark>b<mark>c</mark>"),  # clipped to the text
        ("abc", ((2, 1),), "abc"),  # empty or reversed spans are dropped
    ],
)
def test_highlight(text: str, spans: tuple[tuple[int, int], ...], expected: str) -> None:
    assert render.highlight(text, spans) == expected


@pytest.mark.parametrize(
    ("function", "arg", "expected"),
    [
        (render.render_question, "a <b>\nc", "a &lt;b&gt;<br>c"),
        (render.render_question, "", "<em>(empty question)</em>"),
        (render.render_error, "Bad 'x'\nfix it", "Bad &#x27;x&#x27;<br>fix it"),
        (render.render_partial, "Half <i>", "Half &lt;i&gt; ▌"),
        (render.render_stopped, "Half", "Half<br><em>(Stopped.)</em>"),
        (render.render_stopped, "", "<em>(Stopped.)</em>"),
    ],
)
def test_chat_pieces_are_escaped(function: Any, arg: str, expected: str) -> None:
    assert function(arg) == expected


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (False, '<div class="rag-status">Indexed<br>2 &lt;files&gt;</div>'),
        (True, '<div class="rag-status rag-warn">Indexed<br>2 &lt;files&gt;</div>'),
    ],
)
def test_status_line(error: bool, expected: str) -> None:
    assert render.render_status("Indexed\n2 <files>", error=error) == expected


def test_placeholders_say_what_happens() -> None:
    assert render.render_searching() == "<em>Searching the articles…</em>"
    assert render.render_waiting().startswith("<em>Waiting for the model")
    assert "appear here" in render.empty_sources()


# -- answers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (Answer(question="q", text="It is <b>.\nNext."), "It is &lt;b&gt;.<br>Next."),
        (Answer(question="q", text="x", abstained=True), "<strong>The articles don&#x27;t say.</strong>"),
        (
            Answer(question="q", text="Cut", finish_reason="length"),
            "Cut<br><em>(cut off at the answer length limit)</em>",
        ),
        (
            Answer(
                question="q",
                text="A [1]. B [1].",
                sentences=(AnswerSentence("A [1].", 0, 6, (1,), None), AnswerSentence("B [1].", 7, 13, (1,), False)),
            ),
            'A [1]. B [1]. <span class="rag-warn" title="No cited source supports this sentence">⚠ unsupported</span>',
        ),
    ],
)
def test_render_answer(answer: Answer, expected: str) -> None:
    assert render.render_answer(answer) == expected


# -- sources panel -----------------------------------------------------------------------------


def test_sources_panel_lists_cited_then_collapses_the_rest() -> None:
    cited = citation(highlights=((35, 70),))
    answer = Answer(question="q", text="It trains 15,000 [1].", citations=(cited,), hits=(hit("a#0"), hit("b#0")))
    panel = render.render_sources(answer)
    assert panel.startswith('<div class="rag-sources"><h3>Sources</h3>')
    assert panel.count('class="rag-src"') == 1
    assert "<mark>The mission trains 15,000 soldiers.</mark>" in panel
    assert "Other retrieved passages, not cited (1)" in panel and "Unrelated passage." in panel


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (Answer(question="q", text="", abstained=True), "No passage answers the question."),
        (Answer(question="q", text="Something."), "⚠ The answer cites no source."),
        (Answer(question="q", text="Something.", hits=(hit(),)), "Retrieved passages (1)"),
    ],
)
def test_sources_panel_without_citations(answer: Answer, says: str) -> None:
    panel = render.render_sources(answer)
    assert says in panel and "<h3>Sources</h3>" not in panel


@pytest.mark.parametrize(
    ("supported", "warned"),
    [(True, False), (None, False), (False, True)],
)
def test_a_citation_that_does_not_support_its_sentence_is_flagged(supported: bool | None, warned: bool) -> None:
    assert ("does not support the claim" in render.render_citation(citation(supported=supported))) is warned


def test_a_long_passage_preview_is_cut_at_spaces_around_the_highlight() -> None:
    text = " ".join(f"word{i}" for i in range(200)) + " The key sentence. " + " ".join("tail" for _ in range(100))
    start = text.index("The key")
    card = render.render_citation(citation(text=text, highlights=((start, start + 17),)))
    summary = card.split("<summary>")[1].split("</summary>")[0]
    assert summary.startswith("…word") and summary.endswith("…")
    assert "<mark>The key sentence.</mark>" in summary
    assert len(summary) < 400


def test_debug_panel_shows_scores_and_timings() -> None:
    h = hit("a#0", rank=1, dense=0.81234, keyword=None)
    answer = Answer(
        question="q",
        text="x [1].",
        citations=(citation(),),
        sources=(h,),
        hits=(h,),
        timings=Timings(first_token_s=1.234, generate_s=2.0, generated_tokens=10),
        chat_model="tiny <m>",
    )
    debug = render.render_debug(answer)
    assert "<td>0.812</td><td>–</td>" in debug  # cosine shown, no BM25 score
    assert "<td>[1]</td>" in debug
    assert "1.23 s" in debug and "5.0/s" in debug
    assert "tiny &lt;m&gt;" in debug
