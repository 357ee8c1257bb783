"""The pipeline as plain functions over records: fetch → extract → language → repair → entities.

Two stages, each a function over a batch of records, so each is testable alone and the
orchestrator (``newsetl.flows``) decides how to parallelise them:

1. :func:`fetch_and_extract` fetches a batch of targets (or takes their prefetched bodies),
   extracts text and metadata and identifies the language. Pages whose raw bytes did not
   change since the last run stop here.
2. :func:`analyse_batch` finds and repairs machine-translation artefacts (using the original
   page named by hreflang as evidence when the run or the warehouse has it), finds entities
   on the repaired text, and turns everything into warehouse rows (a :class:`Batch`).

Nothing here touches the database; :mod:`newsetl.warehouse` stages and loads the rows.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import logging
import threading
import weakref
from collections.abc import Callable, Iterable
from concurrent.futures import BrokenExecutor, CancelledError, Executor, Future
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsetl import __version__, deadlines
from newsetl.downloads import Fetcher, FetchResult, StoredDocument
from newsetl.extract import (
    EXTRACTOR,
    EXTRACTOR_VERSION,
    ExtractedPage,
    ExtractionError,
    extract_page,
)
from newsetl.language import (
    UNKNOWN,
    LanguageGuess,
    identify_language,
    uses_short_text_models,
)
from newsetl.sources import Target
from newsetl.textcap import DEFAULT_MAX_TEXT_CHARS, analysed_text
from newsetl.urls import accepted_canonical, article_id_for, is_http, normalise_url, site_of
from newsetl.warehouse import Batch, record_hash

log = logging.getLogger(__name__)

PIPELINE_VERSION = __version__
#: gzip level of the kept raw page: 3 costs 1.5 ms per Zyte page (169 KB) against 3.4 ms at 6
#: for 12 % more bytes (ratio 0.221 against 0.198; benchmarks/README.md).
RAW_GZIP_LEVEL = 3
VOLATILE_COLUMNS = ("fetched_at", "updated_at", "first_seen_at", "run_id")


@dataclass(frozen=True)
class PageState:
    """What the warehouse remembers of a URL: validators for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
    raw_sha256: str | None = None
    article_id: str | None = None  # the article the page gave last time (counting unchanged)


@dataclass
class Processed:
    """One target after stage 1."""

    target: Target
    fetch: FetchResult
    source: str
    page: ExtractedPage | None = None
    language: str | None = None
    language_confidence: float | None = None
    language_guess: LanguageGuess = UNKNOWN  # with the runner-up and the deciding signal
    raw_sha256: str | None = None
    unchanged: bool = False  # same raw bytes as last run: nothing to redo
    known_article_id: str | None = None  # PageState.article_id: what an unchanged page gave
    #: (seed, text cap) of a short text whose language a pool worker left undecided
    #: (:func:`extract_and_identify`, ``defer_short_texts``) and the run has not identified
    #: yet: see :attr:`PendingExtraction.leave_short_texts`
    deferred_language: tuple[int, int | None] | None = None

    @property
    def canonical_url(self) -> str:
        """The article's identity: the page's ``rel=canonical`` when
        :func:`newsetl.urls.accepted_canonical` accepts it (same site and same page, or a
        local file the user named), else the URL it was served from."""
        f = self.fetch
        # a page read from a local mirror was served from a file but published at an http URL
        served = next((u for u in (f.final_url, f.url) if u and is_http(u)), f.final_url or f.url)
        fallback = normalise_url(served)
        declared = self.page.canonical_url if self.page else None
        own = [u for u in (f.final_url, f.url, self.target.url) if u]
        local = not any(is_http(u) for u in own)
        return accepted_canonical(declared, own, local=local) or fallback


# --------------------------------------------------------------------------------------------
# Stage 1
# --------------------------------------------------------------------------------------------
def fetch_and_extract(
    targets: Iterable[Target],
    fetcher: Fetcher,
    page_state: dict[str, PageState] | None = None,
    *,
    executor: Executor | None = None,
) -> list[Processed]:
    """Fetch (I/O, on this thread) then extract and identify the language (CPU).

    The CPU part is a pure function of the body, so an ``executor`` (a process pool) can run
    it on every core while fetching stays polite and shared in this process.
    """
    return start_fetch_and_extract(targets, fetcher, page_state, executor=executor).result()


#: Held while this process extracts a page itself (a job taken back from the pool, or a run
#: without a pool). Why: the flow fetches and extracts several batches at once on threads
#: (``newsetl.flows.ingest.EXTRACTION_WINDOW``), and each may take jobs back; trafilatura and lxml are
#: not safe with several threads parsing at once in one interpreter: trafilatura parses with
#: a module-level lxml parser (pooled runs segfaulted in 2 of ~21 runs with four parent
#: threads in them, issue 10; `newsetl ingest` of the Zyte pages died with "double free or
#: corruption" and a general protection fault in lxml's etree on a flow thread). Extraction is
#: CPU-bound Python, so the GIL already made those threads take turns: serialising them costs
#: nothing measurable, and the process pool is where extraction runs in parallel.
PARENT_EXTRACTION_LOCK = threading.Lock()


