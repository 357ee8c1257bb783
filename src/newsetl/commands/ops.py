"""``newsetl sql``, ``newsetl writer-limit`` and ``newsetl work-pool``: operating the warehouse and its deployments.

``sql`` opens the DuckDB shell of the locked version (the ``duckdb-cli`` wheel, pinned with
``duckdb`` in ``uv.lock``) on the read copy, read-only and offline: no package index at run time
(``uvx --from duckdb-cli`` would fetch whatever is newest) and no extension downloads.

``writer-limit`` makes every deployment tagged ``writer`` in ``prefect.yaml`` share one Prefect
global concurrency limit, so the hourly ingest and the nightly maintenance never run at once;
``prefect.yaml`` can give each deployment a limit of its own but cannot name a shared one.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

#: The shared limit's name in Prefect (UI: Concurrency → Global).
WRITER_LIMIT = "newsetl-writers"
WRITER_TAG = "writer"

#: Run before the user's session: no extension is downloaded (the bundled ones still load).
OFFLINE_SHELL_SETUP = "SET autoinstall_known_extensions = false;"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sql",
        help="interactive DuckDB SQL shell on the read copy (offline, read-only)",
        description=(
            "Open the DuckDB shell (the version locked with newsetl, installed with it) on the "
            "read copy of the warehouse, read-only, so it never blocks a load. With -c, run "
            "that SQL and exit; SQL piped on standard input runs as a script."
        ),
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="live warehouse file whose read copy is opened (default warehouse/newsetl.duckdb, "
        "or NEWSETL_DB_PATH)",
    )
    parser.add_argument("-c", dest="command", metavar="SQL", help="run SQL and exit")
    parser.set_defaults(func=run_sql)

    parser = subparsers.add_parser(
        "writer-limit",
        help="make the writing deployments share one Prefect concurrency limit",
        description=(
            f"Create the global concurrency limit {WRITER_LIMIT!r} (1 slot) on the Prefect "
            f"server in PREFECT_API_URL and attach every deployment tagged {WRITER_TAG!r} to it, "
            "so only one of them writes at a time. Run after 'prefect deploy --all'; idempotent."
        ),
    )
    parser.add_argument("--limit", type=int, default=1, metavar="N", help="slots (default 1)")
    parser.set_defaults(func=run_writer_limit)

    parser = subparsers.add_parser(
        "work-pool",
        help="create the process work pool the deployments run on (offline)",
        description=(
            "Create a 'process' work pool on the Prefect server in PREFECT_API_URL with the job "
            "template that ships with Prefect. Unlike 'prefect work-pool create', it asks no "
            "one for the list of worker types (the server fetches that from GitHub). "
            "Idempotent: an existing pool is left as it is."
        ),
    )
    parser.add_argument("name", nargs="?", default="newsetl", help="pool name (default newsetl)")
    parser.set_defaults(func=run_work_pool)


def duckdb_binary() -> Path:
    """The DuckDB shell shipped in the ``duckdb-cli`` wheel (never downloaded)."""
    import duckdb_cli

    path = Path(duckdb_cli.__file__).with_name("duckdb.exe" if os.name == "nt" else "duckdb")
    if not path.is_file():
        raise FileNotFoundError(f"the duckdb-cli wheel has no shell binary at {path}")
    return path


def shell_command(database: Path, command: str | None) -> list[str]:
    """The DuckDB shell's argv: read-only, offline, on ``database``."""
    import duckdb_cli.__main__ as cli

    setup = cli._build_ext_cmd(cli._get_extensions_dir()) + OFFLINE_SHELL_SETUP
    argv = [str(duckdb_binary()), "-readonly", "-cmd", setup, str(database)]
    if command is not None:
        argv += ["-c", command]
    return argv


