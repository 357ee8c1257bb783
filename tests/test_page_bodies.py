"""The raw pages in ``page_bodies``, written in bulk (migration 011, ``Merge.deferred``).

A run's per-batch loads leave the bodies waiting in ``staging/deferred/`` until enough wait
or a load is told to write them all; a page whose body is not written yet reads as a page
without one; a batch loaded twice (its loader stopped before removing it) writes the same
rows; a file the database refuses is set aside while the others are written; migration 011
moves the bodies of a warehouse written before it, within a bounded memory.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from oldschema import migrate_before

from newsetl.pipeline import body_row
from newsetl.settings import Settings
from newsetl.sources import load_document_memory
from newsetl.warehouse import (
    DEFERRED_DIR,
    MANIFEST,
    Batch,
    connect,
    deferred_files,
    load_pending,
    open_warehouse,
    pending_batches,
    stage_batch,
)

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
WAIT = 2**40  # bytes of deferred files no test reaches: the rows wait


def settings_for(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "wh.duckdb", lock_retries=1, lock_backoff_s=0.05)


def document(url: str, body: bytes, hours: int = 0) -> dict[str, list[dict]]:
    """A stored feed (a page without an article) and its body, as a run stages them."""
    sha = hashlib.sha256(body).hexdigest()
    fetched = T0 + timedelta(hours=hours)
    page = {"url": url, "raw_sha256": sha, "fetched_at": fetched, "record_hash": f"p-{sha}"}
    raw = gzip.compress(body, 1, mtime=0)
    return {"pages": [page], "page_bodies": [body_row(url, raw, fetched, sha)]}


def batch_of(*documents: dict[str, list[dict]]) -> Batch:
    batch = Batch()
    for d in documents:
        for table, rows in d.items():
            for row in rows:
                batch.add(table, row)
    return batch


def bodies(settings: Settings) -> dict[str, bytes]:
    """What a reader finds: each stored document's body, through the pages it belongs to."""
    con = connect(settings.db_path, read_only=True)
    try:
        memory = load_document_memory(con)
    finally:
        con.close()
    return {url: d.body() for url, d in memory.documents.items()}


