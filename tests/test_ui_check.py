"""The Prefect UI shows the scheduled deployment, a completed run and its artifacts, checked in
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


def test_ui_shows_deployment_schedule_completed_run_and_artifacts(tmp_path):
    pytest.importorskip("playwright.sync_api")
    shots = tmp_path / "screenshots"
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "ui_check.py"), "--chromium", CHROMIUM,
         "--screenshots", str(shots)],
        capture_output=True, text=True, timeout=900, cwd=REPO_ROOT,
    )  # fmt: skip
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert "OK: deployment, schedule, completed run and its artifacts" in done.stdout
    names = sorted(p.name for p in shots.glob("*.png"))
    assert names == ["1-deployment.png", "2-flow-run.png", "3-artifacts.png", "4-summary-table.png"]
    assert all(p.stat().st_size > 10_000 for p in shots.glob("*.png"))  # rendered, not blank
