"""The one merge step: staged batches in the lake -> the curated tables, exactly once.

Why one: DuckLake has no keys, and measured concurrent ``MERGE`` from several writers gave
duplicate rows for one key (issue 15), so workers only append (:mod:`newsetl.lake.staging`)
and a single step merges. "Single" is enforced, not assumed: every merge commit updates the
one row of ``staging.merge_fence``, so two merge steps that overlap conflict there and DuckLake
commits only one of them (the other rolls back whole and stops; measured in
docs/scale-out.md). Run it as a Prefect deployment with a concurrency limit of 1 so that the
loser is rare, not as the lock.

What it writes is what :func:`newsetl.warehouse.load_batch` writes into the DuckDB file, batch
by batch in batch-id order, with the same declared write dispositions and the same duplicate
marking: the staged rows of one batch become the ``staged_<table>`` temporary tables the
DuckDB loader uses, and only the statement that needs a key changes: ``ON CONFLICT DO UPDATE``
becomes ``MERGE INTO`` (same rows; ``keep`` columns kept, unchanged ``record_hash`` not
rewritten). Entity linking runs unchanged through :class:`~newsetl.lake.keyed.KeylessConnection`.

Exactly once: a batch id is merged once (``staging.merged_batches``, written in the same commit
as its rows); of several versions of one id (appended twice, or re-made by a re-run) the first
appended is merged and later ones never are (``newsetl lake status`` counts versions). Several batches share a commit
(``Settings.lake_merge_batches_per_commit``): every commit writes Parquet files and a snapshot,
so fewer commits mean fewer small files and a shorter snapshot list.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from newsetl.lake.connect import LAKE, is_conflict, open_lake, rollback
from newsetl.lake.keyed import KeylessConnection
from newsetl.lake.schema import STAGING, migrate_lake, table_keys, target_schema
from newsetl.settings import Settings
from newsetl.stages import AFTER_LOAD, WRITE_DISPOSITIONS
from newsetl.warehouse import (
    LoadReport,
    Merge,
    WriteDisposition,
    _dedupe_articles,
    _extra_loader,
    _import_path,
    _ordered_tables,
)
from newsetl.warehouse.load import (
    OLD_STAGED_BODIES,
    finish_merge,
    plan_merge,
    write_without_key,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StagedBatch:
    batch_id: str
    batch_hash: str
    tables: tuple[str, ...]
    extras: tuple[str, ...]
    run_ids: tuple[str, ...]


class MergeConflict(RuntimeError):
    """Another merge step committed first (the fence row); this one rolled back and stops."""


def pending(con: duckdb.DuckDBPyConnection, *, lake: str = LAKE) -> list[StagedBatch]:
    """Appended batches not merged yet: the first appended version of each id, by id."""
    rows = con.execute(
        f"""
        SELECT batch_id, batch_hash, tables, extras, run_ids
        FROM {lake}.{STAGING}.batches b
        WHERE NOT EXISTS (SELECT 1 FROM {lake}.{STAGING}.merged_batches m
                          WHERE m.batch_id = b.batch_id)
        QUALIFY row_number() OVER (PARTITION BY batch_id ORDER BY staged_at, batch_hash) = 1
        ORDER BY batch_id
        """
    ).fetchall()
    return [
        StagedBatch(r[0], r[1], tuple(r[2] or ()), tuple(r[3] or ()), tuple(r[4] or ()))
        for r in rows
    ]


def merge_pending(
    settings: Settings,
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    after_load: bool = True,
    limit: int | None = None,
) -> LoadReport:
    """Merge every appended batch not merged yet (at most ``limit``), in batch-id order.

    Returns the DuckDB loader's :class:`~newsetl.warehouse.LoadReport` (same counts).
    ``busy`` is set when another merge step holds the fence; batches that fail to merge for
    any other reason are recorded as failed (``quarantined``) and the rest go on.
    """
    report = LoadReport()
    own = con is None
    if con is None:
        con = open_lake(settings)
    try:
        migrate_lake(con, extra_seed_dirs=settings.extra_seed_dirs)
        todo = pending(con)
        if limit is not None:
            todo = todo[:limit]
        size = max(1, settings.lake_merge_batches_per_commit)
        for start in range(0, len(todo), size):
            try:
                _merge_group(con, todo[start : start + size], settings, report)
            except MergeConflict as exc:
                report.busy = str(exc)
                report.left_staged = len(todo) - start
                break
        if after_load and not report.busy:
            run_after_load(con, report)
    finally:
        if own:
            con.close()
    return report


def _merge_group(
    con: duckdb.DuckDBPyConnection, group: list[StagedBatch], settings: Settings, report
) -> None:
    """Merge ``group`` in one commit; if one batch fails, merge them one per commit and
    record the failing ones."""
    try:
        counts = _commit(con, group, settings)
    except MergeConflict:
        raise
    except Exception as exc:
        if len(group) == 1:
            _record_failure(con, group[0], exc)
            report.quarantined.append(group[0].batch_id)
            return
        log.warning("a batch of %d failed to merge (%s); merging them one by one", len(group), exc)
        for batch in group:
            _merge_group(con, [batch], settings, report)
        return
    for batch_counts, batch in zip(counts, group, strict=True):
        if batch_counts is None:
            continue
        report.loaded += 1
        report.extras |= set(batch.extras)
        for key, value in batch_counts.items():
            report.counts[key] = report.counts.get(key, 0) + value


def _fence(con: duckdb.DuckDBPyConnection, last_batch: str, lake: str = LAKE) -> None:
    con.execute(
        f"UPDATE {lake}.{STAGING}.merge_fence SET merges = merges + 1, last_batch = ?, "
        "updated_at = ?",
        [last_batch, datetime.now(UTC)],
    )


def _commit(
    con: duckdb.DuckDBPyConnection, group: list[StagedBatch], settings: Settings
) -> list[dict[str, int] | None]:
    """One transaction: fence, each batch merged and recorded, commit message, commit."""
    con.execute("BEGIN TRANSACTION")
    try:
        _fence(con, group[-1].batch_id)
        merged_now = {
            r[0]
            for r in con.execute(
                f"SELECT batch_id FROM {LAKE}.{STAGING}.merged_batches "
                "WHERE batch_id IN (SELECT unnest(?))",
                [[b.batch_id for b in group]],
            ).fetchall()
        }
        out: list[dict[str, int] | None] = []
        run_ids: set[str] = set()
        for batch in group:
            if batch.batch_id in merged_now:  # merged by a step that committed after listing
                out.append(None)
                continue
            counts = merge_batch(con, batch, near_duplicate_bits=settings.near_duplicate_bits)
            _record(con, batch, "merged", counts)
            out.append(counts)
            run_ids.update(batch.run_ids)
        for extra in sorted({e for b in group for e in b.extras} & AFTER_LOAD.keys()):
            con.execute(
                f"INSERT INTO {LAKE}.{STAGING}.after_load_due SELECT ? WHERE NOT EXISTS "
                f"(SELECT 1 FROM {LAKE}.{STAGING}.after_load_due WHERE extra = ?)",
                [extra, extra],
            )
        info = {"batches": [b.batch_id for b in group], "run_ids": sorted(run_ids)}
        con.execute(
            f"CALL {LAKE}.set_commit_message('newsetl', 'merge', extra_info => ?)",
            [json.dumps(info)],
        )
        con.execute("COMMIT")
    except BaseException as exc:
        rollback(con)
        if isinstance(exc, duckdb.Error) and is_conflict(exc):
            raise MergeConflict(f"another merge step committed first: {exc}") from exc
        raise
    return out


def _record(
    con: duckdb.DuckDBPyConnection,
    batch: StagedBatch,
    status: str,
    counts: dict[str, int] | None = None,
    error: str | None = None,
) -> None:
    con.execute(
        f"INSERT INTO {LAKE}.{STAGING}.merged_batches VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            batch.batch_id, batch.batch_hash, status, datetime.now(UTC), list(batch.run_ids),
            json.dumps(counts or {}), error,
        ],
    )  # fmt: skip


def _record_failure(con: duckdb.DuckDBPyConnection, batch: StagedBatch, exc: BaseException) -> None:
    """The batch stays in staging; its failure is recorded so the batches after it go on."""
    log.error("batch %s could not be merged and was set aside: %s", batch.batch_id, exc)
    con.execute("BEGIN TRANSACTION")
    try:
        _fence(con, batch.batch_id)
        _record(con, batch, "failed", error=f"{type(exc).__name__}: {exc}")
        con.execute("COMMIT")
    except BaseException as failure:
        rollback(con)
        if isinstance(failure, duckdb.Error) and is_conflict(failure):
            raise MergeConflict(f"another merge step committed first: {failure}") from failure
        raise


# --------------------------------------------------------------------------------------------
# One batch, inside the caller's transaction
# --------------------------------------------------------------------------------------------
def merge_batch(
    con: duckdb.DuckDBPyConnection, batch: StagedBatch, *, near_duplicate_bits: int = 7
) -> dict[str, int]:
    """What :func:`newsetl.warehouse.load_batch` does for a staged directory, for a batch in
    the lake's staging tables (the connection has the lake in use)."""
    tables = _ordered_tables({t: None for t in batch.tables})
    for table in tables:
        # DISTINCT: one version appended twice *concurrently* (two attempts of one shard
        # appending the same staged directory; both pass the append's check, inserts do not
        # conflict) is the same rows twice; a staged batch never holds a row twice itself
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE staged_{table} AS "
            f"SELECT DISTINCT * EXCLUDE (_batch_id, _batch_hash) FROM {LAKE}.{STAGING}.{table} "
            "WHERE _batch_id = ? AND _batch_hash = ?",
            [batch.batch_id, batch.batch_hash],
        )
    counts: dict[str, int] = {}
    if "pages" in tables and _split_old_bodies(con, tables, counts):
        tables = _ordered_tables({t: None for t in {*tables, "page_bodies"}})
    duplicates: set[str] = set()
    if "articles" in tables:
        counts.update(_dedupe_articles(con, tables, near_duplicate_bits))
        duplicates = {
            r[0] for r in con.execute("SELECT duplicate_id FROM duplicate_map").fetchall()
        }
    for table in tables:
        counts.update(write_table(con, table, WRITE_DISPOSITIONS[table], staged=tables))
    for table in tables:
        con.execute(f"DROP TABLE IF EXISTS staged_{table}")
    for extra in sorted(batch.extras):
        rows = [r for r in extra_rows(con, batch, extra) if r.get("article_id") not in duplicates]
        loader = _extra_loader(extra)
        for key, value in loader(keyless(con), rows).items():
            counts[key] = counts.get(key, 0) + value
    return counts


