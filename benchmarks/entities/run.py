"""Score newsetl.entities on the hand-written gold set (``gold.jsonl``).

Reports, with the real code path (extract_entities -> store_entities on an in-memory DuckDB with
migrations 003, 004, 008 and the seeds -> refresh_entity_layers: resolution, then stories):

* mention precision / recall / F1: a predicted mention counts when its span equals a gold span;
* type accuracy on the matched mentions;
* pairwise grouping P/R/F1 over the matched mentions: a pair is "same" when both mentions carry the
  same entity_id (prediction) / cluster (gold). Within documents = pairs inside one document;
  across documents = pairs from two different documents (this is where "Draghi" must not meet
  "Drago" and two Kellers must stay apart);
* pairwise story clustering P/R/F1 over article pairs;
* extraction speed (documents and characters per second, after the gazetteer is loaded).

Run: ``.venv/bin/python benchmarks/entities/run.py [--json] [--errors]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import duckdb

from newsetl.entities import extract_entities, refresh_entity_layers, store_entities
from newsetl.entities.gazetteer import get_gazetteer

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "tp": tp, "fp": fp, "fn": fn}  # fmt: skip


def warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name in ("003_entities.sql", "004_entity_ids.sql", "008_entity_resolution.sql"):
        con.execute((REPO / "warehouse" / "migrations" / name).read_text())
    for table in ("entities", "entity_aliases"):
        con.execute(
            f"INSERT OR REPLACE INTO {table} BY NAME "
            "SELECT * FROM read_csv(?, header = true, all_varchar = true)",
            [str(REPO / "warehouse" / "seeds" / f"{table}.csv")],
        )
    return con


def pairwise(items: list[tuple], same_gold, same_pred) -> dict[str, float]:
    tp = fp = fn = 0
    for a, b in items:
        g, p = same_gold(a, b), same_pred(a, b)
        tp += g and p
        fp += p and not g
        fn += g and not p
    return prf(tp, fp, fn)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=HERE / "gold.jsonl")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--errors", action="store_true", help="list missed / spurious mentions")
    args = parser.parse_args(argv)

    gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line]
    t0 = time.perf_counter()
    get_gazetteer()
    extracted = {d["doc_id"]: extract_entities(d["text"], d["language"]) for d in gold}
    cold = time.perf_counter() - t0  # includes loading seeds, geonames, given names, word lists
    t0 = time.perf_counter()
    for d in gold:
        extract_entities(d["text"], d["language"])
    elapsed = time.perf_counter() - t0
    chars = sum(len(d["text"]) for d in gold)

    con = warehouse()
    con.execute("BEGIN")
    store_entities(con, [
        {"article_id": d["doc_id"], "language": d["language"], "site": "gold.example",
         "published_at": datetime.fromisoformat(d["published_at"]), "title": None,
         "entities": extracted[d["doc_id"]].to_storage()}
        for d in gold
    ])  # fmt: skip
    con.execute("COMMIT")
    n_stories = refresh_entity_layers(con)  # resolution (migration 008), then stories

    pred: dict[tuple[str, int, int], str] = {}
    resolved: dict[tuple[str, int, int], str] = {}
    pred_type: dict[str, str] = dict(con.execute("SELECT entity_id, type FROM entities").fetchall())
    for article_id, start, end, entity_id, resolved_id in con.execute(
        "SELECT article_id, start_offset, end_offset, entity_id, resolved_id FROM resolved_mentions"
    ).fetchall():
        pred[(article_id, start, end)] = entity_id
        resolved[(article_id, start, end)] = resolved_id
    gold_m = {(d["doc_id"], m["start"], m["end"]): m for d in gold for m in d["mentions"]}
    lang_of = {d["doc_id"]: d["language"] for d in gold}
    mt_of = {d["doc_id"]: d["machine_translated"] for d in gold}

    matched = sorted(set(pred) & set(gold_m))
    report: dict = {"documents": len(gold), "gold_mentions": len(gold_m),
                    "predicted_mentions": len(pred)}  # fmt: skip
    report["mentions"] = prf(
        len(matched), len(set(pred) - set(gold_m)), len(set(gold_m) - set(pred))
    )
    by_lang: dict[str, Counter] = defaultdict(Counter)
    for key in set(pred) | set(gold_m):
        group = lang_of[key[0]] + ("-mt" if mt_of[key[0]] else "")
        by_lang[group][
            "tp" if key in pred and key in gold_m else "fp" if key in pred else "fn"
        ] += 1
    report["mentions_by_language"] = {
        k: prf(v["tp"], v["fp"], v["fn"]) for k, v in sorted(by_lang.items())
    }
    typed = sum(1 for k in matched if pred_type.get(pred[k]) == gold_m[k]["type"])
    report["type_accuracy"] = round(typed / len(matched), 4) if matched else 0.0

    def same_gold(a, b):
        return gold_m[a]["cluster"] == gold_m[b]["cluster"]

    def same_pred(a, b):
        return pred[a] == pred[b]

    pairs = list(itertools.combinations(matched, 2))
    report["grouping_within_documents"] = pairwise(
        [(a, b) for a, b in pairs if a[0] == b[0]], same_gold, same_pred)  # fmt: skip
    report["grouping_across_documents"] = pairwise(
        [(a, b) for a, b in pairs if a[0] != b[0]], same_gold, same_pred)  # fmt: skip
    report["grouping_all_pairs"] = pairwise(pairs, same_gold, same_pred)

    def same_resolved(a, b):
        return resolved[a] == resolved[b]

    report["resolved_within_documents"] = pairwise(
        [(a, b) for a, b in pairs if a[0] == b[0]], same_gold, same_resolved)  # fmt: skip
    report["resolved_across_documents"] = pairwise(
        [(a, b) for a, b in pairs if a[0] != b[0]], same_gold, same_resolved)  # fmt: skip

    story = dict(con.execute("SELECT article_id, story_id FROM story_clusters").fetchall())
    gold_story = {d["doc_id"]: d["story"] for d in gold}
    doc_pairs = list(itertools.combinations(sorted(gold_story), 2))
    report["stories"] = pairwise(
        doc_pairs,
        lambda a, b: gold_story[a] == gold_story[b],
        lambda a, b: a in story and story.get(a) == story.get(b),
    )
    report["stories"]["clusters"] = n_stories
    report["extraction_speed"] = {"docs_per_s": round(len(gold) / elapsed, 1),
                                  "chars_per_s": round(chars / elapsed),
                                  "first_pass_s_incl_loading": round(cold, 2)}  # fmt: skip

    if args.json:
        print(json.dumps(report, indent=2))
    else:
        m = report["mentions"]
        print(f"documents {len(gold)}, gold mentions {len(gold_m)}, predicted {len(pred)}")
        print(f"mentions            P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}")
        for lang, v in report["mentions_by_language"].items():
            print(
                f"  {lang:<6}            P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}"
            )
        print(f"type accuracy (matched mentions) {report['type_accuracy']:.3f}")
        for name in (
            "grouping_within_documents",
            "grouping_across_documents",
            "grouping_all_pairs",
            "resolved_within_documents",
            "resolved_across_documents",
            "stories",
        ):
            v = report[name]
            print(f"{name:<26} P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}"
                  f"  (tp {v['tp']}, fp {v['fp']}, fn {v['fn']})")  # fmt: skip
        s = report["extraction_speed"]
        print(f"extraction speed (warm): {s['docs_per_s']} docs/s, {s['chars_per_s']} chars/s;"
              f" first pass incl. loading {s['first_pass_s_incl_loading']} s")  # fmt: skip
        for story_id, members in con.execute(
            "SELECT story_id, list(article_id ORDER BY article_id) FROM story_clusters GROUP BY 1 ORDER BY 1"
        ).fetchall():
            print(f"  {story_id}: {', '.join(members)}")
    if args.errors:
        text_of = {d["doc_id"]: d["text"] for d in gold}
        for key in sorted(set(gold_m) - set(pred)):
            print(
                "MISSED  ", key[0], repr(text_of[key[0]][key[1] : key[2]]), gold_m[key]["cluster"]
            )
        for key in sorted(set(pred) - set(gold_m)):
            print("SPURIOUS", key[0], repr(text_of[key[0]][key[1] : key[2]]), pred[key])
        for a, b in pairs:
            if same_gold(a, b) != same_pred(a, b):
                kind = "SPLIT " if same_gold(a, b) else "MERGED"
                print(kind, a[0], repr(text_of[a[0]][a[1]:a[2]]), pred[a], "|", b[0],
                      repr(text_of[b[0]][b[1]:b[2]]), pred[b])  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
