"""The process pool for the CPU-bound stages, started warm.

Extraction, language identification, artefact analysis and entity extraction are pure Python
over one page at a time, so one process uses one core. A run big enough to pay for it
(``Settings.process_pool_min_pages``) spreads them over a pool of processes.

Why a fork server with a warm-up preloaded, and not plain ``spawn`` or ``fork``:

* ``spawn`` starts every worker from nothing: it re-imports trafilatura and reloads the
  language models and gazetteers (about 500 MB, seconds) in each worker, on every run. (The
  word lists and dictionaries are files every process maps, see :mod:`newsetl.text.lexdata`.)
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

import atexit
import concurrent.futures
import contextlib
import functools
import gc
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import (
    BrokenExecutor,
    CancelledError,
    Executor,
    Future,
    ProcessPoolExecutor,
)
from dataclasses import dataclass
from typing import Any

from newsetl import deadlines
from newsetl.memory import settle_allocators
from newsetl.procwatch import die_with_parent, watch_owner
from newsetl.settings import Settings

log = logging.getLogger(__name__)

#: Imported by the fork server before it forks any worker: everything, or (for runs with
#: repair and entities off) only what extraction and language identification need.
WARM_MODULE = "newsetl._warm"
WARM_EXTRACTION_MODULE = "newsetl._warm_extraction"
#: Imported after either by the fork server of a run that will recycle its workers.
WARM_DATES_MODULE = "newsetl._warm_dates"

#: Short texts that make each lazily loaded resource load (word lists per language,
#: gazetteer, language profiles) before the first real page needs it.
_WARM_TEXTS = {
    "en": "The United Nations met in Geneva on Monday. Maria Rossi said the talks went well.",
    "de": "Die Vereinten Nationen trafen sich am Montag in Genf. Anna Keller war zufrieden.",
    "fr": "Les Nations unies se sont réunies lundi à Genève. Julien Marchetti était satisfait.",
    "it": "Le Nazioni Unite si sono riunite lunedì a Ginevra. Chiara Benedetti era soddisfatta.",
    "es": "Las Naciones Unidas se reunieron el lunes en Ginebra. Lucía Ortega estaba contenta.",
}


def warm_up(
    analysis: bool = True,
    extraction_ready: Callable[[], object] | None = None,
    language_ready: Callable[[], object] | None = None,
    settle: Callable[[], object] | None = None,
) -> None:
    """Load what every page needs: each stage's warm-up (:func:`newsetl.stages.warm_up`):
    trafilatura and language profiles and, with ``analysis``, the word lists and gazetteer of
    artefact analysis and entity extraction (``extraction_ready``: called once trafilatura is
    warm, ``language_ready`` once the language models are too, before the analyses').

    Each part is optional (a slimmer install may lack one); a failure here only means the
    first page loads it instead.
    """
    from newsetl.stages import warm_up as warm_stages

    warm_stages(analysis, extraction_ready, language_ready, settle)


def warm_fork_server(analysis: bool) -> None:
    """What the fork server runs on import of its preload module (``newsetl._warm*``).

    A failed warm-up must not break the server: workers then load lazily. The loaded data
    lives as long as the server and its workers, so it is frozen: the garbage collector then
    never scans it in a worker, which would also touch (and so copy) the pages the workers
    share with the server.

    The spine's preload module (:mod:`newsetl._warm_extraction`) pauses the collector before
    its imports; it is started again here, frozen data and all, before the server forks
    anything. Why: the warm-up makes a few hundred thousand long-lived objects (modules,
    langdetect's 87,598 n-gram lists), and every few thousand of them the collector scanned
    the older ones again: ~0.1 s of the spine's ~0.9 s preload, the critical path of its
    start, at no memory cost (benchmarks/README.md "Round 12 (spine12)"). Not for the
    analyses' preload or the date parser's: there the pause left the server 35-50 and ~57 MB
    bigger (the temporaries of the word lists' and locales' loading were not freed as they
    went), and the pool's memory is what the run's peak is made of ("Round 12 merged").
    """
    try:
        _warm_fork_server(analysis)
    finally:
        gc.freeze()
        gc.enable()


def _warm_fork_server(analysis: bool) -> None:
    # glibc's thresholds fixed here, where the workers fork from (newsetl.memory)
    settle_allocators(fixed_thresholds=True)
    parent = os.environ.get(FORKSERVER_PARENT_ENV)
    die_with_parent(signal.SIGKILL, int(parent) if parent and parent.isdigit() else None)
    if parent == str(os.getppid()):  # the fork server itself (it is its starter's child)
        atexit.register(_end_fork_server_at_once)
    from newsetl import cache, earlyextract

    # what every job runs (extract_in_worker, analyse_and_stage_job): imported here once, not
    # by each worker on its first job (0.13 s of CPU each, each recycled worker again)
    with contextlib.suppress(ImportError):
        import newsetl.pipeline
        import newsetl.run.steps  # noqa: F401

    # an extraction helper starts once trafilatura is warm, if the run listens for one
    # (newsetl.earlyextract): before the language models, and it extracts only; a pool worker
    # identifies its pages' languages. With the analyses, a second one that identifies too
    # takes over once the language models are loaded (benchmarks/README.md "Round 13
    # (spine13)" for the spine, "Round 14 (start14)" with the analyses)
    helper = second = None
    if earlyextract.wanted():
        helper = functools.partial(earlyextract.fork_helper, identify=False, more=analysis)
        second = functools.partial(earlyextract.fork_helper, identify=True) if analysis else None
    try:
        # with the collector on (the analyses' preload), each part's data is frozen once it
        # is loaded; the spine's preload pauses the collector instead
        settle = gc.isenabled()
        cache.freeze_loaded = settle  # what the cache gives is kept, frozen at once
        try:
            warm_up(analysis, helper, second, settle=settle_warm_part if settle else None)
        finally:
            cache.freeze_loaded = False
    except Exception:
        log.exception("worker warm-up failed")


def _end_fork_server_at_once() -> None:
    """The fork server's exit, once its parent has asked it to end (the end of its pipe):
    without the interpreter's teardown. Registered after multiprocessing's own exit handler,
    so it runs first; the server has nothing of its own to finalise (its workers are forked
    by ``os.fork`` and end with ``os._exit``, never running this).

    Why: the teardown freed what the server warmed for the workers (~0.5 GB: the language
    models, word lists, gazetteers) object by object, ~0.1 s of CPU, which the operating
    system takes back whole. A run's process that ends the server and waits for it
    (:func:`end_fork_server`) waited for that (benchmarks/README.md "Round 16 merged")."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def settle_warm_part() -> None:
    """After each part of the fork server's warm-up (with the collector on): collect the young
    generations' garbage, then freeze what is left, as :func:`warm_fork_server` freezes it all
    at the end.

    Why: the warm-up makes ~250,000 long-lived objects (langdetect's 87,598 n-gram lists, the
    word tables' and gazetteer's objects, the modules), and the collector scanned them again
    and again while later parts allocated: 0.23-0.28 s of the warm-up's ~2.6 s of CPU, for
    ~270 objects freed (153 by its two full collections). Frozen, they are never scanned
    again; a part's young garbage is still collected first (``collect(1)``, a few ms), so
    what is frozen is what the part keeps, not its temporaries: unlike pausing the collector
    for the whole warm-up, which left the server 35-50 MB bigger (benchmarks/README.md "Round
    12 merged", "Round 15 (fork15)")."""
    gc.collect(1)
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


def end_fork_server() -> concurrent.futures.Future[None] | None:
    """Start ending the fork server, if it runs, and return at once: a future done when the
    server has ended and been reaped (None: no server ran). The next pool starts a new one.

    Why not wait for it: ~0.05-0.1 s while the server's interpreter ends; a run's process
    that has no pool left has its closing steps to do meanwhile
    (``Settings.fork_server_per_run``). Its workers must be gone already (the run's pools
    ended): a worker still running dies with the server (:func:`_worker_init`)."""
    global _server_warm
    ended = _end_server()
    if ended is not None:
        _server_warm = False
    return ended


def _end_server() -> concurrent.futures.Future[None] | None:
    """Ask the fork server to end (multiprocessing's ``_stop``: the end of its pipe, then its
    reaping), from the thread that started it, as every start is; a future done once it is
    reaped, None when no server runs."""
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    if server is None or getattr(server, "_forkserver_pid", None) is None:
        return None
    with _keeper_lock:
        keeper = _keeper
    if keeper is not None:
        return keeper.submit(server._stop)
    ended: concurrent.futures.Future[None] = concurrent.futures.Future()
    server._stop()
    ended.set_result(None)
    return ended


def _worker_init(owner_pid: int, clock: tuple[Any, Any] | None = None) -> None:
    """Each worker's first act: die with the fork server (its parent) and with the run, and
    note its pool's clock (``clock``, :mod:`newsetl.deadlines`).

    PR_SET_PDEATHSIG only where the parent is the fork server (single-threaded, so the
    thread that forked the worker is the server itself); a ``spawn`` worker's parent is the
    run's dispatcher thread, which ends before the run does. The owner watch covers both.
    Never raises: a failing initializer would break the pool.
    """
    deadlines.install(clock)
    try:
        parent = os.getppid()
        if parent != owner_pid:
            die_with_parent(signal.SIGKILL, parent)
        watch_owner(owner_pid)
    except Exception:  # pragma: no cover - best effort; the run goes on without it
        log.exception("worker could not watch its owner")


def preload_modules(settings: Settings, pages: int) -> list[str]:
    """What the fork server imports before it forks: the warm-up, and for a run of more pages
    than a generation of workers does (``Settings.recycle_workers_pages``) the date parser too
    (:mod:`newsetl._warm_dates`: paid once there, not by every worker of every generation)."""
    analysis = settings.repair or settings.entities
    modules = [WARM_MODULE if analysis else WARM_EXTRACTION_MODULE]
    if 0 < settings.recycle_workers_pages < pages:
        modules.append(WARM_DATES_MODULE)
    return modules


def _context(settings: Settings, pages: int = 0) -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # only takes effect before the server starts; a server started without it still works
        ctx.set_forkserver_preload(preload_modules(settings, pages))
        return ctx
    return multiprocessing.get_context("spawn")


#: True once a pool ran in this process on the fork server: the server stays up, loaded, so
#: the next pool starts in milliseconds and pays off on much smaller runs.
_server_warm = False


def worker_count(settings: Settings) -> int:
    return settings.workers or os.cpu_count() or 1


def pool_threshold(settings: Settings) -> int:
    """Pages from which a run uses the pool: lower once the fork server is loaded; every
    run with a page deadline (``Settings.page_timeout_s``): a page stuck in this process
    could not be stopped (:mod:`newsetl.deadlines`)."""
    if settings.page_timeout_s > 0:
        return 1
    if _server_warm:
        return min(settings.process_pool_min_pages, settings.process_pool_warm_min_pages)
    return settings.process_pool_min_pages


def uses_pool(settings: Settings, pages: int) -> bool:
    """Whether a run of ``pages`` pages extracts and analyses in worker processes.

    One worker (``Settings.workers=1``, or one core) gains no parallelism from a pool, so
    without a page deadline it runs everything in the run's process. With a deadline it
    still gets a pool, of one worker: a hostile page (hours of trafilatura's CPU) must be
    killable on a one-core machine too, and only a process can be killed."""
    if worker_count(settings) < 2 and settings.page_timeout_s <= 0:
        return False
    return pages >= pool_threshold(settings)


@contextlib.contextmanager
def process_pool(settings: Settings, pages: int) -> Iterator[Executor | None]:
    """A warm process pool when the run is big enough to pay for it (:func:`uses_pool`),
    else ``None``.

    ``None`` means "run in this process": every stage function takes an optional executor.
    """
    global _server_warm
    workers = worker_count(settings)
    if not uses_pool(settings, pages):
        yield None
        return
    log.info("process pool: %s workers for %s pages", workers, pages)
    context = _context(settings, pages)
    if context.get_start_method() == "forkserver":
        forkserver_started()
    try:
        timeout = settings.page_timeout_s
        if settings.keep_workers:
            kept = functools.partial(_kept_pool, settings, context)
            with SharingExecutor(
                kept(), 2 * workers, own=False, page_timeout_s=timeout, replace=kept
            ) as pool:
                yield pool
        else:
            fresh = functools.partial(new_pool, workers, context)
            with SharingExecutor(
                fresh(), 2 * workers, page_timeout_s=timeout, replace=fresh
            ) as pool:
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


def retire_pool(pool: Executor | None) -> None:
    """The run's pool has no job left: its workers may end now, unless the pool is kept for
    the next run (:meth:`SharingExecutor.retire`)."""
    if isinstance(pool, SharingExecutor):
        pool.retire()


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
    """A process pool whose workers die with this process (see :func:`_worker_init`), with
    a clock for the deadlines of its jobs (:func:`clock_of`)."""
    clock = deadlines.PoolClock(context)
    pool = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_worker_init,
        initargs=(os.getpid(), clock.arrays),
    )
    _clocks[pool] = clock
    _pools.add(pool)
    return pool


#: The clock of each pool :func:`new_pool` made (a pool made elsewhere has none: no deadline).
_clocks: weakref.WeakKeyDictionary[ProcessPoolExecutor, deadlines.PoolClock] = (
    weakref.WeakKeyDictionary()
)


def clock_of(pool: ProcessPoolExecutor) -> deadlines.PoolClock | None:
    return _clocks.get(pool)


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


@dataclass(eq=False)
class _Job:
    """A job of a :class:`SharingExecutor`: queued, then in a pool's worker."""

    future: Future
    fn: Callable[..., Any]
    args: tuple
    kwargs: dict
    pages: int = 1  # its deadline is this many times the page deadline
    pool: ProcessPoolExecutor | None = None  # the pool it was handed to (last)
    slot: int | None = None  # its slot in that pool's clock (None: no deadline)
    timed_out: bool = False  # its worker was killed for it
    again: bool = False  # handed again after a killed worker broke its pool


class SharingExecutor(Executor):
    """A process pool fed by one dispatcher thread; the caller may take queued jobs back.

    Why: starting the first worker blocks until the fork server has loaded its data (seconds,
    see the module docstring), and a plain ``ProcessPoolExecutor.submit`` would block the
    caller for all that time. Here ``submit`` only queues the job; the dispatcher hands at
    most ``in_flight`` jobs at a time to the pool, so the rest stay queued, and a caller
    waiting for results can ``cancel()`` a queued job and run it itself (see
    ``PendingExtraction.result``): a parent that has extracted before works while the pool
    starts (a fresh one leaves the jobs queued rather than load the extractor twice).

    With ``page_timeout_s`` (and a pool from :func:`new_pool`, which has a clock), a watchdog
    thread kills the worker of a job running for longer than ``page_timeout_s`` per page
    (:mod:`newsetl.deadlines`): the job fails with :class:`~newsetl.deadlines.PageTimeout`.
    A killed worker breaks its pool (concurrent.futures ends the other workers too), so the
    other jobs that pool had are handed again, first, to a pool from ``replace``. A pool that
    broke by itself (a worker crashed) fails its jobs as before.
    """

    def __init__(
        self,
        pool: ProcessPoolExecutor,
        in_flight: int,
        *,
        own: bool = True,
        page_timeout_s: float = 0.0,
        replace: Callable[[], ProcessPoolExecutor] | None = None,
    ) -> None:
        self._pool = pool
        self._own = own  # shut the pool down with this executor (else it is kept for others)
        self._replace = replace  # a new pool for a broken one (None: its jobs keep failing)
        self._retired: list[ProcessPoolExecutor] = []  # broken pools replaced
        self._killed: set[ProcessPoolExecutor] = set()  # pools broken by a deadline's kill
        self.page_timeout_s = page_timeout_s if clock_of(pool) is not None else 0.0
        self._queue: deque[_Job] = deque()
        self._running: set[_Job] = set()  # handed to a pool, not done
        self._cond = threading.Condition()
        self._slots = threading.Semaphore(max(1, in_flight))
        self._closed = False
        self._cancelled = False
        self._started = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._dispatch, name="newsetl-pool", daemon=True)
        self._thread.start()
        self._watchdog: threading.Thread | None = None
        if self.page_timeout_s > 0:
            self._watchdog = threading.Thread(
                target=self._watch, name="newsetl-deadlines", daemon=True
            )
            self._watchdog.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        return self._enqueue(_Job(Future(), fn, args, kwargs), first=False)

    def submit_first(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """``submit``, ahead of every job still queued (a batch's analysis goes before the
        extraction of later batches, so it can be loaded while they are extracted)."""
        return self._enqueue(_Job(Future(), fn, args, kwargs), first=True)

    def submit_pages(
        self, pages: int, fn: Callable[..., Any], /, *args: Any, first: bool = False
    ) -> Future:
        """``submit`` (or ``submit_first``) of a job of ``pages`` pages: its deadline is that
        many times the page deadline."""
        return self._enqueue(_Job(Future(), fn, args, {}, max(1, pages)), first=first)

    def _enqueue(self, job: _Job, *, first: bool) -> Future:
        with self._cond:
            if self._closed:
                raise RuntimeError("cannot submit after shutdown")
            self._queue.appendleft(job) if first else self._queue.append(job)
            self._cond.notify_all()
        return job.future

    def _dispatch(self) -> None:
        while True:
            self._slots.acquire()
            with self._cond:
                # a job in a pool may still come back (its pool broken by a kill): the
                # dispatcher ends once nothing is queued or running
                while not self._queue and not (self._closed and not self._running):
                    self._cond.wait()
                if not self._queue:
                    self._slots.release()
                    return  # shut down and drained
                job = self._queue.popleft()
            if not job.again and not job.future.set_running_or_notify_cancel():
                self._slots.release()  # the caller took it back
                continue
            try:
                self._hand_over(job)
            except BaseException as exc:  # a broken pool: the job fails, visibly
                job.future.set_exception(exc)
                self._slots.release()

    def _hand_over(self, job: _Job) -> None:
        """Give the job to the pool (a new one if it broke), in a slot of its clock."""
        pool = self._pool
        # only a pool broken by a deadline's kill: one whose worker crashed, or that
        # terminate_pools ended (a run being stopped), fails its jobs as it did
        if getattr(pool, "_broken", False) and pool in self._killed and self._replace:
            log.warning("process pool broken by a deadline: starting a new one")
            self._retired.append(pool)
            pool = self._pool = self._replace()
        clock = clock_of(pool) if self.page_timeout_s > 0 else None
        job.pool, job.slot = pool, clock.take() if clock is not None else None
        with self._cond:
            self._running.add(job)
        try:
            if job.slot is None:
                real = pool.submit(job.fn, *job.args, **job.kwargs)
            else:
                real = pool.submit(deadlines.timed, job.slot, job.fn, *job.args, **job.kwargs)
        except BaseException:
            self._done(job)
            raise
        real.add_done_callback(functools.partial(self._relay, job))

    def _done(self, job: _Job) -> None:
        """The job left its pool: its clock slot is free."""
        clock = clock_of(job.pool) if job.pool is not None else None
        if clock is not None and job.slot is not None:
            clock.give_back(job.slot)
        job.slot = None
        with self._cond:
            self._running.discard(job)
            self._cond.notify_all()

    def _watch(self) -> None:
        """Kill the worker of each job past its deadline (see the class docstring)."""
        poll_s = min(1.0, max(0.05, self.page_timeout_s / 20))
        while not self._stop.wait(poll_s):
            now = time.monotonic()
            with self._cond:
                running = list(self._running)
            for job in running:
                clock = clock_of(job.pool) if job.pool is not None else None
                slot, budget = job.slot, job.pages * self.page_timeout_s
                if clock is None or slot is None or job.timed_out:
                    continue
                pid = clock.overdue(slot, budget, now)
                if pid is None:
                    continue
                job.timed_out = True
                self._killed.add(job.pool)  # type: ignore[arg-type]
                log.error("worker %s: %s", pid, deadlines.message(job.pages, budget))
                deadlines.kill_tree(pid)

    @property
    def started(self) -> bool:
        """Whether a worker has finished a job: the pool is up and every core is busy."""
        return self._started

    def _relay(self, job: _Job, real: Future) -> None:
        self._started = True
        self._done(job)
        future = job.future
        if real.cancelled():  # shutdown(cancel_futures=True) of the inner pool
            future.set_exception(CancelledError())
            self._slots.release()
            return
        exc = real.exception()
        if exc is None:
            future.set_result(real.result())
        elif isinstance(exc, BrokenExecutor) and job.timed_out:
            budget = job.pages * self.page_timeout_s
            future.set_exception(deadlines.PageTimeout(deadlines.message(job.pages, budget)))
        elif isinstance(exc, BrokenExecutor) and job.pool in self._killed and not self._cancelled:
            # another job's worker was killed: this one is not at fault, it runs again
            job.again, job.timed_out = True, False
            with self._cond:
                self._queue.appendleft(job)
                self._cond.notify_all()
        else:
            future.set_exception(exc)
        self._slots.release()

    def __exit__(self, exc_type, exc, tb) -> bool:
        # a run that failed needs none of its queued jobs (a kept pool would run them all),
        # nor to wait for the ones running: a run stopped by a signal (Prefect turns SIGTERM
        # into an exception in the flow) must not wait for a batch's analysis to finish
        failed = exc_type is not None
        self.shutdown(wait=not failed, cancel_futures=failed)
        return False

    def retire(self) -> None:
        """No job will come any more: end the dispatcher and, if this executor owns its
        pool, let the pool's workers exit now, without waiting for them (the shutdown at
        the executor's end then finds them gone). A kept pool stays for the next run.

        Why: a run's pool was shut down only after its last load and the loader's close,
        and a kept pool's workers (the ``newsetl ingest`` command's) only at the process's
        exit, where concurrent.futures joins them: ~0.05-0.15 s of the serial tail spent
        waiting for two idle workers to end, with the other core idle. Retired when the
        run's last analysis is in hand, they end on that core while the run loads the last
        batch and runs its closing steps (benchmarks/README.md "Round 16 (tail16)")."""
        if self._own:
            self.shutdown(wait=False)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._cond:
            self._closed = True
            if cancel_futures:
                self._cancelled = True
                for job in self._queue:
                    if job.again:
                        job.future.set_exception(CancelledError())
                    else:
                        job.future.cancel()
                self._queue.clear()
            self._cond.notify_all()
        if wait:
            self._thread.join()  # every job done, the ones handed again too
        self._stop.set()
        for pool in self._retired:
            pool.shutdown(wait=wait)
        if self._own:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
