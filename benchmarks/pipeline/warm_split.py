"""The fork server's warm-up: how much of its CPU is the main thread's, and how much lingua's
own threads take beside it (its model loads are partly parallel in Rust).

Why: the fork server warms up alone before any worker takes a page, so its warm-up is on the
run's critical path. Since round 8 it runs in one thread (:func:`newsetl.stages.warm_up`):
lingua holds the GIL while it loads, so a thread of ours beside the Python warm-ups never ran
at the same time as them. Each round runs the warm-up in a fresh process; printed: the main
thread's CPU (``time.thread_time``), the process's CPU (all threads, lingua's own included)
and the wall time. On a busy machine the wall time says little.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/warm_split.py [--reps 3] [--spine]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = """
import json, sys, time
from newsetl import stages
analysis = sys.argv[1] == "1"
main, cpu, wall = time.thread_time(), time.process_time(), time.perf_counter()
stages.warm_up(analysis)
print(json.dumps({"main_cpu_s": time.thread_time() - main, "process_cpu_s":
    time.process_time() - cpu, "wall_s": time.perf_counter() - wall}))
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--spine", action="store_true", help="stage 1 only (repair, entities off)")
    args = p.parse_args()
    analysis = "0" if args.spine else "1"
    found: list[dict] = []
    for _ in range(args.reps):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, analysis], check=True, capture_output=True, text=True
        ).stdout
        row = json.loads(out.strip().splitlines()[-1])
        found.append(row)
        print({k: round(v, 2) for k, v in row.items()}, flush=True)
    print(
        ", ".join(
            f"{k} {min(r[k] for r in found):.2f}-{max(r[k] for r in found):.2f}"
            for k in ("main_cpu_s", "process_cpu_s", "wall_s")
        )
    )


if __name__ == "__main__":
    main()
