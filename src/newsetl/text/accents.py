"""Accent stripping, shared by entity keys ("Zürich" -> "zurich") and the artefact detectors
(an accented loanword that is a common word without its accents)."""

from __future__ import annotations

import unicodedata


def strip_accents(text: str) -> str:
    """``text`` without combining marks after compatibility decomposition (NFKD)."""
    if text.isascii():  # no ASCII character decomposes or combines: most words, at C speed
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
