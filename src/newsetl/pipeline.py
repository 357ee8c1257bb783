"""The pipeline as plain functions over records: fetch → extract → language → repair → entities.

Two stages, each a function over a batch of records, so each is testable alone and the
orchestrator (``flows/``) decides how to parallelise them:

1. :func:`fetch_and_extract` fetches a batch of targets (or takes their prefetched bodies),
   extracts text and metadata and identifies the language. Pages whose raw bytes did not
   change since the last run stop here.
2. :func:`analyse_batch` finds and repairs machine-translation artefacts (using the original
   page named by hreflang as evidence when the run or the warehouse has it), finds entities
   on the repaired text, and turns everything into warehouse rows (a :class:`Batch`).

Nothing here touches the database; :mod:`newsetl.warehouse` stages and loads the rows.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import BrokenExecutor, Executor, Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsetl import __version__
from newsetl.downloads import Fetcher, FetchResult
from newsetl.extract import (
    EXTRACTOR,
    EXTRACTOR_VERSION,
    ExtractedPage,
    ExtractionError,
    extract_page,
)
from newsetl.language import detect_language
from newsetl.sources import Target
from newsetl.urls import article_id_for, normalise_url, site_of
from newsetl.warehouse import Batch, record_hash

log = logging.getLogger(__name__)

PIPELINE_VERSION = __version__
#: gzip level of the kept raw page: 3 costs 1.5 ms per Zyte page (169 KB) against 3.4 ms at 6
#: for 12 % more bytes (ratio 0.221 against 0.198; benchmarks/README.md).
RAW_GZIP_LEVEL = 3
VOLATILE_COLUMNS = ("fetched_at", "updated_at", "first_seen_at", "run_id", "raw_gzip")


@dataclass(frozen=True)
class PageState:
    """What the warehouse remembers of a URL: validators for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
    raw_sha256: str | None = None


@dataclass
class Processed:
    """One target after stage 1."""

    target: Target
    fetch: FetchResult
    source: str
    page: ExtractedPage | None = None
    language: str | None = None
    language_confidence: float | None = None
    raw_sha256: str | None = None
    unchanged: bool = False  # same raw bytes as last run: nothing to redo

    @property
    def canonical_url(self) -> str:
        fallback = self.fetch.final_url or self.fetch.url
        return (
            self.page.canonical_url if self.page and self.page.canonical_url else None
        ) or normalise_url(fallback)


# --------------------------------------------------------------------------------------------
# Stage 1
# --------------------------------------------------------------------------------------------
def fetch_and_extract(
    targets: Iterable[Target],
    fetcher: Fetcher,
    page_state: dict[str, PageState] | None = None,
    *,
    executor: Executor | None = None,
) -> list[Processed]:
    """Fetch (I/O, on this thread) then extract and identify the language (CPU).

    The CPU part is a pure function of the body, so an ``executor`` (a process pool) can run
    it on every core while fetching stays polite and shared in this process.
    """
    return start_fetch_and_extract(targets, fetcher, page_state, executor=executor).result()


@dataclass
class PendingExtraction:
    """A fetched batch whose extraction may still be queued or running in a process pool."""

    items: list[Processed]
    todo: list[Processed]
    jobs: list[tuple]
    futures: list[Future] | None = None  # None: extract here, when the result is asked for
    executor: Executor | None = None

    def result(self) -> list[Processed]:
        """Wait for the batch, extracting in this process the jobs no worker has taken yet
        while the pool is still starting.

        Jobs are taken from the back while the workers take them from the front: a pool
        that is still starting (its fork server loading word lists, see newsetl.workers)
        leaves this process extracting instead of waiting. Once a worker has delivered, the
        workers have every core, and this process keeps to what only it can do (fetching,
        loading): measured on the Zyte pages with a loaded fork server, 6.75-6.88 s without
        taking jobs back against 6.88-7.11 s with.
        """
        outcomes: list[tuple | None] = [None] * len(self.jobs)
        futures = self.futures or []
        for k in reversed(range(len(self.jobs))):
            if futures and getattr(self.executor, "started", False):
                break
            if not futures or futures[k].cancel():
                outcomes[k] = extract_and_identify(*self.jobs[k])
        for k, future in enumerate(futures):
            if outcomes[k] is None:
                outcomes[k] = _worker_outcome(future, self.jobs[k][1])
        for item, outcome in zip(self.todo, outcomes, strict=True):
            page, language, confidence, kind, error = outcome  # type: ignore[misc]
            if page is None:
                item.fetch.outcome, item.fetch.error_kind, item.fetch.error = "failed", kind, error
                continue
            item.page, item.language, item.language_confidence = page, language, confidence
        self.todo, self.jobs, self.futures = [], [], None
        return self.items


