"""The on-disk cache of derived data (newsetl.cache) and the cached default gazetteer.

Real files in a temporary directory; the only thing replaced is ``NEWSETL_CACHE_DIR``."""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from newsetl.cache import ENV_VAR, cache_dir, cache_key, cached
from newsetl.entities import gazetteer as gz


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(ENV_VAR, str(directory))
    return directory


class Builder:
    """A build callable that counts its calls and returns a fresh object each time."""

    def __init__(self, value: object = None) -> None:
        self.calls = 0
        self.value = value if value is not None else {"words": ["Genf", "Lyon"], "n": 2}

    def __call__(self) -> object:
        self.calls += 1
        return pickle.loads(pickle.dumps(self.value))


def never() -> object:
    raise AssertionError("built although the cache file should have been read")


def files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


# --- given names and the artefact lexicon's place names ----------------------------------------


def test_given_names_and_place_names_are_cached_and_equal_a_fresh_build(cache: Path) -> None:
    from newsetl.artefacts import lexicon
    from newsetl.entities import names

    given = names._load.__wrapped__(names._ATTRS)  # the function behind its in-memory cache
    places = lexicon._geonames.__wrapped__()
    written = files(cache)
    assert [n.split("-")[0] for n in written] == [
        "lexicon_places",
        "names_first_names_first_names_male_first_names_female",
    ]
    assert given == names._build(names._ATTRS) and "giulia" in given
    assert places == lexicon._build_geonames() and "rome" in places
    # a second process (here: a second call past the in-memory cache) reads the files
    for path in cache.iterdir():
        name, key = path.stem.split("-", 1)
        assert cached(name, key, never) in (given, places)
    assert files(cache) == written


# --- the default gazetteer ---------------------------------------------------------------------


def test_cached_gazetteer_equals_a_fresh_build_and_is_read_back(cache: Path) -> None:
    key = gz.gazetteer_cache_key()
    # The function behind get_gazetteer's in-memory cache: builds and writes the file.
    written = gz._cached.__wrapped__(())
    # the build also caches the given names and surnames it reads (newsetl.entities.names)
    assert [f for f in files(cache) if f.startswith("gazetteer-")] == [f"gazetteer-{key}.pickle"]
    loaded = cached("gazetteer", key, never)
    fresh = gz.build_gazetteer()
    assert loaded is not written
    assert loaded.by_key == fresh.by_key  # same aliases, in the same order per key
    assert loaded.entities == fresh.entities
    assert loaded.max_len == fresh.max_len
    assert loaded.prefixes == fresh.prefixes
    assert loaded.lookup(("genf",)) == fresh.lookup(("genf",))
    assert loaded.lookup(("genf",))  # a German seed alias, so the comparison is not of empties


