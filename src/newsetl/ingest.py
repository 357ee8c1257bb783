"""One ingestion run, step by step, without an orchestrator.

The Prefect flow in ``flows/ingest.py`` runs the same steps as tasks (batched, in parallel,
with retries and artifacts); :func:`run_ingest` runs them in-process, which is what the
benchmarks measure and what a library user calls. Every step is a plain function here.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Executor, Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsetl.downloads import Fetcher
from newsetl.pipeline import (
    AnalysisOptions,
    BatchStats,
    OriginalLookup,
    PageState,
    Processed,
    analyse_batch,
    source_rows,
    start_fetch_and_extract,
)
from newsetl.readcopy import refresh_read_copy_after_load
from newsetl.runs import RunSummary
from newsetl.settings import Settings
from newsetl.sources import Expansion, Target, expand_sources, load_document_memory
from newsetl.warehouse import (
    AFTER_LOAD,
    Batch,
    LoadReport,
    WarehouseBusy,
    connect,
    load_pending,
    open_warehouse,
    pending_batches,
    run_after_load,
    stage_batch,
)
from newsetl.workers import process_pool

log = logging.getLogger(__name__)


@dataclass
class RunContext:
    """What every step of one run shares."""

    settings: Settings
    run_id: str
    fetcher: Fetcher
    page_state: dict[str, PageState] = field(default_factory=dict)
    translator: Any = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def close(self) -> None:
        self.fetcher.close()


def default_sources() -> list[str]:
    """The bundled multilingual sample corpus (works offline)."""
    from newsetl.samples import SAMPLE_SITE

    return [str(SAMPLE_SITE / "sitemap.xml")]


def open_run(settings: Settings, run_id: str | None = None) -> RunContext:
    """Load leftovers, then read what the warehouse remembers (validators, translation memory)."""
    ctx = RunContext(
        settings=settings, run_id=run_id or uuid.uuid4().hex, fetcher=Fetcher(settings)
    )
    memory: list[dict[str, Any]] = []
    try:
        con = open_warehouse(settings)
    except WarehouseBusy:
        log.warning("warehouse busy: this run starts without conditional-GET state")
    else:
        try:
            for url, etag, modified, sha, article_id in con.execute(
                "SELECT url, etag, last_modified, raw_sha256, article_id FROM pages"
            ).fetchall():
                ctx.page_state[url] = PageState(etag, modified, sha, article_id)
            ctx.fetcher.memory = load_document_memory(con, ctx.page_state)
            if _has_table(con, "translation_memory"):
                cur = con.execute("SELECT * FROM translation_memory")
                names = [d[0] for d in cur.description]
                memory = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        finally:
            con.close()
    ctx.translator = build_translator(memory) if settings.repair else None
    return ctx


def build_translator(memory_rows: list[dict[str, Any]]) -> Any:
    """The configured translator chain, with the warehouse's translation memory preloaded."""
    from newsetl.translate import MemoryTranslator, translator_from_settings

    return translator_from_settings(memory=MemoryTranslator(memory_rows))


def _has_table(con, name: str) -> bool:
    return bool(
        con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[
            0
        ]
    )


def chunked(items: list[Target], size: int) -> Iterator[list[Target]]:
    for start in range(0, len(items), max(1, size)):
        yield items[start : start + size]


def add_originals(known: dict[str, tuple[str | None, str]], items: Iterable[Processed]) -> None:
    """Record the extracted pages of ``items`` as possible originals: url -> (language, text).

    A machine-translated page names its original with hreflang; the original is evidence for
    what was left untranslated. A page is known by its canonical URL and by the URL it was
    fetched at.
    """
    for item in items:
        if item.page is None:
            continue
        value = (item.language, item.page.text)
        known[item.canonical_url] = value
        known.setdefault(item.fetch.url, value)


def wanted_originals(items: Iterable[Processed]) -> set[str]:
    """Every hreflang alternate the extracted pages of ``items`` name."""
    return {u for item in items if item.page is not None for u in item.page.hreflang.values()}


