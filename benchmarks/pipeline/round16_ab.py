"""Round 16 (ent16: the analyses' CPU) in one process: main's code paths and this branch's,
alternating, over the pages' analyses as a fresh pool worker meets them.

Why: the machine is shared and two ``stage_costs.py`` runs differ by more than these changes,
so (as ``round12_ab.py``) both versions run alternately in one warm process, each first pass
after every per-word cache of the analyses is emptied (``round11_ab.py``'s ``word_caches``)
and with the collector's state frozen as a pool worker inherits it (``gc.freeze``).

"main" puts back, in this process, main's version of each function this round changed (read
from the ``--base`` checkout with ``basecode.module_from``, bound wherever the branch's is
looked up): see :data:`SWAPPED`. Timed: ``analyse_batch`` with repair and entities over every
extracted page, first pass (cold word caches) and second pass. "same output" compares every
row of both versions' batches (timestamps left out).

Run (from the repository root; ``/tmp/base`` a checkout of main)::

    .venv/bin/python benchmarks/pipeline/round16_ab.py --base /tmp/base [--rounds 5] [PAGES_DIR]
"""

from __future__ import annotations

import argparse
import gc
import gzip
import importlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from basecode import alternate, module_from
from cli_vs_trafilatura import DEFAULT_PAGES
from round11_ab import analysed_twice, word_caches

#: (file under src/newsetl, what main's module defines, where the branch's is bound:
#: "module:attribute" or "module:Class.attribute")
SWAPPED: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "entities/ids.py",
        "group_key",
        (
            "newsetl.entities.ids:group_key",
            "newsetl.entities.extract:group_key",
            "newsetl.entities.store:group_key",
        ),
    ),
    (
        "entities/extract.py",
        "_Doc.match_datelines",
        ("newsetl.entities.extract:_Doc.match_datelines",),
    ),
    ("entities/extract.py", "_Doc.__init__", ("newsetl.entities.extract:_Doc.__init__",)),
    (
        "entities/extract.py",
        "_Doc._check_headlines",
        ("newsetl.entities.extract:_Doc._check_headlines",),
    ),
    (
        "entities/extract.py",
        "_Doc._compute_all_joined",
        ("newsetl.entities.extract:_Doc._compute_all_joined",),
    ),
    ("entities/extract.py", "_Doc._runs", ("newsetl.entities.extract:_Doc._runs",)),
    (
        "entities/extract.py",
        "_headline_mentions",
        ("newsetl.entities.extract:_headline_mentions",),
    ),
    ("entities/guard.py", "junk_lines", ("newsetl.entities.guard:junk_lines",)),
    ("artefacts/core.py", "language_map", ("newsetl.artefacts.core:language_map",)),
    ("artefacts/rules.py", "_NO_SPACE_AT_QUOTE", ("newsetl.artefacts.rules:_NO_SPACE_AT_QUOTE",)),
)


def _get(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def _set(site: str, value: Any) -> None:
    module_name, _, dotted = site.partition(":")
    owner, _, attr = dotted.rpartition(".")
    target = importlib.import_module(module_name)
    setattr(_get(target, owner) if owner else target, attr, value)


def paths(base: Path | None) -> dict[str, Any]:
    """site -> value: main's (``base``) or the branch's (None) version of every swapped name."""
    out = {}
    for k, (file, name, sites) in enumerate(SWAPPED):
        if base is None:
            module_name, _, dotted = sites[0].partition(":")
            value = _get(importlib.import_module(module_name), dotted)
        else:
            package = "newsetl." + file.rsplit("/", 1)[0]
            module = module_from(base / "src/newsetl" / file, f"{package}._main16_{k}")
            value = _get(module, name)
        for site in sites:
            out[site] = value
    return out


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
    from newsetl.downloads import FetchResult
    from newsetl.sources import Target

    for stage in stages.STAGES:
        stage.warm_up()
    branch_paths = paths(None)
    main_paths = paths(args.base)

    def use(chosen: dict[str, Any]) -> None:
        for site, value in chosen.items():
            _set(site, value)

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
    options = pipeline.AnalysisOptions(repair=True, entities=True)
    gc.freeze()  # as the fork server leaves a pool worker

    def run() -> tuple[float, float, str]:
        for cached in word_caches():
            cached.cache_clear()
        return analysed_twice(items, options)

    alternate(
        run,
        use,
        main_paths,
        branch_paths,
        args.rounds,
        ("analyses, first pass", "analyses, second pass"),
        len(items),
    )


if __name__ == "__main__":
    main()
