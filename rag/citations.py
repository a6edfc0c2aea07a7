"""Citation markers in answers: parse them, resolve them to passages, check them.

``[n]`` markers are parsed (``extract_markers``, ``strip_markers``), resolved to the
sources the model was shown (``resolve_citations``), and checked sentence by sentence
against those passages with the lexical support check of :mod:`rag.support`
(``sentence_citations``, ``check_citations``); ``repair_citations`` re-points each
sentence's markers to the passages that support it, and ``highlight_spans`` finds the
passage sentences the UI highlights. Pure functions.

What it deliberately does not do: decide whether an answer is correct (that is the
evaluation's job) or call a model; support is lexical, not entailment.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from rag import support
from rag.text import MARKER_RE, Span
from rag.types import AnswerSentence, Citation, Hit

__all__ = [
    "ATTACH_THRESHOLD",
    "KEEP_THRESHOLD",
    "MARKER_RE",
    "MAX_RANGE_ITEMS",
    "SentenceCitations",
    "check_citations",
    "extract_markers",
    "highlight_spans",
    "parse_markers",
    "repair_citations",
    "resolve_citations",
    "sentence_citations",
    "strip_markers",
]

MAX_RANGE_ITEMS = 20  # "[1-99]" is a typo or an attack, not 99 citations
# What a citation copies from the chunk it points to.
_FROM_CHUNK = ("doc_id", "chunk_id", "title", "url", "date", "text", "start", "end")


def extract_markers(text: str) -> list[int]:
    """All citation numbers in ``text``, in order of appearance, repeats kept.

    A marker is a bracket holding numbers 1..99 separated by "," or ";", or a range
    "a-b" / "a–b": "[1]", "[1, 2]", "[1,2]", "[1][2]", "[1-3]" (-> 1, 2, 3). A range
    expands to at most ``MAX_RANGE_ITEMS`` numbers starting at ``a``; a descending
    range yields just its two ends. Not markers: "[a]", "[2022]", "[2022-01]", "[0]",
    "[100]".
    """
    found: list[int] = []
    for match in MARKER_RE.finditer(text):
        for part in re.split(r"[,;]", match.group()[1:-1]):
            ends = [int(n) for n in re.split(r"[-\u2013]", part)]
            if len(ends) == 1:
                found.append(ends[0])
            elif len(ends) == 2 and ends[0] <= ends[1]:
                found.extend(range(ends[0], min(ends[1], ends[0] + MAX_RANGE_ITEMS - 1) + 1))
            else:
                found.extend((ends[0], ends[-1]))
    return found


_MARKER = MARKER_RE.pattern
_MARKER_RUN_RE = re.compile(rf"[ \t]*{_MARKER}(?:[ \t]*{_MARKER})*[ \t]*")


def strip_markers(text: str) -> str:
    """``text`` without citation markers, spacing tidied.

    Each run of markers, with the spaces or tabs around it, is replaced by one space
    when it sits between two words, and by nothing at the start or end of a line or
    before punctuation (".,;:!?)"): "It rained [1]." -> "It rained.",
    "A [1] and B" -> "A and B", "[2] A" -> "A". Line breaks are kept.
    """

    # Repeat until nothing changes: removing "[1]" from "[[1]1]" leaves a new "[1]".
    while True:
        stripped = _strip_marker_runs(text)
        if stripped == text:
            return text
        text = stripped


def _strip_marker_runs(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() > 0 else "\n"
        after = text[match.end()] if match.end() < len(text) else "\n"
        if before in "\r\n" or after in "\r\n.,;:!?)":
            return ""
        return " "

    return _MARKER_RUN_RE.sub(replace, text)


@dataclass(frozen=True)
class SentenceCitations:
    """One sentence of an answer with its citations and their support.

    ``text`` is the sentence as written (markers included) and ``span`` its place in
    the answer; ``markers`` are the distinct markers of the sentence in order of
    appearance; ``supported_markers`` the subset whose passage supports the sentence
    (markers pointing to no passage are never supported).
    """

    text: str
    span: Span
    markers: list[int]
    is_claim: bool
    supported_markers: list[int]

    @property
    def claim(self) -> str:
        """The sentence without its markers: the text the support check sees."""
        return strip_markers(self.text)

    @property
    def supported(self) -> bool:
        """Whether at least one marker's passage supports the sentence."""
        return bool(self.supported_markers)


