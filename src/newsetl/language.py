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
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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
_lingua_trigram_detector = None
_lingua_by_code: dict[str, Any] | None = None
_lingua_subsets: dict[frozenset[str], Any] = {}
#: How many of the languages lingua's trigram models rank highest a short text is scored
#: against with its high-accuracy models, besides langdetect's
#: (:func:`short_text_probabilities`).
#: Chosen on the dev half of lingua's test data (every text, also those of under
#: :data:`MIN_LETTERS` letters the pipeline decides without the detectors): word pairs 88.57 /
#: 88.64 / 88.71 / 88.76 % with 8 / 10 / 12 / 16 against 88.80 % over every language, ~6 / 7 /
#: 8 / 10 languages loaded against ~29; sentences within 0.03 points from 8 on.
SHORT_TEXT_CANDIDATES = 12
#: Of those, beyond the two likeliest, only the languages whose trigram score is at least
#: this share of the likeliest one's. Why: a text the trigrams read with near certainty
#: (runner-ups at 1e-28 and less) is read the same by the short-text models over its two
#: likeliest languages as over twelve. Chosen on the dev half of lingua's test data: sentences
#: 95.00 % and word pairs 88.71 %, as with no floor (1e-20 and 1e-6 too, but the confidences
#: moved more at 1e-6). On the held-out half: the same accuracy as without it, ~4.1 languages'
#: models a short text against ~8.2 (benchmarks/README.md "Round 31").
SHORT_TEXT_RATIO = 1e-12
#: Significant digits of the trigram scores that rank the candidates (:func:`_leading_digits`).
RANK_DIGITS = 9
#: langdetect's codes that name languages lingua calls otherwise
_LANGDETECT_CODES = {"zh-cn": "zh", "zh-tw": "zh", "no": "nb"}
#: A short text's trigram scores over every language, and the languages it is scored against
#: with the short-text models (:func:`short_text_reading`).
ShortTextReading = tuple[dict[str, float], frozenset[str]]


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


def lingua_probabilities(
    text: str, also: Iterable[str] = (), reading: ShortTextReading | None = None
) -> dict[str, float]:
    """lingua's confidence values (sum to 1 over its 75 languages; zeros left out); for a short
    text, over its likeliest candidates (:func:`short_text_probabilities`; ``also``: languages
    another detector named, langdetect's in :func:`identify_language`; ``reading``: the text's
    :func:`short_text_reading` when the caller has it)."""
    if not has_letters(text, SHORT_TEXT_LETTERS):
        return short_text_probabilities(text, also, reading)
    return _confidences(_lingua(), text)


def _confidences(detector, text: str) -> dict[str, float]:
    values = detector.compute_language_confidence_values(_encodable(text))
    return {v.language.iso_code_639_1.name.lower(): float(v.value) for v in values if v.value > 0}


