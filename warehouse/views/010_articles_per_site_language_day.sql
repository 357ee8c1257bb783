-- Articles per site, language and publication day (the fetch day when the page gives no date).
-- Near-duplicates are counted separately so a republished story does not inflate a day.
CREATE OR REPLACE VIEW articles_per_site_language_day AS
SELECT
    site,
    coalesce(language, 'und')                                         AS language,
    CAST(coalesce(published_at, CAST(fetched_at AS TIMESTAMP)) AS DATE) AS day,
    count(*) FILTER (WHERE near_duplicate_of IS NULL)                 AS articles,
    count(*) FILTER (WHERE near_duplicate_of IS NOT NULL)             AS near_duplicates,
    count(*) FILTER (WHERE translation_of IS NOT NULL OR source_language IS NOT NULL)
                                                                      AS translations,
    sum(word_count)                                                   AS words
FROM articles
GROUP BY ALL;
