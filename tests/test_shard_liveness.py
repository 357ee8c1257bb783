"""A shard whose process dies on another machine must not hang the parent or stay "Running".

Real parts: a ``prefect server start`` (its triggers service runs the automation; its event
persister flushes every half second so heartbeats are readable quickly), flow runs made
through its API, heartbeat events posted to it as a flow run's engine posts them; and end to
end a PostgreSQL catalog, moto's S3, a ``prefect worker`` and ``newsetl lake ingest``, whose
shard process and worker are killed with SIGKILL (a lost machine: nothing reports the end).

No timed assertions: the bounds here only turn a hang into a failure.
"""

from __future__ import annotations

import contextvars
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from distsite import SiteHosts
from lakeservers import (
    MotoServer,
    PostgresServer,
    PrefectServer,
    PrefectWorkers,
    lake_env_vars,
    server_fixture,
    stop_process_group,
)
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.states import Completed, Running

from newsetl.lake.distributed import PID_TAG, _wait
from newsetl.lake.liveness import (
    HEARTBEAT_EVENT,
    ZOMBIE_AUTOMATION,
    ZOMBIE_MESSAGE,
    ensure_zombie_automation,
    heartbeat_env,
    parent_bound,
    silence_s,
)
from newsetl.settings import Settings

BIN = Path(sys.executable).parent
#: A wait that would hang without the bound fails after this long instead.
HANG = 240.0


@flow(name="newsetl-liveness-test")
def _a_flow() -> None:
    """Only its name is used: flow runs of it are made through the API."""


@pytest.fixture(scope="module")
def prefect_server():
    """A real Prefect server (triggers and event persister on), and this process's Prefect
    settings pointing at it."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = PrefectServer()
    server.env["PREFECT_SERVER_SERVICES_EVENT_PERSISTER_FLUSH_INTERVAL"] = "0.5"
    with server, temporary_settings(updates={PREFECT_API_URL: server.env["PREFECT_API_URL"]}):
        yield server


def post_heartbeat(client: Any, run_id: uuid.UUID, deployment_id: uuid.UUID | None = None):
    """The event a flow run's engine sends every heartbeat period (``flow_engine``)."""
    from prefect.events import Event

    related = []
    if deployment_id is not None:
        related.append(
            {
                "prefect.resource.id": f"prefect.deployment.{deployment_id}",
                "prefect.resource.role": "deployment",
            }
        )
    event = Event(
        event=HEARTBEAT_EVENT,
        resource={"prefect.resource.id": f"prefect.flow-run.{run_id}"},
        related=related,
    )
    client._client.post("/events", json=[event.model_dump(mode="json")]).raise_for_status()


