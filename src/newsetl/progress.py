"""Progress of an ingest run, for whoever watches it (the CLI's progress bar).

The stages report what they have done (``report("document", ...)`` while sources expand,
``report("batch", ...)`` as batches are fetched); nobody listens by default, so this costs a
list lookup. Why not the logs: a progress bar needs numbers (pages done, pages in all), not
lines to parse, and source expansion (sitemaps behind a crawl delay) is otherwise silent.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

log = logging.getLogger(__name__)

Listener = Callable[[str, dict[str, Any]], None]
_listeners: list[Listener] = []
_lock = threading.Lock()


@contextlib.contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call ``listener(event, data)`` for every report made inside the block."""
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)


def report(event: str, **data: Any) -> None:
    """Tell the listeners; a listener that fails is logged, never fails the run."""
    for listener in list(_listeners):
        try:
            listener(event, data)
        except Exception:
            log.exception("progress listener failed on %s", event)
