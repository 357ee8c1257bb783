"""``newsetl lake ...``: the lake's own commands (append, merge, status, snapshots, migrate).

``query``, ``search``, ``export`` and ``maintain`` work on the lake as on the DuckDB file
(``newsetl.commands.warehouse``) when ``NEWSETL_WAREHOUSE_BACKEND=ducklake``; these commands
are what a distributed run adds: a worker appends what it staged, the one merge step merges.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from newsetl.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lake",
        help="the DuckLake warehouse: append staged batches, merge, status, snapshots",
        description="Commands of the DuckLake backend (NEWSETL_WAREHOUSE_BACKEND=ducklake, "
        "NEWSETL_LAKE_CATALOG, NEWSETL_LAKE_DATA_PATH; see docs/scale-out.md).",
    )
    sub = parser.add_subparsers(dest="lake_command", metavar="ACTION", required=True)
    append = sub.add_parser("append", help="append the batches staged on this machine")
    append.add_argument("--staging", metavar="DIR", help="staging directory (default: settings)")
    append.set_defaults(func=run_append)
    merge = sub.add_parser("merge", help="merge appended batches into the curated tables (once)")
    merge.add_argument("--limit", type=int, metavar="N", help="merge at most N batches")
    merge.set_defaults(func=run_merge)
    status = sub.add_parser("status", help="batches appended, merged, failed, pending")
    status.set_defaults(func=run_status)
    snaps = sub.add_parser("snapshots", help="the lake's snapshots, newest first")
    snaps.add_argument("--limit", type=int, default=20, metavar="N")
    snaps.set_defaults(func=run_snapshots)
    migrate = sub.add_parser("migrate", help="create or upgrade the lake's schema, load seeds")
    migrate.set_defaults(func=run_migrate)
    deploy = sub.add_parser(
        "deploy", help="create the process work pool and the distributed run's deployments"
    )
    deploy.add_argument("--pool", default="newsetl-lake", metavar="NAME", help="work pool")
    deploy.set_defaults(func=run_deploy)
    ingest = sub.add_parser(
        "ingest", help="a distributed ingest: shards by host on the work pool, then the merge"
    )
    ingest.add_argument("sources", nargs="+", metavar="SOURCE")
    ingest.add_argument("--shards", type=int, default=2, metavar="N", help="at most N shards")
    ingest.add_argument("--run-id", metavar="ID", help="re-run this parent run (skips done shards)")
    ingest.add_argument("--no-merge", action="store_true", help="do not trigger the merge")
    ingest.set_defaults(func=run_distributed)


def _settings(args: argparse.Namespace) -> Settings:
    staging = getattr(args, "staging", None)
    return Settings.from_env(staging_dir=Path(staging) if staging else None)


def _print(summary: dict) -> None:
    print(json.dumps(summary, indent=2, default=str))


def run_append(args: argparse.Namespace) -> int:
    from newsetl.lake.staging import append_pending

    report = append_pending(_settings(args))
    _print(report.__dict__)
    return 1 if report.failed else 0


def run_merge(args: argparse.Namespace) -> int:
    from newsetl.lake.merge import merge_pending

    report = merge_pending(_settings(args), limit=args.limit)
    _print(
        {
            "merged": report.loaded,
            "failed": report.quarantined,
            "busy": report.busy,
            "counts": report.counts,
        }
    )
    return 1 if report.busy or report.quarantined else 0


def run_status(args: argparse.Namespace) -> int:
    from newsetl.lake.connect import open_lake
    from newsetl.lake.merge import pending
    from newsetl.lake.schema import STAGING

    con = open_lake(_settings(args), read_only=True)
    try:
        appended, versions = con.execute(
            f"SELECT count(DISTINCT batch_id), count(*) FROM {STAGING}.batches"
        ).fetchone()
        by_status = dict(
            con.execute(
                f"SELECT status, count(*) FROM {STAGING}.merged_batches GROUP BY status"
            ).fetchall()
        )
        _print(
            {
                "batches_appended": appended,
                "versions_appended": versions,
                "merged": by_status.get("merged", 0),
                "failed": by_status.get("failed", 0),
                "pending": len(pending(con)),
            }
        )
    finally:
        con.close()
    return 0


def run_snapshots(args: argparse.Namespace) -> int:
    from newsetl.lake.connect import open_lake
    from newsetl.lake.read import snapshots

    con = open_lake(_settings(args), read_only=True)
    try:
        for snap in snapshots(con)[: args.limit]:
            info = json.dumps(snap["info"]) if snap["info"] else ""
            print(
                f"{snap['snapshot']:>8}  {snap['time']:%Y-%m-%d %H:%M:%S}  {snap['commit'] or '':<12} {info}"
            )
    finally:
        con.close()
    return 0


def run_migrate(args: argparse.Namespace) -> int:
    from newsetl.lake.connect import open_lake
    from newsetl.lake.schema import migrate_lake

    settings = _settings(args)
    con = open_lake(settings)
    try:
        done = migrate_lake(con, extra_seed_dirs=settings.extra_seed_dirs)
    finally:
        con.close()
    print("\n".join(done) if done else "the lake's schema is up to date")
    return 0


def run_deploy(args: argparse.Namespace) -> int:
    from newsetl.lake.distributed import deploy

    print("\n".join(deploy(args.pool)))
    return 0


def run_distributed(args: argparse.Namespace) -> int:
    """The parent flow runs in this process; shards run on the pool's workers."""
    from newsetl.lake.distributed import MERGE_DEPLOYMENT, distributed_ingest_flow

    summary = distributed_ingest_flow(
        args.sources,
        shards=args.shards,
        parent_run_id=args.run_id,
        merge_deployment=None if args.no_merge else MERGE_DEPLOYMENT,
    )
    _print(summary)
    return 0
