"""Tokenisation with offsets, sentence starts, quotations and proper-noun masking.

Why: every detector works on word tokens that point back into the original text (offsets must
index the input), and all of them must agree on which tokens are off-limits: proper names,
loanword phrases and quoted material. Computing that once keeps the detectors small.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from functools import lru_cache

from ..text import particles
from . import lexicon

WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
#: WORD with the non-letters before it (possessive: a letter always follows, or the second
#: branch takes the rest of the text in one step instead of retrying at every position).
_GAP_AND_WORD = re.compile(r"([\W\d_]*+)(" + WORD.pattern + r")|[\W\d_]+\Z")
#: Characters that may separate two tokens of one phrase (anything else ends the phrase).
PHRASE_GAP = re.compile(r"^[ \t\u00a0'’-]{0,2}$")
SENTENCE_END = re.compile(r"[.!?:;…]['\"”’»)\]]*\s*$|\n\s*$")
#: A gap between two words can only end a sentence if it holds one of these.
_BREAK_CHAR = re.compile(r"[.!?…:;\n]")
#: What may precede the first word of a text that still starts a sentence.
_LEADING_PUNCTUATION = " \t\"'“”„«»‘’([-–—"
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


class Token:
    """A word with its offsets and the facts the detectors share about it.

    A plain slotted class rather than a dataclass: an article has thousands of tokens and
    their construction is the single largest cost of ``analyse``.
    """

    __slots__ = (
        "capitalised",
        "end",
        "german_noun",
        "in_quote",
        "index",
        "lower",
        "masked",
        "sentence_start",
        "start",
        "text",
    )

    def __init__(
        self, text: str, start: int, end: int, index: int, sentence_start: bool = False
    ) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.index = index
        self.sentence_start = sentence_start
        self.masked = False  # proper name, allowlisted phrase or quotation: never flagged
        self.in_quote = False
        self.german_noun = False  # a capitalised German noun left in another language
        if "’" in text:
            text = text.replace("’", "'")
        self.lower = text.lower()  # lower-cased, typographic apostrophes unified
        # Upper-case initial, also after an elided particle ("d'Italia", "dell'Emilia").
        if text[0].isupper():
            self.capitalised = True
        elif "'" in text:
            head, _, tail = text.partition("'")
            self.capitalised = len(head) <= 4 and tail[:1].isupper()
        else:
            self.capitalised = False

    def __repr__(self) -> str:
        return f"Token({self.text!r}, {self.start}, {self.end})"


#: Whether a (short) gap between two words ends a sentence; a few gaps (", ", ". ", "\n\n")
#: make up most of them, so the two regex tests run once per distinct gap.
_GAP_STARTS_SENTENCE: dict[str, bool] = {}


def tokenise(text: str) -> list[Token]:
    """Word tokens with offsets; marks sentence starts.

    One ``findall`` yields each word with the gap before it, so offsets are running sums and
    no match objects are built (token construction dominates the cost of ``analyse``).
    """
    tokens: list[Token] = []
    append = tokens.append
    has_break = _BREAK_CHAR.search
    ends_sentence = SENTENCE_END.search
    known_gaps = _GAP_STARTS_SENTENCE
    pos = 0
    for i, (g, word) in enumerate(_GAP_AND_WORD.findall(text)):
        if not word:
            break  # the trailing non-word characters
        start = pos + len(g)
        if i == 0:
            starts = g.strip(_LEADING_PUNCTUATION) == ""
        elif g == " ":
            starts = False
        else:
            starts = known_gaps.get(g)
            if starts is None:
                starts = has_break(g) is not None and ("\n" in g or ends_sentence(g) is not None)
                if len(g) <= 12 and len(known_gaps) < 20_000:
                    known_gaps[g] = starts
        pos = start + len(word)
        append(Token(word, start, pos, i, starts))
    return tokens


def gap(text: str, left: Token, right: Token) -> str:
    """The characters between two tokens."""
    return text[left.end : right.start]


def joined(text: str, left: Token, right: Token) -> bool:
    """True when two adjacent tokens belong to one phrase (only spaces/hyphen between)."""
    return bool(PHRASE_GAP.match(gap(text, left, right)))


def quote_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of quotations; quoted foreign material is deliberate, not an artefact."""
    return list(_quote_ranges(text))


