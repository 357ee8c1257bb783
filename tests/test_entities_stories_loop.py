"""The story clusters' pair loop in its cheaper form (issue 14, round 10) joins exactly the
pairs the loop it replaced joined: ``refresh_story_clusters`` against that loop, kept here as
the reference, on a real DuckDB warehouse of random articles built to meet every rule (two
shared actors, one person in the same place, one actor in the same places on the same day,
dates missing, days apart, countries and cities, postings over the cap).
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import pytest

from newsetl.entities import refresh_story_clusters, store
from newsetl.entities.store import (
    GEO_TYPES,
    STORY_COUNTRY_POINTS,
    STORY_MIN_SCORE,
    STORY_MIN_SHARED,
    STORY_MIN_SHARED_PLACES,
    STORY_PLACE_POINTS,
    STORY_SCENE_WINDOW,
    _candidate_pairs,
    _story_documents,
)


def _reference_same_scene(a, b, shared, shared_places, types):
    places = sum(
        STORY_COUNTRY_POINTS if types.get(e) == "country" else STORY_PLACE_POINTS
        for e in shared_places
    )
    return (
        len(shared) >= 1
        and places >= STORY_MIN_SHARED_PLACES
        and a is not None
        and b is not None
        and abs(a - b) <= STORY_SCENE_WINDOW
    )


def _reference_documents(con):
    """What the step read before round 26 (main 8c6a362): each article's list of resolved
    ids as strings, split by type and counted in Python."""
    rows = con.execute(
        """SELECT a.article_id, a.language, a.published_at, list(DISTINCT m.resolved_id)
           FROM entity_articles a JOIN resolved_mentions m USING (article_id)
           LEFT JOIN entities e ON e.entity_id = m.entity_id
           WHERE coalesce(e.type, 'other') <> 'nationality'
           GROUP BY a.article_id, a.language, a.published_at"""
    ).fetchall()
    types = dict(con.execute("SELECT entity_id, type FROM entities").fetchall())
    docs = {
        r[0]: (r[1], r[2], {e for e in r[3] if types.get(e, "other") not in GEO_TYPES})
        for r in rows
    }
    geo = {r[0]: {e for e in r[3] if types.get(e, "other") in GEO_TYPES} for r in rows}
    n = len(docs)
    df = Counter(e for _, _, ents in docs.values() for e in ents)
    df.update(e for places in geo.values() for e in places)
    idf = {e: math.log((n + 1) / c) for e, c in df.items()}
    postings: dict[str, list[str]] = defaultdict(list)
    for article_id, (_, _, ents) in docs.items():
        for e in ents:
            postings[e].append(article_id)
    return types, docs, geo, idf, postings


def _reference_rows(con) -> tuple[set[tuple], Counter]:
    """The rows refresh_story_clusters wrote before round 10 (its loop as it was, main
    8687af3; its documents as the step reads them), and how many pairs joined by each rule (so
    the data is seen to meet them)."""
    types, docs, geo, idf, postings = _reference_documents(con)
    parent = {a: a for a in docs}

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    rules: Counter = Counter()
    shared_by: dict[str, set[str]] = defaultdict(set)
    for a, b in _candidate_pairs(con, docs, postings):
        shared = docs[a][2] & docs[b][2]
        shared_places = geo[a] & geo[b]
        same_person_same_place = any(types.get(e) == "person" for e in shared) and bool(
            shared_places
        )
        scene = _reference_same_scene(docs[a][1], docs[b][1], shared, shared_places, types)
        if len(shared) < STORY_MIN_SHARED and not same_person_same_place and not scene:
            rules["skipped"] += 1
            continue
        counted = shared | shared_places if len(shared) < STORY_MIN_SHARED else shared
        weight = sum(idf[e] for e in counted)
        with_places = counted is not shared
        smaller = min(
            sum(idf[e] for e in docs[x][2] | (geo[x] if with_places else set())) for x in (a, b)
        )
        scored = smaller > 0 and weight / smaller >= STORY_MIN_SCORE
        if same_person_same_place or scored:
            rules["person and place" if same_person_same_place else "scene" if with_places
                  else "shared"] += 1  # fmt: skip
            parent[find(a)] = find(b)
            shared_by[a] |= shared
            shared_by[b] |= shared
        else:
            rules["scored too low"] += 1
    clusters: dict[str, list[str]] = defaultdict(list)
    for a in docs:
        clusters[find(a)].append(a)
    out = set()
    for members in clusters.values():
        if len(members) < 2:
            continue
        for a in members:
            out.add((a, f"story:{min(members)}", docs[a][1], tuple(sorted(shared_by[a]))))
    return out, rules


def _refreshed(con) -> tuple[int, set[tuple]]:
    """``refresh_story_clusters`` in its transaction, as a run calls it: its count and rows."""
    con.execute("BEGIN TRANSACTION")
    stories = refresh_story_clusters(con)
    con.execute("COMMIT")
    rows = con.execute(
        "SELECT article_id, story_id, published_at, shared_entities FROM story_clusters"
    ).fetchall()
    return stories, {(a, s, p, tuple(shared)) for a, s, p, shared in rows}


def _random_warehouse(con, seed: int, articles: int, copies: bool = False) -> None:
    """``copies``: a third of the articles republished 1-3 times under other ids (the same
    entities and date, the language drawn again), as a wire story is."""
    rng = random.Random(seed)
    persons = [f"person:p{i}" for i in range(40)]
    orgs = [f"org:o{i}" for i in range(30)]
    countries = [f"country:C{i}" for i in range(4)]
    cities = [f"city:c{i}" for i in range(4)]
    crowd = "org:everyone"  # in 9 of 10 articles: over the postings cap when articles > 560
    entities = [(e, e, e.split(":")[0].replace("org", "organisation")) for e in
                persons + orgs + countries + cities + [crowd]]  # fmt: skip
    con.executemany("INSERT INTO entities (entity_id, name, type) VALUES (?, ?, ?)", entities)
    start = datetime(2026, 3, 1)
    article_rows, mention_rows = [], []
    for i in range(articles):
        article_id = f"a{i:05d}"
        day = rng.choice([None, *range(30)])
        published = None if day is None else start + timedelta(days=day, hours=rng.randrange(24))
        article_rows.append((article_id, rng.choice(["en", "de"]), "site", published, "t"))
        ents = {crowd} if rng.random() < 0.9 else set()
        ents |= set(rng.sample(persons, rng.randint(0, 2)))
        ents |= set(rng.sample(orgs, rng.randint(0, 3)))
        ents |= set(rng.sample(countries, rng.randint(0, 3)))
        ents |= set(rng.sample(cities, rng.randint(0, 3)))
        ids = [article_id]
        if copies and rng.random() < 1 / 3:
            ids += [f"{article_id}c{k}" for k in range(rng.randint(1, 3))]
        for copy_id in ids[1:]:
            article_rows.append((copy_id, rng.choice(["en", "de"]), "site", published, "t"))
        for copy_id in ids:
            for no, e in enumerate(sorted(ents)):
                mention_rows.append((copy_id, no, e, 0, 1, e, 1.0))
    con.executemany("INSERT INTO entity_articles VALUES (?, ?, ?, ?, ?)", article_rows)
    con.executemany("INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?, ?)", mention_rows)


@pytest.mark.parametrize(
    ("seed", "articles", "copies"),
    # the last: ~540 articles name the crowd (over the postings cap) in ~360 classes of alike
    # articles (newsetl.entities.store._alike_articles), so the cap counts articles
    [(1, 300, False), (2, 640, False), (3, 300, True), (4, 400, True)],
)
def test_the_cheaper_loop_joins_the_pairs_the_old_one_joined(con, seed, articles, copies):
    _random_warehouse(con, seed, articles, copies)
    expected, rules = _reference_rows(con)
    # the data meets every rule, joining and not
    for rule in ("shared", "person and place", "scene", "skipped", "scored too low"):
        assert rules[rule] > 0, rules
    stories, got = _refreshed(con)
    assert got == expected
    assert stories == len({s for _, s, _, _ in expected}) >= 1


def test_the_reference_sees_a_changed_rule(con, monkeypatch):
    """The comparison above can fail: the loop with the scene rule's window one hour shorter
    joins other pairs than the reference does on the same data."""
    _random_warehouse(con, 1, 300)
    expected, _ = _reference_rows(con)
    monkeypatch.setattr(store, "STORY_SCENE_WINDOW", STORY_SCENE_WINDOW - timedelta(hours=20))
    _, got = _refreshed(con)
    assert got != expected


def test_the_numbered_reader_reads_what_the_string_reader_read(con):
    """Round 26: the step reads numbered entities, split and counted in SQL. Named back, they
    are the string reader's documents, IDF to the last bit and postings, on data that meets
    each of its cases: a nationality word (left out), linked entities (counted by their
    resolved id, a place resolved to another place), an entity without a row (an actor of
    type 'other'), and an article without its facts (no document)."""
    _random_warehouse(con, 5, 200)
    con.execute(
        """INSERT INTO entities (entity_id, name, type) VALUES
           ('nationality:russian', 'Russian', 'nationality'), ('city:c0b', 'C0b', 'city')"""
    )
    con.execute(
        """INSERT INTO mentions VALUES
           ('a00001', 90, 'nationality:russian', 0, 1, 'Russian', 1.0),
           ('a00002', 91, 'person:unstored', 0, 1, 'X', 1.0),
           ('a00003', 92, 'city:c0b', 0, 1, 'c', 1.0),
           ('zz-no-facts', 0, 'person:p1', 0, 1, 'p', 1.0)"""
    )
    con.execute(
        """INSERT INTO entity_resolution VALUES
           ('city:c0b', 'city:c0', 'spelling'), ('person:p2', 'person:p3', 'surname')"""
    )
    types, docs, geo, idf, postings = _reference_documents(con)
    read = _story_documents(con)
    name = read.names.__getitem__
    assert read.names == sorted(read.names)  # numbers sort as the ids
    assert {
        a: (lang, when, set(map(name, ents))) for a, (lang, when, ents) in read.docs.items()
    } == docs
    assert {a: set(map(name, places)) for a, places in read.geo.items()} == geo
    assert dict(zip(read.names, read.idf, strict=True)) == idf
    assert {name(e): sorted(ids) for e, ids in read.postings.items()} == {
        e: sorted(ids) for e, ids in postings.items()
    }
    assert {name(no): t for no, t in read.types.items()} == {
        e: types.get(e, "other") for e in read.names
    }
    # the cases are met
    assert "nationality:russian" not in read.names and "zz-no-facts" not in docs
    assert "city:c0b" not in read.names and "person:p2" not in read.names
    assert "a00003" in docs and "person:unstored" in read.names
