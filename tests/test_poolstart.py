"""The fork server starts at the start of a run only when the run is sure to use the pool."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsetl.poolstart import local_pages_at_least, start_pool_early
from newsetl.settings import Settings
from newsetl.workers import WARM_DATES_MODULE, WARM_EXTRACTION_MODULE


def _pages(directory: Path, n: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        (directory / f"p{k}.html").write_text(f"<html><body><p>page {k}</p></body></html>")
    return directory


def test_local_pages_are_counted_as_the_run_reads_them(tmp_path: Path) -> None:
    site = _pages(tmp_path / "site", 3)
    (site / "nested").mkdir()
    (site / "nested" / "deep.htm").write_text("<p>x</p>")
    (site / "saved.html.gz").write_bytes(gzip.compress(b"<p>y</p>"))
    (site / "notes.txt").write_text("not a page")
    (site / "feed.xml").write_text("<rss/>")  # its pages are known only once it is read
    assert local_pages_at_least([str(site)], 5)
    assert not local_pages_at_least([str(site)], 6)
    # one file named twice is one page
    assert not local_pages_at_least([str(site / "p0.html"), str(site / "p0.html")], 2)


def test_a_source_whose_size_is_unknown_starts_nothing(tmp_path: Path) -> None:
    site = _pages(tmp_path / "site", 5)
    assert not local_pages_at_least([str(site), "https://example.org/feed.xml"], 1)
    assert not local_pages_at_least([str(site), f"file://{site}"], 1)
    assert not local_pages_at_least([str(site), str(tmp_path / "missing")], 1)
    settings = Settings(
        db_path=tmp_path / "w.duckdb", workers=2, process_pool_min_pages=10, page_timeout_s=0
    )
    assert not start_pool_early(settings, [str(site)])  # too few pages for the pool
    assert not start_pool_early(settings, [])
    assert not start_pool_early(
        Settings(db_path=tmp_path / "w.duckdb", workers=1, page_timeout_s=0), [str(site)]
    )


def _start_early_alone(site: Path, tmp_path: Path, settings: str, report: str) -> list[str]:
    """``start_pool_early`` of ``site`` in a fresh interpreter (the fork server belongs to the
    process that starts it), spine settings plus ``settings``; what it returned and
    ``report`` (a Python expression about ``forkserver``), as printed words."""
    code = (
        "import sys\n"
        "from multiprocessing import forkserver\n"
        "from newsetl.poolstart import start_pool_early\n"
        "from newsetl.settings import Settings\n"
        f"s = Settings(db_path=sys.argv[2], workers=2, {settings}, repair=False, entities=False)\n"
        f"print(start_pool_early(s, [sys.argv[1]]), {report})\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(site), str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return out.stdout.split()


def test_a_run_big_enough_for_the_pool_starts_the_fork_server(tmp_path: Path) -> None:
    """In a fresh interpreter (the server belongs to the process that starts it)."""
    site = _pages(tmp_path / "site", 4)
    said = _start_early_alone(
        site,
        tmp_path,
        "process_pool_min_pages=4",
        "forkserver._forkserver._forkserver_pid is not None",
    )
    assert said == ["True", "True"]


@pytest.mark.parametrize(("pages", "dates"), [(3, False), (4, True)])
def test_the_fork_server_of_a_run_longer_than_a_generation_preloads_the_date_parser(
    tmp_path: Path, pages: int, dates: bool
) -> None:
    """With workers recycled every 3 pages, a run of 4 local pages outlives a generation: its
    server loads the date parser for all of them (:mod:`newsetl._warm_dates`); a run of 3
    does not. The same scan of the pages decides both this and the pool."""
    site = _pages(tmp_path / "site", pages)
    said = _start_early_alone(
        site, tmp_path, "recycle_workers_pages=3", "*forkserver._forkserver._preload_modules"
    )
    assert said == ["True", WARM_EXTRACTION_MODULE] + ([WARM_DATES_MODULE] if dates else [])


def test_checking_a_local_source_imports_nothing_the_fork_server_would_wait_for(
    tmp_path: Path,
) -> None:
    """``newsetl ingest DIR`` checks its sources before it starts the fork server: a local
    path must be checked without importing :mod:`newsetl.sources` (its HTTP clients and
    parsers delayed the server by their import time). Sources that may be URLs or forced
    readings still get the full check."""
    site = _pages(tmp_path / "site", 2)
    code = (
        "import sys\n"
        "from newsetl.commands.checks import check_source\n"
        "print(check_source(sys.argv[1]), 'newsetl.sources' in sys.modules)\n"
        "print(check_source(sys.argv[2]) is not None, 'newsetl.sources' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(site), "htp://example.org"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.split() == ["None", "False", "True", "True"]


def test_a_spine_worker_imports_no_http_client_or_feed_parser(tmp_path: Path) -> None:
    """The spine's fork server preloads what its workers run, and nothing a worker never
    needs: httpx, httpcore and feedparser (~0.1 s of CPU) were imported by the server on the
    spine's critical path only because the modules a job's types live in imported them.

    In a fresh interpreter, as the server does: the spine's preload module, then the two jobs
    a spine worker runs (a page's extraction and language, a batch's rows staged as Parquet)
    on a real page; then neither library may have been imported."""
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Rail strike</title></head><body><article><h1>Rail strike</h1>"
        + "".join(
            f"<p>The unions said on day {k} that the trains in region {k} would stop for two "
            f"days, and the ministry answered that talks would resume in week {k + 1}.</p>"
            for k in range(12)
        )
        + "</article></body></html>"
    )
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "import newsetl._warm_extraction\n"
        "from newsetl.downloads import FetchResult\n"
        "from newsetl.pipeline import AnalysisOptions, Processed, extract_in_worker\n"
        "from newsetl.run.steps import analyse_and_stage_job\n"
        "from newsetl.sources import Target\n"
        "path = Path(sys.argv[1])\n"
        "url = path.as_uri()\n"
        "body = path.read_bytes()\n"
        "page, guess, kind, error = extract_in_worker(body, url, None, 0, None, 10000)\n"
        "fetch = FetchResult(url, url, 200, 'ok', body=body)\n"
        "item = Processed(Target(url, url), fetch, url, page=page, language=guess.language)\n"
        "options = AnalysisOptions(repair=False, entities=False)\n"
        "result = analyse_and_stage_job([item], 'r', options, {}, Path(sys.argv[2]), 'b')\n"
        "print(guess.language, result.staged is not None)\n"
        "print(*[m for m in ('httpx', 'httpcore', 'h2', 'feedparser') if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(page), str(tmp_path / "staging")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = out.stdout.splitlines()
    assert lines[0] == "en True"  # the jobs really ran
    assert lines[1] == ""  # nothing of the HTTP client or the feed parser


def test_the_fork_servers_preload_runs_without_the_collector_and_leaves_it_on() -> None:
    """The spine's preload makes a few hundred thousand long-lived objects; with the cyclic
    collector on, it scanned them again and again (~0.1 s of the spine's ~0.9 s critical
    start). In a fresh interpreter, as the fork server does: the spine's preload module, then
    the date parser's; no collection may run during the first (the second collects: paused,
    it left the server ~57 MB bigger), and the collector must be on afterwards (the workers
    forked from the server need it), with what was loaded frozen."""
    code = (
        "import gc, importlib.util, json, sys\n"
        "def runs():\n"
        "    return sum(s['collections'] for s in gc.get_stats())\n"
        "def preload(name):\n"  # an import, its module compiled first (no bytecode here)
        "    spec = importlib.util.find_spec(name)\n"
        "    module, code = importlib.util.module_from_spec(spec), spec.loader.get_code(name)\n"
        "    sys.modules[name] = module\n"
        "    before = runs()\n"
        "    exec(code, module.__dict__)\n"
        "    return runs() - before\n"
        "during_warm = preload('newsetl._warm_extraction')\n"
        "enabled_warm, frozen = gc.isenabled(), gc.get_freeze_count()\n"
        "during_dates = preload('newsetl._warm_dates')\n"
        "print(json.dumps([during_warm, enabled_warm, frozen, during_dates,"
        " gc.isenabled(), gc.get_freeze_count() > frozen]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    during_warm, enabled_warm, frozen, during_dates, enabled, froze_more = json.loads(out.stdout)
    assert during_warm == 0  # no collection while loading the spine's preload
    assert during_dates > 0  # the date parser's: collected as it goes (its temporaries freed)
    assert enabled_warm and enabled  # on again before any fork
    assert frozen > 100_000 and froze_more  # the loaded data frozen, never scanned in a worker
