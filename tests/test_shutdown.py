"""A stopped or killed run leaves no process behind, and the next run completes it (issue 10).

Real processes throughout: ``newsetl ingest`` (the console script, reporting to the session's
Prefect server) or a plain ``run_ingest`` in a child interpreter, each in its own session so
that every process it started, even one re-parented to init after its parent died, is found
by session id in /proc. The pool is forced on (two workers from the first page) and the
fetcher is slowed, so the signal lands while the fork server and its workers are up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from test_cli import NEWSETL, _harness_env

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

POOL_ENV = {
    "NEWSETL_WORKERS": "2",
    "NEWSETL_PROCESS_POOL_MIN_PAGES": "1",
    "NEWSETL_PROCESS_POOL_WARM_MIN_PAGES": "1",
    # extraction only: the fork server loads less, the test is faster, the processes the same
    "NEWSETL_REPAIR": "false",
    "NEWSETL_ENTITIES": "false",
    "NEWSETL_TRANSLATOR": "none",
}


def session_processes(sid: int) -> dict[int, str]:
    """pid -> command line of every live (not zombie) process in session ``sid``."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, session = fields[0], int(fields[3])
        if session == sid and state != "Z":
            found[int(entry.name)] = cmdline
    return found


def pool_workers(sid: int) -> int:
    """Fork-server processes (the server and its workers) in the session."""
    return sum("multiprocessing.forkserver" in c for c in session_processes(sid).values())


def wait_for(condition, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            args,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own session: orphans are still found by session id
        )


def article_urls(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT url FROM articles ORDER BY url").fetchall()]


def test_sigterm_of_a_pooled_cli_ingest_ends_every_process(prefect_harness, site_server, tmp_path):
    feed = site_server.url("/feed.xml")
    db = tmp_path / "term.duckdb"
    env = {**_harness_env(tmp_path), **POOL_ENV, "NEWSETL_PER_HOST_INTERVAL_S": "1.0"}
    log = tmp_path / "term.log"
    proc = start([NEWSETL, "ingest", feed, "--db", str(db)], env, log)
    try:
        # the fork server and at least one worker are up: the run is mid-way
        assert wait_for(lambda: pool_workers(proc.pid) >= 2 or proc.poll() is not None, 240)
        assert proc.poll() is None, log.read_text()[-3000:]
        os.kill(proc.pid, signal.SIGTERM)
        status = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    output = log.read_text()
    assert status == 128 + signal.SIGTERM, output[-3000:]
    assert "stopped by SIGTERM" in output
    assert wait_for(lambda: not session_processes(proc.pid), 10), session_processes(proc.pid)
    # the next run completes (and loads whatever the stopped one staged)
    again = subprocess.run(
        [NEWSETL, "ingest", feed, "--db", str(db)],
        env={**os.environ, **env, "NEWSETL_PER_HOST_INTERVAL_S": "0"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    urls = article_urls(db)
    assert len(urls) >= 12 and len(urls) == len(set(urls))


RUN_SCRIPT = """
import sys
from pathlib import Path
from newsetl.ingest import run_ingest
from newsetl.settings import Settings

if __name__ == "__main__":
    settings = Settings.from_env(db_path=Path(sys.argv[2]))
    summary = run_ingest([sys.argv[1]], settings)
    print("finished", summary.status, flush=True)
"""


def test_kill_9_mid_run_children_exit_and_a_rerun_equals_a_clean_run(site_server, tmp_path):
    from newsetl.ingest import run_ingest
    from newsetl.settings import Settings

    feed = site_server.url("/feed.xml")
    script = tmp_path / "run.py"
    script.write_text(RUN_SCRIPT)
    db = tmp_path / "killed.duckdb"
    env = {
        **POOL_ENV,
        "NEWSETL_PER_HOST_INTERVAL_S": "1.0",
        "NEWSETL_STAGING_DIR": str(tmp_path / "staging"),
    }
    log = tmp_path / "killed.log"
    proc = start([sys.executable, str(script), feed, str(db)], env, log)
    try:
        assert wait_for(lambda: pool_workers(proc.pid) >= 2 or proc.poll() is not None, 240)
        assert proc.poll() is None, log.read_text()[-3000:]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    # nobody ends them: PR_SET_PDEATHSIG / the owner watch must
    assert wait_for(lambda: not session_processes(proc.pid), 10), session_processes(proc.pid)
    assert "finished" not in log.read_text()

    quick = {"per_host_interval_s": 0.0, "repair": False, "entities": False}
    rerun = Settings.from_env(db_path=db, staging_dir=tmp_path / "staging", **quick)
    assert run_ingest([feed], rerun).status == "completed"
    clean = Settings.from_env(
        db_path=tmp_path / "clean.duckdb", staging_dir=tmp_path / "clean-staging", **quick
    )
    assert run_ingest([feed], clean).status == "completed"
    killed_then_rerun, clean_run = article_urls(db), article_urls(clean.db_path)
    assert killed_then_rerun == clean_run
    assert len(killed_then_rerun) == len(set(killed_then_rerun)) >= 12
