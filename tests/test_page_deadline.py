"""No page can hang a run (``Settings.page_timeout_s``, :mod:`newsetl.deadlines`).

The slow page is real hostile HTML: one paragraph of ``<span>`` words, which keeps
trafilatura busy for minutes (tens of thousands of inline elements in one block; nothing is
injected into our code). Each run is a real ``newsetl ingest`` (or ``run_ingest`` in a child
interpreter), in a session of its own, so that a process it left behind, even re-parented to
init, is found by session id in /proc.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from test_cli import NEWSETL
from test_shutdown import session_processes, wait_for

from newsetl.settings import Settings

#: Seconds a page may take in these tests: far above a normal page on a loaded machine (tens
#: of ms of CPU), far below the slow page (minutes of CPU).
DEADLINE_S = 10
#: A run with one page past the deadline ends within this, the fork server's warm-up and the
#: deadline included: ~30 s on an idle two-core machine, 206 and 343 s on one at a load average
#: of 10-12 (the warm-up's wall); the slow page alone was not done after 15 minutes there.
RUN_BOUND_S = 600

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc"),
    pytest.mark.timeout(2 * RUN_BOUND_S),
]

TEXT = (
    "The council met on Monday and agreed to open the new library in the spring. Residents "
    "asked for longer opening hours, a reading room for children and more seats."
)


def slow_page() -> str:
    """A page trafilatura takes well over a minute of CPU over (~1.8 MB; 19 s at half the spans)."""
    return (
        "<html><head><title>Spans</title></head><body><article><p>"
        + "<span>word </span>" * 100_000
        + "</p></article></body></html>"
    )


def write_pages(pages: Path, n: int = 6) -> list[str]:
    """``n`` normal pages and the slow one (named to come first: the first job a worker
    takes); the normal pages' titles."""
    pages.mkdir()
    (pages / "00-slow.html").write_text(slow_page())
    titles = []
    for i in range(n):
        title = f"Library news {i}"
        body = " ".join([f"{TEXT} ({i})"] * 3)
        (pages / f"{i + 1:02d}.html").write_text(
            f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{body}</p><p>{TEXT}</p></article></body></html>"
        )
        titles.append(title)
    return titles


def run_in_session(args: list[str], env: dict[str, str], log: Path) -> tuple[int, float, int]:
    """Run ``args`` in a session of its own; (exit code, seconds, session id)."""
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = proc.wait(timeout=RUN_BOUND_S + 120)  # then it hangs: killed below
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, 9)
    return code, time.monotonic() - started, proc.pid


def assert_ended(log: Path, seconds: float, sid: int) -> str:
    """The run ended within the bound and left nothing behind (the killed worker, the pool,
    the fork server, the early helper); its log."""
    text = log.read_text(errors="replace")
    assert wait_for(lambda: not session_processes(sid), 20), (session_processes(sid), text)
    assert seconds < RUN_BOUND_S, text
    return text


def assert_outcome(db: Path, titles: list[str], log: Path, seconds: float, sid: int) -> None:
    text = assert_ended(log, seconds, sid)
    with duckdb.connect(str(db), read_only=True) as con:
        slow = con.execute(
            "SELECT outcome, error_kind, error FROM fetches WHERE url LIKE '%00-slow.html'"
        ).fetchall()
        stored = [r[0] for r in con.execute("SELECT title FROM articles ORDER BY title").fetchall()]
        run = con.execute("SELECT status, pages_failed FROM runs").fetchall()
    assert slow == [("failed", "page_timeout", slow[0][2] if slow else None)], (
        text
    )  # the page's recorded failure
    assert f"after {DEADLINE_S} s" in slow[0][2] and "killed" in slow[0][2]
    assert stored == titles, text  # every other page's article: none lost beside the slow one
    assert run == [("partial", 1)], text