def test_gazetteer_key_follows_the_seed_files(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(gz.seed_dir(), seeds)
    before = gz.gazetteer_cache_key(seeds)
    assert gz.gazetteer_cache_key(seeds) == before
    assert before == gz.gazetteer_cache_key()  # same bytes, other folder: same key
    with (seeds / "entity_aliases.csv").open("a", encoding="utf-8") as fh:
        fh.write("org:zz,Zentralamt Zett,de\n")
    edited = gz.gazetteer_cache_key(seeds)
    assert edited != before
    (seeds / "entities_extra.csv").write_text("entity_id,name,type\n", encoding="utf-8")
    assert gz.gazetteer_cache_key(seeds) not in (before, edited)


def test_caches_built_with_the_shared_text_code_follow_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gazetteer, the name lists and the demonym tables are built with code of
    ``newsetl.text`` (geonames' reader, accent stripping): an edit there must give their
    caches new keys, or an upgrade would read what the older code built."""
    import newsetl.text as shared_text
    from newsetl.entities import demonyms, names

    assert {p.name for p in shared_text.SOURCES} >= {
        "accents.py",
        "people.py",
        "places.py",
        "particles.py",
    }
    stand_in = tmp_path / "accents.py"
    stand_in.write_text("old", encoding="utf-8")
    monkeypatch.setattr(shared_text, "SOURCES", (stand_in,))

    def keys() -> tuple[str, ...]:
        return gz.gazetteer_cache_key(), names.cache_key(), demonyms.cache_key("de")

    before = keys()
    assert keys() == before
    stand_in.write_text("edited", encoding="utf-8")
    after = keys()
    assert all(a != b for a, b in zip(before, after, strict=True)), (before, after)


def test_the_detectors_name_lists_follow_the_faker_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The detectors' given names and surnames are built by :mod:`newsetl.text.people`: an edit
    there gives them new keys."""
    from newsetl.artefacts import lexicon
    from newsetl.text import people

    stand_in = tmp_path / "people.py"
    stand_in.write_text("old", encoding="utf-8")
    monkeypatch.setattr(people, "__file__", str(stand_in))
    before = [lexicon.person_names_key(a) for a in ("first_names", "last_names")]
    assert before == [lexicon.person_names_key(a) for a in ("first_names", "last_names")]
    stand_in.write_text("edited", encoding="utf-8")
    after = [lexicon.person_names_key(a) for a in ("first_names", "last_names")]
    assert all(a != b for a, b in zip(before, after, strict=True))


def test_cache_key_separates_parts_and_reads_files(tmp_path: Path) -> None:
    assert cache_key("ab", "c") != cache_key("a", "bc")
    assert cache_key("a") == cache_key("a")
    f = tmp_path / "data.csv"
    f.write_bytes(b"one")
    first = cache_key(f)
    f.write_bytes(b"two")
    assert cache_key(f) != first
    assert cache_key(tmp_path / "missing.csv") != cache_key(f)


# --- the cache itself --------------------------------------------------------------------------


def test_second_call_reads_the_file(cache: Path) -> None:
    build = Builder()
    first = cached("words", "k1", build)
    assert build.calls == 1
    assert files(cache) == ["words-k1.pickle"]
    second = cached("words", "k1", never)
    assert second == first == build.value
    assert second is not first


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"not a pickle at all",
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: b"",
        lambda data: pickle.dumps(("another", "layout")),  # valid pickle, not ours
    ],
    ids=["garbage", "truncated", "empty", "foreign"],
)
def test_damaged_file_is_rebuilt_and_replaced(
    cache: Path, damage: Callable[[bytes], bytes]
) -> None:
    cached("words", "k1", Builder())
    path = cache / "words-k1.pickle"
    path.write_bytes(damage(path.read_bytes()))
    build = Builder()
    assert cached("words", "k1", build) == build.value
    assert build.calls == 1
    assert cached("words", "k1", never) == build.value  # the file was written again


def test_file_of_another_key_renamed_is_not_trusted(cache: Path) -> None:
    cached("words", "k1", Builder({"old": 1}))
    (cache / "words-k1.pickle").rename(cache / "words-k2.pickle")
    build = Builder({"new": 2})
    assert cached("words", "k2", build) == {"new": 2}
    assert build.calls == 1


def test_changed_key_keeps_the_last_used_other_key_and_removes_older_ones(cache: Path) -> None:
    """Two installations on one machine (other seeds, other package versions) alternate
    between two keys: both stay; a third key removes the one used least recently."""
    import os
    import time

    cached("words", "k1", Builder({"v": 1}))
    cached("wordsmore", "k1", Builder({"other": 1}))  # another name sharing a prefix
    build = Builder({"v": 2})
    assert cached("words", "k2", build) == {"v": 2}
    assert build.calls == 1
    assert files(cache) == ["words-k1.pickle", "words-k2.pickle", "wordsmore-k1.pickle"]
    assert cached("words", "k1", never) == {"v": 1}  # the other installation: no rebuild
    past = time.time() - 60
    os.utime(cache / "words-k2.pickle", (past, past))  # k2 used longer ago than k1
    assert cached("words", "k3", Builder({"v": 3})) == {"v": 3}
    assert files(cache) == ["words-k1.pickle", "words-k3.pickle", "wordsmore-k1.pickle"]
    assert cached("words", "k3", never) == {"v": 3}


def test_unwritable_directory_still_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache directory cannot be created below a file")
    monkeypatch.setenv(ENV_VAR, str(blocker / "cache"))
    build = Builder()
    assert cached("words", "k1", build) == build.value
    assert cached("words", "k1", build) == build.value
    assert build.calls == 2
    assert not (blocker / "cache").exists()


def test_unpicklable_value_is_returned_and_no_file_is_left(cache: Path) -> None:
    value = {"lock": __import__("threading").Lock()}
    assert cached("words", "k1", lambda: value) is value
    assert [f for f in files(cache) if not f.startswith(".")] == []
    assert [f for f in files(cache) if f.endswith(".tmp")] == []


