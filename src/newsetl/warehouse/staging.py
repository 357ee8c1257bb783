"""Arrow schemas derived from the SQL, and staging: batches written to disk as Parquet,
all-or-nothing, before any load (a busy file never loses work)."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from newsetl.leftovers import LOCK_NAME, holding, remove_abandoned
from newsetl.warehouse.connect import READY_MARKER, migration_files

#: one log for the whole warehouse package (its name before the split)
log = logging.getLogger("newsetl.warehouse")


# --------------------------------------------------------------------------------------------
# Arrow schemas derived from the SQL
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _schema_connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    for file in migration_files():
        con.execute(file.read_text(encoding="utf-8"))
    return con


@functools.cache
def _migration_tables() -> frozenset[str]:
    rows = _schema_connection().cursor().execute("SELECT table_name FROM duckdb_tables()")
    return frozenset(name for (name,) in rows.fetchall())


@functools.cache
def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a warehouse table, read off the migrations (single source of truth)."""
    con = _schema_connection().cursor()
    return con.execute(f"SELECT * FROM {table} LIMIT 0").to_arrow_table().schema


def warm_arrow_schemas() -> None:
    """Compute every migration table's Arrow schema now, then close the in-memory DuckDB
    they were read from (the schemas stay cached: plain Arrow objects).

    Why: the first batch a process stages paid ~0.04 s of CPU for it; for the run's own
    process that is its run record, in the serial tail after the last page. A run calls this
    while the pool's fork server still warms up (benchmarks/README.md "Round 10 (spine10)").
    Not in the fork server's warm-up: there it would lengthen the serial start by what it
    saves each worker in the two-core-bound middle."""
    for table in _migration_tables():
        arrow_schema(table)
    con = _schema_connection()
    _schema_connection.cache_clear()  # a later call (none expected) opens another
    con.close()


def table_columns(table: str) -> list[str]:
    return list(arrow_schema(table).names)


def record_hash(row: dict[str, Any], exclude: tuple[str, ...] = ()) -> str:
    """Stable hash of a row's content, ignoring volatile columns (times, run ids)."""
    h = hashlib.sha256()
    for key in sorted(row):
        if key in exclude or key == "record_hash":
            continue
        h.update(key.encode())
        h.update(b"\x00")
        h.update(repr(row[key]).encode())
        h.update(b"\x01")
    return h.hexdigest()[:32]


def to_arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    """The rows as Arrow, typed by the table's migration. A table no migration of ours
    creates (a plug-in stage's own SQL) is staged with the types Arrow infers from the rows."""
    if table not in _migration_tables():
        return pa.Table.from_pylist(rows)
    schema = arrow_schema(table)
    unknown = {k for row in rows for k in row} - set(schema.names)
    if unknown:
        raise KeyError(f"columns not in warehouse table {table}: {sorted(unknown)}")
    return pa.Table.from_pylist(rows, schema=schema)


