"""Bounds on entity analysis: text size, segments, junk paragraphs, entities per document.

Why: extraction runs on whatever a page's text is. A 20 MB "article" (a log, a data dump) must
cost time in proportion to its length, not its square; and junk (random tokens, base64, the
same capitalised word thousands of times) must not fill the entity tables with thousands of
"entities" (400 KB of it once stored 10,005). Nothing here changes the analysis of ordinary
news: articles are far below every bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Texts longer than this are analysed in segments of about this size, cut at line ends; the
#: segments' entities are merged by id (ids depend on names only, see ``ids``). Grouping a
#: surname with a full name does not cross a segment boundary. News articles are shorter.
SEGMENT_CHARS = 20_000
#: A document keeps at most this many entities (those with most mentions, then first seen):
#: the last guard against junk that passes the paragraph test.
MAX_ENTITIES = 2_000
#: ... and at most this many mentions of one entity.
MAX_MENTIONS_PER_ENTITY = 1_000

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
#: A paragraph needs this many word tokens before it can be judged junk.
_MIN_WORDS = 20
#: Share of a line's longer words that must be ordinary words of the language (or English).
_MIN_KNOWN = 0.3
#: A line of at least this many letter runs, this share of them with a capital inside after a
#: small letter, is base64 or code, not prose.
_MIN_RUNS_CASE = 4
_MIN_INNER_CAPITALS = 0.5
_INNER_CAPITAL = re.compile(r"[a-z][A-Z]")
#: A line this long made mostly of code-like tokens (see _is_code) is not prose.
_MIN_CODE_CHARS = 24
_CODE_TOKEN = re.compile(r"[0-9+/=]")
#: Words of a line looked up for the known-word share (a line's first ones suffice).
_SAMPLE_WORDS = 60
#: Share of distinct words below which a long paragraph is a repetition ("FOO FOO FOO ...").
_MIN_DISTINCT = 0.15


@dataclass(frozen=True)
class Bounds:
    """The analysed part of a text and how it was cut."""

    end: int  # characters analysed: text[:end]
    truncated: bool  # the text was longer than the cap


def bounded(text: str, max_chars: int | None) -> Bounds:
    """``text[:end]`` to analyse: at most ``max_chars`` characters (``None``/0: all), cut at the
    last line end or space before the cap so no word is cut in two."""
    if not max_chars or len(text) <= max_chars:
        return Bounds(len(text), False)
    cut = text.rfind("\n", 0, max_chars)
    if cut < max_chars // 2:
        cut = text.rfind(" ", 0, max_chars)
    if cut < max_chars // 2:
        cut = max_chars
    return Bounds(cut, True)


def segments(text: str, end: int, size: int = SEGMENT_CHARS) -> list[tuple[int, int]]:
    """``[start, stop)`` ranges covering ``text[:end]``, each about ``size`` characters, cut
    after a line end (else after a space) so that no line or word is split."""
    out = []
    start = 0
    while start < end:
        stop = min(start + size, end)
        if stop < end:
            cut = text.rfind("\n", start + size // 2, stop)
            if cut < 0:
                cut = text.rfind(" ", start + size // 2, stop)
            stop = cut + 1 if cut >= 0 else stop
        out.append((start, stop))
        start = stop
    return out


def junk_lines(text: str, start: int, stop: int, known) -> list[tuple[int, int]]:
    """Character ranges of lines inside ``[start, stop)`` that are not prose:

    * base64 and identifiers: most letter runs change from lower to upper case inside
      ("aGVsbG8gd29y");
    * one word repeated ("ACME ACME ACME ...");
    * random tokens: few of the line's longer words (four letters or more) are ordinary
      words of the text's language or English (prose has most; a list of foreign names in a
      sports report still has its "v", "beat", "Cup"... below the line length this needs).

    ``known(word)`` tells whether a lower-case word is an ordinary word; it is ``None`` for a
    language without a word list, where the last test is left out."""
    out = []
    pos = start
    for line in text[start:stop].splitlines(keepends=True):
        # the inner-capital share is 0 when the line has no lower -> upper seam (both letters,
        # so any seam lies inside one of its words): one search instead of one per word
        if _is_code(line) or _is_junk(
            _WORD.findall(line), known, _INNER_CAPITAL.search(line) is not None
        ):
            out.append((pos, pos + len(line)))
        pos += len(line)
    return out


def _is_code(line: str) -> bool:
    """Mostly long tokens mixing small letters, capitals and digits or ``+/=``: base64, hashes,
    identifiers ("e2FOQooYb0pMEW2vSZ/X6A3+H69CL")."""
    stripped = line.strip()
    if len(stripped) < _MIN_CODE_CHARS:
        return False
    code = sum(len(t) for t in stripped.split() if len(t) >= 16 and _CODE_TOKEN.search(t)
               and any(c.islower() for c in t) and any(c.isupper() for c in t))  # fmt: skip
    return code / len(stripped) >= 0.5


def _is_junk(runs: list[str], known, seams: bool = True) -> bool:
    """``seams``: False when no word of ``runs`` has a lower -> upper seam (the caller knows)."""
    if seams and len(runs) >= _MIN_RUNS_CASE:
        inner = sum(1 for w in runs if _INNER_CAPITAL.search(w))
        if inner / len(runs) >= _MIN_INNER_CAPITALS:
            return True
    if len(runs) < _MIN_WORDS:
        return False
    if (
        len({w.casefold() for w in runs}) / len(runs) < _MIN_DISTINCT
        and len(runs) >= 3 * _MIN_WORDS
    ):
        return True
    if known is None:
        return False
    longer = [w for w in runs[: 4 * _SAMPLE_WORDS] if len(w) >= 4][:_SAMPLE_WORDS]
    if len(longer) < _MIN_WORDS:
        return False
    # Prose is settled once enough words are known: the words after that are not looked up
    # (on a worker's first pages each lookup is a miss of the word caches, and most of a
    # line's longer words are looked up nowhere else). The same answer as counting them all:
    # the share only grows with the count.
    enough = len(longer)
    hits = 0
    for w in longer:
        if known(w.casefold()):
            hits += 1
            if not hits / enough < _MIN_KNOWN:
                return False
    return hits / enough < _MIN_KNOWN


def outside(tokens: list, ranges: list[tuple[int, int]]) -> list:
    """The tokens (sorted by start) whose start is in none of the sorted, disjoint ``ranges``."""
    out, k = [], 0
    for tok in tokens:
        while k < len(ranges) and ranges[k][1] <= tok.start:
            k += 1
        if k < len(ranges) and ranges[k][0] <= tok.start:
            continue
        out.append(tok)
    return out


def cap_entities(entities: list) -> tuple[list, bool]:
    """At most :data:`MAX_ENTITIES` entities of :data:`MAX_MENTIONS_PER_ENTITY` mentions each;
    returns (kept, whether anything was dropped). Entities are ``DocEntity`` objects, in text
    order; the kept ones stay in text order."""
    dropped = False
    for ent in entities:
        if len(ent.mentions) > MAX_MENTIONS_PER_ENTITY:
            ent.mentions = ent.mentions[:MAX_MENTIONS_PER_ENTITY]
            dropped = True
    if len(entities) <= MAX_ENTITIES:
        return entities, dropped
    ranked = sorted(range(len(entities)), key=lambda k: (-len(entities[k].mentions), k))
    keep = set(ranked[:MAX_ENTITIES])
    return [e for k, e in enumerate(entities) if k in keep], True
