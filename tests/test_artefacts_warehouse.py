"""Migration 002: artefacts, translation memory, glossary seed and the per-site rates view."""

from __future__ import annotations

import duckdb

from newsetl.artefacts import analyse
from newsetl.warehouse import migrate


def _article(con, article_id: str, site: str, text: str) -> None:
    result = analyse(text, "en")
    con.execute(
        "INSERT INTO articles (article_id, url, site, language, text, repaired_text, "
        "source_language, word_count) VALUES (?, ?, ?, 'en', ?, ?, ?, ?)",
        [
            article_id,
            f"https://{site}/{article_id}",
            site,
            text,
            result.repaired_text,
            result.source_language,
            len(text.split()),
        ],
    )
    for number, f in enumerate(result.findings):
        con.execute(
            "INSERT INTO artefacts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'run-1', now())",
            [
                article_id,
                number,
                f.kind,
                f.start,
                f.end,
                f.surface,
                f.replacement,
                f.source_language,
                f.confidence,
                f.detector,
                f.status,
            ],
        )


def test_migration_creates_tables_view_and_loads_glossary_seed() -> None:
    con = duckdb.connect()
    migrate(con)
    migrate(con)  # idempotent
    n = con.execute(
        "SELECT count(*) FROM glossary WHERE source_language = 'it' AND target_language = 'en'"
    ).fetchone()[0]
    assert n > 10
    _article(con, "a1", "mt.example", "THE'Iran said wages e prices rose inRome.")
    _article(con, "a2", "mt.example", "Officials denied any riciclaggio di denaro in the port.")
    _article(con, "a3", "clean.example", "The council approved the budget on Monday.")
    rows = con.execute(
        "SELECT site, articles, articles_with_findings, findings, calque_elided_article, "
        "untranslated_function_word, glued_tokens, untranslated_span, applied, pending "
        "FROM artefact_rates_per_site ORDER BY site"
    ).fetchall()
    assert rows == [
        ("clean.example", 1, 0, 0, 0, 0, 0, 0, 0, 0),
        ("mt.example", 2, 2, 4, 1, 1, 1, 1, 3, 1),
    ]
    rate = con.execute(
        "SELECT findings_per_1000_words FROM artefact_rates_per_site WHERE site = 'mt.example'"
    ).fetchone()[0]
    assert rate == round(1000 * 4 / (7 + 9), 3)


def test_repaired_text_is_rebuilt_from_applied_rows() -> None:
    con = duckdb.connect()
    migrate(con)
    text = "There Russia has criticized the decision of THE'Authority."
    _article(con, "b1", "mt.example", text)
    rows = con.execute(
        "SELECT start_offset, end_offset, replacement FROM artefacts "
        "WHERE article_id = 'b1' AND status = 'applied' ORDER BY start_offset"
    ).fetchall()
    rebuilt, pos = [], 0
    for start, end, replacement in rows:
        rebuilt += [text[pos:start], replacement]
        pos = end
    rebuilt.append(text[pos:])
    stored = con.execute("SELECT repaired_text FROM articles WHERE article_id = 'b1'").fetchone()
    assert "".join(rebuilt) == stored[0] == "Russia has criticized the decision of the Authority."


def test_the_per_site_view_has_a_column_for_every_finding_kind() -> None:
    from newsetl.artefacts.model import KINDS

    con = duckdb.connect()
    migrate(con)
    columns = {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'artefact_rates_per_site'"
        ).fetchall()
    }
    assert set(KINDS) <= columns, set(KINDS) - columns
    _article(con, "c1", "mt.example", "Yields on government bonds.The central bank said so.")
    [(missing_space, findings)] = con.execute(
        "SELECT missing_space, findings FROM artefact_rates_per_site WHERE site = 'mt.example'"
    ).fetchall()
    assert missing_space == 1 and findings >= 1
