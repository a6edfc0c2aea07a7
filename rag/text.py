"""One text toolkit: sentence splitting, the stop-word list, number parsing.

Every module that needs sentences (chunking, the support check, citation checks,
the disagreement check), function words (the support check, the BM25 query) or
numbers by value (the support and disagreement checks) takes them from here, so two
parts of the pipeline never disagree about where a sentence ends or what "16m" is.

Pure and English-only. What it deliberately does not do: language detection,
tokenisation for a model (that is the model's own tokenizer), or stemming (the
support check's ``stem`` is tuned to that check alone).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "CLOSING_PUNCTUATION",
    "MARKER_RE",
    "NUMBER_WORDS",
    "STOP_WORDS",
    "Span",
    "normalize_for_matching",
    "numbers",
    "split_sentences",
    "word_set",
]

# One bracketed citation marker: [1], [1, 3], [1,2], [1; 2], [1-3], [1–3]. Numbers are
# 1..99 so that a year ([2022]) or a date ([2022-01]) is never read as a marker.
MARKER_RE = re.compile(r"\[\s*[1-9]\d?(?:\s*[,;\-\u2013]\s*[1-9]\d?)*\s*\]")


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of a text: ``text == source[start:end]``."""

    start: int
    end: int
    text: str


# --------------------------------------------------------------------------- sentences


def word_set(block: str) -> frozenset[str]:
    """A word list written as a whitespace-separated block (easier to read than a literal)."""
    return frozenset(block.split())


# Abbreviations after which a period never ends a sentence (titles, months, Latin).
_NEVER_SPLIT = word_set(
    """
    mr mrs ms dr prof st gen col lt maj sgt capt cmdr adm gov sen rep reps rev hon pres
    fr messrs mt vs cf approx e.g i.e eg ie viz jan feb mar apr jun jul aug sep sept oct
    nov dec dept univ est
    """
)
# Abbreviations that only stay attached when a number follows ("No. 10", "Vol. 3").
_SPLIT_UNLESS_DIGIT = word_set("no nos vol fig pp art sec ch")
# After a dotted acronym ("U.S.", "p.m.") a capitalised word usually continues the
# sentence ("U.S. President ..."); only these common sentence openers start a new one.
_SENTENCE_STARTERS = word_set(
    """
    the a an it its he she they we i this that these those there his her their our
    but and however in on at for as after before meanwhile also while when if since
    although though moreover furthermore additionally yet so then still some many most
    officials according
    """
)
_TERMINATOR_RE = re.compile(r"\.{2,}|\u2026|[.!?]+")
CLOSING_PUNCTUATION = "\"')\u201d\u2019\u00bb"
_MARKERS_AFTER_RE = re.compile(r"(?:[ \t]*" + MARKER_RE.pattern + r")+")
_BULLET_RE = re.compile(r"(?:[-*+\u2022\u2023\u25e6\u00b7\u2013\u2014]|\d{1,3}[.)]|#{1,6})[ \t]+")
_DOTTED_ACRONYM_RE = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_ONLY_MARKERS_RE = re.compile(r"(?:\s*" + MARKER_RE.pattern + r")+\s*")


def split_sentences(text: str) -> list[Span]:
    """Split English prose (news text or a model's answer) into sentences.

    Rules, in order:

    * Every line break ends a sentence; a leading bullet ("-", "*", "•", "1.", "2)",
      "#") and surrounding whitespace are left out of the span.
    * Inside a line, a sentence ends at ".", "!", "?", "..." or "…" (plus any closing
      quotes or parentheses) that is followed by whitespace and then a character that
      is not a lowercase letter. A period inside a token ("3.5", "U.S.A") does not split,
      except between a lowercase word and a capitalised one ("Ukraine.Ukrainian", a
      space lost in scraping).
    * A period does not split after a title/month/Latin abbreviation ("Mr.", "Dr.",
      "St.", "Jan.", "e.g.", "i.e."), after "No."/"Vol."/... when a digit follows,
      after a single capital initial ("John F. Kennedy"), or after a dotted acronym
      ("U.S.", "p.m.") unless the next word is a common sentence opener ("The", "It").
    * Citation markers right after the end of a sentence ("It rained. [1] Then ...",
      "It rained.[1][2]") belong to the sentence they follow.
    * A line holding only citation markers is attached to the sentence before it.

    Spans index into ``text`` and exclude surrounding whitespace; empty pieces are
    dropped.
    """
    spans: list[Span] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        line_start, line_end = pos, pos + len(line.rstrip("\r\n"))
        pos += len(line)
        start = _skip_space(text, line_start, line_end)
        bullet = _BULLET_RE.match(text, start, line_end)
        if bullet is not None:
            start = _skip_space(text, bullet.end(), line_end)
        end = line_end
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        if spans and _ONLY_MARKERS_RE.fullmatch(text, start, end):
            last = spans.pop()
            spans.append(Span(last.start, end, text[last.start : end]))
            continue
        spans.extend(_split_line(text, start, end))
    return spans


