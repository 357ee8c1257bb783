"""A timeline of one `newsetl ingest DIR` run: which process uses the cores, and when.

Why: on two cores, the user's command can only come near trafilatura alone (one process) if
both cores work from the start to the end. ``run_breakdown.py`` says how much CPU each role
takes in total; this says *when*: the serial start (imports, the Prefect server, the fork
server's warm-up), when each pool worker gets its first job, how long the cores idle, and the
serial tail after the last page (the last loads, the whole-warehouse steps, the run record,
the read copy, the Prefect flow's end).

The command runs as a subprocess; every ``--interval`` s its process tree is read from
``/proc`` (CPU from ``stat``), each process given a role (``run``: the command's process;
``forkserver``; ``worker``: a child of the fork server; ``prefect``: the temporary API
server; ``other``). Per slice of ``--slice`` s it prints the CPU each role used (in cores:
1.00 = one core busy for the whole slice) and the idle capacity of the machine's cores left by
the run (``idle``: cores minus the run's CPU; on a busy machine other processes use some of
it), split from ``/proc/stat`` into what the machine's other processes used (``others``; this
sampler's own CPU is not in it) and what no process used (``free``). Then the milestones: first
and last CPU of each worker, the end.

Why the split: a core the run's tree did not use in the middle of a run read as the run
idling, while its workers were never short of a job; the CPU of other processes (on this
shared machine) was what filled it (benchmarks/README.md "Round 14 (mid14)").

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/run_timeline.py [--spine] [--slice 0.5] \
        [--newsetl OTHER/.venv/bin/newsetl] [PAGES_DIR]

PAGES_DIR defaults to the Zyte pages (decompressed to a temporary directory). The machine's
other load stretches every phase; compare checkouts in the same sitting.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, ingest_env, plain_pages
from pipeline_workers import process_tree

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("run", "prefect", "forkserver", "worker", "other")


def _read(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds so far) of ``pid``, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _role(pid: int, root: int, parent: int, roles: dict[int, str]) -> str:
    if pid == root:
        return "run"
    cmd = _cmdline(pid)
    if "forkserver import main" in cmd:
        return "worker" if roles.get(parent) == "forkserver" else "forkserver"
    if "prefect" in cmd or "uvicorn" in cmd:
        return "prefect"
    return "other"


def record(cmd: list[str], env: dict[str, str], interval: float) -> dict:
    """Samples of (seconds from start, pid -> CPU seconds) and each pid's role."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    roles: dict[int, str] = {}
    samples: list[tuple[float, dict[int, float]]] = []
    machine: list[tuple[float, float, float, float]] = []
    while proc.poll() is None:
        now = time.perf_counter() - started
        machine.append((now, *_machine(), time.process_time()))
        cpu = {}
        for pid in process_tree(proc.pid):
            read = _read(pid)
            if read is None:
                continue
            parent, used = read
            if pid not in roles:
                roles[pid] = _role(pid, proc.pid, parent, roles)
            cpu[pid] = used
        samples.append((now, cpu))
        time.sleep(interval)
    end = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"{cmd} exited {proc.returncode}")
    return {"samples": samples, "roles": roles, "end": end, "machine": machine}


def _machine() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine so far (idle: idle and iowait)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:8]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / tick, idle / tick


