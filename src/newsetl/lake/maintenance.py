"""Maintenance of the lake: what keeps a lake written by many small commits fast and small.

Every append and every merge commit writes its own small Parquet files (above DuckLake's
inlining limit of 10 rows) and a snapshot, and a merge that updates rows adds delete files.
DuckLake never deletes anything by itself. So, in this order (DuckLake's own ``CHECKPOINT``
order, plus our steps):

1. prune staging: rows of batches already merged are deleted from ``staging.*`` (the ledgers
   ``staging.batches`` / ``merged_batches`` stay: they are small and say what happened);
2. flush inlined rows to Parquet (``ducklake_flush_inlined_data``);
3. merge adjacent small files (``ducklake_merge_adjacent_files``) and rewrite files with many
   deleted rows (``ducklake_rewrite_data_files``);
4. expire snapshots older than ``Settings.lake_snapshot_retention_days``
   (``ducklake_expire_snapshots``: time travel ends there);
5. delete the files no snapshot needs any more once they have been unneeded for
   ``file_grace_s`` (``ducklake_cleanup_old_files``), and files no snapshot ever knew
   (``ducklake_delete_orphaned_files``: a worker killed mid-write);
6. rebuild the full-text index from the latest snapshot.

Pruning deletes from staging tables that workers may be appending to; DuckLake then fails the
delete (not the appends: measured in docs/scale-out.md), so it is retried and, if workers keep
winning, left for the next maintenance. Steps 2-5 rewrite files and are safe beside appends
and reads; run maintenance as a singleton (like the merge), e.g. nightly.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from newsetl.lake.connect import LAKE, is_conflict, open_lake, rollback
from newsetl.lake.read import ensure_search_index
from newsetl.lake.schema import STAGING, migrate_lake, staged_tables
from newsetl.settings import Settings

log = logging.getLogger(__name__)


def prune_staging(con: duckdb.DuckDBPyConnection, *, attempts: int = 5) -> int | None:
    """Delete the staged rows of merged batches, in one commit; rows deleted, or None when
    appends kept winning (left for next time)."""
    merged = f"SELECT batch_id FROM {LAKE}.{STAGING}.merged_batches WHERE status = 'merged'"
    for attempt in range(attempts):
        con.execute("BEGIN TRANSACTION")
        try:
            deleted = 0
            for table in staged_tables():
                deleted += con.execute(
                    f"DELETE FROM {LAKE}.{STAGING}.{table} WHERE _batch_id IN ({merged})"
                ).fetchone()[0]
            deleted += con.execute(
                f"DELETE FROM {LAKE}.{STAGING}.extras WHERE _batch_id IN ({merged})"
            ).fetchone()[0]
            con.execute(
                f"CALL {LAKE}.set_commit_message('newsetl', 'prune-staging', extra_info => '{{}}')"
            )
            con.execute("COMMIT")
            return int(deleted)
        except duckdb.Error as exc:
            rollback(con)
            if not is_conflict(exc):
                raise
            log.info("staging prune lost to an append (attempt %d): %s", attempt + 1, exc)
            time.sleep(0.2 * 2**attempt)
    return None


def _call(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """Run a DuckLake maintenance CALL; the number of rows it reports (files, snapshots)."""
    return len(con.execute(sql).fetchall())


def file_count(con: duckdb.DuckDBPyConnection) -> int:
    """Data files of the current snapshot, all tables (what compaction reduces)."""
    row = con.execute(f"SELECT sum(file_count) FROM ducklake_table_info('{LAKE}')").fetchone()
    return int(row[0] or 0)


def maintain_lake(
    settings: Settings,
    *,
    file_grace_s: float = 86400.0,
    search_index: bool = True,
) -> dict[str, Any]:
    """Run every maintenance step once; returns a summary (counts and seconds per step).

    Cut-offs are taken when each step runs: a file unneeded since the expiry a moment ago is
    deleted with ``file_grace_s=0``.
    """

    def before(**delta: float) -> str:
        return f"TIMESTAMPTZ '{(datetime.now(UTC) - timedelta(**delta)).isoformat()}'"

    retention = settings.lake_snapshot_retention_days
    summary: dict[str, Any] = {"backend": "ducklake"}
    con = open_lake(settings)
    try:
        migrate_lake(con, seeds=False)
        summary["data_files_before"] = file_count(con)
        steps = (
            ("staging_rows_pruned", lambda: prune_staging(con)),
            ("inlined_flushed", lambda: _call(con, f"CALL ducklake_flush_inlined_data('{LAKE}')")),
            ("files_merged", lambda: _call(con, f"CALL ducklake_merge_adjacent_files('{LAKE}')")),
            ("files_rewritten", lambda: _call(con, f"CALL ducklake_rewrite_data_files('{LAKE}')")),
            (
                "snapshots_expired",
                lambda: _call(
                    con,
                    f"CALL ducklake_expire_snapshots('{LAKE}', "
                    f"older_than => {before(days=retention)})",
                ),
            ),
            (
                "old_files_deleted",
                lambda: _call(
                    con,
                    f"CALL ducklake_cleanup_old_files('{LAKE}', "
                    f"older_than => {before(seconds=file_grace_s)})",
                ),
            ),
            (
                "orphaned_files_deleted",
                lambda: _call(
                    con,
                    f"CALL ducklake_delete_orphaned_files('{LAKE}', "
                    f"older_than => {before(seconds=file_grace_s)})",
                ),
            ),
        )
        seconds: dict[str, float] = {}
        for name, step in steps:
            started = time.perf_counter()
            summary[name] = step()
            seconds[name] = round(time.perf_counter() - started, 2)
        summary["data_files_after"] = file_count(con)
        summary["articles"] = int(con.execute("SELECT count(*) FROM articles").fetchone()[0])
        summary["snapshots"] = int(
            con.execute(f"SELECT count(*) FROM ducklake_snapshots('{LAKE}')").fetchone()[0]
        )
    finally:
        con.close()
    if search_index:
        started = time.perf_counter()
        summary["search_index_rebuilt"] = ensure_search_index(settings)
        summary["search_index"] = str(settings.search_index)
        seconds["search_index"] = round(time.perf_counter() - started, 2)
    summary["seconds"] = seconds
    summary["status"] = "completed"
    return summary
