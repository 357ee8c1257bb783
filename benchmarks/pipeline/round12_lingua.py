"""Round 12: who needs the repair stage's preloaded lingua models, and what they cost.

Why: ``artefacts/language.py`` preloads lingua's high-accuracy models of the six main
languages in the fork server (~1 s of CPU). lingua reads its 1-, 2-, 4- and 5-gram models only
for texts under 120 characters; a span asked about a language beyond the six goes to a
low-accuracy (trigram) detector. This counts, over the pages' repair stage (one process, the
pages extracted and identified as a worker does), every ``span_confidences`` call: which
detector, how long the span, on how many pages; then loads the models three ways, each in a
process of its own: preloaded (what the fork server does), trigram models only, and lazily
at the first short text.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/round12_lingua.py [PAGES_DIR]
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from cli_vs_trafilatura import DEFAULT_PAGES

LOAD = """
import time
from lingua import Language, LanguageDetectorBuilder
def rss():
    return int([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1]) // 1024
six = [Language.ENGLISH, Language.ITALIAN, Language.FRENCH, Language.SPANISH, Language.GERMAN,
       Language.PORTUGUESE]
mode = "{mode}"
t, r = time.process_time(), rss()
builder = LanguageDetectorBuilder.from_languages(*six)
if mode == "preloaded":
    builder = builder.with_preloaded_language_models()
elif mode == "trigrams":
    builder = builder.with_low_accuracy_mode().with_preloaded_language_models()
detector = builder.build()
detector.compute_language_confidence_values("il cavallo bianco")
print(f"{{mode:<10}} build + one short span: {{time.process_time() - t:.3f}} s CPU, +{{rss() - r}} MB")
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    args = p.parse_args()

    from newsetl import pipeline
    from newsetl.artefacts import language
    from newsetl.downloads import FetchResult
    from newsetl.sources import Target

    calls: Counter[str] = Counter()
    pages: dict[str, set[str]] = {"any": set(), "main, short": set()}
    current = [""]
    real = language.span_confidences

    def counted(text: str, languages: tuple[str, ...] | None = None) -> dict[str, float]:
        chosen = frozenset(x for x in languages or () if x in language._LINGUA_NAMES)
        main = languages is None or chosen <= language._MAIN
        short = len(text) < 120
        calls[f"{'main' if main else 'other'} detector, {'short' if short else 'long'}"] += 1
        pages["any"].add(current[0])
        if main and short:
            pages["main, short"].add(current[0])
        return real(text, languages)

    language.span_confidences = counted
    files = sorted(f for f in args.pages.iterdir() if f.name.endswith((".html", ".html.gz")))
    now = datetime.now(UTC)
    options = pipeline.AnalysisOptions(repair=True, entities=False)
    n = 0
    for f in files:
        body = gzip.decompress(f.read_bytes()) if f.suffix == ".gz" else f.read_bytes()
        url = f"http://bench.invalid/{f.name.split('.')[0]}"
        page, guess, _, _ = pipeline.extract_and_identify(body, url, None, 0, now)
        if page is None:
            continue
        n += 1
        current[0] = f.name
        fetch = FetchResult(url=url, final_url=url, status_code=200, outcome="ok", body=body)
        item = pipeline.Processed(
            Target(url, "bench"), fetch, "bench", page, guess.language, guess.confidence, guess
        )
        pipeline.analyse_batch([item], "b", options)
    print(f"{n} pages; lingua calls of the repair stage: {sum(calls.values())}")
    for kind, count in sorted(calls.items()):
        print(f"  {kind:<26} {count}")
    print(f"pages with a call: {len(pages['any'])}; with a short span for the main detector "
          f"(the high-accuracy models): {len(pages['main, short'])}")  # fmt: skip
    for mode in ("preloaded", "trigrams", "lazy"):
        code = LOAD.format(mode=mode)
        print(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)


if __name__ == "__main__":
    main()
