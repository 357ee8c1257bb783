"""``newsetl entities`` through the real dispatcher (newsetl.cli.main)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from newsetl.cli import main

TEXT = (
    "Secondo il Fondo monetario internazionale (FMI), l'Italia crescerà poco. "
    "La ministra Chiara Benedetti ha parlato a Roma; Benedetti resta ottimista."
)


def test_json_output_for_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "article.txt"
    path.write_text(TEXT, encoding="utf-8")
    assert main(["entities", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    ids = {e["id"]: e for e in out["entities"]}
    assert {"org:imf", "country:IT", "city:rome"} <= set(ids)
    imf = ids["org:imf"]
    assert [m["surface"] for m in imf["mentions"]] == ["Fondo monetario internazionale", "FMI"]
    person = next(e for e in out["entities"] if e["type"] == "person")
    assert person["name"] == "Chiara Benedetti"
    assert [m["surface"] for m in person["mentions"]] == ["Chiara Benedetti", "Benedetti"]
    for ent in out["entities"]:
        for m in ent["mentions"]:
            assert TEXT[m["start"] : m["end"]] == m["surface"]


def test_stdin_and_text_output(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("The UN met in Geneva with NATO officials."))
    assert main(["entities", "-", "--language", "en"]) == 0
    out = capsys.readouterr().out
    assert "org:united-nations" in out and "city:geneva" in out and "org:nato" in out


def test_default_reads_stdin_and_reports_no_entities(monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("nothing to see here."))
    assert main(["entities"]) == 0
    assert "no entities" in capsys.readouterr().out


def test_missing_file_is_an_error(tmp_path: Path, capsys) -> None:
    assert main(["entities", str(tmp_path / "missing.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err
