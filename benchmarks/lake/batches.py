"""Staged batches made by the real pipeline, for the lake's tests and merge benchmark.

What a worker of a distributed run stages: sources expanded, pages fetched (or read from
local files) and extracted, then analysed (language, artefacts, entities) into one
:class:`~newsetl.warehouse.Batch` per ``batch_size`` pages, staged as Parquet with
:func:`~newsetl.warehouse.stage_batch` under names that sort in batch order (run start, run
id, number), as ``newsetl.ingest`` names them. Nothing is loaded: the caller loads the same
batches into a DuckDB file and/or appends them to a lake.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from newsetl.downloads import Fetcher
from newsetl.ingest import build_translator, chunked
from newsetl.pipeline import AnalysisOptions, analyse_batch, fetch_and_extract, source_fetch_rows
from newsetl.settings import Settings
from newsetl.sources import expand_sources
from newsetl.warehouse import Batch, stage_batch


def stage_sources(
    sources: list[str],
    staging_dir: Path,
    *,
    settings: Settings,
    run_id: str,
    batch_size: int = 5,
    limit: int | None = None,
) -> list[Path]:
    """Process ``sources`` into staged batches (plus the run's source fetches as a last batch);
    returns the batch directories in order."""
    fetcher = Fetcher(settings)
    try:
        expansion = expand_sources(sources, fetcher)
        targets = expansion.targets[:limit] if limit else expansion.targets
        options = AnalysisOptions(
            repair=settings.repair,
            entities=settings.entities,
            translator=build_translator([]) if settings.repair else None,
            seed_dirs=settings.extra_seed_dirs,
        )
        started = datetime.now(UTC)
        staged: list[Path] = []
        for n, chunk in enumerate(chunked(targets, batch_size)):
            items = fetch_and_extract(chunk, fetcher)
            batch, _ = analyse_batch(items, run_id, options)
            name = f"{started:%Y%m%dT%H%M%S%f}-{run_id[:8]}-{n:05d}"
            staged.append(stage_batch(batch, staging_dir, name))
        last = Batch()
        for row in source_fetch_rows(expansion.fetches, run_id):
            last.add("fetches", row)
        last.add(
            "runs",
            {
                "run_id": run_id,
                "flow_name": "lake-batches",
                "started_at": started,
                "finished_at": datetime.now(UTC),
                "status": "completed",
                "sources": sources,
                "targets": len(targets),
            },
        )
        name = f"{started:%Y%m%dT%H%M%S%f}-{run_id[:8]}-99999"
        staged.append(stage_batch(last, staging_dir, name))
        return staged
    finally:
        fetcher.close()
