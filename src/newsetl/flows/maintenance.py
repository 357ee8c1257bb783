"""The nightly maintenance flow: leftovers, re-analysis of pending findings, checkpoint,
compaction, full-text index, read copy, staging.

Runs as the one writer, like a load, and keeps each hold on the live file short: the index is
built in the new read copy, not in the live file (see ``newsetl.readcopy``). A busy live file
makes the steps that need it wait (bounded) and then fail the run, which the next night
repeats; nothing is lost because staged batches stay staged.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from newsetl.readcopy import refresh_read_copy
from newsetl.settings import Settings
from newsetl.stages import current_plan
from newsetl.warehouse import load_pending, open_warehouse, pending_batches, prune_staging

TASK_OPTIONS = {"cache_policy": NO_CACHE, "retries": 2, "retry_delay_seconds": 10}


def load_leftover_batches_step(settings: Settings) -> dict[str, Any]:
    """Batches a busy warehouse left staged go in now."""
    report = load_pending(settings, plan=current_plan())
    if report.busy:
        raise RuntimeError(f"warehouse busy: {report.busy}")
    return {
        "batches_loaded": report.loaded,
        "batches_quarantined": len(report.quarantined),
        "batches_left": len(pending_batches(settings.staging_path)),
    }


def reanalyse_pending_findings_step(settings: Settings) -> dict[str, Any]:
    """Stored pages whose pending findings a translator or the glossary can now resolve are
    analysed again from their raw copy (newsetl.reanalysis): a 304 never re-analyses them."""
    from newsetl.reanalysis import reanalyse_pending

    return reanalyse_pending(settings)


def refresh_stories_and_checkpoint_step(settings: Settings) -> dict[str, Any]:
    """Recompute entity resolution and story clusters over the whole warehouse (loads refresh
    them too; this covers batches loaded by maintenance and any load that was skipped), then
    CHECKPOINT so the WAL is folded into the file."""
    con = open_warehouse(settings)
    try:
        stories = None
        try:
            from newsetl.entities import refresh_entity_layers
        except ImportError:  # entities not installed: nothing to cluster
            refresh_entity_layers = None
        if refresh_entity_layers is not None:
            stories = refresh_entity_layers(con)
        con.execute("CHECKPOINT")
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        con.close()
    return {"articles": int(articles), "stories": stories}


def rebuild_search_and_read_copy_step(settings: Settings) -> dict[str, Any]:
    """A fresh read copy, and the full-text index rebuilt from it."""
    from newsetl.search import indexed_languages, open_search_index

    path = refresh_read_copy(settings, search_index=True)
    con = open_search_index(settings.search_index)
    try:
        per_language = {
            key: con.execute(f"SELECT count(*) FROM search.docs_{key}").fetchone()[0]
            for key in indexed_languages(con)
        }
    finally:
        con.close()
    return {
        "read_copy": str(path),
        "read_copy_mb": round(path.stat().st_size / 1e6, 2),
        "search_index": str(settings.search_index),
        "search_documents": per_language,
    }


def compact_warehouse_step(settings: Settings) -> dict[str, Any]:
    """Rewrite the file without its free blocks when a quarter or more of it is free
    (DuckDB never shrinks its file; see ``newsetl.warehouse.compact``). Before the read copy, so
    the copy is made from the compacted file."""
    from newsetl.warehouse.compact import compact_warehouse

    return {f"compaction_{k}": v for k, v in compact_warehouse(settings).items()}


def prune_staging_step(settings: Settings) -> dict[str, Any]:
    return {"staging_pruned": prune_staging(settings.staging_path)}


#: The steps in order; each is a plain function (tested without Prefect) and a task below.
STEPS = (
    load_leftover_batches_step,
    reanalyse_pending_findings_step,
    refresh_stories_and_checkpoint_step,
    compact_warehouse_step,
    rebuild_search_and_read_copy_step,
    prune_staging_step,
)
TASKS = tuple(
    task(name=step.__name__.removesuffix("_step").replace("_", "-"), **TASK_OPTIONS)(step)
    for step in STEPS
)


def run_maintenance(settings: Settings) -> dict[str, Any]:
    """All steps in-process, without Prefect (libraries, tests); same summary as the flow."""
    return _run(settings, STEPS)


def _run(settings: Settings, steps) -> dict[str, Any]:
    started = time.perf_counter()
    summary: dict[str, Any] = {"db": str(settings.db_path)}
    for step in steps:
        summary.update(step(settings))
    summary["seconds"] = round(time.perf_counter() - started, 2)
    summary["status"] = "completed"
    return summary


@flow(name="newsetl-maintenance", log_prints=True, validate_parameters=False)
def maintenance_flow(db: str | None = None) -> dict[str, Any]:
    """Load leftovers, refresh stories, checkpoint, rebuild search in a new read copy, prune."""
    logger = get_run_logger()
    settings = Settings.from_env(db_path=Path(db) if db else None)
    summary = _run(settings, TASKS)
    create_table_artifact(
        [{"metric": k, "value": str(v)} for k, v in summary.items()],
        key="maintenance-summary",
        description="Maintenance summary",
    )
    create_markdown_artifact(
        _report_markdown(summary), key="maintenance-report", description="Maintenance report"
    )
    logger.info("maintenance done: %s", summary)
    return summary


def _report_markdown(summary: dict[str, Any]) -> str:
    docs = summary.get("search_documents") or {}
    lines = [
        "# Maintenance",
        "",
        f"- articles in the warehouse: **{summary.get('articles')}**",
        f"- story clusters: **{summary.get('stories')}**",
        f"- staged batches loaded: {summary.get('batches_loaded')}, "
        f"set aside: {summary.get('batches_quarantined')}, left: {summary.get('batches_left')}",
        f"- read copy: `{summary.get('read_copy')}` ({summary.get('read_copy_mb')} MB)",
        f"- half-written staging directories removed: {summary.get('staging_pruned')}",
        "",
        "| search index | documents |",
        "| --- | --- |",
        *(f"| {key} | {n} |" for key, n in sorted(docs.items())),
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    import sys

    maintenance_flow(db=sys.argv[1] if len(sys.argv) > 1 else None)