def _skip_space(text: str, pos: int, end: int) -> int:
    while pos < end and text[pos].isspace():
        pos += 1
    return pos


def _split_line(text: str, start: int, end: int) -> list[Span]:
    spans: list[Span] = []
    seg_start = start
    for match in _TERMINATOR_RE.finditer(text, start, end):
        if match.start() < seg_start:
            continue  # inside markers consumed by an earlier boundary
        boundary = match.end()
        while boundary < end and text[boundary] in CLOSING_PUNCTUATION:
            boundary += 1
        markers = _MARKERS_AFTER_RE.match(text, boundary, end)
        if markers is not None:
            boundary = markers.end()
        if boundary >= end:
            break  # the line's end closes the sentence anyway
        if not text[boundary].isspace():
            if boundary == match.end() and _glued_sentences(text, boundary, end):
                spans.append(Span(seg_start, boundary, text[seg_start:boundary]))
                seg_start = boundary
            continue  # otherwise "3.5", "U.S.A", "e.g.,": not a boundary
        nxt = _skip_space(text, boundary, end)
        if text[nxt].islower() or not _period_ends(text, match, nxt, end, seg_start):
            continue
        spans.append(Span(seg_start, boundary, text[seg_start:boundary]))
        seg_start = nxt
    if seg_start < end:
        spans.append(Span(seg_start, end, text[seg_start:end]))
    return spans


def _glued_sentences(text: str, boundary: int, end: int) -> bool:
    # Scraped news often loses the space: "support Ukraine.Ukrainian forces ...". Split
    # "word.Word" when two lowercase letters precede the dot, so "St.Petersburg" and
    # "Mr.Smith" stay whole.
    return (
        text[boundary - 1] == "."
        and boundary >= 3
        and text[boundary - 3 : boundary - 1].isalpha()
        and text[boundary - 3 : boundary - 1].islower()
        and boundary + 1 < end
        and text[boundary].isupper()
        and text[boundary + 1].islower()
    )


def _period_ends(text: str, match: re.Match[str], nxt: int, end: int, seg_start: int) -> bool:
    if match.group() != ".":
        return True  # "!", "?", "...": the next-character test already decided
    token_start = match.start()
    while token_start > seg_start and not text[token_start - 1].isspace():
        token_start -= 1
    token = text[token_start : match.start()].lstrip("\"'(\u201c\u2018[")
    lowered = token.lower()
    if lowered in _NEVER_SPLIT:
        return False
    if lowered in _SPLIT_UNLESS_DIGIT:
        return not text[nxt].isdigit()
    if len(token) == 1 and token.isupper():
        return False  # an initial: "John F. Kennedy"
    if _DOTTED_ACRONYM_RE.fullmatch(token):
        word_end = nxt
        while word_end < end and text[word_end].isalpha():
            word_end += 1
        return text[nxt:word_end].lower() in _SENTENCE_STARTERS
    return True


# ------------------------------------------------------------------------ stop words

# English function words. The support check drops them from claims and passages; the
# BM25 query drops them too, minus the few that are names or dates to a keyword search
# (``rag.backends.keyword``).
STOP_WORDS = word_set(
    """
    a about above after again against all almost also although am among an and another
    any are around as at be because been before being below between both but by can
    could did do does doing down during each either else even ever every few for from
    further had has have having he her here hers herself him himself his how i if in
    into is it its itself just last least less let many may me might more most much
    must my myself neither next now of off on once only onto or other others our ours
    ourselves out over own per same shall she should since so some such than that the
    their theirs them themselves then there these they this those though through thus
    to too toward towards under until up upon us very via was we were what whatever
    when where whether which while who whom whose why will with within would yet you
    your yours yourself ca wo im ive youre thats theres whats lets eg ie etc
    """
)


# ----------------------------------------------------------------------------- numbers

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "mln": 1_000_000,
    "mn": 1_000_000,
    "billion": 1_000_000_000,
    "bn": 1_000_000_000,
    "trillion": 1_000_000_000_000,
    "tn": 1_000_000_000_000,
    # The same scales in the languages of European news: an answer in Spanish says
    # "27 millones de euros" for an article's "27 million euros".
    "millions": 1_000_000, "millones": 1_000_000, "millón": 1_000_000, "millon": 1_000_000,
    "millionen": 1_000_000, "mio": 1_000_000, "milioni": 1_000_000, "milione": 1_000_000,
    "milhões": 1_000_000, "miljoen": 1_000_000, "milliarden": 1_000_000_000, "milliarde": 1_000_000_000,
    "mrd": 1_000_000_000, "milliards": 1_000_000_000, "milliard": 1_000_000_000, "miliardi": 1_000_000_000,
    "miljard": 1_000_000_000,
}  # fmt: skip
# Letters glued to a numeral that scale it: "16m", "3.5bn", "20k".
_ATTACHED_SCALES = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "mln": 1_000_000,
                    "b": 1_000_000_000, "bn": 1_000_000_000, "tn": 1_000_000_000_000}  # fmt: skip
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_SCALES) | {"percent", "dozen"}
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_US_RE = re.compile(r"\bU\.S\.(?:A\.?)?|\bUSA?\b|\b[Uu]nited [Ss]tates(?: of [Aa]merica)?\b")


