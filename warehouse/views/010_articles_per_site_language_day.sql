-- Articles per site, language and publication day. The day is the one the publisher's own clock
-- showed (published_at plus the page's UTC offset) when the page gave a zone, else the UTC day;
-- the fetch day (UTC) when the page gives no date at all. Near-duplicates are counted apart, in
-- articles and in words alike, so a republished story inflates neither count.
CREATE OR REPLACE VIEW articles_per_site_language_day AS
SELECT
    site,
    coalesce(language, 'und')                                          AS language,
    CAST(
        CASE
            WHEN published_at IS NOT NULL
                THEN timezone('UTC', published_at) + to_minutes(coalesce(published_at_offset_minutes, 0))
            ELSE timezone('UTC', fetched_at)
        END AS DATE
    )                                                                  AS day,
    count(*) FILTER (WHERE near_duplicate_of IS NULL)                  AS articles,
    count(*) FILTER (WHERE near_duplicate_of IS NOT NULL)              AS near_duplicates,
    count(*) FILTER (WHERE near_duplicate_of IS NULL
                       AND (translation_of IS NOT NULL OR source_language IS NOT NULL))
                                                                       AS translations,
    coalesce(sum(word_count) FILTER (WHERE near_duplicate_of IS NULL), 0)     AS words,
    coalesce(sum(word_count) FILTER (WHERE near_duplicate_of IS NOT NULL), 0) AS near_duplicate_words
FROM articles
GROUP BY ALL;
