"""What the run's own process needs later, done while it waits for its pool's fork server.

Why: with entities on, the pool's fork server warms the analyses up for ~2 s (lingua's models,
word lists, the gazetteer) before any worker takes a page, and the run's process is done with
its own start (imports, warehouse, sources) after ~1 s: it waits, one core shared by the fork
server and the early extraction helper (benchmarks/README.md "Round 11 (serial11)"). Two
things it will pay for later cost nothing there:

- the imports of its first load (the entity store and resolution, simplemma, Snowball,
  pyarrow's dataset reader for the staged batches: ~0.2 s of CPU), paid otherwise in the
  middle of the run, where both cores are busy with the workers' pages;
- the spelling-key buckets of the entities already stored (a fresh warehouse: the seed's
  ~18,000 names and aliases, ~0.14 s), which the whole-warehouse entity resolution computes
  again in the run's serial tail (:func:`newsetl.entities.resolve.warm_form_buckets`: 0.41 →
  0.33 s of CPU on the 181 Zyte pages).

In a thread of its own, so the run's main thread hands out the first extraction jobs as it
would. The rows are the same: only the time of a pure computation moves. Only when the run
uses a process pool (otherwise nothing waits) and loads into the DuckDB file (a run that ends
at staging never resolves).
"""

from __future__ import annotations

import importlib
import logging
import threading
import time

from newsetl.settings import Settings

log = logging.getLogger(__name__)

#: What a run's first load imports in its process (traced on the Zyte pages).
FIRST_LOAD_MODULES = (
    "pyarrow.dataset",
    "newsetl.entities.store",
    "newsetl.entities.resolve",
    "newsetl.entities.morph",
    "simplemma.strategies.dictionaries.stream_dictionary_factory",
    "snowballstemmer",
)


def warm(settings: Settings) -> int:
    """Import what the loads need and compute the stored entities' buckets; the forms
    computed (0 when the file is busy or holds more than the cache keeps). Never raises:
    whatever fails here is simply computed when it is needed."""
    try:
        for name in FIRST_LOAD_MODULES:
            importlib.import_module(name)
        from newsetl.entities.store import warm_entity_resolution
        from newsetl.warehouse import WarehouseBusy, connect

        try:
            con = connect(settings.db_path)  # no waiting: a busy file, nothing warmed
        except WarehouseBusy:
            return 0
        try:
            return warm_entity_resolution(con)
        finally:
            con.close()
    except Exception:  # pragma: no cover - best effort
        log.exception("warming the run's process failed (no harm: computed when needed)")
        return 0


def start(settings: Settings) -> threading.Thread:
    """:func:`warm` in a daemon thread, started; join it before the run's closing steps."""

    def run() -> None:
        t0 = time.thread_time()
        forms = warm(settings)
        log.debug("run process warmed: %s forms, %.3f s of thread CPU", forms,
                  time.thread_time() - t0)  # fmt: skip

    thread = threading.Thread(target=run, name="newsetl-run-warmup", daemon=True)
    thread.start()
    return thread
