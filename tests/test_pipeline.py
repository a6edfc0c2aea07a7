"""The RAG facade with fake backends: ingestion idempotence, updates, removal, locking,
repair after an interrupted update, question validation, streaming and citations."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from rag import RAG, IndexLockedError, IndexMismatchError, QuestionError, Settings, Turn
from rag.errors import DocumentError
from rag.prompting import REFUSAL
from rag.testing import FakeLLM, HashEmbedder, MemoryStore, fake_rag


def make(tmp_path: Path, llm: FakeLLM | None = None, store: MemoryStore | None = None, **settings: object) -> RAG:
    return fake_rag(tmp_path, llm=llm, store=store, min_score=-1.0, **settings)


def test_second_ingest_embeds_nothing(tmp_path: Path, seeds: Path) -> None:
    rag = make(tmp_path)
    first = rag.ingest([seeds])
    assert first.documents_added == 5 and first.chunks_embedded == first.chunks_total > 0
    embedded_before = rag.embedder.embedded  # type: ignore[attr-defined]
    second = rag.ingest([seeds])
    assert second.chunks_embedded == 0 and second.documents_unchanged == 5
    assert second.chunks_total == first.chunks_total
    assert rag.embedder.embedded == embedded_before  # type: ignore[attr-defined]


def test_unchanged_documents_are_not_chunked_again_but_new_metadata_is_stored(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    import rag.indexing as indexing
    from rag.loading import load_documents

    rag = make(tmp_path)
    docs, _ = load_documents([seeds])
    rag.ingest_documents(docs)
    chunked: list[str] = []
    real = indexing.chunk_document
    monkeypatch.setattr(
        indexing, "chunk_document", lambda doc, *a, **k: chunked.append(doc.doc_id) or real(doc, *a, **k)
    )
    assert rag.ingest_documents(docs).documents_unchanged == len(docs) and chunked == []
    # Same text, new title: the document is re-chunked and its chunks carry the title.
    retitled = dataclasses.replace(docs[0], title="A corrected headline")
    report = rag.ingest_documents([retitled, *docs[1:]])
    assert chunked == [docs[0].doc_id] and report.documents_updated == 1 and report.chunks_embedded == 0
    assert {c.title for c in rag.store.chunks(doc_id=docs[0].doc_id)} == {"A corrected headline"}


def test_changed_file_replaces_its_chunks_without_orphans(tmp_path: Path, seeds: Path) -> None:
    rag = make(tmp_path)
    rag.ingest([seeds])
    f = seeds / "003_bdfe6df497ee2b67.txt"
    old_ids = {c.chunk_id for c in rag.store.chunks(doc_id=f.name)}
    f.write_text(
        f.read_text().replace("16 million euros", "21 million euros") + "\nA new closing paragraph about budgets.\n"
    )
    report = rag.ingest([seeds])
    assert report.documents_updated == 1 and report.documents_unchanged == 4
    new = rag.store.chunks(doc_id=f.name, with_text=True)
    assert all("16 million" not in c.text for c in new)
    assert any("21 million" in c.text for c in new)
    assert len({c.doc_hash for c in new}) == 1
    # Unchanged chunks keep their ids and were not re-embedded.
    assert report.chunks_embedded < len(new) + 1
    assert report.chunks_removed == len(old_ids - {c.chunk_id for c in new})
    assert rag.store.count() == sum(d.chunks for d in rag.documents())


def test_remove_deletes_a_document(tmp_path: Path, seeds: Path) -> None:
    rag = make(tmp_path)
    rag.ingest([seeds])
    total = rag.store.count()
    n = rag.remove(["001_70fe7331acc06bca.txt"])
    assert n > 0 and rag.store.count() == total - n
    assert "001_70fe7331acc06bca.txt" not in {d.doc_id for d in rag.documents()}


def test_documents_listing(tmp_path: Path, seeds: Path) -> None:
    rag = make(tmp_path)
    rag.ingest([seeds])
    docs = rag.documents()
    assert [d.doc_id for d in docs] == sorted(p.name for p in seeds.iterdir())
    assert docs[0].date == "2025-11-15" and docs[0].url.startswith("https://www.forbes.com/")


def test_bad_files_are_reported_and_nothing_indexed_is_lost(tmp_path: Path, seeds: Path) -> None:
    rag = make(tmp_path)
    rag.ingest([seeds])
    before = rag.store.count()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(b"\x00\xff" * 500)
    (bad / "cp1252.txt").write_bytes("Caf\xe9 news: the budget rose to \x8016 million.".encode("latin-1"))
    (bad / "utf16.txt").write_text("A UTF-16 article about defence spending.", encoding="utf-16")
    report = rag.ingest([bad])
    assert [Path(p).name for p, _ in report.skipped] == ["binary.txt"]
    assert report.documents_added == 2
    assert rag.store.count() > before
    texts = " ".join(c.text for c in rag.store.chunks(with_text=True))
    assert "Café" in texts and "€16 million" in texts and "UTF-16 article" in texts
    with pytest.raises(DocumentError, match="does not exist"):
        rag.ingest([tmp_path / "missing"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(DocumentError, match=r"No \.txt"):
        rag.ingest([tmp_path / "empty"])
    assert rag.store.count() > before


def test_index_records_embedder_and_refuses_another(tmp_path: Path, seeds: Path) -> None:
    store = MemoryStore()
    rag = make(tmp_path, store=store)
    rag.ingest([seeds])
    assert store.index_metadata()["embedder"] == "hash-embedder"
    with pytest.raises(IndexMismatchError, match="rag ingest --rebuild"):
        RAG(embedder=HashEmbedder(model_id="other-embedder"), store=store, llm=FakeLLM())
    with pytest.raises(IndexMismatchError, match="chunker"):
        RAG(embedder=HashEmbedder(), store=store, llm=FakeLLM(), settings=Settings(chunk_tokens=100))


def test_rebuild_replaces_everything(tmp_path: Path, seeds: Path) -> None:
    rag = make(tmp_path)
    first = rag.ingest([seeds])
    again = rag.ingest([seeds], rebuild=True)
    assert again.chunks_embedded == first.chunks_total == again.chunks_total


def test_second_writer_fails_at_once(tmp_path: Path, seeds: Path) -> None:
    rag = make(tmp_path)
    other = make(tmp_path)
    started, release = threading.Event(), threading.Event()

    def slow_progress(done: int, total: int, doc: str) -> None:
        started.set()
        release.wait(120)

    t = threading.Thread(target=lambda: rag.ingest([seeds], progress=slow_progress))
    t.start()
    try:
        assert started.wait(120)
        # The first writer holds the lock until `release`: a second writer that waited for
        # it would not be refused (or only after 120 s). No timed assert: machines differ.
        with pytest.raises(IndexLockedError, match="Another process is writing"):
            other.ingest([seeds])
        assert t.is_alive() and not release.is_set()  # refused while the first still wrote
    finally:
        release.set()
        t.join()


def test_interrupted_update_is_repaired(tmp_path: Path, seeds: Path) -> None:
    store = MemoryStore()
    rag = make(tmp_path, store=store)
    rag.ingest([seeds])
    # Simulate a crash after the new version was written but before the old one was deleted.
    from dataclasses import replace

    old = store.chunks(doc_id="002_ded4a86885e97be2.txt", with_text=True)
    ghosts = [replace(c, chunk_id=c.chunk_id + "-old", doc_hash="stale", ingested_at=c.ingested_at - 100) for c in old]
    store.upsert(ghosts, rag.embedder.embed([c.text for c in ghosts]))
    report = rag.ingest([seeds])
    assert report.documents_unchanged == 5
    assert not [c for c in store.chunks() if c.doc_hash == "stale"]


@pytest.mark.parametrize("question", ["", "   \n\t ", "x" * 100_000])
def test_bad_questions_get_clear_errors(tmp_path: Path, question: str) -> None:
    rag = make(tmp_path)
    with pytest.raises(QuestionError) as info:
        rag.ask(question)
    assert ("empty" in str(info.value)) or (
        "100,000 characters" in str(info.value) and "limit is 2,000" in str(info.value)
    )


def test_answer_resolves_citations_and_drops_invalid_markers(tmp_path: Path, seeds: Path) -> None:
    rag = make(tmp_path, llm=FakeLLM("The EU set aside 16 million euros [1][9]."))
    rag.ingest([seeds])
    answer = rag.ask("How much money did the EU set aside for weapons and equipment for the training mission?")
    assert answer.text == "The EU set aside 16 million euros [1]."
    assert [c.marker for c in answer.citations] == [1]
    c = answer.citations[0]
    assert c.doc_id == answer.sources[0].chunk.doc_id
    doc_text = (seeds / c.doc_id).read_text()
    assert c.text.split()[:5] == doc_text[c.start : c.end].split()[:5]
    assert not answer.abstained and answer.finish_reason == "stop"
    assert answer.timings.prompt_tokens > 0 and answer.timings.generated_tokens == 8
    assert answer.timings.total_s >= answer.timings.first_token_s >= 0
    assert answer.chat_model == "fake-llm" and answer.embed_model == "hash-embedder"
    assert len(answer.hits) == 5 and [h.rank for h in answer.hits] == [1, 2, 3, 4, 5]


def test_refusal_is_flagged(tmp_path: Path, seeds: Path) -> None:
    rag = make(tmp_path, llm=FakeLLM(REFUSAL))
    rag.ingest([seeds])
    answer = rag.ask("Who won the 2022 FIFA World Cup?")
    assert answer.abstained and answer.citations == ()


def test_evidence_gate_refuses_without_calling_the_model(tmp_path: Path, seeds: Path) -> None:
    llm = FakeLLM("France won [1].")
    rag = make(tmp_path, llm=llm)
    rag.ingest([seeds])
    gated = fake_rag(tmp_path, embedder=rag.embedder, store=rag.store, llm=llm, min_score=0.99)
    answer = gated.ask("Who won the 2022 FIFA World Cup?")
    assert answer.abstained and answer.text == REFUSAL and answer.finish_reason == "gate"
    assert llm.prompts == []


def test_stream_yields_pieces_and_the_same_answer(tmp_path: Path, seeds: Path) -> None:
    rag = make(tmp_path, llm=FakeLLM("Over a thousand soldiers are in training [1]."))
    rag.ingest([seeds])
    stream = rag.stream("How many soldiers are training?")
    assert stream.sources and stream.hits  # retrieval is done before the first token
    pieces = list(stream)
    assert len(pieces) == 8 and "".join(pieces) == stream.text
    assert stream.answer().text == rag.ask("How many soldiers are training?").text


def test_cancel_stops_generation(tmp_path: Path, seeds: Path) -> None:
    rag = make(tmp_path, llm=FakeLLM("word " * 200))
    rag.ingest([seeds])
    stream = rag.stream("What happened?")
    for i, _ in enumerate(stream):
        if i == 3:
            stream.cancel()
    answer = stream.answer()
    assert answer.finish_reason == "cancelled" and answer.timings.generated_tokens == 4
    # The model is free again for the next question.
    assert rag.ask("Again?").timings.generated_tokens > 4


def test_history_reaches_the_prompt(tmp_path: Path, seeds: Path) -> None:
    llm = FakeLLM("It trains over a thousand soldiers [1].")
    rag = make(tmp_path, llm=llm)
    rag.ingest([seeds])
    answer = rag.ask("How many soldiers does it train?", [Turn("What is the EU training mission?", "A mission [1].")])
    messages = llm.prompts[-1]
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "Q: What is the EU training mission?\nA: A mission." in messages[1]["content"]
    assert "training mission" in answer.standalone_question


def test_a_follow_up_shows_the_previous_turns_sources_first_in_their_order(tmp_path: Path, seeds: Path) -> None:
    llm = FakeLLM("It trains soldiers [1].")
    rag = make(tmp_path, llm=llm)
    rag.ingest([seeds])
    first = rag.ask("What is the EU training mission for Ukrainian soldiers?")
    assert len(first.sources) >= 3
    previous = tuple(reversed([h.chunk.chunk_id for h in first.sources]))
    follow = rag.ask("How many soldiers?", [Turn(first.question, first.text, previous)])
    shown = [h.chunk.chunk_id for h in follow.sources]
    shared = [cid for cid in previous if cid in shown]
    assert shared and shown[: len(shared)] == shared
    # Retrieval's own ranking is kept in answer.hits.
    assert [h.rank for h in follow.hits] == sorted(h.rank for h in follow.hits)


def test_one_generation_at_a_time(tmp_path: Path, seeds: Path) -> None:
    active, peak = 0, 0
    lock = threading.Lock()

    def reply(_messages: object) -> str:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.05)
        with lock:
            active -= 1
        return "Fine [1]."

    rag = make(tmp_path, llm=FakeLLM(reply))
    rag.ingest([seeds])
    threads = [threading.Thread(target=rag.ask, args=(f"Question {i}?",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 1


def test_citations_are_checked_and_highlighted(tmp_path: Path, seeds: Path) -> None:
    rag = make(
        tmp_path,
        llm=FakeLLM(
            "The EU allocated 16 million euros for weapons and equipment for the training [1]. "
            "The mission trains ten million dolphins [1]."
        ),
    )
    rag.ingest([seeds])
    answer = rag.ask("How much money did the EU set aside for weapons and equipment for the training mission?")
    source = answer.sources[0].chunk
    assert "16 million euros" in source.text  # retrieval put the right passage first
    [cite] = answer.citations
    assert cite.supported is True
    highlighted = [cite.text[s:e] for s, e in cite.highlights]
    assert any("16 million euros" in h for h in highlighted)
    assert [s.supported for s in answer.sentences] == [True, False]


def test_support_gate_refuses_an_answer_no_source_supports(tmp_path: Path, seeds: Path) -> None:
    invented = "Argentina won the 2022 FIFA World Cup final against France on penalties [1]."
    rag = make(tmp_path, llm=FakeLLM(invented), min_support=0.5)
    rag.ingest([seeds])
    answer = rag.ask("Who won the 2022 FIFA World Cup?")
    assert answer.abstained and answer.text == REFUSAL and answer.finish_reason == "unsupported"
    assert answer.citations == ()
    grounded = make(
        tmp_path / "g", llm=FakeLLM("The EU allocated 16 million euros for weapons and equipment [1]."), min_support=0.5
    )
    grounded.ingest([seeds])
    kept = grounded.ask("How much money did the EU set aside for weapons and equipment for the training mission?")
    assert not kept.abstained and "16 million euros" in kept.text and kept.finish_reason == "stop"


def _bare_then(full: str) -> FakeLLM:
    """A model that answers "1 [1]" first, and ``full`` when asked again."""
    from rag.prompting import RETRY_PROMPT

    return FakeLLM(lambda messages: full if messages[-1]["content"] == RETRY_PROMPT else "1 [1]")


def test_a_bare_reply_is_asked_again_in_the_same_conversation(tmp_path: Path, seeds: Path) -> None:
    from rag.prompting import RETRY_PROMPT

    llm = _bare_then("More than a thousand Ukrainian soldiers are in training [1].")
    rag = make(tmp_path, llm=llm, retry_bare=True)
    rag.ingest([seeds])
    stream = rag.stream("How many soldiers are training?")
    pieces = list(stream)
    answer = stream.answer()
    assert answer.text.startswith("More than a thousand Ukrainian soldiers are in training")
    assert stream.first_reply == "1 [1]" and stream.text == "".join(pieces[2:])
    first, second = llm.prompts
    assert second[: len(first)] == first  # same prefix: llama.cpp reuses its KV cache
    assert second[len(first) :] == [
        {"role": "assistant", "content": "1 [1]"},
        {"role": "user", "content": RETRY_PROMPT},
    ]
    assert answer.timings.generated_tokens == 2 + 10 and answer.finish_reason == "stop"  # both replies, word by word


def test_no_second_request_for_a_stated_answer_a_refusal_or_with_the_setting_off(tmp_path: Path, seeds: Path) -> None:
    for reply in ("More than a thousand soldiers are in training [1].", REFUSAL):
        llm = FakeLLM(reply)
        rag = make(tmp_path / str(len(reply)), llm=llm, retry_bare=True)
        rag.ingest([seeds])
        rag.ask("How many soldiers are training?")
        assert len(llm.prompts) == 1
    llm = _bare_then("More than a thousand soldiers are in training [1].")
    rag = make(tmp_path / "off", llm=llm, retry_bare=False)
    rag.ingest([seeds])
    answer = rag.ask("How many soldiers are training?")
    assert len(llm.prompts) == 1 and answer.text == "1 [1]"


def test_when_asking_again_gives_nothing_better_the_first_reply_stands(tmp_path: Path, seeds: Path) -> None:
    from rag.prompting import RETRY_PROMPT

    for first, expected_text, abstained in (("[1][2]", REFUSAL, True), ("2022 [1]", "2022 [1]", False)):
        llm = FakeLLM(lambda messages, first=first: REFUSAL if messages[-1]["content"] == RETRY_PROMPT else first)
        rag = make(tmp_path / first, llm=llm, retry_bare=True)
        rag.ingest([seeds])
        stream = rag.stream("When was the training mission launched?")
        answer = stream.answer()
        assert len(llm.prompts) == 2 and stream.first_reply == first == stream.text
        assert answer.text == expected_text and answer.abstained is abstained
