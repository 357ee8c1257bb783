"""An extraction helper forked by the fork server halfway through its warm-up.

Why: with repair and entities on, the process pool's fork server warms up for ~2.1 s
(trafilatura, langdetect and lingua for extraction, then the analyses' lingua models, word
lists and gazetteer) before it forks a worker, and the run's own process is done with its
start (imports, warehouse, sources) after ~1.1 s: one of two cores idled for ~1.4 s of every
`newsetl ingest` (benchmarks/README.md "Round 8", "Round 9"). Extraction needs only the first
~1 s of that warm-up. So the server, once extraction is warm, forks this helper, then goes on
with the analyses' warm-up; the run hands the helper the extraction jobs it takes back from
the pool while no worker has delivered yet (:meth:`newsetl.pipeline.PendingExtraction.result`),
and lets it go once the pool is up. The helper is a fork of the server: nothing is loaded
twice, and its memory is the server's, copy-on-write. The run's process still never loads
trafilatura or the language models itself.

The helper is forked before the language models are loaded (they are ~0.45 s of the server's
preload: the critical path of the spine's start, benchmarks/README.md "Round 13 (spine13)"; and
with repair and entities on, ~0.5 s sooner than after them, while the run's start leaves a core
idle, "Round 14 (start14)"): it extracts only (:func:`newsetl.pipeline.extract_in_helper`,
what a pool worker's :func:`newsetl.pipeline.extract_in_worker` does before its guess), and a
pool worker, which has the models, identifies those pages' languages in a small job of its own
(:meth:`newsetl.pipeline.PendingExtraction.result`), the guess a worker makes: the rows are
the same wherever a page was extracted. (:func:`fork_helper` can still fork a helper that
identifies too, after the language models: ``identify=True``.)

A helper that dies by itself mid-page (killed from outside, the memory killer) gives that page
back to the pool, as a helper let go does: the run is then the run it would have been without
a helper (a page that kills processes kills a worker there and is recorded as it would have
been). Only a page past its deadline, whose helper the run kills, fails there.

How they meet: the run listens on an abstract Unix socket (no file, nothing to clean up; an
authentication key in the environment the server inherits) before it starts the server
(:func:`listen`); the server connects (:func:`fork_helper`). The helper is the server's child
(so it counts in the run's process tree) and dies with it; it ends when the run closes the
connection or the run's process ends (the connection's end of file).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import secrets
import signal
import socket
import threading
import warnings
from collections.abc import Callable
from multiprocessing.connection import Client, Connection, Listener
from typing import Any

from newsetl import deadlines
from newsetl.procwatch import die_with_parent

log = logging.getLogger(__name__)

#: Where the fork server finds the run's listener, and the key it answers with. Not settings:
#: set by :func:`listen` for the server it is about to start, read by that server only.
ADDRESS_ENV = "_NEWSETL_EARLY_EXTRACT"
KEY_ENV = "_NEWSETL_EARLY_EXTRACT_KEY"


class EarlyHelper:
    """The run's end of the helper: listens for it, hands it jobs, lets it go."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(16)
        #: an abstract socket's name (Linux): no file to remove, gone with the listener
        self._name = f"newsetl-early-{os.getpid()}-{secrets.token_hex(8)}"
        self._listener: Listener | None = Listener("\0" + self._name, "AF_UNIX", authkey=self._key)
        self._conn: Connection | None = None
        #: a later helper that identifies too (forked once the language models are loaded),
        #: connected and waiting to take over at the next job (:meth:`_take_over`)
        self._next: tuple[Connection, int, bool] | None = None
        self._ready = threading.Event()
        self._closed = False
        self._lock = threading.Lock()
        self._use = threading.Lock()  # one job at a time on the connection (the flow's threads)
        self._pid: int | None = None  # the helper's, sent first thing: killed past a deadline
        #: whether the helper identifies the language (else a pool worker does: the spine's)
        self.identifies = True
        self.extracted = 0  # pages the helper extracted
        #: seconds a page may take (``Settings.page_timeout_s``; 0: no deadline)
        self.timeout_s = 0.0
        threading.Thread(target=self._accept, name="newsetl-early-extract", daemon=True).start()

    @property
    def pid(self) -> int | None:
        """The helper's process id, once it has connected."""
        return self._pid

    @property
    def env(self) -> dict[str, str]:
        """What the fork server needs to connect."""
        return {ADDRESS_ENV: self._name, KEY_ENV: self._key.hex()}

    def _accept(self) -> None:
        """Accept the helper, then the one that takes over from it, if the server forks one
        (with the analyses: the first extracts only, the second identifies too)."""
        listener = self._listener
        if listener is None:
            return
        try:
            for n in range(HELPERS):
                try:
                    conn = listener.accept()
                    pid, identifies, more = conn.recv()
                except Exception:  # closed before a helper came (the pool was up first)
                    return
                with self._lock:
                    if self._closed:
                        conn.close()
                        return
                    if n == 0:
                        self._conn, self._pid, self.identifies = conn, pid, bool(identifies)
                    else:
                        self._next = conn, pid, bool(identifies)
                self._ready.set()
                if not more:  # no later helper: the spine's, or the second
                    return
        finally:
            with contextlib.suppress(Exception):
                listener.close()

    def _take_over(self) -> None:
        """Between two jobs (``_use`` held): the later helper, if one is waiting, takes over;
        the earlier one ends with its connection. Why: the first helper, forked before the
        language models, extracts only, and a pool worker identifies each of its pages (~6.5
        ms of a worker's CPU a page); the later one, forked once the models are loaded,
        identifies its pages itself, as a worker would (benchmarks/README.md "Round 14
        (start14)")."""
        with self._lock:
            waiting, self._next = self._next, None
            if waiting is None:
                return
            old: Connection | None
            if self._closed:
                old = waiting[0]
            else:
                old = self._conn
                self._conn, self._pid, self.identifies = waiting
        if old is not None:
            with contextlib.suppress(Exception):
                old.close()

    def wait(self, give_up: Callable[[], bool], poll_s: float = 0.01) -> bool:
        """Wait until the helper is connected (True) or ``give_up()`` says to stop (False)."""
        while not self._closed:
            if self._ready.wait(poll_s):
                return True
            if give_up():
                return False
        return False

    def extract(self, job: tuple) -> tuple | None:
        """The helper's outcome of one extraction job (as :func:`extract_in_worker` gives it,
        without a guess if the helper does not :attr:`identify <identifies>`), or None if
        there is no helper (any more, or it died on this page): the caller extracts it
        another way."""
        with self._use:
            self._take_over()
            with self._lock:
                conn = self._conn
            if conn is None:
                return None
            try:
                conn.send(job)
                if self.timeout_s > 0 and not conn.poll(self.timeout_s):
                    return self._stuck(job[1])
                outcome: tuple = conn.recv()
            except (EOFError, OSError):  # it died on this page: the page goes to the pool
                log.error("the early extraction helper died on %s: the pool extracts it", job[1])
                self.close()
                return None
            self.extracted += 1
            return outcome

    def _stuck(self, url: str) -> tuple:
        """The page went past its deadline: the helper is killed (the next pages go to the
        pool) and the page fails as it would in a worker (:mod:`newsetl.deadlines`)."""
        error = deadlines.message(1, self.timeout_s)
        log.error("the early extraction helper stopped on %s: %s", url, error)
        if self._pid:
            deadlines.kill_tree(self._pid)
        self.close()
        return None, None, deadlines.KIND, error

    def close(self) -> None:
        """Let the helper go (it exits at the end of its connection) and stop listening."""
        with self._lock:
            if not self._closed:
                log.info("early extraction helper: %s pages extracted", self.extracted)
            self._closed = True
            conn, self._conn = self._conn, None
            waiting, self._next = self._next, None
            listener, self._listener = self._listener, None
        for each in (conn, waiting[0] if waiting else None):
            if each is not None:
                with contextlib.suppress(Exception):
                    each.close()
        if listener is not None:
            with contextlib.suppress(Exception):
                listener.close()
            # closing a listener does not wake an accept() blocked on it in another thread
            # (Linux): a connection that says nothing does (the accept fails, the thread ends)
            with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as wake:
                wake.settimeout(1.0)
                wake.connect("\0" + self._name)


