"""The warehouse on DuckLake: many workers append, one merge step writes (issue 15, phase A).

The DuckDB file (``newsetl.warehouse``) allows one writing process. For a run spread over
machines the warehouse can instead be a DuckLake: its catalog in Postgres, its data as Parquet
files in a directory or on S3-compatible storage. Same schema (derived from
``warehouse/migrations/*.sql``, :mod:`.schema`), same views, same write dispositions, same CLI.

* :mod:`.connect` attaches the lake (bundled extensions, S3 secret, snapshots);
* :mod:`.schema` derives the lake's DDL and staging tables from the migrations;
* :mod:`.staging` is the workers' side: append staged batches (idempotent);
* :mod:`.merge` is the one merge step: staged batches -> curated tables, exactly once;
* :mod:`.keyed` writes by key on tables without keys (seeds, the entity store);
* :mod:`.read` opens a pinned snapshot for ``query`` / ``export`` / ``search``, and finds the
  snapshot of a run ("the warehouse as of run X");
* :mod:`.maintenance` compacts, expires snapshots, deletes old files, prunes merged staging
  rows and rebuilds the search index.

How to run it on several machines: docs/scale-out.md.
"""

from __future__ import annotations

from newsetl.lake.connect import LAKE, LakeConfig, LakeNotConfigured, open_lake
from newsetl.lake.merge import merge_pending
from newsetl.lake.schema import migrate_lake, table_keys, target_schema
from newsetl.lake.staging import append_batch, append_pending

__all__ = [
    "LAKE",
    "LakeConfig",
    "LakeNotConfigured",
    "append_batch",
    "append_pending",
    "load_pending",
    "merge_pending",
    "migrate_lake",
    "open_lake",
    "table_keys",
    "target_schema",
    "uses_lake",
]


def uses_lake(settings) -> bool:
    """Whether ``settings`` name the lake as the warehouse (``NEWSETL_WAREHOUSE_BACKEND``)."""
    backend = settings.warehouse_backend.strip().lower()
    if backend not in ("duckdb", "ducklake"):
        raise ValueError(f"unknown warehouse_backend {backend!r}: use 'duckdb' or 'ducklake'")
    return backend == "ducklake"


def load_pending(settings, con=None, *, batches=None, after_load: bool = True):
    """The lake's :func:`newsetl.warehouse.load_pending` for one machine: append what is
    staged here, then merge. In a distributed run the workers call :func:`append_pending` and
    one merge deployment calls :func:`merge_pending`."""
    appended = append_pending(settings, batches=batches)
    report = merge_pending(settings, after_load=after_load)
    report.left_staged += len(appended.failed)
    return report
