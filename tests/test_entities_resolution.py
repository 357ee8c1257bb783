"""Entity resolution across documents and languages (issue 13, round 2): spelling keys across
scripts and case forms, lone surnames, acronyms, doubtful links reported and not applied, the
same rows for any order of storing. Real extraction, real DuckDB files (migration 008)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import duckdb
from entity_docs import documents

from newsetl import warehouse
from newsetl.entities import refresh_entity_layers, refresh_entity_resolution, store_entities
from newsetl.entities.resolve import EntityRecord, name_key, resolve

ARTICLES = [
    ("ru-1", "ru", "2026-03-01T09:00", "Дональд Трамп прилетел в Лондон. Трамп встретился с "
     "премьером."),
    ("pl-1", "pl", "2026-03-01T10:00", "Wizyta Donalda Trumpa w Londynie. Donald Trump "
     "rozmawiał z premierem."),
    ("en-1", "en", "2026-03-01T11:00", "Donald Trump arrived in London on Monday."),
    ("en-2", "en", "2026-03-01T12:00", "Critics said Trump had not answered the question."),
    ("en-3", "en", "2026-03-02T09:00", "The Coastal Fisheries Council (CFC) met in Lisbon. "
     "The CFC will publish its findings."),
    ("en-4", "en", "2026-03-02T10:00", "Anna Keller and Hans Keller spoke. Keller left early."),
    ("en-5", "en", "2026-03-02T11:00", "Keller was not available for comment."),
]  # fmt: skip


def store(con, docs) -> None:
    con.execute("BEGIN TRANSACTION")
    store_entities(con, docs)
    refresh_entity_layers(con)
    con.execute("COMMIT")


def resolved(con) -> dict[tuple[str, int], str]:
    return {
        (a, n): r
        for a, n, r in con.execute(
            "SELECT article_id, mention_no, resolved_id FROM resolved_mentions"
        ).fetchall()
    }


def surface_groups(con) -> dict[str, set[str]]:
    """resolved id -> the article ids whose mentions carry it (for readable assertions)."""
    out: dict[str, set[str]] = {}
    for article, surface, rid in con.execute(
        "SELECT article_id, surface, resolved_id FROM resolved_mentions"
    ).fetchall():
        out.setdefault(rid, set()).add(f"{article}:{surface}")
    return out


def group_of(con, article: str, surface: str) -> str:
    row = con.execute(
        "SELECT resolved_id FROM resolved_mentions WHERE article_id = ? AND surface = ?",
        [article, surface],
    ).fetchone()
    assert row, (article, surface, surface_groups(con))
    return row[0]


def test_spelling_keys_meet_across_scripts_and_case_forms() -> None:
    assert name_key("Дональд Трамп") == name_key("Donald Trump") == name_key("Donalda Trumpa")
    assert name_key("Лондон") == name_key("Londynie") == name_key("London")
    assert name_key("Брекзит") == name_key("Brexit")
    assert name_key("Trump") != name_key("Tusk")
    assert name_key("Rom") is None  # one short word: too weak to link on


def test_one_person_across_languages_and_a_lone_surname(con) -> None:
    store(con, documents(ARTICLES))
    ru = group_of(con, "ru-1", "Дональд Трамп")
    assert group_of(con, "pl-1", "Donalda Trumpa") == ru
    assert group_of(con, "en-1", "Donald Trump") == ru
    # en-2 names Trump alone (not typed as a person); the only full name ending in Trump
    # takes it
    lone = con.execute(
        "SELECT entity_id FROM mentions WHERE article_id = 'en-2' AND surface = 'Trump'"
    ).fetchone()[0]
    assert lone != ru
    assert group_of(con, "en-2", "Trump") == ru
    rule = con.execute("SELECT rule FROM entity_resolution WHERE entity_id = ?", [lone]).fetchone()
    assert rule == ("surname",)
    # mention ids are untouched: the layer only adds the group
    assert con.execute("SELECT count(*) FROM mentions WHERE entity_id = ?", [ru]).fetchone()[0]


def test_a_surname_shared_by_two_full_names_is_reported_not_applied(con) -> None:
    store(con, documents(ARTICLES))
    lone = con.execute(
        "SELECT entity_id FROM mentions WHERE article_id = 'en-5' AND surface = 'Keller'"
    ).fetchone()[0]
    assert group_of(con, "en-5", "Keller") == lone  # not linked to Anna nor Hans
    review = con.execute(
        "SELECT rule, candidates FROM entity_resolution_review WHERE entity_id = ?", [lone]
    ).fetchall()
    assert len(review) == 1 and review[0][0] == "surname"
    assert len(review[0][1].split(",")) == 2


def test_acronym_and_expansion_named_together_are_one_group() -> None:
    records = [
        EntityRecord("organisation:cfc", "organisation", "CFC", articles=frozenset({"a", "b"})),
        EntityRecord(
            "organisation:coastal-fisheries-council",
            "organisation",
            "Coastal Fisheries Council",
            articles=frozenset({"a"}),
        ),
        EntityRecord(
            "organisation:central-finance-committee",
            "organisation",
            "Central Finance Committee",
            articles=frozenset({"c"}),
        ),
    ]
    res = resolve(records)
    assert res.resolved["organisation:cfc"] == "organisation:coastal-fisheries-council"
    assert res.rule["organisation:cfc"] == "acronym"
    # named in the same article as two expansions: reported, not applied
    records[2].articles = frozenset({"b"})
    res = resolve(records)
    assert res.resolved["organisation:cfc"] == "organisation:cfc"
    assert [r[2] for r in res.review] == ["acronym"]


def test_two_seed_entities_and_a_person_and_a_place_are_never_joined() -> None:
    records = [
        EntityRecord("city:paris", "city", "Paris", "seed", [("Paris", "mul")]),
        EntityRecord("city:paris-texas", "city", "Paris", "seed", [("Paris", "mul")]),
        EntityRecord("person:paris-hilton", "person", "Paris Hilton"),
        EntityRecord("other:paris", "other", "Paris"),
    ]
    res = resolve(records)
    assert res.resolved["city:paris"] != res.resolved["city:paris-texas"]
    assert res.resolved["person:paris-hilton"] == "person:paris-hilton"
    assert any("seed" in r[3] for r in res.review)


def test_resolution_does_not_depend_on_batches_or_order(tmp_path: Path, migrated_file: Path):
    docs = documents(ARTICLES)
    results = []
    for n, (split, seed) in enumerate([(len(docs), None), (1, 5), (3, 9)]):
        path = tmp_path / f"r-{n}.duckdb"
        shutil.copyfile(migrated_file, path)
        con = warehouse.connect(path)
        order = list(docs)
        if seed is not None:
            random.Random(seed).shuffle(order)
        for k in range(0, len(order), split):
            store(con, order[k : k + split])
        results.append(
            (
                resolved(con),
                con.execute("SELECT * FROM entity_resolution ORDER BY ALL").fetchall(),
                con.execute("SELECT * FROM entity_resolution_review ORDER BY ALL").fetchall(),
            )
        )
        con.close()
    assert all(r == results[0] for r in results[1:])
    assert results[0][1]  # something was linked


def test_reprocessing_keeps_the_groups_and_a_removed_article_drops_its_links(con) -> None:
    docs = documents(ARTICLES)
    store(con, docs)
    before = resolved(con)
    store(con, documents(ARTICLES[::-1]))
    assert resolved(con) == before
    # without the full names, the lone "Trump" has nothing to join
    store(con, documents([(a, lang, ts, "Boats left Lisbon.") for a, lang, ts, _ in ARTICLES[:3]]))
    assert group_of(con, "en-2", "Trump") != before[("ru-1", 0)]


def test_a_warehouse_without_migration_008_is_left_alone(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "bare.duckdb"))
    assert refresh_entity_resolution(con) == 0
    con.close()


def test_a_short_seed_alias_does_not_take_a_look_alike_name() -> None:
    records = [
        EntityRecord("country:TH", "country", "Thailand", "seed", [("Tajska", "sl")]),
        EntityRecord("other:tusk", "other", "Tusk", forms=[("Tusk", "sl")]),
        EntityRecord("person:donald-tusk", "person", "Donald Tusk", forms=[("Donald Tusk", "sl")]),
    ]
    res = resolve(records)
    assert res.resolved["other:tusk"] == "person:donald-tusk"
    assert res.rule["other:tusk"] == "surname"
