"""Language identification: langdetect and lingua on the text, plus the page's declared language.

Why two detectors: langdetect samples character n-grams at random (seeded here, so the same
text always gets the same label) and reports probabilities that are almost always 0.9999, so
its number says nothing; lingua scores the whole text against every language's n-gram models
and is much better on short texts (word pairs: 88.95 % against 81.56 %, EVALUATION.md section 2).
Their opinions are mixed (:func:`combine`) and the winner's mixed probability, with the
two detectors' agreement, is mapped to a **calibrated** probability that the label is right
(:mod:`newsetl.language_calibration`, fitted by ``benchmarks/metadata/language_calibration.py``
on lingua's test sentences and word pairs, measured on a held-out half). The runner-up comes
with it: the language the evidence would pick next.

The page's own declaration (``<html lang>``, ``og:locale``, Content-Language) is a separate,
independent signal, kept in its own columns: the two disagreeing is itself informative (a
machine-translated page often keeps its original declaration). It decides only when the text
is too short to say anything (``language_source = 'declared'``).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from langdetect import DetectorFactory, detect_langs, detector_factory
from langdetect.lang_detect_exception import LangDetectException

from newsetl import language_calibration as calibration
from newsetl.langdetect_fast import FastDetector, seeded
from newsetl.langdetect_profiles import load_factory

#: Characters of text given to langdetect: plenty for a confident label, bounded cost (its
#: time grows with the text: 2000 characters cost ~2 ms more per article than 1000, measured
#: by ``benchmarks/metadata/language_calibration.py speed``).
SAMPLE_CHARS = 1000
#: Characters given to lingua: its cost grows with the text (~3 ms at 300, ~4.5 ms at 600 on
#: the same articles), and past a few hundred characters the detectors agree on practically
#: every article; the calibration data (sentences, word pairs) is shorter still.
LINGUA_CHARS = 300
#: Fewer letters than this and the text says nothing about its language.
MIN_LETTERS = 20
_init_lock = threading.Lock()
_initialised = False
_lingua_detector = None
#: langdetect's codes that name languages lingua calls otherwise
_LANGDETECT_CODES = {"zh-cn": "zh", "zh-tw": "zh", "no": "nb"}


@dataclass(frozen=True)
class LanguageGuess:
    """What the evidence says about a text's language."""

    language: str | None
    confidence: float | None  # calibrated probability that ``language`` is right
    runner_up: str | None = None
    runner_up_confidence: float | None = None
    #: which signal decided: langdetect+lingua (both agree) | langdetect | lingua | declared
    source: str | None = None


UNKNOWN = LanguageGuess(None, None)


def _ensure_seeded(seed: int) -> None:
    global _initialised
    if _initialised and DetectorFactory.seed == seed:
        return
    with _init_lock:
        DetectorFactory.seed = seed  # a warm worker may have been seeded with the default
        if not _initialised:
            load_factory()  # langdetect's profiles from the disk cache
            detect_langs("warm up the profiles once, not in every thread")
            _initialised = True


def _lingua():
    """One lingua detector over all its languages, models loaded lazily per language (a
    Latin-script text never loads the Cyrillic or CJK models)."""
    global _lingua_detector
    if _lingua_detector is None:
        with _init_lock:
            if _lingua_detector is None:
                from lingua import LanguageDetectorBuilder

                _lingua_detector = LanguageDetectorBuilder.from_all_languages().build()
    return _lingua_detector


def normalise_language_tag(tag: str | None) -> str | None:
    """'en-GB' / 'it_IT' / 'zh-cn' -> 'en' / 'it' / 'zh'; None for empty or 'x-default'."""
    if not tag:
        return None
    tag = tag.strip().replace("_", "-").lower()
    if not tag or tag.startswith("x-") or tag in {"und", "mul", "zxx"}:
        return None
    primary = tag.split("-", 1)[0]
    return primary if 2 <= len(primary) <= 3 and primary.isalpha() else None


