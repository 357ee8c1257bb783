"""Language identification for whole texts and short candidate spans (lingua, offline).

Why lingua here and not only langdetect: candidate spans are two to six words long, and lingua
is far more accurate than langdetect on word pairs (see /work/shared/benchmarks/EVALUATION.md,
section 2). The detector is restricted to the languages we reason about, which both speeds it
up and removes distractors such as Catalan or Galician for a short Spanish phrase.
"""

from __future__ import annotations

import threading

from . import lexicon

_lock = threading.Lock()
_detector = None
_ISO = {
    "ENGLISH": "en",
    "ITALIAN": "it",
    "FRENCH": "fr",
    "SPANISH": "es",
    "GERMAN": "de",
    "PORTUGUESE": "pt",
}


def _lingua():
    """The shared lingua detector (thread-safe: lingua's Rust core is immutable once built)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                langs = [getattr(Language, name) for name in _ISO]
                _detector = (
                    LanguageDetectorBuilder.from_languages(*langs)
                    .with_preloaded_language_models()
                    .build()
                )
    return _detector


def span_confidences(text: str) -> dict[str, float]:
    """Confidence per supported language that ``text`` is written in it (sums to 1)."""
    values = _lingua().compute_language_confidence_values(text)
    return {_ISO[v.language.name]: v.value for v in values if v.language.name in _ISO}


def detect_language(text: str) -> str | None:
    """Language of a whole text if it is a supported one, else None.

    langdetect (55 languages) decides whether the text is in a supported language at all:
    a detector restricted to our six languages would call an Indonesian article "English".
    When langdetect is unsure (short texts, or exactly the mixed texts this package is
    about: English with an Italian phrase), each word votes for the supported language in
    which it is most frequent, so a few foreign words cannot outvote the rest.
    """
    sample = text[:3000]
    if len(sample.strip()) < 3:
        return None
    from langdetect import DetectorFactory, LangDetectException, detect_langs

    with _lock:  # langdetect's factory seeding is global state
        DetectorFactory.seed = 0
        try:
            ranked = detect_langs(sample)
        except LangDetectException:
            ranked = []
    supported = set(_ISO.values())
    if ranked and ranked[0].prob >= 0.8:
        return ranked[0].lang if ranked[0].lang in supported else None
    votes = _word_votes(sample)
    if not votes:
        return None
    lang, count = max(votes.items(), key=lambda kv: kv[1])
    return lang if count >= 0.5 * sum(votes.values()) else None


def _word_votes(text: str) -> dict[str, int]:
    """For each word, the supported language in which it is most frequent (if common)."""
    import re

    votes: dict[str, int] = {}
    for word in re.findall(r"[^\W\d_]{2,}", text.lower()):
        prof = lexicon.profile(word)
        lang = max(prof, key=prof.__getitem__)
        if prof[lang] >= 3.0:
            votes[lang] = votes.get(lang, 0) + 1
    return votes


def normalise_code(code: str | None) -> str | None:
    """'en-GB' / 'EN' / 'en_US' -> 'en'; None for empty or unsupported codes."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in lexicon.LANGUAGES else None


def warm_up() -> None:
    """Load the lingua models now instead of on the first article."""
    _lingua()
