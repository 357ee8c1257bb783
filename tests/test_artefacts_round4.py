"""Rules added in round 4 of issue 12: each finds its artefact and leaves the look-alike alone.

Hand-written unit cases (the evidence for the rules is the generated evaluation v4 and the
clean-text halves of ``benchmarks/artefacts/noharm.py``, not these sentences): every rule
that removes false flags has a case where the artefact is still found, and every rule that
finds more has a look-alike it must leave alone.
"""

from __future__ import annotations

import pytest

from newsetl.artefacts import analyse, foreign, rules
from newsetl.artefacts.model import Analysis


def found(result: Analysis, kind: str) -> list[str]:
    return [f.surface for f in result.findings if f.kind == kind]


def foreign_words(result: Analysis) -> list[str]:
    return [f.surface for f in result.findings if f.kind.startswith("untranslated")]


# --- precision: English words and page furniture are no foreign text ------------------------
def test_english_contractions_are_looked_up_whole() -> None:
    text = "It is not limited to Japan. We’d bet the problem can be traced back to the trains."
    assert foreign_words(analyse(text, "en")) == []
    assert foreign.lean_of("en")("we'd").own  # not the Catalan/French elided "d'"
    assert foreign._lookup_form_of("l'argent") == "argent"  # elision still scored by the noun


def test_english_words_leaning_to_unrelated_languages_are_no_phrase() -> None:
    text = "This small falling man pot stopper is not only a fun visual but also practical."
    assert foreign_words(analyse(text, "en")) == []
    # a real phrase of one language is still found
    text = "The minister spoke about the riciclaggio di denaro charges against the firm."
    assert foreign_words(analyse(text, "en")) == ["riciclaggio di denaro"]


def test_units_are_no_words() -> None:
    text = "De oppervlakte bedraagt 170 km², de bevolkingsdichtheid is 166 inwoners per km². Dat is veel."
    assert foreign_words(analyse(text, "nl")) == []
    assert foreign._unit_like("km") and foreign._unit_like("mph")
    assert not foreign._unit_like("per") and not foreign._unit_like("v")


@pytest.mark.parametrize(
    "text",
    [
        "Working Paper, Nr. 12-03, abrufbar unter http://www.fao.org/3/ap106e.pdf. More follows.",
        "National Center for Biotechnology Information, Abgerufen 23.11.2022: https://example.org/ here.",
        "The Govenor of Pittsburg [sc. britische Kolonialmacht] thought it but just to remove them.",
    ],
)
def test_citations_and_bracketed_insertions_are_no_prose(text: str) -> None:
    assert foreign_words(analyse(text, "en")) == []


def test_a_foreign_word_in_prose_next_to_a_link_elsewhere_is_still_found() -> None:
    text = "The report says the money was spent werden the project, see https://example.org for it."
    assert foreign_words(analyse(text, "en")) == ["werden"]


def test_capitalised_quotations_are_titles_or_speech() -> None:
    text = "„Peace for our time“ war 1938 der Auftakt zur bisher größten Katastrophe in Europa."
    assert foreign_words(analyse(text, "de")) == []


def test_a_foreign_run_next_to_a_sentence_in_that_language_is_a_passage() -> None:
    text = (
        "The shop sells kites. Gerade ist die neue Palette und die Boards eingetroffen. "
        "Hier etwas O-Ton: the riders love it."
    )
    assert "Hier etwas" not in foreign_words(analyse(text, "en"))


def test_no_translated_name_after_an_article() -> None:
    text = "In the speech, first disclosed by the Aspen Times, the former mayor argued otherwise."
    assert found(analyse(text, "en"), "translated_name") == []


def test_lower_case_pronoun_i_before_a_verb_is_english() -> None:
    text = "It does not work with Emacs, so i looked around for other tools to use."
    assert found(analyse(text, "en"), "untranslated_function_word") == []
    text = "The shop sells bread i butter to the whole village every day."
    assert found(analyse(text, "en"), "untranslated_function_word") == ["i"]


def test_portuguese_se_se_is_grammatical() -> None:
    text = "Conquistam através do beijo, como se se quisessem apoderar da outra pessoa."
    assert found(analyse(text, "pt"), "duplicated_word") == []
    assert found(
        analyse("O plano do do governo vai avançar no próximo ano.", "pt"), "duplicated_word"
    )


def test_unknown_code_words_built_from_english_parts_are_english() -> None:
    assert foreign._english_parts("namedtuple")
    assert foreign._english_parts("openssldir")
    assert not foreign._english_parts("forudbestiller")
    text = "You may want to change the prefix or the openssldir depending on your setup."
    assert foreign_words(analyse(text, "en")) == []


def test_unknown_words_of_sister_languages_share_certainty() -> None:
    text = "The company will help customers forudbestiller products and services in the store."
    assert foreign_words(analyse(text, "en")) == ["forudbestiller"]