def _split_old_bodies(
    con: duckdb.DuckDBPyConnection, tables: list[str], counts: dict[str, int]
) -> bool:
    """A batch staged by a release before migration 011 (its bodies in ``pages.raw_gzip``):
    its bodies become ``staged_page_bodies`` rows, merged by that table's disposition, and the
    column leaves ``staged_pages``. Every batch of a lake made before 011 has the column (its
    ``staging.pages`` keeps it, NULL in newer batches), so it is always dropped here: the
    curated ``pages`` has lost it (:func:`newsetl.lake.schema._move_old_bodies`). Returns
    whether ``page_bodies`` joined the batch's tables."""
    if "raw_gzip" not in con.table("staged_pages").columns:
        return False
    old = OLD_STAGED_BODIES  # as the DuckDB file's loader takes them
    joined = False
    if "page_bodies" in tables:  # a newer batch's own bodies win
        n = con.execute(
            f"INSERT INTO staged_page_bodies BY NAME {old} "
            "AND url NOT IN (SELECT url FROM staged_page_bodies)"
        ).fetchone()
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE staged_page_bodies AS {old}")
        n = con.execute("SELECT count(*) FROM staged_page_bodies").fetchone()
        joined = bool(n and n[0])
        if not joined:
            con.execute("DROP TABLE staged_page_bodies")
    con.execute("ALTER TABLE staged_pages DROP COLUMN raw_gzip")
    if n and n[0]:
        counts["page_bodies_from_old_batches"] = int(n[0])
    return joined


