"""Stage-1 stages: extraction (trafilatura, metadata) and language identification.

They run with fetching, in :func:`newsetl.pipeline.start_fetch_and_extract` (in the process
pool, a pure function of the body); as stages they declare the tables the run's pages and
articles go to, and what the fork server warms before the first page.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from newsetl.stages.base import Stage
from newsetl.warehouse.dispositions import Append, Merge


@dataclass(frozen=True)
class Extraction(Stage):
    """Fetched pages to articles: the ``articles``, ``pages`` and ``fetches`` rows."""

    def warm_up(self) -> None:
        from newsetl.extract import extract_page
        from newsetl.stoplists import warm_stoplist
        from newsetl.workers import _WARM_TEXTS

        # justext's stoplists, which the warm page below falls back to: from the disk cache
        warm_stoplist()

        html = (
            b"<html><body><article><p>"
            + _WARM_TEXTS["en"].encode()
            + b"</p></article></body></html>"
        )
        with contextlib.suppress(Exception):
            extract_page(html, "http://warm.invalid/")
        # the Public Suffix List (~0.1 s to read), which every page's rows ask for their
        # site: read once here, not in each worker on its first page
        from newsetl.urls import site_of

        site_of("http://warm.invalid/")


@dataclass(frozen=True)
class Language(Stage):
    """The language of each page (its guess, runner-up and deciding signal go in ``articles``)."""

    def warm_up(self) -> None:
        """langdetect's profiles and lingua's trigram models of the Latin-script languages.

        Why a text of several sentences: lingua scores a text of fewer than 120 letters
        with its uni- to five-gram models of every candidate language (840 MB and ~10 s of
        CPU for the Latin-script ones, measured), a longer one with trigrams only (~30 MB,
        0.5 s). Articles reach lingua as 300 characters (``LINGUA_CHARS``), so the fork
        server loads what they use; a page with less text loads the rest where it is met.
        """
        from newsetl.langdetect_profiles import load_factory
        from newsetl.language import detect_language
        from newsetl.workers import _WARM_TEXTS

        load_factory(freeze=True)  # langdetect's profiles from the disk cache, kept frozen
        detect_language(" ".join([_WARM_TEXTS["en"]] * 4))

    def warm_up_native(self) -> None:
        """lingua's trigram models (~0.3 s in its Rust core), loaded while :meth:`warm_up`
        is still in langdetect (which it asks first)."""
        from newsetl.language import LINGUA_CHARS, lingua_probabilities
        from newsetl.workers import _WARM_TEXTS

        lingua_probabilities(" ".join([_WARM_TEXTS["en"]] * 4)[:LINGUA_CHARS])


EXTRACTION = Extraction(
    name="extraction",
    kind="extract",
    tables=(
        ("articles", Merge(key=("article_id",), keep=("first_seen_at",), latest_by="fetched_at")),
        ("pages", Merge(key=("url",), latest_by="fetched_at")),
        ("page_bodies", Merge(key=("url",), latest_by="fetched_at", deferred=True)),
        ("fetches", Append(key=("fetch_id",))),
    ),
)
LANGUAGE = Language(name="language", kind="extract")
