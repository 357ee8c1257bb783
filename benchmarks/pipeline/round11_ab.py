"""Round 11 (a worker's CPU per page) in one process: the analyses' first pass over the pages,
as a fresh pool worker meets them, with main's word lookups and with this branch's,
alternating.

Why: a pool worker inherits the fork server's caches as the warm-up left them, so its first
pages pay a cache miss for most words (``stage_costs.py``: rows + entities 11.8 ms a page on
the first pass, 7.3 on the second); each worker pays that for itself. This round makes the
misses cheaper, which two ``stage_costs.py`` runs on the shared machine cannot tell apart
from the load, so the two versions run here alternately in one warm process. Before each
timed pass every word cache the analyses fill is emptied (``newsetl.entities``,
``newsetl.artefacts``, ``newsetl.text.lexdata``; the caches of a few entries that hold loaded data
are kept, as the fork server's warm-up leaves them) and the simplemma maps the warm-up did not
open are closed again.

"main" swaps back, in this process, what the branch changed (read from the ``--base``
checkout's files): ``lexdata.zipf_frequency``, ``artefacts.lexicon.profile``, the simplemma
map's list of block keys and ``entities.text.strip_accents``. Also swapped: ``language.identify_language`` and ``uses_short_text_models`` (main's module,
with main's ``langdetect_fast``). Timed: the language identification of every page's sample
(as ``extract_and_identify`` in a worker: the short-text test, then the guess), and
``analyse_batch`` with repair and entities over every extracted page, first pass (cold word
caches) and second pass. "same output" compares every guess and every row of both versions'
batches (timestamps left out).

Run (from the repository root; ``/tmp/base`` a checkout of main)::

    .venv/bin/python benchmarks/pipeline/round11_ab.py --base /tmp/base [--rounds 5] [PAGES_DIR]
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from basecode import alternate, module_from
from cli_vs_trafilatura import DEFAULT_PAGES

#: caches of at most this many entries hold loaded data (word lists, models), not words
_DATA_CACHE_MAX = 64


def word_caches() -> list:
    """Every ``lru_cache`` of the analyses' modules that caches per word."""
    found = []
    for name, module in list(sys.modules.items()):
        if not name.startswith(("newsetl.entities", "newsetl.artefacts", "newsetl.text")):
            continue
        for value in list(vars(module).values()):
            info = getattr(value, "cache_info", None)
            if info is None or getattr(value, "__module__", None) != name:
                continue
            size = info().maxsize
            if size is None or size > _DATA_CACHE_MAX:
                found.append(value)
    return found


def analysed_twice(items: list, options) -> tuple[float, float, str]:
    """CPU seconds of a first (cold caches, as the caller left them) and a second pass of the
    analyses over ``items``, and the first pass's rows (:func:`scrubbed`)."""
    from newsetl import pipeline

    t = time.process_time()
    batch, _ = pipeline.analyse_batch(items, "b", options)
    first = time.process_time() - t
    t = time.process_time()
    pipeline.analyse_batch(items, "b", options)
    return first, time.process_time() - t, scrubbed(batch)


def scrubbed(batch) -> str:
    def row(r: dict) -> dict:
        return {k: "T" if isinstance(v, datetime | date) else v for k, v in r.items()}

    return repr(
        (
            {t: [row(r) for r in rows] for t, rows in sorted(batch.tables.items())},
            sorted(batch.extras.items()),
        )
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--base", type=Path, required=True, help="a checkout of main")
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    files = sorted(f for f in args.pages.iterdir() if f.name.endswith((".html", ".html.gz")))
    bodies = [
        gzip.decompress(f.read_bytes()) if f.suffix == ".gz" else f.read_bytes() for f in files
    ]

    from newsetl import language, pipeline, simplemma_cache, stages
    from newsetl.artefacts import lexicon
    from newsetl.downloads import FetchResult
    from newsetl.entities import text
    from newsetl.sources import Target
    from newsetl.text import lexdata

    for stage in stages.STAGES:
        stage.warm_up()
    opened = set(simplemma_cache._loaded)

    base = args.base / "src/newsetl"
    main_lexdata = module_from(base / "lexdata.py", "newsetl._main_lexdata")
    main_lexicon = module_from(base / "artefacts/lexicon.py", "newsetl.artefacts._main_lexicon")
    main_text = module_from(base / "entities/text.py", "newsetl.entities._main_text")
    main_language = module_from(base / "language.py", "newsetl._main_language")
    main_language._lingua_detector = language._lingua()  # one lingua for both
    main_language.FastDetector = module_from(
        base / "langdetect_fast.py", "newsetl._main_langdetect_fast"
    ).FastDetector
    branch = {
        "zipf_frequency": lexdata.zipf_frequency,
        "profile": lexicon.profile,
        "byte_strings": simplemma_cache._byte_strings,
        "strip_accents": text.strip_accents,
        "identify": language.identify_language,
        "short": language.uses_short_text_models,
    }
    main_paths = {
        "zipf_frequency": main_lexdata.zipf_frequency,
        "profile": main_lexicon.profile,
        "byte_strings": lambda offsets, blob: list(simplemma_cache._BytesSeq(offsets, blob)),
        "strip_accents": main_text.strip_accents,
        "identify": main_language.identify_language,
        "short": main_language.uses_short_text_models,
    }

    def use(paths: dict) -> None:
        lexdata.zipf_frequency = paths["zipf_frequency"]
        lexicon.profile = paths["profile"]
        simplemma_cache._byte_strings = paths["byte_strings"]
        text.strip_accents = paths["strip_accents"]
        pipeline.identify_language = paths["identify"]
        pipeline.uses_short_text_models = paths["short"]

    now = datetime.now(UTC)
    items = []
    for f, body in zip(files, bodies, strict=True):
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
    n = len(items)
    options = pipeline.AnalysisOptions(repair=True, entities=True)

    def cold() -> None:
        for cached in word_caches():
            cached.cache_clear()
        for code in set(simplemma_cache._loaded) - opened:
            del simplemma_cache._loaded[code]

    samples = [
        pipeline.analysed_text(item.page.text, pipeline.DEFAULT_MAX_TEXT_CHARS) for item in items
    ]

    def run() -> tuple[float, float, float, str]:
        t = time.process_time()
        guesses = [
            (pipeline.uses_short_text_models(sample), pipeline.identify_language(sample))
            for sample in samples
        ]
        identify = time.process_time() - t
        cold()
        first, second, rows = analysed_twice(items, options)
        return identify, first, second, repr(guesses) + rows

    alternate(
        run,
        use,
        main_paths,
        branch,
        args.rounds,
        ("language identification", "analyses, first pass", "analyses, second pass"),
        n,
    )


if __name__ == "__main__":
    main()
