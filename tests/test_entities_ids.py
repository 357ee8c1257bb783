"""Entity ids (issue 13): Unicode-safe, order-independent, stable under reprocessing, and the
migration of a warehouse written by the first id scheme. Real extraction, real DuckDB files."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import duckdb
import pytest
from entity_docs import documents

from newsetl import warehouse
from newsetl.entities import extract_entities, store_entities
from newsetl.entities.ids import entity_id, group_key, slug_of
from newsetl.entities.store import ID_SCHEME, upgrade_entity_ids
from newsetl.ingest import run_ingest
from newsetl.samples import SAMPLE_SITE
from newsetl.settings import Settings

V1_FIXTURE = Path(__file__).parent / "data" / "entities_ids_v1.json"

ARTICLES = [
    ("ru-gas", "ru", "2026-03-01T09:00", "Глава Нафтогаза Андрей Коболев встретился с Хайко "
     "Маасом в Киеве. Коболев сказал, что Нафтогаз готов к переговорам."),
    ("ru-us", "ru", "2026-03-01T10:00", "Джо Байден и Дональд Трамп провели дебаты. Байден "
     "заявил, что Трамп ошибается."),
    ("el-crete", "el", "2026-03-01T11:00", "Ο Κυριάκος Μητσοτάκης επισκέφθηκε την Κρήτη. Ο "
     "Μητσοτάκης μίλησε για τον τουρισμό."),
    ("pl-lodz", "pl", "2026-03-01T12:00", "Prezydent Łodzi Hanna Zdanowska otworzyła nowy dworzec "
     "Łódź Fabryczna. Zdanowska podziękowała mieszkańcom."),
    ("pl-trump", "pl", "2026-03-01T13:00", "Spotkanie Donalda Trumpa z Andrzejem Dudą. Donald "
     "Trump powiedział, że Trumpowi zależy na Polsce."),
    ("en-ecb", "en", "2026-03-02T09:00", "Former European Central Bank president Mario Draghi "
     "spoke in Frankfurt. Draghi said the ECB must act. Christine Lagarde, who leads the bank, "
     "listened."),
    ("en-later", "en", "2026-03-02T12:00", "Draghi met Christine Lagarde at the ECB again."),
    ("en-fish", "en", "2026-03-04T09:00", "Inspectors from the Coastal Fisheries Council (CFC) "
     "visited Lisbon. The CFC will publish its findings."),
    ("it-fish", "it", "2026-03-04T10:00", "Il Coastal Fisheries Council ha chiuso due porti."),
]  # fmt: skip


def store(con, docs) -> None:
    con.execute("BEGIN TRANSACTION")
    store_entities(con, docs)
    con.execute("COMMIT")


def entity_rows(con) -> dict[str, list]:
    """The learned entities' rows a store writes: mentions, entities, aliases."""
    return {
        "mentions": con.execute(
            "SELECT article_id, mention_no, entity_id, start_offset, end_offset, surface"
            " FROM mentions ORDER BY ALL"
        ).fetchall(),
        "entities": con.execute(
            "SELECT entity_id, name, type FROM entities WHERE source = 'learned' ORDER BY ALL"
        ).fetchall(),
        "aliases": con.execute(
            "SELECT entity_id, alias, language FROM entity_aliases WHERE source = 'learned'"
            " ORDER BY ALL"
        ).fetchall(),
    }


def rows(con) -> dict[str, list]:
    return {
        **entity_rows(con),
        # the resolution layer (migration 008), recomputed after each load
        "resolution": con.execute("SELECT * FROM entity_resolution ORDER BY ALL").fetchall(),
        "review": con.execute("SELECT * FROM entity_resolution_review ORDER BY ALL").fetchall(),
    }


def test_non_latin_names_get_distinct_readable_ids() -> None:
    ids = {
        name: group_key(etype, [name], lang)
        for name, etype, lang in [
            ("Нафтогаз", "organisation", "ru"), ("Хайко Маас", "person", "ru"),
            ("Джо Байден", "person", "ru"), ("Дональд Трамп", "person", "ru"),
            ("Κυριάκος Μητσοτάκης", "person", "el"), ("Łódź", "city", "pl"),
            ("Ærø", "place", "da"), ("Lodz Fabryczna", "other", "en"), ("北京", "city", "zh"),
        ]
    }  # fmt: skip
    assert len(set(ids.values())) == len(ids), ids
    assert ids["Дональд Трамп"] == "person:donal-d-tramp"
    assert ids["Łódź"] == "city:lodz" and ids["Ærø"] == "place:aero"
    # Han transliterates lossily (homophones): the readable slug and a digest of the key
    assert ids["北京"].startswith("city:beijing-") and len(ids["北京"]) == len("city:beijing-") + 8
    assert all(not i.endswith((":x", ":")) for i in ids.values())
    # letters that transliterate to nothing still give distinct ids
    assert slug_of("☃") != slug_of("☂") and slug_of("") == slug_of("")
    assert len(entity_id("other", ["a" * 500])) < 120