def ingest_past_deadline(tmp_path: Path, **env: str) -> str:
    """``newsetl ingest`` (the CLI) of :func:`write_pages`' pages, the slow one among them,
    with the page deadline and a pool of two workers, in a session of its own, ``env`` on
    top; its exit, rows and end checked (:func:`assert_outcome`).
    The run's log text."""
    titles = write_pages(tmp_path / "pages")
    env = {
        "NEWSETL_ORCHESTRATION": "direct",
        "NEWSETL_PAGE_TIMEOUT_S": str(DEADLINE_S),
        "NEWSETL_WORKERS": "2",
        "NEWSETL_TRANSLATOR": "none",
        "NEWSETL_STAGING_DIR": str(tmp_path / "staging"),
        **env,
    }
    db, log = tmp_path / "w.duckdb", tmp_path / "ingest.log"
    code, seconds, sid = run_in_session(
        [NEWSETL, "ingest", str(tmp_path / "pages"), "--db", str(db)], env, log
    )
    assert code == 0, log.read_text()
    assert_outcome(db, titles, log, seconds, sid)
    return log.read_text()


def test_a_page_past_its_deadline_fails_and_its_pool_neighbours_run_again(tmp_path):
    """The pool's path, without the early helper: the pages in flight beside the slow one in
    the killed pool run again on a new pool."""
    text = ingest_past_deadline(
        tmp_path,
        NEWSETL_EARLY_EXTRACTION="false",
        NEWSETL_REPAIR="false",
        NEWSETL_ENTITIES="false",
    )
    assert "starting a new one" in text  # the broken pool was replaced


def test_one_worker_still_has_a_page_deadline(tmp_path):
    """``NEWSETL_WORKERS=1`` (or a one-core machine) gets a pool of one worker, not the run's
    own process, where the slow page could not be stopped: the same outcome."""
    text = ingest_past_deadline(
        tmp_path,
        NEWSETL_WORKERS="1",
        NEWSETL_EARLY_EXTRACTION="false",
        NEWSETL_REPAIR="false",
        NEWSETL_ENTITIES="false",
    )
    assert "newsetl.workers - worker" in text  # the pool's watchdog killed the page's worker


def test_a_page_past_its_deadline_with_the_analyses_and_early_helper(tmp_path):
    """The defaults of ``newsetl ingest`` (repair, entities, the early extraction helper,
    which may be the one that takes the slow page): the same outcome."""
    ingest_past_deadline(tmp_path)


def test_a_page_past_its_deadline_with_the_spines_early_helper(tmp_path):
    """The spine with its early extraction helper (which extracts without a guess; a pool
    worker identifies its pages' languages in jobs of their own, under the deadline too): the
    same outcome, every other page stored with its language, nothing left running."""
    ingest_past_deadline(tmp_path, NEWSETL_REPAIR="false", NEWSETL_ENTITIES="false")
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        languages = con.execute("SELECT language FROM articles").fetchall()
    assert languages and all(language == ("en",) for language in languages)


def test_a_small_run_below_the_pool_threshold_is_bounded_too(tmp_path):
    """``run_ingest`` of 7 pages with the default thresholds (150 pages): without a deadline
    this run extracts in its own process, where a stuck page could not be stopped."""
    titles = write_pages(tmp_path / "pages")
    db, log = tmp_path / "w.duckdb", tmp_path / "run.log"
    assert Settings().process_pool_min_pages > 7
    script = (
        "import sys; from pathlib import Path\n"
        "from newsetl.ingest import run_ingest\n"
        "from newsetl.settings import Settings\n"
        f"s = Settings.from_env(db_path=Path({str(db)!r}),"
        f" staging_dir=Path({str(tmp_path / 'staging')!r}), repair=False, entities=False)\n"
        f"print(run_ingest([{str(tmp_path / 'pages')!r}], s).status)\n"
    )
    env = {
        "NEWSETL_TRANSLATOR": "none",
        "NEWSETL_PAGE_TIMEOUT_S": str(DEADLINE_S),
        "NEWSETL_WORKERS": "2",
    }
    code, seconds, sid = run_in_session([sys.executable, "-c", script], env, log)
    assert code == 0, log.read_text()
    assert_outcome(db, titles, log, seconds, sid)


