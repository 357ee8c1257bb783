"""µs/page of the content SimHash: trafilatura's ``Simhash`` against ``content_fingerprint``.

The texts are what ``extract_page`` hashes (its normalised main text) on the Zyte pages. Both
functions keep a per-token cache, so two numbers are printed: "cold" clears the caches before
every pass (each page's tokens are new), "warm" keeps them (a long-running worker). The two
results are also checked to be equal on every page.

    .venv/bin/python benchmarks/pipeline/fingerprint_speed.py [--pages DIR] [--reps 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from trafilatura.deduplication import Simhash, _vector_to_add

from newsetl.extract import ExtractionError, extract_page, normalise_text_for_hash
from newsetl.fingerprint import _token_spread, content_fingerprint

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from pipeline_corpus import load_corpus  # noqa: E402

REPO = HERE.parents[1]
DEFAULT_PAGES = REPO.parent / "shared/benchmarks/extraction/zyte-article-extraction-benchmark"


def trafilatura_simhash(text: str) -> int:
    return Simhash(text).hash


def normalised_texts(pages_dir: Path) -> list[str]:
    texts = []
    for page in load_corpus(pages_dir).pages:
        try:
            texts.append(normalise_text_for_hash(extract_page(page.body, page.url).text))
        except ExtractionError:
            continue
    return texts


def time_pass(
    fn: Callable[[str], int], texts: list[str], clear: Callable[[], None] | None
) -> float:
    """µs per text for one pass over all texts."""
    if clear:
        clear()
    start = time.perf_counter()
    for text in texts:
        fn(text)
    return (time.perf_counter() - start) / len(texts) * 1e6


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--reps", type=int, default=7)
    args = p.parse_args()
    texts = normalised_texts(args.pages)
    mismatches = sum(content_fingerprint(t) != Simhash(t).hash for t in texts)
    print(f"{len(texts)} texts, {mismatches} fingerprint mismatches")
    candidates = {
        "trafilatura Simhash": (trafilatura_simhash, _vector_to_add.cache_clear),
        "content_fingerprint": (content_fingerprint, _token_spread.cache_clear),
    }
    for mode in ("cold", "warm"):
        # alternate the candidates so machine noise hits both alike
        times: dict[str, list[float]] = {name: [] for name in candidates}
        for _ in range(args.reps):
            for name, (fn, clear) in candidates.items():
                times[name].append(time_pass(fn, texts, clear if mode == "cold" else None))
        for name, values in times.items():
            print(
                f"{mode:4} {name:20} median {statistics.median(values):8.1f} µs/page"
                f"  (min {min(values):.1f}, {args.reps} passes)"
            )


if __name__ == "__main__":
    main()
