"""What the gazetteer costs each worker process, and what its small towns find.

Prints the build time of the gazetteer (seed CSVs, German case forms, geonames cities and small
towns, Faker's given names and surnames), the number of keys and entities, and the resident
memory before and after; with ``--towns`` also every small-town ("minor") match on the Zyte
article bodies from ``../shared/benchmarks/extraction`` for a by-eye precision check.

Run: ``.venv/bin/python benchmarks/entities/gazetteer_cost.py [--towns]``
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
from collections import Counter
from pathlib import Path

ZYTE = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "benchmarks"
    / "extraction"
    / "zyte-article-extraction-benchmark"
)


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--towns", action="store_true", help="list small-town matches on Zyte")
    args = parser.parse_args(argv)

    import newsetl.entities.extract  # noqa: F401  (imports, so they are not counted below)
    from newsetl.entities.gazetteer import build_gazetteer
    from newsetl.entities.names import first_names, last_names

    before = rss_mb()
    t0 = time.perf_counter()
    gaz = build_gazetteer()
    first_names()
    last_names()
    elapsed = time.perf_counter() - t0
    gc.collect()
    after = rss_mb()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    minor = sum(1 for aliases in gaz.by_key.values() for a in aliases if a.minor)
    print(
        f"gazetteer build {elapsed:.2f} s (incl. given names and surnames): {len(gaz.by_key)} keys,"
        f" {len(gaz.entities)} entities ({minor} small towns); RSS {before:.0f} -> {after:.0f} MB"
        f" (+{after - before:.0f} MB), peak {peak:.0f} MB"
    )
    if not args.towns:
        return 0
    truth = ZYTE / "ground-truth.json"
    if not truth.exists():
        print(f"missing {truth}", file=sys.stderr)
        return 2
    from newsetl.entities import extract_entities

    minor_ids = {a.entity_id for aliases in gaz.by_key.values() for a in aliases if a.minor}
    found: Counter[str] = Counter()
    for page in json.loads(truth.read_text(encoding="utf-8")).values():
        text = page.get("articleBody") or ""
        for ent in extract_entities(text, "en").entities:
            if ent.canonical_id in minor_ids:
                for m in ent.mentions:
                    found[m.surface] += 1
                    context = text[max(0, m.start - 50) : m.end + 30].replace("\n", " ")
                    print(f"  {m.surface:<22} …{context}…")
    print(f"{sum(found.values())} small-town mentions, {len(found)} names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
