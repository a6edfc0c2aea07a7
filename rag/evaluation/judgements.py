"""Validation of the citation support check against hand-written verdicts.

``load_judgements`` reads ``eval/citation_judgements.jsonl`` (hand-checked
(sentence, cited passage) pairs); ``judgement_agreement`` counts how often a check,
by default :func:`rag.support.is_supported`, agrees with them, with Cohen's kappa.

What it deliberately does not do: run the pipeline or score answers (the runner
does), or decide support itself (``rag.support`` does).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rag import support
from rag.citations import strip_markers
from rag.errors import InputError
from rag.evaluation.runner import jsonl_records

__all__ = ["Agreement", "Judgement", "judgement_agreement", "load_judgements"]


@dataclass(frozen=True)
class Judgement:
    """A hand-checked (sentence, cited passage) pair: does the passage support the sentence?"""

    id: str
    sentence: str
    passage: str
    supported: bool
    category: str = ""
    reason: str = ""
    doc_id: str = ""


@dataclass(frozen=True)
class Agreement:
    """How often a check agrees with hand verdicts; ``kappa`` is Cohen's kappa (None if undefined)."""

    n: int
    agree: int
    true_pos: int  # both say supported
    false_pos: int  # the check says supported, the human does not
    false_neg: int
    true_neg: int
    kappa: float | None
    disagreements: tuple[str, ...] = field(default=())  # ids

    @property
    def rate(self) -> float | None:
        return self.agree / self.n if self.n else None


def load_judgements(path: str | Path) -> list[Judgement]:
    """Read ``eval/citation_judgements.jsonl``; InputError naming the line on a bad entry."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"Judgement file {p} not found.")
    out: list[Judgement] = []
    for _number, where, raw in jsonl_records(p.read_text(encoding="utf-8").split("\n"), source=str(p)):
        if not (
            isinstance(raw, dict)
            and isinstance(raw.get("id"), str)
            and isinstance(raw.get("sentence"), str)
            and isinstance(raw.get("passage"), str)
            and isinstance(raw.get("supported"), bool)
        ):
            raise InputError(f"{where}: needs string id, sentence, passage and boolean supported.")
        out.append(
            Judgement(
                id=raw["id"],
                sentence=raw["sentence"],
                passage=raw["passage"],
                supported=raw["supported"],
                category=str(raw.get("category", "")),
                reason=str(raw.get("reason", "")),
                doc_id=str(raw.get("doc_id", "")),
            )
        )
    return out


def judgement_agreement(
    judgements: Sequence[Judgement], *, check: Callable[[str, str], bool] = support.is_supported
) -> Agreement:
    """Compare ``check(sentence without markers, passage)`` with each hand verdict.

    Cohen's kappa is ``(p_o - p_e) / (1 - p_e)`` with ``p_o`` the observed agreement and
    ``p_e`` the agreement expected by chance from both sides' rates of "supported";
    None when ``p_e`` is 1 (both sides always say the same thing).
    """
    tp = fp = fn = tn = 0
    disagreements = []
    for j in judgements:
        said = check(strip_markers(j.sentence), j.passage)
        tp += said and j.supported
        fp += said and not j.supported
        fn += (not said) and j.supported
        tn += (not said) and not j.supported
        if said != j.supported:
            disagreements.append(j.id)
    n = tp + fp + fn + tn
    kappa = None
    if n:
        p_o = (tp + tn) / n
        p_e = ((tp + fp) / n) * ((tp + fn) / n) + ((fn + tn) / n) * ((fp + tn) / n)
        kappa = None if math.isclose(p_e, 1.0) else (p_o - p_e) / (1 - p_e)
    return Agreement(
        n=n,
        agree=tp + tn,
        true_pos=tp,
        false_pos=fp,
        false_neg=fn,
        true_neg=tn,
        kappa=kappa,
        disagreements=tuple(disagreements),
    )