def warehouse_originals(con, urls: Iterable[str]) -> dict[str, tuple[str | None, str]]:
    """url -> (language, text) of the warehouse articles at ``urls`` (canonical or fetched)."""
    wanted = sorted(urls)
    found: dict[str, tuple[str | None, str]] = {}
    if not wanted or con is None:
        return found
    rows = con.execute(
        "SELECT canonical_url, url, language, text FROM articles "
        "WHERE canonical_url IN (SELECT unnest(?)) OR url IN (SELECT unnest(?))",
        [wanted, wanted],
    ).fetchall()
    for canonical, url, language, text in rows:
        found.setdefault(canonical, (language, text))
        found.setdefault(url, (language, text))
    return found


class AnalysisStream:
    """Stage 2 of a run, started for each batch as soon as stage 1 has extracted it; results
    come back in batch order, for loading.

    Why not wait for the whole run's extraction, as runs did before: the analysis, staging and
    loading of early batches then overlap the extraction of later ones, so no core idles at
    the turn between the stages, and the single writer has one batch left to load at the end,
    not all of them.

    Why a batch may be analysed twice: a machine-translated page names its original by
    hreflang, and the original's text is evidence for the analysis. Originals extracted so far
    in this run, and those in the warehouse, travel with the batch. An original the run may
    still extract (any named URL not extracted yet) is *pending*: if the analysis asks for one
    (only pages whose own artefacts point to a source language do), the batch is analysed
    again once extraction is over, with every original at hand. So every page is analysed
    with exactly the originals it would have had if the run had waited for everything.

    ``submit(index, items, lookup, pending)`` starts one batch's analysis and returns a future
    whose ``result()`` is its :class:`AnalysisResult`; ``done(future)`` says whether it is done;
    ``originals(urls)`` finds originals in the warehouse (a short read, see :class:`Loader`).
    """

    def __init__(
        self,
        submit: Callable[[int, list[Processed], OriginalLookup, frozenset[str]], Any],
        done: Callable[[Any], bool],
        ctx: RunContext,
        originals: Callable[[Iterable[str]], dict[str, tuple[str | None, str]]] | None = None,
    ) -> None:
        self._submit, self._done, self._ctx = submit, done, ctx
        self._originals = originals or (lambda urls: {})
        self._known: dict[str, tuple[str | None, str]] = {}
        self._extracting = True
        self._running: dict[int, tuple[list[Processed], Any]] = {}
        self._again: dict[int, list[Processed]] = {}  # to analyse once extraction is over
        self._next = 0  # the next batch whose result is handed out

    def extracted(self, index: int, items: list[Processed]) -> None:
        """Batch ``index`` is extracted: start its analysis."""
        add_originals(self._known, items)
        self._start(index, items)

    def all_extracted(self) -> None:
        """Stage 1 is over: batches that asked for a pending original are analysed again."""
        self._extracting = False
        for index, (items, future) in list(self._running.items()):
            if self._done(future) and self._asked_again(index, items, future.result()):
                self._start(index, items)
        for index in sorted(self._again):
            self._start(index, self._again.pop(index))

    def results(self, *, wait: bool) -> Iterator[AnalysisResult]:
        """Finished analyses in batch order; with ``wait``, every one still to come."""
        while self._next in self._running:
            items, future = self._running[self._next]
            if not wait and not self._done(future):
                return
            result = future.result()
            if self._asked_again(self._next, items, result):
                if self._extracting:
                    self._again[self._next] = items
                    if wait:
                        raise RuntimeError("results(wait=True) before all_extracted()")
                    return  # later batches are handed out after this one
                self._start(self._next, items)  # nothing is pending any more
                continue
            del self._running[self._next]
            self._next += 1
            yield result

    def _asked_again(self, index: int, items: list[Processed], result: AnalysisResult) -> bool:
        """True if ``result`` asked for a pending original (it is then dropped, its
        translations kept): the batch must be analysed again."""
        if not result.waits_for:
            return False
        absorb_translations(self._ctx, result)
        del self._running[index]
        log.info("batch %s named originals still to extract: %s", index, result.waits_for)
        return True

    def _start(self, index: int, items: list[Processed]) -> None:
        known = self._known
        missing = frozenset(u for u in wanted_originals(items) if u not in known)
        found = self._originals(missing)
        pending = missing if self._extracting else frozenset()
        future = self._submit(index, items, lambda url: known.get(url) or found.get(url), pending)
        self._running[index] = (items, future)


