"""Warehouse compaction (issue 14): a real ingested DuckDB file rewritten without its free
blocks keeps every row, constraint and view, and the next run writes into the new file."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from newsetl.ingest import run_ingest
from newsetl.settings import Settings
from newsetl.warehouse.compact import compact_warehouse, footprint


def _contents(path: Path) -> dict[str, object]:
    """Every table's rows (sorted), the constraints and the views of the file."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        out: dict[str, object] = {
            t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables
        }
        out["_constraints"] = con.execute(
            "SELECT table_name, constraint_type, constraint_text FROM duckdb_constraints() "
            "ORDER BY ALL"
        ).fetchall()
        out["_views"] = con.execute(
            "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY 1"
        ).fetchall()
    return out


@pytest.fixture
def settings(sample_warehouse: Path, tmp_path: Path, monkeypatch) -> Settings:
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    db = tmp_path / "wh.duckdb"
    shutil.copy(sample_warehouse, db)
    return Settings(db_path=db, per_host_interval_s=0.0, workers=1, page_timeout_s=0)


def test_compaction_frees_blocks_and_keeps_every_row(settings: Settings):
    db = settings.db_path
    with duckdb.connect(str(db)) as con:
        before = footprint(con, db)
    assert before.free_blocks > 0  # the loads' rewrites left free blocks behind
    expected = _contents(db)

    summary = compact_warehouse(settings, min_free_share=0.0, min_free_bytes=0)

    assert summary["compacted"] is True, summary
    assert summary["file_bytes_after"] < summary["file_bytes_before"]
    with duckdb.connect(str(db)) as con:
        after = footprint(con, db)
        assert after.free_blocks == 0
        # keys still enforced in the new file
        url = con.execute("SELECT url FROM pages LIMIT 1").fetchone()[0]
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO pages SELECT * FROM pages WHERE url = ?", [url])
    assert _contents(db) == expected
    assert not list(db.parent.glob(".*.compact-*"))  # no temporary file left


def test_next_run_loads_into_the_compacted_file(settings: Settings):
    compact_warehouse(settings, min_free_share=0.0, min_free_bytes=0)
    summary = run_ingest(None, settings)  # the bundled corpus again: all unchanged
    assert summary.status == "completed", summary.stats.failures
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        runs = con.execute("SELECT count(*) FROM runs").fetchone()[0]
    assert runs == 2


def test_little_free_space_is_left_alone(settings: Settings):
    size = settings.db_path.stat().st_size
    inode = settings.db_path.stat().st_ino
    summary = compact_warehouse(settings, min_free_share=0.99)
    assert summary["compacted"] is False and summary["reason"] == "little free space"
    assert settings.db_path.stat().st_ino == inode
    assert settings.db_path.stat().st_size == size