def langdetect_probabilities(text: str, seed: int = 0) -> dict[str, float]:
    """langdetect's probabilities (languages above its 0.1 floor), codes as lingua's."""
    _ensure_seeded(seed)
    try:
        load_factory()
        detector_factory.init_factory()
        # what detect_langs creates, seeded by this call (not by the shared class attribute)
        detector = seeded(FastDetector(detector_factory._factory), seed)
        detector.append(text)
        ranked = detector.get_probabilities()
    except LangDetectException:
        return {}
    out: dict[str, float] = {}
    for item in ranked:
        code = _LANGDETECT_CODES.get(item.lang, item.lang)
        out[code] = out.get(code, 0.0) + float(item.prob)
    return out


def release_langdetect() -> None:
    """Let go of langdetect's profiles (~60 MB of Python objects; loaded again by the next
    :func:`langdetect_probabilities`, same probabilities). Why: the process that identifies
    the run's short texts (:mod:`newsetl.language_job`) is done with langdetect before
    lingua loads its short-text models, so its peak need not hold both."""
    global _initialised
    with _init_lock:
        detector_factory._factory = None
        _initialised = False


def lingua_probabilities(text: str) -> dict[str, float]:
    """lingua's confidence values (sum to 1 over its 75 languages; zeros left out)."""
    values = _lingua().compute_language_confidence_values(text)
    return {v.language.iso_code_639_1.name.lower(): float(v.value) for v in values if v.value > 0}


def combine(ld: dict[str, float], li: dict[str, float], length: int) -> dict[str, float]:
    """Mix the two detectors' opinions into one distribution (a weighted product of experts).

    score(l) = w * log(ld(l) + eps) + log(li(l)), with langdetect's term fixed at
    :data:`calibration.UNKNOWN_TO_LANGDETECT` for the languages it does not know (it cannot
    vote for them), and its weight ``w`` growing with the text up to
    :data:`calibration.FULL_WEIGHT_CHARS` (its random n-gram sampling needs text to work on).
    Why a product and not an average: langdetect's probabilities sit at 0.9999 even when it is
    wrong, and an average lets that swamp lingua on exactly the short texts where lingua is
    right; in log space its certainty counts as a bounded vote.
    """
    if not ld and not li:
        return {}
    known = calibration.LANGDETECT_LANGUAGES
    weight = calibration.LANGDETECT_WEIGHT * min(1.0, length / calibration.FULL_WEIGHT_CHARS)
    eps = calibration.LANGDETECT_EPS
    scores = {}
    for lang in set(li) | set(ld):
        vote = ld.get(lang, 0.0) if lang in known else calibration.UNKNOWN_TO_LANGDETECT
        if not ld:
            vote = 1.0
        scores[lang] = weight * math.log(vote + eps) + math.log(li.get(lang, 0.0) + 1e-6)
    top = max(scores.values())
    exp = {lang: math.exp(v - top) for lang, v in scores.items()}
    total = sum(exp.values())
    return {lang: v / total for lang, v in exp.items()}


def features(
    ld: dict[str, float], li: dict[str, float], length: int
) -> tuple[str | None, str | None, list]:
    """(winner, runner-up, feature vector) for the calibration model."""
    mixed = combine(ld, li, length)
    if not mixed:
        return None, None, []
    ranked = sorted(mixed.items(), key=lambda kv: (-kv[1], kv[0]))
    top, p1 = ranked[0]
    second, p2 = ranked[1] if len(ranked) > 1 else (None, 0.0)
    ld_top = max(ld, key=ld.__getitem__) if ld else None
    li_top = max(li, key=li.__getitem__) if li else None
    vector = [
        _logit(p1),
        _logit(p2) if second else -10.0,
        1.0 if ld_top == li_top else 0.0,
        _logit(li.get(top, 0.0)),
        _logit(ld.get(top, 0.0)) if top in calibration.LANGDETECT_LANGUAGES else 0.0,
    ]
    return top, second, vector


