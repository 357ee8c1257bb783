"""Small towns (geonames down to 15,000 inhabitants) and US states: found where a capital means
a place, left alone where the word is ordinary, a person or part of another name.

All sentences are written for these tests; expectations come from reading them.
"""

from __future__ import annotations

import pytest

from newsetl.entities import extract_entities
from newsetl.entities.gazetteer import get_gazetteer


def places(text: str, lang: str) -> dict[str, str]:
    doc = extract_entities(text, lang)
    return {
        m.surface: e.type
        for e in doc.entities
        for m in e.mentions
        if e.type in ("city", "place", "country")
    }


@pytest.mark.parametrize(
    ("lang", "text", "town"),
    [
        ("en", "Investigators returned to Bucha in the spring to collect more evidence.", "Bucha"),
        ("en", "The school shooting in Uvalde led to a new state inquiry.", "Uvalde"),
        ("nl", "De trein naar Zwolle reed vanochtend met grote vertraging.", "Zwolle"),
        ("nl", "Studenten in Leuven protesteerden tegen de hogere huur.", "Leuven"),
        ("de", "Die Messe in Heidelberg wurde wegen des Sturms abgesagt.", "Heidelberg"),
        ("it", "Il festival si terrà a Rovereto alla fine di maggio.", "Rovereto"),
        ("es", "Los mineros se manifestaron en Ponferrada durante la mañana.", "Ponferrada"),
        ("pt", "A universidade em Coimbra reabriu as residências.", "Coimbra"),
        ("fr", "Le salon aura lieu à Quimper au mois de juin.", "Quimper"),
    ],
)
def test_small_towns_after_a_preposition_or_when_rare(lang, text, town) -> None:
    assert places(text, lang).get(town) == "city"


@pytest.mark.parametrize(
    ("lang", "text", "word"),
    [
        # ordinary words that are also towns somewhere
        ("de", "Die Mitte der Gesellschaft fühlt sich vergessen, sagte der Forscher.", "Mitte"),
        ("de", "In der Mitte des Platzes stand ein Brunnen.", "Mitte"),
        ("pt", "O Natal deste ano será mais modesto para muitas famílias.", "Natal"),
        ("en", "We met the Rosso brothers at the market.", "Rosso"),
        # a town's name in capitals, after an initial, or said by someone is not the town
        ("en", "The PEPA record links the hospitals of the region.", "PEPA"),
        ("en", "The review was written by A. Sanger and two colleagues.", "Sanger"),
        ("en", "Ruling on the case, Pushkin said the contract was void.", "Pushkin"),
        # at the start of a sentence a capital says nothing
        ("en", "Bucha residents were asked to stay home.", "Bucha"),
        # part of a longer name
        ("en", "The band played at Shoreline Amphitheatre last night.", "Shoreline"),
    ],
)
def test_small_towns_are_not_taken_for_words_or_people(lang, text, word) -> None:
    assert word not in places(text, lang)


def test_german_small_town_needs_a_preposition() -> None:
    # "Heidelberg" without a preposition in German prose could be any capitalised noun
    assert "Heidelberg" not in places("Heidelberg Zement meldete höhere Umsätze.", "de")
    assert places("Der Zug fährt nach Heidelberg.", "de").get("Heidelberg") == "city"


def test_namesakes_go_to_the_most_populous_town() -> None:
    gaz = get_gazetteer()
    [alias] = gaz.lookup(("bucha",))
    assert alias.minor and alias.type == "city"
    # every minor town key maps to exactly one place
    minor_keys = [k for k, v in gaz.by_key.items() if any(a.minor for a in v)]
    assert minor_keys and all(len(gaz.by_key[k]) == 1 for k in minor_keys)


@pytest.mark.parametrize(
    ("lang", "text", "state"),
    [
        ("en", "Wildfires spread across Oregon and Nevada on Sunday.", "Oregon"),
        ("es", "Los incendios avanzan en Oregón y en Nevada.", "Nevada"),
        ("de", "Die Waldbrände in Oregon breiten sich aus.", "Oregon"),
    ],
)
def test_us_states(lang, text, state) -> None:
    assert places(text, lang).get(state) == "place"


def test_a_state_name_that_is_a_given_name_beside_a_surname_is_a_person() -> None:
    found = places("Virginia Woolf wrote the novel in London.", "en")
    assert "Virginia" not in found and found.get("London") == "city"


def test_a_small_town_inside_a_longer_name_is_not_taken() -> None:
    text = "O governo do Rio Grande do Sul pediu ajuda. Ele vive em Rio Grande desde 2010."
    doc = extract_entities(text, "pt")
    towns = [m.surface for e in doc.entities for m in e.mentions if e.type == "city"]
    assert towns == ["Rio Grande"]  # the second one, not the state's name
    assert text.index("Rio Grande desde") == next(
        m.start for e in doc.entities for m in e.mentions if e.type == "city"
    )
