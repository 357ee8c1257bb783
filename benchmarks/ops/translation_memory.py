"""What one batch's translation memory lookup costs as the ``translation_memory`` table grows.

A run asks, for each batch of 25 texts, for the stored translations those texts may need
(``MemoryTranslator.stored_rows_for``). Before migration 010 that was a ``contains`` of every
stored source text in the batch's texts (a scan of the table per batch); now the batch's span
keys are looked up in the indexed ``source_key``. Both are timed here on the same warehouse
file (a real one, migrated by ``open_warehouse``), at several table sizes.

Rows and texts are synthetic (made here with a fixed seed): texts of about 600 words drawn from
a 5,000-word vocabulary with a Zipf-like frequency; stored rows are phrases of one to five
words, ``--found`` of them (200) taken from the texts, the others made of words no text holds,
so that every size has the same rows to find (rows are stored as a provider answer would be:
``MemoryTranslator.remember``). Each lookup is
timed ``--repeat`` times; the median is printed, with the rows each lookup found (the old
lookup also finds rows that start or end inside a word of the texts: the analysis never asks
for those).

Usage: ``.venv/bin/python benchmarks/ops/translation_memory.py [--sizes 0,1000,10000,100000]
[--repeat 5]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

from newsetl.settings import Settings
from newsetl.translate import MemoryTranslator, memory_key, span_keys
from newsetl.warehouse import open_warehouse

OLD_LOOKUP = (
    "SELECT source_language, target_language, source_text, translation FROM translation_memory"
    " WHERE contains(?, lower(regexp_replace(replace(trim(source_text), '\u2019', ''''),"
    " '[\\t\\n\\f\\r ]+', ' ', 'g')))"
)
LETTERS = "abcdefghilmnoprstuvz"


def vocabulary(rnd: random.Random, n: int = 5000) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rnd.choices(LETTERS, k=rnd.randint(2, 11))))
    return sorted(words)


def make_texts(rnd: random.Random, words: list[str], n: int = 25) -> list[str]:
    weights = [1 / (i + 1) for i in range(len(words))]
    texts = []
    for _ in range(n):
        sentences = []
        for _ in range(40):
            sentence = rnd.choices(words, weights, k=rnd.randint(8, 22))
            sentences.append(" ".join(sentence).capitalize() + ".")
        texts.append(" ".join(sentences))
    return texts


def make_rows(
    rnd: random.Random, words: list[str], texts: list[str], n: int, found: int
) -> list[dict]:
    memory = MemoryTranslator()
    seen: set[str] = set()
    while len(memory.new_entries) < n:
        k = rnd.randint(1, 5)
        if len(memory.new_entries) < min(n, found):  # a phrase of the texts
            tokens = rnd.choice(texts).rstrip(".").replace(".", "").split()
            at = rnd.randrange(max(1, len(tokens) - k))
            phrase = " ".join(tokens[at : at + k])
        else:  # a phrase no text holds ("k" is in none of their words)
            phrase = " ".join(w[:1] + "k" + w[1:] for w in rnd.choices(words, k=k))
        if phrase.lower() in seen:
            continue
        seen.add(phrase.lower())
        memory.remember(phrase, "it", "en", f"EN[{phrase}]", "benchmark")
    return memory.new_entries


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="0,1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--found", type=int, default=200)
    args = parser.parse_args(argv)
    rnd = random.Random(14)
    words = vocabulary(rnd)
    texts = make_texts(rnd, words)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"batch: {len(texts)} texts, {sum(len(t.split()) for t in texts)} words")
    print(f"{'rows':>8} {'old s':>8} {'old found':>9} {'new s':>8} {'new found':>9} {'keys':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"w{size}.duckdb"
            con = open_warehouse(Settings(db_path=path))
            try:
                rows = make_rows(rnd, words, texts, size, args.found)
                if rows:
                    con.register("new_rows", pa.Table.from_pylist(rows))
                    con.execute("INSERT INTO translation_memory BY NAME SELECT * FROM new_rows")
                con.execute("CHECKPOINT")
                haystack = "\n".join(memory_key(t) for t in texts)
                old_s, old = timed(
                    lambda con=con, haystack=haystack: con.execute(
                        OLD_LOOKUP, [haystack]
                    ).fetchall(),
                    args.repeat,
                )
                new_s, new = timed(
                    lambda con=con: MemoryTranslator.stored_rows_for(con, texts), args.repeat
                )
                counts = con.execute(
                    "SELECT list(DISTINCT source_words) FROM translation_memory"
                ).fetchone()[0]
                keys = len(span_keys(texts, counts or ()))
            finally:
                con.close()
            print(
                f"{size:>8} {old_s:>8.4f} {len(old):>9} {new_s:>8.4f} {len(new):>9} {keys:>8}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
