-- Migration 006: the site of every fetch, so per-site views over fetches join articles.
--
-- articles.site is the registered domain (newsetl.urls.site_of: www.bbc.co.uk -> bbc.co.uk, an
-- IP address without its port); the fetch log had only the URL, and the host:port a view could
-- split out of it in SQL is another key. The Public Suffix List cannot be applied in SQL, so
-- the value is stored when the fetch is staged. Rows fetched before this migration keep NULL
-- (views fall back to the host); a `stored:` run does not rewrite the fetch log.
ALTER TABLE fetches ADD COLUMN IF NOT EXISTS site VARCHAR;
