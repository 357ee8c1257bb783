"""The prefix table of cut common names (``rules.english_completions``) read back from the
on-disk cache is the table built from wordfreq, and a second process does not rebuild it."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsetl.artefacts import rules


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("NEWSETL_CACHE_DIR", str(directory))
    rules.english_completions.cache_clear()
    yield directory
    rules.english_completions.cache_clear()


def test_completions_from_the_cache_equal_a_fresh_build(cache: Path) -> None:
    built = rules._build_english_completions()
    first = rules.english_completions()  # builds and writes the file
    assert [p.name.split("-")[0] for p in cache.glob("*.pickle")] == ["artefacts_completions"]
    rules.english_completions.cache_clear()
    second = rules.english_completions()  # read back from the file
    assert first == built and second == built
    assert second is not first
    assert "europ" in second and "europe" in second["europ"]  # "the Europ Union"


def test_a_cached_table_is_used_instead_of_building(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules.english_completions()
    rules.english_completions.cache_clear()

    def fail() -> dict:
        raise AssertionError("built again although the cache holds the table")

    monkeypatch.setattr(rules, "_build_english_completions", fail)
    assert rules.english_completions()["europ"]
