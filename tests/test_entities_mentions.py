"""Mentions where names really are (issue 13): sentence-initial names, names that are also
common words, case forms in inflected languages, span boundaries, types. Real extraction."""

from __future__ import annotations

import pytest

from newsetl.entities import extract_entities


def found(text: str, language: str) -> dict[str, tuple[str, str]]:
    """surface -> (id, type) of every mention."""
    doc = extract_entities(text, language)
    return {m.surface: (e.canonical_id or e.key, e.type) for e in doc.entities for m in e.mentions}


def test_a_name_at_the_start_of_a_sentence() -> None:
    got = found("Mario Draghi ha visitato Avellino ieri.", "it")
    assert got["Mario Draghi"] == ("person:mario-draghi", "person")
    assert "Avellino" in got
    got = found("Nick Ashton-Hart leads the talks. Ashton-Hart said little.", "en")
    assert got["Nick Ashton-Hart"][0] == got["Ashton-Hart"][0] == "person:nick-ashton-hart"
    # a one-word name at a sentence's start joins the same name written mid-sentence
    got = found("Officials praised Kowalczyk on Monday. Kowalczyk thanked them.", "en")
    assert list(got) == ["Kowalczyk", "Kowalczyk"] or len(got) == 1
    assert "Monday" not in got


@pytest.mark.parametrize(
    "text, language, names",
    [
        ("La Fiat e Trenitalia hanno firmato un accordo.", "it", ["Fiat", "Trenitalia"]),
        ("El acuerdo con Telefónica se firmó en Oviedo.", "es", ["Telefónica", "Oviedo"]),
        ("Ieri Trenitalia ha annunciato nuovi treni.", "it", ["Trenitalia"]),
    ],
)
def test_names_that_are_also_frequent_words(text: str, language: str, names: list[str]) -> None:
    got = found(text, language)
    assert all(name in got for name in names), got


@pytest.mark.parametrize(
    "text, language",
    [
        ("Yesterday the committee met again.", "en"),
        ("Ieri il governo ha approvato il bilancio.", "it"),
        ("Adwokat powiedział, że sprawa jest trudna.", "pl"),
        ("Вчера правительство одобрило бюджет.", "ru"),
    ],
)
def test_ordinary_capitalised_words_are_not_names(text: str, language: str) -> None:
    assert found(text, language) == {}


def test_nationality_words_are_mentions_and_weekdays_are_not() -> None:
    # issue 13 round 3: nationality words are mentions of their own type (see demonyms.py)
    got = found("On Monday Russian and French officials met.", "en")
    assert got == {
        "Russian": ("nationality:ru", "nationality"),
        "French": ("nationality:french", "nationality"),
    }


def test_case_forms_are_one_entity_and_known_names_are_found_in_any_case() -> None:
    got = found(
        "Donald Trump spotkał się w Pensylwanii z senatorem. Trumpa pytano o Pensylwanię, "
        "a Rosji i Niemczech nie było w programie.",
        "pl",
    )
    assert got["Donald Trump"][0] == got["Trumpa"][0] == "person:donald-trump"
    assert got["Pensylwanii"][0] == got["Pensylwanię"][0]
    assert got["Rosji"] == ("country:RU", "country")
    assert got["Niemczech"] == ("country:DE", "country")
    ru = found("Дональд Трамп встретился с Владимиром Путиным в Москве. Путин сказал ...", "ru")
    assert ru["Дональд Трамп"][1] == ru["Владимиром Путиным"][1] == "person"
    assert ru["Путин"][0] == ru["Владимиром Путиным"][0]
    assert ru["Москве"] == ("city:moscow", "city")


def test_a_short_word_with_the_stem_of_a_known_name_is_not_that_name() -> None:
    assert found("Gaz płynie przez Bałtyk.", "pl").get("Gaz", ("", ""))[0] != "place:gaza"


