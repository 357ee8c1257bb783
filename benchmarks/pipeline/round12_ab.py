"""Round 12 (the analyses' CPU) in one process: main's code paths and this branch's,
alternating, over the pages' analyses as a fresh pool worker meets them.

Why: two ``stage_costs.py`` runs on the shared machine differ by more than this round's
changes, so (as ``round11_ab.py``) both versions run alternately in one warm process. Before
each timed first pass every per-word cache of the analyses is emptied (``round11_ab.py``'s
``word_caches``), as a fresh worker has them.

"main" swaps back, in this process: ``entities.guard._is_junk`` (every known-word lookup of a
line counted) and ``entities.extract._known_word`` (read from the ``--base`` checkout), and
``artefacts.language.detect_language`` (langdetect's own detector). Timed: ``analyse_batch``
with repair and entities over every extracted page, first pass (cold word caches) and second
pass; and the repair stage's own language detection (``detect_language``) on every page's
text, as the stage calls it when the identification left the language unsettled. "same
output" compares every row of both versions' batches (timestamps left out) and every
detected language.

Run (from the repository root; ``/tmp/base`` a checkout of main)::

    .venv/bin/python benchmarks/pipeline/round12_ab.py --base /tmp/base [--rounds 5] [PAGES_DIR]
"""

from __future__ import annotations

import argparse
import gzip
import time
from datetime import UTC, datetime
from pathlib import Path

from basecode import alternate, module_from
from cli_vs_trafilatura import DEFAULT_PAGES
from round11_ab import analysed_twice, word_caches
from round12_same import main_known_word


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

    from newsetl import pipeline, stages
    from newsetl.artefacts import language as artefacts_language
    from newsetl.downloads import FetchResult
    from newsetl.entities import extract, guard
    from newsetl.sources import Target

    for stage in stages.STAGES:
        stage.warm_up()

    base = args.base / "src/newsetl"
    main_guard = module_from(base / "entities/guard.py", "newsetl.entities._main_guard")
    main_langid = module_from(base / "artefacts/language.py", "newsetl.artefacts._main_language")

    branch = {
        "is_junk": guard._is_junk,
        "known_word": extract._known_word,
        "detect": artefacts_language.detect_language,
    }
    main_paths = {
        "is_junk": main_guard._is_junk,
        "known_word": main_known_word,
        "detect": main_langid.detect_language,
    }

    def use(paths: dict) -> None:
        guard._is_junk = paths["is_junk"]
        extract._known_word = paths["known_word"]
        artefacts_language.detect_language = paths["detect"]

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
    texts = [
        pipeline.analysed_text(item.page.text, pipeline.DEFAULT_MAX_TEXT_CHARS) for item in items
    ]

    def run() -> tuple[float, float, float, str]:
        t = time.process_time()
        detected = [artefacts_language.detect_language(text) for text in texts]
        detect = time.process_time() - t
        for cached in word_caches():
            cached.cache_clear()
        first, second, rows = analysed_twice(items, options)
        return detect, first, second, repr(detected) + rows

    alternate(
        run,
        use,
        main_paths,
        branch,
        args.rounds,
        ("repair's detect_language", "analyses, first pass", "analyses, second pass"),
        n,
    )


if __name__ == "__main__":
    main()
