"""Surname particles: "von der Leyen", "de la Fuente", "van den Berg" stay whole and group with
the full name; lowercase "von"/"de" are never taken for given names.

All sentences are written for these tests; expectations come from reading them.
"""

from __future__ import annotations

import duckdb
import pytest

from newsetl.entities import DocumentEntities, extract_entities, store_entities


def groups(doc: DocumentEntities) -> list[list[str]]:
    return [[m.surface for m in e.mentions] for e in doc.entities]


def group_of(doc: DocumentEntities, surface: str) -> list[str]:
    for g in groups(doc):
        if surface in g:
            return g
    raise AssertionError(f"{surface!r} not in {groups(doc)}")


@pytest.mark.parametrize(
    ("lang", "text", "full", "short"),
    [
        ("en", "The summit was chaired by Ursula von der Leyen. Later, von der Leyen told "
         "reporters that the money was ready.", "Ursula von der Leyen", "von der Leyen"),
        ("de", "Die Kommissionspräsidentin Ursula von der Leyen reiste nach Kiew. Dort sagte "
         "von der Leyen, die Hilfe komme bald.", "Ursula von der Leyen", "von der Leyen"),
        ("es", "La ministra Carmen de la Fuente visitó Sevilla. Según de la Fuente, el plan "
         "de riego es viable.", "Carmen de la Fuente", "de la Fuente"),
        ("es", "La ministra Carmen de la Fuente visitó Sevilla. De la Fuente añadió que el "
         "plan es viable.", "Carmen de la Fuente", "De la Fuente"),
        ("nl", "Minister Pieter van den Berg sprak in Utrecht. Van den Berg zei dat de dijken "
         "sterk genoeg zijn.", "Pieter van den Berg", "Van den Berg"),
        ("nl", "Minister Pieter van den Berg sprak in Utrecht. Volgens van den Berg zijn de "
         "dijken sterk genoeg.", "Pieter van den Berg", "van den Berg"),
        ("pt", "O ministro João dos Santos falou em Lisboa. Segundo dos Santos, o plano "
         "funciona.", "João dos Santos", "dos Santos"),
        ("fr", "Hier, le général Charles de Gaulle a parlé longtemps. De Gaulle a ensuite quitté "
         "la salle.", "Charles de Gaulle", "De Gaulle"),
    ],
)  # fmt: skip
def test_particles_stay_with_the_surname(lang, text, full, short) -> None:
    doc = extract_entities(text, lang)
    group = group_of(doc, full)
    assert short in group
    assert short.split()[-1] not in [s for g in groups(doc) for s in g]  # no bare "Leyen"
    for ent in doc.entities:
        for m in ent.mentions:
            assert text[m.start : m.end] == m.surface


def test_titled_particle_surname_without_full_name() -> None:
    text = "Commission President von der Leyen met farmers on Monday. Von der Leyen left early."
    doc = extract_entities(text, "en")
    assert sorted(group_of(doc, "von der Leyen")) == ["Von der Leyen", "von der Leyen"]
    assert next(e for e in doc.entities if "von der Leyen" in e.aliases).type == "person"


@pytest.mark.parametrize(
    ("lang", "text", "not_a_name"),
    [
        # German grammar, not a name: "von der" + an ordinary noun
        ("de", "Die Antwort von der Regierung kam erst am Abend.", "von der Regierung"),
        ("de", "Die Zahlen von der Bundesbank überraschten.", "von der Bundesbank"),
        # "de la" before a place or an ordinary capitalised word
        ("es", "El alcalde de la Coruña habló con los vecinos.", "de la Coruña"),
    ],
)
def test_particles_do_not_make_persons(lang, text, not_a_name) -> None:
    doc = extract_entities(text, lang)
    surfaces = [s for g in groups(doc) for s in g]
    assert not_a_name not in surfaces
    assert not any(e.type == "person" for e in doc.entities), groups(doc)


def _warehouse() -> duckdb.DuckDBPyConnection:
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    con = duckdb.connect()
    con.execute((repo / "warehouse" / "migrations" / "003_entities.sql").read_text())
    return con


def test_lone_particle_surname_needs_evidence_across_documents() -> None:
    """Two articles that only say "van der Meulen" are about two people until something links
    them: the particles do not make a lone surname a full name."""
    con = _warehouse()
    docs = [
        ("a1", "nl", "Coach Henk van der Meulen won met zijn ploeg in Utrecht."),
        ("a2", "nl", "Volgens de rechter zei van der Meulen niets over de fraude in Groningen."),
        ("a3", "nl", "Henk van der Meulen bleef in Utrecht als coach van de ploeg."),
    ]
    store_entities(
        con,
        [
            {"article_id": a, "language": lang, "entities": extract_entities(text, lang)}
            for a, lang, text in docs
        ],
    )
    rows = dict(
        con.execute(
            "SELECT article_id, entity_id FROM mentions WHERE surface LIKE '%van der Meulen'"
        ).fetchall()
    )
    assert rows["a1"] == rows["a3"]  # the full name links
    assert rows["a2"] != rows["a1"]  # the lone surname has no evidence
