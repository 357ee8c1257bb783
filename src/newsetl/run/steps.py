"""The steps of one ingestion run, each a plain function or small class.

:class:`newsetl.run.engine.Run` is the one loop that strings them together; the Prefect flow
(``src/newsetl/flows/ingest.py``), the CLI, the benchmarks and :func:`newsetl.ingest.run_ingest` all
drive that engine, so there is one run loop, with or without an orchestrator.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Executor, Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsetl import deadlines
from newsetl.downloads import Fetcher
from newsetl.memory import give_back
from newsetl.pipeline import (
    AnalysisOptions,
    BatchStats,
    OriginalLookup,
    PageState,
    PendingExtraction,
    Processed,
    analyse_batch,
    source_rows,
    start_fetch_and_extract,
)
from newsetl.run.reader import DuckDBReader, WarehouseReader
from newsetl.runs import RunSummary
from newsetl.settings import Settings
from newsetl.sources import Expansion, Target
from newsetl.stages import article_stages, current_plan
from newsetl.urls import normalise_url
from newsetl.warehouse import (
    DEFERRED_BYTES,
    Batch,
    LoadReport,
    WarehouseBusy,
    deferred_files,
    limit_memory,
    load_pending,
    open_warehouse,
    pending_batches,
    restore_memory_limit,
    run_after_load,
    someone_waits,
    stage_batch,
    table_columns,
)

#: The run's log keeps the name it had before the engine moved here (users filter on it).
log = logging.getLogger("newsetl.ingest")


#: The runs open in this process, by run id (see :func:`run_context`).
_RUNS: dict[str, RunContext] = {}


#: the reader of a context made without one: it finds nothing (a first run)
_NO_READER: WarehouseReader = DuckDBReader(Settings(), ready=False)


@dataclass
class RunContext:
    """What every step of one run shares.

    Nothing in it grows with the warehouse: what the warehouse remembers of a page (its
    validators) or of a translation is looked up for each batch, by SQL on the batch's URLs
    and texts, through the run's reader (:mod:`newsetl.run.reader`): the run never holds the live file
    between two steps, so ``newsetl maintain`` or another run can take their turn (issue 11).
    An orchestrator passes the run id to its tasks, never this object (Prefect walks every
    task parameter, twice per task; see :func:`run_context`).
    """

    settings: Settings
    run_id: str
    fetcher: Fetcher
    translator: Any = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: every read of the warehouse goes through it (:mod:`newsetl.run.reader`)
    reader: WarehouseReader = field(default_factory=lambda: _NO_READER)
    #: names this run's staged batches ``<prefix>-<batch no>`` (a shard of a distributed run:
    #: re-running the shard re-makes the same names, see docs/scale-out.md "Phase B")
    batch_prefix: str | None = None

    def batch_name(self, index: int) -> str:
        """The staged directory name of batch ``index``; batches load in name order."""
        if self.batch_prefix:
            return f"{self.batch_prefix}-{index:05d}"
        return f"{self.started_at:%Y%m%dT%H%M%S%f}-{self.run_id[:8]}-{index:05d}"

    def page_states(self, urls: Iterable[str]) -> dict[str, PageState]:
        """url -> what the warehouse remembers of it, for the pages at ``urls``."""
        wanted = sorted(set(urls))
        return self.reader.page_states(wanted) if wanted else {}

    def known_pages(self, urls: Iterable[str]) -> set[str]:
        """The ``urls`` the warehouse has a page row for."""
        return set(self.page_states(urls))

    def translator_for(self, texts: Iterable[str]) -> Any:
        """The run's translator with the stored translations that texts may ask for (see
        :meth:`newsetl.translate.MemoryTranslator.stored_rows_for`)."""
        memory = getattr(self.translator, "memory", None)
        if memory is None:
            return self.translator
        rows = self.reader.stored_translations(memory, list(texts))
        if not rows:
            return self.translator
        translator = copy.copy(self.translator)  # the chain, with a memory of its own
        translator.memory = memory.with_stored(rows)
        return translator

    def originals(self, urls: Iterable[str]) -> dict[str, tuple[str | None, str]]:
        """:func:`warehouse_originals` through the reader (none while the file is busy)."""
        urls = set(urls)
        return self.reader.originals(urls) if urls else {}

    @property
    def migrated(self) -> bool:
        """Whether this run migrated the live file already (its reader did, on opening it):
        its later opens skip the migration (see :func:`newsetl.warehouse.open_warehouse`)."""
        return bool(getattr(self.reader, "migrated", False))

    def close(self) -> None:
        self.fetcher.close()
        _RUNS.pop(self.run_id, None)


def run_context(run_id: str) -> RunContext:
    """The open run with this id, for orchestrator tasks that are given only the id."""
    return _RUNS[run_id]


def default_sources() -> list[str]:
    """The bundled multilingual sample corpus (works offline)."""
    from newsetl.samples import SAMPLE_SITE

    return [str(SAMPLE_SITE / "sitemap.xml")]


def open_run(
    settings: Settings,
    run_id: str | None = None,
    *,
    batch_prefix: str | None = None,
    reader: WarehouseReader | None = None,
    before_request: Callable[[str], None] | None = None,
) -> RunContext:
    """Open the run's reader of the warehouse (by default the DuckDB file, opened and
    migrated here) and its fetcher, with the stored feeds and sitemaps for conditional GETs;
    what the warehouse remembers of pages is looked up per batch. ``before_request`` is
    called with the host before each request (a distributed run's cross-machine rate limit,
    docs/scale-out.md "Phase B")."""
    ctx = RunContext(
        settings=settings,
        run_id=run_id or uuid.uuid4().hex,
        fetcher=Fetcher(settings, before_request=before_request),
        reader=reader or DuckDBReader.open(settings),
        batch_prefix=batch_prefix,
    )
    memory = ctx.reader.document_memory(ctx.known_pages)
    if memory is not None:
        ctx.fetcher.memory = memory
    ctx.translator = build_translator([]) if settings.repair else None
    _RUNS[ctx.run_id] = ctx
    return ctx


def build_translator(memory_rows: list[dict[str, Any]]) -> Any:
    """The configured translator chain, with ``memory_rows`` preloaded in its memory (a run
    starts empty and looks stored translations up per batch: RunContext.translator_for)."""
    from newsetl.translate import MemoryTranslator, translator_from_settings

    return translator_from_settings(memory=MemoryTranslator(memory_rows))


def chunked(items: list[Target], size: int) -> Iterator[list[Target]]:
    for start in range(0, len(items), max(1, size)):
        yield items[start : start + size]


def start_batch(
    ctx: RunContext, targets: list[Target], executor: Executor | None = None
) -> PendingExtraction:
    """Fetch one batch (with what the warehouse remembers of its URLs, looked up now) and
    hand its extraction to ``executor``. Short texts a worker leaves undecided stay so: the
    run identifies them after its pool has ended (:mod:`newsetl.run.shorttexts`)."""
    states = ctx.page_states(target.url for target in targets)
    return start_fetch_and_extract(
        targets, ctx.fetcher, states, executor=executor, leave_short_texts=True
    )


def add_originals(
    known: dict[str, tuple[str | None, str]], items: Iterable[Processed]
) -> list[tuple[str, tuple[str | None, str]]]:
    """Record the extracted pages of ``items`` as possible originals: url -> (language, text);
    returns the (url, value) pairs it set.

    A machine-translated page names its original with hreflang; the original is evidence for
    what was left untranslated. A page is known by its canonical URL and by the URL it was
    fetched at.
    """
    added = []
    for item in items:
        if item.page is None:
            continue
        value = (item.language, item.page.text)
        canonical = item.canonical_url  # a property that normalises and checks URLs: once
        known[canonical] = value
        added.append((canonical, value))
        if item.fetch.url not in known:
            known[item.fetch.url] = value
            added.append((item.fetch.url, value))
    return added


def wanted_originals(items: Iterable[Processed]) -> set[str]:
    """Every hreflang alternate the extracted pages of ``items`` name."""
    return {u for item in items if item.page is not None for u in item.page.hreflang.values()}


def pending_forms(targets: Iterable[Target]) -> set[str]:
    """The URLs by which the run's ``targets`` may be named before they are extracted."""
    return {form for t in targets for form in (t.url, normalise_url(t.url))}


