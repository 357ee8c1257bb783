"""The fork server's early extraction helper (newsetl.earlyextract): forked once extraction is
warm, it extracts what a pool worker would, and the run's rows are the same with it or without.

Each test runs in a fresh interpreter: the fork server (and so the helper) belongs to the
process that starts it, with a real warm-up of every stage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

SAMPLES = Path(__file__).resolve().parents[1] / "src/newsetl/samples/site"


def _run(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env={**os.environ, "NEWSETL_TRANSLATOR": "none", **(env or {})},
    )


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
from newsetl.pipeline import extract_in_worker
from newsetl.poolstart import start_pool_early
from newsetl.settings import Settings

s = Settings(db_path=Path(sys.argv[2]), workers=2, process_pool_min_pages=2,
             early_extraction=sys.argv[3] == "1")
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
children = {}
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            children[int(pid)] = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            pass
server = [p for p, parent in children.items() if parent == os.getpid()]
helpers = [p for p, parent in children.items() if parent in server]
print(json.dumps({"same": theirs == ours, "language": theirs[1].language,
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
    assert out["same"], "the helper's outcome differs from extract_in_worker's"
    assert out["language"]
    assert out["extracted"] == 1
    assert out["helpers"] == 1  # the fork server's child: in the run's process tree
    assert out["gone"]


def test_no_helper_when_the_setting_is_off(tmp_path: Path) -> None:
    site = _site(tmp_path / "site", 1)
    out = _lines(_run(HELPER, str(site), str(tmp_path / "w.duckdb"), "0").stdout)
    assert out == {"started": True, "helper": None}


WARM_ORDER = """
import json, sys
from newsetl import language, stages
from newsetl.artefacts import language as artefact_language

seen = []
def ready():
    # extraction and language are warm; the artefact detector's models are not loaded yet
    seen.append((language._lingua_detector is not None,
                 getattr(artefact_language, "_detector", None) is None))
stages.warm_up(True, ready)
print(json.dumps(seen))
"""


def test_the_hook_comes_between_extraction_and_the_analyses() -> None:
    src = Path(__file__).resolve().parents[1] / "src/newsetl/artefacts/language.py"
    assert "_detector" in src.read_text()  # the name the child reads
    assert json.loads(_run(WARM_ORDER).stdout.splitlines()[-1]) == [[True, True]]


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


def _rows(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT url, title, text, language, language_confidence FROM articles ORDER BY url"
        ).fetchall()
    finally:
        con.close()


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
    rows = _rows(tmp_path / "on.duckdb")
    assert rows and rows == _rows(tmp_path / "off.duckdb")
