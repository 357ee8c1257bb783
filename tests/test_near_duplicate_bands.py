"""Near-duplicate marking (``newsetl.warehouse.load._dedupe_articles``) against a brute-force
comparison of every pair: the bands only find candidates, so the marks must be exactly those
of "the smallest earlier article within ``bits`` differing bits"."""

from __future__ import annotations

import random

import pytest

from newsetl.settings import Settings
from newsetl.warehouse import open_warehouse
from newsetl.warehouse.load import _dedupe_articles

MASK = (1 << 64) - 1


def _near(rng: random.Random, fingerprint: int, flips: int) -> int:
    for bit in rng.sample(range(64), flips):
        fingerprint ^= 1 << bit
    return fingerprint


def _expected(stored: dict[str, int | None], staged: dict[str, int | None], bits: int):
    """Each staged article's mark: the smallest id among the stored articles (other than its
    own stored row) and the staged ones with a smaller id, within ``bits`` differing bits."""
    marks: dict[str, str | None] = {}
    for sid, sfp in staged.items():
        candidates = [
            oid
            for oid, ofp in [
                *((i, f) for i, f in stored.items() if i not in staged),
                *((i, f) for i, f in staged.items() if i < sid),
            ]
            if oid != sid
            and sfp is not None
            and ofp is not None
            and bin(sfp ^ ofp).count("1") <= bits
        ]
        marks[sid] = min(candidates, default=None)
    return marks


@pytest.mark.parametrize("bits", [0, 3, 7, 12])
@pytest.mark.parametrize("seed", range(3))
def test_marks_are_those_of_every_pair_compared(tmp_path, bits, seed):
    rng = random.Random(seed * 100 + bits)
    stored: dict[str, int | None] = {}
    for i in range(400):
        stored[f"s{rng.getrandbits(40):012x}{i}"] = rng.getrandbits(64) if i % 37 else None
    bases = [f for f in stored.values() if f is not None]
    staged: dict[str, int | None] = {}
    for i in range(60):
        article_id = f"n{rng.getrandbits(40):012x}{i}"
        if i % 10 == 0:  # re-processed: its stored row is not a candidate for itself
            article_id = rng.choice(sorted(stored))
        base = rng.choice(bases + list(filter(None, staged.values())))
        # near (within or just past the bits) a stored or earlier staged one, or anywhere
        roll = rng.random()
        if roll < 0.6:
            fingerprint: int | None = _near(rng, base, rng.randrange(0, bits + 3))
        elif roll < 0.95:
            fingerprint = rng.getrandbits(64)
        else:
            fingerprint = None
        staged[article_id] = fingerprint
    settings = Settings(db_path=tmp_path / "w.duckdb", translator="none")
    con = open_warehouse(settings)
    try:
        con.executemany(
            "INSERT INTO articles (article_id, url, content_hash, fingerprint) VALUES (?, ?, ?, ?)",
            [(i, f"https://example.org/{i}", f"h-{i}", f) for i, f in stored.items()],
        )
        con.execute("CREATE TEMP TABLE staged_articles AS SELECT * FROM articles LIMIT 0")
        con.executemany(
            "INSERT INTO staged_articles (article_id, url, content_hash, fingerprint) "
            "VALUES (?, ?, ?, ?)",
            [(i, f"https://example.org/{i}", f"new-{i}", f) for i, f in staged.items()],
        )
        counts = _dedupe_articles(con, ["articles"], bits)
        got = dict(
            con.execute("SELECT article_id, near_duplicate_of FROM staged_articles").fetchall()
        )
    finally:
        con.close()
    expected = _expected(stored, staged, bits)
    assert got == expected
    assert counts["articles_near_duplicates"] == sum(v is not None for v in expected.values())
    # the case the test is for: some marks from stored articles, some from the batch
    assert any(v is not None and v in stored for v in expected.values())
