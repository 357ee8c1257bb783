"""Round 12's changed code paths against main's, on the text of every real page.

Why: the entity junk-line test now stops looking words up once a line is prose, the known-word
test of English asks its lookup once, and the repair stage's own language detection uses
``newsetl.langdetect_fast``: each must answer exactly what main's did. The unit tests check
them on made-up lines and texts; this on every page under PAGES_DIR (default:
``shared/benchmarks/extraction``: Zyte, trafilatura-eval, Fundus evaluation and parser test
pages, 30-odd languages): each page's extracted text goes through main's and the branch's
``guard.junk_lines`` (with main's and the branch's known-word test, in each of
``--languages``) and ``artefacts.language.detect_language``.

Run (from the repository root; ``/tmp/base`` a checkout of main)::

    .venv/bin/python benchmarks/pipeline/round12_same.py --base /tmp/base [PAGES_DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from basecode import module_from, page_texts

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PAGES = ROOT.parent / "shared/benchmarks/extraction"
LANGUAGES = "en,de,fr,it,es,pt,nl,pl,ru,tr,ja,xx"


def main_known_word(language: str):
    """main's ``entities.extract._known_word`` (before round 12: English asked twice)."""
    from newsetl.entities.extract import lx

    if lx._WORDFREQ_ALIASES.get(language, language) not in lx._wordfreq_languages():
        return None
    return lambda w: lx.zipf(w, language) > 0 or lx.zipf(w, "en") > 0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--base", type=Path, required=True, help="a checkout of main")
    p.add_argument("--languages", default=LANGUAGES)
    args = p.parse_args()

    from newsetl.artefacts import language as langid
    from newsetl.entities import extract, guard

    base = args.base / "src/newsetl"
    main_guard = module_from(base / "entities/guard.py", "newsetl.entities._main_guard")
    main_langid = module_from(base / "artefacts/language.py", "newsetl.artefacts._main_language")

    _, texts = page_texts(args.pages)
    texts = [t for t in texts if t]
    languages = args.languages.split(",")
    lines = junk = detect_differ = junk_differ = 0
    detected: dict[str | None, int] = {}
    for text in texts:
        ours = langid.detect_language(text)
        if ours != main_langid.detect_language(text):
            detect_differ += 1
        detected[ours] = detected.get(ours, 0) + 1
        lines += len(text.splitlines())
        for language in languages:
            branch_known, main_known = extract._known_word(language), main_known_word(language)
            mine = guard.junk_lines(text, 0, len(text), branch_known)
            guard_is_junk = guard._is_junk
            guard._is_junk = main_guard._is_junk  # junk_lines reads it from its module
            try:
                theirs = guard.junk_lines(text, 0, len(text), main_known)
            finally:
                guard._is_junk = guard_is_junk
            junk += len(mine)
            junk_differ += mine != theirs
    print(
        f"{len(texts)} texts, {lines} lines x {len(languages)} languages: junk ranges "
        f"{junk}, texts whose junk ranges differ: {junk_differ}"
    )
    top = sorted(detected.items(), key=lambda kv: -kv[1])[:12]
    print(f"detect_language: {top}; texts whose answer differs: {detect_differ}")


if __name__ == "__main__":
    main()
