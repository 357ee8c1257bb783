"""Write each document's entities to DuckDB under ids that depend on nothing but the input.

Why no linking against the warehouse: an entity id chosen by looking at what earlier batches
stored ("the first article to mention this name decides") changes when the same pages are
processed again, in another order, or resumed after a kill, and leaves entities without
mentions and aliases under two ids. So the extractor's key *is* the id (see :mod:`.ids`):

* seed and gazetteer matches carry their curated id (``canonical_id``), in every language;
* a learned entity's id is ``<type>:<slug of its name key>`` (base forms in inflected
  languages, transliterated): the same full name gives the same id in every article, whatever
  the order ("Donalda Trumpa" and "Donald Trump" both ``person:donald-trump``);
* a person named by one word only is local to its article (``person:keller~<digest>``): two
  articles' lone "Keller"s are not merged on a surname.

Storing is therefore a pure function of the documents: a batch stored twice, in another batch
split or order, gives the same rows (tested). Re-processing an article replaces its mentions;
learned entities left without any mention are removed with their learned aliases.

Learned aliases are the written forms of an entity's own name ("Donalda Trumpa" for
``person:donald-trump``): each is the id its own text gives, so one alias never names two
learned entities of a type.
"""

from __future__ import annotations

import contextlib
import math
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from .bulk import arrow_rows, execute_among, fetch_among, insert_arrow, sync_rows
from .ids import (
    best_name,
    changed_by_scheme_3,
    group_key,
    is_local,
    name_words,
    own_forms,
    stored_id,
)
from .model import STORAGE_VERSION, DocumentEntities, StagedFields, staged_fields

if TYPE_CHECKING:
    from .resolve import EntityRecord, FixedKeys

GEO_TYPES = frozenset({"country", "city", "place"})
#: Story clustering: articles within this window, sharing enough weighted non-geographic entities.
STORY_WINDOW = timedelta(hours=72)
STORY_MIN_SHARED = 2
STORY_MIN_SCORE = 0.3
#: "Same actor, same scene": one shared non-geographic entity is enough when the two articles
#: also share places worth at least this many points and appear within STORY_SCENE_WINDOW. A
#: city, river or region is worth 3 points, a country 2 (countries are in much more of the
#: news): a summit's host city and two countries, three countries, or a river and a city on it
#: are enough; one capital and one country ("EU", "Brussels", "Germany") is not.
STORY_MIN_SHARED_PLACES = 6
STORY_PLACE_POINTS = 3
STORY_COUNTRY_POINTS = 2
STORY_SCENE_WINDOW = timedelta(hours=24)
#: Entities in more articles than this do not propose candidate pairs (they still score).
STORY_MAX_POSTINGS = 500

#: Confidence the extractor gives a fuzzy (truncated / misspelt) mention: never a name.
_FUZZY_CONFIDENCE = 0.65
#: The id scheme this module writes; :func:`upgrade_entity_ids` brings older warehouses to it.
#: 2: ids of :mod:`.ids`; 3: the same, but keys keep the marks that spell a word in Indic
#: scripts, Thai, Lao and kana, drop Arabic and Hebrew vowel points, and ids of names outside
#: Latin, Greek and Cyrillic carry a digest of their key (:func:`.ids.slug_of`).
ID_SCHEME = 3


def _document_entities(value: Any) -> DocumentEntities:
    if isinstance(value, DocumentEntities):
        return value
    if isinstance(value, str):
        import json

        value = json.loads(value)
    doc = DocumentEntities.from_storage(value)
    version = int(value.get("version", 1))
    if version < STORAGE_VERSION:  # staged by an older version: keys of an old scheme
        for ent in doc.entities:
            surfaces = [m.surface for m in ent.mentions]
            if not ent.canonical_id and (version < 2 or changed_by_scheme_3(surfaces)):
                ent.key = _key_of(ent.type, surfaces, [m.confidence for m in ent.mentions],
                                  doc.language or "")  # fmt: skip
                ent.forms = None  # computed again by the loader, for the new key
    return doc


def _staged_entities(value: Any) -> tuple[str | None, list[StagedFields]]:
    """(the document's language, its entities' fields) of a staged document's entities.

    Why not :func:`_document_entities`: see :func:`.model.staged_fields`. A document of the
    current version (:data:`.model.STORAGE_VERSION`) is read as its fields; an object, or a
    document of an older version (whose keys are recomputed where the id scheme changed them),
    goes through :func:`_document_entities`."""
    if isinstance(value, str):
        import json

        value = json.loads(value)
    if isinstance(value, dict) and int(value.get("version", 1)) >= STORAGE_VERSION:
        return value.get("language"), [staged_fields(e) for e in value.get("entities", [])]
    doc = _document_entities(value)
    return doc.language, [
        (
            e.key,
            e.name,
            e.type,
            e.canonical_id,
            e.forms,
            [(m.start, m.end, m.surface, m.confidence) for m in e.mentions],
        )
        for e in doc.entities
    ]


def _key_of(etype: str, surfaces: list[str], confidences: list[float], language: str) -> str:
    names = [s for s, c in zip(surfaces, confidences, strict=True) if c != _FUZZY_CONFIDENCE]
    return group_key(etype, names or surfaces, language)


def entity_forms(doc: DocumentEntities, language: str | None) -> None:
    """Give each learned entity of ``doc`` its own forms (:attr:`DocEntity.forms`), as
    :func:`store_entities` would compute them for the document staged with the article
    language ``language``: run by the analysis, whose caches hold the names' words."""
    forms_language = doc.language or language or "mul"
    for ent in doc.entities:
        if not ent.canonical_id and not is_local(ent.key):
            ent.forms = own_forms(
                ent.type, ent.key, [m.surface for m in ent.mentions], forms_language
            )


