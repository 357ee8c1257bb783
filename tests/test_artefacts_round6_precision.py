"""Precision fixes of round 6 of issue 12: rules that fired on correct English (and quoted
or named foreign text) and the artefacts that must still be found next to them.

Hand-written unit cases; the evidence for each fix is the dev splits of the generated
evaluations v2-v6 (false positives on carriers written by others: BBC News 2004, WMT news
documents) and the tune half of ``benchmarks/artefacts/noharm.py``, not these sentences.
"""

from __future__ import annotations

import pytest

from newsetl.artefacts import analyse
from newsetl.artefacts.model import Analysis
from newsetl.artefacts.tokens import quote_ranges


def found(result: Analysis, kind: str) -> list[str]:
    return [f.surface for f in result.findings if f.kind == kind]


def kinds(result: Analysis) -> list[str]:
    return [f.kind for f in result.findings]


# --- capitals of titles, names and the pronoun I ------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        # a grammar word inside a title in title case
        "West's account of the accident sampled Chaka Khan's hit Through the Fire to become "
        "the heart of his comeback.",
        "The chart included It's Now or Never at number 27 and Jailhouse Rock at number 30.",
        # a past form after a preposition is a noun slot: a team's short name
        "Solskjaer last played for United as a late substitute in May.",
        # coordinated with a name
        "Butler and Yelling finished fourth and fifth as Australian runners won.",
        # the pronoun I is always capitalised
        'He served well. "All in all I\'m happy with the match, and I won it."',
    ],
)
def test_capitals_of_titles_names_and_i_are_no_artefact(text: str) -> None:
    assert found(analyse(text, "en"), "capitalisation") == []


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Officials said you Will also need a permit to enter the area.", "Will"),
        ("The prices Fluctuated wildly over the summer months in the region.", "Fluctuated"),
        ("Experts said the price is Through the roof for most families here.", "Through"),
    ],
)
def test_left_over_capitals_are_still_reported(text: str, word: str) -> None:
    assert found(analyse(text, "en"), "capitalisation") == [word]


# --- "He" before a modal --------------------------------------------------------------------
def test_he_before_cannot_is_the_pronoun() -> None:
    text = 'The manager said: "He cannot run. His injury is very painful, so he will rest."'
    assert found(analyse(text, "en"), "calque_article") == []


def test_he_before_a_noun_is_still_a_calque() -> None:
    text = "He jury decided on Monday that the defendant was guilty of fraud."
    assert found(analyse(text, "en"), "calque_article") == ["He jury"]


# --- cut names: "-n" of a place ------------------------------------------------------------
def test_place_beside_its_people_is_no_cut_name() -> None:
    text = (
        "Text messages came from the affected areas of Sri Lanka. Sri Lankan officials said "
        "the Sri Lankan government would publish them."
    )
    assert found(analyse(text, "en"), "truncated_name") == []


def test_cut_demonym_is_still_a_cut_name() -> None:
    text = (
        "The Minister of Emigration and Egyptian Expatriates Affairs Nabila Makram called on "
        "Egyptia voters abroad to take part in the elections."
    )
    assert found(analyse(text, "en"), "truncated_name") == ["Egyptia"]


# --- translated surnames: a particle is no given name -------------------------------------
def test_particle_before_a_common_word_is_no_translated_name() -> None:
    text = "She took home best comedy actress for Life Begins and Von Trapped."
    assert found(analyse(text, "en"), "translated_name") == []


def test_given_name_before_a_common_word_is_still_reported() -> None:
    text = "The talks were led by Prime Minister Giuseppe Count on Tuesday."
    assert found(analyse(text, "en"), "translated_name") == ["Count"]


# --- quotations inside quotations ----------------------------------------------------------
def test_typographic_quote_inside_a_straight_one_keeps_the_outer_quote() -> None:
    text = 'Protesters chanted "O nome, diz ela, permanece no “segredo dos deuses” até à noite." outside.'
    outer = (text.index('"'), text.rindex('"') + 1)
    assert outer in quote_ranges(text)


def test_danish_inner_quote_does_not_close_the_outer_one() -> None:
    text = "The banner read: “Taget er helt til venstre ”Helt til venstre – højt til loftet”.”"
    a = text.index("“")
    assert any(r[0] == a and r[1] > text.index("loftet") for r in quote_ranges(text))


@pytest.mark.parametrize(
    "text",
    [
        'The last assertion is indisputable. Protesters chanted "O nome, diz Soraia Deus, '
        'permanecerá no “segredo dos deuses” até à noite da gala." outside the building.',
        "Both are populists. The banner read: “Taget en sort trøje på hvor vores Ø-logo er "
        "til højre og teksten er helt til venstre ”Helt til venstre – højt til loftet”.”",
    ],
)
def test_foreign_quotation_with_a_nested_quote_is_not_reported(text: str) -> None:
    assert kinds(analyse(text, "en")) == []


