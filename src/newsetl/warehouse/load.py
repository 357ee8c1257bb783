"""Loading staged batches, each in one transaction, by the one writer."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from newsetl.settings import Settings
from newsetl.warehouse.connect import (
    WarehouseBusy,
    WarehouseUnavailable,
    is_lock_error,
    is_transient_error,
    open_warehouse,
    threads,
    transaction,
)
from newsetl.warehouse.dispositions import (
    Append,
    LoadPlan,
    Merge,
    ReplaceChildren,
    WriteDisposition,
    default_plan,
    import_path,
)
from newsetl.warehouse.staging import BadBatch, check_batch, pending_batches

#: one log for the whole warehouse package (its name before the split)
log = logging.getLogger("newsetl.warehouse")


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------
def _extra_loader(
    name: str, plan: LoadPlan | None = None
) -> Callable[[duckdb.DuckDBPyConnection, list[dict[str, Any]]], dict[str, int]]:
    """Named by import path so that any process can load any staged batch."""
    plan = plan or default_plan()
    target = plan.extra_loaders.get(name)
    if target is None:
        raise KeyError(f"no loader registered for staged extra {name!r}")
    return import_path(target)


def load_batch(
    con: duckdb.DuckDBPyConnection,
    batch_dir: Path,
    *,
    near_duplicate_bits: int = 7,
    plan: LoadPlan | None = None,
    defer: bool = False,
) -> dict[str, int]:
    """Load one staged batch in one transaction. Returns counts (new/updated/... per table).

    ``plan``: the stages' declarations (:func:`newsetl.stages.load_plan`); the registered
    default plan when None. ``defer``: leave the plan's deferred tables out (the caller keeps
    their files for :func:`load_deferred`)."""
    plan = plan or default_plan()
    files = {p.stem: p for p in batch_dir.glob("*.parquet")}
    tables = _ordered_tables(files, plan)
    if defer:
        tables = [t for t in tables if t not in deferred_tables(plan)]
    counts: dict[str, int] = {}
    with transaction(con):
        for table in tables:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE staged_{table} AS SELECT * FROM read_parquet(?)",
                [str(files[table])],
            )
        if "pages" in tables:
            _split_old_bodies(con, counts)
        duplicates: set[str] = set()
        if "articles" in tables:
            counts.update(_dedupe_articles(con, tables, near_duplicate_bits))
            duplicates = {
                r[0] for r in con.execute("SELECT duplicate_id FROM duplicate_map").fetchall()
            }
        for table in tables:
            counts.update(_write(con, table, plan.dispositions[table], staged=tables))
        for table in tables:
            con.execute(f"DROP TABLE IF EXISTS staged_{table}")
        for name, path in sorted(files.items()):
            if not name.startswith("extra."):
                continue
            extra = name.removeprefix("extra.")
            loader = _extra_loader(extra, plan)
            rows = [
                r for r in pq.read_table(path).to_pylist() if r.get("article_id") not in duplicates
            ]
            _add_counts(counts, loader(con, rows))
    return counts


#: Where a loaded batch's files of deferred tables (``Merge.deferred``) wait for their bulk
#: write: ``<staging>/deferred/<batch>.<table>.parquet``.
DEFERRED_DIR = "deferred"
#: Bytes of deferred tables' files waiting that make a run's loader write them (~1,000 page
#: bodies of the 50,000-page warehouse's mean, 35.6 KB gzipped). A size, not a row count: it
#: is what the bulk write holds and commits, and a file's size costs a ``stat``, not a read.
#: A run writes what is left after its last load; ``newsetl load`` and maintenance write all.
DEFERRED_BYTES = 32 * 2**20


def deferred_tables(plan: LoadPlan) -> frozenset[str]:
    """The plan's tables written in bulk (see :class:`Merge`'s ``deferred``)."""
    return frozenset(t for t, d in plan.dispositions.items() if isinstance(d, Merge) and d.deferred)


def deferred_files(staging_dir: Path) -> list[Path]:
    """Files of deferred tables waiting for their bulk write, oldest batch first."""
    directory = staging_dir / DEFERRED_DIR
    return sorted(directory.glob("*.parquet")) if directory.is_dir() else []


def _defer(batch_dir: Path, plan: LoadPlan) -> None:
    """Move a loaded batch's files of deferred tables to ``deferred/`` (before the batch's
    directory is removed). A loader stopped before this leaves the batch staged: it loads
    again (the same rows: its merges find them unchanged) and this runs then."""
    tables = deferred_tables(plan)
    files = [p for p in batch_dir.glob("*.parquet") if p.stem in tables]
    if not files:
        return
    directory = batch_dir.parent / DEFERRED_DIR
    directory.mkdir(exist_ok=True)
    for path in files:
        os.replace(path, directory / f"{batch_dir.name}.{path.name}")


def load_deferred(
    con: duckdb.DuckDBPyConnection,
    staging_dir: Path,
    report: LoadReport,
    plan: LoadPlan | None = None,
    *,
    min_bytes: int = 0,
) -> None:
    """Write the deferred tables' waiting rows in one transaction, once their files hold at
    least ``min_bytes``; the files go once it committed. Rows repeated across batches keep
    the latest (``Merge.latest_by``), as within a batch. An environment's error (a full disk)
    leaves them for the next load. When the database refuses them, each file is written
    alone and those it refuses are set aside as a bad batch is (``failed/``), with the
    reason."""
    plan = plan or default_plan()
    files = deferred_files(staging_dir)
    if not files or _size(files) < min_bytes:
        return
    try:
        _add_counts(report.counts, _write_deferred(con, files, plan))
        return
    except Exception as exc:
        if not _refused(exc, report):
            return
    for path in files:  # which file the database refuses: the others are written
        try:
            _add_counts(report.counts, _write_deferred(con, [path], plan))
        except Exception as exc:
            if not _refused(exc, report):
                return
            report.quarantined.append(str(quarantine_deferred(path, exc)))


def _refused(exc: Exception, report: LoadReport) -> bool:
    """Whether the database refused the rows (they are set aside). A lock error is raised;
    an environment's error (a full disk) is recorded and the rows stay for the next load."""
    if is_lock_error(exc):
        raise exc
    if is_transient_error(exc):
        report.transient = f"{type(exc).__name__}: {exc}"
        log.error("deferred rows stay staged for the next load: %s", report.transient)
        return False
    return True


