"""Real servers for the lake tests: a private PostgreSQL cluster, moto's S3 server, and a
Prefect server with process workers (the distributed ingest).

PostgreSQL comes from Debian's ``postgresql`` package (``.ci/install-postgres`` installs it;
CI runs that from ``.ci/run``). Each test session gets its own cluster in a temporary
directory, on a free port on 127.0.0.1, with trust authentication: nothing of the machine's
own clusters is touched. As root (CI), the cluster runs as the ``postgres`` user, because
PostgreSQL refuses to run as root.

moto (``moto[s3]`` + flask, dev extra) serves S3 on 127.0.0.1 from memory.

Both are stopped by their process ids when the session ends.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx


class Unavailable(RuntimeError):
    """The server's software is not installed on this machine (tests skip, saying so)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bindir() -> Path | None:
    """Debian installs the server under /usr/lib/postgresql/<major>/bin (newest wins)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PostgresServer:
    """``with PostgresServer() as pg: pg.create_database("x"); pg.dsn("x")``."""

    USER = "newsetl"

    def __init__(self) -> None:
        self.bindir = postgres_bindir()
        if self.bindir is None:
            raise Unavailable(
                "PostgreSQL is not installed: run .ci/install-postgres "
                "(apt-get install -y postgresql); CI's .ci/run does"
            )
        self.root = Path(tempfile.mkdtemp(prefix="newsetl-pg-"))
        self.port = free_port()
        self.run_as: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL will not run as root
            try:
                shutil.chown(self.root, user="postgres")
            except LookupError as exc:
                raise Unavailable("no 'postgres' user to run PostgreSQL as (root)") from exc
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self.data = self.root / "data"
        self.log = self.root / "server.log"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self.run_as, *args], check=True, capture_output=True, text=True, timeout=120
        )

    def start(self) -> PostgresServer:
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", self.USER,
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
            str(self.log), "-w", "-t", "60", "start",
        )  # fmt: skip
        return self

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def create_database(self, name: str) -> str:
        """A new, empty database; returns its DSN."""
        subprocess.run(
            [str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
             self.USER, name],
            check=True, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        return self.dsn(name)

    def dsn(self, database: str) -> str:
        return f"dbname={database} host=127.0.0.1 port={self.port} user={self.USER}"

    def __enter__(self) -> PostgresServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


class MotoServer:
    """moto's S3 server on 127.0.0.1; ``endpoint`` is ``host:port``; keys are any string."""

    KEY_ID = "newsetl-test"
    SECRET = "newsetl-test-secret"

    def __init__(self) -> None:
        self.executable = Path(sys.executable).parent / "moto_server"
        if not self.executable.exists():
            raise Unavailable("moto_server not installed: uv sync --extra dev")
        self.port = free_port()
        self.endpoint = f"127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> MotoServer:
        self.process = subprocess.Popen(
            [str(self.executable), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://{self.endpoint}/", timeout=1.0)
                return self
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__()
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)

    def create_bucket(self, name: str) -> None:
        httpx.put(f"http://{self.endpoint}/{name}", timeout=10.0).raise_for_status()

    def objects(self, bucket: str) -> list[str]:
        """Keys in ``bucket`` (first 1,000), to see what the lake wrote."""
        import re

        body = httpx.get(f"http://{self.endpoint}/{bucket}?list-type=2", timeout=10.0).text
        return re.findall(r"<Key>([^<]+)</Key>", body)

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


@contextlib.contextmanager
def started(server_class: type[PostgresServer] | type[MotoServer]) -> Iterator[Any]:
    """A server of ``server_class`` for the tests inside the block, stopped after them; where
    its software is not installed, the tests that need it are skipped, saying why (the lake
    tests' ``postgres`` and ``s3`` fixtures)."""
    import pytest

    try:
        server = server_class()
    except Unavailable as exc:
        pytest.skip(str(exc))
    with server:
        yield server


def server_fixture(
    server_class: type[PostgresServer] | type[MotoServer],
    scope: str,
    ready: Callable[[Any], object] | None = None,
) -> Any:
    """A pytest fixture of ``scope`` giving a :func:`started` server (``ready(server)`` run
    first): ``postgres = server_fixture(PostgresServer, "session")`` in a test module."""
    import pytest

    def fixture() -> Iterator[Any]:
        with started(server_class) as server:
            if ready is not None:
                ready(server)
            yield server

    return pytest.fixture(scope=scope)(fixture)  # type: ignore[call-overload]


def lake_env_vars(dsn: str, s3: MotoServer, tmp_path: Path) -> dict[str, str]:
    """newsetl's settings for a DuckLake warehouse: the catalog in Postgres database ``dsn``,
    the data under an S3 prefix of its own (``tmp_path``'s name) in the ``lake`` bucket of
    ``s3``, and a staging area and an unused local file under ``tmp_path``."""
    return {
        "NEWSETL_WAREHOUSE_BACKEND": "ducklake",
        "NEWSETL_LAKE_CATALOG": f"postgres:{dsn}",
        "NEWSETL_LAKE_DATA_PATH": f"s3://lake/{tmp_path.name}/",
        "NEWSETL_LAKE_S3_ENDPOINT": s3.endpoint,
        "NEWSETL_LAKE_S3_KEY_ID": s3.KEY_ID,
        "NEWSETL_LAKE_S3_SECRET": s3.SECRET,
        "NEWSETL_LAKE_S3_USE_SSL": "false",
        "NEWSETL_DB_PATH": str(tmp_path / "unused.duckdb"),
        "NEWSETL_STAGING_DIR": str(tmp_path / "staging"),
    }


def stop_process_group(process: subprocess.Popen) -> None:
    """Stop a process we started in its own session, and its group (by id): TERM, then KILL."""
    stop_process_groups([process])


def stop_process_groups(processes: list[subprocess.Popen], grace: float = 15) -> None:
    """Stop processes we started each in its own session, and their groups: TERM to all at
    once, then KILL to those still there after ``grace`` seconds in all (not per process: a
    Prefect worker outlives its TERM, and two of them cost the teardown 30 s one by one)."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in running:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


class PrefectServer:
    """``prefect server start`` on 127.0.0.1 in a temporary PREFECT_HOME (no UI, no
    scheduler, no analytics); :attr:`env` is the environment that talks to it."""

    def __init__(self) -> None:
        self.bin = Path(sys.executable).parent
        self.home = Path(tempfile.mkdtemp(prefix="newsetl-prefect-server-"))
        self.port = free_port()
        self.env = {
            **os.environ,
            "PREFECT_HOME": str(self.home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_API_URL": f"http://127.0.0.1:{self.port}/api",
            "PREFECT_LOGGING_LEVEL": "WARNING",
        }
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> PrefectServer:
        log = open(self.home / "server.log", "w")
        self.process = subprocess.Popen(
            [str(self.bin / "prefect"), "server", "start", "--host", "127.0.0.1", "--port",
             str(self.port), "--no-ui", "--no-scheduler", "--analytics-off"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + 180
        while True:
            try:
                health = httpx.get(f"{self.env['PREFECT_API_URL']}/health", timeout=2)
                if health.status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                text = (self.home / "server.log").read_text()[-3000:]
                self.__exit__()
                raise RuntimeError(f"prefect server did not start: {text}")
            time.sleep(0.5)

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop_process_group(self.process)
        self.process = None
        shutil.rmtree(self.home, ignore_errors=True)


class PrefectWorkers:
    """``prefect worker start --pool POOL --limit 1 --type process`` processes, each in a
    session of its own (stopped by process group id), polling every second."""

    def __init__(self, pool: str, env: dict[str, str], logs: Path) -> None:
        self.pool = pool
        self.env = {**env, "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_LOGGING_LEVEL": "INFO"}
        self.logs = logs
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        name = f"w{len(self.processes)}"
        out = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 (the process holds it)
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "prefect"), "worker", "start", "--pool",
             self.pool, "--limit", "1", "--name", f"{name}-{os.getpid()}-{time.time_ns()}",
             "--type", "process"],
            env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        out.close()
        self.processes.append(process)
        return process

    def stop(self) -> None:
        """Stop each worker and the flow runs it started: Prefect starts a flow run in a
        session of its own (``prefect.runner._workspace_supervisor``), so the worker's process
        group is not enough; its descendants are listed first (by parent id, from /proc) and
        stopped by id after it."""
        families = [descendants(process.pid) for process in self.processes]
        stop_process_groups(self.processes)
        for pid in (pid for family in families for pid in family):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    """Process ids below ``pid`` (children first), read from /proc; [] where there is none."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
