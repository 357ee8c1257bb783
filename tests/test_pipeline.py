"""Pipeline stages alone: extraction signals, language, and the process-pool path."""

from __future__ import annotations

import dataclasses
import os

import pytest

from newsetl.downloads import Fetcher
from newsetl.extract import decode_html, extract_page
from newsetl.language import detect_language, normalise_language_tag
from newsetl.pipeline import fetch_and_extract
from newsetl.samples import SAMPLE_SITE, load_manifest
from newsetl.settings import Settings
from newsetl.sources import expand_sources
from newsetl.workers import process_pool


def test_head_signals_and_metadata_of_a_translated_page():
    manifest = {p["path"]: p for p in load_manifest()["pages"]}
    mt = next(p for p in manifest.values() if p["translation_of"])
    page = extract_page((SAMPLE_SITE / mt["path"]).read_bytes(), mt["url"])
    assert page.canonical_url == mt["url"]
    assert mt["translation_of"] in page.hreflang.values()
    assert page.declared_language == "en" and page.declared_language_source == "html_lang"
    assert page.title == mt["title"]
    assert mt["author"] in page.authors
    assert (
        page.published_at is not None
        and page.published_at.date().isoformat() == mt["published"][:10]
    )
    assert "Cookie" not in page.text and "comment" not in page.text.lower()[:200]


def test_language_is_deterministic_and_tags_normalise():
    text = "Die Gewerkschaft fordert eine Lohnerhöhung und kürzere Arbeitszeiten für alle Beschäftigten."
    assert {detect_language(text) for _ in range(5)} == {detect_language(text)}
    assert detect_language(text)[0] == "de"
    assert detect_language("ok") == (None, None)
    assert [normalise_language_tag(t) for t in ("en-GB", "it_IT", "x-default", "", "zh-cn")] == [
        "en",
        "it",
        None,
        None,
        "zh",
    ]


def test_mislabelled_charsets_decode_correctly():
    text = "<p>Les élèves, où qu'ils soient, ont été très applaudis. Die Gebühren steigen.</p>"
    decoded, charset = decode_html(text.encode("cp1252"), "utf-8")
    # several single-byte charsets decode these bytes without error; windows-1252 is the one
    # that gives "où" and "très" rather than "oų" and "trčs"
    assert (decoded, charset) == (text, "cp1252")
    assert decode_html(text.encode("utf-8"), "iso-8859-1") == (text, "utf-8")


def test_process_pool_gives_the_same_records():
    settings = Settings(per_host_interval_s=0.0, workers=2, process_pool_min_pages=1)
    with Fetcher(settings) as fetcher:
        targets = expand_sources([str(SAMPLE_SITE / "sitemap.xml")], fetcher).targets
        inline = fetch_and_extract(targets, fetcher)
        with process_pool(settings, len(targets)) as pool:
            assert pool is not None
            pooled = fetch_and_extract(targets, fetcher, executor=pool)
    assert [(p.page.text, p.page.fingerprint, p.language) for p in pooled] == [
        (p.page.text, p.page.fingerprint, p.language) for p in inline
    ]


def test_url_identity_keeps_meaningful_parameters_and_drops_tracking():
    from newsetl.urls import article_id_for, normalise_url

    a = normalise_url("https://www.Example.com/news_view.html?idx=123&page=1#top")
    b = normalise_url("https://www.example.com/news_view.html?page=1&idx=124")
    assert a == "https://www.example.com/news_view.html?idx=123&page=1"
    assert article_id_for(a) != article_id_for(b)
    assert normalise_url("https://ex.org/a?utm_source=x&id=3&fbclid=abc") == "https://ex.org/a?id=3"


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("http://ex.org/article.php?12345", "http://ex.org/article.php?12345"),
        ("http://ex.org/a?b=2&x&a=1#top", "http://ex.org/a?x&a=1&b=2"),
        ("http://ex.org?7", "http://ex.org/?7"),
        ("http://ex.org/a?utm_source=y&12&fbclid", "http://ex.org/a?12"),
    ],
)
def test_a_query_part_without_a_value_is_part_of_the_url(url, normalised):
    """courlan's ``parse_qs`` drops ``?12345``: one script's pages were one URL, all but one
    lost. Normalising twice gives the same URL."""
    from newsetl.urls import normalise_url

    assert normalise_url(url) == normalised
    assert normalise_url(normalised) == normalised