def stored_rows(settings: Settings, sql: str) -> list[tuple]:
    con = connect(settings.db_path, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_bodies_wait_until_enough_wait_then_the_latest_of_each_page_is_written(tmp_path):
    settings = settings_for(tmp_path)
    feed, sitemap, other = "https://a.test/feed", "https://a.test/sitemap.xml", "https://b.test/f"
    stage_batch(
        batch_of(document(feed, b"<rss>1</rss>"), document(sitemap, b"<urlset/>")),
        settings.staging_path,
    )
    report = load_pending(settings, deferred_min_bytes=WAIT)
    assert report.loaded == 1 and not report.quarantined
    assert len(deferred_files(settings.staging_path)) == 1
    assert stored_rows(settings, "SELECT count(*) FROM pages") == [(2,)]
    assert stored_rows(settings, "SELECT count(*) FROM page_bodies") == [(0,)]
    assert bodies(settings) == {}  # pages whose bodies wait read as pages without one

    # the feed changed: the later batch's body must win over the waiting one
    stage_batch(
        batch_of(document(feed, b"<rss>2</rss>", hours=1), document(other, b"<rss/>")),
        settings.staging_path,
    )
    report = load_pending(settings, deferred_min_bytes=WAIT)
    assert report.loaded == 1 and len(deferred_files(settings.staging_path)) == 2
    assert bodies(settings) == {}

    report = load_pending(settings)  # nothing staged but the waiting rows: all written
    assert report.loaded == 0 and not report.quarantined
    assert report.counts["page_bodies_new"] == 3
    assert deferred_files(settings.staging_path) == []
    assert bodies(settings) == {feed: b"<rss>2</rss>", sitemap: b"<urlset/>", other: b"<rss/>"}

    # the same body fetched again is left alone; a changed one replaces the stored one
    stage_batch(
        batch_of(
            document(sitemap, b"<urlset/>", hours=2), document(other, b"<rss>new</rss>", hours=2)
        ),
        settings.staging_path,
    )
    report = load_pending(settings)
    assert report.counts["page_bodies_unchanged"] == 1
    assert report.counts["page_bodies_updated"] == 1
    assert bodies(settings)[other] == b"<rss>new</rss>"
    assert stored_rows(settings, "SELECT count(*), count(DISTINCT url) FROM page_bodies") == [
        (3, 3)
    ]


def test_the_bodies_are_written_once_their_files_reach_the_size(tmp_path):
    settings = settings_for(tmp_path)
    stage_batch(batch_of(document("https://a.test/1", b"<rss>1</rss>")), settings.staging_path)
    load_pending(settings, deferred_min_bytes=WAIT)
    (first,) = deferred_files(settings.staging_path)
    size = first.stat().st_size
    stage_batch(batch_of(document("https://a.test/2", b"<rss>2</rss>")), settings.staging_path)
    load_pending(settings, deferred_min_bytes=size * 5 // 2)  # two such files: not yet
    assert len(deferred_files(settings.staging_path)) == 2 and bodies(settings) == {}
    stage_batch(batch_of(document("https://a.test/3", b"<rss>3</rss>")), settings.staging_path)
    report = load_pending(settings, deferred_min_bytes=size * 5 // 2)
    assert report.counts["page_bodies_new"] == 3
    assert deferred_files(settings.staging_path) == []
    assert set(bodies(settings)) == {f"https://a.test/{i}" for i in (1, 2, 3)}


def test_a_body_older_than_its_page_is_not_the_pages(tmp_path):
    """A page updated while its new body still waits must not be read with the old body."""
    settings = settings_for(tmp_path)
    feed = "https://a.test/feed"
    stage_batch(batch_of(document(feed, b"<rss>old</rss>")), settings.staging_path)
    load_pending(settings)
    stage_batch(batch_of(document(feed, b"<rss>new</rss>", hours=1)), settings.staging_path)
    load_pending(settings, deferred_min_bytes=WAIT)
    assert bodies(settings) == {}
    load_pending(settings)
    assert bodies(settings) == {feed: b"<rss>new</rss>"}


def test_a_batch_loaded_again_writes_the_same_rows(tmp_path):
    """A loader stopped after the commit and before removing the batch loads it again."""
    settings = settings_for(tmp_path)
    feed = "https://a.test/feed"
    staged = stage_batch(batch_of(document(feed, b"<rss>1</rss>")), settings.staging_path)
    copy = tmp_path / "copy"
    shutil.copytree(staged, copy)
    load_pending(settings, deferred_min_bytes=WAIT)
    shutil.copytree(copy, staged)  # as if never removed
    assert pending_batches(settings.staging_path) == [staged]
    report = load_pending(settings)
    assert report.loaded == 1 and report.counts["pages_unchanged"] == 1
    assert report.counts["page_bodies_new"] == 1  # the two waiting copies: one row
    assert stored_rows(settings, "SELECT count(*) FROM page_bodies") == [(1,)]
    assert bodies(settings) == {feed: b"<rss>1</rss>"}


def test_a_refused_file_is_set_aside_and_the_others_written(tmp_path):
    settings = settings_for(tmp_path)
    feed = "https://a.test/feed"
    stage_batch(batch_of(document(feed, b"<rss>1</rss>")), settings.staging_path)
    load_pending(settings, deferred_min_bytes=WAIT)
    bad = settings.staging_path / DEFERRED_DIR / "0-bad.page_bodies.parquet"
    bad.write_bytes(b"PAR1 this is not Parquet")
    report = load_pending(settings)
    assert len(report.quarantined) == 1 and not report.transient
    aside = Path(report.quarantined[0])
    assert (aside / bad.name).is_file() and (aside / "ERROR.txt").is_file()
    assert deferred_files(settings.staging_path) == []
    assert bodies(settings) == {feed: b"<rss>1</rss>"}
    # a file of the same name refused again is set aside beside the first, not over it
    bad.write_bytes(b"PAR1 not Parquet either")
    again = load_pending(settings)
    assert len(again.quarantined) == 1 and Path(again.quarantined[0]) != aside
    assert (aside / bad.name).read_bytes() == b"PAR1 this is not Parquet"


def test_a_batch_whose_bodies_cannot_move_stops_the_load_so_no_later_batch_passes_it(tmp_path):
    settings = settings_for(tmp_path)
    feed = "https://a.test/feed"
    first = stage_batch(batch_of(document(feed, b"<rss>old</rss>")), settings.staging_path, "b1")
    stage_batch(batch_of(document(feed, b"<rss>new</rss>", hours=1)), settings.staging_path, "b2")
    # the first batch's bodies cannot be moved to deferred/ (a directory holds their name)
    blocker = settings.staging_path / DEFERRED_DIR / f"{first.name}.page_bodies.parquet"
    blocker.mkdir(parents=True)
    (blocker / "x").write_text("x")
    report = load_pending(settings, deferred_min_bytes=WAIT)
    assert report.transient and report.left_staged == 2 and report.loaded == 0
    assert [b.name for b in pending_batches(settings.staging_path)] == ["b1", "b2"]

    shutil.rmtree(blocker)
    report = load_pending(settings)
    assert report.loaded == 2 and not report.transient
    # the newer batch loaded last: its page and its body are the ones kept
    new_sha = hashlib.sha256(b"<rss>new</rss>").hexdigest()
    assert stored_rows(settings, "SELECT raw_sha256 FROM pages") == [(new_sha,)]
    assert bodies(settings) == {feed: b"<rss>new</rss>"}


def _old_page(con, url: str, body: bytes | None, article_id: str | None) -> None:
    sha = hashlib.sha256(body).hexdigest() if body is not None else None
    raw = gzip.compress(body, 1, mtime=0) if body is not None else None
    con.execute(
        "INSERT INTO pages (url, raw_sha256, raw_gzip, article_id, fetched_at, record_hash) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [url, sha, raw, article_id, T0, f"h-{url}"],
    )


def test_migration_011_moves_the_bodies_and_gives_the_settings_back(tmp_path):
    settings = settings_for(tmp_path)
    con = duckdb.connect(str(settings.db_path))
    migrate_before(con, 11)
    _old_page(con, "https://a.test/feed", b"<rss>kept</rss>", None)
    _old_page(con, "https://a.test/story", b"<html>story</html>", "a1")
    _old_page(con, "https://a.test/failed", None, None)
    con.close()

    con = open_warehouse(settings)
    try:
        threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        columns = {r[0] for r in con.execute("DESCRIBE pages").fetchall()}
        moved = con.execute(
            "SELECT url, record_hash, fetched_at FROM page_bodies ORDER BY url"
        ).fetchall()
        hashes = dict(con.execute("SELECT url, raw_sha256 FROM pages").fetchall())
    finally:
        con.close()
    assert "raw_gzip" not in columns
    assert [r[0] for r in moved] == ["https://a.test/feed", "https://a.test/story"]
    assert all(record_hash == hashes[url] and fetched == T0 for url, record_hash, fetched in moved)
    # the migration's one thread and 256 MB were given back (DuckDB reads a restored limit
    # back rounded: 18.8 GiB set reads 18.7)
    default = duckdb.connect()
    try:
        assert threads == default.execute("SELECT current_setting('threads')").fetchone()[0]
        number, unit = limit.split()
        assert float(number) * {"MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit] > 2**30
    finally:
        default.close()
    assert bodies(settings) == {"https://a.test/feed": b"<rss>kept</rss>"}


def test_a_run_writes_every_pages_body(sample_warehouse):
    """After a real run (the bundled samples), each page with a body has it, by its hash,
    and nothing waits. (``stored:`` runs read them: tests/test_hostile_sources.py,
    tests/test_warehouse.py.)"""
    rows = stored_rows(
        Settings(db_path=sample_warehouse),
        "SELECT count(*) FILTER (WHERE b.url IS NULL), count(*) FROM pages p "
        "LEFT JOIN page_bodies b ON b.url = p.url AND b.record_hash = p.raw_sha256 "
        "WHERE p.raw_sha256 IS NOT NULL",
    )
    missing, with_hash = rows[0]
    assert with_hash > 10 and missing == 0
    staging = Settings.from_env(db_path=sample_warehouse).staging_path
    assert deferred_files(staging) == []


def test_a_batch_staged_before_migration_011_loads_its_bodies(tmp_path):
    """An older release's staged batch (bodies in ``pages.raw_gzip``) left in staging."""
    settings = settings_for(tmp_path)
    body = b"<rss>left over</rss>"
    sha = hashlib.sha256(body).hexdigest()
    rows = [
        {
            "url": "https://a.test/feed",
            "raw_sha256": sha,
            "raw_gzip": gzip.compress(body),
            "fetched_at": T0,
            "record_hash": "p1",
        },
        {
            "url": "https://a.test/gone",
            "raw_sha256": None,
            "raw_gzip": None,
            "fetched_at": T0,
            "record_hash": "p2",
        },
    ]
    batch = settings.staging_path / "20261101T080000000000-old"
    batch.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows), batch / "pages.parquet")
    size = (batch / "pages.parquet").stat().st_size
    files = {"pages.parquet": {"rows": 2, "bytes": size}}
    (batch / MANIFEST).write_text(json.dumps({"version": 1, "files": files}))
    report = load_pending(settings)
    assert report.loaded == 1 and not report.quarantined
    assert report.counts["page_bodies_from_old_batches"] == 1
    assert stored_rows(settings, "SELECT count(*) FROM pages") == [(2,)]
    assert bodies(settings) == {"https://a.test/feed": body}


MEASURE_DOCUMENTS = """
import sys
from pathlib import Path
from newsetl.sources import load_document_memory
from newsetl.warehouse import connect

def peak_kb():  # this process's own peak RSS (ru_maxrss starts from its parent's)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

con = connect(Path(sys.argv[1]), read_only=True)
before = peak_kb()
memory = load_document_memory(con)
print(len(memory.documents), (peak_kb() - before) // 1024)
"""


def test_the_document_memory_reads_the_documents_bodies_only(tmp_path):
    """Joined with ``pages``, the bodies' scan read every body of the table before the join
    kept the documents' (2.3 s and 3.7 GB of RSS on a 50,000-page warehouse, for none). Asked
    by URL, a warehouse of 48 pages of 2 MB (incompressible) and one feed reads the feed's."""
    settings = settings_for(tmp_path)
    batch = batch_of(document("https://a.test/feed", b"<rss>1</rss>"))
    for i in range(48):
        page = document(f"https://a.test/story/{i}", os.urandom(2 << 20))
        page["pages"][0]["article_id"] = f"a{i}"
        for table, rows in page.items():
            batch.add(table, rows[0])
    stage_batch(batch, settings.staging_path)
    assert load_pending(settings).loaded == 1
    out = subprocess.run(
        [sys.executable, "-c", MEASURE_DOCUMENTS, str(settings.db_path)],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    documents, grown_mb = int(out[0]), int(out[1])
    assert documents == 1
    assert grown_mb < 40, f"reading one feed's body grew the process by {grown_mb} MB"
