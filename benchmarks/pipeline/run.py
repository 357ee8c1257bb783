"""Pipeline and extraction benchmark: speed per stage, peak memory and Zyte extraction F1.

    .venv/bin/python benchmarks/pipeline/run.py [--pages DIR] [--limit N] [--reps 3]
    .venv/bin/python benchmarks/pipeline/run.py --check-scorer

Every repetition of every configuration runs in a fresh subprocess (``pipeline_workers``:
peak RSS per process, no warm per-word caches carried from one pass to the next); it warms
up on the first ``--warmup`` pages, then times one pass over all pages. The table shows the
median over ``--reps`` repetitions (``--heavy-reps`` for the stages and ingest runs). Results
go to stdout and to ``benchmarks/results/pipeline.json``.

Quality: when DIR has the Zyte layout (``html/*.html.gz`` + ``ground-truth.json``), the text
of our ``extract_page`` and of plain ``trafilatura.extract(html, include_comments=False)``
are scored with the Zyte shingle metric (``zyte_metric.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

from pipeline_corpus import load_corpus  # noqa: E402
from pipeline_report import (  # noqa: E402
    check_line,
    comparisons,
    machine,
    print_report,
    quality,
    scorer_check,
    stage_rows,
    stage_sum,
)

DEFAULT_PAGES = REPO.parent / "shared/benchmarks/extraction/zyte-article-extraction-benchmark"
DEFAULT_OUT = REPO / "benchmarks/results/pipeline.json"
DEFAULT_CONFIGS = (
    "trafilatura-extract",
    "trafilatura-bare",
    "trafilatura-plain",
    "stages",
    "ingest-core",
    "ingest-core-1proc",
    "ingest",
    "ingest-pool",
    "ingest-pool-cold",
)
# --------------------------------------------------------------------------------------------
# Running configurations in fresh processes
# --------------------------------------------------------------------------------------------
HEAVY = {"stages", "ingest", "ingest-pool", "ingest-pool-cold"}


#: run_ingest configurations: besides the timed repetitions, one more samples the memory (PSS)
#: of the whole process tree, which is too costly to read during a timed one.
PROCESS_TREE = {"ingest-core", "ingest-core-1proc", "ingest", "ingest-pool", "ingest-pool-cold"}


def run_in_subprocess(
    name: str, rep: int, args: argparse.Namespace, tmp: Path, *, memory: bool = False
) -> dict[str, Any]:
    """One repetition of one configuration in a fresh interpreter (``memory``: the untimed
    one that samples the process tree's PSS)."""
    label = f"{name}-{'memory' if memory else rep}"
    result_file, log_file = tmp / f"{label}.json", tmp / f"{label}.log"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name]
    cmd += ["--pages", str(args.pages), "--warmup", str(args.warmup), "--result", str(result_file)]
    if args.limit:
        cmd += ["--limit", str(args.limit)]
    env = {**os.environ, "NEWSETL_TRANSLATOR": "none"}
    if memory:
        env["NEWSETL_BENCH_SAMPLE_MEMORY"] = "1"
    what = "memory sampling" if memory else f"repetition {rep + 1}"
    print(f"  running {name} ({what}) ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    with log_file.open("w") as log:
        proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, check=False)
    if proc.returncode != 0 or not result_file.exists():
        tail = log_file.read_text(errors="replace").splitlines()[-15:]
        return {"config": name, "error": f"exit {proc.returncode}", "log_tail": tail}
    result = json.loads(result_file.read_text())
    result["process_wall_s"] = time.perf_counter() - started
    return result


