"""Entity extraction speed on the 181 Zyte article bodies (ground truth, ~4,500 characters).

    .venv/bin/python benchmarks/entities/speed.py [--reps 3]

An untimed warm-up loads what the process pool's fork server loads before it forks a worker
(``newsetl.workers.warm_up``: gazetteer, word lists, given names) and makes one call; then each
repetition times one pass over all bodies (language "en", as the pipeline passes the detected language), in CPU time. The
first pass is the honest number: later passes find the per-word caches of the first one warm,
which new pages in a real run would not.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from newsetl.entities import extract_entities
from newsetl.workers import warm_up

ZYTE = Path(__file__).resolve().parents[2].parent / (
    "shared/benchmarks/extraction/zyte-article-extraction-benchmark/ground-truth.json"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    bodies = [item.get("articleBody") or "" for item in json.loads(ZYTE.read_text()).values()]
    warm_up(analysis=True)  # as a worker starts: the gazetteer may come from the disk cache
    extract_entities(bodies[0], "en")
    times = []
    for _ in range(args.reps):
        started = time.process_time()
        for body in bodies:
            extract_entities(body, "en")
        times.append((time.process_time() - started) / len(bodies) * 1000)
    print(
        f"{len(bodies)} bodies, {sum(map(len, bodies)) / len(bodies):.0f} chars on average: "
        f"first pass {times[0]:.1f} ms CPU per page; later passes (warm word caches) "
        f"{', '.join(f'{t:.1f}' for t in times[1:])}"
    )


if __name__ == "__main__":
    main()
