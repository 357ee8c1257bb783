"""An on-disk cache of derived data that is slow to build and cheap to load (the gazetteer).

Why: every new process that extracts entities (a Prefect scheduled run, its process pool's fork
server, each ``newsetl ingest`` call) used to rebuild the same index from the seed CSVs and
geonames, ~2-3 s of CPU, while its pickle loads in ~0.2 s. The result only changes when its
inputs do, so a file named by a digest of those inputs (:func:`cache_key`) can stand in for it.

The cache is only ever an optimisation: a missing, corrupt, foreign or unwritable file means the
object is built as before (logged, never raised), and the directory is safe to delete at any
time. ``NEWSETL_CACHE_DIR`` chooses the directory; ``off`` (or an empty value) disables it.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import logging
import os
import pickle
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

from newsetl.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Environment variable naming the cache directory ("off" or empty disables the cache).
ENV_VAR = "NEWSETL_CACHE_DIR"
#: Pickle protocol of the files (part of every key: a reader must understand it).
PROTOCOL = 5
#: Bump when the file layout written by :func:`cached` changes.
_FORMAT = 1
#: Names and keys are plain words: the file name is ``<name>-<key>.pickle`` and the other keys
#: of a name are found by that pattern, so neither may contain "-" or a path separator.
_WORD = re.compile(r"[A-Za-z0-9_.]+")
#: A temporary file older than this is left over from a writer that died; removed on write.
_STALE_TEMP_S = 3600
#: Keys kept per name, the most recently used first (a read refreshes a file's time). Why
#: more than one: two installations on one machine (a checkout and a deployment's virtualenv,
#: with other seed files or package versions) each need their own key; keeping only the
#: newest made each evict the other's file, and every run rebuilt (~17 s of CPU measured).
KEEP_PER_NAME = 2
#: A mapped file's "recently used" time (its mtime, which the eviction above reads) is moved
#: forward at most this often: why not on every open: each move changes the file's identity
#: that a :class:`DigestStamp` records, and every process would hash the file again.
USED_REFRESH_S = 3600.0
#: A file changed less than this long ago gets no :class:`DigestStamp`: a file system's clock
#: is coarse (a few ms), so a change right after a check could leave the same times behind.
STAMP_MIN_AGE_S = 2.0
#: Suffix of a :class:`DigestStamp` beside its file.
STAMP_SUFFIX = ".checked"


def cache_dir() -> Path | None:
    """The cache directory, or None when caching is off.

    ``$NEWSETL_CACHE_DIR`` if set (``off`` or empty: no cache), else ``$XDG_CACHE_HOME/newsetl``,
    else ``~/.cache/newsetl``."""
    value = Settings.field_from_env("cache_dir", empty_is_default=False)
    if value is not None:
        value = value.strip()
        if not value or value.lower() == "off":
            return None
        return Path(value).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "newsetl"


@functools.lru_cache(maxsize=64)
def distribution_version(name: str) -> str:
    """``name=version`` of an installed distribution (``name=none`` if absent), for a cache
    key over data that distribution ships. Asked once per process and name: why:
    ``importlib.metadata.version`` walks the installed distributions (~0.4 ms a call), and a
    pool worker asked it ~25 times on its first pages (each table or map it opens); the
    process keeps running the version it imported anyway."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{name}={version(name)}"
    except PackageNotFoundError:
        return f"{name}=none"


