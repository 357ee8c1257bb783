"""``newsetl repair``: the CLI prints findings and the repaired text (human and JSON)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from newsetl.cli import main

TEXT = "THE'Iran rejected the plan. Police seized weapons e cash inNaples.\n"


def test_repair_json_from_file(tmp_path: Path, capsys) -> None:
    path = tmp_path / "article.txt"
    path.write_text(TEXT, encoding="utf-8")
    assert main(["repair", str(path), "--lang", "en", "--json", "--translator", "none"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["language"] == "en"
    assert data["text"] == "Iran rejected the plan. Police seized weapons and cash in Naples.\n"
    assert [f["kind"] for f in data["findings"]] == [
        "calque_elided_article",
        "untranslated_function_word",
        "glued_tokens",
    ]
    for f in data["findings"]:
        assert TEXT[f["start"] : f["end"]] == f["surface"]  # offsets index the input
        assert f["status"] == "applied"


def test_repair_human_output_lists_findings_then_text(tmp_path: Path, capsys) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Officials denied any riciclaggio di denaro in the port.", encoding="utf-8")
    assert main(["repair", str(path), "--translator", "none"]) == 0
    out = capsys.readouterr().out
    assert "untranslated_span" in out and "'riciclaggio di denaro'" in out
    # Offline, the bundled glossary still knows this term.
    assert out.rstrip().endswith("Officials denied any money laundering in the port.")


def test_repair_missing_file_is_an_error(tmp_path: Path, capsys) -> None:
    assert main(["repair", str(tmp_path / "nope.txt"), "--translator", "none"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_console_script_reads_stdin() -> None:
    exe = Path(sys.executable).with_name("newsetl")
    proc = subprocess.run(
        [str(exe), "repair", "-", "--json", "--translator", "none", "--lang", "en"],
        input="There Russia has criticized the plan.",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    data = json.loads(proc.stdout)
    assert data["text"] == "Russia has criticized the plan."
    assert data["findings"][0]["kind"] == "calque_article"
