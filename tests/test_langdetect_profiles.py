"""langdetect's profiles from the disk cache (``newsetl.langdetect_profiles``): the same table,
the same languages in the same order, the same probabilities."""

from __future__ import annotations

import gc
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from langdetect import detector_factory

from newsetl import langdetect_fast
from newsetl.langdetect_profiles import load_factory

TEXTS = (
    "The council said that it would not open the new bridge before the end of the year.",
    "Il consiglio comunale ha detto che il nuovo ponte non sarà aperto prima della fine.",
    "Der Stadtrat sagte, die neue Brücke werde nicht vor Ende des Jahres eröffnet.",
    "Городской совет заявил, что новый мост не откроется до конца года.",
    "市议会表示，新桥要到年底才能开通。",
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "cache"
    monkeypatch.setenv("NEWSETL_CACHE_DIR", str(directory))
    before = detector_factory._factory
    detector_factory._factory = None
    yield directory
    detector_factory._factory = before


def _langdetects_own() -> detector_factory.DetectorFactory:
    factory = detector_factory.DetectorFactory()
    factory.load_profile(detector_factory.PROFILES_DIRECTORY)
    return factory


def _same_table(a: detector_factory.DetectorFactory, b: detector_factory.DetectorFactory) -> None:
    assert a.langlist == b.langlist and len(a.langlist) == 55
    assert list(a.word_lang_prob_map) == list(b.word_lang_prob_map)  # same n-grams, same order
    for word, row in a.word_lang_prob_map.items():
        other = b.word_lang_prob_map[word]
        # bit for bit (``==`` would take -0.0 for 0.0)
        assert struct.pack(f"{len(row)}d", *row) == struct.pack(f"{len(other)}d", *other), word


def test_the_cached_profiles_are_langdetect_s_own_table(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_factory()  # built by langdetect, and written
    (path,) = cache.glob("langdetect_profiles-*.pickle")
    built = detector_factory._factory
    assert built is not None
    detector_factory._factory = None

    def fail(self: object, directory: str) -> None:
        raise AssertionError("langdetect's profiles parsed again")

    monkeypatch.setattr(detector_factory.DetectorFactory, "load_profile", fail)
    load_factory()  # read back, without langdetect's JSON
    loaded = detector_factory._factory
    assert loaded is not None and loaded is not built
    monkeypatch.undo()
    reference = _langdetects_own()
    _same_table(loaded, reference)
    # the zeros are one object, as langdetect's ``[0.0] * langsize``
    assert len({id(p) for row in loaded.word_lang_prob_map.values() for p in row if p == 0.0}) == 1
    for text in TEXTS:
        ours = langdetect_fast.detect_langs(text, seed=0)
        detector_factory._factory = reference
        theirs = langdetect_fast.detect_langs(text, seed=0)
        detector_factory._factory = loaded
        assert [(x.lang, x.prob) for x in ours] == [(x.lang, x.prob) for x in theirs]
    assert path.exists()


def test_a_damaged_cache_file_means_langdetect_s_own_profiles(cache: Path) -> None:
    load_factory()
    (path,) = cache.glob("langdetect_profiles-*.pickle")
    path.write_bytes(path.read_bytes()[:1000])  # truncated
    detector_factory._factory = None
    load_factory()  # built again by langdetect, not an error
    assert detector_factory._factory is not None
    _same_table(detector_factory._factory, _langdetects_own())


def test_the_warm_up_s_table_is_frozen_and_not_traversed_again(cache: Path) -> None:
    load_factory()  # written
    detector_factory._factory = None
    frozen = gc.get_freeze_count()
    try:
        load_factory(freeze=True)
        assert gc.get_freeze_count() - frozen >= 87_000  # the table's lists
        table = detector_factory._factory.word_lang_prob_map
        row = next(iter(table.values()))
        assert not any(row is o for o in gc.get_objects(generation=0))
    finally:
        gc.unfreeze()
