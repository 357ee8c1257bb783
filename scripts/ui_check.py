"""Check in a real browser that a scheduled deployment runs and shows up in the Prefect UI.

What it does, with the same commands docs/operations.md gives users, in a copy of this
checkout (so the warehouse that ``prefect.yaml`` puts under ``$PWD/warehouse`` is throw-away):

1. ``prefect server start --host 127.0.0.1 --port FREE`` with a throw-away ``PREFECT_HOME``
   (scheduler loop every 5 s instead of 60 s, nothing else changed);
2. ``newsetl work-pool newsetl``, ``prefect --no-prompt deploy --all``
   (``prefect.yaml``: the hourly ingest and the nightly maintenance) and ``newsetl writer-limit``
   (both share one concurrency limit);
3. adds a 20-second interval schedule to the ingest deployment (``prefect deployment schedule
   create``), starts ``prefect worker start --pool newsetl`` and waits until a run **created by
   the scheduler** completes, then removes that schedule;
4. runs the deployment on sources where a page fails and a site's robots.txt answers 500: the
   run must end ``Completed`` named ``Partial``, with newsetl's own warning in its logs;
5. while another process holds the read copy open read-write, requests two ingest runs at once
   (one completes, the other is cancelled by the CANCEL_NEW collision strategy, or they run one
   after the other) and a maintenance run, and checks that the reader's session never broke;
6. opens the UI in headless Chromium (Playwright driving ``/usr/bin/chromium``) and checks the
   deployment page and its schedule, the scheduled run's page (Completed), its artifacts and
   summary table, and the partial run's page ("Partial", and the warning in its logs);
7. saves screenshots to ``screenshots/ui-check/`` (git-ignored), stops what it started and exits
   non-zero if any check failed.

Usage: ``.venv/bin/python scripts/ui_check.py [--keep] [--chromium /usr/bin/chromium]``
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PREFECT = str(BIN / "prefect")
NEWSETL = str(BIN / "newsetl")
AUDIT = REPO / "tests" / "offline_audit"  # sitecustomize.py: logs socket.connect/getaddrinfo
#: The check's short extra schedule on the hourly deployment, in seconds.
SCHEDULE_SECONDS = 20.0
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
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
    #: where the runs' part of the connection log starts (set up before it: see deploy_and_run)
    audit_offset: int = 0

    @property
    def checkout(self) -> Path:
        """Where the check deploys from (a copy of this checkout; see :func:`copy_checkout`)."""
        return self.home / "checkout"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, args: list[str], log_name: str) -> subprocess.Popen:
        log = open(self.home / log_name, "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            args, cwd=self.checkout, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.procs.append(proc)
        return proc

    def run(self, args: list[str], timeout: float = 180) -> str:
        done = subprocess.run(
            args, cwd=self.checkout, env=self.env, capture_output=True, text=True, timeout=timeout
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
        # the scheduler service looks for due schedules every 5 s instead of every 60 s
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PWD": str(home / "checkout"),  # prefect.yaml: flows run (and write) in this copy
    }
    env.pop("NEWSETL_DB_PATH", None)  # prefect.yaml's job_variables.env decides
    # every Python process (server, worker, flow runs) logs its connections: none may leave
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(AUDIT), env.get("PYTHONPATH")]))
    env["NEWSETL_AUDIT_LOG"] = str(home / "connections.jsonl")
    stack = Stack(home=home, port=port, env=env)
    copy_checkout(stack.checkout)
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


def copy_checkout(dest: Path) -> Path:
    """The checkout's files (tracked and new, not ignored) in ``dest``: a clean clone to deploy
    from, so ``prefect.yaml``'s ``{{ $PWD }}/warehouse`` is a throw-away warehouse."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, capture_output=True,
        check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, files):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def deploy_and_run(stack: Stack, client: httpx.Client, run_timeout: float) -> dict[str, str]:
    """Server, pool, deployments (+ the shared writer limit), a worker; a run the scheduler
    itself created, completed; a partial run; then runs requested at once; returns ids."""
    stack.start(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(stack.port)],
        "server.log",
    )
    wait_for(lambda: client.get("/health").status_code == 200, 180, "the Prefect server")
    print(f"server up at {stack.ui}")
    # `newsetl work-pool`, not `prefect work-pool create`: the latter has the server fetch
    # Prefect's collection registry from GitHub. Nothing may leave the machine from the
    # server's start on (`stack.audit_offset` stays 0), setup included.
    print(stack.run([NEWSETL, "work-pool", "newsetl"]).strip())
    stack.run([PREFECT, "--no-prompt", "deploy", "--all"], timeout=300)
    print(stack.run([NEWSETL, "writer-limit"]).strip())
    # The hourly cron would make the check wait up to an hour: a second, short schedule on the
    # same deployment, added as a user would; the scheduler service creates its runs.
    stack.run(
        [PREFECT, "deployment", "schedule", "create", INGEST_DEPLOYMENT, "--interval",
         str(SCHEDULE_SECONDS)]
    )  # fmt: skip
    deployment = client.get(f"/deployments/name/{INGEST_DEPLOYMENT}").json()
    stack.start([PREFECT, "worker", "start", "--pool", "newsetl"], "worker.log")
    scheduled = wait_scheduled_run_completed(stack, client, deployment["id"], run_timeout)
    stop_short_schedule(client, deployment)
    ids = {
        "flow_run_id": scheduled["id"],
        "flow_run_name": scheduled["name"],
        "deployment_id": deployment["id"],
    }
    ids.update(partial_run(stack, client, run_timeout))
    # An analyst's long session on the read copy (read-write, like a bare `duckdb FILE`) must
    # not stop the next scheduled load nor the nightly maintenance.
    read_copy = stack.checkout / "warehouse" / "newsetl-read.duckdb"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(read_copy)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=stack.env,
    )  # fmt: skip
    try:
        before = int(reader.stdout.readline())
        # two runs of the hourly deployment requested at once: one runs, the other is
        # cancelled (collision strategy CANCEL_NEW) rather than piling up behind it
        second = trigger(stack, INGEST_DEPLOYMENT)
        third = trigger(stack, INGEST_DEPLOYMENT)
        runs = [wait_final(stack, client, r, run_timeout) for r in (second, third)]
        states = sorted(r["state"]["type"] for r in runs)
        if states == ["COMPLETED", "COMPLETED"]:  # the worker took them one after the other
            first_done, then = sorted(runs, key=lambda r: r["start_time"])
            if then["start_time"] < first_done["end_time"]:
                raise RuntimeError(f"two runs of {INGEST_DEPLOYMENT} overlapped: {runs}")
        elif states != ["CANCELLED", "COMPLETED"]:
            raise RuntimeError(f"runs requested together ended {states}")
        print(f"{INGEST_DEPLOYMENT}: runs requested together: {states}, never side by side")
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


