"""What the lake's one merge step costs per 1,000 articles (issue 15), against the DuckDB file.

Data: the public extraction benchmark pages in ``../shared/benchmarks/extraction/``
(trafilatura-eval, 990 pages, and Zyte, 181 pages; read from there, never copied into the
repository), processed once by the real pipeline into staged batches of 25 pages (what the
workers of a distributed run would stage), cached outside the repository.

Then, on a private PostgreSQL cluster started for the run (and moto's S3 server with
``--s3``), the same batches are:

* loaded into a DuckDB file by ``newsetl.warehouse.load_pending`` (the single-machine path);
* appended to a lake (``newsetl.lake.append_pending``, one process) and merged by the merge
  step (``newsetl.lake.merge_pending``), once per ``--per-commit`` value;
* appended again under new batch ids (a re-run finding every article unchanged) and merged.

Reported per 1,000 articles: wall seconds and this process's CPU seconds (PostgreSQL's own CPU
is not included), plus data files and snapshots written. The rows of the lake are checked
against the DuckDB file. Run:

    .venv/bin/python benchmarks/lake/merge_cost.py [--s3] [--per-commit 1 20]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import shutil
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

from batches import stage_sources  # noqa: E402
from lakeservers import MotoServer, PostgresServer  # noqa: E402

from newsetl import warehouse  # noqa: E402
from newsetl.lake import append_pending, merge_pending, open_lake, target_schema  # noqa: E402
from newsetl.lake.maintenance import file_count  # noqa: E402
from newsetl.settings import Settings  # noqa: E402

SHARED = REPO.parent / "shared" / "benchmarks" / "extraction"
DEFAULT_PAGES = [
    SHARED / "trafilatura-eval" / "html",
    SHARED / "zyte-article-extraction-benchmark" / "html",
]


def prepare_batches(pages: list[Path], cache: Path, batch_size: int) -> list[Path]:
    """Staged batches of the pages (made once; reused while ``cache`` exists)."""
    batches_dir = cache / "batches"
    if (cache / "DONE").exists():
        return warehouse.pending_batches(batches_dir)
    shutil.rmtree(cache, ignore_errors=True)
    plain = cache / "pages"
    plain.mkdir(parents=True)
    for directory in pages:
        for path in sorted(directory.iterdir()):
            name = path.name.removesuffix(".gz")
            if not name.endswith((".html", ".htm")):
                continue
            data = path.read_bytes()
            if path.name.endswith(".gz"):
                data = gzip.decompress(data)
            (plain / f"{directory.parent.name}-{name}").write_bytes(data)
    settings = Settings(db_path=cache / "unused.duckdb", per_host_interval_s=0.0)
    started = time.perf_counter()
    staged = stage_sources(
        [str(plain)], batches_dir, settings=settings, run_id=uuid.uuid4().hex,
        batch_size=batch_size,
    )  # fmt: skip
    print(f"staged {len(staged)} batches in {time.perf_counter() - started:.0f} s", flush=True)
    (cache / "DONE").write_text("ok")
    return staged


def combine(batches: list[Path], n: int, target: Path) -> list[Path]:
    """Batches of ``n`` times the pages: the staged files of ``n`` consecutive batches
    concatenated (what a worker with ``batch_size * n`` would stage)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if n <= 1:
        return batches
    shutil.rmtree(target, ignore_errors=True)
    out = []
    for start in range(0, len(batches), n):
        group = batches[start : start + n]
        dest = target / f"{group[0].name}-x{n}"
        dest.mkdir(parents=True)
        names = sorted({p.name for b in group for p in b.glob("*.parquet")})
        for name in names:
            parts = [pq.read_table(b / name) for b in group if (b / name).exists()]
            pq.write_table(pa.concat_tables(parts, promote_options="permissive"), dest / name)
        (dest / warehouse.READY_MARKER).write_text(dest.name)
        out.append(dest)
    return out