def _worker_outcome(future: Future, url: str) -> tuple:
    """A worker's result; a worker that died (killed for memory, or lxml crashing on a hostile
    page) fails the pages it had, as a recorded failure, and the run goes on. Not retried here:
    the page that killed one process would kill this one too. The next run fetches it again."""
    try:
        return future.result()
    except BrokenExecutor as exc:
        log.error("worker process died while extracting %s: %s", url, exc)
        return None, None, None, "worker_died", f"worker process died: {exc}"


def start_fetch_and_extract(
    targets: Iterable[Target],
    fetcher: Fetcher,
    page_state: dict[str, PageState] | None = None,
    *,
    executor: Executor | None = None,
) -> PendingExtraction:
    """Fetch a batch and hand its extraction to ``executor`` without waiting for it.

    A run fetches the next batch while the pool extracts this one; without an executor the
    extraction happens here, before returning.
    """
    page_state = page_state or {}
    seed = fetcher.settings.langdetect_seed
    out: list[Processed] = []
    todo: list[Processed] = []
    for target in targets:
        state = page_state.get(target.url, PageState())
        result = target.prefetched or fetcher.fetch(
            target.url, etag=state.etag, last_modified=state.last_modified
        )
        item = Processed(target=target, fetch=result, source=target.source)
        out.append(item)
        if not result.ok or result.body is None:
            continue
        item.raw_sha256 = hashlib.sha256(result.body).hexdigest()
        if item.raw_sha256 == state.raw_sha256 and not target.reprocess:
            item.unchanged = True
            continue
        todo.append(item)
    jobs = [(i.fetch.body, i.fetch.final_url or i.fetch.url, i.fetch.charset, seed) for i in todo]
    futures = [executor.submit(extract_and_identify, *job) for job in jobs] if executor else None
    return PendingExtraction(out, todo, jobs, futures, executor)


def extract_and_identify(
    body: bytes, url: str, charset: str | None, seed: int = 0
) -> tuple[ExtractedPage | None, str | None, float | None, str | None, str | None]:
    """(page, language, confidence, error kind, error) for one body; never raises."""
    try:
        page = extract_page(body, url, charset)
    except ExtractionError as exc:
        return None, None, None, exc.kind, str(exc)
    except Exception as exc:  # trafilatura/lxml on hostile input: record, go on
        log.exception("extraction crashed on %s", url)
        return None, None, None, "extract", repr(exc)
    language, confidence = detect_language(page.text, seed)
    return page, language, confidence, None, None


# --------------------------------------------------------------------------------------------
# Stage 2
# --------------------------------------------------------------------------------------------
OriginalLookup = Callable[[str], tuple[str | None, str] | None]  # url -> (language, text)


@dataclass
class AnalysisOptions:
    repair: bool = True
    entities: bool = True
    translator: Any = None  # newsetl.translate.Translator
    original_lookup: OriginalLookup | None = None
    seed_dirs: tuple[Path, ...] = ()  # the user's extra entity seeds (Settings.extra_seed_dirs)
    entities_max_chars: int = 0  # Settings.entities_max_chars (0 = no cap)


