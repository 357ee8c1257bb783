"""When do the spine's pages get done, with the early extraction helper and without?

Why: round 13 (spine13) gave the spine's fork server an early extraction helper, forked
before the language models load (:mod:`newsetl.earlyextract`). Its gain is ~0.1-0.2 s of a
~5 s command, below what the machine's other load does to one run's wall time, so this
measures the parts it moves, in interleaved runs of each checkout (``--newsetl``, in turn),
each sampled from ``/proc`` as ``run_timeline.py`` samples it:

* ``workers_first_s``: the pool workers' first CPU (the fork server's warm-up is over);
* ``workers_last_s``: their last CPU (the pages are done; what remains is the run's tail);
* ``helper_cpu_s``, ``helper_last_s``: the helpers' CPU and their last CPU (children of the fork
  server forked before the pool's ``--workers``, which end before the workers start; none on a
  checkout without the spine's helper);
* ``helper_first_s``: the helper's first CPU (its fork);
* ``idle_to_workers_core_s``: the core-seconds the run's process tree left idle from its start
  to the pool workers' first CPU (``os.cpu_count()`` cores; on a busy machine other processes
  use some of it);
* ``end_s`` and the tree's CPU.

``--everything``: with repair and entities on (round 14, start14: that helper is forked before
the language models too), not the spine.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/spine_helper.py [--reps N] \
        --newsetl BASE/.venv/bin/newsetl --newsetl .venv/bin/newsetl [PAGES_DIR]

PAGES_DIR defaults to the Zyte pages (decompressed to a temporary directory).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, plain_pages
from run_timeline import record

ROOT = Path(__file__).resolve().parents[2]


def measure(rec: dict, workers: int = 2) -> dict:
    """The milestones of one recorded run (see the module's docstring)."""
    samples, roles = rec["samples"], rec["roles"]
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    cpu: dict[int, float] = {}
    seen: dict[int, float] = {}
    for at, used in samples:
        for pid, value in used.items():
            if roles[pid] != "worker":
                continue
            if value > seen.get(pid, 0.0):  # a fork's CPU counts from its fork
                first.setdefault(pid, at)
                last[pid] = at
            seen[pid] = cpu[pid] = value
    # the fork server's children: its helpers (one; with the analyses two since round 14, the
    # second taking over from the first), then the pool's workers, forked last
    forked = sorted(first, key=lambda p: first[p])
    pool = forked[-workers:]
    early = forked[:-workers]
    helper = early[0] if early else None
    start = min(first[p] for p in pool) if pool else rec["end"]
    tree_cpu = 0.0
    for at, used in samples:  # the tree's CPU at the workers' first CPU
        if at > start:
            break
        tree_cpu = max(tree_cpu, sum(used.values()))
    return {
        "end_s": round(rec["end"], 3),
        "workers_first_s": round(min(first[p] for p in pool), 3) if pool else None,
        "workers_last_s": round(max(last[p] for p in pool), 3) if pool else None,
        "helper_cpu_s": round(sum(cpu[p] for p in early), 3),
        "helper_last_s": round(max(last[p] for p in early), 3) if early else None,
        "helper_first_s": round(first[helper], 3) if helper else None,
        "idle_to_workers_core_s": round((os.cpu_count() or 1) * start - tree_cpu, 3),
        "tree_cpu_s": round(sum(cpu.values()) + _others_cpu(samples, roles), 3),
    }


def _others_cpu(samples: list, roles: dict) -> float:
    """The CPU of the tree's processes that are not the fork server's children."""
    seen: dict[int, float] = {}
    for _at, used in samples:
        for pid, value in used.items():
            if roles[pid] != "worker":
                seen[pid] = value
    return sum(seen.values())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--newsetl", type=Path, action="append", required=True)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--interval", type=float, default=0.02, help="sampling period, seconds")
    p.add_argument("--everything", action="store_true", help="repair and entities on")
    p.add_argument("--workers", type=int, default=2, help="the pool's workers (the last forked)")
    args = p.parse_args()
    results: dict[str, list[dict]] = {str(n): [] for n in args.newsetl}
    with tempfile.TemporaryDirectory(prefix="newsetl-spine-helper-") as tmp:
        pages = plain_pages(args.pages, Path(tmp) / "pages", None)
        env = {
            **os.environ,
            "NEWSETL_TRANSLATOR": "none",
            "PYTHONWARNINGS": "ignore",
        }
        if not args.everything:
            env |= {"NEWSETL_REPAIR": "0", "NEWSETL_ENTITIES": "0"}
        for rep in range(args.reps + 1):  # round 0: untimed (caches, bytecode)
            for newsetl in args.newsetl:
                db = Path(tmp) / f"w{rep}-{len(results[str(newsetl)])}.duckdb"
                rec = record([str(newsetl), "ingest", "-q", str(pages), "--db", str(db)],
                             env, args.interval)  # fmt: skip
                db.unlink(missing_ok=True)
                if rep:
                    out = measure(rec, args.workers)
                    results[str(newsetl)].append(out)
                    print(f"round {rep} {newsetl}: {json.dumps(out)}", flush=True)
    print()
    keys = ("end_s", "workers_first_s", "workers_last_s", "helper_cpu_s", "helper_last_s",
            "helper_first_s", "idle_to_workers_core_s", "tree_cpu_s")  # fmt: skip
    print(f"{'checkout':40} " + " ".join(f"{k[:16]:>16}" for k in keys))
    for newsetl, runs in results.items():
        medians = []
        for k in keys:
            values = [r[k] for r in runs if r[k] is not None]
            medians.append(f"{statistics.median(values):>16.3f}" if values else f"{'-':>16}")
        print(f"{newsetl[-40:]:40} " + " ".join(medians))


if __name__ == "__main__":
    main()
