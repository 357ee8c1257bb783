-- 003: named entities (newsetl.entities). Canonical entities, their aliases per language, the
-- mentions found in each article, the per-article facts used to cluster stories, and the views
-- that read them. Seeds: warehouse/seeds/entities*.csv and entity_aliases*.csv (columns by name).

CREATE TABLE IF NOT EXISTS entities (
    entity_id   VARCHAR PRIMARY KEY,        -- "org:united-nations", "country:FR", "person:mario-draghi"
    name        VARCHAR NOT NULL,           -- canonical / most complete name
    type        VARCHAR NOT NULL,           -- person | organisation | country | city | place | treaty | law | event | other
    source      VARCHAR NOT NULL DEFAULT 'learned',  -- seed | learned | geonames | user
    created_at  TIMESTAMP DEFAULT current_timestamp
);

CREATE TABLE IF NOT EXISTS entity_aliases (
    entity_id   VARCHAR NOT NULL,
    alias       VARCHAR NOT NULL,           -- as written ("Nazioni Unite", "HRW"); compared normalised
    language    VARCHAR NOT NULL DEFAULT 'mul',  -- ISO 639-1, or 'mul' when used across languages
    source      VARCHAR NOT NULL DEFAULT 'seed', -- seed | learned | user
    PRIMARY KEY (alias, language, entity_id)
);

CREATE TABLE IF NOT EXISTS mentions (
    article_id    VARCHAR NOT NULL,
    mention_no    INTEGER NOT NULL,         -- order in the text, from 0
    entity_id     VARCHAR NOT NULL,
    start_offset  INTEGER NOT NULL,         -- character offsets into the stored (repaired) text
    end_offset    INTEGER NOT NULL,
    surface       VARCHAR NOT NULL,
    confidence    DOUBLE,
    PRIMARY KEY (article_id, mention_no)
);

-- What story clustering needs to know about an article, written with its mentions so the entity
-- tables stand alone (and stay consistent when an article is re-processed).
CREATE TABLE IF NOT EXISTS entity_articles (
    article_id    VARCHAR PRIMARY KEY,
    language      VARCHAR,
    site          VARCHAR,
    published_at  TIMESTAMP,
    title         VARCHAR
);

-- Recomputed by newsetl.entities.refresh_story_clusters: articles (any language) about one story.
CREATE TABLE IF NOT EXISTS story_clusters (
    article_id    VARCHAR PRIMARY KEY,
    story_id      VARCHAR NOT NULL,         -- "story:" + the smallest article_id of the cluster
    language      VARCHAR,
    published_at  TIMESTAMP,
    shared_entities VARCHAR[]               -- entities that tied this article to the story
);


CREATE OR REPLACE VIEW entity_cooccurrence AS
WITH per_article AS (SELECT DISTINCT article_id, entity_id FROM mentions)
SELECT a.entity_id AS entity_a,
       b.entity_id AS entity_b,
       count(*)    AS articles
FROM per_article a
JOIN per_article b ON a.article_id = b.article_id AND a.entity_id < b.entity_id
GROUP BY a.entity_id, b.entity_id;

CREATE OR REPLACE VIEW entity_timeline AS
SELECT m.entity_id,
       any_value(e.name)                          AS name,
       any_value(e.type)                          AS type,
       CAST(date_trunc('day', a.published_at) AS DATE)  AS day,
       CAST(date_trunc('week', a.published_at) AS DATE) AS week,
       count(*)                                   AS mentions,
       count(DISTINCT m.article_id)               AS articles,
       count(DISTINCT a.language)                 AS languages
FROM mentions m
JOIN entity_articles a USING (article_id)
LEFT JOIN entities e USING (entity_id)
WHERE a.published_at IS NOT NULL
GROUP BY m.entity_id, day, week;

CREATE OR REPLACE VIEW entity_timeline_weekly AS
SELECT entity_id, any_value(name) AS name, any_value(type) AS type, week,
       sum(mentions) AS mentions, sum(articles) AS articles
FROM entity_timeline
GROUP BY entity_id, week;

CREATE OR REPLACE VIEW stories_across_languages AS
SELECT s.story_id,
       count(*)                            AS articles,
       count(DISTINCT s.language)          AS languages,
       list(DISTINCT s.language ORDER BY s.language) AS language_list,
       min(s.published_at)                 AS first_published,
       max(s.published_at)                 AS last_published,
       list(s.article_id ORDER BY s.published_at, s.article_id) AS article_ids,
       list(a.title ORDER BY s.published_at, s.article_id)      AS titles
FROM story_clusters s
LEFT JOIN entity_articles a USING (article_id)
GROUP BY s.story_id
HAVING count(DISTINCT s.language) > 1;