def test_the_pool_kills_a_job_past_its_deadline_and_runs_the_queued_one_again():
    """The mechanism alone, on a real pool of one worker: the slow page's job fails with
    PageTimeout, its worker is killed, and the job queued behind it in the (now broken) pool
    runs on a new pool."""
    import functools

    from newsetl import deadlines, workers
    from newsetl.pipeline import extract_in_worker

    settings = Settings(repair=False, entities=False)
    context = workers._context(settings)
    if context.get_start_method() == "forkserver":
        workers.forkserver_started()
    fresh = functools.partial(workers.new_pool, 1, context)
    first = fresh()
    normal = (
        f"<html><head><title>Normal</title></head><body><article><h1>Normal</h1><p>{TEXT}</p>"
        f"<p>{TEXT}</p></article></body></html>"
    ).encode()
    started = time.monotonic()
    with workers.SharingExecutor(first, 2, page_timeout_s=DEADLINE_S, replace=fresh) as pool:
        slow = pool.submit(extract_in_worker, slow_page().encode(), "http://a.test/s", None,
                           0, None, None)  # fmt: skip
        behind = pool.submit(extract_in_worker, normal, "http://a.test/n", None, 0, None, None)
        assert wait_for(lambda: first._processes, 60)
        killed = list(first._processes)  # the one worker, about to be killed
        with pytest.raises(deadlines.PageTimeout, match="killed"):
            slow.result(timeout=RUN_BOUND_S)
        page, _guess, kind, error = behind.result(timeout=RUN_BOUND_S)
        assert (page.title, kind, error) == ("Normal", None, None)
        assert pool._pool is not first and first._broken  # replaced
    assert time.monotonic() - started < RUN_BOUND_S
    for pid in killed:  # gone (reaped)
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()


def test_an_analysis_past_its_deadline_fails_its_page_only(tmp_path):
    """A batch's analysis stuck on one page: the batch's job is killed, its pages are analysed
    one by one to find the stuck one, which fails (``page_timeout``, no article); the batch is
    analysed again without it, and every other page's article is stored."""
    from stuckstage import MARKER

    titles = write_pages(tmp_path / "pages")
    (tmp_path / "pages" / "00-slow.html").unlink()  # extraction is not what is slow here
    stuck = f"{TEXT} {MARKER} {TEXT}"
    (tmp_path / "pages" / "00-stuck.html").write_text(
        f"<html><head><title>Stuck</title></head><body><article><h1>Stuck</h1>"
        f"<p>{stuck}</p><p>{stuck}</p></article></body></html>"
    )
    db, log = tmp_path / "w.duckdb", tmp_path / "run.log"
    script = (
        "from pathlib import Path\n"
        "from newsetl import stages\n"
        "from newsetl.ingest import run_ingest\n"
        "from newsetl.settings import Settings\n"
        "from stuckstage import STUCK\n"
        "stages.register(STUCK)\n"
        f"s = Settings.from_env(db_path=Path({str(db)!r}),"
        f" staging_dir=Path({str(tmp_path / 'staging')!r}), repair=False, entities=False,"
        " batch_size=3)\n"
        f"print(run_ingest([{str(tmp_path / 'pages')!r}], s).status)\n"
    )
    tests = str(Path(__file__).parent)
    env = {
        "NEWSETL_TRANSLATOR": "none",
        "NEWSETL_PAGE_TIMEOUT_S": str(DEADLINE_S),
        "NEWSETL_WORKERS": "2",
        "PYTHONPATH": tests,
    }
    code, seconds, sid = run_in_session([sys.executable, "-c", script], env, log)
    assert code == 0, log.read_text()
    text = assert_ended(log, seconds, sid)
    with duckdb.connect(str(db), read_only=True) as con:
        failed = con.execute(
            "SELECT url, error_kind, error FROM fetches WHERE outcome = 'failed'"
        ).fetchall()
        stored = [r[0] for r in con.execute("SELECT title FROM articles ORDER BY title").fetchall()]
    assert [(url.rsplit("/", 1)[1], kind) for url, kind, _ in failed] == [
        ("00-stuck.html", "page_timeout")
    ], text
    assert f"after {DEADLINE_S} s" in failed[0][2]
    assert stored == titles, text
