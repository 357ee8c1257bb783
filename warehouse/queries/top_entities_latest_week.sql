-- The ten most covered entities of the latest week with news.
SELECT week, rank, name, type, articles, mentions, languages
FROM top_entities_per_week
WHERE week = (SELECT max(week) FROM top_entities_per_week)
  AND rank <= 10
ORDER BY rank, name;
