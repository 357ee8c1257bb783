"""Querying while flows run: the read copy, views, example queries, search, export, CLI.

One warehouse is loaded with the bundled samples for the module (``run_ingest``, no Prefect)
and maintained once (story clusters, search index); tests that change a warehouse copy it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from newsetl.cli import main as cli
from newsetl.readcopy import (
    ensure_search_index,
    open_for_reading,
    refresh_read_copy,
    refresh_read_copy_after_load,
)
from newsetl.search import (
    build_search_index,
    built_from,
    open_search_index,
    search,
    source_fingerprint,
)
from newsetl.settings import Settings
from newsetl.warehouse import open_warehouse, sql_root

QUERIES = sorted((sql_root() / "queries").glob("*.sql"))
#: Example queries whose answer on the bundled samples cannot be empty.
NON_EMPTY_ON_SAMPLES = {
    "articles_about_an_entity.sql",
    "articles_per_language_last_7_days.sql",
    "articles_with_quality_flags.sql",
    "failing_sites.sql",
    "recent_runs.sql",
    "sites_with_most_mt_artefacts.sql",
    "stories_in_several_languages.sql",
    "top_entities_latest_week.sql",
    "where_dates_came_from.sql",
    "which_language_version_came_first.sql",
}

ARTICLE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Lighthouse keepers vote to reopen the northern coastal path</title>
<meta name="date" content="2026-11-21">
<link rel="canonical" href="https://harbour.newsetl.example/lighthouse-path.html">
</head><body><article>
<h1>Lighthouse keepers vote to reopen the northern coastal path</h1>
<p>The association of lighthouse keepers voted on Saturday to reopen the northern coastal path,
closed since a storm washed away two footbridges last winter. Volunteers rebuilt the bridges
with oak from a fallen tree in the village square.</p>
<p>The path links four lighthouses over eleven kilometres of cliffs. Walkers will need to keep
to the marked route during the nesting season, when puffins return to the ledges below the
second lighthouse.</p>
<p>The keepers said the reopening ceremony would be held at dawn, with a lantern carried from
the oldest tower to the newest one, a custom the village revived three years ago.</p>
</article></body></html>
"""


@pytest.fixture(scope="module")
def offline_env():
    saved = {k: os.environ.get(k) for k in ("NEWSETL_TRANSLATOR", "NEWSETL_PER_HOST_INTERVAL_S")}
    os.environ["NEWSETL_TRANSLATOR"] = "none"  # no network translation in tests
    os.environ["NEWSETL_PER_HOST_INTERVAL_S"] = "0"
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def samples_db(tmp_path_factory, offline_env) -> Path:
    """The bundled samples, loaded and maintained; never modified by tests (copy it)."""
    from newsetl.flows.maintenance import run_maintenance
    from newsetl.ingest import run_ingest

    db = tmp_path_factory.mktemp("samples") / "newsetl.duckdb"
    summary = run_ingest(None, Settings.from_env(db_path=db))
    assert summary.status == "completed"
    run_maintenance(Settings.from_env(db_path=db))
    return db


def copy_warehouse(src: Path, dest_dir: Path) -> Settings:
    dest_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest_dir / src.name)
    return Settings.from_env(db_path=dest_dir / src.name)


def count(path: Path, sql: str) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


# --- read copy -------------------------------------------------------------------------------
def test_ingest_publishes_a_read_copy_equal_to_the_live_file(samples_db):
    settings = Settings.from_env(db_path=samples_db)
    assert settings.read_copy == samples_db.with_name("newsetl-read.duckdb")
    assert settings.read_copy.exists()
    for table in ("articles", "pages", "fetches", "runs", "mentions"):
        sql = f"SELECT count(*) FROM {table}"
        assert count(settings.read_copy, sql) == count(samples_db, sql) > 0, table


READER = textwrap.dedent(
    """
    import sys, time, duckdb
    path, mode = sys.argv[1], sys.argv[2]
    con = duckdb.connect(path, read_only=(mode == "ro"))
    seen = set()
    print(con.execute("SELECT count(*) FROM articles").fetchone()[0], flush=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        seen.add(con.execute("SELECT count(*) FROM articles").fetchone()[0])
        if sys.stdin.closed:
            break
        import select
        if select.select([sys.stdin], [], [], 0.05)[0]:
            sys.stdin.readline()
            break
    print(sorted(seen), flush=True)
    """
)


