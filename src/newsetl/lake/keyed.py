"""Keyed writes on tables without keys (DuckLake has no PRIMARY KEY, UNIQUE or ON CONFLICT).

The DuckDB file relies on its keys in three kinds of statement: ``ON CONFLICT DO UPDATE``
(the loader's merge, replaced in :mod:`newsetl.lake.merge` by ``MERGE INTO``),
``INSERT OR REPLACE`` and ``INSERT OR IGNORE`` (seeds; the entity store). Here are the last
two for a keyless table, given the key the migrations declare: *replace* deletes the rows whose
key a new row has, then inserts; *insert missing* inserts the rows whose key is not stored yet.
Both are only safe with one writer per table, which the lake's merge step is.

:class:`KeylessConnection` runs code written for the DuckDB file (the entity store) on the lake
unchanged: it hands every statement through and rewrites exactly the two ``INSERT OR ...``
shapes that code uses. Anything else that needs a key raises :class:`NeedsKey` naming the
statement, so nothing is silently written twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb


class NeedsKey(NotImplementedError):
    """A statement relies on a PRIMARY KEY / UNIQUE constraint the lake does not have."""


def _match(key: Sequence[str], left: str, right: str) -> str:
    return " AND ".join(f"{left}.{k} IS NOT DISTINCT FROM {right}.{k}" for k in key)


def replace_by_key(
    con: duckdb.DuckDBPyConnection,
    table: str,
    source: str,
    key: Sequence[str],
    columns: Sequence[str] | None = None,
) -> int:
    """``INSERT OR REPLACE INTO table BY NAME SELECT columns FROM source`` for a keyless table.

    ``source`` is a table (its ``rowid`` gives the rows' order): the last row of a key wins, as
    consecutive replaces would leave it. Columns not selected take their defaults.
    """
    if not key:
        raise NeedsKey(f"{table} has no key to replace on")
    keys = ", ".join(key)
    cols = ", ".join(columns) if columns else "* EXCLUDE (_keyed_row)"
    con.execute(f"DELETE FROM {table} WHERE ({keys}) IN (SELECT ({keys}) FROM {source})")
    n = con.execute(
        f"INSERT INTO {table} BY NAME SELECT {cols} FROM ("
        f"SELECT *, rowid AS _keyed_row FROM {source}) "
        f"QUALIFY _keyed_row = max(_keyed_row) OVER (PARTITION BY {keys})"
    ).fetchone()
    return int(n[0]) if n else 0


def insert_missing(
    con: duckdb.DuckDBPyConnection,
    table: str,
    source: str,
    key: Sequence[str],
    columns: Sequence[str] | None = None,
) -> int:
    """``INSERT OR IGNORE INTO table BY NAME SELECT columns FROM source`` for a keyless table:
    the first row (by ``rowid`` of the table ``source``) of each key not stored yet."""
    if not key:
        raise NeedsKey(f"{table} has no key to ignore on")
    keys = ", ".join(key)
    cols = ", ".join(columns) if columns else "* EXCLUDE (_keyed_row)"
    n = con.execute(
        f"INSERT INTO {table} BY NAME SELECT {cols} FROM ("
        f"SELECT *, rowid AS _keyed_row FROM {source}) s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {_match(key, 't', 's')}) "
        f"QUALIFY _keyed_row = min(_keyed_row) OVER (PARTITION BY {keys})"
    ).fetchone()
    return int(n[0]) if n else 0


_INSERT_OR = re.compile(
    r"^\s*INSERT\s+OR\s+(?P<verb>REPLACE|IGNORE)\s+INTO\s+(?P<table>[\w.]+)\s*"
    r"(?:\((?P<columns>[^)]*)\))?\s*(?P<rest>.*?)\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_NEEDS_KEY = re.compile(r"\bON\s+CONFLICT\b|\bINSERT\s+OR\s+(REPLACE|IGNORE)\b", re.IGNORECASE)


class KeylessConnection:
    """A DuckDB connection whose ``INSERT OR REPLACE`` / ``INSERT OR IGNORE`` statements are
    written by key (:func:`replace_by_key`, :func:`insert_missing`) for tables without keys.

    ``keys``: table -> key columns (from :func:`newsetl.lake.schema.table_keys`);
    ``columns``: table -> its columns in order (for ``VALUES`` without a column list).
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        keys: Mapping[str, Sequence[str]],
        columns: Mapping[str, Sequence[str]],
    ) -> None:
        self._con = con
        self._keys = keys
        self._columns = columns
        self._n = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def execute(self, sql: str, parameters: Any = None) -> Any:
        match = _INSERT_OR.match(sql)
        if match is None:
            if _NEEDS_KEY.search(sql):
                raise NeedsKey(f"statement needs a key the lake does not have: {sql[:200]}")
            return self._con.execute(sql, parameters) if parameters else self._con.execute(sql)
        return self._keyed(match, [parameters] if parameters else [None])

    def executemany(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        match = _INSERT_OR.match(sql)
        if match is None:
            if _NEEDS_KEY.search(sql):
                raise NeedsKey(f"statement needs a key the lake does not have: {sql[:200]}")
            return self._con.executemany(sql, parameters)
        return self._keyed(match, list(parameters))

    def _keyed(self, match: re.Match[str], parameter_sets: list[Any]) -> Any:
        """Collect the statement's rows into a temporary table, then write them by key."""
        table = match["table"]
        base = table.rsplit(".", 1)[-1]
        key = self._keys.get(base) or ()
        columns = (
            [c.strip() for c in match["columns"].split(",")]
            if match["columns"]
            else list(self._columns[base])
        )
        if not key:
            raise NeedsKey(f"INSERT OR {match['verb']} into {table}, which has no key")
        self._n += 1
        temp = f"_keyless_{self._n}"
        self._con.execute(
            f"CREATE OR REPLACE TEMP TABLE {temp} AS SELECT {', '.join(columns)} "
            f"FROM {table} LIMIT 0"
        )
        sql = f"INSERT INTO {temp} ({', '.join(columns)}) {match['rest']}"
        for params in parameter_sets:  # the statement's rows, in order (rowid keeps it)
            if params is None:
                self._con.execute(sql)
            else:
                self._con.execute(sql, params)
        try:
            if match["verb"].upper() == "REPLACE":
                replace_by_key(self._con, table, temp, key, columns)
            else:
                insert_missing(self._con, table, temp, key, columns)
        finally:
            self._con.execute(f"DROP TABLE {temp}")
        return self._con
