"""Round 13 (ld13): CPU of ``language.langdetect_probabilities`` over the Zyte pages' language
samples, main's checkout against this one, one process each, interleaved.

Why one process each: main's ``newsetl.langdetect_fast`` and this branch's would share
langdetect's module state in one process; a child per measurement imports one checkout's
code (its own venv's ``python``), loads the profiles untimed, then times ``--passes`` passes
over the samples (``time.process_time``) and prints each pass's CPU and a digest of every
probability. The parent extracts the texts once (this checkout's extraction), writes the
samples (``language.language_sample``) to a temporary file, and runs the children
alternately, ``--rounds`` rounds, the order swapped each round; ms of CPU per pass (median
and min of every pass) and whether the digests agree. ``--repair``: the repair stage's
call instead, ``langdetect_fast.detect_langs`` of each page's first 3,000 characters.

Run (from the repository root; ``/tmp/base13`` a checkout of main with its venv)::

    .venv/bin/python benchmarks/pipeline/ld13_cpu.py --base /tmp/base13 [--rounds 6] [--passes 3] [--repair]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from basecode import page_texts
from cli_vs_trafilatura import DEFAULT_PAGES

CHILD = """
import hashlib, json, sys, time
from langdetect import DetectorFactory
from newsetl.language import langdetect_probabilities
from newsetl.langdetect_fast import detect_langs
samples = json.load(open(sys.argv[1], encoding="utf-8"))
langdetect_probabilities(samples[0])  # the profiles, untimed
DetectorFactory.seed = 0
if sys.argv[3] == "repair":
    def ask(text):
        try:
            return [(x.lang, x.prob) for x in detect_langs(text)]
        except Exception as error:
            return str(error)
else:
    ask = langdetect_probabilities
times, digest = [], hashlib.sha256()
for k in range(int(sys.argv[2])):
    start = time.process_time()
    out = [ask(s) for s in samples]
    times.append(time.process_time() - start)
    if k == 0:
        digest.update(repr(out).encode())
print(json.dumps({"times": times, "digest": digest.hexdigest()}))
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--base", type=Path, required=True, help="a checkout of main with .venv")
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--passes", type=int, default=3)
    p.add_argument("--repair", action="store_true", help="detect_langs of 3,000 characters")
    args = p.parse_args()
    from newsetl.language import language_sample

    _, texts = page_texts(args.pages)
    if args.repair:
        samples = [t[:3000] for t in texts]
    else:
        samples = [s for s in map(language_sample, texts) if s]
    mode = "repair" if args.repair else "identify"
    pythons = {"main": args.base / ".venv/bin/python", "branch": Path(sys.executable)}
    results: dict[str, list[float]] = {"main": [], "branch": []}
    digests: dict[str, set[str]] = {"main": set(), "branch": set()}
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as f:
        json.dump(samples, f)
        f.flush()
        for k in range(args.rounds):
            order = ["main", "branch"] if k % 2 == 0 else ["branch", "main"]
            for name in order:
                cmd = [str(pythons[name]), "-c", CHILD, f.name, str(args.passes), mode]
                out = json.loads(subprocess.run(cmd, check=True, capture_output=True).stdout)
                results[name] += out["times"]
                digests[name].add(out["digest"])
    print(f"{len(samples)} samples, {args.rounds} rounds x {args.passes} passes, ms CPU a pass")
    for name, times in results.items():
        ms = [1000 * t for t in times]
        print(f"  {name:<7} median {statistics.median(ms):7.1f}  min {min(ms):7.1f}")
    same = len(digests["main"]) == 1 and digests["main"] == digests["branch"]
    print("same probabilities:", same)


if __name__ == "__main__":
    main()