def extra_rows(con: duckdb.DuckDBPyConnection, batch: StagedBatch, extra: str) -> list[dict]:
    """The rows of a staged extra, read from the Parquet bytes the worker staged: the same
    values :func:`newsetl.warehouse.load_batch` reads from the file."""
    rows: list[dict[str, Any]] = []
    for (blob,) in con.execute(
        f"SELECT DISTINCT parquet FROM {LAKE}.{STAGING}.extras "
        "WHERE _batch_id = ? AND _batch_hash = ? AND extra = ?",
        [batch.batch_id, batch.batch_hash, extra],
    ).fetchall():
        rows.extend(pq.read_table(pa.BufferReader(blob)).to_pylist())
    return rows


def keyless(con: duckdb.DuckDBPyConnection) -> KeylessConnection:
    """``con`` for code written against the DuckDB file's keys (the entity store)."""
    columns = {name: [c.name for c in t.columns] for name, t in target_schema().tables.items()}
    return KeylessConnection(con, table_keys(), columns)


def write_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    disposition: WriteDisposition,
    *,
    staged: list[str],
) -> dict[str, int]:
    """Write ``staged_<table>`` into ``table`` as its disposition says, without keys."""
    written = write_without_key(con, table, disposition, staged=staged)
    if written is not None:
        return written
    assert isinstance(disposition, Merge)
    return _merge(con, table, disposition, f"staged_{table}")


