"""Feedback on answers, kept locally, and its export as evaluation rows.

:func:`record_feedback` appends one JSON line per rating to ``<data_dir>/feedback.jsonl``
(nothing is ever sent anywhere). :func:`export_rows` turns the ratings into rows in
the format of ``eval/seed.jsonl`` (eval/README.md), so ``rag eval`` can measure
whether a change fixed what users reported:

- a thumbs-down with ``reason="not_in_articles"`` becomes an ``unanswerable`` row;
- a thumbs-down with a ``correction`` becomes an answerable row whose one expected
  fact is the correction (write it as the short fact a right answer must contain:
  "16 million euros"); its ``gold_docs`` are the cited articles, none when the
  reason is ``wrong_source``;
- a thumbs-down with neither gives no row (nothing says what is right);
- a thumbs-up gives a row only with ``include_up``: its expected facts are the
  numbers and names the answer states that the question does not already contain
  (at most three; no row when it states none),
  a regression check that the answer stays right.

Rows with a history become ``follow-up`` rows. When one question (with the same
history) was rated more than once, the latest rating wins.

What it deliberately does not do: upload, aggregate statistics, or edit ratings.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from rag.citations import strip_markers
from rag.conversation import normalize_history
from rag.errors import InputError
from rag.text import STOP_WORDS, split_sentences
from rag.types import Answer

__all__ = [
    "FEEDBACK_FILE",
    "REASONS",
    "VERDICTS",
    "ExportResult",
    "export_rows",
    "read_feedback",
    "record_feedback",
    "write_rows",
]

FEEDBACK_FILE = "feedback.jsonl"
VERDICTS = ("up", "down")
REASONS = ("wrong", "not_in_articles", "wrong_source", "incomplete")
_write_lock = threading.Lock()


def record_feedback(
    data_dir: str | Path,
    answer: Answer,
    *,
    verdict: Literal["up", "down"],
    reason: str | None = None,
    correction: str | None = None,
    history: Iterable[Any] | None = None,
    settings: Any = None,
    model: str | None = None,
) -> dict[str, Any]:
    """Append a rating of ``answer`` to ``<data_dir>/feedback.jsonl`` and return the stored record.

    ``history`` is the conversation before the question (any form
    :func:`rag.conversation.normalize_history` takes); ``settings`` a
    :class:`rag.config.Settings` or a mapping of the settings the answer was made
    with; ``model`` defaults to ``answer.chat_model``. Raises
    :class:`rag.errors.InputError` for an unknown verdict or reason.
    """
    if verdict not in VERDICTS:
        raise InputError(f"Unknown verdict {verdict!r}; use up or down.")
    if reason is not None and reason not in REASONS:
        raise InputError(f"Unknown reason {reason!r}; use one of {', '.join(REASONS)} (or none).")
    correction = (correction or "").strip() or None
    cited = {c.marker for c in answer.citations}
    record = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "question": answer.question,
        "history": [{"question": t.question, "answer": t.answer} for t in normalize_history(history)],
        "answer": answer.text,
        "abstained": answer.abstained,
        "finish_reason": answer.finish_reason,
        "sources": [
            {
                "marker": n,
                "doc_id": h.chunk.doc_id,
                "chunk_id": h.chunk.chunk_id,
                "title": h.chunk.title,
                "url": h.chunk.url,
                "date": h.chunk.date,
                "cited": n in cited,
            }
            for n, h in enumerate(answer.sources, 1)
        ],
        "settings": _settings_dict(settings),
        "model": model or answer.chat_model,
        "embed_model": answer.embed_model,
        "verdict": verdict,
        "reason": reason,
        "correction": correction,
    }
    path = Path(data_dir) / FEEDBACK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with _write_lock, path.open("a", encoding="utf-8") as f:  # one write per line: appends never interleave
        f.write(line)
    return record


def _settings_dict(settings: Any) -> dict[str, Any]:
    if settings is None:
        return {}
    raw = (
        dataclasses.asdict(settings)
        if dataclasses.is_dataclass(settings) and not isinstance(settings, type)
        else dict(settings)
    )
    return {k: v if isinstance(v, (str, int, float, bool)) or v is None else str(v) for k, v in raw.items()}


def read_feedback(data_dir: str | Path) -> list[dict[str, Any]]:
    """The stored ratings, oldest first ([] when none). Raises InputError naming a malformed line."""
    path = Path(data_dir) / FEEDBACK_FILE
    if not path.is_file():
        return []
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}, line {number}: not valid JSON ({exc.msg}); fix or delete that line.") from None
        if not isinstance(record, dict) or record.get("verdict") not in VERDICTS or "question" not in record:
            raise InputError(f"{path}, line {number}: not a feedback record; fix or delete that line.")
        records.append(record)
    return records


@dataclasses.dataclass(frozen=True)
class ExportResult:
    """Evaluation rows made from feedback, and the ratings that gave none with why."""

    rows: tuple[dict[str, Any], ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (question, reason)


def export_rows(
    records: Sequence[Mapping[str, Any]], *, include_up: bool = False, split: str = "dev", prefix: str = "feedback"
) -> ExportResult:
    """Evaluation rows (eval/README.md's format, keys in its order) from feedback records.

    See the module docstring for the rules. Ids are ``<prefix>-<8 hex digits>``, a
    hash of the question and history, so exporting again gives the same ids.
    """
    if split not in ("dev", "test"):
        raise InputError(f"Unknown split {split!r}; use dev or test.")
    latest: dict[str, Mapping[str, Any]] = {}
    for r in records:
        latest[_key(r)] = r  # dicts keep first-insertion order; the latest rating wins
    rows, skipped = [], []
    for key, r in latest.items():
        history = [{"question": t["question"], "answer": t["answer"]} for t in r.get("history", [])]
        cited_docs = list(dict.fromkeys(s["doc_id"] for s in r.get("sources", []) if s.get("cited")))
        note = f"From feedback of {r.get('time', '?')} on {r.get('model', '?')}: {r['verdict']}"
        note += f" ({r['reason']})" if r.get("reason") else ""
        note += f". The rated answer: {_clip(r.get('answer', ''))}"
        if r["verdict"] == "down" and r.get("reason") == "not_in_articles":
            qtype, expected, gold = "unanswerable", [], []
        elif r["verdict"] == "down" and r.get("correction"):
            expected = [[r["correction"]]]
            gold = [] if r.get("reason") == "wrong_source" else cited_docs
            qtype = _answerable_type(history, gold)
        elif r["verdict"] == "down":
            skipped.append((r["question"], "thumbs-down without a correction: nothing says what is right"))
            continue
        elif not include_up:
            skipped.append((r["question"], "thumbs-up (export them with --include-up)"))
            continue
        else:
            facts = answer_facts(r.get("answer", ""), question=r.get("question", ""))
            if not facts or r.get("abstained"):
                skipped.append((r["question"], "thumbs-up on an answer that states no number or name"))
                continue
            expected, gold = [[f] for f in facts], cited_docs
            qtype = _answerable_type(history, gold)
        rows.append(
            {
                "id": f"{prefix}-{key[:8]}",
                "type": qtype,
                "question": r["question"],
                "expected": expected,
                "gold_docs": gold,
                "history": history,
                "split": split,
                "notes": note,
            }
        )
    return ExportResult(rows=tuple(rows), skipped=tuple(skipped))


def _key(record: Mapping[str, Any]) -> str:
    turns = [[t.get("question", ""), t.get("answer", "")] for t in record.get("history", [])]
    return hashlib.sha256(json.dumps([record["question"], turns], ensure_ascii=False).encode()).hexdigest()


def _answerable_type(history: Sequence[Any], gold: Sequence[str]) -> str:
    if history:
        return "follow-up"
    return "multi-article" if len(gold) > 1 else "answerable"


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_NUMBER_RE = re.compile(
    r"(?:[€$£]\s?)?\d[\d,.]*\d?(?:\s?(?:%|per ?cent|percent|million|billion|thousand|euros?|dollars?))?", re.I
)
_NAME_RE = re.compile(r"\b[A-Z][\w'’-]+(?:\s+(?:of\s+|de\s+|von\s+der\s+)?[A-Z][\w'’-]+)*")


def answer_facts(text: str, *, question: str = "", limit: int = 3) -> list[str]:
    """Numbers (with their unit) and names an answer states, as written, first ``limit``, in text order.

    A name is a run of capitalised words; at the start of a sentence (where any word
    is capitalised) a first word from the stop-word list ("The", "They") is left out,
    and a possessive ending ("Kyiv's") is dropped. Facts that ``question`` already
    contains ("EU" for "How much did the EU …") are left out: they test nothing.
    Markers are removed first.
    """
    asked = question.casefold()
    facts: list[str] = []
    plain = strip_markers(text)
    for span in split_sentences(plain):
        sentence = plain[span.start : span.end]
        found = [(m.start(), m.group().strip(" ,.")) for m in _NUMBER_RE.finditer(sentence)]
        for m in _NAME_RE.finditer(sentence):
            name = m.group()
            if m.start() == 0:
                first, _, rest = name.partition(" ")
                name = rest.strip() if first.lower() in STOP_WORDS else name
            found.append((m.start(), re.sub(r"['’]s?$", "", name)))
        for _, fact in sorted(found):
            if asked and re.search(rf"(?<!\w){re.escape(fact.casefold())}(?!\w)", asked):
                continue
            if fact and fact not in facts and any(ch.isalnum() for ch in fact):
                facts.append(fact)
    return facts[:limit]


def write_rows(rows: Iterable[Mapping[str, Any]], path: str | Path) -> int:
    """Write rows as JSONL (UTF-8, one object a line) to ``path``; returns how many."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(dict(r), ensure_ascii=False) for r in rows]
    p.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)
