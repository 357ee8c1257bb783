"""Maintenance re-analyses stored pages whose pending findings can now be resolved (issue 16).

A real ingest of local pages into a DuckDB file with the offline translator leaves an Italian
phrase pending; a glossary row added later resolves it through the maintenance step, from the
stored raw copy (nothing fetched), with the extracted text untouched.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from newsetl.ingest import run_ingest
from newsetl.reanalysis import pages_to_reanalyse, reanalyse_pending
from newsetl.settings import Settings

PHRASE = "corruzione in atti giudiziari"

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title><meta property="og:title" content="{title}">
<meta name="date" content="2026-11-20"></head><body><article><h1>{title}</h1>
<p>{first}</p>
<p>The hearing was adjourned until January, when the court will rule on the request of the
defence lawyers to move the trial to another city, a request the judges have refused twice
in earlier cases of this kind and which the prosecutors describe as a delaying tactic.</p>
<p>Local newspapers said the mayor would not comment on the case before the verdict, and the
regional council postponed a debate on the new public procurement rules until next year.</p>
</article></body></html>"""


def _site(root: Path) -> Path:
    root.mkdir()
    (root / "pending.html").write_text(
        PAGE.format(
            title="Former judge charged in Naples",
            first=f"Prosecutors opened a case for {PHRASE} against a former judge last spring.",
        ),
        encoding="utf-8",
    )
    (root / "clean.html").write_text(
        PAGE.format(
            title="Council approves the budget",
            first="The city council approved the budget for next year on Monday evening.",
        ),
        encoding="utf-8",
    )
    return root


def _findings(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT a.surface, a.status, a.replacement, ar.text, ar.repaired_text, p.fetched_at"
            " FROM artefacts a JOIN articles ar USING (article_id)"
            " JOIN pages p ON p.article_id = a.article_id"
            " WHERE a.kind = 'untranslated_span'"
        ).fetchall()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    monkeypatch.delenv("NEWSETL_GLOSSARY_FILES", raising=False)
    settings = Settings(
        db_path=tmp_path / "wh.duckdb", per_host_interval_s=0.0, workers=1, page_timeout_s=0
    )
    summary = run_ingest([str(_site(tmp_path / "site"))], settings)
    assert summary.status == "completed", summary.stats.failures
    return settings


def test_a_glossary_row_added_later_reaches_the_stored_page(settings, tmp_path, monkeypatch):
    [(surface, status, replacement, text, repaired, fetched_at)] = _findings(settings.db_path)
    assert (surface, status, replacement) == (PHRASE, "pending", None)
    assert repaired is None  # nothing applied yet

    # Nothing can resolve it yet: maintenance leaves the page alone.
    assert reanalyse_pending(settings)["reanalysed_pages"] == 0

    glossary = tmp_path / "extra-glossary.csv"
    glossary.write_text(
        "source_language,target_language,source_text,translation\n"
        f"it,en,{PHRASE},corruption in judicial acts\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("NEWSETL_GLOSSARY_FILES", str(glossary))
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        picked = pages_to_reanalyse(con, online=False, limit=10)
    assert len(picked) == 1 and picked[0].endswith("pending.html")  # not the clean page

    report = reanalyse_pending(settings)
    assert report["reanalysed_pages"] == 1
    assert (report["pending_findings_before"], report["pending_findings"]) == (1, 0)
    [(surface2, status2, replacement2, text2, repaired2, fetched2)] = _findings(settings.db_path)
    assert (surface2, status2, replacement2) == (PHRASE, "applied", "corruption in judicial acts")
    assert text2 == text  # the extracted text is never rewritten
    assert "corruption in judicial acts" in repaired2 and PHRASE not in repaired2
    assert fetched2 == fetched_at  # analysed from the stored copy, not read again

    assert reanalyse_pending(settings)["reanalysed_pages"] == 0  # nothing left to do


def test_an_online_provider_makes_every_pending_page_a_candidate(settings):
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        assert len(pages_to_reanalyse(con, online=True, limit=10)) == 1
        assert pages_to_reanalyse(con, online=True, limit=0) == []


def test_the_maintenance_flow_runs_the_step_after_loading_leftovers():
    from newsetl.flows.maintenance import STEPS

    names = [step.__name__ for step in STEPS]
    assert names.index("reanalyse_pending_findings_step") == 1
