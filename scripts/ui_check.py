"""Check in a real browser that a scheduled deployment runs and shows up in the Prefect UI.

What it does, with the same commands docs/operations.md gives users:

1. ``prefect server start --host 127.0.0.1 --port FREE`` with a throw-away ``PREFECT_HOME``;
2. ``prefect work-pool create --type process newsetl`` and ``prefect --no-prompt deploy --all``
   (``prefect.yaml``: the hourly ingest and the nightly maintenance, each with a cron schedule);
3. triggers a run of the ingest deployment (``prefect deployment run``), starts
   ``prefect worker start --pool newsetl`` and waits for the run to complete, against a warehouse
   in the temporary directory (``NEWSETL_DB_PATH``) so the checkout's warehouse is untouched;
   then, while another process holds the read copy open read-write (as a bare ``duckdb FILE``
   session does), requests two more ingest runs at once and then a maintenance run, and checks
   that all complete, that the two ingest runs did not overlap (with only the deployment's
   ``concurrency_limit: 1``, checked through the API, as the guarantee: on a quiet machine
   short runs may not overlap even without it) and that the reader's session never broke;
4. opens the UI in headless Chromium (Playwright driving ``/usr/bin/chromium``) and checks that
   the deployment page shows the deployment and its schedule, the flow-run page shows the
   Completed run, and its artifacts tab shows the run summary table;
5. saves screenshots to ``screenshots/ui-check/`` (git-ignored), stops what it started and exits
   non-zero if any check failed.

Usage: ``.venv/bin/python scripts/ui_check.py [--keep] [--chromium /usr/bin/chromium]``
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PREFECT = str(BIN / "prefect")
INGEST_DEPLOYMENT = "newsetl-scheduled-ingest/scheduled"
MAINTENANCE_DEPLOYMENT = "newsetl-maintenance/nightly"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    """The processes and files this check starts; all removed by :meth:`stop`."""

    home: Path
    port: int
    env: dict[str, str]
    procs: list[subprocess.Popen] = field(default_factory=list)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, args: list[str], log_name: str) -> subprocess.Popen:
        log = open(self.home / log_name, "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            args, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.procs.append(proc)
        return proc

    def run(self, args: list[str], timeout: float = 180) -> str:
        done = subprocess.run(
            args, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)


@contextlib.contextmanager
def prefect_stack(keep: bool = False) -> Iterator[Stack]:
    home = Path(tempfile.mkdtemp(prefix="newsetl-ui-check-"))
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "true",
        "NEWSETL_DB_PATH": str(home / "warehouse" / "newsetl.duckdb"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PWD": str(REPO),  # prefect.yaml's pull step: run flows in this checkout
    }
    stack = Stack(home=home, port=port, env=env)
    try:
        yield stack
    finally:
        stack.stop()
        if keep:
            print(f"kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


def wait_for(predicate, timeout: float, what: str, interval: float = 1.0):
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except (httpx.HTTPError, KeyError) as exc:
            last_error = exc
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {what} ({last_error})")


def deploy_and_run(stack: Stack, client: httpx.Client, run_timeout: float) -> dict[str, str]:
    """Server, pool, deployments, one triggered run completed by a worker; returns ids."""
    stack.start(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(stack.port)],
        "server.log",
    )
    wait_for(lambda: client.get("/health").status_code == 200, 180, "the Prefect server")
    print(f"server up at {stack.ui}")
    stack.run([PREFECT, "work-pool", "create", "--type", "process", "--overwrite", "newsetl"])
    stack.run([PREFECT, "--no-prompt", "deploy", "--all"], timeout=300)
    flow_run_id = trigger(stack, INGEST_DEPLOYMENT)
    stack.start([PREFECT, "worker", "start", "--pool", "newsetl"], "worker.log")
    run = wait_completed(stack, client, flow_run_id, run_timeout)
    ids = {
        "flow_run_id": flow_run_id,
        "flow_run_name": run["name"],
        "deployment_id": run["deployment_id"],
    }
    # An analyst's long session on the read copy (read-write, like a bare `duckdb FILE`) must
    # not stop the next scheduled load nor the nightly maintenance.
    read_copy = Path(stack.env["NEWSETL_DB_PATH"]).with_name("newsetl-read.duckdb")
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(read_copy)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=stack.env,
    )  # fmt: skip
    try:
        before = int(reader.stdout.readline())
        # two runs of one deployment requested at once: concurrency_limit 1 runs them in turn
        second = trigger(stack, INGEST_DEPLOYMENT)
        third = trigger(stack, INGEST_DEPLOYMENT)
        runs = [wait_completed(stack, client, r, run_timeout) for r in (second, third)]
        first_done, then = sorted(runs, key=lambda r: r["start_time"])
        if then["start_time"] < first_done["end_time"]:
            raise RuntimeError(f"two runs of {INGEST_DEPLOYMENT} overlapped: {runs}")
        print(f"{INGEST_DEPLOYMENT}: runs requested together ran one after the other")
        maintenance = trigger(stack, MAINTENANCE_DEPLOYMENT)
        wait_completed(stack, client, maintenance, run_timeout)
        reader.stdin.write("stop\n")
        reader.stdin.flush()
        still = int(reader.stdout.readline())
        if reader.wait(timeout=30) != 0 or still != before:
            raise RuntimeError(f"the reader on the read copy broke ({before} -> {still})")
    finally:
        if reader.poll() is None:
            reader.kill()
    print(f"a reader held {read_copy.name} through a scheduled load and maintenance")
    ids["maintenance_run_id"] = maintenance
    return ids


READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print(con.execute("SELECT count(*) FROM articles").fetchone()[0], flush=True)
sys.stdin.readline()
print(con.execute("SELECT count(*) FROM articles").fetchone()[0], flush=True)
"""


