"""The one run loop: sources → fetch/extract (a window ahead) → analyse as extracted → load as
analysed → leftovers → run record.

Why one engine: the CLI (through the Prefect flow), the benchmarks, the tests and library
users used to drive two loops (the flow's and ``run_ingest``'s) that had to be kept in step by
hand. Now each caller drives :class:`Run`; what differs between them is *how* a step is
executed (in this thread, or as a Prefect task with retries and a name in the UI) and what is
reported along the way, and that is what :class:`RunHooks` lets them change. The order of the
steps, the fetch-ahead window, the streaming analysis and the loading are the engine's alone.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from newsetl.memory import settle_allocators
from newsetl.pipeline import OriginalLookup, Processed
from newsetl.progress import report
from newsetl.readcopy import refresh_read_copy_after_load
from newsetl.run import shorttexts, warmup
from newsetl.run.reader import WarehouseReader
from newsetl.run.steps import (
    AnalysisFuture,
    AnalysisResult,
    AnalysisStream,
    Loader,
    RunContext,
    chunked,
    collect_analysis,
    default_sources,
    load_as_analysed,
    load_staged,
    open_run,
    source_failures,
    stage_run_record,
    start_batch,
)
from newsetl.run.tailsplit import SplitAnalysisFuture
from newsetl.runs import RunSummary
from newsetl.settings import Settings
from newsetl.sources import Expansion, Target, expand_sources
from newsetl.stages import article_stages
from newsetl.warehouse import checkpointing, held_open
from newsetl.warehouse.staging import warm_arrow_schemas
from newsetl.workers import (
    end_fork_server,
    process_pool,
    release_kept_pools,
    retire_pool,
    worker_count,
)

log = logging.getLogger("newsetl.ingest")

#: Batches being fetched and extracted ahead of the one whose extraction the run waits for:
#: the pool extracts while the next batches are fetched, and no more bodies than that are
#: held at once.
FETCH_AHEAD = 4
#: Seconds between two looks for a finished analysis to load while the run waits for a
#: batch's extraction (:meth:`Run._wait_loading`).
LOAD_POLL_S = 0.02
#: Finished analyses the run loads in a pass of its loop (one batch extracted, its analysis
#: and the next extraction handed to the pool); the rest are loaded while it waits for an
#: extraction (:meth:`Run._wait_loading`), and every finished one in the last pass before the
#: loads wait (:data:`LOADS_IN_GENERATION`). Why: as a pool generation starts, the next
#: batches are extracted already (the old pool finished them), so no pass waits, and the
#: loads the second half held back ran at once, in the first pass, while the new pool had one
#: batch to work on: a core idle ~1 s a generation, longer as the loads grow with the
#: warehouse (benchmarks/README.md "Round 19"). One a pass, the pool is handed the next
#: batches in between.
LOADS_PER_PASS = 1
#: Share of each pool generation (``Settings.recycle_workers_pages`` pages) in which the run
#: loads; in the rest its loads wait for the next generation. Why: a worker grows through its
#: generation (~200 MB PSS fresh, ~370 at its end) and the run's process grows while its
#: loader keeps the file open (~+100-250 MB): the run's peak was the two at once
#: (benchmarks/README.md "Round 18").
LOADS_IN_GENERATION = 0.5


class Extracting(Protocol):
    """A batch on its way through fetch and extraction."""

    def result(self) -> list[Processed]: ...


#: Called with each staged batch directory of a run that ends at staging (see :class:`Run`).
StagedHook = Callable[[Path], None]


class RunHooks:
    """How a :class:`Run` executes its steps, and what it reports between them.

    The defaults run every step in this thread (and the CPU work in the run's process pool);
    the Prefect flow overrides the step methods to run them as tasks, and the ``*ed`` methods
    to publish progress. A hook never changes what the run does, only where it happens.
    """

    # -- steps ---------------------------------------------------------------------------
    def load_leftovers(self, run: Run) -> None:
        """Batches staged by earlier runs while the warehouse was busy go in first."""
        run.load_staged()

    def expand(self, run: Run) -> Expansion:
        return expand_sources(run.sources, run.ctx.fetcher)

    def fetch_extract(
        self, run: Run, index: int, targets: list[Target], pool: Executor | None
    ) -> Extracting:
        """Fetch batch ``index`` (here) and hand its extraction to ``pool``."""
        return start_batch(run.ctx, targets, pool)

    def analyse(
        self,
        run: Run,
        index: int,
        items: list[Processed],
        lookup: OriginalLookup,
        pending: frozenset[str],
        pool: Executor | None,
    ) -> Any:
        """Start the analysis (and staging) of batch ``index``; a future of its
        :class:`AnalysisResult` that :meth:`analysis_done` can poll. One of the run's last
        batches is analysed in parts, one a worker (:mod:`newsetl.run.tailsplit`)."""
        parts = run.analysis_parts(index, pool)
        if parts > 1 and pool is not None:
            return SplitAnalysisFuture(run.ctx, items, lookup, index, pool, pending, parts)
        return AnalysisFuture(run.ctx, items, lookup, index, pool, pending)

    def analysis_done(self, future: Any) -> bool:
        return future.done()

    def load_batch(self, run: Run, index: int, result: AnalysisResult, loader: Loader) -> None:
        """One analysed batch into the warehouse (or handed to the run's staged hook)."""
        run.load_analysed(result, loader)

    def load_final(self, run: Run, what: str) -> None:
        """``staged``: what a busy file left staged, and the whole-warehouse steps;
        ``run-record``: the run row (it needs the load's counts)."""
        run.load_staged()

    def refresh_read_copy(self, run: Run) -> None:
        refresh_read_copy_after_load(run.settings, migrated=run.ctx.migrated)

    # -- reports -------------------------------------------------------------------------
    def expanded(self, run: Run, batches: list[list[Target]]) -> None:
        """The run knows its pages and batches."""

    def extracted(self, run: Run, index: int, items: list[Processed]) -> None:
        """Batch ``index`` is fetched and extracted."""

    def loaded(self, run: Run, index: int, result: AnalysisResult) -> None:
        """Batch ``index`` is analysed and loaded (or staged for a later load)."""

    def finished(self, run: Run) -> None:
        """Everything is loaded and the run record written."""


@dataclass
class Run:
    """One ingestion run.

    ``run_id`` names the run (the flow passes its flow-run id); ``batch_prefix`` names the
    staged batches ``<prefix>-<batch no>`` so that a re-run of a shard re-makes the same ids.
    ``on_staged`` makes the run END AT STAGING: each staged batch (and the run record) is
    handed to it instead of being loaded into the DuckDB file, leftovers are not loaded and the
    read copy is not refreshed: the hook decides where the batches go (append them to the
    lake, or nothing: they stay in the staging area). See docs/scale-out.md "Phase B".
    """

    settings: Settings
    sources: list[str]
    hooks: RunHooks
    ctx: RunContext
    on_staged: StagedHook | None = None
    summary: RunSummary | None = None
    expansion: Expansion | None = None
    #: more columns of the run's ``runs`` row (see :meth:`open`)
    record: dict[str, Any] = field(default_factory=dict)
    #: batches the run's sources expanded to (known once expanded)
    batches: int = 0

    @classmethod
    def open(
        cls,
        settings: Settings | None = None,
        sources: list[str] | None = None,
        *,
        hooks: RunHooks | None = None,
        run_id: str | None = None,
        batch_prefix: str | None = None,
        on_staged: StagedHook | None = None,
        reader: WarehouseReader | None = None,
        before_request: Callable[[str], None] | None = None,
        record: dict[str, Any] | None = None,
    ) -> Run:
        """``reader``: where the run reads what the warehouse remembers (default: the
        DuckDB file; the lake provides its own, docs/scale-out.md "Phase B");
        ``before_request``: called with the host before each request (a rate limit shared
        by several machines); ``record``: more columns of the run's ``runs`` row."""
        settle_allocators()  # a library user's process, where no command or flow did
        settings = settings or Settings.from_env()
        ctx = open_run(
            settings, run_id, batch_prefix=batch_prefix, reader=reader,
            before_request=before_request,
        )  # fmt: skip
        return cls(
            settings,
            list(sources or default_sources()),
            hooks or RunHooks(),
            ctx,
            on_staged,
            record=dict(record or {}),
        )

    @property
    def run_id(self) -> str:
        return self.ctx.run_id

    @property
    def ends_at_staging(self) -> bool:
        return self.on_staged is not None

    # -- the loop ------------------------------------------------------------------------
    def execute(self) -> RunSummary:
        """Run every step; the run's summary. Closes the run whatever happens."""
        try:
            return self._execute()
        finally:
            self.ctx.close()

    def _execute(self) -> RunSummary:
        hooks, ctx = self.hooks, self.ctx
        summary = self.summary = RunSummary(ctx.run_id, self.sources, ctx.started_at)
        summary.record.update(self.record)
        if not self.ends_at_staging:
            hooks.load_leftovers(self)
        expansion = self.expansion = hooks.expand(self)
        summary.targets = len(expansion.targets)
        summary.stats.merge(source_failures(expansion))
        batches = list(chunked(expansion.targets, self.settings.batch_size))
        self.batches = len(batches)
        hooks.expanded(self, batches)
        report("expanded", pages=summary.targets, batches=len(batches))  # the progress bar
        pages_done = pages_failed = 0
        # the staging schemas the run record needs in the serial tail, read now: the pool's
        # fork server is still warming up (~0.3 s after this point on an idle machine)
        warm_arrow_schemas()
        warming: threading.Thread | None = None
        # the closing steps' one open of the file (see held_open), joined before the
        # loader lets go of its last open
        with contextlib.ExitStack() as closing:
            with contextlib.ExitStack() as pools:
                # the run's pool; replaced every Settings.recycle_workers_pages pages
                # (restart_pool, below)
                pool = [pools.enter_context(process_pool(self.settings, summary.targets))]
                # while the pool's fork server warms the analyses, this process waits: what its
                # loads will import is imported now (newsetl.run.warmup)
                if pool[0] is not None and self.settings.entities and not self.ends_at_staging:
                    warming = warmup.start()
                ahead: collections.deque[Extracting] = collections.deque()
                todo: Iterator[tuple[int, list[Target]]] = iter(enumerate(batches))

                def fetch_ahead() -> None:
                    while len(ahead) < FETCH_AHEAD and (batch := next(todo, None)) is not None:
                        ahead.append(hooks.fetch_extract(self, batch[0], batch[1], pool[0]))

                # each batch is analysed as soon as it (and the originals it names) is extracted,
                # and the one writer loads it while later batches are still being extracted
                with load_as_analysed(ctx, summary, lookups=not self.ends_at_staging) as loader:
                    stream = AnalysisStream(
                        lambda n, items, lookup, pending: hooks.analyse(
                            self, n, items, lookup, pending, pool[0]
                        ),
                        hooks.analysis_done,
                        ctx,
                        targets=expansion.targets,
                        originals=any(s.reads_originals for s in article_stages(self.settings)),
                    )
                    loaded = 0

                    def loads_wait_at(pages: int) -> bool:
                        """:func:`loads_wait`'s answer once ``pages`` pages are extracted."""
                        return bool(
                            pool[0] is not None
                            and recycle
                            and ahead
                            and summary.targets - restarted_at > recycle
                            and pages - restarted_at >= recycle * LOADS_IN_GENERATION
                        )

                    def loads_wait() -> bool:
                        """Whether the loads wait for the pool's next generation: in the
                        second half of each (:data:`LOADS_IN_GENERATION`), while its workers
                        are at their largest, when a next generation is to come (not in a run
                        of fewer pages than a generation, nor in a run's last generation). As
                        that half starts, the loader lets go of the file and of what its loads
                        cached (the run's lookups may open it again, fresh)."""
                        waits = loads_wait_at(pages_done)
                        if waits and not loads_waited[0]:
                            loader.release()
                        loads_waited[0] = waits
                        return waits

                    loads_waited = [False]

                    def load_finished(wait: bool, most: int | None = None) -> None:
                        nonlocal loaded
                        if loads_wait() and not wait:
                            return
                        for result in stream.results(wait=wait, most=most):
                            if stream.drained:  # the run's last analysis: the pool is idle
                                retire_pool(pool[0])  # for good (see SharingExecutor.retire)
                            hooks.load_batch(self, loaded, result, loader)
                            hooks.loaded(self, loaded, result)
                            loaded += 1

                    recycle = self.settings.recycle_workers_pages
                    n = 0  # the next batch's place in the analysis and load order
                    # pages whose short text waits for its language (newsetl.run.shorttexts),
                    # by batch: set aside, while the rest of their batch and every later batch
                    # go on, and identified in a process of their own beside the pool
                    set_aside = shorttexts.SetAside(summary.targets)
                    pools.callback(set_aside.close)
                    restarted_at = 0  # pages extracted when the pool (re)started

                    def restart_pool() -> None:
                        """Let the pool finish what it has, end its workers and start new ones
                        (every ``Settings.recycle_workers_pages`` pages)."""
                        nonlocal restarted_at
                        stream.wait_running()
                        load_finished(wait=False)
                        pools.close()
                        release_kept_pools()
                        pool[0] = pools.enter_context(process_pool(self.settings, summary.targets))
                        restarted_at = pages_done

                    def take_identified(wait: bool) -> None:
                        """Each set-aside batch whose pages have their language now (with
                        ``wait``: every one, loading finished analyses meanwhile) analysed as a
                        batch again, in their order, as the next batches in the load order: a
                        duplicate of a page loaded in an earlier batch points to it, as in a
                        run that identified them at once (within a batch, the smaller id is
                        the original: newsetl.warehouse.load._dedupe_articles)."""
                        nonlocal n
                        for items in set_aside.identified(wait, lambda: load_finished(False)):
                            hooks.extracted(self, n, items)
                            stream.extracted(n, items)
                            n += 1

                    fetch_ahead()
                    while ahead:
                        head = ahead.popleft()
                        self._wait_loading(head, pool[0], load_finished)
                        items = head.result()
                        fetch_ahead()
                        batch_pages = len(items)
                        pages_done += batch_pages
                        pages_failed += sum(1 for item in items if item.fetch.outcome == "failed")
                        report(
                            "batch", pages=pages_done, failed=pages_failed, total=summary.targets
                        )
                        items, waiting = shorttexts.set_apart(items)
                        set_aside.add(waiting)
                        set_aside.start()  # at once in a short run (see SetAside)
                        if items:
                            hooks.extracted(self, n, items)
                            stream.extracted(n, items)
                            n += 1
                        if not ahead:  # the last batch is extracted: the last loads follow
                            loader.ending()
                        # one load a pass while the pool is handed its next work, every
                        # finished one in the last pass before the loads wait
                        # (:data:`LOADS_PER_PASS`)
                        load_finished(
                            wait=False,
                            most=LOADS_PER_PASS
                            if pool[0] is not None and not loads_wait_at(pages_done + batch_pages)
                            else None,
                        )
                        if stream.held_back:
                            stream.release_finished()
                        take_identified(wait=shorttexts.due(set_aside.held()))
                        if pool[0] is not None and recycle and pages_done - restarted_at >= recycle:
                            restart_pool()  # fresh workers: see Settings
                    take_identified(wait=True)
                    stream.all_extracted()
                    load_finished(wait=True)
                    if not self.ends_at_staging:
                        loader.write_deferred()
                    # the closing steps open the file one after another: one open (and one
                    # checkpoint at its close) for all of them (see held_open); it joins the
                    # loader's last open (the last load's close is no checkpoint then)
                    keeper = None
                    if not self.ends_at_staging:
                        keeper = closing.enter_context(held_open(self.settings))
                    # over before the read copy's own checkpoint (below), and in any case
                    # before the keeper's close
                    loads_checkpoint = closing.enter_context(contextlib.ExitStack())
                    # whole-warehouse steps due: the loads are checkpointed apart, beside them
                    loads_apart = keeper is not None and loader.whole_warehouse_steps_due()
                if loads_apart:  # the loader has let go; the pool's end may wait for workers
                    loads_checkpoint.enter_context(checkpointing(keeper))
            # the run's pools have ended (their workers joined): the fork server, if this
            # process keeps none for a next run, ends beside the closing steps
            server_ending = end_fork_server() if self.settings.fork_server_per_run else None
            if warming is not None:
                warming.join()  # done long ago (~0.2 s at the run's start)
            if self.ends_at_staging:
                record = stage_run_record(ctx, expansion, summary)
                self._hand_over(record)
            else:
                hooks.load_final(self, "staged")
                stage_run_record(ctx, expansion, summary)
                hooks.load_final(self, "run-record")
                loads_checkpoint.close()
                hooks.refresh_read_copy(self)  # analysts read the copy, never the live file
        if server_ending is not None:
            server_ending.result()  # ended long ago, reaped here: nothing outlives the run
        hooks.finished(self)
        return summary

    @staticmethod
    def _wait_loading(
        head: Extracting, pool: Executor | None, load_finished: Callable[[bool], None]
    ) -> None:
        """Until the pool has extracted every page of ``head`` (the batch the run waits for
        next), load each batch whose analysis is done, in order. Nothing when ``head`` is
        extracted already: the pass hands the pool its next work first (:data:`LOADS_PER_PASS`).

        Why: the run loaded only after each extraction it waited for, so a batch analysed
        while the run waited for the next one waited too; after the last extraction two
        loads (and the closing steps) ran one after another with both workers idle. Now the
        next-to-last batch is loaded while the pool extracts the last one (~0.07 s off the
        spine's tail on the Zyte pages, benchmarks/README.md "Round 12 (spine12)"). The
        batches load in the same order, one at a time, in this thread, as before.

        Only for a batch in a pool that has started (a worker has delivered): before that,
        :meth:`newsetl.pipeline.PendingExtraction.result` hands queued jobs to the early
        extraction helper, which waiting here would delay. A batch of another kind (the
        Prefect flow's task futures) is waited for as before.
        """
        futures = getattr(head, "futures", None)
        if not futures or not getattr(pool, "started", False):
            return
        # one future waited for at a time: a wait installs a waiter on each future it is
        # given, and the batch's 25 at every poll cost the run's process ~0.15 s of CPU on
        # the Zyte pages, beside the workers (benchmarks/README.md "Round 13 (run13)")
        for future in futures:
            while not future.done():
                load_finished(False)
                concurrent.futures.wait((future,), timeout=LOAD_POLL_S)

    # -- what the default hooks call ------------------------------------------------------
    def analysis_parts(self, index: int, pool: Executor | None) -> int:
        """Jobs batch ``index``'s analysis is split into: one per worker for the run's last
        ``Settings.analysis_tail_batches`` batches in a pool, else 1 (see
        :mod:`newsetl.run.tailsplit`, which says why not with an online translator). Not
        without an article stage (the spine): its analysis is the rows alone (~2 ms a page),
        and the parts' staging would move from a worker to this process's serial tail."""
        tail = self.settings.analysis_tail_batches
        if pool is None or tail <= 0 or index < self.batches - tail:
            return 1
        if not article_stages(self.settings):
            return 1
        if getattr(self.ctx.translator, "provider", None) is not None:
            return 1
        return worker_count(self.settings)

    def load_analysed(self, result: AnalysisResult, loader: Loader) -> None:
        """Load one analysed batch, or hand it over if the run ends at staging."""
        if not self.ends_at_staging:
            loader(result)
            return
        assert self.summary is not None
        self.summary.stats.merge(collect_analysis(self.ctx, result))
        if result.staged is not None:
            self._hand_over(result.staged)

    def load_staged(self) -> int:
        """Load everything staged (leftovers, batches a busy file left); batches loaded."""
        assert self.summary is not None
        return load_staged(self.ctx, self.summary).loaded

    def _hand_over(self, staged: Path) -> None:
        assert self.on_staged is not None
        self.on_staged(staged)


def run_sources(
    sources: list[str] | None,
    settings: Settings | None = None,
    *,
    hooks: RunHooks | None = None,
    batch_prefix: str | None = None,
    on_staged: StagedHook | None = None,
    reader: WarehouseReader | None = None,
) -> RunSummary:
    """Open a :class:`Run` and execute it."""
    return Run.open(
        settings,
        sources,
        hooks=hooks,
        batch_prefix=batch_prefix,
        on_staged=on_staged,
        reader=reader,
    ).execute()