@pytest.mark.parametrize("mode", ["ro", "rw"])
def test_long_reader_on_read_copy_never_blocks_a_load(samples_db, tmp_path, mode):
    """A reader (read-only, or read-write like a bare ``duckdb FILE``) holds the read copy in
    another process while a load and refresh run: the load does not wait, the reader keeps
    its consistent old snapshot, new readers see the new copy."""
    from newsetl.ingest import run_ingest

    settings = copy_warehouse(samples_db, tmp_path / "wh").replace(lock_retries=0)
    refresh_read_copy(settings)
    before = count(settings.read_copy, "SELECT count(*) FROM articles")
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(settings.read_copy), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert int(reader.stdout.readline()) == before  # the reader holds the copy now
        page = tmp_path / "lighthouse-path.html"
        page.write_text(ARTICLE_HTML, encoding="utf-8")
        started = time.perf_counter()
        summary = run_ingest([str(page)], settings)
        elapsed = time.perf_counter() - started
        assert summary.status == "completed"
        assert summary.load.busy is None and summary.staged_left == 0
        assert count(settings.db_path, "SELECT count(*) FROM articles") == before + 1
        # the refreshed copy already has the new article, though the reader still holds the old
        assert count(settings.read_copy, "SELECT count(*) FROM articles") == before + 1
        reader.stdin.write("stop\n")
        reader.stdin.flush()
        seen = json.loads(reader.stdout.readline())
        assert reader.wait(timeout=30) == 0
        assert seen == [before]  # its snapshot never changed under it and never broke
        assert elapsed < 60
    finally:
        if reader.poll() is None:
            reader.kill()


