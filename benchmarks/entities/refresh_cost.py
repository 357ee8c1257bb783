"""What the whole-warehouse entity steps cost (issue 14): ``refresh_entity_resolution`` and
``refresh_story_clusters`` on a copy of a warehouse, one after the other, as the end of a run
runs them (``newsetl.entities.refresh_entity_layers``).

Per step: wall and CPU time of this process, bytes this process wrote (``/proc/self/io``
``write_bytes``, the step's commit and a ``CHECKPOINT`` after it, so what reaches the disk),
and the rows of the step's tables deleted and inserted (the difference between the table
before and after, and DuckDB's own change counts where the step reports them).

Scenarios, each on a fresh copy (the source file is never opened for writing):

* ``steady``: the steps on the warehouse as the last run left it (nothing new since);
* ``added``: the newest ``--added`` articles (by ``entity_articles.article_id`` hash) have
  their mentions and article rows taken out, the steps run (the warehouse without them, the
  state before "the run"), the rows go back in, and the steps are measured: the after-load
  cost of a run that added those articles.

``--synthetic K`` first enlarges the copy K-fold in SQL: every article of the copy is
replicated K-1 times under new article ids (``<id>#s<k>``), published ``k * 9`` days later, with
its mentions; article-local persons get a new id per copy (a lone surname is local to its
article), other entities are shared. A way to see the slope past the real warehouses.

Run with the interpreter of the checkout to measure (the steps are imported from it)::

    .venv/bin/python benchmarks/entities/refresh_cost.py /work/scale/w20k/big.duckdb --added 1000
    /tmp/base/.venv/bin/python benchmarks/entities/refresh_cost.py WAREHOUSE --synthetic 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from newsetl.entities import refresh_entity_resolution, refresh_story_clusters

TABLES = {
    "resolution": ("entity_resolution", "entity_resolution_review"),
    "stories": ("story_clusters",),
}


def _written() -> int:
    with open(f"/proc/{os.getpid()}/io") as fh:
        for line in fh:
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    return 0


def _rows(con: Any, table: str) -> set[tuple]:
    return {tuple(map(str, r)) for r in con.execute(f"SELECT * FROM {table}").fetchall()}


def enlarge(con: Any, factor: int) -> None:
    """Replicate every article ``factor - 1`` times (see the module docstring)."""
    con.execute("BEGIN")
    for k in range(1, factor):
        sfx = f"#s{k}"
        con.execute(
            f"""INSERT INTO entities SELECT entity_id || '{sfx}', name, type, source, created_at
                FROM entities WHERE entity_id LIKE '%~%' AND entity_id NOT LIKE '%#s%'"""
        )
        con.execute(
            f"""INSERT INTO entity_articles SELECT article_id || '{sfx}', language, site,
                published_at + INTERVAL {9 * k} DAY, title FROM entity_articles
                WHERE article_id NOT LIKE '%#s%'"""
        )
        con.execute(
            f"""INSERT INTO mentions SELECT article_id || '{sfx}', mention_no,
                CASE WHEN entity_id LIKE '%~%' THEN entity_id || '{sfx}' ELSE entity_id END,
                start_offset, end_offset, surface, confidence FROM mentions
                WHERE article_id NOT LIKE '%#s%'"""
        )
    con.execute("COMMIT")
    con.execute("CHECKPOINT")


def step(con: Any, name: str) -> dict[str, Any]:
    fn = refresh_entity_resolution if name == "resolution" else refresh_story_clusters
    before = {t: _rows(con, t) for t in TABLES[name]}
    w0, c0, t0 = _written(), time.process_time(), time.perf_counter()
    con.execute("BEGIN")
    fn(con)
    con.execute("COMMIT")
    wall_commit = time.perf_counter() - t0
    con.execute("CHECKPOINT")
    out: dict[str, Any] = {
        "wall_s": round(time.perf_counter() - t0, 3),
        "wall_to_commit_s": round(wall_commit, 3),
        "cpu_s": round(time.process_time() - c0, 3),
        "written_mb": round((_written() - w0) / 1e6, 2),
    }
    for t in TABLES[name]:
        after = _rows(con, t)
        out[t] = {"rows": len(after), "gone": len(before[t] - after), "new": len(after - before[t])}
    return out


def scenario(
    src: Path, mode: str, added: int, synthetic: int, tmp: Path, dump: Path | None = None
) -> dict[str, Any]:
    db = tmp / f"{mode}.duckdb"
    shutil.copy(src, db)
    con = duckdb.connect(str(db))
    try:
        if synthetic > 1:
            enlarge(con, synthetic)
            for name in TABLES:  # the enlarged warehouse as a run would have left it
                step(con, name)
        if mode == "added":
            con.execute(
                f"""CREATE TABLE _held AS SELECT article_id FROM entity_articles
                    ORDER BY hash(article_id) LIMIT {int(added)}"""
            )
            con.execute(
                "CREATE TABLE _held_m AS SELECT * FROM mentions WHERE article_id IN "
                "(SELECT article_id FROM _held)"
            )
            con.execute(
                "CREATE TABLE _held_a AS SELECT * FROM entity_articles WHERE article_id IN "
                "(SELECT article_id FROM _held)"
            )
            con.execute("DELETE FROM mentions WHERE article_id IN (SELECT article_id FROM _held)")
            con.execute(
                "DELETE FROM entity_articles WHERE article_id IN (SELECT article_id FROM _held)"
            )
            for name in TABLES:
                step(con, name)
            con.execute("INSERT INTO mentions SELECT * FROM _held_m")
            con.execute("INSERT INTO entity_articles SELECT * FROM _held_a")
            con.execute("DROP TABLE _held; DROP TABLE _held_m; DROP TABLE _held_a")
            con.execute("CHECKPOINT")
        sizes = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("entity_articles", "entities", "entity_aliases", "mentions")
        }
        result = {"sizes": sizes, **{name: step(con, name) for name in TABLES}}
        if dump:  # the steps' tables, sorted: compare two checkouts' files with cmp
            with open(dump, "w") as fh:
                for table in (t for tables in TABLES.values() for t in tables):
                    for row in sorted(_rows(con, table)):
                        fh.write(json.dumps([table, *row]) + "\n")
        return result
    finally:
        con.close()
        db.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--added", type=int, default=1000, help="articles 'the run' added")
    parser.add_argument("--synthetic", type=int, default=1, help="enlarge K-fold first")
    parser.add_argument("--only", choices=("steady", "added"), default=None)
    parser.add_argument("--dump", type=Path, help="write the steps' rows here (with --only)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="refresh-cost-") as tmp:
        for mode in [args.only] if args.only else ["steady", "added"]:
            result = scenario(
                args.warehouse, mode, args.added, args.synthetic, Path(tmp), args.dump
            )
            print(json.dumps({"mode": mode, "load": os.getloadavg()[0], **result}))


if __name__ == "__main__":
    main()
