"""When the run's start hands its first pages to the early extraction helper, checkouts
interleaved.

Why: round 14 (start14) forks the helper earlier with the analyses on, and hands over to a
second helper once the language models are loaded. Its gain (a few tenths of a second of one
core) is below what a busy machine does to one run's wall time; the order of events and the
helpers' page count are what it moves. Each run is ``newsetl ingest -q PAGES --db X`` through
a wrapper of ``newsetl.cli.main`` (the same modules, imported by both checkouts) that records,
in seconds from the process's start (``/proc/self/stat``) and with the process's CPU then:

* ``first_batch_queued``: the run's first batch is queued (``pipeline.start_feeding``);
* ``helper_first_job``: the run's first job handed to a helper;
* ``helper_let_go``: the pool has delivered (``earlyextract.finish``), and ``helper_pages``,
  the pages the helpers extracted;
* ``end``.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/start_events.py [--reps 3] [--spine] \\
        --python BASE/.venv/bin/python --python .venv/bin/python [PAGES_DIR]

PAGES_DIR defaults to the Zyte pages (decompressed to a temporary directory).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, plain_pages

WRAPPER = """
import json, os, resource, sys, time

def since_start():
    ticks = os.sysconf("SC_CLK_TCK")
    start = int(open("/proc/self/stat").read().rsplit(")", 1)[1].split()[19]) / ticks
    return time.clock_gettime(time.CLOCK_BOOTTIME) - start

EV = {}
def mark(name):
    if name not in EV:
        r = resource.getrusage(resource.RUSAGE_SELF)
        EV[name] = (round(since_start(), 3), round(r.ru_utime + r.ru_stime, 3))

if __name__ == "__main__":
    from newsetl.cli import main
    import newsetl.earlyextract as E
    import newsetl.pipeline as P
    feed = P.start_feeding
    def start_feeding(executor):
        mark("first_batch_queued")
        return feed(executor)
    P.start_feeding = start_feeding
    extract = E.EarlyHelper.extract
    def first_job(self, job):
        mark("helper_first_job")
        return extract(self, job)
    E.EarlyHelper.extract = first_job
    finish = E.finish
    def let_go():
        mark("helper_let_go")
        EV["helper_pages"] = E._helper.extracted if E._helper else None
        return finish()
    E.finish = let_go
    sys.argv = ["newsetl", "ingest", "-q", sys.argv[1], "--db", sys.argv[2]]
    try:
        main()
    finally:
        mark("end")
        print("EVENTS " + json.dumps(EV), file=sys.stderr)
"""

KEYS = ("first_batch_queued", "helper_first_job", "helper_let_go", "end")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--python", action="append", required=True, help="a checkout's interpreter")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--spine", action="store_true", help="NEWSETL_REPAIR=0 NEWSETL_ENTITIES=0")
    args = p.parse_args()
    env = {**os.environ, "NEWSETL_TRANSLATOR": "none", "PYTHONWARNINGS": "ignore"}
    if args.spine:
        env |= {"NEWSETL_REPAIR": "0", "NEWSETL_ENTITIES": "0"}
    with tempfile.TemporaryDirectory(prefix="newsetl-start-events-") as tmp:
        pages = plain_pages(args.pages, Path(tmp) / "pages", None)
        wrapper = Path(tmp) / "wrapper.py"
        wrapper.write_text(WRAPPER)
        for rep in range(args.reps):
            for python in args.python:
                db = Path(tmp) / "w.duckdb"
                done = subprocess.run(
                    [python, str(wrapper), str(pages), str(db)],
                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                    check=True, timeout=600,
                )  # fmt: skip
                for suffix in ("", ".wal"):
                    Path(str(db) + suffix).unlink(missing_ok=True)
                line = [x for x in done.stderr.splitlines() if x.startswith("EVENTS ")][-1]
                events = json.loads(line[len("EVENTS ") :])
                times = " ".join(f"{k} {events[k][0]:.3f}" for k in KEYS if k in events)
                print(f"round {rep + 1} {python}: {times} helper_pages "
                      f"{events.get('helper_pages')} run_cpu {events['end'][1]:.2f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
