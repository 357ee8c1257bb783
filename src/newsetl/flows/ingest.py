"""The ingest flow: sources → fetch/extract/language → repair/entities → stage → load.

Work is batched (one task per batch of pages, never one per page: a task run costs ~20 ms of
orchestration), batches run concurrently on threads that share one polite fetcher (so the
per-host interval holds across them), the CPU-bound work runs in a process pool, and only the
flow's own thread writes to DuckDB: each batch as soon as it is analysed, then the run record.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.states import Completed, Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

from newsetl.readcopy import refresh_read_copy_after_load
from newsetl.run import FETCH_AHEAD, Run, RunHooks
from newsetl.run.steps import (
    AnalysisFuture,
    AnalysisResult,
    Loader,
    default_sources,
    load_staged,
    run_context,
    start_batch,
)
from newsetl.runs import RunSummary
from newsetl.settings import Settings
from newsetl.sources import Expansion, Target, expand_sources

TASK_OPTIONS = {"cache_policy": NO_CACHE, "retries": 2, "retry_delay_seconds": 2}

#: Batches being fetched and extracted at once (the engine's window). Each holds a thread of
#: the task runner while it waits for the process pool; the rest of the runner's threads are
#: for the analysis tasks, which would otherwise queue behind the extraction of every batch.
EXTRACTION_WINDOW = FETCH_AHEAD


class Opaque:
    """A task argument Prefect passes as it is.

    Prefect walks every task parameter (dataclasses, lists and dicts all the way down) twice
    per task run, to find futures in it: a batch of pages with their texts, or the run's
    loader, cost milliseconds per task that way. Tasks take the run id and such handles.
    """

    __slots__ = ("value",)

    def __init__(self, value) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"<{type(self.value).__name__}>"


@task(name="load-leftovers", task_run_name="load-leftovers", **TASK_OPTIONS)
def load_leftovers(run_id: str, summary: RunSummary) -> int:
    """Batches staged by earlier runs while the warehouse was busy go in first."""
    return load_staged(run_context(run_id), summary).loaded


@task(name="expand-sources", task_run_name="expand-sources", **TASK_OPTIONS)
def expand(sources: list[str], run_id: str) -> Expansion:
    return expand_sources(sources, run_context(run_id).fetcher)


@task(name="fetch-extract-batch", task_run_name="fetch-extract-batch-{index}", **TASK_OPTIONS)
def fetch_extract_batch(targets: list[Target], run_id: str, pool=None, index: int = 0) -> Opaque:
    """The batch's pages (an :class:`Opaque` list of Processed)."""
    return Opaque(start_batch(run_context(run_id), targets, pool).result())


@task(name="analyse-stage-batch", task_run_name="analyse-stage-batch-{index}", **TASK_OPTIONS)
def analyse_stage_batch(
    items: Opaque,
    run_id: str,
    lookup,
    pool=None,
    index: int | None = None,
    pending: frozenset[str] = frozenset(),
    batch: int | None = None,
) -> AnalysisResult:
    """Analyse and stage one batch; ``index`` numbers the task (from 1), ``batch`` is the
    engine's batch number (from 0, it names the staged batch)."""
    ctx = run_context(run_id)
    return AnalysisFuture(ctx, items.value, lookup, batch, pool, pending).result()


@task(name="load-batch", task_run_name="load-batch-{index}", cache_policy=NO_CACHE)
def load_batch(load: Opaque, result: AnalysisResult, index: int = 0) -> int:
    """One analysed batch into the warehouse, by the run's one writer (called in the flow's
    thread, so every load shows in the UI as it happens); returns its articles. A busy file
    leaves the batch staged for the run's final load, so this never needs a retry.
    ``load`` is the (opaque) pair of the engine's :class:`Run` and its loader."""
    run, loader = load.value
    run.load_analysed(result, loader)
    return result.stats.articles


@task(name="load-warehouse", task_run_name="load-{what}", cache_policy=NO_CACHE, retries=3,
      retry_delay_seconds=5)  # fmt: skip
