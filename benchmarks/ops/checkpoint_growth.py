"""What one checkpoint writes as the warehouse grows: DuckDB rewrites a table's whole last row
group at each checkpoint, and a run's loads end in one whenever the loader closes the file
(after each load until 9f5f3a0; now after up to 30 s of loads, ``newsetl.run.steps.Loader``)
or the WAL passes DuckDB's checkpoint threshold.

A table like ``pages`` (a primary key and a 30 KB blob per row, the raw HTML) gets 25 rows per
load, each load on a connection of its own, as the run's; reported: bytes written by the load's
checkpoint (``/proc/self/io``), and the file's free blocks, at each size. DuckDB appends to a
keyed table's last row group until it is full and rewrites all of it at a checkpoint: with its
default row group (122,880 rows, ``--plain``: ``duckdb.connect``) the write grows with the table
until 122,880 rows (4,000 rows: ~115 MB written to append 25). ``newsetl.warehouse.connect``
(the default here) attaches the file with ``ROW_GROUP_SIZE 2048``, which bounds it by one row
group; ``--row-group N`` attaches with another size.

Run::

    .venv/bin/python benchmarks/ops/checkpoint_growth.py --rows 4000 --plain
    .venv/bin/python benchmarks/ops/checkpoint_growth.py --rows 4000
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import duckdb

from newsetl.warehouse import connect as warehouse_connect


def written_bytes() -> int:
    with open("/proc/self/io") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("write_bytes"))


def connect(path: Path, row_group: int | None, plain: bool) -> duckdb.DuckDBPyConnection:
    if plain:
        return duckdb.connect(str(path))
    if not row_group:
        return warehouse_connect(path)
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{path}' AS w (ROW_GROUP_SIZE {row_group})")
    con.execute("USE w")
    return con


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rows", type=int, default=4000)
    p.add_argument("--batch", type=int, default=25)
    p.add_argument("--blob-kb", type=int, default=30)
    p.add_argument("--row-group", type=int, default=0, help="ATTACH with this ROW_GROUP_SIZE")
    p.add_argument("--plain", action="store_true", help="duckdb.connect (default row groups)")
    args = p.parse_args(argv)
    blob = os.urandom(args.blob_kb * 1024)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "w.duckdb"
        report_every = max(args.batch, args.rows // 8)
        total_wrote = 0
        for start in range(0, args.rows, args.batch):
            con = connect(db, args.row_group, args.plain)
            try:
                if start == 0:
                    con.execute("CREATE TABLE pages (id INTEGER PRIMARY KEY, raw BLOB)")
                con.execute(
                    "INSERT INTO pages SELECT range + ?, ?::BLOB FROM range(?)",
                    [start, blob, args.batch],
                )
                before = written_bytes()
                con.execute("CHECKPOINT")
                wrote = written_bytes() - before
                total_wrote += wrote
                total, free = con.execute(
                    "SELECT total_blocks, free_blocks FROM pragma_database_size() "
                    "WHERE database_name = current_database()"
                ).fetchone()
            finally:
                con.close()
            rows = start + args.batch
            if rows % report_every < args.batch or rows >= args.rows:
                print(
                    f"{rows:>7} rows: load wrote {wrote / 2**20:7.1f} MB "
                    f"(all loads so far {total_wrote / 2**20:8.1f} MB), "
                    f"file {total} blocks, {free / max(1, total):.0%} free"
                )


if __name__ == "__main__":
    main()