def store_entities(con: Any, documents: list[dict]) -> dict[str, int]:
    """Write the entities of ``documents``; run inside the caller's transaction.

    Each document: ``{"article_id", "language", "site", "published_at", "title", "entities"}``
    where ``entities`` is ``DocumentEntities.to_storage()`` (dict or JSON string) or the object.
    Returns counts: articles, mentions, new entities, new aliases.

    Nothing read from the warehouse changes an id: only which rows are new (entities,
    aliases) and which learned entities lost their last mention (removed).
    """
    articles = [str(d["article_id"]) for d in documents]
    if not articles:
        return {"articles": 0, "mentions": 0, "entities_new": 0, "aliases_new": 0}
    upgrade_entity_ids(con)
    # The batch's articles are handed to each statement that reads them (bulk.fetch_among), not
    # copied into a temporary table first (its create, delete and insert: ~1.4 ms a batch).
    # Select, then delete: DuckLake rejects DELETE ... RETURNING, and the store must run the
    # same statements on a local file and on the lake.
    replaced: set[str] = set()
    if _any_stored(con, articles):
        replaced = {
            row[0]
            for row in fetch_among(
                con,
                "SELECT DISTINCT entity_id FROM mentions"
                " WHERE article_id IN (SELECT value FROM {values})",
                articles,
            )
        }
        execute_among(
            con, "DELETE FROM mentions WHERE article_id IN (SELECT value FROM {values})", articles
        )
    counts = Counter(articles=0, mentions=0, entities_new=0, aliases_new=0)
    article_rows: dict[str, list[Any]] = {}
    mention_rows: dict[str, list[tuple[str, int, str, int, int, str, float]]] = {}
    names: dict[str, tuple[str, list[str]]] = {}  # entity id -> (type, candidate names)
    alias_rows: dict[tuple[str, str, str], None] = {}  # (entity, alias, language)
    for doc in documents:
        article_id = str(doc["article_id"])
        doc_language, entities = _staged_entities(doc["entities"])
        language = doc.get("language") or doc_language or "mul"
        forms_language = doc_language or language
        article_rows.pop(article_id, None)  # a repeated article: the last one wins, as REPLACE
        article_rows[article_id] = [
            article_id, language, doc.get("site"), doc.get("published_at"), doc.get("title"),
        ]  # fmt: skip
        rows = []
        for key, name, etype, canonical_id, forms, mentions in entities:
            entity_id = canonical_id or stored_id(key, article_id)
            names.setdefault(entity_id, (etype, []))[1].append(name)
            if not canonical_id and not is_local(key):
                if forms is None:  # staged without its own forms (an older version): computed here
                    forms = own_forms(etype, key, [m[2] for m in mentions], forms_language)
                for alias in forms:
                    alias_rows[(entity_id, alias, language)] = None
            rows.extend(
                (int(s), int(e), entity_id, surface, float(c)) for s, e, surface, c in mentions
            )
        rows.sort()
        mention_rows[article_id] = [
            (article_id, no, eid, start, end, surface, conf)
            for no, (start, end, eid, surface, conf) in enumerate(rows)
        ]
    counts["articles"] = len(documents)  # a repeated article counts twice, stored once
    counts["mentions"] = sum(len(rows) for rows in mention_rows.values())
    counts["entities_new"] = _write_entities(con, names)
    counts["aliases_new"] = _write_aliases(con, list(alias_rows))
    _write_entity_articles(con, list(article_rows.values()))
    all_mentions = [row for rows in mention_rows.values() for row in rows]
    insert_arrow(con, "mentions", arrow_rows(_MENTION_COLUMNS, all_mentions))
    if replaced:
        _remove_orphans(con, replaced - set(names))
    return dict(counts)


def _any_stored(con: Any, articles: list[str]) -> bool:
    """Whether an article of the batch (``articles``) was stored before, so that it may
    have mentions to replace.

    Why ask ``entity_articles``: finding the batch's old mentions scans the whole
    ``mentions`` table twice (the select and the delete above: 648,565 rows at 50,000 pages,
    the part of a batch's entity load that grew with the warehouse, benchmarks/README.md
    "Warehouse growth, round 10"), while a run's articles are almost all new.
    ``entity_articles`` has one row per stored article (~30 times fewer rows), and an article
    has mentions only if it has that row: this function is the only writer of both, in one
    transaction, and nothing deletes ``entity_articles`` rows."""
    rows = fetch_among(
        con, "SELECT count(*) FROM entity_articles WHERE article_id IN (SELECT value FROM {values})",
        articles,
    )  # fmt: skip
    return bool(rows and rows[0][0])


def _write_entities(con: Any, names: dict[str, tuple[str, list[str]]]) -> int:
    """Insert the learned entities not stored yet; a stored learned entity takes the best of
    its names (the same rule for any order, see :func:`.ids.best_name`)."""
    if not names:
        return 0
    stored = {
        entity_id: (name, source)
        for entity_id, name, source in fetch_among(
            con,
            "SELECT entity_id, name, source FROM entities WHERE entity_id IN "
            "(SELECT value FROM {values})",
            sorted(names),
        )
    }
    new_rows, renamed = [], []
    for entity_id in sorted(names):
        etype, candidates = names[entity_id]
        if entity_id not in stored:
            new_rows.append((entity_id, best_name(candidates), etype, "learned"))
            continue
        name, source = stored[entity_id]
        if source == "learned":
            best = best_name([name, *candidates])
            if best != name:
                renamed.append((best, entity_id))
    insert_arrow(con, "entities", arrow_rows(_ENTITY_COLUMNS, new_rows), verb="INSERT OR IGNORE")
    if renamed:
        con.executemany("UPDATE entities SET name = ? WHERE entity_id = ?", renamed)
    return len(new_rows)


def _write_aliases(con: Any, candidates: list[tuple[str, str, str]]) -> int:
    """The learned alias rows not stored yet (under that language or 'mul')."""
    if not candidates:
        return 0
    entity_ids = sorted({entity_id for entity_id, _, _ in candidates})
    known = set(
        fetch_among(
            con,
            "SELECT alias, language, entity_id FROM entity_aliases"
            " WHERE entity_id IN (SELECT value FROM {values})",
            entity_ids,
        )
    )
    rows = []
    for entity_id, alias, language in candidates:
        if (alias, language, entity_id) in known or (alias, "mul", entity_id) in known:
            continue
        rows.append((entity_id, alias, language, "learned"))
        known.add((alias, language, entity_id))
    insert_arrow(con, "entity_aliases", arrow_rows(_ALIAS_COLUMNS, rows), verb="INSERT OR IGNORE")
    return len(rows)


