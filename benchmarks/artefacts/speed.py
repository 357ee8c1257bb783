"""CPU cost of ``newsetl.artefacts.analyse`` per page (issue 12). Run from the repo root::

    uv run python benchmarks/artefacts/speed.py

On the 181 human-checked article bodies of the Zyte extraction benchmark (read from
../shared/benchmarks, never copied): one warm-up call (word lists, lingua's main models),
then a first pass over all pages (per-word caches cold) and a second pass (caches warm, as in
a long ingest run). Reports CPU milliseconds per page and per 1,000 words, and the resident
memory after the passes. For scale, the same run times ``trafilatura.extract`` on the same
181 pages' HTML (the pipeline's extraction step, after one warm-up page): the machine's load
changes from minute to minute, so only figures from one run compare. Speed figures depend on
the machine and on what else runs on it.
"""

from __future__ import annotations

import gzip
import json
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared" / "benchmarks").resolve()
ZYTE = SHARED / "extraction" / "zyte-article-extraction-benchmark" / "ground-truth.json"
ZYTE_HTML = ZYTE.parent / "html"

sys.path.insert(0, str(REPO / "src"))

from newsetl.artefacts import analyse, warm_up  # noqa: E402
from newsetl.artefacts.language import detect_language  # noqa: E402


def main() -> int:
    truth = json.loads(ZYTE.read_text(encoding="utf-8"))
    bodies = [row["articleBody"] for _, row in sorted(truth.items()) if row.get("articleBody")]
    languages = [detect_language(body) for body in bodies]
    t0 = time.process_time()
    warm_up()
    print(f"warm-up: {time.process_time() - t0:.2f} s CPU")
    words = sum(len(b.split()) for b in bodies)
    for label in ("first pass (cold word caches)", "second pass (warm word caches)"):
        t0 = time.process_time()
        findings = 0
        for body, lang in zip(bodies, languages, strict=True):
            findings += len(analyse(body, lang).findings)
        cpu = time.process_time() - t0
        print(
            f"{label}: {1000 * cpu / len(bodies):.2f} ms CPU per page, "
            f"{1000 * cpu / words * 1000:.2f} ms per 1,000 words "
            f"({len(bodies)} pages, {words} words, {findings} findings)"
        )
    pages = [
        gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        for path in sorted(ZYTE_HTML.glob("*.html.gz"))
    ]
    import trafilatura

    trafilatura.extract(pages[0], include_comments=False)  # warm-up
    t0 = time.process_time()
    for html in pages:
        trafilatura.extract(html, include_comments=False)
    cpu = time.process_time() - t0
    print(
        f"trafilatura.extract on the same pages' HTML, same run: "
        f"{1000 * cpu / len(pages):.2f} ms CPU per page ({len(pages)} pages)"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS: {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
