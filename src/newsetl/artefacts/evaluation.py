"""Scoring of artefact findings against a gold set (used by benchmarks/artefacts/run.py).

Lives in the package (not in the benchmark folder) so the scorer itself is importable and
unit-tested. Matching rule: a predicted finding is a true positive when a gold finding of the
same kind overlaps it; each gold finding can be matched once. Exact repair: the repaired text
equals the gold clean text.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .model import KINDS

#: Kinds whose repair is rule-based (the ">= 95 % exact repairs" bar applies to these): every
#: kind but untranslated spans, which need a translator.
DETERMINISTIC_KINDS = tuple(kind for kind in KINDS if kind != "untranslated_span")


@dataclass
class KindScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    per_kind: dict[str, KindScore] = field(default_factory=lambda: defaultdict(KindScore))
    repair_total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    repair_exact: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    negatives: int = 0
    negatives_flagged: int = 0
    cases: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def overall(self) -> KindScore:
        total = KindScore()
        for score in self.per_kind.values():
            total.tp += score.tp
            total.fp += score.fp
            total.fn += score.fn
        return total

    def exact_repair_rate(self, kinds: Iterable[str] = DETERMINISTIC_KINDS) -> float:
        kinds = list(kinds)
        total = sum(self.repair_total[k] for k in kinds)
        return sum(self.repair_exact[k] for k in kinds) / total if total else 1.0


def load_cases(path: str | Path) -> list[dict]:
    """Read a JSONL evaluation file."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def match_findings(gold: list[dict], predicted: list[dict]) -> tuple[list, list, list]:
    """(matched pairs, unmatched predictions, unmatched gold) by kind + overlap."""
    used: set[int] = set()
    pairs, fps = [], []
    for p in predicted:
        hit = None
        for i, g in enumerate(gold):
            if i in used or g["kind"] != p["kind"]:
                continue
            if g["start"] < p["end"] and p["start"] < g["end"]:
                hit = i
                break
        if hit is None:
            fps.append(p)
        else:
            used.add(hit)
            pairs.append((gold[hit], p))
    fns = [g for i, g in enumerate(gold) if i not in used]
    return pairs, fps, fns


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def score_cases(
    cases: list[dict], analyse_case: Callable[[dict], tuple[list[dict], str]]
) -> Report:
    """Score ``analyse_case(case) -> (predicted findings as dicts, repaired text)``."""
    report = Report()
    for kind in KINDS:
        report.per_kind[kind]  # every kind appears in the table, even with no cases
    for case in cases:
        report.cases += 1
        predicted, repaired = analyse_case(case)
        gold = case["findings"]
        pairs, fps, fns = match_findings(gold, predicted)
        for g, _ in pairs:
            report.per_kind[g["kind"]].tp += 1
        for p in fps:
            report.per_kind[p["kind"]].fp += 1
        for g in fns:
            report.per_kind[g["kind"]].fn += 1
        if not gold:
            report.negatives += 1
            report.negatives_flagged += bool(predicted)
        else:
            # A case with an untranslated span cannot be repaired exactly offline, so it
            # counts under that kind, never against the deterministic kinds.
            kinds = [g["kind"] for g in gold]
            kind = "untranslated_span" if "untranslated_span" in kinds else kinds[0]
            report.repair_total[kind] += 1
            report.repair_exact[kind] += _norm(repaired) == _norm(case["expected_text"])
        if fps or fns:
            report.errors.append(
                {"id": case["id"], "text": case["text"], "false_positives": fps, "missed": fns}
            )
    return report


def format_report(report: Report) -> str:
    """A plain-text table: per-kind P/R/F1 and exact repairs."""
    lines = [
        f"{'kind':30} {'TP':>4} {'FP':>4} {'FN':>4} {'P':>6} {'R':>6} {'F1':>6} "
        f"{'exact repair':>13}"
    ]
    for kind in KINDS:
        s = report.per_kind[kind]
        tot = report.repair_total.get(kind, 0)
        ex = report.repair_exact.get(kind, 0)
        rep = f"{ex}/{tot}" if tot else "-"
        lines.append(
            f"{kind:30} {s.tp:4d} {s.fp:4d} {s.fn:4d} {s.precision:6.3f} "
            f"{s.recall:6.3f} {s.f1:6.3f} {rep:>13}"
        )
    o = report.overall
    lines.append(
        f"{'ALL':30} {o.tp:4d} {o.fp:4d} {o.fn:4d} {o.precision:6.3f} {o.recall:6.3f} {o.f1:6.3f}"
    )
    lines.append(
        f"cases: {report.cases}; negative cases with any finding: "
        f"{report.negatives_flagged}/{report.negatives}; exact repair rate "
        f"(deterministic kinds): {report.exact_repair_rate():.3f}"
    )
    return "\n".join(lines)
