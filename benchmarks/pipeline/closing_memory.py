"""Memory of a run's whole-warehouse entity steps (resolution, then story clusters) on a
warehouse, as the end of ``newsetl ingest`` runs them in its own process, and a digest of the
rows they compute (to compare checkouts).

Why: the run's process at its end grew with the warehouse (benchmarks/README.md "Round 16
(mem16)": 365 MB after the last batch into a 1,000-page warehouse, 640 MB into a 51,000-page
one); this says which step and how much is DuckDB's (``duckdb_memory()``) against the rest.

Run with the interpreter of the checkout to measure (the steps are imported from it)::

    .venv/bin/python benchmarks/pipeline/closing_memory.py W.duckdb
    /tmp/base16/.venv/bin/python benchmarks/pipeline/closing_memory.py W.duckdb

The steps run in a transaction that is rolled back: the file keeps its rows (use a copy all
the same: the open migrates an older schema). Per step: RSS, the process's high-water mark
(VmHWM), CPU seconds, DuckDB's own accounting; then row counts and digests of the tables.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path
from typing import Any

from newsetl.entities import refresh_entity_resolution, refresh_story_clusters
from newsetl.warehouse import connect

TABLES = ("entity_resolution", "entity_resolution_review", "story_clusters")


def status_mb() -> dict[str, int]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(rest.split()[0]) // 1024
    return out


def duckdb_mb(con: Any) -> dict[str, int]:
    rows = con.execute(
        "SELECT tag, memory_usage_bytes // 1048576 FROM duckdb_memory() "
        "WHERE memory_usage_bytes > 1048576"
    ).fetchall()
    return dict(rows)


def digest(con: Any, table: str) -> tuple[int, str]:
    rows = sorted(map(repr, con.execute(f"SELECT * FROM {table}").fetchall()))
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("warehouse", type=Path)
    args = p.parse_args()
    con = connect(args.warehouse)
    steps: list[dict[str, Any]] = [{"step": "open", **status_mb(), "duckdb": duckdb_mb(con)}]
    con.execute("BEGIN")
    try:
        for name, step in (
            ("resolution", refresh_entity_resolution),
            ("stories", refresh_story_clusters),
        ):
            cpu = time.process_time()
            step(con)
            steps.append(
                {
                    "step": name,
                    "cpu_s": round(time.process_time() - cpu, 2),
                    **status_mb(),
                    "duckdb": duckdb_mb(con),
                }
            )
        rows = {t: digest(con, t) for t in TABLES}
    finally:
        con.execute("ROLLBACK")
        con.close()
    print(json.dumps({"steps": steps, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
