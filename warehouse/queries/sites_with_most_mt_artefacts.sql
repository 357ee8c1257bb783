-- Which sites publish the most machine-translation artefacts per 1000 words?
SELECT site, articles, articles_with_findings, findings, findings_per_1000_words
FROM artefact_rates_per_site
ORDER BY findings_per_1000_words DESC NULLS LAST, site;
