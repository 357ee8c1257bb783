-- 005: metadata people can trust (newsetl issue 16).
--
-- * Publication and modification times with time and zone: published_at becomes TIMESTAMPTZ
--   (UTC instants; values written before this migration were dates read as UTC midnight and
--   keep their precision NULL until the article is processed again), the page's own UTC offset,
--   the precision it gave (day | minute | second), which source decided and the raw string.
-- * Which signal decided title, authors and language (<field>_source), the language's
--   runner-up; language_confidence is now a calibrated probability (newsetl.language).
-- * Extraction-quality flags with their evidence.
-- * hreflang as a MAP (was a JSON string): hreflang['it'] is the Italian alternate.
-- * Per-article language spans as rows; runs count unchanged pages on their own.

ALTER TABLE articles ALTER COLUMN published_at TYPE TIMESTAMPTZ USING timezone('UTC', published_at);
ALTER TABLE articles ADD COLUMN published_at_offset_minutes INTEGER;   -- the page's UTC offset; NULL: no zone given (time read as UTC)
ALTER TABLE articles ADD COLUMN published_at_precision VARCHAR;        -- day | minute | second
ALTER TABLE articles ADD COLUMN published_at_source VARCHAR;           -- json-ld | meta | time-element | url | htmldate
ALTER TABLE articles ADD COLUMN published_at_raw VARCHAR;              -- as written on the page
ALTER TABLE articles ADD COLUMN modified_at TIMESTAMPTZ;               -- last modification the page states (never used as published_at)
ALTER TABLE articles ADD COLUMN modified_at_offset_minutes INTEGER;
ALTER TABLE articles ADD COLUMN modified_at_precision VARCHAR;
ALTER TABLE articles ADD COLUMN modified_at_source VARCHAR;            -- json-ld | meta
ALTER TABLE articles ADD COLUMN modified_at_raw VARCHAR;
ALTER TABLE articles ADD COLUMN title_source VARCHAR;                  -- json-ld | meta | title-element | h1 | text
ALTER TABLE articles ADD COLUMN authors_source VARCHAR;                -- json-ld | meta | byline
ALTER TABLE articles ADD COLUMN language_source VARCHAR;               -- langdetect+lingua | langdetect | lingua | declared
ALTER TABLE articles ADD COLUMN language_runner_up VARCHAR;            -- the language the evidence would pick next
ALTER TABLE articles ADD COLUMN language_runner_up_confidence DOUBLE;
ALTER TABLE articles ADD COLUMN quality_flags VARCHAR[];               -- paywall | paywall_marker | teaser | truncated | duplicated_paragraphs | future_date | implausible_date | date_conflict | modified_before_published
ALTER TABLE articles ADD COLUMN quality_evidence JSON;                 -- {flag: evidence}
ALTER TABLE articles ALTER COLUMN hreflang TYPE MAP(VARCHAR, VARCHAR) USING CAST(hreflang AS MAP(VARCHAR, VARCHAR));

ALTER TABLE runs ADD COLUMN pages_unchanged INTEGER;                   -- fetched, same raw bytes as last time (not extracted again)

-- Which parts of an article's text are in which language: the artefact analysis' language_spans
-- (untranslated spans and foreign-language quotations), one row each, replaced with the article.
CREATE TABLE IF NOT EXISTS article_language_spans (
    article_id    VARCHAR NOT NULL,
    span_no       INTEGER NOT NULL,   -- order in the text, from 0
    start_offset  INTEGER NOT NULL,   -- character offsets into articles.text
    end_offset    INTEGER NOT NULL,
    language      VARCHAR,            -- ISO 639-1
    confidence    DOUBLE,             -- when the analysis gives one
    surface       VARCHAR,            -- text[start_offset:end_offset]
    evidence      JSON,               -- any further keys the analysis gave (kind, detector, ...)
    run_id        VARCHAR,
    PRIMARY KEY (article_id, span_no)
);
