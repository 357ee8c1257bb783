"""The user's command at scale: pages/s through a long run, peak memory, and per-page cost
into a big warehouse against an empty one.

Corpus: the real pages under ``/work/shared/benchmarks/extraction`` (Zyte 181,
trafilatura-eval 990, Fundus 80: 1,251 pages), cycled to the size asked for. Copy ``k > 0``
of a page has its ``rel=canonical`` and ``og:url`` removed (so it is an article of its own,
at its ``file://`` URL) and `` [k]`` added to its first paragraph (so its text and content
hash differ: the warehouse sees new articles, near-duplicates of the first copy, as with
syndicated news). Its hreflang links are kept (alternates outside the run, as in real pages).
The pages are written decompressed under a temporary directory (nothing is copied into the
repository).

Steps (each ``newsetl ingest DIR --db FILE`` in a subprocess, the command users run, with the
process tree sampled by ``pipeline_workers.ProcessTreeSampler``):

1. ``fresh``: ``--new`` pages (default 1,000) into an empty warehouse;
2. ``big``: ``--pages`` pages (default 5,000; other pages than step 1's) into an empty
   warehouse; pages/s over the first 500 extracted pages and over the last 500, from the
   flow's progress lines, and over each whole cycle of the corpus (``cycles``);
3. ``into-big``: step 1's pages into step 2's warehouse.

Steps may repeat (``--steps fresh,into-big,fresh,into-big``): each ``fresh`` starts from an
empty warehouse, and with ``--big-from FILE`` (a ``big.duckdb`` kept by ``--keep``) each
``into-big`` starts from a copy of that warehouse, its read copy and the read copy's spare,
as a scheduled warehouse has them after its big run: alternating pairs on one machine in one
sitting, against ±10 % from run to run. The ratio is then of the median walls.

Why cycles: the corpus repeats its 1,251 source pages in order (Zyte first, then
trafilatura-eval, then Fundus), and their costs differ several-fold. A window of 500 pages
holds a different mix at the start of a run than in its middle, so only windows of whole
cycles compare like with like: ``cycles`` gives pages/s and CPU ms a page over each cycle,
and ``slowest_cycle_vs_first`` the flatness through the whole run (not only its two ends).
``--shuffle SEED`` orders each cycle's pages at random (the same order in every cycle), so
that every window of 500 pages holds the whole mix: ``windows`` then gives pages/s and CPU ms
a page over each 500 pages back to back, the first from the moment the run begins to fetch,
and ``slowest_window_vs_first`` / ``median_window_vs_first`` the issue's bar (pages/s within
10 % of the first 500) at every point of the run. Beside each step a probe (:mod:`hostprobe`)
times a fixed loop every 2 s: each window's ``host_ms``, the same ratios on a steady host
(``*_host_adjusted``) and how closely the windows' CPU a page followed the machine's speed
(``host_cpu_correlation``), which tell the run's own slowing from its host's.

Reported: wall, CPU of the tree, peak PSS of the tree, pages/s, the step-3/step-1 ratio of
wall time per page, and the warehouse's bytes per article without the raw HTML (the file, and
its used blocks, less the stored ``raw_gzip`` of ``page_bodies``, or of ``pages`` before
migration 011), and the bytes the command wrote to disk (the
command's process and the children it waited for: ``RUSAGE_CHILDREN``, not the pool's workers,
which a fork server starts).

Run::

    .venv/bin/python benchmarks/pipeline/scale.py --pages 5000 --new 1000
    .venv/bin/python benchmarks/pipeline/scale.py --pages 5000 --steps big --shuffle 1 \
        --corpus /tmp/shuffled   # windows of 500 pages alike
    .venv/bin/python benchmarks/pipeline/scale.py --newsetl /tmp/base/.venv/bin/newsetl
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from hostprobe import HostProbe, host_ms
from pipeline_workers import ProcessTreeSampler

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared/benchmarks/extraction"
SOURCES = (
    SHARED / "zyte-article-extraction-benchmark/html",
    SHARED / "trafilatura-eval/html",
    SHARED / "fundus-evaluation/html",
)
CANONICAL = re.compile(
    rb"<link[^>]*rel=[\"']?canonical[^>]*>|<meta[^>]*(?:property|name)=[\"']?og:url[^>]*>", re.I
)
FIRST_P_END = re.compile(rb"</p>", re.I)
START_LINE = re.compile(r"^\d+ pages to fetch in \d+ batches", re.M)
PROGRESS_LINE = re.compile(r"fetched (\d+)/\d+ pages \(")
BATCH_LINE = re.compile(r"^(\d\d:\d\d:\d\d\.\d+) .*fetched batch (\d+)/(\d+) \((\d+) pages")


def source_pages() -> list[Path]:
    return [
        p
        for directory in SOURCES
        if directory.is_dir()
        for p in sorted(directory.iterdir())
        if p.name.endswith((".html", ".htm", ".html.gz"))
    ]


def write_corpus(target: Path, count: int, start: int, shuffle: int | None = None) -> Path:
    """Pages ``start`` .. ``start + count`` of the cycled corpus (see the module docstring).

    With ``shuffle`` (a seed), each cycle holds the source pages in one seeded random order
    (the same in every cycle), so any window of a few hundred pages is a sample of the whole
    mix and the first 500 pages compare with any later 500 (``windows``)."""
    target.mkdir(parents=True, exist_ok=True)
    sources = source_pages()
    if shuffle is not None:
        random.Random(shuffle).shuffle(sources)
    for i in range(start, start + count):
        path = sources[i % len(sources)]
        copy = i // len(sources)
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        if copy:
            data = CANONICAL.sub(b"", data)
            data = FIRST_P_END.sub(f" [{copy}]</p>".encode(), data, count=1)
        (target / f"{i:06d}.html").write_bytes(data)
    return target


def reuse_or_write(target: Path, count: int, start: int, shuffle: int | None = None) -> Path:
    """:func:`write_corpus`, unless ``target`` already holds those ``count`` pages."""
    if target.is_dir() and len(list(target.glob("*.html"))) == count:
        return target
    return write_corpus(target, count, start, shuffle)


def run(exe: Path, pages: Path, db: Path, env: dict[str, str], interval: float) -> dict[str, Any]:
    started = time.perf_counter()
    blocks_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_oublock
    log = db.with_suffix(".log")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(exe), "ingest", str(pages), "--db", str(db)],
            env=env,
            cwd=db.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        progress: list[tuple[float, int]] = []
        fetching: float | None = None  # when the run began to fetch (its "N pages to fetch")
        with (
            HostProbe() as probe,
            ProcessTreeSampler(interval, memory=True, root=proc.pid) as sampler,
        ):
            while proc.poll() is None:  # the progress lines carry no time: note when each came
                time.sleep(interval)
                text = log.read_text(errors="replace")
                if fetching is None and START_LINE.search(text):
                    fetching = time.time()
                found = PROGRESS_LINE.findall(text)
                if found and (not progress or int(found[-1]) != progress[-1][1]):
                    progress.append((time.time(), int(found[-1])))
    wall = time.perf_counter() - started
    # 512-byte blocks the command wrote to disk (charged when written, whether or not the
    # file keeps them): the warehouse's checkpoints, its WAL and the staged batches
    written = (resource.getrusage(resource.RUSAGE_CHILDREN).ru_oublock - blocks_before) * 512
    text = log.read_text(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"ingest exited {proc.returncode}: {text[-3000:]}")
    n = len(list(pages.glob("*.html")))
    row = {
        "pages": n,
        "wall_s": wall,
        "pages_per_s": n / wall,
        "cpu_s": sampler.cpu_s,
        "cpu_ms_per_page": 1000 * sampler.cpu_s / n,
        "peak_pss_mb": sampler.peak_pss_mb,
        "disk_written_mb": written / 2**20,
        "disk_written_kb_per_page": written / 1024 / n,
        **rates(text, sampler.timeline, progress=progress),
        **cycle_rates(progress, sampler.timeline, len(source_pages())),
        **window_rates(
            ([(fetching, 0)] if fetching else []) + progress,
            sampler.timeline,
            500,
            probe.samples,
            sampler.root_timeline,
        ),
        **same_pages_rates(
            ([(fetching, 0)] if fetching else []) + progress,
            500,
            len(source_pages()),
            probe.samples,
        ),
        "progress": [(round(t, 2), k) for t, k in progress],
        **warehouse_size(db),
    }
    return row


def warehouse_files(db: Path) -> list[Path]:
    """A warehouse file, its read copy and the read copy's spare, as a run names them."""
    from newsetl.readcopy import spare_path
    from newsetl.settings import Settings

    read_copy = Settings(db_path=db).read_copy
    return [db, read_copy, spare_path(read_copy)]