def _remove_orphans(con: Any, entity_ids: set[str]) -> int:
    """Learned entities among ``entity_ids`` with no mention left, and their learned aliases."""
    if not entity_ids:
        return 0
    orphans = [
        row[0]
        for row in fetch_among(
            con,
            """SELECT e.entity_id FROM entities e
               WHERE e.source = 'learned' AND e.entity_id IN (SELECT value FROM {values})
                 AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = e.entity_id)""",
            sorted(entity_ids),
        )
    ]
    if orphans:
        execute_among(
            con,
            "DELETE FROM entity_aliases WHERE source = 'learned'"
            " AND entity_id IN (SELECT value FROM {values})",
            orphans,
        )
        execute_among(
            con, "DELETE FROM entities WHERE entity_id IN (SELECT value FROM {values})", orphans
        )
    return len(orphans)


# -- older warehouses ------------------------------------------------------------------------------
def upgrade_entity_ids(con: Any) -> int:
    """Bring a warehouse whose learned ids were made by an older scheme to :data:`ID_SCHEME`.
    Idempotent; a no-op (one small query) once done. Returns the number of mention groups
    (an entity in one article) whose id changed. Migration 004 records the scheme in
    ``entity_id_scheme``; story clusters are recomputed when an id changed.

    * From the first scheme (an a-z0-9 slug of the name, so every Cyrillic or Greek name was
      ``person:x``): each article's learned entity gets the id the current code gives the same
      mentions, learned entities and aliases are rebuilt from the mentions.
    * From scheme 2: only the learned entities named with a character whose key or id scheme 3
      changed (:func:`.ids.changed_by_scheme_3`: a combining mark, tatweel, a letter or digit
      outside Latin, Greek and Cyrillic) are re-derived the same way; every other id, entity
      and alias stays as it is.

    The ids are re-derived from the stored mentions; the mentions' spans are the old
    analysis's (in an Indic text the old tokenizer could end a name before its last vowel
    sign). Re-analysing the stored pages (``newsetl ingest stored:``) finds them again."""
    if not _scheme_table(con):
        return 0
    (version,) = con.execute("SELECT max(version) FROM entity_id_scheme").fetchone()
    if version is not None and version >= ID_SCHEME:
        return 0
    if version is None or version < 2:
        changed = _upgrade_first_scheme(con)
    else:
        changed = _upgrade_scheme_2(con)
    con.execute("INSERT INTO entity_id_scheme VALUES (?, current_timestamp)", [ID_SCHEME])
    if changed:
        refresh_story_clusters(con)
    return changed


_LEARNED_GROUPS = """
    SELECT m.article_id, m.entity_id, any_value(e.type), any_value(a.language),
           list(m.surface ORDER BY m.mention_no), list(m.confidence ORDER BY m.mention_no),
           list(m.mention_no ORDER BY m.mention_no)
    FROM mentions m
    LEFT JOIN entities e USING (entity_id)
    LEFT JOIN entity_articles a USING (article_id)
    WHERE e.entity_id IS NULL OR e.source = 'learned'
    GROUP BY m.article_id, m.entity_id"""

#: (article id, mention number, old id, new id) of a mention whose id the upgrade rewrites
_Moved = tuple[str, int, str, str]


def _collided(etype: str, surfaces: list[str], language: str) -> list[list[int]] | None:
    """The positions of ``surfaces`` by name when one stored group of scheme 2 holds several
    full names that scheme 3 tells apart ("王伟" and "汪伟" in one article were one
    ``person:wangwei~``): every surface a name of as many words as the others, with keys of
    their own. None when the group is one name (forms of one name share a key; a group with a
    surname alone next to the full name is left whole)."""
    distinct = dict.fromkeys(surfaces)
    if len(distinct) < 2:
        return None
    lengths = {len(name_words(s)) for s in distinct}
    keys = {s: group_key(etype, [s], language) for s in distinct}
    if len(lengths) > 1 or len(set(keys.values())) < 2:
        return None
    parts: dict[str, list[int]] = {}
    for k, surface in enumerate(surfaces):
        parts.setdefault(keys[surface], []).append(k)
    return list(parts.values())


def _rederive(
    groups: list[tuple], every: bool
) -> tuple[list[_Moved], dict[str, tuple[str, list[str]]], list[tuple[str, str, str]]]:
    """The mentions of the groups (all when ``every``, else those :func:`.ids.changed_by_scheme_3`
    names) with their old and new ids, and the names and learned aliases of the new ids. A group
    of several names that scheme 2 gave one id is split (see :func:`_collided`)."""
    mapping: list[_Moved] = []
    names: dict[str, tuple[str, list[str]]] = {}
    aliases: dict[tuple[str, str, str], None] = {}
    for article_id, old_id, etype, language, surfaces, confidences, numbers in groups:
        if not every and not changed_by_scheme_3(surfaces):
            continue
        etype = etype or old_id.split(":", 1)[0]
        language = language or "mul"
        parts = None if every else _collided(etype, surfaces, language)
        for part in parts or [list(range(len(surfaces)))]:
            forms = [surfaces[k] for k in part]
            scores = [confidences[k] for k in part]
            key = _key_of(etype, forms, scores, language)
            new_id = stored_id(key, article_id)
            mapping.extend((article_id, numbers[k], old_id, new_id) for k in part)
            exact = [s for s, c in zip(forms, scores, strict=True) if c != _FUZZY_CONFIDENCE]
            names.setdefault(new_id, (etype, []))[1].append(best_name(exact or forms, language))
            if not is_local(key):
                for surface in dict.fromkeys(forms):
                    if group_key(etype, [surface], language) == key:
                        aliases[(new_id, surface, language)] = None
    return mapping, names, list(aliases)