def _add_counts(into: dict[str, int], counts: dict[str, int]) -> None:
    for key, value in counts.items():
        into[key] = into.get(key, 0) + value


def _size(files: list[Path]) -> int:
    """Bytes of ``files`` (one that went meanwhile counts nothing)."""
    size = 0
    for path in files:
        with contextlib.suppress(OSError):
            size += path.stat().st_size
    return size


def _write_deferred(con, files: list[Path], plan: LoadPlan) -> dict[str, int]:
    """Write ``files`` (``<batch>.<table>.parquet``) in one transaction, then remove them."""
    by_table: dict[str, list[Path]] = {}
    for path in files:
        by_table.setdefault(path.stem.rsplit(".", 1)[-1], []).append(path)
    counts: dict[str, int] = {}
    with transaction(con):
        for table, paths in sorted(by_table.items()):
            disposition = plan.dispositions.get(table)
            if disposition is None:
                raise KeyError(f"deferred rows of a table without a write disposition: {table}")
            listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW staged_{table} AS "
                f"SELECT * FROM read_parquet([{listed}])"
            )
            counts.update(_write(con, table, disposition, staged=(table,)))
            con.execute(f"DROP VIEW staged_{table}")
    for path in files:
        path.unlink(missing_ok=True)
    return counts


#: The ``page_bodies`` rows of a batch staged before migration 011 (its bodies in
#: ``staged_pages.raw_gzip``, each its page's by the page's ``raw_sha256``): what this loader
#: and the lake's merge (:func:`newsetl.lake.merge.merge_batch`) take from such a batch.
OLD_STAGED_BODIES = (
    "SELECT url, raw_gzip, fetched_at, raw_sha256 AS record_hash FROM staged_pages "
    "WHERE raw_gzip IS NOT NULL AND raw_sha256 IS NOT NULL"
)