def remove_warehouse(db: Path) -> None:
    """Remove a warehouse file, its read copy and its spare (those that exist)."""
    for path in warehouse_files(db):
        path.unlink(missing_ok=True)


def copy_warehouse(source: Path, target: Path) -> None:
    """``source``'s warehouse files (those it has) under ``target``'s names, replacing any."""
    if source.resolve() == target.resolve():
        raise SystemExit(f"{source} is the warehouse the step writes: keep it elsewhere")
    remove_warehouse(target)
    for src, dst in zip(warehouse_files(source), warehouse_files(target), strict=True):
        if src.exists():
            shutil.copyfile(src, dst)


def rates(
    log: str,
    timeline: list[tuple[float, float, float]] | None = None,
    window: int = 500,
    progress: list[tuple[float, int]] | None = None,
) -> dict[str, Any]:
    """pages/s of extraction over the first and the last ``window`` pages of the run, from
    the flow's "fetched batch n/N (k pages" lines (their clock times); with the sampler's
    ``timeline``, also the tree's CPU ms per page and its peak PSS over those stretches (CPU
    per page is what a loaded, shared machine still measures)."""
    marks: list[tuple[float, int]] = []
    done = 0
    for line in log.splitlines():
        m = BATCH_LINE.match(line.strip())
        if m:
            t = datetime.strptime(m.group(1), "%H:%M:%S.%f")
            done += int(m.group(4))
            marks.append((t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6, done))
    if len(marks) < 3 and progress:  # today's progress lines: "fetched N/M pages (...)"
        marks = [(_day_s(t), n) for t, n in progress]
    if len(marks) < 3:
        return {}

    def rate(a: tuple[float, int], b: tuple[float, int]) -> float:
        return (b[1] - a[1]) / max(1e-9, b[0] - a[0])

    first = next((m for m in marks if m[1] >= window), marks[-1])
    last_from = next((m for m in reversed(marks) if marks[-1][1] - m[1] >= window), marks[0])
    out: dict[str, Any] = {
        "first_window_pages_per_s": rate(marks[0], first),
        "last_window_pages_per_s": rate(last_from, marks[-1]),
    }
    if timeline:
        # the log's clock (local time of day) against the sampler's (epoch seconds)
        points = [(_day_s(t), cpu, pss) for t, cpu, pss in timeline]

        def at(s: float) -> tuple[float, float]:
            """(CPU so far, peak PSS so far) at the first sample at or after clock ``s``."""
            later = [p for p in points if p[0] >= s] or points[-1:]
            peak = max((p[2] for p in points if p[0] <= later[0][0]), default=0.0)
            return later[0][1], peak

        def cpu_ms(a: tuple[float, int], b: tuple[float, int]) -> float:
            return 1000 * (at(b[0])[0] - at(a[0])[0]) / max(1, b[1] - a[1])

        def peak(a: tuple[float, int], b: tuple[float, int]) -> float:
            return max((p[2] for p in points if a[0] <= p[0] <= b[0]), default=0.0)

        out |= {
            "first_window_cpu_ms_per_page": cpu_ms(marks[0], first),
            "last_window_cpu_ms_per_page": cpu_ms(last_from, marks[-1]),
            "first_window_peak_pss_mb": peak(marks[0], first),
            "last_window_peak_pss_mb": peak(last_from, marks[-1]),
        }
    return out


