"""Names where the capital is the clue (issue 13, round 4): a capitalised ordinary noun in
languages that write nouns in lower case, capitalised articles inside names, long names
headed by such a noun, wire datelines, label lines. Real extraction, no mocks."""

from __future__ import annotations

import pytest

from newsetl.entities import extract_entities


def found(text: str, language: str) -> dict[str, tuple[str, str]]:
    """surface -> (id, type) of every mention."""
    doc = extract_entities(text, language)
    return {m.surface: (e.canonical_id or e.key, e.type) for e in doc.entities for m in e.mentions}


@pytest.mark.parametrize(
    "text, language, name",
    [
        ("El vicepresidente de la Junta inaugura la feria.", "es", "Junta"),
        ("Los miembros del Gobierno visitaron la ciudad.", "es", "Gobierno"),
        ("O padre falou da Igreja durante a missa.", "pt", "Igreja"),
        ("Tegnap a Bizottság döntött a kérdésről.", "hu", "Bizottság"),
    ],
)
def test_a_capitalised_ordinary_noun_mid_sentence_is_a_name(
    text: str, language: str, name: str
) -> None:
    got = found(text, language)
    assert got[name][1] == "organisation", got


@pytest.mark.parametrize(
    "text, language, word",
    [
        # German capitalises every noun, English its days and nationalities
        ("Die Regierung traf sich mit der Kommission.", "de", "Kommission"),
        ("The talks resumed on Monday with the Council.", "en", "Monday"),
        # the same word in lower case, or as a sentence's first word, is an ordinary word
        ("La junta directiva se reunió ayer.", "es", "junta"),
        ("Gobierno y sindicatos firmaron ayer.", "es", "Gobierno"),
        # Italian names go on in lower case after the noun: where they end is unknown
        ("La Corte suprema ha confermato la condanna.", "it", "Corte"),
        # a capitalised function word mid-line is a sentence whose full stop is missing
        ("Compra la casa hoy Para todos los clientes hay descuento.", "es", "Para"),
        # months and weekdays, which older Portuguese and many web pages capitalise
        ("A reunião foi a 14 de Março de 2013 em Lisboa.", "pt", "Março"),
        # a language the rule was not measured on: web text without full stops
        ("admin δες και αυτα Αποφθέγματα και γνωμικά για την ζωή", "el", "Αποφθέγματα"),
    ],
)
def test_capitals_that_say_nothing_stay_out(text: str, language: str, word: str) -> None:
    assert word not in found(text, language)


def test_a_lower_case_verb_ends_an_italian_institution_name() -> None:
    assert "Chiesa" in found("Ieri la Chiesa ha annunciato il sinodo.", "it")


@pytest.mark.parametrize(
    "text, language, name",
    [
        ("Es el director de La Voz de Galicia desde 1990.", "es", "La Voz de Galicia"),
        ("Het artikel verscheen in De Standaard van gisteren.", "nl", "De Standaard"),
        ("It was first reported by The Guardian on Friday.", "en", "The Guardian"),
    ],
)
def test_a_capitalised_article_mid_sentence_belongs_to_the_name(
    text: str, language: str, name: str
) -> None:
    assert name in found(text, language)


def test_an_article_at_a_sentence_start_stays_out() -> None:
    got = found("La Junta decidió ayer. El Gobierno calló.", "es")
    assert "La Junta" not in got and "El Gobierno" not in got


@pytest.mark.parametrize(
    "text, language, name",
    [
        ("Se clasificó para la Copa de la UEFA tras el partido.", "es", "Copa de la UEFA"),
        ("El campeón de la Liga de San Marino jugará en París.", "es", "Liga de San Marino"),
    ],
)
def test_a_capitalised_noun_heads_a_known_name_after_de(
    text: str, language: str, name: str
) -> None:
    assert name in found(text, language)


def test_wire_datelines_are_places() -> None:
    text = (
        "Cunningham retires.\nPHILADELPHIA 1996-08-29\n"
        "Randall Cunningham retired on Thursday in Philadelphia.\n"
        "Shares rise on merger.\nFARMINGTON HILLS, Mich.\n1996-08-30\nShares rose.\n"
    )
    got = found(text, "en")
    assert got["PHILADELPHIA"][1] in ("city", "place", "country")
    assert got["PHILADELPHIA"][0] == got["Philadelphia"][0]  # the body's word joins it
    assert got["FARMINGTON HILLS"][1] in ("city", "place")
    got = found("La Coruña, 23 may (EFE).\nLos jugadores del Deportivo ganaron.", "es")
    assert "La Coruña" in got


def test_two_known_places_in_a_dateline_stay_two() -> None:
    got = found("FRANCE PARIS 17 mai.\nLa chambre touche au terme de sa session.", "fr")
    assert "FRANCE PARIS" not in got


def test_a_label_line_is_a_name_and_a_section_heading_is_not() -> None:
    text = "Iran wijst op aftappen\nDe Morgen\nPolitici reageren.\nAlgemeen\nHet nieuws.\n"
    got = found(text, "nl")
    assert "De Morgen" in got
    assert "Algemeen" not in got
    got = found("Morto il regista\nStoria\nIl primo progetto risale al 1920.\n", "it")
    assert "Storia" not in got


def test_more_english_demonyms_from_country_names() -> None:
    got = found("Canadian bonds rose while Lebanese and Palestinian officials met.", "en")
    assert got["Canadian"] == ("nationality:ca", "nationality")
    assert got["Lebanese"] == ("nationality:lb", "nationality")
    assert got["Palestinian"] == ("nationality:ps", "nationality")


def test_a_name_that_starts_with_an_article_is_no_person() -> None:
    """ "El Hierro", "La Restinga": an article-led name is a place or a title, so its id is
    the same in every article (a one-word person's id is local to its article)."""
    text = "Migrants landed on El Hierro on Monday. The boat reached La Restinga."
    got = found(text, "en")
    assert got["El Hierro"] == ("other:el-hierro", "other")
    assert got["La Restinga"] == ("other:la-restinga", "other")
    got = found("Los migrantes llegaron a El Hierro el lunes.", "es")
    assert got["El Hierro"] == ("other:el-hierro", "other")
