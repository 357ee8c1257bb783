-- Sites whose fetches failed, worst first, with the kinds of error.
SELECT site, sum(fetches) AS fetches, sum(failed) AS failed,
       round(100.0 * sum(failed) / sum(fetches), 1) AS failed_pct,
       flatten(list(error_kinds)) AS error_kinds
FROM fetch_failures_per_site_day
GROUP BY site
ORDER BY failed DESC, site;
