"""The fork server's early extraction helper (newsetl.earlyextract): forked once extraction is
warm, it extracts what a pool worker would, and the run's rows are the same with it or without.

Each test runs in a fresh interpreter: the fork server (and so the helper) belongs to the
process that starts it, with a real warm-up of every stage."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from test_shutdown import session_processes, wait_for

SAMPLES = Path(__file__).resolve().parents[1] / "src/newsetl/samples/site"


def _run(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NEWSETL_TRANSLATOR": "none", **(env or {})},
    )
    # the child's own traceback, not only its exit status (a failure seen once in CI, under
    # the other test process's load, said nothing more)
    assert done.returncode == 0, (
        f"exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    )
    return done


def _site(directory: Path, copies: int) -> Path:
    """The bundled sample pages, ``copies`` times under different names (distinct URLs)."""
    pages = sorted(p for p in SAMPLES.rglob("*.html"))
    assert pages, SAMPLES
    directory.mkdir(parents=True)
    for n in range(copies):
        for k, page in enumerate(pages):
            (directory / f"c{n}-{k}.html").write_bytes(page.read_bytes())
    return directory


HELPER = """
import json, os, sys, time
from pathlib import Path
from newsetl import earlyextract
from newsetl.pipeline import analysed_text, extract_in_worker, identify_in_worker
from newsetl.poolstart import start_pool_early
from newsetl.settings import Settings

# the spine: one helper, which extracts only (with the analyses a second one takes over once
# the language models are loaded: test_with_the_analyses_a_helper_that_identifies_takes_over)
s = Settings(db_path=Path(sys.argv[2]), workers=2, process_pool_min_pages=2,
             early_extraction=sys.argv[3] == "1", repair=False, entities=False)
print(json.dumps({"started": start_pool_early(s, [sys.argv[1]])}))
helper = earlyextract.current()
if helper is None:
    print(json.dumps({"helper": None}))
    sys.exit()
t = time.monotonic()
print(json.dumps({"connected": helper.wait(lambda: time.monotonic() - t > 120)}))
page = next(Path(sys.argv[1]).glob("*.html"))
job = (page.read_bytes(), "https://example.org/a", None, 0, None, 20000)
theirs = helper.extract(job)
ours = extract_in_worker(*job)
# the helper extracts only; a pool worker's identify_in_worker makes the guess of its page
guess = identify_in_worker([(analysed_text(theirs[0].text, 20000), theirs[0].declared_language, 0)])[0]
children = {}
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            children[int(pid)] = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            pass
server = [p for p, parent in children.items() if parent == os.getpid()]
helpers = [p for p, parent in children.items() if parent in server]
print(json.dumps({"same": theirs[0] == ours[0] and theirs[2:] == ours[2:] and guess == ours[1],
                  "unguessed": theirs[1] is None, "language": guess.language,
                  "helpers": len(helpers), "extracted": helper.extracted}))
earlyextract.finish()
deadline = time.monotonic() + 10
while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() and
        "Z" not in Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] for p in helpers):
    time.sleep(0.05)
