"""A new warehouse file copied from the migrated, seeded template in the disk cache
(``newsetl.warehouse.template``): the same rows as a migration gives, its times its own."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from newsetl.settings import Settings
from newsetl.warehouse import open_warehouse
from newsetl.warehouse.template import NAME

connect_module = importlib.import_module("newsetl.warehouse.connect")

#: the time columns an empty warehouse fills, which the copy sets to its own time
RESTAMPED = {
    ("schema_version", "applied_at"),
    ("seed_files", "loaded_at"),
    ("entities", "created_at"),
}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("NEWSETL_CACHE_DIR", str(directory))
    return directory


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    return open_warehouse(Settings(db_path=path, translator="none"))


def _tables(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows (sorted), the restamped time columns left out."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        tables = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT internal ORDER BY 1"
        ).fetchall()
        for (table,) in tables:
            cols = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = ?"
                    " ORDER BY column_index",
                    [table],
                ).fetchall()
                if (table, c) not in RESTAMPED
            ]
            select = ", ".join(f'"{c}"' for c in cols)
            out[table] = sorted(con.execute(f'SELECT {select} FROM "{table}"').fetchall(), key=repr)
        return out
    finally:
        con.close()


def _filled_times(path: Path) -> dict[tuple[str, str], tuple[int, datetime | None]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns()"
            " WHERE data_type LIKE 'TIMESTAMP%' AND NOT internal"
        ).fetchall():
            count, least = con.execute(
                f'SELECT count("{column}"), min("{column}") FROM "{table}"'
            ).fetchone()
            if count:
                out[(table, column)] = (count, least)
        return out
    finally:
        con.close()


def test_a_new_warehouse_from_the_template_holds_what_a_migration_gives(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSETL_CACHE_DIR", "off")
    _open(tmp_path / "migrated.duckdb").close()  # no cache: migrated and seeded here
    monkeypatch.setenv("NEWSETL_CACHE_DIR", str(cache))
    _open(tmp_path / "first.duckdb").close()  # builds the template, then copies it
    assert len(list(cache.glob(f"{NAME}-*.duckdb"))) == 1
    built = datetime.now(UTC)

    loads: list[int] = []
    real = connect_module.load_seeds

    def counted(con: duckdb.DuckDBPyConnection, extra_dirs: tuple[Path, ...] = ()) -> int:
        loads.append(real(con, extra_dirs))
        return loads[-1]

    monkeypatch.setattr(connect_module, "load_seeds", counted)
    con = _open(tmp_path / "copy.duckdb")  # from the template: no seed file loaded again
    con.close()
    assert loads == [0]
    migrated = _tables(tmp_path / "migrated.duckdb")
    assert len(migrated["entity_aliases"]) > 10_000 and len(migrated["schema_version"]) >= 9
    assert _tables(tmp_path / "copy.duckdb") == migrated
    assert _tables(tmp_path / "first.duckdb") == migrated
    # the file's mode is the one DuckDB gives a file it creates
    modes = {(tmp_path / f).stat().st_mode & 0o777 for f in ("migrated.duckdb", "copy.duckdb")}
    assert len(modes) == 1
    # the copy's times are its own, not the template's build
    times = _filled_times(tmp_path / "copy.duckdb")
    assert set(times) == RESTAMPED
    for (table, _), (_count, least) in times.items():
        assert least is not None
        if least.tzinfo is None:  # TIMESTAMP: the session's time zone, UTC here
            least = least.replace(tzinfo=UTC)
        assert least >= built - timedelta(seconds=1), table


def test_an_empty_warehouse_fills_only_the_restamped_times(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template's premise: a migrated, seeded warehouse holds no other time (a migration
    that adds rows with one must be restamped too)."""
    monkeypatch.setenv("NEWSETL_CACHE_DIR", "off")
    _open(tmp_path / "migrated.duckdb").close()
    assert set(_filled_times(tmp_path / "migrated.duckdb")) == RESTAMPED


def test_an_existing_warehouse_is_opened_as_it_is(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    con = _open(path)
    con.execute("DELETE FROM glossary")
    con.close()
    con = _open(path)  # exists: migrated as before, the seed file unchanged so not reloaded
    assert con.execute("SELECT count(*) FROM glossary").fetchone() == (0,)
    con.close()


def test_a_damaged_template_is_dropped_and_the_warehouse_migrated(
    cache: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _open(tmp_path / "first.duckdb").close()
    (template,) = cache.glob(f"{NAME}-*.duckdb")
    template.write_bytes(template.read_bytes()[:8192])  # truncated
    with caplog.at_level("WARNING", logger="newsetl.warehouse"):
        con = _open(tmp_path / "second.duckdb")
    assert "from template" in caplog.text
    assert con.execute("SELECT count(*) FROM entity_aliases").fetchone()[0] > 10_000
    con.close()
    assert _tables(tmp_path / "second.duckdb") == _tables(tmp_path / "first.duckdb")
    # the next new file gets a template built again
    _open(tmp_path / "third.duckdb").close()
    (template,) = cache.glob(f"{NAME}-*.duckdb")
    assert template.stat().st_size > 8192
    assert _tables(tmp_path / "third.duckdb") == _tables(tmp_path / "first.duckdb")


CREATE = """
import sys, time
from pathlib import Path
from newsetl.settings import Settings
from newsetl.warehouse import open_warehouse
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.001)
con = open_warehouse(Settings(db_path=Path(sys.argv[1]), translator="none", lock_retries=20))
print(con.execute("SELECT count(*) FROM entity_aliases").fetchone()[0])
con.close()
"""


def test_two_processes_creating_the_same_new_warehouse_both_open_it(
    cache: Path, tmp_path: Path
) -> None:
    """Both find no file and may both copy the template; one links its copy, the other
    opens that file (waiting for its lock) as it would have without a template."""
    import os
    import subprocess
    import sys
    import time

    _open(tmp_path / "first.duckdb").close()  # the template, built
    path = tmp_path / "same.duckdb"
    start = str(time.time() + 2.0)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CREATE, str(path), start],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ},
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert len({o.strip() for o in outs}) == 1 and int(outs[0]) > 10_000
    assert _tables(path) == _tables(tmp_path / "first.duckdb")
    assert not list(tmp_path.glob(".same.duckdb.*.tmp"))  # no copy left beside it