@dataclass
class BatchStats:
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    skipped: int = 0
    unchanged: int = 0
    articles: int = 0
    artefacts_found: int = 0
    artefacts_applied: int = 0
    entities: int = 0
    mentions: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, other: BatchStats) -> None:
        for name in (
            "fetched",
            "not_modified",
            "failed",
            "skipped",
            "unchanged",
            "articles",
            "artefacts_found",
            "artefacts_applied",
            "entities",
            "mentions",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for lang, n in other.languages.items():
            self.languages[lang] = self.languages.get(lang, 0) + n
        self.failures.extend(other.failures)


def analyse_batch(
    items: list[Processed], run_id: str, options: AnalysisOptions | None = None
) -> tuple[Batch, BatchStats]:
    """Rows for the warehouse from stage-1 records, with artefacts and entities."""
    options = options or AnalysisOptions()
    batch, stats = Batch(), BatchStats()
    now = datetime.now(UTC)
    seen: set[str] = set()
    for item in items:
        batch.add("fetches", fetch_row(item.fetch, run_id, item.source))
        _count_fetch(item, stats)
        if item.page is None:
            continue
        article = article_row(item, run_id, now)
        if article["article_id"] in seen:
            # another page of this batch claims the same canonical URL: the first one is the
            # article, this page is kept and points at it
            batch.add("pages", page_row(item, run_id, article["article_id"]))
            continue
        seen.add(article["article_id"])
        if options.repair:
            _add_repair(item, article, batch, stats, run_id, options)
        article["record_hash"] = record_hash(article, VOLATILE_COLUMNS)
        batch.add("articles", article)
        batch.add("pages", page_row(item, run_id, article["article_id"]))
        stats.articles += 1
        lang = article["language"] or "und"
        stats.languages[lang] = stats.languages.get(lang, 0) + 1
        if options.entities:
            _add_entities(article, batch, stats, options.seed_dirs, options.entities_max_chars)
    return batch, stats


def fetch_row(f: FetchResult, run_id: str, source: str | None) -> dict[str, Any]:
    return {
        "fetch_id": _fetch_id(f),
        "run_id": run_id,
        "source": source,
        "url": f.url,
        "final_url": f.final_url,
        "status_code": f.status_code,
        "outcome": f.outcome,
        "error_kind": f.error_kind,
        "error": f.error,
        "content_type": f.content_type,
        "bytes": len(f.body) if f.body is not None else None,
        "elapsed_ms": round(f.elapsed_ms, 2),
        "attempts": f.attempts,
        "fetched_at": f.fetched_at,
    }


def _fetch_id(f: FetchResult) -> str:
    key = f"{f.url}|{f.fetched_at.isoformat()}|{f.outcome}|{f.error_kind}"
    return hashlib.sha1(key.encode()).hexdigest()[:24]


def page_row(item: Processed, run_id: str, article_id: str | None) -> dict[str, Any]:
    f = item.fetch
    row = {
        "url": normalise_url(f.url),
        "final_url": f.final_url,
        "source": item.source,
        "status_code": f.status_code,
        "content_type": f.content_type,
        "charset": item.page.charset if item.page else f.charset,
        "etag": f.etag,
        "last_modified": f.last_modified,
        "raw_sha256": item.raw_sha256,
        "raw_bytes": len(f.body) if f.body else None,
        "raw_gzip": gzip.compress(f.body, RAW_GZIP_LEVEL, mtime=0) if f.body else None,
        "article_id": article_id,
        "fetched_at": f.fetched_at,
        "run_id": run_id,
    }
    row["record_hash"] = record_hash(row, VOLATILE_COLUMNS)
    return row


def article_row(item: Processed, run_id: str, now: datetime) -> dict[str, Any]:
    page = item.page
    assert page is not None
    canonical = item.canonical_url
    return {
        "article_id": article_id_for(canonical),
        "url": _published_url(item.fetch),
        "canonical_url": canonical,
        "site": site_of(canonical) or "local",
        "site_name": page.site_name,
        "title": page.title,
        "authors": page.authors,
        "published_at": page.published_at,
        "description": page.description,
        "categories": page.categories,
        "tags": page.tags,
        "image": page.image,
        "language": item.language,
        "language_confidence": item.language_confidence,
        "declared_language": page.declared_language,
        "declared_language_source": page.declared_language_source,
        "hreflang": json.dumps(page.hreflang, sort_keys=True) if page.hreflang else None,
        "translation_of": None,
        "text": page.text,
        "word_count": len(page.text.split()),
        "content_hash": page.content_hash,
        "fingerprint": page.fingerprint,
        "near_duplicate_of": None,
        "source_language": None,
        "repaired_text": None,
        "language_spans": None,
        "extractor": EXTRACTOR,
        "extractor_version": EXTRACTOR_VERSION,
        "pipeline_version": PIPELINE_VERSION,
        "first_seen_at": item.fetch.fetched_at,
        "fetched_at": item.fetch.fetched_at,
        "updated_at": now,
        "run_id": run_id,
    }


def _published_url(f: FetchResult) -> str:
    """Where the article was fetched from: after redirects, but never a local mirror's path."""
    final = f.final_url if f.final_url and f.final_url.startswith(("http://", "https://")) else None
    return normalise_url(final or f.url)


def _count_fetch(item: Processed, stats: BatchStats) -> None:
    f = item.fetch
    if f.outcome == "ok":
        stats.fetched += 1
        if item.unchanged:
            stats.unchanged += 1
    elif f.outcome == "not_modified":
        stats.not_modified += 1
    elif f.outcome == "skipped":
        stats.skipped += 1
    else:
        stats.failed += 1
        stats.failures.append(
            {"url": f.url, "status": f.status_code, "kind": f.error_kind, "error": f.error}
        )


def _alternate_in(page: ExtractedPage, language: str) -> str | None:
    """The hreflang alternate of ``page`` in ``language``, if it names one."""
    return next(
        (url for lang, url in page.hreflang.items() if lang.split("-")[0] == language), None
    )


def _add_repair(item, article, batch, stats, run_id, options: AnalysisOptions) -> None:
    """Artefacts, repaired text and source language of one article.

    hreflang alternates link a translation and its original both ways, so an alternate is not
    evidence of which page is the original. The text's own artefacts decide the source
    language first; only then is the alternate in that language (when this run or the
    warehouse has it) used as the original, to confirm and complete the findings.
    """
    from newsetl.artefacts import analyse

    page = item.page

    def run(original_text: str | None = None, original_language: str | None = None):
        return analyse(
            page.text,
            item.language,
            declared_language=page.declared_language,
            alternates=page.hreflang or None,
            original_text=original_text,
            original_language=original_language,
            translator=options.translator,
        )

    try:
        analysis = run()
        original_url = (
            _alternate_in(page, analysis.source_language) if analysis.source_language else None
        )
        found = (
            options.original_lookup(original_url)
            if original_url and options.original_lookup
            else None
        )
        if found:
            analysis = run(found[1], analysis.source_language)
    except Exception:
        log.exception(
            "artefact analysis failed on %s; article kept without repairs", item.fetch.url
        )
        return
    article["source_language"] = analysis.source_language
    article["translation_of"] = original_url
    if analysis.repaired_text != page.text:
        article["repaired_text"] = analysis.repaired_text
    if analysis.language_spans:
        article["language_spans"] = json.dumps(analysis.language_spans, ensure_ascii=False)
    for number, finding in enumerate(analysis.findings):
        batch.add(
            "artefacts",
            {
                "article_id": article["article_id"],
                "finding_no": number,
                "kind": finding.kind,
                "start_offset": finding.start,
                "end_offset": finding.end,
                "surface": finding.surface,
                "replacement": finding.replacement,
                "source_language": finding.source_language,
                "confidence": finding.confidence,
                "detector": finding.detector,
                "status": finding.status,
                "run_id": run_id,
                "detected_at": article["fetched_at"],
            },
        )
        stats.artefacts_found += 1
        stats.artefacts_applied += finding.status == "applied"


def _add_entities(
    article: dict[str, Any],
    batch: Batch,
    stats: BatchStats,
    seed_dirs: tuple[Path, ...] = (),
    max_chars: int = 0,
) -> None:
    try:
        from newsetl.entities import extract_entities
    except ImportError:  # pragma: no cover - entity normalisation not installed
        return
    text = article["repaired_text"] or article["text"]
    try:
        doc = extract_entities(text, article["language"], seed_dirs, max_chars=max_chars)
    except Exception:
        log.exception("entity extraction failed on %s", article["url"])
        return
    if doc.truncated:
        log.warning("entity analysis of %s was cut (text over %s characters or too many"
                    " entities)", article["url"], max_chars)  # fmt: skip
    stats.entities += len(doc.entities)
    stats.mentions += sum(len(e.mentions) for e in doc.entities)
    batch.extras.setdefault("entity_documents", []).append(
        {
            "article_id": article["article_id"],
            "language": article["language"],
            "site": article["site"],
            "published_at": article["published_at"],
            "title": article["title"],
            "entities": json.dumps(doc.to_storage(), ensure_ascii=False),
        }
    )


def source_fetch_rows(fetches: list[tuple[str, FetchResult]], run_id: str) -> list[dict[str, Any]]:
    """Fetch-log rows for the feeds, sitemaps and homepages a run read."""
    return [fetch_row(result, run_id, source) for source, result in fetches]


def load_entity_documents(con, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Loader for the staged ``entity_documents`` extra: link and store entities."""
    from newsetl.entities import store_entities

    documents = [{**row, "entities": json.loads(row["entities"])} for row in rows]
    return store_entities(con, documents) if documents else {}
