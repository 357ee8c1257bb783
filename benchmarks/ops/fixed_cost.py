"""The fixed cost of one ``newsetl ingest`` run: one local page, temporary vs persistent server.

What a scheduled hourly run pays whatever it fetches: Python and library start-up, the Prefect
server (a temporary one started and stopped by the run when ``PREFECT_API_URL`` is unset), flow
and task orchestration, the warehouse and read-copy refresh. Measured for the two ways to run:

- ``temporary``: ``PREFECT_API_URL`` unset, the run starts its own server (what a bare
  ``newsetl ingest`` does);
- ``persistent``: a ``prefect server start`` already running, ``PREFECT_API_URL`` pointing at it
  (what the deployments in ``prefect.yaml`` use: the worker talks to the running server).

For each: the first run of the page (it is new) and then runs with nothing new (the same page,
unchanged). Wall-clock seconds of the whole ``newsetl ingest`` process, as a user sees them.

Usage: ``.venv/bin/python benchmarks/ops/fixed_cost.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
PAGE = (
    Path(__file__).resolve().parents[2]
    / "src/newsetl/samples/site/en/2026/11/eu-summit-climate-treaty.html"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed_ingest(env: dict[str, str], db: Path, page: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "newsetl"), "ingest", str(page), "--db", str(db), "--json", "-q"],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    status = '"articles_new": 1' if '"articles_new": 1' in done.stdout else "nothing new"
    return seconds, status


def measure(name: str, env: dict[str, str], root: Path, repeat: int) -> dict[str, list[float]]:
    db = root / name / "newsetl.duckdb"
    page = root / name / "page.html"
    page.parent.mkdir(parents=True)
    shutil.copy(PAGE, page)
    first, status = timed_ingest(env, db, page)
    assert "articles_new" in status, status
    again = []
    for _ in range(repeat):
        seconds, status = timed_ingest(env, db, page)
        assert status == "nothing new", status
        again.append(seconds)
    print(f"{name:<11} first run {first:6.1f} s   nothing new: "
          + ", ".join(f"{s:.1f}" for s in again)
          + f" s (median {statistics.median(again):.1f} s)", flush=True)  # fmt: skip
    return {"first": [first], "nothing_new": again}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs with nothing new (3)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="newsetl-fixed-cost-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSETL_"))}
    base |= {
        "PREFECT_HOME": str(root / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "NEWSETL_TRANSLATOR": "none",
        "NEWSETL_CACHE_DIR": str(root / "cache"),
    }
    server = None
    try:
        measure("temporary", base, root, args.repeat)
        port = free_port()
        log = open(root / "server.log", "wb")  # noqa: SIM115 - closed with the process
        server = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=base, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        api = f"http://127.0.0.1:{port}/api"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        measure("persistent", {**base, "PREFECT_API_URL": api}, root, args.repeat)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