@pytest.mark.parametrize(
    "text, language, expected",
    [
        # prepositions are not name particles
        ("Gaz płynie z Rosji do Niemiec przez Bałtyk.", "pl", ["Rosji"]),
        ("Viorel Ion of Otelul Galati scored twice.", "en", ["Viorel Ion", "Otelul Galati"]),
        # ... while heads of names keep theirs
        ("The Bank of England raised rates.", "en", ["Bank of England"]),
        # initials
        ("J. S. Bach was born in Eisenach; C. Tolley scored.", "en", ["J. S. Bach", "C. Tolley"]),
        # a number that is part of the name, and the company that is not the pipeline
        ("The Nord Stream 2 pipeline is finished; Nord Stream 2 AG is based in Zug.", "en",
         ["Nord Stream 2", "Nord Stream 2 AG"]),
    ],
)  # fmt: skip
def test_span_boundaries(text: str, language: str, expected: list[str]) -> None:
    got = found(text, language)
    for surface in expected:
        assert surface in got, got
    if "Nord Stream 2 AG" in expected:
        assert got["Nord Stream 2"][0] != got["Nord Stream 2 AG"][0]


def test_lines_in_capitals_and_lines_of_names() -> None:
    got = found(
        "PAKISTAN BEAT ENGLAND IN MELBOURNE\nPakistan beat England in Melbourne on Sunday.\n"
        "1. Falk Balzer (Germany) 13.41\n2. Linford Christie (Britain) 10.04",
        "en",
    )
    assert got["PAKISTAN"][0] == got["Pakistan"][0] == "country:PK"
    assert "BEAT" not in got and "IN MELBOURNE" not in got
    assert "Falk Balzer" in got and "Linford Christie" in got  # not a headline


def test_the_labour_minister_is_not_the_labour_party() -> None:
    got = found("The Labour Minister spoke before the Labour Party met.", "en")
    assert got["Labour Party"][0] == "org:labour-party"
    assert got.get("Labour", ("", ""))[0] != "org:labour-party"


def test_cyrillic_persons_are_persons() -> None:
    got = found("Премьер Борис Джонсон прибыл в Брюссель. Джонсон заявил ...", "ru")
    assert got["Борис Джонсон"][1] == "person"
    assert got["Джонсон"][0] == got["Борис Джонсон"][0]


def test_an_ordinary_word_in_capitals_is_not_an_acronym() -> None:
    """Issue 13 round 2: "COAL", "PRECIOS", Hungarian "TEKINT" set in capitals are words; a
    rare word ("BUND", the German NGO, in English) and known acronyms stay names."""

    def surfaces(text: str, lang: str) -> set[str]:
        return {m.surface for e in extract_entities(text, lang).entities for m in e.mentions}

    assert "COAL" not in surfaces("COAL imports fell. The NATO summit opened in Riga.", "en")
    assert "NATO" in surfaces("COAL imports fell. The NATO summit opened in Riga.", "en")
    assert "PRECIOS" not in surfaces("Los PRECIOS suben. La OTAN se reunió en Madrid.", "es")
    assert "TEKINT" not in surfaces("A kormány TEKINT a jövőbe. A NATO ülésezett.", "hu")
    assert "BUND" in surfaces("Environmental group BUND sued the operator in Hamburg.", "en")


def test_initials_before_a_word_are_a_person() -> None:
    # English scorecards and agency copy: "A." is no article and "M." no title here
    got = found("A. Dale and M. Butcher batted on. Not out 23. M. Maynard bowled.", "en")
    assert got["A. Dale"][1] == got["M. Butcher"][1] == got["M. Maynard"][1] == "person"
    # a French "M." stays a title: the person is "Dupont"
    assert "Dupont" in found("M. Dupont a parlé hier à Lyon.", "fr")


def test_a_known_place_inside_an_organisation_name_is_part_of_it() -> None:
    got = found("Shares fell on the New York Stock Exchange. He flew to New York.", "en")
    assert got["New York Stock Exchange"][1] == "organisation"
    assert got["New York"] == ("city:new-york", "city")
    es = found("Investigadores de la Universidad de California viajaron a California.", "es")
    assert es["Universidad de California"][1] == "organisation"
    assert es["California"][1] != "organisation"
