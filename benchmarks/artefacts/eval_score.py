"""Score the artefact detector on the generated evaluation set and on real MT (issue 12).

Run from the repo root (build the set first with ``eval_build.py``)::

    uv run python benchmarks/artefacts/eval_score.py                    # dev split
    uv run python benchmarks/artefacts/eval_score.py --show-errors 40   # ... with errors
    uv run python benchmarks/artefacts/eval_score.py --baseline plain   # the plain rule
    uv run python benchmarks/artefacts/eval_score.py --split heldout    # once, at the end
    uv run python benchmarks/artefacts/eval_score.py --mqm              # WMT MQM en-de only

Matching (span hits, as for MQM): a prediction is correct when it overlaps a gold finding of the
same *family*, and a gold finding is found when a prediction of its family overlaps it; P is
correct predictions / predictions, R found gold / gold (two fragments of one gold phrase are
both correct, and the phrase is found once). The families are the kinds, except that
``untranslated_span`` and ``untranslated_function_word`` form one family (text left in another
language: a lone "och" reported as a span is still right). Precision counts every finding on
every case, so findings on clean carriers and hard negatives are false positives.

``--baseline plain`` replaces the detector by the rule the issue compares with: every
lower-case word that is not a word of the text language (wordfreq Zipf < 2) and frequent in
another wordfreq language (Zipf >= 3) is an untranslated span.

MQM (``--mqm``, ``../shared/benchmarks/mqm``): English left in German MT output.
* segment recall on system-segments where a rater marked untranslated text, and the flag rate
  on segments whose only annotation rows are "No-error" (read from the raw TSVs);
* span recall on non-name gold spans (a span is a non-name when it holds a lower-case word:
  "dorky", "swift action"; "Department of Homeland Security" is a name), counted per distinct
  (system, segment, span).

Shared data is read from ../shared/benchmarks relative to the repo root and never copied.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared" / "benchmarks").resolve()
CASES = SHARED / "artefacts-eval" / "cases.jsonl"
MQM = SHARED / "mqm"
FAMILY = {"untranslated_function_word": "untranslated_span"}
FOREIGN_KINDS = {"untranslated_span", "untranslated_function_word"}
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

sys.path.insert(0, str(REPO / "src"))

from newsetl.artefacts import analyse, warm_up  # noqa: E402


def family(kind: str) -> str:
    return FAMILY.get(kind, kind)


# --- detectors -----------------------------------------------------------------------------
def detector_findings(case: dict) -> list[dict]:
    result = analyse(case["text"], case["language"], translator=None)
    return [f.to_json() for f in result.findings]


_PLAIN_LANGS = [
    "en",
    "de",
    "fr",
    "it",
    "es",
    "pt",
    "nl",
    "pl",
    "sv",
    "da",
    "nb",
    "fi",
    "cs",
    "ro",
    "hu",
    "ca",
    "sk",
    "sl",
    "sh",
    "lt",
    "lv",
    "id",
    "ms",
    "tr",
    "is",
    "fil",
    "vi",
]


def plain_findings(case: dict) -> list[dict]:
    """The plain rule: not a word of the text language, frequent in another language."""
    from wordfreq import zipf_frequency

    out = []
    lang = case["language"]
    for m in WORD.finditer(case["text"]):
        w = m.group()
        if not w.islower():
            continue
        if zipf_frequency(w, lang) >= 2.0:
            continue
        best = max((zipf_frequency(w, x), x) for x in _PLAIN_LANGS if x != lang)
        if best[0] >= 3.0:
            out.append(
                {
                    "kind": "untranslated_span",
                    "start": m.start(),
                    "end": m.end(),
                    "surface": w,
                    "replacement": None,
                    "source_language": best[1],
                    "status": "pending",
                }
            )
    return out


# --- scoring ---------------------------------------------------------------------------------
class Score:
    """Found/missed gold findings (recall) and correct/wrong predictions (precision)."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = self.correct = 0

    @property
    def p(self) -> float:
        return self.correct / (self.correct + self.fp) if self.correct + self.fp else 1.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    def row(self, name: str) -> str:
        return (
            f"{name:34} {self.tp:5d} {self.fn:5d} {self.correct:5d} {self.fp:5d} "
            f"{self.p:6.3f} {self.r:6.3f} {self.f1:6.3f}"
        )


HEADER = f"{'':34} {'found':>5} {'miss':>5} {'right':>5} {'wrong':>5} {'P':>6} {'R':>6} {'F1':>6}"


def _same(g: dict, p: dict) -> bool:
    """Does prediction ``p`` cover gold finding ``g`` (same kind family, overlapping)?"""
    return (
        family(g["kind"]) == family(p["kind"]) and g["start"] < p["end"] and p["start"] < g["end"]
    )


