"""Throughput of the distributed ingest with 1, 2, 3 workers, and the merge's cost (issue 15 B).

Data: the public trafilatura-eval pages in ``../shared/benchmarks/extraction/trafilatura-eval/``
(read from there, never copied into the repository), the first ``--pages`` of them by name,
served over HTTP from ``--hosts`` local hosts (127.0.0.1, 127.0.0.2, ...: consecutive blocks of
pages per host) by the distributed tests' multi-host server (``tests/distsite.py``,
``SiteHosts(bodies=...)``), each with a sitemap and a robots.txt, per-host interval
``--interval``.

Real parts: a private PostgreSQL catalog, a local data directory, ``prefect server start``,
``newsetl lake deploy`` (a ``process`` work pool), and for each worker count W: W ``prefect
worker start --limit 1`` processes and ``newsetl lake ingest SOURCES --shards W --no-merge``
(the parent flow: plan, per-host rate limits, one shard flow run per worker, wait). Measured:
the parent's wall time from submit to every shard appended (pages/s; it includes each flow
run's process start), then the merge step in this process (``merge_pending``: seconds per
1,000 articles). Every W gets a lake of its own. Run:

    .venv/bin/python benchmarks/lake/distributed.py [--pages 300] [--hosts 6] [--workers 1 2 3]
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests"))

from distsite import SiteHosts  # noqa: E402
from lakeservers import PostgresServer, PrefectServer, PrefectWorkers  # noqa: E402

from newsetl.lake import merge_pending, open_lake  # noqa: E402
from newsetl.settings import Settings  # noqa: E402

PAGES = REPO.parent / "shared" / "benchmarks" / "extraction" / "trafilatura-eval" / "html"
BIN = Path(sys.executable).parent
POOL = "newsetl-lake-bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--hosts", type=int, default=6)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--interval", type=float, default=0.05, help="per-host interval, s")
    parser.add_argument("--batch-size", type=int, default=25)
    args = parser.parse_args()

    files = sorted(PAGES.iterdir())[: args.pages]
    pages = [
        gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in files
    ]
    root = Path(tempfile.mkdtemp(prefix="newsetl-dist-bench-"))
    results = []
    try:
        with (
            PostgresServer() as pg,
            PrefectServer() as prefect,
            SiteHosts(hosts=args.hosts, bodies=pages) as site,
        ):
            deployed = subprocess.run(
                [str(BIN / "newsetl"), "lake", "deploy", "--pool", POOL],
                env=prefect.env, capture_output=True, text=True, timeout=600,
            )  # fmt: skip
            if deployed.returncode:
                raise SystemExit(deployed.stderr[-3000:])
            for count in args.workers:
                run_dir = root / f"w{count}"
                run_dir.mkdir()
                env = {
                    **prefect.env,
                    "NEWSETL_WAREHOUSE_BACKEND": "ducklake",
                    "NEWSETL_LAKE_CATALOG": "postgres:" + pg.create_database(f"bench_{count}"),
                    "NEWSETL_LAKE_DATA_PATH": str(run_dir / "data"),
                    "NEWSETL_DB_PATH": str(run_dir / "unused.duckdb"),
                    "NEWSETL_STAGING_DIR": str(run_dir / "staging"),
                    "NEWSETL_PER_HOST_INTERVAL_S": str(args.interval),
                    "NEWSETL_BATCH_SIZE": str(args.batch_size),
                    "NEWSETL_TRANSLATOR": "none",
                }
                workers = PrefectWorkers(POOL, env, run_dir)
                try:
                    for _ in range(count):
                        workers.start()
                    started = time.perf_counter()
                    parent = subprocess.run(
                        [str(BIN / "newsetl"), "lake", "ingest", *site.sources, "--shards",
                         str(count), "--run-id", uuid.uuid4().hex, "--no-merge"],
                        env=env, capture_output=True, text=True, timeout=3600,
                    )  # fmt: skip
                    wall = time.perf_counter() - started
                finally:
                    workers.stop()
                if parent.returncode:
                    raise SystemExit(parent.stdout[-3000:] + parent.stderr[-3000:])
                summary = json.loads(parent.stdout[parent.stdout.index('{\n  "parent_run_id"') :])
                shards = summary["shards"]
                settings = Settings.from_env(
                    {k: v for k, v in env.items() if k.startswith("NEWSETL_")}
                )
                cpu0, t0 = time.process_time(), time.perf_counter()
                report = merge_pending(settings)
                merge_wall, merge_cpu = time.perf_counter() - t0, time.process_time() - cpu0
                con = open_lake(settings, read_only=True)
                try:
                    articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
                finally:
                    con.close()
                fetched = sum(int(s.get("fetched") or 0) for s in shards)
                row = {
                    "workers": count,
                    "pages": len(pages),
                    "fetched": fetched,
                    "articles": articles,
                    "wall_s": round(wall, 1),
                    "pages_per_s": round(fetched / wall, 2),
                    "shard_s": [s.get("seconds") for s in shards],
                    "batches": report.loaded,
                    "merge_wall_s": round(merge_wall, 1),
                    "merge_s_per_1000": round(1000 * merge_wall / max(1, articles), 1),
                    "merge_cpu_s_per_1000": round(1000 * merge_cpu / max(1, articles), 1),
                }
                results.append(row)
                print(json.dumps(row), flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print("\n| workers | pages/s | wall s | shard s | merge s / 1,000 articles (CPU) |")
    print("| --- | --- | --- | --- | --- |")
    for r in results:
        print(
            f"| {r['workers']} | {r['pages_per_s']} | {r['wall_s']} | {r['shard_s']} | "
            f"{r['merge_s_per_1000']} ({r['merge_cpu_s_per_1000']}) |"
        )


if __name__ == "__main__":
    main()