#: Whether this process has extracted a page itself (so trafilatura's stoplists, langdetect's
#: profiles and lingua's models are loaded here): see :meth:`PendingExtraction.result`.
_extracted_here = False


def extract_here(job: tuple, defer_short_texts: bool = False) -> tuple:
    """:func:`extract_and_identify` in this process, one thread at a time."""
    global _extracted_here
    with PARENT_EXTRACTION_LOCK:
        _extracted_here = True
        body, url, charset, seed, fetched_at, cap = job
        return extract_and_identify(
            body, url, charset, seed, fetched_at, cap, defer_short_texts=defer_short_texts
        )


#: Batches queued in a pool and not yet collected, by queueing order: what the early
#: extraction helper may take jobs from (weakly held: a batch nobody collects is not kept).
_queued: weakref.WeakValueDictionary[int, PendingExtraction] = weakref.WeakValueDictionary()
_ORDER = itertools.count()
#: Held while :data:`_queued` changes or is read (the run's thread and the helper's feeder).
_QUEUED_LOCK = threading.Lock()
#: Held while a job is handed to the early extraction helper and its outcome stored.
_EARLY_LOCK = threading.Lock()


@dataclass
class PendingExtraction:
    """A fetched batch whose extraction may still be queued or running in a process pool."""

    items: list[Processed]
    todo: list[Processed]
    jobs: list[tuple]
    futures: list[Future] | None = None  # None: extract here, when the result is asked for
    executor: Executor | None = None
    #: Leave the short texts a worker did not identify undecided (``deferred_language`` set,
    #: ``language_guess`` UNKNOWN) for the run to identify after its pool has ended
    #: (:mod:`newsetl.run.shorttexts`), instead of loading lingua's short-text models in
    #: this process for the rest of its life.
    leave_short_texts: bool = False

    #: when it was queued (the helper takes the latest batches' jobs first), and the outcomes
    #: of jobs the early extraction helper did (by job index)
    _order: int = field(default_factory=lambda: next(_ORDER))
    _early: dict[int, tuple] = field(default_factory=dict)
    #: the pool's guesses of the pages the helper extracted without one (by job index): the
    #: future of an :func:`identify_in_worker` job of that page, or None if it could not be
    #: asked (the page then goes the way of a short text a worker left undecided)
    _guessing: dict[int, Future | None] = field(default_factory=dict)

    def _hand_to(self, helper: Any, started: Callable[[], bool]) -> None:
        """Hand the fork server's early extraction helper this batch's jobs that no worker has
        taken, from the back, until the pool has delivered (:mod:`newsetl.earlyextract`)."""
        futures = self.futures or []
        for k in reversed(range(len(self.jobs))):
            if started():
                return
            with _EARLY_LOCK:
                if k in self._early or not futures[k].cancel():
                    continue
                outcome = helper.extract(self.jobs[k])
                if outcome is None:  # let go meanwhile, or died: the job goes back to the pool
                    futures[k] = self.executor.submit(extract_in_worker, *self.jobs[k])  # type: ignore[union-attr]
                    return
                self._early[k] = outcome
                if outcome[0] is not None and outcome[1] is None and not helper.identifies:
                    self._guessing[k] = self._ask_guess(k, outcome[0])

    def _ask_guess(self, k: int, page: ExtractedPage) -> Future | None:
        """Ask the pool for the guess of job ``k``'s page, which the spine's early extraction
        helper extracted without language models: a job of its own, ahead of the queued
        extractions (the batch waits for it), with a page's deadline. Why not in this process:
        its first guess would load langdetect's profiles and lingua's models here too (~0.45
        s of CPU and ~90 MB), which the pool's workers have loaded already."""
        _body, _url, _charset, seed, _at, cap = self.jobs[k]
        samples = [(analysed_text(page.text, cap), page.declared_language, seed)]
        try:
            submit_pages = getattr(self.executor, "submit_pages", None)
            if submit_pages is not None:
                return submit_pages(1, identify_in_worker, samples, first=True)
            return self.executor.submit(identify_in_worker, samples)  # type: ignore[union-attr]
        except Exception:  # a pool shut down: the page is identified as a short text is
            log.exception("could not ask the pool for the language of %s", _url)
            return None

    def _guess_of(self, k: int) -> LanguageGuess | None:
        """The pool's guess of the helper's page ``k`` (:meth:`_ask_guess`); None (the page then
        goes the way of a short text a worker left undecided: the same guess, made by the run)
        for a short text, or if the job failed (its worker died or was killed)."""
        future = self._guessing.get(k)
        if future is None:
            return None
        try:
            guesses = future.result()
        except (Exception, CancelledError) as exc:
            log.warning("the pool could not identify the language of %s (%s): the run does",
                        self.jobs[k][1], exc)  # fmt: skip
            return None
        return guesses[0]

    def _early_outcome(self, k: int) -> tuple | None:
        """The helper's outcome of job ``k``, if it took that job (its future is cancelled)."""
        futures = self.futures or []
        if not futures[k].cancelled():
            return None
        with _EARLY_LOCK:  # taken by another thread's hand-over: done once that is
            return self._early.get(k)

    def result(self) -> list[Processed]:
        """Wait for the batch, extracting in this process the jobs no worker has taken yet
        while the pool is still starting.

        Jobs are taken from the back while the workers take them from the front: a pool
        that is still starting (its fork server loading word lists, see newsetl.workers)
        leaves this process extracting instead of waiting. Once a worker has delivered, the
        workers have every core, and this process keeps to what only it can do (fetching,
        loading): measured on the Zyte pages with a loaded fork server, 6.75-6.88 s without
        taking jobs back against 6.88-7.11 s with.

        Only a process that has extracted before takes jobs back (a long-lived one: a
        Prefect worker, a notebook). A fresh one (``newsetl ingest``) would first load
        trafilatura's stoplists, langdetect's profiles and lingua's models itself, which the
        fork server is loading at the same time: on the Zyte pages it extracted 4 pages for
        ~4 s of CPU and 150 MB more PSS, the same CPU for the run as leaving them to the pool
        (benchmarks/README.md, "Where the run's time and memory go"). A fresh one hands them
        to the fork server's early extraction helper instead, when there is one
        (:mod:`newsetl.earlyextract`): a fork of the server, warm for extraction while the
        server still warms the analyses.
        """
        futures = self.futures or []

        def started() -> bool:
            return bool(getattr(self.executor, "started", False))

        stop_feeding()  # from here on, this thread hands the helper its jobs
        helper = early_helper(started) if futures else None
        if helper is not None:  # this batch's queued jobs, then the later batches'
            with _QUEUED_LOCK:
                later = [b for b in _queued.values() if b._order > self._order]
            for batch in [self, *sorted(later, key=lambda b: -b._order)]:
                batch._hand_to(helper, started)
        with _EARLY_LOCK:
            outcomes: list[tuple | None] = [self._early.get(k) for k in range(len(self.jobs))]
        # not under a deadline: a page stuck in this process could not be stopped
        timed = getattr(self.executor, "page_timeout_s", 0) > 0
        take_back = not futures or (_extracted_here and not timed)
        for k in reversed(range(len(self.jobs))):
            if futures and (not take_back or started()):
                break
            if outcomes[k] is None and (not futures or futures[k].cancel()):
                # a pool run defers here as its workers do
                outcomes[k] = extract_here(self.jobs[k], defer_short_texts=bool(futures))
        for k in range(len(futures)):
            if outcomes[k] is None:  # (a job the helper gave back has a new future)
                outcomes[k] = self._early_outcome(k) or _worker_outcome(futures[k], self.jobs[k][1])
        with _EARLY_LOCK:
            guessing = sorted(self._guessing)
        for k in guessing:  # the spine's helper extracted these; a worker identified them
            page, _guess, _kind, _error = outcomes[k]  # type: ignore[misc]
            outcomes[k] = (page, self._guess_of(k), None, None)
        with _QUEUED_LOCK:
            _queued.pop(self._order, None)
        for item, outcome, job in zip(self.todo, outcomes, self.jobs, strict=True):
            page, guess, kind, error = outcome  # type: ignore[misc]
            if page is None:
                item.fetch.outcome, item.fetch.error_kind, item.fetch.error = "failed", kind, error
                continue
            item.page = page
            if guess is None and self.leave_short_texts:  # a short text, for the run to identify
                item.deferred_language = (job[3], job[5])
                continue
            if guess is None:  # a short text the worker left to this process
                guess = identify_deferred(page, job[3], job[5])
            set_language(item, guess)
        self.todo, self.jobs, self.futures = [], [], None
        return self.items