def calibrated(vector: list[float], length: int) -> float:
    """P(label right) from the feature vector and the text length (logistic model)."""
    x = [*vector, math.log1p(length)]
    z = calibration.INTERCEPT + sum(c * v for c, v in zip(calibration.COEFFICIENTS, x, strict=True))
    return min(calibration.CONFIDENCE_CAP, 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


#: Letters (of lingua's sample) below which a text counts as short for lingua: it scores a
#: text of fewer than 120 letters with its uni- to five-gram models of every candidate
#: language (840 MB and ~10 s of CPU to load for the Latin-script ones), a longer one with
#: trigrams only. Counted here with ``str.isalpha`` and a margin, so a text lingua finds
#: short is always short here.
SHORT_TEXT_LETTERS = 150


def uses_short_text_models(text: str) -> bool:
    """Whether :func:`identify_language` of ``text`` may make lingua load its short-text
    models. Why ask: a process pool leaves those texts to one process (see
    :func:`newsetl.pipeline.extract_and_identify`) so that each worker does not load them."""
    sample = (text or "")[:SAMPLE_CHARS]
    if not has_letters(sample, MIN_LETTERS):
        return False  # decided without lingua
    return not has_letters(sample[:LINGUA_CHARS], SHORT_TEXT_LETTERS)


def has_letters(text: str, n: int) -> bool:
    """``sum(ch.isalpha() for ch in text) >= n``, reading only as far as the ``n``-th letter:
    why: each page's sample (1,000 characters) was counted three times in full to learn
    that it has 20 letters, or 150 of its first 300."""
    if n <= 0:
        return True
    for ch in text:
        if ch.isalpha():
            n -= 1
            if not n:
                return True
    return False


def identify_language(text: str, declared: str | None = None, seed: int = 0) -> LanguageGuess:
    """The language of ``text`` with a calibrated confidence and the runner-up.

    ``declared`` (already normalised) decides only when the text is too short to say
    anything; its confidence is then unknown (None), not invented.
    """
    sample = language_sample(text)
    if sample is None:
        return guess_from(sample, declared, {}, {})
    return guess_from(
        sample,
        declared,
        langdetect_probabilities(sample, seed),
        lingua_probabilities(sample[:LINGUA_CHARS]),
    )


def language_sample(text: str) -> str | None:
    """The part of ``text`` the detectors read; None when it has too few letters to say
    anything (then neither detector is asked)."""
    sample = (text or "")[:SAMPLE_CHARS]
    return sample if has_letters(sample, MIN_LETTERS) else None


def guess_from(
    sample: str | None, declared: str | None, ld: dict[str, float], li: dict[str, float]
) -> LanguageGuess:
    """:func:`identify_language`'s guess from its sample (:func:`language_sample`) and the two
    detectors' opinions of it: ``ld`` = :func:`langdetect_probabilities` of the sample,
    ``li`` = :func:`lingua_probabilities` of its first :data:`LINGUA_CHARS` characters.

    Why apart: :mod:`newsetl.language_job` asks langdetect about every text first and lets
    its profiles go before lingua loads its short-text models, so the two are never held at
    once (benchmarks/README.md "Round 12 (id12)"); the guess is this same function of the
    same opinions."""
    if sample is None:
        return LanguageGuess(declared, None, source="declared") if declared else UNKNOWN
    top, second, vector = features(ld, li, len(sample))
    if top is None:
        return LanguageGuess(declared, None, source="declared") if declared else UNKNOWN
    confidence = calibrated(vector, len(sample))
    mixed = combine(ld, li, len(sample))
    p1, p2 = mixed[top], mixed.get(second, 0.0) if second else 0.0
    # the runner-up's share of the doubt: (1 - confidence) split as the mixed scores are
    runner = (1 - confidence) * (p2 / max(1e-9, 1 - p1)) if second else None
    ld_top = max(ld, key=ld.__getitem__) if ld else None
    li_top = max(li, key=li.__getitem__) if li else None
    source = (
        "langdetect+lingua"
        if ld_top == li_top == top
        else "langdetect"
        if ld_top == top
        else "lingua"
    )
    return LanguageGuess(
        normalise_language_tag(top),
        round(confidence, 4),
        normalise_language_tag(second) if second else None,
        round(min(runner, 1 - confidence), 4) if runner is not None else None,
        source,
    )


def detect_language(text: str, seed: int = 0) -> tuple[str | None, float | None]:
    """Most likely language of ``text`` and its calibrated probability; (None, None) when
    undecidable. (The label and confidence of :func:`identify_language`.)"""
    guess = identify_language(text, None, seed)
    return guess.language, guess.confidence
