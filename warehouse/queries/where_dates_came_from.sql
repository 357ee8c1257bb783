-- How each site's publication dates were found: from the page's JSON-LD, meta tags, a <time>
-- element, the URL, or htmldate's heuristics; how many have a time of day and a time zone.
SELECT site,
       coalesce(published_at_source, 'none')               AS source,
       count(*)                                              AS articles,
       count(*) FILTER (WHERE published_at_precision <> 'day') AS with_time,
       count(published_at_offset_minutes)                    AS with_zone
FROM articles
GROUP BY ALL
ORDER BY site, articles DESC;
