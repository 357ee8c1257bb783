"""A spine run of a few local pages in a fresh interpreter, for tests of what a run's own
process imports or caches (the test's interpreter has imported everything already)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_RUN = (
    "import sys\n"
    "from pathlib import Path\n"
    "from newsetl.run import run_sources\n"
    "from newsetl.settings import Settings\n"
    "s = Settings(db_path=Path(sys.argv[2]), repair=False, entities=False,"
    " translator='none')\n"
    "summary = run_sources([sys.argv[1]], s)\n"
)


def write_pages(directory: Path, count: int) -> Path:
    """``count`` small English article pages, each with a text of its own."""
    directory.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        (directory / f"p{k}.html").write_text(
            f"<html><head><title>Budget {k}</title></head><body><article><h1>Budget {k}</h1>"
            + "".join(
                f"<p>The council voted on item {j} of budget {k} after a long debate about "
                f"the costs of the new line, which opens in year {2030 + j}.</p>"
                for j in range(8)
            )
            + "</article></body></html>"
        )
    return directory


def spine_run_lines(tmp_path: Path, pages: int, after: str) -> list[str]:
    """Run ``pages`` local pages through ``run_sources`` (spine only) in a fresh interpreter,
    then the statements ``after`` (``summary`` is the run's summary); their printed lines."""
    directory = write_pages(tmp_path / "pages", pages)
    out = subprocess.run(
        [sys.executable, "-c", _RUN + after, str(directory), str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return out.stdout.splitlines()
