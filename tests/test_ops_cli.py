"""``newsetl sql`` (the pinned DuckDB shell on the read copy) and the CLI's argument checks,
run as real subprocesses of the installed ``newsetl`` command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

NEWSETL = str(Path(sys.executable).with_name("newsetl"))


def newsetl(*args: str, stdin: str | None = None, env: dict | None = None, timeout: float = 60):
    return subprocess.run(
        [NEWSETL, *args], input=stdin, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


@pytest.fixture
def warehouse(tmp_path) -> Path:
    """A live file and its read copy, with different contents to tell which one is opened."""
    live = tmp_path / "wh" / "news.duckdb"
    live.parent.mkdir()
    for path, n in ((live, 5), (live.with_name("news-read.duckdb"), 3)):
        with duckdb.connect(str(path)) as con:
            con.execute(f"CREATE TABLE articles AS SELECT range AS id FROM range({n})")
    return live


def test_sql_c_runs_on_the_read_copy_with_the_locked_duckdb(warehouse):
    done = newsetl(
        "sql", "--db", str(warehouse), "-c", "SELECT count(*) AS n, version() AS v FROM articles"
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"│\s+3\s+│", done.stdout), done.stdout  # the copy's 3 rows, not the live 5
    assert f"v{duckdb.__version__}" in done.stdout  # the shell is the locked version


def test_sql_reads_a_piped_session_and_is_read_only(warehouse):
    script = ".mode csv\nSELECT sum(id) AS total FROM articles;\nCREATE TABLE x (y INT);\n"
    done = newsetl("sql", "--db", str(warehouse), stdin=script)
    assert "total\n3\n" in done.stdout  # 0+1+2 from the copy (the live file would give 10)
    assert "read-only" in done.stderr
    with duckdb.connect(str(warehouse.with_name("news-read.duckdb")), read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'x'"
        ).fetchone() == (0,)


def test_sql_without_a_warehouse_is_one_clear_line(tmp_path):
    done = newsetl("sql", "--db", str(tmp_path / "none.duckdb"), "-c", "SELECT 1")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"newsetl sql: no warehouse at {tmp_path / 'none.duckdb'}: run 'newsetl ingest' first"
    ]
    assert not (tmp_path / "none.duckdb").exists()
