"""The warehouse: migrations, idempotent loads, dedup, and no loss while the file is busy."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from newsetl.ingest import run_ingest
from newsetl.samples import SAMPLE_SITE, sample_pages
from newsetl.settings import Settings
from newsetl.warehouse import (
    arrow_schema,
    connect,
    held_open,
    migrate,
    migration_files,
    pending_batches,
)

TABLES = ("articles", "pages", "fetches", "runs")


def settings_for(tmp_path, **changes) -> Settings:
    base = Settings(
        db_path=tmp_path / "wh.duckdb",
        per_host_interval_s=0.0,
        repair=False,
        entities=False,
        lock_retries=1,
        lock_backoff_s=0.05,
    )
    return base.replace(**changes)


def rows(db, table: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def count(db, table: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_migrations_apply_once_and_are_recorded(tmp_path):
    con = connect(tmp_path / "m.duckdb")
    first = migrate(con)
    assert first == [f.name for f in migration_files()]
    assert migrate(con) == []
    versions = [
        r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
    ]
    assert versions == [int(f.name.split("_")[0]) for f in migration_files()]
    names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert set(TABLES) <= names


def test_staging_schema_comes_from_the_sql():
    schema = arrow_schema("articles")
    assert str(schema.field("fingerprint").type) == "uint64"
    assert str(schema.field("authors").type).startswith("list")


def test_second_run_adds_no_rows(tmp_path):
    settings = settings_for(tmp_path)
    first = run_ingest([str(SAMPLE_SITE / "sitemap.xml")], settings)
    assert first.count("articles_new") == len(sample_pages()) > 12
    snapshot = {t: rows(settings.db_path, t) for t in ("articles", "pages")}
    second = run_ingest([str(SAMPLE_SITE / "sitemap.xml")], settings)
    assert second.count("articles_new") == 0 and second.status == "completed"
    assert {t: rows(settings.db_path, t) for t in ("articles", "pages")} == snapshot
    assert count(settings.db_path, "runs") == 2


def test_reprocessing_unchanged_pages_rewrites_nothing(tmp_path):
    settings = settings_for(tmp_path)
    run_ingest([str(SAMPLE_SITE / "it")], settings)
    before = rows(settings.db_path, "articles")
    # a fresh state (no raw hashes): everything is re-extracted, but rows are unchanged
    with duckdb.connect(str(settings.db_path)) as con:
        con.execute("UPDATE pages SET raw_sha256 = NULL")
    again = run_ingest([str(SAMPLE_SITE / "it")], settings)
    assert again.count("articles_unchanged") == len(before)
    assert again.count("articles_updated") == 0
    assert rows(settings.db_path, "articles") == before


def test_changed_page_updates_but_keeps_first_seen(tmp_path):
    settings = settings_for(tmp_path)
    page = tmp_path / "site" / "story.html"
    page.parent.mkdir()
    original = sample_pages()[0].read_text(encoding="utf-8")
    page.write_text(original, encoding="utf-8")
    run_ingest([str(page.parent)], settings)
    [(first_seen, text)] = (
        duckdb.connect(str(settings.db_path), read_only=True)
        .execute("SELECT first_seen_at, text FROM articles")
        .fetchall()
    )
    page.write_text(
        original.replace(
            "</article>",
            "<p>Aggiornamento: la riunione è stata rinviata a lunedì prossimo.</p></article>",
        ),
        encoding="utf-8",
    )
    summary = run_ingest([str(page.parent)], settings)
    assert summary.count("articles_updated") == 1
    [(first_seen2, text2)] = (
        duckdb.connect(str(settings.db_path), read_only=True)
        .execute("SELECT first_seen_at, text FROM articles")
        .fetchall()
    )
    assert first_seen2 == first_seen and text2 != text and "rinviata" in text2


def test_exact_and_near_duplicates(tmp_path):
    settings = settings_for(tmp_path)
    source = sample_pages()[0].read_text(encoding="utf-8")
    site = tmp_path / "mirror"
    site.mkdir()
    (site / "a.html").write_text(source, encoding="utf-8")
    # same text under another canonical URL: an exact duplicate
    (site / "b.html").write_text(
        source.replace('rel="canonical" href="', 'rel="canonical" href="https://copy.example/x'),
        encoding="utf-8",
    )
    summary = run_ingest([str(site)], settings)
    assert summary.count("articles_duplicates") == 1
    assert count(settings.db_path, "articles") == 1
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        # both pages are kept and point at the one article
        assert con.execute("SELECT count(DISTINCT article_id), count(*) FROM pages").fetchone() == (
            1,
            2,
        )
    # one word changed under a third URL: kept, but marked as a near-duplicate
    cut = source.index("</p>", source.index("<p>", source.index("<article")))
    near = source[:cut] + " Aggiunta." + source[cut:]
    near = near.replace('rel="canonical" href="', 'rel="canonical" href="https://near.example/x')
    (site / "c.html").write_text(near, encoding="utf-8")
    run_ingest([str(site)], settings)
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        marked = con.execute(
            "SELECT count(*) FROM articles WHERE near_duplicate_of IS NOT NULL"
        ).fetchone()[0]
    assert count(settings.db_path, "articles") == 2 and marked == 1


@contextlib.contextmanager
def holding(db_path: Path, seconds: int = 30) -> Iterator[None]:
    """Another process holds the warehouse file (read-write) while the block runs."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield
    finally:
        holder.kill()
        holder.wait()


