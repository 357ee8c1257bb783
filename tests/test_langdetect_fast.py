"""newsetl.langdetect_fast: langdetect's detector with cheaper per-character passes and random
trials gives langdetect's own text, n-grams and probabilities, bit for bit."""

from __future__ import annotations

import random

import pytest
from langdetect import DetectorFactory, detect_langs, detector_factory
from langdetect.detector import Detector

from newsetl.langdetect_fast import FastDetector
from newsetl.language import langdetect_probabilities
from newsetl.workers import _WARM_TEXTS

#: letters of many scripts and blocks langdetect normalises (Latin-1, Romanian commas,
#: Arabic, Latin Extended Additional, general punctuation, kana, CJK, Hangul), runs of spaces
#: and capitals
_ALPHABET = [
    chr(c)
    for block in (
        range(32, 127),
        range(0xA0, 0x250),
        range(0x400, 0x450),
        range(0x600, 0x6FF),
        range(0x1E00, 0x1EFF),
        range(0x2000, 0x2070),
        range(0x3040, 0x3100),
        range(0x4E00, 0x4E80),
        range(0xAC00, 0xAC40),
    )
    for c in block
] + ["  ", "   ", "\n", "AB", "ȘȚ", "șț"]


def texts() -> list[str]:
    rng = random.Random(14)
    noise = ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 300))) for _ in range(300)]
    real = list(_WARM_TEXTS.values())
    return [
        *real,
        *noise,
        *(a[:200] + b[:200] for a, b in zip(real * 10, noise, strict=False)),
        "The UNITED NATIONS  said   on Monday http://example.com/x mail@example.com",
        "Xin chào thế giới, Việt Nam",
        "日本語のテキストです。カタカナもある",
        "",
        "  ",
    ]


@pytest.fixture(scope="module")
def factory():
    detector_factory.init_factory()
    DetectorFactory.seed = 0
    return detector_factory._factory


def test_same_text_ngrams_and_probabilities_as_langdetect(factory):
    for text in texts():
        theirs, ours = Detector(factory), FastDetector(factory)
        theirs.append(text)
        ours.append(text)
        assert ours.text == theirs.text
        theirs.cleaning_text()
        ours.cleaning_text()
        assert ours.text == theirs.text
        assert ours._extract_ngrams() == theirs._extract_ngrams()


def test_language_probabilities_are_langdetect_s(factory):
    for text in texts()[:120]:
        try:
            expected = {}
            for item in detect_langs(text):
                code = {"zh-cn": "zh", "zh-tw": "zh", "no": "nb"}.get(item.lang, item.lang)
                expected[code] = expected.get(code, 0.0) + float(item.prob)
        except Exception:  # langdetect's "no features in text"
            expected = {}
        assert langdetect_probabilities(text, 0) == expected


def test_has_letters_is_the_letter_count_against_a_bound():
    """``language.has_letters`` stops at the n-th letter; the same answer as counting them all
    (the identification's 20-letter floor and lingua's 150-letter short-text bound)."""
    from newsetl.language import has_letters

    for text in texts():
        letters = sum(ch.isalpha() for ch in text)
        for n in (-1, 0, 1, 20, 150, letters, letters + 1):
            assert has_letters(text, n) == (letters >= n), (text, n)


def test_detect_langs_ranks_as_langdetect_s(factory):
    """The artefact detector's langdetect call (``newsetl.langdetect_fast.detect_langs``):
    langdetect's ranked languages and probabilities, and its error on a text without
    features, on long real and mixed texts (it is given up to 3,000 characters)."""
    from langdetect.lang_detect_exception import LangDetectException

    from newsetl.langdetect_fast import detect_langs as fast_detect_langs

    real = " ".join(_WARM_TEXTS.values())
    samples = [*texts()[:150], real * 20, (real + texts()[200]) * 8]
    failures = 0
    for text in samples:
        DetectorFactory.seed = 0
        try:
            expected = [(item.lang, item.prob) for item in detect_langs(text)]
        except LangDetectException:
            failures += 1
            with pytest.raises(LangDetectException):
                fast_detect_langs(text)
            continue
        DetectorFactory.seed = 0
        assert [(item.lang, item.prob) for item in fast_detect_langs(text)] == expected
    assert 0 < failures < len(samples)


def test_artefact_text_language_uses_the_fast_detector(monkeypatch):
    """``artefacts.language.detect_language`` asks :func:`detect_langs` (not langdetect's
    slower one), and its answer is the same as with langdetect's."""
    import langdetect

    import newsetl.langdetect_fast as fast
    from newsetl.artefacts import language

    text = " ".join(_WARM_TEXTS.values()) * 10
    calls: list[str] = []
    real = fast.detect_langs
    monkeypatch.setattr(
        fast, "detect_langs", lambda t, seed: calls.append((t, seed)) or real(t, seed)
    )
    ours = language.detect_language(text)
    assert calls == [(text[:3000], 0)]

    def langdetect_s(t: str, seed: int) -> list:
        DetectorFactory.seed = seed
        return langdetect.detect_langs(t)

    monkeypatch.setattr(fast, "detect_langs", langdetect_s)
    assert language.detect_language(text) == ours