def cycle_rates(
    progress: list[tuple[float, int]],
    timeline: list[tuple[float, float, float]] | None,
    cycle: int,
    probe: list[tuple[float, float]] | None = None,
    root: list[tuple[float, float]] | None = None,
) -> dict[str, Any]:
    """pages/s and the tree's CPU ms a page over each whole cycle of ``cycle`` pages (see the
    module docstring), from the progress lines' arrival times (epoch seconds, as the
    sampler's ``timeline``). A cycle runs from the first progress line at or past ``k *
    cycle`` pages to the first at or past ``(k + 1) * cycle``; the first cycle starts at the
    first progress line (the start-up before it is not a page rate). With the host probe's
    ``probe`` samples (:mod:`hostprobe`), each row has the probe's median over it
    (``host_ms``); with the sampler's ``root`` timeline, the CPU ms a page of the run's own
    process apart from its workers (``run_process_cpu_ms_per_page``)."""
    if len(progress) < 3 or cycle <= 0:
        return {}

    def cpu_at(samples: list[tuple[float, ...]] | None, t: float) -> float | None:
        """CPU so far at the first of ``samples`` (time, CPU, ...) at or after ``t`` (as
        ``rates``): the tree's (``timeline``) or the run process's (``root``)."""
        if not samples:
            return None
        return next((s[1] for s in samples if s[0] >= t), samples[-1][1])

    rows: list[dict[str, Any]] = []
    k = 0
    while True:
        start = progress[0] if k == 0 else next((m for m in progress if m[1] >= k * cycle), None)
        end = next((m for m in progress if m[1] >= (k + 1) * cycle), None)
        if start is None or end is None or end[1] <= start[1]:
            break
        pages = end[1] - start[1]
        row: dict[str, Any] = {
            "cycle": k,
            "pages": pages,
            "pages_per_s": pages / max(1e-9, end[0] - start[0]),
        }
        for key, samples in (("cpu_ms_per_page", timeline), ("run_process_cpu_ms_per_page", root)):
            a, b = cpu_at(samples, start[0]), cpu_at(samples, end[0])
            if a is not None and b is not None:
                row[key] = 1000 * (b - a) / pages
        if probe and (ms := host_ms(probe, start[0], end[0])) is not None:
            row["host_ms"] = ms
        rows.append(row)
        k += 1
    if not rows:
        return {}
    first = rows[0]["pages_per_s"]
    slowest = min(r["pages_per_s"] for r in rows)
    return {
        "cycles": rows,
        "first_cycle_pages_per_s": first,
        "last_cycle_pages_per_s": rows[-1]["pages_per_s"],
        "slowest_cycle_pages_per_s": slowest,
        "slowest_cycle_vs_first": slowest / first,
        "last_cycle_vs_first": rows[-1]["pages_per_s"] / first,
    }


