"""cProfile of the run's own process: where `newsetl ingest`'s parent spends its CPU.

Why: ``run_breakdown.py`` says how much CPU the run's process takes (loading, entity linking,
the whole-warehouse steps at the end); this says in which functions. The profiler's clock is
the process's CPU time (``time.process_time``: DuckDB's threads count, waiting does not). With
``--no-pool`` the whole run happens in this process (extraction and analysis too), which is
the way to profile the stages as a run calls them.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/run_profile.py [--spine] [--no-pool] [--top N] \
        [--out FILE.prof] [PAGES_DIR]

PAGES_DIR defaults to the Zyte pages (decompressed to a temporary directory).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, plain_pages


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--spine", action="store_true", help="repair and entities off")
    p.add_argument("--no-pool", action="store_true", help="everything in this process")
    p.add_argument("--top", type=int, default=40)
    p.add_argument("--out", type=Path, help="write the profile here (pstats format)")
    args = p.parse_args()

    from newsetl.ingest import run_ingest
    from newsetl.settings import Settings

    with tempfile.TemporaryDirectory(prefix="newsetl-profile-") as tmp:
        pages = plain_pages(args.pages, Path(tmp) / "pages", None)
        never = 10**9
        settings = Settings(
            db_path=Path(tmp) / "w.duckdb",
            repair=not args.spine,
            entities=not args.spine,
            translator="none",
            **({"process_pool_min_pages": never, "process_pool_warm_min_pages": never}
               if args.no_pool else {}),
        )  # fmt: skip
        profile = cProfile.Profile(time.process_time)
        started = time.process_time()
        profile.enable()
        summary = run_ingest([str(pages)], settings)
        profile.disable()
        cpu = time.process_time() - started
    print(f"{summary.stats.articles} articles; run's process {cpu:.2f} s CPU (profiled)")
    if args.out:
        profile.dump_stats(args.out)
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