def _split_old_bodies(con, counts: dict[str, int]) -> None:
    """A batch staged before migration 011 (left in staging by an older release) has the
    bodies in ``pages.raw_gzip``: they go to ``page_bodies`` (hash: the page's
    ``raw_sha256``), and the column is dropped from the staged rows."""
    if "raw_gzip" not in con.table("staged_pages").columns:
        return
    n = con.execute(
        "INSERT OR REPLACE INTO page_bodies (url, raw_gzip, fetched_at, record_hash) "
        f"{OLD_STAGED_BODIES} "
        "QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC NULLS LAST) = 1"
    ).fetchone()
    con.execute("ALTER TABLE staged_pages DROP COLUMN raw_gzip")
    counts["page_bodies_from_old_batches"] = int(n[0]) if n else 0


def _ordered_tables(files: dict[str, Path], plan: LoadPlan | None = None) -> list[str]:
    plan = plan or default_plan()
    tables = [t for t in files if not t.startswith("extra.")]
    unknown = [t for t in tables if t not in plan.dispositions]
    if unknown:
        raise KeyError(f"staged tables without a write disposition: {unknown}")
    order = {t: i for i, t in enumerate(plan.order)}
    return sorted(tables, key=lambda t: (order.get(t, len(order)), t))


def write_without_key(
    con,
    table: str,
    disposition: WriteDisposition,
    *,
    staged: Collection[str],
    keyed: bool = False,
) -> dict[str, int] | None:
    """``Append`` and ``ReplaceChildren``: the same SQL on the DuckDB file and on DuckLake
    (which has no keys; :mod:`newsetl.lake.merge` uses this too). None for a ``Merge``,
    whose upsert differs between the two.

    ``keyed``: ``table`` has the ``Append``'s key as its primary key (the DuckDB file), so the
    rows stored already are skipped by the key's index (``INSERT OR IGNORE``), not by a scan
    of the whole key column (``NOT EXISTS``), which grew with the table: a load's ``fetches``
    took 4.6 ms into a 50,000-page warehouse against 1.4 into an empty one
    (benchmarks/README.md "Round 21")."""
    relation = f"staged_{table}"
    if isinstance(disposition, Append):
        insert, where = "INSERT", ""
        if disposition.key and keyed:
            insert = "INSERT OR IGNORE"
        elif disposition.key:
            cond = " AND ".join(f"t.{k} = s.{k}" for k in disposition.key)
            where = f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {cond})"
        n = con.execute(
            f"{insert} INTO {table} BY NAME SELECT * FROM {relation} s {where}"
        ).fetchone()
        return {f"{table}_appended": int(n[0]) if n else 0}
    if isinstance(disposition, ReplaceChildren):
        key = disposition.parent_key
        parents = f"SELECT {key} FROM {relation}"
        if disposition.parent_table in staged:
            # a re-processed parent with no children left must lose its old ones
            parents += f" UNION SELECT {key} FROM staged_{disposition.parent_table}"
        con.execute(f"DELETE FROM {table} WHERE {key} IN ({parents})")
        n = con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {relation}").fetchone()
        return {f"{table}_replaced": int(n[0]) if n else 0}
    return None


