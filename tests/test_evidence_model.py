"""answer_mode="sentences" and answerability with the real default model (qwen2.5-1.5b) over seeds/."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from rag import RAG, Settings
from rag.backends.chroma import ChromaStore
from rag.backends.keyword import SqliteKeywordIndex
from rag.prompting import NO_BARE_GRAMMAR, is_bare_reply

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def rag(tmp_path_factory: pytest.TempPathFactory, real_embedder: object, qwen: object) -> RAG:
    data = tmp_path_factory.mktemp("evidence")
    r = RAG(
        embedder=real_embedder,  # type: ignore[arg-type]
        store=ChromaStore.persistent(data / "chroma"),
        keyword=SqliteKeywordIndex(data / "keyword.sqlite3"),
        llm=qwen,  # type: ignore[arg-type]
        settings=Settings(data_dir=data, answer_mode="sentences", answerability=True),
        lock_path=data / "write.lock",
    )
    r.ingest([ROOT / "seeds"])
    return r


def test_option_probabilities_agree_with_the_greedy_reply(qwen: object) -> None:
    messages = [
        {"role": "system", "content": "Reply with only yes or no."},
        {"role": "user", "content": "Is Paris the capital of France?"},
    ]
    p = qwen.option_probabilities(messages, ("yes", "no"))  # type: ignore[attr-defined]
    assert p["yes"] + p["no"] == pytest.approx(1.0)
    reply = "".join(qwen.stream_chat(messages, max_tokens=2, temperature=0.0)).strip().lower()  # type: ignore[attr-defined]
    assert reply.startswith("yes" if p["yes"] > 0.5 else "no")


def test_the_grammar_turns_a_bare_source_number_into_words(qwen: object) -> None:
    messages = [
        {"role": "system", "content": "Reply with only the source number in brackets, like [1]."},
        {
            "role": "user",
            "content": "Sources: [1] The E5 are France, Britain, Germany, Italy and Poland.\nWhich countries?",
        },
    ]
    bare = "".join(qwen.stream_chat(messages, max_tokens=30, temperature=0.0))  # type: ignore[attr-defined]
    shaped = "".join(qwen.stream_chat(messages, max_tokens=30, temperature=0.0, grammar=NO_BARE_GRAMMAR))  # type: ignore[attr-defined]
    assert is_bare_reply(bare)  # the model does answer bare when asked to
    assert len(shaped.split()) >= 3 and "[" not in " ".join(shaped.split()[:3])


def test_sentences_mode_answers_from_a_short_prompt_with_a_confidence(rag: RAG) -> None:
    answer = rag.ask("Which countries took part in the E5 meeting in Paris?")
    chunks = replace(rag.settings, answer_mode="chunks")
    assert answer.evidence and answer.confidence is not None and 0.0 <= answer.confidence <= 1.0
    assert answer.timings.prompt_tokens < 500
    rag.settings, saved = chunks, rag.settings
    try:
        whole = rag.ask("Which countries took part in the E5 meeting in Paris?")
    finally:
        rag.settings = saved
    assert answer.timings.prompt_tokens < whole.timings.prompt_tokens