def _rewrite_mentions(con: Any, mapping: list[_Moved]) -> None:
    moved = [row for row in mapping if row[2] != row[3]]
    if not moved:
        return
    table = pa.table(
        {
            "article_id": [row[0] for row in moved],
            "mention_no": pa.array([row[1] for row in moved], pa.int32()),
            "new_id": [row[3] for row in moved],
        }
    )
    con.register("_entity_id_map", table)
    try:
        con.execute(
            """UPDATE mentions SET entity_id = map.new_id FROM _entity_id_map map
               WHERE mentions.article_id = map.article_id
                 AND mentions.mention_no = map.mention_no"""
        )
    finally:
        con.unregister("_entity_id_map")


def _upgrade_first_scheme(con: Any) -> int:
    mapping, names, aliases = _rederive(con.execute(_LEARNED_GROUPS).fetchall(), every=True)
    _rewrite_mentions(con, mapping)
    con.execute("DELETE FROM entity_aliases WHERE source = 'learned'")
    con.execute("DELETE FROM entities WHERE source = 'learned'")
    _write_entities(con, names)
    _write_aliases(con, aliases)
    return len({(article, old) for article, _, old, new in mapping if old != new})


def _upgrade_scheme_2(con: Any) -> int:
    """Scheme 2 -> 3 (see :func:`upgrade_entity_ids`): the groups named with a non-ASCII
    character are read (the others cannot have changed), re-derived where the scheme changed
    their key; an old id left without mentions goes with its learned aliases, an old id that
    other (unchanged) groups still use loses the aliases and the name the moved groups gave it."""
    groups = con.execute(
        _LEARNED_GROUPS + " HAVING bool_or(NOT regexp_matches(m.surface, '^[\\x00-\\x7f]*$'))"
    ).fetchall()
    mapping, names, aliases = _rederive(groups, every=False)
    moved = [row for row in mapping if row[2] != row[3]]
    if not moved:
        return 0
    _rewrite_mentions(con, moved)
    old_ids = {old for _, _, old, _ in moved}
    _remove_orphans(con, old_ids)
    remaining = {
        entity_id: name
        for entity_id, name in fetch_among(
            con,
            "SELECT entity_id, name FROM entities WHERE source = 'learned'"
            " AND entity_id IN (SELECT value FROM {values})",
            sorted(old_ids),
        )
    }
    if remaining:  # old ids other groups still use: without what the moved mentions gave them
        surfaces = {(article, number): old for article, number, old, _ in moved}
        stale = sorted(
            {
                (old_id, surface)
                for article_id, old_id, _, _, forms, _, numbers in groups
                for surface, number in zip(forms, numbers, strict=True)
                if surfaces.get((article_id, number)) == old_id and old_id in remaining
                and changed_by_scheme_3([surface])
            }
        )  # fmt: skip
        if stale:
            con.executemany(
                "DELETE FROM entity_aliases WHERE source = 'learned'"
                " AND entity_id = ? AND alias = ?",
                stale,
            )
        for entity_id, name in sorted(remaining.items()):
            if changed_by_scheme_3([name]):  # a moved group's name: the best of what is left
                left = con.execute(
                    "SELECT DISTINCT surface FROM mentions WHERE entity_id = ? AND confidence <> ?",
                    [entity_id, _FUZZY_CONFIDENCE],
                ).fetchall()
                if left:
                    con.execute(
                        "UPDATE entities SET name = ? WHERE entity_id = ?",
                        [best_name(sorted(row[0] for row in left)), entity_id],
                    )
    _write_entities(con, names)
    _write_aliases(con, aliases)
    return len({(article, old) for article, _, old, _ in moved})


#: Connections on which ``entity_id_scheme`` was seen. Why: asking ``duckdb_tables()`` costs
#: ~1.2 ms, each batch's load asked it, and once the table is there it stays (migrations
#: create it at open, committed, and nothing drops it): a connection is asked once.
_SCHEME_TABLE_SEEN: weakref.WeakSet[Any] = weakref.WeakSet()


def _scheme_table(con: Any) -> bool:
    try:
        if con in _SCHEME_TABLE_SEEN:
            return True
    except TypeError:  # a connection that cannot be weakly referenced: asked every time
        pass
    found = bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'entity_id_scheme'"
        ).fetchone()[0]
    )
    if found:
        with contextlib.suppress(TypeError):
            _SCHEME_TABLE_SEEN.add(con)
    return found


def _write_entity_articles(con: Any, rows: list[list[Any]]) -> None:
    """One ``INSERT OR REPLACE`` for the batch's article facts.

    Arrow infers ``published_at``'s type from the values, as DuckDB's parameter binding does
    (datetime, aware datetime, date, string, None); values of mixed kinds fall back to the
    statement per row, so what lands in the table never depends on the fast path.
    """
    try:
        table = arrow_rows([(name, None) for name in _ENTITY_ARTICLE_COLUMNS], rows)
    except (pa.ArrowException, TypeError, ValueError):
        con.executemany("INSERT OR REPLACE INTO entity_articles VALUES (?, ?, ?, ?, ?)", rows)
        return
    insert_arrow(con, "entity_articles", table, verb="INSERT OR REPLACE")


_ENTITY_ARTICLE_COLUMNS = ("article_id", "language", "site", "published_at", "title")
#: Rows written here carry ``source = 'learned'`` (the aliases' column default is 'seed').
_ENTITY_COLUMNS = [
    ("entity_id", pa.string()),
    ("name", pa.string()),
    ("type", pa.string()),
    ("source", pa.string()),
]
_ALIAS_COLUMNS = [
    ("entity_id", pa.string()),
    ("alias", pa.string()),
    ("language", pa.string()),
    ("source", pa.string()),
]
_MENTION_COLUMNS = [
    ("article_id", pa.string()),
    ("mention_no", pa.int32()),
    ("entity_id", pa.string()),
    ("start_offset", pa.int32()),
    ("end_offset", pa.int32()),
    ("surface", pa.string()),
    ("confidence", pa.float64()),
]


# -- story clusters --------------------------------------------------------------------------------


def _close_in_time(a: datetime | None, b: datetime | None) -> bool:
    return a is None or b is None or abs(a - b) <= STORY_WINDOW


