"""Where the SQL lives, connecting with bounded waiting for a busy file, migrations, views,
seeds and transactions."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import importlib
import importlib.util
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

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
    waits, its waiting mark says so (a holder that may let go then does).

    Every connection of this process to the file is a cursor of one shared database
    (:func:`_join`), which attaches the file with bounded row groups; closing the last one
    closes the database (a checkpoint) and lets other processes open the file."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    delay = backoff_s
    announced = False
    for attempt in range(retries + 1):
        try:
            con = _join(path, read_only=read_only)
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


# --------------------------------------------------------------------------------------------
# One DuckDB database per warehouse file and process, the file attached with small row groups
# --------------------------------------------------------------------------------------------
#: Rows per row group of the warehouse's tables as this process appends to them (DuckDB's
#: default is 122,880). Why: every table has a primary key, and DuckDB appends to a keyed
#: table's last row group until it is full, rewriting that whole row group (every column,
#: the raw pages' blobs included) at each checkpoint: the bytes a checkpoint writes grew with
#: the table (``benchmarks/ops/checkpoint_growth.py``: 118 MB to append 25 rows at 4,000
#: rows) and the replaced copy stayed in the file as free blocks (half the file). With 2,048
#: (DuckDB's smallest: one vector) the rewrite is bounded by one such row group. Only an
#: ``ATTACH`` option, not remembered by the file: hence :func:`_join`. A file written before
#: (a last row group beyond 2,048 rows) gets a new row group at its next append.
ROW_GROUP_SIZE = 2048


class _Shared:
    """The database this process opened for one warehouse file and the cursors it lent."""

    def __init__(
        self, key: str, base: duckdb.DuckDBPyConnection, catalog: str, read_only: bool
    ) -> None:
        self.key = key
        self.base = base
        self.catalog = catalog
        self.read_only = read_only
        self.users = 0
        self.pid = os.getpid()


_shared: dict[str, _Shared] = {}
#: Reentrant: a connection the collector closes (``WarehouseConnection.__del__``) may release
#: its database in a thread that holds the lock already.
_shared_lock = threading.RLock()
#: Databases a forked child inherited from its parent: never used, never closed there (a
#: close would checkpoint the parent's file from the child), only kept from the collector.
_inherited: list[_Shared] = []


def _forget_shared_after_fork() -> None:
    _inherited.extend(_shared.values())
    _shared.clear()
    global _shared_lock
    _shared_lock = threading.RLock()  # a thread of the parent may have held it


os.register_at_fork(after_in_child=_forget_shared_after_fork)


def _join(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A connection to ``path`` that shares this process's database of the file, opening it
    (attached with ``ROW_GROUP_SIZE``) if no connection of this process has it open.

    Why one database: DuckDB lets a process attach a file once (a second database attaching
    it fails with "Unique file handle conflict"), so the run's reader, loader and closing
    steps must share it, as ``duckdb.connect`` shared its own per path. A read-only request
    joins a read-write database already open (it only reads); a read-write request while
    this process has the file open read-only fails, as ``duckdb.connect`` did."""
    key = os.path.abspath(path)
    with _shared_lock:
        shared = _shared.get(key)
        if shared is None:
            shared = _open_shared(key, path, read_only=read_only)
            _shared[key] = shared
        elif shared.read_only and not read_only:
            raise duckdb.ConnectionException(
                f"{path} is open read-only in this process; it cannot be written until closed"
            )
        shared.users += 1  # before the cursor: a close meanwhile must not close the database
    try:
        cursor = shared.base.cursor()
        try:
            cursor.execute(f"USE {_quote(shared.catalog)}")
        except BaseException:
            cursor.close()
            raise
    except BaseException:
        _release(shared)
        raise
    return cast(duckdb.DuckDBPyConnection, WarehouseConnection(cursor, shared, path))


def _open_shared(key: str, path: Path, *, read_only: bool) -> _Shared:
    # spill files where duckdb.connect(path) puts them (an in-memory database uses ./.tmp)
    base = duckdb.connect(":memory:", config={"temp_directory": f"{path}.tmp"})
    try:
        literal = key.replace("'", "''")
        options = "READ_ONLY" if read_only else f"ROW_GROUP_SIZE {ROW_GROUP_SIZE}"
        names = "SELECT database_name FROM duckdb_databases()"
        before = {r[0] for r in base.execute(names).fetchall()}
        try:  # named by DuckDB as duckdb.connect names it ...
            base.execute(f"ATTACH '{literal}' ({options})")
        except duckdb.BinderException as exc:  # ... unless that is the base's ("memory.duckdb")
            if "already exists" not in str(exc):
                raise
            base.execute(f"ATTACH '{literal}' AS newsetl_warehouse ({options})")
        added = {r[0] for r in base.execute(names).fetchall()} - before
        if len(added) != 1:
            raise duckdb.IOException(f"{path} was attached but is not listed once: {added}")
        (catalog,) = added
    except BaseException:
        base.close()
        raise
    return _Shared(key, base, str(catalog), read_only)


