"""langdetect's detector with its per-character passes and its random trials made cheaper, same
results bit for bit.

Why: langdetect (pure Python) reads its 1,000-character sample three times before its random
trials: ``append`` copies it character by character, ``cleaning_text`` classifies every character
(Latin or not) and ``_extract_ngrams`` normalises every character through ``NGram.normalize`` (a
binary search of Unicode blocks) and ``NGram.add_char`` (a method call), ~0.8 ms of its ~2.2 ms per
Zyte article. Both are pure functions of the text: the counts here come from
``collections.Counter`` (C) over the distinct characters, and the n-grams from the same state
machine written as one loop, with each character's normalised form memoised.

The random trials (over half of what was left, ~1.0 of ~1.8 ms a Zyte sample) are written again
too, with the same floating-point operations in the same order: langdetect multiplies its 55
probabilities by ``weight + p(n-gram, language)`` one drawn n-gram at a time (a Python loop of 55
per draw) and normalises every fifth draw (``sum``, a loop of divisions, a loop for the maximum).
Here the five updates between two checks are one list comprehension whose element is ``p * (w + a)
* (w + b) * ...`` (Python evaluates it left to right: the same products as five passes), and the
division of one check is folded into the next pass (``p / s * (w + a) ...``): the check needs only
``max(prob) / s``, which is the maximum of the divided values because a correctly rounded division
by the same positive ``s`` keeps the order. The draws (``gauss`` per trial, ``choice`` per step) do
not depend on the probabilities, so they are made in langdetect's order from the same
``random.Random``. Why not numpy: its import costs 0.17-0.23 s of CPU and ~25 MB
(``benchmarks/README.md``, "Round 13 (ld13)"), more than the trials' whole cost over the 181 Zyte
pages, and 55-element arrays leave numpy's per-call cost dominant.

The probabilities are bit for bit langdetect's (``tests/test_langdetect_fast.py`` compares the
text, n-grams and every trial's probabilities with langdetect's, ``==``, on generated texts
and edge cases; ``benchmarks/pipeline/ld13_same.py`` on the Zyte pages and the langid
test data of many languages).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from functools import partial

from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram
from langdetect.utils.unicode_block import unicode_block

#: character -> ``NGram.normalize(character)``; bounded (one entry per distinct character)
_NORMALISED: dict[str, str] = {}
_MAX_NORMALISED = 50_000
_SPACES = re.compile(" {2,}")
#: the draw ``random.Random.choice`` makes (see :meth:`FastDetector._drawing`)
_RANDBELOW_WITH_GETRANDBITS = getattr(random.Random, "_randbelow_with_getrandbits", None)


def _normalised(ch: str) -> str:
    found = _NORMALISED.get(ch)
    if found is None:
        found = NGram.normalize(ch)
        if len(_NORMALISED) < _MAX_NORMALISED:
            _NORMALISED[ch] = found
    return found


class FastDetector(Detector):
    """``langdetect.detector.Detector`` with :meth:`cleaning_text`, :meth:`_extract_ngrams`
    and :meth:`_detect_block` computing the same values with less Python per character and
    per drawn n-gram."""

    #: ``ALPHA_DEFAULT / BASE_FREQ`` is 5e-5; a weight in (0, 1] keeps every factor in
    #: (0, 2], so probabilities stay finite and non-negative (the fast trial's premise); any
    #: other (``set_alpha`` far off, or langdetect's ~1e-23 chance of a gauss below -10) runs
    #: langdetect's own loop
    _MAX_WEIGHT = 1.0

    word_lang_prob_map: dict[str, list[float]]
    langlist: list[str]
    random: random.Random
    seed: int | None
    alpha: float
    n_trial: int
    verbose: bool
    langprob: list[float] | None

    def _detect_block(self) -> None:
        """``Detector._detect_block``: the same draws and the same probabilities, the trials
        run by :meth:`_trial`."""
        if self.verbose:  # langdetect's loop prints every step
            super()._detect_block()
            return
        self.cleaning_text()
        ngrams = self._extract_ngrams()
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        langprob = [0.0] * len(self.langlist)
        self.random.seed(self.seed)
        n_trial = self.n_trial
        for _ in range(n_trial):
            prob = self._init_probability()
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            prob = self._trial(prob, alpha, ngrams)
            langprob = [total + p / n_trial for total, p in zip(langprob, prob, strict=True)]
        self.langprob = langprob

    def _trial(self, prob: list[float], alpha: float, ngrams: list[str]) -> list[float]:
        """One of langdetect's trials: draw n-grams and update ``prob`` until it converges
        (checked at draws 1, 6, 11, ...) or 1,001 draws; the normalised probabilities."""
        weight = alpha / self.BASE_FREQ
        if not 0.0 < weight <= self._MAX_WEIGHT:
            return self._langdetect_trial(prob, alpha, ngrams)
        table = self.word_lang_prob_map
        draw = self._drawing(ngrams)
        converged, limit = self.CONV_THRESHOLD, self.ITERATION_LIMIT
        w = weight
        prob = [p * (w + q) for p, q in zip(prob, table[draw()], strict=True)]
        i = 0
        while True:
            # Detector._normalize_prob: sum left to right (Python 3.11's float sum), divide,
            # the maximum; a total of 0 raises ZeroDivisionError there and here
            s = sum(prob)
            if max(prob) / s > converged or i >= limit:
                return [p / s for p in prob]
            a = table[draw()]
            b = table[draw()]
            c = table[draw()]
            d = table[draw()]
            e = table[draw()]
            prob = [
                p / s * (w + qa) * (w + qb) * (w + qc) * (w + qd) * (w + qe)
                for p, qa, qb, qc, qd, qe in zip(prob, a, b, c, d, e, strict=True)
            ]
            i += 5

    def _drawing(self, ngrams: list[str]) -> Callable[[], str]:
        """``lambda: self.random.choice(ngrams)``, the same draws with two Python calls fewer
        each (``choice`` and ``_randbelow`` written in one): ``choice`` is
        ``seq[self._randbelow(len(seq))]`` and ``_randbelow`` draws ``n.bit_length()`` bits
        until below ``n`` (CPython 3.11's ``random``; checked, else ``choice`` itself)."""
        rng = self.random
        if getattr(type(rng), "_randbelow", None) is not _RANDBELOW_WITH_GETRANDBITS:
            return partial(rng.choice, ngrams)
        getrandbits = rng.getrandbits
        n = len(ngrams)
        k = n.bit_length()

        def draw() -> str:
            r = getrandbits(k)
            while r >= n:
                r = getrandbits(k)
            return ngrams[r]

        return draw

    def _langdetect_trial(self, prob: list[float], alpha: float, ngrams: list[str]) -> list[float]:
        """The trial as ``Detector._detect_block`` runs it (for weights outside the fast
        trial's premise)."""
        i = 0
        while True:
            self._update_lang_prob(prob, self.random.choice(ngrams), alpha)
            if i % 5 == 0 and (
                self._normalize_prob(prob) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT
            ):
                return prob
            i += 1

    def append(self, text: str) -> None:
        """``Detector.append``: runs of spaces kept as one, as its character loop does."""
        text = self.URL_RE.sub(" ", text)
        text = self.MAIL_RE.sub(" ", text)
        text = NGram.normalize_vi(text)
        self.text += _SPACES.sub(" ", text[: self.max_text_length])

    text: str  # Detector's sample, set in its __init__ (langdetect has no annotations)

    def cleaning_text(self) -> None:
        latin_count, non_latin_count = 0, 0
        counts: Counter[str] = Counter(self.text)
        for ch, count in counts.items():
            if "A" <= ch <= "z":
                latin_count += count
            elif ch >= "\u0300" and unicode_block(ch) != "Latin Extended Additional":
                non_latin_count += count
        if latin_count * 2 < non_latin_count:
            self.text = "".join(ch for ch in self.text if ch < "A" or ch > "z")

    def _extract_ngrams(self) -> list[str]:
        known = self.word_lang_prob_map
        normalised = _NORMALISED
        result: list[str] = []
        append = result.append
        grams = " "
        capitalword = False
        for raw in self.text:
            ch = normalised.get(raw) or _normalised(raw)
            # NGram.add_char
            last = grams[-1]
            if last == " ":
                grams = " "
                capitalword = False
                if ch == " ":
                    continue  # nothing to emit: the buffer is the single space
            elif len(grams) >= 3:
                grams = grams[1:]
            grams += ch
            if ch.isupper():
                if last.isupper():
                    capitalword = True
            else:
                capitalword = False
            if capitalword:
                continue
            # the 1-, 2- and 3-grams ending here that langdetect's profiles know
            if ch != " " and ch in known:
                append(ch)
            size = len(grams)
            if size >= 2:
                w = grams[-2:]
                if w in known:
                    append(w)
                if size >= 3 and grams in known:
                    append(grams)
        return result


def detect_langs(text: str, seed: int | None = 0) -> list:
    """``langdetect.detect_langs`` with :class:`FastDetector`: the same factory (profiles
    loaded once), the same checks and the same ranked probabilities, its random trials
    seeded with ``seed`` (:func:`seeded`).

    Why: the artefact detector asks langdetect about up to 3,000 characters of a text whose
    language the identification did not settle (a run's articles in no evidence language,
    or unknown), and langdetect's per-character passes grow with the sample."""
    from langdetect import detector_factory
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException

    from newsetl.langdetect_profiles import load_factory

    load_factory()  # from the disk cache (else langdetect's init_factory below)
    detector_factory.init_factory()
    factory = detector_factory._factory
    if not factory.langlist:
        raise LangDetectException(ErrorCode.NeedLoadProfileError, "Need to load profiles.")
    detector = seeded(FastDetector(factory), seed)
    detector.append(text)
    return detector.get_probabilities()


def seeded(detector: FastDetector, seed: int | None) -> FastDetector:
    """``detector`` with its own seed, not the one it copied from the factory.

    Why: langdetect's seed is a class attribute (``DetectorFactory.seed``) that each detector
    copies when it is made, and several callers set it (the identification per text, the
    repair and entity stages to 0): between one thread setting it and making its detector,
    another thread's setting made the first draw other random n-grams (other
    probabilities: 6 of 400 calls under a thread that sets it, tests/test_langdetect_fast.py).
    Each call now says its seed; the draws are those of a detector made under that seed."""
    detector.seed = seed
    return detector
