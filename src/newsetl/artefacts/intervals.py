"""A set of disjoint half-open intervals with a logarithmic overlap test.

Why: choosing among overlapping candidates asked "does this span overlap any span kept so
far?" with a linear scan, which made ``analyse`` quadratic in the number of candidates (a
Portuguese page analysed as English has hundreds). Kept spans never overlap one another, so
sorted by start they are sorted by end too, and one bisection answers the question.
"""

from __future__ import annotations

import bisect


class DisjointIntervals:
    """Half-open ``[start, end)`` intervals added only when they overlap none already held."""

    __slots__ = ("_ends", "_linear", "_starts")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        # An empty interval breaks the "sorted by start = sorted by end" argument; should one
        # ever be added, fall back to the plain scan so the answers stay exactly the same.
        self._linear = False

    def overlaps(self, start: int, end: int) -> bool:
        """Does ``[start, end)`` overlap a held interval (``a < end and start < b``)?"""
        if self._linear:
            return any(a < end and start < b for a, b in zip(self._starts, self._ends, strict=True))
        i = bisect.bisect_left(self._starts, end)
        return i > 0 and self._ends[i - 1] > start

    def add(self, start: int, end: int) -> None:
        """Hold ``[start, end)``; the caller has checked that it overlaps nothing held."""
        if start >= end:
            self._linear = True
        i = bisect.bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)