def _rows(db, sql: str) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_whole_run_in_the_process_pool_loads_the_same_rows(tmp_path, monkeypatch):
    """Both stages in worker processes, batches staged by the workers: same warehouse rows."""
    from newsetl.ingest import run_ingest

    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    dbs = {}
    for label, pool in (("inline", {"workers": 1}), ("pooled", {"workers": 2})):
        settings = Settings(
            db_path=tmp_path / label / "w.duckdb",
            per_host_interval_s=0.0,
            process_pool_min_pages=1,
            batch_size=4,  # several batches, so several jobs finish in some order
            **pool,
        )
        summary = run_ingest(None, settings)
        assert summary.status == "completed", summary.stats.failures
        assert summary.stats.articles >= 12
        dbs[label] = settings.db_path
    queries = [
        "SELECT canonical_url, language, source_language, translation_of, text, repaired_text,"
        " content_hash, fingerprint FROM articles ORDER BY canonical_url",
        "SELECT a.canonical_url, x.kind, x.start_offset, x.end_offset, x.replacement, x.status"
        " FROM artefacts x JOIN articles a USING (article_id) ORDER BY 1, 3, 2",
        "SELECT a.canonical_url, e.name, e.type, m.start_offset, m.end_offset, m.surface"
        " FROM mentions m JOIN articles a USING (article_id) JOIN entities e USING (entity_id)"
        " ORDER BY 1, 4, 5",
        "SELECT count(*) FROM story_clusters",
    ]
    for sql in queries:
        inline, pooled = _rows(dbs["inline"], sql), _rows(dbs["pooled"], sql)
        assert inline and pooled == inline, sql