#: The thread that hands the early extraction helper queued jobs before the run first waits
#: for a batch (:func:`start_feeding`), and the helper it was started for (once per helper).
_feeder: threading.Thread | None = None
_fed: Any = None
_stop_feeder = threading.Event()
#: Seconds between two looks for newly queued jobs while the feeder has handed every job.
FEED_POLL_S = 0.005


def start_feeding(executor: Executor | None) -> None:
    """Hand the early extraction helper queued jobs from now until the run first waits for a
    batch (:func:`stop_feeding`, in :meth:`PendingExtraction.result`), in a thread.

    Why: the run queues its first batches ~0.1 s before it waits for the first one (the
    fetch-ahead window's batches read, on an idle machine), and the helper, connected
    already, waited for that; the spine's helper has only the ~0.3 s until the pool's
    workers fork (benchmarks/README.md "Round 13 (spine13)"). The same hand-over as the run's
    (:meth:`PendingExtraction._hand_to`): the first batch's jobs from the back, then the
    later batches' from the last; a thread of its own only before any ``result()``, so one
    thread at a time waits for any batch."""
    global _feeder, _fed
    from newsetl import earlyextract

    helper = earlyextract.current()
    if helper is None or helper is _fed or executor is None:
        return
    _fed = helper
    _stop_feeder.clear()
    _feeder = threading.Thread(
        target=_feed, args=(helper, executor), name="newsetl-early-feed", daemon=True
    )
    _feeder.start()


def stop_feeding() -> None:
    """Stop the feeder (:func:`start_feeding`) after the page it is on."""
    global _feeder
    feeder, _feeder = _feeder, None
    if feeder is not None:
        _stop_feeder.set()
        if feeder is not threading.current_thread():
            feeder.join()