class AnalysisStream:
    """Stage 2 of a run, started for each batch as soon as stage 1 has extracted it; results
    come back in batch order, for loading.

    Why not wait for the whole run's extraction, as runs did before: the analysis, staging and
    loading of early batches then overlap the extraction of later ones, so no core idles at
    the turn between the stages, and the single writer has one batch left to load at the end,
    not all of them.

    Why a batch may be analysed twice: a machine-translated page names its original by
    hreflang, and the original's text is evidence for the analysis. Originals extracted so far
    in this run, and those in the warehouse, travel with the batch. An original that is a
    target of this run not extracted yet is *pending*: if the analysis asks for one (only
    pages whose own artefacts point to a source language do), the batch is analysed again
    once extraction is over, with every original at hand. So every page is analysed with the
    originals it would have had if the run had waited for everything. A named URL that is
    not a target of this run (another site's page, say) is never pending: the warehouse's
    copy, if any, is all the run will ever have (waiting for such URLs held 196 of 200 loads
    of a 5,000-page run back to its end).

    The texts of extracted pages are kept only until their batch is loaded; later batches
    find them in the warehouse (:meth:`RunContext.originals`, a short read). ``targets`` are
    the run's.

    ``submit(index, items, lookup, pending)`` starts one batch's analysis and returns a future
    whose ``result()`` is its :class:`AnalysisResult`; ``done(future)`` says whether it is done.

    ``originals=False`` (no stage of the run reads them, :attr:`newsetl.stages.base.Stage.reads_originals`):
    none is kept, looked up or waited for; every batch gets a lookup that finds nothing.
    """

    def __init__(
        self,
        submit: Callable[[int, list[Processed], OriginalLookup, frozenset[str]], Any],
        done: Callable[[Any], bool],
        ctx: RunContext,
        *,
        targets: Iterable[Target] = (),
        originals: bool = True,
    ) -> None:
        self._submit, self._done, self._ctx = submit, done, ctx
        self._originals = originals
        self._known: dict[str, tuple[str | None, str]] = {}
        self._added: dict[int, list[tuple[str, tuple[str | None, str]]]] = {}
        self._unextracted = pending_forms(targets) if originals else set()
        self._extracting = True
        self._running: dict[int, tuple[list[Processed], Any]] = {}
        self._again: dict[int, list[Processed]] = {}  # to analyse once extraction is over
        self._next = 0  # the next batch whose result is handed out
        #: results of analyses that are done while an earlier batch is not (whose bodies
        #: were let go: see :meth:`release_finished`)
        self._finished: dict[int, AnalysisResult] = {}

    def extracted(self, index: int, items: list[Processed]) -> None:
        """Batch ``index`` is extracted: start its analysis."""
        if self._originals:
            self._added[index] = add_originals(self._known, items)
            self._unextracted -= pending_forms(item.target for item in items)
        self._start(index, items)

    def all_extracted(self) -> None:
        """Stage 1 is over: batches that asked for a pending original are analysed again."""
        self._extracting = False
        self._unextracted.clear()
        for index, (items, future) in list(self._running.items()):
            if index in self._finished:  # released: it asked for nothing
                continue
            if self._done(future) and self._asked_again(index, items, future.result()):
                self._start(index, items)
        for index in sorted(self._again):
            self._start(index, self._again.pop(index))

    @property
    def drained(self) -> bool:
        """Whether no analysis is left to start or to run: extraction is over and every
        batch's result has been handed out (the pool has no job left)."""
        return not self._extracting and not self._running and not self._again

    def wait_running(self, poll_s: float = 0.05) -> None:
        """Wait until every analysis started so far is done (the pool is then idle and may
        end; their results are loaded with :meth:`results` as usual)."""
        for _items, future in list(self._running.values()):
            while not self._done(future):
                time.sleep(poll_s)

    @property
    def held_back(self) -> bool:
        """Whether a batch that asked for a pending original holds the later batches' loads
        back until extraction is over (:meth:`release_finished`)."""
        return bool(self._again)

    def release_finished(self) -> None:
        """Let go of the bodies of batches analysed (and staged: the staged batch carries
        the raw HTML) while an earlier batch holds their load back (:attr:`held_back`: it is
        analysed again once extraction is over, so it may hold every later batch). That
        batch keeps them: it is analysed again."""
        for index, (items, future) in self._running.items():
            if index in self._finished or not self._done(future):
                continue
            result = future.result()
            if result.waits_for:
                continue
            self._finished[index] = result
            for item in items:
                item.fetch.drop_body()

    def _result(self, index: int) -> AnalysisResult:
        finished = self._finished.pop(index, None)
        return finished if finished is not None else self._running[index][1].result()

    def results(self, *, wait: bool, most: int | None = None) -> Iterator[AnalysisResult]:
        """Finished analyses in batch order; with ``wait``, every one still to come; at most
        ``most`` of them (the rest at a later call).

        The caller loads each result before asking for the next one (and must not leave the
        loop early: a result's bodies are let go of when the next is asked for, or the loop
        ends)."""
        handed = 0
        while self._next in self._running and (most is None or handed < most):
            items, future = self._running[self._next]
            if self._next not in self._finished and not wait and not self._done(future):
                return
            result = self._result(self._next)
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
            self._loaded(self._next - 1, items, result)
            handed += 1

    def _loaded(self, index: int, items: list[Processed], result: AnalysisResult) -> None:
        """Batch ``index`` is in the warehouse: let go of its bodies and texts."""
        for item in items:  # a prefetched result is the target's too (a WARC record)
            item.fetch.drop_body()
        added = self._added.pop(index, [])
        if result.staged is None or result.staged.exists():
            return  # not loaded (busy file: still staged): its texts stay the run's evidence
        for url, value in added:
            if self._known.get(url) is value:
                del self._known[url]

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
        if not self._originals:
            self._running[index] = (items, self._submit(index, items, _no_original, frozenset()))
            return
        known = self._known
        missing = frozenset(u for u in wanted_originals(items) if u not in known)
        found = self._ctx.originals(missing)
        pending = missing & self._unextracted if self._extracting else frozenset()
        future = self._submit(index, items, lambda url: known.get(url) or found.get(url), pending)
        self._running[index] = (items, future)