def _write(
    con, table: str, disposition: WriteDisposition, *, staged: Collection[str]
) -> dict[str, int]:
    """Write ``staged_<table>`` into ``table``; ``staged`` names every table of the batch."""
    written = write_without_key(con, table, disposition, staged=staged, keyed=True)
    if written is not None:
        return written
    assert isinstance(disposition, Merge)
    plan = plan_merge(con, table, disposition, f"staged_{table}")
    if plan.updated:
        key_list = ", ".join(disposition.key)
        set_clause = ", ".join(f"{c} = excluded.{c}" for c in plan.updates)
        conflict = (
            f"ON CONFLICT ({key_list}) DO UPDATE SET {set_clause}"
            if plan.updates
            else f"ON CONFLICT ({key_list}) DO NOTHING"
        )
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT * FROM {plan.source} s {plan.changed} {conflict}"
        )
    return finish_merge(con, table, plan)


@dataclass(frozen=True)
class MergePlan:
    """What a keyed merge of a staged relation into ``table`` has to write: its source (the
    relation, or ``merge_src`` holding the latest row per key when keys repeat), the counts,
    the filter that drops rows stored unchanged, and the columns an update sets. The DuckDB
    file writes updates with ``ON CONFLICT``, the lake with ``MERGE INTO``; the rest is this."""

    source: str
    new: int
    updated: int
    unchanged: int
    changed: str
    join: str
    updates: list[str]


def plan_merge(con, table: str, disposition: Merge, relation: str) -> MergePlan:
    """Count and prepare the merge of ``relation`` into ``table`` on ``disposition.key``."""
    # The relation API reads the column names from the catalog (no query to run).
    columns = con.table(relation).columns
    key_list = ", ".join(disposition.key)
    has_hash = "record_hash" in columns
    # A batch whose keys are unique (the usual case) is its own merge source: copying it
    # into merge_src to keep the latest row per key would copy every row unchanged.
    source = relation
    new, updated, unchanged, repeated = _merge_status(con, source, table, disposition, has_hash)
    if repeated:
        order = f"ORDER BY {disposition.latest_by} DESC NULLS LAST" if disposition.latest_by else ""
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE merge_src AS SELECT * FROM {relation} "
            f"QUALIFY row_number() OVER (PARTITION BY {key_list} {order}) = 1"
        )
        source = "merge_src"
        new, updated, unchanged, _ = _merge_status(con, source, table, disposition, has_hash)
    join = " AND ".join(f"t.{k} = s.{k}" for k in disposition.key)
    changed = (
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {join} "
        "AND t.record_hash IS NOT DISTINCT FROM s.record_hash)"
        if has_hash
        else ""
    )
    updates = [c for c in columns if c not in disposition.key and c not in disposition.keep]
    return MergePlan(source, new, updated, unchanged, changed, join, updates)


def finish_merge(con, table: str, plan: MergePlan) -> dict[str, int]:
    """Insert the new rows when nothing was updated (the caller wrote updates and new rows
    together otherwise), drop ``merge_src``, and return the counts."""
    if not plan.updated and plan.new:
        # No staged row has a key already stored with another hash, so nothing can conflict:
        # a plain insert writes the same rows without the ON CONFLICT machinery (measured
        # ~4x cheaper on 25-page batches), and when nothing is unchanged, nothing is filtered.
        where = plan.changed if plan.unchanged else ""
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {plan.source} s {where}")
    if plan.source == "merge_src":
        con.execute("DROP TABLE merge_src")
    return {
        f"{table}_new": plan.new,
        f"{table}_updated": plan.updated,
        f"{table}_unchanged": plan.unchanged,
    }


def _merge_status(
    con, source: str, table: str, disposition: Merge, has_hash: bool
) -> tuple[int, int, int, int]:
    """(new, updated, unchanged, repeated) for the rows of ``source`` against ``table``.

    ``repeated`` is how many rows share a key with an earlier row (a NULL single-column key
    counts too), i.e. whether the batch must first be reduced to the latest row per key.
    """
    key = disposition.key
    join = " AND ".join(f"t.{k} = s.{k}" for k in key)
    distinct = "(" + ", ".join(f"s.{k}" for k in key) + ")" if len(key) > 1 else f"s.{key[0]}"
    row = con.execute(
        f"""
        SELECT
          count(*) FILTER (WHERE t.{key[0]} IS NULL),
          count(*) FILTER (WHERE t.{key[0]} IS NOT NULL
                           {"AND t.record_hash IS DISTINCT FROM s.record_hash" if has_hash else ""}),
          count(*) FILTER (WHERE t.{key[0]} IS NOT NULL
                           {"AND t.record_hash IS NOT DISTINCT FROM s.record_hash" if has_hash else "AND false"}),
          count(*) - count(DISTINCT {distinct})
        FROM {source} s LEFT JOIN {table} t ON {join}
        """
    ).fetchone()
    new, updated, unchanged, repeated = (int(x) for x in row)
    return new, updated, unchanged, repeated


