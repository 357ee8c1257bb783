"""A run checkpoints the warehouse when its WAL is full and at its end, not each time the
loader lets go of the file (issue 14, round 10: ``Settings.run_checkpoint_wal_mb``).

Real parts: the bundled corpus, the run engine, the DuckDB file and its WAL on disk, a second
process that opens the file while the run has left commits in the WAL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newsetl.run import RunHooks, run_sources, steps
from newsetl.settings import Settings
from newsetl.warehouse import connect

#: every table a run of the spine writes, compared row for row (no clock or run columns)
ROWS = {
    "articles": "SELECT article_id, url, title, language, text, content_hash, fingerprint, "
    "near_duplicate_of FROM articles ORDER BY article_id",
    "pages": "SELECT url, article_id, status_code FROM pages ORDER BY url",
    "spans": "SELECT * FROM article_language_spans ORDER BY ALL",
}


class WalSeen(RunHooks):
    """After each load (the loader let go of the file: one load per hold), the WAL's size."""

    def __init__(self) -> None:
        self.wal: list[int] = []

    def loaded(self, run, index, result):
        wal = Path(f"{run.settings.db_path}.wal")
        self.wal.append(wal.stat().st_size if wal.exists() else 0)


def _run(db_path: Path, wal_mb: int, monkeypatch) -> tuple[WalSeen, dict[str, list]]:
    settings = Settings(
        db_path=db_path,
        per_host_interval_s=0.0,
        workers=1,
        batch_size=3,
        repair=False,
        entities=False,
        run_checkpoint_wal_mb=wal_mb,
    )
    hooks = WalSeen()
    summary = run_sources(None, settings, hooks=hooks)
    assert summary.status == "completed", summary.stats.failures
    assert summary.staged_left == 0
    con = connect(db_path, read_only=True)
    try:
        rows = {name: con.execute(sql).fetchall() for name, sql in ROWS.items()}
    finally:
        con.close()
    return hooks, rows


@pytest.fixture
def one_load_per_hold(monkeypatch):
    """The loader lets go of the file after every load (a busy run's pattern, in little)."""
    monkeypatch.setattr(steps, "HOLD_MAX_LOADS", 1)
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")


def test_the_loaders_closes_leave_the_commits_in_the_wal_and_the_run_ends_checkpointed(
    tmp_path, monkeypatch, one_load_per_hold
):
    """With the setting on, each let-go leaves the WAL growing (no checkpoint at the close);
    with 0, every close checkpoints (the WAL is gone after each load). Either way the run ends
    with everything in the file (no WAL) and the same rows."""
    deferred, rows_deferred = _run(tmp_path / "on" / "w.duckdb", 64, monkeypatch)
    each, rows_each = _run(tmp_path / "off" / "w.duckdb", 0, monkeypatch)
    assert len(deferred.wal) >= 4
    assert all(size > 0 for size in deferred.wal), deferred.wal
    assert deferred.wal == sorted(deferred.wal) and deferred.wal[-1] > deferred.wal[0]
    assert each.wal == [0] * len(each.wal), each.wal
    for root in ("on", "off"):
        assert not (tmp_path / root / "w.duckdb.wal").exists()
    assert rows_deferred == rows_each
    assert rows_deferred["articles"] and rows_deferred["pages"]


def test_a_full_wal_is_checkpointed_during_the_run(tmp_path, monkeypatch, one_load_per_hold):
    """The threshold bounds the WAL a reopen replays: at 1 MB DuckDB checkpoints during the
    run once a load's commit passes it (the WAL is empty after that load), where at 64 MB
    every load leaves it growing (the test above)."""
    hooks, _ = _run(tmp_path / "w.duckdb", 1, monkeypatch)
    assert 0 in hooks.wal, hooks.wal
    assert max(hooks.wal) < 3 * 2**20, hooks.wal


READ_IN_ANOTHER_PROCESS = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM articles").fetchone()[0])
"""


class ReadElsewhere(RunHooks):
    """After the second load, another process reads the file the loader let go of."""

    def __init__(self) -> None:
        self.counts: list[tuple[int, int]] = []

    def loaded(self, run, index, result):
        if index == 1:
            out = subprocess.run(
                [sys.executable, "-c", READ_IN_ANOTHER_PROCESS, str(run.settings.db_path)],
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
            )
            wal = Path(f"{run.settings.db_path}.wal")
            self.counts.append((int(out.stdout), wal.stat().st_size if wal.exists() else 0))


def test_another_process_sees_the_commits_left_in_the_wal(tmp_path, monkeypatch, one_load_per_hold):
    """Nothing a load committed waits for the checkpoint: a process that opens the file
    between two loads (read-only, as analysts' tools do) replays the WAL and sees them."""
    settings = Settings(
        db_path=tmp_path / "w.duckdb",
        per_host_interval_s=0.0,
        workers=1,
        batch_size=3,
        repair=False,
        entities=False,
        run_checkpoint_wal_mb=64,
    )
    hooks = ReadElsewhere()
    summary = run_sources(None, settings, hooks=hooks)
    assert summary.status == "completed", summary.stats.failures
    [(articles, wal)] = hooks.counts
    assert wal > 0  # the commits were in the WAL only
    assert articles >= 4  # two batches of 3 pages, less the bundled duplicates at most
