-- Every article of a story told in more than one language, one row each, for reading the
-- versions side by side. Builds on story_clusters (migration 003) and articles.
CREATE OR REPLACE VIEW story_articles AS
SELECT
    s.story_id,
    count(*) OVER (PARTITION BY s.story_id)                   AS story_articles,
    count(DISTINCT s.language) OVER (PARTITION BY s.story_id) AS story_languages,
    a.article_id,
    a.language,
    a.site,
    a.published_at,
    a.title,
    a.url,
    a.translation_of,
    a.source_language,
    s.shared_entities
FROM story_clusters s
JOIN articles a USING (article_id)
QUALIFY count(DISTINCT s.language) OVER (PARTITION BY s.story_id) > 1;
