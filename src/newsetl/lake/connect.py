"""Attaching the lake: the DuckLake catalog (Postgres) and its data path (a directory or S3).

Why a module of its own: every process of a distributed run (workers appending, the one merge
step, analysts reading a snapshot, maintenance) attaches the same lake the same way, and the
extensions must come from the bundled wheels (``duckdb-extension-ducklake``, ``-postgres``,
``-httpfs``): nothing is ever downloaded, and DuckDB's automatic extension install is turned off
on these connections so that a missing wheel is a clear error instead of a network call.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

import duckdb

from newsetl.settings import Settings

log = logging.getLogger(__name__)

#: The name the lake is attached under on every connection (``lake.articles``); ``USE lake``
#: makes the warehouse's unqualified table names resolve to it.
LAKE = "lake"
#: Extension wheels -> the name DuckDB loads them by.
EXTENSIONS = {"ducklake": "ducklake", "postgres": "postgres_scanner", "httpfs": "httpfs"}
#: Commit retries inside DuckLake (concurrent appends from many workers): its default, 10,
#: is spent quickly by a dozen writers committing at once (duckdb/ducklake#233).
MAX_RETRY_COUNT = 100


class LakeNotConfigured(ValueError):
    """``warehouse_backend`` is ``ducklake`` but the catalog or data path is missing."""


@dataclass(frozen=True)
class LakeConfig:
    """What attaching needs, read from :class:`Settings` (``lake_*`` fields)."""

    catalog: str
    data_path: str
    s3_endpoint: str = ""
    s3_key_id: str = ""
    s3_secret: str = ""
    s3_region: str = "us-east-1"
    s3_use_ssl: bool = True
    s3_url_style: str = "path"
    inlining_row_limit: int = 10

    @classmethod
    def from_settings(cls, settings: Settings) -> LakeConfig:
        if not settings.lake_catalog:
            raise LakeNotConfigured(
                "the lake needs NEWSETL_LAKE_CATALOG (e.g. 'postgres:dbname=newsetl host=db') "
                "and NEWSETL_LAKE_DATA_PATH (a directory or s3://bucket/prefix/)"
            )
        return cls(
            catalog=settings.lake_catalog,
            data_path=settings.lake_data_path,
            s3_endpoint=settings.lake_s3_endpoint,
            s3_key_id=settings.lake_s3_key_id,
            s3_secret=settings.lake_s3_secret,
            s3_region=settings.lake_s3_region,
            s3_use_ssl=settings.lake_s3_use_ssl,
            s3_url_style=settings.lake_s3_url_style,
            inlining_row_limit=settings.lake_inlining_row_limit,
        )

    @property
    def attach_target(self) -> str:
        """``ducklake:<catalog>``: a Postgres DSN (``postgres:...``) or a catalog file."""
        return f"ducklake:{self.catalog}"

    @property
    def on_s3(self) -> bool:
        return self.data_path.startswith("s3://")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load_extensions(con: duckdb.DuckDBPyConnection) -> None:
    """Install (from the bundled wheels, only when not installed yet) and load the lake's
    extensions; then forbid automatic installs on this connection."""
    import duckdb_extensions

    installed = {
        name
        for name, is_installed in con.execute(
            "SELECT extension_name, installed FROM duckdb_extensions()"
        ).fetchall()
        if is_installed
    }
    for wheel, name in EXTENSIONS.items():
        if name not in installed:
            duckdb_extensions.import_extension(wheel, con=con)
        con.execute(f"LOAD {name}")
    con.execute("SET autoinstall_known_extensions = false")


def s3_secret_sql(config: LakeConfig) -> str | None:
    """The ``CREATE SECRET`` for an ``s3://`` data path (None for a local one)."""
    if not config.on_s3:
        return None
    bucket = config.data_path.split("/", 3)[2]
    parts = [
        "TYPE s3",
        f"REGION {_literal(config.s3_region)}",
        f"URL_STYLE {_literal(config.s3_url_style)}",
        f"USE_SSL {'true' if config.s3_use_ssl else 'false'}",
        f"SCOPE {_literal(f's3://{bucket}')}",
    ]
    if config.s3_endpoint:
        parts.append(f"ENDPOINT {_literal(config.s3_endpoint)}")
    if config.s3_key_id:
        parts.append(f"KEY_ID {_literal(config.s3_key_id)}")
        parts.append(f"SECRET {_literal(config.s3_secret)}")
    return f"CREATE OR REPLACE TEMPORARY SECRET newsetl_lake_s3 ({', '.join(parts)})"


def attach(
    con: duckdb.DuckDBPyConnection,
    config: LakeConfig,
    *,
    read_only: bool = False,
    snapshot: int | None = None,
    name: str = LAKE,
) -> None:
    """Attach the lake as ``name`` on ``con`` (extensions, S3 secret, retries).

    ``snapshot`` pins a read-only view of the lake as it was at that snapshot (time travel);
    every table and view of the attached lake then reads that version.
    """
    load_extensions(con)
    secret = s3_secret_sql(config)
    if secret:
        con.execute(secret)
    con.execute(f"SET ducklake_max_retry_count = {MAX_RETRY_COUNT}")
    options = []
    if config.data_path:
        options.append(f"DATA_PATH {_literal(config.data_path)}")
    if read_only or snapshot is not None:
        options.append("READ_ONLY")
    else:
        options.append(f"DATA_INLINING_ROW_LIMIT {max(0, int(config.inlining_row_limit))}")
    if snapshot is not None:
        options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
    clause = f" ({', '.join(options)})" if options else ""
    con.execute(f"ATTACH {_literal(config.attach_target)} AS {name}{clause}")


def open_lake(
    settings: Settings,
    *,
    read_only: bool = False,
    snapshot: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection with the lake attached and in use: the warehouse's
    SQL (unqualified table names) runs against the lake. The schema is not touched here
    (:func:`newsetl.lake.schema.migrate_lake` does that)."""
    config = LakeConfig.from_settings(settings)
    con = duckdb.connect(":memory:")
    try:
        attach(con, config, read_only=read_only, snapshot=snapshot)
        con.execute(f"USE {LAKE}")
    except BaseException:
        con.close()
        raise
    return con


def is_conflict(exc: BaseException) -> bool:
    """A DuckLake commit that lost a race with another transaction (retry or give way)."""
    text = str(exc)
    return isinstance(exc, duckdb.Error) and (
        "Transaction conflict" in text
        or "Failed to commit DuckLake transaction" in text
        or "exceeded the maximum retry count" in text.lower()
    )


def current_snapshot(con: duckdb.DuckDBPyConnection, name: str = LAKE) -> int:
    """The lake's latest committed snapshot id as this connection sees it."""
    return int(con.execute(f"SELECT id FROM {name}.current_snapshot()").fetchone()[0])


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction, if any: a COMMIT that failed (a DuckLake conflict) has
    already ended it, and a second error must not hide the first."""
    with contextlib.suppress(duckdb.TransactionException):
        con.execute("ROLLBACK")
