"""Shared pytest fixtures.

Local web server: one real HTTP server per test session serving the bundled sample site plus
hostile ``/bad/`` routes (see ``tests/siteserver.py``).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from siteserver import SiteServer

import newsetl.stages  # noqa: F401  (registers the stages' load plan for direct loads)


def _private_dir(variable: str, prefix: str) -> None:
    """Point ``variable`` at a new temporary directory unless it is set, and remove that directory
    when this process exits. Why: each session's cache (~120 MB of lexicon tables) and Prefect
    home were left in /tmp for ever. xdist workers inherit the variable from the controller, so
    only the process that made the directory removes it, after its workers have stopped."""
    if variable in os.environ:
        return
    directory = tempfile.mkdtemp(prefix=prefix)
    os.environ[variable] = directory
    atexit.register(shutil.rmtree, directory, ignore_errors=True)


# Prefect reads its settings at import: a private home and no analytics, before any import.
_private_dir("PREFECT_HOME", "newsetl-prefect-")
_private_dir("NEWSETL_CACHE_DIR", "newsetl-cache-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

# --- local web server --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def site_server() -> Iterator[SiteServer]:
    """The sample site on ``http://127.0.0.1:PORT``; ``.base_url``, ``.url(path)``, ``.requests``,
    ``.clear_log()``, ``.reset()``. Shared by the session: reset it before relying on counters."""
    with SiteServer() as server:
        yield server


@pytest.fixture
def fresh_site_server(site_server: SiteServer) -> SiteServer:
    """``site_server`` with an empty request log and reset per-path counters."""
    site_server.reset()
    return site_server


# --- Prefect ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A real temporary Prefect server (with its own database) for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


# --- a warehouse loaded with the bundled samples --------------------------------------------


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory):
    """A DuckDB file with the bundled sample corpus ingested (in-process, no Prefect)."""
    from newsetl.ingest import run_ingest
    from newsetl.settings import Settings

    root = tmp_path_factory.mktemp("sample-warehouse")
    os.environ.setdefault("NEWSETL_TRANSLATOR", "none")
    settings = Settings.from_env(db_path=root / "samples.duckdb", per_host_interval_s=0.0)
    summary = run_ingest(None, settings)
    assert summary.status == "completed", summary.stats.failures
    return settings.db_path


# --- a migrated warehouse ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def migrated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated warehouse (all migrations + seeds); tests copy it rather than migrate."""
    from newsetl import warehouse

    path = tmp_path_factory.mktemp("migrated-wh") / "template.duckdb"
    connection = warehouse.connect(path)
    warehouse.migrate(connection)
    connection.close()
    return path


@pytest.fixture
def con(tmp_path: Path, migrated_file: Path):
    """A connection to a fresh copy of the migrated warehouse."""
    from newsetl import warehouse

    path = tmp_path / "wh.duckdb"
    shutil.copyfile(migrated_file, path)
    connection = warehouse.connect(path)
    yield connection
    connection.close()
