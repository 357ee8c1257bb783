"""Nationality, demonym and religion words ("Israeli", "Europeans", "Nederlandse", "Brytyjczycy").

Why a lexicon of its own: these words are mentions (OntoNotes NORP; CoNLL marks them MISC,
BSNLP marks the Slavic nouns as persons linked to their country), but they are not names of one
thing: "Russian" in a text says something about Russia without being Russia. They get their
own type, ``nationality``, are linked to their country by the resolution layer (never merged
into it inside a document) and are kept out of story clustering.

Where the words come from (no hand-typed list of demonyms):

* **country names** of the seed (pycountry's ISO 3166 translations and the CLDR short names,
  ``warehouse/seeds/entity_aliases.csv``) and the continents of the curated seed, turned into
  candidate adjectives and nouns by each language's derivation suffixes ("Israel" + "i",
  "Russia" + "n", "China" - "a" + "ese", "Poland" - "and" + "ish"; Dutch "België" - "ë" +
  "isch" / "ische"); a candidate is kept only when wordfreq (a runtime dependency) knows it as
  a word of that language, so the suffix rules propose and real usage confirms;
* **language names** from pycountry's ISO 639 names and their gettext translations ("French",
  "Dutch", "Greek"; Dutch "Frans" -> "Franse"), linked to a country only when exactly one
  country name shares their first four letters ("French" -> France; "English", "Arabic" stay
  unlinked: no safe country);
* **Slavic nouns** (pl, cs, sk, sl, hr: "Brytyjczyków", "Britové", "Britanci") by morphology at
  run time: a capitalised word whose lemma ends in a demonym suffix of the language and starts
  like exactly one country name of that language;
* **religions** (a handful of English words no PyPI package lists: "Muslim", "Catholic").
"""

from __future__ import annotations

import csv
import gettext
from functools import lru_cache
from pathlib import Path

from anyascii import anyascii

from . import lexicon as lx

#: The type of these mentions (OntoNotes NORP).
NATIONALITY = "nationality"

#: A derived candidate must be at least this frequent (wordfreq Zipf) to count as a word.
MIN_ZIPF = 2.3
#: A language name must be at least this frequent in the language to be taken.
LANGUAGE_NAME_MIN_ZIPF = 3.0
#: Shared first letters that link a language name or a Slavic noun to one country name.
LINK_PREFIX = 4

#: Derivation rules per language: (ending cut from a country name, suffix added). A rule is
#: kept only when it makes real demonyms and no ordinary word from the seed's country names
#: ("Finland" - "land" + "ish" is the verb "finish": Finnish comes from the language names).
_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("", "i"), ("", "ian"), ("", "ese"), ("a", "an"), ("a", "ese"), ("", "n"),
           ("o", "an"), ("e", "an"), ("e", "ean"), ("y", "ian"), ("y", "an"), ("ey", "ish"),
           ("ain", "ish"), ("ia", "ian"), ("", "an"), ("um", "an"), ("a", "ian"),
           ("on", "ese"), ("e", "ian")),
    "nl": (("", "se"), ("", "er"), ("", "ers"), ("land", "s"), ("land", "se"),
           ("land", "er"), ("land", "ers"), ("a", "aans"), ("a", "aanse"), ("a", "aan"),
           ("a", "anen"), ("a", "ees"), ("a", "ese"), ("o", "aans"), ("o", "aanse"),
           ("o", "aan"), ("o", "anen"), ("ë", "aans"), ("ë", "aanse"), ("ë", "aan"),
           ("ë", "anen"), ("ië", "isch"), ("ië", "ische"), ("ië", "en"), ("", "ees"),
           ("", "ese"), ("e", "ees"), ("e", "ese")),
}  # fmt: skip
#: Plural endings of English demonym nouns ("Israelis", "Europeans"); not after -ese/-ish/-ch.
_EN_PLURAL_AFTER = ("i", "an", "er", "k")

#: Religions and their followers (English): no maintained package lists them.
RELIGIONS = {
    "en": ("Muslim", "Muslims", "Islamic", "Christian", "Christians", "Catholic", "Catholics",
           "Protestant", "Protestants", "Jewish", "Jew", "Jews", "Hindu", "Hindus", "Buddhist",
           "Buddhists", "Sunni", "Sunnis", "Shi'ite", "Shi'ites", "Shiite", "Shiites", "Sikh",
           "Sikhs"),
}  # fmt: skip

#: Continents and regions whose adjectives are nationality-like words ("European", "African").
_REGIONS = {"place:europe": "EU", "place:africa": "", "place:asia": "",
            "place:latin-america": ""}  # fmt: skip
#: "America" names the United States in its adjective ("American"); no seed alias says it.
_EXTRA_SOURCES = {
    "en": {"America": "US"},
    "pl": {"Ameryka": "US"},
    "cs": {"Amerika": "US"},
    "sk": {"Amerika": "US"},
    "sl": {"Amerika": "US"},
    "hr": {"Amerika": "US"},
}

