-- Which articles may not be complete (paywall, teaser, cut off) or carry a doubtful date, and why:
-- flagged articles first, then the rest (an empty list: nothing found).
SELECT url,
       coalesce(quality_flags, [])  AS quality_flags,
       quality_evidence,
       word_count,
       published_at,
       published_at_source
FROM articles
ORDER BY len(coalesce(quality_flags, [])) DESC, url
LIMIT 50;
