"""The UI's handlers, called directly over the fake backends: no browser, no model."""

from __future__ import annotations

import fcntl
import html
import itertools
import os
import re
import threading
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr
import pytest

from rag import RAG, Answer, AnswerSentence, Citation, DocumentError, Hit, Settings
from rag.loading import SUFFIXES
from rag.models import CHAT_MODELS
from rag.testing import FakeLLM, HashEmbedder, MemoryStore
from tests.ui_fixtures import SEEDS, SlowLLM, fake_rag
from ui.app import QUEUE_SIZE, ChatApp
from ui.render import ABSTAINED, highlight, render_answer, render_citation, render_sources
from ui.server import create_app, launch_options
from ui.uploads import formats, safe_filename

QUESTION = "How much money did the EU set aside for weapons and equipment for the training mission?"


def session(name: str) -> Any:
    return SimpleNamespace(session_hash=name)


def run(app: ChatApp, question: str, past: Any = (), request: Any = None, **options: Any) -> list[tuple[Any, ...]]:
    return list(
        app.respond(
            question, past, options.get("top_k", 5), options.get("temperature", 0.0), options.get("chat_model"), request
        )
    )


def skipped(value: Any) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "update" and len(value) == 1


def last(outputs: list[tuple[Any, ...]], index: int) -> Any:
    """The latest value an output got over a run (skips leave the previous one)."""
    values = [o[index] for o in outputs if not skipped(o[index])]
    assert values, f"output {index} was never set"
    return values[-1]


def visible(html_text: str) -> str:
    """The text a reader sees: markup removed (an answer's [n] markers are links, issue 15)."""
    return re.sub(r"<[^>]+>", "", html_text)


def assistant_texts(outputs: list[tuple[Any, ...]]) -> list[str]:
    return [o[0][-1]["content"] for o in outputs if not skipped(o[0])]


@pytest.fixture
def app(tmp_path: Path) -> ChatApp:
    rag = fake_rag(tmp_path, "The EU set aside money for weapons and equipment for the training mission [1].")
    rag.ingest([SEEDS])
    return ChatApp(rag)


def test_skip_helper_matches_gradio() -> None:
    assert skipped(gr.skip())


# -- chat ----------------------------------------------------------------------------------


def test_answer_streams_growing_text_then_sources_with_cited_title(app: ChatApp) -> None:
    outputs = run(app, QUESTION)
    texts = assistant_texts(outputs)
    partial = [t for t in texts if t.endswith("▌")]
    assert len(partial) >= 5, texts  # the FakeLLM streams word by word
    assert all(len(a) < len(b) for a, b in itertools.pairwise(partial))
    assert outputs[0][4] == ""  # the question box is cleared at once
    final = outputs[-1]
    chat, exchanges, sources, debug = final[0], final[1], final[2], final[3]
    assert "▌" not in chat[-1]["content"]
    assert "weapons and equipment for the training mission [1]." in visible(chat[-1]["content"])
    answer = app.rag.ask(QUESTION)
    assert answer.citations, "the fake reply cites [1]"
    title = answer.citations[0].title
    assert title and f"<strong>{title.replace('&', '&amp;')}</strong>" in sources
    assert answer.citations[0].doc_id in sources
    assert 'class="rag-src"' in sources and "<details" in sources
    assert "cosine" in debug and "BM25" in debug and "first token" in debug and answer.citations[0].doc_id in debug
    assert len(exchanges) == 1 and exchanges[0].complete


def test_follow_up_passes_history_and_sessions_are_separate(tmp_path: Path) -> None:
    llm = FakeLLM("The mission trains soldiers [1].")
    app = ChatApp(fake_rag(tmp_path, llm=llm))
    app.rag.ingest([SEEDS])
    alice = last(run(app, "How many soldiers does the EU mission train?", request=session("a")), 1)
    bob = last(run(app, "Who signs the EU–NATO document?", request=session("b")), 1)
    run(app, "And where are they trained?", alice, request=session("a"))
    run(app, "When?", bob, request=session("b"))
    alice_prompt = " ".join(m["content"] for m in llm.prompts[2])
    bob_prompt = " ".join(m["content"] for m in llm.prompts[3])
    assert "How many soldiers does the EU mission train?" in alice_prompt
    assert "Who signs the EU–NATO document?" not in alice_prompt
    assert "Who signs the EU–NATO document?" in bob_prompt
    assert "How many soldiers" not in bob_prompt
    # Each session's display holds its own exchanges only.
    assert [e.question for e in alice] == ["How many soldiers does the EU mission train?"]


