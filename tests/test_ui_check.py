"""The Prefect UI shows the scheduled deployment, a run the scheduler itself created (completed),
its artifacts, and a partial run named as such with newsetl's warning in its logs, checked in
headless Chromium by ``scripts/ui_check.py``. Skipped where Chromium or Playwright is missing
(``.ci/install-chromium`` installs Chromium)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsetl.settings import REPO_ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


def test_ui_shows_a_scheduler_created_run_its_artifacts_and_a_partial_run(tmp_path):
    pytest.importorskip("playwright.sync_api")
    shots = tmp_path / "screenshots"
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "ui_check.py"), "--chromium", CHROMIUM,
         "--screenshots", str(shots)],
        capture_output=True, text=True, timeout=900, cwd=REPO_ROOT,
    )  # fmt: skip
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert "OK: deployment, schedule, a scheduler-created completed run" in done.stdout
    assert "(created by the scheduler) completed" in done.stdout
    assert "Partial" in done.stdout
    names = sorted(p.name for p in shots.glob("*.png"))
    assert names == [
        "1-deployment.png", "2-flow-run.png", "3-artifacts.png", "4-summary-table.png",
        "5-partial-run.png",
    ]  # fmt: skip
    assert all(p.stat().st_size > 10_000 for p in shots.glob("*.png"))  # rendered, not blank
