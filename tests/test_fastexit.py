"""The console script ends without the interpreter's finalisation (:mod:`newsetl.fastexit`),
and still does everything a normal exit does that a user or a file could see."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

SAMPLE_SITE = Path(__file__).resolve().parents[1] / "src/newsetl/samples/site"

#: A process that leaves a non-daemon thread running, an exit handler, unflushed output and a
#: module-level object with a finaliser, then ends the way ``sys.argv[1]`` says.
SCRIPT = """
import atexit, sys, threading, time
class Finalised:
    def __del__(self):
        sys.__stdout__.write("finaliser ran\\n")
kept = Finalised()
def late():
    time.sleep(0.3)
    print("thread done")
threading.Thread(target=late).start()
atexit.register(lambda: print("exit handler ran"))
print("buffered", end="")
if sys.argv[1] == "fast":
    from newsetl.fastexit import exit_now
    exit_now(3)
sys.exit(3)
"""


def _end(mode: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, timeout=60
    )


def test_a_fast_exit_runs_the_exit_handlers_and_skips_only_the_finalisation() -> None:
    normal, fast = _end("normal"), _end("fast")
    assert normal.returncode == fast.returncode == 3
    assert normal.stdout.splitlines() == [
        "bufferedthread done",
        "exit handler ran",
        "finaliser ran",
    ]
    # the thread joined, the handler ran, the output flushed; no finaliser: the interpreter
    # was not torn down
    assert fast.stdout.splitlines() == ["bufferedthread done", "exit handler ran"]


#: A process that starts multiprocessing's resource tracker, says its pid and ends fast.
TRACKER_SCRIPT = """
from multiprocessing import resource_tracker
resource_tracker.ensure_running()
print(resource_tracker._resource_tracker._pid, flush=True)
from newsetl.fastexit import exit_now
exit_now(0)
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_fast_exit_ends_the_resource_tracker_before_the_process_ends() -> None:
    """The tracker ends on the end of its pipe; left to the kernel's close at exit it was
    alive when the command returned (20 of 20 runs of this script without the change)."""
    for _ in range(5):
        done = subprocess.run(
            [sys.executable, "-c", TRACKER_SCRIPT], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        tracker = int(done.stdout.split()[0])
        assert not _running(tracker), "the resource tracker outlived the command"


def test_the_console_script_ends_fast_after_a_pooled_run(tmp_path: Path) -> None:
    """``newsetl ingest`` with a process pool (fork server, kept workers), as installed: the
    summary is printed in full, the warehouse is closed (no write-ahead log left), and the
    script's end is the fast one (a finaliser of ``__main__`` never runs)."""
    script = shutil.which("newsetl") or str(Path(sys.executable).parent / "newsetl")
    assert "console" in Path(script).read_text()  # the installed entry point
    code = (
        "import sys\n"
        "class F:\n"
        "    def __del__(self): sys.__stdout__.write('finaliser ran\\n')\n"
        "kept = F()\n"
        "from newsetl.cli import console\n"
        "sys.argv = ['newsetl', *sys.argv[1:]]\n"
        "console()\n"
    )
    db = tmp_path / "w.duckdb"
    env = _pooled_ingest_env(tmp_path)
    env["NEWSETL_TEST_TREE_MARK"] = mark = f"fastexit-{os.getpid()}-{tmp_path.name}"
    done = subprocess.run(
        [sys.executable, "-c", code, "ingest", "-q", str(SAMPLE_SITE), "--db", str(db)],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    # nothing the command started (they all inherit its environment) runs once it returned
    assert _marked(mark) == [], "processes of the command alive after it returned"
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("run_id") and "finaliser ran" not in done.stdout
    assert any(line.startswith("articles_new") for line in lines)
    assert not Path(f"{db}.wal").exists()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM runs").fetchall() == [("completed",)]
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] > 0


def _marked(mark: str) -> list[int]:
    """Running processes whose environment holds ``NEWSETL_TEST_TREE_MARK=mark``."""
    needle = f"NEWSETL_TEST_TREE_MARK={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0") and _running(int(entry.name)):
            found.append(int(entry.name))
    return found


