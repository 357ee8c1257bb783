"""Base forms of name words in inflected languages, so case forms of one name meet.

Why: Slavic languages, Finnish, Hungarian and (less) German put the case on the name itself:
"Donald Trump", "Donalda Trumpa", "Trumpem"; "Helsinki", "Helsingissä"; "Budapest",
"Budapesten". Grouping by the written form gives each case its own entity. Two maintained
PyPI packages that ship their data do the work: simplemma (lemma dictionaries, 50+ languages,
MIT) knows many names and common words; Snowball stemmers (snowballstemmer, BSD) strip the
case endings of words the dictionary does not know. The result is a *key*, never shown as a
name: "Trumpa" and "Trump" both give "trump", "Niemczech" gives "niemcy".

Languages that barely inflect names (English, the Romance languages, Dutch) keep the written
form: stemming there would merge "Paris" and "Pari", "Mario" and "Maria".
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import lru_cache

#: simplemma codes for our language codes (simplemma writes Serbo-Croatian as "hbs").
_SIMPLEMMA = {
    "bg": "bg", "cs": "cs", "sk": "sk", "sl": "sl", "pl": "pl", "ru": "ru", "uk": "uk",
    "hr": "hbs", "sr": "hbs", "bs": "hbs", "mk": "mk", "fi": "fi", "et": "et", "hu": "hu",
    "lt": "lt", "lv": "lv", "de": "de", "el": "el", "tr": "tr",
}  # fmt: skip
#: Snowball stemmers for the same languages, where Snowball has one.
_SNOWBALL = {
    "cs": "czech", "pl": "polish", "ru": "russian", "sr": "serbian", "hr": "serbian",
    "bs": "serbian", "fi": "finnish", "hu": "hungarian", "lt": "lithuanian", "el": "greek",
    "tr": "turkish", "et": "estonian",
}  # fmt: skip

#: Languages whose name words are reduced to a base form for grouping and ids.
INFLECTED = frozenset(_SIMPLEMMA) - {"de"}

#: Case endings stripped from an unknown name word in a Slavic language without a Snowball
#: stemmer (Bulgarian, Ukrainian, Slovenian, Slovak, Macedonian), longest first. Only on words
#: of at least five letters, and never below four letters of stem.
_SLAVIC_ENDINGS = tuple(
    sorted(
        [
            "a",
            "u",
            "e",
            "i",
            "y",
            "o",
            "ą",
            "ę",
            "em",
            "om",
            "ie",
            "ovi",
            "ou",
            "ach",
            "ami",
            "ech",
            "ov",
            "ova",
            "ove",
            "ovo",
            "oj",
            "ом",
            "ем",
            "ой",
            "ою",
            "ей",
            "ий",
            "ый",
            "ая",
            "ую",
            "ого",
            "его",
            "ому",
            "ему",
            "ів",
            "ові",
            "ом",
            "у",
            "ю",
            "а",
            "я",
            "е",
            "і",
            "и",
            "ї",
            "ы",
            "о",
            "ах",
            "ях",
            "ам",
            "ям",
            "ами",
            "ями",
        ],
        key=len,
        reverse=True,
    )
)

_lock = threading.Lock()
_stemmers: dict[str, object] = {}


def _stemmer(language: str):
    name = _SNOWBALL.get(language)
    if name is None:
        return None
    with _lock:
        if language not in _stemmers:
            import snowballstemmer

            _stemmers[language] = snowballstemmer.stemmer(name)
        return _stemmers[language]


#: Languages whose simplemma dictionary tells common words from names (see word_class); the
#: codes simplemma uses. German capitalises every noun, so its dictionary cannot tell.
CLASS_LANGUAGES = {
    **{k: v for k, v in _SIMPLEMMA.items() if k != "de"},
    "en": "en", "fr": "fr", "it": "it", "es": "es", "pt": "pt", "nl": "nl", "ca": "ca",
    "ro": "ro", "sv": "sv", "da": "da", "nb": "nb", "no": "nb", "nn": "nn", "ga": "ga",
    "gl": "gl", "id": "id", "ms": "ms", "sq": "sq", "is": "is", "lb": "lb",
}  # fmt: skip


def _dictionary(code: str) -> Mapping[str, str]:
    """simplemma's dictionary for ``code`` (form -> lemma), its low-memory kind: the default
    dictionaries take up to ~400 MB per language once loaded (Polish, Finnish); these keep
    the compressed form and decode what is asked (~35 MB, the same entries). One per
    process, shared with the artefact detector (:func:`newsetl.simplemma_cache.dictionary`)."""
    from newsetl.simplemma_cache import dictionary  # built once, then on disk

    return dictionary(code)


@lru_cache(maxsize=65536)
def _lookup(word: str, code: str) -> tuple[str, bool]:
    """(lemma, known) from simplemma's dictionary: the word as written, else in lower case
    ("Adwokat" -> "adwokat"); (word, False) when neither is there or on any failure."""
    try:
        entries = _dictionary(code)
        found = entries.get(word)
        if found is None and not word.islower():
            found = entries.get(word.lower())
    except Exception:  # an unsupported code or a damaged dictionary: keep the word
        return word, False
    return (found, True) if found else (word, False)


@lru_cache(maxsize=65536)
def lemma(word: str, language: str) -> str:
    """simplemma's lemma of ``word`` (the word itself when unknown or the language unsupported);
    a capitalised word keeps its capital ("Niemczech" -> "Niemcy")."""
    code = _SIMPLEMMA.get(language) or CLASS_LANGUAGES.get(language)
    if code is None or not word[:1].isalpha():
        return word
    out, _ = _lookup(word, code)
    if word[:1].isupper() and not out[:1].isupper():
        out = out[:1].upper() + out[1:]
    return out


@lru_cache(maxsize=65536)
def word_class(word: str, language: str) -> str:
    """What simplemma's dictionary says a capitalised word is: ``"common"`` (its lemma is
    written in lower case: "Adwokat", "Yesterday", "Ieri"), ``"proper"`` (a name's lemma:
    "Pakistanie" -> "Pakistan", "Madrid"), or ``"unknown"`` (not in the dictionary, or a
    language without one, or German, which capitalises every noun)."""
    code = CLASS_LANGUAGES.get(language)
    if code is None or not word[:1].isalpha():
        return "unknown"
    out, known = _lookup(word, code)
    if not known or not out:
        return "unknown"
    return "common" if out[:1].islower() else "proper"


@lru_cache(maxsize=65536)
def base_word(word: str, language: str) -> str:
    """Grouping form of one written name word: ``norm`` of its lemma, then its stem. Plain
    ``norm`` outside :data:`INFLECTED`."""
    from .text import norm

    normed = norm(word)
    if language not in INFLECTED or len(normed) < 3 or not normed.replace(" ", "").isalpha():
        return normed
    base = norm(lemma(word, language)) or normed
    stemmer = _stemmer(language)
    if stemmer is not None:
        stem = stemmer.stemWord(base)
        return stem if len(stem) >= 3 else base
    if len(base) >= 5:
        for ending in _SLAVIC_ENDINGS:
            if base.endswith(ending) and len(base) - len(ending) >= 4:
                return base[: -len(ending)]
    return base


def base_words(words: tuple[str, ...] | list[str], language: str) -> tuple[str, ...]:
    """:func:`base_word` of every written word."""
    return tuple(base_word(w, language) for w in words)
