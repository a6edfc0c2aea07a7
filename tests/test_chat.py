"""The terminal chat (``rag chat``) and how ``rag ask`` prints a checked answer.

Most tests run :func:`rag.chat.chat_loop` in-process with scripted input over a
fake-backed RAG; one slow test drives the real ``rag chat`` under a pseudo-terminal.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import RAG
from rag.chat import chat_loop, replacement_note, show_final
from rag.conversation import Conversation
from rag.prompting import REFUSAL
from rag.testing import FakeLLM, fake_rag

MONEY = "How much money did the EU set aside for weapons and equipment for the training mission?"
GOOD = "The EU allocated 16 million euros for weapons and equipment for the training [1]."
INVENTED = "Argentina won the 2022 FIFA World Cup final against France on penalties [1]."


def _reply(messages: list[dict[str, str]]) -> str:
    return INVENTED if "World Cup" in messages[-1]["content"] else GOOD


@pytest.fixture
def fake(tmp_path: Path, seeds: Path) -> tuple[RAG, FakeLLM]:
    llm = FakeLLM(_reply)  # type: ignore[arg-type]
    rag = fake_rag(tmp_path, llm=llm, min_score=-1.0)
    rag.ingest([seeds])
    return rag, llm


def script(*lines: str | BaseException) -> object:
    """A ``read`` function that returns (or raises) each item in turn, then EOFError."""
    items: Iterator[str | BaseException] = iter(lines)

    def read(_prompt: str) -> str:
        item = next(items, EOFError())
        if isinstance(item, BaseException):
            raise item
        return item

    return read


def run(rag: RAG, *lines: str | BaseException, **options: object) -> tuple[Conversation, str]:
    out = io.StringIO()
    conversation = chat_loop(rag, read=script(*lines), write=out, **options)  # type: ignore[arg-type]
    return conversation, out.getvalue()


def test_follow_ups_carry_the_conversation(fake: tuple[RAG, FakeLLM]) -> None:
    rag, llm = fake
    conversation, out = run(rag, MONEY, "And who trains the soldiers?")
    assert len(conversation.answers) == 2 and out.count(GOOD) == 2
    assert f"Q: {MONEY}" in llm.prompts[-1][-1]["content"]
    assert "[1] 003_bdfe6df497ee2b67.txt" in out


def test_clear_forgets_the_conversation(fake: tuple[RAG, FakeLLM]) -> None:
    rag, llm = fake
    conversation, out = run(rag, MONEY, "/clear", "Who trains the soldiers?")
    assert "Conversation cleared." in out
    assert "Q: " not in llm.prompts[-1][-1]["content"] and len(conversation.answers) == 1


def test_sources_lists_the_last_answers_numbered_sources(fake: tuple[RAG, FakeLLM]) -> None:
    rag, _ = fake
    conversation, out = run(rag, "/sources", MONEY, "/sources")
    assert "No answer yet." in out
    answer = conversation.answers[-1]
    listing = out[out.rindex("*[1]") :]
    for n, hit in enumerate(answer.sources, 1):
        mark = "*" if n == 1 else " "
        assert f"{mark}[{n}] {hit.chunk.doc_id}" in listing


def test_export_writes_markdown_or_json_by_suffix(fake: tuple[RAG, FakeLLM], tmp_path: Path) -> None:
    rag, _ = fake
    md, js = tmp_path / "chat.md", tmp_path / "chat.json"
    conversation, out = run(rag, "/export chat.md", MONEY, f"/export {md}", f"/export {js}", "/export chat.txt")
    assert "Nothing to export yet" in out and "end the name with .md" in out
    assert f"Saved 1 answer(s) to {md}" in out
    assert md.read_text(encoding="utf-8").startswith("# Conversation") and "> " in md.read_text(encoding="utf-8")
    assert Conversation.from_json(js.read_text(encoding="utf-8")).answers == conversation.answers


def test_help_unknown_commands_and_quit(fake: tuple[RAG, FakeLLM]) -> None:
    rag, _ = fake
    conversation, out = run(rag, "/help", "/frobnicate", "/quit", MONEY)
    assert "/export FILE" in out and "Unknown command /frobnicate; /help lists them." in out
    assert conversation.answers == []  # nothing after /quit was read


def test_ctrl_c_stops_the_answer_not_the_chat(fake: tuple[RAG, FakeLLM]) -> None:
    rag, _ = fake

    class Interrupting(io.StringIO):
        """A terminal where the user presses Ctrl-C while the third piece is printed."""

        pieces = 0

        def write(self, s: str) -> int:
            if s in GOOD and s.strip():
                self.pieces += 1
                if self.pieces == 3:
                    raise KeyboardInterrupt
            return super().write(s)

    out = Interrupting()
    conversation = chat_loop(rag, read=script(KeyboardInterrupt(), MONEY, "Who trains them?"), write=out)  # type: ignore[arg-type]
    first, second = conversation.answers
    assert first.finish_reason == "cancelled" and "(stopped)" in out.getvalue()
    assert second.finish_reason == "stop" and second.text == GOOD  # the model was free again
    # A stopped answer is not followed by a sources list: nothing was checked.
    after_stop = out.getvalue().split("(stopped)")[1]
    assert after_stop.index(GOOD) < after_stop.index("[1] ")  # the only sources list is the second answer's


def test_ctrl_c_before_the_first_token_stops_only_that_question(fake: tuple[RAG, FakeLLM]) -> None:
    rag, _ = fake
    embed = rag.embedder.embed
    calls = 0

    def interrupted_once(texts: list[str]) -> list[list[float]]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise KeyboardInterrupt  # Ctrl-C while the question is embedded
        return embed(texts)

    rag.embedder.embed = interrupted_once  # type: ignore[method-assign]
    conversation, out = run(rag, MONEY, MONEY)
    assert "(stopped)" in out and [a.text for a in conversation.answers] == [GOOD]


def test_errors_are_one_line_and_the_chat_goes_on(fake: tuple[RAG, FakeLLM]) -> None:
    rag, _ = fake
    conversation, out = run(rag, "x" * 3000, MONEY)
    assert "error: " in out and "2,000" in out and len(conversation.answers) == 1


def test_up_and_down_store_ratings(fake: tuple[RAG, FakeLLM], tmp_path: Path) -> None:
    from rag.feedback import read_feedback

    rag, _ = fake
    data = tmp_path / "fb"
    _, out = run(
        rag, "/up", MONEY, "/up", "Who won the 2022 FIFA World Cup?", "/down not-in-articles",
        "Who trains them?", "/down wrong 16 million euros", feedback_dir=data, settings=rag.settings,
    )  # fmt: skip
    assert "No answer to rate yet." in out
    up, refused, wrong = read_feedback(data)
    assert up["verdict"] == "up" and up["question"] == MONEY and up["history"] == []
    assert refused["reason"] == "not_in_articles" and refused["correction"] is None
    assert wrong["reason"] == "wrong" and wrong["correction"] == "16 million euros"
    assert [t["question"] for t in wrong["history"]] == [MONEY, "Who won the 2022 FIFA World Cup?"]


def test_a_withdrawn_reply_is_marked_and_erased_on_a_terminal(fake: tuple[RAG, FakeLLM]) -> None:
    rag, _ = fake
    _, out = run(rag, "Who won the 2022 FIFA World Cup?", tty=True)
    _, after = out.split(INVENTED)
    assert after.startswith("\r\x1b[")  # back to the start of the streamed reply, erased
    note = after.index("(withdrawn: not supported by the articles)\n")
    assert "\x1b[J" in after[:note] and after.index(REFUSAL) > note


@pytest.mark.parametrize(
    ("streamed", "final", "abstained", "note"),
    [
        (GOOD, GOOD, False, None),
        (GOOD + "  ", GOOD, False, None),
        (INVENTED, REFUSAL, True, "(withdrawn: not supported by the articles)"),
        ("There is no information about that [1].", REFUSAL, True, "(replaced by the checked answer)"),
        ("It rained [7].", "It rained.", False, ""),  # only a marker changed: reprinted, not announced
        ("It rained [1].", "It snowed [1].", False, "(replaced by the checked answer)"),
    ],
)
def test_replacement_note(streamed: str, final: str, abstained: bool, note: str | None) -> None:
    from rag.types import Answer

    assert replacement_note(streamed, Answer(question="Q", text=final, abstained=abstained)) == note


def test_show_final_reprints_without_erasing_off_a_terminal() -> None:
    from rag.types import Answer

    out = io.StringIO()
    show_final(out, INVENTED, Answer(question="Q", text=REFUSAL, abstained=True), tty=False)
    assert out.getvalue() == f"\n(withdrawn: not supported by the articles)\n{REFUSAL}\n"
    out = io.StringIO()
    show_final(out, "a\nb\nc", Answer(question="Q", text="d"), tty=True)
    assert out.getvalue().startswith("\r\x1b[2F\x1b[J")  # back to the first of the three streamed lines


def _ask(monkeypatch: pytest.MonkeyPatch, rag: RAG, question: str, *, tty: bool) -> str:
    """``rag ask`` in-process, with the fake RAG in place of the real models."""
    from rich.console import Console

    import rag.cli as cli

    buffer = io.StringIO()
    monkeypatch.setenv("RAG_LLM_BACKEND", "openai")  # no local model file to check
    monkeypatch.setattr(cli, "_open", lambda s: rag)
    monkeypatch.setattr(cli, "out", Console(file=buffer, force_terminal=tty, width=200))
    cli.app(["ask", question], standalone_mode=False)
    return buffer.getvalue()


def test_ask_to_a_pipe_prints_only_the_checked_answer(
    monkeypatch: pytest.MonkeyPatch, fake: tuple[RAG, FakeLLM]
) -> None:
    printed = _ask(monkeypatch, fake[0], "Who won the 2022 FIFA World Cup?", tty=False)
    assert "Argentina" not in printed and printed.count(REFUSAL) == 1
    printed = _ask(monkeypatch, fake[0], MONEY, tty=False)
    assert printed.count(GOOD) == 1 and "003_bdfe6df497ee2b67.txt" in printed


def test_ask_on_a_terminal_streams_then_withdraws(monkeypatch: pytest.MonkeyPatch, fake: tuple[RAG, FakeLLM]) -> None:
    printed = _ask(monkeypatch, fake[0], "Who won the 2022 FIFA World Cup?", tty=True)
    assert printed.index(INVENTED) < printed.index("(withdrawn: not supported by the articles)")
    assert "\x1b[J" in printed and printed.count(REFUSAL) == 1
    printed = _ask(monkeypatch, fake[0], MONEY, tty=True)
    assert printed.count(GOOD) == 1 and "replaced" not in printed


@pytest.mark.slow
def test_rag_chat_in_a_pseudo_terminal_with_the_smallest_model(tmp_path: Path, seeded_chroma_dir: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    from tests.conftest import ROOT

    data = tmp_path / "data"
    shutil.copytree(seeded_chroma_dir, data)
    env = {**os.environ, "RAG_CHAT_MODEL": "smollm2-135m", "RAG_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1"}
    env["PYTHONPATH"] = str(ROOT)
    child = pexpect.spawn(
        sys.executable, ["-m", "rag.cli", "chat"], cwd=str(ROOT), env=env, encoding="utf-8", timeout=240
    )
    try:
        child.expect("/help lists commands")
        child.sendline("How much money did the EU allocate for weapons for the training mission?")
        child.expect(r"\n> ")
        child.sendline("/sources")
        child.expect(r"\[1\] \d{3}_")
        child.sendline(f"/export {tmp_path / 'chat.json'}")
        child.expect("Saved 1 answer")
        child.sendline("Tell me everything about the E5 summit in Paris, in detail.")
        child.expect(r"in detail\.\r?\n")  # the echo of the line; then the answer's first characters
        child.expect(r"\S", timeout=120)
        child.sendintr()  # Ctrl-C while answering stops the answer ...
        child.expect(r"\(stopped\)|\n> ")
        child.sendline("/quit")  # ... and the chat still reads commands
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, child.before
    saved = json.loads((tmp_path / "chat.json").read_text(encoding="utf-8"))
    assert saved["answers"][0]["sources"]
    assert (data / "chat_history").is_file()


def test_a_refusal_under_a_date_range_says_the_range(
    monkeypatch: pytest.MonkeyPatch, fake: tuple[RAG, FakeLLM]
) -> None:
    from rich.console import Console

    import rag.cli as cli

    rag, _ = fake
    buffer = io.StringIO()
    monkeypatch.setenv("RAG_LLM_BACKEND", "openai")
    monkeypatch.setattr(cli, "_open", lambda s: rag)
    monkeypatch.setattr(cli, "out", Console(file=buffer, width=200))
    cli.app(["ask", "How much did the EU set aside for weapons?", "--until", "2000-01-01"], standalone_mode=False)
    printed = buffer.getvalue()
    assert REFUSAL in printed  # no seed article is that old
    assert "The articles dated … to 2000-01-01 don't say; try without --since/--until." in printed


def test_docs_on_an_empty_index_says_how_to_fill_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rag.cli import main

    empty = fake_rag(tmp_path)
    monkeypatch.setattr("rag.pipeline.RAG.open", lambda **_: empty)
    main(["--data-dir", str(tmp_path / "data"), "docs"])
    err = capsys.readouterr().err
    assert "No documents in the index" in err and "rag ingest" in err