def _same_scene(
    a: datetime | None,
    b: datetime | None,
    shared: set[Any],
    shared_places: set[Any],
    types: dict[Any, str],
) -> bool:
    """One shared actor in the same (several) places on the same day; both dates needed.
    The cheap tests first: it is asked for every candidate pair that shares too little."""
    if not shared or a is None or b is None or abs(a - b) > STORY_SCENE_WINDOW:
        return False
    places = sum(
        STORY_COUNTRY_POINTS if types.get(e) == "country" else STORY_PLACE_POINTS
        for e in shared_places
    )
    return places >= STORY_MIN_SHARED_PLACES


#: Candidate pairs read from DuckDB at a time (:func:`_candidate_pairs`): a 50,000-page
#: warehouse has ~680,000 of them, and the list of all of them as Python tuples of article
#: ids was ~150-240 MB of the run's process at its end (benchmarks/README.md "Round 16
#: (mem16)"); a chunk of this many int pairs is ~1 MB.
STORY_PAIR_CHUNK = 32_768


def _candidate_pairs(
    con: Any,
    docs: dict[str, tuple[Any, datetime | None, set[Any]]],
    postings: dict[Any, list[str]],
) -> Iterator[tuple[str, str]]:
    """The article pairs (a < b) that share a non-geographic entity of at most
    :data:`STORY_MAX_POSTINGS` articles and are close in time (:func:`_close_in_time`), sorted.
    :func:`refresh_story_clusters` passes one article per class of alike articles
    (:func:`_alike_articles`), with the entities over the cap (counted in articles) left out
    already: its postings are shorter than the articles they stand for.

    Why in SQL: the pairs that share an entity grow with the square of its postings, and
    almost all of them are weeks apart; the loop that built each article's candidates as a
    Python set and then threw out the pairs outside :data:`STORY_WINDOW` was most of the
    step's cost (5,000 articles: 0.85 M pairs tested for 0.05 M kept). DuckDB joins the
    postings on the entity and keeps the pairs within the window (``epoch_us``: the same
    microsecond arithmetic as ``abs(a - b) <= STORY_WINDOW`` on naive datetimes; a missing
    date is close to any), so the scoring sees exactly the pairs it saw before, in the same
    order (the score is symmetric in a and b, the clusters are connected components).

    Why numbers and a stream: the pairs grow with the warehouse (~680,000 article pairs at
    50,000 pages; 171,236 pairs of classes of alike articles, benchmarks/README.md "Round 20"),
    so DuckDB joins each article's rank in the sorted ids (and each entity's number) instead
    of the strings, and the pairs are read :data:`STORY_PAIR_CHUNK` at a time and named from
    the ranks as the caller takes them, never all held at once. The ranks sort as the ids do
    (Python orders strings by code point, DuckDB by their UTF-8 bytes: the same order), so
    ``p.a < q.a`` and ``ORDER BY`` give the pairs the string comparison gave, in its order.
    """
    kept = [(e, ids) for e, ids in postings.items() if len(ids) <= STORY_MAX_POSTINGS]
    if not any(ids for _, ids in kept):
        return
    names = sorted({article_id for _, ids in kept for article_id in ids})
    rank = {article_id: i for i, article_id in enumerate(names)}
    ents: list[int] = []
    arts: list[int] = []
    times: list[datetime | None] = []
    for number, (_, ids) in enumerate(kept):
        for article_id in ids:
            ents.append(number)
            arts.append(rank[article_id])
            times.append(docs[article_id][1])
    table = pa.table({
        "e": pa.array(ents, pa.int32()), "a": pa.array(arts, pa.int32()),
        "t": pa.array(times, pa.timestamp("us")),
    })  # fmt: skip
    del ents, arts, times, rank
    window_us = STORY_WINDOW // timedelta(microseconds=1)
    view = f"_story_postings_{id(table)}"
    con.register(view, table)
    try:
        reader = con.execute(
            f"""SELECT DISTINCT p.a, q.a FROM {view} p JOIN {view} q ON p.e = q.e AND p.a < q.a
                WHERE p.t IS NULL OR q.t IS NULL
                   OR abs(epoch_us(q.t) - epoch_us(p.t)) <= {window_us}
                ORDER BY 1, 2"""
        ).to_arrow_reader(STORY_PAIR_CHUNK)
        for chunk in reader:
            firsts, seconds = chunk.column(0).to_pylist(), chunk.column(1).to_pylist()
            pairs = zip(firsts, seconds, strict=True)
            yield from ((names[a], names[b]) for a, b in pairs)
    finally:
        con.unregister(view)


@dataclass
class StoryDocuments:
    """What the story clusters are computed from (:func:`_story_documents`). Entities are
    numbered: ``names[no]`` is the resolved id of entity ``no``, and the numbers sort as the
    ids do (DuckDB orders strings by their UTF-8 bytes, Python by code point: the same)."""

    #: entity number -> its resolved id
    names: list[str]
    #: entity number -> the type of its resolved id ('other' when it has no entity row)
    types: dict[int, str]
    #: article id -> (language, date, its actors: non-geographic entity numbers)
    docs: dict[str, tuple[str, datetime | None, set[int]]]
    #: article id -> its places (entity numbers of :data:`GEO_TYPES`)
    geo: dict[str, set[int]]
    #: entity number -> its IDF over the articles of ``docs``
    idf: list[float]
    #: actor -> the articles naming it, in the order of ``docs``
    postings: dict[int, list[str]]