gone = [p for p in helpers if not Path(f"/proc/{p}").exists()
        or Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"]
print(json.dumps({"gone": len(gone) == len(helpers)}))
"""


def _lines(out: str) -> dict:
    found: dict = {}
    for line in out.splitlines():
        if line.startswith("{"):
            found |= json.loads(line)
    return found


def test_the_helper_extracts_what_a_worker_does_and_goes_when_let_go(tmp_path: Path) -> None:
    site = _site(tmp_path / "site", 1)
    out = _lines(_run(HELPER, str(site), str(tmp_path / "w.duckdb"), "1").stdout)
    assert out["started"] and out["connected"]
    assert out["same"], "the helper's page, or the pool's guess of it, differs from a worker's"
    assert out["unguessed"]  # the helper has no language model
    assert out["language"]
    assert out["extracted"] == 1
    assert out["helpers"] == 1  # the fork server's child: in the run's process tree
    assert out["gone"]


def test_no_helper_when_the_setting_is_off(tmp_path: Path) -> None:
    site = _site(tmp_path / "site", 1)
    out = _lines(_run(HELPER, str(site), str(tmp_path / "w.duckdb"), "0").stdout)
    assert out == {"started": True, "helper": None}


TAKE_OVER = """
import json, os, sys, time
from pathlib import Path
from newsetl import earlyextract
from newsetl.pipeline import extract_in_worker
from newsetl.poolstart import start_pool_early
from newsetl.settings import Settings

s = Settings(db_path=Path(sys.argv[2]), workers=2, process_pool_min_pages=2,
             repair=sys.argv[3] == "1", entities=sys.argv[3] == "1")
start_pool_early(s, [sys.argv[1]])
helper = earlyextract.current()
t = time.monotonic()
helper.wait(lambda: time.monotonic() - t > 120)
page = next(Path(sys.argv[1]).glob("*.html"))
job = (page.read_bytes(), "https://example.org/a", None, 0, None, 20000)
first_pid, first = helper.pid, helper.extract(job)
while helper._next is None and time.monotonic() - t < 120:  # the server's warm-up goes on
    time.sleep(0.05)
later = helper.extract(job)
ours = extract_in_worker(*job)
time.sleep(0.5)
first_gone = not Path(f"/proc/{first_pid}").exists() or " Z " in Path(f"/proc/{first_pid}/stat").read_text()
print(json.dumps({"first_guess": first[1] is not None, "later_guess": later[1] is not None,
                  "same": later == ours and first[0] == ours[0], "took_over": helper.pid != first_pid,
                  "first_gone": first_gone, "extracted": helper.extracted}))
earlyextract.finish()
"""


def test_with_the_analyses_a_helper_that_identifies_takes_over(tmp_path: Path) -> None:
    """With repair and entities on, the first helper (forked before the language models)
    extracts only; once the models are loaded the server forks a second helper, which takes
    over at the next job and identifies its pages as a worker does; the first one ends."""
    site = _site(tmp_path / "site", 1)
    out = _lines(_run(TAKE_OVER, str(site), str(tmp_path / "w.duckdb"), "1").stdout)
    assert out == {
        "first_guess": False,
        "later_guess": True,
        "same": True,
        "took_over": True,
        "first_gone": True,
        "extracted": 2,
    }


WARM_ORDER = """
import json, sys
from newsetl import language, stages
from newsetl.artefacts import language as artefact_language

seen = []
def ready():
    # trafilatura is warm; neither lingua's nor langdetect's models, nor the artefact
    # detector's, are loaded yet
    seen.append((language._lingua_detector is None, language._initialised,
                 getattr(artefact_language, "_detector", None) is None))
stages.warm_up(True, ready)
print(json.dumps([seen, language._lingua_detector is not None, language._initialised]))
"""


def test_the_hook_comes_before_the_language_models_with_the_analyses_too() -> None:
    """With repair and entities on, the fork server forks its helper once trafilatura is warm,
    before the language models and the analyses' models (they load after it, in the server),
    as the spine's does (benchmarks/README.md "Round 14 (start14)")."""
    src = Path(__file__).resolve().parents[1] / "src/newsetl/artefacts/language.py"
    assert "_detector" in src.read_text()  # the name the child reads
    out = json.loads(_run(WARM_ORDER).stdout.splitlines()[-1])
    assert out == [[[True, False, True]], True, True]


RUN = """
import logging, sys
from pathlib import Path
logging.basicConfig(level=logging.WARNING)
logging.getLogger("newsetl.earlyextract").setLevel(logging.INFO)
from newsetl.poolstart import start_pool_early
from newsetl.settings import Settings
s = Settings.from_env(db_path=Path(sys.argv[2]))
start_pool_early(s, [sys.argv[1]])
from newsetl.run import Run
print(Run.open(s, [sys.argv[1]]).execute().status)
"""

_RUN_ENV = {
    "NEWSETL_WORKERS": "2",
    "NEWSETL_PROCESS_POOL_MIN_PAGES": "8",
    "NEWSETL_BATCH_SIZE": "3",
    "NEWSETL_PER_HOST_INTERVAL_S": "0",
}


def test_a_run_with_the_helper_loads_the_rows_of_a_run_without(tmp_path: Path) -> None:
    """A whole run (repair and entities on, several batches): the helper takes jobs of the
    first batches while the pool starts, and the articles are those of a run without it."""
    site = _site(tmp_path / "site", 3)
    with_helper = _run(
        RUN,
        str(site),
        str(tmp_path / "on.duckdb"),
        env={**_RUN_ENV, "NEWSETL_EARLY_EXTRACTION": "1"},
    )
    without = _run(
        RUN,
        str(site),
        str(tmp_path / "off.duckdb"),
        env={**_RUN_ENV, "NEWSETL_EARLY_EXTRACTION": "0"},
    )
    assert with_helper.stdout.split()[-1] == without.stdout.split()[-1] == "completed"
    helped = [line for line in with_helper.stderr.splitlines() if "early extraction helper" in line]
    assert helped and int(helped[-1].split(": ")[-1].split()[0]) > 0, with_helper.stderr
    assert "early extraction helper" not in without.stderr
    # the helper extracts only; the pool's guesses of its pages are a worker's (every column)
    rows = _language_rows(tmp_path / "on.duckdb")
    assert rows and rows == _language_rows(tmp_path / "off.duckdb")
    assert all(row[3] for row in rows)


SPINE_WARM_ORDER = """
import json, sys
from newsetl import language, stages

seen = []
def ready():
    # the spine: extraction is warm, the language models are not loaded yet
    seen.append((language._lingua_detector is None, language._initialised))
stages.warm_up(False, ready)
print(json.dumps([seen, language._lingua_detector is not None, language._initialised]))
"""


def test_the_spines_hook_comes_before_the_language_models() -> None:
    """The spine's fork server forks its helper once extraction is warm, before lingua's and
    langdetect's models load (they load after it, in the server)."""
    out = json.loads(_run(SPINE_WARM_ORDER).stdout.splitlines()[-1])
    assert out == [[[True, False]], True, True]


def test_a_spine_run_with_the_helper_loads_the_rows_of_a_run_without(tmp_path: Path) -> None:
    """The spine (repair and entities off): its helper extracts without a guess, a pool worker
    identifies those pages' languages, and the articles (with every language column) are
    those of a run without the helper."""
    site = _site(tmp_path / "site", 3)
    spine = {**_RUN_ENV, "NEWSETL_REPAIR": "0", "NEWSETL_ENTITIES": "0"}
    with_helper = _run(RUN, str(site), str(tmp_path / "on.duckdb"), env=spine)
    without = _run(
        RUN,
        str(site),
        str(tmp_path / "off.duckdb"),
        env={**spine, "NEWSETL_EARLY_EXTRACTION": "0"},
    )
    assert with_helper.stdout.split()[-1] == without.stdout.split()[-1] == "completed"
    helped = [line for line in with_helper.stderr.splitlines() if "early extraction helper" in line]
    assert helped and int(helped[-1].split(": ")[-1].split()[0]) > 0, with_helper.stderr
    rows = _language_rows(tmp_path / "on.duckdb")
    assert rows and rows == _language_rows(tmp_path / "off.duckdb")
    assert all(row[3] for row in rows)  # every article has its language


def _language_rows(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT url, title, text, language, language_confidence, language_source,"
            " language_runner_up, language_runner_up_confidence FROM articles ORDER BY url"
        ).fetchall()
    finally:
        con.close()


#: A run whose early extraction helper is killed (SIGKILL, from outside) once it has spent
#: KILL_AT_CPU_S on a page: the slow page, which the helper takes first (the back of the
#: first batch) and which takes it seconds; every other page takes it milliseconds.
KILL_RUN = """
import json, os, sys, threading, time
from pathlib import Path

def cpu(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def main():
    import logging
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("newsetl.earlyextract").setLevel(logging.INFO)
    from newsetl import earlyextract
    from newsetl.poolstart import start_pool_early
    from newsetl.settings import Settings
    s = Settings.from_env(db_path=Path(sys.argv[2]))
    start_pool_early(s, [sys.argv[1]])
    helper = earlyextract.current()
    killed = []

    def kill():
        t = time.monotonic()
        if helper is None or not helper.wait(lambda: time.monotonic() - t > 120):
            return
        while time.monotonic() - t < 120:
            try:
                if cpu(helper.pid) > float(sys.argv[3]):
                    os.kill(helper.pid, 9)
                    killed.append(helper.pid)
                    return
            except OSError:
                return
            time.sleep(0.01)

    watcher = threading.Thread(target=kill, daemon=True)
    watcher.start()
    from newsetl.run import Run
    status = Run.open(s, [sys.argv[1]]).execute().status
    print(json.dumps({"status": status, "killed": len(killed)}))

if __name__ == "__main__":
    main()
"""

KILL_AT_CPU_S = 0.4


def _slow_site(directory: Path) -> Path:
    """The bundled sample pages and one page of 20,000 ``<span>`` words (~3 s of
    trafilatura's CPU), named to come last in the first batch."""
    site = _site(directory, 1)
    (site / "zz-slow.html").write_text(
        "<html><head><title>Spans</title></head><body><article><p>"
        + "<span>word </span>" * 20_000
        + "</p></article></body></html>"
    )
    return site


@pytest.mark.parametrize("spine", [True, False], ids=["spine", "everything"])
def test_the_helper_killed_mid_page_loses_no_page(tmp_path: Path, spine: bool) -> None:
    """The helper dies on a page (SIGKILL from outside, mid-page): that page goes to the pool,
    and the run stores every page, each with its language: the articles of a run without the
    helper. Nothing is left running."""
    site = _slow_site(tmp_path / "site")
    env = {
        **os.environ,
        **_RUN_ENV,
        "NEWSETL_TRANSLATOR": "none",
        "NEWSETL_BATCH_SIZE": "25",
        "NEWSETL_PROCESS_POOL_MIN_PAGES": "2",
    }
    if spine:
        env |= {"NEWSETL_REPAIR": "0", "NEWSETL_ENTITIES": "0"}
    script = tmp_path / "kill_run.py"
    script.write_text(KILL_RUN)
    out = {}
    for name, early in (("on", "1"), ("off", "0")):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(site), str(tmp_path / f"{name}.duckdb"),
             str(KILL_AT_CPU_S)],
            env={**env, "NEWSETL_EARLY_EXTRACTION": early},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        try:
            stdout, stderr = proc.communicate(timeout=600)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        assert proc.returncode == 0, stderr
        out[name] = json.loads(stdout.splitlines()[-1]), stderr
        sid = proc.pid
        assert wait_for(lambda: not session_processes(sid), 20), session_processes(sid)  # noqa: B023
    (result, stderr), (result_off, _) = out["on"], out["off"]
    assert result == {"status": "completed", "killed": 1}, stderr
    assert result_off == {"status": "completed", "killed": 0}
    assert "early extraction helper died on" in stderr and "zz-slow.html" in stderr, stderr
    rows = _language_rows(tmp_path / "on.duckdb")
    pages = len(list(site.glob("*.html")))
    assert len(rows) == pages and all(row[3] for row in rows), rows
    assert rows == _language_rows(tmp_path / "off.duckdb")


