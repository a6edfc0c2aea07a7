"""History in the forms callers hold (Turns, pairs, OpenAI messages) and conversation export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag import RAG, QuestionError, Turn
from rag.conversation import Conversation, normalize_history
from rag.testing import FakeLLM, fake_rag

GOOD = "The EU allocated 16 million euros for weapons and equipment for the training [1]."
MONEY = "How much money did the EU set aside for weapons and equipment for the training mission?"


def make(tmp_path: Path, reply: str = GOOD) -> tuple[RAG, FakeLLM]:
    llm = FakeLLM(reply)
    return fake_rag(tmp_path, llm=llm, min_score=-1.0), llm


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([Turn("Q1", "A1 [1].")], [Turn("Q1", "A1 [1].")]),
        ([("Q1", "A1 [2]."), ["Q2", None]], [Turn("Q1", "A1 [2]."), Turn("Q2", "")]),
        ([{"question": "Q1", "answer": "A1"}], [Turn("Q1", "A1")]),
        (
            [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Q1"},
                {"role": "assistant", "content": "A1 [1]."},
                {"role": "user", "content": [{"type": "text", "text": "Q2"}]},
                {"role": "assistant", "content": "A2", "metadata": None},
            ],
            [Turn("Q1", "A1 [1]."), Turn("Q2", "A2")],
        ),
        ([{"role": "assistant", "content": "Hello!"}], [Turn("", "Hello!")]),  # a greeting
        ([{"role": "user", "content": "Q1"}, {"role": "user", "content": "Q2"}], [Turn("Q1", ""), Turn("Q2", "")]),
        ([{"role": "user", "content": "Q1"}, ("Q2", "A2")], [Turn("Q1", ""), Turn("Q2", "A2")]),
        (None, []),
        ((), []),
    ],
)
def test_history_forms_become_turns(history: object, expected: list[Turn]) -> None:
    assert normalize_history(history) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ([Turn("Q", "A"), ("Q", "A"), "just text"], "history item 3: expected a Turn, a (question, answer) pair"),
        ([("Q", "A", "extra")], "history item 1: expected a Turn, a (question, answer) pair or a {role, content}"),
        ([(1, "A")], "history item 1: question and answer must be strings"),
        ([{"role": "wizard", "content": "x"}], "history item 1: unknown role 'wizard'"),
        ([{"role": "user", "content": {"image": "x"}}], "history item 1: message content must be text"),
        ("Q1", "history must be a list"),
    ],
)
def test_malformed_history_items_are_named(history: object, message: str) -> None:
    with pytest.raises(QuestionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        normalize_history(history)  # type: ignore[arg-type]


def test_ask_takes_pairs_and_openai_messages_like_turns(tmp_path: Path, seeds: Path) -> None:
    rag, llm = make(tmp_path)
    rag.ingest([seeds])
    forms = [
        [Turn("What is the EU training mission?", "A mission [1].")],
        [("What is the EU training mission?", "A mission [1].")],
        [
            {"role": "system", "content": "ignored"},
            {"role": "user", "content": "What is the EU training mission?"},
            {"role": "assistant", "content": "A mission [1]."},
        ],
    ]
    prompts, standalone = [], []
    for history in forms:
        answer = rag.ask("How many soldiers does it train?", history)
        prompts.append(llm.prompts[-1])
        standalone.append(answer.standalone_question)
    assert prompts[0] == prompts[1] == prompts[2]
    assert "Q: What is the EU training mission?" in prompts[0][1]["content"]
    assert "ignored" not in json.dumps(prompts[0])
    assert len(set(standalone)) == 1 and "training mission" in standalone[0]
    with pytest.raises(QuestionError, match="history item 1"):
        rag.ask("How many?", [42])


def test_markdown_export_has_questions_answers_and_quoted_references(tmp_path: Path, seeds: Path) -> None:
    rag, _ = make(tmp_path)
    rag.ingest([seeds])
    conversation = Conversation()
    conversation.add(rag.ask(MONEY))
    conversation.add(rag.ask("And what else?", conversation.turns()))
    md = conversation.to_markdown()
    [cite] = conversation.answers[0].citations
    assert md.count("## ") == 2 and f"## 1. {MONEY}" in md and "## 2. And what else?" in md
    assert GOOD in md
    assert f"1. {cite.title or cite.doc_id}" in md and cite.doc_id in md
    if cite.date:
        assert f"({cite.date})" in md
    if cite.url:
        assert f"<{cite.url}>" in md
    quote_line = next(line for line in md.splitlines() if line.strip().startswith(">"))
    assert "16 million euros" in quote_line  # the supporting sentence, not the whole passage
    assert len(quote_line) < len(" ".join(cite.text.split()))


def test_turns_carry_each_answers_sources_for_stable_numbering(tmp_path: Path, seeds: Path) -> None:
    rag, _ = make(tmp_path)
    rag.ingest([seeds])
    conversation = Conversation()
    conversation.add(rag.ask(MONEY))
    [turn] = conversation.turns()
    first = conversation.answers[0]
    assert turn == Turn(first.question, first.text, tuple(h.chunk.chunk_id for h in first.sources))
    conversation.clear()
    assert conversation.turns() == []


def test_json_export_round_trips_the_full_answers(tmp_path: Path, seeds: Path) -> None:
    rag, _ = make(tmp_path)
    rag.ingest([seeds])
    conversation = Conversation()
    conversation.add(rag.ask(MONEY))
    conversation.add(rag.ask("Who won the World Cup?"))
    again = Conversation.from_json(conversation.to_json())
    assert again.answers == conversation.answers
    data = json.loads(conversation.to_json())
    assert data["format"] == "rag.conversation/1"
    assert data["answers"][0]["citations"][0]["doc_id"] == conversation.answers[0].citations[0].doc_id


def test_reading_something_else_as_a_conversation_fails_clearly() -> None:
    from rag.errors import InputError

    with pytest.raises(InputError, match="Not a conversation export"):
        Conversation.from_json('{"answers": []}')
    with pytest.raises(InputError, match="Not a conversation export"):
        Conversation.from_json("[1, 2]")
