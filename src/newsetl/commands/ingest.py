"""``newsetl ingest``: run the ingest flow from the command line."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

from newsetl.commands.checks import check_ingest, positive_int


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help=(
            "fetch, extract and load news into the warehouse "
            "(a Prefect flow run when a server is configured)"
        ),
        description=(
            "Ingest news into the DuckDB warehouse. Each SOURCE is auto-detected: a page URL, a "
            "feed (RSS/Atom/JSON) or sitemap URL (XML, .gz, index, Google News), a homepage "
            "(feeds are discovered), a robots.txt URL, a local HTML file or directory, a text "
            "file of URLs, or a WARC file. Force a reading with feed:URL, sitemap:URL or "
            "site:URL. 'stored:' (or 'stored:URL-PREFIX') reprocesses pages kept in the warehouse "
            "without refetching them. With no SOURCE the bundled multilingual sample corpus is ingested. "
            "With PREFECT_API_URL set the run is a Prefect flow run reported to that server "
            "(watch it in the UI); without it, the same run engine runs in this process and no "
            "Prefect server is started (--prefect / --direct, or NEWSETL_ORCHESTRATION, choose). "
            "Exit status is non-zero only when nothing could be processed."
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
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--prefect",
        dest="orchestration",
        action="store_const",
        const="prefect",
        help="run as a Prefect flow run even without a configured server (a temporary one)",
    )
    how.add_argument(
        "--direct",
        dest="orchestration",
        action="store_const",
        const="direct",
        help="run in this process without Prefect, even when PREFECT_API_URL is set",
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
    from newsetl.progress import listening

    display = ProgressDisplay()
    with contextlib.ExitStack() as stack:
        if not args.quiet:
            stack.enter_context(listening(display))
            stack.callback(display.close)
        if uses_prefect(args.orchestration):
            from newsetl.flows.ingest import ingest_flow

            state = ingest_flow(
                sources=args.sources or None,
                db=args.db,
                batch_size=args.batch_size,
                return_state=True,
            )
            summary = state.result(raise_on_failure=False)
            if not isinstance(summary, dict):  # the flow itself crashed: no summary to print
                print(
                    f"newsetl ingest: the run ended {state.name}: {state.message}",
                    file=sys.stderr,
                )
                return 1
        else:
            summary = run_direct(args)
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


def uses_prefect(choice: str | None) -> bool:
    """Whether this run is a Prefect flow run: ``--prefect``/``--direct``, else
    ``NEWSETL_ORCHESTRATION`` (``prefect``, ``direct``, ``auto``); ``auto`` means a flow run
    when a Prefect API is configured (``PREFECT_API_URL`` or the active Prefect profile)."""
    from newsetl.settings import ORCHESTRATIONS, Settings

    choice = choice or Settings.field_from_env("orchestration")
    if choice not in ORCHESTRATIONS:  # checks.check_settings told the user already
        raise ValueError(f"orchestration must be one of {ORCHESTRATIONS}, not {choice!r}")
    if choice != "auto":
        return choice == "prefect"
    return prefect_api_configured()


def prefect_api_configured() -> bool:
    """Whether Prefect would report to a server of the user's (not a temporary one).

    ``PREFECT_API_URL`` in the environment answers at once; otherwise Prefect's own settings
    decide (profiles, ``prefect.toml``, ``.env``, ``pyproject.toml``), read only when one of
    those files could name an API (importing Prefect's settings costs ~1.5 s)."""
    url = os.environ.get("PREFECT_API_URL")
    if url is not None:
        return bool(url.strip())
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
    candidates = [
        home / "profiles.toml",
        Path("prefect.toml"),
        Path(".env"),
        Path("pyproject.toml"),
    ]
    if not any(_mentions_api(path) for path in candidates):
        return False
    from prefect.settings import PREFECT_API_URL

    return bool(PREFECT_API_URL.value())


def _mentions_api(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "PREFECT_API_URL" in text or "api.url" in text or "[api]" in text


def run_direct(args: argparse.Namespace) -> dict:
    """The run engine in this process, without Prefect: the same steps, batches, process
    pool and warehouse writes as the flow (which is a layer of tasks around this engine);
    newsetl's log lines go to stderr instead of a flow run's logs."""
    import logging

    from newsetl.poolstart import start_pool_early
    from newsetl.settings import Settings

    # warnings and errors on stderr; the progress bar (or -q's silence) stands for the info
    # lines a flow run would log
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s | %(levelname)-7s | %(name)s - %(message)s",
        datefmt="%H:%M:%S",
    )
    # one run, then the process exits: nothing would use workers kept for a next run, and a
    # pool that is not kept lets its workers end as soon as the run's last analysis is done,
    # while the run's process loads it and runs its closing steps (the kept workers ended only
    # at the exit, where the process waited for them; benchmarks/README.md "Round 16 (tail16)");
    # nor a warm fork server, which then ends beside the closing steps, not after the exit
    settings = Settings.from_env(
        db_path=Path(args.db) if args.db else None, batch_size=args.batch_size
    ).replace(keep_workers=False, fork_server_per_run=True)
    # before the engine's imports: the pool's fork server warms up while they run
    start_pool_early(settings, args.sources)
    from newsetl.run import Run

    run = Run.open(settings, args.sources or None)
    settle_opened_run()
    summary = run.execute()
    data = summary.to_json()
    if summary.status != "completed":
        print(
            f"newsetl ingest: run {summary.run_id} ended {summary.status}: "
            f"{summary.failed_text()}, {summary.staged_left} batches left staged; "
            f"warehouse {settings.db_path}",
            file=sys.stderr,
        )
    return data


def settle_opened_run() -> None:
    """Freeze what the command's process holds once its run is open (its modules, settings,
    the opened warehouse's objects), after collecting the young generations' garbage.

    Why: the command runs one run and exits, so these objects live to its end; the
    collector's full collections scanned them again each time (three a run on the Zyte
    pages, 0.10-0.12 s of the process's CPU, two of them in the serial tail, for 20 objects
    freed). Frozen, they are never scanned again: 0.03 s of full collections left
    (benchmarks/README.md "Round 15 (fork15)"). Only here, in the command's direct run: a
    flow run's process (a Prefect worker serving many runs) keeps its collector as it is.
    """
    import gc

    gc.collect(1)
    gc.freeze()