def window_rates(
    progress: list[tuple[float, int]],
    timeline: list[tuple[float, float, float]] | None,
    window: int,
    probe: list[tuple[float, float]] | None = None,
    root: list[tuple[float, float]] | None = None,
) -> dict[str, Any]:
    """pages/s and CPU ms a page over each run of ``window`` pages, back to back, as
    :func:`cycle_rates` over cycles: with a ``--shuffle``d corpus every window holds the same
    mix, so ``slowest_window_vs_first`` is the issue's bar (pages/s within 10 % of the first
    500) read at every point of the run, not only at its end.

    The first window starts when the run begins to fetch (``progress`` starts with that
    moment at 0 pages), not at its first progress line (25 pages), as ``rates`` does: by
    then the early extraction helper and the pool have extracted the next batches too (~75
    pages a second after the first line), and a window from that line counts them in less
    than their time (a first window ~8 % faster than any later one on a shuffled corpus, in
    which pages 75-500 ran at the later windows' rate; benchmarks/README.md "Round 19").

    With the host probe's samples, also the same ratios on a steady host
    (``*_host_adjusted``): each window's pages/s times its ``host_ms`` over the run's median
    ``host_ms`` (a window in which the probe's loop took 10 % longer is counted 10 % faster),
    and ``host_cpu_correlation``, how closely the windows' CPU a page followed the probe
    (Pearson's r): near 0, the probe explains none of the windows' spread. The bar is the
    unadjusted ratio; the adjusted one tells the run's own slowing from the machine's."""
    out = cycle_rates(progress, timeline, window, probe, root)
    if not out:
        return {}
    rows = [{"window": r.pop("cycle"), **r} for r in out["cycles"]]
    result = {
        "windows": rows,
        "slowest_window_vs_first": out["slowest_cycle_vs_first"],
        "last_window_vs_first": out["last_cycle_vs_first"],
        "median_window_vs_first": statistics.median(r["pages_per_s"] for r in out["cycles"])
        / out["first_cycle_pages_per_s"],
    }
    if all("host_ms" in r for r in rows) and len(rows) >= 3:
        steady = statistics.median(r["host_ms"] for r in rows)
        adjusted = [r["pages_per_s"] * r["host_ms"] / steady for r in rows]
        for r, pps in zip(rows, adjusted, strict=True):
            r["pages_per_s_host_adjusted"] = pps
        result |= {
            "host_ms_median": steady,
            "slowest_window_vs_first_host_adjusted": min(adjusted) / adjusted[0],
            "last_window_vs_first_host_adjusted": adjusted[-1] / adjusted[0],
            "median_window_vs_first_host_adjusted": statistics.median(adjusted) / adjusted[0],
        }
        if all("cpu_ms_per_page" in r for r in rows):
            with contextlib.suppress(statistics.StatisticsError):  # one side constant: no r
                result["host_cpu_correlation"] = statistics.correlation(
                    [r["host_ms"] for r in rows], [r["cpu_ms_per_page"] for r in rows]
                )
    return result


