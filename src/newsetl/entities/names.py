"""Given names in many languages, from Faker's person providers (data that ships with PyPI).

Why: capitalisation alone cannot tell "Reederin Sabine Oberholzer" (German: every noun has a
capital) or "Schipper Jan de Vries" (a sentence-initial role word) from a name; a known given name
marks where the person's name starts.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from .text import norm

_lock = threading.Lock()
_ATTRS = ("first_names", "first_names_male", "first_names_female")


def _scripts_ok(name: str) -> bool:
    return all(c.isalpha() or c in "-' " for c in name) and all(ord(c) < 0x0530 for c in name)


@lru_cache(maxsize=8)
def _load(attrs: tuple[str, ...] = _ATTRS) -> frozenset[str]:
    """The names, from the on-disk cache when it has them (importing every Faker locale costs
    ~0.4 s of CPU in each new process; see newsetl.cache)."""
    from ..cache import cached

    return cached(f"names_{'_'.join(attrs)}", cache_key(attrs), lambda: _build(attrs))


def cache_key(attrs: tuple[str, ...] = _ATTRS) -> str:
    """The on-disk cache key of :func:`_load`: Faker's version, the attributes, and the source
    of the code that filters the names (this module, ``text`` and the shared
    :mod:`newsetl.text`)."""
    from pathlib import Path

    from .. import text as shared_text
    from ..cache import cache_key as digest
    from ..cache import distribution_version

    here = Path(__file__).parent
    return digest(
        distribution_version("faker"),
        *attrs,
        here / "names.py",
        here / "text.py",
        *shared_text.SOURCES,
    )


def _build(attrs: tuple[str, ...]) -> frozenset[str]:
    """Faker's names of ``attrs`` longer than two letters, in Latin, Greek or Cyrillic script,
    in their comparison form."""
    from ..text.people import provider_names

    return frozenset(
        norm(name)
        for name in provider_names(attrs)
        if isinstance(name, str) and len(name) > 2 and _scripts_ok(name)
    )


def first_names() -> frozenset[str]:
    with _lock:
        return _load()


def last_names() -> frozenset[str]:
    """Surnames of Faker's locales: a small town called "Hamilton" or "Hashimoto" is more
    often a person in the news, so such towns stay out of the gazetteer."""
    with _lock:
        return _load(("last_names",))


def is_first_name(word: str) -> bool:
    return norm(word) in first_names()


def is_surname(word: str) -> bool:
    return norm(word) in last_names()
