"""Short texts whose language a pool worker left undecided: set aside, and identified in a
process of their own once the pool's workers are gone, not in the run's process.

Why: lingua scores a text of under ~120 letters with its uni- to five-gram models of every
candidate language (:func:`newsetl.language.uses_short_text_models`): ~0.9 GB and ~10 s of
CPU to load. A worker leaves such a text to the run (so that not every worker loads them),
and the run's process used to identify it at once, holding the models for the rest of a run
that may last hours (1.2 GB of its 1.3 GB PSS in a 2,000-page run, on top of the pool's
workers).

So a page with such a text is **set aside**: the rest of its batch, and every later batch, is
analysed and loaded as usual. At the run's end (or once :func:`due`), the pool's workers and
the fork server exit, one plain interpreter (:mod:`newsetl.language_job`) identifies the
set-aside texts and exits, and a new pool analyses those pages (each batch's as a batch
again), as the run's next batches in the load order, while it extracts the pages after them.
The guess is the same function of the same text and seed
(:func:`newsetl.language.identify_language` of the text that
:func:`newsetl.pipeline.identify_deferred` reads).

What that changes against a run that identifies at once: only *when* such a page is loaded
(after the pages extracted before its identification). Which copy of a duplicate is loaded
first decides rows, and a copy of a short text is a short text too, set aside in its turn: the
set-aside pages keep their order and their batches.

Why not hold the batch back instead, as rounds 6-17 did (benchmarks/README.md "Round 18"):
its turn in the load order then held every later batch's load, so the run loaded nothing for
up to 2,000 pages and then ~80 batches in a burst with no worker alive (a core idle ~15 s),
after a drain, lingua's load and a new fork server: a stall of 30-40 s every ~2,000 pages in
a corpus with a short text per ~1,000 pages.
"""

from __future__ import annotations

import logging
import pickle
import subprocess
import sys
from collections.abc import Iterable

from newsetl.pipeline import Processed, set_language
from newsetl.settings import Settings
from newsetl.textcap import analysed_text
from newsetl.workers import stop_fork_server

#: Pages set aside (or their bodies' bytes, held until the pages are analysed and staged)
#: past which they are identified before the run's end. Each identification costs a drain of
#: the pool, lingua's load (~10 s of CPU) and a new fork server (~4 s), so not often: in the
#: scale corpus a 50,000-page run sets aside ~40 pages, identified once, at its end.
SET_ASIDE_PAGES = 500
SET_ASIDE_BYTES = 64 * 2**20

#: How long the identifying process may take: a base for the interpreter and lingua's models
#: (~10 s of CPU to load on this project's 2-core machine, more under load) plus a bound per
#: text (each is at most a few hundred letters; lingua takes milliseconds). Past it the process
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
    """Whether the set-aside pages (by batch) are to be identified now rather than at the
    run's end (:data:`SET_ASIDE_PAGES`, :data:`SET_ASIDE_BYTES`)."""
    pages = [item for items in set_aside for item in items]
    if len(pages) >= SET_ASIDE_PAGES:
        return True
    held = sum(len(item.fetch.body) for item in pages if item.fetch.body is not None)
    return held >= SET_ASIDE_BYTES


def _waits(item: Processed) -> bool:
    return item.page is not None and bool(item.deferred_language)


def identify_waiting(items: list[Processed], settings: Settings) -> int:
    """Identify the waiting pages of ``items`` in one short-lived process (and set their
    guesses); how many there were.

    The process is a plain interpreter that imports the language identification only
    (:mod:`newsetl.language_job`), and the fork server is stopped first (the pool's workers
    are gone; the next pool starts a new server): the run's tree then holds the run's process
    and lingua's models, not also everything the server warmed for the workers (~0.2 GB of PSS
    more at each identification, benchmarks/README.md "Memory, round 8")."""
    todo = waiting(items)
    if not todo:
        return 0
    jobs = []
    for item in todo:
        seed, cap = item.deferred_language  # type: ignore[misc]
        jobs.append((analysed_text(item.page.text, cap), item.page.declared_language, seed))  # type: ignore[union-attr]
    stop_fork_server()
    for item, guess in zip(todo, identify_in_process(jobs), strict=True):
        set_language(item, guess)
    return len(todo)


def identify_in_process(
    jobs: list[tuple[str, str | None, int]], timeout_s: float | None = None
) -> list:
    """:func:`newsetl.language_job.identify_all` of ``jobs`` in a new interpreter.

    Why a fallback and not an error: the set-aside pages (up to :data:`SET_ASIDE_PAGES`) are
    the run's only copy of what was fetched for them; a process that dies (killed for memory,
    a broken interpreter) or hangs must not cost the run those pages. When it fails or runs
    past ``timeout_s`` (default :data:`TIMEOUT_BASE_S` + :data:`TIMEOUT_PER_TEXT_S` per text)
    it is killed, the reason is logged, and the texts are identified here: the same function
    of the same text and seed, so the same guesses, at the memory cost the process avoids."""
    if timeout_s is None:
        timeout_s = TIMEOUT_BASE_S + TIMEOUT_PER_TEXT_S * len(jobs)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "newsetl.language_job"],
            input=pickle.dumps(jobs),
            capture_output=True,
            check=False,
            timeout=timeout_s,
        )
    except (subprocess.TimeoutExpired, OSError) as error:  # run() kills it on a timeout
        reason = f"{type(error).__name__}: {error}"
    else:
        if done.returncode == 0:
            try:
                guesses = pickle.loads(done.stdout)
            except Exception as error:  # any unreadable output: fall back
                reason = f"unreadable output ({type(error).__name__}: {error})"
            else:
                if isinstance(guesses, list) and len(guesses) == len(jobs):
                    return guesses
                reason = "output of the wrong length"
        else:
            reason = (
                f"exit status {done.returncode}: " + done.stderr.decode(errors="replace")[-2000:]
            )
    log.warning(
        "identifying %s short texts in a process of their own failed (%s); "
        "identifying them in the run's process",
        len(jobs),
        reason,
    )
    from newsetl.language_job import identify_all

    return identify_all(jobs)
