"""The warehouse on DuckLake (issue 15, phase A), on a real PostgreSQL catalog and a real S3
server (moto), with batches made by the real pipeline from the bundled sample site.

The reference for every row is the DuckDB file: the same staged batches loaded by
``newsetl.warehouse.load_pending`` must give the same rows in every table and view of the lake.
Skipped (with the reason) only when PostgreSQL is not installed; ``.ci/run`` installs it.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from lakeservers import MotoServer, PostgresServer, server_fixture

from newsetl import warehouse
from newsetl.lake import append_pending, merge_pending, migrate_lake, open_lake, target_schema
from newsetl.lake.keyed import KeylessConnection, NeedsKey
from newsetl.lake.maintenance import maintain_lake
from newsetl.lake.merge import pending
from newsetl.lake.read import SnapshotNotFound, open_for_reading, snapshot_of_run
from newsetl.lake.schema import STAGING, staged_tables
from newsetl.lake.staging import append_batch
from newsetl.samples import SAMPLE_SITE
from newsetl.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks" / "lake"))
from batches import stage_sources

#: Columns that differ by when a row was written, not by what was loaded.
VOLATILE = {
    "entities": ("created_at",),
    "seed_files": ("loaded_at", "path"),
    "schema_version": ("applied_at",),
    "entity_id_scheme": ("upgraded_at",),
}


# --- servers and batches (once per session) --------------------------------------------------
postgres = server_fixture(PostgresServer, "session")
s3 = server_fixture(MotoServer, "session")


@pytest.fixture(scope="session")
def staged_runs(tmp_path_factory) -> dict[str, list[Path]]:
    """Two runs over the sample site (three pages per batch), staged, never loaded: run A
    finds every article new, run B (a re-run) finds them unchanged."""
    root = tmp_path_factory.mktemp("lake-batches")
    settings = Settings(db_path=root / "unused.duckdb", per_host_interval_s=0.0)
    sources = [str(SAMPLE_SITE / "sitemap.xml")]
    return {
        run: stage_sources(sources, root / run, settings=settings, run_id=run, batch_size=3)
        for run in ("runaaaaaaaaa", "runbbbbbbbbb")
    }


def lake_settings(tmp_path: Path, postgres: PostgresServer, data_path: str | None = None, **kw):
    dsn = postgres.create_database(f"lake_{uuid.uuid4().hex[:10]}")
    return Settings(
        db_path=tmp_path / "reference.duckdb",
        staging_dir=tmp_path / "staging",
        search_index_path=tmp_path / "lake-search.duckdb",
        warehouse_backend="ducklake",
        lake_catalog=f"postgres:{dsn}",
        lake_data_path=data_path or str(tmp_path / "lake-data"),
        **kw,
    )


def copy_batches(batches: list[Path], target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    out = []
    for batch in batches:
        shutil.copytree(batch, target / batch.name)
        out.append(target / batch.name)
    return out


def load_reference(settings: Settings, batches: list[Path], tmp_path: Path) -> Path:
    """The same batches loaded into a DuckDB file, in the given order."""
    reference = settings.replace(
        warehouse_backend="duckdb", staging_dir=tmp_path / "reference-staging"
    )
    for batch in copy_batches(batches, tmp_path / "reference-staging"):
        report = warehouse.load_pending(reference, batches=[batch])
        assert report.loaded == 1 and not report.quarantined
    return reference.db_path


def rows(con: duckdb.DuckDBPyConnection, database: str, name: str) -> list[tuple]:
    exclude = VOLATILE.get(name)
    select = f"SELECT * EXCLUDE ({', '.join(exclude)})" if exclude else "SELECT *"
    return con.execute(f"{select} FROM {database}.main.{name} ORDER BY ALL").fetchall()


def assert_same_as_file(settings: Settings, reference: Path) -> dict[str, int]:
    """Every table and view of the lake holds what the DuckDB file holds; returns row counts."""
    con = open_lake(settings, read_only=True)
    try:
        con.execute(f"ATTACH '{reference}' AS wh (READ_ONLY)")
        counts = {}
        schema = target_schema()
        for name in [*schema.tables, *(v.name for v in schema.views)]:
            expected = rows(con, "wh", name)
            assert rows(con, "lake", name) == expected, name
            counts[name] = len(expected)
        return counts
    finally:
        con.close()


def duplicate_keys(settings: Settings) -> dict[str, int]:
    """Rows sharing a key the migrations declare, per table (the lake cannot enforce keys)."""
    con = open_lake(settings, read_only=True)
    try:
        out = {}
        for name, table in target_schema().tables.items():
            if table.key:
                keys = ", ".join(table.key)
                out[name] = con.execute(
                    f"SELECT count(*) - count(DISTINCT ({keys})) FROM {name}"
                ).fetchone()[0]
        return out
    finally:
        con.close()


def merge_order(settings: Settings) -> list[str]:
    con = open_lake(settings, read_only=True)
    try:
        return [
            r[0]
            for r in con.execute(
                f"SELECT batch_id FROM {STAGING}.merged_batches WHERE status = 'merged' "
                "ORDER BY merged_at, batch_id"
            ).fetchall()
        ]
    finally:
        con.close()


# --- schema ----------------------------------------------------------------------------------
def test_schema_is_the_migrations_without_keys(tmp_path, postgres):
    settings = lake_settings(tmp_path, postgres)
    file = duckdb.connect(str(tmp_path / "file.duckdb"))
    warehouse.migrate(file)
    con = open_lake(settings)
    try:
        done = migrate_lake(con)
        assert "001_core.sql" in done and "seeds: 3 file(s)" in done
        assert migrate_lake(con) == []  # converged: a second call writes nothing

        def columns(c, database):
            return c.execute(
                "SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns() "
                "WHERE database_name = ? AND schema_name = 'main' ORDER BY ALL",
                [database],
            ).fetchall()

        assert columns(con, "lake") == columns(file, "file")
        views = "SELECT view_name FROM duckdb_views() WHERE database_name = ? AND NOT internal ORDER BY 1"
        assert con.execute(views, ["lake"]).fetchall() == file.execute(views, ["file"]).fetchall()
        # keys are recorded from the migrations, not enforced by the lake
        keys = {t.name: t.key for t in target_schema().tables.values()}
        assert keys["articles"] == ("article_id",)
        assert keys["mentions"] == ("article_id", "mention_no")
        assert keys["translation_memory"] == ("source_language", "target_language", "source_text")
        assert not con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE database_name = 'lake' "
            "AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')"
        ).fetchone()[0]
        # seeds and defaults came through
        assert (
            con.execute("SELECT count(*) FROM entities WHERE source = 'seed'").fetchone()[0] > 800
        )
        con.execute("INSERT INTO entities (entity_id, name, type) VALUES ('x:1', 'X', 'other')")
        assert con.execute("SELECT source FROM entities WHERE entity_id = 'x:1'").fetchone() == (
            "learned",
        )
        with pytest.raises(duckdb.ConstraintException):  # NOT NULL is enforced
            con.execute("INSERT INTO entities (entity_id, type) VALUES ('x:2', 'other')")
    finally:
        con.close()
        file.close()


def test_an_upgrade_adds_columns_and_refuses_a_changed_type(tmp_path, postgres, monkeypatch):
    """A later migration that adds a column reaches the lake (curated and staging tables);
    one that changes a column's type is refused, not half-applied."""
    import dataclasses

    from newsetl.lake import schema as lake_schema

    settings = lake_settings(tmp_path, postgres)
    con = open_lake(settings)
    try:
        migrate_lake(con)
        current = lake_schema.target_schema()
        articles = current.tables["articles"]
        added = dataclasses.replace(
            articles,
            columns=(*articles.columns, lake_schema.Column("summary", "VARCHAR", False, None)),
        )
        upgraded = dataclasses.replace(current, tables={**current.tables, "articles": added})
        monkeypatch.setattr(lake_schema, "target_schema", lambda: upgraded)
        done = migrate_lake(con, seeds=False)
        assert done == ["add main.articles.summary", "add staging.articles.summary"]
        assert migrate_lake(con, seeds=False) == []
        changed = dataclasses.replace(
            articles,
            columns=tuple(
                dataclasses.replace(c, type="BIGINT") if c.name == "word_count" else c
                for c in added.columns
            ),
        )
        broken = dataclasses.replace(current, tables={**current.tables, "articles": changed})
        monkeypatch.setattr(lake_schema, "target_schema", lambda: broken)
        with pytest.raises(lake_schema.LakeSchemaError, match="word_count"):
            migrate_lake(con, seeds=False)
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = "
                "'lake' AND schema_name = 'main' AND table_name = 'articles'"
            ).fetchall()
        )
        assert types["word_count"] == "INTEGER" and types["summary"] == "VARCHAR"
    finally:
        con.close()


