"""Memory of the run's loader: staged batches loaded one after another into a copy of a
warehouse, on one kept connection (as ``newsetl.run.steps.Loader`` does between its lets-go),
with the process's RSS after each load and the SQL statements that raised its high-water mark.

Why: ``memory_roles.py`` shows the run's own process rising by 150-350 MB while it loads the
~80 batches held back by a short text in one burst (5,000 pages). This says which statement
does it and whether a DuckDB setting (``--set "SET memory_limit='256MB'"``), closing the file
every few loads (``--reopen-every N``) or another Arrow memory pool (environment variable
``ARROW_DEFAULT_MEMORY_POOL=system``) changes it.

Run (from the repository root; the warehouse is e.g. one kept by ``memory_roles.py --keep``)::

    # once: stage a directory of pages without loading them (a run that ends at staging)
    .venv/bin/python benchmarks/ops/load_memory.py --make-staged PAGES_DIR --staged DIR
    .venv/bin/python benchmarks/ops/load_memory.py --warehouse W.duckdb --staged DIR [--set SQL]...

The warehouse and the staged batches are copied to a temporary directory; nothing is changed.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def rss_mb() -> int:
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith("Rss:"):
            return int(line.split()[1]) // 1024
    return 0


def max_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


class Watched:
    """A connection that notes every statement that raised the process's peak RSS."""

    def __init__(self, con: Any) -> None:
        self._con = con
        self.raised: list[tuple[int, int, str]] = []

    def execute(self, sql: Any, *args: Any, **kwargs: Any) -> Any:
        before = max_rss_mb()
        result = self._con.execute(sql, *args, **kwargs)
        after = max_rss_mb()
        if after - before > 5:
            self.raised.append((after - before, after, " ".join(str(sql).split())[:160]))
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def make_staged(pages: Path, staged: Path) -> None:
    """Run over ``pages`` ending at staging: the batches stay in ``staged``."""
    from newsetl.run.engine import run_sources
    from newsetl.settings import Settings

    settings = Settings.from_env(db_path=staged / "empty.duckdb", staging_dir=staged)
    handed: list[Path] = []
    run_sources([str(pages)], settings, on_staged=handed.append)
    print(f"{len(handed)} batches staged in {staged}")


def load(
    warehouse: Path,
    staged: Path,
    statements: list[str],
    reopen_every: int,
    release: Callable[[], Any] | None = None,
    tags: bool = False,
) -> None:
    from newsetl.settings import Settings
    from newsetl.stages import current_plan
    from newsetl.warehouse import limit_memory, load_pending, open_warehouse

    tmp = Path(tempfile.mkdtemp(prefix="newsetl-loadmem-"))
    try:
        db = tmp / "w.duckdb"
        shutil.copyfile(warehouse, db)
        staging = tmp / "staging"
        shutil.copytree(staged, staging, ignore=shutil.ignore_patterns("*.duckdb*"))
        settings = Settings.from_env(db_path=db, staging_dir=staging)
        batches = sorted(p for p in staging.iterdir() if p.is_dir() and not p.name.endswith("-run"))
        con: Watched | None = None
        raised: list[tuple[int, int, str]] = []
        after: list[int] = []
        cpu = time.process_time()
        print(f"start: RSS {rss_mb()} MB")
        for i, batch in enumerate(batches):
            if con is None:
                con = Watched(open_warehouse(settings, migrate_schema=False))
                # as the run's Loader (NEWSETL_LOADER_MEMORY_LIMIT_MB=0: DuckDB's default)
                limit_memory(con, settings.loader_memory_limit_mb)
                for sql in statements:
                    con.execute(sql)
            load_pending(settings, con, batches=[batch], after_load=False, plan=current_plan())
            after.append(rss_mb())
            if tags:
                tagged = con.execute(
                    "SELECT tag, memory_usage_bytes // 1048576 FROM duckdb_memory() "
                    "WHERE memory_usage_bytes > 1048576"
                ).fetchall()
                spilled = con.execute(
                    "SELECT coalesce(sum(size), 0) // 1048576 FROM duckdb_temporary_files()"
                ).fetchone()[0]
                print(
                    f"load {i + 1}: RSS {after[-1]} MB, DuckDB's accounting (MB): {tagged},"
                    f" spilled {spilled} MB"
                )
            if reopen_every and (i + 1) % reopen_every == 0:
                raised += con.raised
                con.close()
                con = None
        if con is not None:
            raised += con.raised
            memory = con.execute(
                "SELECT tag, memory_usage_bytes // 1048576 FROM duckdb_memory() "
                "WHERE memory_usage_bytes > 1048576"
            ).fetchall()
            con.close()
            print(f"DuckDB's own accounting before the close (MB): {memory}")
        print(f"{len(batches)} loads, CPU {time.process_time() - cpu:.1f} s")
        print(f"RSS after each load (MB): {after}")
        print(f"peak RSS {max_rss_mb()} MB; after the close {rss_mb()} MB")
        if release:
            print(f"after returning freed memory (newsetl.memory.give_back): {release()}")
        print("statements that raised the peak (MB raised, peak after, SQL):")
        for row in raised:
            print(f"  +{row[0]:4d} -> {row[1]:5d}  {row[2]}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--make-staged", type=Path, metavar="PAGES_DIR")
    p.add_argument("--staged", type=Path, required=True)
    p.add_argument("--warehouse", type=Path)
    p.add_argument("--set", action="append", default=[], metavar="SQL")
    p.add_argument("--reopen-every", type=int, default=0)
    p.add_argument(
        "--give-back",
        action="store_true",
        help="after the close, return freed memory to the system as the run does (RSS before/after)",
    )
    p.add_argument(
        "--tags",
        action="store_true",
        help="DuckDB's own accounting (duckdb_memory) after each load",
    )
    args = p.parse_args(argv)
    if args.make_staged:
        make_staged(args.make_staged, args.staged)
        return
    if not args.warehouse:
        sys.exit("--warehouse is needed to load")
    release = None
    if args.give_back:
        from newsetl.memory import give_back

        release = give_back
    load(args.warehouse, args.staged, args.set, args.reopen_every, release, args.tags)


if __name__ == "__main__":  # the run's fork server imports this module again: no run there
    main()
