"""What a load's duplicate checks cost against a warehouse's size, statement by statement.

Why: the run's own process spends more CPU a page late in a 50,000-page run than early
(round 25), and the checks of :func:`newsetl.warehouse.load._dedupe_articles` read every
stored article for each batch. This replays them, read-only, for staged batches (a
directory of batches as ``load_growth.py --staged`` leaves it) against a warehouse file,
one DuckDB thread as the loader has, and prints each statement's median ms a batch:

* ``exact``: the exact duplicates (same content hash), as loaded (the loader's statement,
  copied: ``tests/test_benchmark_costs.py`` fails when the copies and the loader part);
* ``near``: the near duplicates (SimHash bands), as loaded, without its ``UPDATE``;
* alternatives tried (round 26) for the near duplicates: ``near_brute`` (every stored
  fingerprint against every staged one, no bands), ``near_prefilter`` (stored articles
  with a band value of the batch, by eight constant IN-lists, before the bands are
  unnested); each must find the same rows as ``near`` (checked).

The statements run in one fixed order for each batch, so a difference of a millisecond
between two of them may be the order's (round 26: a variant 1.2 ms cheaper here was no
cheaper as the whole function, alternated with main): time a change as the whole function.

Run (from the repository root; the warehouse is only read)::

    .venv/bin/python benchmarks/pipeline/dedupe_cost.py --staged /tmp/grow/staged WAREHOUSE ...
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import duckdb

BITS = 7
WIDTH = 64 // (BITS + 1)
MASK = (1 << WIDTH) - 1
_VALUES = ", ".join(f"(fingerprint >> {i * WIDTH}) & {MASK}" for i in range(BITS + 1))
BANDS = f"unnest(range({BITS + 1})) AS band, unnest([{_VALUES}]) AS value"

EXACT = """SELECT s.article_id AS duplicate_id, min(o.article_id) AS original_id
    FROM staged_articles s
    JOIN (SELECT article_id, content_hash, 0 AS fresh FROM articles
          UNION ALL SELECT article_id, content_hash, 1 FROM staged_articles) o
      ON o.content_hash = s.content_hash AND o.article_id <> s.article_id
     AND (o.fresh = 0 OR o.article_id < s.article_id)
    WHERE s.content_hash IS NOT NULL AND s.article_id NOT IN (SELECT article_id FROM articles)
    GROUP BY s.article_id ORDER BY 1"""
NEAR = f"""WITH s AS (SELECT article_id, fingerprint, {BANDS}
                   FROM staged_articles WHERE fingerprint IS NOT NULL),
    o AS (SELECT article_id, fingerprint, 0 AS fresh, {BANDS} FROM articles
          WHERE fingerprint IS NOT NULL
            AND article_id NOT IN (SELECT article_id FROM staged_articles)
          UNION ALL SELECT article_id, fingerprint, 1 AS fresh, band, value FROM s)
    SELECT s.article_id, min(o.article_id) FROM s JOIN o ON o.band = s.band AND o.value = s.value
    WHERE o.article_id <> s.article_id AND bit_count(xor(s.fingerprint, o.fingerprint)) <= {BITS}
      AND (o.fresh = 0 OR o.article_id < s.article_id)
    GROUP BY s.article_id ORDER BY 1"""
NEAR_BRUTE = f"""SELECT s.article_id, min(o.article_id)
    FROM staged_articles s JOIN (
        SELECT article_id, fingerprint, 0 AS fresh FROM articles
        WHERE fingerprint IS NOT NULL
          AND article_id NOT IN (SELECT article_id FROM staged_articles)
        UNION ALL SELECT article_id, fingerprint, 1 FROM staged_articles
        WHERE fingerprint IS NOT NULL) o
      ON bit_count(xor(s.fingerprint, o.fingerprint)) <= {BITS}
    WHERE s.fingerprint IS NOT NULL AND o.article_id <> s.article_id
      AND (o.fresh = 0 OR o.article_id < s.article_id)
    GROUP BY s.article_id ORDER BY 1"""


def near_prefilter(con: duckdb.DuckDBPyConnection) -> str:
    """``NEAR`` with the stored side cut to the articles that share a band value with the
    batch, by constant IN-lists (the batch's values are integers: inlined, nothing quoted)."""
    fingerprints = [
        r[0]
        for r in con.execute(
            "SELECT fingerprint FROM staged_articles WHERE fingerprint IS NOT NULL"
        ).fetchall()
    ]
    if not fingerprints:
        return NEAR
    conditions = " OR ".join(
        f"((fingerprint >> {i * WIDTH}) & {MASK}) IN "
        f"({', '.join(str(v) for v in sorted({(f >> (i * WIDTH)) & MASK for f in fingerprints}))})"
        for i in range(BITS + 1)
    )
    return NEAR.replace(
        "WHERE fingerprint IS NOT NULL\n            AND article_id NOT IN",
        f"WHERE fingerprint IS NOT NULL AND ({conditions})\n            AND article_id NOT IN",
    )


def measure(warehouse: Path, staged: Path) -> dict[str, float]:
    """Median ms a batch of each statement, the warehouse's articles, and how many staged
    articles have a near duplicate (``near_found``, over all batches)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET threads = 1")
    times: dict[str, list[float]] = {}
    near_found = 0
    try:
        for path in sorted(staged.glob("*/articles.parquet")):
            con.execute(
                "CREATE OR REPLACE TEMP TABLE staged_articles AS SELECT * FROM read_parquet(?)",
                [str(path)],
            )
            found = {}
            for name, sql in (
                ("exact", EXACT),
                ("near", NEAR),
                ("near_brute", NEAR_BRUTE),
                ("near_prefilter", near_prefilter(con)),
            ):
                started = time.perf_counter()
                found[name] = con.execute(sql).fetchall()
                times.setdefault(name, []).append(time.perf_counter() - started)
            assert found["near_brute"] == found["near"] == found["near_prefilter"], found
            near_found += len(found["near"])
        stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        con.close()
    medians = {k: 1000 * statistics.median(v) for k, v in times.items()}
    return {"articles": stored, "near_found": near_found, **medians}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("warehouse", type=Path, nargs="+")
    parser.add_argument("--staged", type=Path, required=True)
    args = parser.parse_args()
    for warehouse in args.warehouse:
        result = measure(warehouse, args.staged)
        timed = {k: v for k, v in result.items() if k not in ("articles", "near_found")}
        print(warehouse, " ".join(f"{k} {v:.2f} ms" for k, v in timed.items()),
              f"({result['articles']:,} articles)")  # fmt: skip


if __name__ == "__main__":
    main()
