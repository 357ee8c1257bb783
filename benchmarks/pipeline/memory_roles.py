"""Where a run's memory is: PSS of each process of ``newsetl ingest DIR`` by role, over time.

``scale.py`` reports the peak PSS of the whole process tree; this says which process holds it
and whether it grows with the pages (issue 14: peak PSS <= 1.5 GB at 5,000 and 50,000 pages).
Roles, from ``/proc``: ``run`` (the ``newsetl ingest`` process: fetching, lookups, the loader
with its DuckDB database), ``forkserver`` (the warm fork server), ``worker`` (its children: pool
workers and the short-lived process that identifies short texts; told apart by how many live
at once and how long), ``tracker`` (multiprocessing's resource tracker), ``other``.

For each sample: PSS per role, with the anonymous part (heap: what copy-on-write and caches
grow) apart from the file-backed part (mapped word lists, shared libraries). At the end: the
peak of the tree, and at that moment each role's share; the peak of each role; every worker's
lifetime and peak; the run process's PSS after each 1,000 pages (does it grow with the run?).

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/memory_roles.py --pages 2000 [--keep DIR]
    .venv/bin/python benchmarks/pipeline/memory_roles.py --pages 5000 --newsetl /tmp/base/.venv/bin/newsetl

Pages: the scale corpus (``scale.write_corpus``: the 1,251 real pages of
``../shared/benchmarks/extraction``, cycled; copies are new articles). PSS is comparable on a
shared machine; times are not (the sampling interval is wall time).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from pipeline_workers import process_tree
from scale import PROGRESS_LINE, reuse_or_write

ROOT = Path(__file__).resolve().parents[2]


def rollup(pid: int) -> dict[str, int] | None:
    """Pss, Pss_Anon, Pss_File of ``pid`` in KB (None: gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    out = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("Pss", "Pss_Anon", "Pss_File", "Rss"):
            out[key] = int(rest.split()[0])
    return out


def role(pid: int, root: int, forkserver: set[int]) -> str:
    if pid == root:
        return "run"
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError):
        return "other"
    if ppid in forkserver:  # a fork of the server: its command line is the server's
        return "worker"
    if "forkserver" in cmd:
        forkserver.add(pid)
        return "forkserver"
    if "resource_tracker" in cmd:
        return "tracker"
    return "other"


