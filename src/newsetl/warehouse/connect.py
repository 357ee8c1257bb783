"""Where the SQL lives, connecting with bounded waiting for a busy file, migrations, views,
seeds and transactions."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import importlib
import importlib.util
import logging
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from newsetl.settings import REPO_ROOT, Settings

log = logging.getLogger("newsetl.warehouse")

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
    for candidate in (REPO_ROOT / "warehouse", Path(__file__).parent.parent / "_warehouse"):
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


#: Seconds a waiting mark (:func:`waiting_mark`) counts after it was last touched.
WAITING_FRESH_S = 60.0


def waiting_mark(path: str | Path) -> Path:
    """The file beside the warehouse that a process waiting for it touches (:func:`connect`):
    a run that keeps the file open between its loads lets go of it while the mark is fresh
    (:func:`someone_waits`, ``newsetl.run.steps.Loader``)."""
    return Path(f"{path}.waiting")


def someone_waits(path: str | Path) -> bool:
    """Whether another process announced, in the last ``WAITING_FRESH_S`` seconds, that it
    waits for the file."""
    try:
        return time.time() - waiting_mark(path).stat().st_mtime < WAITING_FRESH_S
    except OSError:
        return False


def connect(
    path: str | Path,
    *,
    read_only: bool = False,
    retries: int = 0,
    backoff_s: float = 0.5,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, waiting (bounded) while another process holds it; while it
    waits, its waiting mark says so (a holder that may let go then does)."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    delay = backoff_s
    announced = False
    for attempt in range(retries + 1):
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not is_lock_error(exc) or attempt == retries:
                if is_lock_error(exc):
                    raise WarehouseBusy(f"{path} is held by another process: {exc}") from exc
                raise
            log.info("warehouse %s busy, retrying in %.1fs", path, delay)
            with contextlib.suppress(OSError):  # best effort: the wait stays bounded anyway
                waiting_mark(path).touch()
                announced = True
            time.sleep(delay)
            delay = min(delay * 2, 10.0)
        else:
            if announced:
                with contextlib.suppress(OSError):
                    waiting_mark(path).unlink()
            return con
    raise AssertionError("unreachable")


@contextlib.contextmanager
def held_open(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """Keep the live file open in this process for a block of steps that each open and close
    it (yields the keeping connection, or None when the file is busy: the steps then wait
    for it on their own, as without this).

    Why: DuckDB shares one database per file within a process, so while this connection is
    open every other ``connect`` of the file here joins it (measured on the Zyte warehouse:
    0.3 ms instead of 16 ms per open, /tmp/s6/keeper.py in the speed6 report), and the
    steps' closes no longer checkpoint and sync the file each time: the keeper's close does,
    once. Only for a short block that runs from start to end (a run's closing steps): while
    it is open no other process can open the file (issue 11). It does not wait for a busy
    file (the steps' own waits would follow: twice the wait).
    """
    try:
        keeper = connect(settings.db_path)
    except (WarehouseBusy, duckdb.Error):  # busy or unwritable: each step waits on its own
        yield None
        return
    try:
        yield keeper
    finally:
        keeper.close()


def open_warehouse(
    settings: Settings, *, read_only: bool = False, migrate_schema: bool = True
) -> duckdb.DuckDBPyConnection:
    """Connect with the configured retries and bring the schema up to date (writers only).

    ``migrate_schema=False``: the caller's process migrated this file already (a run opens
    it several times: :attr:`newsetl.run.steps.RunContext.migrated`). Why skip it: a
    migration re-creates every view, so the connection's close checkpoints the file and
    syncs it to disk (measured on the Zyte warehouse: 40-60 ms of CPU and 150-450 ms of wall
    per open on a loaded machine, against 15-18 ms of CPU for a plain open), and a run opened
    it five times, three of them in its serial tail.
    """
    con = connect(
        settings.db_path,
        read_only=read_only,
        retries=settings.lock_retries,
        backoff_s=settings.lock_backoff_s,
    )
    if not read_only and migrate_schema:
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


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