#: A run whose hook, once the first batch is queued, waits (up to 120 s) until the helper has
#: extracted a page before it lets the run go on to wait for that batch.
FEED_RUN = """
import json, sys, time
from pathlib import Path

def main():
    from newsetl import earlyextract
    from newsetl.poolstart import start_pool_early
    from newsetl.run import Run, RunHooks
    from newsetl.settings import Settings
    s = Settings.from_env(db_path=Path(sys.argv[2]))
    start_pool_early(s, [sys.argv[1]])
    helper = earlyextract.current()
    seen = []

    class Hooks(RunHooks):
        def fetch_extract(self, run, index, targets, pool):
            pending = super().fetch_extract(run, index, targets, pool)
            if index == 0:
                t = time.monotonic()
                while helper.extracted == 0 and time.monotonic() - t < 120:
                    time.sleep(0.01)
                seen.append(helper.extracted)
            return pending

    status = Run.open(s, [sys.argv[1]], hooks=Hooks()).execute().status
    print(json.dumps({"status": status, "before_waiting": seen}))

if __name__ == "__main__":
    main()
"""


def test_the_helper_extracts_before_the_run_waits_for_a_batch(tmp_path: Path) -> None:
    """The helper gets the queued jobs as soon as the first batch is queued (a feeder thread),
    not only once the run waits for that batch (after its fetch-ahead window is read)."""
    site = _site(tmp_path / "site", 2)
    script = tmp_path / "feed_run.py"
    script.write_text(FEED_RUN)
    done = subprocess.run(
        [sys.executable, str(script), str(site), str(tmp_path / "w.duckdb")],
        capture_output=True, text=True, timeout=600, check=True,
        env={**os.environ, **_RUN_ENV, "NEWSETL_TRANSLATOR": "none",
             "NEWSETL_REPAIR": "0", "NEWSETL_ENTITIES": "0"},
    )  # fmt: skip
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["status"] == "completed", done.stderr
    assert out["before_waiting"][0] > 0, done.stderr
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        pages = con.execute("SELECT count(*) FROM pages WHERE article_id IS NOT NULL").fetchone()
    assert pages == (len(list(site.glob("*.html"))),)  # every page stored, with its article