def _merge(
    con: duckdb.DuckDBPyConnection, table: str, disposition: Merge, relation: str
) -> dict[str, int]:
    """Upsert on the declared key: ``MERGE INTO`` where the DuckDB file uses ``ON CONFLICT``."""
    plan = plan_merge(con, table, disposition, relation)
    if plan.updated:
        matched = (
            "UPDATE SET " + ", ".join(f"{c} = s.{c}" for c in plan.updates)
            if plan.updates
            else "DO NOTHING"
        )
        con.execute(
            f"MERGE INTO {table} t USING (SELECT * FROM {plan.source} s {plan.changed}) s "
            f"ON {plan.join} WHEN MATCHED THEN {matched} WHEN NOT MATCHED THEN INSERT BY NAME"
        )
    return finish_merge(con, table, plan)


def run_after_load(con: duckdb.DuckDBPyConnection, report: LoadReport) -> None:
    """The whole-warehouse steps (:data:`newsetl.stages.AFTER_LOAD`, story clusters) for
    the extras merged, and those still owed by earlier merges (``after_load_due``), each in
    one fenced commit."""
    due = {
        r[0] for r in con.execute(f"SELECT extra FROM {LAKE}.{STAGING}.after_load_due").fetchall()
    }
    for name in sorted((report.extras | due) & AFTER_LOAD.keys()):
        target, count_name = AFTER_LOAD[name]
        con.execute("BEGIN TRANSACTION")
        try:
            _fence(con, f"after-load:{name}")
            report.counts[count_name] = int(_import_path(target)(keyless(con)) or 0)
            con.execute(f"DELETE FROM {LAKE}.{STAGING}.after_load_due WHERE extra = ?", [name])
            con.execute(
                f"CALL {LAKE}.set_commit_message('newsetl', 'after-load', extra_info => ?)",
                [json.dumps({"step": name})],
            )
            con.execute("COMMIT")
        except BaseException as exc:
            rollback(con)
            if isinstance(exc, duckdb.Error) and is_conflict(exc):
                report.busy = f"another merge step committed first: {exc}"
                return
            raise
    report.extras.clear()
