"""Linking and storage on a real DuckDB file (migrations + seeds applied by newsetl.warehouse)."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
from entity_docs import documents

from newsetl import warehouse
from newsetl.entities import DocumentEntities, morph, refresh_story_clusters, store_entities
from newsetl.entities.bulk import arrow_rows, insert_arrow
from newsetl.entities.ids import best_name
from newsetl.entities.store import entity_forms

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


def test_the_same_full_name_is_one_entity_in_every_article_and_language(con) -> None:
    store(con, documents(ARTICLES))
    draghi_en = entity_at(con, "en-ecb", "Mario Draghi")
    assert draghi_en == "person:mario-draghi"
    assert entity_at(con, "it-ecb", "Mario Draghi") == draghi_en
    assert entity_at(con, "it-ecb", "Draghi") == draghi_en  # the surname joins in its article
    assert entity_at(con, "it-calcio", "Drago") != draghi_en
    assert entity_at(con, "it-ecb", "Bce") == entity_at(con, "en-ecb", "ECB") == "org:ecb"
    assert entity_at(con, "it-ecb", "Francoforte") == "city:frankfurt"
    # two Kellers in two articles stay two people
    assert entity_at(con, "de-keller-1", "Keller") == entity_at(con, "de-keller-1", "Anna Keller")
    assert entity_at(con, "de-keller-2", "Keller") != entity_at(con, "de-keller-1", "Keller")


def test_a_lone_surname_is_local_to_its_article(con) -> None:
    store(con, documents(ARTICLES))
    anna = entity_at(con, "de-keller-1", "Anna Keller")
    later = [
        ("en-keller-weltbank", "en", "2026-03-05T10:00",
         "Minister Keller asked the World Bank for support during the visit."),
        ("en-keller-other", "en", "2026-03-05T11:00",
         "Mr Keller opened a second restaurant near the harbour."),
    ]  # fmt: skip
    store(con, documents(later))
    a = entity_at(con, "en-keller-weltbank", "Keller")
    b = entity_at(con, "en-keller-other", "Keller")
    assert a == "person:keller~" + hashlib.sha1(b"en-keller-weltbank").hexdigest()[:8]
    assert len({a, b, anna}) == 3  # a surname alone never merges two articles' people


def test_learned_ids_and_aliases(con) -> None:
    store(con, documents(ARTICLES))
    cfc = entity_at(con, "en-fish", "CFC")
    assert cfc == entity_at(con, "en-fish", "Coastal Fisheries Council")
    assert cfc == "organisation:coastal-fisheries-council"
    aliases = con.execute(
        "SELECT alias, language, source FROM entity_aliases WHERE entity_id = ? ORDER BY ALL", [cfc]
    ).fetchall()
    # the forms of its own name; the acronym is a mention, not an alias (it could name
    # another council in another article)
    assert aliases == [("Coastal Fisheries Council", "en", "learned")]


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


#: Names in inflected languages too: their own forms' keys go through lemmas and stems.
_INFLECTED = [
    ("pl-tusk", "pl", "2026-03-07T08:00", "Premier Donald Tusk spotkał się w Warszawie z "
     "prezydentem. Donalda Tuska krytykowała opozycja, a Tusk odpowiedział w Sejmie."),
    ("ru-moscow", "ru", "2026-03-07T09:00", "Министр Сергей Лавров прибыл в Москву. Сергея "
     "Лаврова встретили в аэропорту, Лавров сказал несколько слов."),
    ("pt-lula", "pt", "2026-03-07T10:00", "O presidente Luiz Inácio Lula da Silva visitou o "
     "Porto. Lula disse que o Banco Central deve agir."),
]  # fmt: skip


def _staged_with_forms(docs: list[dict]) -> list[dict]:
    """The documents as the analysis stages them (``pipeline.add_entities``): own forms given
    by :func:`entity_forms`, through the JSON the batch's Parquet file holds."""
    out = []
    for doc in docs:
        parsed = DocumentEntities.from_storage(doc["entities"])
        entity_forms(parsed, doc["language"])
        out.append({**doc, "entities": json.dumps(parsed.to_storage(), ensure_ascii=False)})
    return out