def _no_original(url: str) -> None:
    """The originals lookup of a run none of whose stages reads one."""
    return None


class AnalysisFuture:
    """A batch's analysis in the process pool; if its worker dies, ``result()`` analyses the
    batch again here; if it went past its deadline, without the pages that did
    (:func:`analysis_result`)."""

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
        self.pending, self.pool = pending, pool
        self.future = submit_analysis(
            items, ctx, lookup, executor=pool, index=index, pending=pending
        )

    def done(self) -> bool:
        return self.future.done()

    def result(self) -> AnalysisResult:
        return analysis_result(
            self.future, self.items, self.ctx, self.lookup, self.index, self.pending, self.pool
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
    name: str | None = None,
    staging_path: Path | None = None,
) -> Future:
    """Start stage 2 for one batch; the future gives what :func:`collect_analysis` takes.

    A worker process cannot call back into this one, so the originals the batch's pages name
    by hreflang are looked up here and travel with the batch.
    """
    originals = originals_for(items, lookup) if lookup else {}
    options = analysis_options(ctx, items, originals)
    if name is None and index is not None:
        name = ctx.batch_name(index)
    args = (items, ctx.run_id, options, originals, staging_path or ctx.settings.staging_path,
            name, pending)  # fmt: skip
    if executor is not None:
        # ahead of queued extraction jobs: a batch analysed early is loaded early, while the
        # workers go on extracting (see AnalysisStream); its deadline is one per page
        submit_pages = getattr(executor, "submit_pages", None)
        if submit_pages is not None:
            pages = sum(item.page is not None for item in items)
            return submit_pages(pages, analyse_and_stage_job, *args, first=True)  # type: ignore[no-any-return]
        return getattr(executor, "submit_first", executor.submit)(analyse_and_stage_job, *args)
    done: Future = Future()
    done.set_result(analyse_and_stage_job(*args))
    return done


