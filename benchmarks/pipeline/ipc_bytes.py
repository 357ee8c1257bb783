"""What crosses between the run's process and its pool, and what that costs the run's process.

Why: a sampling profiler (py-spy) of the run's process shows the pool's threads busy for
~0.9 s (``Queue._feed`` → ``Connection._send_bytes``, the executor's manager thread), but it
counts a write blocked on a full pipe, or a wait, as busy. This measures instead, in one run
of :func:`newsetl.ingest.run_ingest` over the pages: every object the run's process pickles
for the pool (``ForkingPickler.dumps``: bytes and the calling thread's CPU, by the job's
function), every send and receive on a pipe (bytes, CPU), every result unpickled; and, from
``/proc/self/task`` sampled every 50 ms, the CPU of each of the process's threads by name
(the sampler's own thread listed apart). The patches are in the run's process only
(under ``__main__``; the pool's processes are forked from the fork server, which does not
run this file's main).

Run (from the repository root; everything on unless ``--spine``)::

    .venv/bin/python benchmarks/pipeline/ipc_bytes.py [--spine] [PAGES_DIR]
"""

from __future__ import annotations

import argparse
import collections
import os
import tempfile
import threading
import time
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, plain_pages


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--spine", action="store_true", help="repair and entities off")
    args = p.parse_args()
    import multiprocessing.connection as mc
    import multiprocessing.queues as mq
    from multiprocessing.reduction import ForkingPickler

    stats: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0, 0.0])
    jobs: collections.Counter[str] = collections.Counter()
    job_bytes: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()

    def note(key: str, nbytes: int, cpu: float) -> None:
        with lock:
            s = stats[key]
            s[0] += 1
            s[1] += nbytes
            s[2] += cpu

    dumps = ForkingPickler.dumps.__func__  # type: ignore[attr-defined]

    def timed_dumps(cls, obj, protocol=None):
        started = time.thread_time()
        out = dumps(cls, obj, protocol)
        note("pickled (dumps)", len(out), time.thread_time() - started)
        fn, fargs = getattr(obj, "fn", None), getattr(obj, "args", ())
        name = getattr(fn, "__name__", type(obj).__name__)
        if name == "timed" and len(fargs) > 1:  # deadlines.timed(slot, fn, ...)
            name = getattr(fargs[1], "__name__", "?")
        with lock:
            jobs[name] += 1
            job_bytes[name] += len(out)
        return out

    ForkingPickler.dumps = classmethod(timed_dumps)  # type: ignore[assignment]
    mq._ForkingPickler = ForkingPickler  # type: ignore[attr-defined]
    send = mc.Connection._send_bytes  # type: ignore[attr-defined]

    def timed_send(self, buf):
        started = time.thread_time()
        send(self, buf)
        note("sent", len(buf), time.thread_time() - started)

    mc.Connection._send_bytes = timed_send  # type: ignore[attr-defined]

    def timed_recv(self):
        started = time.thread_time()
        buf = self._recv_bytes()
        note("received", len(buf.getbuffer()), time.thread_time() - started)
        started = time.thread_time()
        obj = ForkingPickler.loads(buf.getbuffer())
        note("unpickled (loads)", len(buf.getbuffer()), time.thread_time() - started)
        return obj

    mc.Connection.recv = timed_recv  # type: ignore[method-assign]

    tick = os.sysconf("SC_CLK_TCK")
    last: dict[int, float] = {}
    names: dict[int, str] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for t in threading.enumerate():
                if t.native_id:
                    names.setdefault(t.native_id, t.name)
            for tid in os.listdir("/proc/self/task"):
                try:
                    with open(f"/proc/self/task/{tid}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    last[int(tid)] = (int(fields[11]) + int(fields[12])) / tick
                except OSError:
                    pass
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, name="sampler", daemon=True)
    sampler.start()
    from newsetl.ingest import run_ingest
    from newsetl.settings import Settings

    with tempfile.TemporaryDirectory(prefix="newsetl-ipc-") as tmp:
        pages = plain_pages(args.pages, Path(tmp) / "pages", None)
        off = {"repair": False, "entities": False} if args.spine else {}
        settings = Settings(db_path=Path(tmp) / "w.duckdb", translator="none", **off)
        cpu = time.process_time()
        summary = run_ingest([str(pages)], settings)
        cpu = time.process_time() - cpu
    stop.set()
    sampler.join()
    print(f"{summary.stats.articles} articles; the run's process {cpu:.2f} s CPU")
    for key, (n, nbytes, spent) in sorted(stats.items()):
        print(f"  {key:<18} {int(n):>5} objects {nbytes / 1e6:>7.2f} MB  CPU {spent:.3f} s")
    for name, n in jobs.most_common():
        print(f"  job {name:<28} {n:>4} x, {job_bytes[name] / 1e6:.2f} MB pickled")
    by_name: collections.Counter[str] = collections.Counter()
    for tid, spent in last.items():
        name = "main" if tid == os.getpid() else names.get(tid, "native (DuckDB, lingua...)")
        by_name[name.split("-")[0] if name.startswith("Thread-") else name] += spent
    print("threads of the run's process (CPU s):")
    for name, spent in by_name.most_common():
        print(f"  {spent:6.2f} {name}")


if __name__ == "__main__":
    main()