class AnalysisFuture:
    """A batch's analysis in the process pool; if its worker dies, ``result()`` analyses the
    batch again here (:func:`analysis_result`)."""

    def __init__(
        self,
        ctx: RunContext,
        items: list[Processed],
        lookup: OriginalLookup | None,
        index: int | None,
        pool: Executor | None,
        pending: frozenset[str] = frozenset(),
    ) -> None:
        self.ctx, self.items, self.lookup, self.index = ctx, items, lookup, index
        self.pending = pending
        self.future = submit_analysis(
            items, ctx, lookup, executor=pool, index=index, pending=pending
        )

    def done(self) -> bool:
        return self.future.done()

    def result(self) -> AnalysisResult:
        return analysis_result(
            self.future, self.items, self.ctx, self.lookup, self.index, self.pending
        )


def analyse_and_stage(
    items: list[Processed],
    ctx: RunContext,
    lookup: OriginalLookup | None,
    *,
    executor: Executor | None = None,
    index: int | None = None,
) -> BatchStats:
    """Stage 2 for one batch, written to the staging area (never lost if the DB is busy).

    With an ``executor`` the work runs in a worker process; this thread waits for it.
    """
    return collect_analysis(ctx, AnalysisFuture(ctx, items, lookup, index, executor).result())


def submit_analysis(
    items: list[Processed],
    ctx: RunContext,
    lookup: OriginalLookup | None,
    *,
    executor: Executor | None = None,
    index: int | None = None,
    pending: frozenset[str] = frozenset(),
) -> Future:
    """Start stage 2 for one batch; the future gives what :func:`collect_analysis` takes.

    A worker process cannot call back into this one, so the originals the batch's pages name
    by hreflang are looked up here and travel with the batch.
    """
    options = AnalysisOptions(
        repair=ctx.settings.repair,
        entities=ctx.settings.entities,
        translator=ctx.translator,
        seed_dirs=ctx.settings.extra_seed_dirs,
        entities_max_chars=ctx.settings.entities_max_chars,
        max_text_chars=ctx.settings.max_text_chars,
    )
    originals = originals_for(items, lookup) if lookup else {}
    name = None
    if index is not None:
        name = f"{ctx.started_at:%Y%m%dT%H%M%S%f}-{ctx.run_id[:8]}-{index:05d}"
    args = (items, ctx.run_id, options, originals, ctx.settings.staging_path, name, pending)
    if executor is not None:
        # ahead of queued extraction jobs: a batch analysed early is loaded early, while the
        # workers go on extracting (see AnalysisStream)
        return getattr(executor, "submit_first", executor.submit)(analyse_and_stage_job, *args)
    done: Future = Future()
    done.set_result(analyse_and_stage_job(*args))
    return done


def analysis_result(
    future: Future,
    items: list[Processed],
    ctx: RunContext,
    lookup: OriginalLookup | None,
    index: int | None,
    pending: frozenset[str] = frozenset(),
) -> AnalysisResult:
    """The batch's analysis; if its worker process died, the batch is analysed again here.

    Stage 2 is our own Python code over extracted text (no parser that could crash the
    interpreter), so redoing it in this process is safe, and no page of the batch is lost.
    """
    try:
        return future.result()
    except BrokenExecutor as exc:
        log.error("worker process died analysing batch %s (%s); analysing it here", index, exc)
        return submit_analysis(items, ctx, lookup, index=index, pending=pending).result()


@dataclass
class AnalysisResult:
    """What stage 2 of one batch gives back to the run."""

    stats: BatchStats
    new_translations: list[dict]
    staged: Path | None  # the staged batch directory (None: nothing to load)
    #: pending originals (see AnalysisStream) the analysis asked for: nothing was staged, and
    #: the batch is analysed again once the run has extracted everything
    waits_for: list[str] = field(default_factory=list)


def absorb_translations(ctx: RunContext, result: AnalysisResult) -> None:
    """Translations a batch's analysis made join the run's memory (kept even when the batch
    is analysed again: they are as good, and each costs a call to the translator)."""
    memory = getattr(ctx.translator, "memory", None)
    if memory is not None and result.new_translations:
        memory.absorb(result.new_translations)  # already there if the batch ran in-process


def collect_analysis(ctx: RunContext, result: AnalysisResult) -> BatchStats:
    """Merge what a batch's analysis returned: its stats, and translations it made."""
    absorb_translations(ctx, result)
    return result.stats


