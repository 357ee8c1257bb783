"""A read copy of the warehouse for analysts, swapped in atomically after each load.

DuckDB lets one process write a file, and while any other process has it open (even read-only)
the writer cannot open it. A long ``duckdb`` session on the live file would therefore stop
scheduled loads. Instead, the single writer publishes a copy after each load:

1. open the live file (bounded wait), ``CHECKPOINT`` so the file alone holds every commit,
   copy it to a temporary file *in the same directory*, close. The copy is made from the
   *spare* when it can be: the copy published before the current one, kept as a hidden hard
   link (``.<name>.spare``), brought up to date in place by writing only what changed since
   (:mod:`newsetl.filesync`), and only when no reader has it open any more; otherwise the
   whole file is copied (``Settings.read_copy_in_place`` off: always). The first publish has
   no copy before it: a second copy of it becomes the first spare (:func:`_first_spare`);
2. only when asked (``newsetl maintain``, or ``Settings.search_index_on_refresh``, off by
   default): build the full-text index from the temporary copy into its own file and swap that
   in (``newsetl.search``; the live file is not held for that). Otherwise ``newsetl search``
   rebuilds the index on demand when it finds it older than the copy;
3. keep the current read copy as the next spare, then ``os.replace`` the temporary copy onto
   the read copy's name.

``os.replace`` is an atomic rename: a reader that already has the old copy open keeps reading
its inode (unchanged, consistent) until it reconnects; new readers see the new copy. The writer
never opens the read copy, so nothing a reader does to it can block or fail a load, and a failed
refresh is logged and never fails the load (:func:`refresh_read_copy_after_load`).

A refresh killed half-way (or stopped by a full disk) leaves its temporary copy: the writer
holds a lock on it while it works (:mod:`newsetl.leftovers`), so the next refresh removes
the copies whose writer is gone, and never one that is still being written.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from newsetl.filesync import claim_unread, link_replacing, update_in_place
from newsetl.leftovers import lock_exclusively, remove_abandoned
from newsetl.search import (
    SourceFingerprint,
    build_search_file,
    index_fingerprint,
    source_fingerprint,
)
from newsetl.settings import Settings
from newsetl.warehouse import connect, migrate

log = logging.getLogger(__name__)


def refresh_read_copy(
    settings: Settings, *, search_index: bool | None = None, migrated: bool = False
) -> Path:
    """Publish a consistent copy of the live warehouse at ``settings.read_copy``; return it.

    ``search_index`` (default ``settings.search_index_on_refresh``, off) also rebuilds the
    per-language full-text index (``settings.search_index``) from the new copy; without it the
    index stays as it was until :func:`ensure_search_index` finds it stale.
    Raises when the live file is busy or the copy fails; callers after a load use
    :func:`refresh_read_copy_after_load`, which logs instead. ``migrated``: this process
    migrated the live file already (a run, at its end), so its views exist (see
    :func:`newsetl.warehouse.open_warehouse` for why a migration is not free).
    """
    target = settings.read_copy
    target.parent.mkdir(parents=True, exist_ok=True)
    build_index = settings.search_index_on_refresh if search_index is None else search_index
    remove_abandoned(list(target.parent.glob(f".{target.name}.*.tmp")), lock_in_dir=False)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    # the copy published before the current one, brought up to date in place when no one
    # reads it (see newsetl.filesync): the run writes what changed, not the whole warehouse
    spare = spare_path(target) if settings.read_copy_in_place else None
    if spare is None:  # kept by an earlier refresh: its disk space is not wanted
        with contextlib.suppress(OSError):
            spare_path(target).unlink()
    spare_fd = claim_unread(spare) if spare is not None else None
    try:
        lock_exclusively(fd)  # ours while we write it (released when fd closes, or we die)
        con = connect(
            settings.db_path,
            retries=settings.read_copy_lock_retries,
            backoff_s=settings.lock_backoff_s,
        )
        try:
            if not migrated:  # views exist in the copy
                migrate(con, extra_seed_dirs=settings.extra_seed_dirs)
            con.execute("CHECKPOINT")
            if spare is not None and spare_fd is not None:
                # the spare, locked and up to date, takes the temporary file's name; its lock
                # goes now (it conflicts with DuckDB's own: the index build below, and
                # readers once it is published, open it)
                update_in_place(settings.db_path, spare_fd)
                os.replace(spare, tmp)
                os.close(spare_fd)
                spare_fd = None
            else:
                shutil.copyfile(settings.db_path, tmp)
            shutil.copymode(settings.db_path, tmp)  # mkstemp made it private; readers need it
        finally:
            con.close()
        if spare is not None and not target.exists() and not spare.exists():
            _first_spare(tmp, spare)
        if build_index:
            build_search_file(tmp, settings.search_index)
        _drop_stale_wal(target)
        if spare is not None and target.exists():
            link_replacing(target, spare)  # the copy readers may still hold: the next spare
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    finally:
        os.close(fd)
        if spare_fd is not None:
            os.close(spare_fd)
    return target


def _first_spare(published: Path, spare: Path) -> None:
    """At the first publish, a second copy of the new read copy becomes the spare.

    Why: a spare is the copy published before the current one, so the first publish had none
    and the second one copied the whole warehouse again (1,000 pages into a 50,000-page
    warehouse: 1.55 s of a 40 s run for a 2.1 GB copy, against 0.8 s to bring a spare up to
    date; benchmarks/README.md "Round 20"). The first publish is the cheap moment: the
    warehouse is as small as it will ever be. Written under a temporary name (removed like
    any abandoned one, :func:`newsetl.leftovers.remove_abandoned`) and renamed when whole;
    a failure only means the next refresh copies the whole file, as before."""
    fd, name = tempfile.mkstemp(prefix=f"{spare.name}.", suffix=".tmp", dir=spare.parent)
    partial = Path(name)
    try:
        lock_exclusively(fd)
        shutil.copyfile(published, partial)
        shutil.copymode(published, partial)
        os.replace(partial, spare)
    except OSError as exc:
        log.warning("no spare read copy kept (the next refresh copies the whole file): %s", exc)
        with contextlib.suppress(OSError):
            partial.unlink()
    finally:
        os.close(fd)


def spare_path(target: Path) -> Path:
    """Where the read copy published before ``target``'s current one is kept (a hard link),
    to be brought up to date in place at the next refresh."""
    return target.with_name(f".{target.name}.spare")


def refresh_read_copy_after_load(settings: Settings, *, migrated: bool = False) -> Path | None:
    """:func:`refresh_read_copy` for the end of a load: a failure is logged, never raised."""
    started = time.perf_counter()
    try:
        path = refresh_read_copy(settings, migrated=migrated)
    except Exception as exc:  # the load already succeeded; analysts keep the previous copy
        log.warning("read copy not refreshed (the load itself succeeded): %s", exc)
        return None
    log.info("read copy %s refreshed in %.2fs", path, time.perf_counter() - started)
    return path


def _drop_stale_wal(target: Path) -> None:
    """A WAL left beside the old copy (someone opened it read-write) must not be replayed
    onto the new file."""
    with contextlib.suppress(FileNotFoundError):
        Path(f"{target}.wal").unlink()


def reading_path(settings: Settings) -> tuple[Path, bool]:
    """The file analysts should read: the read copy, else (before the first refresh) the
    live file. The flag says whether it is the copy."""
    if settings.read_copy.exists():
        return settings.read_copy, True
    return settings.db_path, False


def open_for_reading(settings: Settings) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """A read-only connection to the read copy, or to the live file when there is no copy yet.

    Opening the live file read-only still takes a shared lock that makes a concurrent load
    wait (bounded, then stage), so callers warn when it is not the copy.
    """
    path, is_copy = reading_path(settings)
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run 'newsetl ingest' first")
    if is_copy:
        return duckdb.connect(str(path), read_only=True), True
    con = connect(
        path, read_only=True, retries=settings.lock_retries, backoff_s=settings.lock_backoff_s
    )
    return con, False


def ensure_search_index(
    settings: Settings,
    *,
    on_rebuild: Callable[[SourceFingerprint, Path], None] | None = None,
) -> bool:
    """Rebuild the index at ``settings.search_index`` if it is missing or was built from other
    articles than the read copy now holds (the live file, read-only, before the first copy);
    True if it rebuilt.

    ``on_rebuild(current, source)`` is called just before a rebuild (to tell a user why the
    search is slow). Two processes that both find the index stale both rebuild it; each swaps
    its complete file in atomically, so a searcher never sees a half-built index. Raises
    ``FileNotFoundError`` when there is no warehouse, ``duckdb.Error`` when the live file
    stays busy.
    """
    con, is_copy = open_for_reading(settings)
    try:
        current = source_fingerprint(con)
    finally:
        con.close()
    if index_fingerprint(settings.search_index) == current:
        return False
    source = settings.read_copy if is_copy else settings.db_path
    if on_rebuild is not None:
        on_rebuild(current, source)
    build_search_file(source, settings.search_index)
    return True