def _dedupe_articles(con, tables: list[str], bits: int) -> dict[str, int]:
    """Drop exact duplicates (same content hash as another article) and mark near-duplicates.

    The first article seen with a text wins; pages that led to a duplicate point to it. Near
    duplicates (SimHash within a few bits) are kept but point to the earlier article. Only the
    existing article, or within a batch the smaller id, is ever the reference, so marking is
    deterministic and re-running does not flip it.
    """
    relation = "staged_articles"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE duplicate_map AS
        SELECT s.article_id AS duplicate_id, min(o.article_id) AS original_id
        FROM {relation} s
        JOIN (
            SELECT article_id, content_hash, 0 AS fresh FROM articles
            UNION ALL SELECT article_id, content_hash, 1 FROM {relation}
        ) o ON o.content_hash = s.content_hash AND o.article_id <> s.article_id
           AND (o.fresh = 0 OR o.article_id < s.article_id)
        WHERE s.content_hash IS NOT NULL
          AND s.article_id NOT IN (SELECT article_id FROM articles)
        GROUP BY s.article_id
        """
    )
    dups = con.execute("SELECT count(*) FROM duplicate_map").fetchone()[0]
    # the page of a duplicate points to the original; the duplicate's own rows are dropped
    # (a statement a staged table, none when there is no duplicate: most batches)
    for table in tables if dups else ():
        if table == "pages":
            con.execute(
                "UPDATE staged_pages SET article_id = m.original_id FROM duplicate_map m "
                "WHERE staged_pages.article_id = m.duplicate_id"
            )
        elif "article_id" in con.table(f"staged_{table}").columns:
            con.execute(
                f"DELETE FROM staged_{table} WHERE article_id IN (SELECT duplicate_id FROM duplicate_map)"
            )
    # LSH by pigeonhole: if at most `bits` bits differ, one of `bits + 1` bands is identical.
    # Each article's bands are unnested into (band, value) rows and candidates found by one
    # equi-join on them: a hash join built on the batch's few dozen rows. Why not one join on
    # the bands OR-ed together (the same candidates): DuckDB can only run that as a nested
    # loop over every stored article and every staged one, and it grew with the warehouse
    # (benchmarks/README.md "Round 21").
    width = 64 // (bits + 1)
    mask = (1 << width) - 1
    values = ", ".join(f"(fingerprint >> {i * width}) & {mask}" for i in range(bits + 1))
    bands = f"unnest(range({bits + 1})) AS band, unnest([{values}]) AS value"
    con.execute(
        f"""
        UPDATE {relation} SET near_duplicate_of = m.original_id
        FROM (
            WITH s AS (
                SELECT article_id, fingerprint, {bands}
                FROM {relation} WHERE fingerprint IS NOT NULL
            ), o AS (
                SELECT article_id, fingerprint, 0 AS fresh, {bands}
                FROM articles
                WHERE fingerprint IS NOT NULL
                  AND article_id NOT IN (SELECT article_id FROM {relation})
                UNION ALL SELECT article_id, fingerprint, 1 AS fresh, band, value FROM s
            )
            SELECT s.article_id, min(o.article_id) AS original_id
            FROM s JOIN o ON o.band = s.band AND o.value = s.value
            WHERE o.article_id <> s.article_id
              AND bit_count(xor(s.fingerprint, o.fingerprint)) <= {bits}
              AND (o.fresh = 0 OR o.article_id < s.article_id)
            GROUP BY s.article_id
        ) m
        WHERE {relation}.article_id = m.article_id
        """
    )
    near = con.execute(
        f"SELECT count(*) FROM {relation} WHERE near_duplicate_of IS NOT NULL"
    ).fetchone()[0]
    return {"articles_duplicates": int(dups), "articles_near_duplicates": int(near)}


def load_pending(
    settings: Settings,
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    batches: list[Path] | None = None,
    after_load: bool = True,
    plan: LoadPlan | None = None,
    migrate_schema: bool = True,
    deferred_min_bytes: int = 0,
) -> LoadReport:
    """Load every staged batch (or just ``batches``), oldest first, then the deferred tables'
    rows once their files hold ``deferred_min_bytes`` (:func:`load_deferred`; 0: whatever
    waits). A busy file leaves them staged (no loss). ``migrate_schema``: see
    :func:`open_warehouse` (when this opens it).

    ``after_load=False`` defers the whole-warehouse steps (the plan's ``after_load``) to a later
    :func:`run_after_load`: a run that loads each batch as soon as it is analysed runs them
    once, at the end, not once per batch.
    """
    report = LoadReport()
    batches = pending_batches(settings.staging_path) if batches is None else batches
    if not batches and not deferred_files(settings.staging_path):
        return report
    own = con is None
    try:
        if own:
            con = open_warehouse(settings, migrate_schema=migrate_schema)
    except WarehouseBusy as exc:
        report.busy = str(exc)
        report.left_staged = len(batches)
        if isinstance(exc, WarehouseUnavailable):  # a full disk, not another process
            report.transient = str(exc)
            log.error("%s; every batch stays staged", exc)
        return report
    try:
        with threads(con, LOAD_THREADS):
            _load_each(con, batches, settings, report, plan)
            if not report.transient:
                load_deferred(
                    con, settings.staging_path, report, plan, min_bytes=deferred_min_bytes
                )
        if after_load and not report.transient:
            run_after_load(con, report, plan)
    finally:
        if own and con is not None:
            con.close()
    return report


#: DuckDB threads while loading staged batches. A batch is a few dozen rows, so every
#: statement is tiny and a second thread only adds scheduling: measured on the 181 Zyte pages
#: (8 batches of 25), one thread cut the CPU of the plain-table load by about a third. The
#: whole-warehouse after-load steps keep the connection's own setting.
LOAD_THREADS = 1


def _load_each(
    con: duckdb.DuckDBPyConnection,
    batches: list[Path],
    settings: Settings,
    report: LoadReport,
    plan: LoadPlan | None = None,
) -> None:
    """Load each batch in its own transaction.

    A batch that is itself bad (it does not match its manifest, or the database rejects its
    rows) is set aside with the reason and the rest go on. An error of the environment (a
    full disk, no memory, an I/O error: :func:`is_transient_error`; or a loaded batch's
    deferred files that cannot be moved) is not the batch's fault: it and every batch after
    it stay staged for the next load, and this load stops (the next batch would only fail the
    same way).
    """
    for position, batch_dir in enumerate(batches):
        if not batch_dir.is_dir():
            # Another writer (the maintenance flow, another run's final load) loaded it while
            # this one waited for the file: every loader deletes a batch under the file's
            # lock, which this one holds now, so a missing directory is a loaded batch.
            log.info("staged batch %s was loaded by another writer", batch_dir.name)
            continue
        try:
            check_batch(batch_dir)
        except BadBatch as exc:
            report.quarantined.append(str(quarantine(batch_dir, exc)))
            continue
        except OSError as exc:  # the directory went away (another loader) or cannot be read
            log.warning("staged batch %s not checked, left staged: %s", batch_dir, exc)
            report.left_staged += 1
            continue
        batch_extras = {p.stem.removeprefix("extra.") for p in batch_dir.glob("extra.*.parquet")}
        try:
            counts = load_batch(
                con,
                batch_dir,
                near_duplicate_bits=settings.near_duplicate_bits,
                plan=plan,
                defer=True,
            )
        except Exception as exc:
            if is_lock_error(exc):
                raise
            if is_transient_error(exc):
                _stop(report, exc, len(batches) - position)
                return
            # a batch that cannot load must not block the ones after it: set it aside
            report.quarantined.append(str(quarantine(batch_dir, exc)))
            continue
        try:
            _defer(batch_dir, plan or default_plan())
        except OSError as exc:
            # loaded, its deferred rows not moved: the environment's error, as above. It loads
            # again, unchanged, and moves them then; no later batch may load before it, or its
            # older rows would then replace that batch's newer ones
            _stop(report, exc, len(batches) - position)
            return
        shutil.rmtree(batch_dir, ignore_errors=True)
        report.extras |= batch_extras
        report.loaded += 1
        _add_counts(report.counts, counts)


def _stop(report: LoadReport, exc: BaseException, left: int) -> None:
    """Record an environment's error that stops a load: ``left`` batches (this one and every
    later one) stay staged for the next load."""
    report.transient = f"{type(exc).__name__}: {exc}"
    report.left_staged += left
    log.error(
        "load stopped by %s; %d staged batches stay for the next load", report.transient, left
    )


def run_after_load(
    con: duckdb.DuckDBPyConnection, report: LoadReport, plan: LoadPlan | None = None
) -> None:
    """The plan's after-load steps for the extras ``report`` loaded, each in a transaction."""
    plan = plan or default_plan()
    for name in sorted(report.extras & plan.after_load.keys()):
        target, count_name = plan.after_load[name]
        with transaction(con):
            report.counts[count_name] = int(import_path(target)(con) or 0)


