"""Untranslated-text evidence added in round 6 of issue 12 (recall): each rule finds its
artefact and leaves its look-alike alone.

Hand-written unit cases (the evidence for the rules is the generated evaluations v2-v6, dev
splits, and ``benchmarks/artefacts/noharm.py``, not these sentences).
"""

from __future__ import annotations

import pytest

from newsetl.artefacts import analyse, foreign
from newsetl.artefacts.model import Analysis


def foreign_words(result: Analysis) -> list[str]:
    return [f.surface for f in result.findings if f.kind.startswith("untranslated")]


# --- the text's own function word ends a name -----------------------------------------------
def test_a_name_then_an_english_function_word_starts_no_title() -> None:
    # "and" is also Danish ("duck"), so the walk to a title's first word used to cross it and
    # take "Goldberg" for the first word of a Danish name
    text = "The two shapes were drawn from Goldberg and hjælp polyhedra in the paper."
    assert foreign_words(analyse(text, "en")) == ["hjælp"]


@pytest.mark.parametrize(
    "text",
    [
        "A spokesperson for Organisation mondiale de la santé declined to comment.",
        "She recalled the film La vita è bella as a turning point.",
    ],
)
def test_names_in_their_own_language_keep_their_wording(text: str) -> None:
    assert foreign_words(analyse(text, "en")) == []


# --- a conjunction after a clause boundary ----------------------------------------------------
@pytest.mark.parametrize(
    ("text", "word"),
    [
        ('The minister called the budget "affordable" și he promised more money.', "și"),
        ("The album is lyrically thin; ja fantastically overrated by the critics.", "ja"),
        ("The rules break human rights law - és which expire in March.", "és"),
        ("The shop sells bread and cheese – und it opens at seven.", "und"),
    ],
)
def test_a_conjunction_after_a_semicolon_quote_or_dash(text: str, word: str) -> None:
    assert foreign_words(analyse(text, "en")) == [word]


def test_a_letter_after_a_semicolon_is_no_conjunction() -> None:
    # one letter there is a label ("e" for energy), not the Italian "and"
    text = "The formula has three symbols; e stands for energy in the notes."
    assert foreign_words(analyse(text, "en")) == []


# --- compounds of another language -----------------------------------------------------------
def test_an_unknown_compound_of_another_language_is_foreign() -> None:
    text = "The staff kept working through the kontortiden and went home late."
    result = analyse(text, "en")
    assert foreign_words(result) == ["kontortiden"]
    finding = next(f for f in result.findings if f.surface == "kontortiden")
    assert finding.source_language in {"da", "nb", "sv"}
    assert finding.status != "applied"  # a single word is reported, never applied


@pytest.mark.parametrize(
    ("word", "language"),
    [("skifteretten", "da"), ("feketemunka", "hu"), ("jongenskoren", "nl")],
)
def test_foreign_compound_names_the_language_of_both_parts(word: str, language: str) -> None:
    assert foreign.foreign_compound(word, "en") == language


@pytest.mark.parametrize("word", ["namedtuple", "doomscrolling", "snowplowman", "retrofuturist"])
def test_english_words_run_together_are_no_foreign_compound(word: str) -> None:
    assert foreign.foreign_compound(word, "en") is None


def test_a_long_word_splits_in_linear_passes() -> None:
    # hostile input: one 5,000-letter word is tried at each split point once
    assert foreign.foreign_compound("ab" * 2_500, "en") is None


# --- units at the edge of a run ----------------------------------------------------------------
def test_an_abbreviation_at_the_end_of_a_run_keeps_the_phrase() -> None:
    text = "The court has now qualified its view on the Community har framgang på hhv a decade."
    assert foreign_words(analyse(text, "en")) == ["har framgang på"]


def test_an_abbreviation_at_the_start_of_a_run_keeps_the_phrase() -> None:
    text = "She was able to see the body and saw mgr tłumaczy bardzo dużo on the screen."
    assert foreign_words(analyse(text, "en")) == ["tłumaczy bardzo dużo"]


def test_a_unit_after_a_number_is_no_foreign_word() -> None:
    text = "Het dorp telt 201 inwoners per km² en groeit elk jaar een beetje."
    assert foreign_words(analyse(text, "nl")) == []


# --- hostile text ------------------------------------------------------------------------------
def test_a_word_of_hundreds_of_thousands_of_letters_is_no_foreign_word() -> None:
    # no list of any language has a word over 36 letters; splitting such a string into
    # parts was quadratic in its length
    word = "".join("abcdefghijklmnoprstuv"[(i * 7) % 21] for i in range(200_000))
    text = f"The staff kept working through the {word} and went home late."
    assert foreign_words(analyse(text, "en")) == []


def test_thousands_of_foreign_words_are_each_reported_once() -> None:
    # CPU grows linearly with the findings (benchmarks: 40,000 words in 0.6 s; before round 6
    # each untranslated finding read every token of the text again: 17 s)
    words = " ".join("kontortiden" if i % 2 else "the" for i in range(20_000))
    result = analyse(f"The staff kept {words} home.", "en")
    assert len(foreign_words(result)) == 10_000
    assert all(f.status != "applied" for f in result.findings)
