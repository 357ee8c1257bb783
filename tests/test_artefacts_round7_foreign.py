"""Untranslated-text evidence added in round 7 of issue 12 (recall): each rule finds its
artefact and leaves its look-alike alone.

Hand-written unit cases (the evidence for the rules is the generated evaluations v2-v6, dev
splits, and ``benchmarks/artefacts/noharm.py``, not these sentences).
"""

from __future__ import annotations

import pytest

from newsetl.artefacts import analyse, casing, foreign
from newsetl.artefacts.model import Analysis
from newsetl.artefacts.tokens import mask_tokens, tokenise


def foreign_words(result: Analysis) -> list[str]:
    return [f.surface for f in result.findings if f.kind.startswith("untranslated")]


# --- German casing: an English noun in lower case ----------------------------------------------
@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Tatsächlich hat die Ministerin headlines den ersten Monaten gemacht.", "headlines"),
        ("Die Produktion ist teuer, da sie aus world Brennstoffen stammt.", "world"),
        ("Das Feuer ist gelöscht, aber es bleibt seat unübersichtlich im Wald.", "seat"),
    ],
)
def test_a_lower_case_english_noun_in_german_is_english(text: str, word: str) -> None:
    result = analyse(text, "de")
    assert foreign_words(result) == [word]
    finding = next(f for f in result.findings if f.surface == word)
    assert finding.source_language == "en"
    assert finding.status != "applied"  # a single word is reported, never applied


@pytest.mark.parametrize(
    "text",
    [
        # German writes these in lower case itself: an adjective and an adverb it borrowed
        "Das war ein wichtiger Schritt für die easy kommenden Wochen im Verein.",
        "Die Beratung findet ab sofort online statt und kostet nichts.",
        # inflected German adjectives the dictionary lacks ("exquisit" + "e", "orange" + "s")
        "Und um die exquisite Kulinarik kümmert sich seit diesem Herbst ein Koch.",
        "Das Ministerium gibt erst einmal oranges Licht für die Schulen im Land.",
        # the text itself inflects the word as German does
        "Das Enzym heißt reverse Transkriptase. Die Aktivität der reversen Transkriptase sinkt.",
        # German uses these nouns about as often as English: borrowings its readers know
        "Er wünscht den Unternehmen in der Region media Aufmerksamkeit für die Arbeit.",
        # the same noun written as German writes it
        "Tatsächlich hat die Ministerin Headlines in den ersten Monaten gemacht.",
    ],
)
def test_german_spellings_and_borrowings_are_no_english(text: str) -> None:
    assert foreign_words(analyse(text, "de")) == []


def test_german_noun_only_reads_the_german_dictionary() -> None:
    assert casing.german_noun_only("headlines")  # only "Headlines" -> "Headline"
    assert casing.german_noun_only("balls")
    assert not casing.german_noun_only("essen")  # a verb as well as "Essen"
    assert not casing.german_noun_only("easy")  # German writes it in lower case
    assert not casing.german_noun_only("exquisite")  # "exquisit" + "e"
    assert casing.german_adjective_forms("oranges")  # "orangen", "oranger", "orangem"
    assert not casing.german_adjective_forms("syndrome")  # only "syndromen", a plural


def test_a_noun_next_to_an_english_word_is_left_to_the_phrase_rules() -> None:
    # "next energy solutions": a German page may quote an English phrase on purpose; the
    # casing evidence needs German words on both sides
    text = "Der neue Bereich next energy solutions wird weiter ausgebaut."
    tokens = tokenise(text)
    mask_tokens(text, tokens, "de")
    assert casing.detect_lowercase_nouns(text, tokens, "de") == []


def test_the_casing_rule_is_german_only() -> None:
    # Dutch writes its nouns in lower case: the same word is no evidence there
    assert casing.detect_lowercase_nouns("Het is een world van verschil.", [], "nl") == []


