"""Round 16's changed code paths against main's, on the text of every real page.

Why: each change of this round (``round16_ab.SWAPPED``) must answer exactly what main's code
did. The unit tests check them on made-up texts; this on every page under PAGES_DIR (default:
``shared/benchmarks/extraction``: Zyte, trafilatura-eval, Fundus evaluation and parser test
pages, 30-odd languages): each page's extracted text goes through the entity analysis
(``extract_entities`` and ``entity_forms``: every entity, mention, alias and form) and the
artefact analysis (``artefacts.analyse``: findings, repaired text, language spans) with main's
functions swapped in and with the branch's; and the quote regex's matches and ``junk_lines``
are compared on their own.

Run (from the repository root; ``/tmp/base`` a checkout of main)::

    .venv/bin/python benchmarks/pipeline/round16_same.py --base /tmp/base [PAGES_DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from basecode import page_texts
from round16_ab import _set, paths

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PAGES = ROOT.parent / "shared/benchmarks/extraction"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--base", type=Path, required=True, help="a checkout of main")
    args = p.parse_args()

    from newsetl.artefacts import analyse, rules
    from newsetl.entities import extract, guard
    from newsetl.entities.store import entity_forms

    branch_paths, main_paths = paths(None), paths(args.base)

    def use(chosen: dict) -> None:
        for site, value in chosen.items():
            _set(site, value)

    _, texts = page_texts(args.pages)
    texts = [t for t in texts if t]

    def outputs(text: str) -> str:
        doc = extract.extract_entities(text)
        entity_forms(doc, doc.language)
        found = analyse(text, doc.language)
        known = extract._known_word(doc.language)
        return json.dumps(
            [
                doc.to_storage(),
                [e.forms for e in doc.entities],
                [repr(f) for f in found.findings],
                found.repaired_text,
                found.language_spans,
                found.source_language,
                guard.junk_lines(text, 0, len(text), known),
                [
                    (m.span(), m.groups())
                    for m in rules._NO_SPACE_AT_QUOTE.finditer(text)  # type: ignore[attr-defined]
                ],
            ],
            ensure_ascii=False,
            default=str,
        )

    differ = entities = findings = 0
    for text in texts:
        use(main_paths)
        theirs = outputs(text)
        use(branch_paths)
        mine = outputs(text)
        differ += mine != theirs
        loaded = json.loads(mine)
        entities += len(loaded[0]["entities"]) if isinstance(loaded[0], dict) else 0
        findings += len(loaded[2])
    print(
        f"{len(texts)} texts, {entities} entities, {findings} findings; texts that differ: {differ}"
    )


if __name__ == "__main__":
    main()
