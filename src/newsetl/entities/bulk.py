"""Write many rows to DuckDB in one statement instead of one round trip per row.

Why: inside the loader's transaction every ``con.execute`` / ``executemany`` row costs a couple of
milliseconds (statement preparation, parameter binding, index maintenance per call), so storing a
batch's entities row by row took ~70 ms per page. One ``INSERT ... SELECT`` from an Arrow table
does the same work in a single statement.

How the statement reads the table: :func:`insert_arrow` and :func:`fetch_among` name a local
variable of their own frame, which DuckDB's Python replacement scan reads as a relation, instead
of ``con.register``-ing a view and dropping it after: each register and unregister is a change
of the connection's temporary catalog, ~0.5 ms of the run's process's CPU per table handed over
(DuckDB 1.5, measured in the loads; benchmarks/README.md "Round 16 (ipc16)"). A table of the
database always wins over a replacement scan, and no table is named ``_newsetl_*``. The scan
looks in the frame that calls DuckDB's ``execute``: a connection whose ``execute`` is Python
code of its own (the lake's :class:`~newsetl.lake.keyed.KeylessConnection`, which rewrites
statements) calls it from another frame, so such a connection is handed a registered view.
"""

from __future__ import annotations

import contextlib
import inspect
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
    cols = ", ".join(rows.column_names)
    if not _scans_this_frame(con):
        view = f"_bulk_{table}_{next(_views)}"
        con.register(view, rows)
        try:
            con.execute(f"{verb} INTO {table} ({cols}) SELECT {cols} FROM {view}")
        finally:
            con.unregister(view)
        return rows.num_rows
    _newsetl_rows = rows  # read by the replacement scan
    con.execute(f"{verb} INTO {table} ({cols}) SELECT {cols} FROM _newsetl_rows")
    return rows.num_rows


def _scans_this_frame(con: Any) -> bool:
    """Whether a statement ``con.execute``-d here is run by DuckDB from this frame (so that its
    replacement scan sees this frame's variables): ``con`` is a DuckDB connection or hands
    ``execute`` to one through ``__getattr__``, not through a Python method of its own."""
    return not inspect.isfunction(getattr(type(con), "execute", None))


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


def strings_table(values: Sequence[str], column: str = "value") -> pa.Table:
    """``values`` as a one-column Arrow table of strings (see :func:`registered_strings`)."""
    return pa.table({column: pa.array(list(values), type=pa.string())})


def fetch_among(con: Any, sql: str, values: Sequence[str]) -> list[tuple]:
    """The rows of ``sql``, in which ``{values}`` names a one-column relation (``value``) of
    ``values``: what a statement inside :func:`registered_strings` reads, without registering
    a view (see the module docstring)."""
    if not _scans_this_frame(con):
        with registered_strings(con, values) as view:
            return con.execute(sql.format(values=view)).fetchall()
    _newsetl_values = strings_table(values)  # read by the replacement scan
    return con.execute(sql.format(values="_newsetl_values")).fetchall()


def execute_among(con: Any, sql: str, values: Sequence[str]) -> None:
    """:func:`fetch_among` for a statement whose rows are not read (a ``DELETE``)."""
    if not _scans_this_frame(con):
        with registered_strings(con, values) as view:
            con.execute(sql.format(values=view))
        return
    _newsetl_values = strings_table(values)  # read by the replacement scan
    con.execute(sql.format(values="_newsetl_values"))


@contextlib.contextmanager
def registered_strings(con: Any, values: Sequence[str], column: str = "value") -> Iterator[str]:
    """A one-column relation of ``values`` to select from (``SELECT value FROM <name>``).

    Why not a list parameter (``unnest(?::VARCHAR[])``): DuckDB's Python binding converts a list
    parameter element by element, ~0.1 ms each (300 entity ids: 36 ms); an Arrow array is
    handed over as is (the same 300: under 1 ms).
    """
    view = f"_strings_{next(_views)}"
    con.register(view, strings_table(values, column))
    try:
        yield view
    finally:
        con.unregister(view)
