"""What a run keeps of the warehouse: only what each batch needs, looked up for that batch.

A run no longer reads every page's validators and the whole translation memory at its
start, nor passes them to every task, and it only waits for originals it will extract.
"""

from __future__ import annotations

import logging
import shutil

import duckdb

from newsetl.ingest import open_run, run_context, run_ingest
from newsetl.samples import SAMPLE_SITE, load_manifest
from newsetl.settings import Settings
from newsetl.warehouse import open_warehouse


def _sitemap(site, name: str, pages: list[dict]) -> str:
    urls = "".join(f"<url><loc>{p['url']}</loc></url>" for p in pages)
    (site / name).write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )
    return str(site / name)


def test_validators_and_translations_are_looked_up_for_a_batch(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    settings = Settings(
        db_path=tmp_path / "w.duckdb", per_host_interval_s=0.0, workers=1, page_timeout_s=0
    )
    summary = run_ingest(None, settings)
    assert summary.status == "completed"
    con = open_warehouse(settings)
    try:
        con.execute(
            "INSERT INTO translation_memory (source_language, target_language, source_text,"
            " translation, provider, created_at)"
            " VALUES ('it', 'en', 'degrado  urbano', 'urban decay', 'test', now())"
        )
        stored = con.execute("SELECT url, etag, raw_sha256 FROM pages LIMIT 2").fetchall()
    finally:
        con.close()

    ctx = open_run(settings)
    try:
        assert run_context(ctx.run_id) is ctx  # what orchestrator tasks are given: the id
        states = ctx.page_states([url for url, _, _ in stored] + ["https://elsewhere.test/"])
        assert {url: (s.etag, s.raw_sha256) for url, s in states.items()} == {
            url: (etag, sha) for url, etag, sha in stored
        }
        memory = ctx.translator.memory
        assert len(memory) == 0  # nothing read at the start of the run
        wanted = ctx.translator_for(["Il Degrado\nUrbano di Roma."]).memory
        assert wanted.translate("degrado urbano", "it", "en") == "urban decay"
        assert wanted.new_entries == []  # stored, not new: not staged again
        unrelated = ctx.translator_for(["Nothing to translate here."])
        assert unrelated.memory.translate("degrado urbano", "it", "en") is None
        assert len(memory) == 0  # the run's own memory holds only what the run makes
    finally:
        ctx.close()
    assert ctx.run_id not in _open_runs()


def _open_runs() -> dict:
    from newsetl import ingest

    return ingest._RUNS


def test_an_original_outside_the_run_does_not_hold_a_batch_back(tmp_path, caplog, monkeypatch):
    """Translations name their originals by hreflang. Originals that are targets of the run
    and not extracted yet are waited for; originals the run will never extract are not (the
    batch is analysed once, with what the warehouse has)."""
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    site = tmp_path / "site"
    shutil.copytree(SAMPLE_SITE, site)
    pages = load_manifest()["pages"]
    translations = [p for p in pages if p["translation_of"]]
    originals = [p for p in pages if not p["translation_of"]]
    assert translations
    runs = {
        "translations only": (_sitemap(site, "t.xml", translations), False),
        "translations first": (_sitemap(site, "tf.xml", translations + originals), True),
    }
    for label, (sitemap, waits) in runs.items():
        settings = Settings(
            db_path=tmp_path / label / "w.duckdb",
            per_host_interval_s=0.0,
            batch_size=1,
            workers=1,
            page_timeout_s=0,
        )
        with caplog.at_level(logging.INFO, logger="newsetl.ingest"):
            caplog.clear()
            summary = run_ingest([sitemap], settings)
        assert summary.status == "completed", summary.stats.failures
        again = [r for r in caplog.records if "originals still to extract" in r.getMessage()]
        assert bool(again) == waits, label
    with duckdb.connect(str(tmp_path / "translations only" / "w.duckdb"), read_only=True) as con:
        named = con.execute(
            "SELECT count(*) FROM articles WHERE translation_of IS NOT NULL"
        ).fetchone()[0]
    assert named == len(translations)  # the original is named, though not in the run
