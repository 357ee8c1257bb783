"""64-bit SimHash of page text, bit-for-bit equal to trafilatura's ``Simhash(text).hash``.

Why not call trafilatura's ``Simhash``: it adds a 64-element Python list per token
(``list(map(add, ...))``), which made it ~5% of ``extract_page``. Here each distinct token is
turned once into a "spread" integer that carries bit ``i`` of the token's hash at bit position
``32 * i``; summing the spreads of all tokens is a single C-level big-integer addition per token
and leaves, in 32-bit field ``i``, how many tokens have bit ``i`` set (``count_i``). trafilatura
keeps ``vector[i] = count_i - (n - count_i)`` and sets bit ``i`` when ``vector[i] >= 0``, i.e.
when ``2 * count_i >= n``; that is exactly the test applied to the fields below.

Tokenisation is trafilatura's own ``sample_tokens`` and the token hash is the same 8-byte
blake2b read big-endian as in ``trafilatura.deduplication._vector_to_add``, so the value stored
in the warehouse does not change. Empty token lists give all 64 bits set, as in trafilatura.
"""

from __future__ import annotations

import struct
import sys
from functools import lru_cache
from hashlib import blake2b

from trafilatura.deduplication import Simhash, sample_tokens

#: trafilatura's default Simhash length; the fields below are laid out for 64 bits.
HASH_BITS = 64
_FIELD_BITS = 32
_FIELD_BYTES = _FIELD_BITS // 8
_FIELD_MASK = (1 << _FIELD_BITS) - 1
#: a field holds a count of tokens; it must never carry into the next field.
_MAX_TOKENS = _FIELD_MASK
#: fields can be read straight from the integer's bytes with a memoryview cast
_NATIVE_LITTLE_U32 = sys.byteorder == "little" and struct.calcsize("I") == _FIELD_BYTES

#: byte value -> its 8 bits spread into 8 little-endian 32-bit fields (one per bit, 0 or 1)
_BYTE_SPREAD: tuple[bytes, ...] = tuple(
    b"".join(((value >> k) & 1).to_bytes(_FIELD_BYTES, "little") for k in range(8))
    for value in range(256)
)


@lru_cache(maxsize=2**14)
def _token_spread(token: str) -> int:
    """Bit ``i`` of the token's big-endian 8-byte blake2b hash, placed at bit ``32 * i``.

    The digest's last byte holds hash bits 0-7, so the digest is read backwards to build the
    little-endian byte string of the spread integer.
    """
    digest = blake2b(token.encode(), digest_size=8).digest()
    return int.from_bytes(b"".join([_BYTE_SPREAD[b] for b in reversed(digest)]), "little")


def _field_counts(total: int) -> list[int] | memoryview:
    """The 64 32-bit fields of ``total`` (field 0 = lowest bits) as integers."""
    if _NATIVE_LITTLE_U32:
        return memoryview(total.to_bytes(HASH_BITS * _FIELD_BYTES, "little")).cast("I")
    return [(total >> (_FIELD_BITS * i)) & _FIELD_MASK for i in range(HASH_BITS)]


def content_fingerprint(text: str) -> int:
    """64-bit SimHash of ``text``; equal to ``trafilatura.deduplication.Simhash(text).hash``."""
    tokens = sample_tokens(text, HASH_BITS)
    n = len(tokens)
    if n > _MAX_TOKENS:  # a count could carry into the next field: let trafilatura do it
        return Simhash(text).hash
    counts = _field_counts(sum(map(_token_spread, tokens)))
    threshold = (n + 1) // 2  # vector[i] = 2 * count - n >= 0  <=>  count >= ceil(n / 2)
    return sum(1 << i for i, count in enumerate(counts) if count >= threshold)
