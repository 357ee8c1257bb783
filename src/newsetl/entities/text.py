"""Tokens, normalisation and layout clues (sentence starts, headlines) for mention finding.

Why our own tokenizer: offsets must stay valid for the exact text the pipeline stores, so we never
rewrite the text; instead tokens carry offsets and we split machine-translation artefacts such as the
glued ``theUnited`` or elided ``l'ONU`` *inside* the token list only.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from ..text.accents import fold_marks, strip_accents
from ..text.marks import BMP_MARKS, MARKS

#: Words, dotted acronyms ("U.S."), hyphenated and apostrophe compounds. A word's characters
#: are ``\w`` and the combining marks, which ``\w`` does not match: an Indic vowel sign or
#: virama, a Thai tone mark, an Arabic haraka or a Hebrew point is part of its word. The marks
#: of the Basic Multilingual Plane only (as fast as ``\w`` alone, see ``marks.BMP_MARKS``);
#: a line with a character past U+FFFF is read with :data:`_TOKEN_ALL_MARKS`.
_TOKEN = re.compile(rf"(?:[^\W\d_]\.){{2,}}|[\w{BMP_MARKS}]+(?:[-‐'’][\w{BMP_MARKS}]+)*")
_TOKEN_ALL_MARKS = re.compile(rf"(?:[^\W\d_]\.){{2,}}|[\w{MARKS}]+(?:[-‐'’][\w{MARKS}]+)*")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
#: compiled once (not looked up in re's cache at every call): they run for every line the
#: tokenizer reads and every name compared
_LETTER_WORDS = re.compile(r"[^\W\d_]{2,}")
_LINE_WORDS = re.compile(r"[^\W\d_][\w'’-]*")
_JOINERS = re.compile(r"[-‐'’]+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")

#: Elided articles and prepositions (French, Italian, Catalan...) split off "l'ONU", "dell'Unione".
ELISIONS = frozenset(
    [
        "l",
        "d",
        "dell",
        "dall",
        "nell",
        "sull",
        "all",
        "coll",
        "tutt",
        "quell",
        "un",
        "qu",
        "j",
        "s",
        "c",
        "n",
        "m",
        "t",
        "sant",
    ]
)

#: Lowercase function words that machine translation glues onto the next capitalised word
#: ("theUnited Nations", "inBrussels", "andSpain").
GLUE_PREFIXES = frozenset(
    [
        "the",
        "of",
        "in",
        "and",
        "to",
        "at",
        "by",
        "for",
        "with",
        "from",
        "on",
        "into",
        "onto",
        "de",
        "la",
        "le",
        "les",
        "des",
        "du",
        "di",
        "del",
        "della",
        "el",
        "los",
        "las",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "von",
        "und",
        "et",
        "da",
        "do",
        "dos",
        "em",
        "no",
        "na",
        "nel",
        "sul",
        "per",
        "con",
    ]
)
_GLUED = re.compile(r"^([A-Za-zà-ÿ][a-zà-ÿ]+)([A-ZÀ-Þ][\w-]*)$")
#: Glued prefixes that may themselves carry a sentence capital ("TheCommission"); kept short so
#: that names like "LeBron" or "DiCaprio" are not split.
_CAPITAL_GLUE = frozenset(["the", "in", "and", "of", "for", "with", "from", "to", "at", "by", "on"])
_APOSTROPHES = "'’"
#: Abbreviations whose dot does not end a sentence ("M. Colombo", "Dr. Ibarra", "J. Smith").
ABBREVIATIONS = frozenset(
    ["m", "mr", "mrs", "ms", "dr", "mme", "mlle", "sr", "sra", "st", "prof", "sig", "dott",
     "gen", "gov", "sen", "rep", "jr", "nr", "ing", "avv"]
)  # fmt: skip


class Token(NamedTuple):
    """A word with its offsets. A named tuple, not a dataclass: a long text makes hundreds of
    thousands of them, and a frozen dataclass costs several times more to create."""

    start: int
    end: int
    text: str
    sentence_start: bool = False  # first word of a sentence: its capital says nothing
    headline: bool = False  # inside a title-case headline line: capitals say nothing

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def is_acronym(self) -> bool:
        return _is_acronym(self.text)


@lru_cache(maxsize=65536)
def _is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """Comparison form: no accents, casefolded, dots dropped, hyphens/apostrophes as spaces.

    Accents go as :func:`~newsetl.text.accents.fold_marks` folds them: Latin, Greek and
    Cyrillic accents, Arabic harakat and tatweel, Hebrew points ("Łódź" -> "lodz", "مُحَمَّد"
    -> "محمد"); the marks that spell a word in Indic scripts, Thai, Lao and kana stay
    ("सोनिया" is not "सानिया")."""
    text = fold_marks(text).casefold().replace(".", "")
    text = _JOINERS.sub(" ", text)
    return " ".join(text.split())


def slug(text: str) -> str:
    """Stable id fragment: ``"Nick Ashton-Hart"`` -> ``"nick-ashton-hart"``."""
    return _NOT_SLUG.sub("-", strip_accents(text).casefold()).strip("-") or "x"


def _split_token(start: int, text: str) -> list[tuple[int, str]]:
    """Split elisions, glued function words and possessive 's, and a capital glued after a
    mark of a script without case; keep absolute offsets."""
    if "'" not in text and "’" not in text and (len(text) < 3 or text[1:].islower()):
        return [(start, text)]  # the common case: nothing to split (no capital inside)
    if not text.isascii():
        cut = _caseless_then_capital(text)
        if cut:
            return [(start, text[:cut]), *_split_token(start + cut, text[cut:])]
    for i, ch in enumerate(text):
        if ch in _APOSTROPHES and 0 < i < len(text) - 1:
            head, tail = text[:i], text[i + 1 :]
            if head.casefold() in ELISIONS and tail[:1].isalpha():
                return [(start, text[: i + 1]), *_split_token(start + i + 1, tail)]
            if tail.casefold() == "s" and head[:1].isupper():  # possessive: "Ferri's"
                return [(start, head)]
            break
    glued = _GLUED.match(text)
    if glued and (glued.group(1) in GLUE_PREFIXES or glued.group(1).lower() in _CAPITAL_GLUE):
        cut = len(glued.group(1))
        return [(start, text[:cut]), (start + cut, text[cut:])]
    return [(start, text)]


def _caseless_then_capital(text: str) -> int:
    """The index of a capital right after a combining mark on a letter of a script without case,
    or 0: "करेंFacebook" (share buttons glued in scraped text). Before the tokenizer kept marks
    in their word, the mark cut such a token in two; a capital glued to a letter ("삼성SDS",
    "PCをCtrl") was one token then and stays one."""
    base_caseless = after_mark = False
    for k, ch in enumerate(text):
        if unicodedata.category(ch)[0] == "M":
            after_mark = True  # the letter before it decides
            continue
        if after_mark and base_caseless and ch.isupper():
            return k
        base_caseless, after_mark = ch.isalpha() and ch.lower() == ch.upper(), False
    return 0


def _is_caps_line(line: str) -> bool:
    """A line in capitals ("SOCCER - JAPAN GET LUCKY WIN, CHINA IN SURPRISE DEFEAT.",
    "LONDON 1996-08-30"): every word looks like an acronym there, so capitals say nothing."""
    if len(line) > 300:  # tested before the words are found: most paragraphs are longer
        return False
    words = _LETTER_WORDS.findall(line)
    if not words:
        return False
    letters = "".join(words)
    upper = sum(map(str.isupper, letters))
    return upper / len(letters) >= 0.8 and (len(words) >= 2 or len(words[0]) >= 4)


def _is_headline(line: str) -> bool:
    """A short title-case line without final punctuation, or a line in capitals: capitals
    there mark style, not names. (The mention finder re-checks title-case lines with the
    text's language: a line of names, "Falk Balzer (Germany) 13.XX", is not a headline.)"""
    if _is_caps_line(line):
        return True
    if line.rstrip().endswith((".", ":", ";", ",")):  # before the words: most lines end so
        return False
    words = _LINE_WORDS.findall(line)
    if len(words) < 3 or len(words) > 25:
        return False
    long_words = [w for w in words if len(w) > 3]
    if not long_words:
        return False
    capitalised = sum(1 for w in long_words if w[0].isupper())
    return capitalised / len(long_words) >= 0.75


#: Gaps between tokens that end a sentence, or open a quotation after a colon.
#: The same language as ``[.!?…]\s*[\"'«“‘(\[]?\s*$|^\s*[-–—•*]\s*$``, written with
#: possessive ``\s*+`` and no two adjacent ``\s*``: that form backtracked quadratically on a
#: long run of spaces (a gap of 40,000 spaces took 4 s); this one is linear (the test
#: ``tests/test_text_hostile.py`` checks both give the same answer on many gaps).
_SENTENCE_GAP = re.compile(r"[.!?…]\s*+(?:[\"'«“‘(\[]\s*+)?$|^\s*+[-–—•*]\s*+$")
_QUOTE_GAP = re.compile(r"[:;]\s*[\"«“]\s*$")


#: gap -> (ends a sentence, opens a quotation): a few gaps (", ", ". ", "\n") make up most of
#: them, so the two regex tests run once per distinct short gap (bounded; thread-safe as each
#: entry is set whole).
_GAP_FLAGS: dict[str, tuple[bool, bool]] = {}


def _gap_flags(gap: str) -> tuple[bool, bool]:
    return _SENTENCE_GAP.search(gap) is not None, _QUOTE_GAP.search(gap) is not None


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Word tokens with offsets into ``text`` (plus ``offset``: ``text`` may be a part of a
    longer text, starting at a line start) and sentence-start / headline flags.

    The hottest loop of entity extraction (every word of every page): tokens are built with
    ``tuple.__new__`` (a named tuple's ``__new__`` is a Python function) and the gap checks
    run only when the gap is not a single space."""
    tokens: list[Token] = []
    append, new, known_gaps = tokens.append, tuple.__new__, _GAP_FLAGS
    line_start = offset
    for line in text.splitlines(keepends=True):
        headline = _is_headline(line)
        at_start = True
        prev_end = 0
        words = _TOKEN if line.isascii() or not _ASTRAL.search(line) else _TOKEN_ALL_MARKS
        for match in words.finditer(line):
            begin, finish = match.span()
            gap = line[prev_end:begin]
            if gap != " ":  # the common case, a single space, ends nothing
                flags = known_gaps.get(gap)
                if flags is None:
                    flags = _gap_flags(gap)
                    if len(gap) <= 12 and len(known_gaps) < 20_000:
                        known_gaps[gap] = flags
                ends_sentence, opens_quote = flags
                if (
                    ends_sentence
                    and prev_end
                    and not (
                        gap.startswith(".")
                        and tokens
                        and (tokens[-1].text.lower() in ABBREVIATIONS or len(tokens[-1].text) == 1)
                    )
                ):
                    at_start = True
                if opens_quote:
                    at_start = True
            word, start = match.group(), line_start + begin
            if "'" not in word and "’" not in word and (len(word) < 3 or word[1:].islower()):
                # _split_token's common case (nothing to split), without its call and list
                append(new(Token, (start, line_start + finish, word, at_start, headline)))
                at_start = False
            else:
                for offset, piece in _split_token(start, word):
                    append(new(Token, (offset, offset + len(piece), piece, at_start, headline)))
                    at_start = False
            prev_end = finish
        line_start += len(line)
    return tokens


def gap_text(text: str, left: Token, right: Token) -> str:
    return text[left.end : right.start]