def _story_documents(con: Any) -> StoryDocuments:
    """Each article's language, date, actors and places, every entity's IDF over the
    warehouse and the actors' postings, read for :func:`refresh_story_clusters`.

    Why numbers, and the split and the document frequencies in SQL: the reader that built
    these from each article's list of resolved ids as strings (312,575 of them at 50,000
    pages), then split them by type and counted them in Python, took 0.6-0.9 s of the ~1.8 s
    the step took there; this one takes 0.4-0.6 s (benchmarks/README.md "Round 26"). It
    reads the same documents (the reference reader is in tests/test_entities_stories_loop.py)."""
    # Resolved ids (migration 008), so "Donalda Trumpa" in a Polish article and "Donald Trump"
    # in an English one are one shared actor; the resolution is order-free, so stories are too.
    # Nationality words ("Russian") say where a story is about, not who is in it: left out.
    mentions = "resolved_mentions" if _has_view(con, "resolved_mentions") else (
        "(SELECT *, entity_id AS resolved_id FROM mentions)"
    )  # fmt: skip
    geo_types = ", ".join(f"'{t}'" for t in sorted(GEO_TYPES))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _story_mentions AS
            SELECT DISTINCT m.article_id, m.resolved_id
            FROM {mentions} m LEFT JOIN entities e ON e.entity_id = m.entity_id
            WHERE coalesce(e.type, 'other') <> 'nationality'
              AND m.article_id IN (SELECT article_id FROM entity_articles)"""
    )
    try:
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _story_entities AS
               SELECT s.resolved_id, row_number() OVER (ORDER BY s.resolved_id) - 1 AS no,
                      coalesce(e.type, 'other') AS type, s.df
               FROM (SELECT resolved_id, count(*) AS df FROM _story_mentions
                     GROUP BY resolved_id) s
               LEFT JOIN entities e ON e.entity_id = s.resolved_id"""
        )
        entities = con.execute(
            "SELECT resolved_id, type, df FROM _story_entities ORDER BY no"
        ).fetchall()
        rows = con.execute(
            f"""SELECT a.article_id, a.language, a.published_at,
                       list(n.no) FILTER (WHERE n.type NOT IN ({geo_types})),
                       list(n.no) FILTER (WHERE n.type IN ({geo_types}))
                FROM _story_mentions m JOIN _story_entities n USING (resolved_id)
                JOIN entity_articles a USING (article_id)
                GROUP BY a.article_id, a.language, a.published_at"""
        ).fetchall()
    finally:
        # after an error the transaction may be aborted and refuse these: its error is the one
        # raised, and its rollback drops the tables
        with contextlib.suppress(Exception):
            con.execute("DROP TABLE IF EXISTS _story_entities")
            con.execute("DROP TABLE _story_mentions")
    # One int object per entity, not one per mention of it (DuckDB's lists give each its own):
    # a set lookup then meets the very object and skips comparing values, which made the
    # pair loop's intersections ~30 % slower than on the (interned) strings before.
    same = list(range(len(entities))).__getitem__
    docs = {r[0]: (r[1], r[2], set(map(same, r[3] or ()))) for r in rows}
    geo = {r[0]: set(map(same, r[4] or ())) for r in rows}
    n = len(docs)
    postings: dict[int, list[str]] = defaultdict(list)
    for article_id, (_, _, ents) in docs.items():
        for e in ents:
            postings[e].append(article_id)
    return StoryDocuments(
        names=[name for name, _, _ in entities],
        types={no: etype for no, (_, etype, _) in enumerate(entities)},
        docs=docs,
        geo=geo,
        idf=[math.log((n + 1) / df) for _, _, df in entities],
        postings=postings,
    )


def _alike_articles(
    docs: dict[str, tuple[str, Any, set[Any]]], geo: dict[str, set[Any]]
) -> dict[str, list[str]]:
    """The articles that every test of a pair sees as one: the same actors, the same places,
    the same date. Each class by its smallest id (its *representative*), its members sorted.

    Why: a copy of an article (a wire story republished, a page at several URLs, a translation
    naming the same entities) scores exactly as the original does against any third article,
    and joins it whenever the original does; with each copy the pairs grew with the square of
    the copies. So pairs are scored between classes, once, and each joined class pair joins
    every pair of their members (benchmarks/README.md "Round 20": 1,000 pages into a
    50,000-page warehouse of copied pages, 19,630 articles in 5,293 classes)."""
    classes: dict[tuple[frozenset[Any], frozenset[Any], Any], list[str]] = defaultdict(list)
    for article_id in sorted(docs):
        _, published, ents = docs[article_id]
        classes[(frozenset(ents), frozenset(geo[article_id]), published)].append(article_id)
    return {members[0]: members for members in classes.values()}


