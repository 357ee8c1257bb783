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
#: lingua's language names for the evidence languages (wordfreq's "sh" is Croatian here).
_LINGUA_NAMES = {
    "en": "ENGLISH",
    "it": "ITALIAN",
    "fr": "FRENCH",
    "es": "SPANISH",
    "de": "GERMAN",
    "pt": "PORTUGUESE",
    "nl": "DUTCH",
    "pl": "POLISH",
    "sv": "SWEDISH",
    "da": "DANISH",
    "nb": "BOKMAL",
    "fi": "FINNISH",
    "cs": "CZECH",
    "sk": "SLOVAK",
    "sl": "SLOVENE",
    "sh": "CROATIAN",
    "ro": "ROMANIAN",
    "hu": "HUNGARIAN",
    "lt": "LITHUANIAN",
    "lv": "LATVIAN",
    "ca": "CATALAN",
    "tr": "TURKISH",
    "is": "ICELANDIC",
}
_ISO = {name: code for code, name in _LINGUA_NAMES.items()}
#: Codes other tools give for languages wordfreq files under another code.
_ALIASES = {"no": "nb", "hr": "sh", "bs": "sh", "sr": "sh"}  # not Nynorsk: its own language


def _lingua():
    """The shared lingua detector over the main languages (thread-safe: lingua's Rust core
    is immutable once built)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                langs = [getattr(Language, _LINGUA_NAMES[c]) for c in lexicon.LANGUAGES]
                _detector = (
                    LanguageDetectorBuilder.from_languages(*langs)
                    .with_preloaded_language_models()
                    .build()
                )
    return _detector


_detectors: dict[frozenset[str], object] = {}


def _detector_for(languages: frozenset[str]):
    """A lingua detector restricted to ``languages`` (built once per set), in lingua's
    low-accuracy mode (trigram models only).

    Why low accuracy: a set that includes a language beyond the six main ones comes from
    one candidate span, and the high-accuracy models cost 25-50 MB and ~0.3 s to load per
    language (about 700 MB for all 23, in every worker process); the trigram models of all
    23 take ~40 MB. The main languages keep their preloaded high-accuracy detector.
    """
    detector = _detectors.get(languages)
    if detector is None:
        from lingua import Language, LanguageDetectorBuilder

        with _lock:
            detector = _detectors.get(languages)
            if detector is None:
                langs = [getattr(Language, _LINGUA_NAMES[c]) for c in sorted(languages)]
                detector = (
                    LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()
                )
                if len(_detectors) < 4096:
                    _detectors[languages] = detector
    return detector


def span_confidences(text: str, languages: tuple[str, ...] | None = None) -> dict[str, float]:
    """Confidence per language that ``text`` is written in it (sums to 1).

    Over the main languages by default, or over ``languages`` (at least two of the evidence
    languages): asking lingua only about the text language and the span's candidate
    languages is both faster and sharper than asking about all 23.
    """
    if languages is None:
        detector = _lingua()
    else:
        chosen = frozenset(lang for lang in languages if lang in _LINGUA_NAMES)
        if len(chosen) < 2:
            return {}
        detector = _lingua() if chosen <= _MAIN else _detector_for(chosen)
    values = detector.compute_language_confidence_values(text)
    out = {_ISO[v.language.name]: v.value for v in values if v.language.name in _ISO}
    if languages is not None:
        out = {k: v for k, v in out.items() if k in languages}
        total = sum(out.values())
        if total > 0:
            out = {k: v / total for k, v in out.items()}
    return out


_MAIN = frozenset(lexicon.LANGUAGES)


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
    from langdetect import LangDetectException

    from newsetl.langdetect_fast import detect_langs  # langdetect's answers, less Python

    try:
        ranked = detect_langs(sample, seed=0)  # its own seed, not langdetect's shared one
    except LangDetectException:
        ranked = []
    supported = set(lexicon.EVIDENCE_LANGUAGES)
    if ranked and ranked[0].prob >= 0.8:
        code = _ALIASES.get(ranked[0].lang, ranked[0].lang)
        return code if code in supported else None
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
    base = _ALIASES.get(base, base)
    return base if base in lexicon.EVIDENCE_LANGUAGES else None


def warm_up() -> None:
    """Load the lingua models now instead of on the first article."""
    _lingua()