def _staged_before_011(batch: Path) -> None:
    """Turn a staged batch into what a release before migration 011 staged: the bodies in
    ``pages.raw_gzip``, no ``page_bodies`` file."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(batch / "page_bodies.parquet", columns=["url", "raw_gzip"])
    urls, blobs = table.column("url").to_pylist(), table.column("raw_gzip").to_pylist()
    bodies = dict(zip(urls, blobs, strict=True))
    pages = pq.read_table(batch / "pages.parquet")
    column = pa.array([bodies.get(u) for u in pages.column("url").to_pylist()], pa.binary())
    pq.write_table(pages.append_column("raw_gzip", column), batch / "pages.parquet")
    (batch / "page_bodies.parquet").unlink()
    manifest_path = batch / warehouse.MANIFEST
    manifest = json.loads(manifest_path.read_text())
    del manifest["files"]["page_bodies.parquet"]
    manifest["files"]["pages.parquet"] = {
        "rows": pages.num_rows, "bytes": (batch / "pages.parquet").stat().st_size,
    }  # fmt: skip
    manifest_path.write_text(json.dumps(manifest))
    assert sum(b is not None for b in bodies.values()) > 0


def test_a_lake_made_before_011_gets_its_bodies_moved(tmp_path, postgres, staged_runs, monkeypatch):
    """A lake made by a release before migration 011 holds its bodies in ``pages.raw_gzip``
    (converging only adds columns): the upgrade moves them to ``page_bodies`` and drops the
    column, a batch that release left staged merges its bodies, later runs merge as always,
    and the lake holds what a DuckDB file holds after the same batches."""
    import dataclasses

    from newsetl.lake import schema as lake_schema

    settings = lake_settings(tmp_path, postgres)
    current = lake_schema.target_schema()
    pages = current.tables["pages"]
    old_pages = dataclasses.replace(
        pages, columns=(*pages.columns, lake_schema.Column("raw_gzip", "BLOB", False, None))
    )
    before_011 = dataclasses.replace(
        current,
        tables={**current.tables, "pages": old_pages},
        migrations=tuple(m for m in current.migrations if m[0] < 11),
    )
    run_a = copy_batches(staged_runs["runaaaaaaaaa"], tmp_path / "run-a")
    # the last batch with bodies is left staged by the older release (those after it are
    # this release's, merged after it: batch-id order, as the file loads them)
    last = max(n for n, b in enumerate(run_a) if (b / "page_bodies.parquet").exists())
    left_staged = run_a[last]
    _staged_before_011(left_staged)

    # the older release: run A merged but its last batch, the bodies kept in pages.raw_gzip
    monkeypatch.setattr(lake_schema, "target_schema", lambda: before_011)
    copy_batches(run_a[:last], settings.staging_path)
    append_pending(settings)
    assert merge_pending(settings, after_load=False).loaded == last
    con = open_lake(settings)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(
            "UPDATE lake.main.pages SET raw_gzip = b.raw_gzip FROM lake.main.page_bodies b "
            "WHERE b.url = pages.url AND b.record_hash = pages.raw_sha256"
        )
        con.execute("DELETE FROM lake.main.page_bodies")
        # a body under another hash is not the page's: the page's own replaces it
        stale = con.execute(
            "SELECT url FROM lake.main.pages WHERE raw_gzip IS NOT NULL ORDER BY url LIMIT 1"
        ).fetchone()[0]
        con.execute(
            "INSERT INTO lake.main.page_bodies VALUES (?, ?, NULL, 'not-the-pages-hash')",
            [stale, b"stale"],
        )
        con.execute("COMMIT")
        in_column = con.execute(
            "SELECT count(*) FROM lake.main.pages WHERE raw_gzip IS NOT NULL"
        ).fetchone()[0]
        assert in_column > 0
        assert append_batch(con, left_staged)  # staged by that release, not merged yet
    finally:
        con.close()

    # a release with migration 011 but no data step for the lake converged it: the column
    # stayed, and its fingerprint is stored
    monkeypatch.setattr(lake_schema, "target_schema", lambda: current)
    with monkeypatch.context() as before_the_step:
        before_the_step.setattr(lake_schema, "LAKE_DATA_STEPS", ())
        before_the_step.setattr(lake_schema, "_move_old_bodies", lambda *args: [])
        con = open_lake(settings)
        try:
            assert migrate_lake(con, seeds=False)
            assert "raw_gzip" in con.table("lake.main.pages").columns
        finally:
            con.close()

    # this release: the upgrade, the batch left staged, then run B
    copy_batches(run_a[last + 1 :], settings.staging_path)
    append_pending(settings)
    report = merge_pending(settings, after_load=False)
    assert report.loaded == len(run_a) - last and not report.quarantined
    assert report.counts["page_bodies_from_old_batches"] > 0
    copy_batches(staged_runs["runbbbbbbbbb"], settings.staging_path)
    append_pending(settings)
    report = merge_pending(settings)
    assert report.loaded == len(staged_runs["runbbbbbbbbb"]) and not report.quarantined
    con = open_lake(settings)
    try:
        columns = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = 'lake' "
                "AND schema_name = 'main' AND table_name = 'pages'"
            ).fetchall()
        }
        assert "raw_gzip" not in columns
        missing = con.execute(
            "SELECT count(*) FROM lake.main.pages p WHERE p.raw_sha256 IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM lake.main.page_bodies b WHERE b.url = p.url "
            "AND b.record_hash = p.raw_sha256)"
        ).fetchone()[0]
        assert missing == 0
        assert migrate_lake(con) == []  # once
    finally:
        con.close()
    reference = load_reference(settings, run_a + staged_runs["runbbbbbbbbb"], tmp_path)
    counts = assert_same_as_file(settings, reference)
    assert counts["page_bodies"] >= in_column
    assert not any(duplicate_keys(settings).values())


# --- write path --------------------------------------------------------------------------------
def test_lake_on_s3_holds_the_same_rows_as_the_duckdb_file(tmp_path, postgres, s3, staged_runs):
    """Run A then run B appended and merged into a lake whose files are on S3 (moto)."""
    bucket = f"lake-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(bucket)
    settings = lake_settings(
        tmp_path,
        postgres,
        data_path=f"s3://{bucket}/warehouse/",
        lake_s3_endpoint=s3.endpoint,
        lake_s3_key_id=s3.KEY_ID,
        lake_s3_secret=s3.SECRET,
        lake_s3_use_ssl=False,
    )
    batches = staged_runs["runaaaaaaaaa"] + staged_runs["runbbbbbbbbb"]
    copy_batches(batches, settings.staging_path)
    appended = append_pending(settings)
    assert (appended.appended, appended.already, appended.failed) == (len(batches), 0, [])
    assert warehouse.pending_batches(settings.staging_path) == []  # appended, so removed
    report = merge_pending(settings)
    assert report.loaded == len(batches) and not report.quarantined and not report.busy
    assert report.counts["articles_new"] == 16 and report.counts["articles_unchanged"] == 16
    assert report.counts["story_clusters"] >= 1
    counts = assert_same_as_file(settings, load_reference(settings, batches, tmp_path))
    assert counts["articles"] == 16 and counts["mentions"] > 100 and counts["artefacts"] > 0
    assert counts["stories_across_languages"] >= 1
    assert not any(duplicate_keys(settings).values())
    # batches of three pages are inlined in the catalog (DuckLake inlines inserts of up to 10
    # rows); maintenance flushes them to Parquet files, on S3
    maintain_lake(settings, search_index=False)
    keys = s3.objects(bucket)
    assert any(k.startswith("warehouse/main/articles/") and k.endswith(".parquet") for k in keys)
    assert not (tmp_path / "lake-data").exists()  # nothing written locally
    assert_same_as_file(settings, tmp_path / "reference.duckdb")


def _append_worker(settings: Settings, batches: list[str], start_at: float) -> None:
    """One worker process: wait for the others, then append its batches one by one."""
    import time

    while time.time() < start_at:
        time.sleep(0.01)
    con = open_lake(settings)
    try:
        for batch in batches:
            for attempt in range(10):
                try:
                    append_batch(con, Path(batch))
                    break
                except duckdb.Error:
                    if attempt == 9:
                        raise
                    time.sleep(0.1 * (attempt + 1))
    finally:
        con.close()


def test_workers_append_concurrently_while_one_merge_runs(tmp_path, postgres, staged_runs):
    """Three processes append (one of them a batch twice) while this process merges in a loop:
    every batch merged exactly once, no key twice, and the rows of the DuckDB file loaded with
    the same batches in the order the lake merged them."""
    import time

    settings = lake_settings(tmp_path, postgres, lake_merge_batches_per_commit=2)
    con = open_lake(settings)
    migrate_lake(con)
    con.close()
    run_a, run_b = staged_runs["runaaaaaaaaa"], staged_runs["runbbbbbbbbb"]
    a = copy_batches(run_a, tmp_path / "w1")
    b = copy_batches(run_b, tmp_path / "w2")
    shares = [
        [str(p) for p in a[::2]] + [str(a[0])],  # worker 1 appends its first batch twice
        [str(p) for p in a[1::2]],
        [str(p) for p in b],
    ]
    ctx = multiprocessing.get_context("spawn")
    start_at = time.time() + 8  # spawned interpreters import newsetl first
    workers = [
        ctx.Process(target=_append_worker, args=(settings, share, start_at)) for share in shares
    ]
    for w in workers:
        w.start()
    merged_while_appending = 0
    try:
        while any(w.is_alive() for w in workers):
            report = merge_pending(settings, after_load=False)
            assert not report.busy and not report.quarantined
            merged_while_appending += report.loaded
            time.sleep(0.2)
    finally:
        for w in workers:
            w.join(timeout=300)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    final = merge_pending(settings)
    assert not final.busy and not final.quarantined
    total = len(run_a) + len(run_b)
    assert merged_while_appending + final.loaded == total
    assert merged_while_appending > 0  # the merge really ran beside the appends
    order = merge_order(settings)
    assert sorted(order) == sorted(p.name for p in run_a + run_b)  # each once
    by_name = {p.name: p for p in run_a + run_b}
    reference = load_reference(settings, [by_name[n] for n in order], tmp_path)
    # the story clusters of the file are refreshed after its last load, as the lake's are
    file = duckdb.connect(str(reference))
    from newsetl.entities import refresh_story_clusters

    with warehouse.transaction(file):
        refresh_story_clusters(file)
    file.close()
    assert_same_as_file(settings, reference)
    assert not any(duplicate_keys(settings).values())
    con = open_lake(settings, read_only=True)
    try:
        versions = con.execute(f"SELECT count(*) FROM {STAGING}.batches").fetchone()[0]
        assert versions == total  # the second append of the same batch was refused
        assert pending(con) == []
    finally:
        con.close()


def _append_all(settings: Settings) -> None:
    """A worker process appending everything staged, slowly enough to be killed midway."""
    import time

    from newsetl.lake import staging

    real = staging.append_batch

    def slow(con, batch_dir, **kw):
        time.sleep(0.3)
        return real(con, batch_dir, **kw)

    staging.append_batch = slow
    staging.append_pending(settings)


def test_a_worker_killed_mid_append_loses_and_duplicates_nothing(tmp_path, postgres, staged_runs):
    """kill -9 of a worker while it appends; a second worker appends what is left staged:
    every batch is merged exactly once and the rows are the DuckDB file's."""
    import signal
    import time

    settings = lake_settings(tmp_path, postgres)
    con = open_lake(settings)
    migrate_lake(con, seeds=False)
    batches = staged_runs["runaaaaaaaaa"] + staged_runs["runbbbbbbbbb"]
    copy_batches(batches, settings.staging_path)
    worker = multiprocessing.get_context("spawn").Process(target=_append_all, args=(settings,))
    worker.start()
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            n = con.execute(f"SELECT count(*) FROM {STAGING}.batches").fetchone()[0]
            if n >= 3:
                break
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.join(timeout=60)
    assert worker.exitcode == -signal.SIGKILL
    appended_before = con.execute(f"SELECT count(*) FROM {STAGING}.batches").fetchone()[0]
    assert 3 <= appended_before < len(batches)  # killed midway
    con.close()
    left = warehouse.pending_batches(settings.staging_path)
    assert len(left) >= len(batches) - appended_before  # nothing lost: still staged
    again = append_pending(settings)
    assert again.appended + again.already == len(left) and not again.failed
    report = merge_pending(settings)
    assert report.loaded == len(batches) and not report.quarantined
    assert sorted(merge_order(settings)) == sorted(b.name for b in batches)
    con = open_lake(settings, read_only=True)
    try:
        assert con.execute(f"SELECT count(*) FROM {STAGING}.batches").fetchone()[0] == len(batches)
    finally:
        con.close()
    assert_same_as_file(settings, load_reference(settings, batches, tmp_path))
    assert not any(duplicate_keys(settings).values())


