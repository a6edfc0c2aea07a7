"""Disagreeing sources: the lexical check on hand-written answers over eval/conflicts/
articles, the note it adds, the pipeline with a fake model, and the real default model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag import RAG, Settings, testing
from rag.disagreement import answer_kind, find_disagreements, name_runs, note_disagreements
from rag.loading import load_documents
from rag.types import Chunk, Hit

ARTICLES = Path(__file__).resolve().parent.parent / "eval" / "conflicts" / "articles"


def hit(name: str) -> Hit:
    [doc], skipped = load_documents([ARTICLES / name])
    assert not skipped
    chunk = Chunk(
        chunk_id=f"{name}:0", doc_id=name, text=doc.text, start=0, end=len(doc.text), title=doc.title, date=doc.date
    )
    return Hit(chunk, 1.0)


# (question, answer citing the first article as [1], first article, second article, rival value)
CONFLICTS = [
    (
        "Where will the Nordic defence ministers meet on 14 April?",
        "The Nordic defence ministers will meet in Oslo on 14 April [1][2].",
        "conflict_meeting_oslo.txt",
        "conflict_meeting_helsinki.txt",
        "helsinki",
    ),
    (
        "How many interceptor drones did the Baltic states order?",
        "The Baltic states ordered 400 interceptor drones [1].",
        "conflict_drones_400.txt",
        "conflict_drones_250.txt",
        "250",
    ),
    (
        "Who will lead the EU's new air defence training cell for Ukrainian crews?",
        "Polish General Marek Kowalski will lead the EU's new air defence training cell [1].",
        "conflict_commander_kowalski.txt",
        "conflict_commander_lindqvist.txt",
        "sweden brigadier general anna lindqvist",
    ),
    (
        "How much money has the Netherlands committed to artillery shells for Ukraine?",
        "The Netherlands has committed 500 million euros to artillery shells for Ukraine [1].",
        "conflict_shells_500.txt",
        "conflict_shells_350.txt",
        "350000000",
    ),
    (
        "What share of Finns support continued military aid to Ukraine?",
        "62 percent of Finns support continued military aid to Ukraine [1].",
        "conflict_poll_62.txt",
        "conflict_poll_54.txt",
        "54%",
    ),
]

# Same frame, a different value, but not a disagreement: another country, another year,
# or the second article repeats the value and adds other numbers.
AGREEMENTS = [
    (
        "How many military instructors will Estonia send to the EU training mission?",
        "Estonia will send 40 military instructors to the EU training mission [1].",
        "agree_instructors_estonia.txt",
        "agree_instructors_latvia.txt",
    ),
    (
        "What share of its GDP did Lithuania spend on defence in 2024?",
        "Lithuania spent 2.85 percent of its GDP on defence in 2024 [1].",
        "agree_budget_2024.txt",
        "agree_budget_2025.txt",
    ),
    (
        "How many F-16 jets is Denmark sending to Ukraine?",
        "Denmark is sending 19 F-16 fighter jets to Ukraine [1].",
        "agree_f16_a.txt",
        "agree_f16_b.txt",
    ),
    (
        "How many Leopard 2 tanks will Spain send to Ukraine?",
        "Spain will send 10 more Leopard 2 tanks to Ukraine [1].",
        "agree_tanks_spain.txt",
        "agree_tanks_portugal.txt",
    ),
]


@pytest.mark.parametrize(("question", "answer", "mine", "other", "rival"), CONFLICTS)
def test_a_passage_with_another_value_is_found(question: str, answer: str, mine: str, other: str, rival: str) -> None:
    sources = [hit(mine), hit(other)]
    [d] = find_disagreements(question, answer, sources)
    assert d.marker == 2 and d.backing == (1,)
    assert rival in d.values
    assert d.quote in " ".join(sources[1].chunk.text.split())


@pytest.mark.parametrize(("question", "answer", "mine", "other"), AGREEMENTS)
def test_no_disagreement_where_the_articles_agree_or_speak_of_something_else(
    question: str, answer: str, mine: str, other: str
) -> None:
    assert find_disagreements(question, answer, [hit(mine), hit(other)]) == []


def test_an_answer_that_already_gives_both_values_gets_no_note() -> None:
    sources = [hit("conflict_drones_400.txt"), hit("conflict_drones_250.txt")]
    both = "The Baltic states ordered 400 interceptor drones [1], but a later report says 250 [2]."
    assert find_disagreements("How many interceptor drones did the Baltic states order?", both, sources) == []


def test_a_claim_no_passage_backs_is_not_set_against_a_source() -> None:
    # The model invented 300: there is no source on its side, so no "sources disagree".
    sources = [hit("conflict_drones_400.txt"), hit("conflict_drones_250.txt")]
    invented = "The Baltic states ordered 300 interceptor drones [1]."
    assert find_disagreements("How many interceptor drones did the Baltic states order?", invented, sources) == []


def test_questions_without_a_single_value_are_not_checked() -> None:
    sources = [hit("conflict_drones_400.txt"), hit("conflict_drones_250.txt")]
    answer = "The Baltic states ordered 400 interceptor drones [1]."
    assert find_disagreements("Why did the Baltic states order drones?", answer, sources) == []
    assert answer_kind("Why did the Baltic states order drones?") is None
    assert answer_kind("How many drones?") == "number"
    assert answer_kind("What share of Finns agree?") == "number"
    assert answer_kind("When was it released?") == "date"
    assert answer_kind("Who will lead the cell?") == "name"
    assert answer_kind("In which country is the plant?") == "name"


def test_name_runs_split_at_punctuation_and_can_skip_the_opening_word() -> None:
    assert name_runs("Polish General Marek Kowalski will lead the EU's cell [1].") == [
        ("poland", "general", "marek", "kowalski"),
        ("eu",),
    ]
    assert name_runs("Furthermore, Anna Lindqvist, Sweden's envoy, met on Monday in May.", skip_first=True) == [
        ("anna", "lindqvist"),
        ("sweden",),
    ]


def test_note_quotes_the_other_source_says_which_is_newer_and_uncites_it() -> None:
    sources = [hit("conflict_meeting_oslo.txt"), hit("conflict_meeting_helsinki.txt")]
    answer = "The Nordic defence ministers will meet in Oslo on 14 April [1][2]."
    found = find_disagreements("Where will the Nordic defence ministers meet on 14 April?", answer, sources)
    text = note_disagreements(answer, found, sources)
    first, note = text.split("\n\n")
    assert first == "The Nordic defence ministers will meet in Oslo on 14 April [1]."
    assert note.startswith('However, the sources disagree: the more recent article [2] says "The meeting of Nordic')
    assert "Helsinki" in note
    older_first = note_disagreements(answer, found, sources[::-1])  # dates swap roles
    assert "an earlier article [2]" in older_first


def fake_rag(tmp_path: Path, reply: str, **settings: object) -> RAG:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("conflict_meeting_oslo.txt", "conflict_meeting_helsinki.txt"):
        shutil.copy(ARTICLES / name, docs / name)
    rag = testing.fake_rag(tmp_path, reply=reply, min_score=-1.0, **settings)
    rag.ingest([docs])
    return rag


def test_pipeline_adds_the_note_checks_its_citation_and_reports_the_disagreement(tmp_path: Path) -> None:
    rag = fake_rag(tmp_path, "The Nordic defence ministers will meet in Oslo on 14 April [1][2].")
    answer = rag.ask("Where will the Nordic defence ministers meet on 14 April?")
    [d] = answer.disagreements
    other = answer.sources[d.marker - 1].chunk
    assert other.doc_id == "conflict_meeting_helsinki.txt"
    assert "Oslo" in answer.text and "Helsinki" in answer.text and "the sources disagree" in answer.text
    note = next(s for s in answer.sentences if "disagree" in s.text)
    assert note.markers == (d.marker,) and note.supported is True
    claim = next(s for s in answer.sentences if "Oslo" in s.text)
    assert d.marker not in claim.markers and claim.supported is True
    assert {c.marker for c in answer.citations} == {1, 2}


def test_pipeline_without_the_setting_leaves_the_answer_alone(tmp_path: Path) -> None:
    reply = "The Nordic defence ministers will meet in Oslo on 14 April [1][2]."
    rag = fake_rag(tmp_path, reply, flag_disagreements=False)
    answer = rag.ask("Where will the Nordic defence ministers meet on 14 April?")
    assert answer.disagreements == () and "disagree" not in answer.text and "Helsinki" not in answer.text


@pytest.mark.slow
def test_default_model_answer_says_the_articles_disagree(tmp_path: Path, real_embedder: object, qwen: object) -> None:
    from rag.backends.chroma import ChromaStore

    docs = tmp_path / "docs"
    docs.mkdir()
    for f in ARTICLES.iterdir():
        shutil.copy(f, docs / f.name)
    rag = RAG(
        embedder=real_embedder,  # type: ignore[arg-type]
        store=ChromaStore.persistent(tmp_path / "data" / "chroma"),
        llm=qwen,  # type: ignore[arg-type]
        settings=Settings(data_dir=tmp_path / "data"),
    )
    rag.ingest([docs])
    drones = rag.ask("How many interceptor drones did the Baltic states order?")
    assert "400" in drones.text and "250" in drones.text and drones.disagreements
    estonia = rag.ask("How many military instructors will Estonia send to the EU training mission?")
    assert "40" in estonia.text and not estonia.disagreements


@pytest.mark.slow
def test_cli_prints_only_the_checked_answer_with_the_note_into_a_pipe(tmp_path: Path) -> None:
    """Into a pipe `rag ask` prints the final, checked answer once (issue #16 kind 7); on a
    terminal it streams and then replaces the reply (tests/test_chat.py drives that under a pty)."""
    from tests.test_cli import rag as run_cli

    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("conflict_drones_400.txt", "conflict_drones_250.txt"):
        shutil.copy(ARTICLES / name, docs / name)
    data = str(tmp_path / "data")
    assert run_cli("--data-dir", data, "ingest", str(docs)).returncode == 0
    result = run_cli("--data-dir", data, "ask", "How many interceptor drones did the Baltic states order?")
    assert result.returncode == 0, result.stderr
    checked = result.stdout
    assert "Checked answer:" not in checked and checked.count("the sources disagree") == 1  # printed once
    assert "400" in checked and "250" in checked
    assert "conflict_drones_250.txt" in checked  # the citation list names the quoted article
