-- 002: machine-translation artefacts (newsetl issue 3): one row per finding, the translation
-- memory every repair reuses, the user-extendable glossary, and artefact rates per site.
-- The load step writes one artefacts row per Finding (finding_no = its index in the
-- analysis) and replaces all rows of an article when the article is re-processed, so the
-- repaired text can always be rebuilt from articles.text plus the rows with status 'applied'.

CREATE TABLE IF NOT EXISTS artefacts (
    article_id       VARCHAR NOT NULL,
    finding_no       INTEGER NOT NULL,   -- index of the finding in the article's analysis
    kind             VARCHAR NOT NULL,   -- untranslated_span | untranslated_function_word | calque_elided_article | calque_article | glued_tokens | false_friend | capitalisation
    start_offset     INTEGER NOT NULL,   -- character offsets into articles.text (not repaired_text)
    end_offset       INTEGER NOT NULL,
    surface          VARCHAR,            -- text[start_offset:end_offset]
    replacement      VARCHAR,            -- proposed replacement (NULL: none available yet)
    source_language  VARCHAR,            -- language the surface was left in / calqued from
    confidence       DOUBLE,
    detector         VARCHAR,            -- which rule or model produced it
    status           VARCHAR NOT NULL,   -- applied | pending (translator unavailable) | flagged (reported only)
    run_id           VARCHAR,
    detected_at      TIMESTAMP,
    PRIMARY KEY (article_id, finding_no)
);

CREATE TABLE IF NOT EXISTS translation_memory (
    source_language  VARCHAR NOT NULL,
    target_language  VARCHAR NOT NULL,
    source_text      VARCHAR NOT NULL,   -- as found in the article (lookup is case-insensitive)
    translation      VARCHAR NOT NULL,
    provider         VARCHAR,            -- deep-translator:google | glossary | ... (who made it)
    created_at       TIMESTAMP,
    PRIMARY KEY (source_language, target_language, source_text)
);

-- Loaded from warehouse/seeds/glossary*.csv by the migration runner; users add rows in
-- their own seed files (same columns). The Translator reads the CSV files directly too.
CREATE TABLE IF NOT EXISTS glossary (
    source_language  VARCHAR NOT NULL,
    target_language  VARCHAR NOT NULL,
    source_text      VARCHAR NOT NULL,
    translation      VARCHAR NOT NULL,
    PRIMARY KEY (source_language, target_language, source_text)
);

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
    sum(applied) AS applied,
    sum(pending) AS pending,
    sum(flagged) AS flagged
FROM per_article
GROUP BY site;