def test_a_batch_appended_twice_or_remade_merges_once(tmp_path, postgres, staged_runs):
    settings = lake_settings(tmp_path, postgres)
    batch = copy_batches(staged_runs["runaaaaaaaaa"][:1], tmp_path / "one")[0]
    con = open_lake(settings)
    try:
        migrate_lake(con)
        assert append_batch(con, batch) is True
        assert append_batch(con, batch) is False  # the same version: refused
        first = merge_pending(settings, con)
        assert first.loaded == 1
        # the same batch id made again with other content (a re-run after a kill): ignored
        remade = warehouse.stage_batch(
            warehouse.Batch(
                tables={"runs": [{"run_id": "remade", "started_at": datetime.now(UTC)}]}
            ),
            tmp_path / "remade",
            batch.name,
        )
        assert append_batch(con, remade) is True
        assert merge_pending(settings, con).loaded == 0
        assert con.execute("SELECT count(*) FROM runs WHERE run_id = 'remade'").fetchone()[0] == 0
        assert con.execute(f"SELECT count(*) FROM {STAGING}.batches").fetchone()[0] == 2
        fetches = con.execute("SELECT count(*), count(DISTINCT fetch_id) FROM fetches").fetchone()
        assert fetches[0] == fetches[1] == first.counts["fetches_appended"]
    finally:
        con.close()


