"""The run's process does what its tail needs while it waits for its pool's fork server
(newsetl.run.warmup): a real run of the bundled pages with a pool of two workers, in a fresh
interpreter (the fork server belongs to the process that starts it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "src/newsetl/samples/site"

RUN = """
import json, sys, threading
from pathlib import Path
from newsetl.poolstart import start_pool_early
from newsetl.settings import Settings
s = Settings.from_env(db_path=Path(sys.argv[2]))
start_pool_early(s, [sys.argv[1]])
from newsetl.entities.resolve import form_buckets
from newsetl.run import Run
status = Run.open(s, [sys.argv[1]]).execute().status
tail = form_buckets.cache_info()
from newsetl import warehouse
from newsetl.entities import store
from newsetl.entities.resolve import resolve
con = warehouse.connect(s.db_path)
stored = con.execute("SELECT entity_id, resolved_id, rule FROM entity_resolution ORDER BY ALL").fetchall()
form_buckets.cache_clear()
cold = resolve(store._entity_records(con))
con.close()
fresh = sorted([e, r, cold.rule.get(e, "spelling")] for e, r in cold.resolved.items() if e != r)
print(json.dumps({"status": status, "hits": tail.hits, "misses": tail.misses,
                  "same": [list(r) for r in stored] == fresh, "links": len(stored),
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
            "NEWSETL_WORKERS": "2",
            "NEWSETL_PROCESS_POOL_MIN_PAGES": "8",
            "NEWSETL_BATCH_SIZE": "4",
            "NEWSETL_PER_HOST_INTERVAL_S": "0",
            **env,
        },
    )
    return json.loads(out.stdout.splitlines()[-1])


def test_a_pooled_run_warms_the_resolution_and_resolves_what_a_cold_one_does(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for k, page in enumerate(sorted(SAMPLES.rglob("*.html"))):
        (site / f"p{k}.html").write_bytes(page.read_bytes())
    assert len(list(site.iterdir())) >= 8
    pooled = _run(site, tmp_path / "pooled.duckdb")
    assert pooled["status"] == "completed"
    # the seed's ~18,000 forms were computed before the tail's resolution, which found them
    assert pooled["hits"] > 10_000, pooled
    assert pooled["same"] and pooled["links"] > 0, pooled
    assert "newsetl-run-warmup" not in pooled["threads"]  # joined before the closing steps
    # no pool (one worker: everything in the run's process), nothing waits: nothing warmed,
    # the tail computes every form itself
    alone = _run(site, tmp_path / "alone.duckdb", NEWSETL_WORKERS="1")
    assert alone["status"] == "completed"
    assert alone["hits"] < 1_000 < alone["misses"], alone
    assert alone["same"], alone
