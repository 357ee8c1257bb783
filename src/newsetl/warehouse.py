"""The DuckDB warehouse: migrations, seeds, staging and idempotent loading.

Design, because DuckDB allows one read-write process per file and a reader blocks writers:

* Every stage before loading is pure and never touches the database. A processed batch is
  first *staged* on disk as Parquet (one file per table), so a busy or locked database file
  can never lose work: the batch stays staged and the next load picks it up.
* One writer loads staged batches, each in one short transaction, with bounded retries when
  another process holds the file.
* How each table is written is *declared* in :data:`WRITE_DISPOSITIONS` (merge on a key,
  append, replace an article's children) instead of hand-coded per table; rows whose
  ``record_hash`` is unchanged are not rewritten, so re-running the same sources leaves the
  same rows.
* ``warehouse/migrations/*.sql`` is the single source of truth for the schema; the Arrow
  schemas used for staging are derived from it.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import importlib
import importlib.util
import json
import logging
import os
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from newsetl.leftovers import LOCK_NAME, holding, remove_abandoned
from newsetl.settings import REPO_ROOT, Settings

log = logging.getLogger(__name__)

READY_MARKER = "_READY"


def _stop_duckdb_probing_for_pandas() -> None:
    """DuckDB's Python client tries ``import pandas`` for every bound parameter; without pandas
    installed, each try is a full, failing search of sys.path (measured: 5 of 10 s of an entity
    load). Recording pandas as absent makes each try fail at once. Only done when pandas is not
    installed, so nothing that could import it is affected."""
    if "pandas" not in sys.modules and importlib.util.find_spec("pandas") is None:
        sys.modules["pandas"] = None  # type: ignore[assignment]


_stop_duckdb_probing_for_pandas()


# --------------------------------------------------------------------------------------------
# Where the SQL lives
# --------------------------------------------------------------------------------------------
def sql_root() -> Path:
    """``warehouse/`` of the checkout, or the copy packaged inside the wheel."""
    for candidate in (REPO_ROOT / "warehouse", Path(__file__).parent / "_warehouse"):
        if (candidate / "migrations").is_dir():
            return candidate
    raise FileNotFoundError("warehouse SQL files not found (neither checkout nor package)")


def migration_files() -> list[Path]:
    return sorted((sql_root() / "migrations").glob("[0-9]*.sql"))


def view_files() -> list[Path]:
    return sorted((sql_root() / "views").glob("*.sql"))


def seed_files(extra_dirs: tuple[Path, ...] = ()) -> list[Path]:
    files = sorted((sql_root() / "seeds").glob("*.csv"))
    for directory in extra_dirs:
        files += sorted(Path(directory).glob("*.csv"))
    return files


# --------------------------------------------------------------------------------------------
# Connecting, with bounded waiting for a busy file
# --------------------------------------------------------------------------------------------
class WarehouseBusy(RuntimeError):
    """Another process holds the DuckDB file; the batch stays staged."""


class WarehouseUnavailable(WarehouseBusy):
    """The file cannot be written now (a full disk, an I/O error: see
    :func:`is_transient_error`). Handled as a busy file is: every batch stays staged."""


def is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, duckdb.IOException) and ("lock" in text or "conflicting" in text)


def connect(
    path: str | Path,
    *,
    read_only: bool = False,
    retries: int = 0,
    backoff_s: float = 0.5,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, waiting (bounded) while another process holds it."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    delay = backoff_s
    for attempt in range(retries + 1):
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not is_lock_error(exc) or attempt == retries:
                if is_lock_error(exc):
                    raise WarehouseBusy(f"{path} is held by another process: {exc}") from exc
                raise
            log.info("warehouse %s busy, retrying in %.1fs", path, delay)
            time.sleep(delay)
            delay = min(delay * 2, 10.0)
    raise AssertionError("unreachable")


def open_warehouse(settings: Settings, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Connect with the configured retries and bring the schema up to date (writers only)."""
    con = connect(
        settings.db_path,
        read_only=read_only,
        retries=settings.lock_retries,
        backoff_s=settings.lock_backoff_s,
    )
    if not read_only:
        try:
            migrate(con, extra_seed_dirs=settings.extra_seed_dirs)
        except duckdb.Error as exc:
            con.close()
            if is_transient_error(exc):
                raise WarehouseUnavailable(f"{settings.db_path} cannot be written: {exc}") from exc
            raise
    return con


