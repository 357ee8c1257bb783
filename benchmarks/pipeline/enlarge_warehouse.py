"""A bigger warehouse from a real one, by replicating its article rows with new keys in SQL.

Why: building a 50,000-page warehouse with ``newsetl ingest`` takes ~45 minutes of both
cores on the shared machine; measuring what a run costs *into* it needs only its size and
shape. Copy ``k`` (1 .. ``--factor`` - 1) of every article gets a new ``article_id`` (40 hex
characters, as a real id: the keys spread over the indexes as real ones do), a new content
hash (not an exact duplicate), the same SimHash fingerprint and ``near_duplicate_of`` the
original (as the cycled scale corpus's copies are: ``scale.py``), and copies of its pages
(URL ``...#k``, the raw HTML kept), fetches, artefacts, language spans, mentions, entity
article and story cluster rows. Entities, aliases, runs and the translation memory are not
copied (copies mention the same entities). The row groups are written as a run writes them
(the file attached with ``ROW_GROUP_SIZE 2048``, as ``newsetl.warehouse.connect`` does).

How representative: the tables and their indexes are ``--factor`` times the source's, with
the same texts, so a load's joins, merges and checkpoints meet a warehouse of that size. Not
the same: every copy is a near-duplicate of its original (a run's near-duplicate lookup finds
``--factor`` candidates per matching band, against ~16 in the real 20,000-page warehouse,
whose 1,251 source pages are cycled), and the story clusters are copies of the source's, not
what ``refresh_entity_layers`` would compute over the whole.

Run (from the repository root; SRC is only read)::

    .venv/bin/python benchmarks/pipeline/enlarge_warehouse.py SRC DST --factor 20
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import duckdb

#: the tables whose rows are copied (each has an ``article_id``; ``fetches`` is copied by URL)
COPIED = (
    "articles",
    "pages",
    "fetches",
    "artefacts",
    "article_language_spans",
    "mentions",
    "entity_articles",
    "story_clusters",
)


def new_id(expr: str, k: int) -> str:
    """A new 40-hex key for copy ``k`` (NULL stays NULL)."""
    return f"left(sha256({expr} || '~{k}'), 40)"


def copy_expr(table: str, column: str, k: int) -> str:
    """What copy ``k`` of a row of ``table`` holds in ``column``."""
    if column == "article_id":
        return new_id("article_id", k)
    if table in ("pages", "fetches") and column == "url":
        return f"url || '#{k}'"
    if table == "fetches" and column == "fetch_id":
        return new_id("fetch_id", k)
    if table == "articles" and column == "content_hash":
        return f"sha256(content_hash || '~{k}')"
    if table == "articles" and column == "near_duplicate_of":
        return "coalesce(near_duplicate_of, article_id)"
    if table == "story_clusters" and column == "story_id":
        return f"'story:' || {new_id('substr(story_id, 7)', k)}"
    return column


def enlarge(src: Path, dst: Path, factor: int, *, drop_source: bool = False) -> dict[str, int]:
    """Copy ``src`` to ``dst`` and add ``factor - 1`` copies of its article rows; with
    ``drop_source``, ``factor`` copies and none of the source's own rows (so that a run of
    the source's pages into ``dst`` finds them new)."""
    shutil.copyfile(src, dst)
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{dst}' AS w (ROW_GROUP_SIZE 2048)")
    con.execute("USE w")
    for table in COPIED:
        con.execute(f"CREATE TEMP TABLE source_{table} AS SELECT * FROM w.{table}")
    for k in range(1, factor + drop_source):
        con.execute("BEGIN")
        for table in COPIED:
            columns = [r[0] for r in con.execute(f"DESCRIBE w.{table}").fetchall()]
            select = ", ".join(f"{copy_expr(table, c, k)} AS {c}" for c in columns)
            con.execute(f"INSERT INTO w.{table} SELECT {select} FROM source_{table}")
        con.execute("COMMIT")
    if drop_source:
        con.execute("BEGIN")
        for table in COPIED:
            key = "fetch_id" if table == "fetches" else "url" if table == "pages" else "article_id"
            con.execute(f"DELETE FROM w.{table} WHERE {key} IN (SELECT {key} FROM source_{table})")
        con.execute("COMMIT")
    counts = {
        t: int(con.execute(f"SELECT count(*) FROM w.{t}").fetchone()[0])
        for t in [*COPIED, "entities"]
    }
    con.execute("CHECKPOINT")
    con.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path)
    parser.add_argument("dst", type=Path)
    parser.add_argument("--factor", type=int, required=True)
    parser.add_argument(
        "--drop-source", action="store_true", help="keep only the copies, not SRC's own rows"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    counts = enlarge(args.src, args.dst, args.factor, drop_source=args.drop_source)
    print(
        counts,
        f"{time.perf_counter() - started:.1f} s",
        f"{args.dst.stat().st_size / 2**20:.0f} MB",
    )


if __name__ == "__main__":
    main()
