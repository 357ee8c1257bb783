"""How often each quality flag fires on real news pages, and on which (for reading, not tuning).

Pages (read from ``../shared/benchmarks/``, never copied): the Zyte article-extraction set (181
English pages) and the Fundus parser fixtures (258 pages, 41 countries). These are full
articles as their benchmarks' authors saw them, so ``teaser``/``truncated`` there are mostly
false flags (or pages whose extraction really is partial: compare with the gold body), while
``paywall`` should match publishers that mark paid content.

    uv run python benchmarks/metadata/flag_rates.py [--show FLAG]
"""

from __future__ import annotations

import argparse
import csv
import gzip
from collections import Counter
from pathlib import Path

from newsetl.extract import ExtractionError, extract_page

REPO = Path(__file__).resolve().parents[2]
EXTRACTION = REPO.parent / "shared" / "benchmarks" / "extraction"


def pages() -> list[tuple[str, bytes, str]]:
    out = []
    zyte = EXTRACTION / "zyte-article-extraction-benchmark" / "html"
    for path in sorted(zyte.glob("*.html.gz")):
        out.append(
            ("zyte", gzip.decompress(path.read_bytes()), f"https://zyte.invalid/{path.name}")
        )
    fundus = EXTRACTION / "fundus-parser-testdata"
    with (fundus / "manifest.tsv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            out.append(
                ("fundus", gzip.decompress((fundus / row["html_file"]).read_bytes()), row["url"])
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", help="print the pages (and evidence) of this flag")
    args = parser.parse_args()
    counts: Counter = Counter()
    totals: Counter = Counter()
    for data_set, body, url in pages():
        try:
            page = extract_page(body, url)
        except ExtractionError:
            continue
        totals[data_set] += 1
        for flag in page.quality:
            counts[(data_set, flag)] += 1
            if flag == args.show:
                print(data_set, url, page.quality[flag])
    for data_set in sorted(totals):
        flags = {f: n for (d, f), n in sorted(counts.items()) if d == data_set}
        print(f"{data_set}: {totals[data_set]} pages extracted; flags: {flags}")


if __name__ == "__main__":
    main()
