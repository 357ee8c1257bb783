-- Fetch outcomes per site and day: is a site failing, and how (error_kind)?
-- site is articles.site's key (the registered domain, migration 006); fetches logged before
-- that migration fall back to the URL's host, local files to 'local'.
CREATE OR REPLACE VIEW fetch_failures_per_site_day AS
SELECT
    coalesce(
        site, nullif(split_part(split_part(url, '://', 2), '/', 1), ''), 'local'
    ) AS site,
    CAST(fetched_at AS DATE)                                 AS day,
    count(*)                                                 AS fetches,
    count(*) FILTER (WHERE outcome = 'failed')               AS failed,
    round(100.0 * count(*) FILTER (WHERE outcome = 'failed') / count(*), 1) AS failed_pct,
    count(*) FILTER (WHERE outcome = 'not_modified')         AS not_modified,
    count(*) FILTER (WHERE outcome = 'skipped')              AS skipped,
    list(DISTINCT error_kind) FILTER (WHERE error_kind IS NOT NULL) AS error_kinds
FROM fetches
GROUP BY ALL;
