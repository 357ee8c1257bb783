-- 004: entity ids that depend on nothing but the input (newsetl.entities.ids, issue 13).
-- Learned ids were an a-z0-9 slug of the first name seen: every Cyrillic or Greek name became
-- "person:x", "Łódź" became "odz", and the id of an entity depended on which article was stored
-- first. From scheme 2 on, a learned id is "<type>:<transliterated name key>" and a lone
-- person's name is local to its article ("person:keller~<digest>").
--
-- Rewriting the ids needs Python (transliteration, base forms of inflected names), so this
-- migration only records which scheme the stored ids follow. An empty row set means "written
-- by scheme 1 (or empty)": newsetl.entities.store.upgrade_entity_ids converts the mentions,
-- rebuilds the learned entities and aliases, recomputes story clusters and records scheme 2.
-- It runs before the next batch of entities is stored (and can be called directly); it is
-- idempotent.
CREATE TABLE IF NOT EXISTS entity_id_scheme (
    version     INTEGER NOT NULL,           -- 2: ids of newsetl.entities.ids
    upgraded_at TIMESTAMP
);
