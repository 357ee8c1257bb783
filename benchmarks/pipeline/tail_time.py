"""How long a run's tail takes: from the last batch extracted to the last batch loaded, and to
the run's end (closing steps, run record, read copy).

Why: after the last page is extracted the workers have only the last batches' analyses
left, and the run's process its serial steps (benchmarks/README.md "Round 7", the tail);
this times that stretch alone, where the command's wall time mixes it with the start and the
machine's load. Each checkout's interpreter (``--python``, repeatable) runs the run engine
(:func:`newsetl.run.run_sources`, a pool of two workers) over the pages into a fresh
warehouse, with hooks that note the clock; rounds alternate the checkouts.

``run_s``: from the sources expanded to the run's end. Why: a change that moves the last
extraction (the last batches' analyses in parts go ahead of the last batch's extraction,
"Round 15 (last15)") moves the start of the two spans above too; this one starts before.

Besides the wall times, the CPU of the run's main thread (``thread_time``: what the run's own
process spends on its serial work, whatever the machine's load): over the batches' loads
(``loads_cpu_s``), from the last load to the run's end (``closing_cpu_s``: the whole-warehouse
entity steps, the run record, the read copy) and over the entity resolution alone
(``resolution_cpu_s``); the closes of the file after the last load (each a checkpoint: their
wall time and the process's CPU over them, ``closes_after_load_s``, ``..._cpu_s``).

The pool is not kept (``keep_workers`` off), as in ``newsetl ingest`` since round 16: the
run's end (``finished``) then comes after its workers have ended, which a kept pool's do only
at the process's exit (``--keep-workers``: as before round 16).

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/tail_time.py --reps 3 \\
        --python /tmp/base/.venv/bin/python --python .venv/bin/python [--spine] [PAGES_DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, plain_pages

CHILD = """
import json, sys, time
from pathlib import Path
from newsetl.run import RunHooks, run_sources
from newsetl.settings import Settings

marks = {}
cpu = {"loads": 0.0}
from newsetl.entities import store as entity_store
resolution = entity_store.refresh_entity_resolution
def timed_resolution(con):  # observed, not changed
    t = time.thread_time()
    try:
        return resolution(con)
    finally:
        cpu["resolution"] = time.thread_time() - t
entity_store.refresh_entity_resolution = timed_resolution
import importlib
warehouse_connect = importlib.import_module("newsetl.warehouse.connect")
close_shared = warehouse_connect._close_shared
closes = []
def timed_close(key):  # observed, not changed: each close of the file (a checkpoint)
    t, c = time.perf_counter(), time.process_time()
    try:
        return close_shared(key)
    finally:
        closes.append((t, time.perf_counter() - t, time.process_time() - c))
warehouse_connect._close_shared = timed_close
class Hooks(RunHooks):
    def load_batch(self, run, index, result, loader):
        t = time.thread_time()
        super().load_batch(run, index, result, loader)
        cpu["loads"] += time.thread_time() - t
    def expanded(self, run, batches):
        self.last = len(batches) - 1
        marks["expanded"] = time.perf_counter()
    def extracted(self, run, index, items):
        if index == self.last:
            marks["last_extracted"] = time.perf_counter()
    def loaded(self, run, index, result):
        if index == self.last:
            marks["last_loaded"] = time.perf_counter()
            cpu["last_loaded"] = time.thread_time()
    def finished(self, run):
        marks["finished"] = time.perf_counter()
        cpu["finished"] = time.thread_time()

pages, db, spine, keep = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4] == "1"
settings = Settings.from_env(
    db_path=Path(db), workers=2, repair=not spine, entities=not spine, keep_workers=keep
)
summary = run_sources([pages], settings, hooks=Hooks())
assert summary.stats.articles > 0
start = marks["last_extracted"]
print(json.dumps({
    "to_last_load_s": round(marks["last_loaded"] - start, 3),
    "to_end_s": round(marks["finished"] - start, 3),
    "run_s": round(marks["finished"] - marks["expanded"], 3),
    "cpu_s": round(time.process_time(), 3),
    "loads_cpu_s": round(cpu["loads"], 3),
    "closing_cpu_s": round(cpu["finished"] - cpu["last_loaded"], 3),
    "resolution_cpu_s": round(cpu.get("resolution", 0.0), 3),
    # the closes of the file after the last load: wall and the process's CPU (a checkpoint
    # runs in DuckDB's threads), summed
    "closes_after_load_s": round(sum(w for t, w, _ in closes if t >= marks["last_loaded"]), 3),
    "closes_after_load_cpu_s": round(
        sum(c for t, _, c in closes if t >= marks["last_loaded"]), 3
    ),
}))
"""


def interleaved_rounds(
    pythons: list[Path], reps: int, tmp: Path, run_one: Callable[[Path, Path], dict]
) -> None:
    """Round 0 (untimed), then ``reps`` rounds, each checkout's interpreter in turn, each run
    in a fresh directory under ``tmp`` (``run_one(python, directory)`` gives the run's row of
    numbers); prints each round's row and each checkout's medians."""
    rows: dict[str, list[dict]] = {str(py): [] for py in pythons}
    for rep in range(reps + 1):
        for py in pythons:
            work = tmp / f"{rep}-{len(rows[str(py)])}-{abs(hash(py))}"
            work.mkdir()
            row = run_one(py, work)
            print(f"round {rep} {py}: {json.dumps(row)}", flush=True)
            if rep:
                rows[str(py)].append(row)
    for py, found in rows.items():
        med = {k: round(statistics.median(r[k] for r in found), 3) for k in found[0]}
        print(f"median {py}: {json.dumps(med)}")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--python", action="append", type=Path)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--spine", action="store_true", help="repair and entities off")
    p.add_argument(
        "--keep-workers",
        action="store_true",
        help="keep the pool's workers after the run (a long-lived process; before round 16 "
        "the command's too: its workers then ended at its exit, after to_end_s)",
    )
    args = p.parse_args(argv)
    pythons = [py.absolute() for py in args.python or [Path(sys.executable)]]
    tmp = Path(tempfile.mkdtemp(prefix="newsetl-tail-"))
    pages = plain_pages(args.pages, tmp / "pages", None)
    env = {**os.environ, "NEWSETL_TRANSLATOR": "none", "PREFECT_HOME": str(tmp / "prefect")}
    env.pop("PREFECT_API_URL", None)

    def run_one(py: Path, work: Path) -> dict:
        env["NEWSETL_STAGING_DIR"] = str(work / "staging")
        out = subprocess.run(
            [str(py), "-c", CHILD, str(pages), str(work / "w.duckdb"), str(int(args.spine)),
             str(int(args.keep_workers))],
            env=env, cwd=work, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return json.loads(out.stdout.strip().splitlines()[-1])

    interleaved_rounds(pythons, args.reps, tmp, run_one)
    subprocess.run(["rm", "-rf", str(tmp)], check=False)


if __name__ == "__main__":
    main()
