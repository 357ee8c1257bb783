"""The run: one engine (:class:`Run`) that strings the steps of an ingestion together.

Orchestration (``newsetl.commands``, the Prefect flows) drives it; it drives the stages
(``newsetl.pipeline``, ``newsetl.stages``); the stages produce rows the warehouse loads.
"""

from newsetl.run.engine import FETCH_AHEAD, Run, RunHooks, StagedHook, run_sources

__all__ = ["FETCH_AHEAD", "Run", "RunHooks", "StagedHook", "run_sources"]
