"""Pipeline and extraction benchmark: speed per stage, peak memory and Zyte extraction F1.

    .venv/bin/python benchmarks/pipeline/run.py [--pages DIR] [--limit N] [--reps 3]
    .venv/bin/python benchmarks/pipeline/run.py --check-scorer

Every configuration runs in its own fresh subprocess (so peak RSS is per configuration),
warms up once on the first ``--warmup`` pages, then times ``--reps`` passes over all pages;
the table shows the median. Results go to stdout and to ``benchmarks/results/pipeline.json``.

Quality: when DIR has the Zyte layout (``html/*.html.gz`` + ``ground-truth.json``), the text
of our ``extract_page`` and of plain ``trafilatura.extract(html, include_comments=False)``
are scored with the Zyte shingle metric (``zyte_metric.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

import zyte_metric  # noqa: E402
from pipeline_corpus import load_corpus  # noqa: E402

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
)
#: Our bar (newsetl issue 2): trafilatura 2.0.0's published Zyte F1.
F1_BAR = 0.958

STAGE_LABELS = {
    ("trafilatura-extract", "total"): "baseline: trafilatura.extract(with_metadata=True)",
    ("trafilatura-bare", "total"): "baseline: trafilatura.bare_extraction(with_metadata=True)",
    ("trafilatura-plain", "total"): "reference: trafilatura.extract(include_comments=False)",
    ("stages", "extract"): "decode+parse+extract (extract_page)",
    ("stages", "language"): "language detection (detect_language)",
    ("stages", "artefacts"): "artefact analysis (artefacts.analyse)",
    ("stages", "entities"): "entity extraction (entities.extract_entities)",
    ("stages", "schema"): "new warehouse: migrations+seeds (once per DB)",
    ("stages", "staging"): "staging (Parquet, stage_batch)",
    ("stages", "load"): "load (DuckDB, load_pending, incl. entity linking)",
    ("stages", "load_tables"): "  of which plain tables (load without entity_documents)",
    ("ingest-core", "run_ingest_core"): "run_ingest, repair+entities off",
    ("ingest-core-1proc", "run_ingest_core"): "run_ingest, repair+entities off, workers=1",
    ("ingest", "run_ingest"): "run_ingest, whole pipeline",
    ("ingest-traced", "run_ingest"): "run_ingest under tracemalloc (1 run)",
}


# --------------------------------------------------------------------------------------------
# Running configurations in fresh processes
# --------------------------------------------------------------------------------------------
HEAVY = {"stages", "ingest"}


def run_in_subprocess(name: str, rep: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """One repetition of one configuration in a fresh interpreter."""
    result_file, log_file = tmp / f"{name}-{rep}.json", tmp / f"{name}-{rep}.log"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name]
    cmd += ["--pages", str(args.pages), "--warmup", str(args.warmup), "--result", str(result_file)]
    if args.limit:
        cmd += ["--limit", str(args.limit)]
    env = {**os.environ, "NEWSETL_TRANSLATOR": "none"}
    print(f"  running {name} (repetition {rep + 1}) ...", file=sys.stderr, flush=True)
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
# Summaries
# --------------------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    def ver(name: str) -> str | None:
        try:
            return version(name)
        except Exception:
            return None

    return {
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "trafilatura": ver("trafilatura"),
        "lxml": ver("lxml"),
        "duckdb": ver("duckdb"),
        "langdetect": ver("langdetect"),
        "loadavg_start": os.getloadavg(),
    }


def stage_rows(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for config, result in results.items():
        if "error" in result:
            rows.append({"config": config, "stage": "-", "label": config, "error": result})
            continue
        for stage, data in result["stages"].items():
            wall, cpu = data.get("median_wall_s"), data.get("median_cpu_s")
            pages = data.get("pages") or 0
            rows.append(
                {
                    "config": config,
                    "stage": stage,
                    "label": STAGE_LABELS.get((config, stage), f"{config}:{stage}"),
                    "pages": pages,
                    "median_wall_s": wall,
                    "median_cpu_s": cpu,
                    "wall_s": data.get("wall_s", []),
                    "pages_per_s": pages / wall if wall and pages else None,
                    "ms_per_page": 1000 * wall / pages if wall and pages else None,
                    "cpu_ms_per_page": 1000 * cpu / pages if cpu and pages else None,
                    "failures": data.get("failures") or {},
                    "errors": data.get("errors") or [],
                    "skipped": data.get("skipped"),
                }
            )
    return rows


def find_row(rows: list[dict[str, Any]], config: str, stage: str) -> dict[str, Any] | None:
    for row in rows:
        if row["config"] == config and row["stage"] == stage and "error" not in row:
            return row
    return None


def comparisons(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ours vs trafilatura alone, as speed ratios (> 1 means we are faster), wall and CPU."""
    baseline = ("trafilatura-extract", "total")
    pairs = [
        ("extract_page vs trafilatura.extract(with_metadata)", ("stages", "extract"), baseline),
        ("extract_page vs trafilatura.bare_extraction(with_metadata)", ("stages", "extract"), ("trafilatura-bare", "total")),
        ("run_ingest, repair+entities off vs trafilatura.extract", ("ingest-core", "run_ingest_core"), baseline),
        ("run_ingest, repair+entities off, workers=1 vs trafilatura.extract", ("ingest-core-1proc", "run_ingest_core"), baseline),
        ("run_ingest, whole pipeline vs trafilatura.extract", ("ingest", "run_ingest"), baseline),
    ]  # fmt: skip
    out = []
    for label, ours_key, base_key in pairs:
        ours, base = find_row(rows, *ours_key), find_row(rows, *base_key)
        if ours is None or base is None:
            continue
        wall = base["ms_per_page"] / ours["ms_per_page"] if ours["ms_per_page"] else None
        cpu = base["cpu_ms_per_page"] / ours["cpu_ms_per_page"] if ours["cpu_ms_per_page"] else None
        out.append(
            {
                "comparison": label,
                "ours_pages_per_s": ours["pages_per_s"],
                "baseline_pages_per_s": base["pages_per_s"],
                "wall_speed_ratio": wall,
                "cpu_speed_ratio": cpu,
                "no_slower": wall >= 1.0 if wall is not None else None,
            }
        )
    return out


