"""``newsetl repair [FILE|-] [--lang CODE] [--json] [--translator NAME]``.

Runs exactly the code the ingest flow runs on every article (:func:`analyse`), so the findings
and the repaired text it prints are what the warehouse would get for that text.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from newsetl.cli import read_text_argument


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "repair",
        help="find and repair machine-translation artefacts in one text",
        description="Detect machine-translation artefacts (untranslated spans and function "
        "words, calqued articles, glued tokens, false friends, capitalisation) in a text "
        "(a file, or standard input with '-') and print the findings and the repaired text.",
    )
    parser.add_argument("file", nargs="?", default="-", help="text file to read, or '-' (default)")
    parser.add_argument(
        "--lang",
        "--language",
        dest="lang",
        default=None,
        help="ISO 639-1 code of the text (default: detect it)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='print {"language", "source_language", "findings": [...], "text"} as JSON',
    )
    parser.add_argument(
        "--translator",
        default=None,
        choices=("none", "google", "deepl", "microsoft", "libre"),
        help="translation provider for untranslated spans (default: $NEWSETL_TRANSLATOR or "
        "google); 'none' uses only the glossary and runs offline and deterministically",
    )
    parser.add_argument(
        "--source-lang",
        default=None,
        help="language the text was translated from, when known (e.g. from hreflang)",
    )
    parser.set_defaults(func=run)


def _translator(choice: str | None):
    from newsetl.translate import translator_from_settings

    env = dict(os.environ)
    if choice is not None:
        env["NEWSETL_TRANSLATOR"] = choice
    return translator_from_settings(env)


def run(args: argparse.Namespace) -> int:
    # imported here, not at the top: every ``newsetl`` command builds the parser, and this
    # import costs ~0.13 s that ``newsetl ingest`` without repair does not need
    from newsetl.artefacts.core import analyse

    text = read_text_argument(args.file, "repair")
    if text is None:
        return 2
    result = analyse(
        text,
        args.lang,
        original_language=args.source_lang,
        translator=_translator(args.translator),
    )
    if args.json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(
        f"language: {result.language or 'unknown'}; "
        f"translated from: {result.source_language or 'none detected'}; "
        f"{len(result.findings)} finding(s)"
    )
    if result.findings:
        print(f"{'kind':28} {'offsets':>11}  {'status':8} {'conf':>5}  surface -> replacement")
        for f in result.findings:
            repl = f.replacement if f.replacement is not None else "(none)"
            print(
                f"{f.kind:28} {f.start:>5}-{f.end:<5}  {f.status:8} {f.confidence:5.2f}  "
                f"{f.surface!r} -> {repl!r}  [{f.source_language or '-'}; {f.detector}]"
            )
    print()
    print(result.repaired_text, end="" if result.repaired_text.endswith("\n") else "\n")
    return 0
