"""Entity ids: a pure function of an entity's type and name, the same in every run.

Why a pure function: an id that depends on what was stored before (the first article to name
an entity, the order of batches, which articles a reprocess deletes first) changes when the same
pages are processed again or in another order, and leaves stale entities and aliases behind.
Here the id of a learned entity is ``<type>:<slug>`` where the slug is the entity's name key
(its words in ``norm`` form, reduced to their base form in inflected languages, see
:mod:`.morph`) transliterated to ASCII by anyascii (ISC licence): "Łódź" -> ``lodz``, "Ærø" ->
``aero``, "Дональд Трамп" -> ``donal-d-tramp``, "Κρήτη" -> ``krete``. Names that transliterate
to nothing (symbols only) get a digest of their Unicode key, so two different names never share
an id by losing their letters. Seed entities keep their curated ids ("org:united-nations").

A person named by one word only ("Keller said ...") is *article-local*: the extractor marks the
key with a final ``~`` and the loader appends a digest of the article id, so two articles' lone
"Keller"s are two entities unless the text names the person in full.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from anyascii import anyascii

#: A slug longer than this is cut and completed with a digest of the whole key (junk text can
#: produce very long "names"; ids stay short and distinct).
MAX_SLUG = 80
#: Marks an article-local key; the loader replaces it with ``~`` + digest of the article id.
LOCAL = "~"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug_of(key: str) -> str:
    """ASCII slug of a name key: transliterated, lower case, words joined by ``-``."""
    ascii_text = anyascii(unicodedata.normalize("NFC", key)).casefold()
    slug = _NOT_SLUG.sub("-", ascii_text).strip("-")
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()
    if not slug:
        return "u" + digest[:12]
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
