"""Which language an item is written in, detected from its own words with lingua.

The detector only chooses among the languages our people read plus the neighbours
that Nordic and Benelux feeds are most often written in, which makes it both faster
and more accurate than choosing among all 75 languages lingua knows.
"""

from functools import cache

from django.utils.translation import gettext_lazy as _
from lingua import Language, LanguageDetectorBuilder

# Code -> name, for item languages. The first five are the interface languages.
CONTENT_LANGUAGES = [
    ("en", _("English")),
    ("sv", _("Swedish")),
    ("nb", _("Norwegian Bokmål")),
    ("da", _("Danish")),
    ("nl", _("Dutch")),
    ("nn", _("Norwegian Nynorsk")),
    ("de", _("German")),
    ("fi", _("Finnish")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
]
CONTENT_LANGUAGE_CODES = frozenset(code for code, _name in CONTENT_LANGUAGES)

_LINGUA = {
    Language.ENGLISH: "en",
    Language.SWEDISH: "sv",
    Language.BOKMAL: "nb",
    Language.DANISH: "da",
    Language.DUTCH: "nl",
    Language.NYNORSK: "nn",
    Language.GERMAN: "de",
    Language.FINNISH: "fi",
    Language.FRENCH: "fr",
    Language.SPANISH: "es",
    Language.PORTUGUESE: "pt",
}

# Below this many letters a guess is mostly noise; the source's language is used instead.
MIN_LETTERS = 12


# From this many letters on, lingua's low-accuracy mode (trigram models only, about 30 MB
# instead of 300) is about as accurate as high accuracy (lingua's own evaluation gives
# 120 characters; tests/content/test_language_detection.py); short titles need the
# full models.
LONG_TEXT_LETTERS = 120


@cache
def _detector(low_accuracy: bool):
    # Models load lazily on first use: about 1 s, and ~300 MB for the high-accuracy ones.
    builder = LanguageDetectorBuilder.from_languages(*_LINGUA)
    return (builder.with_low_accuracy_mode() if low_accuracy else builder).build()


def _letters(text: str) -> int:
    return sum(map(str.isalpha, text))


def detect_language(text: str, fallback: str = "") -> str:
    """The ISO 639-1 code of `text`'s language, or `fallback` when it cannot be told."""
    return detect_languages([text], fallback)[0]


def detect_languages(texts: list[str], fallback: str = "", *, long_only: bool = False) -> list[str]:
    """`detect_language` for many texts at once, spread over the CPU cores by lingua.

    With `long_only`, texts too short for low accuracy are left as "" without loading the
    large models: child processes that parse feeds detect the long texts, and the worker,
    which has the large models once, the short rest.
    """
    letters = [_letters(text) for text in texts]
    codes = [fallback] * len(texts)
    groups = [(True, lambda n: n >= LONG_TEXT_LETTERS)]
    if long_only:
        codes = ["" if n < LONG_TEXT_LETTERS else fallback for n in letters]
    else:
        groups.append((False, lambda n: MIN_LETTERS <= n < LONG_TEXT_LETTERS))
    for low_accuracy, wanted in groups:
        chosen = [i for i, n in enumerate(letters) if wanted(n)]
        if not chosen:
            continue
        found = _detector(low_accuracy).detect_languages_in_parallel_of([texts[i] for i in chosen])
        for i, detected in zip(chosen, found, strict=True):
            if detected is not None:
                codes[i] = _LINGUA[detected]
    return codes
