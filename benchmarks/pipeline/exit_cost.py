"""What a `newsetl ingest DIR` command costs after its run is over: the process's exit.

Why: the command's end is on the run's critical path (round 7 measured the interpreter's exit
at 0.46-0.75 s of wall on a busy machine, 0.13-0.16 s of CPU). This runs the command's own
``newsetl.cli.main`` in a child process, which writes its CPU time (its own and its reaped
children's) and the clock when ``main`` returns; the parent takes the child's CPU from
``wait4`` and the clock when it sees the exit. The difference is the exit's cost: ``normal``
ends the child with ``sys.exit`` (the interpreter's finalisation, as before), ``fast`` with
:func:`newsetl.fastexit.exit_now` (the console script's end now). Rounds alternate the two,
each run into a fresh warehouse.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/exit_cost.py --reps 5 [--spine] [PAGES_DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, plain_pages

CHILD = """
import json, os, resource, sys, time
from newsetl.cli import main
mode, out, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
status = main(argv)
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
Path = __import__("pathlib").Path
Path(out).write_text(json.dumps({"cpu": cpu, "at": time.time()}))
if mode == "fast":
    from newsetl.fastexit import exit_now
    exit_now(status)
sys.exit(status)
"""


def one(mode: str, pages: Path, work: Path, env: dict[str, str]) -> dict[str, float]:
    work.mkdir()
    out = work / "end.json"
    argv = ["ingest", "-q", str(pages), "--db", str(work / "w.duckdb")]
    started = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, str(out), *argv],
        env=env, cwd=work, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    ended = time.time()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} exited {proc.returncode}")
    end = json.loads(out.read_text())
    return {
        "wall_s": round(ended - started, 3),
        "exit_wall_s": round(ended - end["at"], 3),
        "exit_cpu_s": round(usage.ru_utime + usage.ru_stime - end["cpu"], 3),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--spine", action="store_true", help="NEWSETL_REPAIR=0 NEWSETL_ENTITIES=0")
    args = p.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="newsetl-exit-"))
    pages = plain_pages(args.pages, tmp / "pages", None)
    env = {**os.environ, "NEWSETL_TRANSLATOR": "none", "PREFECT_HOME": str(tmp / "prefect")}
    env.pop("PREFECT_API_URL", None)
    if args.spine:
        env |= {"NEWSETL_REPAIR": "0", "NEWSETL_ENTITIES": "0"}
    rows: dict[str, list[dict[str, float]]] = {"normal": [], "fast": []}
    for rep in range(args.reps + 1):  # round 0 untimed
        for mode in rows:
            row = one(mode, pages, tmp / f"{mode}-{rep}", env)
            print(f"round {rep} {mode:<6} {json.dumps(row)}", flush=True)
            if rep:
                rows[mode].append(row)
    for mode, found in rows.items():
        med = {k: round(statistics.median(r[k] for r in found), 3) for k in found[0]}
        print(f"median {mode:<6} {json.dumps(med)}")
    subprocess.run(["rm", "-rf", str(tmp)], check=False)


if __name__ == "__main__":
    main()
