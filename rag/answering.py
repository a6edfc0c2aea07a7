"""Answering: from retrieved passages to a checked, cited :class:`rag.types.Answer`.

:func:`prepare_answer` applies the evidence gate and builds the prompt;
:class:`AnswerStream` generates (streaming, cancellable) and :func:`finish_reply`
runs every post-generation step on the reply: markers resolved, citations repaired
and checked, unsupported answers withdrawn, disagreeing sources noted. The same
:func:`finish_reply` replays stored replies in evaluation.

What it deliberately does not do: search (``rag.retrieval``), load models
(``rag.backends``) or keep conversations (the caller passes ``history``).
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rag.citations import check_citations, repair_citations, resolve_citations, strip_markers
from rag.config import Settings
from rag.disagreement import find_disagreements, note_disagreements
from rag.errors import QuestionError
from rag.evidence import evidence_views, score_sentences, select_evidence
from rag.languages import ENGLISH, UNSPACED, detect_language, language_name
from rag.prompting import (
    ANSWERABILITY_PROMPT,
    NO_BARE_GRAMMAR,
    REFUSAL,
    RETRY_PROMPT,
    TRANSLATE_PROMPT,
    PromptPlan,
    build_messages,
    is_bare_reply,
    is_refusal,
    order_for_reuse,
)
from rag.protocols import LLM, Embedder
from rag.text import STOP_WORDS
from rag.types import Answer, AnswerSentence, Citation, Disagreement, EvidenceSpan, Hit, Timings, Turn

__all__ = [
    "AnswerRequest",
    "AnswerStream",
    "FinalText",
    "calibrate",
    "english_query",
    "evidence_gate",
    "finish_reply",
    "prepare_answer",
    "question_names",
    "refusal_reason",
    "validate_question",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerRequest:
    """What one answer is generated from, as :func:`prepare_answer` built it.

    ``plan`` is None when the evidence gate refused (no generation). ``timings``
    (seconds by step so far) and ``t0`` (``time.perf_counter()`` when the question
    came in) feed :class:`rag.types.Timings`.
    """

    question: str
    standalone: str
    hits: tuple[Hit, ...]
    plan: PromptPlan | None
    llm: LLM
    settings: Settings
    embed_model: str
    temperature: float
    timings: dict[str, float]
    t0: float
    language: str = ENGLISH
    embedder: Embedder | None = None  # scores sentences in answer_mode="sentences"
    evidence: tuple[EvidenceSpan, ...] = ()  # the sentences shown, when answer_mode="sentences"


# Platt scaling of the answerability probability: confidence = sigmoid(A * logit(p_yes) + B).
# Fitted on the seed dev split (eval/RESULTS.md, "Confidence"); identity until then.
CALIBRATION_A = 1.0
CALIBRATION_B = 0.0


def calibrate(p_yes: float) -> float:
    """Calibrated confidence (0-1) from the model's P("yes") to "do the sources state the answer?".

    Platt scaling (Platt 1999, "Probabilistic outputs for support vector machines"):
    ``sigmoid(CALIBRATION_A * logit(p_yes) + CALIBRATION_B)``, fitted by logistic
    regression on the seed dev split's outcomes (answered right = 1).
    """
    p = min(max(p_yes, 1e-6), 1 - 1e-6)
    z = CALIBRATION_A * math.log(p / (1 - p)) + CALIBRATION_B
    return 1.0 / (1.0 + math.exp(-z))


class AnswerStream:
    """A streaming answer: iterate for text pieces, then :meth:`answer` for the final :class:`Answer`.

    Retrieval has already happened when this object exists, so ``hits`` and
    ``sources`` can be shown before the first token. :meth:`cancel` stops generation
    and frees the model for the next question.
    """

    def __init__(self, request: AnswerRequest) -> None:
        self.question = request.question
        self.hits = request.hits
        self.sources = request.plan.sources if request.plan else ()
        self.request = request
        self._settings = request.settings
        self._plan = request.plan
        self._llm = request.llm
        self._max_tokens = request.settings.max_tokens
        self._pieces: list[str] = []
        self._generated = 0  # pieces generated, a bare first reply's included
        # The model's first reply when it stated nothing and was asked again (``retry_bare``).
        self.first_reply: str | None = None
        self._gen: Iterator[str] | None = None
        self._done = False
        self._cancelled = False
        self._first_token: float | None = None
        self._answer: Answer | None = None
        # The sentences shown to the model (answer_mode="sentences"): ready before generation.
        self.evidence = request.evidence
        self.confidence: float | None = None  # set before generation when settings.answerability
        self._low_confidence = False

    @property
    def text(self) -> str:
        """The reply so far."""
        return "".join(self._pieces)

    def __iter__(self) -> Iterator[str]:
        if self._done:
            return
        if self._plan is None:  # the evidence gate decided: no generation
            self._pieces.append(REFUSAL)
            self._first_token = time.perf_counter()
            self._done = True
            yield REFUSAL
            return
        if self._settings.answerability and hasattr(self._llm, "option_probabilities"):
            check = [*self._plan.messages[:-1], dict(self._plan.messages[-1])]
            check[-1]["content"] += "\n\n" + ANSWERABILITY_PROMPT
            p_yes = self._llm.option_probabilities(check, ("yes", "no"))["yes"]
            self.confidence = calibrate(p_yes)
            if self.confidence < self._settings.min_confidence:
                log.info("refused: confidence %.2f below min_confidence", self.confidence)
                self._low_confidence = True
                self._pieces.append(REFUSAL)
                self._first_token = time.perf_counter()
                self._done = True
                yield REFUSAL
                return
        try:
            yield from self._generate(self._plan.messages)
            if not self._cancelled and self._settings.retry_bare and is_bare_reply(self.text):
                # "1 [1]", "Yes, [1]", "[1]": the reply states nothing. Ask once more in the
                # same conversation (the prompt so far is in llama.cpp's KV cache, so only
                # the few new tokens are read); the new reply replaces the bare one.
                first = list(self._pieces)
                self.first_reply = self.text
                log.info("bare reply %r: asking once more", self.first_reply)
                self._pieces = []
                yield from self._generate(
                    [
                        *self._plan.messages,
                        {"role": "assistant", "content": self.first_reply},
                        {"role": "user", "content": RETRY_PROMPT},
                    ]
                )
                if not self._cancelled and (is_bare_reply(self.text) or is_refusal(self.text)):
                    # Nothing better: "2022 [1]" may still be the answer, "[1]" stays a refusal.
                    self._pieces = first
        finally:
            self._done = True

    def _generate(self, messages: Sequence[dict[str, str]]) -> Iterator[str]:
        options: dict[str, Any] = {}
        if (
            self._settings.grammar
            and getattr(self._llm, "supports_grammar", False)
            and self.request.language not in UNSPACED
        ):
            options["grammar"] = NO_BARE_GRAMMAR  # no reply that states nothing ("1 [1]")
        self._gen = self._llm.stream_chat(
            messages, max_tokens=self._max_tokens, temperature=self.request.temperature, **options
        )
        try:
            for piece in self._gen:
                if self._first_token is None:
                    self._first_token = time.perf_counter()
                self._pieces.append(piece)
                self._generated += 1
                yield piece
                if self._cancelled:
                    break
        finally:
            self._gen.close()  # type: ignore[attr-defined]

    def cancel(self) -> None:
        """Stop generating; :meth:`answer` then returns what was produced so far."""
        self._cancelled = True
        if self._gen is not None and not self._done:
            # "generator already executing" (closed from another thread): the loop sees the flag.
            with contextlib.suppress(ValueError):
                self._gen.close()  # type: ignore[attr-defined]

    def answer(self) -> Answer:
        """Finish generation (if not done) and return the resolved :class:`Answer`."""
        if self._answer is not None:
            return self._answer
        if not self._done:
            for _ in self:
                pass
        if self._plan is None or self._low_confidence:
            final = FinalText(REFUSAL, (), abstained=True)
        else:
            final = finish_reply(self.text, self.question, self.sources, self._settings, language=self.request.language)
        end = time.perf_counter()
        first = (self._first_token or end) - self.request.t0
        t = self.request.timings
        timings = Timings(
            embed_s=t.get("embed", 0.0),
            retrieve_s=t.get("retrieve", 0.0),
            prompt_s=t.get("prompt", 0.0),
            first_token_s=first,
            generate_s=end - (self._first_token or end),
            total_s=end - self.request.t0,
            prompt_tokens=self._plan.prompt_tokens if self._plan else 0,
            generated_tokens=self._generated,
        )
        gated = self._plan is None or self._low_confidence
        finish = "cancelled" if self._cancelled else ("gate" if gated else "stop")
        if final.unsupported and finish == "stop":
            finish = "unsupported"
        if finish == "stop" and len(self._pieces) >= self._max_tokens:
            finish = "length"
        self._answer = Answer(
            question=self.question,
            text=final.text,
            citations=final.citations,
            sources=self.sources,
            hits=self.hits,
            abstained=final.abstained,
            timings=timings,
            chat_model=self._llm.model_id,
            embed_model=self.request.embed_model,
            finish_reason=finish,  # type: ignore[arg-type]
            standalone_question=self.request.standalone,
            sentences=final.sentences,
            disagreements=final.disagreements,
            confidence=self.confidence,
            refusal_reason=refusal_reason(self.question, self.sources or self.hits, gated=self._plan is None)
            if final.abstained
            else "",
            evidence=self.evidence,
        )
        return self._answer


@dataclass(frozen=True)
class FinalText:
    """What :func:`finish_reply` makes of a model's reply."""

    text: str
    citations: tuple[Citation, ...]
    abstained: bool = False
    unsupported: bool = False  # refused by the post-generation support check
    sentences: tuple[AnswerSentence, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()


def finish_reply(
    raw: str, question: str, sources: Sequence[Hit], settings: Settings, *, language: str | None = None
) -> FinalText:
    """The post-generation steps, in order, on the model's ``raw`` reply.

    Markers are resolved to ``sources`` (out-of-range ones dropped); a refusal stays a
    refusal. With ``verify_citations``: markers are re-pointed to supporting passages
    and, when no claim reaches ``min_support``, the reply becomes a refusal. With
    ``flag_disagreements``: a sentence quoting each disagreeing source is added. Last,
    every sentence's citations are checked. Pure; replaying a stored reply through it
    gives what the pipeline gave (``eval/replay_disagreements.py`` does).

    ``language`` is the answer's (the question's, detected when None): claims are
    checked against passages in other languages by names and numbers only, so a
    correct answer is never refused for its language.
    """
    language = detect_language(question) if language is None else language
    text, citations = resolve_citations(raw, sources)
    if is_refusal(text):
        if not strip_markers(text).strip():  # "[1][2]": no words at all
            return FinalText(REFUSAL, (), abstained=True)
        return FinalText(text, citations, abstained=True)
    if settings.verify_citations:
        text, support_score = repair_citations(text, sources, language=language)
        # Post-generation gate: no claim the sources support → the answer was invented.
        if support_score < settings.min_support:
            log.info("answer refused by the support check (best support %.2f): %r", support_score, text)
            return FinalText(REFUSAL, (), abstained=True, unsupported=True)
        text, citations = resolve_citations(text, sources)
    disagreements: tuple[Disagreement, ...] = ()
    if settings.flag_disagreements:
        disagreements = tuple(find_disagreements(question, text, sources))
        if disagreements:
            text, citations = resolve_citations(note_disagreements(text, disagreements, sources), sources)
    citations, sentences = check_citations(text, citations, sources, language=language)
    return FinalText(text, citations, sentences=sentences, disagreements=disagreements)


_WORD_RE = re.compile(r"[^\W_][\w'\u2019-]*")


def question_names(question: str) -> frozenset[str]:
    """The question's names: capitalised words after the first, not function words (casefolded).

    "What did Ndumiso Vrijhof say about Zenthari?" -> {"ndumiso", "vrijhof", "zenthari"}.
    """
    words = _WORD_RE.findall(question)[1:]
    return frozenset(w.casefold() for w in words if w[0].isupper() and w.casefold() not in STOP_WORDS)


def evidence_gate(question: str, hits: Sequence[Hit], *, min_score: float) -> bool:
    """Whether the retrieved passages may hold the answer, before any generation.

    True when a passage's dense (cosine) similarity reaches ``min_score``, or when the
    keyword (BM25) retriever's best passage contains every name of the question
    (:func:`question_names`, at least one): an embedder that has never seen "Vrijhof"
    scores a passage about him low, while BM25 finds the rare name exactly.
    """
    if not hits:
        return False
    if max((h.dense for h in hits if h.dense is not None), default=-1.0) >= min_score:
        return True
    names = question_names(question)
    keyword_hits = [h for h in hits if h.keyword is not None]
    if not names or not keyword_hits:
        return False
    best = max(keyword_hits, key=lambda h: h.keyword or 0.0)
    words = {w.casefold() for w in _WORD_RE.findall(f"{best.chunk.title}\n{best.chunk.text}")}
    return names <= words


def english_query(llm: LLM, question: str) -> str:
    """``question`` translated into English by the chat model, for retrieval; ``question`` if that fails.

    The embedder and the keyword index read English; a question in another language
    matched English passages at cosine 0.12–0.24 and was refused by the evidence gate.
    One short greedy generation (about a second on 2 cores with the default model).
    """
    messages = [{"role": "system", "content": TRANSLATE_PROMPT}, {"role": "user", "content": question}]
    reply = "".join(llm.stream_chat(messages, max_tokens=32 + len(question) // 2, temperature=0.0))
    lines = [line.strip().strip('"\u201c\u201d') for line in reply.strip().splitlines() if line.strip()]
    return lines[0] if lines else question


def prepare_answer(request: AnswerRequest, history: Sequence[Turn] = ()) -> AnswerStream:
    """The evidence gate, then the prompt: an :class:`AnswerStream` ready to generate.

    When the passages fail the evidence gate (:func:`evidence_gate`) the stream is a
    refusal that never calls the model. ``request.timings`` (seconds by step) gets
    ``"prompt"``; the answer is asked for in ``request.language`` (ISO 639-1).
    """
    question, hits, llm, settings = request.question, request.hits, request.llm, request.settings
    if not evidence_gate(question, hits, min_score=settings.min_score):
        return AnswerStream(request)
    t = time.perf_counter()
    ordered = order_for_reuse(hits, history[-1].sources if history else ())
    shown: list[Hit] = ordered
    evidence: tuple[EvidenceSpan, ...] = ()
    if settings.answer_mode == "sentences" and request.embedder is not None:
        scored = score_sentences(request.standalone, ordered, request.embedder)
        chosen = select_evidence(scored, count_tokens=llm.count_tokens, budget=settings.evidence_tokens)
        shown, spans = evidence_views(ordered, scored, chosen)
        evidence = tuple(spans)
    plan = build_messages(
        question,
        shown,
        count_tokens=llm.count_tokens,
        n_ctx=llm.n_ctx,
        max_new_tokens=settings.max_tokens,
        history=history,
        max_history_turns=settings.history_turns,
        answer_language="" if request.language == ENGLISH else language_name(request.language),
    )
    if evidence:  # markers name the original passages: citations and cards show them whole
        originals = {h.chunk.chunk_id: h for h in ordered}
        plan = replace(plan, sources=tuple(originals[h.chunk.chunk_id] for h in plan.sources))
        kept = {h.chunk.chunk_id for h in plan.sources}
        evidence = tuple(e for e in evidence if e.chunk_id in kept)
    request.timings["prompt"] = time.perf_counter() - t
    return AnswerStream(replace(request, plan=plan, evidence=evidence))


_ASKS_FOR = (
    (re.compile(r"^\s*who(?:m|se)?\b|\bwhich (?:official|person|minister|leader)", re.I), "names no one for this"),
    (re.compile(r"^\s*when\b|\bwhat (?:year|date|day|month|time)\b", re.I), "gives no date for this"),
    (re.compile(r"^\s*where\b|\bwhich (?:city|country|place)\b", re.I), "names no place for this"),
    (
        re.compile(r"\bhow (?:many|much|long|far|old)\b|\bwhat (?:number|percentage|share|amount)\b", re.I),
        "gives no figure for this",
    ),
)


def refusal_reason(question: str, passages: Sequence[Hit], *, gated: bool = False) -> str:
    """One line saying why a question was refused: what the closest article lacks.

    ``gated``: refused by the evidence gate (no passage close enough). Otherwise the
    closest passage's article is named with what the question asks for that it does
    not give ("names no one", "gives no date", "gives no figure", "does not state this").
    """
    if gated or not passages:
        return "No indexed article is close enough to this question."
    title = passages[0].chunk.title or passages[0].chunk.doc_id
    what = next((text for pattern, text in _ASKS_FOR if pattern.search(question)), "does not state this")
    return f"The closest article, \u201c{title}\u201d, {what}."


def validate_question(question: str, *, max_chars: int) -> str:
    """The stripped question, or :class:`QuestionError` if it is empty or too long."""
    q = question.strip() if isinstance(question, str) else ""
    # Lone surrogates and control characters break tokenizers; they carry no meaning.
    q = q.encode("utf-8", "replace").decode("utf-8")
    q = "".join(ch for ch in q if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")).strip()
    if not q:
        raise QuestionError("The question is empty. Type a question about the articles.")
    if len(q) > max_chars:
        raise QuestionError(
            f"The question is {len(q):,} characters long; the limit is {max_chars:,} "
            "(setting max_question_chars). Shorten it."
        )
    return q