def analysis_options(
    ctx: RunContext, items: list[Processed], originals: dict[str, tuple[str | None, str]]
) -> AnalysisOptions:
    """What a batch's analysis is given: the run's settings, and its translator with the
    stored translations the batch's texts (and their originals') may ask for."""
    translator = ctx.translator
    if translator is not None:
        texts = [item.page.text for item in items if item.page is not None]
        translator = ctx.translator_for([*texts, *(text for _, text in originals.values())])
    return AnalysisOptions(
        repair=ctx.settings.repair,
        entities=ctx.settings.entities,
        translator=translator,
        seed_dirs=ctx.settings.extra_seed_dirs,
        entities_max_chars=ctx.settings.entities_max_chars,
        max_text_chars=ctx.settings.max_text_chars,
        stages=article_stages(ctx.settings),
    )


def analysis_result(
    future: Future,
    items: list[Processed],
    ctx: RunContext,
    lookup: OriginalLookup | None,
    index: int | None,
    pending: frozenset[str] = frozenset(),
    pool: Executor | None = None,
) -> AnalysisResult:
    """The batch's analysis; if its worker process died, the batch is analysed again here.

    Stage 2 is our own Python code over extracted text (no parser that could crash the
    interpreter), so redoing it in this process is safe, and no page of the batch is lost.
    If it went past its deadline (``Settings.page_timeout_s``, its worker killed), not here:
    see :func:`without_slow_pages`.
    """
    try:
        return future.result()
    except deadlines.PageTimeout as exc:
        log.error("analysis of batch %s stopped (%s); finding the slow pages", index, exc)
        return without_slow_pages(items, ctx, lookup, index, pending, pool)
    except BrokenExecutor as exc:
        log.error("worker process died analysing batch %s (%s); analysing it here", index, exc)
        return submit_analysis(items, ctx, lookup, index=index, pending=pending).result()