# --- names and titles in their own language ------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "The figures were published by the Organisation internationale de police criminelle.",
        "A spokesperson for Cour internationale de justice declined to comment.",
        "She recalled the magazine Serbien verteilte als as a turning point.",
        "Then she recalled the film Jedoch ist die as a turning point in her career.",
    ],
)
def test_function_words_and_runs_inside_foreign_names_and_titles(text: str) -> None:
    assert kinds(analyse(text, "en")) == []


def test_lone_function_word_between_english_words_is_still_found() -> None:
    text = "The study compared the evidence e data that the two teams had collected."
    assert found(analyse(text, "en"), "untranslated_function_word") == ["e"]


# --- units and speakers ---------------------------------------------------------------------
def test_unit_abbreviation_is_no_foreign_word() -> None:
    text = (
        "By 2030, US exports are estimated to reach 17 billion cu ft daily, from some "
        "3 billion cu ft at the start of 2019."
    )
    assert kinds(analyse(text, "en")) == []


def test_speaker_of_said_is_a_person_not_a_german_noun() -> None:
    text = (
        'Sotherton finished third behind the Swede in Athens, and Kluft said: "She is a '
        'great girl."'
    )
    assert found(analyse(text, "en"), "untranslated_span") == []


def test_lone_german_noun_is_still_found() -> None:
    text = (
        "Sotherton finished third behind the Swede in Athens, and the Kluft grew wider after "
        'that: "She is a great girl."'
    )
    assert found(analyse(text, "en"), "untranslated_span") == ["Kluft"]


def test_past_form_before_an_auxiliary_is_a_name() -> None:
    text = "The fact that United have come out of the hat will give them even more incentive."
    assert found(analyse(text, "en"), "capitalisation") == []


def test_capitalised_base_after_a_name_classifier_is_no_glued_word() -> None:
    text = "The study, for net security firm Preventon, shows that messages are reaching people."
    assert found(analyse(text, "en"), "glued_tokens") == []


def test_glued_and_between_two_names_is_still_found() -> None:
    text = "Goals from Ivan Rakiticand Mario Mandzukic sealed the win for Croatia on Sunday."
    assert found(analyse(text, "en"), "glued_tokens") == ["Rakiticand"]


def test_glued_for_after_a_name_classifier_is_still_found() -> None:
    text = "Members of a recently formed group Doctorsfor Camp Closure have offered to help."
    assert found(analyse(text, "en"), "glued_tokens") == ["Doctorsfor"]


def test_foreign_phrase_quoted_inside_english_speech_is_still_reported() -> None:
    text = (
        "“The Government has been driving a narrative to make ‘greedy sorumluluklarını "
        "eksiksiz yerine’ look like the villains, saying we’re asking for too much,” she said."
    )
    assert found(analyse(text, "en"), "untranslated_span") == ["sorumluluklarını eksiksiz yerine"]


def test_run_ending_in_a_particle_before_a_capital_is_part_of_a_name() -> None:
    text = "The figures were published by the galerie des Offices."
    assert found(analyse(text, "en"), "untranslated_span") == []


def test_english_run_before_a_german_noun_is_still_found() -> None:
    text = (
        "Zweimal war es der stürmende Neuzugang Markus Lang, der mit the development of "
        "Kopfbällen Pech hatte, und einmal sein Kollege."
    )
    assert found(analyse(text, "de"), "untranslated_span") == ["the development of"]


def test_firm_head_after_a_given_name_is_no_translated_name() -> None:
    text = "Amy Pascal will also produce through Pascal Pictures, as she has on the first two."
    assert found(analyse(text, "en"), "translated_name") == []


def test_noun_after_prepositional_to_is_no_left_over_capital() -> None:
    text = "If he is not playing international rugby then it's still a step up to Test rugby."
    assert found(analyse(text, "en"), "capitalisation") == []


def test_roman_numeral_ordinals_are_no_cut_name() -> None:
    text = (
        "Une exposition sur les formes et décors de la faïence de Moustiers du XVIIè au XXè "
        "siècles. Elle durera jusqu'en 1980. Le XVIIème siècle y est à l'honneur."
    )
    assert found(analyse(text, "fr"), "truncated_name") == []


def test_run_ending_in_an_article_before_a_person_is_still_found() -> None:
    text = (
        "Minority whip Sen. John Thune and Senate conference igjen hadde ført den John "
        "Barrasso are expected to see it."
    )
    assert found(analyse(text, "en"), "untranslated_span") == ["igjen hadde ført den"]


def test_capital_after_an_ordinal_is_a_name() -> None:
    text = (
        "Redistricting in 2021 tilted the sprawling 5th District slightly less conservative. "
        "Some neighborhoods in the district voted for him."
    )
    assert found(analyse(text, "en"), "capitalisation") == []
