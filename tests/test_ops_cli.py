"""``newsetl sql`` (the pinned DuckDB shell on the read copy) and the CLI's argument checks,
run as real subprocesses of the installed ``newsetl`` command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

NEWSETL = str(Path(sys.executable).with_name("newsetl"))


def newsetl(*args: str, stdin: str | None = None, env: dict | None = None, timeout: float = 60):
    return subprocess.run(
        [NEWSETL, *args], input=stdin, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


@pytest.fixture
def warehouse(tmp_path) -> Path:
    """A live file and its read copy, with different contents to tell which one is opened."""
    live = tmp_path / "wh" / "news.duckdb"
    live.parent.mkdir()
    for path, n in ((live, 5), (live.with_name("news-read.duckdb"), 3)):
        with duckdb.connect(str(path)) as con:
            con.execute(f"CREATE TABLE articles AS SELECT range AS id FROM range({n})")
    return live


def test_sql_c_runs_on_the_read_copy_with_the_locked_duckdb(warehouse):
    done = newsetl(
        "sql", "--db", str(warehouse), "-c", "SELECT count(*) AS n, version() AS v FROM articles"
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"│\s+3\s+│", done.stdout), done.stdout  # the copy's 3 rows, not the live 5
    assert f"v{duckdb.__version__}" in done.stdout  # the shell is the locked version


def test_sql_reads_a_piped_session_and_is_read_only(warehouse):
    script = ".mode csv\nSELECT sum(id) AS total FROM articles;\nCREATE TABLE x (y INT);\n"
    done = newsetl("sql", "--db", str(warehouse), stdin=script)
    assert "total\n3\n" in done.stdout  # 0+1+2 from the copy (the live file would give 10)
    assert "read-only" in done.stderr
    with duckdb.connect(str(warehouse.with_name("news-read.duckdb")), read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'x'"
        ).fetchone() == (0,)


def test_sql_without_a_warehouse_is_one_clear_line(tmp_path):
    done = newsetl("sql", "--db", str(tmp_path / "none.duckdb"), "-c", "SELECT 1")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"newsetl sql: no warehouse at {tmp_path / 'none.duckdb'}: run 'newsetl ingest' first"
    ]
    assert not (tmp_path / "none.duckdb").exists()


# --- argument checks before Prefect starts -----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["http//x"], "'http//x' is neither a URL nor an existing file (did you mean 'http://x'?)"),
        (["https:/news.example.org/feed"], "did you mean 'https://news.example.org/feed'?"),
        (["missing-dir/page.html"], "no such file or directory: missing-dir/page.html"),
        (["http://exa mple.com/feed"], "malformed URL 'http://exa mple.com/feed'"),
        (["https://news..example.org/"], "is not a valid host name"),
        (["http://[::1/x"], "malformed URL"),
        (["ftp://example.org/x"], "only http(s) URLs and local paths"),
        (["--db", "{tmp}/file.txt/wh.duckdb", "{sample}"], "is not a directory"),
        (["--db", "/proc/newsetl/wh.duckdb", "{sample}"], "cannot create it in /proc"),
        (["--db", "{tmp}", "{sample}"], "is a directory, not a warehouse file"),
    ],
)
def test_ingest_argument_errors_are_one_line_before_prefect_starts(tmp_path, args, message):
    from newsetl.samples import SAMPLE_SITE

    (tmp_path / "file.txt").write_text("x")
    home = tmp_path / "prefect-home"
    args = [a.format(tmp=tmp_path, sample=SAMPLE_SITE / "sitemap.xml") for a in args]
    if "--db" not in args:
        args += ["--db", str(tmp_path / "wh" / "newsetl.duckdb")]
    done = newsetl("ingest", *args, env={"PREFECT_HOME": str(home), "PREFECT_API_URL": ""})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsetl ingest: "), done.stderr
    assert message in lines[0]
    assert done.stdout == ""
    assert not (tmp_path / "wh").exists()  # no empty warehouse file, no staging directory
    assert not list(home.rglob("*.db"))  # no Prefect server was started


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"NEWSETL_ORCHESTRATION": "prefekt"},
            "NEWSETL_ORCHESTRATION must be auto, prefect, direct, not 'prefekt'",
        ),
        ({"NEWSETL_BATCH_SIZE": "abc"}, "NEWSETL_BATCH_SIZE='abc' is not a whole number"),
        (
            {"NEWSETL_PER_HOST_INTERVAL_S": "1,5"},
            "NEWSETL_PER_HOST_INTERVAL_S='1,5' is not a number",
        ),
    ],
)
def test_bad_settings_are_one_line_before_prefect_starts(tmp_path, env, message):
    from newsetl.samples import SAMPLE_SITE

    home = tmp_path / "prefect-home"
    db = tmp_path / "wh" / "newsetl.duckdb"
    done = newsetl(
        "ingest", str(SAMPLE_SITE / "sitemap.xml"), "--db", str(db),
        env={"PREFECT_HOME": str(home), "PREFECT_API_URL": "", **env},
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"newsetl ingest: {message}"]
    assert not (tmp_path / "wh").exists() and not list(home.rglob("*.db"))


def test_batch_size_zero_and_unknown_options_show_ingest_usage(tmp_path):
    zero = newsetl("ingest", "--batch-size", "0", "x.html")
    assert zero.returncode == 2
    assert zero.stderr.startswith("usage: newsetl ingest")
    assert "argument --batch-size: must be at least 1, not 0" in zero.stderr
    foo = newsetl("ingest", "--foo")
    assert foo.returncode == 2
    assert foo.stderr.startswith("usage: newsetl ingest")
    assert "unrecognized arguments: --foo" in foo.stderr


def test_query_with_a_missing_sql_file_is_one_line(tmp_path):
    done = newsetl("query", f"@{tmp_path / 'nope.sql'}", "--db", str(tmp_path / "w.duckdb"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"newsetl query: cannot read SQL file {tmp_path / 'nope.sql'}: No such file or directory"
    ]


def test_a_malformed_url_in_a_list_fails_once_not_three_times(tmp_path):
    """A bad URL that reaches the fetcher (from a URL list, a feed) is not retried."""
    from newsetl.downloads import Fetcher
    from newsetl.settings import Settings

    fetcher = Fetcher(Settings.from_env(backoff_s=0.5, db_path=tmp_path / "w.duckdb"))
    try:
        for url in ("http:///x", "http://[::1/x"):
            result = fetcher.fetch(url)
            assert result.outcome == "failed" and result.attempts == 1, (url, result)
    finally:
        fetcher.close()


def test_progress_bar_on_a_terminal_and_plain_lines_otherwise():
    import io

    from newsetl.commands.progress_display import ProgressDisplay

    for tty in (True, False):
        out = io.StringIO()
        display = ProgressDisplay(out, tty=tty)
        display("document", {"url": "http://x/sitemap.xml", "documents": 1, "pages": 0})
        display("expanded", {"pages": 10, "batches": 2})
        display("batch", {"pages": 5, "failed": 1, "total": 10})
        display("batch", {"pages": 10, "failed": 1, "total": 10})
        display.close()
        text = out.getvalue()
        assert "expanding sources: 1 feeds/sitemaps/pages read" in text
        assert "pages/s" in text and "ETA" in text
        if tty:
            assert "\r" in text and "[###############---------------] 5/10 pages" in text
        else:
            assert "\r" not in text
            assert "fetched 5/10 pages (1 failed)" in text.splitlines()[2]