def test_each_call_s_seed_whatever_another_thread_sets():
    """langdetect's seed is a class attribute each detector copies when it is made, and the
    identification (a seed per text), the repair and the entity stages (0) each set it: a
    thread setting it between another's seeding and its detector's making changed that
    detector's draws (6 of 400 calls differed before each call seeded its own detector).
    Every call's probabilities are now those of its own seed."""
    import sys
    import threading

    from newsetl.entities.extract import _detect_language
    from newsetl.langdetect_fast import detect_langs as fast_detect_langs

    text = "The council met on Monday at the town hall."
    expected = langdetect_probabilities(text, 7)
    ranked = [(i.lang, i.prob) for i in fast_detect_langs(text, seed=0)]
    DetectorFactory.seed = 0
    assert _detect_language(text) == detect_langs(text)[0].lang == ranked[0][0]
    stop = threading.Event()

    def set_seeds() -> None:
        while not stop.is_set():
            DetectorFactory.seed = 0
            DetectorFactory.seed = 3

    interval = sys.getswitchinterval()
    other = threading.Thread(target=set_seeds)
    sys.setswitchinterval(1e-5)
    other.start()
    try:
        seeded = [langdetect_probabilities(text, 7) for _ in range(400)]
        fast = [[(i.lang, i.prob) for i in fast_detect_langs(text, seed=0)] for _ in range(200)]
    finally:
        stop.set()
        other.join()
        sys.setswitchinterval(interval)
        DetectorFactory.seed = 0
    assert all(p == expected for p in seeded)
    assert all(r == ranked for r in fast)


class _CountingDetector(Detector):
    """langdetect's own detector, counting its convergence checks (201 in a trial that
    reaches the iteration limit: draws 0, 5, ..., 1,000)."""

    checks = 0

    def _normalize_prob(self, prob):
        type(self).checks += 1
        return super()._normalize_prob(prob)


def _trials(cls, factory, text: str, seed: int, **settings) -> list[float] | str:
    """The detector's averaged trial probabilities of ``text`` (all 55, not only those above
    0.1), or the error it raises."""
    detector = cls(factory)
    detector.seed = seed  # the detector's own (the factory's is shared by every caller)
    for name, value in settings.items():
        getattr(detector, name)(value)
    detector.append(text)
    try:
        detector.get_probabilities()
    except Exception as error:  # langdetect's "no features in text", a zero total
        return f"{type(error).__name__}: {error}"
    assert detector.langprob is not None
    return detector.langprob


def test_trials_give_langdetect_s_probabilities_bit_for_bit(factory):
    """The rewritten trials (``FastDetector._detect_block``): every language's averaged
    probability ``==`` langdetect's, on real, random and mixed texts of many scripts, with
    three seeds."""
    compared = 0
    for seed in (0, 1, 20261205):
        for text in texts()[:: 1 if seed == 0 else 3]:
            ours = _trials(FastDetector, factory, text, seed)
            assert ours == _trials(Detector, factory, text, seed), (seed, text)
            compared += not isinstance(ours, str)
    assert compared > 300


def test_trials_edge_cases_are_langdetect_s(factory):
    """No known n-gram (the same error), one n-gram, a text whose trials reach langdetect's
    iteration limit, a prior map, and weights outside the fast trial's premise (langdetect's
    own loop, the draws still in order)."""
    no_features = _trials(FastDetector, factory, "1234 !!! ...", 0)
    assert no_features == _trials(Detector, factory, "1234 !!! ...", 0)
    assert isinstance(no_features, str) and "No features" in no_features

    one = FastDetector(factory)
    one.append("ñ")
    one.cleaning_text()
    assert one._extract_ngrams() == ["ñ"]
    assert _trials(FastDetector, factory, "ñ", 0) == _trials(Detector, factory, "ñ", 0)

    _CountingDetector.checks = 0
    at_limit = _trials(_CountingDetector, factory, "e", 0)
    assert _CountingDetector.checks > 201  # at least one trial ran its 1,001 draws
    assert _trials(FastDetector, factory, "e", 0) == at_limit

    prior = {"en": 0.5, "fr": 0.3, "de": 0.2}
    for text in ["e", "Le monde est grand", "Die Welt ist groß und die Nacht"]:
        ours = _trials(FastDetector, factory, text, 3, set_prior_map=prior)
        assert ours == _trials(Detector, factory, text, 3, set_prior_map=prior)
    for alpha in (-2.0, 0.0, 1e5, 2e6):
        for text in ["e", "Le monde est grand", "日本語のテキストです"]:
            ours = _trials(FastDetector, factory, text, 0, set_alpha=alpha)
            assert ours == _trials(Detector, factory, text, 0, set_alpha=alpha), (alpha, text)


def test_draws_follow_a_random_whose_choice_draws_otherwise(factory):
    """The trials draw as ``self.random.choice`` does: with a ``random.Random`` subclass that
    defines its own ``random()`` (so its ``choice`` draws through ``random()``, not
    ``getrandbits``), the probabilities are still langdetect's with that generator."""

    class FloatDraws(random.Random):
        def random(self) -> float:
            return super().random()

    assert FloatDraws._randbelow is not random.Random._randbelow  # the premise
    for text in [*list(_WARM_TEXTS.values())[:4], "e", "Le monde est grand"]:
        results = []
        for cls in (FastDetector, Detector):
            detector = cls(factory)
            detector.random = FloatDraws()
            detector.append(text)
            detector.get_probabilities()
            results.append(detector.langprob)
        assert results[0] == results[1], text
        assert results[0] != _trials(Detector, factory, text, 0)  # the draws did differ