def summarise(rec: dict, slice_s: float, cores: int) -> dict:
    samples, roles = rec["samples"], rec["roles"]
    # CPU used by each role in each slice (deltas between consecutive samples)
    slices: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    last: dict[int, float] = {}
    first_busy: dict[int, float] = {}
    last_busy: dict[int, float] = {}
    for at, cpu in samples:
        for pid, used in cpu.items():
            delta = used - last.get(pid, 0.0 if roles[pid] != "worker" else used)
            if roles[pid] == "worker" and pid not in last:
                delta = 0.0  # a fork carries no CPU of its own yet
            last[pid] = used
            if delta > 0:
                slices[int(at / slice_s)][roles[pid]] += delta
                first_busy.setdefault(pid, at)
                last_busy[pid] = at
    # the machine's busy and idle CPU, and this sampler's, in each slice
    machine: dict[int, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0.0])
    points = rec.get("machine", [])
    for (_, b0, i0, s0), (at, b1, i1, s1) in itertools.pairwise(points):
        share = machine[int(at / slice_s)]
        share[0], share[1], share[2] = share[0] + b1 - b0, share[1] + i1 - i0, share[2] + s1 - s0
    rows = []
    for n in range(int(rec["end"] / slice_s) + 1):
        used = slices.get(n, collections.Counter())
        row = {"t": round(n * slice_s, 2)}
        row |= {role: round(used[role] / slice_s, 2) for role in ROLES}
        row["idle"] = round(max(0.0, cores - sum(used.values()) / slice_s), 2)
        if points:
            busy, free, sampler = machine.get(n, [0.0, 0.0, 0.0])
            others = busy - sum(used.values()) - sampler
            row["others"] = round(max(0.0, others / slice_s), 2)
            row["free"] = round(free / slice_s, 2)
        rows.append(row)
    workers = sorted((first_busy[p], last_busy[p], p) for p in first_busy if roles[p] == "worker")
    busy_total = sum(sum(c.values()) for c in slices.values())
    return {
        "end_s": round(rec["end"], 2),
        "rows": rows,
        "workers": [
            {"pid": p, "first_cpu_s": round(a, 2), "last_cpu_s": round(b, 2)} for a, b, p in workers
        ],
        "forkserver_first_s": min(
            (first_busy[p] for p in first_busy if roles[p] == "forkserver"), default=None
        ),
        "cpu_by_role": {role: round(sum(slices[n][role] for n in slices), 2) for role in ROLES},
        "cpu_total_s": round(busy_total, 2),
        "idle_core_s": round(cores * rec["end"] - busy_total, 2),
        "others_core_s": round(sum(r.get("others", 0.0) for r in rows) * slice_s, 2),
        "free_core_s": round(sum(r.get("free", 0.0) for r in rows) * slice_s, 2),
        "sampler_cpu_s": round(points[-1][3] - points[0][3], 2) if points else None,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--newsetl", type=Path, default=ROOT / ".venv/bin/newsetl")
    p.add_argument("--spine", action="store_true", help="NEWSETL_REPAIR=0 NEWSETL_ENTITIES=0")
    p.add_argument("--interval", type=float, default=0.05, help="sampling period, seconds")
    p.add_argument("--slice", type=float, default=0.5, help="rows of the timeline, seconds")
    p.add_argument("--json", type=Path, help="write the summary here")
    args = p.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="newsetl-timeline-") as tmp:
        pages = plain_pages(args.pages, Path(tmp) / "pages", None)
        env = ingest_env(Path(tmp), args.spine) | {"PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        base = [str(args.newsetl), "ingest", "-q", str(pages), "--db"]
        # an untimed first run creates the Prefect database, as a user's first run does
        record([*base, str(Path(tmp) / "warm.duckdb")], env, args.interval)
        rec = record([*base, str(Path(tmp) / "w.duckdb")], env, args.interval)
    out = summarise(rec, args.slice, cores)
    columns = (*ROLES, "idle", "others", "free")
    print(f"{'t s':>6} " + " ".join(f"{r:>10}" for r in columns))
    for row in out["rows"]:
        print(f"{row['t']:>6.1f} " + " ".join(f"{row.get(r, 0.0):>10.2f}" for r in columns))
    print(f"end {out['end_s']} s; fork server busy from {out['forkserver_first_s']} s")
    for w in out["workers"]:
        print(f"worker {w['pid']}: first CPU at {w['first_cpu_s']} s, last at {w['last_cpu_s']} s")
    print(
        f"CPU by role {out['cpu_by_role']}; total {out['cpu_total_s']} s; "
        f"idle core-seconds {out['idle_core_s']} of {round(cores * out['end_s'], 1)}"
        f" (other processes {out['others_core_s']}, no process {out['free_core_s']};"
        f" this sampler {out['sampler_cpu_s']} s of CPU)"
    )
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