def test_refresh_failure_is_logged_and_does_not_fail_the_load(samples_db, tmp_path, caplog):
    """Someone holding the *live* file makes the refresh fail; the caller is told, not broken."""
    settings = copy_warehouse(samples_db, tmp_path / "wh").replace(
        read_copy_lock_retries=0, lock_backoff_s=0.01
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", READER, str(settings.db_path), "rw"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        holder.stdout.readline()
        with caplog.at_level("WARNING", logger="newsetl.readcopy"):
            assert refresh_read_copy_after_load(settings) is None
        assert "read copy not refreshed" in caplog.text
        assert not settings.read_copy.exists()
        assert not list(settings.read_copy.parent.glob(".*.tmp"))  # no half-written leftovers
    finally:
        holder.stdin.write("stop\n")
        holder.stdin.flush()
        holder.wait(timeout=30)


def test_reading_falls_back_to_the_live_file_until_a_copy_exists(samples_db, tmp_path):
    settings = copy_warehouse(samples_db, tmp_path / "wh")
    con, is_copy = open_for_reading(settings)
    con.close()
    assert not is_copy
    refresh_read_copy(settings, search_index=False)
    con, is_copy = open_for_reading(settings)
    with pytest.raises(duckdb.Error):  # read-only: analysts cannot change the copy by accident
        con.execute("DELETE FROM articles")
    con.close()
    assert is_copy


# --- views and example queries ---------------------------------------------------------------
def test_articles_per_site_language_day_adds_up(samples_db):
    with duckdb.connect(str(samples_db), read_only=True) as con:
        languages = Counter(
            r[0]
            for r in con.execute(
                "SELECT language FROM articles WHERE near_duplicate_of IS NULL"
            ).fetchall()
        )
        per_view = dict(
            con.execute(
                "SELECT language, sum(articles) FROM articles_per_site_language_day GROUP BY 1"
            ).fetchall()
        )
        days = con.execute(
            "SELECT count(DISTINCT CAST(published_at AS DATE)) FROM articles"
        ).fetchone()[0]
        view_days = con.execute(
            "SELECT count(DISTINCT day) FROM articles_per_site_language_day"
        ).fetchone()[0]
    assert {k: int(v) for k, v in per_view.items()} == dict(languages)
    assert view_days == days


def test_top_entities_per_week_ranks_by_articles(samples_db):
    with duckdb.connect(str(samples_db), read_only=True) as con:
        mentions = con.execute(
            "SELECT m.article_id, m.entity_id, date_trunc('week', a.published_at) "
            "FROM mentions m JOIN entity_articles a USING (article_id) "
            "WHERE a.published_at IS NOT NULL"
        ).fetchall()
        top = con.execute(
            "SELECT week, entity_id, articles FROM top_entities_per_week WHERE rank = 1"
        ).fetchall()
    per_week: dict = {}
    for article, entity, week in mentions:
        per_week.setdefault(week.date(), {}).setdefault(entity, set()).add(article)
    assert top
    for week, entity, articles in top:
        best = max(len(a) for a in per_week[week].values())
        assert articles == best == len(per_week[week][entity])


def test_story_articles_only_lists_stories_in_several_languages(samples_db):
    with duckdb.connect(str(samples_db), read_only=True) as con:
        rows = con.execute("SELECT story_id, language FROM story_articles").fetchall()
        stories = con.execute("SELECT count(*) FROM stories_across_languages").fetchone()[0]
    languages: dict[str, set] = {}
    for story, language in rows:
        languages.setdefault(story, set()).add(language)
    assert languages and all(len(v) > 1 for v in languages.values())
    assert len(languages) == stories


def test_fetch_failures_per_site_day_counts_every_fetch(samples_db):
    assert count(samples_db, "SELECT count(*) FROM fetches") == count(
        samples_db, "SELECT sum(fetches) FROM fetch_failures_per_site_day"
    )


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_example_query_runs_on_the_read_copy(samples_db, query):
    copy = Settings.from_env(db_path=samples_db).read_copy
    with duckdb.connect(str(copy), read_only=True) as con:
        rows = con.execute(query.read_text(encoding="utf-8")).fetchall()
    if query.name in NON_EMPTY_ON_SAMPLES:
        assert rows, f"{query.name} returned nothing on the bundled samples"


def test_every_example_query_is_listed():
    assert {q.name for q in QUERIES} == NON_EMPTY_ON_SAMPLES


# --- full-text search ------------------------------------------------------------------------
DOCS = [
    # (id, language, title, text, repaired_text)
    (
        "de1",
        "de",
        "Lokführer streiken",
        "Der Streik der Lokführer legte den Fernverkehr lahm.",
        None,
    ),
    ("de2", "de", "Neue Brücke", "Die Stadt eröffnet eine Brücke über den Fluss.", None),
    (
        "it1",
        "it",
        "Scioperi dei treni",
        "Gli scioperi fermano i treni regionali per otto ore.",
        None,
    ),
    (
        "en1",
        "en",
        "Councils approve budgets",
        "The councils approved their budgets on Monday.",
        None,
    ),
    (
        "en2",
        "en",
        "Harbour",
        "The harbour master plumbed the boats.",
        "The harbour master counted the boats.",
    ),
    ("xx1", "xx", "Kato", "Kato walking walked.", None),
]


@pytest.fixture
def docs_db(tmp_path) -> duckdb.DuckDBPyConnection:
    con = open_warehouse(Settings(db_path=tmp_path / "docs.duckdb"))
    con.executemany(
        "INSERT INTO articles (article_id, language, title, text, repaired_text, site) "
        "VALUES (?, ?, ?, ?, ?, 'docs.newsetl.example')",
        [list(d) for d in DOCS],
    )
    build_search_index(con)  # in the same file here: the function does not care where
    yield con
    con.close()


def ids(hits) -> list[str]:
    return [h.article_id for h in hits]


def test_search_stems_per_language(docs_db):
    assert ids(search(docs_db, "Streiks", language="de")) == ["de1"]  # german stem streik
    assert ids(search(docs_db, "sciopero", language="it")) == ["it1"]  # italian stem scioper
    assert ids(search(docs_db, "council budget")) == ["en1"]  # english stems, all languages
    # no stemmer for 'xx': only the exact word form matches
    assert ids(search(docs_db, "walking")) == ["xx1"]
    assert ids(search(docs_db, "walks")) == []


def test_search_filters_language_and_prefers_repaired_text(docs_db):
    assert ids(search(docs_db, "Streik", language="it")) == []
    assert ids(search(docs_db, "counting")) == ["en2"]  # the repaired text is indexed
    assert ids(search(docs_db, "plumbed")) == []  # the unrepaired words are not
    hit = search(docs_db, "Brücke")[0]
    assert hit.language == "de" and hit.score > 0 and "Brücke" in hit.snippet


def test_fingerprint_follows_every_indexed_column(docs_db):
    """The index remembers what it was built from; any change that alters what it would hold
    (text repaired later, a near-duplicate mark set after the load) changes the fingerprint."""
    built = built_from(docs_db)
    assert built == source_fingerprint(docs_db)
    assert built.articles == len(DOCS)
    docs_db.execute("UPDATE articles SET repaired_text = 'Kato running.' WHERE article_id = 'xx1'")
    repaired = source_fingerprint(docs_db)
    assert repaired.articles == built.articles and repaired != built
    docs_db.execute("UPDATE articles SET near_duplicate_of = 'en1' WHERE article_id = 'en2'")
    assert source_fingerprint(docs_db) not in (built, repaired)


def test_search_on_samples_finds_the_rail_strike_in_several_languages(samples_db, capsys):
    assert cli(["search", "Streik", "--lang", "de", "--db", str(samples_db)]) == 0
    captured = capsys.readouterr()
    assert "building" not in captured.err  # the index from maintenance matches the read copy
    out = captured.out
    assert "Bahnstreik" in out and "| de |" in out
    assert cli(["search", "sciopero treni", "--json", "--db", str(samples_db)]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and hits[0]["language"] == "it"
    assert hits == sorted(hits, key=lambda h: -h["score"])


# --- export and query CLI --------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_writes_every_table_with_all_rows(samples_db, tmp_path, capsys, fmt):
    out = tmp_path / "export"
    assert cli(["export", str(out), "--format", fmt, "--db", str(samples_db)]) == 0
    copy = Settings.from_env(db_path=samples_db).read_copy
    with duckdb.connect(str(copy), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
            ).fetchall()
        ]
        for table in tables:
            n = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            path = out / f"{table}.{fmt}"
            if fmt == "parquet":
                assert pq.read_metadata(path).num_rows == n, table
            else:
                assert con.execute(f"SELECT count(*) FROM read_csv('{path}')").fetchone()[0] == n
    assert {p.stem for p in out.iterdir()} == set(tables)


def test_export_selected_views(samples_db, tmp_path):
    out = tmp_path / "views"
    args = ["export", str(out), "--tables", "articles_per_site_language_day", "run_history"]
    assert cli([*args, "--db", str(samples_db)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "articles_per_site_language_day.parquet",
        "run_history.parquet",
    ]
    assert cli(["export", str(out), "--tables", "no_such_table", "--db", str(samples_db)]) == 2


def test_query_cli_reads_the_copy_in_each_format(samples_db, capsys):
    expected = count(samples_db, "SELECT count(*) FROM articles")
    sql = "SELECT count(*) AS n FROM articles"
    assert cli(["query", sql, "--format", "json", "--db", str(samples_db)]) == 0
    assert json.loads(capsys.readouterr().out) == [{"n": expected}]
    assert cli(["query", sql, "--format", "csv", "--db", str(samples_db)]) == 0
    assert capsys.readouterr().out.split() == ["n", str(expected)]
    query = sql_root() / "queries" / "recent_runs.sql"
    assert cli(["query", f"@{query}", "--db", str(samples_db)]) == 0
    assert "completed" in capsys.readouterr().out
    assert cli(["query", "DELETE FROM articles", "--db", str(samples_db)]) == 1
    assert count(samples_db, "SELECT count(*) FROM articles") == expected


def test_query_cli_warns_when_only_the_live_file_exists(samples_db, tmp_path, capsys):
    settings = copy_warehouse(samples_db, tmp_path / "wh")
    assert cli(["query", "SELECT 1 AS one", "--format", "csv", "--db", str(settings.db_path)]) == 0
    captured = capsys.readouterr()
    assert "no read copy yet" in captured.err
    assert captured.out.split() == ["one", "1"]


def test_index_from_maintenance_survives_loads_until_a_search_finds_it_stale(
    samples_db, tmp_path, capsys
):
    """Loads move the copy on without touching the index; it keeps answering (``--no-reindex``,
    or the library) until ``ensure_search_index`` notices and rebuilds it."""
    settings = copy_warehouse(samples_db, tmp_path / "wh")
    assert not settings.search_index_on_refresh
    refresh_read_copy(settings, search_index=True)  # what maintenance does
    with duckdb.connect(str(settings.db_path)) as con:
        con.execute("DELETE FROM articles WHERE language = 'de'")
    refresh_read_copy(settings)  # after a load: copy only
    assert count(settings.read_copy, "SELECT count(*) FROM articles WHERE language = 'de'") == 0
    con = open_search_index(settings.search_index)
    try:
        assert search(con, "Streik", language="de")  # the index is as of maintenance
    finally:
        con.close()
    args = ["search", "Streik", "--lang", "de", "--json", "--db", str(settings.db_path)]
    assert cli([*args, "--no-reindex"]) == 0
    assert json.loads(capsys.readouterr().out)  # searched as it is
    assert ensure_search_index(settings) is True
    assert ensure_search_index(settings) is False
    assert cli(args) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_setting_keeps_the_per_load_build_available():
    assert Settings.from_env({}).search_index_on_refresh is False
    env = {"NEWSETL_SEARCH_INDEX_ON_REFRESH": "true"}
    assert Settings.from_env(env).search_index_on_refresh is True


def search_cli(settings: Settings, capsys, *args: str) -> tuple[list[dict], str]:
    """``newsetl search ... --json`` in-process: (hits, stderr)."""
    assert cli(["search", *args, "--json", "--db", str(settings.db_path)]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def test_search_builds_the_index_on_demand_after_loads(samples_db, tmp_path, capsys):
    from newsetl.ingest import run_ingest

    settings = copy_warehouse(samples_db, tmp_path / "wh")
    page = tmp_path / "lighthouse-path.html"
    page.write_text(ARTICLE_HTML, encoding="utf-8")
    assert run_ingest([str(page)], settings).status == "completed"
    assert settings.read_copy.exists() and not settings.search_index.exists()  # load: no build

    hits, err = search_cli(settings, capsys, "puffins lighthouse")
    articles = count(settings.read_copy, "SELECT count(*) FROM articles")
    assert f"search index missing; building ({articles} articles)" in err
    assert [h["title"] for h in hits] == [
        "Lighthouse keepers vote to reopen the northern coastal path"
    ]
    built_at = settings.search_index.stat().st_mtime_ns

    hits_again, err = search_cli(settings, capsys, "puffins lighthouse")
    assert hits_again == hits
    assert "building" not in err  # current: not rebuilt
    assert settings.search_index.stat().st_mtime_ns == built_at

    # the page is edited: same article, new text
    page.write_text(ARTICLE_HTML.replace("puffins", "gannets"), encoding="utf-8")
    assert run_ingest([str(page)], settings).status == "completed"
    assert count(settings.read_copy, "SELECT count(*) FROM articles") == articles
    hits, err = search_cli(settings, capsys, "gannets")
    assert f"search index out of date; rebuilding ({articles} articles)" in err
    assert [h["article_id"] for h in hits] == [hits_again[0]["article_id"]]
    assert "gannets" in hits[0]["snippet"]
    assert search_cli(settings, capsys, "puffins")[0] == []


def test_search_no_reindex_without_an_index_is_a_clear_error(samples_db, tmp_path, capsys):
    settings = copy_warehouse(samples_db, tmp_path / "wh")
    refresh_read_copy(settings)
    assert cli(["search", "Streik", "--no-reindex", "--db", str(settings.db_path)]) == 2
    err = capsys.readouterr().err
    assert f"no full-text index at {settings.search_index}" in err and "--no-reindex" in err
    assert not settings.search_index.exists()


def test_search_before_the_first_read_copy_builds_from_the_live_file(samples_db, tmp_path, capsys):
    settings = copy_warehouse(samples_db, tmp_path / "wh")
    hits, err = search_cli(settings, capsys, "Streik", "--lang", "de")
    assert "building" in err and "from the live file" in err
    assert hits and not settings.read_copy.exists()
    refresh_read_copy(settings)  # same articles: the index stays current
    assert ensure_search_index(settings) is False


def test_search_without_a_warehouse_says_so(tmp_path, capsys):
    assert cli(["search", "Streik", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "no warehouse" in capsys.readouterr().err