# --------------------------------------------------------------------------------------------
# Migrations, views, seeds
# --------------------------------------------------------------------------------------------
def migrate(con: duckdb.DuckDBPyConnection, *, extra_seed_dirs: tuple[Path, ...] = ()) -> list[str]:
    """Apply pending numbered migrations, (re)create views, load changed seed files."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name VARCHAR, checksum VARCHAR, applied_at TIMESTAMPTZ)"
    )
    applied = {row[0] for row in con.execute("SELECT version FROM schema_version").fetchall()}
    done: list[str] = []
    for file in migration_files():
        version = int(file.name.split("_", 1)[0])
        if version in applied:
            continue
        sql = file.read_text(encoding="utf-8")
        with transaction(con):
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?, ?)",
                [version, file.name, _sha256(sql.encode()), datetime.now(UTC)],
            )
        done.append(file.name)
    for file in view_files():
        con.execute(file.read_text(encoding="utf-8"))
    load_seeds(con, extra_seed_dirs)
    return done


def load_seeds(con: duckdb.DuckDBPyConnection, extra_dirs: tuple[Path, ...] = ()) -> int:
    """Upsert ``seeds/<table>.csv`` (and user seed dirs) into ``<table>``; skip unchanged files.

    A seed file may be named ``<table>.csv`` or ``<table>.<anything>.csv`` so users can add
    their own rows in separate files.
    """
    con.execute(
        "CREATE TABLE IF NOT EXISTS seed_files ("
        " path VARCHAR PRIMARY KEY, checksum VARCHAR, loaded_at TIMESTAMPTZ)"
    )
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    loaded = 0
    for file in seed_files(extra_dirs):
        table = file.name.split(".", 1)[0]
        if table not in tables:
            log.warning("seed %s names no table; skipped", file)
            continue
        checksum = _sha256(file.read_bytes())
        row = con.execute("SELECT checksum FROM seed_files WHERE path = ?", [str(file)]).fetchone()
        if row and row[0] == checksum:
            continue
        with transaction(con):
            con.execute(
                f"INSERT OR REPLACE INTO {table} BY NAME "
                "SELECT * FROM read_csv(?, header = true, all_varchar = true)",
                [str(file)],
            )
            con.execute(
                "INSERT OR REPLACE INTO seed_files VALUES (?, ?, ?)",
                [str(file), checksum, datetime.now(UTC)],
            )
        loaded += 1
    return loaded


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# --------------------------------------------------------------------------------------------
# Declared write dispositions (dlt-style)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Merge:
    """Upsert on ``key``; rows whose ``record_hash`` is unchanged are left alone.

    ``keep`` columns are written on insert only (e.g. ``first_seen_at``).
    """

    key: tuple[str, ...]
    keep: tuple[str, ...] = ()
    latest_by: str | None = None  # de-duplicate the batch on the key, keeping the latest


@dataclass(frozen=True)
class Append:
    """Insert every row (logs). A key, if given, makes re-loading the same batch harmless."""

    key: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReplaceChildren:
    """Rows owned by a parent (an article's findings): replace them all for each parent."""

    parent_key: str
    parent_table: str = "articles"


WriteDisposition = Merge | Append | ReplaceChildren

#: How each table is written. Tables of later migrations register here too.
WRITE_DISPOSITIONS: dict[str, WriteDisposition] = {
    "runs": Merge(key=("run_id",)),
    "fetches": Append(key=("fetch_id",)),
    "pages": Merge(key=("url",), latest_by="fetched_at"),
    "articles": Merge(key=("article_id",), keep=("first_seen_at",), latest_by="fetched_at"),
    "artefacts": ReplaceChildren(parent_key="article_id"),
    "article_language_spans": ReplaceChildren(parent_key="article_id"),
    "translation_memory": Merge(key=("source_language", "target_language", "source_text")),
}

#: Tables load in this order (parents before children).
LOAD_ORDER = (
    "articles",
    "pages",
    "fetches",
    "artefacts",
    "article_language_spans",
    "translation_memory",
    "runs",
)


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
def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a warehouse table, read off the migrations (single source of truth)."""
    con = _schema_connection().cursor()
    return con.execute(f"SELECT * FROM {table} LIMIT 0").to_arrow_table().schema


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


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------
#: Loaders for ``Batch.extras`` payloads: name -> fn(con, rows) -> counts. Run inside the
#: batch's transaction, after the tables. Registered by the modules that own them.
EXTRA_LOADERS: dict[str, str] = {
    "entity_documents": "newsetl.pipeline:load_entity_documents",
}


#: Run once, in one transaction, after a load that loaded any of these staged extras:
#: derived tables that depend on the whole warehouse (story clusters span articles).
#: extra -> (function(con) -> count, name of the count in the load report)
AFTER_LOAD: dict[str, tuple[str, str]] = {
    "entity_documents": ("newsetl.entities:refresh_entity_layers", "story_clusters"),
}


def _import_path(target: str) -> Callable[..., Any]:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def _extra_loader(
    name: str,
) -> Callable[[duckdb.DuckDBPyConnection, list[dict[str, Any]]], dict[str, int]]:
    """Named by import path so that any process can load any staged batch."""
    target = EXTRA_LOADERS.get(name)
    if target is None:
        raise KeyError(f"no loader registered for staged extra {name!r}")
    return _import_path(target)


def load_batch(
    con: duckdb.DuckDBPyConnection, batch_dir: Path, *, near_duplicate_bits: int = 7
) -> dict[str, int]:
    """Load one staged batch in one transaction. Returns counts (new/updated/... per table)."""
    files = {p.stem: p for p in batch_dir.glob("*.parquet")}
    tables = _ordered_tables(files)
    counts: dict[str, int] = {}
    with transaction(con):
        for table in tables:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE staged_{table} AS SELECT * FROM read_parquet(?)",
                [str(files[table])],
            )
        duplicates: set[str] = set()
        if "articles" in tables:
            counts.update(_dedupe_articles(con, tables, near_duplicate_bits))
            duplicates = {
                r[0] for r in con.execute("SELECT duplicate_id FROM duplicate_map").fetchall()
            }
        for table in tables:
            counts.update(_write(con, table, WRITE_DISPOSITIONS[table], staged=tables))
        for table in tables:
            con.execute(f"DROP TABLE IF EXISTS staged_{table}")
        for name, path in sorted(files.items()):
            if not name.startswith("extra."):
                continue
            extra = name.removeprefix("extra.")
            loader = _extra_loader(extra)
            rows = [
                r for r in pq.read_table(path).to_pylist() if r.get("article_id") not in duplicates
            ]
            for key, value in loader(con, rows).items():
                counts[key] = counts.get(key, 0) + value
    return counts


def _ordered_tables(files: dict[str, Path]) -> list[str]:
    tables = [t for t in files if not t.startswith("extra.")]
    unknown = [t for t in tables if t not in WRITE_DISPOSITIONS]
    if unknown:
        raise KeyError(f"staged tables without a write disposition: {unknown}")
    order = {t: i for i, t in enumerate(LOAD_ORDER)}
    return sorted(tables, key=lambda t: (order.get(t, len(order)), t))


def _write(
    con, table: str, disposition: WriteDisposition, *, staged: Collection[str]
) -> dict[str, int]:
    """Write ``staged_<table>`` into ``table``; ``staged`` names every table of the batch."""
    relation = f"staged_{table}"
    if isinstance(disposition, Append):
        where = ""
        if disposition.key:
            cond = " AND ".join(f"t.{k} = s.{k}" for k in disposition.key)
            where = f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {cond})"
        n = con.execute(
            f"INSERT INTO {table} BY NAME SELECT * FROM {relation} s {where}"
        ).fetchone()
        return {f"{table}_appended": int(n[0]) if n else 0}
    if isinstance(disposition, ReplaceChildren):
        key = disposition.parent_key
        parents = f"SELECT {key} FROM {relation}"
        if disposition.parent_table in staged:
            # a re-processed parent with no children left must lose its old ones
            parents += f" UNION SELECT {key} FROM staged_{disposition.parent_table}"
        con.execute(f"DELETE FROM {table} WHERE {key} IN ({parents})")
        n = con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {relation}").fetchone()
        return {f"{table}_replaced": int(n[0]) if n else 0}
    # Merge. The relation API reads the column names from the catalog (no query to run).
    columns = con.table(relation).columns
    key_list = ", ".join(disposition.key)
    join = " AND ".join(f"t.{k} = s.{k}" for k in disposition.key)
    latest = (
        f"QUALIFY row_number() OVER (PARTITION BY {key_list} ORDER BY {disposition.latest_by} DESC NULLS LAST) = 1"
        if disposition.latest_by
        else f"QUALIFY row_number() OVER (PARTITION BY {key_list}) = 1"
    )
    has_hash = "record_hash" in columns
    # A batch whose keys are unique (the usual case) is its own merge source: copying it
    # into merge_src to keep the latest row per key would copy every row unchanged.
    source = relation
    new, updated, unchanged, repeated = _merge_status(con, source, table, disposition, has_hash)
    if repeated:
        con.execute(f"CREATE OR REPLACE TEMP TABLE merge_src AS SELECT * FROM {relation} {latest}")
        source = "merge_src"
        new, updated, unchanged, _ = _merge_status(con, source, table, disposition, has_hash)
    changed = (
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {join} AND t.record_hash IS NOT DISTINCT FROM s.record_hash)"
        if has_hash
        else ""
    )
    updates = [c for c in columns if c not in disposition.key and c not in disposition.keep]
    set_clause = ", ".join(f"{c} = excluded.{c}" for c in updates)
    conflict = (
        f"ON CONFLICT ({key_list}) DO UPDATE SET {set_clause}"
        if updates
        else f"ON CONFLICT ({key_list}) DO NOTHING"
    )
    if updated:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {source} s {changed} {conflict}")
    elif new:
        # No staged row has a key already stored with another hash, so nothing can conflict:
        # a plain insert writes the same rows without the ON CONFLICT machinery (measured
        # ~4x cheaper on 25-page batches), and when nothing is unchanged, nothing is filtered.
        where = changed if unchanged else ""
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {source} s {where}")
    if source == "merge_src":
        con.execute("DROP TABLE merge_src")
    return {f"{table}_new": new, f"{table}_updated": updated, f"{table}_unchanged": unchanged}


def _merge_status(
    con, source: str, table: str, disposition: Merge, has_hash: bool
) -> tuple[int, int, int, int]:
    """(new, updated, unchanged, repeated) for the rows of ``source`` against ``table``.

    ``repeated`` is how many rows share a key with an earlier row (a NULL single-column key
    counts too), i.e. whether the batch must first be reduced to the latest row per key.
    """
    key = disposition.key
    join = " AND ".join(f"t.{k} = s.{k}" for k in key)
    distinct = "(" + ", ".join(f"s.{k}" for k in key) + ")" if len(key) > 1 else f"s.{key[0]}"
    row = con.execute(
        f"""
        SELECT
          count(*) FILTER (WHERE t.{key[0]} IS NULL),
          count(*) FILTER (WHERE t.{key[0]} IS NOT NULL
                           {"AND t.record_hash IS DISTINCT FROM s.record_hash" if has_hash else ""}),
          count(*) FILTER (WHERE t.{key[0]} IS NOT NULL
                           {"AND t.record_hash IS NOT DISTINCT FROM s.record_hash" if has_hash else "AND false"}),
          count(*) - count(DISTINCT {distinct})
        FROM {source} s LEFT JOIN {table} t ON {join}
        """
    ).fetchone()
    new, updated, unchanged, repeated = (int(x) for x in row)
    return new, updated, unchanged, repeated


def _dedupe_articles(con, tables: list[str], bits: int) -> dict[str, int]:
    """Drop exact duplicates (same content hash as another article) and mark near-duplicates.

    The first article seen with a text wins; pages that led to a duplicate point to it. Near
    duplicates (SimHash within a few bits) are kept but point to the earlier article. Only the
    existing article, or within a batch the smaller id, is ever the reference, so marking is
    deterministic and re-running does not flip it.
    """
    relation = "staged_articles"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE duplicate_map AS
        SELECT s.article_id AS duplicate_id, min(o.article_id) AS original_id
        FROM {relation} s
        JOIN (
            SELECT article_id, content_hash, 0 AS fresh FROM articles
            UNION ALL SELECT article_id, content_hash, 1 FROM {relation}
        ) o ON o.content_hash = s.content_hash AND o.article_id <> s.article_id
           AND (o.fresh = 0 OR o.article_id < s.article_id)
        WHERE s.content_hash IS NOT NULL
          AND s.article_id NOT IN (SELECT article_id FROM articles)
        GROUP BY s.article_id
        """
    )
    dups = con.execute("SELECT count(*) FROM duplicate_map").fetchone()[0]
    # the page of a duplicate points to the original; the duplicate's own rows are dropped
    for table in tables:
        if table == "pages":
            con.execute(
                "UPDATE staged_pages SET article_id = m.original_id FROM duplicate_map m "
                "WHERE staged_pages.article_id = m.duplicate_id"
            )
        elif "article_id" in table_columns(table):
            con.execute(
                f"DELETE FROM staged_{table} WHERE article_id IN (SELECT duplicate_id FROM duplicate_map)"
            )
    # LSH by pigeonhole: if at most `bits` bits differ, one of `bits + 1` bands is identical
    width = 64 // (bits + 1)
    mask = (1 << width) - 1
    band = " OR ".join(
        f"((s.fingerprint >> {i * width}) & {mask}) = ((o.fingerprint >> {i * width}) & {mask})"
        for i in range(bits + 1)
    )
    con.execute(
        f"""
        UPDATE {relation} SET near_duplicate_of = m.original_id
        FROM (
            SELECT s.article_id, min(o.article_id) AS original_id
            FROM {relation} s
            JOIN (
                SELECT article_id, fingerprint, 0 AS fresh FROM articles
                WHERE article_id NOT IN (SELECT article_id FROM {relation})
                UNION ALL SELECT article_id, fingerprint, 1 FROM {relation}
            ) o ON o.article_id <> s.article_id AND ({band})
               AND bit_count(xor(s.fingerprint, o.fingerprint)) <= {bits}
               AND (o.fresh = 0 OR o.article_id < s.article_id)
            WHERE s.fingerprint IS NOT NULL AND o.fingerprint IS NOT NULL
            GROUP BY s.article_id
        ) m
        WHERE {relation}.article_id = m.article_id
        """
    )
    near = con.execute(
        f"SELECT count(*) FROM {relation} WHERE near_duplicate_of IS NOT NULL"
    ).fetchone()[0]
    return {"articles_duplicates": int(dups), "articles_near_duplicates": int(near)}