def without_slow_pages(
    items: list[Processed],
    ctx: RunContext,
    lookup: OriginalLookup | None,
    index: int | None,
    pending: frozenset[str],
    pool: Executor | None,
) -> AnalysisResult:
    """A batch whose analysis went past its deadline: each of its pages is analysed alone in
    the pool (its rows thrown away), each with one page's deadline; the pages past it are
    recorded as failed (``page_timeout``, no article), and the batch is analysed again
    without them. Should that go past its deadline too (a page slow only beside others), all
    the batch's pages are recorded as failed: the run goes on."""
    with tempfile.TemporaryDirectory(prefix="newsetl-probe-") as probes:
        alone = [
            (item, submit_analysis([item], ctx, lookup, executor=pool, staging_path=Path(probes)))
            for item in items
            if item.page is not None
        ]
        for item, future in alone:
            try:
                future.result()
            except deadlines.PageTimeout as exc:
                _fail(item, str(exc))
            except BrokenExecutor:  # a crash, not a deadline: the batch's redo will tell
                pass
    again = submit_analysis(items, ctx, lookup, executor=pool, index=index, pending=pending)
    try:
        return again.result()
    except deadlines.PageTimeout as exc:
        log.error("analysis of batch %s stopped again (%s): its pages fail", index, exc)
        for item in items:
            if item.page is not None:
                _fail(item, str(exc))
    except BrokenExecutor as exc:  # as analysis_result: here (each page was quick alone)
        log.error("worker process died analysing batch %s (%s); analysing it here", index, exc)
    return submit_analysis(items, ctx, lookup, index=index, pending=pending).result()


def _fail(item: Processed, error: str) -> None:
    """Record the page as failed past its deadline: a fetch row with the error, no article."""
    log.error("analysis of %s stopped: %s", item.fetch.url, error)
    item.fetch.outcome, item.fetch.error_kind, item.fetch.error = "failed", deadlines.KIND, error
    item.page = None


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
    part = analyse_with_originals(items, run_id, options, originals, pending)
    if part.asked:
        return AnalysisResult(part.stats, part.new_translations, None, sorted(part.asked))
    staged = stage_batch(part.batch, staging_path, name) if len(part.batch) else None
    return AnalysisResult(part.stats, part.new_translations, staged)


@dataclass
class AnalysedPart:
    """A batch's (or a part's) analysis, not staged: its rows, stats, the translations it
    added to the memory, and the pending originals it asked for (see :class:`AnalysisStream`)."""

    batch: Batch
    stats: BatchStats
    new_translations: list[dict]
    asked: set[str]


def analyse_with_originals(
    items: list[Processed],
    run_id: str,
    options: AnalysisOptions,
    originals: dict[str, tuple[str | None, str]],
    pending: frozenset[str] = frozenset(),
    *,
    now: datetime | None = None,
    claimed: Iterable[str] = (),
) -> AnalysedPart:
    """:func:`newsetl.pipeline.analyse_batch` with the originals that travelled with the
    batch, noting which ``pending`` ones it asked for (``now``, ``claimed``: see there)."""
    asked: set[str] = set()

    def lookup(url: str) -> tuple[str | None, str] | None:
        if url in pending:
            asked.add(url)
        return originals.get(url)

    options.original_lookup = lookup
    memory = getattr(options.translator, "memory", None)
    known = len(memory.new_entries) if memory is not None else 0
    batch, stats = analyse_batch(items, run_id, options, now=now, claimed=claimed)
    new_translations = list(memory.new_entries[known:]) if memory is not None else []
    return AnalysedPart(batch, stats, new_translations, asked)


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


def stage_run_record(ctx: RunContext, expansion: Expansion, summary: RunSummary) -> Path:
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
    runs_columns = set(table_columns("runs"))  # a plug-in stage's metric may have no column
    batch.add("runs", {k: v for k, v in summary.as_row().items() if k in runs_columns})
    name = f"{ctx.batch_prefix}-run" if ctx.batch_prefix else None
    return stage_batch(batch, ctx.settings.staging_path, name)


