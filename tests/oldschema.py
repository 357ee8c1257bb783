"""A warehouse file as an older release left it, for the tests of a migration's upgrade path.

Why a helper: a migration that back-fills or converts rows is tested on rows written under the
schema before it, which ``open_warehouse`` (always migrating to the newest) cannot make.
"""

from __future__ import annotations

import duckdb

from newsetl.warehouse import migration_files


def migrate_before(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Apply the migrations numbered below ``version`` and record them as the runner does
    (``schema_version``), so that opening the file later applies ``version`` and after."""
    con.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR, "
        "checksum VARCHAR, applied_at TIMESTAMPTZ)"
    )
    for file in migration_files():
        number = int(file.name.split("_", 1)[0])
        if number >= version:
            continue
        con.execute(file.read_text(encoding="utf-8"))
        con.execute("INSERT INTO schema_version VALUES (?, ?, '', now())", [number, file.name])
