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
        from newsetl.workers import _WARM_TEXTS

        html = (
            b"<html><body><article><p>"
            + _WARM_TEXTS["en"].encode()
            + b"</p></article></body></html>"
        )
        with contextlib.suppress(Exception):
            extract_page(html, "http://warm.invalid/")


@dataclass(frozen=True)
class Language(Stage):
    """The language of each page (its guess, runner-up and deciding signal go in ``articles``)."""

    def warm_up(self) -> None:
        from newsetl.language import detect_language
        from newsetl.workers import _WARM_TEXTS

        detect_language(_WARM_TEXTS["en"])


EXTRACTION = Extraction(
    name="extraction",
    kind="extract",
    tables=(
        ("articles", Merge(key=("article_id",), keep=("first_seen_at",), latest_by="fetched_at")),
        ("pages", Merge(key=("url",), latest_by="fetched_at")),
        ("fetches", Append(key=("fetch_id",))),
    ),
)
LANGUAGE = Language(name="language", kind="extract")
