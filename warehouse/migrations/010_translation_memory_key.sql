-- 010: translation memory looked up by an indexed key, not by scanning the table (issue 14).
-- A batch's stored translations used to be found by testing every stored source text against
-- the batch's texts (DuckDB `contains`: 0.55 s per batch at 10,000 rows, 5.6 s at 100,000).
-- Now the run derives from its texts every key a span of them can have and asks for those keys
-- (newsetl.translate.MemoryTranslator.stored_rows_for); the cost follows the batch, not the
-- table. The key is the source text lower-cased, with the typographic apostrophe unified and
-- each run of ASCII white space one space (newsetl.translate.memory_key: the same in Python and
-- here); source_words counts its space-separated words, so a run only builds spans as long as
-- the longest stored one. New rows get both from the writer (MemoryTranslator.remember); rows
-- here before this migration are back-filled below. A row without a key (a lake row from
-- before, a row a person inserted) is still found, by the old scan of those rows only.
-- The index is a DuckDB file's; the lake (DuckLake: no indexes) takes the columns only.
ALTER TABLE translation_memory ADD COLUMN source_key VARCHAR;
ALTER TABLE translation_memory ADD COLUMN source_words INTEGER;
-- (the index before the back-fill: DuckDB cannot create one over updates not yet committed)
CREATE INDEX IF NOT EXISTS translation_memory_source_key ON translation_memory (source_key);
UPDATE translation_memory SET source_key =
    lower(trim(regexp_replace(replace(source_text, '’', ''''), '[\t\n\f\r ]+', ' ', 'g')));
UPDATE translation_memory SET source_words = 1 + length(source_key) - length(replace(source_key, ' ', ''));