def test_one_version_appended_twice_concurrently_merges_once(tmp_path, postgres, staged_runs):
    """Two attempts of one shard appending the same staged directory at once both pass the
    append's check (inserts never conflict in DuckLake): the lake then holds that version's
    rows twice. Found by the distributed kill test (tests/test_lake_distributed.py). The merge
    must store them once, as the DuckDB file does."""
    settings = lake_settings(tmp_path, postgres)
    batches = copy_batches(staged_runs["runaaaaaaaaa"], tmp_path / "twice")
    con = open_lake(settings)
    try:
        migrate_lake(con)
        for batch in batches:
            assert append_batch(con, batch) is True
        # what the losing concurrent append committed: every staged row, extra and the
        # batches row of the first batch once more
        first = batches[0].name
        names = [*staged_tables(), "extras", "batches"]
        for name in names:
            con.execute(
                f"INSERT INTO {STAGING}.{name} SELECT * FROM {STAGING}.{name} "
                f"WHERE {'batch_id' if name == 'batches' else '_batch_id'} = ?",
                [first],
            )
        assert merge_pending(settings, con).loaded == len(batches)
    finally:
        con.close()
    assert not any(duplicate_keys(settings).values())
    assert_same_as_file(settings, load_reference(settings, batches, tmp_path))


