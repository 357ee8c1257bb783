"""The last batches' analyses in parts, one a worker: both workers finish together.

Why: a batch's analysis (repair and entities, ~25-35 ms a page with everything on) is one
pool job. In the middle of a run the other worker extracts meanwhile; at the end nothing is
left to extract, so the last full batch's analysis (~0.45 s on the Zyte pages) ran on one
worker while the other analysed the 6-page remainder and then idled, and the last loads
waited for it (benchmarks/README.md "Round 15 (last15)"). Here each of the run's last
batches (``Settings.analysis_tail_batches``) is analysed in as many parts as the pool has
workers, cut where the parts hold about as much text; the parts' rows are joined in page
order and staged here as the one batch, under the batch's own name, so the warehouse gets
the same rows in the same load.

Same rows as one pass (:func:`newsetl.pipeline.analyse_batch`): each page's rows depend on
the page and the originals that travel with the batch; a part is told the article ids the
earlier parts claim (a page with an earlier page's canonical URL stays a page of that
article) and the batch's one time. Not split when the run's translator has an online
provider: within one job a provider's translation is remembered and answers the batch's
later pages from memory (a finding applied differently, ``ChainTranslator``); in parts each
would ask the provider. A part past its deadline or whose worker died: the whole batch
goes the way an unsplit one does (:func:`newsetl.run.steps.analysis_result`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import Executor, Future
from datetime import UTC, datetime
from pathlib import Path

from newsetl.pipeline import AnalysisOptions, BatchStats, OriginalLookup, Processed
from newsetl.run.steps import (
    AnalysedPart,
    AnalysisResult,
    RunContext,
    analyse_with_originals,
    analysis_options,
    analysis_result,
    originals_for,
)
from newsetl.urls import article_id_for
from newsetl.warehouse import Batch, stage_batch

log = logging.getLogger("newsetl.ingest")

#: Characters a page counts for beyond its text when parts are cut (its fetch, page and
#: article rows, the raw HTML's gzip): an empty page is not free. On the Zyte pages a page's
#: analysis (everything on, one warm process) costs ~1 ms plus ~3.5 ms per 1,000 characters
#: of text (correlation of CPU with the text's length 0.88; 2.6 ms at 427 characters, 34 ms
#: at 10,023, 217 ms at 52,991): ~300 characters' worth.
PAGE_WEIGHT = 300


def cut(items: list[Processed], parts: int) -> list[list[Processed]]:
    """``items`` in at most ``parts`` contiguous, non-empty parts with about as much text
    each (the analyses' cost grows with the text)."""
    weights = [PAGE_WEIGHT + (len(i.page.text) if i.page is not None else 0) for i in items]
    out: list[list[Processed]] = []
    total, start, acc = sum(weights), 0, 0
    for k, weight in enumerate(weights):
        acc += weight
        share = total * (len(out) + 1) / parts
        if acc >= share and len(out) < parts - 1 and k + 1 < len(items):
            out.append(items[start : k + 1])
            start = k + 1
    out.append(items[start:])
    return [part for part in out if part]


def claimed_ids(items: Iterable[Processed]) -> set[str]:
    """The article ids extracted pages of ``items`` claim (see :func:`analyse_batch`)."""
    return {article_id_for(i.canonical_url) for i in items if i.page is not None}


def analyse_part_job(
    items: list[Processed],
    run_id: str,
    options: AnalysisOptions,
    originals: dict[str, tuple[str | None, str]],
    pending: frozenset[str],
    now: datetime,
    claimed: frozenset[str],
) -> AnalysedPart:
    """One part's analysis, in a pool worker: its rows come back, not staged."""
    return analyse_with_originals(
        items, run_id, options, originals, pending, now=now, claimed=claimed
    )


class SplitAnalysisFuture:
    """A batch's analysis as parts in the pool (see the module docstring); polled like
    :class:`newsetl.run.steps.AnalysisFuture`."""

    def __init__(
        self,
        ctx: RunContext,
        items: list[Processed],
        lookup: OriginalLookup | None,
        index: int,
        pool: Executor,
        pending: frozenset[str],
        parts: int,
    ) -> None:
        self.ctx, self.items, self.lookup, self.index = ctx, items, lookup, index
        self.pending, self.pool = pending, pool
        originals = originals_for(items, lookup) if lookup else {}
        options = analysis_options(ctx, items, originals)
        now = datetime.now(UTC)
        self.futures: list[Future] = []
        earlier: list[Processed] = []
        for part in cut(items, parts):
            claimed = frozenset(claimed_ids(earlier))
            args = (part, ctx.run_id, options, originals, pending, now, claimed)
            pages = sum(item.page is not None for item in part)
            submit_pages = getattr(pool, "submit_pages", None)
            if submit_pages is not None:  # ahead of queued extraction, as a whole batch's
                future = submit_pages(pages, analyse_part_job, *args, first=True)
            else:
                future = getattr(pool, "submit_first", pool.submit)(analyse_part_job, *args)
            self.futures.append(future)
            earlier.extend(part)
        log.debug("batch %s analysed in %s parts", index, len(self.futures))

    def done(self) -> bool:
        return all(f.done() for f in self.futures)

    def result(self) -> AnalysisResult:
        for future in self.futures:
            if future.exception() is not None:  # the whole batch, as an unsplit one
                return analysis_result(
                    future, self.items, self.ctx, self.lookup, self.index, self.pending,
                    self.pool,
                )  # fmt: skip
        return join_parts(
            [f.result() for f in self.futures],
            self.ctx.settings.staging_path,
            self.ctx.batch_name(self.index),
        )


def join_parts(parts: list[AnalysedPart], staging_path: Path, name: str) -> AnalysisResult:
    """The parts' rows and stats in page order, staged as one batch (nothing staged if a
    part asked for a pending original: the batch is analysed again)."""
    batch, stats = Batch(), BatchStats()
    translations: list[dict] = []
    asked: set[str] = set()
    for part in parts:
        batch.extend(part.batch)
        stats.merge(part.stats)
        translations.extend(part.new_translations)
        asked |= part.asked
    if asked:
        return AnalysisResult(stats, translations, None, sorted(asked))
    staged = stage_batch(batch, staging_path, name) if len(batch) else None
    return AnalysisResult(stats, translations, staged)