@lru_cache(maxsize=64)
def _quote_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """Cached: several detectors ask for the quotations of the same text."""
    ranges = []
    for open_q, close_q in QUOTE_PAIRS:
        if open_q == '"':
            continue  # straight quotes are paired by their context, below
        pos = 0
        while True:
            a = text.find(open_q, pos)
            if a < 0:
                break
            b = text.find(close_q, a + 1)
            while 0 < b < len(text) - 1 and text[b - 1].isspace() and text[b + 1].isalnum():
                # after a space and before a word the mark opens a quotation inside this one
                # (Danish and Swedish write ”…” inside “…”), it does not close this one
                b = text.find(close_q, b + 1)
            if b < 0 or b - a > 1000:
                break
            if open_q in "‘’‚" and not _looks_like_quote(text, a, b):
                pos = a + 1
                continue
            ranges.append((a, b + 1))
            pos = b + 1
    ranges += _straight_quote_ranges(text)
    # Parenthesised glosses often carry the original wording: "(riciclaggio di denaro)"
    # is still an artefact candidate, so parentheses are not masked here.
    return tuple(sorted(set(ranges)))


def _straight_quote_ranges(text: str) -> list[tuple[int, int]]:
    """Straight (and mixed typographic) double quotes paired by what surrounds them.

    Counting straight quotes two by two goes wrong as soon as one quote of a paragraph is
    typographic ("“Yes," she said); a quote mark after a space and before a word opens, one
    after a word and before a space or punctuation closes, and each opening quote is
    closed by the next closing one. A typographic quotation inside a straight one (or the
    other way round: 'chanted "… no “segredo dos deuses” até …" outside', Danish “… ”…”.”)
    is nested: the inner pair closes first and the outer quote stays open for its own closing
    mark. A second opening of the same mark replaces the first (an unclosed quote is
    forgotten).
    """
    if '"' not in text:
        return []
    out = []
    stack: list[tuple[int, str]] = []  # (offset, mark) of the open quotes, at most two
    n = len(text)
    marks = '"' if "„" in text else '"“”'  # German „…“: there “ closes
    for i, ch in enumerate(text):
        if ch not in marks:
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < n else " "
        opens = (before.isspace() or before in "([—–-:") and not after.isspace()
        closes = not before.isspace() and (after.isspace() or after in ".,;:!?)]—–-")
        if ch == "“":
            opens, closes = True, False
        elif ch == "”" and closes:
            opens = False
        if opens and not closes:
            if stack and (stack[-1][1] == ch or len(stack) == 2):
                stack[-1] = (i, ch)
            else:
                stack.append((i, ch))
        elif closes and stack:
            opened = stack.pop()[0]
            if i - opened <= 1000:
                out.append((opened, i + 1))
    return out


def _looks_like_quote(text: str, a: int, b: int) -> bool:
    """Single quotes double as apostrophes; accept them only at word boundaries."""
    before = text[a - 1] if a > 0 else " "
    after = text[b + 1] if b + 1 < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def mask_tokens(text: str, tokens: list[Token], language: str | None) -> None:
    """Mark tokens that no detector may flag: names, allowlisted phrases, quotations."""
    _mask_quotes(text, tokens, language)
    _mask_allowed_phrases(tokens)
    _mask_names(text, tokens, language)


def tokens_within(tokens: list[Token], a: int, b: int) -> list[Token]:
    """Tokens lying entirely inside text[a:b] (tokens are sorted by offset)."""
    lo = bisect.bisect_left(tokens, a, key=_start)
    hi = bisect.bisect_left(tokens, b, lo, key=_start)  # the first token starting at b or later
    return [tok for tok in tokens[lo:hi] if tok.end <= b]


_start = operator.attrgetter("start")


def _mask_quotes(text: str, tokens: list[Token], language: str | None) -> None:
    """Mask quotations that are not in the text language.

    A foreign slogan in quotes is deliberate; quoted speech that the translation rendered in
    the text language is ordinary text and keeps its artefacts detectable ("evidence e data").
    """
    for a, b in quote_ranges(text):
        inside = tokens_within(tokens, a, b)
        if language and _mostly_in(inside, language):
            continue
        for tok in inside:
            tok.in_quote = True
            tok.masked = True