def test_two_overlapping_merge_commits_cannot_both_commit(tmp_path, postgres, staged_runs):
    """The fence: two merge steps merge the same batch in overlapping transactions; the one
    that commits second fails whole, so the batch's rows are written once."""
    from newsetl.lake.connect import is_conflict, rollback
    from newsetl.lake.merge import _fence, _record, merge_batch

    settings = lake_settings(tmp_path, postgres)
    batch = copy_batches(staged_runs["runaaaaaaaaa"][:1], tmp_path / "one")[0]
    first, second = open_lake(settings), open_lake(settings)
    try:
        migrate_lake(first)
        append_batch(first, batch)
        (todo,) = pending(first)
        for con in (first, second):  # both start before either commits
            con.execute("BEGIN TRANSACTION")
            _fence(con, todo.batch_id)
            merge_batch(con, todo)
            _record(con, todo, "merged", {})
        first.execute("COMMIT")
        with pytest.raises(duckdb.Error) as lost:
            second.execute("COMMIT")
        assert is_conflict(lost.value)
        rollback(second)
        n, distinct = second.execute(
            "SELECT count(*), count(DISTINCT article_id) FROM articles"
        ).fetchone()
        assert n == distinct > 0
        merged = second.execute(f"SELECT count(*) FROM {STAGING}.merged_batches").fetchone()[0]
        assert merged == 1
    finally:
        first.close()
        second.close()


