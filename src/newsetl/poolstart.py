"""Start the process pool's fork server at the start of a run that is sure to use it.

Why: the fork server imports newsetl and warms the stages up (1.3 s of CPU for the spine,
~5.6 s with repair and entities, benchmarks/README.md "Round 5"). Started when the run first
asks for its pool, that came after the run's own process had imported its modules, opened and
migrated the warehouse and expanded its sources (~1.5 s): on an idle two-core machine the two
ran one after the other. Started first, they run side by side.

The run also listens for the server's early extraction helper (:mod:`newsetl.earlyextract`,
``Settings.early_extraction``), which extracts the first pages while the server warms the
analyses (or, for the spine, the language models).

Only when the run is sure to use the pool: every source is a local file or directory and
together they name at least as many pages as the pool needs
(:func:`newsetl.workers.pool_threshold`). A URL, a feed, a sitemap or a WARC says how many
pages it holds only once it is read, and a fork server started for a run too small for the
pool would load its data for nothing. Nothing else changes: the run asks for its pool as
before, and finds the server running.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from newsetl.settings import Settings

log = logging.getLogger(__name__)

#: Files :meth:`newsetl.sources.Expander.local` reads as one page each (``HTML_SUFFIXES`` and
#: ``GZIPPED_PAGE_SUFFIXES``; not imported: those modules are what this start overlaps with).
PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".html.gz", ".htm.gz")


def _page_files(path: Path) -> Iterator[Path]:
    if path.is_file():
        if path.name.lower().endswith(PAGE_SUFFIXES):
            yield path
        return
    for root, _dirs, files in os.walk(path):
        for name in files:
            if name.lower().endswith(PAGE_SUFFIXES):
                yield Path(root, name)


def local_pages_at_least(sources: Iterable[str], n: int) -> bool:
    """Whether every source is a local path and together they hold at least ``n`` page files
    (at least one; counting stops at ``n``)."""
    return local_page_count(sources, n) >= max(n, 1)


def local_page_count(sources: Iterable[str], cap: int) -> int:
    """How many distinct page files the sources hold, counted up to ``cap``; 0 unless every
    source is a local path that exists (a URL, ``file:``, ``stored:`` or a missing path: the
    run's size is not known before it fetches)."""
    paths = []
    for source in sources:
        if "://" in source or source.startswith(("file:", "stored:")):
            return 0
        path = Path(source).expanduser()
        if not path.exists():
            return 0
        paths.append(path)
    seen: set[Path] = set()
    for path in paths:
        for file in _page_files(path):
            seen.add(file.resolve())
            if len(seen) >= cap:
                return len(seen)
    return len(seen)


def start_pool_early(settings: Settings, sources: Iterable[str] | None) -> bool:
    """Start the fork server now if the run will use the pool (see the module's docstring);
    whether it was started. Never raises: the run then starts it when it needs it."""
    from newsetl import workers

    try:
        if not sources or not workers.uses_pool(settings, 1 << 30):
            return False  # no pool, however many pages (one worker, no deadline)
        if "forkserver" not in multiprocessing.get_all_start_methods():
            return False
        # one scan, stopping at what either question needs: enough pages for the pool, and
        # more than a generation of workers (then the server preloads the date parser too,
        # workers.preload_modules)
        threshold = max(workers.pool_threshold(settings), 1)
        recycle = settings.recycle_workers_pages
        pages = local_page_count(sources, max(threshold, recycle + 1))
        if pages < threshold:
            return False
        workers._context(settings, pages)
        helper_env: dict[str, str] = {}
        if settings.early_extraction:
            from newsetl import earlyextract

            helper_env = earlyextract.listen(
                settings.page_timeout_s
            )  # for the server about to start only
        os.environ.update(helper_env)
        try:
            workers.forkserver_started()
        finally:
            for name in helper_env:
                os.environ.pop(name, None)
    except Exception:  # pragma: no cover - best effort
        log.exception("could not start the process pool early")
        return False
    return True