#: A Slavic noun may share only three letters with its country ("Polak" / "Polska") when no
#: other country starts alike.
SLAVIC_SHORT_PREFIX = 3

#: Demonym noun suffixes of the lemma (Slavic, Latin script): Polish "-czyk", "-anin", "-iec",
#: Czech/Slovak "-an", "-ec", "-ák", Slovene/Croatian "-anec", "-ec", "-anin".
SLAVIC_NOUN_SUFFIXES = {
    "pl": ("czyk", "czycy", "anin", "anie", "iec", "cy", "ak", "acy", "uz", "uzi"),
    "cs": ("an", "ané", "ec", "ci", "ák", "áci", "ové"),
    "sk": ("an", "ania", "ec", "ci", "ák", "áci", "ovia"),
    "sl": ("anec", "anci", "ec", "ci", "an", "ani"),
    "hr": ("anin", "ani", "anac", "anci", "ac", "ci"),
}  # fmt: skip
#: Adjective endings (a capital there is a sentence's first word or part of a longer name:
#: "Brytyjska policja", "Britské listy"): never a demonym noun.
SLAVIC_ADJECTIVE_ENDINGS = (
    "ski", "ska", "skie", "scy", "ską", "skiej", "skich", "cki", "cka", "ckie", "ccy", "ský",
    "ská", "ské", "ských", "ského", "cký", "cká", "cké", "ški", "ška", "ško", "sko", "ny", "na",
    "ne", "ní", "ný",
)  # fmt: skip
#: The short (three-letter) link needs a lemma this short ("Polak"), or "Politycy" (lemma
#: "polityk") would be Poles.
SLAVIC_SHORT_LEMMA = 5


def _seed_dir() -> Path:
    from ..warehouse import sql_root

    return sql_root() / "seeds"


@lru_cache(maxsize=1)
def _country_names() -> dict[str, list[tuple[str, str]]]:
    """``{language: [(country name, ISO code or "")]}`` from the seed (countries and regions)."""
    out: dict[str, list[tuple[str, str]]] = {}
    path = _seed_dir() / "entity_aliases.csv"
    if not path.exists():
        return out
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            eid = row["entity_id"]
            if eid.startswith("country:"):
                code = eid.split(":", 1)[1]
            elif eid in _REGIONS:
                code = _REGIONS[eid]
            else:
                continue
            out.setdefault(row["language"], []).append((row["alias"], code))
    for lang, extra in _EXTRA_SOURCES.items():
        out.setdefault(lang, []).extend(extra.items())
    return out


def _fold(word: str) -> str:
    return anyascii(word).casefold()


def _unique_prefix_country(
    word: str, names: list[tuple[str, str]], prefix: int = LINK_PREFIX
) -> str | None:
    """The one country whose single-word name starts like ``word`` (``prefix`` letters)."""
    head = _fold(word)[:prefix]
    if len(head) < prefix:
        return None
    codes = {code for name, code in names
             if code and " " not in name and _fold(name).startswith(head)}  # fmt: skip
    return codes.pop() if len(codes) == 1 else None


@lru_cache(maxsize=32)
def lexicon(language: str) -> dict[str, str]:
    """``{written demonym: country code or ""}`` for ``language`` (empty where no rules).

    Built once per machine (about 1 s of wordfreq and pycountry look-ups per language) and
    read back from the disk cache (:mod:`newsetl.cache`), keyed by the seed file, the versions
    of the packages the words come from and the source of the code that builds it: every
    module of ``newsetl.entities`` (the build reads ``lexicon``, ``morph`` and ``text`` besides
    this one) and of the shared :mod:`newsetl.text`, so an upgrade that edits any of them
    never reads a table the older code built."""
    if language not in _RULES:
        return {}
    from ..cache import cached

    return cached(f"demonyms_{language}", cache_key(language), lambda: _build_lexicon(language))


def cache_key(language: str) -> str:
    """The on-disk cache key of :func:`lexicon` (see there for what it covers)."""
    from ..cache import cache_key as digest
    from ..cache import distribution_version
    from .gazetteer import build_sources

    return digest(
        *(distribution_version(d) for d in ("pycountry", "wordfreq", "simplemma")),
        language,
        _seed_dir() / "entity_aliases.csv",
        *build_sources(),
    )


def _build_lexicon(language: str) -> dict[str, str]:
    names = [*_country_names().get(language, []), *_country_names().get("mul", [])]
    out: dict[str, str] = {}
    cost: dict[str, int] = {}

    def add(word: str, code: str, c: int) -> None:
        if word in out and cost[word] <= c:
            if cost[word] == c and out[word] != code:
                out[word] = ""  # two countries derive it alike: no safe link
            return
        out[word], cost[word] = code, c

    for name, code in names:
        if " " in name or "-" in name or not name[:1].isupper() or len(name) < 4:
            continue
        for strip, suffix in _RULES[language]:
            if not name.endswith(strip) or (suffix == "n" and not name.endswith("a")):
                continue
            stem = name[: len(name) - len(strip)] if strip else name
            word = stem + suffix
            if len(stem) < 3 or word == name or not _real_word(word, language):
                continue
            add(word, code, len(strip) + len(suffix))
            plural = word + "s"
            if (
                language == "en"
                and word.endswith(_EN_PLURAL_AFTER)
                and _real_word(plural, language)
            ):
                add(plural, code, len(strip) + len(suffix) + 1)
    for word, code in _language_names(language, names).items():
        add(word, code, 10)
    for word in RELIGIONS.get(language, ()):
        add(word, "", 20)
    # A derived word that is itself a country or region name is that place, not a demonym.
    places = {_fold(n) for n, _ in names}
    return {w: c for w, c in out.items() if _fold(w) not in places}


