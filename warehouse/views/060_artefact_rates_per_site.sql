-- Machine-translation artefacts per site: one column per finding kind of
-- newsetl.artefacts.model.KINDS (tests/test_artefacts_warehouse.py checks that every kind has
-- one), plus how many were applied, left pending or only reported.
-- Until 2026-12 it was created by migration 002, without the kinds truncated_name,
-- duplicated_word, missing_space and translated_name; views are recreated on every migrate,
-- so warehouses made then get the new columns too.
CREATE OR REPLACE VIEW artefact_rates_per_site AS
WITH per_article AS (
    SELECT
        a.article_id,
        a.site,
        coalesce(a.word_count, 0) AS words,
        a.source_language,
        count(f.finding_no) AS findings,
        count(f.finding_no) FILTER (WHERE f.kind = 'untranslated_span') AS untranslated_span,
        count(f.finding_no) FILTER (WHERE f.kind = 'untranslated_function_word') AS untranslated_function_word,
        count(f.finding_no) FILTER (WHERE f.kind = 'calque_elided_article') AS calque_elided_article,
        count(f.finding_no) FILTER (WHERE f.kind = 'calque_article') AS calque_article,
        count(f.finding_no) FILTER (WHERE f.kind = 'glued_tokens') AS glued_tokens,
        count(f.finding_no) FILTER (WHERE f.kind = 'false_friend') AS false_friend,
        count(f.finding_no) FILTER (WHERE f.kind = 'capitalisation') AS capitalisation,
        count(f.finding_no) FILTER (WHERE f.kind = 'truncated_name') AS truncated_name,
        count(f.finding_no) FILTER (WHERE f.kind = 'duplicated_word') AS duplicated_word,
        count(f.finding_no) FILTER (WHERE f.kind = 'missing_space') AS missing_space,
        count(f.finding_no) FILTER (WHERE f.kind = 'translated_name') AS translated_name,
        count(f.finding_no) FILTER (WHERE f.status = 'applied') AS applied,
        count(f.finding_no) FILTER (WHERE f.status = 'pending') AS pending,
        count(f.finding_no) FILTER (WHERE f.status = 'flagged') AS flagged
    FROM articles AS a
    LEFT JOIN artefacts AS f ON f.article_id = a.article_id
    GROUP BY a.article_id, a.site, a.word_count, a.source_language
)
SELECT
    site,
    count(*) AS articles,
    count(*) FILTER (WHERE findings > 0) AS articles_with_findings,
    count(*) FILTER (WHERE source_language IS NOT NULL) AS articles_translated,
    sum(words) AS words,
    sum(findings) AS findings,
    round(1000.0 * sum(findings) / nullif(sum(words), 0), 3) AS findings_per_1000_words,
    sum(untranslated_span) AS untranslated_span,
    sum(untranslated_function_word) AS untranslated_function_word,
    sum(calque_elided_article) AS calque_elided_article,
    sum(calque_article) AS calque_article,
    sum(glued_tokens) AS glued_tokens,
    sum(false_friend) AS false_friend,
    sum(capitalisation) AS capitalisation,
    sum(truncated_name) AS truncated_name,
    sum(duplicated_word) AS duplicated_word,
    sum(missing_space) AS missing_space,
    sum(translated_name) AS translated_name,
    sum(applied) AS applied,
    sum(pending) AS pending,
    sum(flagged) AS flagged
FROM per_article
GROUP BY site;
