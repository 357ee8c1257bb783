-- How many articles per language in the 7 days up to the newest one?
SELECT language, sum(articles) AS articles, sum(words) AS words
FROM articles_per_site_language_day
WHERE day > (SELECT max(day) FROM articles_per_site_language_day) - INTERVAL 7 DAY
GROUP BY language
ORDER BY articles DESC, language;
