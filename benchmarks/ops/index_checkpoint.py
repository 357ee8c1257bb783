"""What a checkpoint after a 25-row insert writes, by table size, with and without a key.

Why: ``checkpoint_growth.py`` (round 7) bounded the table data a checkpoint rewrites (row
groups of 2,048 rows); this asks whether the primary key's index (DuckDB's ART) adds a part
that grows with the table. Each size: a fresh file attached as the warehouse attaches it
(``ROW_GROUP_SIZE 2048``), N rows with a random 32-hex key (as article ids are) and 100
bytes of payload, a checkpoint; then 5 times 25 new rows and a checkpoint, the bytes the
process wrote (``/proc/self/io``) and its CPU per checkpoint.

Run::

    .venv/bin/python benchmarks/ops/index_checkpoint.py [--sizes 2000,20000,100000,400000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb


def written() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0


def measure(path: Path, rows: int, key: str) -> list[tuple[float, float]]:
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{path}' AS w (ROW_GROUP_SIZE 2048)")
    con.execute("USE w")
    con.execute(f"CREATE TABLE t (k VARCHAR {key}, v VARCHAR)")
    con.execute(f"INSERT INTO t SELECT md5(i::VARCHAR), repeat('x', 100) FROM range({rows}) r(i)")
    con.execute("CHECKPOINT")
    out = []
    for j in range(5):
        before, cpu = written(), time.process_time()
        con.execute(
            f"INSERT INTO t SELECT md5('new{j}-' || i::VARCHAR), repeat('y', 100) FROM range(25) r(i)"
        )
        con.execute("CHECKPOINT")
        out.append(((written() - before) / 2**20, time.process_time() - cpu))
    con.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,20000,100000,400000")
    args = parser.parse_args()
    print(f"{'rows':>8} {'key':>12} {'MB written per checkpoint (5)':>40} {'CPU ms (median)':>16}")
    with tempfile.TemporaryDirectory(prefix="newsetl-ixck-") as tmp:
        for rows in (int(s) for s in args.sizes.split(",")):
            for key in ("", "PRIMARY KEY"):
                path = Path(tmp) / f"t{rows}{bool(key)}.duckdb"
                result = measure(path, rows, key)
                mb = " ".join(f"{m:.2f}" for m, _ in result)
                cpu = sorted(c for _, c in result)[2] * 1000
                print(f"{rows:8d} {key or 'none':>12} {mb:>40} {cpu:16.0f}")


if __name__ == "__main__":
    main()