def load_warehouse(run_id: str, summary: RunSummary, what: str = "staged") -> int:
    """The single writer. A busy file leaves batches staged for the next run (no loss).

    Runs twice per run, named by what it loads: ``load-staged`` (batches a busy file left
    staged, and the whole-warehouse steps such as story clusters), then ``load-run-record``
    (the ``runs`` row, which needs the load's counts)."""
    report = load_staged(run_context(run_id), summary)
    if report.busy:
        get_run_logger().warning(
            "warehouse busy, %s batches stay staged: %s", report.left_staged, report.busy
        )
    return report.loaded


@task(name="refresh-read-copy", task_run_name="refresh-read-copy", cache_policy=NO_CACHE)
def refresh_read_copy_task(settings: Settings, migrated: bool = False) -> None:
    """Publish the read copy analysts query (never the live file); a failure is logged by
    ``refresh_read_copy_after_load`` and does not fail the load. ``migrated``: the run
    migrated the live file already."""
    refresh_read_copy_after_load(settings, migrated=migrated)


class _Extraction:
    """A batch's fetch-extract task, as the engine's :class:`~newsetl.run.engine.Extracting`."""

    def __init__(self, future: PrefectFuture) -> None:
        self.future = future

    def result(self):
        return self.future.result().value


class PrefectHooks(RunHooks):
    """The engine's steps as Prefect tasks (named, retried, shown in the UI), its progress
    as a progress artifact, and its summary as table and markdown artifacts.

    Nothing big goes into a task parameter: tasks get the run id, and batches, the loader and
    the pool travel in an :class:`Opaque` or as handles."""

    def __init__(self) -> None:
        self.batches = 0
        self.progress = None
        self.done = {"extracted": 0, "loaded": 0, "pages": 0, "failed": 0}

    # steps
    def load_leftovers(self, run: Run) -> None:
        assert run.summary is not None
        load_leftovers(run.run_id, run.summary)

    def expand(self, run: Run) -> Expansion:
        return expand(run.sources, run.run_id)

    def fetch_extract(self, run: Run, index: int, targets: list[Target], pool) -> _Extraction:
        return _Extraction(fetch_extract_batch.submit(targets, run.run_id, pool, index + 1))

    def analyse(self, run: Run, index, items, lookup, pending, pool) -> PrefectFuture:
        return analyse_stage_batch.submit(
            Opaque(items), run.run_id, lookup, pool, index + 1, pending, index
        )

    def analysis_done(self, future: PrefectFuture) -> bool:
        return future.wrapped_future.done()

    def load_batch(self, run: Run, index: int, result: AnalysisResult, loader: Loader) -> None:
        load_batch(Opaque((run, loader)), result, index + 1)

    def load_final(self, run: Run, what: str) -> None:
        assert run.summary is not None
        load_warehouse(run.run_id, run.summary, what)

    def refresh_read_copy(self, run: Run) -> None:
        refresh_read_copy_task(run.settings, run.ctx.migrated)

    # reports
    def expanded(self, run: Run, batches: list[list[Target]]) -> None:
        assert run.summary is not None
        self.batches = len(batches)
        targets = run.summary.targets
        get_run_logger().info(
            "%s sources -> %s pages in %s batches", len(run.sources), targets, len(batches)
        )
        self.progress = create_progress_artifact(
            0.0,
            key="ingest-progress",
            description=f"0 of {targets} pages fetched; warehouse {run.settings.db_path}",
        )

    def _step(self, run: Run, what: str) -> None:
        assert run.summary is not None
        done = self.done
        done[what] += 1
        # pages set aside for their language come back as batches of their own
        # (newsetl.run.shorttexts): the count grows past the expanded one
        batches = max(self.batches, done["extracted"])
        share = (done["extracted"] + done["loaded"]) / (2 * max(1, batches))
        update_progress_artifact(
            self.progress,
            95.0 * share,
            description=(
                f"{done['pages']} of {run.summary.targets} pages fetched "
                f"({done['failed']} failed); batches extracted "
                f"{done['extracted']}/{batches}, loaded "
                f"{done['loaded']}/{batches}; warehouse {run.settings.db_path}"
            ),
        )

    def extracted(self, run: Run, index: int, items) -> None:
        assert run.summary is not None
        failed = sum(1 for item in items if item.fetch.outcome == "failed")
        self.done["pages"] += len(items)
        self.done["failed"] += failed
        get_run_logger().info(
            "fetched batch %s/%s (%s pages, %s failed)", index + 1,
            max(self.batches, index + 1), len(items), failed,
        )  # fmt: skip
        self._step(run, "extracted")

    def loaded(self, run: Run, index: int, result: AnalysisResult) -> None:
        self._step(run, "loaded")

    def finished(self, run: Run) -> None:
        summary, settings, logger = run.summary, run.settings, get_run_logger()
        assert summary is not None
        update_progress_artifact(
            self.progress,
            100.0,
            description=(
                f"done: {summary.targets} pages, {summary.stats.failed} failed, "
                f"{self.batches} batches; {summary.status}; warehouse {settings.db_path}"
            ),
        )
        create_table_artifact(
            [{"metric": "warehouse", "value": str(settings.db_path)}, *summary.table()],
            key="ingest-summary",
            description=f"Run summary ({summary.status}); warehouse {settings.db_path}",
        )
        create_markdown_artifact(
            summary.failures_markdown(), key="ingest-failures", description="Failures"
        )
        # one line: the full table is the ingest-summary artifact (and what the CLI prints)
        logger.info(
            "run %s %s: %s pages, %s new articles, %s failed; warehouse %s",
            run.run_id,
            summary.status,
            summary.targets,
            summary.count("articles_new"),
            summary.stats.failed,
            settings.db_path,
        )
        if summary.status != "completed":
            logger.warning("run %s ended %s: %s", run.run_id, summary.status,
                           final_state(summary, settings).message)  # fmt: skip


