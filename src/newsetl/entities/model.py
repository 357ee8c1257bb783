"""Data shapes shared by extraction, storage and the CLI (the contract with the pipeline)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ENTITY_TYPES = (
    "person", "organisation", "country", "city", "place", "treaty", "law", "event", "other",
    "nationality",
)  # fmt: skip


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    surface: str
    confidence: float


@dataclass
class DocEntity:
    #: the id (see ids.py): the seed id, or ``<type>:<name key>``, ending in ``~`` when local
    #: to the article (the loader completes it with a digest of the article id)
    key: str
    name: str  # best (longest / most complete) name in the document
    type: str  # one of ENTITY_TYPES
    mentions: list[Mention]
    aliases: list[str]  # distinct surfaces, incl. learned acronym definitions
    canonical_id: str | None = None  # seed / known entity id, else resolved at load time
    acronyms: list[str] = field(default_factory=list)  # acronyms defined in the text ("HRW")
    #: the surfaces that are written forms of the entity's own name (its learned aliases,
    #: :func:`.ids.own_forms`), when the analysis computed them; None: the loader computes them
    forms: list[str] | None = None

    def to_storage(self) -> dict:
        out = {
            "key": self.key,
            "name": self.name,
            "type": self.type,
            "canonical_id": self.canonical_id,
            "aliases": list(self.aliases),
            "acronyms": list(self.acronyms),
            "mentions": [[m.start, m.end, m.surface, m.confidence] for m in self.mentions],
        }
        if self.forms is not None:
            out["forms"] = list(self.forms)
        return out

    @classmethod
    def from_storage(cls, d: dict) -> DocEntity:
        key, name, etype, canonical_id, forms, mentions = staged_fields(d)
        return cls(
            key=key,
            name=name,
            type=etype,
            mentions=[Mention(int(s), int(e), surf, float(c)) for s, e, surf, c in mentions],
            aliases=list(d.get("aliases", [])),
            canonical_id=canonical_id,
            acronyms=list(d.get("acronyms", [])),
            forms=forms,
        )


#: One staged entity's fields: (key, name, type, canonical id, own forms or None, mentions as
#: ``[start, end, surface, confidence]``).
StagedFields = tuple[str, str, str, "str | None", "list[str] | None", list[Any]]


def staged_fields(d: dict) -> StagedFields:
    """The fields the loader reads of one entity in :meth:`DocEntity.to_storage`'s shape.

    The one reader of that shape: :meth:`DocEntity.from_storage` builds its object on it, and
    the loader (``store._staged_entities``) takes the tuple as it is, because building a
    ``DocEntity`` and a frozen ``Mention`` per mention only to read the fields back cost ~40 ms
    of the run process's CPU on the Zyte pages. The mentions are the stored lists; their
    reader converts the numbers."""
    forms = d.get("forms")
    return (
        d["key"], d["name"], d["type"], d.get("canonical_id"),
        None if forms is None else list(forms), d["mentions"],
    )  # fmt: skip


#: The version :meth:`DocumentEntities.to_storage` writes: 2, keys of id scheme 2; 3, keys of
#: id scheme 3 (``store.ID_SCHEME``). The loader recomputes the keys an older version staged
#: where the scheme changed them.
STORAGE_VERSION = 3


@dataclass
class DocumentEntities:
    language: str | None
    entities: list[DocEntity]
    #: the text was longer than the analysis cap, or the document had more entities (or
    #: mentions of one entity) than kept (see ``guard``)
    truncated: bool = False

    def to_json(self) -> dict:
        """The CLI shape: ``{"entities": [{"id", "name", "type", "mentions": [...]}]}``."""
        return {
            "entities": [
                {
                    "id": e.canonical_id or e.key,
                    "name": e.name,
                    "type": e.type,
                    "mentions": [
                        {"start": m.start, "end": m.end, "surface": m.surface} for m in e.mentions
                    ],
                }
                for e in self.entities
            ]
        }

    def to_storage(self) -> dict:
        """JSON-serialisable and lossless (the loader stages it and calls :meth:`from_storage`)."""
        return {"version": STORAGE_VERSION, "language": self.language, "truncated": self.truncated,
                "entities": [e.to_storage() for e in self.entities]}  # fmt: skip

    @classmethod
    def from_storage(cls, d: dict) -> DocumentEntities:
        return cls(
            d.get("language"),
            [DocEntity.from_storage(e) for e in d.get("entities", [])],
            bool(d.get("truncated", False)),
        )
