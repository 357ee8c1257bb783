"""Offline by default, observed for real: ``newsetl ingest`` of the bundled corpus, in its own
process (the default without a Prefect server) and as a flow run on a temporary Prefect server
(``--prefect``), with its worker processes, makes no connection and no name lookup that
leaves the machine. Every Python process it starts loads ``tests/offline_audit/sitecustomize.py``,
whose audit hook logs each ``socket.connect`` and ``getaddrinfo``."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

AUDIT = Path(__file__).with_name("offline_audit")
NEWSETL = str(Path(sys.executable).with_name("newsetl"))
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "ip6-localhost"}


def is_local(record: dict) -> bool:
    if record["event"] == "start":
        return True
    if record["event"] != "socket.connect":
        host = record["host"]
        return host is None or str(host).lower() in LOOPBACK_NAMES or _loopback(host)
    if record["family"] == socket.AF_UNIX:
        return True
    host = record["address"][0] if isinstance(record["address"], list) else record["address"]
    return _loopback(host)


def _loopback(host) -> bool:
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.mark.parametrize("how", ["--direct", "--prefect"])
def test_bundled_ingest_makes_no_outbound_connection(tmp_path, how):
    log = tmp_path / "connections.jsonl"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEWSETL_", "PREFECT_"))  # the user's defaults, nothing set
    }
    env |= {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(AUDIT), env.get("PYTHONPATH")])),
        "NEWSETL_AUDIT_LOG": str(log),
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "NEWSETL_CACHE_DIR": str(tmp_path / "cache"),
        # a loaded machine: give the temporary server time (not a network setting)
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    }
    done = subprocess.run(
        [NEWSETL, "ingest", how, "--db", str(tmp_path / "wh" / "newsetl.duckdb"), "-q"],
        env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "completed" in done.stdout
    records = [json.loads(line) for line in log.read_text().splitlines()]
    started = [r["argv"] for r in records if r["event"] == "start"]
    assert started, "the audit hook was not loaded"
    if how == "--prefect":  # the hook sees the temporary server it started, and talks to it
        connects = [r for r in records if r["event"] == "socket.connect"]
        assert connects, "the hook saw nothing: the temporary Prefect server was not reached?"
        servers = [
            argv
            for argv in started[1:]
            if "uvicorn" in " ".join(argv) or "prefect" in " ".join(argv)
        ]
        assert servers
    records = [r for r in records if r["event"] != "start"]  # the CLI and the server it started
    outbound = [r for r in records if not is_local(r)]
    assert outbound == [], outbound


def test_creating_the_work_pool_asks_no_one_outside(tmp_path):
    """``newsetl work-pool`` (the docs' setup step) against a real ``prefect server start``:
    the pool is a ``process`` pool with Prefect's job template, a second call leaves it, and
    neither the command nor the server connects outside (``prefect work-pool create`` has the
    server fetch Prefect's collection registry from GitHub)."""
    import httpx
    from lakeservers import PrefectServer

    log = tmp_path / "connections.jsonl"
    server = PrefectServer()
    path = os.pathsep.join(filter(None, [str(AUDIT), server.env.get("PYTHONPATH")]))
    server.env.update({"PYTHONPATH": path, "NEWSETL_AUDIT_LOG": str(log)})
    with server:
        outputs = [
            subprocess.run(
                [NEWSETL, "work-pool", "newsetl"],
                env=server.env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            for _ in range(2)
        ]
        pool = httpx.get(f"{server.env['PREFECT_API_URL']}/work_pools/newsetl", timeout=10)
    assert [o.returncode for o in outputs] == [0, 0], [o.stderr for o in outputs]
    assert "created" in outputs[0].stdout and "exists" in outputs[1].stdout
    assert pool.json()["type"] == "process"
    assert "command" in pool.json()["base_job_template"]["job_configuration"]
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert any(r["event"] == "socket.connect" for r in records)  # the hook was loaded
    assert [r for r in records if not is_local(r)] == []
