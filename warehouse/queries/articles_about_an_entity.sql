-- Articles mentioning one entity in any language (here the United Nations), newest first.
SELECT a.published_at, a.language, a.title, count(*) AS mentions
FROM mentions m
JOIN articles a USING (article_id)
WHERE m.entity_id = 'org:united-nations'
GROUP BY ALL
ORDER BY a.published_at DESC, a.language;
