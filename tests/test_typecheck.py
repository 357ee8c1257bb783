"""Type checking of ``src/`` with mypy (configured in pyproject.toml's ``[tool.mypy]``).

The cache lives in the system's temporary directory, shared between runs: a cold check of
the package takes ~10 s of CPU, a warm one ~1 s.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / "newsetl-mypy-cache"

pytest.importorskip("mypy", reason="mypy is in the dev extra (uv sync --extra dev)")


def mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(CACHE), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_src_type_checks() -> None:
    result = mypy()  # the files and options of [tool.mypy]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues found" in result.stdout


def test_the_check_finds_a_type_error(tmp_path) -> None:
    """The configuration does not switch the checking off: a wrong type is an error."""
    bad = tmp_path / "bad.py"
    bad.write_text('x: int = "not a number"\n')
    result = mypy(str(bad))
    assert result.returncode == 1
    assert "Incompatible types in assignment" in result.stdout
