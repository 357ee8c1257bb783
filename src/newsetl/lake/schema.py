"""The lake's schema, derived from ``warehouse/migrations/*.sql`` (the single source of truth).

DuckLake (1.0, extension 1.5.5) has no PRIMARY KEY, UNIQUE or index, so the migration files
cannot run on it as they are. Rather than keeping a second copy of the schema, the migrations
run on an in-memory DuckDB, and the lake's DDL is read off that catalog: every table with its
columns, types, NOT NULL and defaults (all of which DuckLake supports), the views in the order
they were created, and the keys (PRIMARY KEY / UNIQUE), which the lake cannot enforce and which
the merge step enforces instead (:mod:`newsetl.lake.merge`).

Migrating a lake converges it on that target: missing tables are created, missing columns
added, views (re)created, and the migration files recorded in ``schema_version`` as the DuckDB
file records them. A target that changed an existing column's type is refused with a clear
error (DuckLake cannot rewrite it in place; that needs a migration written for the lake). A
migration that moves data has a step written for the lake (:data:`LAKE_DATA_STEPS`). A
fingerprint of the whole target is stored with the lake, so a process whose schema is already
there does one query, not a round of DDL (many workers attach at once).

Staging (``staging.*``): for each table a batch may carry (``WRITE_DISPOSITIONS``) an
append-only table with the same columns, no constraints, plus the batch id and the batch's
content hash; ``staging.batches`` lists complete appended batches, ``staging.extras`` holds
non-table payloads (entity documents) as the Parquet bytes the worker staged, and
``staging.merged_batches`` / ``staging.merge_fence`` are the merge step's ledger and lock.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from newsetl.lake.connect import is_conflict, rollback
from newsetl.stages import WRITE_DISPOSITIONS
from newsetl.warehouse import migrate, migration_files, seed_files

log = logging.getLogger(__name__)

STAGING = "staging"
#: Columns every staging table has in front of the warehouse table's own columns.
BATCH_COLUMNS = (("_batch_id", "VARCHAR NOT NULL"), ("_batch_hash", "VARCHAR NOT NULL"))

#: The lake's own bookkeeping (DDL written here because it is not warehouse data: it exists
#: only in a lake). ``staging.batches``: one row per appended batch version, written in the
#: same commit as its rows, so a listed batch is always complete.
BOOKKEEPING = {
    "batches": """(
        batch_id    VARCHAR NOT NULL,   -- the staging directory's name: run start, run, number
        batch_hash  VARCHAR NOT NULL,   -- sha256 of the staged files: the same batch twice is one
        staged_at   TIMESTAMPTZ,
        worker      VARCHAR,            -- host:pid that appended it
        tables      VARCHAR[],
        extras      VARCHAR[],
        rows        BIGINT,
        run_ids     VARCHAR[]
    )""",
    "extras": """(
        _batch_id   VARCHAR NOT NULL,
        _batch_hash VARCHAR NOT NULL,
        extra       VARCHAR NOT NULL,   -- a name in newsetl.warehouse.EXTRA_LOADERS
        parquet     BLOB NOT NULL       -- the staged file as written by stage_batch
    )""",
    "merged_batches": """(
        batch_id    VARCHAR NOT NULL,
        batch_hash  VARCHAR NOT NULL,
        status      VARCHAR NOT NULL,   -- merged | failed (left for a person; see docs)
        merged_at   TIMESTAMPTZ,
        run_ids     VARCHAR[],
        counts      JSON,
        error       VARCHAR
    )""",
    # One row, updated by every merge commit: two merge steps that overlap conflict on it, so
    # DuckLake lets only one of them commit (measured: docs/scale-out.md).
    "merge_fence": """(
        merges      BIGINT,
        last_batch  VARCHAR,
        updated_at  TIMESTAMPTZ
    )""",
    "lake_schema": """(
        fingerprint VARCHAR,
        migrated_at TIMESTAMPTZ
    )""",
    # Whole-warehouse steps (AFTER_LOAD: story clusters) owed since a merge that brought their
    # extras without running them (after_load=False): written in the merge's own commit and
    # deleted in the step's, so a later merge runs them even when it has nothing to merge.
    "after_load_due": """(
        extra       VARCHAR NOT NULL
    )""",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool
    default: str | None

    def ddl(self, *, constraints: bool = True) -> str:
        text = f"{_ident(self.name)} {self.type}"
        if constraints and self.not_null:
            text += " NOT NULL"
        if constraints and self.default is not None:
            text += f" DEFAULT {self.default}"
        return text


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    #: PRIMARY KEY columns (or the first UNIQUE set) of the migration; () for none
    key: tuple[str, ...]

    def create_sql(self, qualified: str, *, staging: bool = False) -> str:
        cols = [f"{name} {sql}" for name, sql in BATCH_COLUMNS] if staging else []
        cols += [c.ddl(constraints=not staging) for c in self.columns]
        return f"CREATE TABLE IF NOT EXISTS {qualified} (\n    " + ",\n    ".join(cols) + "\n)"


@dataclass(frozen=True)
class View:
    name: str
    sql: str  # CREATE OR REPLACE VIEW ...


@dataclass(frozen=True)
class TargetSchema:
    tables: dict[str, Table]
    views: tuple[View, ...]
    migrations: tuple[tuple[int, str, str], ...]  # (version, file name, sha256)

    @property
    def fingerprint(self) -> str:
        h = hashlib.sha256()
        for table in self.tables.values():
            h.update(table.create_sql(table.name).encode())
        for view in self.views:
            h.update(view.sql.encode())
        for version, name, checksum in self.migrations:
            h.update(f"{version}{name}{checksum}".encode())
        h.update(json.dumps(BOOKKEEPING, sort_keys=True).encode())
        h.update(",".join(sorted(WRITE_DISPOSITIONS)).encode())
        h.update(",".join(LAKE_DATA_STEPS).encode())
        return h.hexdigest()[:32]


def _ident(name: str) -> str:
    return name if name.isidentifier() and name.islower() else '"' + name.replace('"', '""') + '"'


@functools.cache
def target_schema() -> TargetSchema:
    """Migrate an in-memory DuckDB exactly as a warehouse file is migrated
    (:func:`newsetl.warehouse.migrate`: migrations, ``schema_version``, views, ``seed_files``)
    and read the schema off its catalog."""
    con = duckdb.connect(":memory:")
    try:
        migrate(con)
        migrations = tuple(
            (
                int(file.name.split("_", 1)[0]),
                file.name,
                hashlib.sha256(file.read_text(encoding="utf-8").encode()).hexdigest(),
            )
            for file in migration_files()
        )
        return TargetSchema(tables=_tables(con), views=_views(con), migrations=migrations)
    finally:
        con.close()


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, Table]:
    keys: dict[str, tuple[str, ...]] = {}
    for table, columns in con.execute(
        "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
        "WHERE schema_name = 'main' AND constraint_type IN ('PRIMARY KEY', 'UNIQUE') "
        "ORDER BY table_name, constraint_type = 'UNIQUE', constraint_index"
    ).fetchall():
        keys.setdefault(table, tuple(columns))
    columns: dict[str, list[Column]] = {}
    for table, name, dtype, nullable, default in con.execute(
        "SELECT table_name, column_name, data_type, is_nullable, column_default "
        "FROM duckdb_columns() WHERE schema_name = 'main' AND NOT internal "
        "AND table_name IN (SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main') "
        "ORDER BY table_oid, column_index"
    ).fetchall():
        columns.setdefault(table, []).append(
            Column(name=name, type=dtype, not_null=not nullable, default=default)
        )
    return {
        name: Table(name=name, columns=tuple(cols), key=keys.get(name, ()))
        for name, cols in columns.items()
    }


def _views(con: duckdb.DuckDBPyConnection) -> tuple[View, ...]:
    """Every view (of the migrations and of ``views/*.sql``) as DuckDB renders it, in creation
    order (a view may read an earlier one)."""
    out = []
    for name, sql in con.execute(
        "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' "
        "ORDER BY view_oid"
    ).fetchall():
        text = sql.strip().rstrip(";")
        if text.upper().startswith("CREATE VIEW"):
            text = "CREATE OR REPLACE VIEW" + text[len("CREATE VIEW") :]
        out.append(View(name=name, sql=text))
    return tuple(out)


def table_keys() -> dict[str, tuple[str, ...]]:
    """table -> key columns, as the migrations declare them (what the lake cannot enforce)."""
    return {name: table.key for name, table in target_schema().tables.items()}


def staged_tables() -> list[str]:
    """The tables a staged batch may carry (those with a write disposition)."""
    tables = target_schema().tables
    missing = sorted(set(WRITE_DISPOSITIONS) - set(tables))
    if missing:
        raise KeyError(f"write dispositions for tables no migration creates: {missing}")
    return sorted(WRITE_DISPOSITIONS)


# --------------------------------------------------------------------------------------------
# Migrating a lake
# --------------------------------------------------------------------------------------------
class LakeSchemaError(RuntimeError):
    """The lake's schema cannot be brought to the migrations' by adding (a changed type)."""


def _existing_columns(con: duckdb.DuckDBPyConnection, lake: str) -> dict[tuple[str, str], dict]:
    rows = con.execute(
        "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = ? ORDER BY column_index",
        [lake],
    ).fetchall()
    out: dict[tuple[str, str], dict] = {}
    for schema, table, column, dtype in rows:
        out.setdefault((schema, table), {})[column] = dtype
    return out


def _stored_fingerprint(con: duckdb.DuckDBPyConnection, lake: str) -> str | None:
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
        "AND table_name = 'lake_schema'",
        [lake, STAGING],
    ).fetchone()[0]
    if not exists:
        return None
    row = con.execute(
        f"SELECT fingerprint FROM {lake}.{STAGING}.lake_schema ORDER BY migrated_at DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def migrate_lake(
    con: duckdb.DuckDBPyConnection,
    *,
    lake: str = "lake",
    seeds: bool = True,
    extra_seed_dirs: tuple[Path, ...] = (),
    attempts: int = 5,
) -> list[str]:
    """Bring the attached lake ``lake`` to the migrations' schema; returns what was done.

    Safe to call from many processes at once: when the stored fingerprint matches, nothing is
    written; otherwise the DDL runs in one transaction, and a process that loses the race to
    another migrating one re-checks and finds the work done. ``seeds`` loads the seed CSVs
    (only the merge step should: it is the one writer of the curated tables).
    """
    schema = target_schema()
    done: list[str] = []
    for attempt in range(attempts):
        if _stored_fingerprint(con, lake) == schema.fingerprint:
            break
        try:
            con.execute("BEGIN TRANSACTION")
            done = _converge(con, lake, schema)
            con.execute("COMMIT")
            break
        except BaseException as exc:
            rollback(con)
            if not is_conflict(exc) or attempt == attempts - 1:
                raise
            log.info("lake migration raced another process; checking again")
    if seeds:
        n = load_lake_seeds(con, lake=lake, extra_dirs=extra_seed_dirs)
        if n:
            done.append(f"seeds: {n} file(s)")
    return done


def _converge(con: duckdb.DuckDBPyConnection, lake: str, schema: TargetSchema) -> list[str]:
    done: list[str] = []
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {lake}.{STAGING}")
    existing = _existing_columns(con, lake)
    wanted: list[tuple[str, Table, bool]] = [
        ("main", table, False) for table in schema.tables.values()
    ]
    wanted += [(STAGING, schema.tables[name], True) for name in staged_tables()]
    for schema_name, table, staging in wanted:
        qualified = f"{lake}.{schema_name}.{table.name}"
        have = existing.get((schema_name, table.name))
        if have is None:
            con.execute(table.create_sql(qualified, staging=staging))
            done.append(f"create {schema_name}.{table.name}")
            continue
        for column in table.columns:
            if column.name not in have:
                con.execute(
                    f"ALTER TABLE {qualified} ADD COLUMN {column.ddl(constraints=not staging)}"
                )
                done.append(f"add {schema_name}.{table.name}.{column.name}")
            elif have[column.name] != column.type:
                raise LakeSchemaError(
                    f"{schema_name}.{table.name}.{column.name} is {have[column.name]} in the "
                    f"lake but {column.type} in the migrations: write a lake migration for it"
                )
    for name, ddl in BOOKKEEPING.items():
        if (STAGING, name) not in existing:
            con.execute(f"CREATE TABLE IF NOT EXISTS {lake}.{STAGING}.{name} {ddl}")
            done.append(f"create {STAGING}.{name}")
    if (STAGING, "merge_fence") not in existing:
        con.execute(f"INSERT INTO {lake}.{STAGING}.merge_fence VALUES (0, NULL, NULL)")
    done += _move_old_bodies(con, lake, existing, schema)
    con.execute(f"USE {lake}")
    for view in schema.views:
        con.execute(view.sql)
    recorded = {
        r[0] for r in con.execute(f"SELECT version FROM {lake}.main.schema_version").fetchall()
    } if ("main", "schema_version") in existing else set()  # fmt: skip
    now = datetime.now(UTC)
    for version, name, checksum in schema.migrations:
        if version not in recorded:
            con.execute(
                f"INSERT INTO {lake}.main.schema_version VALUES (?, ?, ?, ?)",
                [version, name, checksum, now],
            )
            done.append(name)
    con.execute(
        f"INSERT INTO {lake}.{STAGING}.lake_schema VALUES (?, ?)", [schema.fingerprint, now]
    )
    return done


#: The data steps of migrations that the lake cannot take by adding (:func:`_converge` runs
#: them). Part of the fingerprint: a lake converged by a release without a step converges again
#: once, and the step finds what is left to do.
LAKE_DATA_STEPS = ("011_page_bodies.sql: bodies out of pages.raw_gzip",)


def _move_old_bodies(
    con: duckdb.DuckDBPyConnection,
    lake: str,
    existing: dict[tuple[str, str], dict],
    schema: TargetSchema,
) -> list[str]:
    """Migration 011 on a lake made before it: the bodies in ``pages.raw_gzip`` go to
    ``page_bodies`` and the column is dropped, as ``011_page_bodies.sql`` does in a DuckDB file.

    Why here: converging only adds, so a lake made before 011 kept its bodies in a column
    nothing reads any more (``newsetl.sources`` reads ``page_bodies``), and a reprocess of
    its pages found them without a body. A body already in ``page_bodies`` under the page's
    hash is kept; one under another hash is not the page's (a body is its page's while its
    hash is the page's ``raw_sha256``) and gives way to the page's own. Staged batches of an
    older release still carry the column in ``staging.pages``: the merge moves their bodies
    (:func:`newsetl.lake.merge.merge_batch`). The fence row is written in the same commit, so
    a merge step running meanwhile conflicts and one of the two rolls back whole."""
    pages = existing.get(("main", "pages"), {})
    wanted = {c.name for c in schema.tables["pages"].columns}
    if "raw_gzip" not in pages or "raw_gzip" in wanted:
        return []
    bodies = f"{lake}.main.page_bodies"
    con.execute(
        f"UPDATE {lake}.{STAGING}.merge_fence SET merges = merges + 1, "
        "last_batch = 'migration:011', updated_at = ?",
        [datetime.now(UTC)],
    )
    con.execute(
        f"DELETE FROM {bodies} b WHERE EXISTS (SELECT 1 FROM {lake}.main.pages p "
        "WHERE p.url = b.url AND p.raw_gzip IS NOT NULL "
        "AND b.record_hash IS DISTINCT FROM p.raw_sha256)"
    )
    moved = con.execute(
        f"INSERT INTO {bodies} (url, raw_gzip, fetched_at, record_hash) "
        f"SELECT url, raw_gzip, fetched_at, raw_sha256 FROM {lake}.main.pages p "
        f"WHERE raw_gzip IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {bodies} b WHERE b.url = p.url)"
        " QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC NULLS LAST) = 1"
    ).fetchone()
    con.execute(f"ALTER TABLE {lake}.main.pages DROP COLUMN raw_gzip")
    return [f"move {int(moved[0]) if moved else 0} bodies from main.pages.raw_gzip to page_bodies"]


def load_lake_seeds(
    con: duckdb.DuckDBPyConnection, *, lake: str = "lake", extra_dirs: tuple[Path, ...] = ()
) -> int:
    """The seed CSVs, written as the DuckDB file's ``INSERT OR REPLACE`` writes them: rows
    with a seed row's key are replaced by it. Unchanged files (by checksum) are skipped."""
    from newsetl.lake.keyed import replace_by_key

    keys = table_keys()
    tables = target_schema().tables
    loaded = 0
    for file in seed_files(extra_dirs):
        table = file.name.split(".", 1)[0]
        if table not in tables:
            log.warning("seed %s names no table; skipped", file)
            continue
        checksum = hashlib.sha256(file.read_bytes()).hexdigest()
        name = _seed_name(file)
        row = con.execute(
            f"SELECT checksum FROM {lake}.main.seed_files WHERE path = ?", [name]
        ).fetchone()
        if row and row[0] == checksum:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _seed AS "
                "SELECT * FROM read_csv(?, header = true, all_varchar = true)",
                [str(file)],
            )
            replace_by_key(con, f"{lake}.main.{table}", "_seed", keys[table])
            con.execute(f"DELETE FROM {lake}.main.seed_files WHERE path = ?", [name])
            con.execute(
                f"INSERT INTO {lake}.main.seed_files VALUES (?, ?, ?)",
                [name, checksum, datetime.now(UTC)],
            )
            con.execute("DROP TABLE _seed")
            con.execute("COMMIT")
        except BaseException:
            rollback(con)
            raise
        loaded += 1
    return loaded


def _seed_name(file: Path) -> str:
    """Seeds bundled with newsetl are recorded by name (every machine of a lake has its own
    checkout path); a user's seed directories by full path, as the DuckDB file does."""
    from newsetl.warehouse import sql_root

    bundled = sql_root() / "seeds"
    return f"seeds/{file.name}" if file.parent == bundled else str(file)