def wait_scheduled_run_completed(
    stack: Stack, client: httpx.Client, deployment_id: str, timeout: float
) -> dict:
    """The first run the scheduler created (``auto_scheduled``) for the deployment, completed
    by the worker. Later scheduled runs due while it runs are cancelled (CANCEL_NEW)."""

    def completed() -> dict | None:
        runs = client.post(
            "/flow_runs/filter",
            json={"flow_runs": {"deployment_id": {"any_": [deployment_id]}}, "sort": "START_TIME_ASC"},
        ).json()  # fmt: skip
        auto = [r for r in runs if r.get("auto_scheduled")]
        for run in auto:
            if run["state"]["type"] in {"FAILED", "CRASHED"}:
                raise RuntimeError(f"scheduled run {run['name']} ended {run['state']['type']}")
            if run["state"]["type"] == "COMPLETED":
                return run
        return None

    run = wait_for(completed, timeout, "a scheduler-created run to complete", interval=2)
    print(f"scheduled flow run {run['name']} (created by the scheduler) completed")
    return run


def stop_short_schedule(client: httpx.Client, deployment: dict) -> None:
    """Remove the check's short schedule and cancel the runs it still has queued."""
    for schedule in client.get(f"/deployments/{deployment['id']}/schedules").json():
        if schedule["schedule"].get("interval") == SCHEDULE_SECONDS:
            client.delete(f"/deployments/{deployment['id']}/schedules/{schedule['id']}")
    runs = client.post(
        "/flow_runs/filter",
        json={"flow_runs": {"deployment_id": {"any_": [deployment["id"]]},
                            "state": {"type": {"any_": ["SCHEDULED", "PENDING", "RUNNING"]}}}},
    ).json()  # fmt: skip
    for run in runs:
        if run.get("auto_scheduled"):
            cancel = {"state": {"type": "CANCELLED", "message": "ui check"}, "force": True}
            client.post(f"/flow_runs/{run['id']}/set_state", json=cancel)
            if run["state"]["type"] != "SCHEDULED":
                wait_for(
                    lambda r=run: client.get(f"/flow_runs/{r['id']}").json()["state"]["type"]
                    in {"CANCELLED", "COMPLETED", "FAILED", "CRASHED"},
                    120, f"run {run['name']} to stop",
                )  # fmt: skip


