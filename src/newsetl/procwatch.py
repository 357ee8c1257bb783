"""Helper processes die with the process that started them, however it ends.

A run's process pool is three kinds of process: the multiprocessing resource tracker, the
fork server (loaded with word lists, ~0.6 GB) and its workers. None of them is a plain child
that dies with the run: the workers are children of the fork server, they hold both ends of
their own job queue (so they never see it close) and the write end of the fork server's
"alive" pipe (so the server never sees its last client go). After a ``kill -9`` of the run
they all waited forever (issue 10). Two mechanisms, because each covers what the other
cannot:

* :func:`die_with_parent` asks Linux to send a signal when the *parent* dies
  (``prctl(PR_SET_PDEATHSIG)``). The fork server sets it in its preload (its parent is the
  run, see :func:`newsetl.workers.forkserver_started`), each worker at start (its parent is
  the fork server). Linux sends the signal when the parent *thread* ends, not the process:
  that is why the fork server is started from a thread that lives as long as the process,
  and why a worker whose parent is the run itself (``spawn``) does not use it.
* :func:`watch_owner` is a thread in each worker that waits for the run's process (the
  pool's owner) to end and then ends the worker: it works on every platform and covers a
  worker that started after the owner died.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import select
import signal
import sys
import threading

log = logging.getLogger(__name__)

#: prctl option number (linux/prctl.h).
PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL, expected_parent: int | None = None) -> bool:
    """Have the kernel send ``sig`` to this process when its parent (thread) ends.

    Linux only; returns False where it is not available. If the parent is already gone
    (``getppid()`` is not ``expected_parent``), the signal would never come: exit now.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(1)  # the parent died before the request took effect
    return True


def owner_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's (pid reused): treat as gone
        return False
    return True


def watch_owner(owner_pid: int, *, poll_s: float = 1.0) -> threading.Thread | None:
    """End this process when ``owner_pid`` ends (a daemon thread waits for it).

    On Linux a pidfd becomes readable exactly when the owner exits (no polling, and no
    confusion with a later process that reuses the number); elsewhere the thread checks
    every ``poll_s`` seconds. Returns the thread, or None when the owner is this process.
    """
    if owner_pid == os.getpid():
        return None
    pidfd: int | None = None
    with contextlib.suppress(AttributeError, OSError):
        pidfd = os.pidfd_open(owner_pid)  # type: ignore[attr-defined]
    if pidfd is None and not owner_alive(owner_pid):
        os._exit(1)

    def wait() -> None:
        if pidfd is not None:
            select.select([pidfd], [], [])
        else:
            while owner_alive(owner_pid):
                threading.Event().wait(poll_s)
        # the run is gone: nobody will read what this process computes
        os._exit(1)

    thread = threading.Thread(target=wait, name="newsetl-owner-watch", daemon=True)
    thread.start()
    return thread