def _feed(helper: Any, executor: Executor) -> None:
    def stop() -> bool:
        return _stop_feeder.is_set() or bool(getattr(executor, "started", False))

    if not helper.wait(stop):
        return
    from newsetl import earlyextract

    while not stop() and earlyextract.current() is helper:
        with _QUEUED_LOCK:
            batches = sorted(_queued.values(), key=lambda b: b._order)
        for batch in batches[:1] + batches[:0:-1]:
            if stop():
                return
            batch._hand_to(helper, stop)
        _stop_feeder.wait(FEED_POLL_S)


def early_helper(started: Callable[[], bool]) -> Any:
    """The fork server's early extraction helper (:mod:`newsetl.earlyextract`), once it is
    connected, while the pool has not delivered; None otherwise (and the helper let go once
    the pool is up: the workers then have every core)."""
    from newsetl import earlyextract

    helper = earlyextract.current()
    if helper is None:
        return None
    if started() or not helper.wait(started):
        earlyextract.finish()
        return None
    return helper


def set_language(item: Processed, guess: LanguageGuess) -> None:
    """Give an extracted page its language guess (and no deferral any more)."""
    item.language_guess, item.deferred_language = guess, None
    item.language, item.language_confidence = guess.language, guess.confidence


def _worker_outcome(future: Future, url: str) -> tuple:
    """A worker's result; a worker that died (killed for memory, or lxml crashing on a hostile
    page) fails the pages it had, as a recorded failure, and the run goes on. Not retried here:
    the page that killed one process would kill this one too. The next run fetches it again.
    A page past its deadline (``Settings.page_timeout_s``: its worker was killed) fails the
    same way, as ``page_timeout``."""
    try:
        return future.result()
    except deadlines.PageTimeout as exc:
        log.error("extraction of %s stopped: %s", url, exc)
        return None, None, deadlines.KIND, str(exc)
    except BrokenExecutor as exc:
        log.error("worker process died while extracting %s: %s", url, exc)
        return None, None, "worker_died", f"worker process died: {exc}"


def start_fetch_and_extract(
    targets: Iterable[Target],
    fetcher: Fetcher,
    page_state: dict[str, PageState] | None = None,
    *,
    executor: Executor | None = None,
    leave_short_texts: bool = False,
) -> PendingExtraction:
    """Fetch a batch and hand its extraction to ``executor`` without waiting for it.

    A run fetches the next batch while the pool extracts this one; without an executor the
    extraction happens here, before returning. ``leave_short_texts``: see
    :attr:`PendingExtraction.leave_short_texts`.
    """
    page_state = page_state or {}
    seed = fetcher.settings.langdetect_seed
    out: list[Processed] = []
    todo: list[Processed] = []
    for target in targets:
        state = page_state.get(target.url, PageState())
        result = target.at_hand() or fetcher.fetch(
            target.url, etag=state.etag, last_modified=state.last_modified
        )
        item = Processed(
            target=target, fetch=result, source=target.source, known_article_id=state.article_id
        )
        out.append(item)
        if not result.ok or result.body is None:
            continue
        item.raw_sha256 = hashlib.sha256(result.body).hexdigest()
        if item.raw_sha256 == state.raw_sha256 and not target.reprocess:
            item.unchanged = True
            continue
        todo.append(item)
    cap = fetcher.settings.max_text_chars
    jobs: list[tuple[Any, ...]] = [
        (
            i.fetch.body,
            i.fetch.final_url or i.fetch.url,
            i.fetch.charset,
            seed,
            i.fetch.fetched_at,
            cap,
        )
        for i in todo
    ]
    futures = [executor.submit(extract_in_worker, *job) for job in jobs] if executor else None
    pending = PendingExtraction(out, todo, jobs, futures, executor, leave_short_texts)
    if futures:
        with _QUEUED_LOCK:
            _queued[pending._order] = pending
        start_feeding(executor)
    return pending


def extract_and_identify(
    body: bytes,
    url: str,
    charset: str | None,
    seed: int = 0,
    fetched_at: datetime | None = None,
    max_text_chars: int | None = DEFAULT_MAX_TEXT_CHARS,
    defer_short_texts: bool = False,
    defer_language: bool = False,
) -> tuple[ExtractedPage | None, LanguageGuess | None, str | None, str | None]:
    """(page, language guess, error kind, error) for one body; never raises.

    ``fetched_at`` bounds the plausible publication dates (nothing after the fetch);
    ``max_text_chars`` how much of the text the analysis reads (:mod:`newsetl.textcap`).

    ``defer_short_texts`` (a pool worker): a text short enough for lingua to load its
    short-text models (:func:`newsetl.language.uses_short_text_models`, ~0.2 GB for its
    candidate languages) comes back with the page and no guess, to be identified
    (:func:`identify_deferred`) in one process, not in every worker: a run's engine sets
    those pages aside and identifies their texts together in a plain interpreter beside the
    pool, which lets the models go with it (:mod:`newsetl.run.shorttexts`);
    :func:`fetch_and_extract` identifies them in the calling process. The guess is the same
    wherever it is made.

    ``defer_language`` (the spine's early extraction helper, which has no language models):
    every page comes back without a guess, for a pool worker to make
    (:func:`identify_in_worker`)."""
    try:
        page = extract_page(body, url, charset, fetched_at, max_text_chars)
    except ExtractionError as exc:
        return None, None, exc.kind, str(exc)
    except Exception as exc:  # trafilatura/lxml on hostile input: record, go on
        log.exception("extraction crashed on %s", url)
        return None, None, "extract", repr(exc)
    if defer_language:
        return page, None, None, None
    sample = analysed_text(page.text, max_text_chars)
    guess = _guess(sample, page.declared_language, seed, defer_short_texts)
    return page, guess, None, None


