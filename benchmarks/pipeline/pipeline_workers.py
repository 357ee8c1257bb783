"""The measured configurations; each repetition runs alone in a fresh process (see ``run.py``).

Why a fresh process per repetition, not a loop: ``ru_maxrss`` is a process high-water mark,
and the artefact and entity modules memoise per word (``lru_cache``), so a second pass over
the same pages in the same process measures a cache that a real run over new pages would
not have (measured: artefact analysis took 5.2 s on a first pass over 12 pages and 0.13 s on
the second). Each process loads the pages (untimed), warms up once on the first few pages
(lazy resources: lxml, langdetect profiles, lexicons, gazetteers), then times one pass over
all pages with ``time.perf_counter`` (wall) and ``time.process_time`` (CPU of this process,
less disturbed by other processes on a busy machine). ``run.py`` takes the median over
processes.

Artefact analysis and entity extraction are still being written; they are imported lazily,
and an import error or a per-page exception is counted and reported, never fatal.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import resource
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline_corpus import Corpus, Page, write_plain_html

Result = dict[str, Any]

#: Set by ``run.py`` for the one extra repetition of a run_ingest configuration that samples
#: the process tree's memory (PSS); its times are not used (see :class:`ProcessTreeSampler`).
SAMPLE_MEMORY = os.environ.get("NEWSETL_BENCH_SAMPLE_MEMORY") == "1"


def maxrss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (``run_ingest`` may run the
    extraction in a process pool; a pool's workers count once the pool has shut down)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def process_tree(root: int) -> list[int]:
    """``root`` and every process descended from it, read from ``/proc``.

    From each process's threads' ``children`` files where the kernel has them: only the
    tree's own files are read. Why: the samplers call this every 0.05-0.1 s, on the cores the
    run they measure needs, and reading the ``stat`` of every process of the machine (~90
    here) was most of their cost (benchmarks/README.md "Round 14 (mid14)"). Elsewhere, every
    process's parent link."""
    if os.path.exists(f"/proc/{root}/task/{root}/children"):
        return _tree_from_children(root)
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
        tree += frontier
    return tree


def _tree_from_children(root: int) -> list[int]:
    """:func:`process_tree` from ``/proc/PID/task/TID/children`` (a child is listed under the
    thread that forked it: the fork server is a thread's child, so every thread is read)."""
    tree, frontier, seen = [root], [root], {root}
    while frontier:
        found: list[int] = []
        for pid in frontier:
            try:
                threads = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in threads:
                try:
                    children = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
                except OSError:
                    continue
                found += [c for c in map(int, children) if c not in seen]
                seen.update(found)
        tree += found
        frontier = found
    return tree


