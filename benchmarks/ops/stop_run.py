"""How fast a stopped or killed pooled run is gone, helper processes included (issue 10).

Starts a pooled ingest (two workers from the first page, repair and entities on, so the fork
server loads everything) of N copies of the bundled sample pages in a child interpreter of
its own session, waits until the fork server has forked its workers, then sends SIGTERM
(the run is wrapped in ``newsetl.shutdown.stop_on_signals``, as the CLI is) or SIGKILL, and
measures until the run's process exits and until no process of its session is left (the
fork server, its workers and the resource tracker included; found in /proc by session id).

Usage: ``.venv/bin/python benchmarks/ops/stop_run.py [--copies N] [--rounds R]`` (Linux).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from newsetl.samples import sample_pages

RUN = """
import sys
from pathlib import Path
from newsetl.ingest import run_ingest
from newsetl.settings import Settings
from newsetl.shutdown import Stopped, stop_on_signals

if __name__ == "__main__":
    settings = Settings.from_env(db_path=Path(sys.argv[2]))
    try:
        with stop_on_signals("bench"):
            run_ingest([sys.argv[1]], settings)
    except Stopped as exc:
        sys.exit(exc.exit_status)
"""


def session(sid: int) -> list[str]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                out.append(cmd)
    return out


def one_round(sig: int, site: Path, work: Path, n: int) -> tuple[float, float, int]:
    script = work / "run.py"
    script.write_text(RUN)
    env = {
        **os.environ,
        "NEWSETL_WORKERS": "2",
        "NEWSETL_PROCESS_POOL_MIN_PAGES": "1",
        "NEWSETL_TRANSLATOR": "none",
        "NEWSETL_STAGING_DIR": str(work / f"staging-{n}"),
    }
    proc = subprocess.Popen(
        [sys.executable, str(script), str(site), str(work / f"{n}.duckdb")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    while sum("multiprocessing.forkserver" in c for c in session(proc.pid)) < 2:
        if proc.poll() is not None:
            raise RuntimeError("the run ended before its workers started; use more --copies")
        time.sleep(0.05)
    helpers = len(session(proc.pid)) - 1
    sent = time.perf_counter()
    os.kill(proc.pid, sig)
    proc.wait(timeout=60)
    exited = time.perf_counter() - sent
    while session(proc.pid):
        time.sleep(0.02)
        if time.perf_counter() - sent > 60:
            raise RuntimeError(f"processes left after 60 s: {session(proc.pid)}")
    return exited, time.perf_counter() - sent, helpers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=20, help="copies of the sample pages")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsetl-bench-stop-"))
    try:
        site = work / "site"
        for copy in range(args.copies):
            for page in sample_pages():
                target = site / str(copy) / page.parent.name / page.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(page, target)
        n = 0
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for _ in range(args.rounds):
                exited, gone, helpers = one_round(sig, site, work, n)
                n += 1
                print(
                    f"{signal.Signals(sig).name:<8} run exited {exited:6.2f} s, "
                    f"all {helpers} helper processes gone {gone:6.2f} s after the signal",
                    flush=True,
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
