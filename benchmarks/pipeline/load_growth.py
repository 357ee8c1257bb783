"""What a run's warehouse steps cost into a big warehouse against an empty one, replayed.

Why: a whole ``newsetl ingest`` of 1,000 pages takes 5-25 minutes on the shared machine, and
almost all of it (fetching, extraction, analysis in the pool) does not depend on the
warehouse. What does is the run's own process: the per-batch lookups, the loads, the
checkpoints, the closing steps (entity layers, run record, read copy). This stages the pages
once (a run that ends at staging, into an empty warehouse: new pages stage the same rows
whatever the warehouse holds), then replays a run's warehouse steps on those batches into a
copy of each ``--base`` (``empty`` for none), in a fresh process each, interleaved round by
round:

* per batch, as the run does: the validators of its URLs (``RunContext.page_states``), the
  originals its articles name by hreflang (``RunContext.originals``), then the run's :class:`~newsetl.run.steps.Loader` (the file kept open for up to 8 loads);
* then the closing steps inside :func:`newsetl.warehouse.held_open`: the final load with the
  whole-warehouse steps (``run_after_load``), the run record's load, the read copy.

Before the replay (untimed), a base warehouse is given what earlier runs left beside it: a
read copy refreshed twice (so a checkout that keeps the copy before last has one).

Printed per base and round: the process's CPU, wall, bytes written (``/proc/self/io``
``write_bytes``: the warehouse's WAL and checkpoints, the read copy), and the breakdown by
step of ``grow_cost.py`` (nested steps: do not sum them).

Run (from the repository root; the bases are only read)::

    .venv/bin/python benchmarks/pipeline/load_growth.py --pages /work/scale/corpus/new-1000 \
        --staged /tmp/grow9/staged --base empty --base /tmp/grow9/syn20k.duckdb --rounds 2

``--staged DIR`` is reused when it holds batches already (staging is the expensive part).
``--python OTHER/.venv/bin/python`` (repeatable) replays with another checkout's code (its
``newsetl`` is imported; the step timers are this directory's ``grow_cost.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

STAGE = """
import shutil, sys
from pathlib import Path
from newsetl.run import run_sources
from newsetl.settings import Settings

pages, out, work = sys.argv[1:4]
settings = Settings.from_env(db_path=Path(work) / "w.duckdb", staging_dir=Path(work) / "staging")
handed = []
summary = run_sources([pages], settings, batch_prefix="b", on_staged=handed.append)
assert summary.status == "completed", summary.stats.failures
for path in handed:
    shutil.copytree(path, Path(out) / path.name)
"""


def replay(staged: Path, work: Path, out: Path) -> None:
    """In a fresh process: the run's warehouse steps over ``staged`` into ``work/w.duckdb``."""
    import pyarrow.parquet as pq
    from grow_cost import Probe, _written, install

    probe = Probe(out)
    install(probe)
    from newsetl.downloads import Fetcher
    from newsetl.pipeline import BatchStats
    from newsetl.readcopy import refresh_read_copy, refresh_read_copy_after_load
    from newsetl.run import steps
    from newsetl.run.reader import DuckDBReader
    from newsetl.runs import RunSummary
    from newsetl.settings import Settings
    from newsetl.warehouse import held_open

    staging = work / "staging"
    shutil.copytree(staged, staging)
    record = work / "b-run"
    shutil.move(staging / "b-run", record)
    batches = sorted(p for p in staging.iterdir() if p.is_dir())
    settings = Settings.from_env(db_path=work / "w.duckdb", staging_dir=staging)
    urls = [
        pq.read_table(b / "pages.parquet", columns=["url"]).column(0).to_pylist() for b in batches
    ]
    alternates = [_alternates(b) for b in batches]
    if settings.db_path.exists():  # as after earlier runs: a read copy, and the one before it
        for _ in range(2):
            refresh_read_copy(settings)
    os.sync()  # the copies' dirty pages on disk now, not flushed by the replay's checkpoints
    probe.out.truncate(0)  # what the steps above cost is not the replay's
    started = (time.perf_counter(), time.process_time(), _written())
    ctx = steps.RunContext(
        settings=settings,
        run_id="replay",
        fetcher=Fetcher(settings),
        reader=DuckDBReader.open(settings),
    )
    summary = RunSummary("replay", [], ctx.started_at)
    with steps.load_as_analysed(ctx, summary) as loader:
        for batch, batch_urls, named in zip(batches, urls, alternates, strict=True):
            ctx.page_states(batch_urls)
            ctx.originals(named)
            loader(steps.AnalysisResult(BatchStats(), [], batch))
    with held_open(settings):
        steps.load_staged(ctx, summary)
        shutil.move(record, staging / "b-run")
        steps.load_staged(ctx, summary)
        refresh_read_copy_after_load(settings, migrated=ctx.migrated)
    ctx.close()
    wall, cpu, wrote = started
    assert summary.load.loaded == len(batches) + 1, summary.load
    probe.out.write(
        json.dumps(
            {
                "step": "replay (whole)",
                "wall": time.perf_counter() - wall,
                "thread_cpu": 0.0,
                "process_cpu": time.process_time() - cpu,
                "written": _written() - wrote,
            }
        )
        + "\n"
    )