def source_failures(expansion: Expansion) -> BatchStats:
    """Failed sources and refused URLs count as failures, URLs a cap dropped are listed with
    them (in the run's failure report, not counted as failed), unchanged documents count as
    processed."""
    stats = BatchStats(sources_unchanged=expansion.unchanged_documents)
    for _source, result in expansion.fetches:
        if result.outcome == "failed" or result.error_kind == "cap_exceeded":
            failed = result.outcome == "failed"
            stats.failed += failed
            stats.sources_failed += failed
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
    plan = current_plan()
    migrate = not ctx.migrated
    report = load_pending(ctx.settings, after_load=False, plan=plan, migrate_schema=migrate)
    _merge_load(summary, report)
    summary.load.busy = report.busy
    summary.load.extras |= report.extras
    if summary.load.extras & plan.after_load.keys() and not (report.busy or report.transient):
        # batches loaded earlier in the run (load_as_analysed) count here too
        try:
            con = open_warehouse(ctx.settings, migrate_schema=migrate)
        except WarehouseBusy as exc:  # the next load refreshes them
            log.warning("warehouse busy; story clusters refresh on the next load: %s", exc)
        else:
            try:
                run_after_load(con, summary.load, plan)
            finally:
                con.close()
            summary.load.extras.clear()
    summary.staged_left = len(pending_batches(ctx.settings.staging_path))
    return report


#: Seconds the loader keeps the file open after a load for the next one (see :class:`Loader`).
HOLD_IDLE_S = 10.0
#: Seconds it keeps the file open at most in one stretch.
HOLD_MAX_S = 30.0
#: How often (seconds) a kept file's watcher checks whether to let go of it.
HOLD_POLL_S = 0.2
#: Loads one kept open of the file takes at most. Why: the database grows with each load it
#: takes (its caches, ~8 MB a load into a 5,000-page warehouse, benchmarks/ops/load_memory.py)
#: until it is closed. Loads come one per batch as the workers analyse them, so the time
#: limits above close it every ~10 loads; but batches whose loads were held back (behind one
#: that asked for a pending original, or, until round 18, a short text waiting for its
#: language) come in one burst, within the time limits: the run's process grew by ~280 MB
#: PSS in such a burst (5,000 pages, benchmarks/README.md "Memory, round 8"). An open and
#: close more per 8 loads costs ~0.2 s of CPU.
HOLD_MAX_LOADS = 8


