"""The Zyte (ScrapingHub) article-extraction shingle metric, re-implemented from its description.

Why a re-implementation: the benchmark data in ``../shared/benchmarks`` carries no upstream
code (data only), so we score with our own implementation and prove it right by reproducing
the published table from the published outputs (``check_published``; ``run.py --check-scorer``).

The metric (see ``extraction/zyte-article-extraction-benchmark/README.md``):

* tokens are ``\\w+`` matches (case-sensitive, Unicode);
* shingles are token 4-grams compared as multisets (a text with fewer than 4 tokens gives one
  shorter shingle; an empty text gives none);
* per item, TP/FP/FN over shingles are divided by TP+FP+FN; per-item precision and recall are
  1.0 when FP = FN = 0;
* corpus precision is the mean of per-item precision over items with TP+FP > 0, recall the
  mean over items with TP+FN > 0, and F1 = 2PR/(P+R) of those two means;
* accuracy is the share of items whose token sequence equals the truth exactly;
* the ± values are the standard deviation over 1000 bootstrap resamples of the items.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

_TOKEN = re.compile(r"\w+")
NGRAM = 4
N_BOOTSTRAP = 1000
BOOTSTRAP_SEED = 42

#: Published numbers (upstream README.rst, latest run, as quoted in EVALUATION.md 1a):
#: output file stem -> (F1, precision, recall, accuracy); None where only F1 is quoted.
PUBLISHED: dict[str, tuple[float, float | None, float | None, float | None]] = {
    "trafilatura": (0.958, 0.938, 0.978, 0.293),
    "rs_trafilatura": (0.970, None, None, None),
    "go_trafilatura": (0.960, None, None, None),
    "newspaper": (0.949, None, None, None),
    "news_please": (0.948, None, None, None),
    "readability_js": (0.947, None, None, None),
    "go_domdistiller": (0.927, None, None, None),
    "readability": (0.922, None, None, None),
    "goose3": (0.896, None, None, None),
    "justext": (0.804, None, None, None),
    "html-text": (0.665, None, None, None),
    "AutoExtract": (0.970, 0.984, 0.956, 0.470),
    "Diffbot": (0.951, 0.958, 0.944, 0.348),
}

Counts = tuple[float, float, float]


def tokenize(text: str | None) -> list[str]:
    return _TOKEN.findall(text or "")


def shingles(tokens: Sequence[str], n: int = NGRAM) -> Counter[str]:
    """Multiset of token n-grams; fewer than n tokens give one shorter shingle."""
    if len(tokens) < n:
        return Counter([" ".join(tokens)] if tokens else [])
    return Counter(map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False)))


def item_counts(truth: str | None, prediction: str | None) -> Counts:
    """TP, FP, FN of one item over shingle multisets, normalised by their sum."""
    return token_counts(tokenize(truth), tokenize(prediction))


def token_counts(truth: Sequence[str], prediction: Sequence[str]) -> Counts:
    """:func:`item_counts` on already tokenised texts."""
    expected, got = shingles(truth), shingles(prediction)
    tp = sum(min(count, got[gram]) for gram, count in expected.items() if gram in got)
    fp = sum(got.values()) - tp
    fn = sum(expected.values()) - tp
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def _per_item(counts: Sequence[Counts]) -> tuple[list[float | None], list[float | None]]:
    """Per-item precision (None when TP+FP = 0) and recall (None when TP+FN = 0)."""
    precisions = [_precision(*c) if c[0] + c[1] > 0 else None for c in counts]
    recalls = [_recall(*c) if c[0] + c[2] > 0 else None for c in counts]
    return precisions, recalls


def _f1_of_means(
    precisions: Sequence[float | None], recalls: Sequence[float | None]
) -> tuple[float, float, float]:
    kept_p = [p for p in precisions if p is not None]
    kept_r = [r for r in recalls if r is not None]
    precision = statistics.fmean(kept_p) if kept_p else 0.0
    recall = statistics.fmean(kept_r) if kept_r else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def prf(counts: Sequence[Counts]) -> tuple[float, float, float]:
    """(F1, precision, recall): P and R are means of per-item values, F1 of those means."""
    return _f1_of_means(*_per_item(counts))


@dataclass(frozen=True)
class Score:
    """Corpus-level metric with bootstrap standard deviations."""

    items: int
    f1: float
    precision: float
    recall: float
    accuracy: float
    f1_std: float
    precision_std: float
    recall_std: float
    accuracy_std: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    def line(self) -> str:
        return (
            f"F1 {self.f1:.3f} ± {self.f1_std:.3f}  P {self.precision:.3f} ± "
            f"{self.precision_std:.3f}  R {self.recall:.3f} ± {self.recall_std:.3f}  "
            f"acc {self.accuracy:.3f} ± {self.accuracy_std:.3f}"
        )


def score(
    truth: Mapping[str, str],
    predictions: Mapping[str, str | None],
    *,
    n_bootstrap: int = N_BOOTSTRAP,
    seed: int = BOOTSTRAP_SEED,
) -> Score:
    """Score predictions (id -> text, missing or None = nothing extracted) against the truth.

    Only ids in ``truth`` count, so a partial run (``--limit``) is scored on its own pages
    by passing the matching subset of the truth.
    """
    keys = sorted(truth)
    tokens = [(tokenize(truth[k]), tokenize(predictions.get(k))) for k in keys]
    counts = [token_counts(expected, got) for expected, got in tokens]
    exact = [float(expected == got) for expected, got in tokens]
    precisions, recalls = _per_item(counts)
    f1, precision, recall = _f1_of_means(precisions, recalls)
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {"f1": [], "precision": [], "recall": [], "accuracy": []}
    n = len(keys)
    for _ in range(n_bootstrap if n else 0):
        picks = rng.choices(range(n), k=n)
        b_f1, b_p, b_r = _f1_of_means([precisions[i] for i in picks], [recalls[i] for i in picks])
        samples["f1"].append(b_f1)
        samples["precision"].append(b_p)
        samples["recall"].append(b_r)
        samples["accuracy"].append(statistics.fmean(exact[i] for i in picks))

    def std(name: str) -> float:
        return statistics.stdev(samples[name]) if len(samples[name]) > 1 else 0.0

    return Score(
        items=n,
        f1=f1,
        precision=precision,
        recall=recall,
        accuracy=statistics.fmean(exact) if exact else 0.0,
        f1_std=std("f1"),
        precision_std=std("precision"),
        recall_std=std("recall"),
        accuracy_std=std("accuracy"),
    )


# --------------------------------------------------------------------------------------------
# Reading the benchmark's files
# --------------------------------------------------------------------------------------------
def load_truth(dataset: Path) -> dict[str, str]:
    """id -> human-checked article body."""
    data = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
    return {key: item["articleBody"] for key, item in data.items()}


def load_urls(dataset: Path) -> dict[str, str]:
    data = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
    return {key: item.get("url") or "" for key, item in data.items()}


def load_output(path: Path) -> dict[str, str | None]:
    """A published ``output/<system>.json.gz``; some are wrapped as {version, output}."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    if isinstance(data, dict) and "output" in data and isinstance(data["output"], dict):
        data = data["output"]
    return {key: (item or {}).get("articleBody") for key, item in data.items()}


def check_published(
    dataset: Path, n_bootstrap: int = N_BOOTSTRAP, *, only_published: bool = False
) -> list[dict]:
    """Score the published outputs; rows carry the published numbers where known.

    ``only_published``: just the systems whose numbers are quoted in :data:`PUBLISHED`.
    """
    truth = load_truth(dataset)
    rows = []
    for path in sorted((dataset / "output").glob("*.json.gz")):
        system = path.name.removesuffix(".json.gz")
        if only_published and system not in PUBLISHED:
            continue
        result = score(truth, load_output(path), n_bootstrap=n_bootstrap)
        published = PUBLISHED.get(system)
        rows.append({"system": system, "score": result.as_dict(), "published": published})
    return rows


def published_matches(row: dict, tolerance: float = 0.0005) -> bool | None:
    """Whether our numbers round to the published ones (None: nothing published)."""
    published = row["published"]
    if published is None:
        return None
    ours = row["score"]
    values = (ours["f1"], ours["precision"], ours["recall"], ours["accuracy"])
    pairs = zip(published, values, strict=True)
    return all(p is None or abs(round(o, 3) - p) <= tolerance for p, o in pairs)
