"""Round 13 (ld13): the rewritten langdetect trials give langdetect's probabilities, bit for bit,
on real text.

Why: ``tests/test_langdetect_fast.py`` compares on generated texts; this compares
``newsetl.langdetect_fast.FastDetector`` with stock ``langdetect.detector.Detector`` (same
factory, same seed) on every Zyte page's language sample (its first 1,000 characters, as
``langdetect_probabilities`` reads it) and its first 3,000 characters (the repair stage's
``detect_langs``), and on the langid test data of 75 languages (``sentences``: each of the
first ``--per-file`` sentences and a 1,000-character run of them; ``single-words`` and
``word-pairs``: the first ``--per-file`` lines). Compared: all 55 averaged probabilities
(``==``), or the same error; with seeds 0 and 7. Prints the counts and exits 1 on any
difference.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/ld13_same.py [--pages DIR] [--langid DIR] [--per-file 40]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from basecode import page_texts
from cli_vs_trafilatura import DEFAULT_PAGES

LANGID = DEFAULT_PAGES.parents[2] / "langid/lingua-py/language-testdata"


def probabilities(cls: type, factory: object, text: str, seed: int) -> list[float] | str:
    """All of the detector's averaged probabilities of ``text``, or the error it raises."""
    factory.seed = seed  # type: ignore[attr-defined]
    detector = cls(factory)
    detector.append(text)
    try:
        detector.get_probabilities()
    except Exception as error:  # "no features in text"
        return f"{type(error).__name__}: {error}"
    return list(detector.langprob)


def langid_texts(root: Path, per_file: int) -> list[str]:
    texts = []
    for kind in ("sentences", "single-words", "word-pairs"):
        for f in sorted((root / kind).glob("*.txt")):
            lines = [x.strip() for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
            texts += lines[:per_file]
            if kind == "sentences":
                texts.append(" ".join(lines[: per_file * 4])[:1000])
    return texts


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    p.add_argument("--langid", type=Path, default=LANGID)
    p.add_argument("--per-file", type=int, default=40)
    args = p.parse_args()

    from langdetect import detector_factory
    from langdetect.detector import Detector

    from newsetl.langdetect_fast import FastDetector

    detector_factory.init_factory()
    factory = detector_factory._factory
    _, pages = page_texts(args.pages)
    sets = {
        "zyte 1,000 chars": [t[:1000] for t in pages],
        "zyte 3,000 chars": [t[:3000] for t in pages],
        "langid": langid_texts(args.langid, args.per_file),
    }
    differ = 0
    for name, texts in sets.items():
        same = errors = 0
        for text in texts:
            for seed in (0, 7):
                ours = probabilities(FastDetector, factory, text, seed)
                if ours == probabilities(Detector, factory, text, seed):
                    same += 1
                    errors += isinstance(ours, str)
                else:
                    differ += 1
                    print("DIFFERS", name, seed, repr(text[:80]))
        print(f"{name}: {len(texts)} texts x 2 seeds, {same} same ({errors} both errors)")
    factory.seed = 0
    print("differ:", differ)
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