@dataclass
class Loader:
    """Loads a run's batches in the order they were analysed (see :func:`load_as_analysed`).

    Each batch loads in its own transaction. Between loads the loader keeps the file open
    for the next one, but never while another process waits for it: a process waiting for
    the file says so (:func:`newsetl.warehouse.someone_waits`), and the loader then lets go
    at once and loads each batch with an open and close of its own until the waiting is
    over, so ``newsetl maintain``, the nightly deployment or another run take their turn as
    before (they wait at most one batch's load, not the whole run). It lets go on its own,
    too, after ``HOLD_IDLE_S`` without a load and after ``HOLD_MAX_S`` in one stretch (the
    database's caches are dropped then), and at the end of the loads.

    Why keep it open: each open of the file is a new database (its catalog and the indexes
    the load's merges probe) and each close a checkpoint with a disk sync. Measured on the
    181 Zyte pages (8 batches and the run record, /tmp/s6/loadbench.py): 2.8-3.0 s of CPU
    loading them with an open per batch, 1.5-1.7 s with one open. The run's lookups of the
    warehouse between loads (validators, originals, stored translations) join the open
    database too (0.3 ms instead of 16 ms an open); a lookup while nothing holds the file
    (the batches fetched before the first load) opens it for the loader to keep
    (:meth:`keep_open`), under the same rules, instead of opening and closing it (a
    checkpoint) for itself.

    At the end of the run's loads (:meth:`ending`) the last open is kept past
    ``HOLD_MAX_LOADS`` (a load beyond it still lets go first), so that the run's closing
    steps join it (:func:`newsetl.warehouse.held_open`) instead of closing the file after the
    last load and opening it again at once.
    """

    ctx: RunContext
    summary: RunSummary
    report: LoadReport = field(default_factory=LoadReport)
    migrated: bool = False
    _con: Any = field(default=None, repr=False)
    _held_since: float = 0.0
    _held_loads: int = 0
    #: DuckDB's memory limit before the run's (Settings.loader_memory_limit_mb) was set on
    #: the open database; None: the run's limit is not in force
    _memory_before: str | None = None
    _last_load: float = 0.0
    #: the run's last loads are under way (:meth:`ending`)
    _ending: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _watcher: threading.Thread | None = field(default=None, repr=False)

    def connect(self, *, wait: bool = True):
        """A short-lived write connection (bounded waiting; none with ``wait=False``);
        migrations on the first only (none when the run's reader migrated the file when the
        run opened)."""
        settings = self.ctx.settings if wait else self.ctx.settings.replace(lock_retries=0)
        con = open_warehouse(settings, migrate_schema=not (self.migrated or self.ctx.migrated))
        self.migrated = True
        self._memory_before = limit_memory(con, self.ctx.settings.loader_memory_limit_mb)
        return con

    def __call__(self, result: AnalysisResult) -> None:
        """Merge a batch's stats and translations into the run, and load it."""
        self.summary.stats.merge(collect_analysis(self.ctx, result))
        if result.staged is not None:
            self._load_held([result.staged], DEFERRED_BYTES)

    def write_deferred(self) -> None:
        """Write the deferred rows (page bodies) the run's loads left waiting, after its last
        load and before the loads are checkpointed: the closing steps must find the
        write-ahead log holding nothing but their own rows (:meth:`whole_warehouse_steps_due`).
        A busy file leaves them for the run's final load."""
        if deferred_files(self.ctx.settings.staging_path):
            self._load_held([], 0, last=True)

    def _load_held(self, batches: list[Path], deferred_min_bytes: int, last: bool = False) -> None:
        """Load ``batches`` (and the deferred rows once ``deferred_min_bytes`` wait) on the
        kept open, or a new one, kept after as the rules say. ``last``: the deferred rows
        after the last load, on its open (not a load of its own for ``HOLD_MAX_LOADS``)."""
        with self._lock:
            con, self._con = self._con, None
            if con is not None and self._held_loads >= HOLD_MAX_LOADS and not last:
                self._let_go(con)  # kept past the limit by ending(): a new load lets go first
                con = None
            if con is None:
                try:
                    con = self.connect()
                except WarehouseBusy as exc:  # the run's final load takes it
                    log.warning("warehouse busy, left staged for the final load: %s", exc)
                    return
                self._held_since = time.monotonic()
                self._held_loads = 0
            elif self._held_loads == 0:  # kept for lookups (keep_open): the loads start now
                self._held_since = time.monotonic()
            try:
                step = self._load(con, batches, deferred_min_bytes)
                if self._memory_before is not None and "OutOfMemory" in (step.transient or ""):
                    # DuckDB could not do this load within the limit (it could not evict
                    # enough): without the limit for the rest of this open, rather than leave
                    # the batch staged for the run's final load
                    log.warning(
                        "a load needed more than %s MB, loading it without the limit: %s",
                        self.ctx.settings.loader_memory_limit_mb,
                        step.transient,
                    )
                    self._unlimit(con)
                    step = self._load(con, batches, deferred_min_bytes)
            except BaseException:
                self._unlimit(con)
                con.close()
                raise
            self._last_load = time.monotonic()
            self._held_loads += 0 if last else 1
            if self._may_hold():
                self._con = con
                self._watch()
            else:
                self._let_go(con)
        _merge_load(self.summary, step)
        self.report.extras |= step.extras

    def _unlimit(self, con: Any) -> None:
        """DuckDB's own memory limit back on the open database."""
        if self._memory_before is not None:
            restore_memory_limit(con, self._memory_before)
            self._memory_before = None

    def _let_go(self, con: Any) -> None:
        """Let go of the kept file; another connection of this process that still holds the
        database gets DuckDB's own memory limit back (lock held)."""
        self._unlimit(con)
        _let_go(con)

    def _load(self, con: Any, batches: list[Path], deferred_min_bytes: int) -> LoadReport:
        return load_pending(
            self.ctx.settings,
            con,
            batches=batches,
            after_load=False,
            plan=current_plan(),
            deferred_min_bytes=deferred_min_bytes,
        )

    def _may_hold(self) -> bool:
        now = time.monotonic()
        held = now - self._held_since if self._held_loads else 0.0  # from the first load
        return (
            held < HOLD_MAX_S
            and now - self._last_load < HOLD_IDLE_S
            and (self._ending or self._held_loads < HOLD_MAX_LOADS)
            and not someone_waits(self.ctx.settings.db_path)
        )

    def keep_open(self) -> None:
        """Open the file now and keep it as after a load, unless it is kept already (a run's
        lookup joins it then: :class:`newsetl.run.reader.DuckDBReader`).

        Why: before the first load nothing held the file, so each batch's lookup of its
        validators opened the database and closed it, a checkpoint (8 lookups of ~15 ms of
        CPU on the Zyte pages, benchmarks/README.md "Round 13 (run13)"), and the first load
        opened it again. The same rules as after a load let go of it: someone waiting, the
        idle hold (counted from this open), the longest hold (from the first load: counted
        from here, a slow run's start let go of it amid its loads, the checkpoint split in
        two), the end of the loads. A busy file is not waited for here (the lookup's own
        open waits, as before)."""
        with self._lock:
            if self._con is not None or someone_waits(self.ctx.settings.db_path):
                return
            try:
                con = self.connect(wait=False)
            except WarehouseBusy:
                return
            self._held_since = self._last_load = time.monotonic()
            self._held_loads = 0
            self._con = con
            self._watch()

    def whole_warehouse_steps_due(self) -> bool:
        """Whether the run's closing steps will run whole-warehouse steps (the plan's
        ``after_load``, for what this run loaded: the entity resolution, story clusters).

        Why it matters: those steps rewrite tables the loads touched. Checkpointed with the
        loads' rows in one go, the file needed room for both copies at once (+2 MB of free
        blocks on the Zyte warehouse), so the loads are checkpointed first, apart: by the
        loader's close until round 16, now in a thread beside those steps, which join the
        loader's open (:func:`newsetl.warehouse.checkpointing`). Joined, the run's process
        keeps the loads' cached blocks through the steps (+50-60 MB PSS at the end of the
        Zyte run), while the pool's workers, retired with the last analysis, are gone
        (benchmarks/README.md "Round 13 (run13)", "Round 16 (tail16)").
        """
        extras = self.report.extras | self.summary.load.extras
        return bool(extras & current_plan().after_load.keys())

    def ending(self) -> None:
        """The run's remaining loads follow, then its closing steps: the last open is kept
        for them (past ``HOLD_MAX_LOADS``; the other rules hold)."""
        self._ending = True

    def _watch(self) -> None:
        """Start the thread that lets go of the kept file when it should (lock held)."""
        if self._watcher is None or not self._watcher.is_alive():
            self._watcher = threading.Thread(
                target=self._watch_loop, name="newsetl-loader-hold", daemon=True
            )
            self._watcher.start()

    def _watch_loop(self) -> None:
        while True:
            time.sleep(HOLD_POLL_S)
            with self._lock:
                if self._con is None:
                    return
                if not self._may_hold():
                    self._let_go(self._con)
                    self._con = None
                    return

    def release(self) -> None:
        """Let go of the kept file (the end of the run's loads, or before something that
        needs memory elsewhere: :mod:`newsetl.run.shorttexts`)."""
        with self._lock:
            if self._con is not None:
                self._let_go(self._con)
                self._con = None