class RoleSampler:
    """Samples the tree under ``root`` every ``interval`` seconds (see the module docstring)."""

    def __init__(self, root: int, interval: float, log: Path) -> None:
        self.root, self.interval, self.log = root, interval, log
        self.samples: list[dict[str, Any]] = []
        self.workers: dict[int, dict[str, Any]] = {}
        self._forkserver: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._started = time.time()

    def _pages(self) -> int:
        try:
            found = PROGRESS_LINE.findall(self.log.read_text(errors="replace"))
        except OSError:
            return 0
        return int(found[-1]) if found else 0

    def sample(self) -> None:
        t = time.time() - self._started
        by_role: dict[str, dict[str, float]] = {}
        for pid in process_tree(self.root):
            r = role(pid, self.root, self._forkserver)
            m = rollup(pid)
            if m is None:
                continue
            agg = by_role.setdefault(r, {"pss": 0.0, "anon": 0.0, "file": 0.0, "n": 0})
            agg["pss"] += m.get("Pss", 0) / 1024
            agg["anon"] += m.get("Pss_Anon", 0) / 1024
            agg["file"] += m.get("Pss_File", 0) / 1024
            agg["n"] += 1
            if r == "worker":
                w = self.workers.setdefault(
                    pid, {"born_s": t, "peak_pss": 0.0, "peak_anon": 0.0, "pages_at_birth": None}
                )
                w["last_s"] = t
                w["peak_pss"] = max(w["peak_pss"], m.get("Pss", 0) / 1024)
                w["peak_anon"] = max(w["peak_anon"], m.get("Pss_Anon", 0) / 1024)
        pages = self._pages()
        for w in self.workers.values():
            if w["pages_at_birth"] is None:
                w["pages_at_birth"] = pages
        total = sum(v["pss"] for v in by_role.values())
        self.samples.append({"t": t, "pages": pages, "total": total, "roles": by_role})

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> RoleSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def summarise(samples: list[dict[str, Any]], workers: dict[int, dict[str, Any]]) -> dict:
    peak = max(samples, key=lambda s: s["total"])
    roles = sorted({r for s in samples for r in s["roles"]})
    peaks = {
        r: max((s["roles"].get(r, {}).get("pss", 0.0) for s in samples), default=0.0) for r in roles
    }
    run_by_k: dict[int, float] = {}
    for s in samples:
        k = s["pages"] // 1000 * 1000
        pss = s["roles"].get("run", {}).get("pss", 0.0)
        run_by_k[k] = max(run_by_k.get(k, 0.0), pss)
    return {
        "peak_total_mb": round(peak["total"]),
        "peak_at_s": round(peak["t"], 1),
        "peak_at_pages": peak["pages"],
        "peak_roles_mb": {r: {k: round(v) for k, v in d.items()} for r, d in peak["roles"].items()},
        "role_peaks_mb": {r: round(v) for r, v in peaks.items()},
        "run_peak_by_1000_pages_mb": {k: round(v) for k, v in sorted(run_by_k.items())},
        "workers": [
            {
                "pid": pid,
                "born_s": round(w["born_s"], 1),
                "lived_s": round(w["last_s"] - w["born_s"], 1),
                "pages_at_birth": w["pages_at_birth"],
                "peak_pss_mb": round(w["peak_pss"]),
                "peak_anon_mb": round(w["peak_anon"]),
            }
            for pid, w in sorted(workers.items(), key=lambda kv: kv[1]["born_s"])
        ],
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pages", type=int, default=2000)
    p.add_argument("--start", type=int, default=1000, help="first page of the cycled corpus")
    p.add_argument("--newsetl", type=Path, default=ROOT / ".venv/bin/newsetl")
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("--corpus", type=Path, help="write (or reuse) the pages here")
    p.add_argument("--keep", type=Path, help="keep warehouse, log and samples here")
    p.add_argument("--out", type=Path, help="write the summary (and samples) as JSON")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="newsetl-memroles-"))
    work = args.keep or tmp
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "NEWSETL_TRANSLATOR": "none",
        "NEWSETL_MAX_TARGETS": str(max(args.pages, 20000)),
    }
    env.pop("PREFECT_API_URL", None)
    try:
        pages = reuse_or_write(
            (args.corpus or tmp) / f"pages-{args.start}-{args.pages}", args.pages, args.start
        )
        db = work / "memroles.duckdb"
        for old in (db, db.with_suffix(".duckdb.wal")):  # an empty warehouse each time
            old.unlink(missing_ok=True)
        log = work / "memroles.log"
        with log.open("w") as out:
            proc = subprocess.Popen(
                [str(args.newsetl.absolute()), "ingest", str(pages), "--db", str(db)],
                env=env,
                cwd=work,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            with RoleSampler(proc.pid, args.interval, log) as sampler:
                proc.wait()
        if proc.returncode != 0:
            raise SystemExit(f"ingest exited {proc.returncode}: {log.read_text()[-3000:]}")
        summary = summarise(sampler.samples, sampler.workers)
        summary["pages"] = args.pages
        summary["newsetl"] = str(args.newsetl)
        summary["wall_s"] = round(sampler.samples[-1]["t"], 1)
        print(json.dumps({k: v for k, v in summary.items() if k != "workers"}, indent=1))
        print("workers (pid, born s, lived s, pages at birth, peak PSS, peak anon MB):")
        for w in summary["workers"]:
            print(
                f"  {w['pid']:>7} {w['born_s']:>7} {w['lived_s']:>7} {w['pages_at_birth']:>6}"
                f" {w['peak_pss_mb']:>6} {w['peak_anon_mb']:>6}"
            )
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps({**summary, "samples": sampler.samples}, indent=1))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
