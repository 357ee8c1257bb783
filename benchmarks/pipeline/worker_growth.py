"""What a pool worker's memory grows with: one process does what a worker does (the fork
server's warm-up, then extraction, language and both analyses of every page), and every
``--every`` pages reports its resident and unique memory, the lexical data it has loaded, and
every ``lru_cache`` of newsetl with its size; at the end, the bytes each cache holds (traced
by ``tracemalloc``: what ``cache_clear()`` frees, exact, unlike RSS, which freed small objects
rarely lower).

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/worker_growth.py [--pages 1000] [--every 250]

Pages: the scale corpus (``scale.write_corpus``: the 1,251 real pages of
``../shared/benchmarks/extraction``, cycled).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from scale import write_corpus


def memory_mb() -> tuple[int, int]:
    """(RSS, USS: private pages) in MB."""
    rss = uss = 0
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith("Rss:"):
            rss = int(line.split()[1])
        elif line.startswith(("Private_Clean:", "Private_Dirty:")):
            uss += int(line.split()[1])
    return rss // 1024, uss // 1024


def caches() -> dict[str, object]:
    found = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("newsetl") or module is None:
            continue
        for attr, value in vars(module).items():
            is_cache = callable(value) and hasattr(value, "cache_info")
            if is_cache and getattr(value, "__module__", name) == name:
                found[f"{name}.{attr}"] = value
    return found


def loaded() -> str:
    from newsetl.artefacts import language as alang
    from newsetl.entities import morph
    from newsetl.text import lexdata

    return (
        f"wordfreq tables {sorted(f'{k[0]}/{k[1]}' for k in lexdata._tables)}; "
        f"simplemma {sorted(morph._dictionaries)}; lingua span detectors {len(alang._detectors)}"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--pages", type=int, default=1000)
    p.add_argument("--every", type=int, default=250)
    p.add_argument("--no-trace", action="store_true", help="skip tracemalloc (faster)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsetl-growth-") as tmp:
        corpus = write_corpus(Path(tmp), args.pages, 0)
        files = sorted(corpus.iterdir())[: args.pages]
        from newsetl import pipeline
        from newsetl.downloads import FetchResult
        from newsetl.sources import Target
        from newsetl.workers import warm_up

        started = time.process_time()
        warm_up(True)
        gc.freeze()
        print(f"warm-up {time.process_time() - started:.1f} s CPU; rss/uss {memory_mb()} MB")
        if not args.no_trace:
            tracemalloc.start()
        options = pipeline.AnalysisOptions(repair=True, entities=True)
        now = datetime.now(UTC)
        done = 0
        cpu = time.process_time()
        for start in range(0, len(files), 25):
            items = []
            for f in files[start : start + 25]:
                body = f.read_bytes()
                url = f"http://bench.invalid/{f.stem}"
                page, guess, _, _ = pipeline.extract_and_identify(body, url, None, 0, now)
                if page is None:
                    continue
                fetch = FetchResult(
                    url=url, final_url=url, status_code=200, outcome="ok", body=body
                )
                items.append(
                    pipeline.Processed(
                        Target(url, "bench"), fetch, "bench", page, guess.language,
                        guess.confidence, guess,
                    )
                )  # fmt: skip
            pipeline.analyse_batch(items, "growth", options)
            done += len(files[start : start + 25])
            if done % args.every == 0 or done == len(files):
                per_page = 1000 * (time.process_time() - cpu) / args.every
                cpu = time.process_time()
                top = sorted(
                    ((f.cache_info().currsize, n) for n, f in caches().items()), reverse=True
                )[:6]
                print(
                    f"{done} pages: rss/uss {memory_mb()} MB, {per_page:.0f} ms CPU/page; "
                    f"{loaded()}; biggest caches {top}",
                    flush=True,
                )
        if args.no_trace:
            return
        print("bytes held by each cache (traced, freed by cache_clear):")
        rows = []
        for name, fn in caches().items():
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            size = fn.cache_info().currsize
            fn.cache_clear()
            gc.collect()
            rows.append((before - tracemalloc.get_traced_memory()[0], name, size))
        for freed, name, size in sorted(rows, reverse=True)[:15]:
            print(f"  {freed / 1e6:8.1f} MB  {size:7d} entries  {name}")


if __name__ == "__main__":
    main()
