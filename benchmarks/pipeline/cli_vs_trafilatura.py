"""`newsetl ingest DIR` (the command users run) against trafilatura alone, in one run.

Why another script: ``run.py`` times ``run_ingest`` in-process, without Prefect; the user's
command runs the Prefect flow, with its server, its task runs and its process pool. This
script times the command itself, as a subprocess, with every process it starts:

* ``trafilatura``: ``trafilatura.extract(html, with_metadata=True)`` over every page, one
  process (the baseline of the issue's bars);
* ``ingest``: ``newsetl ingest DIR --db FRESH`` with default settings (everything on);
* ``spine``: the same with ``NEWSETL_REPAIR=0 NEWSETL_ENTITIES=0`` (fetch, extract, language,
  stage, load).

The three are run interleaved (round-robin, ``--reps`` rounds), each into a fresh warehouse,
after one untimed round (the Prefect database in ``PREFECT_HOME`` is created then, as on a
user's first run). Before it, each checkout's ``newsetl`` package is compiled to bytecode
(:func:`compile_package`), as trafilatura's is in the venv's site-packages and as an installed
wheel's is: with ``PYTHONDONTWRITEBYTECODE`` set (it is on this project's machines) an
editable checkout's modules would otherwise be compiled again in every process of every run,
which no user's install pays (small: ~0.04 s of CPU in the run's imports and as much in the
fork server's spine preload; the whole command showed no difference in 4 interleaved rounds,
benchmarks/README.md "Round 12 merged"). ``--no-compile`` leaves them as they are. For each run: wall time, CPU of the whole
process tree (user + system, sampled every ``--interval`` s from ``/proc`` by
``pipeline_workers.ProcessTreeSampler``: the pool's workers are forked by a fork server, so
``RUSAGE_CHILDREN`` never sees them; a process loses at most its last interval), and peak PSS
summed over the tree.

The peak PSS is read in rounds of its own (``--memory-rounds``, after the timed ones, their
times not used), not in the timed rounds. Why: reading ``smaps_rollup`` makes the kernel walk
every page table of the tree; at ``--interval 0.1`` over `newsetl ingest`'s ~1 GB tree it
cost the sampler 2.3-2.5 s of CPU a run (0.21 of a core, against 0.03 reading ``stat`` only),
on the cores the run needs: trafilatura alone uses one core and left the sampler the other,
so the ratio charged the sampler to newsetl (benchmarks/README.md "Round 14 (mid14)").
``--pss-in-timed-rounds`` measures as before (one run for both).

``--newsetl`` names the ``newsetl`` executable to time (default: this checkout's venv), so
one run can compare two checkouts (``--newsetl /tmp/base/.venv/bin/newsetl``, repeatable).

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/cli_vs_trafilatura.py --reps 3
    .venv/bin/python benchmarks/pipeline/cli_vs_trafilatura.py --reps 3 \\
        --newsetl /tmp/runspeed-base/.venv/bin/newsetl --newsetl .venv/bin/newsetl
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pipeline_workers import ProcessTreeSampler

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PAGES = ROOT.parent / "shared/benchmarks/extraction/zyte-article-extraction-benchmark/html"

TRAFILATURA = """
import sys, time
from pathlib import Path
import trafilatura
files = sorted(Path(sys.argv[1]).glob("*.html"))
for f in files:
    trafilatura.extract(f.read_bytes(), with_metadata=True, include_comments=False)
"""


def plain_pages(
    source: Path, target: Path, limit: int | None, sample: tuple[int, int] | None = None
) -> Path:
    """Decompressed ``<id>.html`` copies of ``source``'s pages (``.html`` or ``.html.gz``):
    ``newsetl ingest DIR`` reads ``.html`` files. ``sample``: (n, seed): n pages at random
    (the names sorted, then shuffled by ``random.Random(seed)``), before ``limit``."""
    target.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in source.iterdir() if p.name.endswith((".html", ".htm", ".html.gz")))
    if sample is not None:
        random.Random(sample[1]).shuffle(files)
        files = files[: sample[0]]
    for path in files[:limit] if limit else files:
        data = path.read_bytes()
        name = path.name
        if name.endswith(".gz"):
            data, name = gzip.decompress(data), name[: -len(".gz")]
        (target / name).write_bytes(data)
    return target


def ingest_env(tmp: Path, spine: bool = False) -> dict[str, str]:
    """The environment the benchmarks run ``newsetl ingest`` in: a Prefect home of their own
    under ``tmp``, no translator, no Prefect server configured (the command's default, as a
    user's first run), and with ``spine`` repair and entities off."""
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp / "prefect"),
        "NEWSETL_TRANSLATOR": "none",
        # the temporary server's first start creates its database: slow on a busy machine
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "PYTHONWARNINGS": "ignore",
    }
    env.pop("PREFECT_API_URL", None)  # the command's own temporary server
    if spine:
        env |= {"NEWSETL_REPAIR": "0", "NEWSETL_ENTITIES": "0"}
    return env


