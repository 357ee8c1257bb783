"""What the safe rel=canonical rule costs on real pages (issue 10, canonical hijack).

``newsetl.urls.accepted_canonical`` accepts a page's canonical only when it names the same page
on the same registered domain (modulo scheme, www./m./amp. host labels, trailing slash, /amp and
dropped query parameters). On pages that are not attacks every canonical is the publisher's own
claim, so each one the rule refuses is a merge the old rule would have made and this one does not
(the page is kept under its own URL; identical texts are still merged by the content hash).

Data: htmldate's evaluation set (1000 real pages with the URLs they were fetched from), read from
``../shared/benchmarks/dates/htmldate-eval`` relative to the repository root (never copied here).
Split by the parity of sha1(url): ``dev`` (even) may be read while changing the rule, ``test``
(odd) is only counted.

    uv run python benchmarks/fetch/canonical_rule.py [--show dev]
"""

from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import json
from pathlib import Path

from trafilatura.utils import load_html

from newsetl.extract import decode_html, read_head_signals
from newsetl.urls import accepted_canonical, normalise_url, same_site

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "benchmarks" / "dates" / "htmldate-eval"


def pages() -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    for name in ("eval_default.json", "eval_mediacloud_2020.json"):
        for url, entry in json.loads((DATA / name).read_text(encoding="utf-8")).items():
            found.append((url, DATA / "pages" / f"{entry['file']}.gz"))
    return found


def split_of(url: str) -> str:
    return "dev" if hashlib.sha1(url.encode()).digest()[-1] % 2 == 0 else "test"


def classify(url: str, html_path: Path) -> tuple[str, str | None]:
    own = normalise_url(url)
    html, _charset = decode_html(gzip.decompress(html_path.read_bytes()))
    tree = load_html(html)
    if tree is None:
        return "unparseable", None
    declared = read_head_signals(tree, own).get("canonical_url")
    if not declared:
        return "no canonical", None
    if declared == own:
        return "canonical = own URL", declared
    if accepted_canonical(declared, [own], local=False):
        return "accepted: another rendering of the page", declared
    if not same_site(declared, own):
        return "refused: another site", declared
    return "refused: another page of the same site", declared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", choices=["dev"], help="print the dev split's refusals")
    args = parser.parse_args()
    counts: dict[str, collections.Counter] = {
        "dev": collections.Counter(),
        "test": collections.Counter(),
    }
    shown: list[tuple[str, str, str]] = []
    for url, path in pages():
        split = split_of(url)
        kind, declared = classify(url, path)
        counts[split][kind] += 1
        if args.show == split and kind.startswith("refused"):
            shown.append((kind, url, declared or ""))
    for split, counter in counts.items():
        total = sum(counter.values())
        with_canonical = total - counter["no canonical"] - counter["unparseable"]
        refused = sum(n for k, n in counter.items() if k.startswith("refused"))
        print(f"{split}: {total} pages, {with_canonical} with a canonical")
        for kind, n in sorted(counter.items()):
            print(f"  {kind:<42} {n:4d}")
        if with_canonical:
            print(
                f"  refused / with a canonical: {refused}/{with_canonical} = {refused / with_canonical:.1%}"
            )
    for kind, url, declared in sorted(shown):
        print(f"{kind}\n  page      {url}\n  canonical {declared}")


if __name__ == "__main__":
    main()
