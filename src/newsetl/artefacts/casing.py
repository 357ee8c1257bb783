"""English nouns left in German text, found by German's own casing (issue 12, round 7).

Why: German capitalises every noun, and so does every noun it borrows ("der Look", "die
Headlines", "das Research"). wordfreq folds case, so its German list counts those borrowings
and an English noun left untranslated in lower case ("für die easy kommenden", "Klöckner
headlines den ersten Monaten") looks like an ordinary German word by frequency alone. Written
in lower case inside a German sentence, a word that German knows *only* as a noun is no German
spelling: simplemma's German dictionary (a package that ships its data) says which forms are
nouns only (their lemma is capitalised and no lower-case form exists: "headlines" ->
"Headline", "balls" -> "Ball"; not "easy", "national", "online", "film" -> "filmen"). When such
a word is also clearly more frequent in English than in German and stands between two German
words, it is English left in the text. Reported, never applied (a single word).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from functools import lru_cache

from . import lexicon
from .foreign import _span, in_work_title, lean_of
from .rules import Candidate
from .tokens import Token

log = logging.getLogger(__name__)

#: The English word must be at least this common in English (Zipf; 1 per million words) ...
NOUN_MIN_ENGLISH = 3.0
#: ... and this much more common there than in German (Zipf, 10x): a word German uses about
#: as often as English ("media", "open", "beauty", "bond") is a borrowing German readers know,
#: whatever its casing (the loanword rule of the evaluation sets; v2/v5/v6 hard negatives).
NOUN_LEAN_ENGLISH = 1.0
#: Shorter words are abbreviations and units as often as nouns.
NOUN_MIN_LETTERS = 4

_lock = threading.Lock()
_german: list[Mapping[str, str] | None] = []


def _german_dictionary() -> Mapping[str, str] | None:
    """simplemma's German form -> lemma dictionary (the low-memory kind, mapped from the
    cache directory), or None when simplemma cannot give one."""
    with _lock:
        if not _german:
            try:
                from ..simplemma_cache import dictionary  # the one entity lemmas use

                _german.append(dictionary("de"))
            except Exception as exc:  # no simplemma data: no evidence, no findings
                log.warning("simplemma German dictionary unavailable: %s", exc)
                _german.append(None)
        return _german[0]


@lru_cache(maxsize=32_768)
def german_noun_only(low: str) -> bool:
    """Does German write ``low`` (lower case) only as a capitalised noun?

    True when simplemma's dictionary has no lower-case reading of the form (or only a
    capitalised lemma for it) and has the capitalised form with a capitalised lemma.
    """
    entries = _german_dictionary()
    if entries is None or not low.isalpha():
        return False
    try:
        plain = entries.get(low)
        if plain is not None and not plain[:1].isupper():
            return False  # a verb, adjective or other lower-case word of German ("essen")
        noun = entries.get(low[:1].upper() + low[1:])
        if noun is None or not noun[:1].isupper():
            return False
        # An inflected adjective or participle the dictionary lacks ("exquisite": German
        # "exquisit" + "e"): its stem has a lower-case reading.
        for ending in _GERMAN_ENDINGS:
            stem = low[: -len(ending)]
            if not low.endswith(ending) or len(stem) < NOUN_MIN_LETTERS:
                continue
            if ending in _AFTER_E and not stem.endswith("e"):
                continue  # "oranges" is "orange" + "s"; "balls" is no "ball" + "s"
            found = entries.get(stem)
            if found is not None and found[:1].islower():
                return False
    except Exception:  # a damaged dictionary: no evidence
        return False
    return True


#: German adjective and verb endings (longest first); the one-letter ones follow a stem in
#: "-e" only ("orange" -> "oranges", "beige" -> "beigen").
_GERMAN_ENDINGS = ("em", "en", "er", "es", "e", "s", "n", "r", "m")
_AFTER_E = frozenset(("s", "n", "r", "m"))


#: Inflected forms of one stem: a German adjective shows at least ADJECTIVE_FORMS of them in
#: German's list (Zipf >= ADJECTIVE_FORM_MIN) and not more often in English ("oranges":
#: "orangen", "oranger", "orangem"; "exquisite": "exquisiten", "exquisiter", ...). An English
#: noun has none or one ("syndrome": "syndromen", a German plural).
_ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")
ADJECTIVE_FORMS = 2
ADJECTIVE_FORM_MIN = 1.0


def _stems(low: str) -> list[str]:
    """The stems ``low`` may be an inflected form of ("oranges" -> "orang"; "exquisite" ->
    "exquisit")."""
    out = []
    for ending in _GERMAN_ENDINGS:
        if not low.endswith(ending):
            continue
        stem = low[: -len(ending)]
        if ending in _AFTER_E:
            stem = stem[:-1]  # "orange" + "s": the forms are "orang" + "e", "en", ...
            if not low[: -len(ending)].endswith("e"):
                continue
        if len(stem) >= NOUN_MIN_LETTERS - 1 and stem not in out:
            out.append(stem)
    return out


def inflected_siblings(low: str) -> list[str]:
    """Other forms of ``low``'s stems with a German adjective ending (see _ADJECTIVE_ENDINGS)."""
    return [
        stem + ending
        for stem in _stems(low)
        for ending in _ADJECTIVE_ENDINGS
        if stem + ending != low
    ]