def measure(
    cmd: list[str], env: dict[str, str], cwd: Path, interval: float, *, memory: bool = True
) -> dict[str, Any]:
    """Wall, CPU of the process tree (sampled) and, with ``memory``, its peak PSS (summed
    over the tree; see the module docstring for what reading it costs the run).

    The command's output goes to files, not pipes: a process it leaves behind would hold a
    pipe open forever. Processes of its tree still alive after it exits are counted (and
    ended: they would skew the next measure)."""
    log = cwd / "stderr.log"
    started = time.perf_counter()
    with log.open("w") as err:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        with ProcessTreeSampler(interval, memory=memory, root=proc.pid) as sampler:
            seen = set()
            while proc.poll() is None:
                seen |= set(sampler.pids)
                time.sleep(interval)
    wall = time.perf_counter() - started
    left = [pid for pid in seen - {proc.pid} if _alive(pid)]
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} exited {proc.returncode}: {log.read_text()[-3000:]}")
    row = {"wall_s": wall, "cpu_s": sampler.cpu_s}
    if memory:
        row["peak_pss_mb"] = sampler.peak_pss_mb
    if left:
        row["left_running"] = len(left)
    return row


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def warehouse_stats(db: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        con.close()
    return {"articles": articles, "db_mb": db.stat().st_size / 2**20}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--limit", type=int, default=None)
    p.add_argument(
        "--sample",
        type=int,
        nargs=2,
        metavar=("N", "SEED"),
        help="N of the pages at random (seeded): another page set than the Zyte one's",
    )
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--interval", type=float, default=0.25, help="sampling period, seconds")
    p.add_argument(
        "--newsetl",
        action="append",
        type=Path,
        help="newsetl executable(s) to time (default: this checkout's)",
    )
    p.add_argument("--configs", default="trafilatura,ingest,spine")
    p.add_argument(
        "--no-compile",
        action="store_true",
        help="do not compile each checkout's newsetl package to bytecode first",
    )
    p.add_argument(
        "--memory-rounds",
        type=int,
        default=1,
        help="rounds after the timed ones that read the peak PSS (their times are not used)",
    )
    p.add_argument(
        "--pss-in-timed-rounds",
        action="store_true",
        help="read the peak PSS in the timed rounds, as before round 14 (costs the run CPU)",
    )
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/cli_vs_trafilatura.json")
    args = p.parse_args(argv)
    executables = [e.absolute() for e in args.newsetl or [ROOT / ".venv/bin/newsetl"]]
    if not args.no_compile:
        for exe in executables:
            print(f"bytecode of {exe}'s newsetl: {compile_package(exe)}", flush=True)
    configs = args.configs.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="newsetl-cli-bench-"))
    try:
        pages = plain_pages(args.pages, tmp / "pages", args.limit, args.sample)
        n_pages = len(list(pages.glob("*.html")))
        base_env = ingest_env(tmp)

        runs: list[tuple[str, list[str], dict[str, str]]] = []
        if "trafilatura" in configs:
            runs.append(("trafilatura", [sys.executable, "-c", TRAFILATURA, str(pages)], base_env))
        for exe in executables:
            label = "" if len(executables) == 1 else f"[{exe.parents[2].name}]"
            cmd = [str(exe), "ingest", "-q", str(pages)]
            if "ingest" in configs:
                runs.append((f"ingest{label}", cmd, base_env))
            if "spine" in configs:
                runs.append((f"spine{label}", cmd, ingest_env(tmp, spine=True)))

        results: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in runs}
        memory: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in runs}
        timed_pss = args.pss_in_timed_rounds
        memory_rounds = 0 if timed_pss else args.memory_rounds
        # round 0 is the untimed warm-up; the memory rounds come after the timed ones
        for rep in range(args.reps + 1 + memory_rounds):
            reading_pss = timed_pss or rep > args.reps
            for name, cmd, env in runs:
                work = tmp / f"{name}-{rep}"
                work.mkdir()
                full = cmd + (["--db", str(work / "w.duckdb")] if name != "trafilatura" else [])
                try:
                    row = measure(full, env, work, args.interval, memory=reading_pss)
                except RuntimeError as exc:  # a crash is a result too (main crashed in lxml)
                    row = {"failed": str(exc)[-500:]}
                else:
                    if name != "trafilatura":
                        row |= warehouse_stats(work / "w.duckdb")
                shutil.rmtree(work, ignore_errors=True)
                if rep > args.reps:
                    memory[name].append(row)
                elif rep:
                    results[name].append(row)
                what = "memory round" if rep > args.reps else "round"
                print(f"{what} {rep} {name:<28} " + json.dumps(row), flush=True)

        summary = summarise(results, n_pages, memory)
        print_summary(summary, n_pages, args.reps)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {"pages": n_pages, "runs": results, "memory_runs": memory, "summary": summary},
                indent=2,
            )
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def compile_package(exe: Path) -> str:
    """Compile the ``newsetl`` package that ``exe`` (a venv's ``bin/newsetl``) runs to
    bytecode, as an installed wheel has it; what was done, for the log."""
    python = exe.parent / "python"
    if not python.exists():
        return "skipped (no python beside the executable)"
    where = subprocess.run(
        [str(python), "-c", "import newsetl; print(newsetl.__path__[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run([str(python), "-m", "compileall", "-q", where], check=True)
    return f"compiled {where}"


def summarise(
    results: dict[str, list[dict[str, Any]]],
    n_pages: int,
    memory: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """Medians of the timed rounds; the peak PSS from the rounds that read it (``memory``,
    or the timed rounds themselves when they did)."""
    out: dict[str, Any] = {}
    base = results.get("trafilatura")
    for name, all_rows in results.items():
        rows = [r for r in all_rows if "failed" not in r]
        if not rows:
            out[name] = {"failed": len(all_rows)}
            continue
        med = {k: statistics.median(r[k] for r in rows) for k in ("wall_s", "cpu_s")}
        pss = [
            r["peak_pss_mb"] for r in [*rows, *(memory or {}).get(name, [])] if "peak_pss_mb" in r
        ]
        med["peak_pss_mb"] = statistics.median(pss) if pss else float("nan")
        med["failed"] = len(all_rows) - len(rows)
        med["pages_per_s"] = n_pages / med["wall_s"]
        if base and name != "trafilatura":
            # ratios per round (same moment, same load), then the median
            pairs = [
                (r, b)
                for r, b in zip(all_rows, base, strict=True)
                if "failed" not in r and "failed" not in b
            ]
            if pairs:
                med["wall_ratio"] = statistics.median(r["wall_s"] / b["wall_s"] for r, b in pairs)
                med["cpu_ratio"] = statistics.median(r["cpu_s"] / b["cpu_s"] for r, b in pairs)
        out[name] = med
    return out


def print_summary(summary: dict[str, Any], n_pages: int, reps: int) -> None:
    print(f"\n{n_pages} pages, median of {reps} interleaved rounds")
    print(
        f"{'config':<28} {'wall s':>8} {'pages/s':>8} {'CPU s':>8} {'PSS MB':>8} {'wall×':>7} {'CPU×':>7}"
    )
    for name, m in summary.items():
        if "wall_s" not in m:
            print(f"{name:<28} every run failed")
            continue
        wall_x = f"{m['wall_ratio']:.2f}" if "wall_ratio" in m else "-"
        cpu_x = f"{m['cpu_ratio']:.2f}" if "cpu_ratio" in m else "-"
        print(
            f"{name:<28} {m['wall_s']:>8.2f} {m['pages_per_s']:>8.1f} {m['cpu_s']:>8.1f} "
            f"{m['peak_pss_mb']:>8.0f} {wall_x:>7} {cpu_x:>7}"
            + (f"  ({m['failed']} failed)" if m["failed"] else "")
        )


if __name__ == "__main__":
    main()