def refresh_story_clusters(con: Any) -> int:
    """Recompute ``story_clusters``: articles about one story, in any language. Returns #stories.

    Two articles join when published within :data:`STORY_WINDOW` and they share at least
    :data:`STORY_MIN_SHARED` non-geographic canonical entities whose IDF-weighted overlap
    (shared weight / the smaller article's weight) reaches :data:`STORY_MIN_SCORE`. Countries and
    cities do not count: "Geneva" is in half the news of a week. The same (fully named) person
    in the same place within the window also makes one story. So does one shared actor in the
    same places (:data:`STORY_MIN_SHARED_PLACES`) within :data:`STORY_SCENE_WINDOW`, when the
    overlap of all their entities, places weighted by IDF like the rest, reaches the same score
    (two reports of one summit that name different officials). Stories are connected components.
    Entities count by their resolved ids (:func:`refresh_entity_resolution`), nationality words
    not at all.

    Why still the whole warehouse after each run (issue 14), not only the articles the run
    added: an article changes ``n`` and the ``df`` of its entities, so every IDF weight moves
    with every run, and a pair that scored 0.301 may score 0.299 one run later; an
    incremental version would have to bound that drift pair by pair to prove it gives these
    rows. The whole computation is kept, exact, and made cheap instead (measured on the 20,000
    page warehouse, 8,726 articles, 1,000 of them new: 16.2 s CPU before, see
    ``benchmarks/README.md``): the candidate pairs within the window come from a DuckDB join
    (:func:`_candidate_pairs`), an article's weight is summed once, not once per pair, pairs
    are scored once per class of alike articles (:func:`_alike_articles`), and only the rows
    that changed are written (:func:`.bulk.sync_rows`; the table was deleted and inserted
    whole, row by row, before).
    """
    read = _story_documents(con)
    types, docs, geo, idf, postings = read.types, read.docs, read.geo, read.idf, read.postings
    classes = _alike_articles(docs, geo)
    representative = {a: rep for rep, members in classes.items() for a in members}
    # an actor of more than STORY_MAX_POSTINGS articles makes no pair (counted in articles,
    # not classes); the others' postings by class
    kept = {e: ids for e, ids in postings.items() if len(ids) <= STORY_MAX_POSTINGS}
    class_postings = {
        e: list(dict.fromkeys(representative[a] for a in ids)) for e, ids in kept.items()
    }
    parent = {rep: rep for rep in classes}

    def find(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    weights: dict[tuple[str, bool], float] = {}

    def article_weight(x: str, with_places: bool) -> float:
        """An article's IDF weight, with or without its places: once per article, not once
        per pair (most of the step's cost at 20,000 pages). The same expression as the
        per-pair sum it replaces, on the same sets, so the same float to the last bit."""
        key = (x, with_places)
        if key not in weights:
            weights[key] = sum(idf[e] for e in docs[x][2] | (geo[x] if with_places else set()))
        return weights[key]

    persons = frozenset(e for e, t in types.items() if t == "person")
    idf_of = idf.__getitem__

    def shared_if_joined(a: str, b: str) -> set[int] | None:
        """The actors ``a`` and ``b`` share when the pair joins, else None. Each test below
        is the one it replaces, in a cheaper form, and a pair joins exactly when it joined
        before (``_reference_rows`` in tests/test_entities_stories_loop.py)."""
        doc_a, doc_b = docs[a], docs[b]
        shared = doc_a[2] & doc_b[2]
        shared_places = geo[a] & geo[b]
        # any(types.get(e) == "person" for e in shared) and bool(shared_places)
        same_person_same_place = bool(shared_places) and not persons.isdisjoint(shared)
        few = len(shared) < STORY_MIN_SHARED
        if (
            few
            and not same_person_same_place
            and not _same_scene(doc_a[1], doc_b[1], shared, shared_places, types)
        ):
            return None
        if not same_person_same_place:
            counted = shared | shared_places if few else shared
            # the same additions in the same order as sum(idf[e] for e in counted)
            weight = sum(map(idf_of, counted))
            smaller = min(article_weight(a, few), article_weight(b, few))
            if not (smaller > 0 and weight / smaller >= STORY_MIN_SCORE):
                return None
        return shared

    shared_by: dict[str, set[int]] = defaultdict(set)  # by class
    # The loop runs once per candidate pair of classes (most of the step's cost, and their
    # number grows with the warehouse).
    for a, b in _candidate_pairs(con, docs, class_postings):
        if (shared := shared_if_joined(a, b)) is not None:
            parent[find(a)] = find(b)
            shared_by[a] |= shared
            shared_by[b] |= shared
    # two members of one class: a candidate pair when they share an actor of the postings
    # kept (their dates are the same), joined as any pair
    joined_within: set[str] = set()
    for rep, members in classes.items():
        if (
            len(members) > 1
            and any(e in kept for e in docs[rep][2])
            and (shared := shared_if_joined(rep, rep)) is not None
        ):
            joined_within.add(rep)
            shared_by[rep] |= shared
    components: dict[str, list[str]] = defaultdict(list)
    for rep in classes:
        components[find(rep)].append(rep)
    out_rows = []
    stories = 0
    for reps in components.values():
        # a class joined to another joins all its members (each pair through the other's);
        # alone, only when its own members' pair joins
        if len(reps) < 2 and reps[0] not in joined_within:
            continue
        members = sorted(a for rep in reps for a in classes[rep])
        story_id = f"story:{members[0]}"
        stories += 1
        for a in members:
            shared_entities = sorted(read.names[e] for e in shared_by[representative[a]])
            out_rows.append((a, story_id, docs[a][0], docs[a][1], shared_entities))
    sync_rows(con, "story_clusters", arrow_rows(_STORY_COLUMNS, out_rows))
    return stories


_STORY_COLUMNS = [
    ("article_id", pa.string()),
    ("story_id", pa.string()),
    ("language", pa.string()),
    ("published_at", pa.timestamp("us")),
    ("shared_entities", pa.list_(pa.string())),
]


# -- resolution across documents and languages ---------------------------------------------------
def _has_table(con: Any, name: str) -> bool:
    return bool(
        con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[
            0
        ]
    )


def _has_view(con: Any, name: str) -> bool:
    return bool(
        con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name]).fetchone()[0]
    )


def refresh_entity_resolution(con: Any) -> int:
    """Recompute ``entity_resolution`` and ``entity_resolution_review`` (migration 008) from
    every stored entity (:func:`.resolve.resolve`). Whole-warehouse and order-free, like the
    story clusters: the same stored data gives the same rows. Returns the number of entities
    linked to another id. A no-op returning 0 on a warehouse without the tables.

    Only the rows that changed are written (:func:`.bulk.sync_rows`): after a run most links
    are the ones already stored, and deleting and inserting both tables whole wrote them all
    again. The computation itself stays whole (1.3 s CPU on the 20,000-page warehouse's
    19,275 entities and 32,553 aliases, 17,488 of them the seed's, which every run meets,
    against 16.2 s for the story clusters before this round). It could be cut to
    what a run touched, exactly: every rule of :func:`.resolve.resolve` joins or reports only
    entities that share a key (a spelling bucket, a surname key, an acronym, a country), and
    the union-find never looks past the entities it joins, so the connected components of
    "shares a key" are independent and only those holding a new or changed entity need
    recomputing. That needs each entity's keys stored (a table, a migration), not done yet.
    What is not recomputed: the seed entities' keys (~17,500 of the ~20,000 forms on the
    Zyte warehouse) come from the disk cache while the seed rows are the ones they were
    computed from (:func:`_fixed_keys`): 0.34-0.39 -> 0.15-0.21 s of CPU in the run's tail.
    """
    from .resolve import resolve

    if not _has_table(con, "entity_resolution"):
        return 0
    fixed = _fixed_keys(con)
    # the fixed (seed) entities' aliases are not read when their keys come from the cache
    res = resolve(resolution_records(con, with_fixed_forms=fixed is None), fixed)
    rows = sorted((e, r, res.rule.get(e, "spelling")) for e, r in res.resolved.items() if e != r)
    strings = pa.string()
    sync_rows(con, "entity_resolution", arrow_rows(
        [("entity_id", strings), ("resolved_id", strings), ("rule", strings)], rows,
    ))  # fmt: skip
    sync_rows(con, "entity_resolution_review", arrow_rows(
        [("entity_id", strings), ("candidates", strings), ("rule", strings), ("reason", strings)],
        sorted(set(res.review)),
    ))  # fmt: skip
    return len(rows)


