"""lingua's reading of a short text over its likeliest languages only
(newsetl.language.short_text_probabilities): the same scores lingua gives over all its
languages, normalised over fewer; a text lingua reads as long keeps its scores over every
language; and the models loaded for it are let go again."""

from __future__ import annotations

import math
import subprocess
import sys

from newsetl import language

GERMAN = "Die Möglichkeit, nichts zu tun, ist auch eine Möglichkeit."


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout


def test_a_short_text_gets_lingua_s_scores_over_its_candidates():
    """In a process of its own (lingua over all its languages loads ~1 GB of short-text
    models): each candidate's value is its value over every language, normalised over the
    candidates; the candidates hold the language and langdetect's; far fewer languages are
    asked than lingua's rules leave."""
    code = f"""
import json
from newsetl import language
text = {GERMAN!r}
ld = language.langdetect_probabilities(text)
few = language.short_text_probabilities(text, ld)
every = language._confidences(language._lingua(), text)
print(json.dumps([few, every, sorted(ld)]))
"""
    few, every, ld = __import__("json").loads(_run(code))
    assert max(few, key=few.get) == max(every, key=every.get) == "de"
    assert set(ld) <= set(few)
    assert 2 <= len(few) <= language.SHORT_TEXT_CANDIDATES + len(ld) < len(every)
    total = sum(every[code] for code in few)
    for code, value in few.items():
        assert math.isclose(value, every[code] / total, rel_tol=1e-6), code


def test_a_text_lingua_reads_as_long_keeps_its_scores_over_every_language():
    """Under SHORT_TEXT_LETTERS letters (short here) but over 120 (long for lingua: trigram
    models only): the scores over every language, as before."""
    text = (
        "The council met on Monday and agreed to open the new library in the spring, "
        "said the mayor of the town. It will open in May. And then some more words follow here"
    )
    assert 125 <= sum(ch.isalpha() for ch in text) < language.SHORT_TEXT_LETTERS
    got = language.lingua_probabilities(text, {"en": 1.0})
    every = language._confidences(language._lingua(), text)
    assert got.keys() == every.keys() and len(got) > language.SHORT_TEXT_CANDIDATES + 1
    for code, value in got.items():
        assert math.isclose(value, every[code], rel_tol=1e-9), code


def test_the_candidates_are_the_languages_the_trigrams_rank_highest():
    """The candidates are the two languages the trigram models rank highest, and the others
    of the likeliest SHORT_TEXT_CANDIDATES within SHORT_TEXT_RATIO of the first; not the
    alphabet's. A German text the trigrams read with near certainty (its runner-ups at ~1e-28
    and less: rounded to a number of decimals, they all tied at 0, and ``af``, ``az``, ``bs``
    ... were asked) is scored over its two likeliest languages; a word pair they cannot tell
    apart over more, each of them within the ratio."""
    certain = "Ich weiß, ich bin betrunken und sollte das vielleicht nicht sagen."
    unsure = "casa grande"
    for text, sure in ((certain, True), (unsure, False)):
        trigram = language._confidences(language._lingua_trigrams(), text)
        ranked = sorted(trigram, key=trigram.get, reverse=True)
        chosen = language.short_text_candidates(text)
        assert set(ranked[:2]) <= chosen <= set(ranked[: language.SHORT_TEXT_CANDIDATES])
        for code in chosen:
            assert code in ranked[:2] or trigram[code] >= trigram[ranked[0]] * 1e-12
        if sure:
            assert trigram[ranked[1]] < 1e-12 and chosen == set(ranked[:2])
        else:
            assert len(chosen) > 2
