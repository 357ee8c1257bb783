"""Bring an older copy of a file up to date by writing only the parts that changed.

Why: the read copy (:mod:`newsetl.readcopy`) was a fresh copy of the whole warehouse after
every run, so the bytes a run wrote grew with the warehouse, not with the run (a 1,000-page
run into a 20,000-page warehouse wrote ~1 GB for the copy alone; benchmarks/README.md "Run
cost, round 9"). Between two refreshes a DuckDB file changes only where its checkpoints
wrote: the rest of its blocks stay where they were, byte for byte. So the copy published two
refreshes ago, compared window by window with the live file, needs only the changed windows
written. Reading both files costs CPU (page-cache reads, ``memcmp``), but writes, which the
disk pays for, follow the run's changes.

A copy may only be changed in place while nothing reads it: :func:`claim_unread` takes an
open-file-description lock that conflicts with DuckDB's own file locks (a ``duckdb`` reader,
read-only or not, in this process or another, holds one while it has the file open), so a
copy someone still reads is never touched (the caller copies the whole file instead).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import mmap
import os
import struct
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: never in place
    fcntl = None  # type: ignore[assignment]

#: Bytes compared at a time; a window that differs is compared again by :data:`WRITE_CHUNK`.
WINDOW = 8 << 20
#: Bytes written at a time where the files differ (a DuckDB block is 256 KiB).
WRITE_CHUNK = 64 << 10


def claim_unread(path: Path) -> int | None:
    """Open ``path`` for writing and lock it against every reader; the descriptor (the lock
    lasts until it is closed), or None when someone has it open with a lock (a DuckDB
    connection), it does not exist, or the platform has no such locks."""
    ofd_lock = getattr(fcntl, "F_OFD_SETLK", None) if fcntl is not None else None
    if ofd_lock is None:  # pragma: no cover - not Linux
        return None
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        # struct flock: l_type, l_whence, l_start, l_len (0: to the end), l_pid (0 for OFD)
        fcntl.fcntl(fd, ofd_lock, struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0))
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another refresh at work on it
    except OSError:
        os.close(fd)
        return None
    return fd


def update_in_place(source: Path, fd: int) -> int:
    """Make the file open at ``fd`` byte-equal to ``source``, writing only the chunks that
    differ; returns the bytes written. ``source`` must not change meanwhile.

    Both files are mapped and compared where they lie, in the page cache (:func:`_memcmp`):
    reading them into buffers first copied every byte of both, a third of the time (a 2.1 GB
    warehouse compared whole: 0.92 s of CPU against 0.60, ``benchmarks/ops/compare_in_place.py``,
    benchmarks/README.md "Round 21"). Where the platform cannot (no ``memcmp`` to call, a file
    that cannot be mapped), they are read."""
    size = source.stat().st_size
    with open(source, "rb", buffering=0) as src:
        compare = _memcmp()
        if compare is not None and size > 0:
            with contextlib.suppress(OSError, ValueError):
                return _update_mapped(src.fileno(), fd, size, compare)
        return _update_read(src, fd, size)


def _update_read(src, fd: int, size: int) -> int:
    """:func:`update_in_place` by reading both files a window at a time."""
    written = 0
    offset = 0
    while offset < size:
        new = src.read(WINDOW)
        if not new:
            raise OSError(f"{src.name} shrank while it was copied")
        old = os.pread(fd, len(new), offset)
        if new != old:
            written += _write_differences(fd, offset, new, old)
        offset += len(new)
    _truncate(fd, size)
    return written


def _update_mapped(source_fd: int, fd: int, size: int, compare) -> int:
    """:func:`update_in_place` on both files mapped.

    The mappings are private and only read: comparing them copies nothing. Where the copy is
    shorter (the warehouse grew), the rest is written whole; where longer, it is cut. (A file
    cut short under a mapping would fault on the missing pages: the source does not change,
    the caller says, and the copy is the caller's, locked.)"""
    common = min(os.fstat(fd).st_size, size)
    new_map = mmap.mmap(source_fd, size, access=mmap.ACCESS_COPY)
    try:
        _read_in_order(new_map)
        written = 0
        if common:
            old_map = mmap.mmap(fd, common, access=mmap.ACCESS_COPY)
            try:
                _read_in_order(old_map)
                written = _write_mapped_differences(new_map, old_map, fd, common, compare)
            finally:
                old_map.close()
        if common < size:  # what the copy lacks
            with memoryview(new_map) as view:
                for start in range(common, size, WINDOW):
                    end = min(start + WINDOW, size)
                    _pwrite_all(fd, view[start:end], start)
                    _let_go(new_map, start, end - start)
            written += size - common
    finally:
        new_map.close()
    _truncate(fd, size)
    return written


def _write_mapped_differences(new_map, old_map, fd: int, common: int, compare) -> int:
    """The chunks of the first ``common`` bytes where the mappings differ, written to ``fd``."""
    anchors = [ctypes.c_char.from_buffer(new_map), ctypes.c_char.from_buffer(old_map)]
    new_at, old_at = (ctypes.addressof(a) for a in anchors)
    written = 0
    with memoryview(new_map) as view:
        try:
            for window in range(0, common, WINDOW):
                length = min(WINDOW, common - window)
                if compare(new_at + window, old_at + window, length) != 0:
                    for start in range(window, window + length, WRITE_CHUNK):
                        n = min(WRITE_CHUNK, window + length - start)
                        if compare(new_at + start, old_at + start, n) != 0:
                            _pwrite_all(fd, view[start : start + n], start)
                            written += n
                _let_go(new_map, window, length)
                _let_go(old_map, window, length)
        finally:
            del anchors  # the mappings may close once nothing points into them
    return written


def _let_go(mapping: mmap.mmap, start: int, length: int) -> None:
    """Drop a compared window's pages from the process (they stay in the page cache).

    Why: a mapped page the process has read counts in its RSS and PSS until it is unmapped,
    so comparing two 2 GB files whole raised a run's PSS by up to 4 GB at its end (a
    1,000-page run into a 50,000-page warehouse peaked at 1.8-4.3 GB against ~1.2 for its
    pages; benchmarks/README.md "Round 22"). Dropped a window at a time, two windows at most
    are resident. The mappings are private and never written: nothing is lost."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        mapping.madvise(mmap.MADV_DONTNEED, start, length)


def _read_in_order(mapping: mmap.mmap) -> None:
    """Tell the kernel a mapping is read front to back (a hint, where there is one)."""
    with contextlib.suppress(AttributeError, OSError):
        mapping.madvise(mmap.MADV_SEQUENTIAL)


@functools.cache
def _memcmp():
    """The C library's ``memcmp`` (None where there is none to call)."""
    try:
        function = ctypes.CDLL(ctypes.util.find_library("c")).memcmp
    except (OSError, AttributeError, TypeError):  # pragma: no cover - another platform
        return None
    function.restype = ctypes.c_int
    function.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    return function


def _truncate(fd: int, size: int) -> None:
    if os.fstat(fd).st_size != size:
        os.ftruncate(fd, size)


def _write_differences(fd: int, offset: int, new: bytes, old: bytes) -> int:
    written = 0
    view = memoryview(new)
    for start in range(0, len(new), WRITE_CHUNK):
        end = start + WRITE_CHUNK
        if new[start:end] != old[start:end]:
            _pwrite_all(fd, view[start:end], offset + start)
            written += len(view[start:end])
    return written


def _pwrite_all(fd: int, data: memoryview, offset: int) -> None:
    while data:
        n = os.pwrite(fd, data, offset)
        data, offset = data[n:], offset + n


def link_replacing(existing: Path, name: Path) -> bool:
    """Give ``existing`` the second name ``name`` (replacing what had it), atomically; False
    when the file system has no hard links or ``existing`` is gone. The link is made under a
    temporary name ending in ``.tmp`` first (one a crash leaves is removed with the other
    abandoned temporary files, :func:`newsetl.leftovers.remove_abandoned`)."""
    temporary = name.with_name(f"{name.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    try:
        os.link(existing, temporary)
    except OSError:
        return False
    os.replace(temporary, name)
    return True
