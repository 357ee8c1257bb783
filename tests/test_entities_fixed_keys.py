"""The seed entities' share of the entity resolution's keys, computed once and kept in the disk
cache (issue 14, round 15): the rows are the ones the whole computation gives, with the cache,
without it, and after any edit of a seed entity or alias, which names another cache file.

Real extraction, real DuckDB files (migrations and the shipped seed), a real cache directory.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import duckdb
import pytest
from entity_docs import documents

from newsetl.entities import refresh_entity_resolution, store_entities
from newsetl.entities.resolve import EntityRecord, fixed_keys, resolve

ARTICLES = [
    ("ru-1", "ru", "2026-03-01T09:00", "Дональд Трамп прилетел в Лондон. Трамп встретился с "
     "премьером."),
    ("pl-1", "pl", "2026-03-01T10:00", "Wizyta Donalda Trumpa w Londynie."),
    ("en-1", "en", "2026-03-01T11:00", "Donald Trump arrived in London on Monday."),
    ("en-2", "en", "2026-03-01T12:00", "Critics said Trump had not answered the question."),
    ("en-3", "en", "2026-03-02T09:00", "The Coastal Fisheries Council (CFC) met in Lisbon. "
     "The CFC will publish its findings."),
]  # fmt: skip


def _refresh(con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch, cache: str):
    """The resolution's rows after a refresh with ``NEWSETL_CACHE_DIR=cache``."""
    monkeypatch.setenv("NEWSETL_CACHE_DIR", cache)
    con.execute("BEGIN TRANSACTION")
    refresh_entity_resolution(con)
    con.execute("COMMIT")
    return tuple(
        con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in ("entity_resolution", "entity_resolution_review")
    )


def _store_articles(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("BEGIN TRANSACTION")
    store_entities(con, documents(ARTICLES))
    con.execute("COMMIT")


def _resolved(con: duckdb.DuckDBPyConnection, entity_id: str) -> str:
    row = con.execute(
        "SELECT resolved_id FROM entity_resolution WHERE entity_id = ?", [entity_id]
    ).fetchone()
    return row[0] if row else entity_id


def _cache_files(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.glob("entity_fixed_keys-*.pickle"))


def test_the_seed_keys_are_kept_and_give_the_whole_computations_rows(
    con, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store_articles(con)
    cache = tmp_path / "cache"
    whole = _refresh(con, monkeypatch, "off")
    assert whole[0], "something is linked"
    assert _refresh(con, monkeypatch, str(cache)) == whole  # computed and written
    kept = _cache_files(cache)
    assert len(kept) == 1
    assert _refresh(con, monkeypatch, str(cache)) == whole  # read back
    assert _cache_files(cache) == kept


COUNCIL = "organisation:coastal-fisheries-council"
# Each edit of a seed row changes what a learned name resolves to, so a cache file named
# without that row's change would give other rows than the whole computation.
EDITS = [
    # a seed alias added: the learned council takes the seed's id
    ("INSERT INTO entity_aliases VALUES ('org:who', 'Coastal Fisheries Council', 'en', 'seed')",
     {COUNCIL: "org:who"}),
    # a seed entity's type: a place never takes an organisation
    ("UPDATE entities SET type = 'country' WHERE entity_id = 'org:who'",
     {COUNCIL: COUNCIL}),
    ("UPDATE entities SET type = 'organisation' WHERE entity_id = 'org:who'",
     {COUNCIL: "org:who"}),
    # a seed alias removed
    ("DELETE FROM entity_aliases WHERE entity_id = 'org:who' AND alias = 'Coastal Fisheries Council'",
     {COUNCIL: COUNCIL}),
    # a seed entity's name is one of its forms
    ("UPDATE entities SET name = 'Coastal Fisheries Council' WHERE entity_id = 'org:who'",
     {COUNCIL: "org:who"}),
    ("UPDATE entities SET name = 'World Health Organization' WHERE entity_id = 'org:who'",
     {COUNCIL: COUNCIL}),
    # a short seed alias of one language meets names of that language only
    ("INSERT INTO entity_aliases VALUES ('org:who', 'Trump', 'de', 'seed')",
     {"other:trump": "person:donal-d-tramp"}),
    ("UPDATE entity_aliases SET language = 'en' WHERE entity_id = 'org:who' AND alias = 'Trump'",
     {"other:trump": "org:who"}),
    # a new seed entity
    ("INSERT INTO entities (entity_id, name, type, source) VALUES"
     " ('org:cfc', 'Coastal Fisheries Council', 'organisation', 'user')",
     {COUNCIL: "org:cfc"}),
]  # fmt: skip


def test_an_edited_seed_row_names_another_cache_file(
    con, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store_articles(con)
    cache = tmp_path / "cache"
    before = _refresh(con, monkeypatch, str(cache))
    names = set(_cache_files(cache))
    for sql, expected in EDITS:
        con.execute(sql)
        with_cache = _refresh(con, monkeypatch, str(cache))
        names.update(_cache_files(cache))
        for entity_id, resolved_id in expected.items():
            assert _resolved(con, entity_id) == resolved_id, sql
        assert with_cache == _refresh(con, monkeypatch, "off"), sql
    assert with_cache != before
    # seven states of the seed rows (the third and fourth edits undo others), seven names
    assert len(names) == 7


def test_fixed_keys_give_the_same_resolution_on_random_records() -> None:
    """Seeds sharing keys with each other (reported), with learned names (linked or
    reported), of several types, persons with surnames: the same links, rules and review
    rows in the same order, with the seeds' forms left out of the records."""
    words = ["Lisbon", "Lisboa", "London", "Londyn", "Trump", "Tusk", "Keller", "Paris", "Saksa",
             "Council", "Fisheries", "Coastal", "Tajska", "Rom", "Anna"]  # fmt: skip
    languages = ["en", "pl", "de", "fi", "sl", "ru", "mul"]
    types = ["person", "organisation", "country", "city", "treaty", "other"]
    rng = random.Random(15)
    for trial in range(40):
        records = []
        for n in range(30):
            seed = rng.random() < 0.4
            name = " ".join(rng.sample(words, rng.choice([1, 1, 2, 3])))
            etype = rng.choice(types[:-1] if seed else types)
            forms = [(" ".join(rng.sample(words, rng.choice([1, 2]))), rng.choice(languages))
                     for _ in range(rng.randrange(4))]  # fmt: skip
            local = "~x" if not seed and etype == "person" and rng.random() < 0.3 else ""
            records.append(EntityRecord(f"{etype}:{n}{local}", etype, name,
                                        "seed" if seed else "learned", forms))  # fmt: skip
        seeds = [r for r in records if r.source != "learned"]
        fixed = fixed_keys(seeds)
        without_forms = [dataclasses.replace(r, forms=()) if r in seeds else r for r in records]
        whole, part = resolve(records), resolve(without_forms, fixed)
        assert (part.resolved, part.rule, part.review) == (
            whole.resolved,
            whole.rule,
            whole.review,
        ), trial
        assert fixed.shared or trial  # the first trial has seeds sharing a key


def test_fixed_keys_are_for_seed_entities_only() -> None:
    with pytest.raises(ValueError):
        fixed_keys([EntityRecord("person:x", "person", "Anna Keller")])
