"""What the fork server's preload costs, checkout against checkout: wall and CPU of importing
the preload module (``newsetl._warm_extraction`` for the spine, ``newsetl._warm`` with the
analyses) in a fresh interpreter, as the fork server does.

Why: on an idle two-core machine the spine's preload is the critical path of its start (no
worker takes a page before it is over, and the run's own start is done before it:
benchmarks/README.md "Round 10 (spine10)"), so a CPU second cut there is a wall second. The
command's wall time mixes it with the machine's load; this times it alone, each checkout's
interpreter in turn (``--python``, repeatable), ``--reps`` rounds interleaved.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/preload_cost.py --reps 5 \\
        --python /tmp/base/.venv/bin/python --python .venv/bin/python [--module newsetl._warm]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
from pathlib import Path

CHILD = """
import json, resource, sys, time
t = time.perf_counter()
__import__(sys.argv[1])
r = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall_s": time.perf_counter() - t, "cpu_s": r.ru_utime + r.ru_stime}))
"""


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--python", action="append", type=Path)
    p.add_argument("--module", default="newsetl._warm_extraction")
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args(argv)
    pythons = args.python or [Path(".venv/bin/python")]
    runs: dict[str, list[dict[str, float]]] = {str(py): [] for py in pythons}
    for n in range(args.reps):
        for py in pythons:
            out = subprocess.run(
                [str(py), "-c", CHILD, args.module], capture_output=True, text=True, check=True
            )
            row = json.loads(out.stdout)
            runs[str(py)].append(row)
            print(f"round {n} {py}: wall {row['wall_s']:.3f} s, CPU {row['cpu_s']:.3f} s")
    for py, rows in runs.items():
        wall = statistics.median(r["wall_s"] for r in rows)
        cpu = statistics.median(r["cpu_s"] for r in rows)
        print(f"median {py} ({args.module}): wall {wall:.3f} s, CPU {cpu:.3f} s")


if __name__ == "__main__":
    main()
