"""What the run's process pays to load a run's batches into DuckDB, and how it is opened.

Why: the run's own process is the one writer; its CPU competes with the workers' on the same
cores, and its closing steps run alone after the workers are done. This stages the Zyte pages
once (a run that ends at staging), then loads the same staged batches into fresh copies of
the warehouse, each variant in a fresh process, alternating:

* ``loads``: the run's :class:`~newsetl.run.steps.Loader` over the batches and the run
  record, with the run's three lookups (validators, originals, stored translations) and a
  pause (``--pause``, as while workers analyse) before each load; ``per-load`` opens and
  closes the file for each load (``HOLD_MAX_S = 0``, as before the loader kept it),
  ``kept`` as the run does now;
* ``closing``: the run's closing steps after the batches are loaded (whole-warehouse steps,
  run record, read copy), each step opening the file (``plain``) or inside
  :func:`newsetl.warehouse.held_open` (``held``, as the run does now);
* ``opens``: five opens and closes of the loaded file, ``plain`` or with a migration
  (``migrate``: what each open of a run did before it migrated once).

Printed per variant: process CPU (DuckDB's threads included) and wall; on a busy machine
compare CPU and the variants of the same round.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/load_cost.py [--reps 3] [--pause 0.3] [PAGES_DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, plain_pages

STAGE = """
import shutil, sys
from pathlib import Path
from newsetl.run import run_sources
from newsetl.settings import Settings

def main():
    pages, out, work = sys.argv[1:4]
    settings = Settings(db_path=Path(work) / "w.duckdb", translator="none")
    handed = []
    summary = run_sources([pages], settings, batch_prefix="b", on_staged=handed.append)
    assert summary.status == "completed", summary.stats.failures
    for path in handed:
        shutil.copytree(path, Path(out) / path.name)

if __name__ == "__main__":
    main()
"""

MEASURE = """
import contextlib, json, shutil, sys, time
from pathlib import Path
import duckdb
import newsetl.run.steps as steps
from newsetl.downloads import Fetcher
from newsetl.pipeline import BatchStats
from newsetl.readcopy import refresh_read_copy
from newsetl.run.reader import DuckDBReader
from newsetl.runs import RunSummary
from newsetl.settings import Settings
from newsetl.stages import current_plan
from newsetl.warehouse import (LoadReport, connect, held_open, load_pending, migrate,
    open_warehouse, run_after_load)

what, variant, staged, work, pause = sys.argv[1:6]
root = Path(work)
staging = root / "staging"
shutil.copytree(staged, staging)
settings = Settings(db_path=root / "w.duckdb", staging_dir=staging, translator="none")
batches = sorted(p for p in staging.iterdir() if p.is_dir() and p.name != "b-run")
record = staging / "b-run"
cpu, wall = time.process_time(), time.perf_counter()
if what == "loads":
    if variant == "per-load":
        steps.HOLD_MAX_S = 0.0
    reader = DuckDBReader.open(settings)
    ctx = steps.RunContext(settings=settings, run_id="x", fetcher=Fetcher(settings),
                           reader=reader)
    summary = RunSummary("x", [], ctx.started_at)
    loader = steps.Loader(ctx, summary)
    urls = [f"http://bench.invalid/{i}" for i in range(25)]
    cpu, wall = time.process_time(), time.perf_counter()
    for batch in [*batches, record]:
        time.sleep(float(pause))
        reader.page_states(urls)
        ctx.originals(urls)
        reader.originals(set(urls[:5]))
        loader(steps.AnalysisResult(BatchStats(), [], batch))
    loader.release()
    assert summary.load.loaded == len(batches) + 1
    cpu_s = time.process_time() - cpu
    wall_s = time.perf_counter() - wall - float(pause) * (len(batches) + 1)
else:
    open_warehouse(settings).close()
    report = LoadReport()
    for batch in batches:
        step = load_pending(settings, batches=[batch], after_load=False, plan=current_plan())
        report.extras |= step.extras
    cpu, wall = time.process_time(), time.perf_counter()
    if what == "closing":
        keep = held_open(settings) if variant == "held" else contextlib.nullcontext()
        with keep:
            con = open_warehouse(settings, migrate_schema=False)
            run_after_load(con, report, current_plan())
            con.close()
            load_pending(settings, batches=[record], after_load=False, plan=current_plan(),
                         migrate_schema=False)
            refresh_read_copy(settings, migrated=True)
    else:  # opens
        for _ in range(5):
            con = connect(settings.db_path)
            if variant == "migrate":
                migrate(con)
            con.close()
    cpu_s, wall_s = time.process_time() - cpu, time.perf_counter() - wall
print(json.dumps({"cpu_s": cpu_s, "wall_s": wall_s}))
"""

VARIANTS = {
    "loads": ("per-load", "kept"),
    "closing": ("plain", "held"),
    "opens": ("plain", "migrate"),
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--pause", type=float, default=0.3, help="seconds before each load")
    args = p.parse_args()
    env = {**os.environ, "NEWSETL_TRANSLATOR": "none", "PYTHONWARNINGS": "ignore"}
    with tempfile.TemporaryDirectory(prefix="newsetl-loadcost-") as tmp:
        base = Path(tmp)
        pages = plain_pages(args.pages, base / "pages", None)
        staged = base / "staged"
        staged.mkdir()
        (base / "stage-run").mkdir()
        subprocess.run(
            [sys.executable, "-c", STAGE, str(pages), str(staged), str(base / "stage-run")],
            check=True,
            env=env,
            cwd=base,
        )
        results: dict[tuple[str, str], list[dict]] = {}
        for rep in range(args.reps):
            for what, variants in VARIANTS.items():
                for variant in variants:
                    work = base / f"{what}-{variant}-{rep}"
                    out = subprocess.run(
                        [sys.executable, "-c", MEASURE, what, variant, str(staged), str(work),
                         str(args.pause)],
                        check=True, capture_output=True, text=True, env=env, cwd=base,
                    ).stdout  # fmt: skip
                    row = json.loads(out.strip().splitlines()[-1])
                    results.setdefault((what, variant), []).append(row)
                    print(f"round {rep} {what:<8} {variant:<9} cpu {row['cpu_s']:.3f} s, "
                          f"wall {row['wall_s']:.3f} s", flush=True)  # fmt: skip
                    shutil.rmtree(work, ignore_errors=True)
    print(f"\n{'':<18} {'CPU s (min-max)':>18} {'wall s (min-max)':>18}")
    for (what, variant), rows in results.items():
        cpu = [r["cpu_s"] for r in rows]
        wall = [r["wall_s"] for r in rows]
        print(
            f"{what + ' ' + variant:<18} {min(cpu):>8.3f}-{max(cpu):<8.3f} "
            f"{min(wall):>8.3f}-{max(wall):<8.3f}"
        )


if __name__ == "__main__":
    main()
