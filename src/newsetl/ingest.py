"""One ingestion run without an orchestrator: :func:`run_ingest`, and the run's steps.

The steps live in :mod:`newsetl.run.steps` and the one run loop in :mod:`newsetl.run.engine`;
this module keeps the names benchmarks, tests and library users import.
"""

from __future__ import annotations

from newsetl.run.engine import FETCH_AHEAD, Run, RunHooks
from newsetl.run.reader import DuckDBReader, WarehouseReader, warehouse_originals
from newsetl.run.steps import (  # noqa: F401 (_RUNS: the open runs, for tests)
    _RUNS,
    AnalysisFuture,
    AnalysisResult,
    AnalysisStream,
    Loader,
    RunContext,
    absorb_translations,
    add_originals,
    analyse_and_stage,
    analyse_and_stage_job,
    analysis_result,
    build_translator,
    chunked,
    collect_analysis,
    default_sources,
    load_as_analysed,
    load_staged,
    open_run,
    originals_for,
    pending_forms,
    run_context,
    source_failures,
    stage_run_record,
    start_batch,
    submit_analysis,
    wanted_originals,
)
from newsetl.runs import RunSummary
from newsetl.settings import Settings

__all__ = [
    "FETCH_AHEAD",
    "AnalysisFuture",
    "AnalysisResult",
    "AnalysisStream",
    "DuckDBReader",
    "Loader",
    "Run",
    "RunContext",
    "RunHooks",
    "WarehouseReader",
    "absorb_translations",
    "add_originals",
    "analyse_and_stage",
    "analyse_and_stage_job",
    "analysis_result",
    "build_translator",
    "chunked",
    "collect_analysis",
    "default_sources",
    "load_as_analysed",
    "load_staged",
    "open_run",
    "originals_for",
    "pending_forms",
    "run_context",
    "run_ingest",
    "source_failures",
    "stage_run_record",
    "start_batch",
    "submit_analysis",
    "wanted_originals",
    "warehouse_originals",
]


def run_ingest(sources: list[str] | None, settings: Settings | None = None) -> RunSummary:
    """The whole run in-process (no Prefect): :class:`newsetl.run.Run` with its default hooks."""
    return Run.open(settings, sources).execute()
