"""Tokenisation with offsets, sentence starts, quotations and proper-noun masking.

Why: every detector works on word tokens that point back into the original text (offsets must
index the input), and all of them must agree on which tokens are off-limits: proper names,
loanword phrases and quoted material. Computing that once keeps the detectors small.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import lexicon

WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
#: Characters that may separate two tokens of one phrase (anything else ends the phrase).
PHRASE_GAP = re.compile(r"^[ \t\u00a0'’-]{0,2}$")
SENTENCE_END = re.compile(r"[.!?:;…]['\"”’»)\]]*\s*$|\n\s*$")
QUOTE_PAIRS = (
    ('"', '"'),
    ("“", "”"),
    ("„", "“"),
    ("„", "”"),
    ("«", "»"),
    ("»", "«"),
    ("‘", "’"),
    ("‚", "‘"),
)


@dataclass
class Token:
    """A word with its offsets and the facts the detectors share about it."""

    text: str
    start: int
    end: int
    index: int
    sentence_start: bool = False
    masked: bool = False  # proper name, allowlisted phrase or quotation: never flagged
    in_quote: bool = False

    @property
    def lower(self) -> str:
        return self.text.lower().replace("’", "'")

    @property
    def capitalised(self) -> bool:
        """Upper-case initial, also after an elided particle ("d'Italia", "dell'Emilia")."""
        if self.text[:1].isupper():
            return True
        head, sep, tail = self.text.replace("’", "'").partition("'")
        return bool(sep) and len(head) <= 4 and tail[:1].isupper()


def tokenise(text: str) -> list[Token]:
    """Word tokens with offsets; marks sentence starts."""
    tokens: list[Token] = []
    prev_end = 0
    for i, m in enumerate(WORD.finditer(text)):
        gap = text[prev_end : m.start()]
        starts = i == 0 or bool(SENTENCE_END.search(gap)) or "\n" in gap
        if i == 0 and text[: m.start()].strip(" \t\"'“”„«»‘’([-–—") != "":
            starts = False
        tokens.append(Token(m.group(), m.start(), m.end(), i, sentence_start=starts))
        prev_end = m.end()
    return tokens


def gap(text: str, left: Token, right: Token) -> str:
    """The characters between two tokens."""
    return text[left.end : right.start]


def joined(text: str, left: Token, right: Token) -> bool:
    """True when two adjacent tokens belong to one phrase (only spaces/hyphen between)."""
    return bool(PHRASE_GAP.match(gap(text, left, right)))


def quote_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of quotations; quoted foreign material is deliberate, not an artefact."""
    ranges = []
    for open_q, close_q in QUOTE_PAIRS:
        pos = 0
        while True:
            a = text.find(open_q, pos)
            if a < 0:
                break
            b = text.find(close_q, a + 1)
            if b < 0 or b - a > 400:
                break
            if open_q in "‘’‚" and not _looks_like_quote(text, a, b):
                pos = a + 1
                continue
            ranges.append((a, b + 1))
            pos = b + 1
    # Parenthesised glosses often carry the original wording: "(riciclaggio di denaro)"
    # is still an artefact candidate, so parentheses are not masked here.
    return ranges


def _looks_like_quote(text: str, a: int, b: int) -> bool:
    """Single quotes double as apostrophes; accept them only at word boundaries."""
    before = text[a - 1] if a > 0 else " "
    after = text[b + 1] if b + 1 < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def mask_tokens(text: str, tokens: list[Token], language: str | None) -> None:
    """Mark tokens that no detector may flag: names, allowlisted phrases, quotations."""
    _mask_quotes(text, tokens)
    _mask_allowed_phrases(tokens)
    _mask_names(text, tokens, language)


def _mask_quotes(text: str, tokens: list[Token]) -> None:
    ranges = quote_ranges(text)
    if not ranges:
        return
    for tok in tokens:
        for a, b in ranges:
            if a <= tok.start and tok.end <= b:
                tok.in_quote = True
                tok.masked = True
                break


def _mask_allowed_phrases(tokens: list[Token]) -> None:
    lowers = [t.lower for t in tokens]
    for i in range(len(tokens)):
        for phrase in lexicon.ALLOWED_PHRASES:
            n = len(phrase)
            if lowers[i : i + n] == phrase or (n == 1 and _split_match(lowers[i], phrase[0])):
                for t in tokens[i : i + n]:
                    t.masked = True


def _split_match(token: str, phrase_token: str) -> bool:
    return token == phrase_token


def _mask_names(text: str, tokens: list[Token], language: str | None) -> None:
    """Mask capitalised names, including particles inside them ("Cassa Depositi e Prestiti").

    A capitalised token that does not start a sentence is taken as (part of) a name. German
    capitalises every noun, so there a capitalised word is only a name when German does not
    know it as a common word. Sentence-initial tokens join a name when the next token is
    capitalised too ("Deutsche Bahn cancelled ...").
    """
    n = len(tokens)
    is_name = [False] * n
    for i, tok in enumerate(tokens):
        if not tok.capitalised:
            continue
        if tok.sentence_start:
            nxt = tokens[i + 1] if i + 1 < n else None
            is_name[i] = bool(nxt and nxt.capitalised and joined(text, tok, nxt))
            continue
        if language == "de" and lexicon.zipf(tok.lower, "de") >= 2.5:
            continue
        is_name[i] = True
    # Particles between two name words belong to the name.
    for i in range(1, n - 1):
        if is_name[i]:
            continue
        tok = tokens[i]
        if tok.lower in lexicon.NAME_PARTICLES and is_name[i - 1]:
            j = i + 1
            while j < n and j < i + 3 and tokens[j].lower in lexicon.NAME_PARTICLES:
                j += 1
            if (
                j < n
                and is_name[j]
                and all(joined(text, tokens[k], tokens[k + 1]) for k in range(i - 1, j))
            ):
                for k in range(i, j):
                    is_name[k] = True
    # Lower-case particles right before a name ("von der Leyen", "de Gaulle", "da Vinci").
    for i in range(n - 1, 0, -1):
        if (
            is_name[i]
            and not is_name[i - 1]
            and tokens[i - 1].lower
            in {
                "von",
                "van",
                "der",
                "de",
                "di",
                "da",
                "del",
                "della",
                "dos",
                "du",
                "le",
                "la",
                "al",
                "ibn",
                "bin",
            }
            and joined(text, tokens[i - 1], tokens[i])
            and not tokens[i - 1].sentence_start
        ):
            is_name[i - 1] = True
    for i, flag in enumerate(is_name):
        if flag:
            tokens[i].masked = True
