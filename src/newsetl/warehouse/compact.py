"""Warehouse compaction: give the free blocks of the DuckDB file back to the disk.

Why: DuckDB reuses the blocks that deletes and rewrites free, but never shrinks its file, and
``VACUUM`` does not reclaim space (duckdb.org, "Reclaiming space"). newsetl's loads rewrite a
lot (upserts of ``pages``/``articles``, entity resolution and story clusters recomputed after
each load), so a long-lived warehouse ends up about half free blocks. The documented remedy is
a fresh copy: ``COPY FROM DATABASE old TO new``, which carries tables, constraints, views,
macros and comments.

How it stays safe:
- the copy is made while this process holds the file read-write (DuckDB's file lock), so no
  writer can change it meanwhile; a busy file is waited for (bounded) like any writer does;
- the copy goes to a temporary file next to the warehouse (same file system, so the final
  ``os.replace`` is atomic) and is checked table by table (row counts) before it replaces the
  original; any failure removes the temporary file and leaves the original untouched;
- the replace happens *before* the lock is released: a writer waiting for the file opens the
  new file, never the old one (on POSIX the old inode lives on until this connection closes);
- it is skipped when the free share is small (not worth rewriting the file) or the disk lacks
  room for a second copy.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from newsetl.settings import Settings
from newsetl.warehouse.connect import open_warehouse

log = logging.getLogger(__name__)

#: Compact only when at least this share of the file's blocks is free ...
MIN_FREE_SHARE = 0.25
#: ... and the free blocks add up to at least this many bytes.
MIN_FREE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Footprint:
    """The file's block accounting (``PRAGMA database_size``)."""

    file_bytes: int
    block_size: int
    total_blocks: int
    free_blocks: int

    @property
    def free_bytes(self) -> int:
        return self.free_blocks * self.block_size

    @property
    def free_share(self) -> float:
        return self.free_blocks / self.total_blocks if self.total_blocks else 0.0


def footprint(con: duckdb.DuckDBPyConnection, path: Path) -> Footprint:
    """Block accounting of the attached main database of ``con`` (stored at ``path``)."""
    row = con.execute(
        "SELECT block_size, total_blocks, free_blocks FROM pragma_database_size() "
        "WHERE database_name = current_database()"
    ).fetchone()
    assert row is not None
    return Footprint(path.stat().st_size, int(row[0]), int(row[1]), int(row[2]))


def compact_warehouse(
    settings: Settings,
    *,
    min_free_share: float = MIN_FREE_SHARE,
    min_free_bytes: int = MIN_FREE_BYTES,
) -> dict[str, Any]:
    """Rewrite the warehouse file without its free blocks when that is worth it.

    Returns a summary for the maintenance report: ``compacted`` (bool), ``reason`` when
    skipped, and the file size before and after.
    """
    if settings.warehouse_backend != "duckdb":
        return {"compacted": False, "reason": "not a DuckDB file (the lake compacts itself)"}
    path = Path(settings.db_path)
    if not path.exists():
        return {"compacted": False, "reason": "no warehouse file"}
    con = open_warehouse(settings)
    try:
        con.execute("CHECKPOINT")  # the WAL folded in: the file alone is the database
        before = footprint(con, path)
        summary: dict[str, Any] = {"file_bytes_before": before.file_bytes, **_shares(before)}
        if before.free_share < min_free_share or before.free_bytes < min_free_bytes:
            return {**summary, "compacted": False, "reason": "little free space"}
        needed = before.file_bytes - before.free_bytes
        if shutil.disk_usage(path.parent).free < needed * 1.1 + 64 * 1024 * 1024:
            return {**summary, "compacted": False, "reason": "not enough disk for a copy"}
        tmp = path.with_name(f".{path.name}.compact-{os.getpid()}.tmp")
        try:
            _copy_and_check(con, tmp)
            os.replace(tmp, path)  # under the lock: waiting writers open the new file
        finally:
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
                leftover.unlink(missing_ok=True)
    finally:
        con.close()
    after = path.stat().st_size
    log.info("warehouse compacted: %d -> %d bytes", before.file_bytes, after)
    return {**summary, "compacted": True, "file_bytes_after": after}


def _copy_and_check(con: duckdb.DuckDBPyConnection, tmp: Path) -> None:
    """``COPY FROM DATABASE`` into ``tmp``, then compare every table's row count."""
    tmp.unlink(missing_ok=True)
    source = con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
    target = "newsetl_compact_target"
    con.execute(f"ATTACH '{_sql_path(tmp)}' AS {target}")
    try:
        con.execute(f'COPY FROM DATABASE "{source}" TO {target}')
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
                "AND schema_name = 'main'",
                [source],
            ).fetchall()
        ]
        for table in tables:
            old = con.execute(f'SELECT count(*) FROM "{source}".main."{table}"').fetchone()
            new = con.execute(f'SELECT count(*) FROM {target}.main."{table}"').fetchone()
            if old != new:
                raise RuntimeError(f"compaction copy of {table} has {new} rows, not {old}")
        con.execute(f"CHECKPOINT {target}")
    finally:
        con.execute(f"DETACH {target}")
    with open(tmp, "rb") as fh:  # the copy is on disk before it replaces the original
        os.fsync(fh.fileno())


def _shares(fp: Footprint) -> dict[str, Any]:
    return {"free_share_before": round(fp.free_share, 3), "free_bytes_before": fp.free_bytes}


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


__all__ = ["Footprint", "compact_warehouse", "footprint"]
