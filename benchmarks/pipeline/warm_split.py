"""The fork server's warm-up: how much of it is serial (the main thread) and how much runs
beside it (the stages' native loads, :meth:`newsetl.stages.base.Stage.warm_up_native`).

Why: the fork server warms up alone before any worker takes a page, so the CPU of its main
thread is on the run's critical path; lingua loads its models in Rust with the GIL released,
in a thread of ours (``threaded``) or, as before, in the main thread's call (``serial``: the
same warm-up with the thread's work done in line). Each variant runs in a fresh process
(``--reps`` alternating rounds); printed: the main thread's CPU (``time.thread_time``), the
process's CPU (all threads: lingua's own included) and the wall time. On a busy machine the
wall time says little; the main thread's CPU is what an idle second core cannot take over.

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
if sys.argv[1] == "serial":  # the thread's work done in line, as before the thread existed
    class InLine:
        def __init__(self, target, args, **kwargs):
            self.target, self.args = target, args
        def start(self):
            self.target(*self.args)
        def join(self):
            pass
    stages.threading.Thread = InLine
analysis = sys.argv[2] == "1"
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
    rows: dict[str, list[dict]] = {"serial": [], "threaded": []}
    for _ in range(args.reps):
        for variant in rows:
            out = subprocess.run(
                [sys.executable, "-c", CHILD, variant, analysis],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            row = json.loads(out.strip().splitlines()[-1])
            rows[variant].append(row)
            print(variant, {k: round(v, 2) for k, v in row.items()}, flush=True)
    for variant, found in rows.items():
        line = ", ".join(
            f"{k} {min(r[k] for r in found):.2f}-{max(r[k] for r in found):.2f}"
            for k in ("main_cpu_s", "process_cpu_s", "wall_s")
        )
        print(f"{variant:<9} {line}")


if __name__ == "__main__":
    main()