def test_a_translation_extracted_before_its_original_is_analysed_with_it(
    tmp_path, caplog, monkeypatch
):
    """Batches are analysed as soon as they are extracted; a translation whose original comes
    in a later batch is analysed again once the original is there, so one page per batch,
    translations first, gives the rows of a run that analysed everything at once."""
    import logging
    import shutil

    from newsetl.ingest import run_ingest

    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    site = tmp_path / "site"
    shutil.copytree(SAMPLE_SITE, site)
    pages = load_manifest()["pages"]
    ordered = [p for p in pages if p["translation_of"]] + [
        p for p in pages if not p["translation_of"]
    ]
    urls = "".join(f"<url><loc>{p['url']}</loc></url>" for p in ordered)
    (site / "translations-first.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )
    dbs = {}
    for label, batch_size in (("one-batch", 100), ("page-per-batch", 1)):
        settings = Settings(
            db_path=tmp_path / label / "w.duckdb",
            per_host_interval_s=0.0,
            batch_size=batch_size,
            workers=1,
            page_timeout_s=0,
        )
        with caplog.at_level(logging.INFO, logger="newsetl.ingest"):
            caplog.clear()
            summary = run_ingest([str(site / "translations-first.xml")], settings)
        assert summary.status == "completed", summary.stats.failures
        assert summary.stats.articles == len(pages)
        again = [r for r in caplog.records if "originals still to extract" in r.getMessage()]
        assert bool(again) == (batch_size == 1)
        dbs[label] = settings.db_path
    queries = [
        "SELECT canonical_url, source_language, translation_of, repaired_text, language_spans"
        " FROM articles ORDER BY canonical_url",
        "SELECT a.canonical_url, x.kind, x.start_offset, x.end_offset, x.replacement,"
        " x.confidence, x.status FROM artefacts x JOIN articles a USING (article_id)"
        " ORDER BY 1, 3, 2",
    ]
    for sql in queries:
        whole, streamed = _rows(dbs["one-batch"], sql), _rows(dbs["page-per-batch"], sql)
        assert whole and streamed == whole, sql
    translated = _rows(
        dbs["page-per-batch"], "SELECT count(*) FROM articles WHERE translation_of IS NOT NULL"
    )
    assert translated[0][0] == sum(1 for p in pages if p["translation_of"])


def test_the_parent_extracts_queued_pages_only_while_the_pool_starts(monkeypatch):
    """While no worker has delivered yet (a fork server still loading), a parent that has
    extracted before takes queued extraction jobs back and runs them; once the pool
    delivers, it leaves them."""
    import multiprocessing
    import time
    from concurrent.futures import ProcessPoolExecutor

    from newsetl import pipeline
    from newsetl.pipeline import start_fetch_and_extract
    from newsetl.workers import SharingExecutor

    monkeypatch.setattr(pipeline, "_extracted_here", False)
    settings = Settings(per_host_interval_s=0.0)
    spawn = multiprocessing.get_context("spawn")
    with Fetcher(settings) as fetcher:
        targets = expand_sources([str(SAMPLE_SITE / "sitemap.xml")], fetcher).targets[:4]
        fetch_and_extract(targets[:1], fetcher)  # a long-lived process that extracted before
        assert pipeline._extracted_here
        with SharingExecutor(ProcessPoolExecutor(1, mp_context=spawn), 1) as pool:
            slow = pool.submit(time.sleep, 1.0)  # holds the pool's one slot
            starting = start_fetch_and_extract(targets, fetcher, executor=pool)
            queued = list(starting.futures)
            items = starting.result()
            assert not pool.started
            assert all(f.cancelled() for f in queued)  # all taken back and run here
            assert all(item.page is not None and item.language for item in items)
            slow.result()
            assert pool.started
            running = start_fetch_and_extract(targets, fetcher, executor=pool)
            queued = list(running.futures)
            again = running.result()
            assert not any(f.cancelled() for f in queued)  # the worker ran every one
            assert [i.page.text for i in again] == [i.page.text for i in items]


def test_a_fresh_parent_leaves_extraction_to_the_starting_pool(monkeypatch):
    """A process that never extracted (``newsetl ingest``) does not take jobs back while the
    pool starts: it would load trafilatura and the language models a second time."""
    import multiprocessing
    import time
    from concurrent.futures import ProcessPoolExecutor

    from newsetl import pipeline
    from newsetl.pipeline import start_fetch_and_extract
    from newsetl.workers import SharingExecutor

    monkeypatch.setattr(pipeline, "_extracted_here", False)
    settings = Settings(per_host_interval_s=0.0)
    spawn = multiprocessing.get_context("spawn")
    with Fetcher(settings) as fetcher:
        targets = expand_sources([str(SAMPLE_SITE / "sitemap.xml")], fetcher).targets[:2]
        with SharingExecutor(ProcessPoolExecutor(1, mp_context=spawn), 1) as pool:
            slow = pool.submit(time.sleep, 0.5)  # the pool has not delivered yet
            starting = start_fetch_and_extract(targets, fetcher, executor=pool)
            queued = list(starting.futures)
            items = starting.result()
            slow.result()
            assert not any(f.cancelled() for f in queued)  # the worker ran every one
            assert all(item.page is not None and item.language for item in items)
            assert pipeline._extracted_here is False


def test_short_texts_are_identified_by_the_run_process_with_the_same_guess(tmp_path):
    """A pool worker leaves a text short enough for lingua's short-text models (840 MB) to
    the run's process, which loads them once instead of every worker; the guess is the one
    the page gets without a pool. A longer text is identified in the worker."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from newsetl.language import identify_language, uses_short_text_models
    from newsetl.pipeline import extract_and_identify, start_fetch_and_extract
    from newsetl.workers import SharingExecutor

    short = "The council met on Monday and agreed to open the new library in the spring."
    long = " ".join([short, "Residents asked for longer opening hours and a reading room."] * 4)
    pages = {}
    for name, text in (("short", short), ("long", long)):
        html = (
            f"<html lang='en'><body><article><h1>{name}</h1><p>{text}</p></article></body></html>"
        )
        pages[name] = tmp_path / f"{name}.html"
        pages[name].write_text(html)
    assert (
        extract_and_identify(pages["short"].read_bytes(), "file:x", None, 0, None, 0, True)[1]
        is None
    )
    settings = Settings(per_host_interval_s=0.0)
    spawn = multiprocessing.get_context("spawn")
    with Fetcher(settings) as fetcher:
        targets = expand_sources([str(p) for p in pages.values()], fetcher).targets
        alone = start_fetch_and_extract(targets, fetcher).result()
        with SharingExecutor(ProcessPoolExecutor(1, mp_context=spawn), 1) as pool:
            pending = start_fetch_and_extract(targets, fetcher, executor=pool)
            worker_guesses = [f.result()[1] for f in pending.futures]
            pooled = pending.result()
    by_name = {("short" if i.target.url.endswith("/short.html") else "long"): i for i in pooled}
    assert len(by_name) == 2
    texts = {k: v.page.text for k, v in by_name.items()}
    assert uses_short_text_models(texts["short"]) and not uses_short_text_models(texts["long"])
    assert sorted(g is None for g in worker_guesses) == [False, True]  # only the short one left
    assert [i.language_guess for i in pooled] == [i.language_guess for i in alone]
    for item in pooled:
        assert item.language_guess == identify_language(item.page.text, item.page.declared_language)
        assert item.language == "en"


def test_workers_are_kept_between_runs_unless_settings_say_not_to():
    """A long-lived process keeps its pool's workers (their caches stay warm) from run to
    run; with keep_workers off every run gets a new pool, shut down at the run's end."""
    import os

    from newsetl.workers import process_pool

    def run(settings: Settings):
        with process_pool(settings, 5) as pool:
            assert pool is not None and pool.submit(os.getpid).result() != os.getpid()
            return pool._pool  # the ProcessPoolExecutor behind the run's SharingExecutor

    kept = Settings(workers=2, process_pool_min_pages=1)
    first = run(kept)
    assert run(kept) is first
    assert first.submit(os.getpid).result() != os.getpid()  # still up after the runs
    fresh = Settings(workers=2, process_pool_min_pages=1, keep_workers=False)
    one, two = run(fresh), run(fresh)
    assert len({id(first), id(one), id(two)}) == 3
    with pytest.raises(RuntimeError):  # shut down with its run
        one.submit(os.getpid)


def test_a_loaded_fork_server_lowers_the_pool_threshold():
    from newsetl.workers import process_pool

    with process_pool(Settings(workers=2, process_pool_min_pages=1), 5) as pool:
        assert pool is not None
        assert (
            pool.submit(detect_language, "Die Regierung hat am Montag beschlossen.").result()[0]
            == "de"
        )
    # without a page deadline (with one, every run uses the pool: below)
    warm = Settings(
        workers=2, process_pool_min_pages=10_000, process_pool_warm_min_pages=4, page_timeout_s=0
    )
    with process_pool(warm, 5) as pool:
        assert pool is not None  # the server is loaded: 5 pages are enough now
    cold_only = Settings(
        workers=2,
        process_pool_min_pages=10_000,
        process_pool_warm_min_pages=10_000,
        page_timeout_s=0,
    )
    with process_pool(cold_only, 5) as pool:
        assert pool is None
    one = Settings(workers=1, process_pool_min_pages=1, page_timeout_s=0)
    with process_pool(one, 5) as pool:
        assert pool is None  # one worker, no deadline: nothing to gain, all in this process
    # one worker with a deadline: a pool of one, so that a stuck page can be killed
    with process_pool(dataclasses.replace(one, page_timeout_s=60.0), 5) as pool:
        assert pool is not None
        assert pool.page_timeout_s == 60.0
        assert pool.submit(os.getpid).result() != os.getpid()
    # a page deadline needs a process that can be killed: the pool, however small the run
    with process_pool(dataclasses.replace(cold_only, page_timeout_s=60.0), 5) as pool:
        assert pool is not None
        assert pool.page_timeout_s == 60.0


def _finished(result=None, exc: BaseException | None = None):
    """A future in the state a pool leaves it: taken by a worker, then done or failed."""
    from concurrent.futures import Future

    future = Future()
    future.set_running_or_notify_cancel()
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)
    return future