def _release(shared: _Shared) -> None:
    with _shared_lock:
        shared.users -= 1
        if shared.users <= 0 and _shared.get(shared.key) is shared:
            _close_shared(shared.key)


def _close_shared(key: str) -> None:
    """Close the database (DuckDB checkpoints the file): other processes may open it now."""
    shared = _shared.pop(key)
    shared.base.close()


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class WarehouseConnection:
    """A DuckDB connection (a cursor of this process's database of the file) that tells the
    database when it is closed, so that the last close closes the file. Everything else is
    the cursor's (``execute``, ``sql``, ``fetchall``, ...). Closed when collected, too, as
    a DuckDB connection is."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, shared: _Shared, path: Path) -> None:
        self._cursor = cursor
        self._shared = shared
        self._path = path
        self._closed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._shared.pid != os.getpid():  # a forked child's copy: the parent's to close
            return
        try:
            self._cursor.close()
        finally:
            _release(self._shared)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """Another connection to the same database (a cursor of the bare database would
        default to its in-memory catalog, not the warehouse)."""
        return _join(self._path, read_only=self._shared.read_only)

    def __enter__(self) -> WarehouseConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


@contextlib.contextmanager
def held_open(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """Keep the live file open in this process for a block of steps that each open and close
    it (yields the keeping connection, or None when the file is busy: the steps then wait
    for it on their own, as without this).

    Why: a process shares one database per file (:func:`_join`), so while this connection
    is open every other ``connect`` of the file here joins it (measured on the Zyte warehouse:
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


@contextlib.contextmanager
def checkpointing(con: duckdb.DuckDBPyConnection | None) -> Iterator[None]:
    """Checkpoint ``con``'s database in a thread of its own while the block runs; the
    checkpoint is over when the block is (None: nothing to do).

    Why: a run's loads were checkpointed by the loader's close (~0.13 s of CPU on the Zyte
    warehouse, DuckDB in the calling thread), then the whole-warehouse steps (the entity
    resolution, story clusters) ran, mostly Python, each after the other, with the
    machine's other core idle: the run's serial tail. DuckDB runs the checkpoint without the
    interpreter's lock, reads go on beside it, and a write waits for it (a commit cannot
    land in it): the file gets the loads in one checkpoint and the steps' rows in the next,
    as before, while the steps' reads and computing overlap the first
    (benchmarks/README.md "Round 16 (tail16)"). A failed checkpoint is logged: the next
    one (the read copy's, the file's close) writes what it would have."""
    if con is None:
        yield
        return
    cursor = con.cursor()
    failed: list[BaseException] = []

    def run() -> None:
        try:
            cursor.execute("CHECKPOINT")
        except Exception as exc:  # pragma: no cover - a full disk, say: logged below
            failed.append(exc)

    thread = threading.Thread(target=run, name="newsetl-checkpoint", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
        cursor.close()
        if failed:  # pragma: no cover - see above
            log.warning("the loads' checkpoint failed (the next one writes them): %s", failed[0])


def limit_memory(con: duckdb.DuckDBPyConnection, limit_mb: int) -> str | None:
    """Bound what ``con``'s database caches to ``limit_mb`` MB (0: leave DuckDB's limit);
    returns the limit it had before (for :func:`restore_memory_limit`), None if none was set.

    Why: a load's merges and duplicate checks scan the keyed tables' key and hash columns, and
    DuckDB keeps the blocks it read cached until the database closes (its default limit is
    80 % of the RAM), so a process that keeps the file open for its loads grew with the
    warehouse (``Settings.loader_memory_limit_mb``). The setting is the database's, so every
    connection of this process to the file shares it until it is restored or the file closed.
    A statement that needs more than the limit fails with ``duckdb.OutOfMemoryException`` (a
    transient error: nothing is lost), so a caller restores the limit and tries again
    (:class:`newsetl.run.steps.Loader`). A limit DuckDB cannot meet now (it could not evict
    enough) is logged and skipped."""
    if limit_mb <= 0:
        return None
    try:
        row = con.execute("SELECT current_setting('memory_limit')").fetchone()
        before = row[0] if row else None
        if before is None:
            return None
        con.execute(f"SET memory_limit = '{int(limit_mb)}MB'")
    except duckdb.Error as exc:
        log.warning("could not limit DuckDB's memory to %s MB: %s", limit_mb, exc)
        return None
    return str(before)


def restore_memory_limit(con: duckdb.DuckDBPyConnection, before: str) -> None:
    """Give ``con``'s database the memory limit :func:`limit_memory` found. Not ``RESET
    memory_limit``: in DuckDB 1.5.5 that reports the default again but leaves the buffer
    manager at the lower limit (a statement then fails as before)."""
    try:
        con.execute(f"SET memory_limit = '{before.replace(chr(39), '')}'")
    except duckdb.Error as exc:
        log.warning("could not restore DuckDB's memory limit to %s: %s", before, exc)


def open_warehouse(
    settings: Settings,
    *,
    read_only: bool = False,
    migrate_schema: bool = True,
    from_template: bool = True,
) -> duckdb.DuckDBPyConnection:
    """Connect with the configured retries and bring the schema up to date (writers only).

    ``migrate_schema=False``: the caller's process migrated this file already (a run opens
    it several times: :attr:`newsetl.run.steps.RunContext.migrated`). Why skip it: a
    migration re-creates every view, so the connection's close checkpoints the file and
    syncs it to disk (measured on the Zyte warehouse: 40-60 ms of CPU and 150-450 ms of wall
    per open on a loaded machine, against 15-18 ms of CPU for a plain open), and a run opened
    it five times, three of them in its serial tail.

    ``from_template``: a file that does not exist yet is a copy of the migrated, seeded
    template in the disk cache (:mod:`newsetl.warehouse.template`), then migrated as any.
    """
    template = None
    if not read_only and migrate_schema and from_template:
        # a new file: a copy of the migrated, seeded template (newsetl.warehouse.template)
        from newsetl.warehouse.template import create_from_template

        template = create_from_template(Path(settings.db_path), settings.extra_seed_dirs)
    try:
        con = connect(
            settings.db_path,
            read_only=read_only,
            retries=settings.lock_retries,
            backoff_s=settings.lock_backoff_s,
        )
    except duckdb.Error as exc:
        if template is None or is_lock_error(exc):
            raise
        return _without_template(settings, template, exc)
    if not read_only and migrate_schema:
        try:
            migrate(con, extra_seed_dirs=settings.extra_seed_dirs)
            if template is not None:
                from newsetl.warehouse.template import restamp

                restamp(con)
        except duckdb.Error as exc:
            con.close()
            if template is not None and not is_transient_error(exc):
                return _without_template(settings, template, exc)
            if is_transient_error(exc):
                raise WarehouseUnavailable(f"{settings.db_path} cannot be written: {exc}") from exc
            raise
    return con


def _without_template(
    settings: Settings, template: Path, exc: BaseException
) -> duckdb.DuckDBPyConnection:
    """The new file copied from ``template`` could not be opened or migrated (a damaged
    template): both removed, the file created and migrated as before."""
    from newsetl.warehouse.template import discard

    log.warning("new warehouse from template %s failed (%r); migrating it instead", template, exc)
    discard(Path(settings.db_path), template)
    return open_warehouse(settings, from_template=False)


# --------------------------------------------------------------------------------------------
# Migrations, views, seeds
# --------------------------------------------------------------------------------------------
#: DuckDB threads and memory (MB) while a migration runs. Why: a migration that moves a
#: column (011 moves ``pages.raw_gzip``, 1.7 GB of a 50,000-page warehouse) held the moved
#: rows in memory up to DuckDB's default limit (80 % of the RAM: 2.3 GB of RSS), and with two
#: threads it ran out of memory under a 256 MB limit. One thread under 256 MB moved them in
#: 4 s with a peak RSS of 463 MB (benchmarks/README.md "Round 22").
MIGRATION_THREADS = 1
MIGRATION_MEMORY_MB = 256


@contextlib.contextmanager
def bounded(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block with ``MIGRATION_THREADS`` and ``MIGRATION_MEMORY_MB``, then give the
    database its settings back."""
    before = limit_memory(con, MIGRATION_MEMORY_MB)
    try:
        with threads(con, MIGRATION_THREADS):
            yield
    finally:
        if before is not None:
            restore_memory_limit(con, before)


@contextlib.contextmanager
def threads(con: duckdb.DuckDBPyConnection, count: int) -> Iterator[None]:
    """Run the block with DuckDB's ``threads`` setting at ``count``, then put it back
    (the setting is per database, and a caller's connection must not keep ours)."""
    previous = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    if previous == count:
        yield
        return
    con.execute(f"SET threads = {int(count)}")
    try:
        yield
    finally:
        # a connection a full disk invalidated refuses even this; it is closed next anyway
        with contextlib.suppress(duckdb.Error):
            con.execute(f"SET threads = {previous}")


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
        with bounded(con), transaction(con):
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
