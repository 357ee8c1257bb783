"""Would a small calibrated classifier find lone foreign words better than the rules? (issue 12)

Run from the repo root (after ``eval_build.py --version 2``)::

    uv run python benchmarks/artefacts/lone_word_classifier.py

Why: round 2 of issue 12 asked whether a logistic regression over the per-word evidence the
detector already computes beats its hand-set thresholds for single untranslated words. This
script answers on the **development split of the v2 set only** (the held-out split is never
read): every lower-case, unmasked word inside a sentence is a sample; it is positive when it
is a gold single-word untranslated span. Features are the detector's own evidence (Zipf in
the text language, the best other language's Zipf, the lean between them, word length, how
many languages claim it, whether the words on each side are ordinary words of the text
language or names, the gaps, no list knowing it, a lost accented letter).

Five folds grouped by carrier paragraph (a paragraph never in train and test at once). In
each fold a logistic regression (plain batch gradient descent, L2; no numpy needed) is fitted
on four folds, its decision threshold is set on those folds to the lowest one that keeps
precision >= 0.98 there, and the fifth fold is scored. The rules are scored on the same
samples: a sample is "found" when ``analyse`` reports an untranslated finding overlapping it.
Token-level precision/recall of lone words only; nothing here is shipped in the package.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared" / "benchmarks").resolve()
CASES = SHARED / "artefacts-eval-v2" / "cases.jsonl"

sys.path.insert(0, str(REPO / "src"))

from newsetl.artefacts import analyse, foreign, lexicon  # noqa: E402
from newsetl.artefacts.tokens import mask_tokens, tokenise  # noqa: E402

FEATURES = (
    "zt",
    "top",
    "lean",
    "len",
    "n_langs",
    "prev_own",
    "next_own",
    "prev_name",
    "next_name",
    "plain_gaps",
    "unknown",
    "lost_letter",
    "top_ge6",
    "en_text",
)


def samples(cases: list[dict]) -> list[tuple[str, list[float], int, int]]:
    """(carrier group, features, label, found by the rules) per candidate word."""
    out = []
    for case in cases:
        text, lang = case["text"], case["language"]
        toks = tokenise(text)
        mask_tokens(text, toks, lang)
        lean = foreign.lean_of(lang)
        gold = [
            g
            for g in case["findings"]
            if g["kind"].startswith("untranslated") and " " not in g["surface"]
        ]
        other_gold = [g for g in case["findings"] if g not in gold]
        found = [
            f
            for f in analyse(text, lang, translator=None).findings
            if f.kind.startswith("untranslated")
        ]
        group = case["origin"].split(" + ")[0]
        for i in range(1, len(toks) - 1):
            tok = toks[i]
            if tok.masked or tok.sentence_start or not tok.text.islower() or len(tok.text) < 2:
                continue
            if any(g["start"] < tok.end and tok.start < g["end"] for g in other_gold):
                continue  # part of another gold finding: neither positive nor negative
            item = lean(tok.lower)
            if item.own and not item.langs:
                continue  # an ordinary word of the text language: no rule looks at it
            prev, nxt = toks[i - 1], toks[i + 1]

            p_own, p_name = _side(prev, lang, lean)
            n_own, n_name = _side(nxt, lang, lean)
            top = item.langs[0][1] if item.langs else 0.0
            gaps = text[prev.end : tok.start] == " " and text[tok.end : nxt.start] == " "
            x = [
                item.zt / 7,
                top / 7,
                (top - item.zt) / 7,
                min(len(tok.text), 15) / 15,
                len(item.langs) / 5,
                p_own,
                n_own,
                p_name,
                n_name,
                float(gaps),
                float(item.zt == 0.0 and not item.langs and not lexicon.evidence(tok.lower)),
                float(lang != "en" and foreign.lost_letter_word(tok.lower, lang)),
                float(top >= 6.0),
                float(lang == "en"),
            ]
            label = int(any(g["start"] <= tok.start and tok.end <= g["end"] for g in gold))
            hit = int(any(f.start < tok.end and tok.start < f.end for f in found))
            out.append((group, x, label, hit))
    return out


def _side(tok, lang: str, lean) -> tuple[float, float]:
    """(an ordinary word of the text language, a name) for a neighbour."""
    name = tok.masked or (tok.capitalised and not tok.sentence_start and lang != "de")
    return (0.0 if name else float(lean(tok.lower).own), float(name))


def fit(xs: list[list[float]], ys: list[int], epochs: int = 2000, rate: float = 2.0) -> list[float]:
    """Logistic regression by batch gradient descent with L2 (weights[-1] is the bias);
    positives weighted up to balance the classes."""
    n_feat = len(xs[0])
    w = [0.0] * (n_feat + 1)
    pos = sum(ys) or 1
    weight_pos = (len(ys) - pos) / pos
    for _ in range(epochs):
        grad = [0.0] * (n_feat + 1)
        for x, y in zip(xs, ys, strict=True):
            z = w[-1] + sum(wi * xi for wi, xi in zip(w, x, strict=False))
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            g = (p - y) * (weight_pos if y else 1.0)
            for k in range(n_feat):
                grad[k] += g * x[k]
            grad[-1] += g
        norm = sum(1 + (weight_pos - 1) * y for y in ys)
        for k in range(n_feat):
            w[k] -= rate * (grad[k] / norm + 1e-3 * w[k])
        w[-1] -= rate * grad[-1] / norm
    return w


def score(w: list[float], x: list[float]) -> float:
    return w[-1] + sum(wi * xi for wi, xi in zip(w, x, strict=False))


def threshold_for(scores: list[float], ys: list[int], min_precision: float) -> float:
    """The lowest threshold whose precision on these samples is at least ``min_precision``."""
    pairs = sorted(zip(scores, ys, strict=True), reverse=True)
    best = math.inf
    tp = fp = 0
    for s, y in pairs:
        tp += y
        fp += 1 - y
        if tp and tp / (tp + fp) >= min_precision:
            best = s
    return best


def fold_of(group: str, k: int) -> int:
    return int(hashlib.blake2b(group.encode(), digest_size=4).hexdigest(), 16) % k


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=Path, default=CASES)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--min-precision", type=float, default=0.98)
    args = ap.parse_args(argv)
    with args.cases.open(encoding="utf-8") as fh:
        cases = [json.loads(line) for line in fh if line.strip()]
    cases = [c for c in cases if c["split"] == "dev"]  # never the held-out split
    data = samples(cases)
    random.Random(0).shuffle(data)
    print(f"{len(data)} candidate words, {sum(d[2] for d in data)} gold lone foreign words")
    settings = {
        f"lr, P>={args.min_precision} on train": args.min_precision,
        "lr, P>=0.95 on train": 0.95,
        "lr, p>=0.5": None,
    }
    totals = {name: [0, 0, 0] for name in (*settings, "rules")}  # tp, fp, fn
    for k in range(args.folds):
        train = [d for d in data if fold_of(d[0], args.folds) != k]
        test = [d for d in data if fold_of(d[0], args.folds) == k]
        w = fit([d[1] for d in train], [d[2] for d in train])
        train_scores = [score(w, d[1]) for d in train]
        cuts = {
            name: 0.0 if need is None else threshold_for(train_scores, [d[2] for d in train], need)
            for name, need in settings.items()
        }
        for d in test:
            preds = {name: score(w, d[1]) >= cut for name, cut in cuts.items()}
            preds["rules"] = bool(d[3])
            for name, p in preds.items():
                t = totals[name]
                t[0] += p and d[2]
                t[1] += p and not d[2]
                t[2] += (not p) and d[2]
    for name, (tp, fp, fn) in totals.items():
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{name:24} P {p:.3f} R {r:.3f} F1 {f1:.3f} (tp {tp}, fp {fp}, fn {fn})")
    w = fit([d[1] for d in data], [d[2] for d in data])
    print(
        "weights on all dev samples:", {f: round(v, 2) for f, v in zip(FEATURES, w, strict=False)}
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
