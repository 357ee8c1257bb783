"""Link each document's entities to canonical entities and write them to DuckDB.

Why linking needs more than names: "Drago" (a footballer) is not "Draghi" (a central banker), and
two Kellers in two articles are two people unless something says otherwise. So:

* seed matches are already canonical (``canonical_id``);
* multi-word names and organisation names link by exact normalised alias and compatible type;
* a surname alone, or a fuzzy near-miss ("Mario Dragi"), links only with *evidence*: the candidate
  already co-occurs, in other articles, with entities of this article (excluding countries and
  cities, which co-occur with everything);
* otherwise a new entity gets an id derived from type + normalised name (and, for a lone surname,
  the article), so the same input gives the same id on every run.

Re-processing: the articles of a batch have their old mentions removed *before* linking, so a
second run sees the same state as the first and writes the same rows (idempotent).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa
from rapidfuzz import fuzz, process

from .bulk import arrow_rows, insert_arrow, registered_strings
from .lexicon import NAME_PARTICLES
from .model import DocEntity, DocumentEntities
from .text import norm, slug

GEO_TYPES = frozenset({"country", "city", "place"})
#: rapidfuzz ratio for a cross-document near-miss; it must also come with co-occurrence evidence.
FUZZY_ACROSS_DOCS = 88
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


def _compatible(a: str, b: str) -> bool:
    return a == b or (a in GEO_TYPES and b in GEO_TYPES) or "other" in (a, b)


def _name_words(alias: str, etype: str) -> int:
    """Words of a name; a person's surname particles do not count, so "von der Leyen" alone is
    a lone surname (it links only with evidence), like "Leyen"."""
    words = norm(alias).split()
    if etype in ("person", "other"):
        return sum(1 for w in words if w not in NAME_PARTICLES) or len(words)
    return len(words)


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


class NearNames:
    """``rapidfuzz.process.extract(query, names, scorer=fuzz.ratio, score_cutoff=...)`` over a
    growing list of names, without scoring the names that cannot reach the cutoff.

    Why: linking asks for near-misses of hundreds of names per batch against ~10,000 aliases.
    ``fuzz.ratio`` is at most ``200 * min(len) / (len + len)``, so only names of a similar length
    can match; the names are kept in buckets by length and only the buckets that can reach the
    cutoff are scored. Same answer, same order: best score first, ties by position in the list
    (rapidfuzz's documented order), which the buckets remember.
    """

    def __init__(self) -> None:
        self._count = 0
        self._buckets: dict[int, tuple[list[str], list[int]]] = {}

    def __len__(self) -> int:
        return self._count

    def add(self, name: str) -> None:
        """Append one name (at the next position)."""
        texts, positions = self._buckets.setdefault(len(name), ([], []))
        texts.append(name)
        positions.append(self._count)
        self._count += 1

    def sync(self, names: Collection[str]) -> None:
        """Index the names appended since the last call (``names`` only ever grows at its end,
        like the keys of the linker's alias dict)."""
        if len(names) != self._count:
            for name in itertools.islice(names, self._count, None):
                self.add(name)

    def scored(self, query: str, score_cutoff: float) -> list[tuple[float, int, str]]:
        """Every name with ``fuzz.ratio`` >= ``score_cutoff`` as ``(-score, position, name)``,
        unsorted: what :meth:`extract` sorts, and what two indexes merge (the linker keeps the
        warehouse's names and the batch's new names apart)."""
        hits: list[tuple[float, int, str]] = []
        for texts, positions in self._reachable(len(query), score_cutoff):
            for text, score, k in process.extract(
                query, texts, scorer=fuzz.ratio, score_cutoff=score_cutoff, limit=None
            ):
                hits.append((-score, positions[k], text))
        return hits

    def any_near(self, query: str, score_cutoff: float) -> bool:
        """Whether :meth:`scored` would find anything (stops at the first name found)."""
        return any(
            process.extractOne(query, texts, scorer=fuzz.ratio, score_cutoff=score_cutoff)
            is not None
            for texts, _ in self._reachable(len(query), score_cutoff)
        )

    def _reachable(self, size: int, score_cutoff: float) -> Iterator[tuple[list[str], list[int]]]:
        """The buckets whose names can reach the cutoff against a query of ``size`` characters:
        ``200 * min / (size + length) >= cutoff``, with one point to spare against float
        rounding. Only lengths near ``size`` are looked up, not every bucket."""
        cut = score_cutoff - 1
        if cut <= 0:
            yield from self._buckets.values()
            return
        low = int(cut * size / (200 - cut)) - 1
        high = int(size * (200 - cut) / cut) + 2
        for length in range(max(low, 0), high + 1):
            bucket = self._buckets.get(length)
            if bucket is not None and 200 * min(size, length) >= cut * (size + length):
                yield bucket

    def extract(self, query: str, score_cutoff: float, limit: int) -> list[str]:
        """The (at most ``limit``) names with ``fuzz.ratio`` >= ``score_cutoff``, best first."""
        hits = sorted(self.scored(query, score_cutoff))
        return [text for _, _, text in hits[:limit]]


class TypedNames:
    """Near-miss indexes of alias keys, one per entity type, each key at most once per type.

    Why: most near-miss look-ups find no candidate at all (2,064 of 2,137 on the 181 Zyte
    pages), yet each scored every alias key. A fuzzy candidate must have the asked type and some
    co-occurrence (evidence), so it is an entity with a mention; these indexes hold only such
    entities' keys, and the full, ordered search runs only when one of them is near.
    """

    def __init__(self) -> None:
        self._keys: dict[str, set[str]] = {}
        self._near: dict[str, NearNames] = {}

    def has(self, etype: str, key: str) -> bool:
        return key in self._keys.get(etype, ())

    def add(self, etype: str, key: str) -> None:
        keys = self._keys.setdefault(etype, set())
        if key not in keys:
            keys.add(key)
            self._near.setdefault(etype, NearNames()).add(key)

    def any_near(self, query: str, etype: str, score_cutoff: float) -> bool:
        near = self._near.get(etype)
        return near is not None and near.any_near(query, score_cutoff)


#: Stored co-occurrences kept between batches for at most this many entities (then forgotten:
#: they are a cache, re-read when needed), so a long run's memory stays bounded.
MAX_CACHED_CONTEXTS = 50_000


class StoredIndex:
    """What linking reads from the warehouse: entity types, the aliases (seed/user names and
    the surfaces of stored mentions, normalised) with their near-miss index, which entities are
    mentioned at all, and (a cache) their co-occurrences in stored articles.

    Why a class of its own: building it reads and normalises every entity, alias and distinct
    mention surface, which grows with the warehouse (measured: 0.09 s CPU with 181 articles,
    0.23 s with 1,324; once per batch before it was kept). A run loads batch after batch on one connection, so :func:`store_entities` keeps
    the index of the previous batch and :meth:`advance` s it by the rows that batch wrote
    instead of rebuilding it, whenever that gives what a rebuild would (see
    :func:`_reusable_index`). Only what a fresh build would see is kept here: the batch's own
    learned aliases live in the :class:`Linker` and are dropped after the batch, as a rebuild
    (which reads the mentions' surfaces, not learned aliases) would drop them.
    """

    def __init__(self, con: Any) -> None:
        """Read from the warehouse, leaving out the mentions of the articles in
        ``_entity_batch`` (being re-processed: their old mentions are deleted first)."""
        self.types: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.aliases: dict[str, set[str]] = {}  # norm alias -> entity ids
        self.keys_of: dict[str, set[str]] = {}  # entity id -> its norm aliases
        self.near = NearNames()  # the alias keys in order, for near-miss spellings
        for entity_id, name, etype, source in con.execute(
            "SELECT entity_id, name, type, source FROM entities"
        ).fetchall():
            self.types[entity_id], self.names[entity_id] = etype, name
            if source != "learned":
                self._alias(norm(name), entity_id)
        for entity_id, alias in con.execute(
            "SELECT entity_id, alias FROM entity_aliases WHERE source <> 'learned'"
        ).fetchall():
            self._alias(norm(alias), entity_id)
        #: Entities with a mention in a stored article outside the batch: any other entity has
        #: no stored co-occurrences, so its context needs no query.
        self.mentioned: set[str] = set()
        for entity_id, surface in con.execute(
            "SELECT DISTINCT entity_id, surface FROM mentions"
            " WHERE article_id NOT IN (SELECT article_id FROM _entity_batch)"
        ).fetchall():
            self._alias(norm(surface), entity_id)
            self.mentioned.add(entity_id)
        #: entity -> entities sharing a stored article with it (filled on demand)
        self.context: dict[str, set[str]] = {}
        #: the keys of mentioned entities by type (see TypedNames), and which entities they hold
        self.typed = TypedNames()
        self.typed_entities: set[str] = set()
        for entity_id in self.mentioned:
            self._index_typed(entity_id)

    def _alias(self, key: str, entity_id: str) -> None:
        ids = self.aliases.get(key)
        if ids is None:
            ids = self.aliases[key] = set()
            self.near.add(key)
        ids.add(entity_id)
        self.keys_of.setdefault(entity_id, set()).add(key)

    def _index_typed(self, entity_id: str) -> None:
        """Index a mentioned entity's keys under its type (known once it has a row)."""
        etype = self.types.get(entity_id)
        if etype is None:
            return
        for key in self.keys_of.get(entity_id, ()):
            self.typed.add(etype, key)
        self.typed_entities.add(entity_id)

    def advance(
        self,
        mention_rows: Iterable[tuple[str, int, str, int, int, str, float]],
        new_entities: Iterable[str] = (),
    ) -> None:
        """Add what the batch just stored (its mentions; the types of its new entities, already
        in :attr:`types`), as a fresh build on the next batch would read it.

        The order of the near-miss index differs from a rebuild only among mention surfaces,
        which a rebuild reads in ``SELECT DISTINCT`` order, itself unspecified.
        """
        per_article: dict[str, set[str]] = defaultdict(set)
        for article_id, _, entity_id, _, _, surface, _ in mention_rows:
            self._alias(norm(surface), entity_id)
            self.mentioned.add(entity_id)
            per_article[article_id].add(entity_id)
        for entity_id in set().union(*per_article.values(), new_entities):
            if entity_id in self.mentioned:
                self._index_typed(entity_id)
        if len(self.context) > MAX_CACHED_CONTEXTS:
            self.context.clear()
        for entities in per_article.values():
            for entity_id in entities:
                cached = self.context.get(entity_id)
                if cached is not None:
                    cached |= entities - {entity_id}


class Linker:
    """Alias and co-occurrence indexes over the warehouse, plus what this batch added."""

    def __init__(
        self, con: Any, batch_articles: set[str], stored: StoredIndex | None = None
    ) -> None:
        """Aliases come from the seed/user rows and from the mentions of articles *outside* this
        batch (the batch's old mentions were deleted), so a re-run sees what the first run saw.
        ``stored``: that index, kept from the previous batch (else read now)."""
        self.con = con
        self.stored = StoredIndex(con) if stored is None else stored
        #: shared with the index: every id added here is written to ``entities`` by the batch
        self.types = self.stored.types
        self.names = self.stored.names
        # What this batch learned on top of the stored aliases: new (alias, entity) pairs, and
        # the new alias keys in order (after all stored ones, as if appended to one index).
        self._batch_aliases: dict[str, set[str]] = {}
        self._batch_near = NearNames()
        self._batch_keys_of: dict[str, set[str]] = {}
        # Keys of the entities this batch mentions that the stored typed index lacks.
        self._batch_typed = TypedNames()
        self._batch_typed_entities: set[str] = set()
        # Co-occurrences inside this batch; stored ones are queried lazily (see context_of) or
        # ahead, in one query, for the likely candidates (see prefetch_context).
        self.batch_article_entities: dict[str, set[str]] = defaultdict(set)
        self.batch_entity_articles: dict[str, set[str]] = defaultdict(set)

    def ids_for(self, key: str) -> set[str]:
        """Entities known under the normalised alias ``key`` (stored, or learned in this batch)."""
        stored = self.stored.aliases.get(key, set())
        learned = self._batch_aliases.get(key)
        return stored | learned if learned else stored

    # -- evidence -------------------------------------------------------------------------------
    def prefetch_context(self, entity_ids: Iterable[str]) -> None:
        """Read the stored co-occurrences of many entities in one query (one round trip instead
        of one per candidate). Only a cache: :meth:`context_of` gives the same answer without it.

        Reads mentions of articles outside the batch only, which storing the batch never changes,
        so prefetching before the batch is linked sees what a lazy query during linking would.
        """
        cache, mentioned = self.stored.context, self.stored.mentioned
        wanted = sorted(e for e in set(entity_ids) if e not in cache and e in mentioned)
        if not wanted:
            return
        with registered_strings(self.con, wanted) as view:
            rows = self.con.execute(
                f"""SELECT a.entity_id, list(DISTINCT b.entity_id)
                    FROM mentions a JOIN mentions b ON a.article_id = b.article_id
                    WHERE a.entity_id IN (SELECT value FROM {view})
                      AND b.entity_id <> a.entity_id
                      AND a.article_id NOT IN (SELECT article_id FROM _entity_batch)
                    GROUP BY a.entity_id"""
            ).fetchall()
        found = {entity_id: set(others) for entity_id, others in rows}
        for entity_id in wanted:
            cache[entity_id] = found.get(entity_id, set())

    def _stored(self, entity_id: str) -> set[str]:
        cache = self.stored.context
        if entity_id not in cache:
            if entity_id in self.stored.mentioned:
                self.prefetch_context([entity_id])
            else:
                cache[entity_id] = set()
        return cache[entity_id]

    def context_of(self, entity_id: str) -> set[str]:
        """Entities that share an article with ``entity_id`` (stored articles and this batch)."""
        out = set(self._stored(entity_id))
        for article_id in self.batch_entity_articles.get(entity_id, ()):
            out |= self.batch_article_entities[article_id]
        out.discard(entity_id)
        return out

    def evidence(self, candidate: str, context: set[str]) -> int:
        """How many non-geographic entities of this article the candidate co-occurred with."""
        shared = self.context_of(candidate) & context
        return sum(1 for e in shared if self.types.get(e) not in GEO_TYPES)

    # -- linking --------------------------------------------------------------------------------
    def _candidates(self, names: Iterable[str], etype: str) -> set[str]:
        out: set[str] = set()
        for name in names:
            for entity_id in self.ids_for(norm(name)):
                if _compatible(self.types.get(entity_id, etype), etype):
                    out.add(entity_id)
        return out

    def _fuzzy(self, name: str, etype: str) -> list[str]:
        """Entities of type ``etype`` under the 10 alias keys nearest to ``name`` - when one of
        them could have evidence (else ``[]``: the caller would drop them all)."""
        query = norm(name)
        if not (
            self.stored.typed.any_near(query, etype, FUZZY_ACROSS_DOCS)
            or self._batch_typed.any_near(query, etype, FUZZY_ACROSS_DOCS)
        ):
            return []
        hits = self.stored.near.scored(query, FUZZY_ACROSS_DOCS)
        if len(self._batch_near):
            offset = len(self.stored.near)  # the batch's keys come after every stored one
            hits += [
                (score, offset + position, text)
                for score, position, text in self._batch_near.scored(query, FUZZY_ACROSS_DOCS)
            ]
        hits.sort()
        out = []
        for _, _, alias in hits[:10]:
            for entity_id in sorted(self.ids_for(alias)):
                if self.types.get(entity_id) == etype:
                    out.append(entity_id)
        self.prefetch_context(out)  # one query for all, before their evidence is asked
        return out

    def _best(self, candidates: Iterable[str], context: set[str]) -> str:
        candidates = list(candidates)
        if len(candidates) > 1:
            self.prefetch_context(candidates)
        return min(candidates, key=lambda c: (-self.evidence(c, context), c))

    def link_exact(self, ent: DocEntity, context: set[str]) -> str | None:
        """A seed id, or an entity known under one of this entity's full names / acronyms."""
        if ent.canonical_id:
            return ent.canonical_id
        full = [a for a in ent.aliases if _name_words(a, ent.type) >= 2] + ent.acronyms
        if ent.type != "person":
            full += [a for a in ent.aliases if len(norm(a).split()) == 1 and len(norm(a)) > 3]
        exact = self._candidates(full, ent.type)
        return self._best(exact, context) if exact else None

    def link_with_evidence(self, article_id: str, ent: DocEntity, context: set[str]) -> str:
        """A lone surname or a near-miss spelling links only when the candidate co-occurred with
        entities of this article; otherwise a new id (per article for a lone surname)."""
        if ent.type in ("person", "other") and not any(
            _name_words(a, ent.type) >= 2 for a in ent.aliases
        ):
            singles = self._candidates(ent.aliases, ent.type)
            self.prefetch_context(singles)
            supported = [c for c in singles if self.evidence(c, context) >= 1]
            if supported:
                return self._best(supported, context)
            return f"{ent.type}:{slug(ent.name)}~{_short_hash(article_id)}"
        fuzzy = [c for c in self._fuzzy(ent.name, ent.type) if self.evidence(c, context) >= 1]
        if fuzzy:
            return self._best(fuzzy, context)
        return f"{ent.type}:{slug(ent.name)}"

    def remember(
        self, article_id: str, entity_id: str, etype: str, name: str, surfaces: Iterable[str]
    ) -> None:
        self.types.setdefault(entity_id, etype)
        self.names.setdefault(entity_id, name)
        stored = self.stored.aliases
        added: list[str] = []
        for surface in surfaces:
            key = norm(surface)
            known = stored.get(key)
            if known is not None and entity_id in known:
                continue
            learned = self._batch_aliases.get(key)
            if learned is None:
                learned = self._batch_aliases[key] = set()
                if known is None:
                    self._batch_near.add(key)  # a new key: after all the known ones
            if entity_id not in learned:
                learned.add(entity_id)
                self._batch_keys_of.setdefault(entity_id, set()).add(key)
                added.append(key)
        self.batch_article_entities[article_id].add(entity_id)
        self.batch_entity_articles[entity_id].add(article_id)
        self._index_typed(entity_id, etype, added)

    def _index_typed(self, entity_id: str, etype: str, added: list[str]) -> None:
        """The entity now has a mention in this batch: its keys become fuzzy candidates' keys
        (all of them the first time, unless the stored index has them; then the new ones)."""
        etype = self.types.get(entity_id, etype)
        keys: Iterable[str] = added
        if entity_id not in self._batch_typed_entities:
            self._batch_typed_entities.add(entity_id)
            keys = set(self._batch_keys_of.get(entity_id, ()))
            if entity_id not in self.stored.typed_entities:
                keys |= self.stored.keys_of.get(entity_id, set())
        for key in keys:
            if not self.stored.typed.has(etype, key):
                self._batch_typed.add(etype, key)


def _document_entities(value: Any) -> DocumentEntities:
    if isinstance(value, DocumentEntities):
        return value
    if isinstance(value, str):
        import json

        value = json.loads(value)
    return DocumentEntities.from_storage(value)


def _link_order(entities: list[DocEntity]) -> list[DocEntity]:
    """Canonical first, then organisations/places/..., then full person names, then lone names:
    each step adds context (co-occurring entities) that the next, weaker step may need."""

    def rank(e: DocEntity) -> tuple[int, int, int]:
        words = max((_name_words(a, e.type) for a in e.aliases), default=1)
        if e.canonical_id:
            return (0, 0, e.mentions[0].start if e.mentions else 0)
        if e.type not in ("person", "other"):
            return (1, -words, e.mentions[0].start if e.mentions else 0)
        return (2 if words >= 2 else 3, -words, e.mentions[0].start if e.mentions else 0)

    return sorted(entities, key=rank)


def _likely_candidates(linker: Linker, parsed: Iterable[DocumentEntities]) -> set[str]:
    """Stored entities that the batch's names already point to: whose co-occurrences linking
    will probably ask for. A guess only (misses are queried when needed). Entities the
    gazetteer already resolved link without evidence: their names' candidates (mostly places,
    with the longest co-occurrence lists) are left out."""
    out: set[str] = set()
    for doc in parsed:
        for ent in doc.entities:
            if ent.canonical_id:
                continue
            for name in (ent.name, *ent.aliases, *ent.acronyms):
                out.update(linker.ids_for(norm(name)))
    return out


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
#: Rows written by linking carry ``source = 'learned'`` (the aliases' column default is 'seed').
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


def store_entities(con: Any, documents: list[dict]) -> dict[str, int]:
    """Link and write the entities of ``documents``; run inside the caller's transaction.

    Each document: ``{"article_id", "language", "site", "published_at", "title", "entities"}``
    where ``entities`` is ``DocumentEntities.to_storage()`` (dict or JSON string) or the object.
    Returns counts: articles, mentions, new entities, new aliases.

    Linking reads the warehouse only as it was before the batch (the batch's own links are kept
    in the :class:`Linker`), so the rows are collected first and written at the end with one
    statement per table: the same rows, in the same order, as writing them one by one.

    What linking reads (the :class:`StoredIndex`) is kept for the next call on the same
    connection and advanced by this batch's rows, so a run's later batches do not re-read the
    whole warehouse; it is rebuilt whenever keeping it could change a row (see
    :func:`_reusable_index`; :func:`forget_kept_index` drops it).
    """
    articles = [str(d["article_id"]) for d in documents]
    if not articles:
        return {"articles": 0, "mentions": 0, "entities_new": 0, "aliases_new": 0}
    con.execute("CREATE TEMP TABLE IF NOT EXISTS _entity_batch (article_id VARCHAR)")
    con.execute("DELETE FROM _entity_batch")
    with registered_strings(con, articles) as view:
        con.execute(f"INSERT INTO _entity_batch SELECT value FROM {view}")
    stored = _reusable_index(con)
    (deleted,) = con.execute(
        "DELETE FROM mentions WHERE article_id IN (SELECT article_id FROM _entity_batch)"
    ).fetchone()
    if deleted:  # re-processed articles: the index still has their old mentions
        stored = None
    linker = Linker(con, set(articles), stored)
    parsed_docs = [_document_entities(doc["entities"]) for doc in documents]
    linker.prefetch_context(_likely_candidates(linker, parsed_docs))
    counts = Counter(articles=0, mentions=0, entities_new=0, aliases_new=0)
    article_rows: dict[str, list[Any]] = {}
    entity_rows: list[tuple[str, str, str, str]] = []
    mention_rows: list[tuple[str, int, str, int, int, str, float]] = []
    alias_candidates: list[tuple[str, str, str]] = []  # (entity, alias, language), in order
    for doc, parsed, article_id in zip(documents, parsed_docs, articles, strict=True):
        language = doc.get("language") or parsed.language or "mul"
        article_rows.pop(article_id, None)  # a repeated article: the last one wins, as REPLACE
        article_rows[article_id] = [
            article_id, language, doc.get("site"), doc.get("published_at"), doc.get("title"),
        ]  # fmt: skip
        # Two passes: exact links first, so that the evidence the weaker links need (entities of
        # this article) is complete when they are decided.
        context: set[str] = set()
        ordered = _link_order(parsed.entities)
        ids: dict[int, str] = {}
        for k, ent in enumerate(ordered):
            entity_id = linker.link_exact(ent, context)
            if entity_id is not None:
                ids[k] = entity_id
                context.add(entity_id)
        for k, ent in enumerate(ordered):
            if k not in ids:
                ids[k] = linker.link_with_evidence(article_id, ent, context)
                context.add(ids[k])
        resolved: list[tuple[DocEntity, str]] = []
        for k, ent in enumerate(ordered):
            entity_id = ids[k]
            resolved.append((ent, entity_id))
            if entity_id not in linker.types:
                entity_rows.append((entity_id, ent.name, ent.type, "learned"))
                counts["entities_new"] += 1
            linker.remember(article_id, entity_id, ent.type, ent.name, ent.aliases)
            for alias in dict.fromkeys([*ent.aliases, *ent.acronyms]):
                alias_candidates.append((entity_id, alias, language))
        rows = sorted(
            (m.start, m.end, entity_id, m.surface, m.confidence)
            for ent, entity_id in resolved
            for m in ent.mentions
        )
        mention_rows.extend(
            (article_id, no, eid, surf_start, surf_end, surf, conf)
            for no, (surf_start, surf_end, eid, surf, conf) in enumerate(rows)
        )
        counts["articles"] += 1
        counts["mentions"] += len(rows)
    alias_rows = _new_aliases(con, alias_candidates)
    counts["aliases_new"] = len(alias_rows)
    _write_entity_articles(con, list(article_rows.values()))
    # OR IGNORE as before: new entity ids and new (alias, language, entity) keys are already
    # unique here (checked against the stored rows), so nothing is actually ignored.
    entities = arrow_rows(_ENTITY_COLUMNS, entity_rows)
    insert_arrow(con, "entities", entities, verb="INSERT OR IGNORE")
    insert_arrow(
        con, "entity_aliases", arrow_rows(_ALIAS_COLUMNS, alias_rows), verb="INSERT OR IGNORE"
    )
    insert_arrow(con, "mentions", arrow_rows(_MENTION_COLUMNS, mention_rows))
    linker.stored.advance(mention_rows, (row[0] for row in entity_rows))
    _keep_index(con, linker.stored)
    return dict(counts)


def _new_aliases(
    con: Any, candidates: list[tuple[str, str, str]]
) -> list[tuple[str, str, str, str]]:
    """The learned alias rows to write: each (alias, language, entity) not stored yet under
    that language or 'mul', nor added earlier in the batch.

    Reads only the stored aliases of the batch's entities (not the whole table): whether an
    alias is new never changes how anything links, so it is decided after linking.
    """
    if not candidates:
        return []
    entity_ids = sorted({entity_id for entity_id, _, _ in candidates})
    with registered_strings(con, entity_ids) as view:
        known = set(
            con.execute(
                "SELECT alias, language, entity_id FROM entity_aliases"
                f" WHERE entity_id IN (SELECT value FROM {view})"
            ).fetchall()
        )
    rows: list[tuple[str, str, str, str]] = []
    for entity_id, alias, language in candidates:
        if (alias, language, entity_id) in known or (alias, "mul", entity_id) in known:
            continue
        rows.append((entity_id, alias, language, "learned"))
        known.add((alias, language, entity_id))
    return rows


# -- the index kept between batches ------------------------------------------------------------
#: The index after the last batch stored in this process: (token, warehouse fingerprint, index).
#: One slot: a run loads on one connection; anything else simply rebuilds.
_kept: tuple[str, tuple[Any, ...], StoredIndex] | None = None
_kept_lock = threading.Lock()


def _fingerprint(con: Any) -> tuple[Any, ...]:
    """Row counts of the tables the index is read from, and the seed files loaded: any write
    that is not a batch stored here (seeds reloaded, a batch from another connection, rows
    deleted) changes them. Counts come from table metadata: no scan, whatever the size."""
    counts = con.execute(
        "SELECT (SELECT count(*) FROM entities), (SELECT count(*) FROM entity_aliases),"
        " (SELECT count(*) FROM mentions),"
        " (SELECT count(*) FROM duckdb_tables() WHERE table_name = 'seed_files')"
    ).fetchone()
    seeds = None
    if counts[3]:
        seeds = con.execute(
            "SELECT list(path || checksum ORDER BY path) FROM seed_files"
        ).fetchone()
    return (*counts, seeds)


def _reusable_index(con: Any) -> StoredIndex | None:
    """The index kept after the previous batch, when it is exactly what a fresh build would
    read now: same connection, that batch committed, nothing else written since.

    The token lives in a TEMP table, which belongs to one connection and follows its
    transactions: another connection has none, and a rolled-back batch leaves the token of the
    index before it (so its kept index, which has the batch, does not match).
    """
    global _kept
    with _kept_lock:
        kept, _kept = _kept, None  # taken: a batch that fails midway leaves nothing behind
    if kept is None:
        return None
    token, fingerprint, index = kept
    con.execute("CREATE TEMP TABLE IF NOT EXISTS _entity_linker_state (token VARCHAR)")
    row = con.execute("SELECT max(token) FROM _entity_linker_state").fetchone()
    if row[0] != token or _fingerprint(con) != fingerprint:
        return None
    return index


def _keep_index(con: Any, index: StoredIndex) -> None:
    """Keep ``index`` (advanced by the batch just written) for the next batch on ``con``."""
    global _kept
    token = uuid.uuid4().hex
    con.execute("CREATE TEMP TABLE IF NOT EXISTS _entity_linker_state (token VARCHAR)")
    con.execute("DELETE FROM _entity_linker_state")
    con.execute("INSERT INTO _entity_linker_state VALUES (?)", [token])
    fingerprint = _fingerprint(con)
    with _kept_lock:
        _kept = (token, fingerprint, index)


def forget_kept_index() -> None:
    """Drop the index kept between batches (its memory; the next batch rebuilds it)."""
    global _kept
    with _kept_lock:
        _kept = None


# -- story clusters --------------------------------------------------------------------------------


def _close_in_time(a: datetime | None, b: datetime | None) -> bool:
    return a is None or b is None or abs(a - b) <= STORY_WINDOW


def _same_scene(
    a: datetime | None,
    b: datetime | None,
    shared: set[str],
    shared_places: set[str],
    types: dict[str, str],
) -> bool:
    """One shared actor in the same (several) places on the same day; both dates needed."""
    places = sum(
        STORY_COUNTRY_POINTS if types.get(e) == "country" else STORY_PLACE_POINTS
        for e in shared_places
    )
    return (
        len(shared) >= 1
        and places >= STORY_MIN_SHARED_PLACES
        and a is not None
        and b is not None
        and abs(a - b) <= STORY_SCENE_WINDOW
    )


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
    """
    rows = con.execute(
        """SELECT a.article_id, a.language, a.published_at, list(DISTINCT m.entity_id)
           FROM entity_articles a JOIN mentions m USING (article_id)
           GROUP BY a.article_id, a.language, a.published_at"""
    ).fetchall()
    types = dict(con.execute("SELECT entity_id, type FROM entities").fetchall())
    docs = {
        r[0]: (r[1], r[2], {e for e in r[3] if types.get(e, "other") not in GEO_TYPES})
        for r in rows
    }
    geo = {r[0]: {e for e in r[3] if types.get(e, "other") in GEO_TYPES} for r in rows}
    n = len(docs)
    df = Counter(e for _, _, ents in docs.values() for e in ents)
    df.update(e for places in geo.values() for e in places)
    idf = {e: math.log((n + 1) / c) for e, c in df.items()}
    postings: dict[str, list[str]] = defaultdict(list)
    for article_id, (_, _, ents) in docs.items():
        for e in ents:
            postings[e].append(article_id)
    parent = {a: a for a in docs}

    def find(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    shared_by: dict[str, set[str]] = defaultdict(set)
    for a in sorted(docs):
        candidates = {
            b
            for e in docs[a][2]
            if len(postings[e]) <= STORY_MAX_POSTINGS
            for b in postings[e]
            if b > a
        }
        for b in sorted(candidates):
            if not _close_in_time(docs[a][1], docs[b][1]):
                continue
            shared = docs[a][2] & docs[b][2]
            shared_places = geo[a] & geo[b]
            same_person_same_place = any(types.get(e) == "person" for e in shared) and bool(
                shared_places
            )
            same_scene = _same_scene(docs[a][1], docs[b][1], shared, shared_places, types)
            if len(shared) < STORY_MIN_SHARED and not (same_person_same_place or same_scene):
                continue
            counted = shared | shared_places if len(shared) < STORY_MIN_SHARED else shared
            weight = sum(idf[e] for e in counted)
            smaller = min(
                sum(idf[e] for e in docs[x][2] | (geo[x] if counted is not shared else set()))
                for x in (a, b)
            )
            if same_person_same_place or (smaller > 0 and weight / smaller >= STORY_MIN_SCORE):
                parent[find(a)] = find(b)
                shared_by[a] |= shared
                shared_by[b] |= shared
    clusters: dict[str, list[str]] = defaultdict(list)
    for a in docs:
        clusters[find(a)].append(a)
    con.execute("DELETE FROM story_clusters")
    out_rows = []
    for members in clusters.values():
        if len(members) < 2:
            continue
        story_id = f"story:{min(members)}"
        for a in sorted(members):
            out_rows.append([a, story_id, docs[a][0], docs[a][1], sorted(shared_by[a])])
    if out_rows:
        con.executemany("INSERT INTO story_clusters VALUES (?, ?, ?, ?, ?)", out_rows)
    return sum(1 for m in clusters.values() if len(m) >= 2)
