"""Warehouse compaction (issue 14): bytes per article before and after ``newsetl maintain``.

DuckDB never shrinks its file; the loads' upserts and the per-load recomputation of entity
resolution and story clusters leave free blocks behind. ``newsetl maintain`` rewrites the
file without them (``newsetl.warehouse.compact``) when a quarter or more of it is free.

Steps: ``newsetl ingest DIR --db FILE`` of ``--pages`` real pages (the cycled corpus of
``benchmarks/pipeline/scale.py``), then ``newsetl maintain --db FILE``; reported: file size,
free blocks, KB per article without the stored raw HTML, before and after, and the time of the
compaction step (from the maintenance summary).

Run::

    uv run python benchmarks/ops/compaction.py --pages 1000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))
from scale import write_corpus

ROOT = Path(__file__).resolve().parents[2]


def size(db: Path) -> dict[str, float]:
    with duckdb.connect(str(db), read_only=True) as con:
        _block, total, free = con.execute(
            "SELECT block_size, total_blocks, free_blocks FROM pragma_database_size()"
        ).fetchone()
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        raw = con.execute("SELECT coalesce(sum(octet_length(raw_gzip)), 0) FROM pages").fetchone()[
            0
        ]
    file_bytes = db.stat().st_size
    return {
        "articles": articles,
        "file_mb": round(file_bytes / 2**20, 1),
        "free_share": round(free / total, 3) if total else 0.0,
        "raw_gzip_mb": round(raw / 2**20, 1),
        "kb_per_article_without_raw": round((file_bytes - raw) / 1024 / max(articles, 1), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--newsetl", type=Path, default=ROOT / ".venv/bin/newsetl")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="newsetl-compaction-"))
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "NEWSETL_TRANSLATOR": "none",
    }
    env.pop("PREFECT_API_URL", None)
    pages = write_corpus(tmp / "pages", args.pages, 0)
    db = tmp / "w.duckdb"
    started = time.perf_counter()
    subprocess.run(
        [str(args.newsetl), "ingest", "-q", str(pages), "--db", str(db)],
        env=env,
        check=True,
        capture_output=True,
    )
    ingest_s = time.perf_counter() - started
    before = size(db)
    started = time.perf_counter()
    out = subprocess.run(
        [str(args.newsetl), "maintain", "--db", str(db), "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    maintain_s = time.perf_counter() - started
    after = size(db)
    print(
        json.dumps(
            {
                "pages": args.pages,
                "ingest_s": round(ingest_s, 1),
                "maintain_s": round(maintain_s, 1),
                "before": before,
                "after": after,
                "maintenance": out.strip()[-600:],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