@pytest.mark.parametrize("setting", ["off", "OFF", "", "  "])
def test_disabled_cache_builds_every_time(
    setting: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, setting)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() is None
    build = Builder()
    cached("words", "k1", build)
    cached("words", "k1", build)
    assert build.calls == 2
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()


def test_default_directory_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "newsetl"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "newsetl"


def test_names_and_keys_cannot_escape_the_directory(cache: Path) -> None:
    for name, key in [("../x", "k"), ("words", "a/b"), ("a-b", "k"), ("words", "")]:
        with pytest.raises(ValueError):
            cached(name, key, never)


def test_simplemma_dictionaries_come_from_the_cache_with_the_same_entries(cache: Path) -> None:
    """simplemma's stream dictionary is built once, then read from the cache directory; both
    give exactly what simplemma's own factory gives (entries, misses, length)."""
    from simplemma.strategies.dictionaries import StreamDictionaryFactory

    from newsetl.simplemma_cache import stream_dictionary

    own = StreamDictionaryFactory().get_dictionary("fr")
    built = stream_dictionary("fr")
    files = list(cache.glob("simplemma_fr-*.smap"))  # one mapped file (newsetl.simplemma_cache)
    assert len(files) == 1
    read = stream_dictionary("fr")  # from the file this time
    keys = list(own)
    probes = [*keys[:: max(1, len(keys) // 5000)], "Genève", "chevaux", "xqzw", ""]
    for mapping in (built, read):
        assert len(mapping) == len(own)
        assert [mapping.get(k) for k in probes] == [own.get(k) for k in probes]
    with pytest.raises(ValueError):
        stream_dictionary("xx")  # a language simplemma does not have: its own error


def test_mapped_tables_keep_the_two_most_recent_keys_of_their_name_only(tmp_path) -> None:
    """The word lists' and simplemma's mapped files share the pickles' write and eviction:
    a name keeps its two most recently used keys, and a longer name is never touched."""
    import os
    import time

    from newsetl.cache import write_atomically

    for key in ("a1", "b2", "c3"):
        assert write_atomically(
            tmp_path / f"freq-de-{key}.lexdata", "freq-de", lambda f: f.write(b"x")
        )
        time.sleep(0.02)
    (tmp_path / "freq-de-best-zz.lexdata").write_bytes(b"other table")
    (tmp_path / "simplemma_fr-a1.smap").write_bytes(b"other suffix")
    assert sorted(os.listdir(tmp_path)) == [
        "freq-de-b2.lexdata",
        "freq-de-best-zz.lexdata",
        "freq-de-c3.lexdata",
        "simplemma_fr-a1.smap",
    ]
    assert not write_atomically(
        tmp_path / "missing" / "\0bad-k.smap", "bad", lambda f: f.write(b"")
    )


def test_distribution_version_is_asked_once_per_name():
    """The installed version (``=none`` when absent), looked up once per process and name."""
    from importlib.metadata import version

    from newsetl.cache import distribution_version

    distribution_version.cache_clear()
    assert distribution_version("wordfreq") == f"wordfreq={version('wordfreq')}"
    assert distribution_version("no-such-distribution-x") == "no-such-distribution-x=none"
    assert distribution_version("wordfreq") == f"wordfreq={version('wordfreq')}"
    assert distribution_version.cache_info().hits == 1


def test_a_read_in_the_fork_server_s_warm_up_is_frozen_at_once(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cache.freeze_loaded`` (set by the fork server's warm-up): what is read is frozen
    before the collector runs again, so no young collection traverses it; a process forked
    meanwhile (the early helper) reads as any."""
    import gc
    import os

    import newsetl.cache as cache_module

    value = {"rows": [[i, str(i)] for i in range(2000)]}
    cached("frozen", "k1", Builder(value))  # written
    gc.collect()
    frozen = gc.get_freeze_count()
    try:
        loaded = cached("frozen", "k1", never)  # read, not frozen
        assert gc.get_freeze_count() == frozen
        assert any(o is loaded for o in gc.get_objects())
        monkeypatch.setattr(cache_module, "freeze_loaded", True)
        loaded = cached("frozen", "k1", never)
        assert loaded == value
        assert gc.get_freeze_count() - frozen >= 2000  # the rows' lists
        assert not any(o is loaded for o in gc.get_objects())  # in no generation
        pid = os.fork()
        if pid == 0:  # the child reads as any process
            os._exit(0 if cache_module.freeze_loaded is False else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        gc.unfreeze()
