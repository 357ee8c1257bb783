"""Do two warehouses hold the same output? (Two checkouts run on the same pages.)

Compares, table by table, the rows without the columns that change from run to run (run ids,
clock times): ``articles``, ``pages``, ``artefacts``, ``article_language_spans`` and the entity
tables that exist in both; then the kept raw pages (``raw bodies``: each URL with the md5 of
its gzipped body, in ``page_bodies`` since migration 011 and in ``pages.raw_gzip`` before).
Prints, per table, the row counts and how many rows are only in one of the two. Entity and
story ids are content-derived, so they compare as they are.

Run::

    .venv/bin/python benchmarks/pipeline/compare_warehouses.py A.duckdb B.duckdb
"""

from __future__ import annotations

import argparse
import sys

import duckdb

#: columns that differ between two runs of the same pages
VOLATILE = {
    "run_id",
    "fetched_at",
    "updated_at",
    "first_seen_at",
    "detected_at",
    "created_at",
    "loaded_at",
    "last_seen_at",
    "elapsed_ms",
    "fetch_id",
    "record_hash",  # a hash over the row with the run's columns
}
TABLES = (
    "articles",
    "pages",
    "artefacts",
    "article_language_spans",
    "entities",
    "mentions",
    "entity_articles",
    "entity_aliases",  # learned aliases: the own forms of each entity (entities/store.py)
    "entity_resolution",
    "story_clusters",
)
#: columns holding a run's clock time inside JSON text: compared without it
JSON_WITH_TIMES = {"quality_evidence"}


def columns(con, database: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND table_name = ?"
            " ORDER BY column_index",
            [database, table],
        ).fetchall()
    ]


def compare(a: str, b: str, tables: tuple[str, ...], ignore: set[str] = frozenset()) -> bool:
    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
    same = True
    for table in tables:
        in_b = set(columns(con, "b", table))
        shared = [c for c in columns(con, "a", table) if c not in VOLATILE | ignore and c in in_b]
        if not shared:
            print(f"{table:<26} missing")
            continue
        cols = ", ".join(
            f"""regexp_replace("{c}", '"fetched_at": "[^"]*"', '', 'g')"""
            if c in JSON_WITH_TIMES
            else f'"{c}"'
            for c in shared
        )
        n_a = con.execute(f"SELECT count(*) FROM a.{table}").fetchone()[0]
        n_b = con.execute(f"SELECT count(*) FROM b.{table}").fetchone()[0]
        only_a = con.execute(
            f"SELECT count(*) FROM (SELECT {cols} FROM a.{table} EXCEPT ALL SELECT {cols} FROM b.{table})"
        ).fetchone()[0]
        only_b = con.execute(
            f"SELECT count(*) FROM (SELECT {cols} FROM b.{table} EXCEPT ALL SELECT {cols} FROM a.{table})"
        ).fetchone()[0]
        same &= _report(table, n_a, n_b, only_a, only_b)
    a_bodies, b_bodies = _bodies(con, "a"), _bodies(con, "b")
    n_a, n_b = (
        con.execute(f"SELECT count(*) FROM ({q})").fetchone()[0] for q in (a_bodies, b_bodies)
    )
    only_a = con.execute(f"SELECT count(*) FROM ({a_bodies} EXCEPT ALL {b_bodies})").fetchone()[0]
    only_b = con.execute(f"SELECT count(*) FROM ({b_bodies} EXCEPT ALL {a_bodies})").fetchone()[0]
    return _report("raw bodies", n_a, n_b, only_a, only_b) and same


def _report(table: str, n_a: int, n_b: int, only_a: int, only_b: int) -> bool:
    ok = only_a == only_b == 0 and n_a == n_b
    print(
        f"{table:<26} {n_a:>7} {n_b:>7}  only in A {only_a:>5}  only in B {only_b:>5}  {'same' if ok else 'DIFFERENT'}"
    )
    return ok


def _bodies(con, database: str) -> str:
    """Each kept raw page of ``database``: its URL and the md5 of its gzipped body (the gzip
    has no time in its header: the same body, the same bytes)."""
    table = "page_bodies" if "raw_gzip" in columns(con, database, "page_bodies") else "pages"
    return f"SELECT url, md5(raw_gzip) FROM {database}.{table} WHERE raw_gzip IS NOT NULL"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--tables", default=",".join(TABLES))
    p.add_argument(
        "--ignore",
        default="",
        help="more columns to leave out, comma-separated (e.g. final_url,source when the two"
        " checkouts read the bundled corpus from their own directories)",
    )
    args = p.parse_args(argv)
    ignore = {c for c in args.ignore.split(",") if c}
    return 0 if compare(args.a, args.b, tuple(args.tables.split(",")), ignore) else 1


if __name__ == "__main__":
    sys.exit(main())
