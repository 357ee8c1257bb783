"""Benchmark the MT-artefact detector (newsetl issue 3). Run from the repo root:

    .venv/bin/python benchmarks/artefacts/run.py            # everything (about a minute or two)
    .venv/bin/python benchmarks/artefacts/run.py --skip-mqm --show-errors

1. Our evaluation set (benchmarks/artefacts/cases.jsonl, built by build_cases.py): per-kind
   precision/recall/F1 and the exact-repair rate, offline (no translator, so untranslated spans
   stay "pending" and only the deterministic kinds can be repaired exactly).
2. False flags per 1,000 tokens on clean English: the human-checked article bodies of the Zyte
   extraction benchmark (pages whose body langdetect identifies as English).
3. Real MT output: WMT MQM en-de "untranslated" annotations (English left in German output):
   segment-level recall/precision and the flag rate on segments without such errors.
4. The project's sample news site (annotations by another engineer): artefacts found,
   hard negatives flagged, extra findings.
5. Speed: milliseconds per 1,000 words after warm-up (with section 2).

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
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared" / "benchmarks").resolve()
CASES = Path(__file__).resolve().parent / "cases.jsonl"
HELDOUT = Path(__file__).resolve().parent / "cases_heldout.jsonl"
HELDOUT2 = Path(__file__).resolve().parent / "cases_heldout2.jsonl"
ZYTE = SHARED / "extraction" / "zyte-article-extraction-benchmark" / "ground-truth.json"
MQM = SHARED / "mqm" / "derived" / "segments_untranslated.tsv.gz"
SAMPLES = REPO / "src" / "newsetl" / "samples" / "site"
TOKEN = re.compile(r"\w+")
#: Kinds that claim "text left in another language" (what MQM calls untranslated).
FOREIGN_KINDS = {"untranslated_span", "untranslated_function_word"}

sys.path.insert(0, str(REPO / "src"))

from newsetl.artefacts import analyse, warm_up  # noqa: E402
from newsetl.artefacts.evaluation import format_report, load_cases, score_cases  # noqa: E402


def run_eval_set(show_errors: bool, path: Path = CASES, title: str = "1. Evaluation set") -> dict:
    cases = load_cases(path)

    def analyse_case(case: dict) -> tuple[list[dict], str]:
        result = analyse(case["text"], case["language"], translator=None)
        return [f.to_json() for f in result.findings], result.repaired_text

    report = score_cases(cases, analyse_case)
    print(f"== {title}:", path.relative_to(REPO), f"({len(cases)} cases)")
    print(format_report(report))
    # Source-language attribution on positives that name one.
    right = total = 0
    for case in cases:
        gold = [g for g in case["findings"] if g.get("source_language")]
        if not gold:
            continue
        result = analyse(case["text"], case["language"], translator=None)
        for g in gold:
            hits = [
                f
                for f in result.findings
                if f.kind == g["kind"] and f.start < g["end"] and g["start"] < f.end
            ]
            if hits:
                total += 1
                right += hits[0].source_language == g["source_language"]
    if total:
        print(
            f"source language of detected findings correct: {right}/{total} ({right / total:.3f})"
        )
    if show_errors:
        for err in report.errors:
            print(" ", err["id"], err["text"][:110])
            for p in err["false_positives"]:
                print("     FP", p["kind"], repr(p["surface"]), "->", p["replacement"])
            for g in err["missed"]:
                print("     FN", g["kind"], repr(g["surface"]))
    o = report.overall
    return {
        "cases": report.cases,
        "precision": o.precision,
        "recall": o.recall,
        "f1": o.f1,
        "exact_repair_deterministic": report.exact_repair_rate(),
        "per_kind": {
            k: {"p": s.precision, "r": s.recall, "f1": s.f1, "tp": s.tp, "fp": s.fp, "fn": s.fn}
            for k, s in report.per_kind.items()
        },
    }


def _english(text: str) -> bool:
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0
    try:
        return detect(text) == "en"
    except LangDetectException:
        return False


def _lingua_english(text: str) -> bool:
    from newsetl.artefacts.language import span_confidences

    conf = span_confidences(text)
    return bool(conf) and max(conf, key=conf.__getitem__) == "en"


def run_zyte(show_errors: bool) -> dict:
    """False flags on clean English, for two definitions of "English page".

    Main figure: pages that both langdetect and lingua call English. Also shown: all pages
    langdetect alone calls English (this adds a Brazilian results page whose prose is
    Portuguese around an English table; flags there are Portuguese text, not English).
    """
    truth = json.loads(ZYTE.read_text(encoding="utf-8"))
    sets = {"both": Counter(), "langdetect": Counter()}
    kinds: Counter[str] = Counter()
    flags = []
    elapsed = cpu = 0.0
    words = 0
    bodies: list[str] = []
    for page_id, row in sorted(truth.items()):
        body = row.get("articleBody") or ""
        if not body.strip() or not _english(body):
            continue
        both = _lingua_english(body)
        bodies.append(body)
        ntok = len(TOKEN.findall(body))
        words += len(body.split())
        t0, c0 = time.perf_counter(), time.process_time()
        result = analyse(body, "en", translator=None)
        elapsed += time.perf_counter() - t0
        cpu += time.process_time() - c0
        for name, member in (("langdetect", True), ("both", both)):
            if member:
                sets[name]["pages"] += 1
                sets[name]["tokens"] += ntok
                sets[name]["flags"] += len(result.findings)
        for f in result.findings:
            if both:
                kinds[f.kind] += 1
            ctx = body[max(0, f.start - 40) : f.end + 40].replace("\n", " ")
            flags.append(
                (
                    page_id[:10],
                    "en" if both else "not-en(lingua)",
                    f.kind,
                    f.surface,
                    f.replacement,
                    ctx,
                )
            )
    print("\n== 2. Clean English (Zyte ground-truth bodies)")
    out = {}
    for name, label in (
        ("both", "langdetect and lingua say en"),
        ("langdetect", "langdetect alone says en"),
    ):
        c = sets[name]
        rate = 1000 * c["flags"] / c["tokens"] if c["tokens"] else 0.0
        print(
            f"{label:32}: {c['pages']} pages, {c['tokens']} tokens, {c['flags']} findings "
            f"-> {rate:.3f} false flags per 1,000 tokens"
        )
        out[name] = {
            "pages": c["pages"],
            "tokens": c["tokens"],
            "flags": c["flags"],
            "per_1000_tokens": rate,
        }
    print(f"findings by kind (both): {dict(kinds) or '{}'}")
    ms = 1e6 * elapsed / max(words, 1)
    cpu_ms = 1e6 * cpu / max(words, 1)
    # Second pass over the same bodies: the per-word frequency caches are warm, as they are
    # in a long ingest run where most words have been seen before.
    c0 = time.process_time()
    for body in bodies:
        analyse(body, "en", translator=None)
    warm_ms = 1e6 * (time.process_time() - c0) / max(words, 1)
    print(
        f"speed: {cpu_ms:.2f} ms CPU per 1,000 words on the first pass ({ms:.2f} ms wall; "
        f"{words} words), {warm_ms:.2f} ms CPU with warm word caches (second pass)"
    )
    out["ms_per_1000_words"] = ms
    out["cpu_ms_per_1000_words"] = cpu_ms
    out["cpu_ms_per_1000_words_warm"] = warm_ms
    if show_errors:
        for flag in flags:
            print("  ", flag)
    return out


def run_mqm(limit: int | None, show_errors: bool) -> dict:
    print("\n== 3. WMT MQM en-de: English left in German MT output")
    stats: dict[str, Counter] = {}
    examples = []
    with gzip.open(MQM, "rt", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["lp"] == "en-de"]
    if limit:
        rows = rows[:limit]
    for row in rows:
        spans = json.loads(row["untranslated_spans"] or "[]")
        n_raters = int(row["n_untranslated_raters"] or 0)
        nontrans = int(row["nontranslation_raters"] or 0)
        result = analyse(row["target"], "de", translator=None)
        pred = [f for f in result.findings if f.kind in FOREIGN_KINDS]
        flagged = bool(pred)
        for name in ("all", row["testset"]):
            c = stats.setdefault(name, Counter())
            if n_raters >= 1:
                c["pos"] += 1
                c["pos_flagged"] += flagged
                major = any(str(s[3]).lower() in ("major", "critical") for s in spans)
                if major:
                    c["major"] += 1
                    c["major_flagged"] += flagged
                if n_raters >= 2:
                    c["pos2"] += 1
                    c["pos2_flagged"] += flagged
                gold = [(s[0], s[1]) for s in spans if s[0] >= 0]
                c["gold_spans"] += len(gold)
                c["gold_spans_hit"] += sum(
                    any(f.start < b and a < f.end for f in pred) for a, b in gold
                )
                c["pred_spans"] += len(pred)
                c["pred_spans_hit"] += sum(
                    any(f.start < b and a < f.end for a, b in gold) for f in pred
                )
            elif nontrans == 0:
                c["neg"] += 1
                c["neg_flagged"] += flagged
                if flagged and len(examples) < 40:
                    examples.append(
                        (row["testset"], [f.surface for f in pred], row["target"][:140])
                    )
    out = {}
    print(
        f"{'testset':20} {'pos':>5} {'recall':>7} {'rec>=2r':>8} {'recMaj':>7} "
        f"{'neg':>6} {'negFlag%':>9} {'segP':>6} {'spanHitR':>9} {'spanHitP':>9}"
    )
    for name, c in stats.items():
        recall = c["pos_flagged"] / c["pos"] if c["pos"] else 0.0
        rec2 = c["pos2_flagged"] / c["pos2"] if c["pos2"] else float("nan")
        recmaj = c["major_flagged"] / c["major"] if c["major"] else float("nan")
        negrate = c["neg_flagged"] / c["neg"] if c["neg"] else 0.0
        flagged_total = c["pos_flagged"] + c["neg_flagged"]
        seg_p = c["pos_flagged"] / flagged_total if flagged_total else float("nan")
        hit_r = c["gold_spans_hit"] / c["gold_spans"] if c["gold_spans"] else float("nan")
        hit_p = c["pred_spans_hit"] / c["pred_spans"] if c["pred_spans"] else float("nan")
        print(
            f"{name:20} {c['pos']:5d} {recall:7.3f} {rec2:8.3f} {recmaj:7.3f} {c['neg']:6d} "
            f"{100 * negrate:9.2f} {seg_p:6.3f} {hit_r:9.3f} {hit_p:9.3f}"
        )
        out[name] = {
            "positives": c["pos"],
            "recall": recall,
            "recall_2raters": rec2,
            "recall_major": recmaj,
            "negatives": c["neg"],
            "neg_flag_rate": negrate,
            "segment_precision": seg_p,
            "span_hit_recall": hit_r,
            "span_hit_precision": hit_p,
        }
    print(
        "(pos: segments where >=1 rater marked untranslated text; neg: no untranslated and no "
        "non-translation mark; segP: share of flagged segments that are positives)"
    )
    if show_errors:
        for ex in examples:
            print("  FLAG on clean:", ex)
    return out


def run_sample_site(show_errors: bool) -> dict:
    """The project's sample news site: artefacts annotated by another engineer (MANIFEST.json).

    Each page is extracted with trafilatura (as the pipeline does) and analysed; an annotated
    artefact counts as found when a finding of any kind overlaps its first whole-word
    occurrence; hard negatives must have no overlapping finding; findings that overlap no
    annotation are listed as extra.
    """
    import trafilatura

    manifest = json.loads((SAMPLES / "MANIFEST.json").read_text(encoding="utf-8"))
    found = missed = neg_hits = negs = findings = extra = kind_ok = 0
    lines = []
    for page in manifest["pages"]:
        html = (SAMPLES / page["path"]).read_text(encoding="utf-8")
        text = trafilatura.extract(html, include_comments=False) or ""
        result = analyse(text, page["language"], translator=None)
        findings += len(result.findings)
        used: set[int] = set()

        def overlapping(surface: str, text=text, result=result) -> list:
            m = re.search(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text)
            if not m:
                return []
            return [f for f in result.findings if f.start < m.end() and m.start() < f.end]

        for art in page["artefacts"]:
            hits = overlapping(art["surface"])
            used.update(id(h) for h in hits)
            found += bool(hits)
            missed += not hits
            kind_ok += any(h.kind == art["kind"] for h in hits)
            if not hits:
                lines.append(f"  MISS {art['kind']}: {art['surface']!r}")
        for neg in page["hard_negatives"]:
            surface = neg if isinstance(neg, str) else neg.get("surface", "")
            negs += 1
            if overlapping(surface):
                neg_hits += 1
                lines.append(f"  HARD-NEGATIVE FLAGGED: {surface!r}")
        for f in result.findings:
            if id(f) not in used:
                extra += 1
                lines.append(f"  EXTRA {f.kind}: {f.surface!r} ({page['path']})")
    total = found + missed
    print("\n== 4. Sample news site (src/newsetl/samples/site, annotated by another engineer)")
    print(
        f"annotated artefacts found: {found}/{total} (same kind: {kind_ok}); hard negatives "
        f"flagged: {neg_hits}/{negs}; findings: {findings}, of which extra: {extra}"
    )
    if show_errors:
        print("\n".join(lines))
    return {
        "found": found,
        "total": total,
        "same_kind": kind_ok,
        "hard_negatives": negs,
        "hard_negatives_flagged": neg_hits,
        "findings": findings,
        "extra": extra,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-mqm", action="store_true")
    ap.add_argument("--skip-zyte", action="store_true")
    ap.add_argument("--mqm-limit", type=int, default=None, help="only the first N en-de rows")
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    warm_up()
    print(f"warm-up: {time.perf_counter() - t0:.1f} s")
    results = {"eval_set": run_eval_set(args.show_errors)}
    print()
    results["heldout_set"] = run_eval_set(
        args.show_errors,
        HELDOUT,
        "1b. Held-out set (written after tuning; blind run in benchmarks/README.md)",
    )
    print()
    results["heldout2_set"] = run_eval_set(
        args.show_errors, HELDOUT2, "1c. Second held-out set (paragraphs, written last)"
    )
    if not args.skip_zyte:
        results["zyte_clean_english"] = run_zyte(args.show_errors)
    if not args.skip_mqm:
        results["mqm_en_de"] = run_mqm(args.mqm_limit, args.show_errors)
    results["sample_site"] = run_sample_site(args.show_errors)
    print(f"\ntotal time: {time.perf_counter() - t0:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