def cache_key(*parts: str | bytes | Path) -> str:
    """A hex digest of ``parts`` plus what decides whether a pickle can be read back here (the
    Python version, the pickle protocol and this module's file format).

    A :class:`~pathlib.Path` contributes its name and its bytes (or a marker when it cannot be
    read), so an edited seed or source file changes the key. Each part is length-prefixed, so
    ``("ab", "c")`` and ``("a", "bc")`` differ."""
    digest = hashlib.blake2b(digest_size=16)
    env = f"py{sys.version_info[0]}.{sys.version_info[1]}/pickle{PROTOCOL}/format{_FORMAT}"
    for part in (env, *parts):
        if isinstance(part, Path):
            try:
                data = part.read_bytes()
            except OSError:
                data = b"\0missing"
            chunk = part.name.encode() + b"\0" + data
        elif isinstance(part, bytes):
            chunk = part
        else:
            chunk = part.encode()
        digest.update(len(chunk).to_bytes(8, "little"))
        digest.update(chunk)
    return digest.hexdigest()


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """``build()``'s result, read from ``<cache dir>/<name>-<key>.pickle`` when that file holds
    it, else built and written there (atomically) for the next process.

    ``key`` must change whenever the result could (see :func:`cache_key`); writing a new key
    removes the files of ``name`` under other keys but the most recently used
    (:data:`KEEP_PER_NAME` in all). Reading and writing never raise: any
    failure is logged and the object is built (and returned) as if there were no cache.
    ``build``'s own exceptions propagate unchanged."""
    if not _WORD.fullmatch(name) or not _WORD.fullmatch(key):
        raise ValueError(f"cache name and key must match {_WORD.pattern}: {name!r}, {key!r}")
    directory = cache_dir()
    if directory is None:
        return build()
    path = directory / f"{name}-{key}.pickle"
    found, value = _read(path, name, key)
    if found:
        return value
    value = build()
    _write(directory, path, name, key, value)
    return value


def foreign_owner(fileno: int) -> bool:
    """Whether the open file belongs to another user. Cache files are only trusted when this
    user wrote them: unpickling runs code, and a mapped table is read as our own data."""
    return hasattr(os, "getuid") and os.fstat(fileno).st_uid != os.getuid()


def mark_used(path: Path, fileno: int) -> None:
    """Move the open file's mtime to now (kept by the eviction of other keys) unless it was
    moved less than :data:`USED_REFRESH_S` ago. Never raises."""
    with contextlib.suppress(OSError):
        if time.time() - os.fstat(fileno).st_mtime > USED_REFRESH_S:
            os.utime(path)


