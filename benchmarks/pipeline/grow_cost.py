"""Where a run's extra cost goes when it loads into a big warehouse (issue 14, round 9).

Why: the same 1,000 pages cost more into a 50,000-page warehouse than into an empty one
(x1.48 wall, x1.35 CPU, 2,493 MB written against 341 MB). This runs ``newsetl ingest DIR
--db COPY`` on a copy of each given warehouse (``empty`` for none), interleaved round by
round, and breaks the run's own process down by step: each step's wall time, the CPU of the
thread that ran it (DuckDB runs a connection's statements in the calling thread at the
loader's one thread; its checkpoint too), the CPU of the whole process, and the bytes the
process wrote (``/proc/self/io`` ``write_bytes``) while it ran.

The steps are the run's own functions, timed by wrapping them in the run's process (the
child re-enters this script with ``--child``, wraps, then calls :func:`newsetl.cli.main`); no
behaviour changes. Steps nest (``load_batch`` holds ``dedupe`` and ``write:<table>``; the
closing ``readcopy`` holds its ``copyfile``), so do not sum nested rows.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/grow_cost.py --pages /work/scale/corpus/new-1000 \
        --base empty --base /work/scale/w20k/big.duckdb --rounds 1 --work /tmp/grow9/gc

``--newsetl-src SRC`` runs another checkout's ``src`` (its own ``.venv`` python is used when
``--python`` names it). The base files are only read (copied into ``--work``).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------------------------
# In the run's process
# --------------------------------------------------------------------------------------------
def _written() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0


class Probe:
    """Appends one JSON line per timed call to ``path``."""

    def __init__(self, path: Path) -> None:
        self.out = path.open("a", buffering=1)

    def wrap(self, name: str, fn: Any, label: Any = None) -> Any:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = (time.perf_counter(), time.thread_time(), time.process_time(), _written())
            try:
                return fn(*args, **kwargs)
            finally:
                step = name if label is None else f"{name}:{label(*args, **kwargs)}"
                wall, thread, proc, wrote = started
                self.out.write(
                    json.dumps(
                        {
                            "step": step,
                            "wall": time.perf_counter() - wall,
                            "thread_cpu": time.thread_time() - thread,
                            "process_cpu": time.process_time() - proc,
                            "written": _written() - wrote,
                        }
                    )
                    + "\n"
                )

        return timed


def install(probe: Probe) -> None:
    """Wrap the run's steps that read or write the warehouse (module attributes, so callers
    that look them up at call time get the timed ones)."""
    import importlib

    from newsetl import readcopy
    from newsetl.run import steps

    connect = importlib.import_module("newsetl.warehouse.connect")
    load = importlib.import_module("newsetl.warehouse.load")

    load.load_batch = probe.wrap("load_batch", load.load_batch)
    load._dedupe_articles = probe.wrap("dedupe", load._dedupe_articles)
    load._write = probe.wrap("write", load._write, label=lambda con, table, *a, **k: table)
    extra_loader = load._extra_loader

    def timed_extra(name: str, plan: Any = None) -> Any:
        return probe.wrap(f"extra:{name}", extra_loader(name, plan))

    load._extra_loader = timed_extra
    import_path = load.import_path

    def timed_import(target: str) -> Any:
        return probe.wrap(f"after:{target.rsplit(':', 1)[-1]}", import_path(target))

    load.import_path = timed_import
    connect._close_shared = probe.wrap("close_db(checkpoint)", connect._close_shared)
    connect._open_shared = probe.wrap("open_db", connect._open_shared)
    connect.migrate = probe.wrap("migrate", connect.migrate)
    readcopy.refresh_read_copy = probe.wrap("readcopy", readcopy.refresh_read_copy)
    copyfile = probe.wrap("readcopy:copyfile", shutil.copyfile)

    class _Shutil:  # the read copy's own view of shutil: other callers' copies are not timed
        def __getattr__(self, name: str) -> Any:
            return copyfile if name == "copyfile" else getattr(shutil, name)

    readcopy.shutil = _Shutil()  # type: ignore[assignment]
    for method in ("page_states", "translator_for", "originals"):
        setattr(
            steps.RunContext,
            method,
            probe.wrap(f"lookup:{method}", getattr(steps.RunContext, method)),
        )


def child(argv: list[str]) -> None:
    probe = Probe(Path(os.environ["GROW_COST_OUT"]))
    install(probe)
    from newsetl.cli import main

    started = (time.perf_counter(), time.process_time(), _written())
    try:
        code = main(argv)
    finally:
        wall, proc, wrote = started
        probe.out.write(
            json.dumps(
                {
                    "step": "whole process",
                    "wall": time.perf_counter() - wall,
                    "thread_cpu": 0.0,
                    "process_cpu": time.process_time() - proc,
                    "written": _written() - wrote,
                }
            )
            + "\n"
        )
    sys.exit(code or 0)


# --------------------------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------------------------
def run_once(
    python: str, src: Path, pages: Path, base: str, work: Path, label: str
) -> dict[str, Any]:
    from pipeline_workers import ProcessTreeSampler

    work.mkdir(parents=True, exist_ok=True)
    db = work / f"{label}.duckdb"
    for stale in work.glob(f"{label}*"):
        if stale.is_dir():
            shutil.rmtree(stale)
        else:
            stale.unlink()
    if base != "empty":
        shutil.copyfile(base, db)
    out = work / f"{label}.steps.jsonl"
    env = {
        **os.environ,
        "GROW_COST_OUT": str(out),
        "PYTHONPATH": f"{src}:{Path(__file__).parent}",
        "NEWSETL_STAGING_DIR": str(work / f"{label}-staging"),
    }
    log = work / f"{label}.log"
    with log.open("w") as stream:
        cmd = [python, __file__, "--child", "ingest", str(pages), "--db", str(db)]
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=stream, stderr=subprocess.STDOUT, cwd=work)
        with ProcessTreeSampler(0.25, memory=False, root=proc.pid) as sampler:
            proc.wait()
        wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{label}: exit {proc.returncode}\n{log.read_text()[-3000:]}")
    steps: dict[str, dict[str, float]] = defaultdict(
        lambda: {"n": 0, "wall": 0.0, "thread_cpu": 0.0, "process_cpu": 0.0, "written": 0}
    )
    for line in out.read_text().splitlines():
        row = json.loads(line)
        acc = steps[row.pop("step")]
        acc["n"] += 1
        for key, value in row.items():
            acc[key] += value
    return {
        "label": label,
        "base": base,
        "wall_s": wall,
        "tree_cpu_s": sampler.cpu_s,
        "load": os.getloadavg()[0],
        "db_mb": db.stat().st_size / 2**20,
        "steps": dict(steps),
    }


def show(result: dict[str, Any]) -> None:
    print(
        f"\n== {result['label']} ({result['base']}): wall {result['wall_s']:.1f} s, tree CPU "
        f"{result['tree_cpu_s']:.1f} s, file {result['db_mb']:.0f} MB, load {result['load']:.1f}"
    )
    print(f"{'step':40} {'n':>5} {'wall s':>8} {'thr CPU s':>9} {'proc CPU s':>10} {'MB wr':>8}")
    for name, acc in sorted(result["steps"].items(), key=lambda kv: -kv[1]["wall"]):
        print(
            f"{name:40} {acc['n']:5d} {acc['wall']:8.2f} {acc['thread_cpu']:9.2f} "
            f"{acc['process_cpu']:10.2f} {acc['written'] / 2**20:8.1f}"
        )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        child(argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, required=True)
    parser.add_argument("--base", action="append", required=True, help="a warehouse or 'empty'")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--newsetl-src", type=Path, default=ROOT / "src")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--json", type=Path, help="write every round's result here")
    args = parser.parse_args(argv)
    results = []
    for round_no in range(args.rounds):
        for i, base in enumerate(args.base):
            label = f"r{round_no}-{i}-{'empty' if base == 'empty' else Path(base).stem}"
            result = run_once(args.python, args.newsetl_src, args.pages, base, args.work, label)
            show(result)
            results.append(result)
            if args.json:
                args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
