"""Linking and storage on a real DuckDB file (migrations + seeds applied by newsetl.warehouse)."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
from entity_docs import documents
from rapidfuzz import fuzz, process

from newsetl import warehouse
from newsetl.entities import refresh_story_clusters, store_entities
from newsetl.entities import store as store_module
from newsetl.entities.bulk import arrow_rows, insert_arrow
from newsetl.entities.store import Linker, NearNames
from newsetl.entities.text import norm

ARTICLES = [
    # (article_id, language, published_at, text)
    ("en-ecb", "en", "2026-03-02T09:00", "Former European Central Bank president Mario Draghi spoke in "
     "Frankfurt. Draghi said the ECB must act. Christine Lagarde, who leads the bank, listened."),
    ("it-ecb", "it", "2026-03-02T11:00", "L'ex presidente della Banca centrale europea Mario Draghi ha "
     "parlato a Francoforte. Secondo Draghi la Bce deve agire. Christine Lagarde ha ascoltato."),
    ("it-calcio", "it", "2026-03-02T20:00", "Il centrocampista Luka Drago ha segnato a Verona. Drago, "
     "arrivato dalla Dinamo Zagabria, ha dedicato il gol ai tifosi."),
    ("de-keller-1", "de", "2026-03-03T08:00", "Umweltministerin Anna Keller sagte in Berlin, die "
     "Weltbank müsse helfen. Keller reist am Freitag nach Genf."),
    ("de-keller-2", "de", "2026-03-03T09:00", "Verkehrsreferent Thomas Keller stellte in München neue "
     "Straßenbahnlinien vor. Keller sagte, die Stadt baue weiter."),
    ("en-fish", "en", "2026-03-04T09:00", "Inspectors from the Coastal Fisheries Council (CFC) visited "
     "Lisbon. The CFC will publish its findings."),
]  # fmt: skip


def store(con, docs) -> dict[str, int]:
    con.execute("BEGIN TRANSACTION")
    counts = store_entities(con, docs)
    con.execute("COMMIT")
    return counts


def snapshot(con) -> dict[str, list]:
    return {
        "mentions": con.execute("SELECT * FROM mentions ORDER BY ALL").fetchall(),
        "entities": con.execute(
            "SELECT entity_id, name, type, source FROM entities ORDER BY ALL"
        ).fetchall(),
        "aliases": con.execute("SELECT * FROM entity_aliases ORDER BY ALL").fetchall(),
        "articles": con.execute("SELECT * FROM entity_articles ORDER BY ALL").fetchall(),
    }


def entity_at(con, article_id: str, surface: str) -> str:
    rows = con.execute(
        "SELECT DISTINCT entity_id FROM mentions WHERE article_id = ? AND surface = ?",
        [article_id, surface],
    ).fetchall()
    assert len(rows) == 1, (article_id, surface, rows)
    return rows[0][0]


def test_seed_is_loaded_by_the_migration_runner(con) -> None:
    n_countries = con.execute("SELECT count(*) FROM entities WHERE type = 'country'").fetchone()[0]
    assert n_countries >= 249
    langs = {
        r[0]
        for r in con.execute(
            "SELECT language FROM entity_aliases WHERE entity_id = 'org:united-nations'"
        ).fetchall()
    }
    assert {"en", "fr", "it", "es", "de", "pt"} <= langs


def test_store_is_idempotent(con) -> None:
    docs = documents(ARTICLES)
    first = store(con, docs)
    assert first["articles"] == len(ARTICLES)
    before = snapshot(con)
    store(con, documents(ARTICLES))  # same input, freshly extracted, stored again
    assert snapshot(con) == before


def test_store_is_idempotent_when_a_later_article_teaches_an_alias(con) -> None:
    # The first article only has the acronym; the second defines it. A re-run must not let the
    # alias learned from the second article change how the first one was linked.
    batch = [
        ("a-first", "en", "2026-03-06T08:00", "Officials of the CFC inspected boats in Lisbon."),
        ("b-second", "en", "2026-03-06T09:00",
         "The Coastal Fisheries Council (CFC) said the CFC found no violations."),
    ]  # fmt: skip
    store(con, documents(batch))
    before = snapshot(con)
    store(con, documents(batch))
    assert snapshot(con) == before


def test_cross_language_linking_with_evidence_not_string_similarity(con) -> None:
    store(con, documents(ARTICLES))
    draghi_en = entity_at(con, "en-ecb", "Mario Draghi")
    assert entity_at(con, "it-ecb", "Mario Draghi") == draghi_en
    assert entity_at(con, "it-ecb", "Draghi") == draghi_en
    assert entity_at(con, "it-calcio", "Drago") != draghi_en
    assert entity_at(con, "it-ecb", "Bce") == entity_at(con, "en-ecb", "ECB") == "org:ecb"
    assert entity_at(con, "it-ecb", "Francoforte") == "city:frankfurt"
    # two Kellers in two articles stay two people
    assert entity_at(con, "de-keller-1", "Keller") == entity_at(con, "de-keller-1", "Anna Keller")
    assert entity_at(con, "de-keller-2", "Keller") != entity_at(con, "de-keller-1", "Keller")


def test_lone_surname_links_only_with_co_occurring_entities(con) -> None:
    store(con, documents(ARTICLES))
    anna = entity_at(con, "de-keller-1", "Anna Keller")
    later = [
        ("en-keller-weltbank", "en", "2026-03-05T10:00",
         "Minister Keller asked the World Bank for support during the visit."),
        ("en-keller-other", "en", "2026-03-05T11:00",
         "Mr Keller opened a second restaurant near the harbour."),
    ]  # fmt: skip
    store(con, documents(later))
    assert entity_at(con, "en-keller-weltbank", "Keller") == anna  # shares the World Bank
    assert entity_at(con, "en-keller-other", "Keller") != anna  # nothing in common


def test_misspelt_name_links_with_evidence(con) -> None:
    store(con, documents(ARTICLES))
    mt = [("en-mt-ecb", "en", "2026-03-02T15:00",
           "The former president of the ECB Mario Dragi has spoken in Frankfurt.")]  # fmt: skip
    store(con, documents(mt))
    assert entity_at(con, "en-mt-ecb", "Mario Dragi") == entity_at(con, "en-ecb", "Mario Draghi")


def test_learned_acronym_alias_and_new_entity_ids_are_stable(con) -> None:
    store(con, documents(ARTICLES))
    cfc = entity_at(con, "en-fish", "CFC")
    assert cfc == entity_at(con, "en-fish", "Coastal Fisheries Council")
    assert cfc == "organisation:coastal-fisheries-council"
    aliases = con.execute(
        "SELECT alias, language, source FROM entity_aliases WHERE entity_id = ? ORDER BY ALL", [cfc]
    ).fetchall()
    assert ("CFC", "en", "learned") in aliases


def test_mentions_keep_offsets_and_order(con) -> None:
    store(con, documents(ARTICLES))
    texts = {a: t for a, _, _, t in ARTICLES}
    rows = con.execute(
        "SELECT article_id, mention_no, start_offset, end_offset, surface FROM mentions"
        " ORDER BY article_id, mention_no"
    ).fetchall()
    last: dict[str, int] = {}
    for article_id, no, start, end, surface in rows:
        assert texts[article_id][start:end] == surface
        assert start >= last.get(article_id, -1)
        last[article_id] = start
        assert no >= 0


def test_json_string_payload_is_accepted(con) -> None:
    docs = documents(ARTICLES[:1])
    docs[0]["entities"] = json.dumps(docs[0]["entities"])
    assert store(con, docs)["mentions"] > 0


def test_story_clusters_and_views(con) -> None:
    store(con, documents(ARTICLES))
    n = refresh_story_clusters(con)
    stories = dict(con.execute("SELECT article_id, story_id FROM story_clusters").fetchall())
    assert stories.get("en-ecb") is not None
    assert stories["en-ecb"] == stories["it-ecb"]
    assert "it-calcio" not in stories and "en-fish" not in stories
    assert n == len(set(stories.values()))
    across = con.execute(
        "SELECT story_id, languages, article_ids FROM stories_across_languages"
    ).fetchall()
    assert (stories["en-ecb"], 2, ["en-ecb", "it-ecb"]) in across
    assert refresh_story_clusters(con) == n  # recomputation is stable

    draghi = entity_at(con, "en-ecb", "Mario Draghi")
    pairs = dict(
        ((a, b), c)
        for a, b, c in con.execute(
            "SELECT entity_a, entity_b, articles FROM entity_cooccurrence"
        ).fetchall()
    )
    key = tuple(sorted([draghi, "org:ecb"]))
    assert pairs[key] == 2  # en-ecb and it-ecb
    timeline = con.execute(
        "SELECT day, articles, mentions, languages FROM entity_timeline WHERE entity_id = ?",
        [draghi],
    ).fetchall()
    assert timeline == [(datetime(2026, 3, 2).date(), 2, 4, 2)]


def test_migration_applies_alone_to_an_empty_database(tmp_path: Path) -> None:
    sql = (Path(warehouse.sql_root()) / "migrations" / "003_entities.sql").read_text()
    con = duckdb.connect(str(tmp_path / "alone.duckdb"))
    con.execute(sql)
    con.execute(sql)  # re-runnable
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"entities", "entity_aliases", "mentions", "entity_articles", "story_clusters"} <= tables


# -- the bulk paths give what the row-by-row statements gave ----------------------------------------


def test_rows_written_in_bulk_are_marked_learned_and_counted(con) -> None:
    counts = store(con, documents(ARTICLES))
    learned_entities = con.execute(
        "SELECT count(*) FROM entities WHERE source = 'learned'"
    ).fetchone()[0]
    learned_aliases = con.execute(
        "SELECT count(*) FROM entity_aliases WHERE source = 'learned'"
    ).fetchone()[0]
    assert counts["entities_new"] > 0 and counts["aliases_new"] > 0
    assert learned_entities == counts["entities_new"]  # nothing ignored, nothing else learned
    assert learned_aliases == counts["aliases_new"]
    assert con.execute("SELECT count(*) FROM mentions").fetchone()[0] == counts["mentions"]


def test_published_at_of_any_kind_is_stored_as_a_parameterised_insert_stores_it(con) -> None:
    kinds = [
        "2026-03-02T09:00:00",  # text, cast by DuckDB
        datetime(2026, 3, 2, 23, 30, tzinfo=timezone(timedelta(hours=-5))),  # aware
        None,
        date(2026, 3, 4),
    ]
    # one batch per kind (the Arrow path) and all kinds in one batch (the per-row fallback)
    batches = [[(f"kind-{i}", kind)] for i, kind in enumerate(kinds)]
    batches.append([(f"mixed-{i}", kind) for i, kind in enumerate(kinds)])
    base = documents(ARTICLES[:1])[0]
    for batch in batches:
        store(con, [{**base, "article_id": a, "published_at": kind} for a, kind in batch])
    con.execute("CREATE TEMP TABLE expected (article_id VARCHAR, published_at TIMESTAMP)")
    for batch in batches:
        for article_id, kind in batch:
            con.execute("INSERT INTO expected VALUES (?, ?)", [article_id, kind])
    got = con.execute(
        "SELECT article_id, published_at FROM entity_articles"
        " WHERE article_id LIKE 'kind-%' OR article_id LIKE 'mixed-%' ORDER BY ALL"
    ).fetchall()
    assert got == con.execute("SELECT * FROM expected ORDER BY ALL").fetchall()
    assert ("kind-0", datetime(2026, 3, 2, 9, 0)) in got


def test_a_repeated_article_keeps_its_last_facts(con) -> None:
    empty = {"version": 1, "language": "en", "entities": []}
    first = {"article_id": "again", "language": "en", "site": "a.example",
             "published_at": None, "title": "first", "entities": empty}  # fmt: skip
    counts = store(con, [first, {**first, "site": "b.example", "title": "second"}])
    assert counts["articles"] == 2
    assert con.execute(
        "SELECT site, title FROM entity_articles WHERE article_id = 'again'"
    ).fetchall() == [("b.example", "second")]


def test_prefetched_context_is_the_co_occurrence_in_stored_articles(con) -> None:
    store(con, documents(ARTICLES))
    batch = {"en-ecb"}  # as if en-ecb were being re-processed: its mentions do not count
    per_article: dict[str, set[str]] = {}
    for article_id, entity_id in con.execute(
        "SELECT article_id, entity_id FROM mentions"
    ).fetchall():
        if article_id not in batch:
            per_article.setdefault(article_id, set()).add(entity_id)
    con.execute("CREATE OR REPLACE TEMP TABLE _entity_batch AS SELECT 'en-ecb' AS article_id")
    everyone = {e for ents in per_article.values() for e in ents} | {"org:ecb", "nobody:here"}
    prefetched = Linker(con, batch)
    prefetched.prefetch_context(everyone)
    lazy = Linker(con, batch)
    for entity_id in everyone:
        expected = set().union(*(ents for ents in per_article.values() if entity_id in ents))
        expected.discard(entity_id)
        assert prefetched.context_of(entity_id) == expected, entity_id
        assert lazy.context_of(entity_id) == expected, entity_id
    assert prefetched.context_of("org:ecb")  # it-ecb still ties the ECB to others


def test_near_names_finds_what_rapidfuzz_finds_over_the_whole_list(con) -> None:
    names = list(
        dict.fromkeys(
            norm(a)
            for (a,) in con.execute("SELECT alias FROM entity_aliases ORDER BY ALL").fetchall()
        )
    )
    names += ["mario draghi", "mario dragi", "maria draghi", "mario draghi"[::-1], ""]
    index = NearNames()
    index.sync(names[:5000])
    for name in names[5000:]:  # grown one at a time, as linking adds aliases
        index.add(name)
    assert len(index) == len(names)
    rng = random.Random(3)
    queries = ["mario draghi", "mario dragi", "", "x", "organizacion mundial de la salud"]
    for name in rng.sample(names, 300):
        chars = list(name)
        for _ in range(rng.randint(0, 3)):
            if chars and rng.random() < 0.5:
                del chars[rng.randrange(len(chars))]
            else:
                chars.insert(rng.randrange(len(chars) + 1), rng.choice("aeiou tn"))
        queries.append("".join(chars))
    found_any = 0
    for query in queries:
        want = [
            h[0]
            for h in process.extract(query, names, scorer=fuzz.ratio, score_cutoff=88, limit=10)
        ]
        assert index.extract(query, 88, limit=10) == want, query
        assert index.any_near(query, 88) == bool(want), query
        found_any += bool(want)
    assert found_any > 100


def test_insert_arrow_keeps_order_and_types() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (k VARCHAR, n INTEGER, x DOUBLE, s VARCHAR DEFAULT 'd')")
    rows = [("b", 2, None), ("a", 1, None), ("c", 3, None)]
    table = arrow_rows([("k", pa.string()), ("n", pa.int32()), ("x", pa.float64())], rows)
    assert insert_arrow(con, "t", table) == 3
    assert insert_arrow(con, "t", arrow_rows([("k", pa.string())], [])) == 0
    assert con.execute("SELECT k, n, x, s FROM t").fetchall() == [
        ("b", 2, None, "d"), ("a", 1, None, "d"), ("c", 3, None, "d"),
    ]  # fmt: skip


# -- the index kept between batches ---------------------------------------------------------------
#: Articles in the order a run would load them: later ones link to earlier ones only through what
#: the warehouse remembers (a lone surname with evidence, a misspelt name, an alias learned from
#: a mention), and one article comes back re-written.
LATER = [
    ("de-keller-3", "de", "2026-03-04T10:00", "Die Ministerin Keller traf in Genf Vertreter der Weltbank."),
    ("en-mt-ecb", "en", "2026-03-04T11:00",
     "The former president of the ECB Mario Dragi has spoken in Frankfurt."),
    ("en-fish-2", "en", "2026-03-04T12:00", "The CFC closed two harbours near Porto."),
    ("it-drago-2", "it", "2026-03-04T13:00", "Drago ha firmato con la Dinamo Zagabria fino al 2029."),
    ("en-lagarde", "en", "2026-03-04T14:00",
     "Bankers met Lagarde and Draghi in Frankfurt; the ECB declined to comment."),
    ("de-keller-4", "de", "2026-03-04T15:00",
     "Thomas Keller eröffnete in München eine neue Straßenbahnlinie."),
]  # fmt: skip
REWRITTEN = ("de-keller-1", "de", "2026-03-03T08:00",
             "Umweltministerin Anna Keller sagte in Hamburg, der Internationale Währungsfonds "
             "müsse helfen. Keller reist am Montag nach Wien.")  # fmt: skip


def store_in_batches(con, batches, *, fresh: bool) -> None:
    """Store each batch in its own transaction; ``fresh``: forget the kept index before each
    batch, so every batch reads the warehouse anew (what the code did before it kept one)."""
    for batch in batches:
        if fresh:
            store_module.forget_kept_index()
        store(con, documents(batch))


def test_batches_on_one_connection_store_what_fresh_linkers_store(tmp_path, migrated_file) -> None:
    everything = ARTICLES + LATER
    batches = [everything[k : k + 2] for k in range(0, len(everything), 2)]
    batches += [[REWRITTEN, LATER[0]], [LATER[1]]]  # a re-processed article, then reuse again
    results = []
    for fresh in (True, False):
        path = tmp_path / f"fresh-{fresh}.duckdb"
        shutil.copyfile(migrated_file, path)
        connection = warehouse.connect(path)
        store_in_batches(connection, batches, fresh=fresh)
        refresh_story_clusters(connection)
        results.append(
            {
                **snapshot(connection),
                "stories": connection.execute(
                    "SELECT * FROM story_clusters ORDER BY ALL"
                ).fetchall(),
            }
        )
        if not fresh:  # the kept index was actually used: not one build per batch
            assert store_module._kept is not None
        connection.close()
    fresh_rows, kept_rows = results
    assert kept_rows == fresh_rows
    # and the batches did depend on each other through the warehouse
    mentions = fresh_rows["mentions"]

    def linked(article_id: str, surface: str) -> set[str]:
        return {m[2] for m in mentions if m[0] == article_id and m[5] == surface}

    draghi = linked("en-ecb", "Mario Draghi")
    assert linked("en-mt-ecb", "Mario Dragi") == draghi == linked("en-lagarde", "Draghi")
    # re-written, Anna Keller no longer meets the World Bank: the lone Keller stands alone
    assert linked("de-keller-3", "Keller") != linked("de-keller-1", "Anna Keller")


def test_the_kept_index_is_reused_only_on_its_own_connection(con) -> None:
    store(con, documents(ARTICLES[:3]))
    kept = store_module._kept
    assert kept is not None
    store(con, documents(ARTICLES[3:4]))
    assert store_module._kept[2] is kept[2]  # advanced in place, not rebuilt
    store(con, documents(ARTICLES[4:5]))
    other = con.cursor()  # another connection to the same database
    other.execute("BEGIN TRANSACTION")
    store_entities(other, documents(ARTICLES[5:]))
    other.execute("COMMIT")
    assert store_module._kept[2] is not kept[2]  # the other connection built its own
    other.close()


def test_a_rolled_back_batch_is_forgotten(con) -> None:
    store(con, documents(ARTICLES[:2]))
    # Anna Keller with the World Bank, then a lone "Keller" with the World Bank: the second
    # links to her by evidence - but the batch is rolled back, so nothing of it may stay.
    con.execute("BEGIN TRANSACTION")
    store_entities(con, documents([ARTICLES[3], LATER[0]]))
    con.execute("ROLLBACK")
    assert (
        con.execute("SELECT count(*) FROM mentions WHERE article_id = 'de-keller-1'").fetchone()[0]
        == 0
    )
    lone = [
        ("de-keller-5", "de", "2026-03-04T16:00", "Die Ministerin Keller sprach mit der Weltbank.")
    ]
    store(con, documents(lone))
    assert entity_at(con, "de-keller-5", "Keller").endswith(
        "~" + hashlib.sha1(b"de-keller-5").hexdigest()[:8]
    )  # a new, per-article entity: no Anna Keller in the warehouse


def test_writes_outside_store_entities_are_seen_by_the_next_batch(con) -> None:
    store(con, documents(ARTICLES[:2]))
    assert store_module._kept is not None
    # a user adds an entity between two batches of the same connection
    con.execute(
        "INSERT INTO entities (entity_id, name, type, source) VALUES "
        "('org:cfc-by-hand', 'Coastal Fisheries Council', 'organisation', 'user')"
    )
    store(con, documents([ARTICLES[5]]))
    assert entity_at(con, "en-fish", "Coastal Fisheries Council") == "org:cfc-by-hand"


def test_near_miss_candidates_are_those_of_the_full_search(con) -> None:
    """The typed pre-check may skip the full near-miss search only when it would have found no
    candidate with evidence: compare with rapidfuzz over every alias key, in index order."""
    store(con, documents(ARTICLES[:4]))
    store(con, documents(LATER[:3]))  # a second batch: the kept index, advanced
    con.execute("CREATE OR REPLACE TEMP TABLE _entity_batch AS SELECT 'new' AS article_id")
    linker = Linker(con, {"new"}, store_module._kept[2])
    # some entities of the new article, learned in this batch (a new key among them)
    linker.remember("new", "org:ecb", "organisation", "ECB", ["ECB"])
    linker.remember("new", "person:anna-keller", "person", "Anna Keller", ["Frau Anna Keller"])
    linker.remember("new", "person:mario-dragy", "person", "Mario Dragy", ["Mario Dragy"])
    # a seed entity first mentioned now: its seed aliases become near-miss candidates
    linker.remember("new", "org:united-nations", "organisation", "UN", ["UN"])
    keys = list(linker.stored.aliases) + [
        k for k in linker._batch_aliases if k not in linker.stored.aliases
    ]
    rng = random.Random(5)
    queries = ["Mario Draghi", "Mario Dragi", "Ana Keller", "Anna Kellner", "Christine Lagard"]
    queries += ["Europan Central Bank", "Frau Anna Keler", "Luka Drag", "Coastal Fisheries Counci"]
    queries += ["Unted Nations", "Nazioni Unitte", "Organisation des Nations Unie"]
    for key in rng.sample(keys, 200):
        chars = list(key)
        if chars:
            del chars[rng.randrange(len(chars))]
        queries.append("".join(chars).title())
    context = {"org:ecb", "person:anna-keller", "city:frankfurt"}
    checked = found = 0
    for query in queries:
        near = process.extract(norm(query), keys, scorer=fuzz.ratio, score_cutoff=88, limit=10)
        for etype in ("person", "organisation", "other", "city", "country"):
            want = [
                entity_id
                for key, _, _ in near
                for entity_id in sorted(linker.ids_for(key))
                if linker.types.get(entity_id) == etype
            ]
            want = [c for c in want if linker.evidence(c, context) >= 1]
            got = [c for c in linker._fuzzy(query, etype) if linker.evidence(c, context) >= 1]
            assert got == want, (query, etype)
            checked += 1
            found += bool(want)
    assert checked > 500 and found >= 3
