"""The bundled samples, ingested: artefacts, repairs, source languages and entities land."""

from __future__ import annotations

import duckdb

from newsetl.samples import load_manifest


def query(db, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_translated_pages_get_source_language_and_original_others_none(sample_warehouse):
    manifest = load_manifest()["pages"]
    got = {
        url: (src, of)
        for url, src, of in query(
            sample_warehouse, "SELECT canonical_url, source_language, translation_of FROM articles"
        )
    }
    for page in manifest:
        source, original = got[page["url"]]
        if page["translation_of"]:
            assert original == page["translation_of"], page["path"]
            assert source == next(
                p["language"] for p in manifest if p["url"] == page["translation_of"]
            )
        else:
            assert (source, original) == (None, None), page["path"]


def test_deterministic_artefacts_are_repaired_and_text_kept(sample_warehouse):
    rows = query(
        sample_warehouse,
        "SELECT a.text, a.repaired_text, x.kind, x.surface, x.replacement, x.status, x.start_offset, x.end_offset "
        "FROM artefacts x JOIN articles a USING (article_id)",
    )
    assert rows
    for text, repaired, _kind, surface, replacement, status, start, end in rows:
        assert text[start:end] == surface  # offsets index the original text, kept as extracted
        if status == "applied":
            assert repaired is not None and replacement in repaired
    applied = {(r[3], r[4]) for r in rows if r[5] == "applied"}
    assert ("THE'Iran", "Iran") in applied
    assert ("There Russia", "Russia") in applied
    assert ("theUnited", "the United") in applied
    clean = query(
        sample_warehouse,
        "SELECT count(*) FROM articles WHERE translation_of IS NULL AND repaired_text IS NOT NULL",
    )
    assert clean == [(0,)]  # clean originals are never rewritten


def test_entities_link_across_languages(sample_warehouse):
    rows = query(
        sample_warehouse,
        "SELECT e.entity_id, list(DISTINCT a.language ORDER BY a.language) FROM mentions m "
        "JOIN entities e USING (entity_id) JOIN articles a USING (article_id) "
        "WHERE e.name = 'United Nations' GROUP BY 1",
    )
    assert len(rows) == 1
    assert {"de", "en", "es", "fr", "it"} <= set(rows[0][1])
    stories = query(sample_warehouse, "SELECT count(*) FROM story_clusters")
    assert stories[0][0] >= 1
