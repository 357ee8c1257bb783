"""The command's serial tail step by step: ``newsetl ingest -q PAGES`` (everything on), with
timers on each step from the run's last load to the process's end, checkouts interleaved.

Why: ``tail_time.py`` drives the run engine and stops at the run's ``finished`` hook; the
user's command goes on to its exit (the pool's workers joined there when the pool was kept,
the resource tracker reaped, the process's own end). This runs the console script itself
(:func:`newsetl.cli.console`) in each checkout's interpreter, with observers (nothing is
changed) that note the wall clock and the process's CPU (every thread: a checkpoint runs in
DuckDB's) at the start and end of: each load, the loader's let-go, each open and close of
the file's database (a close is a checkpoint), the pool's end, the entity resolution, the
story clusters, the run record, the read copy, the run's end, the exit's thread shutdown
(joins a kept pool's workers), its exit handlers and its wait for the resource tracker; the
driver notes when the process has ended (``os.wait4``: its CPU, children not included).

Per run it prints, from the last load: the wall and CPU to the process's end, and with
``--steps`` each step's offsets. Rounds alternate the checkouts; round 0 is not in the
medians.

Run (from the repository root; ``PAGES``: a directory of plain ``.html`` pages, default the
Zyte pages decompressed into a temporary directory)::

    .venv/bin/python benchmarks/pipeline/tail_steps.py --reps 3 \\
        --python /tmp/base/.venv/bin/python --python .venv/bin/python [--steps] [PAGES]
"""

from __future__ import annotations

import json
import os
import sys
import time

CHILD_FLAG = "--child"


def child(out: str, argv: list[str]) -> None:
    """The console script with observers on the tail's steps; writes the marks to ``out``
    just before the process ends."""
    import atexit
    import importlib
    import threading

    marks: list[tuple[str, float, float]] = []

    def mark(name: str) -> None:
        marks.append((name, time.time(), time.process_time()))

    def observe(owner: object, attr: str, name: str) -> None:
        real = getattr(owner, attr)

        def observed(*args: object, **kwargs: object) -> object:
            mark(name + "<")
            try:
                return real(*args, **kwargs)
            finally:
                mark(name + ">")

        setattr(owner, attr, observed)

    mark("start")
    from newsetl import fastexit, workers
    from newsetl.entities import store
    from newsetl.run import engine, steps

    connect = importlib.import_module("newsetl.warehouse.connect")  # the package has connect()
    observe(store, "refresh_entity_resolution", "resolution")
    observe(store, "refresh_story_clusters", "stories")
    observe(engine, "stage_run_record", "record")
    observe(engine, "refresh_read_copy_after_load", "readcopy")
    observe(connect, "_close_shared", "close")
    observe(connect, "_open_shared", "open")
    observe(steps.Loader, "__call__", "load")
    observe(steps.Loader, "release", "release")
    observe(workers.SharingExecutor, "__exit__", "poolend")
    observe(engine.Run, "execute", "execute")
    observe(threading, "_shutdown", "threads")
    observe(atexit, "_run_exitfuncs", "atexit")
    observe(fastexit, "end_resource_tracker", "tracker")
    tracker = fastexit.end_resource_tracker

    def last(*args: object, **kwargs: object) -> object:
        try:
            return tracker(*args, **kwargs)
        finally:
            with open(out, "w") as fh:
                json.dump(marks, fh)

    fastexit.end_resource_tracker = last
    from newsetl.cli import console

    sys.argv = ["newsetl", *argv]
    console()


def main() -> None:
    import argparse
    import shutil
    import statistics
    import subprocess
    import tempfile
    from pathlib import Path

    from cli_vs_trafilatura import DEFAULT_PAGES, plain_pages

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--python", action="append", type=Path)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--steps", action="store_true", help="print each step's offsets")
    args = p.parse_args()
    pythons = [py.absolute() for py in args.python or [Path(sys.executable)]]
    tmp = Path(tempfile.mkdtemp(prefix="newsetl-tailsteps-"))
    pages = plain_pages(args.pages, tmp / "pages", None)
    env = {**os.environ, "NEWSETL_TRANSLATOR": "none", "PREFECT_HOME": str(tmp / "prefect")}
    env.pop("PREFECT_API_URL", None)
    rows: dict[str, list[dict[str, float]]] = {str(py): [] for py in pythons}
    try:
        for rep in range(args.reps + 1):
            for py in pythons:
                work = tmp / f"{rep}-{pythons.index(py)}"
                work.mkdir()
                env["NEWSETL_STAGING_DIR"] = str(work / "staging")
                cmd = [str(py), __file__, CHILD_FLAG, str(work / "marks.json"), "ingest", "-q",
                       str(pages), "--db", str(work / "w.duckdb")]  # fmt: skip
                started = time.time()
                proc = subprocess.Popen(
                    cmd, env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
                _, status, usage = os.wait4(proc.pid, 0)
                ended = time.time()
                if status != 0:
                    raise SystemExit(f"{py}: the command ended with status {status}")
                marks = json.loads((work / "marks.json").read_text())
                loads = [(t, c) for name, t, c in marks if name == "load>"]
                last_t, last_c = max(loads)
                done_c = next(c for name, _, c in marks if name == "tracker>")
                row = {
                    "last_load_to_exit_s": round(ended - last_t, 3),
                    "tail_cpu_s": round(done_c - last_c, 3),
                    "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
                    "wall_s": round(ended - started, 3),
                }
                print(f"round {rep} {py}: {json.dumps(row)}", flush=True)
                if args.steps:
                    for name, t, c in marks:
                        if t >= last_t - 0.001:
                            print(f"    {name:12s} {t - last_t:+.3f} s  cpu {c - last_c:+.3f} s")
                    print(f"    {'ended':12s} {ended - last_t:+.3f} s")
                if rep:
                    rows[str(py)].append(row)
                shutil.rmtree(work)
        for py, found in rows.items():
            med = {k: round(statistics.median(r[k] for r in found), 3) for k in found[0]}
            print(f"median {py}: {json.dumps(med)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == CHILD_FLAG:
        child(sys.argv[2], sys.argv[3:])
    else:
        main()
