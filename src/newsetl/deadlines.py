"""The per-page deadline of the CPU stages (``Settings.page_timeout_s``).

Why: trafilatura, lxml and htmldate on hostile HTML (one paragraph of 40,000 ``<span>``s, a
few hundred KB) or an analysis on hostile text can take minutes, and a run waited for them
for ever. A page past its deadline must end without the run: its process is killed, the page
is recorded as failed (:data:`KIND`), and the run goes on.

Why kill a process, and why from outside it: a page stuck in C (an lxml parse, a regex) never
returns to the interpreter, so neither an exception raised in it nor a watchdog thread beside
it (the stuck thread holds the GIL) can stop it. So the work runs in a pool worker (or the
early extraction helper), and the run's process watches the clock. A :class:`PoolClock` is
shared memory the workers write (which process started which job, and when) and the run reads:
no message to wait for, nothing a stuck worker must do.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

#: ``error_kind`` of a page whose CPU stages went past the deadline (``timeout`` is a fetch's).
KIND = "page_timeout"

#: Jobs a pool may be running under a deadline at once (a run hands it 2 per worker; a job
#: beyond this runs without one, see :meth:`PoolClock.take`).
SLOTS = 256


class PageTimeout(Exception):
    """A job went past its deadline; its worker was killed."""


def message(pages: int, budget_s: float) -> str:
    """The recorded error of a page (or a job of ``pages`` pages) past its deadline."""
    what = "page" if pages == 1 else f"job of {pages} pages"
    return f"{what} still running after {budget_s:g} s (NEWSETL_PAGE_TIMEOUT_S): process killed"


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, from /proc (its children's children too)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{parent}/task"):
                with (
                    contextlib.suppress(OSError),
                    open(f"/proc/{parent}/task/{task}/children") as f,
                ):
                    kids = [int(p) for p in f.read().split()]
                    found.extend(kids)
                    todo.extend(kids)
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid`` and everything below it (the children first looked up, then all
    killed: a child whose parent died first would be re-parented out of reach)."""
    for target in [*descendants(pid), pid]:
        with contextlib.suppress(OSError):
            os.kill(target, signal.SIGKILL)


class PoolClock:
    """Which process started which job of a pool, and when (``time.monotonic``: one clock
    for every process of the machine). The run takes a slot for each job it hands the pool;
    the worker writes its pid and start time into that slot (:func:`timed`) and clears the
    time when the job ends."""

    def __init__(self, context: Any) -> None:
        self.started = context.RawArray("d", SLOTS)
        self.pids = context.RawArray("i", SLOTS)
        self._free = list(range(SLOTS))
        self._lock = threading.Lock()

    def take(self) -> int | None:
        """A free slot, cleared; None if every slot is taken."""
        with self._lock:
            if not self._free:
                return None
            slot = self._free.pop()
        self.started[slot], self.pids[slot] = 0.0, 0
        return slot

    def give_back(self, slot: int) -> None:
        with self._lock:
            self._free.append(slot)

    def overdue(self, slot: int, budget_s: float, now: float) -> int | None:
        """The pid of the worker running the job in ``slot`` if it started more than
        ``budget_s`` ago, else None."""
        started = self.started[slot]
        if not started or now - started <= budget_s:
            return None
        return self.pids[slot] or None

    @property
    def arrays(self) -> tuple[Any, Any]:
        """What a worker needs (:func:`install`): passed at its start, as shared memory."""
        return self.started, self.pids


#: In a worker: its pool's clock (:func:`install`).
_clock: tuple[Any, Any] | None = None


def install(arrays: tuple[Any, Any] | None) -> None:
    """In a worker, at its start: the clock its jobs write to."""
    global _clock
    _clock = arrays


def timed(slot: int, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """In a worker: ``fn(*args, **kwargs)``, with its start in the pool's clock."""
    if _clock is None:  # pragma: no cover - a worker started without a clock
        return fn(*args, **kwargs)
    started, pids = _clock
    pids[slot] = os.getpid()
    started[slot] = time.monotonic()  # written last: a time says the pid is this job's
    try:
        return fn(*args, **kwargs)
    finally:
        started[slot] = 0.0
