import itertools
import re
from pathlib import Path

import pytest

from rag.chunking import ChunkerSettings, chunk_document, chunk_id, split_sentence_spans
from rag.loading import load_documents, parse_document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def words(text: str) -> int:
    return len(re.findall(r"\w+|[^\w\s]", text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It rained. Then it stopped.", ["It rained.", "Then it stopped."]),
        ("Mr. Smith met the U.S. envoy. They talked.", ["Mr. Smith met the U.S. envoy.", "They talked."]),
        ("He said “No.” She left!", ["He said “No.”", "She left!"]),
        ("Costs rose 3.5 percent. Good?", ["Costs rose 3.5 percent.", "Good?"]),
        ("No end punctuation", ["No end punctuation"]),
    ],
)
def test_sentence_spans(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentence_spans(text)] == expected


@pytest.mark.parametrize("max_tokens", [40, 80, 200])
def test_chunks_fit_limit_and_spans_are_exact(max_tokens: int) -> None:
    docs, _ = load_documents([SEEDS])
    settings = ChunkerSettings(max_tokens=max_tokens, overlap_tokens=max_tokens // 5)
    for doc in docs:
        chunks = chunk_document(doc, words, settings)
        assert chunks
        for c in chunks:
            assert words(c.text) <= max_tokens
            assert doc.text[c.start : c.end] == c.text
            assert c.doc_id == doc.doc_id and c.doc_hash == doc.content_hash
        assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_deterministic_ids() -> None:
    docs, _ = load_documents([SEEDS])
    a = [c.chunk_id for c in chunk_document(docs[0], words)]
    b = [c.chunk_id for c in chunk_document(docs[0], words)]
    assert a == b
    assert chunk_id("x.txt", "a  b\nc") == chunk_id("x.txt", "a b c")
    assert chunk_id("x.txt", "a b c") != chunk_id("y.txt", "a b c")


def test_repeated_paragraphs_and_sentences_are_stored_once() -> None:
    doc = next(d for d in load_documents([SEEDS])[0] if d.doc_id.startswith("004_"))
    chunks = chunk_document(doc, words, ChunkerSettings(max_tokens=200, overlap_tokens=0))
    sentences = [
        " ".join(doc.text[s:e].split()) for c in chunks for s, e in split_sentence_spans(doc.text, c.start, c.end)
    ]
    repeated = "There is a broad recognition that the Ukrainian army itself is the first line of defense"
    assert doc.text.count(repeated) == 2  # the article really repeats it
    assert sum(repeated in s for s in sentences) == 1
    assert len(sentences) == len(set(sentences))


def test_overlap_repeats_trailing_sentences() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(30))
    doc = parse_document(text, doc_id="o.txt")
    chunks = chunk_document(doc, words, ChunkerSettings(max_tokens=40, overlap_tokens=12))
    assert len(chunks) > 3
    for a, b in itertools.pairwise(chunks):
        assert b.start < a.end  # consecutive chunks share text


def test_overlong_sentence_is_split_by_words() -> None:
    doc = parse_document(" ".join(f"w{i}" for i in range(1000)), doc_id="long.txt")
    chunks = chunk_document(doc, words, ChunkerSettings(max_tokens=50, overlap_tokens=0))
    assert len(chunks) >= 20
    assert all(words(c.text) <= 50 for c in chunks)
