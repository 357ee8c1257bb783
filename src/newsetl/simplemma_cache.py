"""simplemma's low-memory dictionaries, read from the on-disk cache (:mod:`newsetl.cache`).

Why: simplemma's ``StreamMap`` (the dictionary entity normalisation uses, see
``newsetl.entities.morph``) decompresses its language's stream and walks every record to
build a sparse index, 0.1-1.9 s of CPU per language (German 0.8 s, Polish 1.9 s, measured),
in every process that meets the language: the fork server, each pool worker, and the run's
own process when it links a batch's entities. The built map is a few byte strings and lists
whose pickle loads in 3-45 ms, so it is built once per simplemma version and language and
read back after that. The object is the same (same bytes, same index): lookups give the same
answers.
"""

from __future__ import annotations

from collections.abc import Mapping

#: StreamMap's attributes (its ``__slots__``), in the order they are cached.
_SLOTS = ("_data", "_pos", "_rev", "_count", "_firsts", "_blocks")


def stream_dictionary(code: str) -> Mapping[str, str]:
    """simplemma's ``StreamMap`` for ``code``; raises what simplemma raises for a language it
    does not have (``ValueError``)."""
    from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamMap

    from newsetl.cache import cache_key, cached, distribution_version

    if tuple(getattr(StreamMap, "__slots__", ())) != _SLOTS:  # another simplemma: no cache
        return StreamMap(code)
    key = cache_key("simplemma-stream", code, distribution_version("simplemma"))
    state = cached(
        f"simplemma_{code}", key, lambda: tuple(getattr(StreamMap(code), s) for s in _SLOTS)
    )
    found = StreamMap.__new__(StreamMap)
    for slot, value in zip(_SLOTS, state, strict=True):
        object.__setattr__(found, slot, value)
    return found