# --- read side -----------------------------------------------------------------------------------
@pytest.fixture
def two_runs(tmp_path, postgres, staged_runs) -> Settings:
    """A lake with run A merged (one merge), then run B (another)."""
    settings = lake_settings(tmp_path, postgres)
    for run in ("runaaaaaaaaa", "runbbbbbbbbb"):
        copy_batches(staged_runs[run], settings.staging_path)
        append_pending(settings)
        report = merge_pending(settings)
        assert report.loaded == len(staged_runs[run])
    return settings


def test_time_travel_reads_the_warehouse_as_of_a_run(two_runs, staged_runs):
    settings = two_runs
    con, version_a = open_for_reading(settings, run_id="runaaaaaaaaa")
    try:
        assert con.execute("SELECT DISTINCT run_id FROM fetches").fetchall() == [("runaaaaaaaaa",)]
        assert con.execute("SELECT run_id FROM runs").fetchall() == [("runaaaaaaaaa",)]
        with pytest.raises(duckdb.Error):  # a snapshot is read-only
            con.execute("DELETE FROM runs")
    finally:
        con.close()
    con, latest = open_for_reading(settings)
    try:
        assert latest > version_a
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
        assert snapshot_of_run(con, "runaaaaaaaaa") == version_a
        with pytest.raises(SnapshotNotFound):
            snapshot_of_run(con, "never-ran")
    finally:
        con.close()
    # the views read the pinned snapshot too
    con, _ = open_for_reading(settings, snapshot=version_a)
    try:
        assert con.execute("SELECT count(*) FROM run_history").fetchone()[0] == 1
    finally:
        con.close()


