"""Lexical support check: does a passage back up one claim sentence?

Used at answer time (to verify the model's ``[n]`` citations) and by the evaluator
(citation precision and recall). Everything here is pure, deterministic and fast
(regular expressions and set arithmetic on a few hundred words), so it can run on
every sentence of every answer.

The support rule (``support_score``):

1. Both texts are reduced to *content tokens* (``content_tokens``): NFKC, lowercase,
   citation markers removed, punctuation stripped, numerals and number words removed
   (numbers are compared by value in step 3), a ~170-word English stop list plus
   attribution words ("said", "according", "articles", ...) dropped, and a light
   suffix stemmer applied so that "trains", "training" and "trained" all become
   "train".
2. The score is the fraction of the claim's *distinct* content tokens that also occur
   among the passage's content tokens (token recall of the claim, unweighted).
3. If the claim states numbers (``numbers``: "16 million", "€16m", "1,000",
   "a thousand", "5 percent", years, ...), every one of them must occur, by value,
   in the passage; otherwise the score is capped at ``NUMBER_MISMATCH_CAP`` (0.2),
   well under the default threshold. A claim with no content tokens scores 1.0
   when it has numbers and all are found, else 0.0.

``is_supported`` is ``support_score >= threshold`` (0.6 by default).

What it deliberately does not do:

* No entailment model and no embeddings: the check is explainable ("these words of
  the claim are missing from the passage") and costs microseconds.
* No negation or word-order reasoning: "X did not approve Y" is supported by a
  passage saying "X approved Y" if the other words match. Negation words ("not",
  "never", ...) are kept as content tokens, which only costs such a claim one token.
* No bigram overlap: answers paraphrase, and paraphrases rarely share bigrams, so
  bigrams would mostly punish correct citations; swapped roles ("A beat B" vs "B
  beat A") are rare in cited answers.
* No IDF weighting: it would need corpus statistics, making the score depend on the
  index; the stop list and attribution list remove the words IDF would discount.
* Numbers are matched exactly by value: "about 16 million" is not supported by
  "15.8 million".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

__all__ = [
    "DEFAULT_THRESHOLD",
    "MARKER_RE",
    "NUMBER_MISMATCH_CAP",
    "Span",
    "best_support",
    "content_tokens",
    "is_claim",
    "is_supported",
    "numbers",
    "split_sentences",
    "stem",
    "support_score",
]

DEFAULT_THRESHOLD = 0.6
NUMBER_MISMATCH_CAP = 0.2

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


def _words(block: str) -> frozenset[str]:
    """A word list written as a whitespace-separated block (easier to read than a literal)."""
    return frozenset(block.split())


# Abbreviations after which a period never ends a sentence (titles, months, Latin).
_NEVER_SPLIT = _words(
    """
    mr mrs ms dr prof st gen col lt maj sgt capt cmdr adm gov sen rep reps rev hon pres
    fr messrs mt vs cf approx e.g i.e eg ie viz jan feb mar apr jun jul aug sep sept oct
    nov dec dept univ est
    """
)
# Abbreviations that only stay attached when a number follows ("No. 10", "Vol. 3").
_SPLIT_UNLESS_DIGIT = _words("no nos vol fig pp art sec ch")
# After a dotted acronym ("U.S.", "p.m.") a capitalised word usually continues the
# sentence ("U.S. President ..."); only these common sentence openers start a new one.
_SENTENCE_STARTERS = _words(
    """
    the a an it its he she they we i this that these those there his her their our
    but and however in on at for as after before meanwhile also while when if since
    although though moreover furthermore additionally yet so then still some many most
    officials according
    """
)
_TERMINATOR_RE = re.compile(r"\.{2,}|\u2026|[.!?]+")
_CLOSERS = "\"')\u201d\u2019\u00bb"
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
        while boundary < end and text[boundary] in _CLOSERS:
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


# ------------------------------------------------------------------------------ tokens

_STOP_WORDS = _words(
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
# Attribution and meta words: an answer says "according to the article, X said ...";
# the passage just says X. They carry no checkable content.
_ATTRIBUTION_WORDS = _words(
    """
    according article articles source sources passage passages document documents
    context excerpt excerpts provided mention mentions mentioned report reports reported
    reportedly say says said saying told noted stated
    """
)
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
}
# Letters glued to a numeral that scale it: "16m", "3.5bn", "20k".
_ATTACHED_SCALES = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "mln": 1_000_000,
                    "b": 1_000_000_000, "bn": 1_000_000_000, "tn": 1_000_000_000_000}  # fmt: skip
_NUMBER_WORDS = frozenset(_UNITS) | frozenset(_SCALES) | {"percent", "dozen"}
_CURRENCY_SYMBOLS = {"€": " euro ", "$": " dollar ", "£": " pound ", "¥": " yen "}
_CANONICAL = {"eur": "euro", "usd": "dollar", "gbp": "pound"}
_STEM_EXCEPTIONS = _words(
    """
    news series species always perhaps whereas has was is this thus bus gas plus lens chaos
    crisis analysis basis thesis politics economics physics
    """
)
_VOWEL_RE = re.compile(r"[aeiouy]")
_ES_AFTER = ("s", "x", "z", "ch", "sh")  # "-es" is a plural ending only after these
_SPELLING_RE = re.compile(r"^(def|off|lic)ence(s?)$")
# "modernise(d)", "organisation" -> "modernize(d)", "organization"; three letters before
# "is" keep "rise", "wise", "noise" out (and a folded "promise" is still consistent).
_BRITISH_ISE_RE = re.compile(r"(?<=\w{3})is(e|ed|es|ing|ation|ations)$")

_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_US_RE = re.compile(r"\bU\.S\.(?:A\.?)?|\bUSA?\b|\b[Uu]nited [Ss]tates(?: of [Aa]merica)?\b")
_DOTTED_RE = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_POSSESSIVE_RE = re.compile(r"(?<=\w)['\u2019]s\b")
_NEGATION_RE = re.compile(r"\bcannot\b|n['\u2019]t\b")
_TOKEN_RE = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")


def _prepare(text: str) -> str:
    """NFKC, markers removed, "U.S."/"United States" unified; case is kept."""
    text = MARKER_RE.sub(" ", unicodedata.normalize("NFKC", text))
    text = _THOUSANDS_RE.sub("", text)
    return _US_RE.sub(" usa ", text)  # before lowercasing: "US" is not the pronoun "us"


def content_tokens(text: str) -> list[str]:
    """The stemmed content words of ``text``, in order, duplicates kept.

    NFKC; citation markers removed; "U.S."/"US"/"United States" become "usa" and
    other dotted acronyms lose their dots ("U.K." -> "uk"); possessive "'s" dropped;
    "n't"/"cannot" become "not"; currency symbols and codes become words ("€", "EUR"
    -> "euro"); lowercase; split on anything that is not a letter or digit. Dropped:
    numerals and number words (``numbers`` compares those by value), single letters,
    stop words and attribution words. Each remaining word goes through ``stem``.
    """
    text = _prepare(text)
    text = _DOTTED_RE.sub(lambda m: m.group().replace(".", "") + " ", text)
    text = _POSSESSIVE_RE.sub("", text)
    text = _NEGATION_RE.sub(" not", text)
    for symbol, word in _CURRENCY_SYMBOLS.items():
        text = text.replace(symbol, word)
    tokens: list[str] = []
    for raw in _TOKEN_RE.findall(text.lower()):
        if raw[0].isdigit() or len(raw) < 2:
            continue
        word = _CANONICAL.get(raw, raw)
        if word in _STOP_WORDS or word in _ATTRIBUTION_WORDS or word in _NUMBER_WORDS:
            continue
        tokens.append(stem(word))
    return tokens


def stem(word: str) -> str:
    """A conservative suffix stripper (a small subset of Porter's rules).

    British "-ise"/"-isation" and "defence"/"offence"/"licence" are first folded to US
    spelling. Then plurals ("-ies" -> "-y", "-sses" -> "-ss", "-es" after s/x/z/ch/sh,
    "-s" but not "-ss"/"-us"/"-is"), then one of "-ation" -> "-at", "-ing", "-ied" ->
    "-y", "-ed" (the last two only when a vowel stays in a stem of two or more letters;
    a doubled final consonant other than l/s/z is undoubled), then a final "-e".
    "trains", "training", "trained" -> "train"; "allocated", "allocation" ->
    "allocat"; "use", "used", "using" -> "us". Both sides of a comparison go through
    the same function, so an odd-looking stem is harmless as long as it is consistent.
    """
    if len(word) <= 2 or word in _STEM_EXCEPTIONS:
        return word
    word = _BRITISH_ISE_RE.sub(r"iz\1", _SPELLING_RE.sub(r"\1ense\2", word))
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses") or (word.endswith("es") and word[:-2].endswith(_ES_AFTER)):
        word = word[:-2]
    elif word.endswith("s") and len(word) > 3 and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ation") and len(word) > 7:
        word = word[:-5] + "at"
    elif word.endswith("ing") and _has_stem(word[:-3]):
        word = _undouble(word[:-3])
    elif word.endswith("ied") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("ed") and _has_stem(word[:-2]) and not word.endswith("eed"):
        word = _undouble(word[:-2])
    if word.endswith("e") and len(word) >= 3:
        word = word[:-1]
    return word


def _has_stem(stem_: str) -> bool:
    # "using" -> "us" but "bring", "thing", "sing", "red" stay whole.
    return len(stem_) >= 2 and _VOWEL_RE.search(stem_) is not None


def _undouble(word: str) -> str:
    if len(word) >= 3 and word[-1] == word[-2] and word[-1] not in "aeiouylsz":
        return word[:-1]
    return word


# ----------------------------------------------------------------------------- numbers

_NUMBER_TOKEN_RE = re.compile(r"(\d+(?:\.\d+)?)([a-z]*)|([a-z]+)|(%)")


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
    text = _prepare(text).lower()
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


# ----------------------------------------------------------------------------- support


@lru_cache(maxsize=2048)
def _profile(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Distinct content tokens and numbers; cached because passages are re-checked."""
    return frozenset(content_tokens(text)), frozenset(numbers(text))


def support_score(claim: str, passage: str) -> float:
    """How well ``passage`` supports ``claim``, in [0, 1] (see the module docstring).

    The fraction of the claim's distinct content tokens found among the passage's,
    capped at ``NUMBER_MISMATCH_CAP`` when a number of the claim is missing from the
    passage. A claim without content tokens scores 1.0 if it has numbers and all are
    in the passage, else 0.0.
    """
    claim_tokens, claim_numbers = _profile(claim)
    passage_tokens, passage_numbers = _profile(passage)
    numbers_ok = claim_numbers <= passage_numbers
    if not claim_tokens:
        return 1.0 if claim_numbers and numbers_ok else 0.0
    score = len(claim_tokens & passage_tokens) / len(claim_tokens)
    if not numbers_ok:
        score = min(score, NUMBER_MISMATCH_CAP)
    return score


def is_supported(claim: str, passage: str, *, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """``support_score(claim, passage) >= threshold``; ``threshold`` must be in [0, 1]."""
    _check_threshold(threshold)
    return support_score(claim, passage) >= threshold


def best_support(
    claim: str, passages: Sequence[str], *, threshold: float = DEFAULT_THRESHOLD
) -> tuple[int | None, float]:
    """The index of the passage that supports ``claim`` best, and its score.

    The index is None when no passage reaches ``threshold`` (the score is still the
    best one seen, 0.0 for no passages); ties go to the earliest passage.
    """
    _check_threshold(threshold)
    best_index: int | None = None
    best_score = 0.0
    for index, passage in enumerate(passages):
        score = support_score(claim, passage)
        if best_index is None or score > best_score:
            best_index, best_score = index, score
    if best_index is None or best_score < threshold:
        return None, best_score
    return best_index, best_score


def _check_threshold(threshold: float) -> None:
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be in [0, 1], got {threshold!r}")


# ------------------------------------------------------------------------------ claims

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})
_SOURCES = r"(?:articles?|sources?|passages?|documents?|context|excerpts?|texts?)"
_HEDGE_RES = tuple(
    re.compile(pattern)
    for pattern in (
        # First person opening the sentence is meta in an answer: "I cannot answer ...",
        # "Unfortunately, I don't know." (quoted speech mid-sentence is not matched).
        r"^(?:[^,]{0,30},\s*)?(?:i|we)\s+(?:cannot|can ?not|can't|could ?not|couldn't"
        r"|am unable|are unable|am not able|do not|don't|did not|didn't|have no"
        r"|was unable|were unable)\b",
        r"^(?:[^,]{0,30},\s*)?i(?:'m| am) (?:sorry|afraid)\b",
        # "The articles don't say.", "The provided sources do not mention the cost."
        _SOURCES + r"\s+(?:\w+\s+){0,2}?(?:do|does|did)\s*(?:not|n't)\s+(?:\w+\s+)?"
        r"(?:say|mention|state|specify|contain|include|provide|address|cover|discuss|give"
        r"|report|indicate|describe|explain|identify|name|reveal|detail|clarify|answer)\b",
        _SOURCES + r"\s+(?:\w+\s+){0,2}?(?:contain|provide|give|offer|include|make|say)s?"
        r"\s+(?:no|nothing)\b",
        r"\b(?:there is|there's|there are)\s+no\s+(?:information|mention|details?|data"
        r"|evidence|indication)\b",
        r"\b(?:not|isn't|aren't|wasn't|weren't)\s+(?:mentioned|specified|stated|provided"
        r"|addressed|covered|discussed|given|available)\b[^.]*?\b" + _SOURCES + r"\b",
        r"\b(?:insufficient|not enough)\s+information\b",
        r"\b(?:cannot|can't|can not)\s+be\s+(?:determined|answered|confirmed|verified)\b",
        r"\bunclear\s+from\s+the\b",
    )
)


def is_claim(sentence: str) -> bool:
    """Whether ``sentence`` states something a passage could support.

    False for questions (ending in "?", markers and closing quotes aside), for
    refusals and hedges about the sources ("I cannot answer this from the provided
    articles.", "The articles don't say.", "There is no information on ..."), and for
    sentences with fewer than two informative units, where a unit is a distinct
    content token or a distinct number ("16 million euros were allocated." has three:
    "euro", "allocat" and 16000000; "Yes." and "The EU." have one).
    """
    text = unicodedata.normalize("NFKC", MARKER_RE.sub(" ", sentence)).strip()
    if text.rstrip(_CLOSERS + " ").endswith("?"):
        return False
    lowered = text.lower().translate(_APOSTROPHES)
    if any(pattern.search(lowered) for pattern in _HEDGE_RES):
        return False
    tokens, nums = _profile(text)
    return len(tokens) + len(nums) >= 2
