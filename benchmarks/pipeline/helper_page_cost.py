"""What a page costs the spine's early extraction helper, and what it leaves to a pool worker.

Why: the spine's helper (round 13, :mod:`newsetl.earlyextract`) extracts without language
models (:func:`newsetl.pipeline.extract_in_helper`) and a pool worker then identifies the
page's language (:func:`newsetl.pipeline.identify_in_worker`, a job of its own). A page the
helper takes saves the workers its extraction and costs them its identification: this says
both, in CPU of one process (the spine's warm-up done first, as the fork server does), and
checks that the worker's guess of the helper's page is the guess ``extract_in_worker`` makes.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/helper_page_cost.py [PAGES_DIR]

PAGES_DIR defaults to the Zyte pages (decompressed to a temporary directory).
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
import time
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES, plain_pages


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    args = p.parse_args()
    from newsetl.pipeline import extract_in_helper, extract_in_worker, identify_in_worker
    from newsetl.stages import warm_up
    from newsetl.textcap import DEFAULT_MAX_TEXT_CHARS, analysed_text

    warm_up(False)  # the spine's fork server's warm-up
    with tempfile.TemporaryDirectory(prefix="newsetl-helper-cost-") as tmp:
        files = sorted(plain_pages(args.pages, Path(tmp) / "pages", None).glob("*.html"))
        jobs = [
            (f.read_bytes(), f"file://{f}", None, 0, None, DEFAULT_MAX_TEXT_CHARS) for f in files
        ]
    t = time.process_time()
    helped = [extract_in_helper(*job) for job in jobs]
    extraction = time.process_time() - t
    pages = [out[0] for out in helped if out[0] is not None]
    samples = [
        (analysed_text(page.text, DEFAULT_MAX_TEXT_CHARS), page.declared_language, 0)
        for page in pages
    ]
    t = time.process_time()
    guesses = [identify_in_worker([sample])[0] for sample in samples]
    identification = time.process_time() - t
    t = time.process_time()
    worker = [extract_in_worker(*job) for job in jobs]
    both = time.process_time() - t
    same = guesses == [out[1] for out in worker if out[0] is not None]
    size = sum(len(pickle.dumps([sample])) for sample in samples) / len(samples)
    print(
        f"{len(jobs)} pages: the helper's extraction {extraction / len(jobs) * 1000:.1f} ms a page,"
        f" the worker's identification {identification / len(samples) * 1000:.2f} ms a page"
        f" ({size / 1024:.1f} KiB of argument), a worker's extraction and identification"
        f" {both / len(jobs) * 1000:.1f} ms a page; the worker's guesses of the helper's pages"
        f" are extract_in_worker's: {same}"
    )


if __name__ == "__main__":
    main()