def load_pending(
    settings: Settings,
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    batches: list[Path] | None = None,
    after_load: bool = True,
) -> LoadReport:
    """Load every staged batch (or just ``batches``), oldest first. A busy file leaves them
    staged (no loss).

    ``after_load=False`` defers the whole-warehouse steps (:data:`AFTER_LOAD`) to a later
    :func:`run_after_load`: a run that loads each batch as soon as it is analysed runs them
    once, at the end, not once per batch.
    """
    report = LoadReport()
    batches = pending_batches(settings.staging_path) if batches is None else batches
    if not batches:
        return report
    own = con is None
    try:
        if own:
            con = open_warehouse(settings)
    except WarehouseBusy as exc:
        report.busy = str(exc)
        report.left_staged = len(batches)
        if isinstance(exc, WarehouseUnavailable):  # a full disk, not another process
            report.transient = str(exc)
            log.error("%s; every batch stays staged", exc)
        return report
    try:
        with _threads(con, LOAD_THREADS):
            _load_each(con, batches, settings, report)
        if after_load and not report.transient:
            run_after_load(con, report)
    finally:
        if own and con is not None:
            con.close()
    return report


#: DuckDB threads while loading staged batches. A batch is a few dozen rows, so every
#: statement is tiny and a second thread only adds scheduling: measured on the 181 Zyte pages
#: (8 batches of 25), one thread cut the CPU of the plain-table load by about a third. The
#: whole-warehouse AFTER_LOAD steps keep the connection's own setting.
LOAD_THREADS = 1


