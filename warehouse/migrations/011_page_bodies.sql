-- 011: the raw pages in a table of their own (issue 14). `pages.raw_gzip` was 1.7 GB of a
-- 2.1 GB warehouse of 50,000 pages. A keyed table's new rows go to its last row group, and
-- DuckDB re-read that row group's blobs at each load's COMMIT (writing the WAL) and rewrote
-- them at each checkpoint: a load into a 50,000-page warehouse paid for up to 2,047 earlier
-- bodies (benchmarks/ops/commit_blobs.py, benchmarks/README.md "Round 22"). `pages` now holds
-- what a load changes, and the bodies are written here in bulk, a thousand pages at a time
-- (newsetl.warehouse.load: a deferred write disposition), not with every batch.
-- A body is its page's while its hash is the page's `raw_sha256`: a page whose body was not
-- written yet (a run stopped between the two) reads as a page without one, as before.
CREATE TABLE IF NOT EXISTS page_bodies (
    url          VARCHAR PRIMARY KEY,   -- pages.url
    raw_gzip     BLOB NOT NULL,         -- the body as fetched, gzip-compressed: reprocess without refetching
    fetched_at   TIMESTAMPTZ,
    record_hash  VARCHAR                -- the body's sha256 (= pages.raw_sha256 of the same fetch)
);
INSERT INTO page_bodies
    SELECT url, raw_gzip, fetched_at, raw_sha256 FROM pages WHERE raw_gzip IS NOT NULL;
ALTER TABLE pages DROP COLUMN raw_gzip;
