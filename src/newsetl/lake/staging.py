"""The workers' side of the lake: append staged batches, never merge.

A worker stages each processed batch on its own disk exactly as for the DuckDB file
(:func:`newsetl.warehouse.stage_batch`: one Parquet file per table, extras, a ready marker),
then *appends* it to the lake: its rows go into ``staging.<table>`` tagged with the batch id
and the batch's content hash, its extras into ``staging.extras``, and one row into
``staging.batches``, all in one commit. Appends from any number of workers commit side by
side (DuckLake lets concurrent inserts through; measured in docs/scale-out.md), and nothing
here needs a key:

* a batch appended twice (a retry after a lost answer, a re-run after a kill) is two versions
  with the same id; the merge step merges one version of each id, once;
* a worker killed mid-append leaves no partial batch: the commit is atomic, and the staged
  directory stays on disk until the append committed, so the next attempt appends it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from newsetl.lake.connect import LAKE, is_conflict, open_lake, rollback
from newsetl.lake.schema import STAGING, migrate_lake, staged_tables
from newsetl.settings import Settings
from newsetl.warehouse import BadBatch, check_batch, pending_batches, quarantine

log = logging.getLogger(__name__)


def batch_hash(batch_dir: Path) -> str:
    """sha256 over the staged files (names and bytes): equal for the same staged batch."""
    h = hashlib.sha256()
    for path in sorted(batch_dir.glob("*.parquet")):
        h.update(path.name.encode())
        h.update(b"\x00")
        h.update(path.read_bytes())
        h.update(b"\x01")
    return h.hexdigest()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class AppendReport:
    appended: int = 0
    #: this exact version was in the lake already (an earlier attempt committed)
    already: int = 0
    failed: list[str] = field(default_factory=list)
    rows: int = 0


def append_batch(con: duckdb.DuckDBPyConnection, batch_dir: Path, *, lake: str = LAKE) -> bool:
    """Append one staged batch to the lake in one commit; False if this version was there.

    Raises on failure (the caller retries: the staged directory is untouched).
    """
    batch_id = batch_dir.name
    check_batch(batch_dir)  # a batch that does not match its manifest is never appended
    digest = batch_hash(batch_dir)
    files = {p.stem: p for p in batch_dir.glob("*.parquet")}
    tables = sorted(t for t in files if not t.startswith("extra."))
    unknown = sorted(set(tables) - set(staged_tables()))
    if unknown:
        raise KeyError(f"staged tables without a write disposition: {unknown}")
    extras = sorted(t.removeprefix("extra.") for t in files if t.startswith("extra."))
    con.execute("BEGIN TRANSACTION")
    try:
        if con.execute(
            f"SELECT count(*) FROM {lake}.{STAGING}.batches WHERE batch_id = ? AND batch_hash = ?",
            [batch_id, digest],
        ).fetchone()[0]:
            rollback(con)
            return False
        rows = 0
        run_ids: set[str] = set()
        for table in tables:
            path = str(files[table])
            n = con.execute(
                f"INSERT INTO {lake}.{STAGING}.{table} BY NAME "
                "SELECT ?::VARCHAR AS _batch_id, ?::VARCHAR AS _batch_hash, * "
                "FROM read_parquet(?)",
                [batch_id, digest, path],
            ).fetchone()[0]
            rows += int(n)
            if "run_id" in pq.read_schema(path).names:
                run_ids.update(
                    r[0]
                    for r in con.execute(
                        "SELECT DISTINCT run_id FROM read_parquet(?) WHERE run_id IS NOT NULL",
                        [path],
                    ).fetchall()
                )
        for extra in extras:
            con.execute(
                f"INSERT INTO {lake}.{STAGING}.extras VALUES (?, ?, ?, ?)",
                [batch_id, digest, extra, files[f"extra.{extra}"].read_bytes()],
            )
        con.execute(
            f"INSERT INTO {lake}.{STAGING}.batches VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                batch_id, digest, datetime.now(UTC), worker_name(), tables, extras, rows,
                sorted(run_ids),
            ],
        )  # fmt: skip
        con.execute(
            f"CALL {lake}.set_commit_message('newsetl', 'append', extra_info => ?)",
            [json.dumps({"batch_id": batch_id})],
        )
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise
    return True


def append_pending(
    settings: Settings,
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    batches: list[Path] | None = None,
    attempts: int = 5,
    backoff_s: float = 0.2,
) -> AppendReport:
    """Append every batch staged on this machine (or just ``batches``), oldest first, and
    remove each directory once its append committed. A batch that keeps failing stays staged
    (listed in ``failed``) for the next call; nothing is lost."""
    report = AppendReport()
    batches = pending_batches(settings.staging_path) if batches is None else batches
    if not batches:
        return report
    own = con is None
    if con is None:
        con = open_lake(settings)
    try:
        migrate_lake(con, seeds=False)
        for batch_dir in batches:
            for attempt in range(attempts):
                try:
                    appended = append_batch(con, batch_dir)
                    break
                except BadBatch as exc:  # retrying cannot help: set aside with the reason
                    report.failed.append(str(quarantine(batch_dir, exc)))
                    appended = None
                    break
                except duckdb.Error as exc:
                    if attempt == attempts - 1:
                        log.error("batch %s not appended (stays staged): %s", batch_dir, exc)
                        report.failed.append(str(batch_dir))
                        appended = None
                        break
                    level = logging.INFO if is_conflict(exc) else logging.WARNING
                    log.log(level, "append of %s failed, retrying: %s", batch_dir.name, exc)
                    time.sleep(backoff_s * 2**attempt)
            if appended is None:
                continue
            if appended:
                report.appended += 1
            else:
                report.already += 1
            shutil.rmtree(batch_dir, ignore_errors=True)
    finally:
        if own:
            con.close()
    return report