def _guess(
    sample: str, declared: str | None, seed: int, defer_short_texts: bool
) -> LanguageGuess | None:
    """The language of a page's analysed text; None for a short text left to the run
    (``defer_short_texts``, see :func:`extract_and_identify`)."""
    if defer_short_texts and uses_short_text_models(sample):
        return None
    return identify_language(sample, declared, seed)


def extract_in_worker(
    body: bytes,
    url: str,
    charset: str | None,
    seed: int,
    fetched_at: datetime | None,
    max_text_chars: int | None,
) -> tuple:
    """:func:`extract_and_identify` as a pool worker runs it: short texts left to the run's
    process (``defer_short_texts``)."""
    return extract_and_identify(
        body, url, charset, seed, fetched_at, max_text_chars, defer_short_texts=True
    )


def extract_in_helper(
    body: bytes,
    url: str,
    charset: str | None,
    seed: int,
    fetched_at: datetime | None,
    max_text_chars: int | None,
) -> tuple:
    """:func:`extract_and_identify` as the spine's early extraction helper runs it: extraction
    only (``defer_language``; :mod:`newsetl.earlyextract`)."""
    return extract_and_identify(
        body, url, charset, seed, fetched_at, max_text_chars, defer_language=True
    )


def identify_in_worker(samples: list[tuple[str, str | None, int]]) -> list[LanguageGuess | None]:
    """The guesses a pool worker makes of pages extracted without one (the spine's early
    extraction helper): each ``(analysed text, declared language, seed)`` as
    :func:`extract_in_worker` identifies it, a short text left undecided (None) as there."""
    return [_guess(sample, declared, seed, True) for sample, declared, seed in samples]


def identify_deferred(page: ExtractedPage, seed: int, max_text_chars: int | None) -> LanguageGuess:
    """The guess :func:`extract_and_identify` left to this process (``defer_short_texts``)."""
    return identify_language(analysed_text(page.text, max_text_chars), page.declared_language, seed)


# --------------------------------------------------------------------------------------------
# Stage 2
# --------------------------------------------------------------------------------------------
OriginalLookup = Callable[[str], tuple[str | None, str] | None]  # url -> (language, text)


@dataclass
class AnalysisOptions:
    repair: bool = True
    entities: bool = True
    translator: Any = None  # newsetl.translate.Translator
    original_lookup: OriginalLookup | None = None
    seed_dirs: tuple[Path, ...] = ()  # the user's extra entity seeds (Settings.extra_seed_dirs)
    entities_max_chars: int = 0  # Settings.entities_max_chars (0 = no cap)
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS  # Settings.max_text_chars (0 = no cap)
    #: the stage-2 stages each new article goes through (newsetl.stages.article_stages);
    #: None: repair and entities as the two flags above say
    stages: tuple[Any, ...] | None = None

    def article_stages(self) -> tuple[Any, ...]:
        if self.stages is not None:
            return self.stages
        from newsetl.stages import ENTITIES, REPAIR

        return tuple(s for s, on in ((REPAIR, self.repair), (ENTITIES, self.entities)) if on)


@dataclass
class BatchStats:
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    skipped: int = 0
    unchanged: int = 0
    articles: int = 0
    artefacts_found: int = 0
    artefacts_applied: int = 0
    entities: int = 0
    mentions: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    #: articles of pages not extracted again (same bytes, or 304), and articles this run
    #: staged: an article counts as unchanged once, however many of its pages were skipped
    unchanged_articles: set[str] = field(default_factory=set)
    staged_articles: set[str] = field(default_factory=set)
    #: feeds and sitemaps as the last run saw them (304 or same bytes): nothing new in them
    sources_unchanged: int = 0
    #: of ``failed``: sources that could not be read and URLs or files refused, which are not
    #: among the run's pages (a summary says "N of M pages failed" without them)
    sources_failed: int = 0
    #: counters of stages that have no field here (``Stage.counters``, a plug-in analysis)
    counters: dict[str, int] = field(default_factory=dict)

    def count(self, name: str) -> int:
        """A counter by name: a field of its own, or one of :attr:`counters`."""
        value = getattr(self, name, None)
        return value if isinstance(value, int) else self.counters.get(name, 0)

    def add(self, name: str, n: int = 1) -> None:
        """Add to a stage's counter (see :meth:`count`)."""
        if isinstance(getattr(self, name, None), int):
            setattr(self, name, getattr(self, name) + n)
        else:
            self.counters[name] = self.counters.get(name, 0) + n

    def merge(self, other: BatchStats) -> None:
        # every int field adds up: a counter added to the class needs no entry here
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int) and not isinstance(value, bool):
                setattr(self, f.name, value + getattr(other, f.name))
        for name, n in other.counters.items():
            self.counters[name] = self.counters.get(name, 0) + n
        for lang, n in other.languages.items():
            self.languages[lang] = self.languages.get(lang, 0) + n
        self.failures.extend(other.failures)
        self.unchanged_articles |= other.unchanged_articles
        self.staged_articles |= other.staged_articles

    @property
    def articles_not_reprocessed(self) -> int:
        """Articles whose pages were all skipped as unchanged (none of them staged)."""
        return len(self.unchanged_articles - self.staged_articles)


