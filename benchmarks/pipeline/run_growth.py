"""What the run's own process grows with over a long run (issue 14, round 9).

``memory_roles.py`` says *that* the run's process grows (~417 MB at ~26,000 pages of the
50,000-page run, and growing); this says *what* grows. It runs the run engine in this process,
exactly as ``newsetl ingest DIR`` does without a Prefect server (``run_direct``: the fork
server started early, :class:`newsetl.run.Run` with the default steps), and every ``--every``
loaded batches it records, from inside the run's process:

- its memory by kind, from ``/proc/self/smaps``: the ``[heap]`` (glibc's main arena: Python
  objects, DuckDB's Python client), other anonymous mappings (glibc's thread arenas, mmapped
  blocks, jemalloc's and mimalloc's pools), file-backed pages; RSS and PSS of each;
- glibc's own accounting (``mallinfo2``: bytes in use, bytes free in its arenas, mmapped), so
  that fragmentation (free but not returned) is told apart from memory in use;
- the Python objects the garbage collector tracks, by type, and how many objects of the
  per-batch kinds are alive (``Processed``, ``FetchResult``, ``AnalysisResult``, ...);
- the sizes of the run's own growing structures (the summary's failures, the sets of
  article ids its stats keep);
- with ``--trace-from``, the lines that allocated what is still alive (``tracemalloc``, diffed
  against the first sample; slows the run).

Nothing of this is in the product: it is the benchmark's hooks (:class:`newsetl.run.RunHooks`,
the engine's own way of reporting between steps).

Run (from the repository root; a corpus directory of page files, an empty warehouse)::

    .venv/bin/python benchmarks/pipeline/run_growth.py --pages-dir DIR --db /tmp/x.duckdb \
        [--every 20] [--trace-from 500] [--out growth.json]

``MALLOC_ARENA_MAX`` and other allocator settings are read from the environment as usual.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import ctypes.util
import gc
import json
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

PER_BATCH_TYPES = (
    "Processed",
    "FetchResult",
    "Target",
    "AnalysisResult",
    "AnalysisFuture",
    "BatchStats",
    "Future",
    "PendingExtraction",
    "ExtractedPage",
    "Batch",
)


class _Mallinfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def mallinfo() -> dict[str, float]:
    """glibc's accounting over all arenas (MB): in use, free in arenas, mmapped blocks."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallinfo2.restype = _Mallinfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return {}
    mb = 1024 * 1024
    return {
        "arena_mb": round(info.arena / mb, 1),
        "in_use_mb": round(info.uordblks / mb, 1),
        "free_mb": round(info.fordblks / mb, 1),
        "mmapped_mb": round(info.hblkhd / mb, 1),
    }


def smaps() -> dict[str, dict[str, float]]:
    """RSS and PSS (MB) of this process by kind of mapping."""
    kinds: dict[str, dict[str, float]] = collections.defaultdict(lambda: {"rss": 0.0, "pss": 0.0})
    kind = "other"
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split(maxsplit=5)
        if len(head) >= 5 and "-" in head[0] and ":" not in head[0]:  # a mapping's header
            name = head[5] if len(head) > 5 else ""
            if name == "[heap]":
                kind = "heap"
            elif name == "":
                kind = "anon"
            elif name.startswith("["):
                kind = "other"
            else:
                kind = "file"
        elif head and head[0] in ("Rss:", "Pss:"):
            kinds[kind][head[0][:-1].lower()] += int(head[1]) / 1024
    return {k: {m: round(v, 1) for m, v in d.items()} for k, d in kinds.items()}


def threads() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


