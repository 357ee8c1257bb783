"""Export the warehouse to Parquet (or CSV) files for other tools (pandas, Spark, BI).

Reads the read copy (see :mod:`newsetl.readcopy`), never the live file, so an export of any
size neither waits for nor delays a scheduled load. DuckDB's ``COPY ... TO`` writes each
relation streaming, one file per table or view: ``DIR/<name>.parquet``.

Parquet keeps lists, maps and structs as such. CSV has no nested values, and DuckDB would
write a list as ``[a, b]`` (ambiguous as soon as a value holds a comma or a bracket): in CSV
every LIST, MAP, STRUCT or ARRAY column is written as JSON instead (``["a","b"]``,
``{"it":"https://..."}``), which every CSV consumer can parse back.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

FORMATS = {"parquet": "(FORMAT parquet, COMPRESSION zstd)", "csv": "(FORMAT csv, HEADER true)"}


def exportable(con: duckdb.DuckDBPyConnection, *, views: bool = False) -> list[str]:
    """User tables (and views) of the main schema; the search index's tables are internal."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT internal "
            "AND NOT temporary ORDER BY table_name"
        ).fetchall()
    ]
    if views:
        names += [
            r[0]
            for r in con.execute(
                "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal "
                "AND NOT temporary ORDER BY view_name"
            ).fetchall()
        ]
    return names


def export_relations(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    fmt: str = "parquet",
    names: Iterable[str] | None = None,
    views: bool = False,
) -> dict[str, Path]:
    """Write each named table/view (default: every table, plus views if asked) to ``out_dir``.

    Returns name -> file written. Unknown names raise ``KeyError`` before anything is written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {sorted(FORMATS)}")
    available = exportable(con, views=True)
    wanted = list(names) if names else exportable(con, views=views)
    unknown = [n for n in wanted if n not in available]
    if unknown:
        raise KeyError(f"no such table or view: {', '.join(unknown)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name in wanted:
        target = out_dir / f"{name}.{fmt}"
        path_literal = str(target).replace("'", "''")
        select = csv_select_list(con, name) if fmt == "csv" else "*"
        con.execute(f"COPY (SELECT {select} FROM \"{name}\") TO '{path_literal}' {FORMATS[fmt]}")
        written[name] = target
    return written


def _is_nested(column_type: str) -> bool:
    kind = column_type.upper()
    return kind.endswith("]") or kind.startswith(("MAP(", "STRUCT(", "UNION("))


def csv_select_list(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """Columns of ``name`` for a CSV export: nested ones as JSON text, the rest as they are."""
    columns = con.execute(f'DESCRIBE "{name}"').fetchall()
    parts = []
    for column, column_type, *_ in columns:
        quoted = '"' + column.replace('"', '""') + '"'
        parts.append(f"to_json({quoted}) AS {quoted}" if _is_nested(column_type) else quoted)
    return ", ".join(parts)
