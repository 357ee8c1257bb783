-- For articles that name their language versions (hreflang), which version was published first,
-- and how much later the others followed (UTC instants, so time zones compare correctly).
WITH versions AS (
    SELECT a.url AS article, a.language AS article_language, v.key AS version_language,
           b.url AS version_url, b.published_at, b.published_at_precision
    FROM articles a, unnest(map_entries(a.hreflang)) AS e(v)
    JOIN articles b ON b.canonical_url = v.value
    WHERE v.key <> 'x-default'
)
SELECT article, version_language, version_url, published_at,
       published_at - min(published_at) OVER (PARTITION BY article) AS after_first,
       published_at_precision
FROM versions
ORDER BY article, published_at;
