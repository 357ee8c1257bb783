-- 008: links between stored entities that name the same thing across documents and languages
-- (newsetl.entities.resolve, issue 13). Recomputed from the whole warehouse after each load by
-- newsetl.entities.refresh_entity_resolution, by rules that depend only on the stored entities
-- (spelling keys across scripts and case forms, seed aliases, a lone surname to the one full
-- name, an acronym to its expansion), so the same data gives the same rows in any order.
-- Mentions keep their own entity_id; a row here says which group an entity belongs to.
CREATE TABLE IF NOT EXISTS entity_resolution (
    entity_id    VARCHAR PRIMARY KEY,       -- an entity whose group has another id
    resolved_id  VARCHAR NOT NULL,          -- the group's id: its seed entity, else its fullest name
    rule         VARCHAR NOT NULL           -- spelling | surname | acronym
);

-- Links a rule found but did not apply because they may be wrong (a surname shared by several
-- full names, an acronym with several expansions, two seed entities with one spelling).
CREATE TABLE IF NOT EXISTS entity_resolution_review (
    entity_id     VARCHAR NOT NULL,
    candidates    VARCHAR NOT NULL,         -- comma-separated candidate group ids (at most 5)
    rule          VARCHAR NOT NULL,
    reason        VARCHAR NOT NULL
);

-- Every mention with the id of its entity's group.
CREATE OR REPLACE VIEW resolved_mentions AS
SELECT m.*, coalesce(r.resolved_id, m.entity_id) AS resolved_id
FROM mentions m LEFT JOIN entity_resolution r USING (entity_id);