def test_the_staged_own_forms_are_the_aliases_the_loader_computes(
    tmp_path: Path, migrated_file: Path
) -> None:
    docs = documents(ARTICLES + _INFLECTED)
    staged = _staged_with_forms(docs)
    learned = [
        e
        for d in staged
        for e in json.loads(d["entities"])["entities"]
        if not e["canonical_id"] and not e["key"].endswith("~")
    ]
    assert learned and all("forms" in e for e in learned)
    assert any(len(e["forms"]) < len({m[2] for m in e["mentions"]}) for e in learned)
    snapshots = []
    for name, batch in (("computed", docs), ("staged", staged)):
        path = tmp_path / f"{name}.duckdb"
        shutil.copyfile(migrated_file, path)
        con = warehouse.connect(path)
        try:
            store(con, batch)
            snapshots.append(snapshot(con))
        finally:
            con.close()
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0]["aliases"]) > 0


def test_the_loader_takes_the_own_forms_the_analysis_staged(con) -> None:
    staged = _staged_with_forms(documents(ARTICLES))
    for doc in staged:  # the analysis said: no written form of the council's own name
        payload = json.loads(doc["entities"])
        for ent in payload["entities"]:
            if ent["key"] == "organisation:coastal-fisheries-council":
                ent["forms"] = []
        doc["entities"] = payload
    morph.base_word.cache_clear()
    store(con, staged)
    assert morph.base_word.cache_info().currsize == 0  # no name key computed in the loader
    cfc = entity_at(con, "en-fish", "CFC")
    assert not con.execute("SELECT alias FROM entity_aliases WHERE entity_id = ?", [cfc]).fetchall()


def test_best_name_of_one_distinct_surface_looks_up_no_lemma() -> None:
    morph.lemma.cache_clear()
    assert best_name(["Warszawie", "Warszawie"], "pl") == "Warszawie"
    assert morph.lemma.cache_info().currsize == 0
    assert best_name(["Donalda Tuska", "Donald Tusk"], "pl") == "Donald Tusk"
    assert morph.lemma.cache_info().currsize > 0


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


def test_a_batch_of_new_and_stored_articles_replaces_only_the_stored_ones_mentions(
    con, tmp_path
) -> None:
    """Round 10: the old mentions are looked for only when an article of the batch was stored
    before (``entity_articles``). A batch mixing an article stored with other text and a new
    one leaves what storing the final texts into an empty warehouse leaves: the old mentions
    and the learned entity only they named gone, no mention twice."""
    from newsetl import warehouse

    first = "Joost Verhoeven met Ilaria Benedetti in Luxembourg on Tuesday."
    second = "The European Union and Poland blocked the deal in Geneva."
    new = "Portugal and the United Nations answered on Wednesday."
    store_entities(con, documents([("a1", "en", "2026-05-05T09:00", first)]))
    assert con.execute("SELECT count(*) FROM mentions WHERE article_id = 'a1'").fetchone()[0]
    batch = [("a1", "en", "2026-05-05T09:00", second), ("a2", "en", "2026-05-06T09:00", new)]
    store_entities(con, documents(batch))
    fresh = warehouse.connect(tmp_path / "fresh.duckdb")
    try:
        warehouse.migrate(fresh)
        store_entities(fresh, documents(batch))
        tables = {
            "mentions": "SELECT * FROM mentions ORDER BY ALL",
            "entity_articles": "SELECT * FROM entity_articles ORDER BY ALL",
            "learned": "SELECT entity_id, name, type FROM entities WHERE source = 'learned' "
            "ORDER BY ALL",
        }
        for name, sql in tables.items():
            assert con.execute(sql).fetchall() == fresh.execute(sql).fetchall(), name
    finally:
        fresh.close()


class _Registering:
    """A warehouse connection that notes each view registered on it; every other call is the
    connection's own (``execute`` too, through ``__getattr__``, as ``WarehouseConnection``)."""

    def __init__(self, con) -> None:
        self._con = con
        self.registered: list[str] = []

    def __getattr__(self, name: str):
        return getattr(self._con, name)

    def register(self, name: str, table):
        self.registered.append(name)
        return self._con.register(name, table)


class _OwnExecute(_Registering):
    """One whose ``execute`` is Python code of its own (as the lake's ``KeylessConnection``),
    counting the statements it hands on."""

    def __init__(self, con) -> None:
        super().__init__(con)
        self.statements: list[str] = []

    def execute(self, sql: str, parameters=None):
        self.statements.append(sql)
        return self._con.execute(sql, parameters) if parameters else self._con.execute(sql)


