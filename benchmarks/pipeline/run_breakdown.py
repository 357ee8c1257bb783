"""Where `newsetl ingest DIR` spends its CPU and memory, process by process.

Why: ``cli_vs_trafilatura.py`` gives the whole tree's CPU and peak PSS; to cut them one must
know which process pays: the run's own process (imports, fetching, extraction while the pool
starts, loading), the fork server (the warm-up every worker shares) or the pool's workers
(extraction and analysis of every page). This script runs the command once and samples every
process of its tree from ``/proc`` (CPU from ``stat``, PSS from ``smaps_rollup``), grouping
them by role (``run``, ``forkserver``, ``worker``, ``other``: the resource tracker).

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/run_breakdown.py [--limit N] [--spine] [PAGES_DIR]

PAGES_DIR defaults to the Zyte pages (``.html.gz`` decompressed to a temporary directory).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, ingest_env, plain_pages
from pipeline_workers import process_tree

ROOT = Path(__file__).resolve().parents[2]


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "run"
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "other"
    if "forkserver import main" in cmd:
        # the server's own children are the workers (same command line)
        try:
            ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            parent = Path(f"/proc/{ppid}/cmdline").read_bytes()
        except OSError:
            return "worker"
        return "worker" if b"forkserver import main" in parent else "forkserver"
    return "other"


def measure(cmd: list[str], env: dict[str, str], interval: float) -> dict:
    tick = os.sysconf("SC_CLK_TCK")
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    cpu: dict[int, float] = {}
    pss: dict[int, float] = {}
    roles: dict[int, str] = {}
    tree_peak = 0.0
    while proc.poll() is None:
        total = 0.0
        for pid in process_tree(proc.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            roles.setdefault(pid, _role(pid, proc.pid))
            cpu[pid] = (int(fields[11]) + int(fields[12])) / tick
            kb = next((int(x.split()[1]) for x in rollup.splitlines() if x.startswith("Pss:")), 0)
            pss[pid] = max(pss.get(pid, 0.0), kb / 1024)
            total += kb / 1024
        tree_peak = max(tree_peak, total)
        time.sleep(interval)
    wall = time.perf_counter() - started
    by_role: dict[str, dict] = {}
    for pid, role in roles.items():
        row = by_role.setdefault(role, {"processes": 0, "cpu_s": 0.0, "peak_pss_mb": []})
        row["processes"] += 1
        row["cpu_s"] = round(row["cpu_s"] + cpu.get(pid, 0.0), 2)
        row["peak_pss_mb"].append(round(pss.get(pid, 0.0)))
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(sum(cpu.values()), 2),
        "peak_pss_mb": round(tree_peak),
        "returncode": proc.returncode,
        "roles": by_role,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--limit", type=int)
    p.add_argument("--spine", action="store_true", help="NEWSETL_REPAIR=0 NEWSETL_ENTITIES=0")
    p.add_argument("--newsetl", type=Path, default=ROOT / ".venv/bin/newsetl")
    p.add_argument("--interval", type=float, default=0.25)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsetl-breakdown-") as tmp:
        pages = plain_pages(args.pages, Path(tmp) / "pages", args.limit)
        env = ingest_env(Path(tmp), args.spine)
        cmd = [str(args.newsetl), "ingest", "-q", str(pages), "--db", str(Path(tmp) / "w.duckdb")]
        print(json.dumps(measure(cmd, env, args.interval), indent=1))


if __name__ == "__main__":
    main()