#: ``newsetl ingest`` in this process, noting (without changing anything) each worker process
#: a pool starts, and how many of them still run when the closing steps write the run record.
WATCHED_INGEST = """
import sys
from concurrent.futures import ProcessPoolExecutor
from newsetl.run import engine
pids = set()
real_spawn, real_record = ProcessPoolExecutor._spawn_process, engine.stage_run_record
def spawn(self):
    real_spawn(self)
    pids.update(self._processes)
def record(*args, **kwargs):
    alive = 0
    for pid in pids:
        try:
            state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        alive += state != "Z"
    print(f"workers {len(pids)} alive at the closing steps {alive}", file=sys.stderr)
    return real_record(*args, **kwargs)
ProcessPoolExecutor._spawn_process, engine.stage_run_record = spawn, record
import os
from multiprocessing import forkserver
server = []
real_ensure, real_execute = forkserver.ForkServer.ensure_running, engine.Run.execute
def ensure(self):
    real_ensure(self)
    server.append(self._forkserver_pid)
def execute(self):
    summary = real_execute(self)
    alive = sum(os.path.exists(f"/proc/{pid}") for pid in set(server))
    print(f"fork servers {len(set(server))} alive after the run {alive}", file=sys.stderr)
    return summary
forkserver.ForkServer.ensure_running, engine.Run.execute = ensure, execute
from newsetl.cli import console
sys.argv = ["newsetl", *sys.argv[1:]]
console()
"""


def test_the_ingest_commands_workers_end_before_its_closing_steps(tmp_path: Path) -> None:
    """The command runs one run and exits: its pool was kept for a next run that never
    comes, so its idle workers ended only at the exit, where the process waited for them
    (concurrent.futures joins them: ~0.05-0.15 s of the serial tail on the Zyte pages). Its
    pool is not kept now (whatever ``NEWSETL_KEEP_WORKERS`` says): the workers end with
    the run's last analysis, before the closing steps, and its fork server with the run
    (``Settings.fork_server_per_run``)."""
    db = tmp_path / "w.duckdb"
    env = _pooled_ingest_env(
        tmp_path,
        NEWSETL_KEEP_WORKERS="1",
        NEWSETL_REPAIR="0",  # the spine: the pool is the same, the run shorter
        NEWSETL_ENTITIES="0",
    )
    done = subprocess.run(
        [sys.executable, "-c", WATCHED_INGEST, "ingest", "-q", str(SAMPLE_SITE), "--db", str(db)],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "workers 2 alive at the closing steps 0" in done.stderr, done.stderr[-3000:]
    # nor a warm fork server for a next run: it ended beside the closing steps, and was
    # reaped before the run returned (before, it ended only after the command's exit)
    assert "fork servers 1 alive after the run 0" in done.stderr, done.stderr[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM runs").fetchall() == [("completed",)]


#: A process that uses a pool (its fork server warms up with ``newsetl._warm_extraction``),
#: ends the server as the ingest command does, and then exits with status 3 the normal way.
POOL_THEN_EXIT = """
import sys, time
from newsetl.settings import Settings
from newsetl.workers import end_fork_server, process_pool
settings = Settings(
    workers=2, process_pool_min_pages=1, repair=False, entities=False, keep_workers=False
)
with process_pool(settings, 4) as pool:
    assert pool is not None
    assert pool.submit(sum, [1, 2]).result(timeout=120) == 3
from multiprocessing import forkserver
pid = forkserver._forkserver._forkserver_pid
started = time.monotonic()
end_fork_server().result(timeout=60)
print(f"server {pid} ended in {time.monotonic() - started:.3f} s", flush=True)
import os
try:
    os.kill(pid, 0)
except ProcessLookupError:
    print("server reaped", flush=True)
sys.exit(3)
"""


def test_end_fork_server_reaps_the_server_and_leaves_its_starter_s_exit_alone() -> None:
    """:func:`newsetl.workers.end_fork_server` returns at once with a future done when the
    server has ended and been reaped (the ingest command's closing steps go on meanwhile).
    The server ends without the interpreter's teardown (an exit handler it registers in its
    own warm-up, ``workers._end_fork_server_at_once``); the process that started it keeps
    its normal exit: its exit status and what it prints."""
    done = subprocess.run(
        [sys.executable, "-c", POOL_THEN_EXIT],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr[-3000:]
    assert " ended in " in done.stdout and "server reaped" in done.stdout, done.stderr[-3000:]


def _pooled_ingest_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``newsetl ingest`` of the sample site with a pool of two workers,
    no Prefect server and no translator, its Prefect home and staging under ``tmp_path``."""
    return {
        **os.environ,
        "PREFECT_API_URL": "",
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "NEWSETL_TRANSLATOR": "none",
        "NEWSETL_WORKERS": "2",
        "NEWSETL_PROCESS_POOL_MIN_PAGES": "2",
        "NEWSETL_STAGING_DIR": str(tmp_path / "staging"),
        **extra,
    }
