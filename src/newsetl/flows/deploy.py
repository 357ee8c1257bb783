"""Entry points for the scheduled deployments in ``prefect.yaml``.

``ingest_from_config`` reads the list of sources from a TOML file (``config/sources.toml``) at
run time, so editing the file changes what the next scheduled run fetches without redeploying.
It runs the ingest flow's body in its own flow run (``ingest_flow.fn``), so the run's tasks,
progress and artifacts (``ingest-summary``, ``ingest-failures``, ``ingest-progress``) all belong
to the one scheduled run shown in the UI.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.states import State
from prefect.task_runners import ThreadPoolTaskRunner

from newsetl.flows.ingest import EXTRACTION_WINDOW, ingest_flow
from newsetl.flows.maintenance import maintenance_flow

DEFAULT_CONFIG = "config/sources.toml"


def read_sources_config(path: str | Path) -> dict[str, Any]:
    """``{"sources": [...], "db": str | None, "batch_size": int | None}`` from a TOML file.

    Relative sources are resolved against the current directory (the deployment's working
    directory), like on the command line.
    """
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    sources = data.get("sources")
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources) or not sources:
        raise ValueError(f"{path}: 'sources' must be a non-empty list of strings")
    return {"sources": sources, "db": data.get("db"), "batch_size": data.get("batch_size")}


@flow(
    name="newsetl-scheduled-ingest",
    # the same threads as ``newsetl-ingest``: its body runs in this flow run
    task_runner=ThreadPoolTaskRunner(max_workers=2 * EXTRACTION_WINDOW),
    log_prints=True,
    validate_parameters=True,
)
def ingest_from_config(config: str = DEFAULT_CONFIG, db: str | None = None) -> State:
    """Ingest the sources listed in ``config`` (``db`` overrides the file's); ends in the
    ingest flow's state (Completed, Completed named Partial, or Failed)."""
    settings = read_sources_config(config)
    return ingest_flow.fn(
        sources=settings["sources"], db=db or settings["db"], batch_size=settings["batch_size"]
    )


__all__ = ["ingest_from_config", "maintenance_flow", "read_sources_config"]
