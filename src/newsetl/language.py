"""Language identification: langdetect on the text, plus the page's declared language.

langdetect is probabilistic; with a fixed seed it is deterministic, so the same text always
gets the same label (a re-run must not flip rows). The page's own declaration (``<html lang>``,
``og:locale``, Content-Language) is a second, independent signal: the two disagreeing is
itself informative (a machine-translated page often keeps its original declaration).
"""

from __future__ import annotations

import threading

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

#: Characters of text used for detection: plenty for a confident label, bounded cost.
SAMPLE_CHARS = 2000
_init_lock = threading.Lock()
_initialised = False


def _ensure_seeded(seed: int) -> None:
    global _initialised
    if _initialised and DetectorFactory.seed == seed:
        return
    with _init_lock:
        DetectorFactory.seed = seed  # a warm worker may have been seeded with the default
        if not _initialised:
            detect_langs("warm up the profiles once, not in every thread")
            _initialised = True


def normalise_language_tag(tag: str | None) -> str | None:
    """'en-GB' / 'it_IT' / 'zh-cn' -> 'en' / 'it' / 'zh'; None for empty or 'x-default'."""
    if not tag:
        return None
    tag = tag.strip().replace("_", "-").lower()
    if not tag or tag.startswith("x-") or tag in {"und", "mul", "zxx"}:
        return None
    primary = tag.split("-", 1)[0]
    return primary if 2 <= len(primary) <= 3 and primary.isalpha() else None


def detect_language(text: str, seed: int = 0) -> tuple[str | None, float | None]:
    """Most likely language of ``text`` and its probability; (None, None) when undecidable."""
    sample = (text or "")[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < 20:
        return None, None
    _ensure_seeded(seed)
    try:
        ranked = detect_langs(sample)
    except LangDetectException:
        return None, None
    if not ranked:
        return None, None
    best = ranked[0]
    return normalise_language_tag(best.lang), round(float(best.prob), 4)