def analyse_and_stage_job(
    items: list[Processed],
    run_id: str,
    options: AnalysisOptions,
    originals: dict[str, tuple[str | None, str]],
    staging_path: Path,
    name: str | None = None,
    pending: frozenset[str] = frozenset(),
) -> AnalysisResult:
    """Stage 2 for one batch, in whichever process runs it: analyse, stage the rows, and
    return the stats and the translations this batch added to the memory.

    If the analysis asks for one of the ``pending`` originals (see :class:`AnalysisStream`),
    nothing is staged: the batch is analysed again when that original may be at hand.
    """
    asked: set[str] = set()

    def lookup(url: str) -> tuple[str | None, str] | None:
        if url in pending:
            asked.add(url)
        return originals.get(url)

    options.original_lookup = lookup
    memory = getattr(options.translator, "memory", None)
    known = len(memory.new_entries) if memory is not None else 0
    batch, stats = analyse_batch(items, run_id, options)
    new_translations = list(memory.new_entries[known:]) if memory is not None else []
    if asked:
        return AnalysisResult(stats, new_translations, None, sorted(asked))
    staged = stage_batch(batch, staging_path, name) if len(batch) else None
    return AnalysisResult(stats, new_translations, staged)


def originals_for(
    items: Iterable[Processed], lookup: OriginalLookup
) -> dict[str, tuple[str | None, str]]:
    """url -> (language, text) of every hreflang alternate of ``items`` that ``lookup`` knows."""
    found: dict[str, tuple[str | None, str]] = {}
    for item in items:
        if item.page is None:
            continue
        for url in item.page.hreflang.values():
            if url not in found and (value := lookup(url)) is not None:
                found[url] = value
    return found


def stage_run_record(ctx: RunContext, expansion: Expansion, summary: RunSummary) -> None:
    """The run row, source fetches and new translation-memory entries, as one last batch.

    Staged after the articles were loaded, so the row carries the load's counts.
    """
    batch = Batch()
    fetches = [*expansion.fetches, *ctx.fetcher.take_log()]  # the fetcher's own: robots.txt
    page_urls = {target.url for target in expansion.targets}
    for table, row in source_rows(fetches, ctx.fetcher.take_documents(), ctx.run_id, page_urls):
        batch.add(table, row)
    memory = getattr(ctx.translator, "memory", None)
    for entry in getattr(memory, "new_entries", None) or []:
        batch.add("translation_memory", entry)
    summary.finished_at = datetime.now(UTC)
    batch.add("runs", summary.as_row())
    stage_batch(batch, ctx.settings.staging_path)


def source_failures(expansion: Expansion) -> BatchStats:
    """Failed sources and refused URLs count as failures, URLs a cap dropped are listed with
    them (in the run's failure report, not counted as failed), unchanged documents count as
    processed."""
    stats = BatchStats(sources_unchanged=expansion.unchanged_documents)
    for _source, result in expansion.fetches:
        if result.outcome == "failed" or result.error_kind == "cap_exceeded":
            stats.failed += result.outcome == "failed"
            stats.failures.append(
                {
                    "url": result.url,
                    "status": result.status_code,
                    "kind": result.error_kind,
                    "error": result.error,
                }
            )
    return stats


def load_staged(ctx: RunContext, summary: RunSummary) -> LoadReport:
    """Load everything staged (this run's batches and any leftovers) with the one writer."""
    report = load_pending(ctx.settings, after_load=False)
    _merge_load(summary, report)
    summary.load.busy = report.busy
    summary.load.extras |= report.extras
    if summary.load.extras & AFTER_LOAD.keys() and not (report.busy or report.transient):
        # batches loaded earlier in the run (load_as_analysed) count here too
        try:
            con = open_warehouse(ctx.settings)
        except WarehouseBusy as exc:  # the next load refreshes them
            log.warning("warehouse busy; story clusters refresh on the next load: %s", exc)
        else:
            try:
                run_after_load(con, summary.load)
            finally:
                con.close()
            summary.load.extras.clear()
    summary.staged_left = len(pending_batches(ctx.settings.staging_path))
    return report