def same_pages_rates(
    progress: list[tuple[float, int]],
    window: int,
    cycle: int,
    probe: list[tuple[float, float]] | None = None,
) -> dict[str, Any]:
    """Each window of ``window`` pages against the same pages the first time the run met them.

    Why: the corpus repeats its ``cycle`` pages in one order, so window ``k`` (pages ``kW`` to
    ``kW + W``) holds the pages of corpus places ``kW mod cycle`` onwards, a different slice of
    the corpus than the first window's; and its pages' costs differ several-fold (one window
    of round 30's 50,000-page run took 44.7 ms of CPU a page, another 62.9). The first time
    the run extracted that slice is pages ``kW mod cycle`` to ``kW mod cycle + W``, in its
    first cycle or two. ``vs_same_pages_early`` is the window's pages/s over that slice's
    (1.0: the run is as fast on those pages as it was at its start); with the host probe,
    ``vs_same_pages_early_host_adjusted`` also divides out the machine's speed at both times.
    Windows inside the first ``cycle + W`` pages are their own first time: no row. It is a
    reading of the run's own slowing beside the bar (``slowest_window_vs_first``), not the bar.
    ``progress`` starts with the moment the run began to fetch (0 pages), as
    :func:`window_rates`'s."""
    if len(progress) < 3 or window <= 0 or cycle <= 0:
        return {}

    def at(pages: int) -> float | None:
        return next((t for t, n in progress if n >= pages), None)

    rows: list[dict[str, Any]] = []
    k = 0
    while (end := at((k + 1) * window)) is not None:
        a = k * window
        early = a % cycle
        k += 1
        if early == a:
            continue
        start, ref_start, ref_end = at(a), at(early), at(early + window)
        if start is None or ref_start is None or ref_end is None:
            continue
        row: dict[str, Any] = {
            "window": k - 1,
            "first_pages": early,
            "vs_same_pages_early": (ref_end - ref_start) / max(1e-9, end - start),
        }
        if probe:
            now, then = host_ms(probe, start, end), host_ms(probe, ref_start, ref_end)
            if now is not None and then is not None:
                row["vs_same_pages_early_host_adjusted"] = row["vs_same_pages_early"] * now / then
        rows.append(row)
    if not rows:
        return {}
    out: dict[str, Any] = {"same_pages": rows}
    for key in ("vs_same_pages_early", "vs_same_pages_early_host_adjusted"):
        values = [r[key] for r in rows if key in r]
        if len(values) == len(rows):
            out[f"slowest_{key}"] = min(values)
            out[f"median_{key}"] = statistics.median(values)
            out[f"last_{key}"] = values[-1]
    return out


def _day_s(t: float) -> float:
    """Seconds since local midnight of epoch time ``t`` (the clock of the log lines)."""
    lt = time.localtime(t)
    return lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec + (t % 1)