def run_config(name: str, reps: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Repetitions of one configuration, merged: per stage the list of times and the medians."""
    runs = [run_in_subprocess(name, rep, args, tmp) for rep in range(reps)]
    good = [r for r in runs if "error" not in r]
    if not good:
        return runs[0]
    merged = {k: v for k, v in good[0].items() if k not in {"stages", "worker_wall_s"}}
    merged["reps"] = len(good)
    merged["errors"] = [r for r in runs if "error" in r]
    merged["maxrss_mb"] = max(r["maxrss_mb"] for r in good)
    merged["maxrss_runs_mb"] = [r["maxrss_mb"] for r in good]
    merged["maxrss_children_mb"] = max(r.get("maxrss_children_mb", 0.0) for r in good)
    merged["process_wall_s"] = [r["process_wall_s"] for r in good]
    if name in PROCESS_TREE:
        sampled = run_in_subprocess(name, reps, args, tmp, memory=True)
        tree = sampled.get("process_tree") or {}
        merged["process_tree"] = {
            "peak_pss_mb": tree.get("peak_pss_mb"),
            "peak_processes": tree.get("peak_processes"),
            "cpu_s": statistics.median(r["process_tree"]["cpu_s"] for r in good),
        }
    stages: dict[str, dict[str, Any]] = {}
    for stage, first in good[0]["stages"].items():
        if "skipped" in first:
            stages[stage] = first
            continue
        walls = [r["stages"][stage]["wall_s"] for r in good]
        cpus = [r["stages"][stage]["cpu_s"] for r in good]
        failures: dict[str, int] = {}
        errors: list[str] = []
        for r in good:
            for kind, n in r["stages"][stage]["failures"].items():
                failures[kind] = max(failures.get(kind, 0), n)
            errors += [e for e in r["stages"][stage].get("errors", []) if e not in errors]
        stages[stage] = {
            "pages": first["pages"],
            "wall_s": walls,
            "cpu_s": cpus,
            "median_wall_s": statistics.median(walls),
            "median_cpu_s": statistics.median(cpus),
            "failures": failures,
            "errors": errors,
        }
    merged["stages"] = stages
    return merged


def worker_main(args: argparse.Namespace) -> None:
    from pipeline_workers import run_worker

    corpus = load_corpus(args.pages, args.limit)
    result = run_worker(args.worker, corpus, args.warmup)
    args.result.write_text(json.dumps(result, default=str))


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pages", type=Path, default=DEFAULT_PAGES, help="directory of pages")
    p.add_argument("--limit", type=int, default=None, help="first N pages (sorted by id)")
    p.add_argument("--reps", type=int, default=3, help="repetitions (fresh processes); median")
    p.add_argument(
        "--heavy-reps", type=int, default=2, help="repetitions for the stages and ingest runs"
    )
    p.add_argument("--warmup", type=int, default=5, help="pages in the untimed warm-up pass")
    p.add_argument(
        "--configs",
        default=",".join(DEFAULT_CONFIGS),
        help="comma-separated configurations to run (also: ingest-traced)",
    )
    p.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also run run_ingest once under tracemalloc (slow) for a Python-heap peak",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    p.add_argument(
        "--check-scorer",
        action="store_true",
        help="score the published outputs of the Zyte set, compare with the published table, exit",
    )
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        worker_main(args)
        return 0
    if args.check_scorer:
        rows = scorer_check(args.pages, only_published=False)
        for row in rows:
            print(check_line(row))
        ok = all(r["matches"] is not False for r in rows)
        print("scorer reproduces the published table" if ok else "MISMATCH with published table")
        return 0 if ok else 1

    info = machine()
    corpus = load_corpus(args.pages, args.limit)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    if args.tracemalloc and "ingest-traced" not in configs:
        configs.append("ingest-traced")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="newsetl-bench-run-") as tmp:
        for name in configs:
            reps = 1 if name == "ingest-traced" else args.heavy_reps if name in HEAVY else args.reps
            results[name] = run_config(name, reps, args, Path(tmp))
    info["loadavg_end"] = os.getloadavg()
    rows = stage_rows(results)
    report = {
        "machine": info,
        "args": {k: str(v) for k, v in vars(args).items() if k not in {"worker", "result"}},
        "pages": len(corpus.pages),
        "corpus_mb": corpus.total_bytes / 2**20,
        "stages": rows,
        "comparisons": comparisons(rows),
        "stage_sum": stage_sum(rows),
        "quality": quality(results, corpus.truth),
        "configs": {k: {x: y for x, y in v.items() if x != "texts"} for k, v in results.items()},
    }
    if corpus.truth is not None and (args.pages / "output").is_dir():
        report["scorer_check"] = scorer_check(args.pages, only_published=True)
    print_report(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nwritten: {args.out}")
    return 0 if all("error" not in r for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
