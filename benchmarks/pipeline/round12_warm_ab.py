"""Round 12: what the commonest English words' evidence computed in the warm-up saves the
pool's workers, in one process, with and without it, alternating.

Why: the fork server's warm-up (``artefacts.core.warm_up``) now computes ``lean_of("en")`` of
``lexicon.common_words("en")`` once, and each worker inherits it instead of missing on those
words on its first pages. A run has three workers, each starting from the warm-up's caches:
here each "worker" is 60 of the Zyte pages' analyses (repair and entities), run after every
per-word cache is emptied (``round11_ab.py``'s ``word_caches``) and the warm-up's state
rebuilt (the warm-up sentences analysed, then, with the words, their evidence computed: timed
as the warm-up's cost).

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/round12_warm_ab.py [--rounds 6] [PAGES_DIR]
"""

from __future__ import annotations

import argparse
import gzip
import time
from datetime import UTC, datetime
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES
from round11_ab import word_caches


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--per-worker", type=int, default=60)
    args = p.parse_args()

    from newsetl import pipeline, stages
    from newsetl.artefacts import analyse, foreign, lexicon
    from newsetl.downloads import FetchResult
    from newsetl.entities import extract_entities
    from newsetl.sources import Target
    from newsetl.workers import _WARM_TEXTS

    for stage in stages.STAGES:
        stage.warm_up()
    files = sorted(f for f in args.pages.iterdir() if f.name.endswith((".html", ".html.gz")))
    now = datetime.now(UTC)
    items = []
    for f in files:
        body = gzip.decompress(f.read_bytes()) if f.suffix == ".gz" else f.read_bytes()
        url = f"http://bench.invalid/{f.name.split('.')[0]}"
        page, guess, _, _ = pipeline.extract_and_identify(body, url, None, 0, now)
        if page is None:
            continue
        fetch = FetchResult(url=url, final_url=url, status_code=200, outcome="ok", body=body)
        items.append(
            pipeline.Processed(
                Target(url, "bench"), fetch, "bench", page, guess.language, guess.confidence, guess
            )
        )
    options = pipeline.AnalysisOptions(repair=True, entities=True)
    words = lexicon.common_words("en")

    def warm(with_words: bool) -> float:
        for cached in word_caches():
            cached.cache_clear()
        for language, text in _WARM_TEXTS.items():
            analyse(text, language)
            extract_entities(text, language)
        t = time.process_time()
        if with_words:
            lean = foreign.lean_of("en")
            for word in words:
                lean(word)
        return time.process_time() - t

    step = args.per_worker
    results: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for k in range(args.rounds):
        for with_words in (True, False) if k % 2 == 0 else (False, True):
            cost = warm(with_words)
            total = 0.0
            for start in range(0, len(items), step):
                if start:
                    warm(with_words)
                t = time.process_time()
                pipeline.analyse_batch(items[start : start + step], "b", options)
                total += time.process_time() - t
            results[with_words].append((cost, total))
    print(f"{len(items)} pages, workers of {step} pages, {args.rounds} alternating rounds (CPU s)")
    for with_words, rows in results.items():
        totals = sorted(r[1] for r in rows)
        costs = sorted(r[0] for r in rows)
        label = f"with the {len(words)} words" if with_words else "without"
        print(
            f"  {label:<22} workers' first pages: median {totals[len(totals) // 2]:.3f}, "
            f"min {totals[0]:.3f}; warm-up's words {costs[len(costs) // 2]:.3f}"
        )


if __name__ == "__main__":
    main()
