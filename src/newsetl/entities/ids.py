"""Entity ids: a pure function of an entity's type and name, the same in every run.

Why a pure function: an id that depends on what was stored before (the first article to name
an entity, the order of batches, which articles a reprocess deletes first) changes when the same
pages are processed again or in another order, and leaves stale entities and aliases behind.
Here the id of a learned entity is ``<type>:<slug>`` where the slug is the entity's name key
(its words in ``norm`` form, reduced to their base form in inflected languages, see
:mod:`.morph`) transliterated to ASCII by anyascii (ISC licence): "Łódź" -> ``lodz``, "Ærø" ->
``aero``, "Дональд Трамп" -> ``donal-d-tramp``, "Κρήτη" -> ``krit``. Names that transliterate
to nothing (symbols only) get a digest of their Unicode key, so two different names never share
an id by losing their letters. Seed entities keep their curated ids ("org:united-nations").

Outside the Latin, Greek and Cyrillic scripts the transliteration loses what tells names apart
(Han homophones: "王伟" and "汪伟" are both ``wangwei``; Arabic "ح" and "ه" are both ``h``;
Hangul syllables run together), so a key with a letter or digit of another script gets the
readable slug *and* a digest of its Unicode key: ``person:wangwei-<8 hex>``. Different keys
then never share an id, and ids of Latin, Greek and Cyrillic names stay as they were. (Latin,
Greek and Cyrillic transliterate lossily too, "Ельцин"/"Эльцин", "Søren"/"Soren", but there
the folding is the key's own: those names are one key by design.) The key keeps the marks that
spell a word in Indic scripts, Thai, Lao and kana and drops optional Arabic and Hebrew vowel
points (:func:`.text.norm`). Ids of the scheme before this one (``store.ID_SCHEME`` 2) are
rewritten by ``store.upgrade_entity_ids``.

A person named by one word only ("Keller said ...") is *article-local*: the extractor marks the
key with a final ``~`` and the loader appends a digest of the article id, so two articles' lone
"Keller"s are two entities unless the text names the person in full.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

from anyascii import anyascii

#: A slug longer than this is cut and completed with a digest of the whole key (junk text can
#: produce very long "names"; ids stay short and distinct).
MAX_SLUG = 80
#: Marks an article-local key; the loader replaces it with ``~`` + digest of the article id.
LOCAL = "~"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


#: Code point ranges (end exclusive) of the scripts whose names keep a plain transliterated
#: slug: Latin (with IPA and the modifier letters of "Hawaiʻi"), Greek, Cyrillic.
_PLAIN_SLUG_SCRIPTS = (
    (0x00C0, 0x0300),  # Latin-1 letters, Latin Extended-A/B, IPA, spacing modifier letters
    (0x0370, 0x0530),  # Greek and Coptic, Cyrillic, Cyrillic Supplement
    (0x1C80, 0x1C90),  # Cyrillic Extended-C
    (0x1D00, 0x1DC0),  # phonetic extensions
    (0x1E00, 0x2000),  # Latin Extended Additional, Greek Extended
    (0x2C60, 0x2C80),  # Latin Extended-C
    (0x2DE0, 0x2E00),  # Cyrillic Extended-A
    (0xA640, 0xA6A0),  # Cyrillic Extended-B
    (0xA720, 0xA800),  # Latin Extended-D
    (0xAB30, 0xAB70),  # Latin Extended-E
)
_PLAIN_STARTS = [start for start, _ in _PLAIN_SLUG_SCRIPTS]
#: Hex digits of the digest a key of another script carries (see the module docstring).
SCRIPT_DIGEST = 8


def _plain(char: str) -> bool:
    code = ord(char)
    k = bisect_right(_PLAIN_STARTS, code) - 1
    return k >= 0 and code < _PLAIN_SLUG_SCRIPTS[k][1]


def lossy_script(key: str) -> bool:
    """Whether ``key`` has a letter or digit outside ASCII, Latin, Greek and Cyrillic, whose
    transliteration may be another key's too (so its id carries a digest)."""
    return not key.isascii() and any(c.isalnum() and c > "\x7f" and not _plain(c) for c in key)


def changed_by_scheme_3(surfaces: Sequence[str]) -> bool:
    """Whether a name written as ``surfaces`` may have another id under scheme 3 than under
    scheme 2 (``store.ID_SCHEME``): a surface with a combining mark (scheme 2's tokenizer cut
    words at marks and its keys dropped them all), an Arabic tatweel, or a letter or digit
    outside Latin, Greek and Cyrillic (a digest now). Names written otherwise keep their ids."""
    return any(not s.isascii() and any(map(_scheme_3_char, s)) for s in surfaces)


def _scheme_3_char(c: str) -> bool:
    if c <= "\x7f":
        return False
    return (c.isalnum() and not _plain(c)) or c == "\u0640" or unicodedata.category(c)[0] == "M"


