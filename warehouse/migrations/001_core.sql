-- 001: the ingestion spine. Runs, the fetch log, raw pages and articles.
-- Migrations are applied in file-name order by newsetl.warehouse.migrate and recorded in
-- schema_version; each file runs in one transaction. Never edit a released migration: add a file.

CREATE TABLE IF NOT EXISTS runs (
    run_id              VARCHAR PRIMARY KEY,   -- Prefect flow-run id when run by Prefect
    flow_name           VARCHAR,
    started_at          TIMESTAMPTZ,
    finished_at         TIMESTAMPTZ,
    status              VARCHAR,               -- running | completed | partial | failed
    sources             VARCHAR[],
    targets             INTEGER,               -- URLs / files the sources expanded to
    pages_fetched       INTEGER,               -- fresh bodies (200)
    pages_not_modified  INTEGER,               -- 304 answers to a conditional GET
    pages_failed        INTEGER,
    pages_skipped       INTEGER,               -- robots.txt, unchanged raw page, ...
    articles_new        INTEGER,
    articles_updated    INTEGER,
    articles_unchanged  INTEGER,
    duplicates          INTEGER,               -- exact duplicates of an existing article
    near_duplicates     INTEGER,
    artefacts_found     INTEGER,
    artefacts_applied   INTEGER,
    entities            INTEGER,
    mentions            INTEGER,
    languages           JSON,                  -- {"en": 4, "it": 2, ...}
    batches_staged      INTEGER,               -- left on disk because the file was busy
    summary             JSON
);

CREATE TABLE IF NOT EXISTS fetches (
    fetch_id      VARCHAR PRIMARY KEY,
    run_id        VARCHAR,
    source        VARCHAR,                     -- the argument this URL came from
    url           VARCHAR NOT NULL,
    final_url     VARCHAR,                     -- after redirects
    status_code   INTEGER,                     -- NULL when no HTTP answer (timeout, DNS, local file)
    outcome       VARCHAR NOT NULL,            -- ok | not_modified | failed | skipped
    error_kind    VARCHAR,                     -- http_status | timeout | too_large | redirects | content_type | robots | transport | empty | decode | parse | extract
    error         VARCHAR,
    content_type  VARCHAR,
    bytes         BIGINT,                      -- decoded body size
    elapsed_ms    DOUBLE,
    attempts      INTEGER,
    fetched_at    TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS pages (
    url            VARCHAR PRIMARY KEY,        -- the URL as requested (normalised)
    final_url      VARCHAR,
    source         VARCHAR,
    status_code    INTEGER,
    content_type   VARCHAR,
    charset        VARCHAR,
    etag           VARCHAR,                    -- sent back as If-None-Match next run
    last_modified  VARCHAR,                    -- sent back as If-Modified-Since next run
    raw_sha256     VARCHAR,
    raw_bytes      BIGINT,
    raw_gzip       BLOB,                       -- the body as fetched, gzip-compressed: reprocess without refetching
    article_id     VARCHAR,                    -- the article extracted from it (NULL if none)
    fetched_at     TIMESTAMPTZ,
    run_id         VARCHAR,
    record_hash    VARCHAR
);

CREATE TABLE IF NOT EXISTS articles (
    article_id                VARCHAR PRIMARY KEY,  -- sha1 of the canonical URL
    url                       VARCHAR,              -- where it was fetched
    canonical_url             VARCHAR,              -- <link rel=canonical>, normalised (courlan)
    site                      VARCHAR,              -- registered host, e.g. news.example.org
    site_name                 VARCHAR,              -- og:site_name / publisher
    title                     VARCHAR,
    authors                   VARCHAR[],
    published_at              TIMESTAMP,
    description               VARCHAR,
    categories                VARCHAR[],
    tags                      VARCHAR[],
    image                     VARCHAR,
    language                  VARCHAR,              -- detected (langdetect, seeded) on the text
    language_confidence       DOUBLE,
    declared_language         VARCHAR,              -- <html lang>, og:locale, Content-Language
    declared_language_source  VARCHAR,
    hreflang                  JSON,                 -- {"it": "https://...", "x-default": ...}
    translation_of            VARCHAR,              -- canonical URL of the original, when the page says so
    text                      VARCHAR,              -- extracted main text, exactly as extracted
    word_count                INTEGER,
    content_hash              VARCHAR,              -- sha256 of the normalised text (exact dedup)
    fingerprint               UBIGINT,              -- 64-bit SimHash (near-duplicate marking)
    near_duplicate_of         VARCHAR,              -- article_id of an earlier near-identical article
    source_language           VARCHAR,              -- language it was most likely machine-translated from
    repaired_text             VARCHAR,              -- text with applied artefact repairs (NULL: none applied)
    language_spans            JSON,                 -- spans of the text in other languages
    extractor                 VARCHAR,
    extractor_version         VARCHAR,
    pipeline_version          VARCHAR,
    first_seen_at             TIMESTAMPTZ,
    fetched_at                TIMESTAMPTZ,
    updated_at                TIMESTAMPTZ,
    run_id                    VARCHAR,
    record_hash               VARCHAR               -- hash of the content columns: unchanged rows are not rewritten
);
