"""What a read-copy refresh costs after a load, with and without building the search index, and
what ``newsetl search`` pays on top to keep the index current (``ensure_search_index``).

Loads the bundled samples once (``run_ingest``, no network translation), then grows the
``articles`` table to N rows by repeating them under new ids, and times
``refresh_read_copy(settings, search_index=False/True)``. The live file is held only for the
CHECKPOINT + file copy; the index is built in the new copy afterwards. Then it times
``ensure_search_index`` twice: with the index current (the fingerprint check every search does),
and after one article's text changed and the copy was refreshed (check + rebuild).

Usage: ``.venv/bin/python benchmarks/ops/refresh.py [N ...]`` (default 16 1000 10000)
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

os.environ.setdefault("NEWSETL_TRANSLATOR", "none")

from newsetl.ingest import run_ingest
from newsetl.readcopy import ensure_search_index, refresh_read_copy
from newsetl.settings import Settings


def main(sizes: list[int]) -> None:
    work = Path(tempfile.mkdtemp(prefix="newsetl-bench-ops-"))
    try:
        sample = work / "sample" / "newsetl.duckdb"
        run_ingest(None, Settings.from_env(db_path=sample))
        for n in sizes:
            db = work / f"n{n}" / "newsetl.duckdb"
            db.parent.mkdir()
            shutil.copyfile(sample, db)
            with duckdb.connect(str(db)) as con:
                base = con.execute("SELECT count(*) FROM articles").fetchone()[0]
                reps = max(0, -(-n // base) - 1)
                con.execute(
                    f"""INSERT INTO articles BY NAME
                    SELECT a.* REPLACE (a.article_id || '-' || t.r AS article_id,
                                        NULL AS near_duplicate_of)
                    FROM articles a, range({reps}) t(r)"""
                )
                total = con.execute("SELECT count(*) FROM articles").fetchone()[0]
            settings = Settings(db_path=db)
            for index in (False, True):
                started = time.perf_counter()
                refresh_read_copy(settings, search_index=index)
                seconds = time.perf_counter() - started
                size = settings.read_copy.stat().st_size / 1e6
                print(
                    f"articles={total:>6} search_index={index!s:<5} "
                    f"refresh_s={seconds:6.2f} read_copy_mb={size:7.1f}"
                )
            time_ensure(settings, total, "current")
            with duckdb.connect(str(db)) as con:
                con.execute(
                    "UPDATE articles SET repaired_text = text || ' (corrected)' "
                    "WHERE article_id = (SELECT min(article_id) FROM articles)"
                )
            refresh_read_copy(settings, search_index=False)
            time_ensure(settings, total, "stale")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def time_ensure(settings: Settings, total: int, state: str) -> None:
    """Time what ``newsetl search`` does first: check the index, rebuild it if stale."""
    started = time.perf_counter()
    rebuilt = ensure_search_index(settings)
    seconds = time.perf_counter() - started
    print(
        f"articles={total:>6} ensure_search_index {state:<7} rebuilt={rebuilt!s:<5} "
        f"s={seconds:6.3f}"
    )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [16, 1000, 10000])
