"""The ingest flow: sources → fetch/extract/language → repair/entities → stage → load.

Work is batched (one task per batch of pages, never one per page: a task run costs ~20 ms of
orchestration), batches run concurrently on threads that share one polite fetcher (so the
per-host interval holds across them), and only the final load task writes to DuckDB.
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
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from newsetl.ingest import (
    AnalysisResult,
    RunContext,
    analysis_result,
    chunked,
    collect_analysis,
    default_sources,
    load_as_analysed,
    load_staged,
    open_run,
    originals_lookup,
    source_failures,
    stage_run_record,
    submit_analysis,
)
from newsetl.pipeline import Processed, fetch_and_extract
from newsetl.readcopy import refresh_read_copy_after_load
from newsetl.runs import RunSummary
from newsetl.settings import Settings
from newsetl.sources import Expansion, Target, expand_sources
from newsetl.workers import process_pool

TASK_OPTIONS = {"cache_policy": NO_CACHE, "retries": 2, "retry_delay_seconds": 2}


@task(name="load-leftovers", **TASK_OPTIONS)
def load_leftovers(ctx: RunContext, summary: RunSummary) -> int:
    """Batches staged by earlier runs while the warehouse was busy go in first."""
    return load_staged(ctx, summary).loaded


@task(name="expand-sources", **TASK_OPTIONS)
def expand(sources: list[str], ctx: RunContext) -> Expansion:
    return expand_sources(sources, ctx.fetcher)


@task(name="fetch-extract-batch", **TASK_OPTIONS)
def fetch_extract_batch(targets: list[Target], ctx: RunContext, pool=None) -> list[Processed]:
    return fetch_and_extract(targets, ctx.fetcher, ctx.page_state, executor=pool)


@task(name="analyse-stage-batch", **TASK_OPTIONS)
def analyse_stage_batch(
    items: list[Processed], ctx: RunContext, lookup, pool=None, index: int | None = None
) -> AnalysisResult:
    return analysis_result(
        submit_analysis(items, ctx, lookup, executor=pool, index=index), items, ctx, lookup, index
    )


@task(name="load-warehouse", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=5)
def load_warehouse(ctx: RunContext, summary: RunSummary) -> int:
    """The single writer. A busy file leaves batches staged for the next run (no loss)."""
    report = load_staged(ctx, summary)
    if report.busy:
        get_run_logger().warning(
            "warehouse busy, %s batches stay staged: %s", report.left_staged, report.busy
        )
    return report.loaded


@flow(
    name="newsetl-ingest",
    task_runner=ThreadPoolTaskRunner(max_workers=4),
    log_prints=True,
    validate_parameters=False,
)
def ingest_flow(
    sources: list[str] | None = None,
    db: str | None = None,
    batch_size: int | None = None,
) -> dict:
    """Ingest news from pages, feeds, sitemaps, local files or WARCs into the warehouse."""
    logger = get_run_logger()
    settings = Settings.from_env(db_path=Path(db) if db else None, batch_size=batch_size)
    sources = list(sources or default_sources())
    ctx = open_run(settings, run_id=str(flow_run.get_id() or "") or None)
    try:
        summary = RunSummary(ctx.run_id, sources, ctx.started_at)
        load_leftovers(ctx, summary)
        expansion = expand(sources, ctx)
        summary.targets = len(expansion.targets)
        summary.stats.merge(source_failures(expansion))
        batches = list(chunked(expansion.targets, settings.batch_size))
        logger.info(
            "%s sources -> %s pages in %s batches", len(sources), summary.targets, len(batches)
        )
        progress = create_progress_artifact(
            0.0, key="ingest-progress", description="Pages processed"
        )
        processed: list[list[Processed]] = []
        with process_pool(settings, summary.targets) as pool:
            futures = [fetch_extract_batch.submit(chunk, ctx, pool) for chunk in batches]
            for n, future in enumerate(futures, start=1):
                processed.append(future.result())
                failed = sum(1 for item in processed[-1] if item.fetch.outcome == "failed")
                logger.info(
                    "fetched batch %s/%s (%s pages, %s failed)",
                    n,
                    len(futures),
                    len(processed[-1]),
                    failed,
                )
                update_progress_artifact(progress, 50.0 * n / max(1, len(futures)))
            lookup = originals_lookup((p for chunk in processed for p in chunk), settings)
            futures = [
                analyse_stage_batch.submit(chunk, ctx, lookup, pool, n)
                for n, chunk in enumerate(processed)
            ]
            # the one writer loads each batch while the next ones are still being analysed
            with load_as_analysed(ctx, summary) as load:
                for n, future in enumerate(futures, start=1):
                    result = future.result()
                    summary.stats.merge(collect_analysis(ctx, result))
                    load(result.staged)
                    update_progress_artifact(progress, 50.0 + 45.0 * n / max(1, len(futures)))
        load_warehouse(ctx, summary)
        stage_run_record(ctx, expansion, summary)
        load_warehouse(ctx, summary)
        refresh_read_copy_after_load(settings)  # analysts read the copy, never the live file
        update_progress_artifact(progress, 100.0)
        create_table_artifact(summary.table(), key="ingest-summary", description="Run summary")
        create_markdown_artifact(
            summary.failures_markdown(), key="ingest-failures", description="Failures"
        )
        logger.info("run %s %s\n%s", ctx.run_id, summary.status, summary.text())
        return summary.to_json()
    finally:
        ctx.close()


if __name__ == "__main__":  # pragma: no cover
    import sys

    ingest_flow(sources=sys.argv[1:] or None)
