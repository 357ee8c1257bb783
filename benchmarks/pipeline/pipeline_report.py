"""Summaries of a pipeline benchmark run: per-stage rates, comparisons, quality, the table.

Kept apart from ``run.py`` (which only starts processes and merges their readings) so that the
numbers in the JSON and the printed table come from one place.
"""

from __future__ import annotations

import os
import platform
from importlib.metadata import version
from pathlib import Path
from typing import Any

import zyte_metric

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
    ("ingest", "run_ingest"): "run_ingest, whole pipeline (default settings)",
    ("ingest-pool", "run_ingest"): "run_ingest, whole pipeline, process pool, warm fork server",
    ("ingest-pool-cold", "run_ingest"): "run_ingest, whole pipeline, process pool, cold start",
    ("ingest-traced", "run_ingest"): "run_ingest under tracemalloc (1 run)",
}


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
        ("whole pipeline, pool, warm fork server vs trafilatura.extract", ("ingest-pool", "run_ingest"), baseline),
        ("whole pipeline, pool, cold start vs trafilatura.extract", ("ingest-pool-cold", "run_ingest"), baseline),
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
        tree = result.get("process_tree")
        if tree:  # run_ingest: every process of the run, pool workers included
            extra += (
                f"; process tree peak PSS {fmt(tree['peak_pss_mb'], '.0f')} MB over up to "
                f"{tree['peak_processes']} processes (untimed run), "
                f"tree CPU {tree['cpu_s']:.1f} s (timed runs)"
            )
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
