"""How ``load_pending`` merges staged rows, on hand-made batches with known outcomes.

The merge takes shortcuts when it can (a batch with unique keys is its own merge source; a
batch with nothing to update is a plain insert), so each case the shortcuts distinguish is
loaded here and the stored rows are checked against values written in the test: new,
unchanged (not rewritten even if a volatile column differs), updated (``first_seen_at``
kept), repeated keys (latest fetch wins), and a table without ``record_hash``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from newsetl.settings import Settings
from newsetl.warehouse import Batch, load_pending, open_warehouse, stage_batch

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def article(article_id: str, title: str, *, hours: int = 0, record_hash: str = "") -> dict:
    """A minimal article row; content hashes differ per id so nothing counts as a duplicate."""
    return {
        "article_id": article_id,
        "url": f"https://example.test/{article_id}",
        "title": title,
        "content_hash": f"content-{article_id}",
        "first_seen_at": T0 + timedelta(hours=hours),
        "fetched_at": T0 + timedelta(hours=hours),
        "record_hash": record_hash or f"hash-{article_id}-{title}",
    }


def settings_for(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "wh.duckdb", lock_retries=1, lock_backoff_s=0.05)


def load(settings: Settings, tables: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    stage_batch(Batch(tables=tables), settings.staging_path)
    report = load_pending(settings)
    assert report.loaded == 1 and not report.quarantined
    return report.counts


def stored(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def titles(settings: Settings) -> list[tuple]:
    return stored(
        settings, "SELECT article_id, title, first_seen_at, fetched_at FROM articles ORDER BY 1"
    )


def test_new_unchanged_and_updated_rows_in_one_batch(tmp_path):
    settings = settings_for(tmp_path)
    load(settings, {"articles": [article("a", "Alpha"), article("b", "Beta")]})
    counts = load(
        settings,
        {
            "articles": [
                # same record_hash, later fetch: unchanged, so not rewritten
                article("a", "Alpha", hours=5),
                # new content: updated, first_seen_at kept from the first load
                article("b", "Beta revised", hours=5),
                article("c", "Gamma", hours=5),
            ]
        },
    )
    assert (counts["articles_new"], counts["articles_updated"], counts["articles_unchanged"]) == (
        1,
        1,
        1,
    )
    five = T0 + timedelta(hours=5)
    assert titles(settings) == [
        ("a", "Alpha", T0, T0),
        ("b", "Beta revised", T0, five),
        ("c", "Gamma", five, five),
    ]


def test_new_and_unchanged_rows_without_updates(tmp_path):
    """Nothing to update: the unchanged row must still be left alone, the new one added."""
    settings = settings_for(tmp_path)
    load(settings, {"articles": [article("a", "Alpha")]})
    counts = load(settings, {"articles": [article("a", "Alpha", hours=3), article("d", "Delta")]})
    assert (counts["articles_new"], counts["articles_updated"], counts["articles_unchanged"]) == (
        1,
        0,
        1,
    )
    assert titles(settings) == [("a", "Alpha", T0, T0), ("d", "Delta", T0, T0)]


def test_only_unchanged_rows_write_nothing(tmp_path):
    settings = settings_for(tmp_path)
    load(settings, {"articles": [article("a", "Alpha")]})
    counts = load(settings, {"articles": [article("a", "Alpha", hours=7)]})
    assert (counts["articles_new"], counts["articles_updated"], counts["articles_unchanged"]) == (
        0,
        0,
        1,
    )
    assert titles(settings) == [("a", "Alpha", T0, T0)]


def test_repeated_key_in_a_batch_keeps_the_latest_fetch(tmp_path):
    settings = settings_for(tmp_path)
    counts = load(
        settings,
        {
            "articles": [
                article("a", "Alpha early", hours=1),
                article("a", "Alpha late", hours=2),
                article("b", "Beta"),
            ]
        },
    )
    assert counts["articles_new"] == 2
    two = T0 + timedelta(hours=2)
    assert titles(settings) == [("a", "Alpha late", two, two), ("b", "Beta", T0, T0)]
    # and against a stored row: the latest of the repeated rows updates it
    load(
        settings,
        {"articles": [article("b", "Beta 2", hours=4), article("b", "Beta 3", hours=6)]},
    )
    six = T0 + timedelta(hours=6)
    assert titles(settings)[1] == ("b", "Beta 3", T0, six)


def test_table_without_record_hash_updates_on_key(tmp_path):
    """translation_memory has no record_hash: an existing key is always updated."""
    settings = settings_for(tmp_path)

    def memory(text: str, translation: str) -> dict[str, Any]:
        return {
            "source_language": "de",
            "target_language": "en",
            "source_text": text,
            "translation": translation,
            "provider": "test",
        }

    load(settings, {"translation_memory": [memory("Haus", "house")]})
    counts = load(
        settings, {"translation_memory": [memory("Haus", "home"), memory("Baum", "tree")]}
    )
    assert (
        counts["translation_memory_new"],
        counts["translation_memory_updated"],
        counts["translation_memory_unchanged"],
    ) == (1, 1, 0)
    assert stored(
        settings, "SELECT source_text, translation FROM translation_memory ORDER BY 1"
    ) == [("Baum", "tree"), ("Haus", "home")]


def test_load_leaves_the_callers_thread_setting_alone(tmp_path):
    """Loading runs single-threaded, but a connection passed in gets its setting back."""
    settings = settings_for(tmp_path)
    con = open_warehouse(settings)
    try:
        con.execute("SET threads = 2")
        stage_batch(Batch(tables={"articles": [article("a", "Alpha")]}), settings.staging_path)
        report = load_pending(settings, con)
        assert report.loaded == 1
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    finally:
        con.close()