def test_earlier_answers_link_only_to_cards_still_on_show(app: ChatApp) -> None:
    first = last(run(app, QUESTION), 1)
    assert 'href="#src-1"' in first[0].shown and first[0].result is not None
    cards = first[0].sources
    # The same sources again: the earlier [1] still points to card 1.
    again = replace(first[0], question="And again?")
    assert 'href="#src-1"' in ChatApp.messages((first[0], again))[1]["content"]
    # A later answer whose [1] is another passage: the earlier [1] keeps its tooltip, links nowhere.
    moved = replace(first[0], question="Something else?", sources=("other#0", *cards[1:]))
    chat = ChatApp.messages((first[0], moved))
    assert 'href="#src-1"' not in chat[1]["content"] and 'class="rag-cite rag-cite-earlier"' in chat[1]["content"]
    assert 'href="#src-1"' in chat[3]["content"]
    assert visible(chat[1]["content"]) == visible(first[0].shown)  # same words, only the link changes
    # The same passages, but the later answer cites none of them: card 1 is not on show
    # (an uncited passage has no card), so the earlier [1] must not link to a missing #src-1.
    assert first[0].result is not None
    uncited = replace(first[0], question="Who leads it?", result=replace(first[0].result, citations=()))
    chat = ChatApp.messages((first[0], uncited))
    assert 'href="#src-1"' not in chat[1]["content"] and 'class="rag-cite rag-cite-earlier"' in chat[1]["content"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("x" * 81, "the limit is 80"),
        ("   ", "The question is empty"),
        ("", "The question is empty"),
    ],
)
def test_bad_question_gets_a_clear_message(tmp_path: Path, question: str, expected: str) -> None:
    app = ChatApp(fake_rag(tmp_path, max_question_chars=80))
    app.rag.ingest([SEEDS])
    outputs = run(app, question)
    chat, exchanges, status = last(outputs, 0), last(outputs, 1), last(outputs, 2)
    assert expected in chat[-1]["content"]
    assert expected in status and "Traceback" not in status
    assert not exchanges[-1].complete  # shown, but never sent to the model as history
    assert app.history(exchanges) == []


@pytest.mark.parametrize("gate", [False, True])
def test_abstention_is_shown_plainly(tmp_path: Path, gate: bool) -> None:
    settings = {"min_score": 0.99} if gate else {}
    app = ChatApp(fake_rag(tmp_path, "I cannot answer this from the provided articles.", **settings))
    app.rag.ingest([SEEDS])
    outputs = run(app, "What is the capital of Peru?")
    assert last(outputs, 0)[-1]["content"] == f"<strong>{ABSTAINED.replace(chr(39), '&#x27;')}</strong>"
    assert "The articles don&#x27;t say." in last(outputs, 2)
    assert "<h3>Sources</h3>" not in last(outputs, 2)


UNSUPPORTED_REPLY = "The mission's budget was exactly 987,654,321 zlotys in 1911 [1]."


def test_a_reply_the_support_check_withdraws_stays_struck_through_above_the_refusal(tmp_path: Path) -> None:
    app = ChatApp(fake_rag(tmp_path, UNSUPPORTED_REPLY, min_support=Settings().min_support))
    app.rag.ingest([SEEDS])
    outputs = run(app, QUESTION)
    assert any("987,654,321 zlotys" in t and t.endswith("▌") for t in assistant_texts(outputs))  # it streamed
    shown = last(outputs, 0)[-1]["content"]
    assert "<del>The mission&#x27;s budget was exactly 987,654,321 zlotys in 1911 [1].</del>" in shown
    assert "withdrawn: not supported by the articles" in shown
    assert shown.endswith(f"<strong>{ABSTAINED.replace(chr(39), '&#x27;')}</strong>")
    [done] = last(outputs, 1)
    assert done.result.finish_reason == "unsupported" and done.streamed == UNSUPPORTED_REPLY
    assert "987,654,321" not in done.answer  # the history carries the refusal, not the withdrawn claim
    # Re-rendered for a later answer's cards, it is still shown withdrawn.
    later = replace(done, question="Other?", sources=("other#0",))
    assert "<del>" in ChatApp.messages((done, later))[1]["content"]


def test_a_reply_the_checks_only_change_replaces_the_stream(app: ChatApp) -> None:
    outputs = run(app, QUESTION)
    shown = last(outputs, 0)[-1]["content"]
    assert "<del>" not in shown and "withdrawn" not in shown and "▌" not in shown


def test_article_and_model_markup_is_escaped(tmp_path: Path) -> None:
    article = tmp_path / "evil.txt"
    article.write_text(
        "Flood warning <script>alert(1)</script> in Lisbon\n\n"
        "The river Tagus flooded Lisbon on Monday. <img src=x onerror=alert(2)> Residents were evacuated.\n"
    )
    reply = "The Tagus flooded Lisbon <script>alert(3)</script> <img src=x onerror=alert(4)> [1]."
    app = ChatApp(fake_rag(tmp_path, reply))
    app.rag.ingest([article])
    outputs = run(app, "Did the Tagus flood Lisbon?")
    sources, chat = last(outputs, 2), last(outputs, 0)
    for html_out in (sources, *(m["content"] for m in chat)):
        assert "<script" not in html_out and "<img" not in html_out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in sources
    assert "&lt;img src=x onerror=alert(2)&gt;" in sources
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in chat[-1]["content"]
    for partial in assistant_texts(outputs):
        assert "<script" not in partial and "<img" not in partial


