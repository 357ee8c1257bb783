"""Round 8 (per-page CPU) in one process: a worker's page with main's code paths and with
this branch's, alternating, on the same pages.

Why: on the shared machine two ``stage_costs.py`` runs of one checkout differ by more than
the ~3 ms a page this round saves; alternating the two versions inside one warm process
measures the difference itself. "main" swaps back, in this process, what round 8 changed:
lxml.html's Python class lookup on trafilatura's parser, main's ``paywall_evidence`` and
entity tokenizer (read from the ``--base`` checkout's files), langdetect's own ``Detector``.
Timed: ``extract_and_identify`` (extraction and language, as a pool worker runs it) and
``extract_entities`` on each page's text (warm caches).

Run (from the repository root; ``/tmp/base`` a checkout of main)::

    .venv/bin/python benchmarks/pipeline/round8_ab.py --base /tmp/base [--rounds 4] [PAGES_DIR]
"""

from __future__ import annotations

import argparse
import gzip
import time
from datetime import UTC, datetime
from pathlib import Path

from basecode import module_from
from cli_vs_trafilatura import DEFAULT_PAGES


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--base", type=Path, required=True, help="a checkout of main")
    p.add_argument("--rounds", type=int, default=4)
    args = p.parse_args()
    files = sorted(f for f in args.pages.iterdir() if f.name.endswith((".html", ".html.gz")))
    bodies = [
        gzip.decompress(f.read_bytes()) if f.suffix == ".gz" else f.read_bytes() for f in files
    ]

    import lxml.html
    from langdetect.detector import Detector
    from trafilatura.utils import HTML_PARSER

    from newsetl import htmlclasses, language, quality
    from newsetl.entities import extract as entities
    from newsetl.pipeline import extract_and_identify

    base = args.base / "src/newsetl"
    main_quality = module_from(base / "quality.py", "main_quality")
    main_text = module_from(base / "entities/text.py", "main_text")
    branch = {
        "lookup": htmlclasses.native_lookup(),
        "paywall": quality.paywall_evidence,
        "tokenize": entities.tokenize,
        "detector": language.FastDetector,
    }
    main_paths = {
        "lookup": lxml.html.HtmlElementClassLookup(),
        "paywall": main_quality.paywall_evidence,
        "tokenize": main_text.tokenize,
        "detector": Detector,
    }

    def use(paths: dict) -> None:
        HTML_PARSER.set_element_class_lookup(paths["lookup"])
        quality.paywall_evidence = paths["paywall"]
        entities.tokenize = paths["tokenize"]
        language.FastDetector = paths["detector"]

    now = datetime.now(UTC)
    urls = [f"http://bench.invalid/{f.name.split('.')[0]}" for f in files]
    n = len(bodies)

    def run() -> tuple[float, float, list]:
        t = time.process_time()
        outcomes = [
            extract_and_identify(b, u, None, 0, now) for b, u in zip(bodies, urls, strict=True)
        ]
        extraction = time.process_time() - t
        t = time.process_time()
        found = [
            entities.extract_entities(page.text, guess.language)
            for page, guess, _, _ in outcomes
            if page is not None
        ]
        return extraction, time.process_time() - t, [(o[0], o[1]) for o in outcomes] + found

    use(branch)
    run()  # warm-up: word lists, models, caches
    results: dict[str, list[tuple[float, float]]] = {"main": [], "branch": []}
    outputs = {}
    for _ in range(args.rounds):
        for name, paths in (("main", main_paths), ("branch", branch)):
            use(paths)
            extraction, found, output = run()
            results[name].append((extraction, found))
            outputs[name] = repr(output)
    print(f"{n} pages, {args.rounds} alternating rounds, ms CPU per page (median, min)")
    for name, rows in results.items():
        for k, label in ((0, "extract_and_identify"), (1, "extract_entities (warm)")):
            values = sorted(1000 * r[k] / n for r in rows)
            print(f"  {name:<7} {label:<26} {values[len(values) // 2]:7.2f} {values[0]:7.2f}")
    print("same output:", outputs["main"] == outputs["branch"])


if __name__ == "__main__":
    main()
