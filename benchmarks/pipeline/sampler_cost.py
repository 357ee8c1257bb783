"""What the user's-command benchmark's sampler costs the command it measures.

Why: ``cli_vs_trafilatura.py`` sampled each run's process tree every ``--interval`` s, CPU
(``stat``) and PSS (``smaps_rollup``) together. Reading ``smaps_rollup`` makes the kernel walk
every page table of the tree: over `newsetl ingest`'s ~1 GB tree that is CPU on the cores the
run needs, while trafilatura alone (one process, one core) leaves the sampler the other. This
runs each config with the sampler reading PSS and with it reading ``stat`` only, interleaved
(``--reps`` pairs after an untimed round), and prints the wall, the tree's CPU and the
sampler's own CPU of each.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/sampler_cost.py --reps 3 --interval 0.1 \
        [--configs trafilatura,ingest,spine] [--newsetl OTHER/.venv/bin/newsetl]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, TRAFILATURA, measure, plain_pages

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--newsetl", type=Path, default=ROOT / ".venv/bin/newsetl")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--interval", type=float, default=0.1)
    p.add_argument("--configs", default="trafilatura,ingest,spine")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="newsetl-sampler-cost-"))
    try:
        pages = plain_pages(args.pages, tmp / "pages", None)
        env = {
            **os.environ,
            "PREFECT_HOME": str(tmp / "prefect"),
            "NEWSETL_TRANSLATOR": "none",
            "PYTHONWARNINGS": "ignore",
        }
        env.pop("PREFECT_API_URL", None)
        ingest = [str(args.newsetl.absolute()), "ingest", "-q", str(pages)]
        configs = {
            "trafilatura": ([sys.executable, "-c", TRAFILATURA, str(pages)], env),
            "ingest": (ingest, env),
            "spine": (ingest, {**env, "NEWSETL_REPAIR": "0", "NEWSETL_ENTITIES": "0"}),
        }
        rows: dict[str, list[dict]] = {}
        n = 0
        for rep in range(args.reps + 1):
            for name in args.configs.split(","):
                cmd, cenv = configs[name]
                for memory in (True, False):
                    n += 1
                    work = tmp / f"r{n}"
                    work.mkdir()
                    full = cmd + (["--db", str(work / "w.duckdb")] if name != "trafilatura" else [])
                    before = time.process_time()
                    row = measure(full, cenv, work, args.interval, memory=memory)
                    row["sampler_cpu_s"] = time.process_time() - before
                    shutil.rmtree(work, ignore_errors=True)
                    label = f"{name} {'stat+pss' if memory else 'stat'}"
                    print(f"round {rep} {label:<22} {json.dumps(row)}", flush=True)
                    if rep:
                        rows.setdefault(label, []).append(row)
        print(f"\nmedians of {args.reps} interleaved rounds (sampling every {args.interval} s)")
        for label, rs in rows.items():
            med = {k: statistics.median(r[k] for r in rs) for k in ("wall_s", "cpu_s")}
            sampler = statistics.median(r["sampler_cpu_s"] for r in rs)
            walls = " / ".join(f"{r['wall_s']:.2f}" for r in rs)
            print(
                f"{label:<22} wall {med['wall_s']:.2f} s ({walls}), tree CPU {med['cpu_s']:.2f} s,"
                f" sampler CPU {sampler:.2f} s"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
