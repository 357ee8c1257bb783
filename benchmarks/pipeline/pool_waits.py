"""What waits in the middle of a `newsetl ingest DIR` run: the pool's workers, job by job.

Why: ``run_timeline.py`` counts a core as idle whenever the run's process tree does not use
it, so another process's CPU (another engineer's tests, the sampler itself) reads as the run
idling. This says what the run's own workers do between the pool's first job and its last
extraction (the middle, while pages are waiting): for each worker, the time it ran, the time
it was runnable but had no core (the run queue: the machine's other processes, or the run's
own process beside two workers on two cores), and the time it slept (waited for a job, or
blocked in one); and the machine's idle and the CPU of the processes outside the run, from
``/proc/stat``, over the same stretch.

How: a ``sitecustomize`` (in a temporary directory put first on ``PYTHONPATH``, so every
process of the run imports it: the command, the fork server and, through it, each worker)
wraps :func:`newsetl.deadlines.timed`, which every pool job runs in when the run has a page
deadline (the default), and notes each job's start and end (``time.monotonic``, one clock for
all processes) with its thread's ``/proc/thread-self/schedstat`` (CPU and run-queue
nanoseconds) before and after. Nothing of newsetl is changed; the wrapper costs ~0.1 ms a job.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/pool_waits.py [--spine] [--reps 2] \
        [--newsetl OTHER/.venv/bin/newsetl ...] [PAGES_DIR]

Several ``--newsetl`` are run interleaved, ``--reps`` rounds after an untimed one.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import tempfile
import textwrap
import time
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, ingest_env, plain_pages

ROOT = Path(__file__).resolve().parents[2]

#: What every process of the run imports first (see the module docstring).
SITECUSTOMIZE = textwrap.dedent(
    """
    import os, time
    _dir = os.environ.get("POOL_WAITS_DIR")
    if _dir:
        import newsetl.deadlines as _d

        def _schedstat():
            with open("/proc/thread-self/schedstat") as f:
                cpu, queued = f.read().split()[:2]
            return int(cpu), int(queued)

        _timed = _d.timed

        def timed(slot, fn, *args, **kwargs):
            c0, q0 = _schedstat()
            t0 = time.monotonic()
            try:
                return _timed(slot, fn, *args, **kwargs)
            finally:
                t1 = time.monotonic()
                c1, q1 = _schedstat()
                with open(os.path.join(_dir, f"{os.getpid()}.jobs"), "a") as f:
                    f.write(f"{fn.__name__} {t0:.6f} {t1:.6f} {c0} {q0} {c1} {q1}\\n")

        timed.__module__, timed.__qualname__ = _d.timed.__module__, "timed"
        _d.timed = timed
    """
)


def _machine() -> tuple[float, int, int]:
    """(monotonic time, busy jiffies, idle jiffies) of the whole machine."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal
    return time.monotonic(), busy, idle


def _tree_cpu(root: int) -> dict[int, float]:
    """pid -> CPU seconds of ``root`` and its descendants (the fork server's workers are
    its grandchildren)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    tree, frontier = {root}, {root}
    while frontier:
        frontier = {pid for pid, (ppid, _) in stats.items() if ppid in frontier} - tree
        tree |= frontier
    return {pid: stats[pid][1] for pid in tree if pid in stats}


def run_once(newsetl: Path, pages: Path, env: dict[str, str], work: Path, interval: float) -> dict:
    """One run: the jobs each worker noted, and samples of the machine and the run's tree."""
    jobs_dir = work / "jobs"
    jobs_dir.mkdir(parents=True)
    env = {**env, "POOL_WAITS_DIR": str(jobs_dir)}
    cmd = [str(newsetl), "ingest", "-q", str(pages), "--db", str(work / "w.duckdb")]
    samples = []
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    while proc.poll() is None:
        tree = sum(_tree_cpu(proc.pid).values())
        samples.append((*_machine(), tree, time.process_time()))
        time.sleep(interval)
    end = time.monotonic()
    if proc.returncode:
        raise SystemExit(f"{cmd} exited {proc.returncode}")
    jobs: dict[int, list[tuple]] = collections.defaultdict(list)
    for path in jobs_dir.glob("*.jobs"):
        for line in path.read_text().splitlines():
            name, t0, t1, c0, q0, c1, q1 = line.split()
            jobs[int(path.stem)].append(
                (
                    float(t0),
                    float(t1),
                    name,
                    int(c0) / 1e9,
                    int(q0) / 1e9,
                    int(c1) / 1e9,
                    int(q1) / 1e9,
                )
            )
    return {"started": started, "end": end, "samples": samples, "jobs": jobs}