HELPER_ALONE = """
import json, sys
from pathlib import Path
from newsetl import language
from newsetl.pipeline import extract_in_helper
from newsetl.stages import EXTRACTION

EXTRACTION.warm_up()  # what the spine's server has warmed when it forks its helper
outcomes = [extract_in_helper(p.read_bytes(), "https://example.org/" + p.name, None, 0, None,
                              20000) for p in sorted(Path(sys.argv[1]).glob("*.html"))]
print(json.dumps({"pages": sum(o[0] is not None for o in outcomes),
                  "guesses": sum(o[1] is not None for o in outcomes),
                  "langdetect": language._initialised,
                  "lingua": language._lingua_detector is not None,
                  "lingua_imported": "lingua" in sys.modules}))
"""


def test_the_spines_helper_extracts_without_loading_a_language_model(tmp_path: Path) -> None:
    """What the spine's helper runs on real pages, in a fresh interpreter warmed as the server
    is when it forks the helper: every page extracted, none identified, and neither
    langdetect's profiles nor lingua loaded (they would cost the helper ~0.45 s)."""
    site = _site(tmp_path / "site", 1)
    out = json.loads(_run(HELPER_ALONE, str(site)).stdout.splitlines()[-1])
    assert out["pages"] == len(list(site.glob("*.html"))) > 10
    assert out["guesses"] == 0
    assert not out["langdetect"] and not out["lingua"] and not out["lingua_imported"]