def resolution_records(con: Any, *, with_fixed_forms: bool = True) -> list[EntityRecord]:
    """Every stored entity as the resolution's rules see it (:class:`.resolve.EntityRecord`):
    its forms and, for an organisation, its articles. ``with_fixed_forms=False`` leaves the
    fixed (seed) entities' aliases unread, for when their keys come from the cache."""
    from .resolve import EntityRecord

    forms = _alias_forms(con, None if with_fixed_forms else "NOT IN")
    # Mention surfaces only of article-local persons (one word); other entities are named by
    # their own forms (the aliases): a group the extractor glued wrongly would link every name
    # it holds.
    for entity_id, surface, language in con.execute(
        """SELECT DISTINCT m.entity_id, m.surface, coalesce(a.language, 'mul')
           FROM mentions m LEFT JOIN entity_articles a USING (article_id)
           WHERE m.entity_id LIKE '%~%'"""
    ).fetchall():
        forms[entity_id].add((surface, language))
    articles: dict[str, frozenset[str]] = {
        entity_id: frozenset(ids)
        for entity_id, ids in con.execute(
            """SELECT m.entity_id, list(DISTINCT m.article_id) FROM mentions m
               JOIN entities e USING (entity_id) WHERE e.type = 'organisation'
               GROUP BY m.entity_id"""
        ).fetchall()
    }
    return [
        EntityRecord(
            entity_id,
            etype,
            name,
            source,
            sorted(forms.get(entity_id, ())),
            articles.get(entity_id, frozenset()),
        )
        for entity_id, etype, name, source in con.execute(
            "SELECT entity_id, type, name, source FROM entities"
        ).fetchall()
    ]


#: The entities whose keys :func:`_fixed_keys` takes from the cache: the seed's (article-local
#: ids take mention surfaces as forms, never fixed).
_FIXED = "source <> 'learned' AND entity_id NOT LIKE '%~%'"
#: A digest of every row the fixed entities' keys are computed from (their entity rows and
#: their aliases): the count of rows and two sums of DuckDB's 64-bit hash of each row's
#: fields, in two orders (order-free over the rows; sums of UBIGINT are exact HUGEINTs).
#: Why not MD5 of the rows: ~20 ms against ~4 ms on the Zyte warehouse's 17,488 seed aliases.
_FIXED_DIGEST = f"""
    WITH fixed AS (SELECT entity_id, type, name, source FROM entities WHERE {_FIXED})
    SELECT (SELECT count(*) FROM fixed),
           (SELECT sum(hash(entity_id, type, name, source)) FROM fixed),
           (SELECT sum(hash(source, name, type, entity_id)) FROM fixed),
           count(*),
           sum(hash(entity_id, alias, coalesce(language, 'mul'))),
           sum(hash(coalesce(language, 'mul'), alias, entity_id))
    FROM entity_aliases WHERE entity_id IN (SELECT entity_id FROM fixed)"""


def _fixed_keys(con: Any) -> FixedKeys | None:
    """The seed entities' keys (:class:`.resolve.FixedKeys`) from the disk cache, or computed
    and cached; None when the cache is off (the whole computation is then cheaper).

    Exact: the cache is named by a digest of the rows the keys are computed from (read here
    in SQL: ~4 ms on the Zyte warehouse), of the code that computes them and of what that
    code's output depends on (anyascii's tables, Unicode's), so any edited, added or removed
    seed entity or alias (a user's seed file, an edited row) or a new version gives another
    name, and the keys are computed from the rows again."""
    import unicodedata
    from pathlib import Path

    from newsetl.cache import cache_dir, cache_key, cached, distribution_version

    from .. import text as shared_text
    from . import ids as ids_module
    from . import resolve as resolve_module
    from . import text as text_module

    if cache_dir() is None:
        return None
    digest = con.execute(_FIXED_DIGEST).fetchone()
    key = cache_key(
        "entity-fixed-keys/1",
        repr(tuple(str(part) for part in digest)),
        Path(resolve_module.__file__),
        Path(__file__),
        # a name outside Latin, Greek and Cyrillic links by its key words (ids, text, marks)
        Path(ids_module.__file__),
        Path(text_module.__file__),
        *shared_text.SOURCES,
        distribution_version("anyascii"),
        distribution_version("duckdb"),  # its hash function
        f"unicode={unicodedata.unidata_version}",
    )
    return cached("entity_fixed_keys", key, lambda: _compute_fixed_keys(con))


def _alias_forms(con: Any, fixed: str | None) -> defaultdict[str, set[tuple[str, str]]]:
    """Each entity's aliases as (alias, language) forms (no language: "mul"): of every
    entity, or with ``fixed`` ("IN" / "NOT IN") of the fixed entities only / of the others."""
    sql = "SELECT entity_id, alias, language FROM entity_aliases"
    if fixed is not None:
        sql += f" WHERE entity_id {fixed} (SELECT entity_id FROM entities WHERE {_FIXED})"
    forms: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)
    for entity_id, alias, language in con.execute(sql).fetchall():
        forms[entity_id].add((alias, language or "mul"))
    return forms


def _compute_fixed_keys(con: Any) -> FixedKeys:
    """:func:`.resolve.fixed_keys` of the warehouse's fixed entities, read in full."""
    from .resolve import EntityRecord, fixed_keys

    forms = _alias_forms(con, "IN")
    return fixed_keys(
        EntityRecord(entity_id, etype, name, source, sorted(forms.get(entity_id, ())))
        for entity_id, etype, name, source in con.execute(
            f"SELECT entity_id, type, name, source FROM entities WHERE {_FIXED}"
        ).fetchall()
    )


def refresh_entity_layers(con: Any) -> int:
    """The whole-warehouse steps after a load of entities: resolution, then story clusters.
    Returns the number of stories (what the load report counts)."""
    refresh_entity_resolution(con)
    return refresh_story_clusters(con)
