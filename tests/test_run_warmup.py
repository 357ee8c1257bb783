"""The run's process imports what its loads need while it waits for its pool's fork server
(newsetl.run.warmup): real runs of the bundled pages, in a fresh interpreter each (the fork
server belongs to the process that starts it, and what is imported is the question)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from newsetl.run.warmup import FIRST_LOAD_MODULES

SAMPLES = Path(__file__).resolve().parents[1] / "src/newsetl/samples/site"

RUN = """
import json, sys, threading
from pathlib import Path
from newsetl.poolstart import start_pool_early
from newsetl.run import Run, RunHooks
from newsetl.run.warmup import FIRST_LOAD_MODULES
from newsetl.settings import Settings

seen = {}
class Hooks(RunHooks):
    def load_batch(self, run, index, result, loader):
        if not seen:  # what this process has imported when its first load begins
            seen["imported"] = [m for m in FIRST_LOAD_MODULES if m in sys.modules]
        super().load_batch(run, index, result, loader)

s = Settings.from_env(db_path=Path(sys.argv[2]))
start_pool_early(s, [sys.argv[1]])
status = Run.open(s, [sys.argv[1]], hooks=Hooks()).execute().status
print(json.dumps({"status": status, **seen,
                  "threads": sorted(t.name for t in threading.enumerate())}))
"""


def _run(site: Path, db: Path, **env: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", RUN, str(site), str(db)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env={
            **os.environ,
            "NEWSETL_TRANSLATOR": "none",
            "NEWSETL_PROCESS_POOL_MIN_PAGES": "8",
            "NEWSETL_BATCH_SIZE": "4",
            "NEWSETL_PER_HOST_INTERVAL_S": "0",
            **env,
        },
    )
    return json.loads(out.stdout.splitlines()[-1])


def test_a_pooled_run_with_entities_imports_its_loads_modules_before_its_first_load(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for k, page in enumerate(sorted(SAMPLES.rglob("*.html"))):
        (site / f"p{k}.html").write_bytes(page.read_bytes())
    assert len(list(site.iterdir())) >= 8
    pooled = _run(site, tmp_path / "pooled.duckdb", NEWSETL_WORKERS="2")
    assert pooled["status"] == "completed"
    assert pooled["imported"] == list(FIRST_LOAD_MODULES), pooled
    assert "newsetl-run-warmup" not in pooled["threads"]  # joined before the closing steps
    # one worker: no pool, everything in the run's process and nothing waits, so nothing is
    # imported ahead (its own analysis imports the entity store; the resolution and pyarrow's
    # dataset module come with the first load, as before)
    alone = _run(site, tmp_path / "alone.duckdb", NEWSETL_WORKERS="1", NEWSETL_PAGE_TIMEOUT_S="0")
    assert alone["status"] == "completed"
    assert "newsetl.entities.resolve" not in alone["imported"], alone
    assert "pyarrow.dataset" not in alone["imported"], alone
