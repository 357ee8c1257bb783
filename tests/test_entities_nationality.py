"""Nationality, demonym and religion words (issue 13, round 3): mentions of their own type,
linked to their country by the resolution layer, kept out of story clustering; and stories
counted on resolved ids, the same for any order of storing.

All texts are written for these tests; expectations come from reading them. Real extraction,
real DuckDB files (the migrated warehouse of conftest)."""

from __future__ import annotations

import shutil
from pathlib import Path

from entity_docs import documents

from newsetl import warehouse
from newsetl.entities import extract_entities, refresh_entity_layers, store_entities
from newsetl.entities.demonyms import NATIONALITY, lexicon, lookup


def _entities(text: str, lang: str) -> dict[str, tuple[str, list[str]]]:
    return {
        e.canonical_id or e.key: (e.type, [m.surface for m in e.mentions])
        for e in extract_entities(text, lang).entities
    }


def test_the_lexicon_comes_from_country_and_language_names() -> None:
    en = lexicon("en")
    assert en["Israeli"] == en["Israelis"] == "IL"  # "Israel" + "i", plural
    assert en["Russian"] == "RU" and en["Chinese"] == "CN" and en["British"] == "GB"
    assert en["Swedish"] == "SE"  # a language name, linked by its first four letters
    assert en["French"] == en["English"] == ""  # language names no country name starts like
    assert "Finish" not in en and "Green" not in en  # derivations that are ordinary words
    assert lexicon("nl")["Nederlandse"] == "NL" and lexicon("nl")["Belgische"] == "BE"
    assert lookup("Brytyjczyków", "pl") == "GB"  # a Polish noun in the genitive, by its lemma
    assert lookup("Britové", "cs") == "GB"
    assert lookup("Niemcy", "pl") is None  # that is Germany itself
    assert lookup("Kowalczyk", "pl") is None  # a surname with a demonym-like ending


def test_nationality_words_are_mentions_of_their_own_type() -> None:
    text = (
        "Israeli Prime Minister Benjamin Netanyahu met Russian officials. The Israelis said "
        "British Airways would resume flights; Muslims and Christians prayed together."
    )
    found = _entities(text, "en")
    assert found["nationality:il"] == (NATIONALITY, ["Israeli", "Israelis"])
    assert found["nationality:ru"] == (NATIONALITY, ["Russian"])
    assert found["person:benjamin-netanyahu"][1] == ["Benjamin Netanyahu"]
    # a demonym inside a longer name stays part of that name
    assert found["organisation:british-airways"] == ("organisation", ["British Airways"])
    assert {"Muslims", "Christians"} <= {s for t, ss in found.values() if t == NATIONALITY
                                         for s in ss}  # fmt: skip


def test_slavic_and_dutch_nationality_nouns_and_adjectives() -> None:
    pl = _entities("Brytyjczycy zagłosowali. Rząd rozmawiał z Brytyjczykami w Warszawie.", "pl")
    assert pl["nationality:gb"] == (NATIONALITY, ["Brytyjczycy", "Brytyjczykami"])
    nl = _entities("De Nederlandse regering sprak met Belgische ministers.", "nl")
    assert nl["nationality:nl"] == (NATIONALITY, ["Nederlandse"])
    assert nl["nationality:be"] == (NATIONALITY, ["Belgische"])


def test_a_nationality_resolves_to_its_country(con) -> None:
    docs = documents([
        ("pl-brexit", "pl", "2026-03-01T09:00",
         "Brytyjczycy zagłosowali za wyjściem. Wielka Brytania opuści Unię."),
        ("en-brexit", "en", "2026-03-01T10:00", "British voters chose to leave the Union."),
    ])  # fmt: skip
    con.execute("BEGIN TRANSACTION")
    store_entities(con, docs)
    refresh_entity_layers(con)
    con.execute("COMMIT")
    resolved = dict(con.execute("SELECT surface, resolved_id FROM resolved_mentions").fetchall())
    assert resolved["Brytyjczycy"] == resolved["British"] == resolved["Wielka Brytania"]
    assert resolved["British"] == "country:GB"
    rule = con.execute(
        "SELECT rule FROM entity_resolution WHERE entity_id = 'nationality:gb'"
    ).fetchone()
    assert rule == ("nationality",)


# Two reports of one meeting: the same two (invented) people, in Cyrillic and in Latin letters,
# so their mention ids differ and only the resolved ids are shared.
RU = "Игорь Соколовский и Марина Левандовская встретились в Женеве."
EN = "Igor Sokolovsky and Marina Levandovskaya met in Geneva."
# Two unrelated articles that share nothing but nationality words and a country.
EN_A = "Russian and Ukrainian farmers protested in Poland over grain prices."
EN_B = "Russian and Ukrainian artists opened an exhibition in Poland."


def _stories(path: Path, articles) -> set[frozenset[str]]:
    con = warehouse.connect(path)
    try:
        for doc in documents(articles):
            con.execute("BEGIN TRANSACTION")
            store_entities(con, [doc])
            refresh_entity_layers(con)
            con.execute("COMMIT")
        rows = con.execute(
            "SELECT article_id, story_id, shared_entities FROM story_clusters"
        ).fetchall()
    finally:
        con.close()
    for _, _, shared in rows:
        assert not any(e.startswith(NATIONALITY + ":") for e in shared)
    by_story: dict[str, set[str]] = {}
    for article, story, _ in rows:
        by_story.setdefault(story, set()).add(article)
    return {frozenset(v) for v in by_story.values()}


def test_stories_use_resolved_ids_in_any_order(tmp_path: Path, migrated_file: Path) -> None:
    ids_ru = {e.key for e in extract_entities(RU, "ru").entities if e.type == "person"}
    ids_en = {e.key for e in extract_entities(EN, "en").entities if e.type == "person"}
    assert len(ids_ru) == len(ids_en) == 2 and not ids_ru & ids_en  # ids alone share nothing
    articles = [
        ("ru-meet", "ru", "2026-04-02T09:00", RU),
        ("en-meet", "en", "2026-04-02T11:00", EN),
        ("en-farm", "en", "2026-04-02T10:00", EN_A),
        ("en-art", "en", "2026-04-02T12:00", EN_B),
    ]
    results = []
    for k, order in enumerate((articles, articles[::-1], articles[1::2] + articles[0::2])):
        path = tmp_path / f"wh{k}.duckdb"
        shutil.copyfile(migrated_file, path)
        results.append(_stories(path, order))
    assert results[0] == {frozenset({"ru-meet", "en-meet"})}  # nationalities make no story
    assert results[1] == results[0] and results[2] == results[0]