def stage_sum(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Sum of the separately timed stages, next to the whole run_ingest, per page."""
    parts = ("extract", "language", "artefacts", "entities", "staging", "load")
    found = [find_row(rows, "stages", part) for part in parts]
    whole = find_row(rows, "ingest", "run_ingest")
    if whole is None or any(r is None or r["ms_per_page"] is None for r in found):
        return None
    # staging and load are per article, the others per page: add their totals, not ms/page
    total_s = sum(r["median_wall_s"] for r in found)
    return {
        "sum_of_stages_s": total_s,
        "sum_of_stages_ms_per_page": 1000 * total_s / whole["pages"],
        "run_ingest_ms_per_page": whole["ms_per_page"],
    }


def quality(results: dict[str, dict[str, Any]], truth: dict[str, str] | None) -> dict[str, Any]:
    if truth is None:
        return {"note": "no ground truth in this directory: F1 not computed"}
    out: dict[str, Any] = {}
    texts = {}
    for key, config in (
        ("extract_page", "stages"),
        ("trafilatura.extract(include_comments=False)", "trafilatura-plain"),
    ):
        if config in results and "texts" in results[config]:
            texts[key] = results[config]["texts"]
            out[key] = zyte_metric.score(truth, texts[key]).as_dict()
    if len(texts) == 2:
        ours, ref = texts.values()
        differing = sorted(k for k in truth if (ours.get(k) or "") != (ref.get(k) or ""))
        out["pages_where_texts_differ"] = len(differing)
        out["differing_ids"] = differing[:20]
    if "extract_page" in out:
        out["meets_bar"] = round(out["extract_page"]["f1"], 3) >= F1_BAR
    return out


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_report(report: dict[str, Any]) -> None:
    m = report["machine"]
    print(
        f"machine: nproc={m['nproc']} usable={m['usable_cpus']} python {m['python']} "
        f"trafilatura {m['trafilatura']} lxml {m['lxml']} duckdb {m['duckdb']}"
    )
    print(
        f"load average at start {tuple(round(x, 2) for x in m['loadavg_start'])}, "
        f"at end {tuple(round(x, 2) for x in m['loadavg_end'])}"
    )
    a = report["args"]
    print(
        f"pages: {report['pages']} from {a['pages']} ({report['corpus_mb']:.1f} MB HTML); "
        f"each repetition a fresh process (warm-up {a['warmup']} pages, then one timed pass); "
        f"median over {a['reps']} repetitions ({a['heavy_reps']} for stages and ingest)\n"
    )
    head = f"{'stage':58s} {'pages':>5s} {'wall s':>7s} {'pages/s':>8s} {'ms/page':>8s} {'cpu ms/p':>8s}"
    print(head + "  notes")
    for row in report["stages"]:
        if "error" in row:
            print(f"{row['label']:58s} FAILED: {row['error'].get('error')}")
            continue
        notes = row["skipped"] or ", ".join(f"{k} x{v}" for k, v in row["failures"].items())
        print(
            f"{row['label']:58s} {row['pages']:5d} {fmt(row['median_wall_s'], '7.2f')} "
            f"{fmt(row['pages_per_s'], '8.1f')} {fmt(row['ms_per_page'], '8.1f')} "
            f"{fmt(row['cpu_ms_per_page'], '8.1f')}  {notes}"
        )
    for row in report["stages"]:
        for error in row.get("errors") or []:
            print(f"  ! {row['config']}:{row['stage']}: {error.splitlines()[0][:160]}")
    total = report.get("stage_sum")
    if total:
        print(
            f"sum of the timed stages (extract..load): {total['sum_of_stages_ms_per_page']:.1f} "
            f"ms/page; run_ingest: {total['run_ingest_ms_per_page']:.1f} ms/page"
        )
    print("\npeak memory (ru_maxrss, highest over the fresh processes of a configuration):")
    for config, result in report["configs"].items():
        if "error" in result:
            continue
        traced = result.get("tracemalloc_peak_mb")
        extra = f", tracemalloc peak {traced:.1f} MB" if traced else ""
        child = result.get("maxrss_children_mb") or 0.0
        if child > 20:  # a process pool's workers (the interpreter itself is ~10 MB)
            extra += f"; largest child process {child:.1f} MB"
        print(
            f"  {config:22s} {result['maxrss_mb']:7.1f} MB "
            f"(after loading the pages {result['maxrss_after_load_mb']:.1f} MB){extra}"
        )
    print("\nspeed, ours vs trafilatura alone (ratio = our pages/s over theirs; > 1: faster):")
    for c in report["comparisons"]:
        verdict = {True: "no slower", False: "SLOWER", None: "n/a"}[c["no_slower"]]
        print(
            f"  {c['comparison']:66s} {fmt(c['ours_pages_per_s'], '6.1f')} vs "
            f"{fmt(c['baseline_pages_per_s'], '6.1f')} pages/s  wall x{fmt(c['wall_speed_ratio'], '.2f')}"
            f"  cpu x{fmt(c['cpu_speed_ratio'], '.2f')}  {verdict}"
        )
    q = report["quality"]
    print("\nZyte extraction quality (shingle F1, bootstrap ± over 1000 resamples):")
    if "note" in q:
        print(f"  {q['note']}")
    for key in ("extract_page", "trafilatura.extract(include_comments=False)"):
        if key in q:
            s = zyte_metric.Score(**q[key])
            print(f"  {key:45s} {s.line()}  (n={s.items})")
    if "pages_where_texts_differ" in q:
        print(f"  pages where the two texts differ: {q['pages_where_texts_differ']}")
    if "meets_bar" in q:
        print(f"  bar F1 >= {F1_BAR}: {'met' if q['meets_bar'] else 'NOT met'}")
    check = report.get("scorer_check")
    if check:
        ok = all(r["matches"] is not False for r in check)
        print(f"\nscorer check against the published table: {'reproduced' if ok else 'MISMATCH'}")
        for r in check:
            print("  " + check_line(r))


def check_line(row: dict[str, Any]) -> str:
    s = zyte_metric.Score(**row["score"])
    published = row["published"]
    pub = " / ".join("-" if v is None else f"{v:.3f}" for v in published) if published else "-"
    mark = {True: "match", False: "MISMATCH", None: ""}[row["matches"]]
    return f"{row['system']:22s} {s.line()}   published F1/P/R/acc {pub} {mark}"


def scorer_check(dataset: Path, only_published: bool) -> list[dict[str, Any]]:
    rows = zyte_metric.check_published(dataset, only_published=only_published)
    for row in rows:
        row["matches"] = zyte_metric.published_matches(row)
    return rows


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
