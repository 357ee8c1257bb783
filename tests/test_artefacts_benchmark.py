"""The benchmark scorer itself (newsetl.artefacts.evaluation) on a handful of cases."""

from __future__ import annotations

import json
from pathlib import Path

from newsetl.artefacts import analyse
from newsetl.artefacts.evaluation import (
    format_report,
    load_cases,
    match_findings,
    score_cases,
)

CASES = Path(__file__).resolve().parents[1] / "benchmarks" / "artefacts" / "cases.jsonl"


def _gold(kind: str, start: int, end: int) -> dict:
    return {"kind": kind, "start": start, "end": end}


def test_matching_needs_same_kind_and_overlap_and_counts_each_gold_once() -> None:
    gold = [_gold("glued_tokens", 10, 19), _gold("calque_article", 0, 12)]
    predicted = [
        _gold("glued_tokens", 12, 15),  # overlaps gold 0: TP
        _gold("glued_tokens", 11, 13),  # overlaps gold 0 again, already used: FP
        _gold("capitalisation", 0, 5),  # wrong kind: FP
    ]
    pairs, fps, fns = match_findings(gold, predicted)
    assert len(pairs) == 1 and len(fps) == 2
    assert fns == [gold[1]]


def test_score_cases_counts_per_kind_and_exact_repairs() -> None:
    cases = [
        {
            "id": "p1",
            "text": "A inB.",
            "expected_text": "A in B.",
            "findings": [_gold("glued_tokens", 2, 5)],
        },
        {"id": "p2", "text": "x", "expected_text": "y", "findings": [_gold("false_friend", 0, 1)]},
        {"id": "n1", "text": "clean", "expected_text": "clean", "findings": []},
    ]
    answers = {
        "p1": ([_gold("glued_tokens", 2, 5)], "A in B."),
        "p2": ([], "x"),
        "n1": ([_gold("capitalisation", 0, 5)], "clean"),
    }
    report = score_cases(cases, lambda case: answers[case["id"]])
    glued, ff, cap = (
        report.per_kind[k] for k in ("glued_tokens", "false_friend", "capitalisation")
    )
    assert (glued.tp, glued.fp, glued.fn) == (1, 0, 0)
    assert (ff.tp, ff.fn, ff.recall) == (0, 1, 0.0)
    assert (cap.fp, cap.precision) == (1, 0.0)
    assert report.negatives == 1 and report.negatives_flagged == 1
    assert report.exact_repair_rate(["glued_tokens", "false_friend"]) == 0.5
    assert "glued_tokens" in format_report(report)


def test_scorer_runs_the_detector_on_a_sample_of_the_eval_set() -> None:
    cases = load_cases(CASES)
    assert len(cases) >= 300
    by_group: dict[str, dict] = {}
    for case in cases:
        by_group.setdefault(case["group"], case)
    sample = list(by_group.values())

    def run(case):
        result = analyse(case["text"], case["language"])
        return [f.to_json() for f in result.findings], result.repaired_text

    report = score_cases(sample, run)
    assert report.cases == len(sample)
    json.dumps({k: vars(v) for k, v in report.per_kind.items()})  # serialisable counts
    assert report.overall.tp + report.overall.fn == sum(len(c["findings"]) for c in sample)
