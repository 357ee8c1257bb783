"""``newsetl entities [FILE|-] [--json] [--language xx] [--seed-dir DIR]``: entities of one text.

Runs exactly the code the ingest flow runs on every article (:func:`extract_entities`), so what
the command shows is what the warehouse would get for that text.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from newsetl.cli import read_text_argument


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "entities",
        help="find and group named entities in one text",
        description="Find named entities in a text (a file, or standard input with '-') and "
        "group the mentions that name the same entity.",
    )
    parser.add_argument("file", nargs="?", default="-", help="text file to read, or '-' (default)")
    parser.add_argument("--json", action="store_true", help='print {"entities": [...]} as JSON')
    parser.add_argument(
        "--language", "-l", default=None, help="ISO 639-1 code of the text (default: detect it)"
    )
    parser.add_argument(
        "--seed-dir",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="extra seed folder with entities*.csv / entity_aliases*.csv (repeatable), as "
        "Settings.extra_seed_dirs gives the ingest flow",
    )
    parser.add_argument(
        "--max-chars",
        type=int,
        default=None,
        metavar="N",
        help="analyse at most N characters (default: Settings.entities_max_chars, "
        "NEWSETL_ENTITIES_MAX_CHARS; 0 = the whole text)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # imported here, not at the top: every ``newsetl`` command builds the parser, and this
    # import costs ~0.2 s that ``newsetl ingest`` without entities does not need
    from newsetl.entities.extract import extract_entities

    text = read_text_argument(args.file, "entities")
    if text is None:
        return 2
    max_chars = args.max_chars
    if max_chars is None:
        from newsetl.settings import Settings

        max_chars = Settings.from_env().entities_max_chars
    result = extract_entities(text, args.language, seed_dirs=args.seed_dir, max_chars=max_chars)
    if result.truncated:
        print(
            f"newsetl entities: analysed the first {max_chars:,} characters only"
            " (or kept the most mentioned entities); --max-chars 0 reads everything",
            file=sys.stderr,
        )
    if args.json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not result.entities:
        print(f"no entities found (language {result.language})")
        return 0
    print(f"language {result.language}: {len(result.entities)} entities")
    for ent in result.entities:
        surfaces = ", ".join(f"{m.surface}@{m.start}" for m in ent.mentions)
        print(f"{ent.canonical_id or ent.key:<40} {ent.type:<13} {ent.name}  [{surfaces}]")
    return 0
