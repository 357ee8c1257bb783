"""What the cyclic garbage collector costs the fork server's warm-up and the run's own process,
checkout against checkout (round 15, fork15).

Why: the collector's time is a part of a process's CPU that a busy machine does not blur
(it is measured inside the process, with ``gc.callbacks``, in the collecting thread's CPU
time: the process's would count its other threads', DuckDB's or lingua's, meanwhile), and round 15 cut most of it by
freezing what a warm-up part or an opened run keeps. Two measures, each checkout's
interpreter in turn (``--python``, repeatable), ``--reps`` rounds interleaved:

* ``preload``: ``import newsetl._warm`` in a fresh interpreter (what the fork server does with
  the analyses): its CPU, the collector's seconds and the collections by generation;
* ``run``: ``newsetl ingest -q PAGES --db X`` (everything on, ``NEWSETL_TRANSLATOR=none``,
  no Prefect server) through a wrapper of ``newsetl.cli.main`` in the run's own process: the
  process's CPU (its threads included) and the collector's seconds, with the full
  collections' times. The workers and the fork server are not in it.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/collector_cost.py --reps 3 --what preload \\
        --python /tmp/base/.venv/bin/python --python .venv/bin/python
    .venv/bin/python benchmarks/pipeline/collector_cost.py --reps 3 --what run \\
        --python /tmp/base/.venv/bin/python --python .venv/bin/python [--pages DIR]

``--pages`` defaults to the Zyte pages decompressed to a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, ingest_env, plain_pages

PROBE = """
import gc, json, os, sys, time
stats = {"gc_s": 0.0, "by_gen": [0, 0, 0], "full_s": []}
start = [0.0]
def watch(phase, info):
    if phase == "start":
        start[0] = time.thread_time()
        return
    spent = time.thread_time() - start[0]
    stats["gc_s"] += spent
    stats["by_gen"][info["generation"]] += 1
    if info["generation"] == 2:
        stats["full_s"].append(round(spent, 4))
def report():
    stats["cpu_s"] = time.process_time()
    print("COLLECTOR " + json.dumps(stats), file=sys.stderr, flush=True)
if __name__ == "__main__":
    gc.callbacks.append(watch)
    if sys.argv[1] == "preload":
        import newsetl._warm
        report()
    else:
        from newsetl.cli import main
        rc = main(["ingest", "-q", sys.argv[2], "--db", sys.argv[3]])
        report()
        os._exit(rc)
"""


def measure(python: Path, what: str, pages: Path, work: Path) -> dict:
    db = work / "x.duckdb"
    for stale in work.glob("x*"):
        stale.unlink()
    env = ingest_env(work)
    env["NEWSETL_STAGING_DIR"] = str(work / "staging")
    probe = work / "probe.py"
    probe.write_text(PROBE)
    out = subprocess.run(
        [str(python), str(probe), what, str(pages), str(db)],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        check=True,
    )
    line = next(x for x in out.stderr.splitlines() if x.startswith("COLLECTOR "))
    return json.loads(line.removeprefix("COLLECTOR "))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--python", action="append", type=Path)
    p.add_argument("--what", choices=("preload", "run"), default="preload")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    args = p.parse_args(argv)
    pythons = [py.absolute() for py in args.python or [Path(".venv/bin/python")]]
    rows: dict[str, list[dict]] = {str(py): [] for py in pythons}
    with tempfile.TemporaryDirectory() as tmp:
        pages = plain_pages(args.pages, Path(tmp) / "pages", None)
        for n in range(args.reps):
            for i, py in enumerate(pythons):
                work = Path(tmp) / f"w{i}"
                work.mkdir(exist_ok=True)
                row = measure(py, args.what, pages, work)
                rows[str(py)].append(row)
                print(
                    f"round {n} {py}: CPU {row['cpu_s']:.3f} s, collector {row['gc_s']:.3f} s, "
                    f"collections {row['by_gen']}, full ones {row['full_s']}",
                    flush=True,
                )
    for py, found in rows.items():
        cpu = statistics.median(r["cpu_s"] for r in found)
        spent = statistics.median(r["gc_s"] for r in found)
        print(f"median {py} ({args.what}): CPU {cpu:.3f} s, collector {spent:.3f} s")


if __name__ == "__main__":
    main()
