"""Write many rows to DuckDB in one statement instead of one round trip per row.

Why: inside the loader's transaction every ``con.execute`` / ``executemany`` row costs a couple of
milliseconds (statement preparation, parameter binding, index maintenance per call), so storing a
batch's entities row by row took ~70 ms per page. One ``INSERT ... SELECT`` from an Arrow table
registered on the connection does the same work in a single statement.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

_views = itertools.count()


def arrow_rows(
    columns: Sequence[tuple[str, pa.DataType | None]], rows: Sequence[Sequence[Any]]
) -> pa.Table:
    """Rows (tuples in column order) as an Arrow table.

    A column's type is explicit so that a column whose values are all ``None`` (or mix ints and
    floats) still arrives with the table's type; ``None`` lets Arrow infer it from the values
    (raising ``pyarrow.ArrowException`` / ``TypeError`` for values of mixed kinds).
    """
    arrays = [
        pa.array([row[i] for row in rows], type=dtype) for i, (_, dtype) in enumerate(columns)
    ]
    return pa.Table.from_arrays(arrays, names=[name for name, _ in columns])


def insert_arrow(con: Any, table: str, rows: pa.Table, *, verb: str = "INSERT") -> int:
    """``{verb} INTO table (columns) SELECT columns FROM rows``: one statement, rows in order.

    Returns the number of rows given; nothing is executed for none.
    """
    if rows.num_rows == 0:
        return 0
    view = f"_bulk_{table}_{next(_views)}"
    con.register(view, rows)
    try:
        cols = ", ".join(rows.column_names)
        con.execute(f"{verb} INTO {table} ({cols}) SELECT {cols} FROM {view}")
    finally:
        con.unregister(view)
    return rows.num_rows


def sync_rows(con: Any, table: str, rows: pa.Table) -> tuple[int, int]:
    """Make ``table`` hold exactly the (distinct) ``rows``: delete the stored rows that are not
    among them, insert those not stored yet. Returns (rows deleted, rows inserted).

    Why not ``DELETE FROM table`` and insert everything: the whole-warehouse steps (story
    clusters, entity resolution) recompute tables of which a run changes a few rows; deleting
    and rewriting all of them wrote the whole table to the WAL and the file on every run, a
    cost that grew with the warehouse. Rows are compared on every column, NULL equal to NULL
    (``IS NOT DISTINCT FROM``, as ``EXCEPT`` does), so a row whose value changed is deleted
    and inserted again; the table holds the same rows either way.
    """
    view = f"_sync_{table}_{next(_views)}"
    con.register(view, rows)
    try:
        cols = rows.column_names
        same = " AND ".join(f"n.{c} IS NOT DISTINCT FROM t.{c}" for c in cols)
        listed = ", ".join(cols)
        deleted = con.execute(
            f"DELETE FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM {view} n WHERE {same})"
        ).fetchone()
        inserted = con.execute(
            f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {view}"
            f" EXCEPT SELECT {listed} FROM {table}"
        ).fetchone()
    finally:
        con.unregister(view)
    return (int(deleted[0]) if deleted else 0, int(inserted[0]) if inserted else 0)


@contextlib.contextmanager
def registered_strings(con: Any, values: Sequence[str], column: str = "value") -> Iterator[str]:
    """A one-column relation of ``values`` to select from (``SELECT value FROM <name>``).

    Why not a list parameter (``unnest(?::VARCHAR[])``): DuckDB's Python binding converts a list
    parameter element by element, ~0.1 ms each (300 entity ids: 36 ms); an Arrow array is
    handed over as is (the same 300: under 1 ms).
    """
    view = f"_strings_{next(_views)}"
    con.register(view, pa.table({column: pa.array(list(values), type=pa.string())}))
    try:
        yield view
    finally:
        con.unregister(view)
