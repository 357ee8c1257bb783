"""What a fresh process pays to open the lexical tables and simplemma maps a run's pages need.

Why: each pool worker opens the word tables of the languages it meets (wordfreq's lists,
simplemma's maps: :mod:`newsetl.text.lexdata`, :mod:`newsetl.simplemma_cache`); until round 14 each
open hashed the whole file to check its digest (78 ms of a fresh worker's first Zyte pages,
~35 ms of the fork server's warm-up), now only a file no process has checked since it last
changed (:class:`newsetl.cache.DigestStamp`). Each round opens the same tables in a fresh
interpreter of each checkout (``--python``, repeatable: a wrapper that sets
``NEWSETL_CACHE_DIR`` gives each checkout a cache directory of its own) and prints its CPU
and the resident size of the mapped files (``/proc/self/smaps``).

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/table_opens.py --reps 5 \\
        --python /tmp/base/python --python /tmp/branch/python
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess

#: The tables a run over the 181 Zyte pages opens (the languages of its pages and warm-up).
LANGUAGES = ("de", "en", "es", "fr", "id", "it", "pt", "ru")

CHILD = """
import json, resource, sys, time
from newsetl import simplemma_cache
from newsetl.text import lexdata
langs = sys.argv[1].split(",")
t = time.process_time()
for lang in langs:
    lexdata.frequency_table(lang, "best")
    simplemma_cache.dictionary(lang)
cpu = time.process_time() - t
rss = 0
maps = open("/proc/self/smaps").read().split("\\n")
for i, line in enumerate(maps):
    if line.endswith((".lexdata", ".smap")):
        rss += next(int(x.split()[1]) for x in maps[i + 1 : i + 20] if x.startswith("Rss:"))
print(json.dumps({"cpu_s": cpu, "mapped_rss_mb": rss / 1024}))
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--python", action="append", required=True)
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args()
    results: dict[str, list[dict]] = {py: [] for py in args.python}
    for rep in range(args.reps + 1):  # round 0: untimed (files into the page cache)
        for py in args.python:
            out = subprocess.run(
                [py, "-c", CHILD, ",".join(LANGUAGES)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            row = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"round {rep} {py}: {row}", flush=True)
            if rep:
                results[py].append(row)
    for py, rows in results.items():
        cpu = statistics.median(r["cpu_s"] for r in rows)
        rss = statistics.median(r["mapped_rss_mb"] for r in rows)
        print(f"median {py}: cpu {cpu:.3f} s, mapped rss {rss:.1f} MB")


if __name__ == "__main__":
    main()
