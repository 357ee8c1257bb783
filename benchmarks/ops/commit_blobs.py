"""What a load's ``COMMIT`` and a checkpoint cost as the last row group of a table of blobs fills.

A table like ``pages`` (25 rows a load, a 35 KB blob each: the raw HTML, gzipped) in a file
attached with the warehouse's 2,048-row row groups (``newsetl.warehouse.connect``). It is filled
to N rows (checkpointed), then each of six loads commits 25 more rows and checkpoints; reported:
the median CPU of the ``COMMIT`` and of the ``CHECKPOINT``, with and without a primary key.

Why: DuckDB handles the last row group's blobs whole. With a key, writing the new rows to the
WAL scans the whole 2,048-row vector they land in; every checkpoint rewrites the row group. So
both grow with how full the row group is (benchmarks/README.md "Round 21"), not with the table.

Run::

    .venv/bin/python benchmarks/ops/commit_blobs.py            # fills 0, 400, 1600
    .venv/bin/python benchmarks/ops/commit_blobs.py 0 1000 2000
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

BLOB_BYTES = 35_000  # the 50,000-page warehouse's mean raw_gzip: 35.6 KB
LOAD_ROWS = 25
LOADS = 6


def measure(directory: Path, fill: int, keyed: bool) -> tuple[float, float]:
    """(median COMMIT ms, median CHECKPOINT ms) of the loads after ``fill`` rows."""
    path = directory / f"blobs-{fill}-{keyed}.duckdb"
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{path}' AS w (ROW_GROUP_SIZE 2048)")
        con.execute("USE w")
        con.execute("SET threads = 1")
        con.execute("SET memory_limit = '128MB'")  # the run's loader's limit
        con.execute(f"CREATE TABLE pages (url VARCHAR {'PRIMARY KEY' if keyed else ''}, raw BLOB)")
        rows = [(f"u{i}", os.urandom(BLOB_BYTES)) for i in range(fill + LOADS * LOAD_ROWS)]
        if fill:
            con.executemany("INSERT INTO pages VALUES (?, ?)", rows[:fill])
            con.execute("CHECKPOINT")
        commits, checkpoints = [], []
        for load in range(LOADS):
            start = fill + load * LOAD_ROWS
            con.execute("BEGIN")
            con.executemany("INSERT INTO pages VALUES (?, ?)", rows[start : start + LOAD_ROWS])
            t = time.process_time()
            con.execute("COMMIT")
            commits.append(time.process_time() - t)
            t = time.process_time()
            con.execute("CHECKPOINT")
            checkpoints.append(time.process_time() - t)
    finally:
        con.close()
        for leftover in (path, path.with_name(path.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return statistics.median(commits) * 1000, statistics.median(checkpoints) * 1000


def main(argv: list[str]) -> None:
    fills = [int(a) for a in argv] or [0, 400, 1600]
    with tempfile.TemporaryDirectory() as tmp:
        for fill in fills:
            for keyed in (True, False):
                commit, checkpoint = measure(Path(tmp), fill, keyed)
                print(
                    f"{fill:5d} rows before, {'keyed' if keyed else 'no key':6s}: "
                    f"COMMIT {commit:6.1f} ms, CHECKPOINT {checkpoint:6.1f} ms",
                    flush=True,
                )


if __name__ == "__main__":
    main(sys.argv[1:])
