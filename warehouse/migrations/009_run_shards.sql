-- 009: runs of a distributed ingest (issue 15 phase B, newsetl.lake.distributed). A parent flow
-- splits the sources into shards by host; each shard is a run of its own (its own run_id, its
-- own row here, written by the merge of its last batch) that names its parent run. The parent
-- run's own row has parent_run_id NULL and shard NULL; a run of one machine has both NULL too.
-- `newsetl query --as-of-run PARENT` reads the lake as of the last merge of any of its shards.
ALTER TABLE runs ADD COLUMN parent_run_id VARCHAR;   -- the distributed run this shard belongs to
ALTER TABLE runs ADD COLUMN shard VARCHAR;           -- the shard's name within its parent run