def trigger(stack: Stack, deployment: str) -> str:
    """``prefect deployment run NAME``, as a user would; returns the flow run id."""
    out = stack.run([PREFECT, "deployment", "run", deployment])
    match = re.search(r"UUID:\s*([0-9a-f-]{36})", out)
    if not match:
        raise RuntimeError(f"no flow run id in: {out}")
    print(f"triggered {deployment}: flow run {match.group(1)}")
    return match.group(1)


def wait_completed(stack: Stack, client: httpx.Client, flow_run_id: str, timeout: float) -> dict:
    def finished() -> str | None:
        state = client.get(f"/flow_runs/{flow_run_id}").json()["state"]["type"]
        if state in {"FAILED", "CRASHED", "CANCELLED"}:
            raise RuntimeError(f"flow run ended {state}; see {stack.home}/worker.log")
        return state if state == "COMPLETED" else None

    wait_for(finished, timeout, f"flow run {flow_run_id} to complete", interval=2)
    run = client.get(f"/flow_runs/{flow_run_id}").json()
    print(f"flow run {run['name']} completed")
    return run


def api_checks(client: httpx.Client, ids: dict[str, str]) -> list[str]:
    """What the UI will render must first be in the API: schedule, run state, artifacts."""
    problems = []
    deployment = client.get(f"/deployments/{ids['deployment_id']}").json()
    crons = [s["schedule"].get("cron") for s in deployment.get("schedules", [])]
    if "0 * * * *" not in crons:
        problems.append(f"deployment schedule missing: {crons}")
    if (deployment.get("concurrency_limit") or 0) != 1 and not deployment.get(
        "global_concurrency_limit"
    ):
        problems.append("deployment has no concurrency limit of 1")
    artifacts = client.post(
        "/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [ids["flow_run_id"]]}}}
    ).json()
    keys = {a.get("key") for a in artifacts}
    for key in ("ingest-summary", "ingest-failures", "ingest-progress"):
        if key not in keys:
            problems.append(f"artifact {key} missing (have {sorted(k for k in keys if k)})")
    filter_ = {"artifacts": {"flow_run_id": {"any_": [ids["maintenance_run_id"]]}}}
    keys = {a.get("key") for a in client.post("/artifacts/filter", json=filter_).json()}
    if "maintenance-summary" not in keys:
        problems.append(f"maintenance-summary artifact missing (have {sorted(keys - {None})})")
    return problems


