"""``newsetl query | search | export | maintain``: use the warehouse while flows run.

``query``, ``search`` and ``export`` read the read copy (``newsetl.readcopy``), not the live
file, so they can run for as long as they like next to a scheduled load (only before the first
copy exists do they read the live file, read-only). ``search`` first rebuilds the full-text
index when it is missing or older than the copy (``newsetl.readcopy.ensure_search_index``).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from newsetl.settings import Settings

if TYPE_CHECKING:
    from newsetl.search import SourceFingerprint


def register(subparsers: argparse._SubParsersAction) -> None:
    _register_query(subparsers)
    _register_search(subparsers)
    _register_export(subparsers)
    _register_maintain(subparsers)


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="live warehouse file whose read copy is used (default warehouse/newsetl.duckdb, "
        "or NEWSETL_DB_PATH); the copy is <stem>-read.duckdb beside it, or NEWSETL_READ_COPY_PATH",
    )


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(db_path=Path(args.db) if getattr(args, "db", None) else None)


def _add_snapshot(parser: argparse.ArgumentParser) -> None:
    """Time travel, for a DuckLake warehouse (NEWSETL_WAREHOUSE_BACKEND=ducklake)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--snapshot", type=int, metavar="N", help="lake only: read the lake as of snapshot N"
    )
    group.add_argument(
        "--as-of-run",
        metavar="RUN_ID",
        help="lake only: read the lake as it was when run RUN_ID's last batch was merged",
    )


def _open(args: argparse.Namespace):
    from newsetl.lake import uses_lake

    settings = _settings(args)
    if uses_lake(settings):
        from newsetl.lake.read import open_for_reading as open_lake_snapshot

        con, version = open_lake_snapshot(
            settings,
            snapshot=getattr(args, "snapshot", None),
            run_id=getattr(args, "as_of_run", None),
        )
        print(f"newsetl: reading lake snapshot {version}", file=sys.stderr)
        return con
    if getattr(args, "snapshot", None) is not None or getattr(args, "as_of_run", None):
        raise FileNotFoundError("--snapshot / --as-of-run need the lake backend (ducklake)")
    from newsetl.readcopy import open_for_reading

    con, is_copy = open_for_reading(settings)
    if not is_copy:
        print(
            "newsetl: warning: no read copy yet, reading the live file (read-only); a load "
            "running now may have to wait. 'newsetl maintain' or the next load creates the copy.",
            file=sys.stderr,
        )
    return con


# --- query -----------------------------------------------------------------------------------
def _register_query(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run SQL on the read copy of the warehouse (never blocks a load)",
        description="Run one SQL statement, read-only, against the read copy of the warehouse. "
        "Views: articles_per_site_language_day, artefact_rates_per_site, top_entities_per_week, "
        "stories_across_languages, story_articles, fetch_failures_per_site_day, run_history. "
        "Use @FILE to read the SQL from a file (e.g. @warehouse/queries/recent_runs.sql).",
    )
    parser.add_argument("sql", metavar="SQL", help="the statement, or @FILE")
    _add_db(parser)
    parser.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="output format"
    )
    parser.add_argument(
        "--max-rows", type=int, default=100, metavar="N", help="rows shown by --format table"
    )
    _add_snapshot(parser)
    parser.set_defaults(func=run_query)


