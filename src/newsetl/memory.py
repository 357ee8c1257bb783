"""Give the run's process's freed memory back to the system.

Why: the run's process loads batches into DuckDB and reads Parquet through pyarrow; pyarrow's
mimalloc pool and glibc's ``malloc`` (Python's objects, DuckDB's Python client) keep memory
that was freed, for the next allocation. (DuckDB's own jemalloc returns its memory when the
database closes: measured, ``stats.resident`` 3 MB after the loader's close, so closing is
what matters there, :class:`newsetl.run.steps.Loader`.) Nothing in the run reuses it
soon when a burst of loads is over or while lingua's short-text models are being loaded in a
process of their own (:mod:`newsetl.run.shorttexts`): that is when the process tree's PSS peaks
(benchmarks/README.md "Memory, round 8"), so at those moments the run hands it back.

Each step is best effort: an allocator that is not there (another platform, another build of
DuckDB) is skipped, and nothing here allocates or frees what the run still uses.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import sys
from functools import cache
from pathlib import Path

log = logging.getLogger("newsetl.memory")


def rss_mb() -> float:
    """This process's resident set (MB), from ``/proc`` (0 where there is none)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@cache
def _malloc_trim():
    """glibc's ``malloc_trim`` or None (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        function = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    function.restype = ctypes.c_int
    function.argtypes = [ctypes.c_size_t]
    return function


def give_back() -> dict[str, float]:
    """Return what the allocators of this process hold freed to the system; this process's RSS
    (MB) before and after each step, for the log and the benchmarks.

    Only what a module already imported uses is touched (pyarrow is not imported here)."""
    steps = {"before": rss_mb()}
    if (pyarrow := sys.modules.get("pyarrow")) is not None:
        with contextlib.suppress(Exception):  # best effort: an older pyarrow has no such call
            pyarrow.default_memory_pool().release_unused()
        steps["pyarrow"] = rss_mb()
    if (trim := _malloc_trim()) is not None:
        trim(0)
        steps["malloc"] = rss_mb()
    log.debug("gave memory back: %s", steps)
    return {key: round(value, 1) for key, value in steps.items()}