class DigestStamp:
    """Whether a mapped cache file's digest was checked before, by this user, on this very
    file: a small file beside it (``<file>.checked``) holding the file's identity (device,
    inode, size, mtime and ctime in ns) and the digest its header claims.

    Why: each process that opened a lexical table or simplemma map hashed all of it (78 ms of
    a fresh pool worker's first pages, ~40 ms of the fork server's warm-up; and hashing read
    every page of the mapping into the process), though the file had not changed since the
    last process checked it. The check guards against a damaged file: one written in place,
    truncated or replaced changes its size, inode or times (a write moves the ctime, which no
    one can set back), so its stamp no longer matches and it is hashed again. Files are only
    ever replaced whole (:func:`write_atomically`). Call :func:`mark_used` before taking the
    identity: it is the only thing of ours that moves a file's times.
    """

    def __init__(self, path: Path, fileno: int) -> None:
        self.path = path.with_name(path.name + STAMP_SUFFIX)
        st = os.fstat(fileno)
        self._ctime = st.st_ctime
        self._identity = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"

    def _line(self, digest: str) -> bytes:
        return f"{self._identity} {digest}\n".encode()

    def holds(self, digest: str) -> bool:
        """Whether the stamp says this file, as it is, was checked against ``digest``."""
        try:
            with self.path.open("rb") as fh:
                if foreign_owner(fh.fileno()):
                    return False
                return fh.read(512) == self._line(digest)
        except OSError:
            return False

    def note(self, digest: str) -> None:
        """Record that the file matched ``digest`` (quietly nothing when it cannot be
        written, or the file changed too recently to be told apart from a later change)."""
        if time.time() - self._ctime < STAMP_MIN_AGE_S or self.holds(digest):
            return
        tmp: str | None = None
        try:
            fd, tmp = tempfile.mkstemp(prefix=".stamp-", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(self._line(digest))
            os.replace(tmp, self.path)
            tmp = None
        except OSError as exc:
            log.debug("no digest stamp %s (%r)", self.path, exc)
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


#: Set by the fork server's warm-up (:func:`newsetl.workers.settle_warm_part`'s process):
#: what :func:`cached` reads is frozen at once, with the collector still paused. Why: read
#: with the collector paused, its objects (the gazetteer's ~300,000) are all young, and the
#: next young collection, or the part's settle, traversed them only for them to be frozen.
freeze_loaded = False


def _no_freeze_in_child() -> None:
    global freeze_loaded
    freeze_loaded = False  # a helper forked mid-warm-up reads as any process


os.register_at_fork(after_in_child=_no_freeze_in_child)


def _read(path: Path, name: str, key: str) -> tuple[bool, object]:
    """(True, the cached value) or (False, None) when there is no usable file."""
    try:
        with path.open("rb") as fh:
            if foreign_owner(fh.fileno()):
                log.warning("cache file %s belongs to another user; ignoring it", path)
                return False, None
            enabled = gc.isenabled()
            gc.disable()  # unpickling ~10^5 small objects: the collector would double the time
            try:
                record = pickle.load(fh)
                if enabled and freeze_loaded:
                    gc.freeze()
            finally:
                if enabled:
                    gc.enable()
    except FileNotFoundError:
        log.debug("no cache file %s; building", path)
        return False, None
    except Exception as exc:  # corrupt, truncated, unreadable, or pickled by other code
        log.warning("unreadable cache file %s (%r); building again", path, exc)
        return False, None
    if not (isinstance(record, tuple) and len(record) == 4 and record[:3] == (_FORMAT, name, key)):
        log.warning("cache file %s does not hold %s/%s; building again", path, name, key)
        return False, None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept when another key of the name is written
    log.debug("loaded %s from %s", name, path)
    return True, record[3]


def _write(directory: Path, path: Path, name: str, key: str, value: object) -> None:
    """Pickle ``value`` into ``path`` (see :func:`write_atomically`)."""
    if write_atomically(
        path, name, lambda fh: pickle.dump((_FORMAT, name, key, value), fh, protocol=PROTOCOL)
    ):
        log.debug("wrote %s", path)


def write_atomically(path: Path, name: str, write: Callable[[IO[bytes]], object]) -> bool:
    """Write ``path`` (``<name>-<key><suffix>`` in the cache directory) with ``write`` via a
    temporary file in the same directory, so a reader sees the old file or the whole new one,
    never half; then drop ``name``'s files of other keys beyond the most recently used. False,
    with a warning, when it cannot be written (read-only or missing directory, disk full, a
    value ``write`` cannot serialise): callers go on without the file."""
    directory = path.parent
    tmp: str | None = None
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
        tmp = None
    except Exception as exc:
        log.warning("could not write cache file %s (%r); continuing without it", path, exc)
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _remove_others(directory, path, name)
    return True


def _remove_others(directory: Path, keep: Path, name: str) -> None:
    """Drop ``name``'s files under other keys beyond the most recently used, and temporary
    files of writers that died."""
    prefix, suffix = f"{name}-", keep.suffix
    now = time.time()
    others: list[tuple[float, Path]] = []
    with contextlib.suppress(OSError):
        for entry in directory.iterdir():
            file = entry.name
            old_key = file.endswith(suffix) and file.startswith(prefix)
            if old_key and entry != keep and _WORD.fullmatch(file[len(prefix) : -len(suffix)]):
                with contextlib.suppress(OSError):
                    others.append((entry.stat().st_mtime, entry))
            elif (file.startswith(f".{prefix}") or file.startswith(".stamp-")) and file.endswith(
                ".tmp"
            ):
                with contextlib.suppress(OSError):
                    if now - entry.stat().st_mtime > _STALE_TEMP_S:
                        entry.unlink()
    others.sort(reverse=True)
    for _, entry in others[KEEP_PER_NAME - 1 :]:
        with contextlib.suppress(OSError):
            entry.unlink()
        with contextlib.suppress(OSError):
            entry.with_name(entry.name + STAMP_SUFFIX).unlink()
