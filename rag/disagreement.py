"""Disagreeing sources: a shown passage that gives another value for what the answer says.

News about one event often disagrees: a death toll differs between agencies, a first
report is corrected, two outlets name different venues. A small chat model told "if
sources disagree, say so" still picks one version silently (0 of 2 measured before
this module). So the check is done after generation, lexically, and the answer gets a
sentence quoting the other source.

The rule, for each claim sentence of the (citation-repaired) answer:

1. **What kind of answer**: the question decides which values can disagree. "How
   many", "how much", "what share", ... ask for a number; "when", "what year" for a
   date or year; "who", "where", "which" for a name. Other questions ("what did she
   say", "why") are not checked: their answers are not single values.
2. **Key values**: the sentence's values of that kind (``rag.support.numbers``;
   capitalised words for names, months, weekdays and stop words excepted) that the
   question does not contain. A sentence without one is skipped.
3. **Backed**: some shown passage contains every key value and supports the sentence
   (``rag.support.support_score`` at least ``verification.KEEP_THRESHOLD``). Without
   that the sentence is the model's, not a source's, and there is no second source
   to set against it.
4. **Different value**: a shown passage from another article lacks a key value, and
   one of its sentences (not a headline-case line)

   * names, with the article's title, every name and number of the question (so "Estonia sends 40" is not set
     against "Latvia sends 25", nor a 2024 figure against a 2025 plan),
   * holds at least ``FRAME_MIN`` of the content words of the claim and the question
     (key names left out; demonyms folded: "Dutch" counts for "Netherlands"), and
   * gives a *rival*: a value of the same kind (percentage, year, day of a date,
     other number; or a run of capitalised words, two or more for "who", not opening
     the sentence and holding no word of the question) that the question, the answer
     and the backing passages do not contain.

Names are compared loosely: case-folded, demonyms mapped to their country ("Dutch" ->
"netherlands") and equal when one is a prefix of the other or they share their first
five letters ("Ukrainian" and "Ukraine").

The answer then gets one sentence per disagreeing article, quoting the passage's
sentence with its marker, and the marker of a disagreeing passage is removed from the
claim it does not support. Pure functions, no model call. Measured in
``eval/RESULTS.md`` (the conflicts set, and false alarms replayed on the seed and RGB
reports with ``eval/replay_disagreements.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rag import support
from rag.citations import KEEP_THRESHOLD, strip_markers
from rag.types import Disagreement, Hit

__all__ = ["FRAME_MIN", "answer_kind", "find_disagreements", "name_tokens", "note_disagreements", "superseded_values"]

# Share of the claim's and question's content words (key names left out) the other
# passage's sentence must contain to count as stating the same thing. Set before any
# run and kept: every conflict of eval/conflicts/ clears it (eval/RESULTS.md).
FRAME_MIN = 0.6
_MAX_NOTES = 2
_QUOTE_CHARS = 300
_HEADLINE_SHARE = 0.6  # a sentence with this share of capitalised words is a headline or a list


def _words(block: str) -> list[str]:
    """A word list written as a whitespace-separated block (easier to read than a literal)."""
    return block.split()


_MONTHS = _words(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_NOT_NAMES = frozenset([*_MONTHS, *_words("monday tuesday wednesday thursday friday saturday sunday mr mrs ms dr")])
_DEMONYMS = {
    "dutch": "netherlands", "danish": "denmark", "danes": "denmark", "french": "france",
    "british": "britain", "briton": "britain", "britons": "britain", "uk": "britain",
    "finnish": "finland", "finns": "finland", "swiss": "switzerland", "greek": "greece",
    "irish": "ireland", "welsh": "wales", "scottish": "scotland", "turkish": "turkey",
    "portuguese": "portugal", "czech": "czechia", "belgian": "belgium", "swedes": "sweden",
    "swedish": "sweden", "poles": "poland", "polish": "poland", "norwegian": "norway",
    "german": "germany", "germans": "germany", "spanish": "spain", "chinese": "china",
    "american": "usa", "americans": "usa", "us": "usa",
}  # fmt: skip
_WORD_RE = re.compile(r"[^\W\d_][\w'\u2019.-]*")
_MONTH = "(?:" + "|".join(_MONTHS) + r")\.?"
_DAY_RE = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b|\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.I
)
_NUMBER_Q_RE = re.compile(
    r"\bhow (?:many|much|long|old|far|big|large|high|often)\b"
    r"|\bwhat (?:share|percentage|percent|proportion|fraction|number|amount|sum|size|total|price|cost)\b"
    # "What is the estimated flood damage ...?", "What was the final death toll ...?"
    r"|\bwhat(?:'s| is| was| are| were) the (?:[\w-]+ ){0,3}?(?:estimated? |estimates |projected )?"
    r"(?:cost|damage|price|toll|number|amount|figure|total|budget|value|rate|share|sum|size|count|turnout|bill"
    r"|loss|losses|estimate)\b",
    re.I,
)
# A value named as replaced by a newer one: "160 homes, up from an earlier count of 140",
# "revised from 12 million", "instead of 3". Looked for in the words just before a number.
_SUPERSEDED_RE = re.compile(
    r"\b(?:from|earlier|previous|previously|initial|initially|original|originally|instead of|rather than|prior)"
    r"\b[^.;:\d]{0,30}$",
    re.I,
)
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_CURRENCY_RE = re.compile(
    r"\s*(?:of\s+)?(?:euros?|eur\b|dollars?|usd\b|pounds?|gbp\b|yen|francs?|kronor|kroner|zloty|€|\$|£)"
)
_NUMBER_MENTION_RE = re.compile(
    r"(?:[€$£]\s?)?\d[\d,.]*(?:\s?(?:%|percent|per cent|million|billion|thousand|mln|bn|m|k)\b)?", re.I
)
_DATE_Q_RE = re.compile(r"^\W*when\b|\b(?:what|which) (?:year|date|day|month)\b|\bin what year\b", re.I)
_PERSON_Q_RE = re.compile(r"\b(?:who|whom|whose)\b", re.I)
_NAME_Q_RE = re.compile(
    r"\b(?:who|whom|whose|where|which)\b|\bwhat (?:is|was|are|were) the names?\b"
    r"|\bwhat (?:country|city|town|place|company|firm|organi[sz]ation|agency|newspaper|publication|magazine)\b",
    re.I,
)

Kind = Literal["number", "date", "name"]


@dataclass(frozen=True)
class _Values:
    names: frozenset[str]
    numbers: frozenset[str]
    days: frozenset[str]  # numbers that are the day of a date ("14 April", "June 3rd")


def answer_kind(question: str) -> Kind | None:
    """The kind of value ``question`` asks for: number, date, name, or None (not a single value)."""
    if _NUMBER_Q_RE.search(question):
        return "number"
    if _DATE_Q_RE.search(question):
        return "date"
    if _NAME_Q_RE.search(question):
        return "name"
    return None


def _canon(word: str) -> str:
    w = word.lower().replace("\u2019", "'").removesuffix("'s").strip(".-'")
    return _DEMONYMS.get(w, w)


def _is_name(word: str) -> bool:
    canon = _canon(word)
    return word[0].isupper() and len(canon) >= 2 and canon not in _NOT_NAMES and bool(support.content_tokens(word))


def name_runs(text: str, *, skip_first: bool = False) -> list[tuple[str, ...]]:
    """Runs of adjacent capitalised words of ``text`` that can be names, in canonical form.

    "Polish General Marek Kowalski will lead" gives ``[("poland", "general", "marek",
    "kowalski")]``. Markers are removed first. A capitalised word counts unless
    ``rag.support`` drops it as a stop, attribution or number word (sentence-initial
    "The", "According", "Five"), or it is a month, a weekday or a title abbreviation.
    Punctuation other than a hyphen or apostrophe ends a run. ``skip_first`` leaves
    out the first word ("Furthermore", "Support" opening a sentence).
    """
    runs: list[tuple[str, ...]] = []
    current: list[str] = []
    end = -1
    text = support.MARKER_RE.sub(" ", text)
    for i, match in enumerate(_WORD_RE.finditer(text)):
        word = match.group()
        gap = text[end : match.start()] if end >= 0 else ""
        if current and (gap.strip() or not _is_name(word) or (skip_first and i == 0)):
            runs.append(tuple(current))
            current = []
        if _is_name(word) and not (skip_first and i == 0):
            current.append(_canon(word))
        end = match.end()
    if current:
        runs.append(tuple(current))
    return runs


def name_tokens(text: str) -> frozenset[str]:
    """The words of :func:`name_runs`, as a set."""
    return frozenset(w for run in name_runs(text) for w in run)


def _is_headline(text: str) -> bool:
    words = [m.group() for m in _WORD_RE.finditer(text) if support.content_tokens(m.group())]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) / len(words) >= _HEADLINE_SHARE


def _all_words(text: str) -> frozenset[str]:
    return frozenset(_canon(m.group()) for m in _WORD_RE.finditer(text))


def _same_name(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return (len(short) >= 4 and long_.startswith(short)) or (len(short) >= 5 and long_[:5] == short[:5])


def _has_name(name: str, words: frozenset[str]) -> bool:
    return any(_same_name(name, w) for w in words)


def _days(text: str) -> frozenset[str]:
    days = {d for m in _DAY_RE.finditer(support.MARKER_RE.sub(" ", text)) for d in m.groups() if d}
    return frozenset(str(int(d)) for d in days)


def _values(text: str) -> _Values:
    return _Values(name_tokens(text), frozenset(support.numbers(text)), _days(text))


def _number_kind(value: str, days: frozenset[str], money: frozenset[str] = frozenset()) -> str:
    if value.endswith("%"):
        return "percent"
    if value in money:
        return "money"  # "12 million euros" is no rival to "160 homes"
    if value in days:
        return "day"
    if value.isdigit() and 1900 <= int(value) <= 2100:
        return "year"
    return "count"


_DEMONYM_STEMS = {support.stem(k): support.stem(v) for k, v in _DEMONYMS.items()}


def _money_values(text: str) -> frozenset[str]:
    """Numbers ``text`` states as amounts of money ("€16m", "12 million euros", "$3 billion")."""
    found: set[str] = set()
    for m in _NUMBER_MENTION_RE.finditer(text):
        after = text[m.end() : m.end() + 14].lower()
        if m.group()[0] in "€$£" or _CURRENCY_RE.match(after):
            found.update(support.numbers(m.group()))
    return frozenset(found)


def superseded_values(text: str) -> frozenset[str]:
    """Numbers ``text`` states only as replaced by newer ones ("up from an earlier count of 140").

    A passage that says "about 160 homes, up from an earlier count of 140" does not back
    an answer of 140: it is the newer report that corrects it.
    """
    current: set[str] = set()
    replaced: set[str] = set()
    for span in support.split_sentences(text):
        sentence = span.text
        for m in _NUMBER_MENTION_RE.finditer(sentence):
            values = {v for v in support.numbers(m.group()) if not _YEAR_RE.fullmatch(v)}  # "from 2024 on"
            before = sentence[max(0, m.start() - 45) : m.start()]
            (replaced if _SUPERSEDED_RE.search(before) else current).update(values)
    return frozenset(replaced - current)


def _content(text: str) -> set[str]:
    """``rag.support.content_tokens`` with demonyms folded into their country ("dutch" -> "netherland")."""
    return {_DEMONYM_STEMS.get(t, t) for t in support.content_tokens(text)}


def _passage_text(hit: Hit) -> str:
    return f"{hit.chunk.title}\n{hit.chunk.text}" if hit.chunk.title else hit.chunk.text


def find_disagreements(question: str, answer: str, sources: Sequence[Hit]) -> list[Disagreement]:
    """The shown passages that state something in ``answer`` with another value (see module doc).

    ``sources`` are the passages shown to the model; marker ``n`` is ``sources[n-1]``.
    At most one disagreement per other article, at most ``_MAX_NOTES`` in all, in
    answer order. Values the answer already states anywhere are never reported.
    """
    kind = answer_kind(question)
    if kind is None:
        return []
    q = _values(question)
    person = bool(_PERSON_Q_RE.search(question))
    question_tokens = _content(question)
    answer_values = _values(strip_markers(answer))
    texts = {i + 1: _passage_text(h) for i, h in enumerate(sources)}
    profiles = {m: (_all_words(t), frozenset(support.numbers(t)) - superseded_values(t)) for m, t in texts.items()}
    found: list[Disagreement] = []
    seen_docs: set[str] = set()
    for span in support.split_sentences(answer):
        claim = strip_markers(span.text)
        if len(found) >= _MAX_NOTES or not support.is_claim(claim):
            continue
        # A name is a run's last word (the surname, the place): "Marek Kowalski" is
        # present where "Kowalski" is, whatever title or first name comes with it.
        key_runs = (
            [run for run in name_runs(claim) if not any(_has_name(w, q.names) for w in run)] if kind == "name" else []
        )
        key_names = {run[-1] for run in key_runs}
        key_numbers = frozenset(support.numbers(claim)) - q.numbers if kind != "name" else frozenset()
        claim_money = _money_values(claim)
        if not key_names and not key_numbers:
            continue
        backers = [
            m
            for m, (words, nums) in profiles.items()
            if all(_has_name(n, words) for n in key_names)
            and key_numbers <= nums
            and support.support_score(claim, sources[m - 1].chunk.text) >= KEEP_THRESHOLD
        ]
        if not backers:
            continue
        # A backer that names a value as replaced ("up from an earlier count of 140")
        # already accounts for the older report: that value is no rival.
        replaced = frozenset().union(*(superseded_values(texts[m]) for m in backers))
        known = _Values(
            q.names | answer_values.names | frozenset().union(*(profiles[m][0] for m in backers)),
            q.numbers | answer_values.numbers | replaced | frozenset().union(*(profiles[m][1] for m in backers)),
            answer_values.days,  # the claim's days among them
        )
        backer_docs = {sources[m - 1].chunk.doc_id for m in backers}
        frame = (_content(claim) | question_tokens) - {support.stem(w) for run in key_runs for w in run}
        for m, hit in enumerate(sources, 1):
            doc = hit.chunk.doc_id
            if doc in backer_docs or doc in seen_docs or len(found) >= _MAX_NOTES:
                continue
            words, nums = profiles[m]
            missing_names = {n for n in key_names if not _has_name(n, words)}
            missing_numbers = key_numbers - nums
            if not missing_names and not missing_numbers:
                continue  # agrees
            kinds = {_number_kind(v, known.days, claim_money) for v in missing_numbers}
            min_run = (2 if person else 1) if missing_names else 0
            quote = _conflicting_sentence(hit, frame, min_run, kinds, q, known, question_tokens)
            if quote is None:
                continue
            seen_docs.add(doc)
            found.append(
                Disagreement(
                    sentence=span.text,
                    backing=tuple(backers),
                    marker=m,
                    quote=quote[0],
                    values=tuple(sorted(quote[1])),
                    claim_values=tuple(sorted({*missing_names, *missing_numbers})),
                )
            )
    return found


def _conflicting_sentence(
    hit: Hit,
    frame: set[str],
    min_run: int,
    number_kinds: set[str],
    q: _Values,
    known: _Values,
    question_tokens: set[str],
) -> tuple[str, set[str]] | None:
    """The passage sentence that best states the frame with a rival value, and the rivals.

    ``min_run``: 0 when no name is missing, else the fewest words a rival name run
    needs (2 for a person: "Anna Lindqvist", not "Oscar" or "Black"). A run holding a
    word of the question ("FIFA Council" for "Who is the president of FIFA?") is no
    rival. The title counts for the question's names and numbers, and for the frame
    only with the question's own words.
    """
    if not frame:
        return None
    title_names, title_numbers = name_tokens(hit.chunk.title), frozenset(support.numbers(hit.chunk.title))
    # The question's topic words in the title ("Harwick flood ...") count for the frame
    # too: a report's later sentences rarely repeat the place and the event.
    title_topic = _content(hit.chunk.title) & question_tokens
    best: tuple[float, str, set[str]] | None = None
    for span in support.split_sentences(hit.chunk.text):
        if _is_headline(span.text):
            continue
        # The question's names and numbers must be in this sentence or the title: a
        # chunk's other lines (its "Published:" date, say) do not make it the same question.
        words = _all_words(span.text) | title_names
        numbers = frozenset(support.numbers(span.text))
        if not all(_has_name(n, words) for n in q.names) or not q.numbers <= numbers | title_numbers:
            continue
        overlap = len(frame & (_content(span.text) | title_topic)) / len(frame)
        if overlap < FRAME_MIN:
            continue
        rivals: set[str] = set()
        if min_run:
            rivals |= {
                " ".join(run)
                for run in name_runs(span.text, skip_first=True)
                if len(run) >= min_run
                and not _has_name(run[-1], known.names)
                and not any(_has_name(w, q.names) or support.stem(w) in question_tokens for w in run)
            }
        if number_kinds:
            days = _days(span.text)
            money = _money_values(span.text)
            rivals |= {v for v in numbers - known.numbers if _number_kind(v, days, money) in number_kinds}
        if rivals and (best is None or overlap > best[0]):
            best = (overlap, span.text, rivals)
    if best is None:
        return None
    return _trim(best[1]), best[2]


def _trim(sentence: str) -> str:
    sentence = " ".join(sentence.split())
    if len(sentence) <= _QUOTE_CHARS:
        return sentence
    return sentence[:_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"


def note_disagreements(answer: str, disagreements: Sequence[Disagreement], sources: Sequence[Hit]) -> str:
    """``answer`` with each disagreeing marker taken off the claim and a quoting sentence added.

    The added sentence says which article is more recent when both dates are known,
    since a later report often corrects an earlier one.
    """
    if not disagreements:
        return answer
    text = answer
    for d in disagreements:
        if d.sentence in text:
            text = text.replace(d.sentence, re.sub(rf"\s*\[{d.marker}\]", "", d.sentence), 1)
    notes = []
    for d in disagreements:
        other = sources[d.marker - 1].chunk.date
        mine = [sources[m - 1].chunk.date for m in d.backing]
        if other and all(mine) and other > max(mine):
            who = f"the more recent article [{d.marker}]"
        elif other and all(mine) and other < min(mine):
            who = f"an earlier article [{d.marker}]"
        else:
            who = f"another article [{d.marker}]"
        # News moves: the dates tell the reader which figure is the newer one.
        dated = [f"[{m}] {sources[m - 1].chunk.date}" for m in (d.marker, *d.backing) if sources[m - 1].chunk.date]
        when = f" ({', '.join(dated)})" if len(dated) > 1 else ""
        notes.append(f'However, the sources disagree: {who} says "{d.quote.rstrip()}"{when}')
    return text.rstrip() + "\n\n" + "\n".join(notes)
