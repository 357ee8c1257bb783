"""Temporary files of crashed writers: recognised, and removed only when nobody owns them.

A writer that is killed (or runs out of disk) half-way leaves its temporary file or
directory behind: a half-staged batch (``staging/.<name>.<id>.tmp/``), a half-copied read
copy (``.newsetl-read.duckdb.<id>.tmp``). They must go, or they fill the disk, but a
temporary file of a writer that is still at work must not.

How ownership is told apart: a writer holds an exclusive ``flock`` on its temporary file
(or on a lock file inside its temporary directory) for as long as it writes. The kernel
drops the lock when the writer's process ends, however it ends (``kill -9`` included). A
cleaner that can take the lock knows the writer is gone. A file only a few seconds old is
left alone even then (a writer creates its file an instant before it locks it), and so is,
for :data:`UNLOCKED_AGE_S`, one that has no lock at all (written by a version without locks,
or on a platform without ``flock``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: age alone decides
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

#: Name of the lock file inside a temporary directory.
LOCK_NAME = ".writer.lock"
#: A temporary file younger than this is never removed (its writer may not have locked it yet).
MIN_AGE_S = 5.0
#: Without a lock to ask, only this old a leftover counts as abandoned.
UNLOCKED_AGE_S = 3600.0


@contextlib.contextmanager
def holding(lock_path: Path) -> Iterator[int | None]:
    """Hold an exclusive lock on ``lock_path`` (created if missing) for the block; yields the
    descriptor (None where locks are not available). The lock dies with the process."""
    if fcntl is None:  # pragma: no cover
        yield None
        return
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def lock_exclusively(fd: int) -> None:
    """Lock an open temporary file as its writer's (see :func:`holding`)."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)


def _owner_alive(lock_path: Path) -> bool | None:
    """True if a live process holds the lock, False if not, None if there is no lock."""
    if fcntl is None or not lock_path.exists():  # pragma: no cover - no lock to ask
        return None
    try:
        fd = os.open(lock_path, os.O_RDWR)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops the lock if we took it
    return False


def abandoned(path: Path, lock_path: Path, now: float | None = None) -> bool:
    """Whether ``path`` (a temporary file or directory) is a dead writer's leftover."""
    try:
        age = (now or time.time()) - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    if age < MIN_AGE_S:
        return False
    alive = _owner_alive(lock_path)
    if alive is None:
        return age >= UNLOCKED_AGE_S
    return not alive


def remove_abandoned(paths: Iterator[Path] | list[Path], *, lock_in_dir: bool = True) -> int:
    """Remove each of ``paths`` that is a dead writer's leftover; return how many.

    A directory's lock is ``LOCK_NAME`` inside it; a file is its own lock."""
    removed = 0
    now = time.time()
    for path in paths:
        is_dir = path.is_dir() and not path.is_symlink()
        lock = path / LOCK_NAME if (is_dir and lock_in_dir) else path
        if not abandoned(path, lock, now) or not _remove(path):
            continue
        log.info("removed the leftover of a crashed writer: %s", path)
        removed += 1
    return removed


def _build_files(base: Path) -> list[Path]:
    """What a DuckDB file being built at ``base`` may leave: the file, its WAL, its spill
    directory (``<file>.tmp``), its lock."""
    return [base, Path(f"{base}.wal"), Path(f"{base}.tmp"), Path(f"{base}.lock")]


def _remove(path: Path) -> bool:
    """Remove a file or directory tree; False if it was gone already or could not be removed
    (said in the log: a leftover is never worth failing for)."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        log.warning("could not remove the leftover %s: %s", path, exc)
        return False
    return True


def remove_abandoned_builds(target: Path) -> int:
    """Remove what crashed builds of ``target`` (:func:`building`) left next to it; return how
    many builds. A build whose lock a live process holds is left alone; one without a lock
    (a version before locks) only once it is :data:`UNLOCKED_AGE_S` old."""
    prefix = f".{target.name}."
    bases: set[Path] = set()
    for path in target.parent.glob(f"{prefix}*.tmp*"):
        end = path.name.find(".tmp", len(prefix))
        if end >= 0:
            bases.add(path.with_name(path.name[: end + len(".tmp")]))
    removed = 0
    now = time.time()
    for base in sorted(bases):
        lock = Path(f"{base}.lock")
        present = [p for p in _build_files(base) if p.exists() or p.is_symlink()]
        if not present or not abandoned(lock if lock.exists() else present[0], lock, now):
            continue
        for path in present:
            _remove(path)
        log.info("removed the leftovers of a crashed build of %s: %s", target, base.name)
        removed += 1
    return removed


@contextlib.contextmanager
def building(target: Path) -> Iterator[Path]:
    """A temporary path next to ``target`` for a DuckDB file built to replace it.

    The caller builds there and ``os.replace``-s it onto ``target`` inside the block. While
    the block runs, a lock file (``<tmp>.lock``) is held; if the block fails, the file, its
    WAL and its spill directory are removed. Leftovers of earlier builds that crashed
    (``kill -9``, power loss: no ``except`` ran) are removed first. Why a lock file and not a
    lock on the file itself: DuckDB locks its own file (other lock calls on it would fight)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned_builds(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
    lock = Path(f"{tmp}.lock")
    with holding(lock):
        try:
            yield tmp
        except BaseException:
            for path in _build_files(tmp)[:3]:
                _remove(path)
            raise
        finally:
            _remove(lock)
