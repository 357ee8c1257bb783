"""What two pool workers hold beside their fork server, without the run around them.

``memory_roles.py`` samples a whole ``newsetl ingest`` (its peak moves with the machine's load
and with when the sampler looks); this runs only the pool's part, the same way every time: one
process warms as the fork server does (:func:`newsetl.workers.warm_up`, then ``gc.freeze``),
forks ``--workers`` children, and each child does a worker's work (extraction and language with
short texts left undecided, then both analyses) on its share of ``--pages`` pages of the scale
corpus, batch by batch in turn (batch k to child k mod workers). When every child is done, each
reports its ``smaps_rollup`` (PSS, private dirty: what it copied or allocated) and its CPU, and
the parent its own; all are read while all are alive, so the PSS split is the pool's.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/fork_share.py [--pages 250] [--start 1000]

One child per worker of a pool: a pair of workers shares ``NEWSETL_RECYCLE_WORKERS_PAGES`` pages
(250; 500 before round 11) before it is recycled, so ``--pages 250`` is one generation at its
peak.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from scale import write_corpus


def rollup(pid: int | str = "self") -> dict[str, int]:
    """smaps_rollup's Pss, Rss, Private_Dirty, Pss_Anon in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Pss", "Rss", "Private_Dirty", "Pss_Anon"):
            out[key] = int(rest.split()[0]) // 1024
    return out


def work(files: list[Path], child: int, workers: int, trim: bool = False) -> float:
    """A worker's share of the batches; its CPU seconds."""
    from newsetl import pipeline
    from newsetl.downloads import FetchResult
    from newsetl.sources import Target

    options = pipeline.AnalysisOptions(repair=True, entities=True)
    now = datetime.now(UTC)
    started = time.process_time()
    for k, start in enumerate(range(0, len(files), 25)):
        if k % workers != child:
            continue
        items = []
        for f in files[start : start + 25]:
            body = f.read_bytes()
            url = f"http://bench.invalid/{f.stem}"
            page, guess, _, _ = pipeline.extract_in_worker(
                body, url, None, 0, now, pipeline.DEFAULT_MAX_TEXT_CHARS
            )
            if page is None or guess is None:
                continue
            fetch = FetchResult(url=url, final_url=url, status_code=200, outcome="ok", body=body)
            items.append(
                pipeline.Processed(
                    Target(url, "bench"), fetch, "bench", page, guess.language,
                    guess.confidence, guess,
                )
            )  # fmt: skip
        pipeline.analyse_batch(items, "share", options)
        if trim:
            from newsetl.memory import give_back

            del items
            give_back()
    return time.process_time() - started


def print_traced(top: int) -> None:
    """What this process allocated since the fork and still holds, by file and by line."""
    import tracemalloc

    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    total = sum(s.size for s in snapshot.statistics("filename"))
    print(f"traced since the fork, alive: {total / 1e6:.1f} MB", file=sys.stderr)
    for key in ("filename", "lineno"):
        for stat in snapshot.statistics(key)[:top]:
            print(f"  {stat.size / 1e6:7.1f} MB {stat.count:8d}  {stat.traceback}", file=sys.stderr)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pages", type=int, default=250)
    p.add_argument("--start", type=int, default=1000, help="first page of the cycled corpus")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", type=Path, help="append the result as one JSON line")
    p.add_argument("--trim", action="store_true", help="malloc_trim after each batch (a trial)")
    p.add_argument(
        "--trace", type=int, default=0, help="the first child prints the N files allocating most"
    )
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsetl-share-") as tmp:
        files = sorted(write_corpus(Path(tmp), args.pages, args.start).iterdir())[: args.pages]
        from newsetl.workers import warm_up

        cpu = time.process_time()
        warm_up(True)
        gc.freeze()
        warm_cpu = time.process_time() - cpu
        server = rollup()
        children = []
        done_r, done_w = os.pipe()
        go_r, go_w = os.pipe()
        for child in range(args.workers):
            pid = os.fork()
            if pid == 0:
                os.close(done_r)
                os.close(go_w)
                if args.trace and child == 0:
                    import tracemalloc

                    tracemalloc.start(8)
                cpu_s = work(files, child, args.workers, args.trim)
                if args.trace and child == 0:
                    print_traced(args.trace)
                os.write(done_w, json.dumps({"cpu_s": cpu_s}).encode().ljust(256) + b"\n")
                os.read(go_r, 1)  # stay alive until the parent has read every process
                os._exit(0)
            children.append(pid)
        os.close(done_w)
        reports = [json.loads(os.read(done_r, 257)) for _ in children]
        pss = {str(pid): rollup(pid) for pid in children}
        server_now = rollup()
        os.write(go_w, b"x" * len(children))
        for pid in children:
            os.waitpid(pid, 0)
    result = {
        "pages": args.pages,
        "warm_cpu_s": round(warm_cpu, 2),
        "server_after_warm_mb": server,
        "server_mb": server_now,
        "workers_mb": list(pss.values()),
        "workers_cpu_s": [round(r["cpu_s"], 2) for r in reports],
        "pool_pss_mb": server_now["Pss"] + sum(v["Pss"] for v in pss.values()),
        "argv": sys.argv[1:],
    }
    print(json.dumps(result))
    if args.out:
        with args.out.open("a") as fh:
            fh.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
