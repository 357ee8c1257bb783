"""End the ``newsetl`` command without the interpreter's finalisation.

Why: after a run, tearing the interpreter down (clearing every module, freeing trafilatura's,
DuckDB's and the language models' objects one by one) takes 0.13-0.16 s of CPU, and more wall
time on a busy machine (benchmarks/README.md "Round 7", "Tried and not kept"): pure cost, at
the end of every command, once everything the user wanted is written and closed.

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
from typing import NoReturn


def exit_now(status: int) -> NoReturn:
    """Run the exit handlers a normal exit runs, flush the standard streams, and end the
    process with ``status`` without finalising the interpreter."""
    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is None:  # pragma: no cover - another interpreter: exit the normal way
        sys.exit(status)
    try:
        shutdown()
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(status)