@contextlib.contextmanager
def _threads(con: duckdb.DuckDBPyConnection, threads: int) -> Iterator[None]:
    """Run the block with DuckDB's ``threads`` setting at ``threads``, then put it back
    (the setting is per database, and a caller's connection must not keep ours)."""
    previous = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    if previous == threads:
        yield
        return
    con.execute(f"SET threads = {int(threads)}")
    try:
        yield
    finally:
        # a connection a full disk invalidated refuses even this; it is closed next anyway
        with contextlib.suppress(duckdb.Error):
            con.execute(f"SET threads = {previous}")


def _load_each(
    con: duckdb.DuckDBPyConnection, batches: list[Path], settings: Settings, report: LoadReport
) -> None:
    """Load each batch in its own transaction.

    A batch that is itself bad (it does not match its manifest, or the database rejects its
    rows) is set aside with the reason and the rest go on. An error of the environment (a
    full disk, no memory, an I/O error: :func:`is_transient_error`) is not the batch's fault:
    it and every batch after it stay staged for the next load, and this load stops (the
    next batch would only fail the same way).
    """
    for position, batch_dir in enumerate(batches):
        if not batch_dir.is_dir():
            # Another writer (the maintenance flow, another run's final load) loaded it while
            # this one waited for the file: every loader deletes a batch under the file's
            # lock, which this one holds now, so a missing directory is a loaded batch.
            log.info("staged batch %s was loaded by another writer", batch_dir.name)
            continue
        try:
            check_batch(batch_dir)
        except BadBatch as exc:
            report.quarantined.append(str(quarantine(batch_dir, exc)))
            continue
        except OSError as exc:  # the directory went away (another loader) or cannot be read
            log.warning("staged batch %s not checked, left staged: %s", batch_dir, exc)
            report.left_staged += 1
            continue
        batch_extras = {p.stem.removeprefix("extra.") for p in batch_dir.glob("extra.*.parquet")}
        try:
            counts = load_batch(con, batch_dir, near_duplicate_bits=settings.near_duplicate_bits)
        except Exception as exc:
            if is_lock_error(exc):
                raise
            if is_transient_error(exc):
                left = len(batches) - position
                report.transient = f"{type(exc).__name__}: {exc}"
                report.left_staged += left
                log.error(
                    "load stopped by %s; %d staged batches stay for the next load",
                    report.transient,
                    left,
                )
                return
            # a batch that cannot load must not block the ones after it: set it aside
            report.quarantined.append(str(quarantine(batch_dir, exc)))
            continue
        shutil.rmtree(batch_dir, ignore_errors=True)
        report.extras |= batch_extras
        report.loaded += 1
        for key, value in counts.items():
            report.counts[key] = report.counts.get(key, 0) + value


