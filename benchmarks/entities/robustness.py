"""Robustness and speed on text we did not write: the lingua-py sentence files (75 languages,
Leipzig web corpora) from ``../shared/benchmarks/langid``. There are no entity labels, so this
measures only that extraction never fails and never returns a broken offset, how many mentions
it finds per 100 sentences (a sanity check for over-tagging, e.g. German nouns), and speed.

Run: ``.venv/bin/python benchmarks/entities/robustness.py [--per-language N]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from newsetl.entities import extract_entities

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "langid" / "lingua-py"
SENTENCES = DATA / "language-testdata" / "sentences"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-language", type=int, default=200)
    args = parser.parse_args(argv)
    if not SENTENCES.is_dir():
        print(f"missing {SENTENCES}", file=sys.stderr)
        return 2
    extract_entities("warm up in Geneva", "en")
    total_docs = total_chars = failures = bad_offsets = 0
    total_time = 0.0
    rates: dict[str, float] = {}
    for path in sorted(SENTENCES.glob("*.txt")):
        lang = path.stem
        lines = path.read_text(encoding="utf-8").splitlines()[: args.per_language]
        mentions = 0
        t0 = time.perf_counter()
        for line in lines:
            try:
                doc = extract_entities(line, lang)
            except Exception as exc:  # report, keep going
                failures += 1
                print(f"FAIL {lang}: {exc!r}: {line[:80]}")
                continue
            for ent in doc.entities:
                for m in ent.mentions:
                    mentions += 1
                    bad_offsets += line[m.start : m.end] != m.surface
        total_time += time.perf_counter() - t0
        total_docs += len(lines)
        total_chars += sum(len(x) for x in lines)
        rates[lang] = 100 * mentions / max(1, len(lines))
    print(f"{total_docs} sentences in {len(rates)} languages: {failures} failures, "
          f"{bad_offsets} broken offsets, {total_docs / total_time:.0f} sentences/s, "
          f"{total_chars / total_time:.0f} chars/s (includes first-use loading per language)")  # fmt: skip
    print("mentions per 100 sentences:")
    print("  " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(rates.items())))
    return 1 if failures or bad_offsets else 0


if __name__ == "__main__":
    sys.exit(main())
