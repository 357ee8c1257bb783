"""The installed ``newsetl`` console script, as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

NEWSETL = shutil.which("newsetl") or str(Path(sys.executable).parent / "newsetl")


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [NEWSETL, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def test_help_lists_every_command():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("ingest", "repair", "entities", "query", "search", "export"):
        assert command in result.stdout, command
    ingest_help = run_cli("ingest", "--help").stdout
    for word in ("SOURCE", "feed", "sitemap", "WARC", "--db", "PREFECT_API_URL"):
        assert word in ingest_help, word


def test_ingest_reads_its_arguments_without_the_other_commands_modules(tmp_path):
    """``newsetl ingest`` starts the pool's fork server once its arguments are read: the other
    subcommands' modules are not imported before (they delayed the server, ~0.03 s), and a
    wrong argument still gets ingest's own usage. The other commands parse as before."""
    code = (
        "import sys\n"
        "from newsetl.cli import main\n"
        "try:\n"
        "    main(['ingest', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('newsetl.commands.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    imported = out.stdout.splitlines()[-1]
    assert "newsetl.commands.ingest" in imported
    for other in ("artefacts", "entities", "warehouse", "lake", "ops"):
        assert f"newsetl.commands.{other}'" not in imported, other
    wrong = run_cli("ingest", "--no-such-option", str(tmp_path))
    assert wrong.returncode == 2
    assert "usage: newsetl ingest" in wrong.stderr and "--no-such-option" in wrong.stderr
    assert run_cli("query", "--help").returncode == 0


def _harness_env(tmp_path) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return {
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "NEWSETL_PER_HOST_INTERVAL_S": "0",
        "NEWSETL_TRANSLATOR": "none",
        "NEWSETL_STAGING_DIR": str(tmp_path / "staging"),
    }


def test_ingest_a_feed_url_then_again(prefect_harness, site_server, tmp_path):
    db = tmp_path / "cli.duckdb"
    env = _harness_env(tmp_path)
    first = run_cli("ingest", site_server.url("/atom.xml"), "--db", str(db), env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    # the summary once (stdout), progress lines on stderr (not a terminal), no second summary
    assert first.stdout.count("articles_new") == 1
    assert "articles_new" not in first.stderr
    assert "pages to fetch in" in first.stderr and "pages/s, ETA" in first.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        n = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert n >= 12
    second = run_cli("ingest", site_server.url("/atom.xml"), "--db", str(db), "--json", env=env)
    assert second.returncode == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == n


def test_exit_status_is_non_zero_only_when_nothing_was_processed(
    prefect_harness, site_server, tmp_path
):
    env = _harness_env(tmp_path)
    db = str(tmp_path / "x.duckdb")
    nothing = run_cli(
        "ingest",
        site_server.url("/bad/404.html"),
        site_server.url("/bad/empty.html"),  # (a missing local file is refused before the run)
        "--db",
        db,
        env=env,
    )
    assert nothing.returncode == 1
    assert "404" in nothing.stderr
    partly = run_cli(
        "ingest",
        site_server.url("/bad/404.html"),
        site_server.url("/en/2026/11/eu-summit-climate-treaty.html"),
        "--db",
        db,
        env=env,
    )
    assert partly.returncode == 0, partly.stderr[-2000:]


def test_without_a_prefect_server_the_run_is_direct_and_starts_none(site_server, tmp_path):
    """No PREFECT_API_URL: the same engine runs in the command's process; no temporary Prefect
    server is started (its database would appear in PREFECT_HOME), the rows are loaded and the
    run is recorded in the warehouse. ``--prefect`` makes it a flow run on a temporary server."""
    home = tmp_path / "prefect-home"
    env = {
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": "",
        "NEWSETL_PER_HOST_INTERVAL_S": "0",
        "NEWSETL_TRANSLATOR": "none",
        "NEWSETL_STAGING_DIR": str(tmp_path / "staging"),
    }
    db = tmp_path / "direct.duckdb"
    done = run_cli("ingest", site_server.url("/atom.xml"), "--db", str(db), env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("articles_new") == 1
    assert "pages to fetch in" in done.stderr  # the progress lines, as for a flow run
    assert not list(home.rglob("*.db"))  # no Prefect server was started
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] >= 12
        assert con.execute("SELECT status FROM runs").fetchall() == [("completed",)]

    forced = run_cli(
        "ingest", site_server.url("/atom.xml"), "--db", str(db), "--prefect", "-q", env=env
    )
    assert forced.returncode == 0, forced.stderr[-3000:]
    assert list(home.rglob("*.db"))  # the temporary server's database: a flow run


def test_the_direct_run_freezes_what_its_process_holds_once_the_run_is_open(tmp_path):
    """The command's process runs one run and exits: what it holds once the run is open
    (modules, settings, the warehouse's objects) is frozen, so the collector's full
    collections during the run (two of three in the serial tail) no longer scan it; the run
    itself is the same (its rows loaded, the run completed)."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(2):
        body = " ".join(["The ministers met in Geneva to discuss the treaty."] * 20)
        (pages / f"{n}.html").write_text(
            f"<html><head><title>Page {n}</title></head><body><article><h1>Page {n}</h1>"
            f"<p>{body} Page {n}.</p></article></body></html>"
        )
    db = tmp_path / "w.duckdb"
    probe = (
        "import gc, sys\n"
        "from newsetl.cli import main\n"
        "rc = main(['ingest', '-q', sys.argv[1], '--db', sys.argv[2]])\n"
        "import newsetl.settings\n"
        "held = newsetl.settings.Settings\n"
        "print('frozen', gc.get_freeze_count(), any(o is held for o in gc.get_objects()))\n"
        "sys.stdout.flush()\n"
        "sys.exit(rc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(pages), str(db)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NEWSETL_TRANSLATOR": "none", "PREFECT_API_URL": ""},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    frozen, held_in_a_generation = done.stdout.split("frozen ")[1].split()
    assert int(frozen) > 10_000 and held_in_a_generation == "False"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
        assert con.execute("SELECT status FROM runs").fetchall() == [("completed",)]
