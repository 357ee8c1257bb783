"""The run's loads alone, two checkouts on the same staged batches: the CPU of the run's
process's main thread over the loads, and whether they load the same rows.

Why: a run's loads happen while both pool workers analyse (3 processes on 2 cores), so
their CPU costs wall time, and a whole run's CPU varies by more than they change. This
stages the Zyte pages once (the first ``--python``'s checkout, a run that ends at staging),
then loads those batches with the run's :class:`~newsetl.run.steps.Loader` (the file kept
open, as a run keeps it) into a fresh warehouse, each checkout in a fresh process, rounds
interleaved. The first batch's load is not timed (imports, the first statements); the other
seven are (``thread_s``: the main thread, ``cpu_s``: the process, DuckDB's threads included).
``--again`` loads the same batches a second time into the same warehouse (stored articles:
mentions replaced, orphans removed) and times that. ``--compare`` runs
``compare_warehouses.py`` on the last round's warehouses.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/loads_ab.py --reps 5 \\
        --python /tmp/base/.venv/bin/python --python .venv/bin/python [--again] [--compare]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, plain_pages
from load_cost import STAGE

LOAD = """
import json, shutil, sys, time
from pathlib import Path
import newsetl.run.steps as steps
from newsetl.downloads import Fetcher
from newsetl.pipeline import BatchStats
from newsetl.run.reader import DuckDBReader
from newsetl.runs import RunSummary
from newsetl.settings import Settings

staged, work, again = sys.argv[1], Path(sys.argv[2]), sys.argv[3] == "1"
out = {}
for round_ in ([0, 1] if again else [0]):
    staging = work / f"staging-{round_}"
    shutil.copytree(staged, staging)
    settings = Settings(db_path=work / "w.duckdb", staging_dir=staging, translator="none")
    batches = sorted(p for p in staging.iterdir() if p.is_dir() and p.name != "b-run")
    reader = DuckDBReader.open(settings)
    ctx = steps.RunContext(settings=settings, run_id=f"r{round_}", fetcher=Fetcher(settings),
                           reader=reader)
    loader = steps.Loader(ctx, RunSummary(f"r{round_}", [], ctx.started_at))
    loader(steps.AnalysisResult(BatchStats(), [], batches[0]))
    cpu, thread = time.process_time(), time.thread_time()
    for batch in batches[1:]:
        loader(steps.AnalysisResult(BatchStats(), [], batch))
    out = {"thread_s": time.thread_time() - thread, "cpu_s": time.process_time() - cpu}
    loader.release()

print(json.dumps(out))
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--python", action="append", type=Path, required=True)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--again", action="store_true", help="time a second load of the batches")
    p.add_argument("--compare", action="store_true", help="compare the last round's warehouses")
    args = p.parse_args()
    args.python = [python.absolute() for python in args.python]  # the runs' cwd is elsewhere
    env = {**os.environ, "NEWSETL_TRANSLATOR": "none", "PYTHONWARNINGS": "ignore"}
    with tempfile.TemporaryDirectory(prefix="newsetl-loads-ab-") as tmp:
        base = Path(tmp)
        pages = plain_pages(args.pages, base / "pages", None)
        staged = base / "staged"
        staged.mkdir()
        (base / "stage-run").mkdir()
        subprocess.run([str(args.python[0]), "-c", STAGE, str(pages), str(staged),
                        str(base / "stage-run")], check=True, env=env, cwd=base)  # fmt: skip
        results: dict[int, list[dict]] = {i: [] for i in range(len(args.python))}
        last: list[Path] = []
        for rep in range(args.reps):
            last = []
            for i, python in enumerate(args.python):
                work = base / f"w-{rep}-{i}"
                work.mkdir()
                out = subprocess.run(
                    [str(python), "-c", LOAD, str(staged), str(work), "1" if args.again else "0"],
                    check=True, capture_output=True, text=True, env=env, cwd=base,
                ).stdout  # fmt: skip
                row = json.loads(out.strip().splitlines()[-1])
                results[i].append(row)
                last.append(work / "w.duckdb")
                print(f"round {rep} {python}: main thread {row['thread_s']:.3f} s, "
                      f"process {row['cpu_s']:.3f} s", flush=True)  # fmt: skip
                if rep < args.reps - 1:
                    shutil.rmtree(work, ignore_errors=True)
        print()
        for i, python in enumerate(args.python):
            thread = [r["thread_s"] for r in results[i]]
            cpu = [r["cpu_s"] for r in results[i]]
            print(f"{python}: main thread median {statistics.median(thread):.3f} s "
                  f"({min(thread):.3f}-{max(thread):.3f}), process median "
                  f"{statistics.median(cpu):.3f} s")  # fmt: skip
        if args.compare and len(last) == 2:
            script = Path(__file__).with_name("compare_warehouses.py")
            subprocess.run([sys.executable, str(script), str(last[0]), str(last[1])], check=False)


if __name__ == "__main__":
    main()