def final_state(summary: RunSummary, settings: Settings) -> State:
    """The flow run's end state as the UI should show it: a run where some pages failed or
    batches stayed staged is ``Completed`` named **Partial** with the reason as its message
    (not a plain green Completed); a run that processed nothing is ``Failed``."""
    data = summary.to_json()
    reason = (
        f"{summary.failed_text()}, {summary.staged_left} batches left "
        f"staged, {len(summary.load.quarantined)} set aside; warehouse {settings.db_path}"
    )
    if summary.status == "failed":
        return Failed(message=f"nothing could be processed: {reason}", data=data)
    if summary.status == "partial":
        return Completed(name="Partial", message=f"partial run: {reason}", data=data)
    return Completed(message=f"{summary.targets} pages; warehouse {settings.db_path}", data=data)


@flow(
    name="newsetl-ingest",
    task_runner=ThreadPoolTaskRunner(max_workers=2 * EXTRACTION_WINDOW),
    log_prints=True,
    validate_parameters=False,
)
def ingest_flow(
    sources: list[str] | None = None,
    db: str | None = None,
    batch_size: int | None = None,
) -> dict:
    """Ingest news from pages, feeds, sitemaps, local files or WARCs into the warehouse.

    Ends ``Completed``, ``Completed`` named ``Partial`` (some pages failed) or ``Failed``
    (nothing processed), each with the run summary as its result (see :func:`final_state`).
    """
    settings = Settings.from_env(db_path=Path(db) if db else None, batch_size=batch_size)
    run = Run.open(
        settings,
        list(sources or default_sources()),
        hooks=PrefectHooks(),
        run_id=str(flow_run.get_id() or "") or None,
    )
    summary = run.execute()
    return final_state(summary, settings)


if __name__ == "__main__":  # pragma: no cover
    import sys

    ingest_flow(sources=sys.argv[1:] or None)
