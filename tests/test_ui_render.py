"""The UI's HTML as pure functions of library values: no Gradio, no server, no model."""

from __future__ import annotations

import re
from dataclasses import replace
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


# -- a streamed reply the checks withdrew (issue 16, kind 7) ----------------------------------------

WITHDRAWN_HTML = (
    '<div class="rag-withdrawn"><del>Turnout was 45.0 % [3].</del><br>'
    '<span class="rag-withdrawn-label">withdrawn: not supported by the articles</span></div>'
    "<strong>The articles don&#x27;t say.</strong>"
)
REFUSED = Answer(question="q", text="I cannot answer this from the provided articles.", abstained=True)


@pytest.mark.parametrize(
    ("answer", "streamed", "expected"),
    [
        # The support check turned a claim into a refusal: the claim stays, struck through and labelled.
        (replace(REFUSED, finish_reason="unsupported"), "Turnout was 45.0 % [3].", WITHDRAWN_HTML),
        # Escaped, line breaks kept, surrounding space dropped.
        (
            replace(REFUSED, finish_reason="unsupported"),
            "  It is <b>.\nNext [1].  ",
            '<div class="rag-withdrawn"><del>It is &lt;b&gt;.<br>Next [1].</del><br>'
            '<span class="rag-withdrawn-label">withdrawn: not supported by the articles</span></div>'
            "<strong>The articles don&#x27;t say.</strong>",
        ),
        # The model refused by itself, or streamed nothing: nothing was withdrawn.
        (REFUSED, "I cannot answer this from the provided articles.", "<strong>The articles don&#x27;t say.</strong>"),
        (replace(REFUSED, finish_reason="unsupported"), "", "<strong>The articles don&#x27;t say.</strong>"),
        (
            replace(REFUSED, finish_reason="unsupported"),
            "The articles do not say [1].",
            "<strong>The articles don&#x27;t say.</strong>",
        ),
        # The checks changed the reply (a marker re-pointed, a note added): the final answer replaces it.
        (
            Answer(question="q", text="It was 45 % [2]. Source [1] says 40 %."),
            "It was 45 % [1].",
            "It was 45 % [2]. Source [1] says 40 %.",
        ),
        # The evidence gate refused before the model wrote anything.
        (replace(REFUSED, finish_reason="gate"), "", "<strong>The articles don&#x27;t say.</strong>"),
    ],
)
def test_a_withdrawn_reply_stays_struck_through_and_a_changed_one_is_replaced(
    answer: Answer, streamed: str, expected: str
) -> None:
    assert render.render_final(answer, streamed) == expected


def test_render_final_links_markers_like_render_answer() -> None:
    answer = Answer(question="q", text="It trains 15,000 [1].", citations=(citation(),))
    assert render.render_final(answer, "It trains 15,000 [1].") == render.render_answer(answer)
    assert render.render_final(answer, "x", linked=()) == render.render_answer(answer, linked=())


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
        (
            Answer(question="q", text="", abstained=True, finish_reason="unsupported"),
            "No passage supports what the model wrote, so it was withdrawn.",
        ),
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


# -- evidence before the answer (issue 13, item 5) -----------------------------------------------

A0 = hit("a#0", "The mission trains 15,000 soldiers.")
B0 = hit("b#0", "Unrelated <b> passage.")
C0 = hit("c#0", "A third passage.")


@pytest.mark.parametrize(
    ("sources", "hits", "status", "cards", "uncited", "empty"),
    [
        ((A0, B0), (A0, B0, C0), "Writing…", ["a#0", "b#0"], "Other retrieved passages (1)", False),
        ((B0, A0), (A0, B0), "", ["b#0", "a#0"], None, False),  # card n is sources[n-1], not rank order
        ((), (A0,), "Writing…", [], "Retrieved passages (1)", True),  # nothing shown to the model
        ((), (), "", [], None, True),
    ],
)
def test_evidence_panel_shows_the_passages_in_marker_order_without_highlights(
    sources: tuple[Hit, ...], hits: tuple[Hit, ...], status: str, cards: list[str], uncited: str | None, empty: bool
) -> None:
    panel = render.render_evidence(sources, hits, status)
    assert panel.startswith(render.render_status(status) if status else '<div class="rag-sources">')
    doc_ids = re.findall(r"<code>([^<]*)</code>", panel)  # the cards' first, then the collapsed others'
    assert doc_ids[: len(cards)] == [c.split("#")[0] for c in cards]
    for n in range(1, len(cards) + 1):
        assert f'id="src-{n}"' in panel and f'<span class="rag-marker">[{n}]</span>' in panel
    assert f'id="src-{len(cards) + 1}"' not in panel
    assert "<mark>" not in panel and "does not support" not in panel
    assert ("<h3>Sources</h3>" not in panel) is empty
    assert (uncited is None and "rag-uncited" not in panel) or (uncited is not None and uncited in panel)
    assert "<b>" not in panel


