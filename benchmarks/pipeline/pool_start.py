"""When does `newsetl ingest DIR` get its fork server and its first worker?

Why: the pool's fork server imports newsetl and warms the stages up before any worker can
extract a page; when it starts is on the run's critical path. This runs the command (one or
several checkouts, interleaved) and samples its process tree from ``/proc`` every 50 ms,
printing the seconds from the command's start to the fork server's appearance, to the first
worker's (a child of the fork server), and to the end of the run. On a loaded machine all
three stretch with the load; the gap between checkouts in the same round is the measure.
``server_cpu_s`` is the CPU (user + system) the command's own process had used when the fork
server appeared: what the run does before its warm-up can start, a measure the machine's other
load hardly changes (it is the process's work, not its waiting).

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/pool_start.py [--spine] [--reps N] \
        [--newsetl OTHER/.venv/bin/newsetl ...] [PAGES_DIR]

PAGES_DIR defaults to the Zyte pages (decompressed to a temporary directory).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, plain_pages
from pipeline_workers import process_tree

ROOT = Path(__file__).resolve().parents[2]
SERVER = b"forkserver import main"


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return b""


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` so far (None if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    newsetl: Path, pages: Path, env: dict[str, str], interval: float = 0.05
) -> dict[str, float | None]:
    """Seconds to the fork server, to the first worker and to the end of one run, and the
    run's own CPU when the fork server appeared."""
    with tempfile.TemporaryDirectory(prefix="newsetl-poolstart-") as tmp:
        started = time.perf_counter()
        cmd = [str(newsetl), "ingest", "-q", str(pages), "--db", str(Path(tmp) / "w.duckdb")]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
        server_at = worker_at = server_cpu = None
        servers: set[int] = set()
        while proc.poll() is None:
            run_cpu = _cpu_s(proc.pid)
            for pid in process_tree(proc.pid):
                if SERVER not in _cmdline(pid):
                    continue
                if _parent(pid) in servers or (servers and pid not in servers):
                    worker_at = worker_at or time.perf_counter() - started
                elif not servers:
                    servers.add(pid)
                    server_at = time.perf_counter() - started
                    server_cpu = run_cpu
            time.sleep(interval)
        end = time.perf_counter() - started
    return {
        "server_s": server_at,
        "server_cpu_s": server_cpu,
        "first_worker_s": worker_at,
        "wall_s": end,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--newsetl", type=Path, action="append")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--spine", action="store_true", help="NEWSETL_REPAIR=0 NEWSETL_ENTITIES=0")
    p.add_argument("--interval", type=float, default=0.05, help="sampling period, seconds")
    args = p.parse_args()
    checkouts = args.newsetl or [ROOT / ".venv/bin/newsetl"]
    env = {**os.environ, "NEWSETL_TRANSLATOR": "none", "PYTHONWARNINGS": "ignore"}
    env.pop("PREFECT_API_URL", None)
    if args.spine:
        env |= {"NEWSETL_REPAIR": "0", "NEWSETL_ENTITIES": "0"}
    results: dict[Path, list[dict]] = {c: [] for c in checkouts}
    with tempfile.TemporaryDirectory(prefix="newsetl-poolstart-pages-") as tmp:
        pages = plain_pages(args.pages, Path(tmp), None)
        for rep in range(args.reps):
            for checkout in checkouts:
                row = measure(checkout, pages, env, args.interval)
                results[checkout].append(row)
                print(f"round {rep} {checkout}: {row}", flush=True)
    for checkout, rows in results.items():
        medians = {
            k: round(statistics.median(r[k] for r in rows if r[k] is not None), 2)
            for k in ("server_s", "server_cpu_s", "first_worker_s", "wall_s")
            if any(r[k] is not None for r in rows)
        }
        print(f"median {checkout}: {medians}")


if __name__ == "__main__":
    main()
