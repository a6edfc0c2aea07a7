"""Dates as data: ``since``/``until`` on retrieval and answers, the keyword index's date filter,
older indexes (Chroma schema 1, keyword files without ``source``), and ``rag docs --sort``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from rag import RAG, Settings
from rag.backends.chroma import ChromaStore
from rag.backends.keyword import SqliteKeywordIndex
from rag.errors import QuestionError
from rag.retrieval import date_range
from rag.testing import FakeLLM, HashEmbedder, MemoryStore
from rag.types import DateRange, Document

ROOT = Path(__file__).resolve().parent.parent

# The same story on four dates (and once undated): a range picks which are searched.
EDITIONS = {
    "feb.txt": "2025-02-27",
    "march-1.txt": "2025-03-01",
    "march-31.txt": "2025-03-31T18:00:00+02:00",
    "april.txt": "2025-04-02",
    "undated.txt": "",
}


_DETAILS = {  # different enough that near-duplicate collapsing keeps every edition
    "feb.txt": "Ferry operators warned of fewer winter crossings and longer queues at the quay.",
    "march-1.txt": "Fishermen protested outside the town hall with banners and a brass band.",
    "march-31.txt": "The mayor promised a review of the container terminal lease in autumn.",
    "april.txt": "Cruise lines cancelled three spring visits, citing costs and crowded berths.",
    "undated.txt": "Dock workers voted on a strike over night shifts and overtime pay rates.",
}


def doc(doc_id: str, date: str) -> Document:
    text = f"Harbour tolls ({doc_id}). The port authority raised harbour tolls for cargo ships. {_DETAILS[doc_id]}"
    return Document(doc_id=doc_id, text=text, title="Harbour tolls rise", date=date, content_hash=doc_id)


def make(tmp_path: Path, llm: FakeLLM | None = None) -> RAG:
    rag = RAG(
        embedder=HashEmbedder(),
        store=MemoryStore(),
        llm=llm or FakeLLM("Tolls rose [1]."),
        settings=Settings(data_dir=tmp_path / "data", min_score=0.0),
        keyword=SqliteKeywordIndex(":memory:"),
    )
    rag.ingest_documents([doc(d, date) for d, date in EDITIONS.items()])
    return rag


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (None, None, None),
        ("", None, None),
        ("2025-03-01", None, DateRange("2025-03-01", None)),
        (None, " 2025-03-31 ", DateRange(None, "2025-03-31")),
        (dt.date(2025, 3, 1), dt.datetime(2025, 3, 31, 23, 59), DateRange("2025-03-01", "2025-03-31")),
        ("2024-02-29", "2024-02-29", DateRange("2024-02-29", "2024-02-29")),
    ],
)
def test_date_range_takes_iso_days_and_dates(since: object, until: object, expected: DateRange | None) -> None:
    assert date_range(since, until) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("March 1", None, "since 'March 1' is not a date; give it as YYYY-MM-DD"),
        (None, "2025-13-01", "until '2025-13-01' is not a date; give it as YYYY-MM-DD"),
        ("2025-02-30", None, "since '2025-02-30' is not a date"),
        ("2025-3-1", None, "since '2025-3-1' is not a date"),
        ("2025-04-01", "2025-03-01", "since 2025-04-01 is after until 2025-03-01"),
    ],
)
def test_a_bad_date_is_a_question_error_naming_it_and_the_format(
    since: str | None, until: str | None, message: str
) -> None:
    with pytest.raises(QuestionError, match=message):
        date_range(since, until)


@pytest.mark.parametrize(
    ("date", "inside"),
    [
        ("2025-03-01", True),
        ("2025-03-31T23:59:00-05:00", True),  # the day counts, not the instant
        ("2025-02-28", False),
        ("2025-04-01", False),
        ("", False),
        ("March 2025", False),
    ],
)
def test_date_range_contains_the_days_between_its_bounds(date: str, inside: bool) -> None:
    assert DateRange("2025-03-01", "2025-03-31").contains(date) is inside


def test_retrieve_searches_only_articles_dated_in_the_range(tmp_path: Path) -> None:
    rag = make(tmp_path)
    assert {h.chunk.doc_id for h in rag.retrieve("harbour tolls", top_k=10)} == set(EDITIONS)
    march = rag.retrieve("harbour tolls", top_k=10, since="2025-03-01", until=dt.date(2025, 3, 31))
    assert {h.chunk.doc_id for h in march} == {"march-1.txt", "march-31.txt"}
    assert {h.source for h in march} == {"dense+bm25"}  # both retrievers honoured the range
    later = rag.retrieve("harbour tolls", top_k=10, since="2025-03-02")
    assert {h.chunk.doc_id for h in later} == {"march-31.txt", "april.txt"}
    assert rag.retrieve("harbour tolls", since="2030-01-01") == []


def test_keyword_index_filters_by_date(tmp_path: Path) -> None:
    rag = make(tmp_path)
    assert rag.keyword is not None
    hits = rag.keyword.search("harbour tolls", 10, where=DateRange(None, "2025-03-01"))
    assert {h.chunk.doc_id for h in hits} == {"feb.txt", "march-1.txt"}
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert rag.keyword.search("harbour tolls", 10, where=DateRange("2025-04-02", "2025-04-02"))[0].chunk.date == (
        "2025-04-02"
    )
    assert len(rag.keyword.search("harbour tolls", 10)) == len(EDITIONS)


def test_ask_and_stream_answer_from_the_range_only(tmp_path: Path) -> None:
    llm = FakeLLM("Tolls rose [1].")
    rag = make(tmp_path, llm)
    answer = rag.ask("Why did harbour tolls rise?", since="2025-04-01")
    assert {h.chunk.doc_id for h in answer.sources} == {"april.txt"}
    prompt = llm.prompts[-1][-1]["content"]
    assert "(april.txt)" in prompt and "(march-1.txt)" not in prompt
    streamed = rag.stream("Why did harbour tolls rise?", until="2025-02-28").answer()
    assert {h.chunk.doc_id for h in streamed.sources} == {"feb.txt"}


def test_a_range_with_no_articles_is_a_refusal_without_calling_the_model(tmp_path: Path) -> None:
    llm = FakeLLM("Tolls rose [1].")
    rag = make(tmp_path, llm)
    answer = rag.ask("Why did harbour tolls rise?", since="2026-01-01")
    assert answer.abstained and answer.finish_reason == "gate" and answer.sources == ()
    assert llm.prompts == []


def test_a_bad_date_fails_before_retrieval(tmp_path: Path) -> None:
    rag = make(tmp_path)
    with pytest.raises(QuestionError, match="until '31/03/2025' is not a date; give it as YYYY-MM-DD"):
        rag.ask("Why did harbour tolls rise?", until="31/03/2025")
    with pytest.raises(QuestionError, match="since"):
        rag.retrieve("harbour tolls", since="yesterday")


def test_documents_sort_by_date_newest_first_undated_last(tmp_path: Path) -> None:
    rag = make(tmp_path)
    assert [d.doc_id for d in rag.documents()] == sorted(EDITIONS)
    assert [d.doc_id for d in rag.documents(sort="date")] == [
        "april.txt",
        "march-31.txt",
        "march-1.txt",
        "feb.txt",
        "undated.txt",
    ]


def test_chroma_collection_of_schema_1_gets_date_numbers_on_open(tmp_path: Path) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    # A collection as the previous version wrote it: ISO dates only, no date_num, no source.
    client = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    col = client.get_or_create_collection(
        "news", configuration={"hnsw": {"space": "cosine"}}, metadata={"rag:schema": "1"}, embedding_function=None
    )
    col.upsert(
        ids=["old-march", "old-undated"],
        embeddings=[[1.0, 0.0], [0.0, 1.0]],
        documents=["March.", "Undated."],
        metadatas=[
            {"doc_id": "m.txt", "date": "2025-03-05", "start": 0, "end": 6},
            {"doc_id": "u.txt", "date": "", "start": 0, "end": 8},
        ],
    )
    store = ChromaStore(client)
    assert store.index_metadata()["schema"] == "2"
    march = DateRange("2025-03-01", "2025-03-31")
    assert [h.chunk.chunk_id for h in store.query([1.0, 0.0], 5, where=march)] == ["old-march"]
    assert {c.chunk_id: c.source for c in store.chunks()} == {"old-march": "", "old-undated": ""}
    assert store.query([0.0, 1.0], 5)[0].chunk.chunk_id == "old-undated"  # unfiltered: everything


def test_keyword_file_without_the_source_column_is_rebuilt_from_the_store(tmp_path: Path) -> None:
    path = tmp_path / "data" / "keyword-news.sqlite3"
    path.parent.mkdir(parents=True)
    old_columns = "chunk_id, doc_id, title, url, date, start, end, ordinal, doc_hash, ingested_at"
    db = sqlite3.connect(path)
    unindexed = ", ".join(f"{c} UNINDEXED" for c in old_columns.split(", "))
    db.execute(f"CREATE VIRTUAL TABLE chunks USING fts5(text, title_text, {unindexed})")
    db.execute(
        f"INSERT INTO chunks (text, title_text, {old_columns}) VALUES ('stale row', '', 'x', 'x.txt', '', '', '', 0, 0, 0, '', 0)"
    )
    db.commit()
    db.close()

    store = MemoryStore()
    first = RAG(embedder=HashEmbedder(), store=store, settings=Settings(data_dir=tmp_path / "data"))
    first.ingest_documents([doc("april.txt", "2025-04-02")])
    keyword = SqliteKeywordIndex(path)
    assert keyword.count() == 0  # the old layout is dropped, not misread
    rag = RAG(embedder=HashEmbedder(), store=store, settings=Settings(data_dir=tmp_path / "data"), keyword=keyword)
    assert keyword.ids() == {c.chunk_id for c in store.chunks()}  # opening synced it from the store
    [hit, *_] = keyword.search("harbour tolls", 5, where=DateRange("2025-04-01", None))
    assert hit.chunk.doc_id == "april.txt"
    assert rag.retrieve("harbour tolls", since="2025-04-01")[0].chunk.doc_id == "april.txt"


def rag_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_cli_ask_names_a_bad_date_in_one_line_before_loading_models(tmp_path: Path) -> None:
    result = rag_cli("--data-dir", str(tmp_path / "data"), "ask", "What rose?", "--since", "2025-02-30")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: since '2025-02-30' is not a date; give it as YYYY-MM-DD (ISO 8601), e.g. 2025-03-01."
    ]


def test_cli_docs_lists_dates_sorted_newest_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from rag import cli

    rag = make(tmp_path)
    monkeypatch.setattr(RAG, "open", classmethod(lambda cls, *a, **k: rag))
    cli.main(["docs", "--sort", "date", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert [(r["doc_id"], r["date"]) for r in rows] == [
        ("april.txt", "2025-04-02"),
        ("march-31.txt", "2025-03-31T18:00:00+02:00"),
        ("march-1.txt", "2025-03-01"),
        ("feb.txt", "2025-02-27"),
        ("undated.txt", ""),
    ]
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["docs", "--sort", "size"])
    assert exit_info.value.code == 2
