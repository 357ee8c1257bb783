"""Accent stripping, shared by entity keys ("Zürich" -> "zurich") and the artefact detectors
(an accented loanword that is a common word without its accents)."""

from __future__ import annotations

import unicodedata
from bisect import bisect_right


def strip_accents(text: str) -> str:
    """``text`` without combining marks after compatibility decomposition (NFKD)."""
    if text.isascii():  # no ASCII character decomposes or combines: most words, at C speed
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


#: Blocks of the scripts whose combining marks are part of the spelling, not optional
#: accents: Indic vowel signs, viramas and nuktas ("सोनिया" and "सानिया" are two names), Thai
#: and Lao vowels and tone marks ("ใหม่" new, "ไหม" silk), Tibetan, Myanmar, Khmer and the
#: other Brahmic scripts of South-East Asia, Thaana and N'Ko (written with their vowel and tone
#: marks), and kana, whose voicing marks make other syllables ("ジ" is not "シ").
#: (start, end) code points, end exclusive, sorted.
_SPELLING_MARK_BLOCKS = (
    (0x0780, 0x0800),  # Thaana, N'Ko
    (0x0900, 0x0E00),  # Devanagari ... Sinhala
    (0x0E00, 0x1000),  # Thai, Lao, Tibetan
    (0x1000, 0x10A0),  # Myanmar
    (0x1700, 0x1800),  # Tagalog, Hanunoo, Buhid, Tagbanwa, Khmer
    (0x1900, 0x1C80),  # Limbu ... Ol Chiki (Tai Le, New Tai Lue, Tai Tham, Balinese, ...)
    (0x1CD0, 0x1D00),  # Vedic extensions
    (0x3040, 0x3100),  # Hiragana, Katakana
    (0x31F0, 0x3200),  # Katakana phonetic extensions
    (0xA800, 0xAB00),  # Syloti Nagri ... Tai Viet (Devanagari extended, Javanese, Cham, ...)
    (0xABC0, 0xAC00),  # Meetei Mayek
    (0x11000, 0x12000),  # Brahmi and the other Brahmic scripts of the SMP
)
_BLOCK_STARTS = [start for start, _ in _SPELLING_MARK_BLOCKS]
#: Arabic tatweel (kashida), a stretch of the baseline for justification, goes; and one letter
#: typed as two code points by two keyboards is one: Persian yeh and kaf (U+06CC, U+06A9) are
#: the Arabic ones (U+064A, U+0643): "بنيامين" and "بنیامین" are one name (Faker's Persian
#: names list both). Alef maksura (U+0649) stays: "على" (on) is not "علي" (Ali).
_ARABIC_LETTERS = str.maketrans({"\u0640": None, "\u06cc": "\u064a", "\u06a9": "\u0643"})
_ARABIC_VARIANTS = frozenset("\u0640\u06cc\u06a9")


def _marks_spell(base: str) -> bool:
    """Whether the marks on ``base`` (a character that is not a mark) are part of its spelling."""
    code = ord(base)
    k = bisect_right(_BLOCK_STARTS, code) - 1
    return k >= 0 and code < _SPELLING_MARK_BLOCKS[k][1]


def fold_marks(text: str) -> str:
    """``text`` after compatibility decomposition without its optional marks: what
    :func:`strip_accents` gives for every script whose marks are accents or optional vowel
    points (Latin, Greek, Cyrillic, Arabic harakat, Hebrew niqqud and cantillation), but the
    marks that are part of the spelling kept (see :data:`_SPELLING_MARK_BLOCKS`), recomposed
    (NFC). Arabic tatweel is dropped too, so a pointed or stretched Arabic or Hebrew name is its
    plain form, and an Arabic-script letter typed on another keyboard is the same letter
    (:data:`_ARABIC_LETTERS`).

    Why not :func:`strip_accents` for names: it dropped every combining mark, so two names that
    differ by an Indic vowel sign, a Thai tone mark or a kana voicing mark were one key."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    if not _ARABIC_VARIANTS.isdisjoint(decomposed):
        decomposed = decomposed.translate(_ARABIC_LETTERS)
    out: list[str] = []
    kept = keep = False
    for c in decomposed:
        if unicodedata.category(c)[0] == "M":
            if keep:
                out.append(c)
                kept = True
            elif not unicodedata.combining(c):
                out.append(c)  # a mark of class 0 (strip_accents keeps these too)
        else:
            out.append(c)
            keep = _marks_spell(c)
    folded = "".join(out)
    return unicodedata.normalize("NFC", folded) if kept else folded