def run_query(args: argparse.Namespace) -> int:
    import duckdb

    sql = args.sql
    if sql.startswith("@"):
        try:
            sql = Path(sql[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or str(exc)
            print(f"newsetl query: cannot read SQL file {sql[1:]}: {why}", file=sys.stderr)
            return 2
    try:
        con = _open(args)
    except (FileNotFoundError, LookupError, ValueError) as exc:
        print(f"newsetl query: {exc}", file=sys.stderr)
        return 2
    try:
        rel = con.sql(sql)
        if rel is None:
            return 0
        if args.format == "table":
            rel.show(max_rows=args.max_rows, max_width=200)
            return 0
        columns = rel.columns
        rows = rel.fetchall()
        if args.format == "csv":
            writer = csv.writer(sys.stdout)
            writer.writerow(columns)
            writer.writerows(rows)
        else:
            records = [dict(zip(columns, row, strict=True)) for row in rows]
            json.dump(records, sys.stdout, ensure_ascii=False, indent=2, default=str)
            sys.stdout.write("\n")
        return 0
    except duckdb.Error as exc:
        print(f"newsetl query: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()


# --- search ----------------------------------------------------------------------------------
def _register_search(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "search",
        help="full-text search over articles (offline, stemmed per language)",
        description="Rank articles for TERMS with BM25 over title and (repaired) text, using the "
        "full-text index built from the read copy (warehouse/newsetl-search.duckdb): one index "
        "per language, stemmed with that language's Snowball stemmer. The index is (re)built "
        "first when it is missing or older than the read copy.",
    )
    parser.add_argument("terms", metavar="TERMS", help="words to look for")
    parser.add_argument("--lang", metavar="CODE", help="only articles in this language (en, it)")
    parser.add_argument("--limit", type=int, default=10, metavar="N", help="hits (default 10)")
    parser.add_argument("--json", action="store_true", help="print the hits as JSON")
    parser.add_argument(
        "--no-reindex",
        action="store_true",
        help="search the index as it is, even if older than the read copy (error if none)",
    )
    _add_db(parser)
    parser.set_defaults(func=run_search)


def run_search(args: argparse.Namespace) -> int:
    import duckdb

    from newsetl.lake import uses_lake
    from newsetl.readcopy import ensure_search_index
    from newsetl.search import NoSearchIndex, open_search_index, search

    settings = _settings(args)
    if not args.no_reindex:
        try:
            if uses_lake(settings):
                from newsetl.lake.read import ensure_search_index as ensure_lake_index

                ensure_lake_index(settings, on_rebuild=_announce_lake_rebuild(settings))
            else:
                ensure_search_index(settings, on_rebuild=_announce_rebuild(settings))
        except FileNotFoundError as exc:
            print(f"newsetl search: {exc}", file=sys.stderr)
            return 2
        except duckdb.Error as exc:  # the live file stayed busy: an older index still helps
            print(
                f"newsetl search: warning: index not checked or rebuilt ({exc}); "
                "searching the existing one",
                file=sys.stderr,
            )
    try:
        con = open_search_index(settings.search_index)
        try:
            hits = search(con, args.terms, language=args.lang, limit=args.limit)
        finally:
            con.close()
    except NoSearchIndex as exc:
        print(f"newsetl search: {exc}", file=sys.stderr)
        return 2
    if args.json:
        json.dump([h.__dict__ for h in hits], sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return 0
    if not hits:
        print("no matches")
        return 0
    for n, hit in enumerate(hits, start=1):
        date = hit.published_at.date().isoformat() if hit.published_at else "----------"
        print(f"{n:>2}. {hit.title}")
        print(f"    {hit.site} | {hit.language} | {date} | score {hit.score:.3f}")
        print(f"    {hit.snippet}")
    return 0


def _announce_rebuild(settings: Settings) -> Callable[[SourceFingerprint, Path], None]:
    """One line on stderr before a rebuild, so a slow search explains itself."""
    existed = settings.search_index.exists()

    def announce(current: SourceFingerprint, source: Path) -> None:
        state = "out of date; rebuilding" if existed else "missing; building"
        where = "" if source == settings.read_copy else " from the live file (no read copy yet)"
        print(
            f"newsetl search: search index {state} ({current.articles} articles){where}…",
            file=sys.stderr,
        )

    return announce


def _announce_lake_rebuild(settings: Settings) -> Callable[[SourceFingerprint, int], None]:
    existed = settings.search_index.exists()

    def announce(current: SourceFingerprint, snapshot: int) -> None:
        state = "out of date; rebuilding" if existed else "missing; building"
        print(
            f"newsetl search: search index {state} ({current.articles} articles) "
            f"from lake snapshot {snapshot}…",
            file=sys.stderr,
        )

    return announce


# --- export ----------------------------------------------------------------------------------
def _register_export(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write warehouse tables (and views) to Parquet or CSV files",
        description="Export every table of the read copy (or the ones named) to DIR/<name>.parquet "
        "(or .csv), for pandas, Spark, BI tools.",
    )
    parser.add_argument("dir", metavar="DIR", help="output directory (created)")
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--tables", nargs="+", metavar="NAME", help="only these tables/views")
    parser.add_argument("--views", action="store_true", help="also export every view")
    _add_db(parser)
    _add_snapshot(parser)
    parser.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    from newsetl.export import export_relations

    try:
        con = _open(args)
    except (FileNotFoundError, LookupError, ValueError) as exc:
        print(f"newsetl export: {exc}", file=sys.stderr)
        return 2
    try:
        written = export_relations(
            con, Path(args.dir), fmt=args.format, names=args.tables, views=args.views
        )
    except KeyError as exc:
        print(f"newsetl export: {exc.args[0]}", file=sys.stderr)
        return 2
    finally:
        con.close()
    for name, path in written.items():
        print(f"{name:<32} {path}")
    return 0


# --- maintain --------------------------------------------------------------------------------
def _register_maintain(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "maintain",
        help="load leftovers, checkpoint, compact, rebuild search + read copy, prune staging",
        description="Run the maintenance flow once (the nightly deployment runs the same): load "
        "batches left staged, re-analyse pages with pending findings, refresh story clusters, "
        "CHECKPOINT, compact the file when a quarter of it is free blocks, refresh the read copy with a "
        "rebuilt full-text index, prune half-written staging directories. Reports to the Prefect "
        "server in PREFECT_API_URL, or to a temporary local one.",
    )
    _add_db(parser)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(func=run_maintain)


def run_maintain(args: argparse.Namespace) -> int:
    logging.getLogger("prefect").setLevel(logging.WARNING)
    from newsetl.lake import uses_lake

    if uses_lake(_settings(args)):
        from newsetl.lake.flows import lake_maintenance_flow

        summary = lake_maintenance_flow()
    else:
        from newsetl.flows.maintenance import maintenance_flow

        summary = maintenance_flow(db=args.db)
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        for key, value in summary.items():
            print(f"{key:<24} {value}")
    return 0 if summary.get("status") == "completed" else 1
