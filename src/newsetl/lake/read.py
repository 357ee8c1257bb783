"""Reading the lake: a pinned snapshot for ``query`` / ``export``, runs' snapshots, search.

Readers never block writers in a lake (a snapshot is an immutable list of Parquet files), so
there is no read copy as for the DuckDB file. What a reader needs instead is *one* snapshot
for everything it reads: each statement of an unpinned connection reads the lake's latest
snapshot, so an export of several tables could mix two merges. :func:`open_for_reading`
attaches the lake read-only at one snapshot (the latest merged state, a given snapshot, or
the snapshot of a run).

"The warehouse as of run X": every merge commit carries the run ids of the batches it merged
(its commit's ``extra_info``), so the snapshot of run X is the last merge commit that merged a
batch of X: every row of that run, and only what was merged before. Time travel reaches back
as far as snapshots are kept (``Settings.lake_snapshot_retention_days``; maintenance expires
older ones).

Search: the full-text index is a local DuckDB file, as for the DuckDB backend
(:mod:`newsetl.search`), built from one pinned snapshot of ``lake.articles``; it records which
merged state it was built from, so ``newsetl search`` rebuilds it only after a merge.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb

from newsetl.lake.connect import LAKE, LakeConfig, attach, current_snapshot
from newsetl.lake.schema import STAGING
from newsetl.search import (
    BUILT_FROM,
    SourceFingerprint,
    build_index_file,
    index_fingerprint,
)
from newsetl.settings import Settings


class SnapshotNotFound(LookupError):
    """No snapshot for the run asked (never merged, or expired by maintenance)."""


def snapshot_of_run(con: duckdb.DuckDBPyConnection, run_id: str, *, lake: str = LAKE) -> int:
    """The last merge snapshot that merged a batch of ``run_id``; for the parent run of a
    distributed ingest (newsetl.lake.distributed), the last merge of a batch of any of its
    shards (shard run ids are ``<parent>-<shard>``; run ids themselves are hex, no ``-``)."""
    row = con.execute(
        f"""
        SELECT max(snapshot_id) FROM ducklake_snapshots('{lake}')
        WHERE commit_message = 'merge'
          AND len(list_filter(json_extract_string(commit_extra_info, '$.run_ids[*]'),
                              lambda r: r = $1 OR starts_with(r, $1 || '-'))) > 0
        """,
        [run_id],
    ).fetchone()
    if row is None or row[0] is None:
        merged = con.execute(
            f"SELECT count(*) FROM {lake}.{STAGING}.merged_batches "
            "WHERE status = 'merged' "
            "AND len(list_filter(run_ids, lambda r: r = $1 OR starts_with(r, $1 || '-'))) > 0",
            [run_id],
        ).fetchone()[0]
        reason = (
            "its snapshots were expired by maintenance (lake_snapshot_retention_days)"
            if merged
            else "no batch of it has been merged"
        )
        raise SnapshotNotFound(f"no snapshot for run {run_id}: {reason}")
    return int(row[0])


def snapshots(con: duckdb.DuckDBPyConnection, *, lake: str = LAKE) -> list[dict]:
    """The lake's snapshots, newest first, with what each commit was (append / merge / ...)."""
    rows = con.execute(
        f"SELECT snapshot_id, snapshot_time, commit_message, commit_extra_info "
        f"FROM ducklake_snapshots('{lake}') ORDER BY snapshot_id DESC"
    ).fetchall()
    return [
        {
            "snapshot": r[0],
            "time": r[1],
            "commit": r[2],
            "info": json.loads(r[3]) if r[3] else None,
        }
        for r in rows
    ]


def resolve_snapshot(
    settings: Settings, *, snapshot: int | None = None, run_id: str | None = None
) -> int:
    """The snapshot to read: ``snapshot`` as given, the snapshot of ``run_id``, or the latest."""
    if snapshot is not None:
        return int(snapshot)
    con = duckdb.connect(":memory:")
    try:
        attach(con, LakeConfig.from_settings(settings), read_only=True)
        return snapshot_of_run(con, run_id) if run_id else current_snapshot(con)
    finally:
        con.close()


def open_for_reading(
    settings: Settings, *, snapshot: int | None = None, run_id: str | None = None
) -> tuple[duckdb.DuckDBPyConnection, int]:
    """A read-only connection with the lake attached at one snapshot and in use; returns it
    and the snapshot id. Unqualified names (``articles``, the views) read that snapshot."""
    version = resolve_snapshot(settings, snapshot=snapshot, run_id=run_id)
    con = duckdb.connect(":memory:")
    try:
        attach(con, LakeConfig.from_settings(settings), snapshot=version)
        con.execute(f"USE {LAKE}")
    except BaseException:
        con.close()
        raise
    return con, version


# --------------------------------------------------------------------------------------------
# Search index
# --------------------------------------------------------------------------------------------
def merged_fingerprint(con: duckdb.DuckDBPyConnection, *, lake: str = LAKE) -> SourceFingerprint:
    """What the articles of this snapshot are, cheaply: the articles and the merges that wrote
    them (only the merge step writes ``articles``). Reads the merge ledger, not the texts."""
    articles = con.execute(f"SELECT count(*) FROM {lake}.main.articles").fetchone()[0]
    merges, last = con.execute(
        f"SELECT count(*), max(merged_at) FROM {lake}.{STAGING}.merged_batches "
        "WHERE status = 'merged'"
    ).fetchone()
    return SourceFingerprint(articles=int(articles), digest=f"lake:{merges}:{last}")


def build_search_file(settings: Settings, target: Path, snapshot: int) -> dict[str, int]:
    """Build the per-language full-text index of the lake's articles at ``snapshot`` into a new
    file and swap it onto ``target`` atomically; returns documents per index."""

    def attach_lake(con: duckdb.DuckDBPyConnection) -> str:
        attach(con, LakeConfig.from_settings(settings), snapshot=snapshot)
        return f"{LAKE}.main.articles"

    def record_fingerprint(con: duckdb.DuckDBPyConnection) -> None:
        fingerprint = merged_fingerprint(con)
        con.execute(
            f"UPDATE {BUILT_FROM} SET articles = ?, digest = ?",
            [fingerprint.articles, fingerprint.digest],
        )

    return build_index_file(target, attach_lake, record_fingerprint)


def ensure_search_index(
    settings: Settings,
    *,
    on_rebuild: Callable[[SourceFingerprint, int], None] | None = None,
) -> bool:
    """Rebuild ``settings.search_index`` from the lake's latest snapshot when it was built from
    other merges (or is missing); True if it rebuilt."""
    con, version = open_for_reading(settings)
    try:
        current = merged_fingerprint(con)
    finally:
        con.close()
    if index_fingerprint(settings.search_index) == current:
        return False
    if on_rebuild is not None:
        on_rebuild(current, version)
    build_search_file(settings, settings.search_index, version)
    return True
