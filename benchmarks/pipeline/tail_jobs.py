"""The pool's last jobs, worker by worker: when each job ran, and how long each worker had no
job at the end while the other still worked (``tail_idle_core_s``).

Why: at a run's end the workers' CPU falls from two cores to one before the run's process is
left alone (``run_timeline.py``); this says which jobs are on the two workers then (one
batch's analysis on one worker while the other had nothing, "Round 15 (last15)"). The
idle at the end is the pool's scheduling, not the machine's load: a loaded machine stretches
the jobs, not which worker has one.

Each checkout's interpreter (``--python``, repeatable) runs the run engine
(:func:`newsetl.run.run_sources`, two workers) over the pages into a fresh warehouse, with
the pool's job functions wrapped (a module on ``PYTHONPATH`` the workers import: each job
appends its start, end, CPU and pid to a file); rounds alternate the checkouts.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/tail_jobs.py --reps 3 \\
        --python /tmp/base/.venv/bin/python --python .venv/bin/python [--spine] [--jobs] [PAGES_DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, plain_pages
from tail_time import interleaved_rounds

#: the wrappers, imported by the workers by name (``jobclock``)
JOBCLOCK = """
import json, os, time
from newsetl.pipeline import extract_in_worker as _extract
from newsetl.run.steps import analyse_and_stage_job as _analyse
try:
    from newsetl.run.tailsplit import analyse_part_job as _part
except ImportError:  # a checkout without it
    _part = None
LOG = os.environ["JOBCLOCK_LOG"]

def _timed(kind, fn, n, args, kw):
    t0, c0 = time.time(), time.process_time()
    try:
        return fn(*args, **kw)
    finally:
        row = {"kind": kind, "pid": os.getpid(), "t0": t0, "t1": time.time(),
               "cpu": time.process_time() - c0, "pages": n}
        with open(LOG, "a") as f:
            f.write(json.dumps(row) + "\\n")

def extract(*args, **kw):
    return _timed("extract", _extract, 1, args, kw)

def analyse(items, *args, **kw):
    return _timed("analysis", _analyse, len(items), (items, *args), kw)

def part(items, *args, **kw):
    return _timed("part", _part, len(items), (items, *args), kw)
"""

CHILD = """
import json, os, sys, time
from pathlib import Path

def main():
    import jobclock
    from newsetl import pipeline
    from newsetl.run import RunHooks, run_sources, steps
    from newsetl.settings import Settings
    pipeline.extract_in_worker = jobclock.extract
    steps.analyse_and_stage_job = jobclock.analyse
    try:
        from newsetl.run import tailsplit
        tailsplit.analyse_part_job = jobclock.part
    except ImportError:
        pass
    marks = {}
    class Hooks(RunHooks):
        def expanded(self, run, batches):
            self.last = len(batches) - 1
            marks["expanded"] = time.time()
        def loaded(self, run, index, result):
            if index == self.last:
                marks["last_loaded"] = time.time()
        def finished(self, run):
            marks["finished"] = time.time()
    pages, db, spine = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    settings = Settings.from_env(db_path=Path(db), workers=2, repair=not spine,
                                 entities=not spine)
    run_sources([pages], settings, hooks=Hooks())
    jobs = [json.loads(line) for line in open(jobclock.LOG)]
    t00 = marks["expanded"]
    end = max(j["t1"] for j in jobs)
    pool = {j["pid"] for j in jobs if j["t1"] > end - 2.0}  # the last generation's workers
    last = {p: max(j["t1"] for j in jobs if j["pid"] == p) for p in pool}
    print(json.dumps({
        "workers_end_s": round(end - t00, 3),
        "tail_idle_core_s": round(sum(end - t for t in last.values()), 3),
        "last_load_after_workers_s": round(marks["last_loaded"] - end, 3),
        "run_s": round(marks["finished"] - t00, 3),
        "last_jobs": [
            [j["kind"], j["pid"], j["pages"], round(j["t0"] - t00, 3), round(j["t1"] - t00, 3)]
            for j in sorted(jobs, key=lambda j: j["t0"]) if j["kind"] != "extract"
        ][-6:],
    }))

if __name__ == "__main__":
    main()
"""


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--python", action="append", type=Path)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--spine", action="store_true", help="repair and entities off")
    p.add_argument("--jobs", action="store_true", help="print each round's last analysis jobs")
    args = p.parse_args(argv)
    pythons = [py.absolute() for py in args.python or [Path(sys.executable)]]
    tmp = Path(tempfile.mkdtemp(prefix="newsetl-tailjobs-"))
    pages = plain_pages(args.pages, tmp / "pages", None)
    (tmp / "jobclock.py").write_text(JOBCLOCK)
    (tmp / "child.py").write_text(CHILD)
    env = {**os.environ, "NEWSETL_TRANSLATOR": "none", "PREFECT_HOME": str(tmp / "prefect")}
    env["PYTHONPATH"] = str(tmp)  # the workers import the wrappers by name
    env.pop("PREFECT_API_URL", None)

    def run_one(py: Path, work: Path) -> dict:
        env["NEWSETL_STAGING_DIR"] = str(work / "staging")
        env["JOBCLOCK_LOG"] = str(work / "jobs.jsonl")
        out = subprocess.run(
            [str(py), str(tmp / "child.py"), str(pages), str(work / "w.duckdb"),
             str(int(args.spine))],
            env=env, cwd=work, capture_output=True, text=True, check=True,
        )  # fmt: skip
        row = json.loads(out.stdout.strip().splitlines()[-1])
        jobs = row.pop("last_jobs")
        if args.jobs:  # (printed before the round's row)
            for job in jobs:
                print(f"    {job}")
        return row

    interleaved_rounds(pythons, args.reps, tmp, run_one)
    subprocess.run(["rm", "-rf", str(tmp)], check=False)


if __name__ == "__main__":
    main()