def _stored_twice(path: Path, wrap) -> tuple[dict, object]:
    """The tables after the inflected articles are stored, then all of them (the first ones
    again: their mentions are replaced), through ``wrap(connection)``."""
    con = warehouse.connect(path)
    try:
        wrapped = wrap(con)
        for docs in (documents(_INFLECTED), documents(ARTICLES + _INFLECTED)):
            wrapped.execute("BEGIN TRANSACTION")
            store_entities(wrapped, _staged_with_forms(docs))
            wrapped.execute("COMMIT")
        return snapshot(con), wrapped
    finally:
        con.close()


def test_the_store_hands_its_rows_to_duckdb_without_registering_a_view(
    tmp_path: Path, migrated_file: Path
) -> None:
    """Why: each register and unregister changed the connection's catalog (~0.5 ms each in
    the run's process, ~7 a batch); DuckDB reads the tables from the store's own frames."""
    shutil.copyfile(migrated_file, tmp_path / "w.duckdb")
    tables, wrapped = _stored_twice(tmp_path / "w.duckdb", _Registering)
    assert wrapped.registered == []
    assert tables["mentions"] and tables["aliases"] and tables["articles"]
    con = warehouse.connect(tmp_path / "w.duckdb")
    try:  # nor a temporary table of the batch's articles
        names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert not {n for n in names if "batch" in n}
    finally:
        con.close()


def test_a_connection_with_its_own_execute_stores_the_same_rows_through_views(
    tmp_path: Path, migrated_file: Path
) -> None:
    """The lake's connection rewrites statements in an ``execute`` of its own, from whose frame
    DuckDB cannot see the store's tables: it is handed registered views, and stores the same
    rows as the DuckDB file."""
    for name in ("plain", "own"):
        shutil.copyfile(migrated_file, tmp_path / f"{name}.duckdb")
    plain, _ = _stored_twice(tmp_path / "plain.duckdb", _Registering)
    own, wrapped = _stored_twice(tmp_path / "own.duckdb", _OwnExecute)
    assert wrapped.registered
    assert own == plain


def test_the_id_scheme_s_table_is_looked_up_once_per_connection(
    tmp_path: Path, migrated_file: Path
) -> None:
    """Why: asking ``duckdb_tables()`` cost ~1.2 ms of each batch's load; the table, once
    there, stays (created by a migration, never dropped)."""
    shutil.copyfile(migrated_file, tmp_path / "w.duckdb")
    _, wrapped = _stored_twice(tmp_path / "w.duckdb", _OwnExecute)
    lookups = [s for s in wrapped.statements if "duckdb_tables()" in s]
    versions = [s for s in wrapped.statements if "FROM entity_id_scheme" in s]
    assert len(lookups) == 1
    assert len(versions) == 2  # the scheme's version is still read by each batch


def test_documents_as_objects_dicts_and_json_store_the_same_rows(
    tmp_path: Path, migrated_file: Path
) -> None:
    """The loader reads a staged document's entities from its JSON's lists, not through
    ``DocEntity`` objects: the same rows whichever form a document comes in (a confidence
    written as an integer is still stored as the float an object holds)."""
    staged = _staged_with_forms(documents(ARTICLES + _INFLECTED))
    as_dicts = [{**d, "entities": json.loads(d["entities"])} for d in staged]
    whole = [{**d, "entities": json.loads(d["entities"])} for d in staged]
    for doc in whole:  # confidences as JSON integers
        for ent in doc["entities"]["entities"]:
            ent["mentions"] = [[s, e, surface, 1] for s, e, surface, _ in ent["mentions"]]
    as_objects = [{**d, "entities": DocumentEntities.from_storage(d["entities"])} for d in whole]
    tables = []
    for name, docs in (("json", staged), ("dicts", as_dicts), ("whole", whole),
                       ("objects", as_objects)):  # fmt: skip
        path = tmp_path / f"{name}.duckdb"
        shutil.copyfile(migrated_file, path)
        con = warehouse.connect(path)
        try:
            store(con, docs)
            tables.append(snapshot(con))
        finally:
            con.close()
    assert tables[0] == tables[1]
    assert tables[2] == tables[3]
    assert {type(m[-1]) for m in tables[2]["mentions"]} == {float}
    assert tables[0]["mentions"] != tables[2]["mentions"]
    assert len(tables[0]["aliases"]) > 0