@lru_cache(maxsize=32_768)
def german_adjective_forms(low: str) -> bool:
    """Does German inflect ``low`` as an adjective (ADJECTIVE_FORMS of its siblings are German
    words that English does not use as much)?"""
    found = 0
    for form in inflected_siblings(low):
        z = lexicon.zipf(form, "de")
        if z >= ADJECTIVE_FORM_MIN and lexicon.zipf(form, "en") < z:
            found += 1
    return found >= ADJECTIVE_FORMS


def _german_side(text: str, tok: Token, other: Token) -> bool:
    """Is the neighbour ``other`` a German word of the sentence around ``tok``, joined to it
    by one space? It must be at least as common in German as in English: next to an English
    word ("im Bereich next energy solutions", "Formation of α clusters in") the lower-case
    noun is part of an English phrase or title, which a German page may quote on purpose."""
    a, b = (other, tok) if other.index < tok.index else (tok, other)
    if text[a.end : b.start] != " " or other.in_quote:
        return False
    low = other.lower
    if len(low) < 2 or not other.text.isalpha():
        return False
    if lexicon.zipf(low, "en") > lexicon.zipf(low, "de"):
        return False
    # a capitalised word is a German noun or a name; a lower-case one a word of German
    return other.capitalised or lean_of("de")(low).own


def detect_lowercase_nouns(text: str, tokens: list[Token], text_lang: str) -> list[Candidate]:
    """Lower-case English nouns between two German words ("die easy kommenden" is not one:
    German writes "easy" in lower case; "den Haken traffic die Haube", "zum fine deutschen"
    are not either: no German noun). German text only."""
    if text_lang != "de":
        return []
    own = lean_of("de")
    out: list[Candidate] = []
    vocabulary: set[str] | None = None
    n = len(tokens)
    for i in range(1, n - 1):
        tok = tokens[i]
        word = tok.text
        if len(word) < NOUN_MIN_LETTERS or not word.isalpha() or not word.islower():
            continue
        if tok.sentence_start or tok.masked or tok.in_quote:
            continue
        low = tok.lower
        z_en = lexicon.zipf(low, "en")
        if z_en < NOUN_MIN_ENGLISH or z_en - own(low).zt < NOUN_LEAN_ENGLISH:
            continue
        if not german_noun_only(low) or german_adjective_forms(low):
            continue
        if vocabulary is None:
            vocabulary = {t.lower for t in tokens}
        if any(form in vocabulary for form in inflected_siblings(low)):
            continue  # the text itself inflects it ("die reverse ... der reversen"): German
        if not all(_german_side(text, tok, other) for other in (tokens[i - 1], tokens[i + 1])):
            continue
        if in_work_title(text, tok.start):
            continue
        out.append(_span(tok.start, tok.end, "en", 0.75, "lowercase_noun", ("en",)))
    return out
