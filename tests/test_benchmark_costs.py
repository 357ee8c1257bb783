"""Round 26's cost benchmarks on small real inputs: they measure what they say they do.

* ``benchmarks/entities/resolution_components.py`` puts together the entities the
  resolution's rules may link (a name and its transliteration, a lone surname and the full
  name, an acronym and its expansion, a nationality and its country) and no others;
* ``benchmarks/pipeline/dedupe_cost.py`` finds the same near duplicates each way it times,
  and its copies of the loader's statements find what the loader finds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

from newsetl.entities.resolve import EntityRecord

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks" / "pipeline"))  # as test_benchmark_pipeline.py
# last, not first: its run.py, samples.py, speed.py must not shadow other modules of the worker
sys.path.append(str(REPO / "benchmarks" / "entities"))

import dedupe_cost  # noqa: E402
from resolution_components import components, reached  # noqa: E402


def test_the_components_hold_what_the_rules_may_link_and_nothing_else():
    records = [
        EntityRecord("person:donald-trump", "person", "Donald Trump"),
        EntityRecord("person:donal-d-tramp", "person", "Дональд Трамп"),
        EntityRecord("person:trump~a1", "person", "Trump"),
        EntityRecord("organisation:nato", "organisation", "NATO"),
        EntityRecord(
            "organisation:north-atlantic-treaty-organisation",
            "organisation",
            "North Atlantic Treaty Organisation",
        ),
        EntityRecord("nationality:ru", "nationality", "Russian", source="seed"),
        EntityRecord("country:RU", "country", "Russia", source="seed"),
        EntityRecord("person:angela-merkel", "person", "Angela Merkel"),
        EntityRecord("city:lisbon", "city", "Lisbon"),
    ]
    of = components({r.entity_id: r for r in records})
    groups: dict[str, set[str]] = {}
    for entity_id, root in of.items():
        groups.setdefault(root, set()).add(entity_id)
    assert sorted(map(sorted, groups.values())) == sorted(
        [
            ["person:donal-d-tramp", "person:donald-trump", "person:trump~a1"],
            ["organisation:nato", "organisation:north-atlantic-treaty-organisation"],
            ["country:RU", "nationality:ru"],
            ["person:angela-merkel"],
            ["city:lisbon"],
        ]
    )


def test_a_sample_reaches_the_components_of_the_entities_it_mentions():
    con = duckdb.connect()
    con.execute("CREATE TABLE entity_articles AS SELECT unnest(['x', 'y']) AS article_id")
    con.execute(
        "CREATE TABLE mentions AS SELECT * FROM (VALUES ('x', 'a'), ('x', 'gone'), ('y', 'd')) "
        "t(article_id, entity_id)"
    )
    of = {"a": "a", "b": "a", "c": "a", "d": "d", "e": "e"}
    assert reached(con, of, 1, seed=0) in {(1, 3), (1, 1)}  # x: a and its two; y: d alone
    assert reached(con, of, 2) == (2, 4)  # an id without an entity row is not counted


def stored_articles(con: duckdb.DuckDBPyConnection, n: int) -> None:
    """An ``articles`` table of ``n`` rows; fingerprints in threes, 0-2 bits apart."""
    con.execute(
        "CREATE TABLE articles (article_id VARCHAR PRIMARY KEY, content_hash VARCHAR, "
        "fingerprint UBIGINT)"
    )
    con.execute(
        "INSERT INTO articles SELECT 'a' || lpad(i::VARCHAR, 5, '0'), md5(i::VARCHAR), "
        f"xor(hash(i // 3), (i % 3)::UBIGINT) FROM range({n}) t(i)"
    )


@pytest.mark.parametrize("stored", [0, 300])
def test_the_near_duplicate_ways_find_the_same_rows(tmp_path: Path, stored: int) -> None:
    """Fingerprints one or two bits apart, within the batch and against stored articles."""
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    stored_articles(con, stored)
    con.close()
    batch = tmp_path / "staged" / "b-00000"
    batch.mkdir(parents=True)
    duckdb.connect().execute(
        "COPY (SELECT 'b' || lpad(i::VARCHAR, 5, '0') AS article_id, "
        "md5((i % 7)::VARCHAR) AS content_hash, "
        "xor(hash(i // 2), (i % 2)::UBIGINT) AS fingerprint FROM range(25) t(i)) "
        f"TO '{batch / 'articles.parquet'}' (FORMAT parquet)"
    )
    result = dedupe_cost.measure(db, batch.parent)  # asserts that the ways agree
    assert result["articles"] == stored
    # every second staged article is one bit from the one before it; against 300 stored
    # articles every staged one has a stored near duplicate
    assert result["near_found"] == (25 if stored else 12)
    assert {"exact", "near", "near_brute", "near_prefilter"} <= result.keys()


@pytest.mark.parametrize("stored", [0, 300])
def test_the_copied_statements_find_what_the_loader_finds(stored: int) -> None:
    """``dedupe_cost.py`` times copies of the loader's two statements: they must find the
    rows :func:`newsetl.warehouse.load._dedupe_articles` finds (a change to the loader that
    the copies do not follow fails here)."""
    from newsetl.warehouse.load import _dedupe_articles

    def batch(con: duckdb.DuckDBPyConnection) -> None:
        stored_articles(con, stored)
        # content hashes repeat every 7 articles (five of the seven meet stored ones); every
        # second fingerprint is seven bits (the limit) from the one before it
        con.execute(
            "CREATE TEMP TABLE staged_articles AS SELECT 'b' || lpad(i::VARCHAR, 5, '0') "
            "AS article_id, md5((i % 7 + 295)::VARCHAR) AS content_hash, "
            "xor(hash(i // 2), (127 * (i % 2))::UBIGINT) AS fingerprint, "
            "NULL::VARCHAR AS near_duplicate_of FROM range(25) t(i)"
        )

    loader, copies = duckdb.connect(), duckdb.connect()
    batch(loader)
    batch(copies)
    _dedupe_articles(loader, ["articles"], dedupe_cost.BITS)
    exact = copies.execute(dedupe_cost.EXACT).fetchall()
    # the loader drops the exact duplicates' rows before it looks for near ones
    copies.execute(
        "DELETE FROM staged_articles WHERE article_id IN (SELECT unnest(?))",
        [[duplicate for duplicate, _ in exact]],
    )
    near = copies.execute(dedupe_cost.NEAR).fetchall()
    assert exact and near
    assert sorted(loader.execute("SELECT * FROM duplicate_map").fetchall()) == exact
    assert (
        sorted(
            loader.execute(
                "SELECT article_id, near_duplicate_of FROM staged_articles "
                "WHERE near_duplicate_of IS NOT NULL"
            ).fetchall()
        )
        == near
    )