# --------------------------------------------------------------------------------------------
# Staging
# --------------------------------------------------------------------------------------------
@dataclass
class Batch:
    """Rows for several tables, produced by processing one batch of pages."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Named JSON-able payloads for loaders that are not plain tables (entity linking).
    extras: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.tables.setdefault(table, []).append(row)

    def extend(self, other: Batch) -> None:
        for table, rows in other.tables.items():
            self.tables.setdefault(table, []).extend(rows)
        for name, rows in other.extras.items():
            self.extras.setdefault(name, []).extend(rows)

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


#: Written last into a staged batch: its tables and extras with row counts and file sizes.
#: A directory is a batch only once it has one; load checks every file against it.
MANIFEST = "_MANIFEST.json"
MANIFEST_VERSION = 1


class BadBatch(ValueError):
    """A staged batch whose files do not match its manifest (or that has none): it is set
    aside with this reason, never loaded."""


def stage_batch(batch: Batch, staging_dir: Path, name: str | None = None) -> Path:
    """Write a batch to ``staging_dir/<time>-<id>/`` all-or-nothing; return its directory.

    Batches load in name order. A run that stages from several processes names its batches
    itself (run start, run id, batch number) so that they load in batch order, not in the
    order the processes happened to finish.

    All-or-nothing: the files go into a temporary directory of this writer's own (locked,
    see :mod:`newsetl.leftovers`), the manifest last (atomically, by rename), and the
    directory is renamed into place only then. A writer killed half-way leaves a temporary
    directory that the next writer removes; a disk that fills up fails this call and leaves
    nothing. A batch of the same name already staged (a batch analysed again after its worker
    died between staging and answering) is the same batch: it stays, this copy is dropped.
    """
    staging_dir.mkdir(parents=True, exist_ok=True)
    clean_staging_leftovers(staging_dir)
    name = name or f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    final = staging_dir / name
    tmp = staging_dir / f".{name}.{uuid.uuid4().hex[:8]}.tmp"
    tmp.mkdir()
    try:
        with holding(tmp / LOCK_NAME):
            manifest = _write_batch_files(batch, tmp)
            _write_atomically(tmp / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
            (tmp / LOCK_NAME).unlink()
            try:
                tmp.rename(final)
            except OSError:
                if not (final / MANIFEST).is_file():
                    raise
                log.info("batch %s was staged already; keeping that copy", name)
                shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # nothing half-written stays behind
        raise
    return final


def _write_batch_files(batch: Batch, directory: Path) -> dict[str, Any]:
    files: dict[str, dict[str, int]] = {}
    for table, rows in batch.tables.items():
        if rows:
            path = directory / f"{table}.parquet"
            pq.write_table(to_arrow(table, rows), path)
            files[path.name] = {"rows": len(rows), "bytes": path.stat().st_size}
    for extra, rows in batch.extras.items():
        if rows:
            path = directory / f"extra.{extra}.parquet"
            pq.write_table(pa.Table.from_pylist(rows), path)
            files[path.name] = {"rows": len(rows), "bytes": path.stat().st_size}
    return {"version": MANIFEST_VERSION, "files": files}


def _write_atomically(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all (a temporary file, flushed, renamed)."""
    tmp = path.with_name(f"{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def check_batch(batch_dir: Path) -> dict[str, Any]:
    """The batch's manifest, once every file is checked against it; raises :class:`BadBatch`.

    Checked: the manifest is there and readable; the Parquet files are exactly the ones it
    lists (none missing, none extra); each has the bytes and (by its footer) the rows it
    lists. Cheap: footers only, no data is read.
    """
    try:
        manifest = json.loads((batch_dir / MANIFEST).read_text(encoding="utf-8"))
        listed: dict[str, dict[str, int]] = manifest["files"]
    except FileNotFoundError:
        raise BadBatch("no manifest: the batch was never completely staged") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadBatch(f"unreadable manifest: {exc}") from exc
    present = {p.name for p in batch_dir.glob("*.parquet")}
    missing, extra = sorted(set(listed) - present), sorted(present - set(listed))
    if missing or extra:
        raise BadBatch(f"files do not match the manifest: missing {missing}, not listed {extra}")
    for file_name, expected in sorted(listed.items()):
        path = batch_dir / file_name
        size = path.stat().st_size
        if size != expected.get("bytes", size):
            raise BadBatch(f"{file_name}: {size} bytes, the manifest says {expected['bytes']}")
        try:
            rows = pq.read_metadata(path).num_rows
        except (OSError, pa.ArrowException) as exc:
            raise BadBatch(f"{file_name}: unreadable Parquet: {exc}") from exc
        if rows != expected.get("rows"):
            raise BadBatch(f"{file_name}: {rows} rows, the manifest says {expected.get('rows')}")
    return manifest


def pending_batches(staging_dir: Path) -> list[Path]:
    """Staged batches, oldest first: directories with a manifest (or the marker older
    versions wrote: such a batch is checked, and set aside, like any other)."""
    if not staging_dir.is_dir():
        return []
    return sorted(
        p
        for p in staging_dir.iterdir()
        if p.is_dir()
        and not p.name.startswith(".")
        and ((p / MANIFEST).exists() or (p / READY_MARKER).exists())
    )


def clean_staging_leftovers(staging_dir: Path) -> int:
    """Remove the temporary directories of staging writers that died (never a live one's)."""
    if not staging_dir.is_dir():
        return 0
    candidates = [
        p for p in staging_dir.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")
    ]
    return remove_abandoned(candidates) if candidates else 0


def prune_staging(staging_dir: Path, older_than_s: float = 86400.0) -> int:
    """Remove half-written staging directories (crashed writers): those whose writer is gone
    (see :func:`clean_staging_leftovers`), and any older than ``older_than_s``."""
    removed = clean_staging_leftovers(staging_dir)
    if not staging_dir.is_dir():
        return removed
    now = time.time()
    for p in staging_dir.iterdir():
        if (
            p.name.startswith(".")
            and p.name.endswith(".tmp")
            and now - p.stat().st_mtime > older_than_s
        ):
            shutil.rmtree(p, ignore_errors=True)
            removed += 1
    return removed
