"""Staging is all-or-nothing (issue 10): a full disk keeps batches staged, a damaged batch is
refused with its reason, a crashed writer's leftovers never block the next write.

Real parts only: a real tmpfs of a few MB for the full disk (skipped where this process may
not mount one), real DuckDB files, real processes killed half-way through a write.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from freshrun import spine_run_lines

from newsetl.ingest import run_ingest
from newsetl.readcopy import refresh_read_copy
from newsetl.settings import Settings
from newsetl.warehouse import (
    MANIFEST,
    Batch,
    load_pending,
    open_warehouse,
    pending_batches,
    stage_batch,
)


def settings_for(tmp_path: Path, db: Path | None = None, **changes) -> Settings:
    return Settings(
        db_path=db or tmp_path / "wh.duckdb",
        staging_dir=tmp_path / "staging",
        per_host_interval_s=0.0,
        repair=False,
        entities=False,
        lock_retries=1,
        lock_backoff_s=0.05,
    ).replace(**changes)


def article_urls(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT url FROM articles ORDER BY url").fetchall()]


def leftovers(*dirs: Path) -> list[Path]:
    return [p for d in dirs if d.is_dir() for p in d.iterdir() if p.name.endswith(".tmp")]


def run_row(run_id: str) -> Batch:
    batch = Batch()
    batch.add("runs", {"run_id": run_id, "status": "completed", "started_at": datetime.now(UTC)})
    return batch


# --- a full disk ---------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):
    """A real 48 MB tmpfs; skipped where mounting is not allowed (not root, no CAP_SYS_ADMIN)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte with one file; return it (delete it to free the space)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 8, 1):
            block = b"\0" * size
            try:
                while True:
                    os.write(fd, block)
            except OSError:
                continue
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_keeps_every_batch_staged_and_the_next_run_loads_them(
    small_disk, site_server, tmp_path
):
    feed = site_server.url("/feed.xml")
    settings = settings_for(tmp_path, db=small_disk / "wh.duckdb")
    open_warehouse(settings).close()  # migrated; now the disk fills up
    filler = fill(small_disk)

    # the run goes on as with a busy file: everything staged, nothing set aside, no leftovers
    summary = run_ingest([feed], settings)
    staged = pending_batches(settings.staging_path)
    assert summary.status == "partial" and summary.load.loaded == 0
    assert "No space left on device" in (summary.load.transient or "")
    assert summary.load.quarantined == [] and summary.staged_left == len(staged) >= 2
    assert leftovers(settings.staging_path, small_disk) == []

    # the disk fills up between opening the file and loading: ENOSPC inside the load
    filler.unlink()
    con = open_warehouse(settings)
    filler = fill(small_disk)
    try:
        report = load_pending(settings, con)
    finally:
        con.close()
    assert "No space left on device" in (report.transient or ""), report
    assert report.loaded == 0 and report.quarantined == []
    assert pending_batches(settings.staging_path) == staged
    assert not (settings.staging_path / "failed").exists()  # nothing set aside for good

    filler.unlink()  # space again: the next load takes them all
    again = load_pending(settings)
    assert again.transient is None and again.quarantined == [], again
    assert again.loaded == len(staged) and pending_batches(settings.staging_path) == []
    assert leftovers(settings.staging_path, small_disk) == []

    clean = settings_for(tmp_path / "clean")
    assert run_ingest([feed], clean).status == "completed"
    urls = article_urls(settings.db_path)
    assert urls == article_urls(clean.db_path) and len(urls) == len(set(urls)) >= 12
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        runs = con.execute("SELECT status FROM runs").fetchall()
    assert runs == [("partial",)]  # the stopped run's own record came in with the rest


# --- a damaged batch -----------------------------------------------------------------------------
def test_a_batch_that_does_not_match_its_manifest_is_refused_with_its_reason(tmp_path):
    settings = settings_for(tmp_path)
    missing = stage_batch(run_row("r-missing"), settings.staging_path, "b1")
    (missing / "runs.parquet").unlink()
    short = stage_batch(run_row("r-short"), settings.staging_path, "b2")
    rows = pq.read_table(short / "runs.parquet")
    manifest = json.loads((short / MANIFEST).read_text())
    # a copy with no rows, the same size as the manifest says: only the row count is wrong
    pq.write_table(rows.slice(0, 0), short / "runs.parquet")
    manifest["files"]["runs.parquet"]["bytes"] = (short / "runs.parquet").stat().st_size
    (short / MANIFEST).write_text(json.dumps(manifest))
    unmarked = stage_batch(run_row("r-unmarked"), settings.staging_path, "b3")
    (unmarked / MANIFEST).unlink()
    (unmarked / "_READY").write_text("b3")  # as an older version, or a damaged copy, left it
    stage_batch(run_row("r-good"), settings.staging_path, "b4")

    report = load_pending(settings)
    assert report.loaded == 1 and len(report.quarantined) == 3
    failed = settings.staging_path / "failed"
    reasons = {name: (failed / name / "ERROR.txt").read_text() for name in ("b1", "b2", "b3")}
    assert "missing ['runs.parquet']" in reasons["b1"]
    assert "0 rows, the manifest says 1" in reasons["b2"]
    assert "no manifest" in reasons["b3"]
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        assert con.execute("SELECT run_id FROM runs").fetchall() == [("r-good",)]
    # a second batch of the same name set aside later does not collide with the first
    stage_batch(run_row("r-again"), settings.staging_path, "b1")
    (settings.staging_path / "b1" / "runs.parquet").unlink()
    assert len(load_pending(settings).quarantined) == 1
    assert (failed / "b1.2" / "ERROR.txt").exists()