def match(gold: list[dict], predicted: list[dict]) -> tuple[list, list, list]:
    """(correct predictions, wrong predictions, gold findings not found)."""

    def hit(g: dict, p: dict) -> bool:
        same = family(g["kind"]) == family(p["kind"])
        return same and g["start"] < p["end"] and p["start"] < g["end"]

    correct = [p for p in predicted if any(hit(g, p) for g in gold)]
    wrong = [p for p in predicted if not any(hit(g, p) for g in gold)]
    missed = [g for g in gold if not any(hit(g, p) for p in predicted)]
    return correct, wrong, missed


def score(cases: list[dict], find, show_errors: int) -> dict:
    overall = Score()
    by_kind: dict[str, Score] = defaultdict(Score)  # gold kind (FN/TP), predicted kind (FP)
    by_source: dict[str, Score] = defaultdict(Score)
    by_carrier: dict[str, Score] = defaultdict(Score)
    by_origin: dict[str, Score] = defaultdict(Score)  # the carrier's corpus
    by_tag: dict[str, Score] = defaultdict(Score)
    neg_flagged: Counter[str] = Counter()
    neg_total: Counter[str] = Counter()
    applied = 0
    applied_found: Counter[str] = Counter()  # gold findings an applied finding covers
    exact: Counter[str] = Counter()  # ... with the gold replacement
    errors = []
    by_detector: dict[str, Counter[str]] = defaultdict(Counter)
    kept: list[tuple[list[dict], list[dict]]] = []
    t0 = time.process_time()
    for case in cases:
        predicted = find(case)
        kept.append((case["findings"], predicted))
        applied += (
            sum(p.get("status") == "applied" for p in predicted) if not case["findings"] else 0
        )
        correct, fps, fns = match(case["findings"], predicted)
        found = [g for g in case["findings"] if g not in fns]
        for g in found:
            done = [p for p in predicted if p.get("status") == "applied" and _same(g, p)]
            applied_found[g["kind"]] += bool(done)
            exact[g["kind"]] += any(
                g.get("replacement") and p.get("replacement") == g["replacement"] for p in done
            )
        # Precision counts predictions, recall counts gold findings (see the docstring).
        overall.tp += len(found)
        overall.fp += len(fps)
        overall.fn += len(fns)
        overall.correct += len(correct)
        lang = case["language"]
        src = by_origin[f"{lang}:{case['origin'].split(':')[0]}"]
        src.tp += len(found)
        src.fn += len(fns)
        src.fp += len(fps)
        src.correct += len(correct)
        for g in found:
            by_kind[g["kind"]].tp += 1
            by_carrier[lang].tp += 1
            if family(g["kind"]) == "untranslated_span":
                by_source[g.get("source_language") or "?"].tp += 1
                for tag in case["tags"]:
                    by_tag[tag].tp += 1
        for p in correct:
            by_kind[p["kind"]].correct += 1
            by_carrier[lang].correct += 1
        for g in fns:
            by_kind[g["kind"]].fn += 1
            by_carrier[lang].fn += 1
            if family(g["kind"]) == "untranslated_span":
                by_source[g.get("source_language") or "?"].fn += 1
                for tag in case["tags"]:
                    by_tag[tag].fn += 1
        for p in fps:
            by_kind[p["kind"]].fp += 1
            by_carrier[lang].fp += 1
        for p in correct:
            by_detector[p.get("detector", "?")]["right"] += 1
        for p in fps:
            by_detector[p.get("detector", "?")]["wrong"] += 1
        if not case["findings"]:
            key = case["tags"][0] if case["tags"] else case["group"]
            key = f"{lang}:{key}" if key == "clean" else key
            neg_total[key] += 1
            neg_flagged[key] += bool(predicted)
        if fps or fns:
            errors.append((case, fps, fns))
    cpu = time.process_time() - t0
    print(HEADER)
    print(overall.row("ALL"))
    print("-- by kind (FN/TP by gold kind, FP by predicted kind)")
    for kind in sorted(by_kind):
        print(by_kind[kind].row(kind))
    print("-- untranslated text by source language (recall; FPs are not attributed)")
    for src in sorted(by_source):
        s = by_source[src]
        print(f"{src:34} {s.tp:5d} {s.fn:5d} {'':11} {'':6} {s.r:6.3f}")
    print("-- untranslated text: single words vs phrases (recall)")
    for tag in ("single_word", "phrase"):
        s = by_tag[tag]
        print(f"{tag:34} {s.tp:5d} {s.fn:5d} {'':11} {'':6} {s.r:6.3f}")
    print("-- by carrier language")
    for lang in sorted(by_carrier):
        print(by_carrier[lang].row(lang))
    print("-- by carrier language and corpus")
    for key in sorted(by_origin):
        print(by_origin[key].row(key))
    print("-- negatives with any finding")
    for key in sorted(neg_total):
        print(f"{key:34} {neg_flagged[key]:5d} / {neg_total[key]}")
    print(f"applied findings on negative cases: {applied}")
    print("-- gold findings found, applied, applied with the gold replacement (round 33)")
    for kind in sorted(by_kind):
        total = by_kind[kind].tp + by_kind[kind].fn
        if total:
            print(
                f"{kind:34} {by_kind[kind].tp:5d} {applied_found[kind]:5d} {exact[kind]:5d}"
                f" / {total}"
            )
    all_gold = overall.tp + overall.fn
    print(
        f"{'ALL':34} {overall.tp:5d} {sum(applied_found.values()):5d} "
        f"{sum(exact.values()):5d} / {all_gold}"
    )
    print("-- predictions by detector (right / wrong)")
    for det in sorted(by_detector, key=lambda d: -by_detector[d]["wrong"]):
        c = by_detector[det]
        print(f"{det:34} {c['right']:5d} {c['wrong']:5d}")
    print("-- only findings with confidence >= t counted (precision/recall trade-off)")
    for t in (0.0, 0.6, 0.65, 0.7, 0.75, 0.76, 0.8, 0.9):
        s = Score()
        for gold, predicted in kept:
            correct, fps, fns = match(gold, [p for p in predicted if p["confidence"] >= t])
            s.tp += len(gold) - len(fns)
            s.fn += len(fns)
            s.fp += len(fps)
            s.correct += len(correct)
        print(s.row(f"confidence >= {t}"))
    print(f"CPU: {1000 * cpu / max(len(cases), 1):.2f} ms per case ({len(cases)} cases)")
    for case, fps, fns in errors[:show_errors]:
        print(f"\n[{case['id']}] {case['language']} {case['origin']}")
        for p in fps:
            ctx = case["text"][max(0, p["start"] - 60) : p["end"] + 40].replace("\n", " ")
            print(f"   FP {p['kind']} {p['surface']!r} -> {p.get('replacement')!r} | {ctx}")
        for g in fns:
            ctx = case["text"][max(0, g["start"] - 60) : g["end"] + 40].replace("\n", " ")
            src = g.get("source_language")
            print(f"   FN {g['kind']} ({src}) {g['surface']!r} | {ctx}")
    return {
        "cases": len(cases),
        "precision": overall.p,
        "recall": overall.r,
        "f1": overall.f1,
        "tp": overall.tp,
        "fp": overall.fp,
        "fn": overall.fn,
        "per_kind": {k: {"p": s.p, "r": s.r, "f1": s.f1} for k, s in by_kind.items()},
        "per_source": {k: {"r": s.r, "tp": s.tp, "fn": s.fn} for k, s in by_source.items()},
        "negatives_flagged": dict(neg_flagged),
        "negatives": dict(neg_total),
        "applied_on_negatives": applied,
        "applied_found": dict(applied_found),
        "applied_exact": dict(exact),
    }