def _let_go(con: Any) -> None:
    """Close the loader's connection (the database with it, unless another connection of this
    process holds it) and give back what the loads left freed (:func:`newsetl.memory.give_back`)."""
    con.close()
    give_back()


@contextlib.contextmanager
def load_as_analysed(
    ctx: RunContext, summary: RunSummary, *, lookups: bool = False
) -> Iterator[Loader]:
    """A loader for batches in the order they were analysed, while later ones still are;
    with ``lookups``, the run's lookups of the file open it for the loader to keep
    (:meth:`Loader.keep_open`).

    Loading is the one step that must run in this process (one writer); doing it while the
    workers analyse the next batches, instead of after all of them, keeps every core busy.
    The whole-warehouse steps (story clusters) wait for the last load of the run. If the
    warehouse is busy, the batches simply stay staged for the run's final load.
    """
    loader = Loader(ctx, summary)
    reader = ctx.reader if isinstance(ctx.reader, DuckDBReader) else None
    if lookups and reader is not None:
        reader.keeper = loader.keep_open
    try:
        yield loader
    finally:
        if lookups and reader is not None:
            reader.keeper = None
        loader.release()
        summary.load.extras |= loader.report.extras


def _merge_load(summary: RunSummary, report: LoadReport) -> None:
    for key, value in report.counts.items():
        summary.load.counts[key] = summary.load.counts.get(key, 0) + value
    summary.load.loaded += report.loaded
    summary.load.quarantined.extend(report.quarantined)
    summary.load.transient = report.transient or summary.load.transient