def _mostly_in(tokens: list[Token], language: str) -> bool:
    """Do most words of a quotation belong to ``language`` (by wordfreq frequency)?

    Half is enough: quoted speech the translation rendered keeps its artefacts ("We're
    discussing menimme samaan penkkiin ..."), and they must stay detectable."""
    votes = total = 0
    for tok in tokens:
        if len(tok.text) < 2 or (tok.capitalised and not tok.sentence_start):
            continue
        best = lexicon.top_zipf(tok.lower)
        if best < 3.0:
            continue
        total += 1
        votes += lexicon.zipf(tok.lower, language) >= best - 0.5
    return total >= 3 and votes * 2 >= total


def _mask_allowed_phrases(tokens: list[Token]) -> None:
    starters = lexicon.allowed_phrases_by_first_word()
    singles, by_first_two = lexicon.allowed_phrase_index()
    last = len(tokens) - 1
    for i in [i for i, t in enumerate(tokens) if t.lower in starters]:
        low = tokens[i].lower
        if low in singles:
            tokens[i].masked = True
        following = by_first_two.get(low)
        if following is None or i == last:
            continue
        for phrase in following.get(tokens[i + 1].lower, ()):
            span = tokens[i : i + len(phrase)]
            if [t.lower for t in span] == phrase:
                for t in span:
                    t.masked = True


def _mask_names(text: str, tokens: list[Token], language: str | None) -> None:
    """Mask capitalised names, including particles inside them ("Cassa Depositi e Prestiti").

    A capitalised token that does not start a sentence is taken as (part of) a name. German
    capitalises every noun, so there a capitalised word is only a name when German does not
    know it as a common word. Sentence-initial tokens join a name when the next token is
    capitalised too ("Deutsche Bahn cancelled ...").
    """
    n = len(tokens)
    is_name = [False] * n
    for i in [i for i, tok in enumerate(tokens) if tok.capitalised]:
        tok = tokens[i]
        if tok.sentence_start:
            # A sentence-initial word starts a name when a capitalised word follows, directly
            # or after name particles ("Deutsche Bahn", "Ferrovie dello Stato").
            j = i + 1
            while j < n and j < i + 3 and tokens[j].lower in particles.WITHIN_NAMES:
                j += 1
            if j > i + 1 and lexicon.zipf(tok.lower, language or "en") >= 3.5:
                continue  # "Prices of Natural gas": a common word, not the start of a name
            is_name[i] = bool(
                j < n
                and tokens[j].capitalised
                and all(joined(text, tokens[k], tokens[k + 1]) for k in range(i, j))
            )
            continue
        if language == "de" and lexicon.zipf(tok.lower, "de") >= 2.5:
            continue
        is_name[i] = True
    # Particles between two name words belong to the name. (Whether a token is a particle
    # never changes, so the particles are listed first; is_name is read as the loop updates it.)
    within = particles.WITHIN_NAMES
    for i in [i for i in range(1, n - 1) if tokens[i].lower in within]:
        if is_name[i]:
            continue
        tok = tokens[i]
        if is_name[i - 1]:
            j = i + 1
            while j < n and j < i + 3 and tokens[j].lower in particles.WITHIN_NAMES:
                j += 1
            if (
                j < n
                and is_name[j]
                and all(joined(text, tokens[k], tokens[k + 1]) for k in range(i - 1, j))
            ):
                for k in range(i, j):
                    is_name[k] = True
    # Lower-case particles right before a name ("von der Leyen", "de Gaulle", "da Vinci"),
    # right to left so that a particle that joined the name extends it further.
    for i in [i for i in range(n - 1, 0, -1) if tokens[i - 1].lower in particles.BEFORE_NAMES]:
        if (
            is_name[i]
            and not is_name[i - 1]
            and joined(text, tokens[i - 1], tokens[i])
            and not tokens[i - 1].sentence_start
        ):
            is_name[i - 1] = True
    for tok in itertools.compress(tokens, is_name):
        tok.masked = True