# --- MQM ---------------------------------------------------------------------------------------
def _no_error_segments() -> set[tuple[str, str, str]]:
    """(system, doc, seg) of en-de segments whose every annotation row is "No-error"."""
    files = {
        "newstest2020": MQM / "wmt-qe-2022-copies" / "mqm_newstest2020_ende.tsv.gz",
        "newstest2021": MQM / "wmt-qe-2022-copies" / "mqm-newstest2021_ende.tsv.gz",
        "ted2021": MQM / "google-wmt-mqm" / "mqm_ted_ende.tsv.gz",
    }
    clean: set[tuple[str, str, str]] = set()
    dirty: set[tuple[str, str, str]] = set()
    for testset, path in files.items():
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = next(reader)
            col = {name: i for i, name in enumerate(header)}
            for row in reader:
                if len(row) < len(header) - 1:
                    continue
                key = (row[col["system"]], row[col["doc"]], row[col["doc_id"]])
                if row[col["category"]].strip().lower() in ("no-error", "no error"):
                    clean.add((testset, *key))
                else:
                    dirty.add((testset, *key))
    return clean - dirty


def run_mqm(show_errors: int) -> dict:
    print("\n== WMT MQM en-de: English left in German MT output")
    path = MQM / "derived" / "segments_untranslated.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["lp"] == "en-de"]
    clean_keys = _no_error_segments()
    c: Counter[str] = Counter()
    nonname_seen: set[tuple] = set()
    fp_examples = []
    miss_examples = []
    for row in rows:
        spans = [s for s in json.loads(row["untranslated_spans"] or "[]") if s[0] >= 0]
        result = analyse(row["target"], "de", translator=None)
        pred = [f for f in result.findings if f.kind in FOREIGN_KINDS]
        # The language map as well: whole sentences in English are recorded as language
        # spans ("passage"), not as artefacts.
        english = [s for s in result.language_spans if s["language"] == "en"]
        c["applied"] += sum(f.status == "applied" for f in result.findings)
        key = (row["testset"], row["system"], row["doc"], row["seg"])
        if int(row["n_untranslated_raters"] or 0) >= 1:
            c["pos"] += 1
            c["pos_flagged"] += bool(pred)
            c["pos_mapped"] += bool(pred or english)
            for s in spans:
                text = row["target"][s[0] : s[1]]
                if not any(w.islower() for w in WORD.findall(text)):
                    continue
                span_key = (*key, s[0], s[1])
                if span_key in nonname_seen:
                    continue
                nonname_seen.add(span_key)
                c["nonname"] += 1
                hit = any(f.start < s[1] and s[0] < f.end for f in pred)
                c["nonname_hit"] += hit
                c["nonname_mapped"] += hit or any(
                    m["start"] < s[1] and s[0] < m["end"] for m in english
                )
                if not hit and len(miss_examples) < show_errors:
                    miss_examples.append((text, row["target"][:160]))
        if key in clean_keys:
            c["clean"] += 1
            c["clean_flagged"] += bool(result.findings)
            c["clean_flagged_foreign"] += bool(pred)
            c["clean_mapped_en"] += bool(english)
            c["clean_applied"] += sum(f.status == "applied" for f in result.findings)
            if result.findings and len(fp_examples) < show_errors:
                fp_examples.append(
                    ([(f.kind, f.surface) for f in result.findings], row["target"][:160])
                )
    out = {
        "positive_segments": c["pos"],
        "segment_recall": c["pos_flagged"] / max(c["pos"], 1),
        "nonname_spans": c["nonname"],
        "nonname_span_recall": c["nonname_hit"] / max(c["nonname"], 1),
        "clean_segments": c["clean"],
        "clean_flag_rate_any_kind": c["clean_flagged"] / max(c["clean"], 1),
        "clean_flag_rate_untranslated": c["clean_flagged_foreign"] / max(c["clean"], 1),
        "clean_applied": c["clean_applied"],
        "segment_recall_with_language_map": c["pos_mapped"] / max(c["pos"], 1),
        "nonname_span_recall_with_language_map": c["nonname_mapped"] / max(c["nonname"], 1),
        "clean_segments_with_english_span": c["clean_mapped_en"],
    }
    print(
        f"segments with untranslated text: {c['pos']}, flagged {c['pos_flagged']} "
        f"(recall {out['segment_recall']:.3f})\n"
        f"non-name untranslated spans: {c['nonname']}, found {c['nonname_hit']} "
        f"(recall {out['nonname_span_recall']:.3f})\n"
        f"segments with no error at all: {c['clean']}; with any finding {c['clean_flagged']} "
        f"({100 * out['clean_flag_rate_any_kind']:.2f} %), with an untranslated finding "
        f"{c['clean_flagged_foreign']} ({100 * out['clean_flag_rate_untranslated']:.2f} %); "
        f"applied changes there: {c['clean_applied']}\n"
        f"with the language map (English spans, incl. whole English sentences): segment "
        f"recall {out['segment_recall_with_language_map']:.3f}, non-name span recall "
        f"{out['nonname_span_recall_with_language_map']:.3f}; clean segments with an "
        f"English span: {c['clean_mapped_en']}"
    )
    for ex in fp_examples:
        print("  FLAG on clean:", ex)
    for ex in miss_examples:
        print("  MISSED:", ex)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=Path, default=CASES)
    ap.add_argument("--split", choices=("dev", "heldout", "all"), default="dev")
    ap.add_argument("--baseline", choices=("detector", "plain"), default="detector")
    ap.add_argument("--show-errors", type=int, default=0)
    ap.add_argument("--mqm", action="store_true", help="score WMT MQM en-de (and skip the set)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    warm_up()
    results: dict = {}
    if args.mqm:
        results["mqm_en_de"] = run_mqm(args.show_errors)
    else:
        with args.cases.open(encoding="utf-8") as fh:
            cases = [json.loads(line) for line in fh if line.strip()]
        if args.split != "all":
            cases = [c for c in cases if c["split"] == args.split]
        print(f"== {args.cases} split={args.split} ({len(cases)} cases), {args.baseline}")
        find = detector_findings if args.baseline == "detector" else plain_findings
        results["eval"] = score(cases, find, args.show_errors)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
