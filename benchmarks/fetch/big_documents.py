"""Time and peak memory of reading hostile-sized documents a run may be handed: a 52 MB RSS
feed of 400,000 items, a 50 MB XML sitemap of 600,000 URLs, a text sitemap of 1,000,000 lines
(each kept to the default caps: 500 entries, 5,000 URLs), and the expansion of a WARC of
3,000 HTML records (~190 MB of bodies).

Run it with the interpreter of the checkout to measure, each case in a process of its own
(peak RSS is the process's)::

    python benchmarks/fetch/big_documents.py                       # this checkout
    /work/wt-a/.venv/bin/python benchmarks/fetch/big_documents.py  # another one

Round 33 (00133f6 -> this round, one sitting each, the host shared with two test runs):

=============  ==============================  ==============================
case           before: seconds, MB above input  after
=============  ==============================  ==============================
feed           40.7 s, 609 MB                   2.5 s, 0 MB
XML sitemap    12.3 s, 139 MB                   7.5 s, 103 MB
text sitemap   7.8 s, 215 MB                    0.8 s, 95 MB
WARC           0.5 s, 190 MB                    0.6 s, 3.5 MB
=============  ==============================  ==============================
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

A = "http://127.0.0.1:9"


def _feed() -> bytes:
    items = "".join(
        f"<item><title>t{n}</title><link>{A}/many/{n}.html</link>"
        f"<pubDate>Mon, 07 Dec 2026 10:00:00 GMT</pubDate></item>"
        for n in range(400_000)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()


def _sitemap() -> bytes:
    urls = "".join(
        f"<url><loc>{A}/m/{n}.html</loc><lastmod>2026-12-0{n % 9 + 1}</lastmod></url>"
        for n in range(600_000)
    )
    return (
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"{urls}</urlset>"
    ).encode()


def _text_sitemap() -> bytes:
    return "".join(f"{A}/m/{n}.html\n" for n in range(1_000_000)).encode()


def _warc(path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
    from siteserver import _article_html, make_warc

    words = ["alpha", "beta", "gamma", "delta", "summit", "council"]
    padding = " ".join(words[(n * 7) % 6] for n in range(10_000))
    records = [
        (
            f"https://news.example/{i}.html",
            _article_html(f"Story number {i} of the archive")
            .replace("</article>", f"<p>{padding}</p></article>")
            .encode(),
        )
        for i in range(3_000)
    ]
    make_warc(path, records)


def run_case(case: str, scratch: Path) -> dict:
    if case == "warc":
        path = scratch / "big.warc.gz"
        if not path.exists():
            _warc(path)
        from newsetl.downloads import Fetcher
        from newsetl.settings import Settings
        from newsetl.sources import expand_sources

        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        with Fetcher(Settings()) as fetcher:
            count = len(expand_sources([str(path)], fetcher).targets)
    else:
        body = {"feed": _feed, "sitemap": _sitemap, "text_sitemap": _text_sitemap}[case]()
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        if case == "feed":
            from newsetl.feeds import parse_feed

            try:
                parsed = parse_feed(body, A + "/feed.xml", 500)
            except TypeError:  # before round 33: no cap argument
                parsed = parse_feed(body, A + "/feed.xml")
            count = len(getattr(parsed, "entries", parsed))
        else:
            from newsetl.sitemaps import parse_sitemap

            try:
                count = len(parse_sitemap(body, A + "/s.xml", max_pages=5000).pages)
            except TypeError:  # before round 33: capped by the caller, after the parse
                from newsetl.sitemaps import newest_first

                count = len(newest_first(parse_sitemap(body, A + "/s.xml").pages, 5000)[0])
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "case": case,
        "items": count,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak / 1024, 1),
        "peak_above_input_mb": round((peak - base) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", help="one case, in this process (used by the driver)")
    parser.add_argument("--scratch", default=tempfile.gettempdir())
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, Path(args.scratch))))
        return
    for case in ("feed", "sitemap", "text_sitemap", "warc"):
        out = subprocess.run(
            [sys.executable, __file__, "--case", case, "--scratch", args.scratch],
            capture_output=True,
            text=True,
            check=True,
        )
        print(out.stdout.strip())


if __name__ == "__main__":
    main()