def citation(**fields: Any) -> Citation:
    base = {
        "marker": 1,
        "doc_id": "a.txt",
        "chunk_id": "a#0",
        "title": "T",
        "url": "",
        "date": "",
        "text": "The EU set aside €16m <for> weapons.",
        "start": 0,
        "end": 10,
    }
    return Citation(**{**base, **fields})


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.com/a?b=1&c=2", True),
        ("http://example.com/", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("file:///etc/passwd", False),
        ("//evil.example/x", False),
    ],
)
def test_source_links_are_plain_http_links(url: str, linked: bool) -> None:
    out = render_citation(citation(url=url))
    if linked:
        assert f'href="{url.replace("&", "&amp;")}"' in out
        assert 'rel="noopener noreferrer nofollow" target="_blank"' in out
    else:
        assert "href" not in out and "<a " not in out
    assert "<img" not in out


def test_highlights_mark_the_supporting_span_escaped() -> None:
    c = citation(highlights=((4, 21), (14, 18)))
    assert highlight(c.text, c.highlights) == "The <mark>EU set aside €16m</mark> &lt;for&gt; weapons."
    assert highlight(c.text, ()) == "The EU set aside €16m &lt;for&gt; weapons."
    assert highlight(c.text, ((28, 99), (5, 2))) == "The EU set aside €16m &lt;for&gt; <mark>weapons.</mark>"
    out = render_citation(c)
    assert out.count("<mark>EU set aside €16m</mark>") == 2  # the preview and the whole passage
    assert "<details>" in out


def test_unsupported_sentences_are_flagged_and_uncited_hits_collapsed() -> None:
    text = "The EU gave €16m [1]. It rained in Paris [1]."
    c = citation()
    hit = Hit(
        chunk=SimpleNamespace(
            chunk_id="b#0", doc_id="b.txt", title="Other <b>", url="", date="", text="Unrelated passage.", ordinal=0
        ),
        score=0.3,
    )
    answer = Answer(
        question="q",
        text=text,
        citations=(c,),
        hits=(hit,),
        sentences=(
            AnswerSentence("The EU gave €16m [1].", 0, 21, (1,), True),
            AnswerSentence("It rained in Paris [1].", 22, 45, (1,), False),
        ),
    )
    shown = visible(render_answer(answer))
    assert shown.count("⚠") == 1
    assert shown.index("⚠") > shown.index("It rained in Paris [1].")
    sources = render_sources(answer)
    assert '<details class="rag-uncited"><summary>Other retrieved passages, not cited (1)</summary>' in sources
    assert "Other &lt;b&gt;" in sources and "Unrelated passage." in sources


def test_a_disagreeing_source_is_marked_in_the_sources_panel() -> None:
    from rag.types import Disagreement

    mine = citation(date="2025-05-02", supported=True)
    other = citation(marker=2, doc_id="b.txt", chunk_id="b#0", title="Order smaller", date="2025-05-06", supported=True)
    answer = Answer(
        question="How many drones?",
        text='They ordered 400 drones [1].\n\nHowever, the sources disagree: the more recent article [2] says "250 drones."',
        citations=(mine, other),
        disagreements=(Disagreement("They ordered 400 drones [1].", (1,), 2, "250 drones.", ("250",), ("400",)),),
    )
    panel = render_sources(answer)
    first, second = panel.split('id="rag-src-2"')
    assert "disagrees with" not in first
    assert "⚠ disagrees with [1]" in second and "2025-05-06" in second
    assert "the more recent article [2]" in visible(render_answer(answer))


def test_stop_cancels_the_answer_and_frees_the_model(tmp_path: Path) -> None:
    llm = SlowLLM("one two three four five six seven eight nine ten [1].", delay=0.01)
    app = ChatApp(fake_rag(tmp_path, llm=llm))
    app.rag.ingest([SEEDS])
    me = session("me")
    gen = app.respond(QUESTION, (), 5, 0.0, None, me)
    for _ in range(4):  # searching, writing, two pieces
        next(gen)
    chat, exchanges, status = app.stop((), me)
    assert "(Stopped.)" in chat[-1]["content"] and "one two" in chat[-1]["content"]
    assert not exchanges[-1].complete and status.startswith('<div class="rag-status">Stopped.')
    assert list(gen) == []  # the handler ends without overwriting what Stop showed
    answered = threading.Event()
    threading.Thread(target=lambda: (app.rag.ask(QUESTION), answered.set()), daemon=True).start()
    assert answered.wait(60), "the model is still held by the stopped answer"
    # Nothing running any more (or a question cancelled while queued): the recorded chat comes back.
    assert app.stop(exchanges, me) == (app.messages(exchanges), gr.skip(), gr.skip())


