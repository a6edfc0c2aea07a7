"""Tests for rag.evaluation: dataset validation, verdicts on hand-made answers, the runner, the summary."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from rag import RAG, Settings
from rag.errors import InputError
from rag.evaluation import (
    EvalQuestion,
    Judgement,
    QuestionResult,
    evaluate,
    judgement_agreement,
    load_dataset,
    load_judgements,
    parse_dataset,
    score_answer,
    summarize,
)
from rag.prompting import REFUSAL
from rag.protocols import Message
from rag.testing import FakeLLM, HashEmbedder, MemoryStore
from rag.types import Answer, Chunk, Document, Hit, Timings, Turn

ROOT = Path(__file__).resolve().parent.parent

GOOD = {
    "id": "q-1",
    "type": "answerable",
    "question": "How much for weapons?",
    "expected": [["16 million", "€16m"]],
    "gold_docs": ["a.txt"],
    "history": [],
    "split": "dev",
    "notes": "para 4",
}


def line(**changes: object) -> str:
    row = {**GOOD, **changes}
    return json.dumps({k: v for k, v in row.items() if v is not DROP})


DROP = object()


# ------------------------------------------------------------------------------ dataset


def test_parse_dataset_reads_every_field() -> None:
    follow = line(id="q-2", type="follow-up", history=[{"question": "Who?", "answer": "The EU."}], split="test")
    [q1, q2] = parse_dataset([line(), "", follow])
    assert q1 == EvalQuestion(
        id="q-1",
        type="answerable",
        question="How much for weapons?",
        expected=(("16 million", "€16m"),),
        gold_docs=("a.txt",),
        split="dev",
        notes="para 4",
    )
    assert q2.history == (Turn(question="Who?", answer="The EU."),)
    assert [q.id for q in parse_dataset([line(), follow], split="test")] == ["q-2"]


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (line(gold_docs=DROP), "missing key(s) gold_docs"),
        (line(extra=1), "unknown key(s) extra"),
        (line(question=42), "question must be a string"),
        (line(question="   "), "question is empty"),
        (line(type="trivia"), "unknown type 'trivia'"),
        (line(split="train"), "unknown split 'train'"),
        (line(expected="16 million"), "expected must be a list of facts"),
        (line(expected=[[]]), "expected fact 1 must be a non-empty list"),
        (line(expected=[["ok"], ["..."]]), "expected fact 2 has no alternative"),
        (line(gold_docs="a.txt"), "gold_docs must be a list"),
        (line(history=[{"question": "q"}]), "history turn 1"),
        (line(type="unanswerable"), "unanswerable question has empty expected"),
        (line(expected=[]), "expected is empty"),
        (line(type="follow-up"), "follow-up question needs a non-empty history"),
        (line(), "duplicate id 'q-1' (first used on line 1)"),
    ],
)
def test_malformed_lines_are_rejected_with_line_number(bad: str, problem: str) -> None:
    with pytest.raises(InputError) as info:
        parse_dataset([line(), bad], source="set.jsonl")
    assert str(info.value).startswith("set.jsonl, line 2: ")
    assert problem in str(info.value)


def test_load_dataset_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_dataset(tmp_path / "missing.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    with pytest.raises(InputError, match="holds no questions"):
        load_dataset(empty)
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(line().encode() + b"\n" + b'{"id": "\xff"}\n')
    with pytest.raises(InputError, match=r"line 2: not valid UTF-8"):
        load_dataset(binary)
    good = tmp_path / "good.jsonl"
    good.write_text(line() + "\n")
    with pytest.raises(InputError, match="Unknown split"):
        load_dataset(good, split="train")


def test_the_seed_set_is_valid() -> None:
    # The first 78 rows are the set the figures in eval/RESULTS.md were measured on; the rows
    # added from seed-079 on (and the whole file's counts) are pinned by tests/test_eval_sets.py.
    questions = [q for q in load_dataset(ROOT / "eval" / "seed.jsonl") if int(q.id.removeprefix("seed-")) <= 78]
    assert len(questions) == 78
    assert len([q for q in questions if q.split == "dev"]) == 28
    assert {q.type for q in questions} == {"answerable", "unanswerable", "multi-article", "follow-up"}


# ------------------------------------------------------------------------------ verdicts


def hit(doc: str, text: str, rank: int, score: float = 0.5) -> Hit:
    return Hit(
        chunk=Chunk(chunk_id=f"{doc}#{rank}", doc_id=doc, text=text, start=0, end=len(text)), score=score, rank=rank
    )


WEAPONS = "The EU has earmarked 16 million euros for weapons and equipment for the training mission."
OTHER = "Defence ministers of five countries met in Paris on 12 March 2025."
QUESTION = EvalQuestion(
    id="q", type="answerable", question="How much for weapons?", expected=(("16 million",),), gold_docs=("a.txt",)
)


def answer(
    text: str,
    *,
    sources: Sequence[Hit] = (),
    hits: Sequence[Hit] | None = None,
    abstained: bool = False,
    timings: Timings | None = None,
) -> Answer:
    return Answer(
        question="q",
        text=text,
        sources=tuple(sources),
        hits=tuple(sources if hits is None else hits),
        abstained=abstained,
        timings=timings or Timings(),
    )


def test_a_correct_cited_answer_passes_every_check() -> None:
    sources = [hit("a.txt", WEAPONS, 1), hit("b.txt", OTHER, 2)]
    r = score_answer(
        QUESTION, answer("The EU earmarked 16 million euros for weapons and equipment [1].", sources=sources)
    )
    assert (r.status, r.correct, r.abstained, r.errors) == ("pass", True, False, ())
    assert r.f1 is not None and 0 < r.f1 < 1
    assert r.citations is not None
    assert (r.citations.markers, r.citations.valid_markers, r.citations.validity) == (1, 1, 1.0)
    assert (r.citations.pairs, r.citations.supported_pairs, r.citations.precision) == (1, 1, 1.0)
    assert (r.citations.claims, r.citations.supported_claims, r.citations.recall) == (1, 1, 1.0)
    assert r.retrieval_returned is not None and r.retrieval_returned.hit[1] and r.retrieval_returned.mrr == 1.0


def test_invalid_markers_in_the_raw_reply_count_against_validity() -> None:
    sources = [hit("a.txt", WEAPONS, 1)]
    r = score_answer(
        QUESTION,
        answer("It was 16 million euros for weapons [1].", sources=sources),
        raw_text="It was 16 million euros for weapons [1][4].",
    )
    assert r.citations is not None
    assert (r.citations.markers, r.citations.valid_markers, r.citations.stripped, r.citations.validity) == (
        2,
        1,
        1,
        0.5,
    )


def test_a_citation_to_the_wrong_passage_is_not_supported() -> None:
    sources = [hit("a.txt", WEAPONS, 1), hit("b.txt", OTHER, 2)]
    r = score_answer(
        QUESTION, answer("The EU earmarked 16 million euros for weapons [2]. Ministers met in Paris.", sources=sources)
    )
    assert r.citations is not None
    assert (r.citations.pairs, r.citations.supported_pairs, r.citations.precision) == (1, 0, 0.0)
    assert (r.citations.claims, r.citations.supported_claims) == (2, 0)
    assert [s.markers for s in r.sentences] == [[2], []]


def test_retrieval_is_scored_on_returned_and_on_shown_passages() -> None:
    returned = [hit("b.txt", OTHER, 1), hit("a.txt", WEAPONS, 2), hit("a.txt", WEAPONS, 3)]
    r = score_answer(QUESTION, answer("16 million [1].", sources=returned[:1], hits=returned))
    assert r.retrieval_returned is not None and r.retrieval_shown is not None
    assert r.retrieval_returned.hit == {1: False, 3: True, 5: True}
    assert r.retrieval_returned.mrr == 0.5
    assert r.retrieval_returned.curve == (0.0, 1.0, 1.0)
    assert r.retrieval_shown.recall == {1: 0.0, 3: 0.0, 5: 0.0}
    assert r.retrieval_shown.mrr == 0.0


def test_a_marker_does_not_count_as_an_expected_number() -> None:
    q = EvalQuestion(id="q", type="answerable", question="How many?", expected=(("3",),), gold_docs=("a.txt",))
    assert score_answer(q, answer("Five countries met [3].", sources=[hit("a.txt", OTHER, 1)] * 3)).correct is False


@pytest.mark.parametrize(("abstained", "status"), [(True, "pass"), (False, "fail")])
def test_unanswerable_questions_pass_by_abstaining(abstained: bool, status: str) -> None:
    q = EvalQuestion(id="u", type="unanswerable", question="Who is the High Representative?")
    r = score_answer(q, answer(REFUSAL if abstained else "Josep Borrell [1].", abstained=abstained))
    assert (r.status, r.correct, r.f1, r.retrieval_returned) == (status, None, None, None)


def test_a_check_that_raises_is_an_error_not_a_fail() -> None:
    broken = EvalQuestion(id="b", type="answerable", question="?", expected=(("...",),), gold_docs=("a.txt",))
    r = score_answer(broken, answer("16 million [1].", sources=[hit("a.txt", WEAPONS, 1)]))
    assert r.status == "error"
    assert r.correct is None
    assert {e.check for e in r.errors} == {"correct"}
    s = summarize(
        [r, score_answer(QUESTION, answer("16 million euros for weapons [1].", sources=[hit("a.txt", WEAPONS, 1)]))]
    )
    assert (s["errors"], s["check_errors"], s["pipeline_errors"]) == (1, 1, 0)
    assert s["passed"] == {"value": 1.0, "count": 1, "n": 1}  # the error is left out, not counted as 0


def test_summary_rates_and_latency() -> None:
    unanswerable = EvalQuestion(id="u", type="unanswerable", question="?", split="dev")
    results = [
        score_answer(
            QUESTION,
            answer(
                "16 million [1].",
                sources=[hit("a.txt", WEAPONS, 1)],
                timings=Timings(first_token_s=1.0, total_s=2.0, prompt_tokens=100),
            ),
        ),
        score_answer(
            QUESTION,
            answer(REFUSAL, abstained=True, timings=Timings(first_token_s=3.0, total_s=4.0, prompt_tokens=300)),
        ),
        score_answer(unanswerable, answer(REFUSAL, abstained=True, timings=Timings(first_token_s=0.0, total_s=0.0))),
        QuestionResult(question=unanswerable, answer=None, status="error"),
    ]
    s = summarize(results)
    assert s["questions"] == 4 and s["errors"] == 1
    assert s["correct"] == {"value": 0.5, "count": 1, "n": 2}
    assert s["false_refusal"] == {"value": 0.5, "count": 1, "n": 2}
    assert s["abstention"] == {"value": 1.0, "count": 1, "n": 1}
    assert s["passed"] == {"value": 2 / 3, "count": 2, "n": 3}
    assert s["by_type"]["unanswerable"]["errors"] == 1
    assert s["by_split"]["dev"]["passed"]["n"] == 1
    assert s["latency"]["n"] == 3
    assert s["latency"]["total_p50"] == 2.0
    assert s["latency"]["first_token_p95"] == pytest.approx(2.8)  # 1 + 0.9 * (3 - 1)
    assert s["latency"]["prompt_tokens_mean"] == pytest.approx(400 / 3)
    assert s["retrieval"]["returned"]["n"] == 2
    assert s["retrieval"]["returned"]["curve"] == [0.5]  # the refusal retrieved nothing
    assert s["citations"]["validity"] == {"value": 1.0, "count": 1, "n": 1}


# -------------------------------------------------------------------------------- runner


def _fake_rag(tmp_path: Path, reply: object, **settings: object) -> RAG:
    rag = RAG(
        embedder=HashEmbedder(),
        store=MemoryStore(),
        llm=FakeLLM(reply),  # type: ignore[arg-type]
        settings=Settings(data_dir=tmp_path, min_score=-1.0, **settings),
    )  # type: ignore[arg-type]
    rag.ingest_documents([Document(doc_id="a.txt", text=WEAPONS), Document(doc_id="b.txt", text=OTHER)])
    return rag


def test_evaluate_runs_the_pipeline_and_keeps_going_after_a_failed_question(tmp_path: Path) -> None:
    def reply(messages: Sequence[Message]) -> str:
        if "Paris" in messages[-1]["content"].split("Question:")[-1]:
            return REFUSAL
        return "The EU earmarked 16 million euros for weapons [1][9]."

    rag = _fake_rag(tmp_path, reply, max_question_chars=60)
    questions = [
        QUESTION,
        EvalQuestion(id="long", type="answerable", question="weapons " * 20, expected=(("x",),)),
        EvalQuestion(id="u", type="unanswerable", question="Who hosted the ministers in Paris?"),
        EvalQuestion(
            id="f",
            type="follow-up",
            question="And for weapons?",
            expected=(("16 million",),),
            gold_docs=("a.txt",),
            history=(Turn("What about the EU mission?", "It trains troops."),),
        ),
    ]
    seen: list[tuple[int, int, str]] = []
    run = evaluate(rag, questions, progress=lambda done, total, r: seen.append((done, total, r.question.id)))
    assert seen == [(1, 4, "q"), (2, 4, "long"), (3, 4, "u"), (4, 4, "f")]
    by_id = {r.question.id: r for r in run.results}
    assert by_id["q"].status == "pass"
    assert by_id["q"].raw_text.endswith("[1][9].") and by_id["q"].answer is not None
    assert "[9]" not in by_id["q"].answer.text
    assert by_id["long"].status == "error" and by_id["long"].errors[0].check == "ask"
    assert "characters long" in by_id["long"].errors[0].message
    assert by_id["u"].status == "pass"
    assert by_id["f"].answer is not None and "What about the EU mission?" in by_id["f"].answer.standalone_question
    assert run.summary["pipeline_errors"] == 1
    assert run.summary["citations"]["stripped_markers"] == 2
    assert run.config["chat_model"] == rag.settings.chat_model
    assert run.config["embed_model"] == "hash-embedder"


def test_evaluate_limit_and_split(tmp_path: Path) -> None:
    rag = _fake_rag(tmp_path, "16 million [1].")
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(line(id=f"q-{i}", split="dev" if i % 2 else "test") for i in range(6)) + "\n")
    assert [r.question.id for r in evaluate(rag, path, limit=2).results] == ["q-0", "q-1"]
    assert [r.question.id for r in evaluate(rag, path, split="dev").results] == ["q-1", "q-3", "q-5"]
    assert evaluate(rag, path, limit=1).config["dataset"] == str(path)
    with pytest.raises(InputError, match="at least 1"):
        evaluate(rag, path, limit=0)


# ----------------------------------------------------------------- citation judgements


def test_agreement_and_kappa_by_hand() -> None:
    verdicts = [True, True, True, False, False, False]
    said = [True, True, False, True, False, False]  # tp 2, fn 1, fp 1, tn 2
    judgements = [Judgement(id=str(i), sentence=str(i), passage="", supported=v) for i, v in enumerate(verdicts)]
    a = judgement_agreement(judgements, check=lambda sentence, _passage: said[int(sentence)])
    assert (a.n, a.agree, a.true_pos, a.false_pos, a.false_neg, a.true_neg) == (6, 4, 2, 1, 1, 2)
    assert a.rate == pytest.approx(4 / 6)
    # p_o = 4/6; p_e = (3/6)(3/6) + (3/6)(3/6) = 0.5; kappa = (2/3 - 1/2) / (1/2) = 1/3
    assert a.kappa == pytest.approx(1 / 3)
    assert a.disagreements == ("2", "3")
    constant = judgement_agreement(judgements[:3], check=lambda _s, _p: True)
    assert constant.kappa is None  # both sides always say "supported": chance agreement is 1


def test_citation_check_agreement_with_hand_verdicts() -> None:
    # The first 30 rows, on which the figure in eval/RESULTS.md was measured; the rows added
    # from cj-31 on are checked by tests/test_eval_sets.py.
    judgements = load_judgements(ROOT / "eval" / "citation_judgements.jsonl")[:30]
    assert len(judgements) == 30
    assert 12 <= sum(j.supported for j in judgements) <= 18  # roughly half supported
    assert len({j.id for j in judgements}) == 30
    a = judgement_agreement(judgements)
    assert a.n == 30
    # The figure reported in eval/RESULTS.md; a change of rag.support shows up here.
    assert (a.agree, a.disagreements) == AGREEMENT
    assert a.kappa is not None and a.kappa > 0.4


# 24 of 30; every disagreement is the check accepting a sentence the human rejected (a wrong
# place or name, a flipped negation, a half-supported sentence): see eval/RESULTS.md.
AGREEMENT = (24, ("cj-08", "cj-10", "cj-12", "cj-19", "cj-27", "cj-28"))


def test_load_judgements_rejects_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text('{"id": "1", "sentence": "s", "passage": "p", "supported": "yes"}\n')
    with pytest.raises(InputError, match="line 1"):
        load_judgements(path)


# ------------------------------------------------------------------------------ layering

RAG_DIR = Path(__file__).resolve().parent.parent / "rag"


def test_the_evaluation_package_exports_every_name_it_lists() -> None:
    import rag.evaluation

    missing = [name for name in rag.evaluation.__all__ if not hasattr(rag.evaluation, name)]
    assert missing == []


def test_no_library_module_imports_the_evaluation_code() -> None:
    import ast

    # `rag eval` lives in rag/evaluation/cli.py; the CLI loads it by name when it runs.
    front_ends: set[str] = set()
    importers = []
    for path in sorted(RAG_DIR.rglob("*.py")):
        relative = path.relative_to(RAG_DIR)
        if relative.parts[0] == "evaluation" or str(relative) in front_ends:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            if any(n == "rag.evaluation" or n.startswith("rag.evaluation.") for n in names):
                importers.append(str(relative))
    assert importers == []