_helper: EarlyHelper | None = None

#: Helpers a run accepts: the first (forked once trafilatura is warm) and the one that takes
#: over from it once the language models are loaded (with the analyses, :func:`fork_helper`).
HELPERS = 2


def listen(timeout_s: float = 0.0) -> dict[str, str]:
    """Start listening for a helper (once per process); the environment the fork server about
    to start needs to connect. Empty if listening fails (the run goes on without a helper).
    ``timeout_s``: the page deadline (``Settings.page_timeout_s``)."""
    global _helper
    if _helper is None:
        try:
            _helper = EarlyHelper()
        except OSError:  # pragma: no cover - no abstract sockets here
            log.debug("no early extraction helper", exc_info=True)
            return {}
    _helper.timeout_s = timeout_s
    return _helper.env


def current() -> EarlyHelper | None:
    """The run's helper while it may still serve, else None."""
    helper = _helper
    return None if helper is None or helper._closed else helper


def finish() -> None:
    """The pool is up: the helper is no longer needed."""
    helper = _helper
    if helper is not None:
        helper.close()


# -- the fork server's side ---------------------------------------------------------------
def wanted() -> bool:
    """Whether the process that started this fork server listens for a helper."""
    return bool(os.environ.get(ADDRESS_ENV) and os.environ.get(KEY_ENV))