def test_the_sources_panel_shows_the_evidence_before_the_first_token(tmp_path: Path) -> None:
    llm = FakeLLM("The EU set aside money for weapons and equipment for the training mission [1].")
    app = ChatApp(fake_rag(tmp_path, llm=llm))
    app.rag.ingest([SEEDS])
    gen = app.respond(QUESTION, (), 5, 0.0, None, session("early"))
    searching = next(gen)
    assert "Searching the articles" in searching[2] and llm.prompts == []
    evidence = next(gen)
    assert llm.prompts == []  # the model has not been asked yet
    stream_sources = app.rag.stream(QUESTION).sources
    panel = evidence[2]
    assert "Writing the answer from 5 passages" in panel
    for n, h in enumerate(stream_sources, 1):
        assert f'id="src-{n}"' in panel and f"<code>{h.chunk.doc_id}</code>" in panel
    assert "<mark>" not in panel  # highlights come with the final answer
    outputs = list(gen)
    final = last(outputs, 2)
    assert "<mark>" in final and "Writing the answer" not in final


def test_stop_keeps_the_evidence_on_show(tmp_path: Path) -> None:
    app = ChatApp(fake_rag(tmp_path, llm=SlowLLM("one two three four five [1].", delay=0.01)))
    app.rag.ingest([SEEDS])
    me = session("stopper")
    gen = app.respond(QUESTION, (), 5, 0.0, None, me)
    for _ in range(3):  # searching, evidence, a piece
        next(gen)
    panel = app.stop((), me)[2]
    assert panel.startswith('<div class="rag-status">Stopped.') and 'id="src-1"' in panel
    gen.close()


def test_waiting_note_shows_the_question_before_the_queue(app: ChatApp) -> None:
    exchanges = last(run(app, QUESTION), 1)
    chat = app.waiting("Who signs <the> document?", exchanges)
    assert chat[:-2] == app.messages(exchanges)
    assert chat[-2] == {"role": "user", "content": "Who signs &lt;the&gt; document?"}
    assert "Waiting for the model" in chat[-1]["content"] and "queue" in chat[-1]["content"]


def test_closing_the_handler_frees_the_model(tmp_path: Path) -> None:
    """Gradio closes the generator when it cancels an event (Stop, a closed tab)."""
    llm = SlowLLM("one two three four five six [1].", delay=0.01)
    app = ChatApp(fake_rag(tmp_path, llm=llm))
    app.rag.ingest([SEEDS])
    gen = app.respond(QUESTION, (), 5, 0.0, None, session("x"))
    for _ in range(3):
        next(gen)
    gen.close()
    answered = threading.Event()
    threading.Thread(target=lambda: (app.rag.ask(QUESTION), answered.set()), daemon=True).start()
    assert answered.wait(60), "the model is still held by the closed answer"


def test_clear_forgets_the_conversation(app: ChatApp) -> None:
    exchanges = last(run(app, QUESTION), 1)
    assert exchanges
    chat, cleared, sources, debug = app.clear(session("s"))
    assert chat == [] and cleared == () and "rag-sources" in sources and debug == ""


def test_model_choices_are_the_pulled_chat_models(tmp_path: Path) -> None:
    app = ChatApp(fake_rag(tmp_path))
    assert app.chat_models() == ["qwen2.5-1.5b"]
    models = tmp_path / "models"
    models.mkdir()
    spec = CHAT_MODELS["smollm2-135m"]
    with (models / spec.filename).open("wb") as fh:
        fh.truncate(spec.size)  # sparse: the right size, no disk used
    (models / CHAT_MODELS["qwen2.5-0.5b"].filename).write_bytes(b"partial download")
    assert app.chat_models() == ["qwen2.5-1.5b", "smollm2-135m"]


