"""What opening a new warehouse file costs the run's process, checkout against checkout:
``open_warehouse`` (migrations, views, seeds, or since round 16 a copy of the cached template)
and the connection's close (a checkpoint), in a fresh interpreter with newsetl's warehouse
package imported first, each checkout's interpreter in turn (``--python``, repeatable),
``--reps`` rounds interleaved.

Why: ``newsetl ingest DIR --db NEW`` opens a new file in its run's process before its first
batch, while the fork server warms up beside it on a two-core machine; the CPU it takes there
is taken from the fork server or the early helper (benchmarks/README.md "Round 16 (warm16)").
CPU is the process's (DuckDB's threads included); wall is given but moves with the load.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/new_warehouse_cost.py --reps 5 \\
        --python /tmp/base/.venv/bin/python --python .venv/bin/python

Each checkout uses the default cache directory (the template is built by the first run of a
checkout that has one: run round 0 and leave it out, as the medians below do not).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
from pathlib import Path

CHILD = """
import json, resource, sys, time
from pathlib import Path
from newsetl.settings import Settings
from newsetl.warehouse import open_warehouse
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
c, t = cpu(), time.perf_counter()
con = open_warehouse(Settings(db_path=Path(sys.argv[1]), translator="none"))
c1, t1 = cpu(), time.perf_counter()
con.close()
c2, t2 = cpu(), time.perf_counter()
print(json.dumps({"open_cpu_s": c1 - c, "open_wall_s": t1 - t, "close_cpu_s": c2 - c1,
                  "close_wall_s": t2 - t1}))
"""

KEYS = ("open_cpu_s", "open_wall_s", "close_cpu_s", "close_wall_s")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--python", action="append", type=Path)
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args(argv)
    pythons = args.python or [Path(".venv/bin/python")]
    runs: dict[str, list[dict[str, float]]] = {str(py): [] for py in pythons}
    with tempfile.TemporaryDirectory(prefix="new-warehouse-") as work:
        for n in range(args.reps + 1):
            for i, py in enumerate(pythons):
                db = Path(work) / f"r{n}-{i}.duckdb"
                out = subprocess.run(
                    [str(py), "-c", CHILD, str(db)], capture_output=True, text=True, check=True
                )
                row = json.loads(out.stdout.strip().splitlines()[-1])
                if n:  # round 0 builds a checkout's template (and warms the page cache)
                    runs[str(py)].append(row)
                print(f"round {n} {py}: " + ", ".join(f"{k} {row[k]:.3f}" for k in KEYS))
    for py, rows in runs.items():
        med = {k: statistics.median(r[k] for r in rows) for k in KEYS}
        print(f"median {py}: " + ", ".join(f"{k} {med[k]:.3f}" for k in KEYS))


if __name__ == "__main__":
    main()