#: A lone surrogate (a str decoded with ``errors="surrogateescape"``, or half of a pair).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(text: str) -> str:
    """``text`` as lingua can read it: lingua hands the text to its Rust core as UTF-8, and a
    lone surrogate, which UTF-8 cannot encode, raised UnicodeEncodeError out of
    :func:`identify_language`. Each becomes U+FFFD (a symbol, no letter: no language's
    evidence); a valid text is returned as it is, so its scores are unchanged."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def short_text_probabilities(
    text: str, also: Iterable[str] = (), reading: ShortTextReading | None = None
) -> dict[str, float]:
    """lingua's high-accuracy confidences of a short text over its likeliest languages: of the
    :data:`SHORT_TEXT_CANDIDATES` its trigram models rank highest, the first two and those
    within :data:`SHORT_TEXT_RATIO` of the first; and ``also``.

    Why not over all its languages: for a text of up to ~120 letters lingua scores every
    candidate language (every Latin-script one for a Latin text, ~30 on lingua's test
    sentences) with its uni- to five-gram models, ~26 MB and ~0.1-0.2 s of CPU to load per
    language: ~4-10 s and 0.9-1.0 GB for one short text, what a run with a single short page
    paid (a 200-page run went from ×1.35 to ×2.1-2.4 of trafilatura alone). Asked about fewer
    languages, lingua gives each the same score and normalises over those only (checked
    equal to six decimals), so the candidates keep their order and the guess is the same
    unless the true language is outside them. On the held-out half of lingua's test
    sentences and word pairs (``benchmarks/metadata/language_calibration.py``), texts of
    :data:`MIN_LETTERS` letters or more (those the pipeline asks the detectors about):
    accuracy 95.27 % on sentences and 90.05 % on word pairs, as over every language; ~4
    languages' models loaded for a short text instead of ~29 (benchmarks/README.md "Round 30",
    "Round 31").

    A text lingua reads as long (over ~120 letters by its own count: it then uses trigrams
    only) gets the trigram models' scores over all languages, which are that reading's
    (the restricted detector's scores are recognised as the same, normalised over fewer)."""
    trigram, chosen = reading or short_text_reading(text, also)
    if len(chosen) < 2:  # lingua needs two: its trigrams say nothing of the text, and
        return trigram  # every language's short-text models (0.9 GB) are not worth it
    values = _confidences(_lingua_among(chosen), text)
    return trigram if _same_scores(values, trigram) else values


def short_text_candidates(
    text: str, also: Iterable[str] = (), reading: ShortTextReading | None = None
) -> frozenset[str]:
    """The languages :func:`lingua_probabilities` of ``text`` loads short-text models for
    (none for a text it reads with trigrams over every language)."""
    if has_letters(text, SHORT_TEXT_LETTERS):
        return frozenset()
    chosen = (reading or short_text_reading(text, also))[1]
    return chosen if len(chosen) >= 2 else frozenset()


def short_text_reading(text: str, also: Iterable[str] = ()) -> ShortTextReading:
    """(lingua's trigram scores of ``text`` over every language, the languages it is scored
    against with the short-text models: of the :data:`SHORT_TEXT_CANDIDATES` likeliest, the
    first two and those within :data:`SHORT_TEXT_RATIO` of the first; and ``also``)."""
    trigram = _confidences(_lingua_trigrams(), text)
    score = {code: _leading_digits(value) for code, value in trigram.items()}
    ranked = sorted(score, key=lambda code: (-score[code], code))[:SHORT_TEXT_CANDIDATES]
    if ranked:  # the two likeliest, and the others within SHORT_TEXT_RATIO of the first
        floor = score[ranked[0]] * SHORT_TEXT_RATIO
        ranked = ranked[:2] + [code for code in ranked[2:] if score[code] >= floor]
    known = _lingua_languages()
    return trigram, frozenset(code for code in (*ranked, *also) if code in known)


def _leading_digits(value: float) -> float:
    """``value`` to :data:`RANK_DIGITS` significant digits. Why: lingua's sums come in varying
    order, and their last digits must not pick a candidate; why not to a number of decimals:
    a short text's runner-up languages score 1e-28 to 1e-40 against the top one's ~1, and
    rounded to 12 decimals they all tied at 0 and were taken in alphabetical order (``af``,
    ``az``, ``bs``, ... for a German text, instead of ``la``, ``nn``, ``sv``)."""
    return float(f"{value:.{RANK_DIGITS}g}")


def unload_short_text_models(codes: Iterable[str] | None = None) -> None:
    """Let go of the models :func:`short_text_probabilities` loaded (their languages' trigram
    models too: loaded again, ~5 ms a language, when a text needs them); ``codes``: of those
    languages only. Only in a process that was not forked from one whose lingua had started
    its Rust thread pool (a fork of the pool's fork server waits forever here):
    :mod:`newsetl.language_job`'s plain interpreter, or the run's process.

    Why a detector of their own for ``codes``: lingua keeps one copy of a language's models
    per process, shared by every detector; a detector over exactly those languages lets them
    go, and any other detector that needs them again loads them again."""
    if codes is None:
        for detector in _lingua_subsets.values():
            detector.unload_language_models()
        return
    known = set(codes) & _lingua_languages().keys()
    if known:
        _detector_over(known).unload_language_models()


def _same_scores(values: dict[str, float], trigram: dict[str, float]) -> bool:
    """Whether ``values`` are ``trigram``'s scores normalised over fewer languages (lingua
    read the text as long); equal to rounding (its sums run in another order)."""
    total = sum(trigram.get(code, 0.0) for code in values)
    if total <= 0:
        return False
    return all(
        math.isclose(value, trigram.get(code, 0.0) / total, rel_tol=1e-9, abs_tol=1e-300)
        for code, value in values.items()
    )


def _lingua_languages() -> dict[str, Any]:
    """lingua's languages by ISO 639-1 code."""
    global _lingua_by_code
    if _lingua_by_code is None:
        from lingua import Language

        _lingua_by_code = {lang.iso_code_639_1.name.lower(): lang for lang in Language.all()}
    return _lingua_by_code


def _lingua_trigrams():
    """lingua over all its languages in low-accuracy mode (trigram models only, shared with
    :func:`_lingua`'s reading of long texts: lingua keeps each model once per process)."""
    global _lingua_trigram_detector
    if _lingua_trigram_detector is None:
        with _init_lock:
            if _lingua_trigram_detector is None:
                from lingua import LanguageDetectorBuilder

                _lingua_trigram_detector = (
                    LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()
                )
    return _lingua_trigram_detector


def _lingua_among(codes: frozenset[str]):
    """lingua over ``codes`` only (high accuracy, models loaded lazily), one per set."""
    detector = _lingua_subsets.get(codes)
    if detector is None:
        detector = _detector_over(codes)
        if len(_lingua_subsets) < 1024:
            _lingua_subsets[codes] = detector
    return detector


def _detector_over(codes: Iterable[str]):
    """A new lingua detector over ``codes`` (known languages), high accuracy, lazy models."""
    from lingua import LanguageDetectorBuilder

    by_code = _lingua_languages()
    return LanguageDetectorBuilder.from_languages(
        *(by_code[code] for code in sorted(codes))
    ).build()


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
#: text of up to ~120 letters with its uni- to five-gram models of the candidate languages
#: (:func:`short_text_probabilities`), a longer one with trigrams only. Counted here with
#: ``str.isalpha`` and a margin, so a text lingua finds short is always short here.
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
    ld = langdetect_probabilities(sample, seed)
    return guess_from(sample, declared, ld, lingua_probabilities(sample[:LINGUA_CHARS], ld))


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