# -- documents -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("article.txt", "article.txt"),
        ("../../etc/evil.txt", "evil.txt"),
        ("..\\..\\windows\\evil.md", "evil.md"),
        ("/abs/path/news.html", "news.html"),
        ("..hidden.txt", "hidden.txt"),
        ("bad\x00name\n.txt", "badname.txt"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@pytest.mark.parametrize("name", ["..", "../", "", ".txt", "evil.exe", "archive.tar.gz", "/etc/passwd"])
def test_safe_filename_refuses(name: str) -> None:
    with pytest.raises(DocumentError):
        safe_filename(name)


def write_article(folder: Path, name: str = "lisbon-floods.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        "Floods in Lisbon\n\nThe river Tagus flooded Lisbon on Monday. Residents were evacuated "
        "from the lower town, and the mayor asked for European help.\n"
    )
    return path


def test_upload_twice_embeds_nothing_the_second_time(tmp_path: Path) -> None:
    app = ChatApp(fake_rag(tmp_path))
    src = write_article(tmp_path / "browser-tmp" / "abc123")
    calls: list[tuple[Any, ...]] = []

    def progress(*args: Any, **kwargs: Any) -> None:
        calls.append((*args, kwargs.get("desc")))

    status, rows, choices, cleared = app.upload([str(src)], progress=progress)
    assert "1 added" in status and "0 chunks embedded" not in status
    assert cleared is None
    assert [r[0] for r in rows] == ["lisbon-floods.txt"] and rows[0][1] == "Floods in Lisbon" and rows[0][3] >= 1
    assert choices["choices"] == ["lisbon-floods.txt"]
    assert ((1, 1), "Indexed lisbon-floods.txt") in calls
    assert (app.uploads_dir / "lisbon-floods.txt").read_text() == src.read_text()
    embedded = app.rag.embedder.embedded  # type: ignore[attr-defined]

    status, rows, _, _ = app.upload([str(src)], progress=progress)
    assert "0 added" in status and "1 unchanged" in status and "0 chunks embedded" in status
    assert app.rag.embedder.embedded == embedded  # type: ignore[attr-defined]
    assert [r[0] for r in rows] == ["lisbon-floods.txt"]


def test_upload_name_with_path_tricks_stays_in_uploads(tmp_path: Path) -> None:
    app = ChatApp(fake_rag(tmp_path))
    src = write_article(tmp_path / "src", "plain.txt")
    saved = app.save_upload(src, "../../etc/evil.txt")
    assert saved == app.uploads_dir / "evil.txt" and saved.is_file()
    assert not (tmp_path / "etc").exists() and not (app.uploads_dir.parent.parent / "etc").exists()
    status = app.ingest_files([(src, "../../etc/evil.txt")])
    assert "1 added" in status
    assert [r[0] for r in app.documents_table()] == ["evil.txt"]


def test_upload_errors_are_messages_not_tracebacks(tmp_path: Path) -> None:
    app = ChatApp(fake_rag(tmp_path))
    empty = tmp_path / "src" / "empty.txt"
    empty.parent.mkdir()
    empty.write_text("   \n")
    status = app.ingest_files([(empty, "empty.txt")])
    assert "empty" in status and "Traceback" not in status and "rag-warn" in status
    status = app.ingest_files([(empty, "program.exe")])
    assert "only .txt" in status
    assert "Choose one or more" in app.upload(None, progress=None)[0]


def test_upload_while_the_index_is_locked(tmp_path: Path) -> None:
    app = ChatApp(fake_rag(tmp_path))
    src = write_article(tmp_path / "src")
    lock = tmp_path / "data" / "write.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        status = app.ingest_files([(src, src.name)])
    finally:
        os.close(fd)
    assert "Another process is writing to the index" in status and "Traceback" not in status
    assert app.documents_table() == []


def test_remove_document(tmp_path: Path) -> None:
    app = ChatApp(fake_rag(tmp_path))
    app.rag.ingest([SEEDS])
    app.upload([str(write_article(tmp_path / "src"))], progress=None)
    before = [r[0] for r in app.documents_table()]
    assert "lisbon-floods.txt" in before and len(before) == 6
    status, rows, _ = app.remove(["lisbon-floods.txt"])
    assert "Removed 1 document(s)" in status
    assert [r[0] for r in rows] == [d for d in before if d != "lisbon-floods.txt"]
    assert not (app.uploads_dir / "lisbon-floods.txt").exists()
    assert "Choose the documents" in app.remove([])[0]


def test_documents_table_shows_dates_newest_first_undated_last(tmp_path: Path) -> None:
    folder = tmp_path / "dated"
    folder.mkdir()
    for name, date in [
        ("b-old.txt", "2024-03-01"),
        ("a-undated.txt", ""),
        ("c-new.txt", "2025-01-15"),
        ("z-undated.txt", ""),
        ("d-mid.txt", "2024-11-30"),
    ]:
        line = f"Date: {date}\n\n" if date else ""
        (folder / name).write_text(f"Title {name}\n\n{line}The council met on Monday about {name}.\n")
    app = ChatApp(fake_rag(tmp_path))
    app.rag.ingest([folder])
    rows = app.documents_table()
    assert [(r[0], r[2]) for r in rows] == [
        ("c-new.txt", "2025-01-15"),
        ("d-mid.txt", "2024-11-30"),
        ("b-old.txt", "2024-03-01"),
        ("a-undated.txt", ""),
        ("z-undated.txt", ""),
    ]
    assert app.documents_view()[1]["choices"] == [r[0] for r in rows]


# -- wiring --------------------------------------------------------------------------------


def test_build_answers_one_at_a_time_with_a_bounded_queue(app: ChatApp) -> None:
    demo = create_app(app.rag)
    assert demo._queue.max_size == QUEUE_SIZE
    answer_fns = [f for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "respond"]
    assert len(answer_fns) == 3  # Enter, the Ask button, an example
    assert {f.concurrency_limit for f in answer_fns} == {1}
    assert {f.concurrency_id for f in answer_fns} == {"answer"}
    stop = next(f for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "stop")
    assert not stop.queue  # Stop must not wait behind the answer it stops


def test_launch_options_serve_nothing_extra(tmp_path: Path) -> None:
    rag = fake_rag(tmp_path, max_upload_mb=3)
    options = launch_options(ChatApp(rag).settings)
    assert options["server_name"] == "127.0.0.1" and options["server_port"] == 7860
    assert options["share"] is False and options["allowed_paths"] == []
    assert str((tmp_path / "data").resolve()) in options["blocked_paths"]
    assert str((tmp_path / "models").resolve()) in options["blocked_paths"]
    assert options["max_file_size"] == 3 * 1024 * 1024
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"


def test_settings_host_and_port_are_used(tmp_path: Path) -> None:
    rag = fake_rag(tmp_path)
    rag.settings = Settings(data_dir=tmp_path / "data", host="0.0.0.0", port=8123)
    options = launch_options(ChatApp(rag).settings)
    assert (options["server_name"], options["server_port"]) == ("0.0.0.0", 8123)


def test_missing_chromium_fails_and_says_make_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    """The browser tests must fail, never skip, on a machine without Chromium."""
    from tests import ui_fixtures

    monkeypatch.setattr(ui_fixtures, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(ui_fixtures.shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="make browser"):
        ui_fixtures.chromium()


# -- every format, date range (issue 14) ------------------------------------------------------------


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_the_upload_names_and_accepts_every_format_the_loader_reads(tmp_path: Path, suffix: str) -> None:
    app = ChatApp(fake_rag(tmp_path))
    message = visible(app.upload(None, progress=None)[0])
    assert re.search(rf"{re.escape(suffix)}\b(?!\w)", message), message
    assert safe_filename(f"news{suffix.upper()}") == f"news{suffix.upper()}"
    files = next(b for b in create_app(app.rag).blocks.values() if getattr(b, "elem_id", None) == "upload")
    assert suffix in files.file_types and suffix in str(files.label)


def test_formats_lists_every_suffix_once() -> None:
    assert formats().count(".") == len(SUFFIXES)
    assert formats().endswith(f" or {SUFFIXES[-1]}")


class RecordingRAG(RAG):
    """A RAG over the fakes whose ``stream`` records the keyword arguments the UI passed."""

    calls: list[dict[str, Any]]

    def stream(self, question: str, history: Any = None, **options: Any) -> Any:
        self.calls.append(options)
        # The date filter is the library's job (tested there); here: what the UI passes on.
        kept = {k: v for k, v in options.items() if k not in ("since", "until")}
        return super().stream(question, history, **kept)


def recording_app(tmp_path: Path) -> ChatApp:
    rag = RecordingRAG(
        embedder=HashEmbedder(),
        store=MemoryStore(),
        llm=FakeLLM("The EU set aside money [1]."),
        settings=Settings(data_dir=tmp_path / "data", models_dir=tmp_path / "models", min_score=-1.0, min_support=0.0),
        lock_path=tmp_path / "data" / "write.lock",
    )
    rag.calls = []
    rag.ingest([SEEDS])
    return ChatApp(rag)


@pytest.mark.parametrize(
    ("since", "until", "passed"),
    [
        ("2025-03-01", "2025-03-31", {"since": "2025-03-01", "until": "2025-03-31"}),
        ("  2024-02-29 ", "", {"since": "2024-02-29"}),  # spaces trimmed, empty = no limit
        (None, "2025-01-01", {"until": "2025-01-01"}),
        ("", "", {}),
        (None, None, {}),
        ("2025-03-01", "2025-03-01", {"since": "2025-03-01", "until": "2025-03-01"}),  # one day
    ],
)
def test_the_date_range_reaches_the_library_only_when_set(
    tmp_path: Path, since: str | None, until: str | None, passed: dict[str, str]
) -> None:
    app = recording_app(tmp_path)
    outputs = list(app.respond(QUESTION, (), 5, 0.0, None, None, since, until))
    [options] = app.rag.calls  # type: ignore[attr-defined]
    assert {k: v for k, v in options.items() if k in ("since", "until")} == passed
    assert last(outputs, 1)[-1].complete


@pytest.mark.parametrize(
    ("since", "until", "says"),
    [
        ("2025-13-01", "", "Since: '2025-13-01' is not a date; write it as YYYY-MM-DD"),
        ("March 1", "", "Since: 'March 1' is not a date; write it as YYYY-MM-DD"),
        ("2025-3-1", "", "Since: '2025-3-1' is not a date"),
        ("", "2025-02-30", "Until: '2025-02-30' is not a date; write it as YYYY-MM-DD"),
        ("", "<b>x</b>", "Until: '<b>x</b>' is not a date"),
        ("2025-04-01", "2025-03-01", "Since (2025-04-01) is after Until (2025-03-01)"),
    ],
)
def test_a_bad_date_is_a_one_line_message_naming_the_box(tmp_path: Path, since: str, until: str, says: str) -> None:
    app = recording_app(tmp_path)
    outputs = list(app.respond(QUESTION, (), 5, 0.0, None, None, since, until))
    status, chat = last(outputs, 2), last(outputs, 0)
    assert says in html.unescape(visible(status)) and says in html.unescape(visible(chat[-1]["content"]))
    assert "<b>" not in status and "<b>" not in chat[-1]["content"]  # escaped
    assert "Traceback" not in status and "<br>" not in status  # one line
    assert app.rag.calls == []  # type: ignore[attr-defined]
    assert not last(outputs, 1)[-1].complete


def test_the_date_boxes_are_wired_to_every_way_of_asking(app: ChatApp) -> None:
    demo = create_app(app.rag)
    labels = {b._id: getattr(b, "label", None) for b in demo.blocks.values()}
    for f in (f for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "respond"):
        assert [labels[b._id] for b in f.inputs][-2:] == ["Since", "Until"]


# -- export and feedback (issue 15) ----------------------------------------------------------


def answered(app: ChatApp, *questions: str) -> tuple[Any, ...]:
    """The session's exchanges after asking ``questions`` in turn."""
    past: tuple[Any, ...] = ()
    for q in questions:
        past = last(run(app, q, past), 1)
    return past


def test_export_writes_markdown_and_json_of_the_answers_under_data_dir(app: ChatApp) -> None:
    from rag.conversation import Conversation

    past = answered(app, QUESTION, "And who trains the soldiers?")
    update, status = app.export(past)
    files = update["value"]
    assert update["visible"] is True and sorted(Path(f).suffix for f in files) == [".json", ".md"]
    kept = sorted(app.exports_dir.iterdir())
    assert [p.name for p in kept] == sorted(Path(f).name for f in files)
    assert re.fullmatch(r"conversation-\d{8}-\d{6}-[0-9a-f]{6}\.(md|json)", kept[0].name)
    assert all(Path(f).read_text() == (app.exports_dir / Path(f).name).read_text() for f in files)
    assert "Exported 2 answers" in status and "rag-warn" not in status
    markdown = (app.exports_dir / next(Path(f).name for f in files if f.endswith(".md"))).read_text()
    first = past[0].result
    assert QUESTION in markdown and "And who trains the soldiers?" in markdown
    assert first.text.strip() in markdown and first.citations
    assert f"{first.citations[0].marker}. {first.citations[0].title}" in markdown
    again = Conversation.from_json(Path(next(f for f in files if f.endswith(".json"))).read_text())
    assert [a.question for a in again.answers] == [QUESTION, "And who trains the soldiers?"]
    assert again.answers[0] == first


def test_export_leaves_out_failed_questions_and_says_when_there_is_nothing(app: ChatApp) -> None:
    files, status = app.export(())
    assert skipped(files) and "Nothing to export yet" in status and "rag-warn" in status
    failed = last(run(app, "   "), 1)  # an empty question: an error message, not an answer
    assert skipped(app.export(failed)[0]) and not app.exports_dir.exists()
    files = app.export((*failed, *answered(app, QUESTION)))[0]["value"]
    markdown = Path(next(f for f in files if f.endswith(".md"))).read_text()
    assert markdown.count("## ") == 1 and QUESTION in markdown


def liked(index: int, liked: bool | str) -> gr.LikeData:
    return gr.LikeData(None, {"index": index, "value": "", "liked": liked})


def feedback_lines(app: ChatApp) -> list[dict[str, Any]]:
    import json

    path = Path(app.settings.data_dir) / "feedback.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_thumbs_up_is_stored_at_once_with_question_history_and_sources(app: ChatApp) -> None:
    past = answered(app, QUESTION, "And who trains the soldiers?")
    rated, panel, status = app.like(past, liked(3, True))  # message 3: the second answer
    assert rated is None and panel["visible"] is False and "👍" in status and "feedback.jsonl" in status
    [line] = feedback_lines(app)
    assert line["verdict"] == "up" and line["question"] == "And who trains the soldiers?"
    assert line["history"] == [{"question": QUESTION, "answer": past[0].answer}]
    assert line["answer"] == past[1].answer and line["sources"] and line["settings"]["top_k"] == app.settings.top_k


def test_thumbs_down_opens_the_panel_and_send_stores_reason_and_correction(app: ChatApp) -> None:
    past = answered(app, QUESTION)
    rated, panel, status = app.like(past, liked(1, False))
    assert rated == 0 and panel["visible"] is True and "What was wrong" in status
    assert not (Path(app.settings.data_dir) / "feedback.jsonl").exists()  # nothing stored before Send
    rated, panel, reason, correction, status = app.send_feedback(past, 0, "not_in_articles", "  ")
    assert rated is None and panel["visible"] is False and reason is None and correction == ""
    assert "👎 (not in the articles)" in status
    app.send_feedback(past, 0, None, "16 million euros")
    first, second = feedback_lines(app)
    assert (first["verdict"], first["reason"], first["correction"]) == ("down", "not_in_articles", None)
    assert (second["verdict"], second["reason"], second["correction"]) == ("down", None, "16 million euros")
    assert first["question"] == QUESTION and first["history"] == []


def test_only_answers_can_be_rated(app: ChatApp) -> None:
    failed = last(run(app, "   "), 1)
    past = (*failed, *answered(app, QUESTION))
    for index in (0, 1, 2, 9, "x"):  # a question, the error message, the second question, out of range
        rated, _panel, status = app.like(past, liked(index, True))  # type: ignore[arg-type]
        assert rated is None and "Only answers can be rated" in status
    assert app.like(past, liked(3, "")) == (None, {"__type__": "update", "visible": False}, "")  # undo: nothing
    assert "Click 👎" in app.send_feedback(past, None, "wrong", "")[-1]
    assert not (Path(app.settings.data_dir) / "feedback.jsonl").exists()
    app.like(past, liked(3, True))
    assert [r["question"] for r in feedback_lines(app)] == [QUESTION]


# -- uploads that share a name (issue 16, kind 2) ----------------------------------------------

DREDGING = "Harbour dredging\n\nThe harbour dredging project will cost 3.4 million euros, the port authority said.\n"
LIBRARY = "New library opens\n\nThe new public library opened on Monday with 40,000 books on its shelves.\n"


def upload_named(app: ChatApp, folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return visible(app.upload([str(path)], progress=None)[0])


def test_an_upload_never_replaces_an_unrelated_document_of_the_same_name(tmp_path: Path) -> None:
    app = ChatApp(fake_rag(tmp_path))
    assert "1 added" in upload_named(app, tmp_path / "a", "report.txt", DREDGING)
    status = upload_named(app, tmp_path / "b", "report.txt", LIBRARY)
    assert "1 added" in status and "0 updated" in status
    assert "report.txt was added as report-2.txt: an indexed article already has that name." in status
    assert "rag-warn" not in app.upload([str(tmp_path / "b" / "report.txt")], progress=None)[0]
    docs = {r[0]: r[1] for r in app.documents_table()}
    assert docs == {"report.txt": "Harbour dredging", "report-2.txt": "New library opens"}
    assert (app.uploads_dir / "report.txt").read_text() == DREDGING
    assert (app.uploads_dir / "report-2.txt").read_text() == LIBRARY
    # Both are answered from: each one's passage is retrieved for its own question.
    assert app.rag.stream("How much will the harbour dredging cost?").sources[0].chunk.doc_id == "report.txt"
    assert app.rag.stream("When did the new public library open?").sources[0].chunk.doc_id == "report-2.txt"


def test_the_same_file_again_is_unchanged_and_a_third_name_gets_the_next_number(tmp_path: Path) -> None:
    app = ChatApp(fake_rag(tmp_path))
    upload_named(app, tmp_path / "a", "report.txt", DREDGING)
    upload_named(app, tmp_path / "b", "report.txt", LIBRARY)
    status = upload_named(app, tmp_path / "c", "report.txt", DREDGING)  # the same bytes as report.txt
    assert "0 added" in status and "1 unchanged" in status and "report.txt is" not in status
    status = upload_named(app, tmp_path / "d", "report.txt", LIBRARY)  # the same bytes as report-2.txt
    assert "0 added" in status and "1 unchanged" in status and "was added as" not in status
    assert "report.txt is the same file as report-2.txt, already added." in status
    status = upload_named(app, tmp_path / "e", "report.txt", "Third\n\nA third, unrelated article about tram lines.\n")
    assert "was added as report-3.txt" in status
    assert sorted(p.name for p in app.uploads_dir.iterdir()) == ["report-2.txt", "report-3.txt", "report.txt"]


def test_an_upload_does_not_replace_an_article_ingested_from_elsewhere(tmp_path: Path) -> None:
    app = ChatApp(fake_rag(tmp_path))
    app.rag.ingest([SEEDS])
    seed = sorted(SEEDS.iterdir())[0]
    before = {r[0]: r[1] for r in app.documents_table()}
    status = upload_named(app, tmp_path / "a", seed.name, LIBRARY)
    renamed = f"{seed.stem}-2{seed.suffix}"
    assert f"{seed.name} was added as {renamed}" in status
    assert {r[0]: r[1] for r in app.documents_table()} == {**before, renamed: "New library opens"}