@dataclass
class Loader:
    """Loads a run's batches in the order they were analysed (see :func:`load_as_analysed`).

    Each load opens the warehouse, loads one batch in its own transaction and closes it again:
    the run never holds the live file between loads, so ``newsetl maintain``, the nightly
    deployment or another run can take their turn while this one fetches and analyses
    (they wait at most one batch's load, not the whole run)."""

    ctx: RunContext
    summary: RunSummary
    report: LoadReport = field(default_factory=LoadReport)
    migrated: bool = False

    def connect(self):
        """A short-lived write connection (bounded waiting); migrations on the first only."""
        if self.migrated:
            s = self.ctx.settings
            return connect(s.db_path, retries=s.lock_retries, backoff_s=s.lock_backoff_s)
        con = open_warehouse(self.ctx.settings)
        self.migrated = True
        return con

    def __call__(self, result: AnalysisResult) -> None:
        """Merge a batch's stats and translations into the run, and load it."""
        self.summary.stats.merge(collect_analysis(self.ctx, result))
        if result.staged is None:
            return
        try:
            con = self.connect()
        except WarehouseBusy as exc:  # the run's final load takes it
            log.warning("warehouse busy, a batch stays staged for the final load: %s", exc)
            return
        try:
            step = load_pending(self.ctx.settings, con, batches=[result.staged], after_load=False)
        finally:
            con.close()
        _merge_load(self.summary, step)
        self.report.extras |= step.extras

    def originals(self, urls: Iterable[str]) -> dict[str, tuple[str | None, str]]:
        """:func:`warehouse_originals` through a short read of the warehouse (none if busy)."""
        urls = set(urls)
        if not urls or not self.ctx.settings.db_path.exists():
            return {}
        try:
            con = self.connect()
        except WarehouseBusy:
            return {}
        try:
            return warehouse_originals(con, urls)
        finally:
            con.close()


@contextlib.contextmanager
def load_as_analysed(ctx: RunContext, summary: RunSummary) -> Iterator[Loader]:
    """A loader for batches in the order they were analysed, while later ones still are.

    Loading is the one step that must run in this process (one writer); doing it while the
    workers analyse the next batches, instead of after all of them, keeps every core busy.
    The whole-warehouse steps (story clusters) wait for the last load of the run. If the
    warehouse is busy, the batches simply stay staged for the run's final load.
    """
    loader = Loader(ctx, summary)
    try:
        yield loader
    finally:
        summary.load.extras |= loader.report.extras


def _merge_load(summary: RunSummary, report: LoadReport) -> None:
    for key, value in report.counts.items():
        summary.load.counts[key] = summary.load.counts.get(key, 0) + value
    summary.load.loaded += report.loaded
    summary.load.quarantined.extend(report.quarantined)
    summary.load.transient = report.transient or summary.load.transient


def run_ingest(sources: list[str] | None, settings: Settings | None = None) -> RunSummary:
    """The whole run in-process and sequentially (no Prefect): for benchmarks and libraries."""
    settings = settings or Settings.from_env()
    sources = sources or default_sources()
    ctx = open_run(settings)
    try:
        leftovers = load_pending(settings)
        expansion = expand_sources(sources, ctx.fetcher)
        summary = RunSummary(ctx.run_id, sources, ctx.started_at, targets=len(expansion.targets))
        summary.load = leftovers
        summary.stats.merge(source_failures(expansion))
        with process_pool(settings, len(expansion.targets)) as pool:
            # every batch is fetched first, so the pool extracts while this thread fetches
            extractions = [
                start_fetch_and_extract(chunk, ctx.fetcher, ctx.page_state, executor=pool)
                for chunk in chunked(expansion.targets, settings.batch_size)
            ]
            with load_as_analysed(ctx, summary) as load:
                stream = AnalysisStream(
                    lambda n, items, lookup, pending: AnalysisFuture(
                        ctx, items, lookup, n, pool, pending
                    ),
                    AnalysisFuture.done,
                    ctx,
                    load.originals,
                )
                for n, extraction in enumerate(extractions):
                    stream.extracted(n, extraction.result())
                    for result in stream.results(wait=False):
                        load(result)
                stream.all_extracted()
                for result in stream.results(wait=True):
                    load(result)
        load_staged(ctx, summary)
        stage_run_record(ctx, expansion, summary)
        load_staged(ctx, summary)
        refresh_read_copy_after_load(settings)  # analysts read the copy, never the live file
        return summary
    finally:
        ctx.close()