def _at(samples: list[tuple], t: float) -> tuple:
    """The last sample at or before ``t`` (the first if none)."""
    best = samples[0]
    for sample in samples:
        if sample[0] > t:
            break
        best = sample
    return best


def summarise(rec: dict) -> dict:
    """The middle: from the pool's first job's start to its last extraction's end."""
    jobs = {pid: sorted(js) for pid, js in rec["jobs"].items() if js}
    extractions = [j for js in jobs.values() for j in js if j[2] == "extract_in_worker"]
    first = min(js[0][0] for js in jobs.values())
    last = max(j[1] for j in extractions)
    workers = []
    for pid, js in sorted(jobs.items()):
        inside = [j for j in js if j[0] < last]
        a, b = inside[0], inside[-1]
        span = b[1] - a[0]
        cpu, queued = b[5] - a[3], b[6] - a[4]
        gaps = [inside[i + 1][0] - inside[i][1] for i in range(len(inside) - 1)]
        workers.append(
            {
                "pid": pid,
                "jobs": len(inside),
                "first_s": round(a[0] - rec["started"], 3),
                "last_end_s": round(b[1] - rec["started"], 3),
                "span_s": round(span, 3),
                "cpu_s": round(cpu, 3),
                "runqueue_s": round(queued, 3),
                "sleeping_s": round(span - cpu - queued, 3),
                "between_jobs_s": round(sum(gaps), 3),
                "longest_gap_ms": round(1000 * max(gaps, default=0.0), 1),
            }
        )
    s0, s1 = _at(rec["samples"], first), _at(rec["samples"], last)
    tick = os.sysconf("SC_CLK_TCK")
    wall = s1[0] - s0[0]
    busy, idle = (s1[1] - s0[1]) / tick, (s1[2] - s0[2]) / tick
    ours, sampler = s1[3] - s0[3], s1[4] - s0[4]
    return {
        "end_s": round(rec["end"] - rec["started"], 2),
        "middle": [round(first - rec["started"], 2), round(last - rec["started"], 2)],
        "workers": workers,
        "sampled_s": round(wall, 2),
        "machine_idle_core_s": round(idle, 2),
        "run_tree_cpu_s": round(ours, 2),
        "sampler_cpu_s": round(sampler, 2),
        "others_cpu_s": round(busy - ours - sampler, 2),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--newsetl", type=Path, action="append")
    p.add_argument("--spine", action="store_true", help="NEWSETL_REPAIR=0 NEWSETL_ENTITIES=0")
    p.add_argument("--reps", type=int, default=2)
    p.add_argument("--interval", type=float, default=0.05, help="sampling period, seconds")
    p.add_argument("--json", type=Path, help="write every round's summary here")
    args = p.parse_args()
    executables = [e.absolute() for e in args.newsetl or [ROOT / ".venv/bin/newsetl"]]
    out: dict[str, list[dict]] = collections.defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="newsetl-pool-waits-") as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
        pages = plain_pages(args.pages, Path(tmp) / "pages", None)
        env = ingest_env(Path(tmp), args.spine)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
        n = 0
        for rep in range(args.reps + 1):
            for exe in executables:
                n += 1
                rec = run_once(exe, pages, env, Path(tmp) / f"r{n}", args.interval)
                if rep == 0:
                    continue  # untimed: the page cache, the Prefect database
                row = summarise(rec)
                out[str(exe)].append(row)
                print(f"{exe} round {rep}: end {row['end_s']} s, middle {row['middle']} s")
                for w in row["workers"]:
                    print(
                        f"  worker {w['pid']}: {w['jobs']} jobs {w['first_s']}-{w['last_end_s']} s,"
                        f" ran {w['cpu_s']} s, run queue {w['runqueue_s']} s, slept"
                        f" {w['sleeping_s']} s (between jobs {w['between_jobs_s']} s wall,"
                        f" longest {w['longest_gap_ms']} ms)"
                    )
                print(
                    f"  machine over the middle ({row['sampled_s']} s): idle"
                    f" {row['machine_idle_core_s']} core-s, the run's tree"
                    f" {row['run_tree_cpu_s']} s of CPU, this sampler {row['sampler_cpu_s']} s, other"
                    f" processes {row['others_cpu_s']} s"
                )
    for exe, rows in out.items():
        slept = [sum(w["sleeping_s"] for w in r["workers"]) for r in rows]
        idle = [r["machine_idle_core_s"] for r in rows]
        print(
            f"{exe}: workers slept {statistics.median(slept):.3f} s in the middle (median of"
            f" {len(rows)}), machine idle {statistics.median(idle):.2f} core-s"
        )
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
