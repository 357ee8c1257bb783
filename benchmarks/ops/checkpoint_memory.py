"""Peak memory of a checkpoint after a small insert into ``pages``, by the table's size and
its row-group size.

Why: a load of 25 pages ends in a checkpoint (``checkpoint_threshold`` or the close), and the
run's process peaked ~1 MB higher per MB of raw HTML stored (``load_memory.py``). DuckDB
rewrites a table's last row group at a checkpoint (``checkpoint_growth.py``, round 6); with
``raw_gzip`` stored uncompressed, this says whether that is what the memory is, and whether a
smaller row group (``ATTACH ... (ROW_GROUP_SIZE n)``) bounds it.

Each ``--row-group`` value: a file with only ``pages``, copied from ``--warehouse`` through an
``ATTACH`` with that row-group size (0: DuckDB's default, 122,880 rows), and its primary key;
then, in a fresh process (its peak RSS is the measure), ``--inserts`` times: insert 25 sampled
rows with new URLs (from Parquet written beforehand) and ``CHECKPOINT``.

Run (from the repository root)::

    .venv/bin/python benchmarks/ops/checkpoint_memory.py --warehouse W.duckdb --row-group 0 2048
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path


def _attach(row_group: int) -> str:
    return f" (ROW_GROUP_SIZE {row_group})" if row_group else ""


def build(source: Path, db: Path, row_group: int, samples: int, tmp: Path) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute(f"ATTACH '{db}' AS w{_attach(row_group)}")
    con.execute(f"ATTACH '{source}' AS s (READ_ONLY)")
    con.execute("CREATE TABLE w.pages AS SELECT * FROM s.pages")
    con.execute("ALTER TABLE w.pages ADD PRIMARY KEY (url)")
    for k in range(samples):
        con.execute(
            f"COPY (SELECT * REPLACE (url || '#probe{k}' AS url) FROM s.pages "
            f"USING SAMPLE 25 ROWS (reservoir, {k})) TO '{tmp / f'sample{k}.parquet'}'"
        )
    con.close()


def probe(db: Path, row_group: int, inserts: int, tmp: Path) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute(f"ATTACH '{db}' AS w{_attach(row_group)}")
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    for k in range(inserts):
        con.execute("BEGIN")
        con.execute(f"INSERT INTO w.pages SELECT * FROM '{tmp / f'sample{k}.parquet'}'")
        con.execute("COMMIT")
        con.execute("CHECKPOINT w")
    rows, raw, groups = con.execute(
        "SELECT count(*), sum(octet_length(raw_gzip)) // 1048576, "
        "(SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('w.pages')) FROM w.pages"
    ).fetchone()
    con.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return {
        "row_group": row_group or "default",
        "rows": rows,
        "raw_mb": raw,
        "row_groups": groups,
        "peak_rss_mb_at_open": start,
        "peak_rss_mb": peak,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--warehouse", type=Path, required=True)
    p.add_argument("--row-group", type=int, nargs="+", default=[0, 2048])
    p.add_argument("--inserts", type=int, default=4)
    p.add_argument("--step", choices=("build", "probe"), help=argparse.SUPPRESS)
    p.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--tmp", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.step == "build":
        build(args.warehouse, args.db, args.row_group[0], args.inserts, args.tmp)
        return
    if args.step == "probe":
        print(json.dumps(probe(args.db, args.row_group[0], args.inserts, args.tmp)))
        return
    for row_group in args.row_group:
        with tempfile.TemporaryDirectory(prefix="newsetl-ckptmem-") as tmp:
            db = Path(tmp) / "pages.duckdb"
            common = [sys.executable, __file__, "--warehouse", str(args.warehouse)]
            common += ["--row-group", str(row_group), "--inserts", str(args.inserts)]
            common += ["--db", str(db), "--tmp", tmp]
            subprocess.run([*common, "--step", "build"], check=True)
            out = subprocess.run(
                [*common, "--step", "probe"], check=True, capture_output=True, text=True
            )
            print(out.stdout.strip(), flush=True)


if __name__ == "__main__":
    main()
