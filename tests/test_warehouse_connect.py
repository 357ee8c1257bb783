"""How this process connects to the warehouse file (``newsetl.warehouse.connect``): every
connection shares one DuckDB database that attaches the file with bounded row groups, and
the file is let go when the last connection closes. Real files, real second processes."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from newsetl.warehouse import WarehouseBusy, connect
from newsetl.warehouse.connect import ROW_GROUP_SIZE

#: A second process that opens the file read-only and prints the rows of ``t``.
READER = """
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM t").fetchone()[0])
"""

HOLDER = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(30)
"""


def row_group_sizes(con, table: str) -> list[int]:
    """Rows in each row group of ``table`` (from DuckDB's storage info: the row-id column's
    segments, which every row group has)."""
    rows = con.execute(
        "SELECT row_group_id, sum(count) FROM pragma_storage_info(?) "
        "WHERE column_id = 0 AND segment_type <> 'VALIDITY' GROUP BY ALL ORDER BY 1",
        [table],
    ).fetchall()
    return [int(n) for _, n in rows]


def load_in_small_batches(db: Path, rows: int, batch: int = 100) -> None:
    """Append ``rows`` rows to a keyed table, each batch on a connection of its own (its
    close checkpoints the file), as a run's loads do."""
    for start in range(0, rows, batch):
        con = connect(db)
        try:
            if start == 0:
                con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)")
            con.execute(
                "INSERT INTO t SELECT range + ?, repeat('x', 200)::BLOB FROM range(?)",
                [start, min(batch, rows - start)],
            )
        finally:
            con.close()


def test_a_keyed_table_grows_in_row_groups_of_bounded_size(tmp_path):
    """Each checkpoint rewrites a keyed table's last row group whole; the row groups the
    loads append to stay at ``ROW_GROUP_SIZE`` rows, so that rewrite does not grow with the
    table (DuckDB's default would keep all 5,000 rows in one row group)."""
    db = tmp_path / "wh.duckdb"
    load_in_small_batches(db, 5000)
    with duckdb.connect(str(db), read_only=True) as con:
        sizes = row_group_sizes(con, "t")
        assert con.execute("SELECT count(*), count(DISTINCT id) FROM t").fetchone() == (5000, 5000)
    assert sum(sizes) == 5000
    assert max(sizes) <= ROW_GROUP_SIZE < 5000
    assert len(sizes) == -(-5000 // ROW_GROUP_SIZE)


def test_a_file_written_with_large_row_groups_gets_bounded_ones_from_its_next_load(tmp_path):
    """A warehouse written before (one row group of 3,000 rows) is not rewritten: its next
    load starts a new row group, and later loads fill that one."""
    db = tmp_path / "wh.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)")
        con.execute("INSERT INTO t SELECT range, 'x'::BLOB FROM range(3000)")
    for start in range(3000, 3300, 100):
        con = connect(db)
        con.execute("INSERT INTO t SELECT range + ?, 'y'::BLOB FROM range(100)", [start])
        con.close()
    with duckdb.connect(str(db), read_only=True) as con:
        assert row_group_sizes(con, "t") == [3000, 300]


def test_connections_of_one_process_share_the_file_and_let_it_go_at_the_last_close(tmp_path):
    """The run's reader, its loader and its closing steps each connect: they all share the
    file (no "Unique file handle conflict"), a read-only request joins the open database, a
    close leaves the others working, and after the last close another process reads it."""
    db = tmp_path / "wh.duckdb"
    writer = connect(db)
    writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    second = connect(db)
    reader = connect(db, read_only=True)
    second.execute("INSERT INTO t VALUES (1), (2)")
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (2,)
    cursor = writer.cursor()  # a cursor of it is a connection to the warehouse, too
    assert cursor.execute("SELECT count(*) FROM t").fetchone() == (2,)

    busy = subprocess.run([sys.executable, "-c", READER, str(db)], capture_output=True, text=True)
    assert busy.returncode != 0 and "lock" in busy.stderr.lower()  # the file is ours

    for con in (writer, second, cursor):
        con.close()
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (2,)
    reader.close()
    assert not Path(f"{db}.wal").exists()  # the last close checkpointed
    other = subprocess.run([sys.executable, "-c", READER, str(db)], capture_output=True, text=True)
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == "2"


def test_a_connection_dropped_without_close_lets_the_file_go(tmp_path):
    """As a DuckDB connection does when collected."""
    db = tmp_path / "wh.duckdb"
    con = connect(db)
    con.execute("CREATE TABLE t (id INTEGER)")
    del con
    gc.collect()
    other = subprocess.run([sys.executable, "-c", READER, str(db)], capture_output=True, text=True)
    assert other.returncode == 0, other.stderr


def test_a_file_another_process_holds_is_busy_and_free_again_after(tmp_path):
    db = tmp_path / "wh.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE t (id INTEGER)")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(WarehouseBusy):
            connect(db, retries=1, backoff_s=0.05)
    finally:
        holder.kill()
        holder.wait()
    con = connect(db)  # nothing of the failed attempt stays behind in this process
    assert con.execute("SELECT count(*) FROM t").fetchone() == (0,)
    con.close()


def test_a_file_open_read_only_here_is_not_written_until_closed(tmp_path):
    """As with ``duckdb.connect``: one process, one configuration of the file at a time."""
    db = tmp_path / "wh.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE t (id INTEGER)")
    reader = connect(db, read_only=True)
    with pytest.raises(duckdb.ConnectionException):
        connect(db)
    reader.close()
    writer = connect(db)
    writer.execute("INSERT INTO t VALUES (1)")
    writer.close()


@pytest.mark.parametrize("name", ["rel.duckdb", "memory.duckdb", "my db.v2.duckdb"])
def test_relative_and_awkward_file_names_open_as_the_default_catalog(tmp_path, monkeypatch, name):
    """A relative path, a name DuckDB's own in-memory catalog has ("memory"), a space: the
    warehouse is the connection's default catalog, so unqualified table names reach it."""
    monkeypatch.chdir(tmp_path)
    con = connect(name)
    con.execute("CREATE TABLE t (id INTEGER)")
    con.execute("INSERT INTO t VALUES (1)")
    con.close()
    with duckdb.connect(str(tmp_path / name), read_only=True) as plain:
        assert plain.execute("SELECT count(*) FROM t").fetchone() == (1,)
