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

:func:`settle_allocators` keeps them from holding so much in the first place (benchmarks/README.md
"Round 23" and "Round 24").
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
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


#: glibc's ``mallopt`` parameters (``malloc.h``)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
#: blocks from this size up get a mapping of their own, unmapped when freed: glibc's initial
#: value, which it otherwise raises to the size of each big block freed (up to 32 MiB), so that
#: a run's bodies, texts and parse trees end up carved out of heaps between objects that live on
MMAP_THRESHOLD = 128 * 1024
#: free memory at a heap's top that glibc keeps instead of returning it: with the mmap
#: threshold fixed, glibc's 128 KiB made the heaps shrink and grow again at nearly every page
#: (+5-6 s of system CPU in 5,000 pages, benchmarks/README.md "Round 23")
TRIM_THRESHOLD = 32 * 2**20
#: a user's own tuning of glibc's allocator, which :func:`settle_allocators` then leaves alone
GLIBC_TUNING_ENV = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")
ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"


@cache
def _libc(name: str, restype: type, *argtypes: type):
    """A function of the C library, or None (not glibc, no such function).

    The process's own symbols first: ``find_library`` runs ``ldconfig`` in a new process (~6 ms
    at each command's start)."""
    for library in (None, ctypes.util.find_library("c")):
        try:
            function = getattr(ctypes.CDLL(library), name)
        except (OSError, AttributeError, TypeError):
            continue
        function.restype = restype
        function.argtypes = list(argtypes)
        return function
    return None


def _malloc_trim():
    """glibc's ``malloc_trim`` or None (musl, macOS)."""
    return _libc("malloc_trim", ctypes.c_int, ctypes.c_size_t)


def settle_allocators(*, fixed_thresholds: bool = False) -> None:
    """Keep the allocators from holding freed memory; call it as early as a process can.

    - **Arrow on ``malloc``.** pyarrow's wheels default to mimalloc, which keeps a 1 GB
      reservation with 26-48 MB resident while nothing is allocated. Arrow reads
      ``ARROW_DEFAULT_MEMORY_POOL`` when pyarrow is imported, so this sets it for this process
      and its children; where pyarrow is already imported, its pool is switched too.
    - **glibc's thresholds fixed** (``fixed_thresholds``): :data:`MMAP_THRESHOLD` and
      :data:`TRIM_THRESHOLD`. Only where it pays, the pool's fork server (the workers fork from
      it and inherit it). In every process of a run, one run of 50,000 pages was 6 % slower
      (benchmarks/README.md "Round 23", not alternated); in the fork server only, alternating
      runs showed no cost and 135-178 MiB less peak ("Round 24").

    A user's own setting (``ARROW_DEFAULT_MEMORY_POOL``, :data:`GLIBC_TUNING_ENV`) is kept."""
    if ARROW_POOL_ENV not in os.environ:
        os.environ[ARROW_POOL_ENV] = "system"
        if (pyarrow := sys.modules.get("pyarrow")) is not None:
            with contextlib.suppress(Exception):  # best effort: a build without the call
                pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    if not fixed_thresholds or any(name in os.environ for name in GLIBC_TUNING_ENV):
        return
    if (mallopt := _libc("mallopt", ctypes.c_int, ctypes.c_int, ctypes.c_int)) is not None:
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)


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
