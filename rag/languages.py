"""Which language a question or a passage is written in.

Detection is langdetect's (a port of Google's language-detection library, Nakatani
2010: character n-gram profiles of 55 languages, shipped inside the package, so it
runs offline). Its results are made deterministic (fixed seed) and conservative:
anything short, unclear or undetectable counts as English, the language the rest of
the pipeline is tuned for, so an English question never changes path by accident.

What it deliberately does not do: translate (the chat model does that, see
``rag.prompting.TRANSLATE_PROMPT``) or tokenise.
"""

from __future__ import annotations

import threading
from functools import lru_cache

__all__ = ["ENGLISH", "UNSPACED", "detect_language", "language_name"]

ENGLISH = "en"
# Languages written without spaces between words (langdetect's codes, before any "-"):
# a constraint that counts words by spaces must not apply to them.
UNSPACED = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo"})
# Below this detection probability, or this many letters, a text counts as English.
_MIN_PROBABILITY = 0.9
_MIN_LETTERS = 12

_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "sv": "Swedish", "da": "Danish",
    "no": "Norwegian", "fi": "Finnish", "cs": "Czech", "ro": "Romanian", "hu": "Hungarian",
    "el": "Greek", "uk": "Ukrainian", "ru": "Russian", "tr": "Turkish", "ca": "Catalan",
}  # fmt: skip
_lock = threading.Lock()  # langdetect's factory is a module-level singleton


@lru_cache(maxsize=4096)
def detect_language(text: str) -> str:
    """The ISO 639-1 code of ``text``'s language ("en", "es", ...); "en" when unsure."""
    if sum(ch.isalpha() for ch in text) < _MIN_LETTERS:
        return ENGLISH
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    with _lock:
        DetectorFactory.seed = 0
        try:
            best = detect_langs(text)[0]
        except LangDetectException:
            return ENGLISH
    lang = str(best.lang).split("-")[0]
    return lang if best.prob >= _MIN_PROBABILITY else ENGLISH


def language_name(code: str) -> str:
    """The English name of a language code ("es" -> "Spanish"); the code itself if unknown."""
    return _NAMES.get(code, code)