class Probe:
    """The samples, taken through the run's hooks."""

    def __init__(self, every: int, trace_from: int | None) -> None:
        self.every, self.trace_from = every, trace_from
        self.samples: list[dict[str, Any]] = []
        self.pages = 0
        self.loaded = 0
        self.started = time.monotonic()
        self._first_types: collections.Counter[str] | None = None
        self._first_trace: tracemalloc.Snapshot | None = None

    def sample(self, run: Any, loaded: int) -> None:
        gc.collect()
        types = collections.Counter(type(o).__name__ for o in gc.get_objects())
        if self._first_types is None:
            self._first_types = types
        grown = (types - self._first_types).most_common(12)
        summary = run.summary
        sample: dict[str, Any] = {
            "t_s": round(time.monotonic() - self.started, 1),
            "pages": self.pages,
            "loaded_batches": loaded,
            "threads": threads(),
            "smaps": smaps(),
            "malloc": mallinfo(),
            "gc_objects": sum(types.values()),
            "per_batch": {name: types.get(name, 0) for name in PER_BATCH_TYPES},
            "grown_types": grown,
            "structures": {
                "failures": len(summary.stats.failures),
                "staged_articles": len(summary.stats.staged_articles),
                "unchanged_articles": len(summary.stats.unchanged_articles),
                "quarantined": len(summary.load.quarantined),
            },
        }
        if self.trace_from is not None and self.pages >= self.trace_from:
            if not tracemalloc.is_tracing():
                tracemalloc.start(6)
            snap = tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(False, tracemalloc.__file__)]
            )
            if self._first_trace is None:
                self._first_trace = snap
            sample["traced_mb"] = round(tracemalloc.get_traced_memory()[0] / 2**20, 1)
            sample["grown_lines"] = [
                (str(stat.traceback), round(stat.size_diff / 1024), stat.count_diff)
                for stat in snap.compare_to(self._first_trace, "lineno")[:12]
            ]
        self.samples.append(sample)
        heap, anon = sample["smaps"].get("heap", {}), sample["smaps"].get("anon", {})
        print(
            f"{sample['t_s']:>7}s {self.pages:>6} pages  heap {heap.get('pss', 0):>6.0f}"
            f"  anon {anon.get('pss', 0):>6.0f} MB PSS  malloc {sample['malloc']}"
            f"  objects {sample['gc_objects']}  threads {sample['threads']}"
            f"  per-batch {sample['per_batch']}  {sample['structures']}",
            flush=True,
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pages-dir", type=Path, required=True)
    p.add_argument("--db", type=Path, required=True, help="the warehouse (made if missing)")
    p.add_argument("--every", type=int, default=40, help="extracted batches between samples")
    p.add_argument(
        "--trace-from",
        type=int,
        default=None,
        help="start tracemalloc at the first sample after this many pages (slows the run's"
        " process; from the start it also traces imports and the extraction the run's process"
        " does while the pool starts)",
    )
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    os.environ.setdefault("NEWSETL_TRANSLATOR", "none")
    os.environ.setdefault("NEWSETL_MAX_TARGETS", "100000")

    from newsetl.poolstart import start_pool_early
    from newsetl.settings import Settings

    settings = Settings.from_env(db_path=args.db)
    sources = [str(args.pages_dir)]
    start_pool_early(settings, sources)
    from newsetl.run import Run, RunHooks

    probe = Probe(args.every, args.trace_from)

    class Hooks(RunHooks):
        def extracted(self, run: Any, index: int, items: list[Any]) -> None:
            probe.pages += len(items)
            if index % probe.every == 0:  # loads wait while a short text does: not there
                probe.sample(run, probe.loaded)
                if args.out:
                    args.out.write_text(json.dumps({"samples": probe.samples}, indent=1))

        def loaded(self, run: Any, index: int, result: Any) -> None:
            probe.loaded = index + 1

    run = Run.open(settings, sources, hooks=Hooks())
    summary = run.execute()
    probe.sample(run, -1)
    out = {
        "pages": probe.pages,
        "status": summary.status,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "env": {k: v for k, v in os.environ.items() if k.startswith(("MALLOC", "NEWSETL"))},
        "samples": probe.samples,
    }
    print(json.dumps({k: v for k, v in out.items() if k != "samples"}))
    if args.out:
        args.out.write_text(json.dumps(out, indent=1))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
