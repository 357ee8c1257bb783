"""German case endings on known names, and sentence-opening words that look like names.

All sentences are written for these tests; expectations come from reading them.
"""

from __future__ import annotations

import pytest

from newsetl.entities import extract_entities
from newsetl.entities.inflection import german_variants


def canonical(text: str, lang: str) -> dict[str, str | None]:
    doc = extract_entities(text, lang)
    return {m.surface: e.canonical_id for e in doc.entities for m in e.mentions}


@pytest.mark.parametrize(
    ("text", "surface", "entity_id"),
    [
        ("Die Wirtschaft Deutschlands wuchs im Sommer kaum.", "Deutschlands", "country:DE"),
        ("Die Exporte Frankreichs fielen im Oktober.", "Frankreichs", "country:FR"),
        ("In den Niederlanden wird am Mittwoch gewählt.", "Niederlanden", "country:NL"),
        ("Die Banken Europas brauchen mehr Kapital.", "Europas", "place:europe"),
        ("Die Zinsentscheidung der Europäischen Zentralbank fiel einstimmig.",
         "Europäischen Zentralbank", "org:ecb"),
        ("Ein Bericht des Internationalen Währungsfonds warnt vor Schulden.",
         "Internationalen Währungsfonds", "org:imf"),
        ("Das Urteil des Bundesverfassungsgerichts kam überraschend.",
         "Bundesverfassungsgerichts", "org:bverfg"),
        ("Helfer des Roten Kreuzes erreichten das Dorf.", "Roten Kreuzes", "org:red-cross"),
        ("Die Delegation aus den Vereinigten Staaten reiste ab.", "Vereinigten Staaten",
         "country:US"),
        ("Eine Sitzung des UN-Sicherheitsrates wurde einberufen.", "UN-Sicherheitsrates",
         "org:un-security-council"),
    ],
)  # fmt: skip
def test_german_inflected_names_are_found(text, surface, entity_id) -> None:
    assert canonical(text, "de").get(surface) == entity_id


@pytest.mark.parametrize(
    ("lang", "text", "word"),
    [
        ("de", "Seine Frau sagte, sie habe nichts gesehen.", "Seine"),
        ("de", "Man weiß noch nicht, wann der Zug kommt.", "Man"),
        # English has no such endings: an English plural is not a German genitive
        ("en", "The Cayman Islands and Iceland signed the pact.", "Islands"),
    ],
)
def test_sentence_openers_and_foreign_words_are_not_names(lang, text, word) -> None:
    assert word not in canonical(text, lang)


def test_the_river_is_still_found_mid_sentence() -> None:
    assert canonical("Das Hochwasser der Seine erreichte Paris.", "de")["Seine"] == "place:seine"


def test_case_rules_are_kept_for_inflected_forms() -> None:
    # lowercase "europas" is not a name; acronyms do not inflect
    assert canonical("die bank hat europas größte filiale.", "de") == {}
    assert german_variants("EZB") == []


def test_variants_follow_german_endings() -> None:
    assert "Deutschlands" in german_variants("Deutschland")
    assert "Niederlanden" in german_variants("Niederlande")
    assert "Europäischen Union" in german_variants("Europäische Union")
    assert "Deutschen Bundestages" in german_variants("Deutscher Bundestag")
    # a genitive complement is already inflected: only the head changes
    assert all(v.endswith("der Vereinten Nationen")
               for v in german_variants("Charta der Vereinten Nationen"))  # fmt: skip
    # names ending in -s take no genitive -s ("Paris'", not "Pariss")
    assert "Pariss" not in german_variants("Paris")


# --- German institutions written as ordinary words -----------------------------------------------


def test_german_institution_and_its_case_forms_are_one_entity() -> None:
    text = (
        "Nach Angaben des Bayerischen Landesamtes (BLA) steigt der Pegel. Das Bayerische "
        "Landesamt rät zur Vorsicht, und der Sprecher des Landesamtes bleibt vor Ort."
    )
    doc = extract_entities(text, "de")
    [office] = [e for e in doc.entities if e.type == "organisation"]
    assert [m.surface for m in office.mentions] == [
        "Bayerischen Landesamtes", "BLA", "Bayerische Landesamt",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Deutsche Behörden ermitteln gegen die Firma.", "Deutsche Behörden"),  # plural
        ("Sie kritisierte deutsche Behörden und Internationale Gerichte.",
         "Internationale Gerichte"),  # plural
        ("Der Deutsche Meister feierte in der Nacht.", "Deutsche Meister"),  # not an institution
    ],
)  # fmt: skip
def test_german_noun_phrases_that_are_not_institutions(text, phrase) -> None:
    doc = extract_entities(text, "de")
    assert phrase not in {m.surface for e in doc.entities for m in e.mentions}