def test_cli_query_export_search_on_the_lake(two_runs, monkeypatch, tmp_path, capsys):
    from newsetl.cli import main

    settings = two_runs
    for key, value in {
        "NEWSETL_WAREHOUSE_BACKEND": "ducklake",
        "NEWSETL_LAKE_CATALOG": settings.lake_catalog,
        "NEWSETL_LAKE_DATA_PATH": settings.lake_data_path,
        "NEWSETL_SEARCH_INDEX_PATH": str(settings.search_index),
    }.items():
        monkeypatch.setenv(key, value)
    assert main(["query", "SELECT count(*) AS n FROM runs", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "2"]
    assert main(["query", "SELECT count(*) AS n FROM runs", "--format", "csv",
                 "--as-of-run", "runaaaaaaaaa"]) == 0  # fmt: skip
    assert capsys.readouterr().out.splitlines() == ["n", "1"]
    assert main(["query", "SELECT 1", "--as-of-run", "nope"]) == 2
    assert main(["export", str(tmp_path / "out"), "--tables", "articles", "runs"]) == 0
    exported = duckdb.sql(f"SELECT count(*) FROM '{tmp_path / 'out' / 'articles.parquet'}'")
    assert exported.fetchone()[0] == 16
    assert main(["search", "Bahnstreik", "--lang", "de", "--json"]) == 0
    out = capsys.readouterr()
    assert "Bahnstreik" in out.out and "building" in out.err
    assert main(["search", "Bahnstreik", "--lang", "de"]) == 0
    assert "building" not in capsys.readouterr().err  # the index is current: not rebuilt


@pytest.fixture
def two_runs_in_files(tmp_path, postgres, staged_runs) -> Settings:
    """``two_runs`` with data inlining off: every insert writes Parquet files (the small-file
    case compaction is for)."""
    settings = lake_settings(tmp_path, postgres, lake_inlining_row_limit=0)
    for run in ("runaaaaaaaaa", "runbbbbbbbbb"):
        copy_batches(staged_runs[run], settings.staging_path)
        append_pending(settings)
        assert merge_pending(settings).loaded == len(staged_runs[run])
    return settings


def test_maintenance_compacts_expires_and_keeps_the_rows(two_runs_in_files):
    settings = two_runs_in_files.replace(lake_snapshot_retention_days=0.0)
    con, before_version = open_for_reading(settings)
    schema = target_schema()
    before = {name: rows(con, "lake", name) for name in schema.tables}
    con.close()
    data = Path(settings.lake_data_path)
    files_before = sum(1 for _ in data.rglob("*.parquet"))
    summary = maintain_lake(settings, file_grace_s=0.0)
    assert summary["staging_rows_pruned"] > 0
    assert summary["snapshots_expired"] > 0 and summary["old_files_deleted"] > 0
    assert summary["search_index_rebuilt"] is True
    files_after = sum(1 for _ in data.rglob("*.parquet"))
    assert files_after < files_before
    con, _ = open_for_reading(settings)
    try:
        for name in schema.tables:
            assert rows(con, "lake", name) == before[name], name
        for table in ("articles", "fetches", "extras"):
            assert con.execute(f"SELECT count(*) FROM {STAGING}.{table}").fetchone()[0] == 0
        with pytest.raises(SnapshotNotFound):  # run A's snapshot was expired
            snapshot_of_run(con, "runaaaaaaaaa")
    finally:
        con.close()
    with pytest.raises(duckdb.Error):
        open_for_reading(settings, snapshot=before_version - 1)


# --- keyed writes --------------------------------------------------------------------------------
def test_keyless_connection_writes_what_keys_would(tmp_path, postgres):
    """INSERT OR REPLACE / OR IGNORE on the lake (no keys) through the adapter leave the rows
    the DuckDB file leaves with its keys; a statement needing a key otherwise is refused."""
    settings = lake_settings(tmp_path, postgres)
    file = duckdb.connect(str(tmp_path / "file.duckdb"))
    warehouse.migrate(file)
    lake = open_lake(settings)
    migrate_lake(lake)
    from newsetl.lake.merge import keyless

    statements = [
        ("execute", "INSERT OR IGNORE INTO entities (entity_id, name, type, source) "
                    "SELECT * FROM (VALUES ('a:1', 'A', 'other', 'learned'), "
                    "('a:1', 'A again', 'other', 'learned'), ('org:united-nations', 'UN!', 'organisation', 'x'))"),
        ("execute", "INSERT OR REPLACE INTO entity_articles VALUES (?, ?, ?, ?, ?)",
                    ["art1", "en", "s", None, "first"]),
        ("executemany", "INSERT OR REPLACE INTO entity_articles VALUES (?, ?, ?, ?, ?)",
                    [["art1", "fr", "s", None, "second"], ["art2", "it", "t", None, "x"],
                     ["art2", "it", "t", None, "last wins"]]),
    ]  # fmt: skip
    adapted = keyless(lake)
    for kind, sql, *params in statements:
        getattr(adapted, kind)(sql, *params)
        if kind == "executemany":
            for p in params[0]:  # DuckDB refuses one statement replacing a key twice
                file.execute(sql, p)
        else:
            getattr(file, kind)(sql, *params)
    for name in ("entities", "entity_articles"):
        query = (
            f"SELECT * EXCLUDE (created_at) FROM {name}"
            if name == "entities"
            else f"SELECT * FROM {name}"
        )
        assert (
            lake.execute(query + " ORDER BY ALL").fetchall()
            == file.execute(query + " ORDER BY ALL").fetchall()
        )
    with pytest.raises(NeedsKey):
        adapted.execute("INSERT INTO runs (run_id) VALUES ('r') ON CONFLICT DO NOTHING")
    with pytest.raises(NeedsKey):
        KeylessConnection(lake, {}, {}).execute("INSERT OR REPLACE INTO runs (run_id) VALUES ('r')")
    lake.close()
    file.close()


def test_merge_and_maintenance_flows_run_under_prefect(two_runs, prefect_harness, monkeypatch):
    from newsetl.lake.flows import lake_maintenance_flow, lake_merge_flow

    settings = two_runs
    for key, value in {
        "NEWSETL_WAREHOUSE_BACKEND": "ducklake",
        "NEWSETL_LAKE_CATALOG": settings.lake_catalog,
        "NEWSETL_LAKE_DATA_PATH": settings.lake_data_path,
        "NEWSETL_SEARCH_INDEX_PATH": str(settings.search_index),
    }.items():
        monkeypatch.setenv(key, value)
    assert lake_merge_flow()["batches_merged"] == 0  # everything was merged already
    summary = lake_maintenance_flow()
    assert summary["status"] == "completed" and summary["articles"] == 16
    assert summary["staging_rows_pruned"] > 0 and summary["search_index_rebuilt"] is True


def test_settings_read_the_lake_from_the_environment():
    settings = Settings.from_env(
        {
            "NEWSETL_WAREHOUSE_BACKEND": "ducklake",
            "NEWSETL_LAKE_CATALOG": "postgres:dbname=x host=db",
            "NEWSETL_LAKE_DATA_PATH": "s3://bucket/lake/",
            "NEWSETL_LAKE_S3_USE_SSL": "false",
            "NEWSETL_LAKE_MERGE_BATCHES_PER_COMMIT": "7",
        }
    )
    from newsetl.lake import uses_lake
    from newsetl.lake.connect import LakeConfig, s3_secret_sql

    assert uses_lake(settings) and not uses_lake(Settings())
    config = LakeConfig.from_settings(settings)
    assert config.attach_target == "ducklake:postgres:dbname=x host=db"
    secret = s3_secret_sql(config)
    assert "SCOPE 's3://bucket'" in secret and "USE_SSL false" in secret
    assert settings.lake_merge_batches_per_commit == 7
    with pytest.raises(ValueError):
        uses_lake(Settings(warehouse_backend="sqlite"))
    assert os.environ.get("NEWSETL_WAREHOUSE_BACKEND") in (None, "duckdb")
