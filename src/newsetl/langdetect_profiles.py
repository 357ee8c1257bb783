"""langdetect's profiles (its ``DetectorFactory``) from the disk cache (:mod:`newsetl.cache`).

Why: langdetect builds its n-gram table at every start (``DetectorFactory.load_profile``: 55
JSON profiles parsed, then ``add_profile`` fills ``word_lang_prob_map``, 87,598 n-grams each
with a list of 55 probabilities): ~0.28-0.33 s of CPU in every run's fork server, on the
serial warm-up before the pool's workers start. The table is a pure function of the profile
files and of the order ``os.listdir`` gives them in (a language's index in every list). Only
184,129 of its 4.8 million probabilities are not zero, so the cache holds them per language
(an ``array('d')`` of the values, which keeps every float's bits, and the n-grams' positions),
and the table is rebuilt from them by C loops (``map``), ~0.03-0.05 s.

The rebuilt factory holds the same n-grams in the same order, the same languages in the same
order and lists equal to langdetect's element by element (``tests/test_langdetect_profiles.py``):
the zeros are one shared ``0.0`` as in langdetect's ``[0.0] * langsize``. Anything unexpected
(no cache, a file that does not hold what it should, another layout of langdetect's factory)
means langdetect's own ``init_factory``.
"""

from __future__ import annotations

import gc
import logging
import os
from array import array
from collections import deque
from itertools import repeat
from math import copysign
from operator import setitem

log = logging.getLogger(__name__)

#: Bump when the cached form below changes.
_FORM = "sparse-per-language-1"


def _key(directory: str, names: list[str]) -> str:
    """The cache key: langdetect's version, the profile files in ``os.listdir``'s order, and
    each file's bytes (2.3 MB hashed, ~3 ms)."""
    from pathlib import Path

    from newsetl.cache import cache_key, distribution_version

    parts: list[str | bytes | Path] = [_FORM, distribution_version("langdetect")]
    for name in names:
        parts.append(name)
        parts.append(Path(directory, name))
    return cache_key("langdetect-profiles", *parts)


def _sparse(factory: object) -> tuple:
    """The compact form of a loaded factory: (languages, n-grams, row length, per language
    the n-grams' positions and their non-zero probabilities)."""
    langlist = list(factory.langlist)  # type: ignore[attr-defined]
    table: dict[str, list[float]] = factory.word_lang_prob_map  # type: ignore[attr-defined]
    words = list(table)
    lengths = {len(row) for row in table.values()}
    if len(lengths) != 1:
        raise ValueError("rows of different lengths")
    (width,) = lengths
    positions = [array("I") for _ in range(width)]
    values = [array("d") for _ in range(width)]
    for at, row in enumerate(table.values()):
        for i, p in enumerate(row):
            if p != 0.0 or copysign(1.0, p) < 0.0:  # a -0.0 kept as a value
                positions[i].append(at)
                values[i].append(p)
    return (langlist, words, width, positions, values)


def _rebuild(form: tuple) -> tuple[list[str], dict[str, list[float]]]:
    """langdetect's ``langlist`` and ``word_lang_prob_map`` from :func:`_sparse`'s form."""
    langlist, words, width, positions, values = form
    zeros = [0.0] * width
    rows = list(map(list.copy, repeat(zeros, len(words))))
    for i, (at, vals) in enumerate(zip(positions, values, strict=True)):
        # rows[at][i] = value for each, in C
        deque(map(setitem, map(rows.__getitem__, at), repeat(i), vals.tolist()), maxlen=0)
    return list(langlist), dict(zip(words, rows, strict=True))


def load_factory(freeze: bool = False) -> None:
    """Give langdetect its factory (``detector_factory._factory``) from the disk cache, built
    by langdetect and written there the first time. Does nothing when it is loaded already;
    never raises (langdetect's ``init_factory`` then loads it as before).

    ``freeze`` (the fork server's warm-up, which freezes what each part keeps:
    :func:`newsetl.workers.settle_warm_part`): the young generations' garbage is collected
    first, and the rebuilt table frozen at once. Why: the table is rebuilt with the collector
    paused, so its 87,598 lists would all be young, and the part's settle would traverse them
    (0.034-0.039 s, 4.8 million references) only to freeze them."""
    try:
        from langdetect import detector_factory

        if detector_factory._factory is not None:
            return
        from newsetl.cache import cached

        directory = detector_factory.PROFILES_DIRECTORY
        names = os.listdir(directory)
        built: list[object] = []

        def build() -> tuple:
            factory = detector_factory.DetectorFactory()
            factory.load_profile(directory)
            built.append(factory)
            return _sparse(factory)

        form = cached("langdetect_profiles", _key(directory, names), build)
        if built:
            factory = built[0]
        else:
            factory = detector_factory.DetectorFactory()
            enabled = gc.isenabled()
            if freeze and enabled:
                gc.collect(1)
            gc.disable()  # 87,598 new lists: the collector would rescan them as they come
            try:
                factory.langlist, factory.word_lang_prob_map = _rebuild(form)
                if freeze and enabled:
                    gc.freeze()
            finally:
                if enabled:
                    gc.enable()
        if detector_factory._factory is None:
            detector_factory._factory = factory
    except Exception:  # an optimisation only
        log.debug("langdetect's profiles not loaded from the cache", exc_info=True)
