"""Person names from Faker's person providers (data that ships in its PyPI package): the one
reader.

Why one module: the artefact detectors (is this lower-case word someone's name?) and entity
extraction (where does a person's name start?) both read every Faker locale's given names and
surnames; they differ in what they keep (each filters and normalises the strings its own way),
not in how they read them.

Nothing is kept in memory here: importing every locale costs ~0.4 s of CPU, and both callers
run only when their own on-disk caches miss.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator


def provider_names(attrs: tuple[str, ...]) -> Iterator[object]:
    """Every value of the attributes ``attrs`` (``"first_names"``, ``"last_names_male"``...) of
    every Faker person provider: locale by locale in Faker's module order, attribute by
    attribute, the items of a tuple or list and the keys of a dict (names weighted by
    frequency). A locale whose provider does not import, and an attribute a locale lacks or
    computes (a property), give nothing. The values are Faker's, unchecked: callers keep the
    strings they want."""
    import faker.providers.person as person

    for module in pkgutil.iter_modules(person.__path__):
        try:
            provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        except (ImportError, AttributeError):
            continue
        for attr in attrs:
            values = provider.__dict__.get(attr, ())
            if isinstance(values, tuple | list | dict):
                yield from values