def run_sql(args: argparse.Namespace) -> int:
    from newsetl.readcopy import reading_path
    from newsetl.settings import Settings

    settings = Settings.from_env(db_path=Path(args.db) if args.db else None)
    path, is_copy = reading_path(settings)
    if not path.exists():
        print(f"newsetl sql: no warehouse at {path}: run 'newsetl ingest' first", file=sys.stderr)
        return 2
    if not is_copy:
        print(
            "newsetl sql: warning: no read copy yet, opening the live file read-only; a load "
            "running now waits until you quit",
            file=sys.stderr,
        )
    try:
        argv = shell_command(path, args.command)
    except (ImportError, FileNotFoundError) as exc:
        print(f"newsetl sql: {exc}", file=sys.stderr)
        return 2
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)  # the shell owns the terminal (line editing, Ctrl-C) from here
    return 0  # pragma: no cover - execv does not return


def run_writer_limit(args: argparse.Namespace) -> int:
    import httpx
    from prefect.settings import PREFECT_API_URL

    BusyRetry = _busy_retry_transport()
    api = PREFECT_API_URL.value()
    if not api:
        print("newsetl writer-limit: set PREFECT_API_URL (the server to update)", file=sys.stderr)
        return 2
    try:
        with httpx.Client(base_url=api, timeout=30, transport=BusyRetry()) as client:
            attached = share_writer_limit(client, args.limit)
    except httpx.HTTPError as exc:
        print(f"newsetl writer-limit: {api}: {exc}", file=sys.stderr)
        return 1
    if not attached:
        print(f"newsetl writer-limit: no deployment tagged {WRITER_TAG!r}", file=sys.stderr)
        return 1
    print(f"{WRITER_LIMIT} ({args.limit} slot): {', '.join(sorted(attached))}")
    return 0


def run_work_pool(args: argparse.Namespace) -> int:
    from prefect.settings import PREFECT_API_URL

    from newsetl.flows.pool import ensure_process_pool

    if not PREFECT_API_URL.value():
        print("newsetl work-pool: set PREFECT_API_URL (the server to update)", file=sys.stderr)
        return 2
    try:
        created = ensure_process_pool(args.name)
    except Exception as exc:  # connection refused, HTTP errors: one line, not a traceback
        print(f"newsetl work-pool: {PREFECT_API_URL.value()}: {exc}", file=sys.stderr)
        return 1
    print(f"work pool {args.name!r} (process): {'created' if created else 'exists'}")
    return 0


def _busy_retry_transport():
    import httpx

    class BusyRetry(httpx.HTTPTransport):
        """Asks again, after a pause, while the Prefect server answers 503 (its database is
        busy, e.g. right after a deploy; Prefect's own client retries these too)."""

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            for pause in (0.5, 1.0, 2.0, 4.0, 8.0):
                response = super().handle_request(request)
                if response.status_code != 503:
                    return response
                response.close()
                time.sleep(pause)
            return super().handle_request(request)

    return BusyRetry


def share_writer_limit(client, limit: int = 1) -> list[str]:
    """Create or resize :data:`WRITER_LIMIT` and attach every writer deployment to it;
    returns the deployments' names. Each keeps its own collision strategy (prefect.yaml)."""
    found = client.get(f"/v2/concurrency_limits/{WRITER_LIMIT}")
    if found.status_code == 404:
        found = client.post("/v2/concurrency_limits/", json={"name": WRITER_LIMIT, "limit": limit})
    found.raise_for_status()
    gcl = found.json()
    if gcl["limit"] != limit:
        client.patch(
            f"/v2/concurrency_limits/{gcl['id']}", json={"limit": limit}
        ).raise_for_status()
    deployments = client.post(
        "/deployments/filter", json={"deployments": {"tags": {"all_": [WRITER_TAG]}}}
    )
    deployments.raise_for_status()
    names = []
    for deployment in deployments.json():
        own = deployment.get("global_concurrency_limit") or {}
        if own.get("id") != gcl["id"]:
            client.patch(
                f"/deployments/{deployment['id']}", json={"global_concurrency_limit_id": gcl["id"]}
            ).raise_for_status()
            if str(own.get("name", "")).startswith("deployment:"):  # its own limit, now unused
                client.delete(f"/v2/concurrency_limits/{own['id']}")
        names.append(deployment["name"])
    return names
