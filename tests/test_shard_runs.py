"""A parent re-run of a distributed ingest and the shard flow runs of its earlier attempt.

Real Prefect (a temporary server): flow runs made through the API in the states an earlier
attempt leaves, tagged as the shard flow tags itself, and real processes (alive, killed) on
this machine. A run whose process is gone is marked Crashed; a live one is waited for, not
submitted again (``newsetl.lake.distributed.earlier_shard_runs``).
"""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import sys
import uuid

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.states import Completed, Running, Scheduled

from newsetl.lake.distributed import (
    HOST_TAG,
    PID_TAG,
    _reconcile_earlier_runs,
    _tag_with_process,
    earlier_shard_runs,
)


@flow(name="newsetl-ingest-shard-test")
def _shard_like() -> list[str]:
    _tag_with_process()
    from prefect.runtime import flow_run

    with get_client(sync_client=True) as client:
        return list(client.read_flow_run(flow_run.id).tags)


@pytest.fixture
def processes():
    """A live process and a killed one (a zombie nobody reaped, as a killed worker's child)."""
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    dead = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    dead.send_signal(signal.SIGKILL)
    try:
        yield live.pid, dead.pid
    finally:
        live.kill()
        live.wait()
        dead.wait()


def test_a_shard_flow_run_tags_itself_with_its_machine_and_process(prefect_harness):
    import os

    tags = _shard_like()
    assert f"{HOST_TAG}{socket.gethostname()}" in tags and f"{PID_TAG}{os.getpid()}" in tags


def test_a_parent_rerun_crashes_dead_shard_runs_and_waits_for_live_ones(
    prefect_harness, processes, caplog
):
    live_pid, dead_pid = processes
    parent = uuid.uuid4().hex
    here = socket.gethostname()

    def tags(host: str, pid: int) -> list[str]:
        return [f"{HOST_TAG}{host}", f"{PID_TAG}{pid}"]

    earlier = {  # shard -> (state, tags) as the first attempt left them
        "h0": (Running(), tags(here, dead_pid)),  # its worker was killed
        "h1": (Running(), tags(here, live_pid)),  # still at work
        "h2": (Running(), tags("elsewhere.example", dead_pid)),  # another machine: unknown
        "h3": (Scheduled(), []),  # not picked up yet
        "h4": (Completed(), tags(here, dead_pid)),  # finished: not this function's business
    }
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow(_shard_like)
        ids = {}
        for shard, (state, run_tags) in earlier.items():
            run = client.create_flow_run(
                _shard_like,
                name=f"{parent[:12]}-{shard}",
                parameters={"parent_run_id": parent, "shard": shard},
                tags=run_tags,
                state=state,
            )
            ids[shard] = run.id
        # a run of another parent whose name shares the prefix is not this parent's
        client.create_flow_run(
            _shard_like,
            name=f"{parent[:12]}-h0",
            parameters={"parent_run_id": parent[:12] + "x" * 20, "shard": "h0"},
            tags=tags(here, dead_pid),
            state=Running(),
        )
        assert flow_id
        live, gone = earlier_shard_runs(client, parent, sorted(earlier))
    assert sorted(live) == ["h1", "h2", "h3"] and sorted(gone) == ["h0"]
    assert gone["h0"].id == ids["h0"]

    with caplog.at_level(logging.INFO):
        waiting = _reconcile_earlier_runs(parent, sorted(earlier), logging.getLogger("test"))
    assert sorted(waiting) == ["h1", "h2", "h3"]
    with get_client(sync_client=True) as client:
        states = {s: client.read_flow_run(i).state for s, i in ids.items()}
    assert states["h0"].type.value == "CRASHED" and "process is gone" in states["h0"].message
    assert {s: states[s].type.value for s in ("h1", "h2", "h3", "h4")} == {
        "h1": "RUNNING",
        "h2": "RUNNING",
        "h3": "SCHEDULED",
        "h4": "COMPLETED",
    }
    assert "marked Crashed" in caplog.text