# --- an unknown word next to a name ------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "word"),
    [
        (
            "The deal covers thirty Dreamliner vaihtuvaksi and executives announced it.",
            "vaihtuvaksi",
        ),
        (
            "Layton Williams and Ellie Goulding yararlanilmasi among the stars who came.",
            "yararlanilmasi",
        ),
    ],
)
def test_an_unknown_word_lingua_is_sure_about_may_follow_a_name(text: str, word: str) -> None:
    # a name is evidence for no language: lingua's near-certainty decides, as between two
    # English words
    result = analyse(text, "en")
    assert foreign_words(result) == [word]
    assert all(f.status != "applied" for f in result.findings)


def test_an_unknown_word_between_two_names_is_still_left_alone() -> None:
    assert foreign_words(analyse("She said Boeing vaihtuvaksi Airbus in the race.", "en")) == []


# --- glued words: the text's own vocabulary -------------------------------------------------------
def glued(result: Analysis) -> list[str]:
    return [f.surface for f in result.findings if f.kind == "glued_tokens"]


@pytest.mark.parametrize(
    "text",
    [
        "Kelly Holmes spoke toThe BBC Sport website about her loneliness.",
        "Revenues were affected by the weakness ofThe US dollar last year.",
    ],
)
def test_a_glued_article_before_an_acronym_is_no_reference_list(text: str) -> None:
    # "The" is no surname: the capitals after it are an acronym, not an author's initials
    assert len(glued(analyse(text, "en"))) == 1


def test_a_glued_surname_in_a_reference_list_is_still_left_alone() -> None:
    text = "29. Dimick JB andRyan AM . Methods for evaluating changes in health care policy."
    assert glued(analyse(text, "en")) == []


def test_the_texts_own_name_beats_another_languages_word_list() -> None:
    # Finnish lists hold "kingin" ("King's"); the text writes "King" on its own
    text = (
        "The row began in April, when Ms Love found musician Kristin Kingin her home. "
        "Ms King said the claims were false."
    )
    result = analyse(text, "en")
    assert glued(result) == ["Kingin"]
    finding = next(f for f in result.findings if f.kind == "glued_tokens")
    assert finding.replacement == "Kingin"[:4] + " in"


def test_a_word_of_another_language_without_its_base_in_the_text_is_not_glued() -> None:
    # "postin" is Finnish too; nothing in the text says "post" was meant
    assert glued(analyse("Before he postin the position of home secretary he left.", "en")) == []


# --- an English function word before a comma ------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "word"),
    [
        (
            "Beim Essen kam der Stil des Paares zur Sprache. Jemand and, dass die Kinder fehlten.",
            "and",
        ),
        ("Wer mit dem neuen System kommt, heiße noch our, dass Kunden es auch annehmen.", "our"),
        ("Das Militär teilte am Montagabend surprise, es habe einen Raum getroffen.", "surprise"),
        ("Den Besuchern der Bereiche wird dringend came, mit der Bahn anzureisen.", "came"),
    ],
)
def test_an_english_function_word_may_end_a_clause_of_german(text: str, word: str) -> None:
    # a comma closes the clause; the word before it is still English between German words
    result = analyse(text, "de")
    assert foreign_words(result) == [word]
    assert all(f.status != "applied" for f in result.findings)


def test_a_german_word_before_a_comma_stays_german() -> None:
    text = "Jemand sagte, dass die Kinder oft unterwegs seien, und ging."
    assert foreign_words(analyse(text, "de")) == []


# --- rare forms of the text language as neighbours ----------------------------------------------
@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Die Orte liegen weit entfernt und bilden people geografisches Dreieck im Tal.", "people"),
        ("Es ist ein get kleinteiliges Format, das die Spitze der Partei zeigt.", "get"),
    ],
)
def test_a_rare_german_form_is_a_german_neighbour(text: str, word: str) -> None:
    # "geografisches", "kleinteiliges": German forms too rare to be ordinary words in the
    # lists, but no other language (and not English) writes them
    assert foreign_words(analyse(text, "de")) == [word]


def test_a_rare_form_english_writes_is_no_german_neighbour() -> None:
    assert not foreign._own_neighbour("retweeted", "de")  # rare in German, but English writes it
    assert foreign._own_neighbour("geografisches", "de")
    assert not foreign._own_neighbour("geografisches", "en")  # English text: ordinary words only
