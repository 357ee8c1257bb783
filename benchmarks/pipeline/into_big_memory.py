"""The run's process loading into a big warehouse: ``newsetl ingest DIR`` into a copy of a
warehouse, with the PSS of each process of the run by role (``memory_roles.RoleSampler``),
split into the part of the run while batches are fetched (the loads of the kept-open file)
and the part after the last batch (its last loads and the closing whole-warehouse steps).

Why: ``memory_roles.py`` always starts from an empty warehouse; what the loader's database
caches grows with the warehouse it loads into (benchmarks/README.md "Memory, round 9"), so
this starts from a big one. Several checkouts run side by side on copies of the same file.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/into_big_memory.py --warehouse W.duckdb --pages DIR \\
        --newsetl /tmp/base/.venv/bin/newsetl --newsetl .venv/bin/newsetl [--env K=V]...

The warehouse is copied once per checkout (into ``--work``); the original is not written.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from memory_roles import RoleSampler


def run_one(exe: Path, pages: Path, db: Path, env: dict[str, str], interval: float) -> dict:
    log = db.with_suffix(".log")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(exe.absolute()), "ingest", str(pages), "--db", str(db)],
            env=env,
            cwd=db.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        sampler = RoleSampler(proc.pid, interval, log)
        sampler.__enter__()
    return {"proc": proc, "sampler": sampler, "log": log}


def summary(samples: list[dict[str, Any]], total: int) -> dict[str, Any]:
    def peak(part: list[dict[str, Any]], role: str) -> int:
        return round(max((s["roles"].get(role, {}).get("pss", 0.0) for s in part), default=0))

    fetching = [s for s in samples if s["pages"] < total]
    after = [s for s in samples if s["pages"] >= total]
    roles = sorted({r for s in samples for r in s["roles"]})
    return {
        "role_peaks_while_fetching_mb": {r: peak(fetching, r) for r in roles},
        "role_peaks_after_last_batch_mb": {r: peak(after, r) for r in roles},
        "tree_peak_while_fetching_mb": round(max((s["total"] for s in fetching), default=0)),
        "tree_peak_after_last_batch_mb": round(max((s["total"] for s in after), default=0)),
        "run_peak_while_fetching_mb": peak(fetching, "run"),
        "run_peak_after_last_batch_mb": peak(after, "run"),
        "tree_peak_mb": round(max((s["total"] for s in samples), default=0)),
        "samples": len(samples),
        "wall_s": round(samples[-1]["t"], 1) if samples else 0,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--warehouse", type=Path, required=True)
    p.add_argument("--pages", type=Path, required=True)
    p.add_argument("--newsetl", type=Path, action="append", required=True)
    p.add_argument("--env", action="append", default=[], help="K=V for every run")
    p.add_argument("--interval", type=float, default=0.5)
    p.add_argument("--work", type=Path)
    p.add_argument("--out", type=Path, help="write the results and every sample as JSON")
    args = p.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="newsetl-intobig-"))
    total = len(list(args.pages.glob("*.html")))
    runs = []
    for i, exe in enumerate(args.newsetl):
        home = work / f"run{i}"
        home.mkdir(parents=True, exist_ok=True)
        db = home / "w.duckdb"
        shutil.copyfile(args.warehouse, db)
        env = {
            **os.environ,
            "PREFECT_HOME": str(home / "prefect"),
            "NEWSETL_TRANSLATOR": "none",
            **dict(kv.split("=", 1) for kv in args.env),
        }
        env.pop("PREFECT_API_URL", None)
        runs.append((exe, db, env))
    started = [run_one(exe, args.pages, db, env, args.interval) for exe, db, env in runs]
    results = []
    for (exe, _db, _env), r in zip(runs, started, strict=True):
        r["proc"].wait()
        r["sampler"].__exit__()
        results.append(
            {
                "newsetl": str(exe),
                "exit": r["proc"].returncode,
                **summary(r["sampler"].samples, total),
            }
        )
    print(json.dumps(results, indent=1))
    if args.out:
        every = [r["sampler"].samples for r in started]
        args.out.write_text(json.dumps({"results": results, "samples": every}))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