def analyse_batch(
    items: list[Processed],
    run_id: str,
    options: AnalysisOptions | None = None,
    *,
    now: datetime | None = None,
    claimed: Iterable[str] = (),
) -> tuple[Batch, BatchStats]:
    """Rows for the warehouse from stage-1 records, with artefacts and entities.

    ``items`` may be a part of a batch analysed in parts (:mod:`newsetl.run.tailsplit`):
    ``claimed`` are then the article ids the batch's earlier parts claim (a page of this part
    with the same canonical URL is kept as a page of that article, as in one pass over the
    whole batch), and ``now`` the batch's one time."""
    options = options or AnalysisOptions()
    batch, stats = Batch(), BatchStats()
    now = now or datetime.now(UTC)
    seen: set[str] = set(claimed)
    for item in items:
        batch.add("fetches", fetch_row(item.fetch, run_id, item.source))
        _count_fetch(item, stats)
        if item.page is None:
            continue
        article = article_row(item, run_id, now)
        if article["article_id"] in seen:
            # another page of this batch claims the same canonical URL: the first one is the
            # article, this page is kept and points at it
            add_page(batch, item, run_id, article["article_id"])
            continue
        seen.add(article["article_id"])
        stages = options.article_stages()
        for stage in stages:  # each may fill columns of the article before it is sealed
            stage.apply(item, article, batch, stats, run_id, options)
        article["record_hash"] = record_hash(article, VOLATILE_COLUMNS)
        batch.add("articles", article)
        add_page(batch, item, run_id, article["article_id"])
        stats.articles += 1
        stats.staged_articles.add(article["article_id"])
        lang = article["language"] or "und"
        stats.languages[lang] = stats.languages.get(lang, 0) + 1
    return batch, stats


def fetch_row(f: FetchResult, run_id: str, source: str | None) -> dict[str, Any]:
    return {
        "fetch_id": _fetch_id(f),
        "run_id": run_id,
        "source": source,
        "url": f.url,
        "site": site_of(f.url) or "local",  # the key of articles.site (migration 006)
        "final_url": f.final_url,
        "status_code": f.status_code,
        "outcome": f.outcome,
        "error_kind": f.error_kind,
        "error": f.error,
        "content_type": f.content_type,
        "bytes": f.size,
        "elapsed_ms": round(f.elapsed_ms, 2),
        "attempts": f.attempts,
        "fetched_at": f.fetched_at,
    }


def _fetch_id(f: FetchResult) -> str:
    key = f"{f.url}|{f.fetched_at.isoformat()}|{f.outcome}|{f.error_kind}"
    return hashlib.sha1(key.encode()).hexdigest()[:24]


def add_page(batch: Batch, item: Processed, run_id: str, article_id: str | None) -> None:
    """The page's ``pages`` row and, when it has a body, its ``page_bodies`` row."""
    row = page_row(item, run_id, article_id)
    batch.add("pages", row)
    f = item.fetch
    if f.body and item.raw_sha256:
        raw_gzip = gzip.compress(f.body, RAW_GZIP_LEVEL, mtime=0)
        batch.add("page_bodies", body_row(row["url"], raw_gzip, f.fetched_at, item.raw_sha256))


def body_row(
    url: str, raw_gzip: bytes, fetched_at: datetime | None, raw_sha256: str
) -> dict[str, Any]:
    """A ``page_bodies`` row. Its record hash is the body's sha256, the page's
    ``raw_sha256``: what says the body changed, and that it is the page's current one."""
    return {"url": url, "raw_gzip": raw_gzip, "fetched_at": fetched_at, "record_hash": raw_sha256}


def page_row(item: Processed, run_id: str, article_id: str | None) -> dict[str, Any]:
    f = item.fetch
    row = {
        "url": normalise_url(f.url),
        "final_url": f.final_url,
        "source": item.source,
        "status_code": f.status_code,
        "content_type": f.content_type,
        "charset": item.page.charset if item.page else f.charset,
        "etag": f.etag,
        "last_modified": f.last_modified,
        "raw_sha256": item.raw_sha256,
        "raw_bytes": len(f.body) if f.body else None,
        "article_id": article_id,
        "fetched_at": f.fetched_at,
        "run_id": run_id,
    }
    row["record_hash"] = record_hash(row, VOLATILE_COLUMNS)
    return row


