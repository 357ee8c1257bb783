"""No-harm benchmark: what the artefact detector changes and reports on clean text (issue 12).

Run from the repo root::

    uv run python benchmarks/artefacts/noharm.py                 # every corpus
    uv run python benchmarks/artefacts/noharm.py --corpus zyte --show 30

Clean text written by people, in every language the detector analyses, none of it machine
translated (as far as its publishers say):

* ``zyte``: the human-checked article bodies of the Zyte extraction benchmark (language by
  langdetect per page);
* ``fundus-eval``: the Fundus evaluation's hand-extracted English article bodies;
* ``fundus-pages``: the Fundus parser-test pages' body paragraphs (41 countries, language by
  langdetect per article);
* ``trafilatura-eval``: the 990 trafilatura evaluation pages, extracted with trafilatura
  (mostly German), cached as ``../shared/benchmarks/artefacts-eval/trafilatura-eval-bodies.jsonl.gz``;
* ``lingua``: the lingua-py test sentences of every language, ten consecutive lines per text,
  analysed as their labelled language (languages the detector does not analyse are counted
  as "not analysed");
* ``mqm-clean``: WMT MQM en-de targets whose every annotation says "No-error" (German).

The translator is a stand-in that answers every request, so an untranslated-span finding that
*would* be applied with a working translator counts as applied: the number reported is the
worst case. Reported per corpus and language: texts, tokens, findings (any status) and applied
changes per 1,000 tokens; the goal for applied changes is 0. ``--show`` prints examples.
``--signal`` (round 33) analyses every text as a page with an hreflang alternate in another
language (Italian for English text, English for the others): the worst case, where repairs
that need a sign of translation (glued words, lost spaces, doubled words, cut names) may apply.

``--half tune|report`` (round 4): every text falls in one half by
``blake2b("noharm-halves-r4:" + text)``; false flags are studied and rules tuned on the
``tune`` half only, and the false-flag rate is reported on the ``report`` half, text the rules
were not tuned on. The ``tune`` half also leaves out every text that holds a carrier paragraph
of the version-4 evaluation set's held-out split (``eval_build.py --version 4``), so tuning on
clean text cannot see a blind carrier.

Shared data is read from ../shared/benchmarks relative to the repo root; the trafilatura
extraction cache is written there (derived from public pages, never committed).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared" / "benchmarks").resolve()
ZYTE = SHARED / "extraction" / "zyte-article-extraction-benchmark" / "ground-truth.json"
FUNDUS_EVAL = SHARED / "extraction" / "fundus-evaluation" / "ground_truth.json"
FUNDUS_PAGES = SHARED / "extraction" / "fundus-parser-testdata"
TRAF = SHARED / "extraction" / "trafilatura-eval"
TRAF_CACHE = SHARED / "artefacts-eval" / "trafilatura-eval-bodies.jsonl.gz"
LINGUA = SHARED / "langid" / "lingua-py" / "language-testdata" / "sentences"
MQM = SHARED / "mqm"
TOKEN = re.compile(r"\w+")

sys.path.insert(0, str(REPO / "src"))

from newsetl.artefacts import analyse, warm_up  # noqa: E402
from newsetl.artefacts.language import normalise_code  # noqa: E402


class AnswersEverything:
    """A translator that answers every request: what would be applied with a live one."""

    name = "answers-everything"

    def translate(self, text: str, source: str, target: str) -> str | None:
        return f"<{target}:{text}>"


def _langdetect(text: str) -> str | None:
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0
    try:
        return detect(text)
    except LangDetectException:
        return None


# --- corpora: each yields (language code or None, text) -----------------------------------
def zyte():
    truth = json.loads(ZYTE.read_text(encoding="utf-8"))
    for _, row in sorted(truth.items()):
        body = row.get("articleBody") or ""
        if body.strip():
            yield _langdetect(body), body


def fundus_eval():
    data = json.loads(FUNDUS_EVAL.read_text(encoding="utf-8"))
    for _, row in sorted(data.items()):
        paras = [p for p in row.get("body", []) if not p.startswith("[")]
        if paras:
            text = "\n\n".join(paras)
            yield _langdetect(text), text


def fundus_pages():
    for path in sorted(FUNDUS_PAGES.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for _, record in sorted(data.items()):
            body = record.get("body") or {}
            paras = list(body.get("summary") or [])
            for section in body.get("sections") or []:
                paras += section.get("paragraphs") or []
            text = "\n\n".join(paras)
            if text.strip():
                yield _langdetect(text), text


def trafilatura_eval():
    if not TRAF_CACHE.exists():
        import trafilatura

        rows = []
        for path in sorted((TRAF / "html").glob("*.gz")):
            html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
            text = trafilatura.extract(html, include_comments=False, include_tables=True) or ""
            rows.append({"file": path.name, "text": text})
        TRAF_CACHE.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(TRAF_CACHE, "wt", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with gzip.open(TRAF_CACHE, "rt", encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"]
            if text.strip():
                yield _langdetect(text), text


def lingua():
    for path in sorted(LINGUA.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        lines = [line for line in lines if line]
        for i in range(0, len(lines), 10):
            yield path.stem, " ".join(lines[i : i + 10])


def mqm_clean():
    files = {
        "newstest2020": MQM / "wmt-qe-2022-copies" / "mqm_newstest2020_ende.tsv.gz",
        "newstest2021": MQM / "wmt-qe-2022-copies" / "mqm-newstest2021_ende.tsv.gz",
        "ted2021": MQM / "google-wmt-mqm" / "mqm_ted_ende.tsv.gz",
    }
    for path in files.values():
        rows: dict[tuple, list] = defaultdict(list)
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = next(reader)
            col = {name: i for i, name in enumerate(header)}
            for row in reader:
                if len(row) < len(header) - 1:
                    continue
                key = (row[col["system"]], row[col["doc"]], row[col["doc_id"]])
                rows[key].append((row[col["category"]], row[col["target"]]))
        for key in sorted(rows):
            entries = rows[key]
            if all(cat.strip().lower() in ("no-error", "no error") for cat, _ in entries):
                target = entries[0][1].replace("<v>", "").replace("</v>", "")
                yield "de", target


CORPORA = {
    "zyte": zyte,
    "fundus-eval": fundus_eval,
    "fundus-pages": fundus_pages,
    "trafilatura-eval": trafilatura_eval,
    "lingua": lingua,
    "mqm-clean": mqm_clean,
}


V4_CASES = SHARED / "artefacts-eval-v4" / "cases.jsonl"


def in_half(text: str, half: str) -> bool:
    """Is ``text`` in ``half`` (``all``, ``tune`` or ``report``)? See the module docstring."""
    if half == "all":
        return True
    digest = hashlib.blake2b(f"noharm-halves-r4:{text}".encode(), digest_size=8).digest()
    side = "tune" if int.from_bytes(digest, "big") < 2**63 else "report"
    if side != half:
        return False
    if half == "tune":
        flat = " ".join(text.split())
        return not any(c in flat for c in _blind_carriers())
    return True


_BLIND: list[str] | None = None


def _blind_carriers() -> list[str]:
    """The carrier paragraphs of the v4 held-out split (empty before the set is built)."""
    global _BLIND
    if _BLIND is None:
        _BLIND = []
        if V4_CASES.exists():
            with V4_CASES.open(encoding="utf-8") as fh:
                rows = [json.loads(line) for line in fh]
            pieces: set[str] = set()
            for r in rows:
                if r["split"] == "heldout":
                    # head and tail: a hard negative may have changed one end of its carrier
                    flat = " ".join(r["expected_text"].split())
                    pieces.update((flat[:40], flat[-40:]))
            _BLIND = sorted(pieces)
    return _BLIND


def run(names: list[str], show: int, half: str = "all", signal: bool = False) -> dict:
    translator = AnswersEverything()
    results: dict = {}
    examples: list[tuple] = []
    total = Counter()
    for name in names:
        per_lang: dict[str, Counter] = defaultdict(Counter)
        t0 = time.process_time()
        for label, text in CORPORA[name]():
            if not in_half(text, half):
                continue
            lang = normalise_code(label)
            c = per_lang[lang or f"{label}(not analysed)"]
            c["texts"] += 1
            c["tokens"] += len(TOKEN.findall(text))
            if lang is None:
                continue
            # --signal: the page names another language (hreflang), the worst case: such a
            # page counts as a translation, so repairs that need one may be applied
            alternates = {("it" if lang == "en" else "en"): "https://example.org/alt/"}
            result = analyse(
                text, lang, translator=translator, alternates=alternates if signal else None
            )
            for f in result.findings:
                c["findings"] += 1
                c[f"kind:{f.kind}"] += 1
                if f.status == "applied":
                    c["applied"] += 1
                    c[f"applied:{f.kind}"] += 1
                if len(examples) < show or f.status == "applied":
                    ctx = text[max(0, f.start - 50) : f.end + 50].replace("\n", " ")
                    examples.append((name, lang, f.kind, f.status, f.surface, f.replacement, ctx))
        cpu = time.process_time() - t0
        print(f"\n== {name} ({cpu:.1f} s CPU)")
        print(
            f"{'language':28} {'texts':>6} {'tokens':>9} {'findings':>8} {'/1k tok':>8} "
            f"{'applied':>7} {'/1k tok':>8}"
        )
        out = {}
        for lang in sorted(per_lang, key=lambda k: -per_lang[k]["tokens"]):
            c = per_lang[lang]
            k = c["tokens"] / 1000 or 1
            print(
                f"{lang:28} {c['texts']:6d} {c['tokens']:9d} {c['findings']:8d} "
                f"{c['findings'] / k:8.3f} {c['applied']:7d} {c['applied'] / k:8.3f}"
            )
            out[lang] = dict(c)
            if "not analysed" not in lang:
                for key in ("texts", "tokens", "findings", "applied"):
                    total[key] += c[key]
        kinds = Counter()
        for c in per_lang.values():
            kinds.update({k[5:]: v for k, v in c.items() if k.startswith("kind:")})
        print(f"findings by kind: {dict(kinds)}")
        results[name] = out
    k = total["tokens"] / 1000 or 1
    print(
        f"\nALL analysed: {total['texts']} texts, {total['tokens']} tokens, "
        f"{total['findings']} findings ({total['findings'] / k:.3f} per 1k tokens), "
        f"{total['applied']} applied ({total['applied'] / k:.4f} per 1k tokens)"
    )
    results["total"] = dict(total)
    applied = [e for e in examples if e[3] == "applied"]
    for e in applied + [e for e in examples if e[3] != "applied"][: max(0, show)]:
        print("  ", e)
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", action="append", choices=sorted(CORPORA))
    ap.add_argument("--show", type=int, default=0, help="print this many findings (all applied)")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--half", choices=("all", "tune", "report"), default="all")
    ap.add_argument(
        "--signal",
        action="store_true",
        help="analyse every text as a page with an hreflang alternate (Italian for English, "
        "English for the others): the worst case for repairs that need a sign of translation",
    )
    args = ap.parse_args(argv)
    warm_up()
    results = run(args.corpus or list(CORPORA), args.show, args.half, args.signal)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
