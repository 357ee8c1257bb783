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

-- The per-site rates view (artefact_rates_per_site) lives in warehouse/views/ with the other
-- views: views are recreated on every migrate, so it follows the finding kinds as they grow.