@dataclass
class LoadReport:
    loaded: int = 0
    left_staged: int = 0
    busy: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    quarantined: list[str] = field(default_factory=list)
    #: why the load stopped early, leaving batches staged (a full disk, no memory)
    transient: str | None = None
    #: staged extras loaded (names in the plan's extra_loaders): which after-load steps are due
    extras: set[str] = field(default_factory=set)


QUARANTINE_DIR = "failed"


def quarantine_deferred(path: Path, error: BaseException) -> Path:
    """Move a deferred file the database refused to ``staging/failed/deferred-<name>/``, with
    the error beside it, as :func:`quarantine` does a batch."""
    target = _quarantine_target(path.parent.parent, f"deferred-{path.stem}")
    target.mkdir()
    os.replace(path, target / path.name)
    _write_reason(target, error)
    log.error("deferred rows could not be written and were set aside in %s: %s", target, error)
    return target


def quarantine(batch_dir: Path, error: BaseException) -> Path:
    """Move a batch that failed to load to ``staging/failed/`` with the error beside it.

    Nothing is lost: fix the cause and move the directory back to load it again. A batch of
    the same name set aside before is kept too (this one gets a numbered name).
    """
    target = _quarantine_target(batch_dir.parent, batch_dir.name)
    batch_dir.rename(target)
    _write_reason(target, error)
    log.error("staged batch %s could not be loaded and was set aside: %s", target, error)
    return target


def _quarantine_target(staging_dir: Path, name: str) -> Path:
    """``staging/failed/<name>``, numbered (``<name>.2``, ...) past one set aside before."""
    root = staging_dir / QUARANTINE_DIR
    root.mkdir(exist_ok=True)
    target = root / name
    n = 1
    while target.exists():
        n += 1
        target = root / f"{name}.{n}"
    return target


def _write_reason(target: Path, error: BaseException) -> None:
    try:
        (target / "ERROR.txt").write_text(f"{type(error).__name__}: {error}\n", encoding="utf-8")
    except OSError as exc:  # the reason is in the log and the run's report all the same
        log.warning("could not write %s/ERROR.txt: %s", target, exc)
