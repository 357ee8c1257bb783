"""Everything a run reads from the warehouse, behind one small interface.

Why: a run reads the warehouse for four things only: the validators of the pages it is
about to fetch (conditional GET), the stored feeds and sitemaps (same), the stored
translations a batch's texts may ask for, and the originals (by hreflang) its translated
pages name. A distributed run (docs/scale-out.md "Phase B") reads them from the lake
instead of the DuckDB file; with every read behind :class:`WarehouseReader`, the lake only
has to provide one more implementation, and the run does not change.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from newsetl.downloads import DocumentMemory
from newsetl.pipeline import PageState
from newsetl.settings import Settings
from newsetl.sources import load_document_memory
from newsetl.warehouse import WarehouseBusy, connect, open_warehouse

log = logging.getLogger("newsetl.ingest")

#: url -> (language, text) of an article that may be a translated page's original
Originals = dict[str, tuple[str | None, str]]


class WarehouseReader(Protocol):
    """What a run reads from the warehouse. Each read finds nothing (an empty answer) when
    the store cannot be read now: the run then fetches in full, as on a first run."""

    def page_states(self, urls: list[str]) -> dict[str, PageState]:
        """url -> validators and article of the stored page, for ``urls`` (sorted, unique)."""
        ...

    def document_memory(
        self, known_pages: Callable[[list[str]], set[str]]
    ) -> DocumentMemory | None:
        """The stored feeds, sitemaps, robots.txt files and homepages (None: none at hand)."""
        ...

    def stored_translations(self, memory: Any, texts: list[str]) -> list[dict[str, Any]]:
        """The translation-memory rows ``texts`` may ask for (``memory`` knows how to ask)."""
        ...

    def originals(self, urls: set[str]) -> Originals:
        """:func:`warehouse_originals` of ``urls``."""
        ...


class DuckDBReader:
    """:class:`WarehouseReader` over the live DuckDB file, each read through its own short
    connection: the run never holds the file between two steps, so ``newsetl maintain`` or
    another run can take their turn (issue 11)."""

    def __init__(self, settings: Settings, *, ready: bool = False) -> None:
        self.settings = settings
        #: the file was opened (and migrated): reads may query it
        self.ready = ready
        #: this reader migrated the live file (``open``): the run's later opens need not
        self.migrated = False
        #: called before each lookup: the run's loader keeps the file open for it
        #: (:meth:`newsetl.run.steps.Loader.keep_open`), so the lookup joins that database
        #: instead of opening and closing the file for itself
        self.keeper: Callable[[], None] | None = None
        self._documents: DocumentMemory | None = None

    @classmethod
    def open(cls, settings: Settings) -> DuckDBReader:
        """Open (and migrate) the file once; a busy file makes a reader that finds nothing."""
        reader = cls(settings)
        try:
            con = open_warehouse(settings)
        except WarehouseBusy:
            log.warning("warehouse busy: this run starts without conditional-GET state")
            return reader
        try:
            reader.ready = reader.migrated = True
            reader._documents = load_document_memory(con)
        finally:
            con.close()
        return reader

    @contextlib.contextmanager
    def lookup(self) -> Iterator[Any]:
        """A short connection to the live file for one lookup; None while it is busy."""
        if not self.ready:
            yield None
            return
        s = self.settings
        if self.keeper is not None:
            self.keeper()
        try:
            con = connect(s.db_path, retries=s.lock_retries, backoff_s=s.lock_backoff_s)
        except WarehouseBusy as exc:
            log.warning("warehouse busy, a lookup goes without it: %s", exc)
            yield None
            return
        try:
            yield con
        finally:
            con.close()

    def page_states(self, urls: list[str]) -> dict[str, PageState]:
        with self.lookup() as con:
            if con is None:
                return {}
            rows = con.execute(
                "SELECT url, etag, last_modified, raw_sha256, article_id FROM pages "
                "WHERE url IN (SELECT unnest(?))",
                [urls],
            ).fetchall()
        return {
            url: PageState(etag, modified, sha, article)
            for url, etag, modified, sha, article in rows
        }

    def document_memory(
        self, known_pages: Callable[[list[str]], set[str]]
    ) -> DocumentMemory | None:
        if self._documents is None:
            return None
        self._documents.known_pages = known_pages
        return self._documents

    def stored_translations(self, memory: Any, texts: list[str]) -> list[dict[str, Any]]:
        with self.lookup() as con:
            return memory.stored_rows_for(con, texts) if con is not None else []

    def originals(self, urls: set[str]) -> Originals:
        with self.lookup() as con:
            return warehouse_originals(con, urls) if con is not None else {}


class ConnectionReader(DuckDBReader):
    """:class:`WarehouseReader` over one open, read-only connection that stays valid for the
    whole run: a DuckLake attached at a pinned snapshot (a shard of a distributed run,
    :mod:`newsetl.lake.distributed`). A pinned snapshot never changes and blocks no writer, so
    the connection is held for the run; the lock serialises the run's threads on it. With no
    connection it finds nothing (pages are fetched in full, as on a first run)."""

    def __init__(self, settings: Settings, con: Any | None) -> None:
        super().__init__(settings, ready=con is not None)
        self._con = con
        self._lock = threading.Lock()
        if con is not None:
            self._documents = load_document_memory(con)

    @contextlib.contextmanager
    def lookup(self) -> Iterator[Any]:
        if self._con is None:
            yield None
            return
        with self._lock:
            yield self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def warehouse_originals(con, urls: Iterable[str]) -> Originals:
    """url -> (language, text) of the warehouse articles at ``urls``: an article's canonical
    URL, or the URL one of its pages was fetched at.

    Which articles is found from the URL columns alone, and the texts are read for those
    articles only (by key): a query that filtered on the URLs and returned the texts read
    every stored text for each batch of a run (its CPU grew with the warehouse: 1.85 s of a
    1,000-page run into 20,000 pages against 0.35 s into an empty one, benchmarks/README.md
    "Run cost, round 9"). Rows are taken in the table's order, as that query returned them,
    so the first of two articles naming the same URL still wins.
    """
    wanted = sorted(urls)
    found: Originals = {}
    if not wanted or con is None:
        return found
    rows = con.execute(
        "SELECT article_id, canonical_url, url FROM articles "
        "WHERE canonical_url IN (SELECT unnest(?)) OR url IN (SELECT unnest(?)) ORDER BY rowid",
        [wanted, wanted],
    ).fetchall()
    texts = _texts(con, {article_id for article_id, _, _ in rows})
    for article_id, canonical, url in rows:
        if (value := texts.get(article_id)) is not None:
            found.setdefault(canonical, value)
            found.setdefault(url, value)
    missing = [url for url in wanted if url not in found]
    if missing:
        pages = con.execute(
            "SELECT url, article_id FROM pages WHERE url IN (SELECT unnest(?)) "
            "AND article_id IS NOT NULL",
            [missing],
        ).fetchall()
        texts = _texts(con, {article_id for _, article_id in pages})
        for url, article_id in pages:
            if article_id in texts:  # a page whose article is gone names no original
                found.setdefault(url, texts[article_id])
    return found


def _texts(con, article_ids: set[str]) -> dict[str, tuple[str | None, str]]:
    """article_id -> (language, text) of these articles (a filter on the key, pushed into
    the scan: only their texts are read)."""
    if not article_ids:
        return {}
    rows = con.execute(
        "SELECT article_id, language, text FROM articles WHERE article_id = ANY(?)",
        [sorted(article_ids)],
    ).fetchall()
    return {article_id: (language, text) for article_id, language, text in rows}
