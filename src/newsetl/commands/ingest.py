"""``newsetl ingest``: run the ingest flow from the command line."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys

from newsetl.commands.checks import check_ingest, positive_int


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="fetch, extract and load news into the warehouse (a Prefect flow run)",
        description=(
            "Ingest news into the DuckDB warehouse. Each SOURCE is auto-detected: a page URL, a "
            "feed (RSS/Atom/JSON) or sitemap URL (XML, .gz, index, Google News), a homepage "
            "(feeds are discovered), a robots.txt URL, a local HTML file or directory, a text "
            "file of URLs, or a WARC file. Force a reading with feed:URL, sitemap:URL or "
            "site:URL. 'stored:' (or 'stored:URL-PREFIX') reprocesses pages kept in the warehouse "
            "without refetching them. With no SOURCE the bundled multilingual sample corpus is ingested. "
            "The run reports to the Prefect server in PREFECT_API_URL, or to a temporary local "
            "one. Exit status is non-zero only when nothing could be processed."
        ),
    )
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help="what to ingest")
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="warehouse file (default warehouse/newsetl.duckdb, or NEWSETL_DB_PATH)",
    )
    parser.add_argument(
        "--batch-size", type=positive_int, metavar="N", help="pages per task (default 25)"
    )
    parser.add_argument("--json", action="store_true", help="print the run summary as JSON")
    parser.add_argument("-q", "--quiet", action="store_true", help="only the summary")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    problem = check_ingest(args)  # before Prefect starts or any file is created
    if problem:
        print(f"newsetl ingest: {problem}", file=sys.stderr)
        return 2
    if args.quiet:  # Prefect reads its logging level when first imported, below
        os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    else:  # the progress display replaces Prefect's info lines on the console (not in the UI)
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    from newsetl.commands.progress_display import ProgressDisplay
    from newsetl.flows.ingest import ingest_flow
    from newsetl.progress import listening

    display = ProgressDisplay()
    with contextlib.ExitStack() as stack:
        if not args.quiet:
            stack.enter_context(listening(display))
            stack.callback(display.close)
        state = ingest_flow(
            sources=args.sources or None, db=args.db, batch_size=args.batch_size, return_state=True
        )
    summary = state.result(raise_on_failure=False)
    if not isinstance(summary, dict):  # the flow itself crashed: no summary to print
        print(f"newsetl ingest: the run ended {state.name}: {state.message}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        from newsetl.runs import summary_metrics

        for key in ("run_id", *summary_metrics()):
            print(f"{key:<20} {summary.get(key)}")
        for failure in summary.get("failures", [])[:20]:
            print(
                f"  failed: {failure['url']} [{failure.get('kind')}] {failure.get('error')}",
                file=sys.stderr,
            )
    return 1 if summary["status"] == "failed" else 0
