"""Do two checkouts load the same rows? The check behind "behaviour and output identical" of
a refactoring (issue 14's run engine): run the bundled sample corpus with each checkout's
``run_ingest`` into a fresh warehouse, then compare every table, row for row.

Columns that differ by nature between two runs are left out: run ids, timestamps, fetch
timings and ids, the raw page bytes (gzip) and record hashes (their rows carry the checkout's
path; the columns they hash are compared themselves). The checkout's own path (the sample
corpus is read from local files) is replaced by ``ROOT`` before comparing.

Run (from the repository root; ``/tmp/base`` a worktree of the other revision, synced)::

    .venv/bin/python benchmarks/pipeline/same_rows.py --other /tmp/base
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
VOLATILE = {"run_id", "fetch_id", "elapsed_ms", "raw_gzip", "summary", "record_hash"}

RUN = """
import os, sys
from pathlib import Path
os.environ["NEWSETL_TRANSLATOR"] = "none"
from newsetl.ingest import run_ingest
from newsetl.settings import Settings
settings = Settings(db_path=Path(sys.argv[1]), per_host_interval_s=0.0, workers=1, batch_size=5)
print(run_ingest(None, settings).status)
"""


def ingest(checkout: Path, db: Path) -> None:
    subprocess.run([str(checkout / ".venv/bin/python"), "-c", RUN, str(db)], check=True)


def rows(db: Path, checkout: Path) -> dict[str, list[tuple[str, ...]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1"
            ).fetchall()
        ]
        out = {}
        for table in tables:
            cols = [c for c in con.table(table).columns if c not in VOLATILE]
            cols = [c for c in cols if not c.endswith("_at")]
            found = con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
            out[table] = sorted(
                tuple(str(v).replace(str(checkout), "ROOT") for v in row) for row in found
            )
        return out
    finally:
        con.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--other", type=Path, required=True, help="the other checkout (synced)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dbs = {}
        for label, checkout in (("other", args.other.resolve()), ("this", ROOT)):
            dbs[label] = (Path(tmp) / f"{label}.duckdb", checkout)
            ingest(checkout, dbs[label][0])
        other, this = rows(*dbs["other"]), rows(*dbs["this"])
    different = 0
    for table in sorted(set(other) | set(this)):
        a, b = other.get(table), this.get(table)
        same = a == b
        different += not same
        print(
            f"{table:<32} rows {len(a or []):>6} {len(b or []):>6} {'same' if same else 'DIFFERENT'}"
        )
    print(f"tables that differ: {different}")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
