"""The process pool for the CPU-bound stages, started warm.

Extraction, language identification, artefact analysis and entity extraction are pure Python
over one page at a time, so one process uses one core. A run big enough to pay for it
(``Settings.process_pool_min_pages``) spreads them over a pool of processes.

Why a fork server with a warm-up preloaded, and not plain ``spawn`` or ``fork``:

* ``spawn`` starts every worker from nothing: it re-imports trafilatura and reloads the
  language models and gazetteers (about 500 MB, seconds) in each worker, on every run. (The
  word lists and dictionaries are files every process maps, see :mod:`newsetl.lexdata`.)
* ``fork`` would copy a parent that has threads (Prefect's API client and log workers, httpx),
  which can leave a child holding a lock that no thread will ever release.
* A fork server is a fresh, single-threaded process. It imports :mod:`newsetl._warm`, which
  loads everything once; every worker is then a fork of it, ready in milliseconds and sharing
  that memory copy-on-write. The server lives as long as the parent process, so the second run
  in a long-lived process (a Prefect worker, a notebook) pays nothing at all.

Where a platform has no fork server (Windows, macOS defaults), spawned workers warm up lazily.

None of these processes may outlive the run (issue 10): see :mod:`newsetl.procwatch` for why
they would, and how the fork server and every worker now die with it; :func:`terminate_pools`
is what a signal handler calls to end them at once.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import gc
import logging
import multiprocessing
import os
import signal
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor
from typing import Any

from newsetl.procwatch import die_with_parent, watch_owner
from newsetl.settings import Settings

log = logging.getLogger(__name__)

#: Imported by the fork server before it forks any worker: everything, or (for runs with
#: repair and entities off) only what extraction and language identification need.
WARM_MODULE = "newsetl._warm"
WARM_EXTRACTION_MODULE = "newsetl._warm_extraction"

#: Short texts that make each lazily loaded resource load (word lists per language,
#: gazetteer, language profiles) before the first real page needs it.
_WARM_TEXTS = {
    "en": "The United Nations met in Geneva on Monday. Maria Rossi said the talks went well.",
    "de": "Die Vereinten Nationen trafen sich am Montag in Genf. Anna Keller war zufrieden.",
    "fr": "Les Nations unies se sont réunies lundi à Genève. Julien Marchetti était satisfait.",
    "it": "Le Nazioni Unite si sono riunite lunedì a Ginevra. Chiara Benedetti era soddisfatta.",
    "es": "Las Naciones Unidas se reunieron el lunes en Ginebra. Lucía Ortega estaba contenta.",
}


def warm_up(analysis: bool = True, extraction_ready: Callable[[], object] | None = None) -> None:
    """Load what every page needs: each stage's warm-up (:func:`newsetl.stages.warm_up`):
    trafilatura and language profiles and, with ``analysis``, the word lists and gazetteer of
    artefact analysis and entity extraction (``extraction_ready``: called in between).

    Each part is optional (a slimmer install may lack one); a failure here only means the
    first page loads it instead.
    """
    from newsetl.stages import warm_up as warm_stages

    warm_stages(analysis, extraction_ready)


def warm_fork_server(analysis: bool) -> None:
    """What the fork server runs on import of its preload module (``newsetl._warm*``).

    A failed warm-up must not break the server: workers then load lazily. The loaded data
    lives as long as the server and its workers, so it is frozen: the garbage collector then
    never scans it in a worker, which would also touch (and so copy) the pages the workers
    share with the server.
    """
    parent = os.environ.get(FORKSERVER_PARENT_ENV)
    die_with_parent(signal.SIGKILL, int(parent) if parent and parent.isdigit() else None)
    from newsetl import earlyextract

    # what every job runs (extract_in_worker, analyse_and_stage_job): imported here once, not
    # by each worker on its first job (0.13 s of CPU each, each recycled worker again)
    with contextlib.suppress(ImportError):
        import newsetl.pipeline
        import newsetl.run.steps  # noqa: F401

    # with the analyses to warm, an extraction helper starts once extraction is warm, if the
    # run listens for one (newsetl.earlyextract); without, there is nothing to wait for
    helper = earlyextract.fork_helper if analysis and earlyextract.wanted() else None
    try:
        warm_up(analysis, helper)
    except Exception:
        log.exception("worker warm-up failed")
    gc.freeze()


#: Tells the fork server which process started it (to notice that it died before the server
#: asked to die with it). Not a setting: set by :func:`forkserver_started`, read by the server.
FORKSERVER_PARENT_ENV = "_NEWSETL_FORKSERVER_PARENT"

#: One thread that lives as long as the process and starts (or restarts) the fork server.
#: Why: the server dies with the *thread* that started it (PR_SET_PDEATHSIG follows the parent
#: thread), and the pool would otherwise start it from its dispatcher thread, which ends with
#: each run, killing the server that ``keep_workers`` keeps for the next one.
_keeper: concurrent.futures.ThreadPoolExecutor | None = None
_keeper_lock = threading.Lock()


def forkserver_started() -> None:
    """Start the fork server if it is not running, from the process-long keeper thread."""
    global _keeper
    from multiprocessing import forkserver

    with _keeper_lock:
        if _keeper is None:
            _keeper = concurrent.futures.ThreadPoolExecutor(1, "newsetl-forkserver")
        os.environ[FORKSERVER_PARENT_ENV] = str(os.getpid())
        keeper = _keeper
    keeper.submit(forkserver.ensure_running).result()


def stop_fork_server() -> bool:
    """Stop the fork server if it runs (whether it did); the next pool starts a new one.

    For a moment when a big job runs in a process of its own and no pool is alive (lingua's
    short-text models, :mod:`newsetl.run.shorttexts`): the server's ~0.4 GB (what it warmed
    for the workers) would stay beside it. Its workers, if any, die with it
    (:func:`_worker_init`)."""
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    if server is None or getattr(server, "_forkserver_pid", None) is None:
        return False
    with _keeper_lock:
        keeper = _keeper
    if keeper is None:
        server._stop()
    else:  # from the thread that started it, as every start is
        keeper.submit(server._stop).result()
    return True


def _worker_init(owner_pid: int) -> None:
    """Each worker's first act: die with the fork server (its parent) and with the run.

    PR_SET_PDEATHSIG only where the parent is the fork server (single-threaded, so the
    thread that forked the worker is the server itself); a ``spawn`` worker's parent is the
    run's dispatcher thread, which ends before the run does. The owner watch covers both.
    Never raises: a failing initializer would break the pool.
    """
    try:
        parent = os.getppid()
        if parent != owner_pid:
            die_with_parent(signal.SIGKILL, parent)
        watch_owner(owner_pid)
    except Exception:  # pragma: no cover - best effort; the run goes on without it
        log.exception("worker could not watch its owner")


def _context(settings: Settings) -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # only takes effect before the server starts; a server started without it still works
        analysis = settings.repair or settings.entities
        ctx.set_forkserver_preload([WARM_MODULE if analysis else WARM_EXTRACTION_MODULE])
        return ctx
    return multiprocessing.get_context("spawn")


#: True once a pool ran in this process on the fork server: the server stays up, loaded, so
#: the next pool starts in milliseconds and pays off on much smaller runs.
_server_warm = False


def worker_count(settings: Settings) -> int:
    return settings.workers or os.cpu_count() or 1


def pool_threshold(settings: Settings) -> int:
    """Pages from which a run uses the pool: lower once the fork server is loaded."""
    if _server_warm:
        return min(settings.process_pool_min_pages, settings.process_pool_warm_min_pages)
    return settings.process_pool_min_pages


@contextlib.contextmanager
def process_pool(settings: Settings, pages: int) -> Iterator[Executor | None]:
    """A warm process pool when the run is big enough to pay for it, else ``None``.

    ``None`` means "run in this process": every stage function takes an optional executor.
    """
    global _server_warm
    workers = worker_count(settings)
    if workers < 2 or pages < pool_threshold(settings):
        yield None
        return
    log.info("process pool: %s workers for %s pages", workers, pages)
    context = _context(settings)
    if context.get_start_method() == "forkserver":
        forkserver_started()
    try:
        if settings.keep_workers:
            with SharingExecutor(_kept_pool(settings, context), 2 * workers, own=False) as pool:
                yield pool
        else:
            with SharingExecutor(new_pool(workers, context), 2 * workers) as pool:
                yield pool
    finally:
        from newsetl import earlyextract

        earlyextract.finish()  # if the pool never delivered while it was there
    _server_warm = context.get_start_method() == "forkserver"


#: Pools kept between runs (``Settings.keep_workers``), by what their workers preload and how
#: many there are. Their workers exit with the process (concurrent.futures joins them at exit).
_kept: dict[tuple[bool, int], ProcessPoolExecutor] = {}


def _kept_pool(
    settings: Settings, context: multiprocessing.context.BaseContext
) -> ProcessPoolExecutor:
    """The pool kept for runs like this one, or a new one if there is none or it is broken.

    Why keep it: a worker's caches fill as it works, per word (artefacts, entities; each
    bounded, see ``benchmarks/README.md`` "Memory, round 5") and per language (lingua's models
    of a script the fork server did not warm). A pool per run empties them on every run.
    """
    key = (settings.repair or settings.entities, worker_count(settings))
    pool = _kept.get(key)
    if pool is None or getattr(pool, "_broken", False):  # a worker died: start afresh
        pool = _kept[key] = new_pool(key[1], context)
    return pool


def release_kept_pools() -> None:
    """Shut down the pools kept between runs (their workers exit; the fork server stays).

    For a run that is about to need a lot of memory in another process (lingua's short-text
    models, :mod:`newsetl.run.shorttexts`): the kept workers' caches (~0.6 GB each after a
    few thousand pages) are worth less than staying under the run's memory bound. The next
    pool forks new workers from the warm fork server in milliseconds."""
    for pool in list(_kept.values()):
        pool.shutdown(wait=True)
    _kept.clear()


#: Every pool this process started and has not collected: what :func:`terminate_pools` ends.
_pools: weakref.WeakSet[ProcessPoolExecutor] = weakref.WeakSet()


def new_pool(workers: int, context: multiprocessing.context.BaseContext) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process (see :func:`_worker_init`)."""
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_worker_init, initargs=(os.getpid(),)
    )
    _pools.add(pool)
    return pool


