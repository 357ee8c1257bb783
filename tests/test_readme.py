"""The README stays true: its test command is what CI runs, its SQL runs on the samples."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command():
    match = re.search(r"Set up and run the tests:\s*```bash\n(.+?)\n```", README, re.S)
    assert match, "README must give the test command"
    command = match.group(1).strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci.splitlines()


def test_readme_sql_runs_on_the_samples(sample_warehouse):
    blocks = re.findall(r"```sql\n(.+?)```", README, re.S)
    statements = [
        part.strip()
        for block in blocks
        for part in block.split(";")
        if re.search(r"\bSELECT\b", part, re.I)
    ]
    assert len(statements) >= 4
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        for statement in statements:
            con.execute(statement).fetchall()
        per_site = con.execute(blocks[0].split(";")[0]).fetchall()
    assert sum(row[2] for row in per_site) >= 16