def copy_as(batches: list[Path], target: Path, suffix: str = "") -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    out = []
    for batch in batches:
        dest = target / f"{batch.name}{suffix}"
        shutil.copytree(batch, dest)
        out.append(dest)
    return out


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def per_1000(seconds: float, articles: int) -> float:
    return round(seconds * 1000 / max(articles, 1), 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/newsetl-lake-bench"))
    parser.add_argument("--batch-size", type=int, default=25)
    parser.add_argument("--per-commit", type=int, nargs="+", default=[1, 20])
    parser.add_argument(
        "--combine",
        type=int,
        nargs="+",
        default=[1],
        help="also merge batches of N x --batch-size pages (staged batches concatenated)",
    )
    parser.add_argument("--s3", action="store_true", help="data files on moto's S3 server")
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    batches = prepare_batches(args.pages, args.cache, args.batch_size)
    work = args.cache / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    results: dict = {"batches": len(batches), "batch_size": args.batch_size, "s3": args.s3}

    staged = batches
    for n in args.combine:  # the single-machine path, same batches: the reference cost
        base = Settings(db_path=work / f"file-x{n}.duckdb", staging_dir=work / f"file-x{n}")
        copy_as(combine(staged, n, args.cache / f"combined-{n}"), base.staging_path)
        report, wall, cpu = timed(lambda b=base: warehouse.load_pending(b))
        articles = report.counts.get("articles_new", 0)
        results["articles"] = articles
        results[f"duckdb_file_x{n}"] = {
            "pages_per_batch": args.batch_size * n,
            "load_s_per_1000": per_1000(wall, articles),
            "load_cpu_s_per_1000": per_1000(cpu, articles),
        }
        print(f"duckdb file x{n}: load {results[f'duckdb_file_x{n}']}", flush=True)
    print(f"{len(batches)} batches, {articles} articles", flush=True)

    with PostgresServer() as pg, MotoServer() if args.s3 else _Null() as s3:
        for n, per_commit in [(n, p) for n in args.combine for p in args.per_commit]:
            batches = combine(staged, n, args.cache / f"combined-{n}")
            name = f"lake_x{n}_c{per_commit}"
            dsn = pg.create_database(name)
            data_path = str(work / name)
            extra = {}
            if args.s3:
                bucket = name.replace("_", "-")
                s3.create_bucket(bucket)
                data_path = f"s3://{bucket}/lake/"
                extra = dict(
                    lake_s3_endpoint=s3.endpoint, lake_s3_key_id=s3.KEY_ID,
                    lake_s3_secret=s3.SECRET, lake_s3_use_ssl=False,
                )  # fmt: skip
            settings = Settings(db_path=work / "unused.duckdb").replace(
                warehouse_backend="ducklake",
                lake_catalog=f"postgres:{dsn}",
                lake_data_path=data_path,
                staging_dir=work / f"{name}-staging",
                lake_merge_batches_per_commit=per_commit,
                **extra,
            )
            con = open_lake(settings)
            _, migrate_s, _ = timed(lambda c=con, s=settings: merge_pending(s, c))  # schema, seeds
            con.close()
            row: dict = {
                "pages_per_batch": args.batch_size * n,
                "batches": len(batches),
                "per_commit": per_commit,
                "migrate_and_seeds_s": round(migrate_s, 1),
            }
            for label, suffix in (("new", ""), ("rerun_unchanged", "-rerun")):
                copy_as(batches, settings.staging_path, suffix)
                appended, a_wall, a_cpu = timed(lambda s=settings: append_pending(s))
                assert appended.appended == len(batches) and not appended.failed
                merged, m_wall, m_cpu = timed(lambda s=settings: merge_pending(s))
                assert merged.loaded == len(batches) and not merged.quarantined
                row[label] = {
                    "append_s_per_1000": per_1000(a_wall, articles),
                    "append_cpu_s_per_1000": per_1000(a_cpu, articles),
                    "merge_s_per_1000": per_1000(m_wall, articles),
                    "merge_cpu_s_per_1000": per_1000(m_cpu, articles),
                    "articles_new": merged.counts.get("articles_new", 0),
                    "articles_unchanged": merged.counts.get("articles_unchanged", 0),
                }
                print(f"{name} {label}: {row[label]}", flush=True)
            con = open_lake(settings, read_only=True)
            try:
                row["data_files"] = file_count(con)
                row["snapshots"] = con.execute(
                    "SELECT count(*) FROM ducklake_snapshots('lake')"
                ).fetchone()[0]
                con.execute(f"ATTACH '{work / f'file-x{n}.duckdb'}' AS wh (READ_ONLY)")
                for table in ("articles", "pages", "artefacts", "mentions", "entity_articles"):
                    lake_rows = con.execute(f"SELECT count(*) FROM lake.main.{table}").fetchone()
                    file_rows = con.execute(f"SELECT count(*) FROM wh.main.{table}").fetchone()
                    assert lake_rows == file_rows, (table, lake_rows, file_rows)
                assert set(target_schema().tables)
            finally:
                con.close()
            results[name] = row
    print(json.dumps(results, indent=2))
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


class _Null:
    def __enter__(self):
        return None

    def __exit__(self, *exc: object) -> None:
        return None


if __name__ == "__main__":
    sys.exit(main())
