"""langdetect's detector with its two per-character passes made cheaper, same results.

Why: langdetect (pure Python) reads its 1,000-character sample three times before its random
trials: ``append`` copies it character by character, ``cleaning_text`` classifies every character (Latin or not) and ``_extract_ngrams``
normalises every character through ``NGram.normalize`` (a binary search of Unicode blocks)
and ``NGram.add_char`` (a method call), ~0.8 ms of its ~2.2 ms per Zyte article. Both are
pure functions of the text: the counts here come from ``collections.Counter`` (C) over the
distinct characters, and the n-grams from the same state machine written as one loop, with
each character's normalised form memoised. The trials (the seeded random draws) are
langdetect's own, untouched, so the probabilities are bit for bit the same
(``tests/test_langdetect_fast.py`` compares the n-grams and probabilities with langdetect's on
real and random texts).
"""

from __future__ import annotations

import re
from collections import Counter

from langdetect.detector import Detector
from langdetect.utils.ngram import NGram
from langdetect.utils.unicode_block import unicode_block

#: character -> ``NGram.normalize(character)``; bounded (one entry per distinct character)
_NORMALISED: dict[str, str] = {}
_MAX_NORMALISED = 50_000
_SPACES = re.compile(" {2,}")


def _normalised(ch: str) -> str:
    found = _NORMALISED.get(ch)
    if found is None:
        found = NGram.normalize(ch)
        if len(_NORMALISED) < _MAX_NORMALISED:
            _NORMALISED[ch] = found
    return found


class FastDetector(Detector):
    """``langdetect.detector.Detector`` with :meth:`cleaning_text` and
    :meth:`_extract_ngrams` computing the same values with less Python per character."""

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


def detect_langs(text: str) -> list:
    """``langdetect.detect_langs`` with :class:`FastDetector`: the same factory (profiles
    loaded once, its seed), the same checks and the same ranked probabilities.

    Why: the artefact detector asks langdetect about up to 3,000 characters of a text whose
    language the identification did not settle (a run's articles in no evidence language,
    or unknown), and langdetect's per-character passes grow with the sample."""
    from langdetect import detector_factory
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException

    detector_factory.init_factory()
    factory = detector_factory._factory
    if not factory.langlist:
        raise LangDetectException(ErrorCode.NeedLoadProfileError, "Need to load profiles.")
    detector = FastDetector(factory)
    detector.append(text)
    return detector.get_probabilities()
