"""What one page with a huge text costs a run, with the analysis cap (``max_text_chars``).

Builds one HTML page whose article text is SIZE megabytes of real news prose (the paragraphs
of the bundled sample articles, numbered and repeated), then ingests it as a local file with
repair and entities on (``run_ingest``, no translator, ``max_bytes`` raised so the page is
read at all). Prints, per size: the text's length, whether the analysis was capped, the time
of extraction alone (trafilatura + quality flags, ``extract_page``) and of the whole run.

Usage: ``.venv/bin/python benchmarks/ops/huge_text.py [SIZE_MB ...] [--cap N]``
(default sizes 0.15 2 20; cap = the setting's default; ``--cap 0`` turns the cap off).
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NEWSETL_TRANSLATOR", "none")

import duckdb

from newsetl.extract import extract_page
from newsetl.ingest import run_ingest
from newsetl.samples import sample_pages
from newsetl.settings import Settings
from newsetl.textcap import FLAG


def prose_paragraphs() -> list[str]:
    """The paragraphs of the bundled sample articles (several languages)."""
    out: list[str] = []
    for path in sample_pages():
        text = extract_page(path.read_bytes(), path.as_uri()).text
        out += [p for p in text.split("\n") if len(p) > 80]
    return out


def page_of(size_mb: float, paragraphs: list[str]) -> bytes:
    parts, total, n = [], 0, 0
    while total < size_mb * 1_000_000:
        p = f"{paragraphs[n % len(paragraphs)]} ({n})"
        parts.append(f"<p>{html.escape(p)}</p>")
        total += len(p) + 1
        n += 1
    body = "\n".join(parts)
    return (
        "<!DOCTYPE html><html lang='en'><head><title>One huge page</title></head><body>"
        f"<article><h1>One huge page</h1>{body}</article></body></html>"
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=float, default=[0.15, 2.0, 20.0])
    parser.add_argument("--cap", type=int, default=None, help="max_text_chars (0: no cap)")
    args = parser.parse_args()
    paragraphs = prose_paragraphs()
    work = Path(tempfile.mkdtemp(prefix="newsetl-bench-huge-"))
    try:
        for size in args.sizes:
            page = work / f"huge-{size}.html"
            page.write_bytes(page_of(size, paragraphs))
            overrides = {"max_text_chars": args.cap} if args.cap is not None else {}
            settings = Settings.from_env(
                db_path=work / f"{size}.duckdb",
                staging_dir=work / f"staging-{size}",
                repair=True,
                entities=True,
                max_bytes=256 * 1024 * 1024,
                **overrides,
            )
            started = time.perf_counter()
            extracted = extract_page(page.read_bytes(), page.as_uri(), None, None, 0)
            extract_s = time.perf_counter() - started
            started = time.perf_counter()
            summary = run_ingest([str(page)], settings)
            run_s = time.perf_counter() - started
            with duckdb.connect(str(settings.db_path), read_only=True) as con:
                chars, flags = con.execute(
                    "SELECT length(text), quality_flags FROM articles"
                ).fetchone()
            print(
                f"size {size:>6} MB  text {chars:>11,} chars  cap {settings.max_text_chars:>8,}"
                f"  capped {FLAG in (flags or [])!s:<5}  extract {extract_s:7.2f} s"
                f"  run {run_s:7.2f} s  status {summary.status}"
                f"  ({len(extracted.text):,} chars extracted)",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