def test_evidence_cards_are_the_final_cards_less_the_highlights() -> None:
    final = citation(chunk_id="a#0", doc_id="a", title="B", text=A0.chunk.text, start=0, end=len(A0.chunk.text))
    card = render.render_evidence((A0,), (A0,)).split("<h3>Sources</h3>")[1].removesuffix("</div>")
    assert card == render.render_citation(final)


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


# -- clickable citations (issue 15) ------------------------------------------------------------

TRAINS = "The mission trains 15,000 soldiers."


def cited_answer(text: str, *citations: Citation, **fields: Any) -> Answer:
    return Answer(question="q", text=text, citations=citations, **fields)


def cite_link(n: int, tip: str) -> str:
    return f'<a class="rag-cite" href="#src-{n}" title="{tip}">[{n}]</a>'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It trains 15,000 [1].", f"It trains 15,000 {cite_link(1, TRAINS)}."),
        (
            "Both say so [1][2].",
            f"Both say so {cite_link(1, TRAINS)}{cite_link(2, 'Second &lt;b&gt; &quot;quoted&quot;.')}.",
        ),
        ("Not shown [7], not a marker [2022] or [x].", "Not shown [7], not a marker [2022] or [x]."),
        ("Line one [2]\nline two.", f"Line one {cite_link(2, 'Second &lt;b&gt; &quot;quoted&quot;.')}<br>line two."),
    ],
)
def test_each_resolved_marker_links_to_its_card_with_the_cited_sentence(text: str, expected: str) -> None:
    first = citation(highlights=((35, 70),))
    second = citation(marker=2, chunk_id="b#0", text='Second <b> "quoted".')
    assert render.render_answer(cited_answer(text, first, second)) == expected


def test_markers_link_inside_checked_sentences_too() -> None:
    answer = cited_answer(
        "A [1]. B [1].",
        citation(highlights=((35, 70),)),
        sentences=(AnswerSentence("A [1].", 0, 6, (1,), True), AnswerSentence("B [1].", 7, 13, (1,), False)),
    )
    warn = '<span class="rag-warn" title="No cited source supports this sentence">⚠ unsupported</span>'
    assert render.render_answer(answer) == f"A {cite_link(1, TRAINS)}. B {cite_link(1, TRAINS)}. {warn}"


def test_a_marker_without_citations_or_while_streaming_stays_text() -> None:
    assert render.render_answer(cited_answer("Said [1].")) == "Said [1]."
    assert render.render_partial("Said [1]") == "Said [1] ▌"


@pytest.mark.parametrize(
    ("text", "highlights", "expected"),
    [
        (TRAINS, ((4, 11),), "mission"),
        ("One. Two.  Three\n words.", ((0, 4), (11, 24)), "One. … Three words."),  # whitespace folded for a tooltip
        ("Short passage.", (), "Short passage."),
        ("word " * 100, (), ("word " * 44).strip() + "…"),  # no highlight: the start, cut at a space
    ],
)
def test_cited_sentence(text: str, highlights: tuple[tuple[int, int], ...], expected: str) -> None:
    assert render.cited_sentence(citation(text=text, highlights=highlights)) == expected


def test_markers_whose_card_is_not_on_show_keep_the_tooltip_but_link_nowhere() -> None:
    answer = cited_answer("A [1], B [2].", citation(highlights=((35, 70),)), citation(marker=2, text="Two."))
    shown = render.render_answer(answer, linked={2})
    assert f'<span class="rag-cite rag-cite-earlier" title="{TRAINS}">[1]</span>' in shown
    assert cite_link(2, "Two.") in shown
    assert 'href="#src-1"' not in shown


def test_source_cards_have_stable_ids_in_marker_order() -> None:
    answer = cited_answer("x [2] y [1].", citation(marker=2, chunk_id="b#0"), citation(marker=1))
    panel = render.render_sources(answer)
    assert panel.count('id="src-') == 2
    assert panel.index('id="src-2"') < panel.index('id="src-1"')  # in the order the answer cites them
    assert render.card_id(3) == "src-3"
    assert '<div class="rag-card" id="src-1" tabindex="-1"><div class="rag-src" id="rag-src-1">' in panel


@pytest.mark.parametrize(
    ("earlier", "shown", "expected"),
    [
        (("a", "b", "c"), ("a", "b", "c"), {1, 2, 3}),
        (("a", "b", "c"), ("a", "x", "c", "d"), {1, 3}),  # a new passage took number 2
        (("a", "b"), ("b", "a"), set()),
        (("a", "b"), (), set()),
    ],
)
def test_shown_markers(earlier: tuple[str, ...], shown: tuple[str, ...], expected: set[int]) -> None:
    assert render.shown_markers(earlier, shown) == expected
