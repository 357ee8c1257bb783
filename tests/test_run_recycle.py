"""A long run replaces its pool's workers every ``Settings.recycle_workers_pages`` pages (their
caches grow; fresh forks of the fork server start small), and loads the same rows as a run
that keeps them."""

from __future__ import annotations

from pathlib import Path

import duckdb

from newsetl.run import RunHooks, run_sources
from newsetl.settings import Settings

TEXT = (
    "The council met on Monday and agreed to open the new library in the spring. Residents "
    "asked for longer opening hours, a reading room for children and more seats."
)


class PoolsSeen(RunHooks):
    """The default hooks, noting which pool each batch was handed to."""

    def __init__(self) -> None:
        self.pools: list[object] = []

    def fetch_extract(self, run, index, targets, pool):
        self.pools.append(pool)
        return super().fetch_extract(run, index, targets, pool)


def _run(pages: Path, db: Path, recycle: int) -> tuple[list[object], list[tuple]]:
    settings = Settings(
        db_path=db,
        per_host_interval_s=0.0,
        workers=2,
        process_pool_min_pages=1,
        batch_size=2,
        repair=False,
        entities=False,
        recycle_workers_pages=recycle,
    )
    hooks = PoolsSeen()
    assert run_sources([str(pages)], settings, hooks=hooks).status == "completed"
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT a.url, a.title, a.language, a.language_confidence, a.text, p.url "
            "FROM pages p JOIN articles a USING (article_id) ORDER BY p.url"
        ).fetchall()
    return hooks.pools, rows


def test_workers_are_replaced_every_so_many_pages_with_the_same_rows(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(20):
        body = " ".join([f"{TEXT} ({i})"] * 3)
        (pages / f"{i:02d}.html").write_text(
            f"<html><head><title>p{i}</title></head><body><article><h1>p{i}</h1>"
            f"<p>{body}</p></article></body></html>"
        )
    pools, rows = _run(pages, tmp_path / "recycled.duckdb", recycle=4)
    kept_pools, kept_rows = _run(pages, tmp_path / "kept.duckdb", recycle=0)
    assert len({id(p) for p in kept_pools}) == 1
    # ten batches of two (four fetched ahead), a new pool each time four more pages are in
    assert len({id(p) for p in pools}) >= 2
    assert all(p is not None for p in pools)
    assert len(rows) == 20 and rows == kept_rows