#: The run's listener, read from the environment by the first :func:`fork_helper` (and taken
#: out of it: the pool's workers never see it), for a later one.
_listening: tuple[str, str] | None = None


def fork_helper(identify: bool = True, more: bool = False) -> bool:
    """In the fork server, once extraction is warm: fork the helper if the run listens for one
    (whether it was forked). ``identify``: whether the language models are loaded too, so the
    helper identifies each page's language (else it extracts only). Called again (with the
    analyses: once the language models are loaded), it forks the helper that takes over from
    the first (:meth:`EarlyHelper._take_over`); ``more``: whether the server will fork that
    one (the run then listens for it). Never raises."""
    global _listening
    address = os.environ.pop(ADDRESS_ENV, None)
    key = os.environ.pop(KEY_ENV, None)
    if address and key:
        _listening = address, key
    elif _listening is not None:
        address, key = _listening
    if not address or not key:
        return False
    server = os.getpid()
    try:
        pid = os.fork()  # what a job runs is imported (newsetl.workers.warm_fork_server)
    except OSError:
        return False
    if pid:
        # the server's loop reaps its children and warns of one it did not fork for a client
        warnings.filterwarnings("ignore", message="forkserver: waitpid returned unexpected pid")
        return True
    try:
        # forked mid-warm-up, before the server freezes what it loaded: the helper runs pages
        # as a worker does, never scanning (and so copying) what it shares with the server,
        # with the collector on (were the server's paused, workers.warm_fork_server)
        gc.freeze()
        gc.enable()
        die_with_parent(signal.SIGKILL, server)
        # at the server's priority: reniced (+5, +10) it was starved on a busy machine, and the
        # run waited for its last page (benchmarks/README.md "Round 13 (spine13)")
        _serve("\0" + address, bytes.fromhex(key), identify, more)
    finally:
        os._exit(0)


def _serve(address: str, key: bytes, identify: bool, more: bool = False) -> Any:
    """The helper: extract each job the run sends until the run lets go (or ends)."""
    from newsetl.pipeline import extract_in_helper, extract_in_worker

    extract = extract_in_worker if identify else extract_in_helper
    try:
        conn = Client(address, "AF_UNIX", authkey=key)
    except Exception:
        os._exit(0)
    try:
        # the pid: to be killed by, past a page's deadline
        conn.send((os.getpid(), identify, more))
        while True:
            job = conn.recv()
            conn.send(extract(*job))
    except BaseException:
        pass
    finally:
        os._exit(0)
