"""Short texts whose language a pool worker left undecided: identified in a process of their
own once the pool's workers are gone, not in the run's process.

Why: lingua scores a text of under ~120 letters with its uni- to five-gram models of every
candidate language (:func:`newsetl.language.uses_short_text_models`): ~0.8 GB and ~10 s of
CPU to load. A worker leaves such a text to the run (so that not every worker loads them),
and the run's process used to identify it at once, holding the models for the rest of a run
that may last hours: 1.2 GB of its 1.3 GB PSS in a 2,000-page run, on top of the pool's
workers. Now a batch with such a page waits, keeping its turn: later batches are extracted and
analysed, and loaded after it, in extraction order as before (which copy of a duplicate comes
first decides rows). When the run has extracted :data:`HOLD_BATCHES` batches past the first
waiting one, or at its end, every other batch is finished, the pool's workers and the fork
server exit, one plain interpreter (:mod:`newsetl.language_job`) identifies the waiting texts
and exits, and a new pool (and fork server) analyses the waiting batches. The models are
loaded once per run in a corpus like the scale benchmark's at 2,000 pages (at most once per
2,000 pages), and the guess is the same function of the same text and seed
(:func:`newsetl.language.identify_language` of the text that
:func:`newsetl.pipeline.identify_deferred` reads); the memory is no longer added to the
pool's for the rest of the run.
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

#: Batches extracted after the first waiting one before the waiting ones are identified
#: (and the pool restarted for it): 80 batches of 25 are 2,000 pages. Why not wait for the end
#: of the run: the batches after a waiting one are analysed, but loaded only after it (loads
#: keep the extraction order: which copy of a duplicate comes first decides rows), so their
#: texts and results are held until then (their bodies are let go once staged). Each
#: identification costs one load of the models (~9 s of CPU) and a new start of the fork
#: server, so at most one per 2,000 pages.
HOLD_BATCHES = 80

#: How long the identifying process may take: a base for the interpreter and lingua's models
#: (~10 s of CPU to load on this project's 2-core machine, more under load) plus a bound per
#: text (each is at most a few hundred letters; lingua takes milliseconds). Past it the process
#: is killed and the texts are identified in the run's process instead (same guesses).
TIMEOUT_BASE_S = 300.0
TIMEOUT_PER_TEXT_S = 1.0

log = logging.getLogger("newsetl.ingest")


def waiting(items: Iterable[Processed]) -> list[Processed]:
    """The pages of ``items`` whose language is still to be identified."""
    return [item for item in items if item.page is not None and item.deferred_language]


def identify_waiting(items: list[Processed], settings: Settings) -> int:
    """Identify the waiting pages of ``items`` in one short-lived process; how many there
    were.

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

    Why a fallback and not an error: the waiting batches hold every page extracted since the
    first of them (up to :data:`HOLD_BATCHES` batches); a process that dies (killed for memory,
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
