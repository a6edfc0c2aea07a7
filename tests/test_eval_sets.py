"""The hand-written evaluation sets in eval/ keep the rules of eval/README.md.

A data test: it fails when someone breaks seed.jsonl, followup_pairs.jsonl,
multilingual.jsonl or citation_judgements.jsonl (or the README's counts tables), and it
checks that eval/validate_sets.py really reports each kind of breakage.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from rag.evaluation import load_dataset, load_judgements

ROOT = Path(__file__).resolve().parent.parent


def _load_validator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rag_validate_sets", ROOT / "eval" / "validate_sets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


validate_sets = _load_validator()


def test_the_eval_sets_follow_the_readme_rules() -> None:
    assert validate_sets.validate_all(ROOT) == []


def test_the_product_loader_reads_every_set() -> None:
    seed = load_dataset(ROOT / "eval" / "seed.jsonl")
    assert (len(seed), len(load_dataset(ROOT / "eval" / "seed.jsonl", split="dev"))) == (139, 49)
    hard = [q for q in seed if q.type == "unanswerable" and int(q.id.removeprefix("seed-")) >= 79]
    assert len(hard) >= 20
    assert sum(q.type == "multi-article" and int(q.id.removeprefix("seed-")) >= 79 for q in seed) >= 10
    multilingual = load_dataset(ROOT / "eval" / "multilingual.jsonl")
    assert len(multilingual) >= 24
    judgements = load_judgements(ROOT / "eval" / "citation_judgements.jsonl")
    assert len(judgements) >= 80
    pairs = [json.loads(line) for line in (ROOT / "eval" / "followup_pairs.jsonl").read_text().splitlines()]
    assert len(pairs) >= 10


def test_pronoun_pairs_differ_only_in_the_question() -> None:
    by_id = {q.id: q for q in load_dataset(ROOT / "eval" / "seed.jsonl")}
    for line in (ROOT / "eval" / "followup_pairs.jsonl").read_text().splitlines():
        pair = json.loads(line)
        pronoun, spelled = by_id[pair["pronoun_id"]], by_id[pair["spelled_id"]]
        assert pronoun.question != spelled.question
        assert (pronoun.history, pronoun.expected, pronoun.gold_docs, pronoun.split) == (
            spelled.history,
            spelled.expected,
            spelled.gold_docs,
            spelled.split,
        )


# --------------------------------------------------------------- the validator catches breakage


@pytest.fixture
def copy_root(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    (tmp_path / "eval").mkdir()
    for name in ("seed.jsonl", "followup_pairs.jsonl", "multilingual.jsonl", "citation_judgements.jsonl", "README.md"):
        shutil.copy(ROOT / "eval" / name, tmp_path / "eval" / name)
    return tmp_path


def _edit(path: Path, row_id: str, change: Callable[[dict[str, Any]], None]) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        row = json.loads(line)
        if row.get("id") == row_id:
            change(row)
            lines[i] = json.dumps(row, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _set(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda row: row.__setitem__(key, value)


BREAKAGES: list[tuple[str, str, str, Callable[[dict[str, Any]], None], str]] = [
    (
        "seed.jsonl",
        "seed-021",
        "fact not in the article",
        _set("expected", [["61 million euros"]]),
        "no alternative verbatim",
    ),
    (
        "seed.jsonl",
        "seed-021",
        "unlisted alternative",
        _set("expected", [["16 million", "sixty million"]]),
        "neither in a gold article",
    ),
    ("seed.jsonl", "seed-080", "unanswerable with a fact", _set("expected", [["Trump"]]), "empty expected"),
    (
        "seed.jsonl",
        "seed-104",
        "multi-article from one article",
        _set("expected", [["Eastern Europe"]]),
        "holds none of the facts",
    ),
    ("seed.jsonl", "seed-030", "split flipped (README counts)", _set("split", "dev"), "split table"),
    (
        "seed.jsonl",
        "seed-030",
        "history on an answerable",
        _set("history", [{"question": "q", "answer": "a"}]),
        "only follow-ups",
    ),
    (
        "seed.jsonl",
        "seed-117",
        "pair drifts apart",
        _set("gold_docs", ["003_bdfe6df497ee2b67.txt"]),
        "differ in gold_docs",
    ),
    (
        "seed.jsonl",
        "seed-116",
        "pronoun spelled out",
        _set("question", "In which region do the Forbes writers see tension?"),
        "does not refer back",
    ),
    (
        "multilingual.jsonl",
        "ml-002",
        "language tag missing",
        lambda r: r.__setitem__("notes", r["notes"][14:]),
        "Language: xx",
    ),
    (
        "multilingual.jsonl",
        "ml-001",
        "only translated forms",
        _set("expected", [["16 millones"]]),
        "no alternative verbatim",
    ),
    (
        "citation_judgements.jsonl",
        "cj-43",
        "passage edited",
        lambda r: r.__setitem__("passage", r["passage"].replace("Milan", "Rome")),
        "not verbatim",
    ),
    (
        "citation_judgements.jsonl",
        "cj-43",
        "no marker",
        lambda r: r.__setitem__("sentence", r["sentence"].replace(" [2]", "")),
        "no citation marker",
    ),
    (
        "citation_judgements.jsonl",
        "cj-57",
        "verdict flipped, category kept",
        _set("supported", True),
        "exactly for supported rows",
    ),
]


@pytest.mark.parametrize(("name", "row_id", "what", "change", "message"), BREAKAGES, ids=[b[2] for b in BREAKAGES])
def test_the_validator_reports_a_broken_set(
    copy_root: Path, name: str, row_id: str, what: str, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    assert validate_sets.validate_all(copy_root) == []
    _edit(copy_root / "eval" / name, row_id, change)
    problems = validate_sets.validate_all(copy_root)
    assert any(message in p for p in problems), (what, problems)


def test_the_validator_reports_reordered_keys_and_gaps_in_ids(copy_root: Path) -> None:
    seed = copy_root / "eval" / "seed.jsonl"
    lines = seed.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    lines[0] = json.dumps({"type": first["type"], **{k: v for k, v in first.items() if k != "type"}})
    del lines[5]
    seed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = validate_sets.validate_all(copy_root)
    assert any("schema order" in p for p in problems)
    assert any("id should be seed-006" in p for p in problems)