HOLDER = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE IF NOT EXISTS holder(x INT)")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_busy_warehouse_keeps_batches_staged_and_loses_nothing(tmp_path):
    settings = settings_for(tmp_path)
    run_ingest([str(SAMPLE_SITE / "es")], settings)  # create the warehouse
    with holding(settings.db_path):
        summary = run_ingest([str(SAMPLE_SITE / "fr")], settings)
        assert summary.load.busy and summary.staged_left >= 1
        staged = pending_batches(settings.staging_path)
        assert staged, "the batch must stay on disk"
    # the next run (even of other sources) loads what was staged first
    later = run_ingest([str(SAMPLE_SITE / "de")], settings)
    assert pending_batches(settings.staging_path) == []
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        langs = dict(con.execute("SELECT language, count(*) FROM articles GROUP BY 1").fetchall())
        runs = con.execute("SELECT count(*) FROM runs").fetchone()[0]
    assert langs["fr"] == len([p for p in sample_pages() if "/fr/" in str(p)])
    assert langs["de"] >= 2 and runs == 3
    assert later.status == "completed"


def test_reader_blocks_load_only_boundedly(tmp_path):
    """A reader process holding the file makes the writer wait, then give up and stage."""
    settings = settings_for(tmp_path, lock_retries=2, lock_backoff_s=0.2)
    run_ingest([str(SAMPLE_SITE / "es")], settings)
    shutil.rmtree(settings.staging_path, ignore_errors=True)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HOLDER.replace(
                "duckdb.connect(sys.argv[1])", "duckdb.connect(sys.argv[1], read_only=True)"
            ).replace('con.execute("CREATE TABLE IF NOT EXISTS holder(x INT)")', ""),
            str(settings.db_path),
            "30",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "holding"
        started = time.monotonic()
        summary = run_ingest([str(SAMPLE_SITE / "it")], settings)
        assert time.monotonic() - started < 20
        assert summary.staged_left >= 1
    finally:
        reader.kill()
        reader.wait()


def test_a_batch_that_cannot_load_is_set_aside_not_lost(tmp_path):
    from datetime import UTC, datetime

    from newsetl.warehouse import Batch, load_pending, stage_batch

    settings = settings_for(tmp_path)
    bad = Batch()
    bad.extras["no_such_loader"] = [{"article_id": "x"}]
    bad_dir = stage_batch(bad, settings.staging_path)
    good = Batch()
    good.add("runs", {"run_id": "r1", "status": "completed", "started_at": datetime.now(UTC)})
    stage_batch(good, settings.staging_path)
    report = load_pending(settings)
    assert report.loaded == 1 and len(report.quarantined) == 1
    kept = settings.staging_path / "failed" / bad_dir.name
    assert (kept / "extra.no_such_loader.parquet").exists()
    assert "no_such_loader" in (kept / "ERROR.txt").read_text()
    assert count(settings.db_path, "runs") == 1
    assert pending_batches(settings.staging_path) == []


def test_stored_pages_are_reprocessed_without_refetching(tmp_path, site_server):
    settings = settings_for(tmp_path)
    run_ingest([site_server.url("/feed.xml")], settings)
    with duckdb.connect(str(settings.db_path)) as con:
        # as if an older extractor had produced worse text
        con.execute("UPDATE articles SET text = 'stale', record_hash = 'old'")
    site_server.clear_log()
    summary = run_ingest([f"stored:{site_server.base_url}/it/"], settings)
    assert [r for r in site_server.requests if r.path.endswith(".html")] == []  # nothing refetched
    italian = len([p for p in sample_pages() if "/it/" in str(p)])
    assert summary.count("articles_updated") == italian
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        stale = dict(
            con.execute(
                "SELECT language, count(*) FROM articles WHERE text = 'stale' GROUP BY 1"
            ).fetchall()
        )
    assert "it" not in stale and stale["en"] >= 2


def test_two_pages_claiming_one_canonical_url_make_one_article(tmp_path):
    settings = settings_for(tmp_path, repair=True, entities=True)
    pages = [p for p in sample_pages() if "/en/" in str(p)][:2]
    site = tmp_path / "same-canonical"
    site.mkdir()
    for n, page in enumerate(pages):
        html = page.read_text(encoding="utf-8")
        start = html.index('rel="canonical" href="') + len('rel="canonical" href="')
        end = html.index('"', start)
        (site / f"{n}.html").write_text(
            html[:start] + "https://example.org/same" + html[end:], encoding="utf-8"
        )
    summary = run_ingest([str(site)], settings)
    assert summary.load.quarantined == [] and summary.status == "completed"
    assert count(settings.db_path, "articles") == 1
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        assert con.execute("SELECT count(*), count(DISTINCT article_id) FROM pages").fetchone() == (
            2,
            1,
        )


def test_held_open_shares_one_database_and_checkpoints_once(tmp_path):
    """Inside ``held_open`` each step's own open joins the kept database: its close does not
    checkpoint (the write stays in the write-ahead log), the keeper's close does, once. A file
    another process holds is not waited for: the block runs without a keeper."""
    settings = settings_for(tmp_path)
    wal = settings.db_path.with_name(settings.db_path.name + ".wal")
    con = connect(settings.db_path)
    con.execute("CREATE TABLE t(x INT)")
    con.close()
    assert not wal.exists()
    with held_open(settings) as keeper:
        assert keeper is not None
        step = connect(settings.db_path)
        step.execute("INSERT INTO t VALUES (1)")
        step.close()
        assert wal.exists()  # not checkpointed by the step's close
    assert not wal.exists()  # the keeper's close checkpointed
    assert count(settings.db_path, "t") == 1

    # a backoff long beside an open's own cost (a busy machine's tens of ms): a wait shows
    waiting = settings.replace(lock_retries=3, lock_backoff_s=1.0)
    with holding(settings.db_path):
        started = time.monotonic()
        with held_open(waiting) as keeper:
            assert keeper is None
        assert time.monotonic() - started < waiting.lock_backoff_s  # no waiting