def test_case_forms_of_an_inflected_name_have_one_id() -> None:
    assert group_key("person", ["Donalda Trumpa"], "pl") == group_key(
        "person", ["Donald Trump"], "pl"
    )
    assert group_key("person", ["Дональда Трампа"], "ru") == group_key(
        "person", ["Дональд Трамп"], "ru"
    )
    assert group_key("place", ["Pensylwanii"], "pl") == group_key("place", ["Pensylwanię"], "pl")
    doc = extract_entities(ARTICLES[4][3], "pl")
    trump = [e for e in doc.entities if e.key == "person:donald-trump"]
    assert len(trump) == 1 and len(trump[0].mentions) >= 2, doc.to_json()


def test_ids_do_not_depend_on_batches_or_their_order(tmp_path: Path, migrated_file: Path) -> None:
    docs = documents(ARTICLES)
    results = []
    for n, (split, seed) in enumerate([(len(docs), None), (1, 7), (2, 3), (4, 11)]):
        path = tmp_path / f"order-{n}.duckdb"
        shutil.copyfile(migrated_file, path)
        con = warehouse.connect(path)
        order = list(docs)
        if seed is not None:
            random.Random(seed).shuffle(order)
        for k in range(0, len(order), split):
            store(con, order[k : k + split])
        results.append(rows(con))
        con.close()
    assert all(r == results[0] for r in results[1:])
    ids = {m[2] for m in results[0]["mentions"]}
    assert "person:x" not in ids and "other:x" not in ids


def test_reprocessing_gives_the_same_rows_and_leaves_no_orphans(con) -> None:
    store(con, documents(ARTICLES))
    before = rows(con)
    store(con, documents(ARTICLES[::-1]))  # all again, another order
    assert rows(con) == before
    # an article re-written: its old entities go if no other article names them
    store(con, documents([("en-fish", "en", "2026-03-04T09:00", "Boats left Lisbon.")]))
    after = rows(con)
    learned = {e[0] for e in after["entities"]}
    mentioned = {m[2] for m in after["mentions"]}
    assert learned <= mentioned  # no learned entity without a mention
    assert "organisation:coastal-fisheries-council" in learned  # it-fish still names it
    assert {a[0] for a in after["aliases"]} <= learned


def test_one_learned_alias_names_one_entity_per_type(con) -> None:
    store(con, documents(ARTICLES))
    store(con, documents(ARTICLES[2:6]))
    dupes = con.execute(
        """SELECT a.alias, a.language, e.type, count(DISTINCT a.entity_id)
           FROM entity_aliases a JOIN entities e USING (entity_id)
           WHERE a.source = 'learned' GROUP BY ALL HAVING count(DISTINCT a.entity_id) > 1"""
    ).fetchall()
    assert dupes == []


def test_ids_are_identical_after_a_stored_reprocess(tmp_path: Path) -> None:
    settings = Settings(
        db_path=tmp_path / "wh.duckdb", per_host_interval_s=0.0, repair=True, entities=True,
        lock_retries=1, lock_backoff_s=0.05, workers=1, page_timeout_s=0,
    )  # fmt: skip
    run_ingest([str(SAMPLE_SITE)], settings)
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        before = rows(con)
    assert len(before["mentions"]) > 100
    assert before["resolution"]  # the sample corpus has links across articles
    run_ingest(["stored:"], settings)
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        after = rows(con)
        orphans = con.execute(
            "SELECT count(*) FROM entities e WHERE source = 'learned' AND NOT EXISTS"
            " (SELECT 1 FROM mentions m WHERE m.entity_id = e.entity_id)"
        ).fetchone()[0]
    assert after == before
    assert orphans == 0


# -- a warehouse written by the first id scheme ----------------------------------------------------
def _old_warehouse(path: Path, migrated_file: Path) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """A warehouse as the code of the first id scheme left it (its learned rows, recorded in
    ``data/entities_ids_v1.json``), with migration 004 applied but not yet acted on."""
    shutil.copyfile(migrated_file, path)
    con = warehouse.connect(path)
    con.execute("DELETE FROM entity_id_scheme")  # migration 004 has run; the upgrade has not
    old = json.loads(V1_FIXTURE.read_text(encoding="utf-8"))
    columns = {
        "entities": "entity_id, name, type, source",
        "entity_aliases": "entity_id, alias, language, source",
        "mentions": "article_id, mention_no, entity_id, start_offset, end_offset, surface,"
        " confidence",
        "entity_articles": "article_id, language, site, published_at, title",
    }
    for table, names in columns.items():
        for row in old[table]:
            marks = ", ".join("?" * len(row))
            con.execute(f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})", row)
    return con, old


