"""A search index build that crashes or fails leaves nothing behind for long.

The build writes a new DuckDB file next to the index and swaps it in (``leftovers.building``).
A build that fails removes its files; one that is killed (no ``except`` runs) leaves them,
and the next build removes them, unless the process that owns them is still alive.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from newsetl.search import build_search_file
from newsetl.settings import Settings
from newsetl.warehouse import open_warehouse

KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
import newsetl.search as search

real = search.build_search_index
def build_then_die(con, source="articles"):
    real(con, source)
    con.execute("CHECKPOINT")
    os.kill(os.getpid(), signal.SIGKILL)  # killed half-way through the build
search.build_search_index = build_then_die
search.build_search_file(Path(sys.argv[1]), Path(sys.argv[2]))
"""

LIVE_BUILD = """
import sys, time
from pathlib import Path
from newsetl.leftovers import building
with building(Path(sys.argv[1])) as tmp:
    tmp.write_bytes(b"being built")
    print(tmp, flush=True)
    time.sleep(60)
"""


def _temporary(target: Path) -> list[Path]:
    return sorted(target.parent.glob(f".{target.name}.*"))


def _age(paths: list[Path], seconds: float) -> None:
    past = time.time() - seconds
    for path in paths:
        os.utime(path, (past, past))


@pytest.fixture
def warehouse(tmp_path) -> Path:
    settings = Settings(db_path=tmp_path / "w.duckdb")
    con = open_warehouse(settings)
    con.execute(
        "INSERT INTO articles (article_id, url, title, language, text)"
        " VALUES ('a1', 'https://x.test/a', 'Flood', 'en', 'The river flooded the old town.')"
    )
    con.close()
    return settings.db_path


def test_a_killed_build_is_cleaned_by_the_next_one_but_a_live_one_is_not(warehouse, tmp_path):
    target = tmp_path / "index" / "newsetl-search.duckdb"
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_BUILD, str(warehouse), str(target)], capture_output=True
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    dead = _temporary(target)
    assert dead and not target.exists()  # the half-built file (and its lock) stayed
    live = subprocess.Popen(
        [sys.executable, "-c", LIVE_BUILD, str(target)], stdout=subprocess.PIPE, text=True
    )
    try:
        live_tmp = Path(live.stdout.readline().strip())
        assert live_tmp.exists()
        _age(_temporary(target), 60)
        build_search_file(warehouse, target)
        assert target.exists() and _temporary(target) == [live_tmp, Path(f"{live_tmp}.lock")]
    finally:
        live.kill()
        live.wait()
    _age(_temporary(target), 60)
    build_search_file(warehouse, target)  # its owner died: now its files go too
    assert _temporary(target) == []
    with duckdb.connect(str(target), read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables  # a complete index file was swapped in


def test_a_failed_build_removes_its_files_and_keeps_the_old_index(warehouse, tmp_path):
    target = tmp_path / "newsetl-search.duckdb"
    build_search_file(warehouse, target)
    before = target.read_bytes()
    broken = tmp_path / "not-a-warehouse.duckdb"
    broken.write_bytes(b"this is not a DuckDB file" * 100)
    with pytest.raises(duckdb.Error):
        build_search_file(broken, target)
    assert _temporary(target) == [] and target.read_bytes() == before


def test_an_index_file_named_like_its_schema_builds_and_answers(warehouse, tmp_path):
    """A file opened directly is a catalog named after its stem; ``search.duckdb`` clashed with
    the index's ``search`` schema ("ambiguous reference") until the index was attached under
    a fixed name."""
    from newsetl.search import open_search_index, search

    target = tmp_path / "search.duckdb"
    assert build_search_file(warehouse, target) == {"en": 1}
    con = open_search_index(target)
    try:
        assert [hit.article_id for hit in search(con, "river")] == ["a1"]
    finally:
        con.close()
