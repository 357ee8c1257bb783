"""The shared compact lexical tables (newsetl.text.lexdata, newsetl.simplemma_cache): the same answers
as the libraries' own dicts for every word, rebuilt when their file is missing or damaged, and
mapped (shared) rather than copied by each process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import wordfreq
from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamMap

from newsetl import simplemma_cache
from newsetl.text import lexdata


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("NEWSETL_CACHE_DIR", str(directory))
    monkeypatch.setattr(lexdata, "_tables", {})
    return directory


def _files(directory: Path, pattern: str) -> list[Path]:
    return sorted(directory.glob(pattern))


@pytest.mark.parametrize(("lang", "wordlist"), [("en", "best"), ("sl", "best"), ("pl", "small")])
def test_frequency_table_equals_wordfreq_on_every_word(cache: Path, lang: str, wordlist: str):
    expected = wordfreq.get_frequency_dict(lang, wordlist)
    table = lexdata.frequency_table(lang, wordlist)
    assert len(table) == len(expected)
    assert set(table) == set(expected)
    wrong = [w for w, f in expected.items() if table.get(w) != f or table[w] != f]
    assert wrong == []
    # words wordfreq does not have, including what marisa alone would get wrong: a NUL
    # (read as the end of a C string: "the\0x" would find "the") and a lone surrogate
    for word in ("the\0x", "\0", "\ud800", "", "zzqxv", "The"):
        assert table.get(word) == expected.get(word)
        assert (word in table) == (word in expected)
    with pytest.raises(KeyError):
        table["zzqxv"]
    assert _files(cache, f"wordfreq_{wordlist}_{lang}-*.lexdata")


def test_zipf_frequency_equals_wordfreq(cache: Path):
    words = [*wordfreq.top_n_list("de", 3000)[::7], *wordfreq.top_n_list("en", 2000)[::5]]
    words += [
        "l'homme", "New York", "3,5", "2024", "COVID-19", "Straße", "STRASSE", "e-mail",
        "rock'n'roll", "", " ", "!!", "zzqxv", "über-", "n°1", "\ud800", "a\0b", "ﬁnance",
    ]  # fmt: skip
    # words of small ASCII letters take zipf_frequency's shortcut (a bucket's value): common,
    # rare, absent; and words just outside it
    words += [*_plain_words(500)[::3], "The", "covid19", "café", "don't", "İstanbul", "ǆ"]
    for lang in ("de", "en", "fr", "sh"):
        for word in words:
            assert lexdata.zipf_frequency(word, lang) == wordfreq.zipf_frequency(word, lang), (
                word,
                lang,
            )
            assert lexdata.zipf_frequency(word, lang, "small") == wordfreq.zipf_frequency(
                word, lang, "small"
            )
    assert lexdata._lookup_kinds[("en", "best")] == "regex"  # the shortcut was taken


def _plain_words(n: int) -> list[str]:
    """Words of small ASCII letters: English's ``n`` most common, and 300 random ones."""
    import random

    rnd = random.Random(7)
    words = set(lexdata.top_words("en", n))
    words |= {"".join(rnd.choices("abcdefghijklmnopqrstuvwxyz", k=rnd.randint(1, 14)))
              for _ in range(300)}  # fmt: skip
    return sorted(w for w in words if w.isascii() and w.isalpha() and w.islower())


def test_plain_words_are_their_own_token_in_every_regex_language():
    """What ``zipf_frequency``'s shortcut rests on: wordfreq's tokenizer leaves a word of small
    ASCII letters whole and unchanged in every language it tokenizes with its regex (its
    normalisations are per language, hence every language; every such word of all 39 lists
    was checked once, benchmarks/README.md round 11)."""
    regex = [
        lang
        for lang in wordfreq.available_languages("best")
        if wordfreq.get_language_info(lang)["tokenizer"] == "regex"
    ]
    assert {"en", "de", "tr", "sh", "ar", "ru"} <= set(regex)
    words = _plain_words(2000)
    for lang in regex:
        changed = [w for w in words if wordfreq.lossy_tokenize(w, lang) != [w]]
        assert changed == [], lang