def browser_checks(
    stack: Stack, ids: dict[str, str], chromium: str, shots: Path, timeout_ms: int = 60000
) -> list[str]:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright

    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    profile = Path(tempfile.mkdtemp(prefix="chromium-", dir=stack.home))

    def check(page, name: str, pattern: str) -> None:
        try:
            expect(page.get_by_text(re.compile(pattern)).first).to_be_visible(timeout=timeout_ms)
        except AssertionError as exc:
            problems.append(f"{name}: {pattern!r} not visible ({str(exc).splitlines()[0]})")

    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            page = browser.new_page()
            page.goto(f"{stack.ui}/deployments/deployment/{ids['deployment_id']}")
            check(page, "deployment page", r"^scheduled$|scheduled")
            check(page, "deployment schedule", r"0 \* \* \* \*|[Ee]very hour|past the hour")
            page.wait_for_timeout(1000)
            page.screenshot(path=str(shots / "1-deployment.png"), full_page=True)

            page.goto(f"{stack.ui}/runs/flow-run/{ids['flow_run_id']}")
            check(page, "flow run page", re.escape(ids["flow_run_name"]))
            check(page, "flow run state", r"^Completed$")
            page.wait_for_timeout(1000)
            page.screenshot(path=str(shots / "2-flow-run.png"), full_page=True)

            try:
                page.get_by_text("Artifacts", exact=True).first.click(timeout=timeout_ms)
            except PlaywrightError as exc:
                problems.append(f"artifacts tab not found: {str(exc).splitlines()[0]}")
            check(page, "artifacts tab", r"ingest-summary")
            check(page, "artifacts tab", r"ingest-failures")
            page.wait_for_timeout(1000)
            page.screenshot(path=str(shots / "3-artifacts.png"), full_page=True)

            summary = client_artifact_id(stack, ids["flow_run_id"], "ingest-summary")
            page.goto(f"{stack.ui}/artifacts/artifact/{summary}")
            check(page, "summary table", r"articles_new")
            check(page, "summary table", r"pages_fetched")
            page.wait_for_timeout(1000)
            page.screenshot(path=str(shots / "4-summary-table.png"), full_page=True)
        finally:
            browser.close()
    return problems


def client_artifact_id(stack: Stack, flow_run_id: str, key: str) -> str:
    with httpx.Client(base_url=stack.api, timeout=30) as client:
        artifacts = client.post(
            "/artifacts/filter",
            json={"artifacts": {"flow_run_id": {"any_": [flow_run_id]}, "key": {"any_": [key]}}},
        ).json()
    return artifacts[0]["id"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--screenshots", type=Path, default=REPO / "screenshots" / "ui-check")
    parser.add_argument("--run-timeout", type=float, default=420.0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary PREFECT_HOME")
    args = parser.parse_args(argv)
    if not Path(args.chromium).exists():
        print(f"no Chromium at {args.chromium} (see .ci/install-chromium)", file=sys.stderr)
        return 2
    started = time.monotonic()
    with prefect_stack(keep=args.keep) as stack:
        with httpx.Client(base_url=stack.api, timeout=30) as client:
            try:
                ids = deploy_and_run(stack, client, args.run_timeout)
            except Exception as exc:
                print(f"FAILED before the browser: {exc}", file=sys.stderr)
                for log in ("server.log", "worker.log"):
                    path = stack.home / log
                    if path.exists():
                        print(f"--- {log} (tail)", file=sys.stderr)
                        print(path.read_text(errors="replace")[-3000:], file=sys.stderr)
                return 1
            problems = api_checks(client, ids)
        problems += browser_checks(stack, ids, args.chromium, args.screenshots)
    print(f"screenshots in {args.screenshots} ({time.monotonic() - started:.0f}s)")
    if problems:
        for problem in problems:
            print(f"FAIL {problem}", file=sys.stderr)
        return 1
    print("OK: deployment, schedule, completed run and its artifacts are shown in the UI")
    return 0


if __name__ == "__main__":
    sys.exit(main())