def article_row(item: Processed, run_id: str, now: datetime) -> dict[str, Any]:
    page = item.page
    assert page is not None
    canonical = item.canonical_url
    guess = item.language_guess
    return {
        "article_id": article_id_for(canonical),
        # the article's URL is its canonical URL: the same whichever of its pages was read
        "url": canonical,
        "canonical_url": canonical,
        "site": site_of(canonical) or "local",
        "site_name": page.site_name,
        "title": page.title,
        "title_source": page.title_source,
        "authors": page.authors,
        "authors_source": page.authors_source,
        **timestamp_columns("published_at", page.published),
        **timestamp_columns("modified_at", page.modified),
        "description": page.description,
        "categories": page.categories,
        "tags": page.tags,
        "image": page.image,
        "language": item.language,
        "language_confidence": item.language_confidence,
        "language_source": guess.source,
        "language_runner_up": guess.runner_up,
        "language_runner_up_confidence": guess.runner_up_confidence,
        "declared_language": page.declared_language,
        "declared_language_source": page.declared_language_source,
        "hreflang": dict(sorted(page.hreflang.items())) if page.hreflang else None,
        "translation_of": None,
        "text": page.text,
        "word_count": page.body_word_count,
        "quality_flags": sorted(page.quality) or None,
        "quality_evidence": (
            json.dumps(page.quality, sort_keys=True, ensure_ascii=False, default=str)
            if page.quality
            else None
        ),
        "content_hash": page.content_hash,
        "fingerprint": page.fingerprint,
        "near_duplicate_of": None,
        "source_language": None,
        "repaired_text": None,
        "language_spans": None,
        "extractor": EXTRACTOR,
        "extractor_version": EXTRACTOR_VERSION,
        "pipeline_version": PIPELINE_VERSION,
        "first_seen_at": item.fetch.fetched_at,
        "fetched_at": item.fetch.fetched_at,
        "updated_at": now,
        "run_id": run_id,
    }


def timestamp_columns(name: str, stamp: Any) -> dict[str, Any]:
    """``<name>`` (UTC) and its ``_offset_minutes``, ``_precision``, ``_source``, ``_raw``."""
    return {
        name: stamp.utc if stamp else None,
        f"{name}_offset_minutes": stamp.offset_minutes if stamp else None,
        f"{name}_precision": stamp.precision if stamp else None,
        f"{name}_source": stamp.source if stamp else None,
        f"{name}_raw": stamp.raw if stamp else None,
    }


def _count_fetch(item: Processed, stats: BatchStats) -> None:
    f = item.fetch
    if f.outcome == "ok":
        stats.fetched += 1
        if item.unchanged:
            stats.unchanged += 1
            if item.known_article_id:
                stats.unchanged_articles.add(item.known_article_id)
    elif f.outcome == "not_modified":
        stats.not_modified += 1
        if item.known_article_id:
            stats.unchanged_articles.add(item.known_article_id)
    elif f.outcome == "skipped":
        stats.skipped += 1
    else:
        stats.failed += 1
        stats.failures.append(
            {"url": f.url, "status": f.status_code, "kind": f.error_kind, "error": f.error}
        )


def _alternate_in(page: ExtractedPage, language: str) -> str | None:
    """The hreflang alternate of ``page`` in ``language``, if it names one."""
    return next(
        (url for lang, url in page.hreflang.items() if lang.split("-")[0] == language), None
    )


def add_repair(item, article, batch, stats, run_id, options: AnalysisOptions) -> None:
    """Artefacts, repaired text and source language of one article.

    hreflang alternates link a translation and its original both ways, so an alternate is not
    evidence of which page is the original. The text's own artefacts decide the source
    language first; only then is the alternate in that language (when this run or the
    warehouse has it) used as the original, to confirm and complete the findings.
    """
    from newsetl.artefacts import analyse

    page = item.page
    # a text over the cap is analysed (and repaired) in its first part only; the rest is
    # kept as extracted, and the article's quality flags say so (newsetl.textcap)
    text = analysed_text(page.text, options.max_text_chars)
    rest = page.text[len(text) :]

    def run(original_text: str | None = None, original_language: str | None = None):
        return analyse(
            text,
            item.language,
            declared_language=page.declared_language,
            alternates=page.hreflang or None,
            original_text=original_text,
            original_language=original_language,
            translator=options.translator,
        )

    try:
        analysis = run()
        original_url = (
            _alternate_in(page, analysis.source_language) if analysis.source_language else None
        )
        found = (
            options.original_lookup(original_url)
            if original_url and options.original_lookup
            else None
        )
        if found:
            analysis = run(
                analysed_text(found[1], options.max_text_chars), analysis.source_language
            )
    except Exception:
        log.exception(
            "artefact analysis failed on %s; article kept without repairs", item.fetch.url
        )
        return
    article["source_language"] = analysis.source_language
    article["translation_of"] = original_url
    if analysis.repaired_text != text:
        article["repaired_text"] = analysis.repaired_text + rest
    if analysis.language_spans:
        article["language_spans"] = json.dumps(analysis.language_spans, ensure_ascii=False)
    for row in language_span_rows(article["article_id"], analysis.language_spans, run_id):
        batch.add("article_language_spans", row)
    for number, finding in enumerate(analysis.findings):
        batch.add(
            "artefacts",
            {
                "article_id": article["article_id"],
                "finding_no": number,
                "kind": finding.kind,
                "start_offset": finding.start,
                "end_offset": finding.end,
                "surface": finding.surface,
                "replacement": finding.replacement,
                "source_language": finding.source_language,
                "confidence": finding.confidence,
                "detector": finding.detector,
                "status": finding.status,
                "run_id": run_id,
                "detected_at": article["fetched_at"],
            },
        )
        stats.artefacts_found += 1
        stats.artefacts_applied += finding.status == "applied"