def in_thread(target, *args) -> tuple[threading.Thread, dict[str, Any]]:
    """Run ``target(*args)`` in a daemon thread with this context (Prefect's settings)."""
    out: dict[str, Any] = {}
    context = contextvars.copy_context()

    def run() -> None:
        try:
            out["result"] = context.run(target, *args)
        except BaseException as exc:
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def test_the_bounds_follow_the_settings_and_never_undercut_a_heartbeat():
    from prefect.settings.models.flows import FlowsSettings

    short = Settings.from_env({"NEWSETL_SHARD_HEARTBEAT_S": "5", "NEWSETL_SHARD_SILENCE_S": "20"})
    env = heartbeat_env(short)
    assert env == {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}  # Prefect refuses less
    FlowsSettings(heartbeat_frequency=int(env["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"]))
    assert silence_s(short) == 45.0  # 1.5 heartbeats: a shorter bound crashes live runs
    assert parent_bound(short) == 60.0  # the automation acts first
    long = Settings.from_env({"NEWSETL_SHARD_HEARTBEAT_S": "60", "NEWSETL_SHARD_SILENCE_S": "300"})
    assert heartbeat_env(long)["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] == "60"
    assert (silence_s(long), parent_bound(long)) == (300.0, 315.0)
    assert silence_s(Settings()) == 90.0


def test_the_parent_crashes_a_run_it_no_longer_hears_from_and_keeps_one_that_beats(
    prefect_server,
):
    silence = 3.0
    with get_client(sync_client=True) as client:
        dead = client.create_flow_run(_a_flow, name="dead", state=Running())
        alive = client.create_flow_run(_a_flow, name="alive", state=Running())
        post_heartbeat(client, dead.id)  # it beat once, then its machine was lost
    names = {dead.id: "shard s00", alive.id: "shard s01"}
    waiter, out = in_thread(_wait, [dead.id, alive.id], 0.2, silence, names, "p-test")

    # the live run beats for 4 x the bound without any state change, then completes
    with get_client(sync_client=True) as client:
        stop = time.monotonic() + 4 * silence
        while time.monotonic() < stop:
            post_heartbeat(client, alive.id)
            time.sleep(0.5)
        client.set_flow_run_state(alive.id, Completed())
    waiter.join(HANG)
    assert not waiter.is_alive(), "the wait did not end: a dead shard run hangs the parent"
    assert "error" not in out, out
    final = out["result"]
    assert final[alive.id].state.type.value == "COMPLETED"
    state = final[dead.id].state
    assert state.type.value == "CRASHED"
    assert "shard s00" in state.message and "marked Crashed by parent run p-test" in state.message


def test_the_deployed_automation_crashes_a_run_whose_heartbeats_stop(prefect_server):
    silence = 10.0  # Prefect's smallest "within" for a proactive trigger
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow(_a_flow)
        ours = client.create_deployment(flow_id=flow_id, name=f"ours-{uuid.uuid4().hex[:6]}")
        other = client.create_deployment(flow_id=flow_id, name=f"other-{uuid.uuid4().hex[:6]}")
        first = ensure_zombie_automation(client, [ours], 60.0)
        again = ensure_zombie_automation(client, [ours], silence)  # a second deploy: updated
        assert first == again
        automations = client.read_automations_by_name(ZOMBIE_AUTOMATION)
        assert [a.id for a in automations] == [first]
        assert automations[0].trigger.within.total_seconds() == silence

        silent = client.create_flow_run_from_deployment(ours, state=Running())
        beating = client.create_flow_run_from_deployment(ours, state=Running())
        foreign = client.create_flow_run_from_deployment(other, state=Running())
        post_heartbeat(client, silent.id, ours)
        post_heartbeat(client, foreign.id, other)  # not ours: the automation leaves it alone
        deadline = time.monotonic() + HANG
        while True:
            post_heartbeat(client, beating.id, ours)
            state = client.read_flow_run(silent.id).state
            if state.is_final():
                break
            assert time.monotonic() < deadline, "a silent run stayed Running"
            time.sleep(1.0)
        assert state.type.value == "CRASHED"
        assert state.message == ZOMBIE_MESSAGE.format(silence=silence)
        assert client.read_flow_run(beating.id).state.type.value == "RUNNING"
        assert client.read_flow_run(foreign.id).state.type.value == "RUNNING"


# --- end to end: ``newsetl lake ingest`` with a shard whose machine is lost -------------------
postgres = server_fixture(PostgresServer, "module")
s3 = server_fixture(MotoServer, "module", ready=lambda server: server.create_bucket("lake"))
POOL = "newsetl-liveness-test"
#: the automation's bound (``newsetl lake deploy``): the smallest with Prefect's 30 s
#: heartbeats; the parent's own is longer here, so that the automation must do it
SILENCE, PARENT_SILENCE = "45", "75"


@pytest.fixture
def lake_env(tmp_path, postgres, s3, prefect_server) -> dict[str, str]:
    dsn = postgres.create_database(f"zombie_{uuid.uuid4().hex[:10]}")
    return {
        **prefect_server.env,
        "NEWSETL_SHARD_HEARTBEAT_S": "30",
        "NEWSETL_SHARD_SILENCE_S": SILENCE,
        "NEWSETL_PER_HOST_INTERVAL_S": "1.0",  # 40 pages: the shard runs long enough to kill
        "NEWSETL_PROCESS_POOL_MIN_PAGES": "1000000",
        "NEWSETL_PROCESS_POOL_WARM_MIN_PAGES": "1000000",
        "NEWSETL_ALLOW_PRIVATE_NETWORKS": "true",
        "NEWSETL_TRANSLATOR": "none",
        **lake_env_vars(dsn, s3, tmp_path),
    }


def shard_process(client: Any, run_id: str) -> tuple[Any, int] | None:
    """The shard flow run of parent ``run_id`` once it runs, tagged its process id and has a
    heartbeat on the server: (flow run, process id)."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    from newsetl.lake.liveness import latest_heartbeats

    runs = client.read_flow_runs(
        flow_run_filter=FlowRunFilter(name=FlowRunFilterName(like_=f"{run_id[:12]}-"))
    )
    for run in runs:
        pids = [t[len(PID_TAG) :] for t in run.tags if t.startswith(PID_TAG)]
        if run.state and run.state.is_running() and pids and latest_heartbeats(client, [run.id]):
            return run, int(pids[0])
    return None


def test_a_shard_whose_machine_is_lost_ends_crashed_and_the_parent_ends(lake_env, tmp_path):
    deployed = subprocess.run(
        [str(BIN / "newsetl"), "lake", "deploy", "--pool", POOL],
        env=lake_env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert deployed.returncode == 0, deployed.stderr[-3000:]
    workers = PrefectWorkers(POOL, lake_env, tmp_path)
    worker = workers.start()
    run_id = uuid.uuid4().hex
    log = tmp_path / "parent.log"
    try:
        with SiteHosts(hosts=1, pages_per_host=40) as site, open(log, "w") as out:
            parent = subprocess.Popen(
                [str(BIN / "newsetl"), "lake", "ingest", *site.sources, "--shards", "1",
                 "--run-id", run_id, "--no-merge"],
                env={**lake_env, "NEWSETL_SHARD_SILENCE_S": PARENT_SILENCE}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
            try:
                deadline = time.monotonic() + HANG
                found = None
                with get_client(sync_client=True) as client:
                    while found is None:
                        assert parent.poll() is None, log.read_text()[-3000:]
                        assert time.monotonic() < deadline, "the shard never ran"
                        found = shard_process(client, run_id)
                        time.sleep(0.3)
                shard_run, pid = found
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                assert int(stat[1]) == worker.pid  # the shard's process is the worker's child
                # the machine is lost: the shard and its worker die, nobody reports it
                os.kill(pid, signal.SIGKILL)
                os.kill(worker.pid, signal.SIGKILL)
                try:
                    parent.wait(timeout=HANG)
                except subprocess.TimeoutExpired:
                    pytest.fail(
                        f"the parent still waits for a dead shard: {log.read_text()[-2000:]}"
                    )
            finally:
                stop_process_group(parent)
    finally:
        workers.stop()
    text = log.read_text()
    assert parent.returncode != 0, text[-3000:]  # the run failed, saying which shard
    assert "shards ['s00']" in text and "CRASHED" in text, text[-3000:]
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(shard_run.id).state
    assert state.type.value == "CRASHED"
    # by the deployed automation, on the real run's heartbeats (the parent waits longer)
    assert state.message == ZOMBIE_MESSAGE.format(silence=float(SILENCE)), state.message
    assert state.message in text  # the parent's error carries why
    assert httpx.get(f"{lake_env['PREFECT_API_URL']}/health", timeout=5).status_code == 200