def warehouse_size(db: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        # the raw pages: in page_bodies since migration 011, in pages.raw_gzip before
        (table,) = con.execute(
            "SELECT table_name FROM duckdb_columns() WHERE column_name = 'raw_gzip' "
            "AND table_name IN ('pages', 'page_bodies') ORDER BY table_name = 'pages' LIMIT 1"
        ).fetchone()
        raw = con.execute(
            f"SELECT coalesce(sum(octet_length(raw_gzip)), 0) FROM {table}"
        ).fetchone()[0]
        block, total, free = con.execute(
            "SELECT block_size, total_blocks, free_blocks FROM pragma_database_size()"
        ).fetchone()
    finally:
        con.close()
    size = db.stat().st_size
    used = block * (total - free)
    return {
        "articles": articles,
        "db_mb": size / 2**20,
        "free_blocks_share": free / max(1, total),
        "raw_gzip_mb": raw / 2**20,
        "kb_per_article_file_no_raw": (size - raw) / 1024 / max(1, articles),
        "kb_per_article_used_no_raw": (used - raw) / 1024 / max(1, articles),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pages", type=int, default=5000, help="pages of the big warehouse")
    p.add_argument("--new", type=int, default=1000, help="new pages into empty and big")
    p.add_argument("--newsetl", type=Path, default=ROOT / ".venv/bin/newsetl")
    p.add_argument("--interval", type=float, default=0.5)
    p.add_argument("--steps", default="fresh,big,into-big")
    p.add_argument("--keep", type=Path, help="keep the warehouses and logs in this directory")
    p.add_argument(
        "--corpus",
        type=Path,
        help="write (or reuse) the pages here, kept: two checkouts then ingest the same URLs "
        "and their warehouses compare row for row (compare_warehouses.py)",
    )
    p.add_argument(
        "--shuffle",
        type=int,
        metavar="SEED",
        help="order each cycle's pages at random (this seed): windows of 500 pages alike "
        "(write the corpus anew: a --corpus directory already written is reused as it is)",
    )
    p.add_argument(
        "--big-from",
        type=Path,
        metavar="WAREHOUSE",
        help="each into-big step starts from a copy of this warehouse (a big.duckdb kept by "
        "--keep) and of its read copy and spare",
    )
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/scale.json")
    args = p.parse_args(argv)
    steps = args.steps.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="newsetl-scale-"))
    work = args.keep or tmp
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp / "prefect"),
        "NEWSETL_TRANSLATOR": "none",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        # a run's sources expand to at most Settings.max_targets pages (20,000 by default, a
        # guard against hostile fan-out); the benchmark's directory is named by the user
        "NEWSETL_MAX_TARGETS": str(max(args.pages, args.new, 20000)),
    }
    env.pop("PREFECT_API_URL", None)
    results: dict[str, Any] = {"newsetl": str(args.newsetl)}
    try:
        pages = args.corpus or tmp
        new = reuse_or_write(pages / f"new-{args.new}", args.new, 0, args.shuffle)
        big = reuse_or_write(
            pages / f"big-{args.pages}-{args.new}", args.pages, args.new, args.shuffle
        )
        # an untimed run: the Prefect database is created, bytecode caches are warm
        run(
            args.newsetl.absolute(), write_corpus(tmp / "warm", 5, 0), tmp / "warm.duckdb", env, 1.0
        )
        exe = args.newsetl.absolute()
        done: dict[str, list[dict[str, Any]]] = {}
        for step in steps:
            if step == "fresh":
                remove_warehouse(work / "fresh.duckdb")  # into an empty warehouse, each time
                row = run(exe, new, work / "fresh.duckdb", env, args.interval)
            elif step == "big":
                row = run(exe, big, work / "big.duckdb", env, args.interval)
            elif step == "into-big":
                if args.big_from:
                    copy_warehouse(args.big_from, work / "big.duckdb")
                row = run(exe, new, work / "big.duckdb", env, args.interval)
            else:
                raise SystemExit(f"unknown step {step}")
            results[step] = row  # the last of a repeated step; every one's times below
            done.setdefault(step, []).append(row)
            print(step, json.dumps(row), flush=True)
        results["steps"] = {
            step: [{k: row[k] for k in ("wall_s", "cpu_s", "peak_pss_mb")} for row in rows]
            for step, rows in done.items()
        }
        if "fresh" in done and "into-big" in done:

            def median(step: str, key: str) -> float:
                return statistics.median(row[key] for row in done[step])

            results["into_big_vs_fresh_wall_per_page"] = median("into-big", "wall_s") / median(
                "fresh", "wall_s"
            )
            results["into_big_vs_fresh_cpu_per_page"] = median("into-big", "cpu_s") / median(
                "fresh", "cpu_s"
            )
            wall_x = results["into_big_vs_fresh_wall_per_page"]
            cpu_x = results["into_big_vs_fresh_cpu_per_page"]
            print(f"into-big / fresh: wall ×{wall_x:.2f}, CPU ×{cpu_x:.2f}")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
