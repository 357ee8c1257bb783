"""A huge extracted text is stored whole, but every analysis stage reads a capped prefix and
the article says so (issue 10). A real page on the loopback server, a real run with repair
and entities on, the real warehouse."""

from __future__ import annotations

import json

import duckdb

from newsetl.ingest import run_ingest
from newsetl.settings import Settings
from newsetl.textcap import FLAG, analysed_length, analysed_text

CAP = 40_000

BEFORE = (
    "Margarethe Vollstedt, the mayor of Hamburg, met Kofi Annan in Geneva on Monday. "
    "The talks went on for hours.The officials said both sides called them useful."
)
AFTER = (
    "Ottilie Brennwald, the mayor of Bremen, met Ban Ki-moon in Vienna on Tuesday. "
    "The delegations spoke again.Nobody left the building before midnight."
)


def huge_page(paragraphs_after: int) -> str:
    """About 40 KB of prose naming one set of people, then far more naming others."""
    before = "\n".join(f"<p>{BEFORE} ({n})</p>" for n in range(CAP // len(BEFORE) + 5))
    after = "\n".join(f"<p>{AFTER} ({n})</p>" for n in range(paragraphs_after))
    return (
        "<html lang='en'><head><title>A very long page</title></head><body><article>"
        f"<h1>A very long page</h1>{before}{after}</article></body></html>"
    )


def test_the_cut_is_at_a_line_end_and_nothing_is_cut_below_the_cap():
    text = "a" * 30 + "\n" + "b" * 30
    assert analysed_text(text, 40) == "a" * 30
    assert analysed_length(text, 0) == analysed_length(text, 100) == len(text)
    one_word = "x" * 100
    assert analysed_length(one_word, 40) == 40  # no line end or space to cut at


def test_a_huge_text_is_stored_whole_and_analysed_up_to_the_cap(site_server, tmp_path):
    url = site_server.put("/huge/long-page.html", huge_page(paragraphs_after=6000))
    settings = Settings.from_env(
        db_path=tmp_path / "wh.duckdb",
        staging_dir=tmp_path / "staging",
        per_host_interval_s=0.0,
        repair=True,
        entities=True,
        max_text_chars=CAP,
        entities_max_chars=0,  # only the common cap applies
    )
    summary = run_ingest([url], settings)
    assert summary.status == "completed", summary.stats.failures
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        article_id, text, language, flags, evidence = con.execute(
            "SELECT article_id, text, language, quality_flags, quality_evidence FROM articles"
        ).fetchone()
        artefacts = con.execute("SELECT max(end_offset), count(*) FROM artefacts").fetchone()
        mentions = con.execute(
            "SELECT surface, end_offset FROM mentions WHERE article_id = ?", [article_id]
        ).fetchall()
    assert len(text) > 500_000 and "Ottilie Brennwald" in text  # stored as extracted
    assert language == "en"
    assert FLAG in flags
    capped = json.loads(evidence)[FLAG]
    assert capped["text_chars"] == len(text) and capped["max_text_chars"] == CAP
    assert capped["analysed_chars"] == analysed_length(text, CAP) <= CAP
    assert set(capped["stages"]) == {"language", "quality", "artefacts", "entities"}
    # artefacts and entities were found, and all of them in the analysed prefix
    assert artefacts[1] >= 1 and artefacts[0] <= capped["analysed_chars"]
    surfaces = {surface for surface, _ in mentions}
    assert "Margarethe Vollstedt" in surfaces
    assert not any("Brennwald" in s or "Bremen" in s for s in surfaces)
    assert max(end for _, end in mentions) <= capped["analysed_chars"]


def test_a_text_under_the_cap_is_not_flagged(site_server, tmp_path):
    url = site_server.put("/huge/short-page.html", huge_page(paragraphs_after=0))
    settings = Settings.from_env(
        db_path=tmp_path / "wh.duckdb",
        staging_dir=tmp_path / "staging",
        per_host_interval_s=0.0,
        repair=False,
        entities=False,
        max_text_chars=10 * CAP,
    )
    assert run_ingest([url], settings).status == "completed"
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        flags = con.execute("SELECT quality_flags FROM articles").fetchone()[0]
    assert FLAG not in (flags or [])