# --- leftovers of crashed writers ----------------------------------------------------------------
CRASHING_WRITER = """
import os, signal, sys
from datetime import UTC, datetime
from pathlib import Path
import pyarrow.parquet as pq
from newsetl.warehouse import Batch, stage_batch

real_write = pq.write_table
def write_then_die(table, where, *args, **kwargs):
    real_write(table, where, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)  # killed half-way through staging
pq.write_table = write_then_die
batch = Batch()
batch.add("runs", {"run_id": "r", "status": "completed", "started_at": datetime.now(UTC)})
batch.add("fetches", {"fetch_id": "f", "url": "http://x.invalid/"})
stage_batch(batch, Path(sys.argv[1]), sys.argv[2])
"""

HOLDING_WRITER = """
import sys, time
from pathlib import Path
from newsetl.leftovers import LOCK_NAME, holding
tmp = Path(sys.argv[1])
tmp.mkdir()
with holding(tmp / LOCK_NAME):
    print("holding", flush=True)
    time.sleep(60)
"""


def age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_crashed_writers_leave_nothing_that_blocks_a_retry(tmp_path):
    settings = settings_for(tmp_path)
    staging = settings.staging_path
    staging.mkdir(parents=True)
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_WRITER, str(staging), "batch-7"], capture_output=True
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    (dead,) = leftovers(staging)
    assert dead.name.startswith(".batch-7.") and pending_batches(staging) == []
    live_dir = staging / ".batch-8.live.tmp"
    live = subprocess.Popen(
        [sys.executable, "-c", HOLDING_WRITER, str(live_dir)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert live.stdout.readline().strip() == "holding"
        age(dead, 60)
        age(live_dir, 60)
        # the retry of the crashed batch, under the same name
        retried = stage_batch(run_row("r"), staging, "batch-7")
        assert retried == staging / "batch-7" and (retried / MANIFEST).exists()
        assert not dead.exists()  # its writer is gone
        assert live_dir.exists()  # its writer still holds it
    finally:
        live.kill()
        live.wait()
    stage_batch(run_row("r2"), staging)
    assert not live_dir.exists()  # its writer died: now it goes
    assert load_pending(settings).loaded == 2 and leftovers(staging) == []

    # a read copy a killed refresh left behind goes with the next refresh
    half = settings.read_copy.with_name(f".{settings.read_copy.name}.x1y2.tmp")
    half.write_bytes(b"half a database")
    age(half, 60)
    refresh_read_copy(settings)
    assert not half.exists() and leftovers(tmp_path) == []
    with duckdb.connect(str(settings.read_copy), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 2


def test_a_batch_another_writer_loaded_meanwhile_is_skipped_not_set_aside(tmp_path):
    """Two writers listed the same staged batch; the first loads (and deletes) it, the second
    gets the file afterwards and must neither fail nor move anything to staging/failed/."""
    settings = settings_for(tmp_path)
    batch = stage_batch(run_row("run-a"), settings.staging_path)
    first = load_pending(settings, batches=[batch])
    assert first.loaded == 1 and not batch.exists()
    second = load_pending(settings, batches=[batch])  # the list it made before the first load
    assert (second.loaded, second.quarantined, second.left_staged) == (0, [], 0)
    assert not (settings.staging_path / "failed").exists()


def test_a_run_reads_its_staging_schemas_before_its_pages_and_keeps_no_duckdb_for_them(
    tmp_path,
):
    """The run's own process reads the Arrow schemas it stages with while the pool's fork
    server warms up, not in its serial tail (the run record): after a real run in a fresh
    interpreter every migration table's schema is cached, the same as one read afresh, and no
    in-memory DuckDB was kept or opened again for them."""
    after = (
        "from newsetl.warehouse import staging\n"
        "print(summary.status)\n"
        "print(staging._schema_connection.cache_info().currsize,"
        " staging._schema_connection.cache_info().misses)\n"
        "names = {t: staging.arrow_schema(t) for t in staging._migration_tables()}\n"
        "staging.arrow_schema.cache_clear()\n"
        "print(all(staging.arrow_schema(t) == schema for t, schema in names.items()))\n"
    )
    status, cache, same = spine_run_lines(tmp_path, 2, after)
    assert status == "completed"
    # the in-memory DuckDB the schemas were read from is closed, and none opened again
    assert cache == "0 0"
    assert same == "True"  # the schemas read early are those read afresh