#: keys of an analysis' language span that have their own column
_SPAN_COLUMNS = {"start", "end", "language", "confidence", "surface"}


def language_span_rows(
    article_id: str, spans: list[dict[str, Any]] | None, run_id: str
) -> list[dict[str, Any]]:
    """``article_language_spans`` rows from the analysis' ``language_spans`` (in text order);
    keys without a column of their own are kept in ``evidence``."""
    rows = []
    for number, span in enumerate(sorted(spans or [], key=lambda s: (s["start"], s["end"]))):
        extra = {k: v for k, v in span.items() if k not in _SPAN_COLUMNS}
        rows.append(
            {
                "article_id": article_id,
                "span_no": number,
                "start_offset": span["start"],
                "end_offset": span["end"],
                "language": span.get("language"),
                "confidence": span.get("confidence"),
                "surface": span.get("surface"),
                "evidence": json.dumps(extra, sort_keys=True, default=str) if extra else None,
                "run_id": run_id,
            }
        )
    return rows


def add_entities(
    article: dict[str, Any],
    batch: Batch,
    stats: BatchStats,
    seed_dirs: tuple[Path, ...] = (),
    max_chars: int = 0,
) -> None:
    try:
        from newsetl.entities import extract_entities
        from newsetl.entities.store import entity_forms
    except ImportError:  # pragma: no cover - entity normalisation not installed
        return
    text = article["repaired_text"] or article["text"]
    try:
        doc = extract_entities(text, article["language"], seed_dirs, max_chars=max_chars)
        # the learned aliases, here where the names' words are in the caches (the loader
        # would compute them cold in the run's own process)
        entity_forms(doc, article["language"])
    except Exception:
        log.exception("entity extraction failed on %s", article["url"])
        return
    if doc.truncated:
        log.warning("entity analysis of %s was cut (text over %s characters or too many"
                    " entities)", article["url"], max_chars)  # fmt: skip
    stats.entities += len(doc.entities)
    stats.mentions += sum(len(e.mentions) for e in doc.entities)
    batch.extras.setdefault("entity_documents", []).append(
        {
            "article_id": article["article_id"],
            "language": article["language"],
            "site": article["site"],
            # the entity tables keep naive UTC timestamps (003_entities.sql)
            "published_at": (
                article["published_at"].replace(tzinfo=None) if article["published_at"] else None
            ),
            "title": article["title"],
            "entities": json.dumps(doc.to_storage(), ensure_ascii=False),
        }
    )


def source_fetch_rows(fetches: list[tuple[str, FetchResult]], run_id: str) -> list[dict[str, Any]]:
    """Fetch-log rows for the feeds, sitemaps and homepages a run read."""
    return [fetch_row(result, run_id, source) for source, result in fetches]


def source_rows(
    fetches: list[tuple[str | None, FetchResult]],
    documents: list[StoredDocument],
    run_id: str,
    page_urls: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[tuple[str, dict[str, Any]]]:
    """(table, row) for what a run read besides its pages: the fetch log of its feeds,
    sitemaps, homepages, robots.txt files, refusals and caps, and a ``pages`` row (without an
    article) and a ``page_bodies`` row for each document fetched, whose validators and body
    make the next run's fetch of it conditional. A URL that is also one of the run's pages
    (``page_urls``) keeps its page row."""
    rows: list[tuple[str, dict[str, Any]]] = [
        ("fetches", fetch_row(result, run_id, source)) for source, result in fetches
    ]
    latest: dict[str, StoredDocument] = {d.url: d for d in documents if d.url not in page_urls}
    for d in latest.values():
        row = {
            "url": d.url,
            "final_url": d.final_url,
            "source": d.source,
            "status_code": d.status_code,
            "content_type": d.content_type,
            "charset": d.charset,
            "etag": d.etag,
            "last_modified": d.last_modified,
            "raw_sha256": d.raw_sha256,
            "raw_bytes": d.raw_bytes,
            "article_id": None,
            "fetched_at": d.fetched_at,
            "run_id": run_id,
        }
        row["record_hash"] = record_hash(row, VOLATILE_COLUMNS)
        rows.append(("pages", row))
        if d.raw_gzip is not None and d.raw_sha256:
            rows.append(("page_bodies", body_row(d.url, d.raw_gzip, d.fetched_at, d.raw_sha256)))
    return rows


def load_entity_documents(con, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Loader for the staged ``entity_documents`` extra: link and store entities."""
    from newsetl.entities import store_entities

    documents = [{**row, "entities": json.loads(row["entities"])} for row in rows]
    return store_entities(con, documents) if documents else {}
