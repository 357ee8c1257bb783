-- The last ten ingest runs: status, duration and what they loaded.
SELECT started_at, status, seconds, pages_fetched, pages_failed,
       articles_new, articles_updated, articles_unchanged, languages
FROM run_history
LIMIT 10;
