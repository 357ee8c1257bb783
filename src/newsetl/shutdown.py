"""Stopping a command on SIGTERM or Ctrl-C: pool gone, one clear line, non-zero exit.

Why a handler and not Python's defaults: SIGTERM's default ends the process without running
any cleanup, and Ctrl-C raises ``KeyboardInterrupt`` wherever the main thread happens to be,
while the process pool keeps computing jobs nobody will read. The handler kills the pool's
processes at once (:func:`newsetl.workers.terminate_pools`; their jobs' batches are not
staged, so the next run redoes them), then unwinds the command with :class:`Stopped` so
open files and the warehouse connection close normally. Whatever was staged stays staged and
the next run loads it first.

Unwinding runs other people's code (Prefect reports the flow run as crashed to its server),
so it gets :data:`GRACE_S` seconds; after that, or on a second signal, the process exits
at once with the same status.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator

#: Seconds a stopped command may take to unwind before the process exits regardless.
GRACE_S = 5.0

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopped(BaseException):
    """Raised in the main thread by the signal handler. A BaseException, so ``except
    Exception`` blocks (which record a page's failure and go on) do not swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


def stopped_line(command: str, signum: int) -> str:
    name = signal.Signals(signum).name
    return (
        f"{command}: stopped by {name}; worker processes ended, batches staged so far stay "
        f"staged and load on the next run (exit status {128 + signum})"
    )


@contextlib.contextmanager
def stop_on_signals(command: str, grace_s: float = GRACE_S) -> Iterator[None]:
    """Within the block, SIGTERM/SIGINT end the pool and raise :class:`Stopped`.

    Only the main thread can install handlers; elsewhere (a library caller's thread) the
    block runs with the process's own handlers.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired: list[int] = []

    def handler(signum: int, _frame: object) -> None:
        if fired:  # a second signal: no more patience
            os._exit(128 + fired[0])
        fired.append(signum)
        from newsetl.workers import terminate_pools

        terminate_pools()
        timer = threading.Timer(grace_s, _exit_now, args=(command, signum))
        timer.daemon = True
        timer.start()
        raise Stopped(signum)

    previous = {sig: signal.signal(sig, handler) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _exit_now(command: str, signum: int) -> None:
    """The grace period is over: say why and end the process (every thread, at once)."""
    with contextlib.suppress(Exception):
        print(stopped_line(command, signum) + " [forced]", file=sys.stderr, flush=True)
    os._exit(128 + signum)
