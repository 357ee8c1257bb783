"""The DuckDB warehouse: migrations, seeds, staging and idempotent loading.

Design, because DuckDB allows one read-write process per file and a reader blocks writers:

* Every stage before loading is pure and never touches the database. A processed batch is
  first *staged* on disk as Parquet (one file per table), so a busy or locked database file
  can never lose work: the batch stays staged and the next load picks it up.
* One writer loads staged batches, each in one short transaction, with bounded retries when
  another process holds the file.
* How each table is written is *declared* by the stages that write it (merge on a key,
  append, replace an article's children; :mod:`newsetl.stages`, handed to the loader as a
  :class:`LoadPlan`) instead of hand-coded per table; rows whose
  ``record_hash`` is unchanged are not rewritten, so re-running the same sources leaves the
  same rows.
* ``warehouse/migrations/*.sql`` is the single source of truth for the schema; the Arrow
  schemas used for staging are derived from it.

The package, by concern: :mod:`~newsetl.warehouse.connect` (SQL files, connecting, migrations,
seeds, transactions, error kinds), :mod:`~newsetl.warehouse.dispositions` (write dispositions
and the load plan), :mod:`~newsetl.warehouse.staging` (Arrow schemas, staged batches) and
:mod:`~newsetl.warehouse.load` (the one writer). It imports nothing above it (no pipeline,
stages, run or flows: tests/test_layers.py checks).
"""

from newsetl.warehouse.connect import (
    READY_MARKER,
    TRANSIENT_ERRNOS,
    TRANSIENT_MESSAGES,
    WarehouseBusy,
    WarehouseUnavailable,
    checkpointing,
    connect,
    held_open,
    is_lock_error,
    is_transient_error,
    limit_memory,
    load_seeds,
    migrate,
    migration_files,
    open_warehouse,
    restore_memory_limit,
    seed_files,
    someone_waits,
    sql_root,
    transaction,
    view_files,
    waiting_mark,
)
from newsetl.warehouse.dispositions import (
    Append,
    LoadPlan,
    Merge,
    ReplaceChildren,
    WriteDisposition,
    default_plan,
    import_path,
    set_default_plan,
)
from newsetl.warehouse.load import (
    DEFERRED_BYTES,
    DEFERRED_DIR,
    LOAD_THREADS,
    QUARANTINE_DIR,
    LoadReport,
    _dedupe_articles,
    _extra_loader,
    _ordered_tables,
    deferred_files,
    load_batch,
    load_deferred,
    load_pending,
    quarantine,
    run_after_load,
)
from newsetl.warehouse.staging import (
    MANIFEST,
    MANIFEST_VERSION,
    BadBatch,
    Batch,
    arrow_schema,
    check_batch,
    clean_staging_leftovers,
    pending_batches,
    prune_staging,
    record_hash,
    stage_batch,
    table_columns,
    to_arrow,
)

_import_path = import_path  # the name lake.merge used

__all__ = [
    "DEFERRED_BYTES",
    "DEFERRED_DIR",
    "LOAD_THREADS",
    "MANIFEST",
    "MANIFEST_VERSION",
    "QUARANTINE_DIR",
    "READY_MARKER",
    "TRANSIENT_ERRNOS",
    "TRANSIENT_MESSAGES",
    "Append",
    "BadBatch",
    "Batch",
    "LoadPlan",
    "LoadReport",
    "Merge",
    "ReplaceChildren",
    "WarehouseBusy",
    "WarehouseUnavailable",
    "WriteDisposition",
    "_dedupe_articles",
    "_extra_loader",
    "_ordered_tables",
    "arrow_schema",
    "check_batch",
    "checkpointing",
    "clean_staging_leftovers",
    "connect",
    "default_plan",
    "deferred_files",
    "held_open",
    "import_path",
    "is_lock_error",
    "is_transient_error",
    "limit_memory",
    "load_batch",
    "load_deferred",
    "load_pending",
    "load_seeds",
    "migrate",
    "migration_files",
    "open_warehouse",
    "pending_batches",
    "prune_staging",
    "quarantine",
    "record_hash",
    "restore_memory_limit",
    "run_after_load",
    "seed_files",
    "set_default_plan",
    "someone_waits",
    "sql_root",
    "stage_batch",
    "table_columns",
    "to_arrow",
    "transaction",
    "view_files",
    "waiting_mark",
]