def sentence_citations(
    answer_text: str,
    passages: Mapping[int, str],
    *,
    threshold: float = support.DEFAULT_THRESHOLD,
    language: str = "",
) -> list[SentenceCitations]:
    """Split an answer into sentences and check each sentence's citations.

    Sentences come from ``support.split_sentences`` (markers after a sentence's final
    period stay with it). For each: ``markers`` is ``extract_markers`` of the sentence,
    repeats dropped; ``is_claim`` is ``support.is_claim`` of the marker-free sentence;
    ``supported_markers`` are the markers ``m`` with ``m in passages`` and
    ``support.is_supported(sentence, passages[m], threshold=threshold)``. Support is
    checked for every sentence with markers, claim or not; callers filter on
    ``is_claim``. ``passages`` maps marker numbers to passage texts (the sources shown).
    ``language``: the answer's language when known; passages in another language are
    checked ``cross_lingual`` (``rag.support.support_score``).
    """
    cross = {m: support.crosses_language(language, p) for m, p in passages.items()}
    results: list[SentenceCitations] = []
    for span in support.split_sentences(answer_text):
        markers = list(dict.fromkeys(extract_markers(span.text)))
        claim = strip_markers(span.text)
        supported: list[int] = []
        for m in markers:
            if m in passages and support.is_supported(claim, passages[m], threshold=threshold, cross_lingual=cross[m]):
                supported.append(m)
        results.append(
            SentenceCitations(
                text=span.text,
                span=span,
                markers=markers,
                is_claim=support.is_claim(claim),
                supported_markers=supported,
            )
        )
    return results


def parse_markers(text: str) -> list[int]:
    """Citation numbers in order of appearance: ``[1]``, ``[1, 2]``, ``[1][2]``, ``[1-3]``."""
    return extract_markers(text)


def resolve_citations(text: str, sources: Sequence[Hit]) -> tuple[str, tuple[Citation, ...]]:
    """Drop markers that point to no shown source; resolve the rest.

    Returns the cleaned text (each marker written as ``[n]``) and one
    :class:`Citation` per distinct valid marker, in order of first appearance.
    """
    n_sources = len(sources)

    def fix(m: re.Match[str]) -> str:
        valid = [n for n in extract_markers(m.group()) if 1 <= n <= n_sources]
        return "".join(f"[{n}]" for n in dict.fromkeys(valid))

    # Removing "[9]" from "[[9]7]" leaves a new marker "[7]": repeat until nothing changes.
    cleaned = text
    while (fixed := MARKER_RE.sub(fix, cleaned)) != cleaned:
        cleaned = fixed
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned).strip()
    citations = []
    for n in dict.fromkeys(parse_markers(cleaned)):
        if not 1 <= n <= n_sources:
            continue
        c = sources[n - 1].chunk
        citations.append(Citation(marker=n, **{name: getattr(c, name) for name in _FROM_CHUNK}))
    return cleaned, tuple(citations)


# A passage sentence must share this much of the claim to be highlighted.
_HIGHLIGHT_MIN = 0.34
# A marker the model chose stands when its passage reaches KEEP; a passage the model did
# not cite is attached only at the stricter ATTACH. The lexical check misses paraphrases
# ("set aside" for "earmarked"), so the model's own choice needs less evidence.
KEEP_THRESHOLD = 0.5
ATTACH_THRESHOLD = support.DEFAULT_THRESHOLD


