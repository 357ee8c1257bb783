"""The ``newsetl`` command line.

Each subcommand lives in ``newsetl.commands`` and registers itself here through a
``register(subparsers)`` function, so this module stays a thin dispatcher and the
subcommands can be read (and tested) alone.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

#: Modules that contribute subcommands, in the order ``--help`` lists them. Each exposes
#: ``register(subparsers) -> None`` and sets ``func`` (``args -> int``) on its parser.
COMMAND_MODULES = (
    "newsetl.commands.ingest",
    "newsetl.commands.artefacts",
    "newsetl.commands.entities",
    "newsetl.commands.warehouse",
    "newsetl.commands.lake",
    "newsetl.commands.ops",
)


def read_text_argument(path: str, command: str) -> str | None:
    """The text of a FILE argument ('-' = standard input) for the single-text subcommands;
    ``None`` after printing why it cannot be read (the caller exits with status 2)."""
    try:
        return sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"newsetl {command}: cannot read {path}: {exc}", file=sys.stderr)
        return None


#: Subcommands whose start is on a run's critical path, by module: ``newsetl ingest`` starts the
#: pool's fork server once its arguments are read, and importing the other subcommands' modules
#: first delayed it by ~0.03 s of CPU (benchmarks/README.md "Round 10 (spine10)").
ALONE = {"ingest": "newsetl.commands.ingest"}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsetl",
        description=(
            "Multilingual news ingestion: fetch pages, feeds and sitemaps; extract text and "
            "metadata (trafilatura); detect language; find and repair machine-translation "
            "artefacts; normalise named entities; load everything into DuckDB."
        ),
        epilog="Run 'newsetl COMMAND --help' for the options of one command.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    # ``command``: the first argument; a subcommand of ALONE gets a parser of its own only
    for name in (ALONE[command],) if command in ALONE else COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a subcommand still being built must not break the rest
            if exc.name is None or not name.startswith(exc.name):
                raise
            continue
        module.register(subparsers)
    return parser


#: Settings for the Prefect server a run may start for itself: offline unless the user chose
#: otherwise (the temporary server would otherwise send telemetry to Prefect), and patient:
#: Prefect gives its temporary server 20 s to start, which a first start (it creates its
#: database) on a busy machine exceeds ("Timed out while attempting to connect to ephemeral
#: Prefect API server": measured at load 8 on 2 cores), failing the whole run.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def main(argv: Sequence[str] | None = None) -> int:
    from newsetl.memory import settle_allocators

    settle_allocators()  # before anything imports pyarrow (newsetl.memory)
    for name, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(name, value)
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv else None)
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # the subcommand's own usage, not the top-level one ('ingest --foo')
        sub = _subparsers(parser).get(getattr(args, "command", None) or "", parser)
        sub.error(f"unrecognized arguments: {' '.join(unknown)}")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from newsetl.shutdown import Stopped, stop_on_signals, stopped_line

    command = f"newsetl {args.command}"
    try:
        with stop_on_signals(command):
            return int(args.func(args) or 0)
    except Stopped as exc:
        print(stopped_line(command, exc.signum), file=sys.stderr, flush=True)
        return exc.exit_status


def console() -> None:
    """The ``newsetl`` console script: :func:`main`, then an exit without the interpreter's
    finalisation (:mod:`newsetl.fastexit`: 0.13-0.16 s of CPU after every run). An exception
    (``SystemExit`` from argparse included) leaves the normal way."""
    status = main()
    from newsetl.fastexit import exit_now

    exit_now(status)


if __name__ == "__main__":  # pragma: no cover
    console()
