"""simplemma's low-memory dictionaries, mapped from one file per language in the cache directory.

Why: simplemma's ``StreamMap`` (the dictionary entity normalisation uses, see
``newsetl.entities.morph``) decompresses its language's stream and walks every record to
build a sparse index, 0.1-1.9 s of CPU per language (German 0.8 s, Polish 1.9 s, measured),
in every process that meets the language: the fork server, each pool worker, and the run's
own process when it links a batch's entities. Built, it holds the decompressed stream (Polish
19 MB) and an index of one key and one resume point per 32 records (Polish 114,681 of each,
~20 MB of Python objects), again in every process.

So the map is built once per simplemma version and language into a file: the stream itself
(mapped read-only, so every process shares one copy in the page cache) and the index as
arrays in the same file, read through small sequence views. The object is a real
``StreamMap`` over the same bytes and the same index values, so lookups give the same answers
(``tests/test_lexdata.py`` compares every entry). A missing or corrupt file (length and digest
checked on every open) is rebuilt; with the cache off the map is built as simplemma builds it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import mmap
import threading
from array import array
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, overload

log = logging.getLogger(__name__)

#: StreamMap's attributes (its ``__slots__``), in the order they are cached.
_SLOTS = ("_data", "_pos", "_rev", "_count", "_firsts", "_blocks")
#: The header page: the stream starts at this offset (an mmap offset must be page-aligned).
_PAGE = mmap.ALLOCATIONGRANULARITY
_MAGIC = b"NLEXSMP1"
#: Bump when the file layout changes (part of the key).
_FORMAT = "simplemma-mapped-1"


class _BytesSeq(Sequence[bytes]):
    """A read-only sequence of byte strings: ``n + 1`` uint32 offsets into a blob."""

    __slots__ = ("_blob", "_offsets")

    def __init__(self, offsets: memoryview, blob: memoryview) -> None:
        self._offsets = offsets
        self._blob = blob

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, i: int) -> bytes: ...
    @overload
    def __getitem__(self, i: slice) -> list[bytes]: ...
    def __getitem__(self, i: int | slice) -> bytes | list[bytes]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return bytes(self._blob[self._offsets[i] : self._offsets[i + 1]])


class _Blocks(Sequence[tuple[int, bytes, bytes]]):
    """``StreamMap._blocks``: (record offset, previous key, previous value) per block."""

    __slots__ = ("_keys", "_starts", "_values")

    def __init__(self, starts: memoryview, keys: _BytesSeq, values: _BytesSeq) -> None:
        self._starts = starts
        self._keys = keys
        self._values = values

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, i: int) -> tuple[int, bytes, bytes]: ...
    @overload
    def __getitem__(self, i: slice) -> list[tuple[int, bytes, bytes]]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return (self._starts[i], self._keys[i], self._values[i])


def _pack_bytes(items: Sequence[bytes]) -> tuple[bytes, bytes]:
    offsets = array("I", [0])
    for item in items:
        offsets.append(offsets[-1] + len(item))
    return offsets.tobytes(), b"".join(items)


def _encode(built: Any) -> bytes:
    """One file: a header page (magic, lengths, digest, the small fields), the stream, then
    the index as arrays."""
    stream = bytes(built._data)
    starts = array("Q", (b[0] for b in built._blocks)).tobytes()
    sections = [
        *_pack_bytes(built._firsts),
        starts,
        *_pack_bytes([b[1] for b in built._blocks]),
        *_pack_bytes([b[2] for b in built._blocks]),
    ]
    body = stream + b"".join(sections)
    meta = {
        "stream": len(stream),
        "sections": [len(s) for s in sections],
        "pos": built._pos,
        "rev": built._rev,
        "count": built._count,
        "digest": hashlib.blake2b(body, digest_size=32).hexdigest(),
    }
    header = _MAGIC + json.dumps(meta).encode()
    if len(header) > _PAGE:
        raise ValueError("header too long")
    return header.ljust(_PAGE, b"\0") + body


def _decode(path: Path) -> Any:
    """The mapped ``StreamMap`` in ``path``; raises (OSError, ValueError) if absent or corrupt."""
    from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamMap

    from newsetl.cache import DigestStamp, foreign_owner, mark_used

    with path.open("rb") as f:
        if foreign_owner(f.fileno()):
            raise ValueError("file belongs to another user")
        mark_used(path, f.fileno())  # most recently used: kept by the eviction of other keys
        stamp = DigestStamp(path, f.fileno())
        whole = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        head = bytes(whole[:_PAGE])
        if not head.startswith(_MAGIC):
            raise ValueError("not a simplemma map")
        meta = json.loads(head[len(_MAGIC) :].rstrip(b"\0"))
        lengths = [meta["stream"], *meta["sections"]]
        if _PAGE + sum(lengths) != len(whole):
            raise ValueError("truncated")
        body = memoryview(whole)[_PAGE:]
        checked = stamp.holds(meta["digest"])
        if not checked and hashlib.blake2b(body, digest_size=32).hexdigest() != meta["digest"]:
            raise ValueError("digest mismatch")
        # the stream alone, as an mmap: StreamMap indexes and slices it like bytes, and
        # reads records up to its end
        stream = mmap.mmap(f.fileno(), meta["stream"], offset=_PAGE, access=mmap.ACCESS_READ)
    parts = []
    at = meta["stream"]
    for n in meta["sections"]:
        parts.append(body[at : at + n])
        at += n
    first_offsets, first_blob, starts, key_offsets, key_blob, value_offsets, value_blob = parts
    found = StreamMap.__new__(StreamMap)
    state = (
        stream,
        meta["pos"],
        meta["rev"],
        meta["count"],
        # the blocks' first keys as a list: bisect compares them in C (a view would cost a
        # Python call per step, ~8 us per lookup); Polish: 114,681 keys, ~5 MB
        _byte_strings(first_offsets.cast("I"), first_blob),
        _Blocks(
            starts.cast("Q"),
            _BytesSeq(key_offsets.cast("I"), key_blob),
            _BytesSeq(value_offsets.cast("I"), value_blob),
        ),
    )
    for slot, value in zip(_SLOTS, state, strict=True):
        object.__setattr__(found, slot, value)
    if not checked:
        stamp.note(meta["digest"])
    return found


def _byte_strings(offsets: memoryview, blob: memoryview) -> list[bytes]:
    """``list(_BytesSeq(offsets, blob))`` in one comprehension over plain bytes: why: each
    process that meets a language builds this list (German 34,890 keys, Russian 42,560), and
    a ``__getitem__`` call per key made it ~3x slower (German 16 -> 5 ms)."""
    ends = offsets.tolist()
    data = bytes(blob)
    return [data[a:b] for a, b in itertools.pairwise(ends)]


def _write(path: Path, data: bytes) -> bool:
    from newsetl.cache import write_atomically

    return write_atomically(path, path.name.split("-", 1)[0], lambda f: f.write(data))


_loaded: dict[str, Mapping[str, str]] = {}
_loaded_lock = threading.Lock()


def dictionary(code: str) -> Mapping[str, str]:
    """:func:`stream_dictionary` for ``code``, loaded once per process. Why one place: entity
    lemmas (``entities.morph``) and the artefact detector's German casing
    (``artefacts.casing``) both read the German dictionary in the same pool worker, and each
    kept its own copy. Raises what :func:`stream_dictionary` raises (and tries again on the
    next call)."""
    with _loaded_lock:
        found = _loaded.get(code)
        if found is None:
            found = _loaded[code] = stream_dictionary(code)
        return found


def stream_dictionary(code: str) -> Mapping[str, str]:
    """simplemma's ``StreamMap`` for ``code``; raises what simplemma raises for a language it
    does not have (``ValueError``)."""
    from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamMap

    from newsetl.cache import cache_dir, cache_key, distribution_version

    directory = cache_dir()
    if directory is None or tuple(getattr(StreamMap, "__slots__", ())) != _SLOTS:
        return StreamMap(code)  # no cache, or another simplemma whose object we do not know
    key = cache_key("simplemma-stream", code, distribution_version("simplemma"), _FORMAT)
    path = directory / f"simplemma_{code}-{key}.smap"
    try:
        found = _decode(path)
    except FileNotFoundError:
        found = None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("simplemma map %s unreadable (%s): building it again", path.name, exc)
        found = None
    if found is not None:
        return found
    built = StreamMap(code)  # raises for an unknown language, before anything is written
    if _write(path, _encode(built)):
        try:
            return _decode(path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("simplemma map %s unreadable after writing (%s)", path.name, exc)
    return built