def highlight_spans(claim: str, passage: str, *, limit: int = 2, language: str = "") -> list[tuple[int, int]]:
    """Spans of the ``limit`` passage sentences that best support ``claim``, in text order."""
    cross = support.crosses_language(language, passage)
    scored = [
        (support.support_score(claim, s.text, cross_lingual=cross), s.start, s.end)
        for s in support.split_sentences(passage)
    ]
    best = sorted((x for x in scored if x[0] >= _HIGHLIGHT_MIN), key=lambda x: -x[0])[:limit]
    return sorted((start, end) for _, start, end in best)


def check_citations(
    text: str, citations: Sequence[Citation], sources: Sequence[Hit], *, language: str = ""
) -> tuple[tuple[Citation, ...], tuple[AnswerSentence, ...]]:
    """Citations with ``supported`` and ``highlights`` filled, and the checked sentences.

    ``language``: the answer's language when known (see :func:`sentence_citations`).
    """
    passages = {i + 1: h.chunk.text for i, h in enumerate(sources)}
    checked = sentence_citations(text, passages, threshold=KEEP_THRESHOLD, language=language)
    sentences = []
    # Only claim sentences are checked: "1 [1]" or "Yes, [1]" states nothing a passage
    # could support or contradict, so a marker cited only there stays unchecked (None).
    supported_by: dict[int, bool] = {}
    spans: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for sc in checked:
        for m in sc.markers:
            if sc.is_claim:
                supported_by[m] = supported_by.get(m, False) or m in sc.supported_markers
            if m in passages:
                spans[m].update(highlight_spans(sc.claim, passages[m], language=language))
        sentences.append(
            AnswerSentence(
                text=sc.text,
                start=sc.span.start,
                end=sc.span.end,
                markers=tuple(sc.markers),
                supported=(sc.supported if sc.is_claim else None),
            )
        )
    out = tuple(
        replace(c, supported=supported_by.get(c.marker), highlights=tuple(sorted(spans.get(c.marker, ()))))
        for c in citations
    )
    return out, tuple(sentences)


def repair_citations(text: str, sources: Sequence[Hit], *, language: str = "") -> tuple[str, float]:
    """Rewrite the markers of ``text`` so each claim sentence cites a passage that supports it.

    Per claim sentence: markers whose passage supports it are kept, unsupported ones
    are dropped, and when none is left the best-supporting shown passage (if any
    reaches the support threshold) is attached. Sentences that are not claims keep
    their markers. Returns the new text and the best support score any claim
    sentence reached against any shown passage (the post-generation evidence signal;
    1.0 when the answer has no claim sentence). ``language``: the answer's language
    when known (see :func:`sentence_citations`).
    """
    passages = {i + 1: h.chunk.text for i, h in enumerate(sources)}
    ordered = [passages[n] for n in sorted(passages)]
    pieces: list[str] = []
    pos = 0
    best_overall = 0.0
    claims = 0
    for sc in sentence_citations(text, passages, threshold=KEEP_THRESHOLD, language=language):
        pieces.append(text[pos : sc.span.start])
        pos = sc.span.end
        if not sc.is_claim:
            pieces.append(sc.text)
            continue
        claims += 1
        index, score = support.best_support(sc.claim, ordered, threshold=ATTACH_THRESHOLD, language=language)
        best_overall = max(best_overall, score)
        keep = list(sc.supported_markers)
        if not keep and index is not None:
            keep = [sorted(passages)[index]]
        body = strip_markers(sc.text).rstrip()
        markers = "".join(f"[{m}]" for m in keep)
        if markers and body and body[-1] in ".!?":
            pieces.append(f"{body[:-1]} {markers}{body[-1]}")
        elif markers:
            pieces.append(f"{body} {markers}")
        else:
            pieces.append(body)
    pieces.append(text[pos:])
    return "".join(pieces), (best_overall if claims else 1.0)
