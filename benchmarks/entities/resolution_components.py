"""How far the entity resolution's rules reach: the groups of entities that can affect each
other's links, and their sizes (issue 14, round 26).

Why: ``refresh_entity_resolution`` recomputes every stored entity after each run (0.78-0.86 s
of CPU on the 50,000-page warehouse, ``refresh_cost.py --only added``). Every rule of
:func:`newsetl.entities.resolve.resolve` joins or reports only entities that share a key, and
its union-find looks at nothing else, so the connected components of "may share a key" are
independent: a run need only recompute the components that hold an entity it added or
changed. That pays only if the components are small. This builds them from a warehouse's
records, with a superset of each rule's keys (a bucket's members; a lone or untyped name and
every full name ending in its surname; an acronym and every organisation whose initials
spell it, in any article; a nationality and its country), and prints their sizes.

``--articles N``: what a run of N articles would have to recompute. The entities that N
stored articles drawn at random mention stand for the ones a run's N new articles write
(an entity's id depends only on its article's text), and the components holding them are
what an incremental resolution would redo (round 27: 500 articles of the 50,000-page
warehouse reach 60 % of its entities).

Run (from the repository root; the warehouse is only read)::

    .venv/bin/python benchmarks/entities/resolution_components.py WAREHOUSE [--articles 50 500]
"""

from __future__ import annotations

import argparse
import random
from collections import Counter, defaultdict
from pathlib import Path

import duckdb

from newsetl.entities import resolve as rules
from newsetl.entities.store import resolution_records


def components(recs: dict[str, rules.EntityRecord]) -> dict[str, str]:
    """Entity id -> its component (the smallest id in it), over the keys the rules may
    link on."""
    parent = {e: e for e in recs}

    def find(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    keys: dict[str, set[str]] = defaultdict(set)
    for e, r in recs.items():
        for key in rules._bucket_keys(r):
            keys["bucket:" + key].add(e)
        for key in rules._surname_keys(r):
            keys["surname:" + key].add(e)
        words = rules._words(r.name)
        lone = r.local and r.coarse == "person"
        untyped = r.source == "learned" and r.kind == "other" and r.type != rules.NATIONALITY
        if words and (lone or (untyped and len(words) == 1)):
            keys["surname:" + rules.word_key(words[-1])].add(e)
        if r.coarse == "organisation":
            if rules._ACRONYM.match(r.name):
                keys["initials:" + rules.anyascii(r.name).upper()].add(e)
            if initials := rules.acronym_of(r.name):
                keys["initials:" + initials].add(e)
        if r.type == rules.NATIONALITY and e.startswith(rules.NATIONALITY + ":"):
            keys["country:" + e.split(":", 1)[1].upper()].add(e)
            if region := rules._REGION_IDS.get(e):
                keys["region:" + region].add(e)
        if e.startswith("country:"):
            keys["country:" + e.split(":", 1)[1]].add(e)
        keys["region:" + e].add(e)
    for members in keys.values():
        first, *rest = members
        for other in rest:
            a, b = find(first), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {e: find(e) for e in recs}


def reached(
    con: duckdb.DuckDBPyConnection,
    of: dict[str, str],
    articles: int,
    *,
    seed: int = 1,
) -> tuple[int, int]:
    """(entities mentioned, entities in their components) for ``articles`` stored articles
    drawn at random (``seed``)."""
    ids = [
        r[0] for r in con.execute("SELECT article_id FROM entity_articles ORDER BY 1").fetchall()
    ]
    sample = random.Random(seed).sample(ids, min(articles, len(ids)))
    mentioned = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT entity_id FROM mentions WHERE article_id IN (SELECT unnest(?))",
            [sample],
        ).fetchall()
    } & of.keys()
    sizes = Counter(of.values())
    return len(mentioned), sum(sizes[root] for root in {of[e] for e in mentioned})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--articles", type=int, nargs="*", default=[])
    args = parser.parse_args()
    con = duckdb.connect(str(args.warehouse), read_only=True)
    try:
        recs = {r.entity_id: r for r in resolution_records(con)}
        of = components(recs)
        for n in args.articles:
            mentioned, reach = reached(con, of, n)
            print(f"{n:,} articles: {mentioned:,} entities mentioned, {reach:,} in their "
                  f"components ({reach / max(1, len(recs)):.1%} of all)")  # fmt: skip
    finally:
        con.close()
    sizes = Counter(of.values())
    learned = sum(1 for r in recs.values() if r.source == "learned")
    print(f"{len(recs):,} entities ({learned:,} learned) in {len(sizes):,} components")
    print("largest:", [n for _, n in sizes.most_common(10)])
    alone = sum(n for n in sizes.values() if n == 1)
    print(f"entities alone: {alone:,}; in components of 2-9: "
          f"{sum(n for n in sizes.values() if 2 <= n < 10):,}; of 10-99: "
          f"{sum(n for n in sizes.values() if 10 <= n < 100):,}; of 100 or more: "
          f"{sum(n for n in sizes.values() if n >= 100):,}")  # fmt: skip


if __name__ == "__main__":
    main()
