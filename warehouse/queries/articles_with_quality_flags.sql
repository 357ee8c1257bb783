-- Which articles may not be complete (paywall, teaser, cut off) or carry a doubtful date, and why.
SELECT url, quality_flags, quality_evidence, word_count, published_at, published_at_source
FROM articles
WHERE quality_flags IS NOT NULL
ORDER BY len(quality_flags) DESC, url;