class RobotsDown(http.server.BaseHTTPRequestHandler):
    """A site whose robots.txt answers 500: newsetl warns (RFC 9309: assume disallow)."""

    def do_GET(self) -> None:
        self.send_response(500 if self.path == "/robots.txt" else 200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html><body>x</body></html>")

    def log_message(self, *args) -> None:
        pass


def partial_run(stack: Stack, client: httpx.Client, timeout: float) -> dict[str, str]:
    """A deployment run where one page fails (a closed port) and a site's robots.txt is down:
    it must end Completed named Partial, with newsetl's warning in its logs."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RobotsDown)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = stack.home / "partial.toml"
        sources = [
            "src/newsetl/samples/site/sitemap.xml",
            f"http://127.0.0.1:{free_port()}/gone.html",
            f"http://127.0.0.1:{server.server_address[1]}/robots-down.html",
        ]
        config.write_text(f"sources = {sources!r}\n".replace("'", '"'), encoding="utf-8")
        run_id = trigger(stack, INGEST_DEPLOYMENT, f"config={config}")
        run = wait_final(stack, client, run_id, timeout)
    finally:
        server.shutdown()
        server.server_close()
    state = run["state"]
    if state["type"] != "COMPLETED" or state["name"] != "Partial":
        raise RuntimeError(f"partial run ended {state['type']}/{state['name']}: {state['message']}")
    logs = wait_for(
        lambda: [
            log for log in client.post(
                "/logs/filter", json={"logs": {"flow_run_id": {"any_": [run_id]}}}
            ).json() if log["name"].startswith("newsetl") and "robots.txt" in log["message"]
        ],
        60, "newsetl's warning in the partial run's logs",
    )  # fmt: skip
    print(
        f"partial run {run['name']}: {state['name']} ({state['message']}); log: {logs[0]['message']}"
    )
    return {"partial_run_id": run_id, "partial_run_name": run["name"]}


READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print(con.execute("SELECT count(*) FROM articles").fetchone()[0], flush=True)
sys.stdin.readline()
print(con.execute("SELECT count(*) FROM articles").fetchone()[0], flush=True)
"""


def trigger(stack: Stack, deployment: str, *params: str) -> str:
    """``prefect deployment run NAME [--param K=V]``, as a user would; returns the run id."""
    args = [a for p in params for a in ("--param", p)]
    out = stack.run([PREFECT, "deployment", "run", deployment, *args])
    match = re.search(r"UUID:\s*([0-9a-f-]{36})", out)
    if not match:
        raise RuntimeError(f"no flow run id in: {out}")
    print(f"triggered {deployment}: flow run {match.group(1)}")
    return match.group(1)


def wait_final(stack: Stack, client: httpx.Client, flow_run_id: str, timeout: float) -> dict:
    """The run once it is in a final state (whichever)."""

    def final() -> dict | None:
        run = client.get(f"/flow_runs/{flow_run_id}").json()
        return run if run["state"]["type"] in FINAL else None

    return wait_for(final, timeout, f"flow run {flow_run_id} to finish", interval=2)


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


def outbound_connections(stack: Stack) -> list[dict]:
    """Connections and name lookups of the server, worker and flow runs that left the machine
    once setup was over (scheduled and requested runs, maintenance, the browser's visits)."""
    import ipaddress

    def local(record: dict) -> bool:
        if record["event"] == "start" or record.get("family") == socket.AF_UNIX:
            return True
        host = record.get("host") if "host" in record else record["address"][0]
        if host is None or str(host).lower() in {"localhost", "ip6-localhost"}:
            return True
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return False

    path = Path(stack.env["NEWSETL_AUDIT_LOG"])
    with path.open("rb") as log:
        log.seek(stack.audit_offset)
        records = [json.loads(line) for line in log.read().decode().splitlines()]
    if not any(r["event"] == "socket.connect" for r in records):
        return [{"problem": "no connection was observed at all (audit hook not loaded?)"}]
    return [r for r in records if not local(r)]


def api_checks(client: httpx.Client, ids: dict[str, str]) -> list[str]:
    """What the UI will render must first be in the API: schedule, run state, artifacts."""
    problems = []
    deployment = client.get(f"/deployments/{ids['deployment_id']}").json()
    crons = [s["schedule"].get("cron") for s in deployment.get("schedules", [])]
    if "0 * * * *" not in crons:
        problems.append(f"deployment schedule missing: {crons}")
    shared = (deployment.get("global_concurrency_limit") or {}).get("name")
    if shared != "newsetl-writers":
        problems.append(f"deployment not on the shared writer limit: {shared}")
    if (deployment.get("concurrency_options") or {}).get("collision_strategy") != "CANCEL_NEW":
        problems.append(f"collision strategy: {deployment.get('concurrency_options')}")
    nightly = client.get(f"/deployments/name/{MAINTENANCE_DEPLOYMENT}").json()
    if (nightly.get("global_concurrency_limit") or {}).get("name") != "newsetl-writers":
        problems.append("the nightly deployment does not share the writer limit")
    env = (deployment.get("job_variables") or {}).get("env") or {}
    if (
        env.get("NEWSETL_TRANSLATOR") != "none"
        or env.get("PREFECT_LOGGING_EXTRA_LOGGERS") != "newsetl"
    ):
        problems.append(f"deployment env: {env}")
    run = client.get(f"/flow_runs/{ids['flow_run_id']}").json()
    if not run.get("auto_scheduled"):
        problems.append("the checked run was not created by the scheduler")
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
            check(page, "summary table names the warehouse", r"newsetl\.duckdb")
            page.wait_for_timeout(1000)
            page.screenshot(path=str(shots / "4-summary-table.png"), full_page=True)

            page.goto(f"{stack.ui}/runs/flow-run/{ids['partial_run_id']}")
            check(page, "partial run page", re.escape(ids["partial_run_name"]))
            check(page, "partial run state", r"^Partial$")
            check(page, "partial run logs: newsetl's warning", r"robots\.txt .* unreachable")
            page.wait_for_timeout(1000)
            page.screenshot(path=str(shots / "5-partial-run.png"), full_page=True)
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
        from newsetl.commands.ops import _busy_retry_transport  # 503 while the db is busy

        transport = _busy_retry_transport()()
        with httpx.Client(base_url=stack.api, timeout=30, transport=transport) as client:
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
        outbound = outbound_connections(stack)
        if outbound:
            problems.append(f"connections that left the machine: {outbound[:10]}")
        else:
            print("no connection left the machine (server, worker, flow runs observed)")
        problems += browser_checks(stack, ids, args.chromium, args.screenshots)
    print(f"screenshots in {args.screenshots} ({time.monotonic() - started:.0f}s)")
    if problems:
        for problem in problems:
            print(f"FAIL {problem}", file=sys.stderr)
        return 1
    print(
        "OK: deployment, schedule, a scheduler-created completed run, its artifacts and a partial "
        "run with newsetl's warning are shown in the UI"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
