"""Prefect flows of the lake: the singleton merge step and maintenance.

Deploy each with a concurrency limit of 1 (``prefect deployment ... --concurrency-limit 1``
or ``flow.serve(..., limit=1)``): the merge step's fence (:mod:`newsetl.lake.merge`) makes an
overlapping second merge harmless, and the limit makes it rare. Both read their settings from
the environment (``NEWSETL_WAREHOUSE_BACKEND=ducklake``, ``NEWSETL_LAKE_*``).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from newsetl.settings import Settings


@flow(name="newsetl-lake-merge", log_prints=True, validate_parameters=False)
def lake_merge_flow(limit: int | None = None) -> dict[str, Any]:
    """Merge the batches workers appended (at most ``limit``) into the curated tables."""
    from newsetl.lake.merge import merge_pending

    report = merge_pending(Settings.from_env(), limit=limit)
    summary = {
        "batches_merged": report.loaded,
        "batches_failed": len(report.quarantined),
        "busy": report.busy,
        **report.counts,
    }
    get_run_logger().info("lake merge: %s", summary)
    create_table_artifact(
        [{"metric": k, "value": str(v)} for k, v in summary.items()],
        key="lake-merge-summary",
        description="Lake merge summary",
    )
    if report.busy:
        raise RuntimeError(f"another merge step is running: {report.busy}")
    return summary


@flow(name="newsetl-lake-maintenance", log_prints=True, validate_parameters=False)
def lake_maintenance_flow() -> dict[str, Any]:
    """Prune merged staging rows, compact, expire snapshots, delete old files, rebuild search."""
    from newsetl.lake.maintenance import maintain_lake

    summary = maintain_lake(Settings.from_env())
    get_run_logger().info("lake maintenance: %s", summary)
    create_table_artifact(
        [{"metric": k, "value": str(v)} for k, v in summary.items()],
        key="lake-maintenance-summary",
        description="Lake maintenance summary",
    )
    return summary
