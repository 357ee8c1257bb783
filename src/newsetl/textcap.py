"""How much of an extracted text the analysis stages read (issue 10: unbounded analysis).

A hostile or broken page can extract to megabytes of text (a whole archive on one page, a
data dump, junk). The text is stored whole, as extracted: nothing is lost and the hash and
fingerprint that identify it are taken over all of it. But the analysis stages (language,
quality flags, artefact repair, entities) read only its first ``Settings.max_text_chars``
characters, cut at a line end or space, so no page can hold a run for minutes; the article
then carries the quality flag :data:`FLAG` with the sizes, so a reader knows its analysis
covers a prefix.

Dates are read from the HTML's markup and structured data, not the text, and the HTML is
already bounded by ``Settings.max_bytes``.
"""

from __future__ import annotations

from typing import Any

#: The quality flag of an article whose analysis read a prefix of its text.
FLAG = "analysis_capped"
#: The stages that read the capped prefix (named in the flag's evidence).
STAGES = ("language", "quality", "artefacts", "entities")
#: ``Settings.max_text_chars``' default, for callers without settings (single-page tools).
DEFAULT_MAX_TEXT_CHARS = 200_000


def analysed_length(text: str, max_chars: int | None) -> int:
    """How many characters of ``text`` the analysis reads: all of it up to ``max_chars``
    (``None``/0: no cap), else up to the last line end (or space) before the cap, so no
    paragraph or word is cut in two when one is near."""
    if not max_chars or len(text) <= max_chars:
        return len(text)
    cut = text.rfind("\n", 0, max_chars)
    if cut < max_chars // 2:
        cut = text.rfind(" ", 0, max_chars)
    if cut < max_chars // 2:
        cut = max_chars
    return cut


def analysed_text(text: str, max_chars: int | None) -> str:
    """The prefix of ``text`` the analysis stages read (see :func:`analysed_length`)."""
    return text[: analysed_length(text, max_chars)]


def cap_evidence(text: str, max_chars: int | None) -> dict[str, Any] | None:
    """The :data:`FLAG` evidence for ``text``, or None when it is read whole."""
    end = analysed_length(text, max_chars)
    if end >= len(text):
        return None
    return {
        "text_chars": len(text),
        "analysed_chars": end,
        "max_text_chars": max_chars,
        "stages": list(STAGES),
    }