def test_pages_of_a_dead_worker_are_recorded_failures_and_the_batch_goes_on():
    from concurrent.futures.process import BrokenProcessPool

    from newsetl.pipeline import extract_and_identify, start_fetch_and_extract

    settings = Settings(per_host_interval_s=0.0)
    with Fetcher(settings) as fetcher:
        targets = expand_sources([str(SAMPLE_SITE / "sitemap.xml")], fetcher).targets[:3]
        pending = start_fetch_and_extract(targets, fetcher)
    # as a pool would leave them: the second page's worker was killed
    pending.futures = [
        _finished(exc=BrokenProcessPool("killed"))
        if k == 1
        else _finished(extract_and_identify(*job))
        for k, job in enumerate(pending.jobs)
    ]
    items = pending.result()
    assert [i.fetch.outcome for i in items] == ["ok", "failed", "ok"]
    assert items[1].fetch.error_kind == "worker_died" and items[1].page is None
    assert items[0].page is not None and items[2].page is not None


def test_a_batch_whose_worker_died_is_analysed_in_the_run_process(tmp_path, monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    from newsetl.ingest import analysis_result, open_run

    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    settings = Settings(db_path=tmp_path / "w.duckdb", per_host_interval_s=0.0)
    ctx = open_run(settings)
    try:
        items = fetch_and_extract(
            expand_sources([str(SAMPLE_SITE / "sitemap.xml")], ctx.fetcher).targets[:3],
            ctx.fetcher,
        )
        result = analysis_result(_finished(exc=BrokenProcessPool("oom")), items, ctx, None, 0)
    finally:
        ctx.close()
    assert result.stats.articles == 3
    assert result.staged is not None and (result.staged / "articles.parquet").exists()