class ProcessTreeSampler:
    """Peak memory (PSS) and CPU time of this process and all its descendants, sampled.

    A process pool's workers are forked by a fork server, so they are not our children and
    ``RUSAGE_CHILDREN`` never sees them; reading ``/proc`` does. PSS (proportional set size)
    splits pages shared copy-on-write between the processes that share them, so the sum is
    the memory the run really occupies. CPU is each process's last sampled utime+stime: a
    process that exits loses at most one interval.

    Reading ``smaps_rollup`` makes the kernel walk the page tables of every process: at 10
    samples a second over a 1.5 GB tree it cost about 2 s of CPU and 15 % of the wall time of
    the run it measured. So PSS is read only with ``memory=True``, in a repetition of its own
    whose times are not used (``run.py``); timed repetitions read only ``stat``.
    """

    def __init__(
        self, interval_s: float = 0.1, *, memory: bool = False, root: int | None = None
    ) -> None:
        self.interval_s = interval_s
        self.memory = memory
        self.root = root or os.getpid()  # another process: the sampling is not counted
        self.peak_pss_mb = 0.0
        self.peak_processes = 0
        self.pids: list[int] = []  # the tree at the last sample
        #: (clock time, CPU of the tree so far, PSS of the tree or 0) at every sample: what
        #: ``scale.py`` reads the CPU per page of a stretch of the run from
        self.timeline: list[tuple[float, float, float]] = []
        #: (clock time, CPU of the root process alone so far) at every sample: the run's own
        #: process apart from its workers (``scale.py``'s windows)
        self.root_timeline: list[tuple[float, float]] = []
        self._cpu: dict[int, float] = {}
        self._start: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    def _tree(self) -> list[int]:
        return process_tree(self.root)

    def _sample(self) -> None:
        pss = 0.0
        pids = self._tree()
        self.pids = pids
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text() if self.memory else ""
            except OSError:
                continue
            cpu = (int(fields[11]) + int(fields[12])) / self._tick
            # a process of a tree started for the measure counts from its birth
            self._start.setdefault(pid, cpu if self.root == os.getpid() else 0.0)
            self._cpu[pid] = cpu
            pss += next(
                (int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")),
                0,
            )
        self.peak_pss_mb = max(self.peak_pss_mb, pss / 1024)
        self.peak_processes = max(self.peak_processes, len(pids))
        now = time.time()
        self.timeline.append((now, self.cpu_s, pss / 1024))
        if self.root in self._cpu:
            self.root_timeline.append((now, self._cpu[self.root] - self._start[self.root]))

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._sample()

    @property
    def cpu_s(self) -> float:
        return sum(self._cpu[pid] - self._start[pid] for pid in self._cpu)

    def __enter__(self) -> ProcessTreeSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


class StageTimer:
    """Wall and CPU time, page counts and failures of named stages, in order of recording."""

    def __init__(self) -> None:
        self.stages: dict[str, Result] = {}

    @contextmanager
    def measure(self, name: str, pages: int) -> Iterator[Counter[str]]:
        """Time the block; the block counts its failures in the yielded Counter."""
        failures: Counter[str] = Counter()
        wall, cpu = time.perf_counter(), cpu_seconds()
        yield failures
        self.stages[name] = {
            "pages": pages,
            "wall_s": time.perf_counter() - wall,
            "cpu_s": cpu_seconds() - cpu,
            "failures": dict(+failures),
        }

    def skip(self, name: str, reason: str) -> None:
        self.stages[name] = {"pages": 0, "failures": {}, "skipped": reason}


def failure_kind(exc: BaseException) -> str:
    kind = getattr(exc, "kind", None)  # newsetl's ExtractionError: counted by its kind
    if isinstance(kind, str):
        return f"{type(exc).__name__}: {kind}"
    first_line = str(exc).splitlines()[0][:120] if str(exc) else ""
    return f"{type(exc).__name__}: {first_line}"


def _timed_map(
    timer: StageTimer, stage: str, items: dict[str, Any], call: Callable[[str, Any], Any]
) -> dict[str, Any]:
    """``call(key, item)`` for every item, timed as ``stage``; failures are counted, not fatal."""
    out: dict[str, Any] = {}
    with timer.measure(stage, len(items)) as failures:
        for key, item in items.items():
            try:
                out[key] = call(key, item)
            except Exception as exc:
                failures[failure_kind(exc)] += 1
    return out


def _optional(module: str, name: str) -> tuple[Callable | None, str | None]:
    """A function from a module that may not be importable yet."""
    try:
        return getattr(importlib.import_module(module), name), None
    except Exception as exc:  # ImportError, or a half-written module failing at import
        return None, failure_kind(exc)


# --------------------------------------------------------------------------------------------
# Baselines: trafilatura alone
# --------------------------------------------------------------------------------------------
def _trafilatura(corpus: Corpus, warmup: int, call: Callable[[Page], Any]) -> Result:
    timer = StageTimer()
    texts: dict[str, str | None] = {}
    for page in corpus.pages[:warmup]:
        call(page)
    with timer.measure("total", len(corpus.pages)) as failures:
        for page in corpus.pages:
            try:
                out = call(page)
            except Exception as exc:
                failures[failure_kind(exc)] += 1
                out = None
            if out is None:
                failures["no output"] += 1
            texts[page.page_id] = out if out is None or isinstance(out, str) else out.text
    return {"stages": timer.stages, "texts": texts}


def work_trafilatura_extract(corpus: Corpus, warmup: int) -> Result:
    """``trafilatura.extract(html, with_metadata=True, include_comments=False)``."""
    import trafilatura

    def call(p: Page) -> Any:
        return trafilatura.extract(p.body, url=p.url, with_metadata=True, include_comments=False)

    return _trafilatura(corpus, warmup, call)


def work_trafilatura_bare(corpus: Corpus, warmup: int) -> Result:
    """``trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)``."""
    import trafilatura

    def call(p: Page) -> Any:
        return trafilatura.bare_extraction(
            p.body, url=p.url, with_metadata=True, include_comments=False
        )

    return _trafilatura(corpus, warmup, call)


def work_trafilatura_plain(corpus: Corpus, warmup: int) -> Result:
    """``trafilatura.extract(html, include_comments=False)``: the upstream runner's F1 setting."""
    import trafilatura

    return _trafilatura(
        corpus, warmup, lambda p: trafilatura.extract(p.body, include_comments=False)
    )


# --------------------------------------------------------------------------------------------
# Our pipeline, stage by stage
# --------------------------------------------------------------------------------------------
def work_stages(corpus: Corpus, warmup: int) -> Result:
    """Each stage over the output of the one before, timed separately, then staging and load.

    Artefact analysis and entity extraction are timed by calling them directly, as stage 2
    (``analyse_batch``) calls them; ``analyse_batch`` itself then builds the warehouse rows
    untimed (its caches are warm by then), in batches of ``Settings.batch_size`` pages as
    ``run_ingest`` does, and those batches are staged and loaded into a fresh DuckDB file:
    once with everything (the ``entity_documents`` extra is linked and stored during the load)
    and once with the plain tables only, to show where load time goes.
    """
    from newsetl.ingest import build_translator

    notes: list[str] = []
    try:
        translator = build_translator([])
    except Exception as exc:
        translator = None
        notes.append(f"translator unavailable ({failure_kind(exc)}); analyse_batch runs without")
    from newsetl.workers import warm_up

    # what the process pool's fork server loads before it forks a worker (lingua's models,
    # word lists, gazetteer): the warm-up pages alone may not touch all of it, and a model
    # loaded inside the timed pass (lingua: ~1 s of CPU on two threads) is not a cost per page
    warm_up(analysis=True)
    with tempfile.TemporaryDirectory(prefix="newsetl-bench-") as tmp:
        _stage_pass(corpus.pages[:warmup], StageTimer(), translator, Path(tmp) / "warmup")
        timer = StageTimer()
        texts = _stage_pass(corpus.pages, timer, translator, Path(tmp) / "timed")
    return {"stages": timer.stages, "texts": texts, "notes": notes}


def _stage_pass(
    pages: list[Page], timer: StageTimer, translator: Any, workdir: Path
) -> dict[str, str]:
    from newsetl.extract import extract_page
    from newsetl.language import detect_language
    from newsetl.pipeline import AnalysisOptions, analyse_batch
    from newsetl.settings import Settings
    from newsetl.warehouse import Batch, load_pending, open_warehouse, stage_batch

    analyse, artefacts_error = _optional("newsetl.artefacts", "analyse")
    extract_entities, entities_error = _optional("newsetl.entities", "extract_entities")

    pages_by_id = {page.page_id: page for page in pages}
    extracted = _timed_map(timer, "extract", pages_by_id, lambda _, p: extract_page(p.body, p.url))
    languages = _timed_map(timer, "language", extracted, lambda _, p: detect_language(p.text)[0])
    repaired: dict[str, str] = {}
    if analyse is None:
        timer.skip("artefacts", f"not importable: {artefacts_error}")
    else:
        repaired = _timed_map(
            timer,
            "artefacts",
            extracted,
            lambda key, p: (
                analyse(
                    p.text,
                    languages.get(key),
                    declared_language=p.declared_language,
                    alternates=p.hreflang or None,
                ).repaired_text
            ),
        )
    if extract_entities is None:
        timer.skip("entities", f"not importable: {entities_error}")
    else:
        _timed_map(
            timer,
            "entities",
            extracted,
            lambda key, p: extract_entities(repaired.get(key) or p.text, languages.get(key)),
        )

    # rows in batches of settings.batch_size, as run_ingest makes them
    items = [_processed(page, extracted.get(page.page_id), languages) for page in pages]
    options = AnalysisOptions(repair=True, entities=True, translator=translator)
    full = Settings(db_path=workdir / "full" / "bench.duckdb")
    batches, articles = [], 0
    for start in range(0, len(items), full.batch_size):
        batch, stats = analyse_batch(items[start : start + full.batch_size], "bench", options)
        batches.append(batch)
        articles += stats.articles

    with timer.measure("schema", 1):
        open_warehouse(full).close()  # a new warehouse: migrations and seeds
    with timer.measure("staging", articles):
        for batch in batches:
            stage_batch(batch, full.staging_path)
    with timer.measure("load", articles) as failures:
        quarantined = load_pending(full).quarantined
        failures["quarantined batch"] += len(quarantined)
    timer.stages["load"]["errors"] = quarantine_errors(quarantined)

    tables_only = Settings(db_path=workdir / "tables" / "bench.duckdb")
    open_warehouse(tables_only).close()
    for batch in batches:
        stage_batch(Batch(tables=batch.tables), tables_only.staging_path)
    with timer.measure("load_tables", articles) as failures:
        quarantined = load_pending(tables_only).quarantined
        failures["quarantined batch"] += len(quarantined)
    timer.stages["load_tables"]["errors"] = quarantine_errors(quarantined)
    return {key: page.text for key, page in extracted.items()}


def quarantine_errors(paths: list[str]) -> list[str]:
    """The error the loader wrote beside each batch it set aside (read before cleanup)."""
    errors = []
    for path in paths:
        error_file = Path(path) / "ERROR.txt"
        text = error_file.read_text(errors="replace") if error_file.exists() else "?"
        errors.append(text.strip()[:400])
    return errors


def _processed(page: Page, extracted: Any, languages: dict[str, str | None]) -> Any:
    """The stage-1 record ``analyse_batch`` expects, as ``fetch_and_extract`` would make it."""
    from newsetl.downloads import FetchResult
    from newsetl.pipeline import Processed
    from newsetl.sources import Target

    fetch = FetchResult(url=page.url, final_url=page.url, outcome="ok", attempts=1)
    fetch.body = page.body
    return Processed(
        target=Target(url=page.url, source="benchmark"),
        fetch=fetch,
        source="benchmark",
        page=extracted,
        language=languages.get(page.page_id),
        raw_sha256=hashlib.sha256(page.body).hexdigest(),
    )


# --------------------------------------------------------------------------------------------
# The whole run, in-process
# --------------------------------------------------------------------------------------------
def _ingest(
    corpus: Corpus,
    warmup: int,
    *,
    full: bool,
    trace: bool,
    workers: int | None = None,
    pool: str | None = None,
) -> Result:
    """``run_ingest`` over the pages as a local directory, into a fresh DuckDB file.

    The schema is created before the clock starts (a run normally meets an existing
    warehouse; creating one is timed separately in ``stages``). The warm-up is a run over
    the first pages into its own file.

    ``pool="warm"`` forces the process pool (``process_pool_min_pages=1``) in the warm-up run
    too, so the timed run finds the fork server already loaded, as every run after the first
    in a long-lived process does. ``pool="cold"`` warms up in-process, so the timed run
    starts the fork server and its warm-up (word lists, gazetteer) on the clock, as the
    first run of a fresh process does.
    """
    from newsetl.ingest import run_ingest
    from newsetl.settings import Settings
    from newsetl.warehouse import open_warehouse

    timer = StageTimer()
    name = "run_ingest" if full else "run_ingest_core"
    pool_settings: dict[str, Any] = {} if workers is None else {"workers": workers}
    if pool is not None:
        pool_settings["process_pool_min_pages"] = 1
    with tempfile.TemporaryDirectory(prefix="newsetl-bench-") as tmp:
        root = Path(tmp)
        pages_dir = write_plain_html(corpus, root / "pages")
        warm_dir = write_plain_html(Corpus(corpus.pages[:warmup], None), root / "warmup-pages")

        def settings_for(label: str, **extra: Any) -> Settings:
            settings = Settings(
                db_path=root / label / "bench.duckdb",
                repair=full,
                entities=full,
                **{**pool_settings, **extra},
            )
            open_warehouse(settings).close()
            return settings

        warm_extra = {"workers": 1} if pool == "cold" else {}
        run_ingest([str(warm_dir)], settings_for("warmup", **warm_extra))
        settings = settings_for("timed")
        if trace:
            tracemalloc.start()
        with (
            ProcessTreeSampler(memory=SAMPLE_MEMORY) as tree,
            timer.measure(name, len(corpus.pages)) as failures,
        ):
            summary = run_ingest([str(pages_dir)], settings)
        peak = tracemalloc.get_traced_memory()[1] if trace else None
        if trace:
            tracemalloc.stop()
        failures = Counter(
            {"failed pages": summary.stats.failed, "quarantined": len(summary.load.quarantined)}
        )
        timer.stages[name]["failures"] = dict(+failures)
        timer.stages[name]["errors"] = quarantine_errors(summary.load.quarantined)
    return {
        "stages": timer.stages,
        "settings": {
            "workers": settings.workers,
            "process_pool_min_pages": settings.process_pool_min_pages,
            "batch_size": settings.batch_size,
            "repair": settings.repair,
            "entities": settings.entities,
        },
        "summary": {
            "targets": summary.targets,
            "articles": summary.stats.articles,
            "failed": summary.stats.failed,
            "artefacts_found": summary.stats.artefacts_found,
            "entities": summary.stats.entities,
            "load_counts": summary.load.counts,
        },
        "tracemalloc_peak_mb": peak / 2**20 if peak is not None else None,
        "process_tree": {
            "peak_pss_mb": tree.peak_pss_mb,
            "cpu_s": tree.cpu_s,
            "peak_processes": tree.peak_processes,
        },
    }


def work_ingest(corpus: Corpus, warmup: int) -> Result:
    return _ingest(corpus, warmup, full=True, trace=False)


def work_ingest_core(corpus: Corpus, warmup: int) -> Result:
    """run_ingest with repair and entities off: the spine (extract, language, stage, load)."""
    return _ingest(corpus, warmup, full=False, trace=False)


def work_ingest_core_1proc(corpus: Corpus, warmup: int) -> Result:
    """As ``ingest-core`` with ``workers=1``: extraction in-process, no process pool."""
    return _ingest(corpus, warmup, full=False, trace=False, workers=1)


def work_ingest_pool(corpus: Corpus, warmup: int) -> Result:
    """Whole pipeline on the process pool, fork server already warm (a long-lived process)."""
    return _ingest(corpus, warmup, full=True, trace=False, pool="warm")


def work_ingest_pool_cold(corpus: Corpus, warmup: int) -> Result:
    """Whole pipeline on the process pool, fork server started on the clock (a fresh process)."""
    return _ingest(corpus, warmup, full=True, trace=False, pool="cold")


def work_ingest_traced(corpus: Corpus, warmup: int) -> Result:
    """run_ingest under tracemalloc: a Python-heap peak (slower, so not used as a timing)."""
    return _ingest(corpus, warmup, full=True, trace=True)


WORKERS: dict[str, Callable[[Corpus, int], Result]] = {
    "trafilatura-extract": work_trafilatura_extract,
    "trafilatura-bare": work_trafilatura_bare,
    "trafilatura-plain": work_trafilatura_plain,
    "stages": work_stages,
    "ingest-core": work_ingest_core,
    "ingest-core-1proc": work_ingest_core_1proc,
    "ingest": work_ingest,
    "ingest-pool": work_ingest_pool,
    "ingest-pool-cold": work_ingest_pool_cold,
    "ingest-traced": work_ingest_traced,
}


def run_worker(name: str, corpus: Corpus, warmup: int) -> Result:
    """Run one repetition of one configuration in this process, with the memory readings."""
    os.environ.setdefault("NEWSETL_TRANSLATOR", "none")  # never call an online translator
    rss_loaded = maxrss_mb()
    started = time.perf_counter()
    result = WORKERS[name](corpus, warmup)
    result.update(
        config=name,
        pages=len(corpus.pages),
        warmup_pages=min(warmup, len(corpus.pages)),
        worker_wall_s=time.perf_counter() - started,
        maxrss_after_load_mb=rss_loaded,
        maxrss_mb=maxrss_mb(),
        maxrss_children_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    )
    return result