def _real_word(word: str, language: str) -> bool:
    """Known to wordfreq, and not an inflected form of an ordinary word (Dutch "tongen" is
    "tong" in the plural, not people of Tonga)."""
    from .morph import CLASS_LANGUAGES, _lookup

    if lx.zipf(word, language) < MIN_ZIPF:
        return False
    code = CLASS_LANGUAGES.get(language)
    if code is None:
        return True
    base, known = _lookup(word.lower(), code)
    return not known or base.lower() == word.lower()


def _language_names(language: str, names: list[tuple[str, str]]) -> dict[str, str]:
    """Language names that are also nationality words in ``language`` ("French", Dutch
    "Franse"), linked to the country whose name starts alike, if exactly one does."""
    import pycountry

    tr = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[language],
                             fallback=True)  # fmt: skip
    out: dict[str, str] = {}
    for lang in pycountry.languages:
        if not getattr(lang, "alpha_2", None):
            continue
        name = tr.gettext(lang.name)
        if not name[:1].isupper() or not name.isalpha():
            continue
        if lx.zipf(name, language) < LANGUAGE_NAME_MIN_ZIPF:
            continue
        forms = [name]
        if language == "nl":
            forms += [name + "e"] if not name.endswith("e") else []
        code = _unique_prefix_country(name, names) or ""
        for form in forms:
            if lx.zipf(form, language) >= MIN_ZIPF:
                out[form] = code
    return out


@lru_cache(maxsize=65536)
def slavic_noun(word: str, language: str) -> str | None:
    """The country code (or "") of a capitalised Slavic demonym noun, else None:
    "Brytyjczyków" (lemma "Brytyjczyk") -> GB, "Britové" -> GB, "Polacy" -> PL."""
    from .morph import CLASS_LANGUAGES, _lookup, lemma
    from .names import is_first_name, is_surname

    suffixes = SLAVIC_NOUN_SUFFIXES.get(language)
    if not suffixes or not word[:1].isupper() or len(word) < 5:
        return None
    if word.endswith(SLAVIC_ADJECTIVE_ENDINGS) or is_first_name(word) or is_surname(word):
        return None
    dictionary = CLASS_LANGUAGES.get(language)
    if dictionary is None or not _lookup(word, dictionary)[1]:
        return None  # a form the dictionary does not know ("Mayové": the Mays) is no demonym
    base = lemma(word, language)
    if not (base.endswith(suffixes) or word.endswith(suffixes)):
        return None
    names = _country_names().get(language, [])
    folded = {_fold(n) for n, _ in names}
    if _fold(word) in folded or _fold(base) in folded:
        return None  # the country itself ("Niemcy" is Germany)
    # the last word of two-word names only ("Wielka Brytania", "Velká Británie"): in longer
    # ones it is a complement ("Republika Zielonego Przylądka")
    tails = [(n.split()[-1], c) for n, c in names if n.count(" ") == 1]
    prefixes = [LINK_PREFIX] + ([SLAVIC_SHORT_PREFIX] if len(base) <= SLAVIC_SHORT_LEMMA else [])
    for prefix in prefixes:
        # single-word names first, then the last word of longer ones ("Wielka Brytania")
        code = _unique_prefix_country(base, names, prefix) or _unique_prefix_country(
            base, tails, prefix
        )
        if code:
            return code
    return None


#: Noun endings of nationality words: a noun is never the first word of a longer name ("De
#: Italiaan Paolini", "the Australians Michael Doohan and ..."). Every Dutch one stands alone:
#: an inflected adjective before a name is an attribute ("de Britse Thomson Directories"); a
#: name that starts with one ("Nederlandse Spoorwegen") is the gazetteer's to know.
NOUN_ENDINGS = {"en": ("s",), "nl": ("",)}


def is_noun(word: str, language: str) -> bool:
    """A nationality noun (Slavic ones always are, see :func:`slavic_noun`)."""
    if language in SLAVIC_NOUN_SUFFIXES:
        return True
    return word.endswith(NOUN_ENDINGS.get(language, ()))


def lookup(word: str, language: str) -> str | None:
    """The country code ("" when unlinked) when ``word`` is a nationality word, else None."""
    found = lexicon(language).get(word)
    if found is not None:
        return found
    if language in SLAVIC_NOUN_SUFFIXES:
        return slavic_noun(word, language)
    return None
