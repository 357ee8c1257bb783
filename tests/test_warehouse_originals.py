"""The originals a batch names by hreflang, looked up in the warehouse
(newsetl.run.reader.warehouse_originals): by an article's canonical URL, the URL it was
fetched at, or the URL of one of its pages (the texts now read by key for the articles found:
the same answers as the query that read every text)."""

from __future__ import annotations

import pytest

from newsetl.run.reader import warehouse_originals
from newsetl.settings import Settings
from newsetl.warehouse import open_warehouse, transaction


@pytest.fixture
def con(tmp_path):
    con = open_warehouse(Settings(db_path=tmp_path / "w.duckdb", translator="none"))
    with transaction(con):
        con.execute(
            "INSERT INTO articles (article_id, url, canonical_url, language, text) VALUES "
            "('a1', 'https://x.test/a?utm=1', 'https://x.test/a', 'it', 'testo A'), "
            "('a2', 'https://x.test/b', 'https://x.test/b', 'de', 'Text B'), "
            # names a1's canonical URL as its own fetched URL: the first article wins
            "('a3', 'https://x.test/a', 'https://y.test/c', 'fr', 'texte C')"
        )
        con.execute(
            "INSERT INTO pages (url, article_id) VALUES "
            "('https://x.test/b-amp', 'a2'), ('https://x.test/empty', NULL), "
            "('https://x.test/gone', 'no-such-article')"
        )
        # many other articles, whose texts the lookup must not need
        con.execute(
            "INSERT INTO articles (article_id, url, canonical_url, language, text) "
            "SELECT 'o' || i, 'https://o.test/' || i, 'https://o.test/' || i, 'en', "
            "repeat('other ', 200) FROM range(3000) r(i)"
        )
    yield con
    con.close()


def test_found_by_canonical_url_fetched_url_and_page_url(con):
    found = warehouse_originals(
        con,
        {
            "https://x.test/a",
            "https://x.test/a?utm=1",
            "https://x.test/b-amp",
            "https://y.test/c",
            "https://x.test/empty",
            "https://x.test/gone",
            "https://nowhere.test/",
        },
    )
    assert found == {
        "https://x.test/a": ("it", "testo A"),
        "https://x.test/a?utm=1": ("it", "testo A"),
        "https://x.test/b-amp": ("de", "Text B"),
        "https://y.test/c": ("fr", "texte C"),
    }


def test_nothing_asked_nothing_read(con):
    assert warehouse_originals(con, set()) == {}
    assert warehouse_originals(None, {"https://x.test/a"}) == {}


def test_an_article_among_many_is_found_with_its_text(con):
    assert warehouse_originals(con, {"https://o.test/7", "https://o.test/2999"}) == {
        "https://o.test/7": ("en", "other " * 200),
        "https://o.test/2999": ("en", "other " * 200),
    }