def test_artefact_profile_equals_its_lookups():
    """``artefacts.lexicon.profile`` reads each bucket's Zipf value from a table computed once;
    the same values as rounding each word's frequency (the tables equal wordfreq's, above)."""
    import math

    from newsetl.artefacts import lexicon

    words = _plain_words(2000)
    words += ["Straße", "STRASSE", "l'homme", "über", "año", "3,5", "", "a\0b", "\ud800"]
    tables = lexicon._frequency_tables()
    for word in words:
        folded = word.casefold()
        expected = {}
        for lang, table in zip(lexicon.LANGUAGES, tables, strict=True):
            f = table.get(folded)
            expected[lang] = round(math.log10(f) + 9.0, 2) if f else 0.0
        assert lexicon.profile.__wrapped__(word) == expected, word


def test_top_words_equals_wordfreq_without_keeping_the_list():
    wordfreq.get_frequency_list.cache_clear()
    assert lexdata.top_words("en", 5000) == wordfreq.top_n_list("en", 5000)
    wordfreq.get_frequency_list.cache_clear()
    lexdata.top_words("en", 100)
    assert wordfreq.get_frequency_list.cache_info().currsize == 0


def test_bytes_table_round_trip_with_odd_words(cache: Path):
    pairs = {"alpha": b"\x01\x02", "beta": b"", "γάμμα": b"\xff" * 40, "nul\0word": b"\x07"}
    pairs |= {f"w{i}": bytes([i % 256, 1]) for i in range(5000)}
    table = lexdata.bytes_table("test_bytes", "k1", lambda: pairs.items())
    assert dict(table.items()) == pairs
    assert table.get("nul") is None and table.get("nul\0word") == b"\x07"
    assert table.get("\ud800") is None and "beta" in table and "gamma" not in table
    # read back from the file by a fresh load: same answers, not built again
    again = lexdata.bytes_table("test_bytes", "k1", lambda: pytest.fail("built again"))
    assert dict(again.items()) == pairs


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "garbage"])
def test_a_damaged_table_file_is_rebuilt(cache: Path, damage: str):
    expected = wordfreq.get_frequency_dict("sl", "best")
    lexdata.frequency_table("sl")
    (path,) = _files(cache, "wordfreq_best_sl-*.lexdata")
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
    elif damage == "truncate":
        data = data[: len(data) // 3]
    elif damage == "empty":
        data = bytearray()
    else:
        data = bytearray(b"\0" * 64 + data[64:])
    path.write_bytes(bytes(data))
    lexdata._tables.clear()
    table = lexdata.frequency_table("sl")
    assert all(table.get(w) == f for w, f in expected.items())
    assert path.read_bytes() != bytes(data)  # written again, whole
    lexdata._tables.clear()
    lexdata._open(path.read_bytes())  # and valid


def test_missing_file_is_rebuilt_and_cache_off_builds_in_memory(
    cache: Path, monkeypatch: pytest.MonkeyPatch
):
    first = dict(lexdata.frequency_table("sl").items())
    for path in _files(cache, "*.lexdata"):
        path.unlink()
    lexdata._tables.clear()
    assert dict(lexdata.frequency_table("sl").items()) == first
    assert _files(cache, "wordfreq_best_sl-*.lexdata")
    monkeypatch.setenv("NEWSETL_CACHE_DIR", "off")
    lexdata._tables.clear()
    assert dict(lexdata.frequency_table("sl").items()) == first


def test_another_key_replaces_old_files_but_keeps_the_last_used(cache: Path):
    for key in ("a", "b", "c"):
        lexdata.bytes_table("test_keys", key, lambda: {"x": b"1"}.items())
    assert len(_files(cache, "test_keys-*.lexdata")) == 2


_CHILD = """
import json, sys
from newsetl.text import lexdata
table = lexdata.frequency_table("sl")
hits = sum(1 for w in ("je", "in", "da", "zzz") if w in table)
maps = open("/proc/self/smaps").read().split("\\n")
path = sys.argv[1]
for i, line in enumerate(maps):
    if line.endswith(path):
        fields = dict(l.split(":", 1) for l in maps[i + 1 : i + 20] if ":" in l and " " not in l.split(":")[0])
        print(json.dumps({k: int(v.split()[0]) for k, v in fields.items() if v.strip().endswith("kB")} | {"hits": hits}))
        break
else:
    print(json.dumps({"hits": hits}))
"""


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="needs Linux /proc")
def test_processes_share_the_mapped_file(cache: Path):
    """Processes reading the table map the same file: its pages are shared, none copied into
    either (no private dirty page)."""
    lexdata.frequency_table("sl")  # built here
    (path,) = _files(cache, "wordfreq_best_sl-*.lexdata")
    env = {**__import__("os").environ, "NEWSETL_CACHE_DIR": str(cache)}
    first = subprocess.Popen(
        [sys.executable, "-c", _CHILD + "\nimport time; time.sleep(3)", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    finally:
        first_out, _ = first.communicate(timeout=60)
    for report in (json.loads(out.stdout), json.loads(first_out)):
        assert report["hits"] == 3
        assert report["Private_Dirty"] == 0
        assert report["Rss"] >= path.stat().st_size // 1024 - 8  # the whole file read once
    # the pages are counted shared with the other processes that map them (PSS below RSS;
    # shared clean or dirty: a freshly written file may still be dirty in the page cache)
    second = json.loads(out.stdout)
    assert second["Pss"] < second["Rss"], (out.stdout, first_out)
    assert second["Private_Clean"] + second["Private_Dirty"] < second["Rss"] // 2


def test_simplemma_map_equals_simplemma_on_every_entry(cache: Path):
    expected = StreamMap("fr")
    mapped = simplemma_cache.stream_dictionary("fr")
    assert _files(cache, "simplemma_fr-*.smap")
    again = simplemma_cache.stream_dictionary("fr")  # from the file
    assert type(again) is StreamMap and len(again) == len(expected)
    assert again._firsts == expected._firsts  # the blocks' first keys, read from the file
    keys = list(expected)
    assert list(again) == keys
    assert all(again.get(k) == expected.get(k) for k in keys)
    assert all(mapped.get(k) == expected.get(k) for k in keys[::50])
    for word in ("zzqxv", "", "Paris", "\0", "zzzzzzzzzzzz", "aaaa"):
        assert again.get(word) == expected.get(word)


@pytest.mark.parametrize("damage", ["flip", "truncate", "header"])
def test_a_damaged_simplemma_map_is_rebuilt(cache: Path, damage: str):
    expected = StreamMap("fr")
    simplemma_cache.stream_dictionary("fr")
    (path,) = _files(cache, "simplemma_fr-*.smap")
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[-100] ^= 0x55
    elif damage == "truncate":
        data = data[:5000]
    else:
        data[:8] = b"XXXXXXXX"
    path.write_bytes(bytes(data))
    found = simplemma_cache.stream_dictionary("fr")
    assert all(found.get(k) == expected.get(k) for k in list(expected)[::20])
    assert path.read_bytes() != bytes(data)
    assert simplemma_cache._decode(path) is not None


def test_frequency_table_keeps_words_with_a_nul_beside_the_trie():
    """marisa cannot hold a key with a NUL; such a word (none in wordfreq 3.1) still maps to
    its own value, and "b" (what marisa would read "b\\0c" as) stays absent."""
    from wordfreq import cB_to_freq

    trie, values, extra = lexdata._encode_ints({"a": 3, "b\0c": 7, "d": 0})
    table = lexdata._table(lexdata._section(b"freq", 2, trie, values, b"", extra))
    assert table.get("a") == cB_to_freq(-3) and table["b\0c"] == cB_to_freq(-7)
    assert table.get("d") == 1.0 and table.get("b") is None and "b\0" not in table
    assert sorted(table) == ["a", "b\0c", "d"]


@pytest.mark.skipif(
    not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() != 0,
    reason="handing a file to another user needs root",
)
def test_files_of_another_user_are_not_trusted(cache: Path):
    """A pickle, a word table and a simplemma map that another user owns are never read
    (unpickling runs code, a mapped table is read as our own data): each is built again and
    replaced by a file of ours."""
    import os

    from newsetl.cache import cached

    cached("words", "k1", lambda: {"ours": 1})
    lexdata.bytes_table("test_bytes", "k1", lambda: {"ours": b"\x01"}.items())
    simplemma_cache.stream_dictionary("fr")
    paths = [
        cache / "words-k1.pickle",
        *_files(cache, "test_bytes-*.lexdata"),
        *_files(cache, "simplemma_fr-*.smap"),
    ]
    assert len(paths) == 3
    for path in paths:
        os.chown(path, 65534, 65534)  # nobody
    lexdata._tables.clear()
    assert cached("words", "k1", lambda: {"rebuilt": 2}) == {"rebuilt": 2}
    table = lexdata.bytes_table("test_bytes", "k1", lambda: {"rebuilt": b"\x02"}.items())
    assert dict(table.items()) == {"rebuilt": b"\x02"}
    assert simplemma_cache.stream_dictionary("fr").get("maisons") == StreamMap("fr").get("maisons")
    assert all(path.stat().st_uid == os.getuid() for path in paths)


_BIG = {f"word{i}": bytes([i % 251]) * 200 for i in range(20000)}  # ~4 MB of values

_BIG_CHILD = """
import json, sys
from newsetl.text import lexdata
table = lexdata.bytes_table("test_big", "k1", lambda: sys.exit("built again"))
hits = sum(1 for w in ("word1", "word19999", "zzz") if w in table)
maps = open("/proc/self/smaps").read().split("\\n")
for i, line in enumerate(maps):
    if line.endswith(sys.argv[1]):
        rss = next(int(l.split()[1]) for l in maps[i + 1 : i + 20] if l.startswith("Rss:"))
        print(json.dumps({"hits": hits, "Rss": rss}))
        break
"""


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="needs Linux /proc")
def test_a_table_checked_before_is_mapped_without_being_hashed_again(
    cache: Path, monkeypatch: pytest.MonkeyPatch
):
    """Once a process has checked a table's digest, the next maps it without reading it all
    (a fresh worker hashed every table it opened: 78 ms of its first pages); with the stamp
    gone, the whole file is read again. Same answers either way."""
    from newsetl import cache as disk_cache

    lexdata.bytes_table("test_big", "k1", lambda: _BIG.items())  # built here
    (path,) = _files(cache, "test_big-*.lexdata")
    monkeypatch.setattr(disk_cache, "STAMP_MIN_AGE_S", 0.0)
    lexdata._tables.clear()
    lexdata.bytes_table("test_big", "k1", lambda: pytest.fail("built again"))  # checked
    stamp = path.with_name(path.name + disk_cache.STAMP_SUFFIX)
    assert stamp.exists()
    env = {**__import__("os").environ, "NEWSETL_CACHE_DIR": str(cache)}

    def child() -> dict:
        out = subprocess.run(
            [sys.executable, "-c", _BIG_CHILD, str(path)],
            env=env, capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
        return json.loads(out.stdout)

    size_kb = path.stat().st_size // 1024
    assert size_kb > 3000
    trusted = child()
    assert trusted["hits"] == 2
    stamp.unlink()
    hashed = child()
    assert hashed["hits"] == 2
    assert hashed["Rss"] >= size_kb - 8
    assert trusted["Rss"] < hashed["Rss"] * 3 // 4, (trusted, hashed)  # not all of it read


@pytest.mark.parametrize("kind", ["table", "simplemma"])
def test_a_file_damaged_after_its_check_is_still_rebuilt(
    cache: Path, monkeypatch: pytest.MonkeyPatch, kind: str
):
    """A stamp names the very file it checked (inode, size, times): a write in place moves the
    file's ctime, so the damage is found by the digest as before."""
    import time

    from newsetl import cache as disk_cache

    monkeypatch.setattr(disk_cache, "STAMP_MIN_AGE_S", 0.0)
    if kind == "table":
        expected = wordfreq.get_frequency_dict("sl", "best")
        lexdata.frequency_table("sl")
        (path,) = _files(cache, "wordfreq_best_sl-*.lexdata")
        lexdata._tables.clear()
        lexdata.frequency_table("sl")  # checked: stamped
    else:
        simplemma_cache.stream_dictionary("fr")
        (path,) = _files(cache, "simplemma_fr-*.smap")
        simplemma_cache.stream_dictionary("fr")  # checked: stamped
    assert path.with_name(path.name + disk_cache.STAMP_SUFFIX).exists()
    time.sleep(0.05)  # past the file system's clock tick
    data = bytearray(path.read_bytes())
    data[-100] ^= 0x55
    path.write_bytes(bytes(data))
    if kind == "table":
        lexdata._tables.clear()
        table = lexdata.frequency_table("sl")
        assert all(table.get(w) == f for w, f in list(expected.items())[::50])
    else:
        expected_map = StreamMap("fr")
        found = simplemma_cache.stream_dictionary("fr")
        assert all(found.get(k) == expected_map.get(k) for k in list(expected_map)[::50])
    assert path.read_bytes() != bytes(data)  # written again, whole


def test_a_table_s_used_time_moves_at_most_once_an_hour(cache: Path):
    """Opening a table marks it recently used (kept by the eviction of other keys), but not
    on every open: each move would change the identity its stamp records."""
    import os
    import time

    lexdata.frequency_table("sl")
    (path,) = _files(cache, "wordfreq_best_sl-*.lexdata")
    old = time.time() - 2 * 3600
    os.utime(path, (old, old))
    lexdata._tables.clear()
    lexdata.frequency_table("sl")
    moved = path.stat().st_mtime
    assert moved > time.time() - 60
    lexdata._tables.clear()
    lexdata.frequency_table("sl")
    assert path.stat().st_mtime == moved


def test_a_frequency_table_holds_its_bucket_count_and_is_not_scanned(cache: Path, monkeypatch):
    """The bucket count is stored in the table's file at build time: a process that maps the
    table reads it instead of finding the largest of its ~300,000-630,000 values (7-16 ms a
    table, every page of the values read). A table without it (an older file) is scanned."""
    table = lexdata.frequency_table("sl")
    expected = wordfreq.get_frequency_dict("sl")
    count = len(wordfreq.read_cBpack(lexdata._available("best")["sl"]))
    (path,) = _files(cache, "wordfreq_best_sl-*.lexdata")
    _, _, _, values, blob, _ = lexdata._open(path.read_bytes())
    assert lexdata._BUCKETS.unpack(blob) == (count,)
    assert max(values.cast("H")) + 1 == count

    scanned = []
    real_max = max

    def counting_max(*args, **kwargs):
        scanned.append(args)
        return real_max(*args, **kwargs)

    monkeypatch.setattr("builtins.max", counting_max)
    again = lexdata._table(path.read_bytes())
    assert scanned == []
    monkeypatch.undo()
    assert len(again._freqs) == count
    assert all(again.get(w) == f for w, f in list(expected.items())[::50])
    assert dict(table.items()) == dict(again.items())

    # a table without the count (as written before): scanned, the same values
    trie, ints, extra = lexdata._encode_ints({"a": 3, "b": 799, "c": 0})
    old = lexdata._table(lexdata._section(b"freq", 2, trie, ints, b"", extra))
    assert len(old._freqs) == 800 and old["b"] == wordfreq.cB_to_freq(-799)