#: errno values that say "not now", not "never": the disk, memory or the system, not the data.
TRANSIENT_ERRNOS = frozenset(
    getattr(errno, name)
    for name in (
        "ENOSPC", "EDQUOT", "EIO", "ENOMEM", "EAGAIN", "EINTR", "EMFILE", "ENFILE",
        "EROFS", "EBUSY", "ETIMEDOUT", "ESTALE",
    )
    if hasattr(errno, name)
)  # fmt: skip
#: The same conditions as DuckDB words them (its errors carry no errno).
TRANSIENT_MESSAGES = (
    "no space left on device",
    "disk quota exceeded",
    "out of memory",
    "could not allocate",
    "read-only file system",
    "input/output error",
    "too many open files",
    "database has been invalidated",
)


def is_transient_error(exc: BaseException) -> bool:
    """Whether a failed load says nothing about the batch: a full disk (ENOSPC), no memory,
    an I/O error. Such a batch stays staged; only a batch that is itself bad is set aside."""
    if isinstance(exc, MemoryError | duckdb.OutOfMemoryException):
        return True
    for error in (exc, exc.__cause__, exc.__context__):
        if isinstance(error, OSError) and error.errno in TRANSIENT_ERRNOS:
            return True
    if isinstance(exc, duckdb.Error):
        text = str(exc).lower()
        return any(message in text for message in TRANSIENT_MESSAGES)
    return False


