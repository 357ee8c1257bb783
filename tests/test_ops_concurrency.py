"""An ingest and the maintenance run at the same time, in two real processes, on one live
file: the ingest opens the file only around each load (``newsetl.ingest.Loader``), so
maintenance gets its turn between two loads and neither fails nor leaves batches staged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import duckdb

from newsetl.samples import load_manifest

INGEST = """
import json, sys, time
from newsetl.ingest import run_ingest
from newsetl.settings import Settings
started = time.time()
summary = run_ingest([sys.argv[1]], Settings.from_env())
print(json.dumps({"status": summary.status, "staged": summary.staged_left,
                  "start": started, "end": time.time()}), flush=True)
"""

#: Maintenance again and again (half a second apart) until the ingest says it is done;
#: bounded waits for the file.
MAINTAIN = """
import json, os, sys, time
from newsetl.flows.maintenance import run_maintenance
from newsetl.settings import Settings
settings = Settings.from_env(lock_retries=4, lock_backoff_s=0.25)
while not os.path.exists(sys.argv[1]):
    started = time.time()
    try:
        summary = run_maintenance(settings)
        result = {"ok": summary["status"] == "completed"}
    except Exception as exc:
        result = {"ok": False, "error": repr(exc)}
    print(json.dumps({**result, "start": started, "end": time.time()}), flush=True)
    time.sleep(0.5)  # back to back, but not a busy loop: a nightly run is one run
"""


def test_maintenance_and_an_ingest_overlap_without_either_failing(
    migrated_file, fresh_site_server, tmp_path
):
    db = tmp_path / "wh" / "newsetl.duckdb"
    db.parent.mkdir()
    shutil.copy(migrated_file, db)
    done_flag = tmp_path / "ingest-done"
    env = {
        **os.environ,
        "NEWSETL_DB_PATH": str(db),
        "NEWSETL_TRANSLATOR": "none",
        "NEWSETL_BATCH_SIZE": "3",  # many short loads
        "NEWSETL_PER_HOST_INTERVAL_S": "0.4",  # a run of several seconds, mostly fetching
        "NEWSETL_WORKERS": "1",
        "NEWSETL_PAGE_TIMEOUT_S": "0",
    }
    maintain = subprocess.Popen(
        [sys.executable, "-c", MAINTAIN, str(done_flag)], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        time.sleep(1.0)  # maintenance is going when the ingest starts
        ingest = subprocess.run(
            [sys.executable, "-c", INGEST, fresh_site_server.url("/sitemap.xml")],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    finally:
        done_flag.touch()
        out, err = maintain.communicate(timeout=300)
    assert ingest.returncode == 0, ingest.stderr[-3000:]
    run = json.loads(ingest.stdout.strip().splitlines()[-1])
    assert run["status"] == "completed" and run["staged"] == 0, run
    with duckdb.connect(str(db), read_only=True) as con:
        pages = con.execute(
            "SELECT count(*) FROM pages WHERE url LIKE ?", [fresh_site_server.base_url + "%"]
        ).fetchone()[0]
    assert pages >= len(load_manifest()["pages"])  # every article page loaded
    rounds = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert maintain.returncode == 0, err[-3000:]
    assert rounds and all(r["ok"] for r in rounds), [r for r in rounds if not r["ok"]]
    # they did overlap: maintenance rounds ran (whole) while the ingest was going
    inside = [r for r in rounds if r["start"] > run["start"] and r["end"] < run["end"]]
    assert len(inside) >= 1, (run, rounds)