def slug_of(key: str) -> str:
    """ASCII slug of a name key: transliterated, lower case, words joined by ``-``; with a
    digest of the key when its script transliterates lossily (see the module docstring)."""
    ascii_text = anyascii(unicodedata.normalize("NFC", key)).casefold()
    slug = _NOT_SLUG.sub("-", ascii_text).strip("-")
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()
    if not slug:
        return "u" + digest[:12]
    if lossy_script(key):
        nfc = unicodedata.normalize("NFC", key)
        tag = hashlib.sha1(nfc.encode("utf-8")).hexdigest()[:SCRIPT_DIGEST]
        return slug[: MAX_SLUG - SCRIPT_DIGEST - 1].rstrip("-") + "-" + tag
    if len(slug) > MAX_SLUG:
        return slug[: MAX_SLUG - 13].rstrip("-") + "-" + digest[:12]
    return slug


def entity_id(etype: str, key_words: Sequence[str], *, local: bool = False) -> str:
    """``<type>:<slug>`` for a name key (its words, already in grouping form)."""
    out = f"{etype}:{slug_of(' '.join(key_words))}"
    return out + LOCAL if local else out


def is_local(key: str) -> bool:
    return key.endswith(LOCAL)


def article_digest(article_id: str) -> str:
    return hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:8]


def stored_id(key: str, article_id: str) -> str:
    """The id the warehouse stores for an extractor key in one article."""
    return key + article_digest(article_id) if is_local(key) else key


# -- the name key of a group of mentions ---------------------------------------------------------
@lru_cache(maxsize=65536)
def name_words(surface: str) -> tuple[str, ...]:
    """The written words of a name, as the mention finder tokenizes them."""
    from .text import tokenize

    return tuple(t.text for t in tokenize(surface))


def key_words(etype: str, words: Sequence[str], language: str) -> tuple[str, ...]:
    """Grouping form of a name's words: ``norm`` form, reduced to base forms in inflected
    languages (:mod:`.morph`); German institution names by their base form ("des Deutschen
    Wetterdienstes" = "Deutscher Wetterdienst")."""
    from .inflection import german_base_key
    from .morph import base_words
    from .text import norm

    if language == "de":
        normed = [k for w in words if (k := norm(w))]
        if etype != "person":
            return tuple(german_base_key(normed).split())
        return tuple(normed)
    return tuple(k for k in base_words(tuple(words), language) if k)


def _content_words(words: Sequence[str]) -> int:
    from ..text.particles import SURNAME_PARTICLES
    from .text import norm

    normed = [norm(w) for w in words]
    return sum(1 for w in normed if w and w not in SURNAME_PARTICLES) or len(normed)


def best_name(surfaces: Sequence[str], language: str = "") -> str:
    """The most complete of a group's surfaces: most words, then a form whose words are their
    own lemmas (the nominative "Donald Trump" over "Donalda Trumpa"), then the longest, then
    the first in code-point order. Depends on the set of surfaces only, never on their order."""
    if len(surfaces) == 1:  # the loader's usual case (one article names a new entity)
        return surfaces[0]
    distinct = dict.fromkeys(surfaces)
    if len(distinct) == 1:  # one name: nothing to rank (each rank looks up every word's lemma)
        return next(iter(distinct))
    # imported here, past the one-name cases: a function-level import costs ~3 us a call
    from .morph import INFLECTED, lemma

    def rank(surface: str) -> tuple:
        words = name_words(surface)
        base = language not in INFLECTED or all(lemma(w, language) == w for w in words)
        return (-len(words), not base, -len(surface), surface)

    return min(distinct, key=rank)


def group_key(etype: str, surfaces: Sequence[str], language: str) -> str:
    """The key of a learned entity from its mentions' surfaces in one text: ``<type>:<slug>``
    of the best name's key words, article-local (``~``) for a person named by one word only."""
    distinct = dict.fromkeys(surfaces)
    if len(distinct) == 1:
        return _one_name_key(etype, next(iter(distinct)), language)
    return _group_key(etype, surfaces, language)


@lru_cache(maxsize=65536)
def _one_name_key(etype: str, surface: str, language: str) -> str:
    """:func:`group_key` of a group written one way, cached. Why: the analysis asks it twice
    for most learned entities (the group's key, then :func:`own_forms` of its one surface),
    and names recur from page to page (3,408 distinct of 7,153 calls on the 181 Zyte pages)."""
    return _group_key(etype, (surface,), language)


def _group_key(etype: str, surfaces: Sequence[str], language: str) -> str:
    name = best_name(surfaces, language)
    words = name_words(name)
    local = etype == "person" and all(_content_words(name_words(s)) <= 1 for s in surfaces)
    return entity_id(etype, key_words(etype, words, language) or (name,), local=local)


def own_forms(etype: str, key: str, surfaces: Sequence[str], language: str) -> list[str]:
    """The distinct ``surfaces`` that are written forms of a learned entity's own name: those
    whose key alone is the entity's ``key`` (its learned aliases); none for a local key.

    Why here and not only in the loader: the analysis that found the entity has the words'
    lemmas and tokens in its caches (and the languages' dictionaries loaded); the run's own
    process, which loads every batch, had neither, and computing these keys there cold was
    ~0.13-0.19 s of its CPU on the 181 Zyte pages (benchmarks/README.md "Round 14 (cpu14)").
    So the analysis stores them with the entity (:attr:`.model.DocEntity.forms`)."""
    if is_local(key):
        return []
    return [s for s in dict.fromkeys(surfaces) if group_key(etype, [s], language) == key]
