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
from functools import lru_cache

from rag.languages import detect_language
from rag.text import (
    CLOSING_PUNCTUATION,
    MARKER_RE,
    NUMBER_WORDS,
    STOP_WORDS,
    Span,
    normalize_for_matching,
    numbers,
    split_sentences,
    word_set,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "MARKER_RE",
    "NUMBER_MISMATCH_CAP",
    "Span",
    "best_support",
    "content_tokens",
    "crosses_language",
    "is_claim",
    "is_supported",
    "numbers",
    "split_sentences",
    "stem",
    "support_score",
]

DEFAULT_THRESHOLD = 0.6
_MIN_JUDGED_LETTERS = 80
NUMBER_MISMATCH_CAP = 0.2
# Across languages, a claim with names but no number, none of them in the passage: it
# keeps the model's own citation (KEEP 0.5) but is never attached to another passage.
CROSS_LINGUAL_UNCHECKED = 0.5

# ------------------------------------------------------------------------------ tokens

# Attribution and meta words: an answer says "according to the article, X said ...";
# the passage just says X. They carry no checkable content.
_ATTRIBUTION_WORDS = word_set(
    """
    according article articles source sources passage passages document documents
    context excerpt excerpts provided mention mentions mentioned report reports reported
    reportedly say says said saying told noted stated
    """
)
_CURRENCY_SYMBOLS = {"€": " euro ", "$": " dollar ", "£": " pound ", "¥": " yen "}
_CANONICAL = {"eur": "euro", "usd": "dollar", "gbp": "pound"}
_STEM_EXCEPTIONS = word_set(
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

_DOTTED_RE = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_POSSESSIVE_RE = re.compile(r"(?<=\w)['\u2019]s\b")
_NEGATION_RE = re.compile(r"\bcannot\b|n['\u2019]t\b")
_SPACED_THOUSANDS_RE = re.compile(r"\b\d{1,3}(?:[ \u00a0\u202f]\d{3})+\b")
_NAME_RE = re.compile(r"[^\W\d_][\w'\u2019-]*")
_TOKEN_RE = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")


def content_tokens(text: str) -> list[str]:
    """The stemmed content words of ``text``, in order, duplicates kept.

    NFKC; citation markers removed; "U.S."/"US"/"United States" become "usa" and
    other dotted acronyms lose their dots ("U.K." -> "uk"); possessive "'s" dropped;
    "n't"/"cannot" become "not"; currency symbols and codes become words ("€", "EUR"
    -> "euro"); lowercase; split on anything that is not a letter or digit. Dropped:
    numerals and number words (``numbers`` compares those by value), single letters,
    stop words and attribution words. Each remaining word goes through ``stem``.
    """
    text = normalize_for_matching(text)
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
        if word in STOP_WORDS or word in _ATTRIBUTION_WORDS or word in NUMBER_WORDS:
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


# ----------------------------------------------------------------------------- support


@lru_cache(maxsize=2048)
def _profile(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Distinct content tokens and numbers; cached because passages are re-checked."""
    return frozenset(content_tokens(text)), frozenset(numbers(text))


def crosses_language(language: str, passage: str) -> bool:
    """Whether a claim in ``language`` ("" = not given) is checked against a passage in another language.

    Passages under ``_MIN_JUDGED_LETTERS`` letters are not judged ("Digital.
    Xenoblade Chronicles 2." reads as Catalan): they count as the claim's language.
    """
    if not language or sum(ch.isalpha() for ch in passage) < _MIN_JUDGED_LETTERS:
        return False
    return detect_language(passage) != language


def support_score(claim: str, passage: str, *, cross_lingual: bool = False) -> float:
    """How well ``passage`` supports ``claim``, in [0, 1] (see the module docstring).

    The fraction of the claim's distinct content tokens found among the passage's,
    capped at ``NUMBER_MISMATCH_CAP`` when a number of the claim is missing from the
    passage. A claim without content tokens scores 1.0 if it has numbers and all are
    in the passage, else 0.0.

    ``cross_lingual``: claim and passage are in different languages, so words cannot
    be compared; only what reads the same in any language is. A claim with numbers
    scores 1.0 when all are in the passage by value ("27 millones" = "27 million"),
    else at most ``NUMBER_MISMATCH_CAP``; one without numbers scores 1.0 when one of
    its names (capitalised words after the first) is in the passage, else
    ``CROSS_LINGUAL_UNCHECKED`` (0.5: names translate, "Polonia" is Poland); one with
    neither is not checkable and scores 1.0. So a correct answer is never refused for
    its language; an invented name in another language is not caught.
    """
    if cross_lingual:
        return _cross_lingual_score(claim, passage)
    claim_tokens, claim_numbers = _profile(claim)
    passage_tokens, passage_numbers = _profile(passage)
    numbers_ok = claim_numbers <= passage_numbers
    if not claim_tokens:
        return 1.0 if claim_numbers and numbers_ok else 0.0
    score = len(claim_tokens & passage_tokens) / len(claim_tokens)
    if not numbers_ok:
        score = min(score, NUMBER_MISMATCH_CAP)
    return score


def _fold(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(ch))


def _names(text: str) -> frozenset[str]:
    words = _NAME_RE.findall(MARKER_RE.sub(" ", text))
    # "Santa-Clara-Brücke": each part of a compound is compared on its own.
    parts = [p for w in words[1:] if w[0].isupper() for p in w.split("-") if p]
    return frozenset(_fold(p) for p in parts if _fold(p) not in STOP_WORDS)


def _cross_lingual_score(claim: str, passage: str) -> float:
    # Numbers read the same in every language ("1 000" is French for 1,000); names may
    # not ("Polonia" is Poland, and German capitalises every noun), so a missing name
    # is no evidence against the claim, while a name found in the passage is for it.
    claim = _SPACED_THOUSANDS_RE.sub(lambda m: "".join(m.group().split()), claim)
    claim_numbers = frozenset(numbers(claim))
    if claim_numbers:
        found = claim_numbers & frozenset(numbers(passage))
        return 1.0 if found == claim_numbers else min(len(found) / len(claim_numbers), NUMBER_MISMATCH_CAP)
    names = _names(claim)
    if not names:
        return 1.0
    passage_words = frozenset(_fold(p) for w in _NAME_RE.findall(passage) for p in w.split("-"))
    return 1.0 if names & passage_words else CROSS_LINGUAL_UNCHECKED


def is_supported(
    claim: str, passage: str, *, threshold: float = DEFAULT_THRESHOLD, cross_lingual: bool = False
) -> bool:
    """``support_score(claim, passage) >= threshold``; ``threshold`` must be in [0, 1]."""
    _check_threshold(threshold)
    return support_score(claim, passage, cross_lingual=cross_lingual) >= threshold


def best_support(
    claim: str, passages: Sequence[str], *, threshold: float = DEFAULT_THRESHOLD, language: str = ""
) -> tuple[int | None, float]:
    """The index of the passage that supports ``claim`` best, and its score.

    The index is None when no passage reaches ``threshold`` (the score is still the
    best one seen, 0.0 for no passages); ties go to the earliest passage.
    """
    _check_threshold(threshold)
    best_index: int | None = None
    best_score = 0.0
    for index, passage in enumerate(passages):
        score = support_score(claim, passage, cross_lingual=crosses_language(language, passage))
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
    if text.rstrip(CLOSING_PUNCTUATION + " ").endswith("?"):
        return False
    lowered = text.lower().translate(_APOSTROPHES)
    if any(pattern.search(lowered) for pattern in _HEDGE_RES):
        return False
    tokens, nums = _profile(text)
    return len(tokens) + len(nums) >= 2
