"""What each part of a run costs in one process: the fixed cost (imports, each stage's
warm-up) and the cost per page of each stage, against trafilatura alone on the same pages.

Why: the run's CPU is spread over a fork server and workers (``run_breakdown.py`` says which
process pays); this says which *stage* does, measured without a pool, in the order a worker
meets them: the warm-up the fork server runs (CPU and resident memory added by each stage),
then extraction and language identification of every page, then the analysis stages over
the extracted pages, twice (the first pass fills the caches as a fresh worker does; the
second shows the cost with warm caches).

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/stage_costs.py [PAGES_DIR] [--limit N]

PAGES_DIR defaults to the Zyte pages (``.html`` or ``.html.gz``).
"""

from __future__ import annotations

import argparse
import gzip
import time
from datetime import UTC, datetime
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES


def rss_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
    return 0


def timed(label: str, fn, pages: int | None = None) -> float:
    before_cpu, before_rss = time.process_time(), rss_mb()
    fn()
    cpu = time.process_time() - before_cpu
    per_page = f"  {1000 * cpu / pages:6.1f} ms/page" if pages else ""
    print(f"{label:<44} {cpu:6.2f} s CPU  +{rss_mb() - before_rss:5d} MB RSS{per_page}")
    return cpu


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--limit", type=int)
    args = p.parse_args()
    files = sorted(f for f in args.pages.iterdir() if f.name.endswith((".html", ".html.gz")))
    files = files[: args.limit] if args.limit else files
    bodies = [
        gzip.decompress(f.read_bytes()) if f.suffix == ".gz" else f.read_bytes() for f in files
    ]
    n = len(bodies)
    print(f"{n} pages; resident at start {rss_mb()} MB")

    modules: dict = {}

    def imports() -> None:
        import newsetl.pipeline
        import newsetl.stages

        modules["stages"] = newsetl.stages
        modules["pipeline"] = newsetl.pipeline

    timed("import newsetl.pipeline, newsetl.stages", imports)
    for stage in modules["stages"].STAGES:
        timed(f"warm-up: {stage.name}", stage.warm_up)

    import trafilatura

    timed(
        "trafilatura.extract(with_metadata=True)",
        lambda: [
            trafilatura.extract(b, with_metadata=True, include_comments=False) for b in bodies
        ],
        n,
    )
    pipeline = modules["pipeline"]
    from newsetl.downloads import FetchResult
    from newsetl.extract import extract_page
    from newsetl.sources import Target

    now = datetime.now(UTC)
    urls = [f"http://bench.invalid/{f.name.split('.')[0]}" for f in files]
    timed("extract_page (trafilatura, metadata, quality)", lambda: [
        extract_page(b, u, None, now) for b, u in zip(bodies, urls, strict=True)
    ], n)  # fmt: skip
    outcomes: list = []
    timed("extract_and_identify (+ language)", lambda: outcomes.extend(
        pipeline.extract_and_identify(b, u, None, 0, now) for b, u in zip(bodies, urls, strict=True)
    ), n)  # fmt: skip
    items = []
    for body, url, (page, guess, _, _) in zip(bodies, urls, outcomes, strict=True):
        if page is None:
            continue
        fetch = FetchResult(url=url, final_url=url, status_code=200, outcome="ok", body=body)
        items.append(
            pipeline.Processed(
                Target(url, "bench"), fetch, "bench", page, guess.language, guess.confidence, guess
            )
        )
    spine = pipeline.AnalysisOptions(repair=False, entities=False)
    timed("rows only (no analysis stage)", lambda: pipeline.analyse_batch(items, "b", spine), n)
    for name, options in (
        ("repair", pipeline.AnalysisOptions(repair=True, entities=False)),
        ("entities", pipeline.AnalysisOptions(repair=False, entities=True)),
    ):
        for run in ("first pass", "second pass"):
            timed(
                f"rows + {name}, {run}", lambda o=options: pipeline.analyse_batch(items, "b", o), n
            )
    print(f"resident at end {rss_mb()} MB")


if __name__ == "__main__":
    main()
