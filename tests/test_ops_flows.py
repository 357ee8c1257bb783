"""The maintenance flow and the scheduled-ingest entry point, run through a real Prefect server;
the deployment file checked against what Prefect will build from it."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
import yaml

from newsetl.settings import REPO_ROOT, Settings
from newsetl.warehouse import Batch, pending_batches, stage_batch

ARTICLE_HTML = """<!doctype html>
<html lang="it"><head><meta charset="utf-8">
<title>Il mercato coperto riapre dopo il restauro del tetto</title>
<meta name="date" content="2026-11-21">
</head><body><article>
<h1>Il mercato coperto riapre dopo il restauro del tetto</h1>
<p>Il mercato coperto del quartiere riapre lunedì dopo diciotto mesi di lavori sul tetto in
ferro e vetro. I banchi di frutta e verdura tornano al piano terra, mentre al primo piano
saranno ospitati un forno e una piccola biblioteca di ricette.</p>
<p>I commercianti hanno chiesto orari più lunghi il sabato. Il comune ha promesso una decisione
entro la fine del mese, dopo un incontro con i residenti della piazza.</p>
<p>Durante il restauro sono state ritrovate le vecchie insegne dipinte a mano, che saranno
esposte all'ingresso principale accanto alla fontana.</p>
</article></body></html>
"""


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    monkeypatch.setenv("NEWSETL_PER_HOST_INTERVAL_S", "0")


def test_ingest_from_config_reads_sources_and_refreshes_the_read_copy(
    prefect_harness, offline, tmp_path
):
    from newsetl.flows.deploy import ingest_from_config

    page = tmp_path / "mercato.html"
    page.write_text(ARTICLE_HTML, encoding="utf-8")
    db = tmp_path / "wh" / "newsetl.duckdb"
    config = tmp_path / "sources.toml"
    config.write_text(f'sources = ["{page}"]\ndb = "{db}"\n', encoding="utf-8")
    summary = ingest_from_config(config=str(config))
    assert summary["status"] == "completed"
    assert summary["articles_new"] == 1
    copy = Settings(db_path=db).read_copy
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute("SELECT language, title FROM articles").fetchall() == [
            ("it", "Il mercato coperto riapre dopo il restauro del tetto")
        ]


def test_sources_config_must_list_sources(tmp_path):
    from newsetl.flows.deploy import read_sources_config

    bad = tmp_path / "bad.toml"
    bad.write_text("sources = []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="sources"):
        read_sources_config(bad)
    shipped = read_sources_config(REPO_ROOT / "config" / "sources.toml")
    assert all((REPO_ROOT / s).exists() for s in shipped["sources"])  # works offline from a clone


def test_maintenance_flow_loads_leftovers_prunes_and_publishes(prefect_harness, offline, tmp_path):
    from prefect.artifacts import Artifact

    from newsetl.flows.maintenance import maintenance_flow

    db = tmp_path / "newsetl.duckdb"
    settings = Settings(db_path=db)
    batch = Batch()
    batch.add(
        "runs",
        {"run_id": "left-behind", "flow_name": "newsetl-ingest", "status": "completed",
         "started_at": datetime.now(UTC)},
    )  # fmt: skip
    stage_batch(batch, settings.staging_path)
    crashed = settings.staging_path / ".19990101T000000-dead.tmp"
    crashed.mkdir()
    old = time.time() - 3 * 86400
    os.utime(crashed, (old, old))

    summary = maintenance_flow(db=str(db))

    assert summary["status"] == "completed"
    assert summary["batches_loaded"] == 1 and pending_batches(settings.staging_path) == []
    assert summary["staging_pruned"] == 1 and not crashed.exists()
    assert Path(summary["read_copy"]) == settings.read_copy
    with duckdb.connect(str(settings.read_copy), read_only=True) as con:
        assert con.execute("SELECT run_id FROM runs").fetchall() == [("left-behind",)]
    artifact = Artifact.get("maintenance-summary")
    assert artifact is not None and "batches_loaded" in str(artifact.data)
    assert Artifact.get("maintenance-report") is not None


def test_prefect_yaml_declares_two_scheduled_single_run_deployments():
    from prefect.client.schemas.schedules import CronSchedule

    config = yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    deployments = {d["name"]: d for d in config["deployments"]}
    assert set(deployments) == {"scheduled", "nightly"}
    for deployment in deployments.values():
        assert deployment["concurrency_limit"]["limit"] == 1
        assert deployment["enforce_parameter_schema"] is True
        assert "writer" in deployment["tags"]  # `newsetl writer-limit` shares one limit
        assert deployment["work_pool"]["name"] == "newsetl"
        env = deployment["work_pool"]["job_variables"]["env"]
        assert env["NEWSETL_DB_PATH"] == "{{ $PWD }}/warehouse/newsetl.duckdb"
        assert env["NEWSETL_TRANSLATOR"] == "none"  # offline by default
        assert env["PREFECT_LOGGING_EXTRA_LOGGERS"] == "newsetl"
        assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
        (schedule,) = deployment["schedules"]
        CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])  # valid cron
        path, _, name = deployment["entrypoint"].partition(":")
        source = (REPO_ROOT / path).read_text(encoding="utf-8")
        assert f"def {name}(" in source
    assert deployments["scheduled"]["parameters"]["config"] == "config/sources.toml"
    # an hourly run due while a writer runs is dropped, not queued; the nightly one waits
    assert deployments["scheduled"]["concurrency_limit"]["collision_strategy"] == "CANCEL_NEW"
    assert deployments["nightly"]["concurrency_limit"]["collision_strategy"] == "ENQUEUE"


def test_scheduled_flow_has_the_ingest_flows_threads_and_validates_parameters():
    from newsetl.flows.deploy import ingest_from_config
    from newsetl.flows.ingest import ingest_flow

    assert ingest_from_config.task_runner._max_workers == ingest_flow.task_runner._max_workers
    assert ingest_from_config.should_validate_parameters