def normalize_for_matching(text: str) -> str:
    """NFKC, markers removed, "U.S."/"United States" unified; case is kept."""
    text = MARKER_RE.sub(" ", unicodedata.normalize("NFKC", text))
    text = _THOUSANDS_RE.sub("", text)
    return _US_RE.sub(" usa ", text)  # before lowercasing: "US" is not the pronoun "us"


# ----------------------------------------------------------------------------- numbers

_NUMBER_TOKEN_RE = re.compile(r"(\d+(?:\.\d+)?)([a-z]*)|([^\W\d_]+)|(%)")


def numbers(text: str) -> set[str]:
    """The numeric facts in ``text``, as normalised decimal strings.

    * Thousands separators are folded ("1,000" -> "1000"); decimals keep their point
      without trailing zeros ("3.50" -> "3.5").
    * A scale word or glued suffix multiplies: "16 million", "16m", "€16 mln",
      "16,000,000" -> "16000000"; "3.5bn" -> "3500000000"; "20k" -> "20000".
    * Number words: one..twenty, the tens, hundred, thousand, million, billion,
      trillion, combined the usual way ("two hundred thousand", "twenty-five"); "a"/"an"
      counts as 1 before a scale word: "a thousand", "one thousand" -> "1000".
      A lone "one" is ignored because it is usually a pronoun ("one of the ...").
    * "%", "percent" and "per cent" after a number give "N%" (instead of "N").
    * Qualifiers are ignored: "more than a thousand" -> "1000". Years are numbers.
    * Citation markers are not numbers.
    """
    toks = _number_tokens(text)
    found: set[str] = set()
    i = 0
    while i < len(toks):
        kind, value = toks[i]
        parsed: tuple[Decimal, int] | None = None
        article = value in ("a", "an") and i + 1 < len(toks) and toks[i + 1][1] in _SCALES
        if kind == "num":
            parsed = _parse_numeral(toks, i)
        elif value in _UNITS or article:
            parsed = _parse_number_words(toks, i)
        if parsed is None:
            i += 1
            continue
        amount, i = parsed
        if i < len(toks) and toks[i][1] in ("%", "percent"):
            found.add(_format_decimal(amount) + "%")
            i += 1
        elif i + 1 < len(toks) and toks[i][1] == "per" and toks[i + 1][1] == "cent":
            found.add(_format_decimal(amount) + "%")
            i += 2
        else:
            found.add(_format_decimal(amount))
    return found


def _number_tokens(text: str) -> list[tuple[str, str]]:
    """(kind, value) pairs: ("num", "16"), ("suffix", "m"), ("word", "million"), ("%", "%")."""
    text = normalize_for_matching(text).lower()
    toks: list[tuple[str, str]] = []
    for num, suffix, word, percent in _NUMBER_TOKEN_RE.findall(text):
        if num:
            toks.append(("num", num))
            if suffix:
                toks.append(("suffix", suffix))
        elif word:
            toks.append(("word", word))
        elif percent:
            toks.append(("%", "%"))
    return toks


def _parse_numeral(toks: list[tuple[str, str]], i: int) -> tuple[Decimal, int] | None:
    try:
        amount = Decimal(toks[i][1])
    except InvalidOperation:  # pragma: no cover - the regex only yields valid numerals
        return None
    i += 1
    if i < len(toks) and toks[i][0] == "suffix":
        scale = _ATTACHED_SCALES.get(toks[i][1])
        i += 1
        if scale is not None:
            return amount * scale, i
        return amount, i  # "1990s", "14th": the suffix is not a scale
    if i < len(toks) and toks[i][1] in _SCALES:
        return amount * _SCALES[toks[i][1]], i + 1
    return amount, i


def _parse_number_words(toks: list[tuple[str, str]], i: int) -> tuple[Decimal, int] | None:
    start = i
    total = current = 0
    seen_scale = False
    while i < len(toks):
        word = toks[i][1]
        if word in _UNITS:
            current += _UNITS[word]
        elif word in ("a", "an") and i == start:
            current = 1
        elif word == "hundred":
            current = max(current, 1) * 100
            seen_scale = True
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
            seen_scale = True
        elif word == "and" and i > start and i + 1 < len(toks) and toks[i + 1][1] in _UNITS:
            pass  # "one hundred and five"
        else:
            break
        i += 1
    if i - start == 1 and toks[start][1] == "one":
        return None  # a lone "one" is a pronoun far more often than a count
    if not seen_scale and toks[start][1] in ("a", "an"):
        return None
    return Decimal(total + current), i


def _format_decimal(amount: Decimal) -> str:
    # normalize() drops trailing zeros ("3.50" -> "3.5"); "f" avoids "1.6E+7".
    return format(amount.normalize(), "f")
