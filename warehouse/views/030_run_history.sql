-- One row per ingest run, newest first: what a scheduled deployment did, and how long it took.
CREATE OR REPLACE VIEW run_history AS
SELECT
    run_id,
    flow_name,
    started_at,
    finished_at,
    round(epoch(finished_at) - epoch(started_at), 1) AS seconds,
    status,
    len(sources)        AS sources,
    targets,
    pages_fetched,
    pages_not_modified,
    pages_failed,
    articles_new,
    articles_updated,
    articles_unchanged,
    artefacts_found,
    artefacts_applied,
    entities,
    languages,
    batches_staged
FROM runs
ORDER BY started_at DESC;
