"""Read-only lexical data (word -> value), stored compact on disk and shared between processes.

Why: the analyses look words up in per-language tables: wordfreq's frequency lists (the artefact
rules and entity extraction ask how common a word is), the evidence table of the artefact
detectors (one entry per word common in any of 23 languages). As Python dicts they cost
20-70 MB per language *in every process* (a German list is 634,502 words, 66 MB), and a pool
worker loads the list of each language it meets: after a few thousand pages each worker held
more than a gigabyte of them. Here a table is built once per library version into the cache
directory (:mod:`newsetl.cache`) as one file: a MARISA trie (word -> dense id; ~3-6 bytes a
word) and an array of values by id. Every process maps that file read-only, so the kernel's
page cache holds one copy for the fork server, each worker and the run's process.

Lookups answer exactly what the dicts answered (``tests/test_lexdata.py`` compares every word of
several lists): a frequency table stores wordfreq's bucket index (centibels) per word and
turns it into the same float wordfreq computes (``cB_to_freq``).

The file is only an optimisation: a missing, truncated or corrupt file (checked by length and
digest when a process opens it, unless a stamp says this very file was checked:
:class:`newsetl.cache.DigestStamp`) is rebuilt; with the cache off (``NEWSETL_CACHE_DIR=off``) or an
unwritable directory the table is built in memory (still compact, just not shared).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import mmap
import struct
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import wordfreq as _wordfreq

if TYPE_CHECKING:
    from newsetl.cache import DigestStamp

log = logging.getLogger(__name__)

#: Bump when the file layout changes (part of every key).
FORMAT = "lexdata-1"
_MAGIC = b"NLEXDAT1"
#: magic, kind, value item size, lengths of the trie, values and blob sections, entry count,
#: blake2b digest of everything after the header
_HEADER = struct.Struct("<8s4sIQQQQ32s")
#: A frequency table's blob: its bucket count (the largest bucket + 1). Why stored: finding
#: the largest of the ~300,000-630,000 values by id in each process that maps a table cost
#: 7-16 ms a table (0.056 s for the six main languages in the fork server's warm-up), and it
#: read every page of the values section (benchmarks/README.md "Round 15 (fork15)").
_BUCKETS = struct.Struct("<I")


class CompactTable:
    """A read-only word -> id trie plus the value section (shared by the two table kinds).

    Why the guards in :meth:`_id`: marisa's ``get`` reads a key as a C string, so a word with
    a NUL would find the word before it ("a\\0b" -> "a"), and a lone surrogate cannot be
    encoded; a dict answers "absent" to both, and so does this table. Words that themselves
    contain a NUL (none in wordfreq 3.1) are kept in a small side dict.
    """

    __slots__ = ("_count", "_extra", "_keep", "_trie", "_values")

    def __init__(self, trie: Any, values: memoryview, extra: dict[str, int], keep: Any) -> None:
        self._trie = trie
        self._values = values
        self._extra = extra
        self._count = len(trie) + len(extra)
        self._keep = keep  # the mmap (or bytes) the trie and values point into

    def _id(self, word: str) -> int | None:
        if "\0" in word:
            return self._extra.get(word)
        try:
            return self._trie.get(word)
        except UnicodeEncodeError:  # lone surrogates: no such word
            return None

    def _value(self, i: int) -> Any:
        raise NotImplementedError

    def get(self, word: str, default: Any = None) -> Any:
        i = self._id(word)
        return default if i is None else self._value(i)

    def __getitem__(self, word: str) -> Any:
        i = self._id(word)
        if i is None:
            raise KeyError(word)
        return self._value(i)

    def __len__(self) -> int:
        return self._count

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._id(word) is not None

    def __iter__(self) -> Iterator[str]:
        yield from self._trie.iterkeys()
        yield from self._extra


class FrequencyTable(CompactTable, Mapping[str, float]):
    """wordfreq's list for one language: word -> frequency, as ``get_frequency_dict`` gives.

    Values are stored as the bucket index (centibels below 1.0) and mapped through the same
    ``cB_to_freq`` wordfreq uses, so each float is bit-for-bit the one in its dict.
    """

    __slots__ = ("_derived", "_freqs")

    def __init__(
        self, trie: Any, values: memoryview, extra: dict[str, int], keep: Any, freqs: tuple
    ) -> None:
        super().__init__(trie, values, extra, keep)
        self._freqs = freqs
        self._derived: dict[str, tuple] = {}

    def _value(self, i: int) -> float:
        return self._freqs[self._values[i]]

    def bucket(self, word: str) -> int | None:
        """The word's bucket (the index of its frequency in wordfreq's list), or None: the
        lookup of :meth:`get` in one call, for callers that map buckets through
        :meth:`per_bucket` (a word's Zipf value is a function of its bucket alone)."""
        if "\0" in word:
            i = self._extra.get(word)
        else:
            try:
                i = self._trie.get(word)
            except UnicodeEncodeError:
                return None
        return None if i is None else self._values[i]

    def per_bucket(self, name: str, fn: Callable[[float], Any]) -> tuple:
        """``fn`` of every bucket's frequency, computed once per table and ``name`` (~900
        buckets): why: a cache miss of the analyses' word lookups paid a log and two roundings
        per language for a value that depends on the bucket only."""
        found = self._derived.get(name)
        if found is None:
            found = self._derived[name] = tuple(fn(f) for f in self._freqs)
        return found


class BytesTable(CompactTable, Mapping[str, bytes]):
    """word -> a short byte string (the artefact detectors' packed evidence per word)."""

    __slots__ = ("_blob",)

    def __init__(
        self, trie: Any, values: memoryview, extra: dict[str, int], keep: Any, blob: memoryview
    ) -> None:
        super().__init__(trie, values, extra, keep)
        self._blob = blob

    def _value(self, i: int) -> bytes:
        return bytes(self._blob[self._values[i] : self._values[i + 1]])


# --- building and storing -------------------------------------------------------------------


def _trie_class() -> Any:
    import marisa_trie

    return marisa_trie.Trie


#: A table's value type (an int bucket, a byte string).
V = TypeVar("V")


def _by_id(mapping: dict[str, V], empty: V) -> tuple[Any, list[V], dict[str, int]]:
    """A trie of ``mapping``'s words and their values by the trie's ids; words with a NUL
    (which the trie cannot hold, see :class:`CompactTable`) get the ids after the trie's, in
    the side dict."""
    trie = _trie_class()(w for w in mapping if "\0" not in w)
    values = [empty] * len(trie)
    for word, i in trie.iteritems():
        values[i] = mapping[word]
    extra: dict[str, int] = {}
    for word in (w for w in mapping if "\0" in w):
        extra[word] = len(values)
        values.append(mapping[word])
    return trie, values, extra


def _encode_ints(mapping: dict[str, int]) -> tuple[Any, bytes, dict[str, int]]:
    """A trie of ``mapping``'s words and their values as uint16 by id (:func:`_by_id`)."""
    trie, values, extra = _by_id(mapping, 0)
    return trie, array("H", values).tobytes(), extra  # wordfreq has ~900 buckets


def _section(kind: bytes, item: int, trie: Any, values: bytes, blob: bytes, extra: dict) -> bytes:
    """The file: header, then the trie (padded to 8 bytes), the values by id, the blob they
    point into (bytes tables) or the bucket count (frequency tables), and the side dict of words with a NUL (JSON); the digest
    covers all but the header."""
    body = trie.tobytes()
    body += b"\0" * (-len(body) % 8)
    payload = body + values + blob + json.dumps(extra).encode()
    digest = hashlib.blake2b(payload, digest_size=32).digest()
    header = _HEADER.pack(_MAGIC, kind, item, len(body), len(values), len(blob), len(trie), digest)
    return header + payload


def _open(
    data: Any, stamp: DigestStamp | None = None
) -> tuple[bytes, int, Any, memoryview, memoryview, dict]:
    """Parse and check a table's bytes (a mmap or bytes): raises ValueError if corrupt.
    ``stamp``: the mapped file's (its digest is not computed again when the stamp holds it)."""
    if len(data) < _HEADER.size:
        raise ValueError("truncated header")
    magic, kind, item, trie_len, values_len, blob_len, count, digest = _HEADER.unpack_from(data)
    view = memoryview(data)[_HEADER.size :]
    if magic != _MAGIC or trie_len + values_len + blob_len > len(view):
        raise ValueError("not a table file, or truncated")
    checked = stamp is not None and stamp.holds(digest.hex())
    if not checked and hashlib.blake2b(view, digest_size=32).digest() != digest:
        raise ValueError("digest mismatch")
    trie = _trie_class()()
    trie.map(view[:trie_len])
    if len(trie) != count:
        raise ValueError("entry count mismatch")
    values = view[trie_len : trie_len + values_len]
    blob = view[trie_len + values_len : trie_len + values_len + blob_len]
    extra = json.loads(bytes(view[trie_len + values_len + blob_len :]))
    if stamp is not None and not checked:
        stamp.note(digest.hex())
    return kind, item, trie, values, blob, extra


_lock = threading.Lock()


def _cache_file(name: str, key: str) -> Path | None:
    from newsetl.cache import cache_dir

    directory = cache_dir()
    return None if directory is None else directory / f"{name}-{key}.lexdata"


def load_or_build(name: str, key: str, build: Callable[[], bytes]) -> CompactTable:
    """The table file ``name``/``key`` mapped read-only (built and written when missing or
    corrupt); the built bytes in memory when the cache is off or cannot be written."""
    path = _cache_file(name, key)
    if path is None:
        return _table(build())
    with _lock:
        found = _mapped_table(path)
        if found is not None:
            return found
        data = build()
        if _write(path, data, name):
            found = _mapped_table(path)
        return found if found is not None else _table(data)


def _mapped_table(path: Path) -> CompactTable | None:
    """The table in ``path``, mapped; None when the file is missing, foreign or damaged (a
    damaged one is removed, to be written again)."""
    from newsetl.cache import DigestStamp, foreign_owner, mark_used

    try:
        with path.open("rb") as f:
            if foreign_owner(f.fileno()):
                log.warning("lexical table %s belongs to another user; ignoring it", path)
                return None
            mark_used(path, f.fileno())  # most recently used: kept by the eviction in _write
            stamp = DigestStamp(path, f.fileno())
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # missing, empty or unreadable
        return None
    try:
        table = _table(mapped, stamp)
    except Exception as exc:  # ValueError from our checks, RuntimeError from marisa
        log.warning("lexical table %s is unreadable (%s): rebuilding it", path.name, exc)
        with contextlib.suppress(OSError):
            path.unlink()
        return None  # the map is closed when the views on it are collected
    return table


def _write(path: Path, data: bytes, name: str) -> bool:
    from newsetl.cache import write_atomically

    return write_atomically(path, name, lambda f: f.write(data))


def _table(data: Any, stamp: DigestStamp | None = None) -> CompactTable:
    kind, item, trie, values, blob, extra = _open(data, stamp)
    ints = values.cast("H" if item == 2 else "I")
    if kind == b"freq":
        from wordfreq import cB_to_freq

        # the bucket count, stored at build time (see _build_frequency); a table without it
        # (an older file or a hand-made one) is scanned for its largest bucket
        nbuckets = (
            _BUCKETS.unpack(blob)[0] if len(blob) == _BUCKETS.size else max(ints, default=-1) + 1
        )
        freqs = tuple(cB_to_freq(-i) for i in range(nbuckets))
        return FrequencyTable(trie, ints, extra, data, freqs)
    if kind == b"byts":
        return BytesTable(trie, ints, extra, data, blob)
    raise ValueError(f"unknown table kind {kind!r}")


# --- the tables -------------------------------------------------------------------------------

_tables: dict[tuple[str, str], FrequencyTable] = {}


@lru_cache(maxsize=8)
def _available(wordlist: str) -> dict[str, str]:
    """wordfreq's ``available_languages(wordlist)``, once: wordfreq lists its data directory
    on every call (~1 ms), and every uncached lookup asks."""
    from wordfreq import available_languages

    return available_languages(wordlist)


def frequency_table(lang: str, wordlist: str = "best") -> Mapping[str, float]:
    """wordfreq's ``get_frequency_dict(lang, wordlist)`` as a shared compact table (loaded
    once per process). ``lang`` must be a code of ``available_languages(wordlist)``; any other
    (wordfreq would pick the closest match) gets wordfreq's own dict."""
    table = _tables.get((lang, wordlist))
    if table is not None:
        return table
    paths = _available(wordlist)
    if lang not in paths:
        from wordfreq import get_frequency_dict

        return get_frequency_dict(lang, wordlist)
    from newsetl.cache import cache_key, distribution_version

    key = cache_key(
        FORMAT,
        distribution_version("wordfreq"),
        distribution_version("marisa-trie"),
        wordlist,
        lang,
        "with-bucket-count",  # _build_frequency stores it (older files: without)
    )
    found = load_or_build(f"wordfreq_{wordlist}_{lang}", key, lambda: _build_frequency(paths[lang]))
    assert isinstance(found, FrequencyTable)
    with _lock:
        return _tables.setdefault((lang, wordlist), found)


def _build_frequency(path: str) -> bytes:
    """Read wordfreq's packed list as ``get_frequency_dict`` does (a word listed twice keeps
    its last bucket) and encode it."""
    from wordfreq import read_cBpack

    buckets: dict[str, int] = {}
    for index, bucket in enumerate(read_cBpack(path)):
        for word in bucket:
            buckets[word] = index
    trie, values, extra = _encode_ints(buckets)
    count = _BUCKETS.pack(max(buckets.values(), default=-1) + 1)
    return _section(b"freq", 2, trie, values, count, extra)


def bytes_table(
    name: str, key: str, build: Callable[[], Iterable[tuple[str, bytes]]]
) -> Mapping[str, bytes]:
    """A word -> bytes table built from ``build()``'s pairs, stored and mapped like the
    frequency tables (``key`` must change whenever the pairs could)."""
    from newsetl.cache import cache_key, distribution_version

    full = cache_key(FORMAT, distribution_version("marisa-trie"), key)
    found = load_or_build(name, full, lambda: _build_bytes(build()))
    assert isinstance(found, BytesTable)
    return found


def _build_bytes(pairs: Iterable[tuple[str, bytes]]) -> bytes:
    """Values in trie-id order in one blob, with uint32 offsets (n + 1 of them); words with a
    NUL get ids after the trie's and go in the side dict."""
    trie, order, extra = _by_id(dict(pairs), b"")
    offsets = array("I", [0])
    for value in order:
        offsets.append(offsets[-1] + len(value))
    return _section(b"byts", 4, trie, offsets.tobytes(), b"".join(order), extra)


def top_words(lang: str, n: int, wordlist: str = "best") -> list[str]:
    """``wordfreq.top_n_list(lang, n, wordlist)`` without its cache: wordfreq keeps the whole
    list of every language asked (``get_frequency_list`` is cached without bound: 321,180
    English words, ~30 MB per process) to hand out its first ``n`` words."""
    import itertools

    from wordfreq import has_digit_sequence, read_cBpack, top_n_list

    paths = _available(wordlist)
    if lang not in paths:
        return top_n_list(lang, n, wordlist)
    out: list[str] = []
    for word in itertools.chain.from_iterable(read_cBpack(paths[lang])):
        if not has_digit_sequence(word):
            out.append(word)
            if len(out) >= n:
                break
    return out


# --- wordfreq's zipf_frequency over the compact tables ---------------------------------------


def zipf_frequency(word: str, lang: str, wordlist: str = "best") -> float:
    """``wordfreq.zipf_frequency(word, lang, wordlist)`` (its default minimum) read from the
    compact table: the same tokenisation, digit smashing and rounding (wordfreq's own
    helpers); only the frequency lookups differ. Languages whose tokenizer infers word breaks
    (Chinese) or that have no list of their own are answered by wordfreq itself."""
    kind = _lookup_kinds.get((lang, wordlist))
    if kind is None:
        kind = _lookup_kinds[(lang, wordlist)] = _lookup_kind(lang, wordlist)
    if kind == "wordfreq":
        return _wordfreq.zipf_frequency(word, lang, wordlist)
    plain = kind == "regex" and word.isascii() and word.isalpha() and word.islower()
    if plain:
        freqs = _tables.get((lang, wordlist)) or frequency_table(lang, wordlist)
        if isinstance(freqs, FrequencyTable):
            bucket = freqs.bucket(word)
            if bucket is None:
                return _zipf_of(_ZIPF0)
            return freqs.per_bucket("zipf_frequency", _zipf_of_one)[bucket]
    return _zipf_of(_word_frequency(word, lang, wordlist, plain))


def _zipf_of(freq: float) -> float:
    return round(_wordfreq.freq_to_zipf(freq), 2)


def _zipf_of_one(freq: float) -> float:
    """:func:`zipf_frequency` of a word that is its own only token, found with ``freq``: the
    arithmetic of :func:`_word_frequency` for one token, so the same float."""
    return _zipf_of(_combined(1.0 / freq))


#: (lang, wordlist) -> how :func:`zipf_frequency` looks words up there (see :func:`_lookup_kind`)
_lookup_kinds: dict[tuple[str, str], str] = {}


def _lookup_kind(lang: str, wordlist: str) -> str:
    """``"wordfreq"``: answered by wordfreq itself (no list of its own, or Chinese, whose
    tokenizer infers word breaks); ``"regex"``: wordfreq's regex tokenizer, which leaves a
    word of small ASCII letters whole and unchanged (its normalisations, case folding and
    quote uncurling do not touch them; ``tests/test_lexdata.py`` checks every such word of
    the lists); ``"other"``: every word goes through wordfreq's tokenizer."""
    if lang not in _available(wordlist):
        return "wordfreq"
    info = _wordfreq.get_language_info(lang)
    if info["tokenizer"] == "jieba":
        return "wordfreq"
    return "regex" if info["tokenizer"] == "regex" else "other"


def _word_frequency(word: str, lang: str, wordlist: str, plain: bool = False) -> float:
    """wordfreq 3.1's ``_word_frequency`` over :func:`frequency_table`, with the minimum its
    ``zipf_frequency`` passes by default (``zipf_to_freq(0)``, see its source). ``plain``:
    ``word`` is its own only token (see :func:`_lookup_kind`), so wordfreq's tokenizer, ~5 us
    of a ~15 us lookup, is not asked (most of the words entity extraction looks up)."""
    minimum = _ZIPF0
    tokens = [word] if plain else _wordfreq.lossy_tokenize(word, lang)
    if not tokens:
        return minimum
    freqs = _tables.get((lang, wordlist)) or frequency_table(lang, wordlist)
    one_over_result = 0.0
    for token in tokens:
        smashed = token if plain else _wordfreq.smash_numbers(token)  # plain: no digits
        freq = freqs.get(smashed)
        if freq is None:
            return minimum
        if smashed != token:
            freq *= _wordfreq.digit_freq(token)
        one_over_result += 1.0 / freq
    return _combined(one_over_result)


def _combined(one_over_result: float) -> float:
    """The end of wordfreq's ``_word_frequency``: the combined frequency, at least the
    minimum, rounded to three significant digits."""
    unrounded = max(1.0 / one_over_result, _ZIPF0)
    if unrounded == 0.0:
        return 0.0
    leading_zeroes = math.floor(-math.log(unrounded, 10))
    return round(unrounded, leading_zeroes + 3)


#: wordfreq's default minimum of ``zipf_frequency`` as a frequency (computed once: the call
#: costs more than a lookup)
_ZIPF0 = _wordfreq.zipf_to_freq(0.0)
