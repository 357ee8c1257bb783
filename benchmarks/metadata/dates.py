"""Publication-date extraction against htmldate alone, on public data we did not write.

Data (read from ``../shared/benchmarks/`` relative to the repo root, never copied):

* ``dates/htmldate-eval/``: htmldate's own evaluation set, 1000 pages with a gold **day**
  (``eval_default.json`` + ``eval_mediacloud_2020.json``; 5 have no identifiable date).
* ``extraction/fundus-parser-testdata/``: 258 news pages from 41 countries whose Fundus
  fixtures give ``publishing_date`` with **time and UTC offset**; the crawl date stands in for
  the fetch time.

Systems: ``htmldate-fast`` and ``htmldate-extensive`` are ``find_date(html, original_date=True,
extensive_search=...)`` as in htmldate's tests/evaluation.py; ``newsetl`` is the pipeline's
choice (:mod:`newsetl.dates`: JSON-LD, meta, ``<time>``, URL, then htmldate with time and
zone, as :func:`newsetl.extract.extract_page` runs it). By default every system gets the page's
URL (the pipeline always knows it); ``--no-url`` reproduces upstream's setting (no URL).

Scores: on htmldate-eval, upstream's (TP: right day, FP: wrong day, FN: none given, TN: none
when gold has none; accuracy = (TP+TN)/all, precision, recall). On Fundus, day accuracy (the
page's local day), and date+time accuracy: a time of day was given and the instant is within
60 s of the gold instant (a time without zone is read as UTC by every system).

``±1day``: the day given is at most one day off gold (a diagnostic: a right instant stated in
UTC falls on the next or previous day of the publisher's own zone, which is the gold's day).

Split: a page is **dev** when the first hex digit of sha1(file name) is even, else
**held-out**; rules were only ever adjusted looking at dev errors.

    uv run python benchmarks/metadata/dates.py                 # both sets, both splits
    uv run python benchmarks/metadata/dates.py --errors dev    # list dev errors of newsetl
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import math
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from htmldate import find_date
from trafilatura.utils import load_html

from newsetl import dates
from newsetl.extract import decode_html, read_head_signals
from newsetl.structured import read_structured

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "benchmarks"
HTMLDATE = SHARED / "dates" / "htmldate-eval"
FUNDUS = SHARED / "extraction" / "fundus-parser-testdata"
SYSTEMS = ("htmldate-fast", "htmldate-extensive", "newsetl")


def split_of(name: str) -> str:
    return "dev" if int(hashlib.sha1(name.encode()).hexdigest()[0], 16) % 2 == 0 else "heldout"


def htmldate_pages() -> list[dict]:
    pages = []
    for name in ("eval_default.json", "eval_mediacloud_2020.json"):
        raw = (HTMLDATE / name).read_text(encoding="utf-8")
        for url, entry in json.loads(raw).items():  # NaN (no date) parses as float nan
            gold = entry["date"]
            gold = None if isinstance(gold, float) and math.isnan(gold) else gold
            pages.append(
                {
                    "set": "htmldate-eval",
                    "file": HTMLDATE / "pages" / f"{entry['file']}.gz",
                    "url": url,
                    "gold_day": gold,
                    "gold_instant": None,
                    "fetched_at": None,
                    "split": split_of(entry["file"] + url),
                }
            )
    return pages


def fundus_pages() -> list[dict]:
    pages = []
    with (FUNDUS / "manifest.tsv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            fixtures = json.loads((FUNDUS / row["json_file"]).read_text(encoding="utf-8"))
            gold = (fixtures.get(row["version_key"]) or {}).get("publishing_date")
            if not gold:
                continue
            instant = datetime.fromisoformat(gold)
            pages.append(
                {
                    "set": "fundus",
                    "file": FUNDUS / row["html_file"],
                    "url": row["url"],
                    "gold_day": gold[:10],
                    "gold_instant": instant if instant.tzinfo else instant.replace(tzinfo=UTC),
                    "fetched_at": datetime.fromisoformat(row["crawl_date"]).replace(tzinfo=UTC),
                    "split": split_of(row["html_file"]),
                }
            )
    return pages


def run_htmldate(tree, url, extensive: bool, reference: datetime) -> dates.Timestamp | None:
    value = find_date(
        tree,
        original_date=True,
        extensive_search=extensive,
        outputformat=dates.HTMLDATE_FORMAT,
        url=url,
        max_date=(reference + timedelta(days=1)).strftime("%Y-%m-%d"),
    )
    return dates.from_htmldate(value)


def run_newsetl(tree, url, reference: datetime) -> dates.Timestamp | None:
    """What extract_page does for the publication date (trafilatura's htmldate call included:
    same parameters, the canonical URL when the page gives one)."""
    head = read_head_signals(tree, url)
    data = read_structured(tree)
    page_url = head.get("canonical_url") or url
    published, modified = dates.candidates(tree, data, page_url)
    params = dates.htmldate_params(reference)
    heuristic = dates.from_htmldate(find_date(tree, url=page_url, **params))
    return dates.choose(published, modified, heuristic, reference).published


def evaluate(pages: list[dict], use_url: bool) -> dict:
    results: dict = defaultdict(list)
    timings: dict = defaultdict(float)
    for page in pages:
        body = gzip.decompress(page["file"].read_bytes())
        html, _ = decode_html(body)
        url = page["url"] if use_url else None
        reference = page["fetched_at"] or datetime.now(UTC)
        for system in SYSTEMS:
            tree = load_html(html)  # a fresh tree each: htmldate prunes the one it is given
            started = time.perf_counter()
            if tree is None:
                stamp = None
            elif system == "newsetl":
                stamp = run_newsetl(tree, url, reference)
            else:
                stamp = run_htmldate(tree, url, system == "htmldate-extensive", reference)
            timings[system] += time.perf_counter() - started
            results[system].append((page, stamp))
    return {"results": results, "timings": timings}


def score(rows: list[tuple[dict, dates.Timestamp | None]]) -> dict:
    tp = fp = fn = tn = 0
    timed = instant_ok = near = 0
    for page, stamp in rows:
        day = dates.local_day(stamp).isoformat() if stamp else None
        if day is None:
            if page["gold_day"] is None:
                tn += 1
            fn += 1  # upstream counts a missing date as FN even when gold has none
            continue
        if day == page["gold_day"]:
            tp += 1
        else:
            fp += 1
        if (
            page["gold_day"]
            and abs((datetime.fromisoformat(day) - datetime.fromisoformat(page["gold_day"])).days)
            <= 1
        ):
            near += 1
        if page["gold_instant"] is not None and stamp.precision != "day":
            timed += 1
            instant_ok += abs((stamp.utc - page["gold_instant"]).total_seconds()) <= 60
    n = len(rows)
    return {
        "n": n,
        "accuracy": (tp + tn) / n if n else 0.0,
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "within_a_day": near / n if n else 0.0,
        "with_time": timed / n if n else 0.0,
        "datetime_accuracy": instant_ok / n if n else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-url", action="store_true", help="as upstream: pages without URL")
    parser.add_argument("--sets", default="htmldate-eval,fundus")
    parser.add_argument("--errors", choices=("dev", "heldout"), help="list newsetl's errors")
    parser.add_argument("--limit", type=int, default=0, help="first N pages of each set")
    args = parser.parse_args()
    pages: list[dict] = []
    if "htmldate-eval" in args.sets:
        pages += htmldate_pages()[: args.limit or None]
    if "fundus" in args.sets:
        pages += fundus_pages()[: args.limit or None]
    out = evaluate(pages, use_url=not args.no_url)
    print(f"URL given: {not args.no_url}")
    header = (
        f"{'set':14s} {'split':8s} {'system':19s} {'n':>5s} {'acc':>6s} {'prec':>6s} "
        f"{'rec':>6s} {'±1day':>6s} {'w/time':>7s} {'dt-acc':>7s}"
    )
    print(header)
    for data_set in ("htmldate-eval", "fundus"):
        for split in ("dev", "heldout", "all"):
            for system in SYSTEMS:
                rows = [
                    r
                    for r in out["results"][system]
                    if r[0]["set"] == data_set and split in ("all", r[0]["split"])
                ]
                if not rows:
                    continue
                s = score(rows)
                timed = data_set == "fundus"
                print(
                    f"{data_set:14s} {split:8s} {system:19s} {s['n']:5d} {s['accuracy']:6.3f} "
                    f"{s['precision']:6.3f} {s['recall']:6.3f} {s['within_a_day']:6.3f} "
                    + (f"{s['with_time']:7.3f} {s['datetime_accuracy']:7.3f}" if timed else "")
                )
    total = len(pages)
    for system in SYSTEMS:
        ms = out["timings"][system] / max(1, total) * 1000
        print(f"time {system}: {ms:.1f} ms/page (loaded machine)")
    if args.errors:
        for page, stamp in out["results"]["newsetl"]:
            if page["split"] != args.errors:
                continue
            day = dates.local_day(stamp).isoformat() if stamp else None
            wrong_instant = (
                page["gold_instant"] is not None
                and stamp is not None
                and stamp.precision != "day"
                and abs((stamp.utc - page["gold_instant"]).total_seconds()) > 60
            )
            if day != page["gold_day"] or wrong_instant:
                print(
                    f"{page['set']}\t{page['file'].name}\tgold {page['gold_instant'] or page['gold_day']}"
                    f"\tgot {stamp.raw if stamp else None} ({stamp.source if stamp else '-'}"
                    f"/{stamp.detail if stamp else '-'})"
                )


if __name__ == "__main__":
    main()