def terminate_pools() -> int:
    """Kill every worker of every pool of this process, and the fork server; return how many
    processes were signalled. For a run that is being stopped (SIGTERM, Ctrl-C): a job in
    flight is not worth waiting for, its batch is redone by the next run."""
    killed = 0
    for pool in list(_pools):
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                process.kill()
                killed += 1
        with contextlib.suppress(Exception):
            pool.shutdown(wait=False, cancel_futures=True)
    _kept.clear()
    from multiprocessing import forkserver

    pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if pid:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            killed += 1
    return killed


class SharingExecutor(Executor):
    """A process pool fed by one dispatcher thread; the caller may take queued jobs back.

    Why: starting the first worker blocks until the fork server has loaded its data (seconds,
    see the module docstring), and a plain ``ProcessPoolExecutor.submit`` would block the
    caller for all that time. Here ``submit`` only queues the job; the dispatcher hands at
    most ``in_flight`` jobs at a time to the pool, so the rest stay queued, and a caller
    waiting for results can ``cancel()`` a queued job and run it itself (see
    ``PendingExtraction.result``): a parent that has extracted before works while the pool
    starts (a fresh one leaves the jobs queued rather than load the extractor twice).
    """

    def __init__(self, pool: ProcessPoolExecutor, in_flight: int, *, own: bool = True) -> None:
        self._pool = pool
        self._own = own  # shut the pool down with this executor (else it is kept for others)
        self._queue: deque[tuple[Future, Callable[..., Any], tuple, dict]] = deque()
        self._cond = threading.Condition()
        self._slots = threading.Semaphore(max(1, in_flight))
        self._closed = False
        self._started = False
        self._thread = threading.Thread(target=self._dispatch, name="newsetl-pool", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        return self._enqueue(False, fn, args, kwargs)

    def submit_first(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """``submit``, ahead of every job still queued (a batch's analysis goes before the
        extraction of later batches, so it can be loaded while they are extracted)."""
        return self._enqueue(True, fn, args, kwargs)

    def _enqueue(self, first: bool, fn: Callable[..., Any], args: tuple, kwargs: dict) -> Future:
        future: Future = Future()
        with self._cond:
            if self._closed:
                raise RuntimeError("cannot submit after shutdown")
            job = (future, fn, args, kwargs)
            self._queue.appendleft(job) if first else self._queue.append(job)
            self._cond.notify()
        return future

    def _dispatch(self) -> None:
        while True:
            self._slots.acquire()
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if not self._queue:
                    return  # shut down and drained
                future, fn, args, kwargs = self._queue.popleft()
            if not future.set_running_or_notify_cancel():
                self._slots.release()  # the caller took it back
                continue
            try:
                real = self._pool.submit(fn, *args, **kwargs)
            except BaseException as exc:  # a broken pool: the job fails, visibly
                future.set_exception(exc)
                self._slots.release()
                continue
            real.add_done_callback(functools.partial(self._relay, future))

    @property
    def started(self) -> bool:
        """Whether a worker has finished a job: the pool is up and every core is busy."""
        return self._started

    def _relay(self, future: Future, real: Future) -> None:
        self._started = True
        self._slots.release()
        if real.cancelled():  # shutdown(cancel_futures=True) of the inner pool
            future.set_exception(CancelledError())
            return
        exc = real.exception()
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(real.result())

    def __exit__(self, exc_type, exc, tb) -> bool:
        # a run that failed needs none of its queued jobs (a kept pool would run them all),
        # nor to wait for the ones running: a run stopped by a signal (Prefect turns SIGTERM
        # into an exception in the flow) must not wait for a batch's analysis to finish
        failed = exc_type is not None
        self.shutdown(wait=not failed, cancel_futures=failed)
        return False

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._cond:
            self._closed = True
            if cancel_futures:
                for future, *_ in self._queue:
                    future.cancel()
                self._queue.clear()
            self._cond.notify_all()
        if wait:
            self._thread.join()
        if self._own:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
