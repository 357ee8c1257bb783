"""End the ``newsetl`` command without the interpreter's finalisation.

Why: after a run, tearing the interpreter down (clearing every module, freeing trafilatura's,
DuckDB's and the language models' objects one by one) takes 0.13-0.16 s of CPU, and more wall
time on a busy machine (benchmarks/README.md "Round 7", "Tried and not kept"): pure cost, at
the end of every command, once everything the user wanted is written and closed.

One process would still outlive the command: multiprocessing's resource tracker (started with
the process pool's fork server) ends only when it reads the end of its pipe, that is after
the command's process is gone, so whoever waits for ``newsetl ingest`` could find it alive
(3 of 35 runs of the spine on the Zyte pages, benchmarks/README.md "Round 11 merged"). It is
ended and reaped here, bounded, before the process exits.

What a normal exit does that matters is done first, in the interpreter's own order: the
``threading`` shutdown (joins non-daemon threads and runs ``threading``'s exit hooks, among
them ``concurrent.futures``' join of a kept process pool's workers), then the ``atexit``
handlers (logging's flush and close, multiprocessing's end of its children and of the fork
server), then the flush of the standard streams. What is skipped is only the freeing of memory
the operating system takes back anyway, and finalisers of objects nobody closed (the run
closes its warehouse connections and files itself).

Only for the console script (:func:`newsetl.cli.console`): code that calls
:func:`newsetl.cli.main` (tests, notebooks) keeps its interpreter.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
import time
from typing import NoReturn

#: How long the exit waits for the resource tracker to end once its pipe is closed (it ends
#: in milliseconds; longer only if another live process still holds the pipe, and then the
#: tracker must stay for that process).
TRACKER_WAIT_S = 2.0


def exit_now(status: int) -> NoReturn:
    """Run the exit handlers a normal exit runs, flush the standard streams, and end the
    process with ``status`` without finalising the interpreter."""
    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is None:  # pragma: no cover - another interpreter: exit the normal way
        sys.exit(status)
    try:
        shutdown()
        atexit._run_exitfuncs()
        end_resource_tracker()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(status)


def end_resource_tracker(wait_s: float = TRACKER_WAIT_S) -> bool:
    """Close this process's pipe to multiprocessing's resource tracker, if it started one,
    and reap the tracker: True when it has ended (or none ran).

    Why: the tracker is a child of this process that ends on the end of that pipe, which
    only the kernel closes at this process's exit, so it would outlive the command by a few
    milliseconds (what it cleans up at the end of its pipe, it cleans up here the same way).
    Bounded, unlike ``ResourceTracker._stop``'s ``waitpid``: a process still alive that
    inherited the pipe keeps the tracker running, and the exit must not wait for it."""
    module = sys.modules.get("multiprocessing.resource_tracker")
    tracker = getattr(module, "_resource_tracker", None)
    if tracker is None or getattr(tracker, "_fd", None) is None:
        return True
    if not tracker._lock.acquire(timeout=0.5):
        return False
    try:
        pid, fd = tracker._pid, tracker._fd
        if fd is None or pid is None:
            return True
        os.close(fd)
        tracker._fd = None
        deadline = time.monotonic() + wait_s
        while True:
            try:
                ended, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # not our child (or reaped already)
                return True
            if ended:
                tracker._pid = None
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.002)
    finally:
        tracker._lock.release()
