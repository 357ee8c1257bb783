"""Round 11's changed lookups against main's, on every word of real pages.

Why: the word lookups this round made cheaper (``lexdata.zipf_frequency``,
``artefacts.lexicon.profile``, ``entities.text.strip_accents``, ``language.has_letters``)
must answer exactly what main's did; the unit tests check them on word lists and random
strings, this on the words real pages are made of. Every page under PAGES_DIR (default:
``shared/benchmarks/extraction``: the Zyte, trafilatura-eval, Fundus evaluation and Fundus
parser test pages, 30-odd languages) is extracted, its text split into words
(``\\w+`` runs, as written and lower-cased), and each distinct word is looked up with both
versions in the languages the analyses ask (``--languages``); the page texts' 1,000-character
samples are counted with both letter tests.

Run (from the repository root; ``/tmp/base`` a checkout of main)::

    .venv/bin/python benchmarks/pipeline/round11_same.py --base /tmp/base [PAGES_DIR]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from basecode import module_from, page_texts

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PAGES = ROOT.parent / "shared/benchmarks/extraction"
LANGUAGES = "en,de,fr,it,es,pt,nl,pl,ru,tr,sh,sv,id,ar,el,uk,cs,ro,hu,fi"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--base", type=Path, required=True, help="a checkout of main")
    p.add_argument("--languages", default=LANGUAGES)
    args = p.parse_args()

    from newsetl import language
    from newsetl.artefacts import lexicon
    from newsetl.entities import text
    from newsetl.text import lexdata

    base = args.base / "src/newsetl"
    main_lexdata = module_from(base / "lexdata.py", "newsetl._main_lexdata")
    main_lexicon = module_from(base / "artefacts/lexicon.py", "newsetl.artefacts._main_lexicon")
    main_text = module_from(base / "entities/text.py", "newsetl.entities._main_text")

    n_files, texts = page_texts(args.pages)
    words: set[str] = set()
    for page_text in texts:
        for word in re.findall(r"\w+", page_text):
            words.update((word, word.lower()))
    ordered = sorted(words)
    print(f"{n_files} pages, {len(texts)} texts, {len(ordered):,} distinct words")

    differ: dict[str, int] = {}

    def check(name: str, pairs) -> None:
        count = wrong = 0
        for ours, theirs in pairs:
            count += 1
            wrong += ours != theirs
        differ[name] = wrong
        print(f"  {name:<40} {count:>10,} lookups  {wrong} differ")

    for lang in args.languages.split(","):
        check(
            f"lexdata.zipf_frequency({lang})",
            (
                (lexdata.zipf_frequency(w, lang), main_lexdata.zipf_frequency(w, lang))
                for w in ordered
            ),
        )
    check(
        "artefacts.lexicon.profile",
        ((lexicon.profile.__wrapped__(w), main_lexicon.profile.__wrapped__(w)) for w in ordered),
    )
    check(
        "entities.text.strip_accents / norm",
        (
            ((text.strip_accents(w), text.norm.__wrapped__(w)), _main_norm(main_text, w))
            for w in ordered
        ),
    )
    samples = [t[: language.SAMPLE_CHARS] for t in texts]
    check(
        "language.has_letters (20, 150 of 300)",
        (
            (
                (
                    language.has_letters(s, language.MIN_LETTERS),
                    language.has_letters(s[: language.LINGUA_CHARS], language.SHORT_TEXT_LETTERS),
                ),
                (
                    sum(ch.isalpha() for ch in s) >= language.MIN_LETTERS,
                    sum(ch.isalpha() for ch in s[: language.LINGUA_CHARS])
                    >= language.SHORT_TEXT_LETTERS,
                ),
            )
            for s in samples
        ),
    )
    print("same answers:", not any(differ.values()))


def _main_norm(main_text, word: str) -> tuple[str, str]:
    return main_text.strip_accents(word), main_text.norm.__wrapped__(word)


if __name__ == "__main__":
    main()
