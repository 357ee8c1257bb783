-- The most mentioned entities of each week (by articles, then mentions), with their rank.
-- Reads mentions / entity_articles / entities from migration 003 (newsetl.entities); weeks are
-- UTC weeks (entity_articles.published_at is a UTC timestamp).
CREATE OR REPLACE VIEW top_entities_per_week AS
SELECT
    CAST(date_trunc('week', a.published_at) AS DATE) AS week,
    m.entity_id,
    any_value(e.name)                                AS name,
    any_value(e.type)                                AS type,
    count(DISTINCT m.article_id)                     AS articles,
    count(*)                                         AS mentions,
    count(DISTINCT a.language)                       AS languages,
    rank() OVER (
        PARTITION BY CAST(date_trunc('week', a.published_at) AS DATE)
        ORDER BY count(DISTINCT m.article_id) DESC, count(*) DESC
    )                                                AS rank
FROM mentions m
JOIN entity_articles a USING (article_id)
LEFT JOIN entities e USING (entity_id)
WHERE a.published_at IS NOT NULL
GROUP BY week, m.entity_id;
