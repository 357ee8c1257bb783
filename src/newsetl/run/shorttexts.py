"""Short texts whose language a pool worker left undecided: set aside, and identified together
in a process of their own, beside the pool, not in the run's process.

Why: lingua scores a text of up to ~120 letters with its uni- to five-gram models
(:func:`newsetl.language.uses_short_text_models`), ~26 MB and ~0.1 s of CPU to load per
language; scored against its likeliest languages only
(:func:`newsetl.language.short_text_probabilities`), one text costs a process of its own
~0.6 s of CPU and ~0.17 GB (more for texts of many languages). A worker that meets such a
text leaves it to the run, so that not every worker loads those models for the text it
happens to get, nor keeps them.

So a page with such a text is **set aside**: the rest of its batch, and every later batch, is
analysed and loaded as usual. At once in a short run, after the last page in a long one
(:class:`SetAside`), one plain interpreter (:mod:`newsetl.language_job`) identifies the
set-aside texts and exits, beside the pool, which goes on with the run. Once it is done (the
run waits for it only at its end, or once :func:`due`), the same pool analyses those pages
(each batch's as a batch again), as the run's next batches in the load order. The guess is
the same function of the same text and seed (:func:`newsetl.language.identify_language` of
the text that :func:`newsetl.pipeline.identify_deferred` reads).

Why a process of its own and not a worker of the pool: the models would stay in the worker
for the rest of its life, and a forked worker cannot let them go (lingua's unloading waits
forever on the thread pool of its Rust core, whose threads stayed in the fork server).

What that changes against a run that identifies at once: only *when* such a page is loaded
(after the pages extracted before its identification). Which copy of a duplicate is loaded
first decides rows, and a copy of a short text is a short text too, set aside in its turn: the
set-aside pages keep their order and their batches.

Why not hold the batch back instead, as rounds 6-17 did (benchmarks/README.md "Round 18"):
its turn in the load order then held every later batch's load, so the run loaded nothing for
up to 2,000 pages and then ~80 batches in a burst. Why the pool is no longer ended for it
(rounds 18-29): lingua loaded the short-text models of every candidate language then (~10 s
of CPU, 0.9 GB), so the pool was ended for that memory and a new one warmed after: one short
page in a 200-page run took the command from ×1.35 to ×2.1-2.4 of trafilatura alone
(benchmarks/README.md "Round 30").
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable

from newsetl.memory import give_back
from newsetl.pipeline import Processed, set_language
from newsetl.textcap import analysed_text

#: Pages set aside (or their bodies' bytes, held until the pages are analysed and staged)
#: past which the run waits for their identification before its end. Each identification is
#: a process of its own (~0.6 s of CPU), so not one per page in a long run: in the scale corpus
#: a 50,000-page run sets aside ~40-95 pages, identified once, at its end.
SET_ASIDE_PAGES = 500
SET_ASIDE_BYTES = 64 * 2**20

#: Runs of up to this many pages identify a set-aside text at once; longer ones after their
#: last page, or once :func:`due` (:class:`SetAside`). One generation of the pool's workers
#: (``Settings.recycle_workers_pages``).
EARLY_IN_RUNS_OF = 250
#: Seconds between two calls of the run's loads while the run waits for an identification.
POLL_S = 0.05
#: How long the identifying process may take: a base for the interpreter and lingua's models
#: (~0.6 s of CPU for one text; ~73 s for ~570 texts of ~45 languages, models let go and
#: loaded again under the bound; more under load) plus a bound per text (each is at most a
#: few hundred letters; lingua takes milliseconds). Past it the process
#: is killed and the texts are identified in the run's process instead (same guesses).
TIMEOUT_BASE_S = 300.0
TIMEOUT_PER_TEXT_S = 1.0

log = logging.getLogger("newsetl.ingest")


def waiting(items: Iterable[Processed]) -> list[Processed]:
    """The pages of ``items`` whose language is still to be identified."""
    return [item for item in items if _waits(item)]


def set_apart(items: list[Processed]) -> tuple[list[Processed], list[Processed]]:
    """``items`` split into (the pages that go on, the pages whose language waits), each in
    their order."""
    ready: list[Processed] = []
    waits: list[Processed] = []
    for item in items:
        (waits if _waits(item) else ready).append(item)
    return ready, waits


def due(set_aside: list[list[Processed]]) -> bool:
    """Whether the run is to wait for the set-aside pages' (by batch) identification now, not
    only take it when it is done (:data:`SET_ASIDE_PAGES`, :data:`SET_ASIDE_BYTES`)."""
    pages = [item for items in set_aside for item in items]
    if len(pages) >= SET_ASIDE_PAGES:
        return True
    held = sum(len(item.fetch.body) for item in pages if item.fetch.body is not None)
    return held >= SET_ASIDE_BYTES


def _waits(item: Processed) -> bool:
    return item.page is not None and bool(item.deferred_language)


class SetAside:
    """The run's set-aside pages, by batch, and the one identification of their texts under way.

    Why, in a run of up to :data:`EARLY_IN_RUNS_OF` pages, started as soon as a page is set
    aside (:meth:`start`): the identifying process (~0.6 s of CPU: an interpreter,
    langdetect's profiles, lingua's models; ~2 s in round 30) then runs beside the extraction
    of the pages after it, not after the last one, where the whole run waited for it (a
    200-page run with one short page, spine only: ×1.08 of trafilatura alone against ×1.30
    started at the end, round 30). Why not in a longer run: there every process costs those
    seconds again, and beside a pool in the middle
    of its generation it added to the run's peak: a 5,000-page run that started one at once
    went ×0.85 of its first window's speed in one window and from 1,182 to 1,406 MiB of peak
    PSS, and one that started it 250 pages before its end to 1,571 MiB. Started after the
    last page there, as in rounds 18-29 (without ending the pool), its peak stayed 1,182 MiB.
    """

    def __init__(self, run_pages: int) -> None:
        self.early = run_pages <= EARLY_IN_RUNS_OF
        self.waiting: list[list[Processed]] = []  # set aside, not yet being identified
        self._job: tuple[Identification, list[list[Processed]], list[Processed]] | None = None

    def add(self, items: list[Processed]) -> None:
        if items:
            self.waiting.append(items)

    def held(self) -> list[list[Processed]]:
        """Every set-aside batch not yet handed back (being identified or waiting)."""
        return (self._job[1] if self._job else []) + self.waiting

    def start(self, now: bool = False) -> None:
        """Identify the waiting pages in a process of their own, unless one is under way; in a
        run of more than :data:`EARLY_IN_RUNS_OF` pages only ``now`` (the run waits for it)."""
        if self._job is not None or not self.waiting or not (now or self.early):
            return
        batches, self.waiting = self.waiting, []
        todo = waiting(item for items in batches for item in items)
        jobs = []
        for item in todo:
            seed, cap = item.deferred_language  # type: ignore[misc]
            jobs.append((analysed_text(item.page.text, cap), item.page.declared_language, seed))  # type: ignore[union-attr]
        self._job = (Identification(jobs), batches, todo)

    def identified(
        self, wait: bool = False, meanwhile: Callable[[], object] | None = None
    ) -> list[list[Processed]]:
        """The set-aside batches whose pages have their guesses now, in the order they were
        set aside. ``wait``: until every set-aside page has one (what was set aside while a
        process ran is identified next), calling ``meanwhile`` (the run's loads) every
        :data:`POLL_S` while a process runs."""
        out: list[list[Processed]] = []
        if wait:
            self.start(now=True)
        while self._job is not None:
            identification, batches, todo = self._job
            if not identification.done():
                if not wait:
                    break
                while not identification.done():
                    if meanwhile is not None:
                        meanwhile()
                    identification.wait(POLL_S)
            for item, guess in zip(todo, identification.result(), strict=True):
                set_language(item, guess)
            log.info("identified %s short texts in a process of their own", len(todo))
            self._job = None
            out.extend(batches)
            if wait:
                self.start(now=True)
        return out

    def close(self) -> None:
        """End an identification still under way (a run that stops early)."""
        if self._job is not None:
            self._job[0].kill()
            self._job = None


class Identification:
    """:func:`newsetl.language_job.identify_apart` of ``jobs`` in a new interpreter, started
    at once; its input and output in temporary files (no pipe to keep drained).

    Why a fallback and not an error: the set-aside pages (up to :data:`SET_ASIDE_PAGES`) are
    the run's only copy of what was fetched for them; a process that dies (killed for memory,
    a broken interpreter) or hangs must not cost the run those pages. When it fails or runs
    past ``timeout_s`` (default :data:`TIMEOUT_BASE_S` + :data:`TIMEOUT_PER_TEXT_S` per text)
    it is killed, the reason is logged, and :meth:`result` identifies the texts here: the same
    function of the same text and seed, so the same guesses, at the CPU cost the process
    avoids, with the process's bound on lingua's models (``lingua_in_turn``), which are let go
    after (until round 31 every candidate's models loaded here, and stayed for the run)."""

    def __init__(self, jobs: list[tuple[str, str | None, int]], timeout_s: float | None = None):
        self.jobs = jobs
        if timeout_s is None:
            timeout_s = TIMEOUT_BASE_S + TIMEOUT_PER_TEXT_S * len(jobs)
        self._deadline = time.monotonic() + timeout_s
        # open for the process's life, closed once read (result)
        self._out = tempfile.TemporaryFile()  # noqa: SIM115
        self._err = tempfile.TemporaryFile()  # noqa: SIM115
        self._proc: subprocess.Popen | None = None
        self._failed: str | None = None
        self._guesses: list = []
        try:
            with tempfile.TemporaryFile() as given:
                pickle.dump(jobs, given)
                given.seek(0)
                self._proc = subprocess.Popen(
                    [sys.executable, "-m", "newsetl.language_job"],
                    stdin=given,
                    stdout=self._out,
                    stderr=self._err,
                )
        except OSError as error:
            self._failed = f"{type(error).__name__}: {error}"

    def done(self) -> bool:
        """Whether the process has ended (or failed to start, or is past its deadline)."""
        return (
            self._proc is None
            or self._proc.poll() is not None
            or time.monotonic() >= self._deadline
        )

    def wait(self, timeout_s: float) -> None:
        if self._proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(max(0.0, min(timeout_s, self._deadline - time.monotonic())))

    def kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()

    def result(self) -> list:
        """The guesses, one per job (waiting for the process until its deadline)."""
        reason = self._failed
        if self._proc is not None:
            try:
                code = self._proc.wait(max(0.0, self._deadline - time.monotonic()))
            except subprocess.TimeoutExpired as error:
                self.kill()
                reason = f"TimeoutExpired: {error}"
            else:
                reason = self._read(code)
                if reason is None:
                    return self._guesses
        self._out.close()
        self._err.close()
        log.warning(
            "identifying %s short texts in a process of their own failed (%s); "
            "identifying them in the run's process",
            len(self.jobs),
            reason,
        )
        from newsetl.language import unload_short_text_models
        from newsetl.language_job import identify_apart

        try:
            return identify_apart(self.jobs)
        finally:
            unload_short_text_models()
            give_back()

    def _read(self, code: int) -> str | None:
        """None when the process gave a guess per job (kept), else why not."""
        with self._out, self._err:
            if code != 0:
                self._err.seek(0)
                return f"exit status {code}: " + self._err.read().decode(errors="replace")[-2000:]
            self._out.seek(0)
            try:
                guesses = pickle.load(self._out)
            except Exception as error:  # any unreadable output: fall back
                return f"unreadable output ({type(error).__name__}: {error})"
        if isinstance(guesses, list) and len(guesses) == len(self.jobs):
            self._guesses = guesses
            return None
        return "output of the wrong length"