def _alternates(batch: Path) -> set[str]:
    """The hreflang alternates the batch's articles name: the originals a run looks up."""
    import pyarrow.parquet as pq

    table = pq.read_table(batch / "articles.parquet", columns=["hreflang"])
    return {url for pairs in table.column(0).to_pylist() if pairs for _, url in pairs}


def stage(pages: Path, staged: Path, python: str) -> None:
    if staged.is_dir() and (staged / "b-run").is_dir():
        return
    staged.mkdir(parents=True, exist_ok=True)
    work = staged.with_name(staged.name + "-stage-run")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    subprocess.run([python, "-c", STAGE, str(pages), str(staged), str(work)], check=True, cwd=work)
    shutil.rmtree(work, ignore_errors=True)


def measure(
    python: str, staged: Path, base: str, work: Path, keep: Path | None = None
) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    if base != "empty":
        shutil.copyfile(base, work / "w.duckdb")
    out = work / "steps.jsonl"
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    subprocess.run(
        [python, __file__, "--replay", str(staged), str(work), str(out)],
        check=True,
        env=env,
        cwd=work,
    )
    steps: dict[str, dict[str, float]] = defaultdict(
        lambda: {"n": 0, "wall": 0.0, "thread_cpu": 0.0, "process_cpu": 0.0, "written": 0}
    )
    for line in out.read_text().splitlines():
        row = json.loads(line)
        acc = steps[row.pop("step")]
        acc["n"] += 1
        for key, value in row.items():
            acc[key] += value
    size = (work / "w.duckdb").stat().st_size
    if keep is not None:  # for compare_warehouses.py
        shutil.move(work / "w.duckdb", keep)
    shutil.rmtree(work, ignore_errors=True)
    return {"base": base, "load": os.getloadavg()[0], "db_mb": size / 2**20, "steps": dict(steps)}


def show(result: dict[str, Any], label: str) -> None:
    whole = result["steps"]["replay (whole)"]
    print(
        f"\n== {label} {result['base']}: CPU {whole['process_cpu']:.2f} s, wall {whole['wall']:.2f} s, "
        f"written {whole['written'] / 2**20:.0f} MB, file {result['db_mb']:.0f} MB, "
        f"load average {result['load']:.1f}"
    )
    print(
        f"{'step':34} {'n':>4} {'wall s':>8} {'thr CPU s':>9} {'proc CPU s':>10} {'MB written':>10}"
    )
    for name, acc in sorted(result["steps"].items(), key=lambda kv: -kv[1]["process_cpu"]):
        print(
            f"{name:34} {acc['n']:4d} {acc['wall']:8.2f} {acc['thread_cpu']:9.2f} "
            f"{acc['process_cpu']:10.2f} {acc['written'] / 2**20:10.1f}"
        )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--replay":
        replay(Path(argv[1]), Path(argv[2]), Path(argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, required=True)
    parser.add_argument("--staged", type=Path, required=True)
    parser.add_argument("--base", action="append", required=True, help="a warehouse or 'empty'")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsetl-load-growth"))
    parser.add_argument(
        "--python",
        action="append",
        help="a checkout's python (repeatable: interleaved within each round); default this one",
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--keep", type=Path, help="keep each checkout's warehouses of the last round here"
    )
    args = parser.parse_args(argv)
    pythons = args.python or [sys.executable]
    stage(args.pages, args.staged, pythons[-1])
    results = []
    for round_no in range(args.rounds):
        for i, base in enumerate(args.base):
            for j, python in enumerate(pythons):
                keep = None
                if args.keep and round_no == args.rounds - 1:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    keep = args.keep / f"base{i}-python{j}.duckdb"
                result = measure(python, args.staged, base, args.work / f"{i}", keep)
                result["round"] = round_no
                result["python"] = python
                show(result, f"round {round_no} {python}")
                results.append(result)
                if args.json:
                    args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