def test_an_old_warehouse_is_upgraded_once_and_agrees_with_a_reprocess(
    tmp_path: Path, migrated_file: Path
) -> None:
    con, old = _old_warehouse(tmp_path / "old.duckdb", migrated_file)
    # the bug being fixed: one id for Хайко Маас and Κυριάκος Μητσοτάκης
    shared = con.execute(
        "SELECT count(DISTINCT article_id) FROM mentions WHERE entity_id = 'person:x'"
    ).fetchone()[0]
    assert shared >= 2
    con.execute("BEGIN TRANSACTION")
    changed = upgrade_entity_ids(con)
    con.execute("COMMIT")
    assert changed > 0
    upgraded = rows(con)
    ids = {m[2] for m in upgraded["mentions"]}
    assert not {"person:x", "other:x", "other:odz-fabryczna"} & ids
    assert "person:mario-draghi" in ids
    assert {e[0] for e in upgraded["entities"]} <= ids  # learned entities all mentioned
    # idempotent: a second call does nothing, and neither does the next store
    assert upgrade_entity_ids(con) == 0
    assert rows(con) == upgraded
    # the mentions of each article keep their offsets; full names get the ids a fresh
    # extraction gives them
    assert [m[:2] + m[3:] for m in upgraded["mentions"]] == sorted(
        (m[0], m[1], m[3], m[4], m[5]) for m in old["mentions"]
    )
    fresh = tmp_path / "fresh.duckdb"
    shutil.copyfile(migrated_file, fresh)
    con2 = warehouse.connect(fresh)
    store(con2, documents([tuple(a) for a in old["articles"]]))
    fresh_ids = {m[2] for m in rows(con2)["mentions"]}
    for full in ("person:mario-draghi", "person:christine-lagarde",
                 "organisation:coastal-fisheries-council"):  # fmt: skip
        assert full in ids and full in fresh_ids
    con2.close()
    con.close()


def test_the_upgrade_runs_before_the_next_batch_is_stored(
    tmp_path: Path, migrated_file: Path
) -> None:
    con, _ = _old_warehouse(tmp_path / "old.duckdb", migrated_file)
    store(con, documents(ARTICLES[-1:]))
    ids = {r[0] for r in con.execute("SELECT DISTINCT entity_id FROM mentions").fetchall()}
    assert "person:x" not in ids
    assert con.execute("SELECT max(version) FROM entity_id_scheme").fetchone()[0] == ID_SCHEME
    con.close()


@pytest.mark.parametrize("payload_version", [1, 2])
def test_a_batch_staged_by_an_older_version_gets_new_ids(con, payload_version: int) -> None:
    doc = documents(ARTICLES[:1])[0]
    if payload_version == 1:  # as the first scheme staged it
        doc["entities"]["version"] = 1
        for ent in doc["entities"]["entities"]:
            if not ent["canonical_id"]:
                ent["key"] = ent["type"] + ":x"
    store(con, [doc])
    ids = {r[0] for r in con.execute("SELECT DISTINCT entity_id FROM mentions").fetchall()}
    assert not any(i.endswith(":x") for i in ids)


def test_group_key_of_a_group_written_one_way_is_cached_with_the_full_computation_s_key() -> None:
    """A group whose mentions are all written one way takes its key from a cache keyed by that
    name (``_one_name_key``: the analysis asks it for the group, then for the entity's own
    forms, and names recur between pages): the key the full computation gives, in inflected
    languages, German and for one-word persons (local keys) too."""
    from newsetl.entities import ids

    cases = [
        ("person", ["Donald Trump"], "en"),
        ("person", ["Donalda Trumpa", "Donalda Trumpa"], "pl"),
        ("person", ["Trump"], "en"),
        ("organisation", ["des Deutschen Wetterdienstes"], "de"),
        ("organisation", ["Deutscher Wetterdienst"], "de"),
        ("place", ["Пакистане"], "ru"),
        ("person", ["Владимиром Путиным"], "ru"),
        ("organisation", ["Unii Europejskiej"], "pl"),
        ("person", ["José María Aznar"], "es"),
    ]
    ids._one_name_key.cache_clear()
    for etype, surfaces, language in cases:
        expected = ids._group_key(etype, surfaces, language)
        assert ids.group_key(etype, surfaces, language) == expected
        assert ids.group_key(etype, surfaces[:1], language) == expected
    info = ids._one_name_key.cache_info()
    assert (info.misses, info.hits) == (len(cases), len(cases))
    # two ways of writing one name: not the one-name cache, the best name decides
    both = ["Donalda Trumpa", "Donald Trump"]
    assert ids.group_key("person", both, "pl") == ids._group_key("person", both, "pl")
    assert ids._one_name_key.cache_info().misses == len(cases)
    assert ids.is_local(ids.group_key("person", ["Trump"], "en"))  # one word: local, as before
