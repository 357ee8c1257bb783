"""The artefact detector's warm-up computes the commonest English words' evidence once, in the
fork server, for every worker (round 12): the words are wordfreq's commonest, read back from
the disk cache as built, and what a worker reads from the filled cache is what it would
compute itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsetl.artefacts import core, foreign, lexicon
from newsetl.text.lexdata import top_words


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEWSETL_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_common_words_are_wordfreq_s_commonest_and_come_back_from_the_cache(cache_home):
    built = lexicon.common_words("en")
    assert built == tuple(top_words("en", lexicon.COMMON_WORDS))
    assert built[:4] == ("the", "to", "and", "of")
    assert len(built) == lexicon.COMMON_WORDS
    assert list(cache_home.glob("artefacts_common_en-*.pickle"))
    assert lexicon.common_words("en") == built  # read back, not rebuilt


def test_warm_up_fills_the_english_evidence_with_what_a_cold_lookup_gives():
    lean = foreign.lean_of("en")
    lean.cache_clear()
    core.warm_up()
    words = lexicon.common_words("en")
    assert lean.cache_info().currsize >= len(words)
    hits = lean.cache_info().hits
    warm = [lean(word) for word in words]
    assert lean.cache_info().hits == hits + len(words)  # a worker misses on none of them
    lean.cache_clear()
    lexicon.profile.cache_clear()
    lexicon.evidence.cache_clear()
    assert [lean(word) for word in words] == warm
    assert any(item.langs for item in warm) and any(item.own for item in warm)


def test_exonyms_come_back_from_the_cache_as_babel_gives_them(cache_home, monkeypatch):
    """The exonyms (CLDR's country names in 12 languages, via babel) are read from the disk
    cache after the first process, not loaded from babel's locales in each fork server."""
    import babel

    lexicon.exonyms.cache_clear()
    built = lexicon.exonyms()
    assert built == lexicon._build_exonyms()
    assert built["italia"] == "Italy" and built["deutschland"] == "Germany"
    assert list(cache_home.glob("artefacts_exonyms-*.pickle"))

    def no_babel(*args, **kwargs):
        raise AssertionError("babel's locales loaded again")

    monkeypatch.setattr(babel, "Locale", no_babel)
    lexicon.exonyms.cache_clear()
    try:
        again = lexicon.exonyms()
    finally:
        lexicon.exonyms.cache_clear()
    assert again == built and list(again) == list(built)  # the same names, in the same order