def run_after_load(con: duckdb.DuckDBPyConnection, report: LoadReport) -> None:
    """The :data:`AFTER_LOAD` steps for the extras ``report`` loaded, each in a transaction."""
    for name in sorted(report.extras & AFTER_LOAD.keys()):
        target, count_name = AFTER_LOAD[name]
        with transaction(con):
            report.counts[count_name] = int(_import_path(target)(con) or 0)


@dataclass
class LoadReport:
    loaded: int = 0
    left_staged: int = 0
    busy: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    quarantined: list[str] = field(default_factory=list)
    #: why the load stopped early, leaving batches staged (a full disk, no memory)
    transient: str | None = None
    #: staged extras loaded (names in EXTRA_LOADERS): which AFTER_LOAD steps are due
    extras: set[str] = field(default_factory=set)


QUARANTINE_DIR = "failed"


def quarantine(batch_dir: Path, error: BaseException) -> Path:
    """Move a batch that failed to load to ``staging/failed/`` with the error beside it.

    Nothing is lost: fix the cause and move the directory back to load it again. A batch of
    the same name set aside before is kept too (this one gets a numbered name).
    """
    target_root = batch_dir.parent / QUARANTINE_DIR
    target_root.mkdir(exist_ok=True)
    target = target_root / batch_dir.name
    n = 1
    while target.exists():
        n += 1
        target = target_root / f"{batch_dir.name}.{n}"
    batch_dir.rename(target)
    reason = f"{type(error).__name__}: {error}\n"
    try:
        (target / "ERROR.txt").write_text(reason, encoding="utf-8")
    except OSError as exc:  # the reason is in the log and the run's report all the same
        log.warning("could not write %s/ERROR.txt: %s", target, exc)
    log.error("staged batch %s could not be loaded and was set aside: %s", target, error)
    return target


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
