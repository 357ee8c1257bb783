"""What the run's own process imports for its loads, imported while it waits for its pool.

Why: with entities on, the pool's fork server warms the analyses up for ~2 s (lingua's models,
word lists, the gazetteer) before any worker takes a page, and the run's process is done with
its own start (imports, warehouse, sources) after ~1 s: it waits, and until the server forks
its early extraction helper (~1.5 s) one of two cores idles (benchmarks/README.md "Round 11
(serial11)"). Its first load then imported the entity store and resolution, simplemma,
Snowball and pyarrow's dataset module (~0.19 s of CPU, traced on the Zyte pages) in the middle
of the run, where both cores are busy with the workers' pages. Imported here, in that idle
stretch, they cost the run no wall time.

In a thread of its own, so the run's main thread hands out the first extraction jobs as it
would. Only when the run uses a process pool (otherwise nothing waits) and loads entities
(the spine's first load imports nothing of note).
"""

from __future__ import annotations

import importlib
import logging
import threading

log = logging.getLogger(__name__)

#: What a run's first load of entities imports in its process (traced on the Zyte pages:
#: the modules new in ``sys.modules`` between the pool's start and the run's end).
FIRST_LOAD_MODULES = (
    "pyarrow.dataset",
    "newsetl.entities.store",
    "newsetl.entities.resolve",
    "newsetl.entities.morph",
    "simplemma.strategies.dictionaries.stream_dictionary_factory",
    "snowballstemmer",
)


def warm() -> None:
    """Import :data:`FIRST_LOAD_MODULES`. Never raises: what fails here is imported (and
    fails) where it is needed."""
    for name in FIRST_LOAD_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # pragma: no cover - best effort
            log.debug("could not import %s ahead of the loads", name, exc_info=True)


def start() -> threading.Thread:
    """:func:`warm` in a daemon thread, started; join it before the run's closing steps."""
    thread = threading.Thread(target=warm, name="newsetl-run-warmup", daemon=True)
    thread.start()
    return thread
