"""The extended curated seed: institutions, treaties and geography of world news, in seven
languages, found in text and linked to one canonical id per entity.

All sentences are written for these tests; expectations come from reading them.
"""

from __future__ import annotations

import pytest

from newsetl.entities import DocumentEntities, extract_entities
from newsetl.entities.seeds import curated_entries


def canonical(doc: DocumentEntities) -> dict[str, str | None]:
    """surface -> canonical id (None when the mention is not a seed entity)."""
    return {m.surface: e.canonical_id for e in doc.entities for m in e.mentions}


@pytest.mark.parametrize(
    ("lang", "text", "surface", "entity_id"),
    [
        ("en", "Loans from the Inter-American Development Bank reached Peru.",
         "Inter-American Development Bank", "org:idb"),
        ("es", "El Banco Interamericano de Desarrollo aprobó un préstamo para Perú.",
         "Banco Interamericano de Desarrollo", "org:idb"),
        ("pt", "O Banco Interamericano de Desenvolvimento aprovou o empréstimo.",
         "Banco Interamericano de Desenvolvimento", "org:idb"),
        ("es", "Los cancilleres de la OEA se reunieron ayer en Lima.", "OEA", "org:oas"),
        ("en", "Foreign ministers of the OAS met in Washington.", "OAS", "org:oas"),
        ("fr", "Les physiciens du CERN ont publié leurs mesures.", "CERN", "org:cern"),
        ("de", "Die Ermittler von Interpol und Europol suchten den Mann.", "Interpol",
         "org:interpol"),
        ("de", "Die Ermittler von Interpol und Europol suchten den Mann.", "Europol",
         "org:europol"),
        ("nl", "De Europese Investeringsbank leent geld aan gemeenten.",
         "Europese Investeringsbank", "org:eib"),
        ("it", "La Banca europea per gli investimenti ha firmato l'accordo.",
         "Banca europea per gli investimenti", "org:eib"),
        ("nl", "Volgens de Internationale Arbeidsorganisatie stijgt de werkloosheid.",
         "Internationale Arbeidsorganisatie", "org:ilo"),
        ("fr", "Une toile a disparu du Louvre la semaine dernière.", "Louvre", "org:louvre"),
        ("it", "Le acque del Reno e del Danubio sono basse.", "Danubio", "place:danube"),
        ("nl", "Het water van de Rijn staat laag bij Lobith.", "Rijn", "place:rhine"),
        ("pt", "Os ministros do Mercosul assinaram a declaração.", "Mercosul", "org:mercosur"),
        ("es", "La OTAN y la OSCE enviaron observadores.", "OSCE", "org:osce"),
        ("de", "Die OSZE schickte Beobachter in den Kaukasus.", "OSZE", "org:osce"),
        ("de", "Die OSZE schickte Beobachter in den Kaukasus.", "Kaukasus", "place:caucasus"),
        ("en", "Climbers returned from Mount Everest on Tuesday.", "Mount Everest",
         "place:everest"),
        ("fr", "Le GIEC a publié un nouveau rapport sur la Méditerranée.", "GIEC", "org:ipcc"),
        ("fr", "Le GIEC a publié un nouveau rapport sur la Méditerranée.", "Méditerranée",
         "place:mediterranean"),
    ],
)  # fmt: skip
def test_world_institutions_and_places_are_found(lang, text, surface, entity_id) -> None:
    assert canonical(extract_entities(text, lang)).get(surface) == entity_id


def test_one_institution_is_one_id_across_seven_languages() -> None:
    texts = {
        "en": "The World Anti-Doping Agency opened an inquiry.",
        "fr": "L'Agence mondiale antidopage a ouvert une enquête.",
        "it": "L'Agenzia mondiale antidoping ha aperto un'indagine.",
        "es": "La Agencia Mundial Antidopaje abrió una investigación.",
        "pt": "A Agência Mundial Antidopagem abriu uma investigação.",
        "de": "Die Welt-Anti-Doping-Agentur hat eine Untersuchung eingeleitet.",
        "nl": "Het Wereldantidopingagentschap opende een onderzoek.",
    }
    ids = {
        lang: {e.canonical_id for e in extract_entities(text, lang).entities}
        for lang, text in texts.items()
    }
    assert all(found == {"org:wada"} for found in ids.values()), ids


@pytest.mark.parametrize(
    ("lang", "text", "surface"),
    [
        # a foreign-language acronym that is an ordinary acronym here is not that institution
        ("en", "Inflation data showed the CPI rose 3% in March.", "CPI"),
        ("en", "The CIO of the bank resigned on Friday.", "CIO"),
        ("en", "Pottery from 300 BCE was found near the river.", "BCE"),
        # "Oder" is German for "or"; "Bei" a German preposition
        ("de", "Oder wollen die Minister noch warten?", "Oder"),
        ("de", "Bei der Sitzung fehlten zwei Minister.", "Bei"),
    ],
)
def test_foreign_acronyms_and_words_are_not_institutions(lang, text, surface) -> None:
    assert canonical(extract_entities(text, lang)).get(surface) is None


def test_curated_entries_are_well_formed() -> None:
    entries = curated_entries()
    ids = [entity_id for entity_id, *_ in entries]
    assert len(ids) == len(set(ids))
    assert len(entries) > 350  # countries come from pycountry; this is the curated part
    for entity_id, name, etype, by_lang in entries:
        assert entity_id.split(":")[0] in {"org", "treaty", "law", "event", "place", "city"}
        assert name and etype in {"organisation", "treaty", "law", "event", "place", "city",
                                  "country"}  # fmt: skip
        assert by_lang and all(
            isinstance(a, str) and a.strip() for v in by_lang.values() for a in v
        )