# --- capitalisation --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, surface",
    [
        ("By spotlighting this group of women, you Will also be encouraged to join.", "Will"),
        ("The government was curbing internet speeds Across the country last year.", "Across"),
        ("Worked examples are in the appendix of the report.", None),  # sentence start
        ("The engineers have Worked hard on the new design since May.", "Worked"),
    ],
)
def test_capitalised_grammar_words_and_verb_forms(text: str, surface: str | None) -> None:
    expected = [surface] if surface else []
    assert found(analyse(text, "en"), "capitalisation") == expected


@pytest.mark.parametrize(
    "text",
    [
        "Steven Stamkos came back to the city after signing with the Lightning in the offseason.",
        "The redistricting tilted the sprawling 5th District slightly less conservative.",
        "I share this recognition with the entire Experience team and our partners.",
        "He met Will Smith and Grace Jones at the premiere in London.",
    ],
)
def test_names_used_as_modifiers_are_no_capitalisation_artefact(text: str) -> None:
    assert found(analyse(text, "en"), "capitalisation") == []


# --- English left in other languages ----------------------------------------------------------
def test_common_english_function_word_between_german_words() -> None:
    text = "Die Abgeordneten kritisierten in den letzten Wochen as Geheimhaltung der Einrichtung."
    assert foreign_words(analyse(text, "de")) == ["as"]


@pytest.mark.parametrize(
    "text",
    [
        "Die Waage steht im Zeichen der Venus. Book of Knights ist ein neues Heft.",
        "Die Band ist regelmäßig on Tour und spielt in vielen Städten.",
        "Dann sagte er: A neue Montur hab i mer scho machen lassen.",
    ],
)
def test_english_names_and_dialect_in_german_are_left_alone(text: str) -> None:
    assert foreign_words(analyse(text, "de")) == []


def test_borrowed_english_adverb_in_italian_is_left_alone() -> None:
    text = "Per la trasferta, il difensore sarà out per squalifica e non giocherà."
    assert foreign_words(analyse(text, "it")) == []


# --- names cut short, calques, glued words ----------------------------------------------------
@pytest.mark.parametrize(
    "text, surface",
    [
        ("Kaja Kallas, the Europ Union’s foreign policy chief, said the talks went well.", "Europ"),
        (
            "The ministry said the attack was retaliation for Ukrainia attacks on civilians.",
            "Ukrainia",
        ),
    ],
)
def test_cut_common_names(text: str, surface: str) -> None:
    assert found(analyse(text, "en"), "truncated_name") == [surface]


@pytest.mark.parametrize(
    "text",
    [
        "Rep. Mike Bost of Illinois authored the legislation last year.",  # after a given name
        "Severe reactions were reported. J Investig Dermatol. 2015;135:1.",  # abbreviation
        "The site offers about 20 free fonts for most Indic languages.",  # completes to a verb
    ],
)
def test_cut_common_names_leave_surnames_and_abbreviations(text: str) -> None:
    assert found(analyse(text, "en"), "truncated_name") == []


@pytest.mark.parametrize(
    "sentence, surface",
    [
        ("He duchess has hinted before that her health suffered.", "He duchess"),
        ("He stress of displacement and war contributed to it.", "He stress"),
        ("He characterisation of digital terrorism was criticised.", "He characterisation"),
    ],
)
def test_he_before_a_noun_in_ss_or_a_noun_suffix(sentence: str, surface: str) -> None:
    result = analyse("It rained all week. " + sentence, "en")
    assert found(result, "calque_article") == [surface]


def test_he_before_a_verb_in_ss_like_ending_stays() -> None:
    assert found(analyse("It rained all week. He misses home a lot.", "en"), "calque_article") == []


def test_glued_long_base_and_demonym() -> None:
    text = "The vaccines may be less effective at reducing serious morbidityand mortality here."
    assert found(analyse(text, "en"), "glued_tokens") == ["morbidityand"]
    text = "The ownership rates among African Americansin 2017 were as low as before."
    assert found(analyse(text, "en"), "glued_tokens") == ["Americansin"]
    text = "The actor Ben Franklin played the role on stage."
    assert found(analyse(text, "en"), "glued_tokens") == []


def test_title_ends_at_a_comma_several_words_back() -> None:
    text = (
        "According to the blog Wealthynickel, two batches of bills printed in 2014 contain "
        "ambulanza particular error from the bureau."
    )
    assert foreign_words(analyse(text, "en")) == ["ambulanza"]
    text = "Locke wrote the memoir The Good, the Bad, and the Very Ugly about those years."
    assert foreign_words(analyse(text, "en")) == []


def test_english_family_rejects_foreign_endings() -> None:
    assert foreign.english_family("molt")  # "molting"
    assert foreign.english_family("personas")  # "persona"
    assert not foreign.english_family("questione")  # "question" + Italian -e
    assert not foreign.english_family("deres")  # no plural of "der"
    assert rules._verb_forms("indicate")
