"""Find entity mentions in one text and group the variants that name the same thing.

The steps, in order, each with the reason it exists:

1. **Gazetteer** (seed, the user's seed dirs, German case forms, geonames cities and small
   towns): longest match first, with case rules (acronyms must be upper case, "un" is a French
   article, "UN" is the United Nations). Known names are the most reliable evidence, so they
   claim their tokens before anything else; a small town only where a capital means a place
   (see ``_minor_place_ok``), a seed name not when it is part of a longer name.
2. **Capitalised runs** on the remaining tokens, with titles stripped ("President X"), sentence
   openers and headline capitals discounted (a capital there says nothing), and a type from
   keywords ("... Bank", "Treaty of ..."), titles, speech verbs, "X, who ..." clauses and the
   shape of German institution names ("Deutscher Wetterdienst"); surname particles stay with the
   surname ("von der Leyen").
   Where the capital is the only clue: a wire dateline is a place ("PHILADELPHIA
   1996-08-29"), a line that is only a name is a label ("De Morgen"), a capitalised ordinary
   noun mid-sentence names an institution in languages that write nouns in lower case ("la
   Junta"), and a capitalised article mid-sentence belongs to its name ("La Voz de Galicia").
3. **Acronym definitions** ("Human Rights Watch (HRW)") join the acronym to its expansion, also
   when a translation kept the original's acronym ("German Weather Service (DWD)").
4. **Grouping**: surnames and partial names join the full name ("Ashton-Hart" -> "Nick
   Ashton-Hart", "de la Fuente" -> "Carmen de la Fuente"); machine-translation truncations join
   by prefix or a high fuzzy score only against persons already in the same text ("Mebark" ->
   "Mebarki"), never across documents here.
5. **Headlines** get only names already known from the gazetteer or the body.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from anyascii import anyascii
from rapidfuzz import fuzz

from ..text import particles
from . import demonyms, guard
from . import lexicon as lx
from .gazetteer import (
    CITY_MAX_ZIPF,
    GEONAMES_PREFIX,
    Alias,
    Gazetteer,
    alias_key,
    get_gazetteer,
)
from .ids import best_name, entity_id, group_key, key_words
from .inflection import _adjective_stem, german_base_key
from .model import DocEntity, DocumentEntities, Mention
from .morph import CLASS_LANGUAGES, INFLECTED, base_word, lemma, word_class
from .names import is_first_name, is_surname
from .spacy_ner import spacy_spans
from .text import Token, norm, tokenize

#: Span types a known place has (see ``_Doc.absorb_places``).
GEO_SPAN_TYPES = frozenset({"country", "city", "place"})

#: Languages where a capitalised ordinary noun mid-sentence is taken for a name (see
#: ``_Doc.capitalised_noun_name``): those measured on annotated news (CoNLL es/nl, KIND it,
#: HAREM pt, NerKor hu, FiNER fi). Measured and left out: German (every noun is capitalised),
#: English (days, months, nationalities; HIPE en lost 0.027), French (nationality nouns "les
#: Allemands": HIPE fr lost 0.020), the Slavic languages (BSNLP: as many losses as gains).
#: Unmeasured languages are left out too: in the web sentences of ``robustness.py`` (Greek,
#: Danish) most hits were sentence starts after a missing full stop.
CAPITALISED_NOUN_LANGUAGES = frozenset({"es", "pt", "it", "nl", "hu", "fi"})

#: A lower-case word this frequent (Zipf) is a function word ("que", "che", "para").
FUNCTION_WORD_ZIPF = 5.5
#: A capitalised word this frequent is a function word, not an institution's noun: "Para"
#: 6.9, "Non" 7.2, "Mas" 6.6 vs "Estado" 5.9, "Gobierno" 5.8 (wordfreq Zipf).
CAPITALISED_FUNCTION_WORD_ZIPF = 6.5

#: A wire story's dateline (see ``_Doc.match_datelines``): a place in capitals ("FARMINGTON
#: HILLS") before a date, or before ", Region" and a date or the line's end; or a place in
#: title case ("La Coruña", "Santiago de Chile") before ", <day> <month>".
_CAPS_WORD = r"[A-Z][A-Z'-]*[A-Z]\.?"
_TITLE_WORD = r"[A-ZÀ-Þ][a-zß-ÿ'-]+"
_DATE = r"(?:\d{4}-\d{2}-\d{2}|\d{1,2} [a-zà-ÿ]{3,10}\.? \(|\d{1,2} [a-zà-ÿ]{3,10}\b)"
_DATELINE = re.compile(
    rf"\s*(?:(?P<caps>{_CAPS_WORD}(?: {_CAPS_WORD}){{0,3}})"
    rf"(?: {_DATE}|, [A-Z][\w.]*(?: [A-Z][\w.]*)?(?: {_DATE}|\s*$))"
    rf"|(?P<title>{_TITLE_WORD}(?: (?:de |del |do |da |di )?{_TITLE_WORD}){{0,3}}), {_DATE})"
)

#: Fuzzy threshold (rapidfuzz ratio, 0-100) for a truncated/misspelt name inside one document.
FUZZY_WITHIN_DOC = 85
#: A truncated token must keep at least this share of the full token ("Mebark" / "Mebarki").
PREFIX_SHARE = 0.7

#: A lone given name counts as a person only below this word frequency: "Lucy" (4.1) yes;
#: "Grace" (4.6), "Mark" (5.1), "Will" (6.5) are too often ordinary words.
GIVEN_NAME_MAX_ZIPF = 4.2

#: A capitalised single word this frequent (Zipf) is an ordinary word, not a name, unless a title
#: or a known name says otherwise: "Monday" 4.8, "French" 5.1 vs "Interpol" 3.2, "Barclays" 3.2.
COMMON_ZIPF = 3.5

#: A word simplemma's dictionary does not know is an ordinary word only at this frequency.
UNKNOWN_COMMON_ZIPF = 5.0
#: A sentence's first word that the dictionary does not know is taken for a name below this
#: frequency ("Avellino" yes; an unknown spelling of a frequent word no).
INITIAL_NAME_MAX_ZIPF = 4.0

#: A seed acronym of another language is taken only when it is rarer than this (Zipf) in the
#: text's language: "OMS" (2.4 in English) is the WHO, "CPI" (3.3) and "BCE" (3.1) are not.
FOREIGN_ACRONYM_MAX_ZIPF = 2.5

#: A small town whose name is at least this frequent (Zipf) in the text's language is taken
#: for the ordinary word ("Colina", "Lagarto")...
MINOR_PLACE_MAX_ZIPF = 3.5
#: ... unless a locative preposition says a place is meant ("in Zwolle" 4.5, "in Leuven" 4.3);
#: words this common in any news language stay words even then ("Mitte" 5.1, "Natal" 4.7).
MINOR_PLACE_MAX_ZIPF_AFTER_LOCATIVE = 4.6

CONF_GAZETTEER = 0.95
CONF_DEFINED = 0.9
CONF_KEYWORD = 0.85
CONF_TITLED = 0.9
CONF_NAME = 0.75
CONF_PARTIAL = 0.8
CONF_FUZZY = 0.65
CONF_WEAK = 0.5


@dataclass
class Span:
    """A candidate mention: tokens ``[i, j)`` of the token list."""

    i: int
    j: int
    type: str
    confidence: float
    canonical: Alias | None = None
    evidence: bool = False  # title / speech verb / "who" clause says this is a person
    sentence_initial: bool = False
    group: int = -1  # index into the groups list once grouped
    fuzzy: bool = False
    dateline: bool = False  # a wire story's place of filing (see _Doc.match_datelines)
    label: bool = False  # a line that is only a name (see _Doc.match_label_lines)


@dataclass
class Group:
    type: str
    spans: list[Span] = field(default_factory=list)
    canonical: Alias | None = None
    acronyms: list[str] = field(default_factory=list)
    key: str | None = None  # a fixed key (nationality words: their country's)


#: a token's text (Token is a named tuple: its third field)
_TOKEN_TEXT = operator.itemgetter(2)


class _Doc:
    """Per-call state; nothing here is shared between threads."""

    def __init__(
        self, text: str, language: str, gaz: Gazetteer, tokens: list[Token] | None = None
    ) -> None:
        self.text = text
        self.lang = language
        self.gaz = gaz
        self.tokens: list[Token] = tokenize(text) if tokens is None else tokens
        self._check_headlines()
        self.covered = [False] * len(self.tokens)
        self.spans: list[Span] = []
        self._joined = self._compute_all_joined()
        # norm of every word with no Python frame per word (a cached norm is a C call)
        self.keys = list(map(norm, map(_TOKEN_TEXT, self.tokens)))
        #: base forms for grouping (case forms of one name meet), computed when first asked
        self._bases: list[str | None] = [None] * len(self.tokens)
        #: token index -> country code ("" when unlinked) of nationality words
        self.nationalities: dict[int, str] = {}

    def _check_headlines(self) -> None:
        """A title-case line is a headline only when some of its capitalised words are
        ordinary words ("Ministers Gather For Crucial Vote", "Investors Await Fed Decision");
        a line of names and numbers ("Falk Balzer (Germany) 13.XX") keeps its names."""
        toks = self.tokens
        k = 0
        # the headline words, found in one pass (most words are in none); a line's words are
        # handled together and only their own flags change, so this is the walk word by word
        for first in [m for m, t in enumerate(toks) if t.headline]:
            if first < k:
                continue
            k = first
            end = k
            line_end = self.text.find("\n", toks[k].start)
            line_end = len(self.text) if line_end < 0 else line_end
            while end < len(toks) and toks[end].start < line_end:
                end += 1
            line = toks[k:end]
            caps = sum(1 for t in line if t.text.isupper()) >= 0.8 * len(line)
            if not caps:
                ordinary = sum(
                    1 for t in line[1:]
                    if t.capitalised and (norm(t.text) in lx.SENTENCE_OPENERS or self.common(t))
                )  # fmt: skip
                if ordinary < 2 and not (self.lang == "de" and ordinary):
                    for m in range(k, end):
                        toks[m] = toks[m]._replace(headline=False)
            k = end

    def base(self, i: int) -> str:
        """Grouping form of token ``i``: its base form in inflected languages ("Trumpa" ->
        "trump", see ``morph``), else its ``norm`` key."""
        out = self._bases[i]
        if out is None:
            out = self._bases[i] = (
                base_word(self.tokens[i].text, self.lang) if self.lang in INFLECTED
                else self.keys[i]
            )  # fmt: skip
        return out

    # -- helpers -------------------------------------------------------------------------------
    def surface(self, span: Span) -> str:
        return self.text[self.tokens[span.i].start : self.tokens[span.j - 1].end]

    def joined(self, i: int) -> bool:
        """True when token ``i`` follows token ``i-1`` with only spaces between them (or a
        plural possessive apostrophe: "Workers' Federation")."""
        return 0 < i < len(self._joined) and self._joined[i]

    def _compute_all_joined(self) -> list[bool]:
        """:meth:`joined` for every token, in one pass (a method call per word was a visible
        part of each page's cost); a single space, the common gap, is decided first."""
        toks, text = self.tokens, self.text
        # every gap in one comprehension; only the gaps other than one space are looked at
        gaps = [text[prev.end : tok.start] for prev, tok in itertools.pairwise(toks)]
        out = [False, *[gap == " " for gap in gaps]] if toks else []
        for i in [k for k, gap in enumerate(gaps, 1) if gap != " "]:
            prev, tok, gap = toks[i - 1], toks[i], gaps[i - 1]
            if (
                len(prev.text) == 1
                and prev.text.isupper()
                and gap.startswith(".")
                and (gap[1:] == "" or (gap[1:].isspace() and "\n" not in gap))
                and tok.capitalised
            ):
                out[i] = True  # an initial: "J. S. Bach", "C. Tolley"
            elif gap[:1] in ("'", "’") and prev.text.endswith("s") and prev.capitalised:
                gap = gap[1:]
                out[i] = gap.isspace() and "\n" not in gap and tok.capitalised
            else:
                out[i] = gap == "" or (gap.isspace() and "\n" not in gap)
        return out

    def common(self, tok: Token) -> bool:
        """An ordinary word of this language, not a name.

        Where simplemma's dictionary can tell (its lemma is lower case: "Adwokat", "Ieri",
        "Yesterday"), that decides: "Avellino", "Trenitalia", "Fiat", "Oviedo" are names
        however often newspapers print them. English also capitalises days, months and
        nationalities ("Monday", "Russian"). Elsewhere (German nouns, languages without a
        dictionary) a word as frequent as :data:`COMMON_ZIPF` is ordinary; a word the
        language's list does not know at all ("Goals" in Urdu text) is judged as English."""
        if not tok.capitalised and self.lang in CLASS_LANGUAGES and self.lang != "de":
            return True  # written in lower case in running text: an ordinary word
        cls = word_class(tok.text, self.lang) if self.lang != "de" else "unknown"
        if cls == "common":
            return True
        if cls == "proper":
            return self.lang == "en" and lx.en_capitalised_word(tok.text)
        if self.lang in CLASS_LANGUAGES and self.lang != "de":
            return lx.zipf(tok.text, self.lang) >= UNKNOWN_COMMON_ZIPF or (
                self.lang == "en" and lx.en_capitalised_word(tok.text)
            )
        local = lx.zipf(tok.text, self.lang)
        return (local if local > 0 else lx.zipf(tok.text, "en")) >= COMMON_ZIPF

    def capitalised_noun_name(self, i: int) -> bool:
        """Is the ordinary noun at ``i`` written with a capital because it names something?

        Languages that write nouns in lower case mark a name by the capital alone: "el
        presidente de la Junta", "del Gobierno", "a Bizottság", "a Igreja" are institutions,
        although the dictionary knows "junta", "gobierno" as words. Only where the capital
        says something: mid-sentence, outside headlines and capitals, not a title ("el
        Presidente" is handled as a title), and after a lower-case word of the sentence (so
        a word that opens a quotation or a list item is not taken), and not a function word
        (a capitalised "para" or "che" mid-line is a sentence whose full stop is missing).
        Only in :data:`CAPITALISED_NOUN_LANGUAGES`: never in German (every noun is
        capitalised), English (days, months, nationalities, older styles) or French
        (nationality nouns); on BSNLP's Slavic news it found names ("Komisja") but lost as
        many elsewhere (cs, ru, sl, sk) and, found alone, their case forms link to nothing
        (grouping across documents 0.891 -> 0.853)."""
        if self.lang not in CAPITALISED_NOUN_LANGUAGES:
            return False
        tok = self.tokens[i]
        if (
            tok.sentence_start
            or tok.headline
            or tok.is_acronym
            or not tok.capitalised
            or len(tok.text) < 3
            or not tok.text[1:].islower()
            or lx.is_title(tok.text)
            or norm(tok.text) in lx.SENTENCE_OPENERS
            or lx.zipf(tok.text, self.lang) >= CAPITALISED_FUNCTION_WORD_ZIPF
            or self.keys[i] in lx.calendar_words(self.lang)  # "14 de Março", "Segunda"
        ):
            return False
        if i == 0 or not self.joined(i):
            return False
        prev = self.tokens[i - 1]
        return (
            prev.text[:1].islower()
            and word_class(tok.text, self.lang) == "common"
            and not self._name_goes_on_lowercase(i + 1)
        )

    def _name_goes_on_lowercase(self, j: int) -> bool:
        """Does a name that starts with a capitalised noun go on in lower case at ``j``?
        Italian and French capitalise only the first word of an institution's name and put
        adjectives after the noun ("Corte suprema", "Banca centrale", "Chiesa ortodossa"):
        where an adjective or noun follows, where the name ends is unknown, so the noun
        alone is not reported. A verb ("la Corte ha confermato": the dictionary's lemma is
        an infinitive), a function word or punctuation ends it."""
        if self.lang not in lx.FIRST_WORD_CAPITAL_LANGUAGES or j >= len(self.tokens):
            return False
        tok = self.tokens[j]
        if not self.joined(j) or not tok.text.isalpha() or not tok.text.islower():
            return False
        if len(tok.text) < 4 or self.keys[j] in lx.CONNECTORS:
            return False
        if lx.zipf(tok.text, self.lang) >= FUNCTION_WORD_ZIPF:
            return False
        return not lemma(tok.text, self.lang).endswith(lx.INFINITIVE_ENDINGS)

    def name_at_sentence_start(self, tok: Token) -> bool:
        """Is a sentence's first word a name? Only where the dictionary knows it as one
        ("Pakistanie", "Cardiff") or does not know it and it is rare as a word ("Avellino",
        "Ashton-Hart"); never a sentence opener or an ordinary word. German and languages
        without a dictionary: no (every noun, or nothing, is known)."""
        if self.lang == "de" or self.lang not in CLASS_LANGUAGES or tok.is_acronym:
            return False
        if norm(tok.text) in lx.SENTENCE_OPENERS or self.common(tok):
            return False
        cls = word_class(tok.text, self.lang)
        return cls == "proper" or lx.zipf(tok.text, self.lang) < INITIAL_NAME_MAX_ZIPF

    # -- 1. gazetteer ----------------------------------------------------------------------------
    def _case_ok(self, alias: Alias, toks: Sequence[Token]) -> bool:
        a_toks = _alias_tokens(alias.surface)
        if len(a_toks) != len(toks):
            return False
        if not any(t.capitalised for t in toks):
            if not all(map(_caseless, a_toks)):
                return False
            # a name in a script without capitals is matched as written, one word only where
            # it is no function word of the text's language ("मोदी" 6.0 and "علي" 6.1 are
            # names; "में" 7.5 and "على" 7.2 are not)
            if (
                len(toks) == 1
                and lx.zipf(toks[0].text, self.lang) >= CAPITALISED_FUNCTION_WORD_ZIPF
            ):
                return False
        for k, (a, t) in enumerate(zip(a_toks, toks, strict=True)):
            if a.is_acronym or (len(toks) == 1 and len(a.text) <= 3):
                if t.text.replace(".", "") != a.text.replace(".", ""):
                    return False
            elif k == 0 and a.capitalised and not t.capitalised:
                return False
        return True

    def _pick_alias(self, key: tuple[str, ...], toks: Sequence[Token], lookup=None) -> Alias | None:
        fitting = [a for a in (lookup or self.gaz.lookup)(key) if self._case_ok(a, toks)]
        if not fitting:
            return None
        if len(toks) == 1 and toks[0].sentence_start and key[0] in lx.SENTENCE_OPENERS:
            return None  # "Seine Frau sagte": a possessive, not the river
        local = [a for a in fitting if a.language in (self.lang, "mul")]
        if local:
            return local[0]
        first = toks[0]
        if len(toks) == 1 and (first.sentence_start or self.common(first)):
            return None  # a foreign-language name that is an ordinary word here
        if len(toks) == 1 and first.is_acronym and self._acronym_used_here(first):
            return None  # "CPI" is the ICC in French, consumer prices in English
        return fitting[0]

    def _acronym_used_here(self, tok: Token) -> bool:
        """Is this acronym in everyday use in the text's language (so a foreign institution's
        acronym is more likely something local)? wordfreq counts acronyms as words."""
        return lx.zipf(tok.text, self.lang) >= FOREIGN_ACRONYM_MAX_ZIPF

    def _titled(self, i: int) -> bool:
        """ "M. Colombo", "President Jordan": a title makes the next word a person, not a place."""
        if i <= 0:
            return False
        prev = self.tokens[i - 1]
        gap = self.text[prev.end : self.tokens[i].start]
        spaced = self.joined(i) or (gap.startswith(".") and gap[1:].isspace() and len(gap) <= 2)
        return spaced and lx.is_title(prev.text) and not prev.is_acronym

    def _isolated_place(self, i: int, j: int) -> bool:
        """False for "Paris Hilton", "Chad Smith": a one-word place glued to other capitals."""
        if self.lang == "de" or self.tokens[i].headline:
            return True
        for k in (i - 1, j):
            if not 0 <= k < len(self.tokens) or self.covered[k]:
                continue
            tok = self.tokens[k]
            adjacent = self.joined(j) if k == j else self.joined(i)
            if (
                adjacent
                and tok.capitalised
                and not lx.is_title(tok.text)
                and not (tok.sentence_start and norm(tok.text) in lx.SENTENCE_OPENERS)
                and not tok.is_acronym
            ):
                return False
        return True

    def _minor_place_ok(self, i: int, j: int) -> bool:
        """A small town's name is believed only where a capital means a name.

        Never at the start of a sentence or in a headline, in capitals ("PEPA"), after a given
        name or an initial ("Olaf Kehl", "A. Sanger"), beside other capitalised words ("Shoreline
        Amphitheatre") or next to a title or a verb of saying ("Pushkin said"). A one-word name
        must also be rare as a word: in the text's language unless a locative preposition
        comes right before it ("in Zwolle", "nach Heidelberg"), and very rare in the other news
        languages ("Rosso", "Natal"). German capitalises every noun, so there the preposition
        is required: "in Mitte" is the Berlin district, "in der Mitte" is not."""
        toks = self.tokens
        if toks[i].sentence_start or toks[i].headline or any(t.is_acronym for t in toks[i:j]):
            return False
        locative = self._after_locative(i)
        if (
            i > 0
            and self.joined(i)
            and toks[i - 1].capitalised
            and (is_first_name(toks[i - 1].text) or self.lang == "de")
        ):
            return False
        if i > 1 and len(toks[i - 1].text) == 1 and self.text[toks[i - 1].end] == ".":
            return False  # an initial: a surname follows
        if self.lang == "de" and not locative:
            return False
        if self.lang != "de" and not self._isolated_place(i, j):
            return False
        if (
            j + 1 < len(toks)
            and self.joined(j)
            and self.joined(j + 1)
            and not toks[j].capitalised
            and self.keys[j] in lx.CONNECTORS
            and toks[j + 1].capitalised
        ):
            return False  # "Rio Grande do Sul", "Santo António das Pombas": a longer name
        if j - i == 1 and self._ordinary_word(toks[i], locative):
            return False
        strong, weak = self._context_evidence(i, j)
        return not (strong or weak)

    def _name_precedes(self, i: int) -> bool:
        """Is token ``i`` inside a longer capitalised name that starts before it? A capital
        there means a name only mid-sentence, outside headlines, and not for a title, an
        acronym or a word already matched. English only: it is the language that capitalises
        every word of a name ("National Security Council"); German capitalises the noun of an
        apposition ("ihrer Heimatstadt La Paz"), and Romance titles and lists put capitals
        before names too ("Scuderia San Marino")."""
        if self.lang != "en" or i <= 0 or not self.joined(i) or self.covered[i - 1]:
            return False
        prev = self.tokens[i - 1]
        return (
            prev.capitalised
            and not prev.sentence_start
            and not prev.headline
            and not prev.is_acronym
            and not lx.is_title(prev.text)
            and self.keys[i - 1] not in lx.ARTICLES
            and self.keys[i - 1] not in lx.SENTENCE_OPENERS
        )

    def _name_continues(self, j: int) -> bool:
        """Does a longer capitalised name go on at token ``j``? Not for a title ("Interpol
        Secretary General"), an acronym ("Google CEO") or another known name ("Greenpeace
        Germany")."""
        toks = self.tokens
        return (
            j < len(toks)
            and self.joined(j)
            and toks[j].capitalised
            and not toks[j].sentence_start
            and not toks[j].headline  # "Investors Await Fed Decision": title case
            and not toks[j].is_acronym
            and not lx.is_title(toks[j].text)
            and (self.keys[j],) not in self.gaz.prefixes
        )

    def _after_locative(self, i: int) -> bool:
        """ "in Zwolle", "nach Heidelberg", "em Natal": a place preposition right before."""
        return i > 0 and self.joined(i) and self.keys[i - 1] in lx.LOCATIVES.get(self.lang, ())

    def _ordinary_word(self, tok: Token, locative: bool) -> bool:
        """Is this word too common to be taken for a small town here?"""
        local = MINOR_PLACE_MAX_ZIPF_AFTER_LOCATIVE if locative else MINOR_PLACE_MAX_ZIPF
        if lx.zipf(tok.text, self.lang) >= local or lx.zipf(tok.text, "en") >= CITY_MAX_ZIPF:
            return True  # English: news quotes it everywhere ("Jupiter", "Toyota")
        return any(
            lx.zipf_small(tok.text, lang) >= MINOR_PLACE_MAX_ZIPF_AFTER_LOCATIVE
            for lang in lx.NEWS_LANGUAGES
            if lang != self.lang
        )

    def _candidate_lengths(self, i: int, base: bool = False) -> range:
        """Lengths worth looking up at token ``i``, longest first: a run of joined tokens
        whose normalised words (base forms: ``base``) are still the start of some known name."""
        n, longest = len(self.tokens), 0
        if base:
            index = self.gaz.base_index(self.lang)
            keys, prefixes, max_len = self.bases_from(i), index.prefixes, index.max_len
        else:
            keys, prefixes, max_len = self.keys, self.gaz.prefixes, self.gaz.max_len
        offset = i if base else 0
        while (
            i + longest < n
            and longest < max_len
            and (longest == 0 or self._joined[i + longest])
            and tuple(keys[i - offset : i - offset + longest + 1]) in prefixes
        ):
            longest += 1
        return range(longest, 0, -1)

    def _inflects(self, alias: Alias, i: int, length: int) -> bool:
        """Can the tokens from ``i`` be a case form of ``alias``? Case endings make a word
        longer or keep its length ("Pakistan" -> "Pakistanie", "Niemcy" -> "Niemiec"), or cut
        one letter ("Włochy" -> "Włoch"); a sentence's first word must be as long ("Gaz" is
        not "Gaza")."""
        if length == 1 and self.common(self.tokens[i]):
            return False  # an ordinary word ("Gaz", gas) is not a case form of a name
        words = _alias_tokens(alias.surface)
        slack = 0 if self.tokens[i].sentence_start else 1
        return all(len(self.tokens[i + k].text) >= len(w.text) - slack for k, w in enumerate(words))

    def bases_from(self, i: int, length: int = 8) -> list[str]:
        """Base forms of the tokens from ``i`` on (at most ``length``)."""
        return [self.base(k) for k in range(i, min(i + length, len(self.tokens)))]

    def match_datelines(self) -> None:
        """The dateline of a wire story names the place it was filed from: "PHILADELPHIA
        1996-08-29", "KHASAVYURT, Russia 1996-08-30", "FARMINGTON HILLS, Mich.", "La Coruña,
        23 may (EFE)." At a line's start, a place written in capitals before a date or a
        comma, or in title case before a comma and a date, is a place, whatever the
        gazetteer knows (capitals there are the wire's style, so the headline rules would
        drop it). Only the place is taken here; a region after the comma is an ordinary name."""
        toks = self.tokens
        if not toks:
            return
        # token index by offset: built at the first dateline (most texts have none, and the
        # two maps over every token were ~2 % of the entity stage)
        by_start: dict[int, int] | None = None
        by_end: dict[int, int] = {}
        # only this segment's lines: ``self.text`` is the whole text (see extract_entities)
        pos = self.text.rfind("\n", 0, toks[0].start) + 1
        for line in self.text[pos : toks[-1].end].splitlines(keepends=True):
            m = _DATELINE.match(line)
            start = pos
            pos += len(line)
            if not m:
                continue
            if by_start is None:
                by_start = {t.start: k for k, t in enumerate(toks)}
                by_end = {t.end: k for k, t in enumerate(toks)}
            place = m.group("caps") or m.group("title")
            a = start + m.start("caps" if m.group("caps") else "title")
            i, last = by_start.get(a), by_end.get(a + len(place.rstrip(".")))
            if i is None or last is None or last - i > 4:
                continue
            j = last + 1
            inside = [sp for sp in self.spans if sp.i < j and i < sp.j]
            if any(sp.i < i or sp.j > j for sp in inside):
                continue  # a known name runs across the place's edge
            if any(sp.i == i and sp.j == j and sp.canonical for sp in inside):
                continue  # the gazetteer knows the place already
            if sum(1 for sp in inside if sp.canonical) >= 2:
                continue  # "FRANCE PARIS 17 mai": a country and a city, two known names
            self.spans = [sp for sp in self.spans if not (i <= sp.i and sp.j <= j)]
            key = tuple(self.keys[i:j])
            known = [a for a in self.gaz.lookup(key) if a.type in GEO_SPAN_TYPES]
            alias = known[0] if known else None
            etype = alias.type if alias else "city"
            self.spans.append(
                Span(i, j, etype, CONF_KEYWORD, canonical=alias, dateline=alias is None)
            )
            for k in range(i, j):
                self.covered[k] = True

    def match_label_lines(self) -> None:
        """A line that is nothing but one to three capitalised words ("De Morgen", "Het
        Leven", "Buitenland" between the paragraphs of a newspaper's export) is a label: the
        publication's or section's name, not the start of a sentence (it has no verb, no
        lower-case word and no final punctuation), so its first capital is evidence too.
        A line of ordinary words is a section heading ("Storia", "Biografia", "Group A"),
        unless an article leads it: "De Morgen", "Het Leven", "La Stampa" name a paper.
        Not a line of capitals (a headline's style), and not where a known name covers
        only a part."""
        toks = self.tokens
        n = len(toks)
        k = 0
        while k < n:
            end = k + 1
            line_end = self.text.find("\n", toks[k].start)
            line_end = len(self.text) if line_end < 0 else line_end
            while end < n and toks[end].start < line_end:
                end += 1
            i, j = k, end
            k = end
            line_start = self.text.rfind("\n", 0, toks[i].start) + 1
            if self.text[line_start : toks[i].start].strip():
                continue  # something before the words on this line
            if (
                not 1 <= j - i <= 3
                or self.text[toks[i].start : line_end].strip()
                != (self.text[toks[i].start : toks[j - 1].end])
            ):
                continue  # more words, or punctuation/numbers around them
            if not all(self.joined(m) for m in range(i + 1, j)):
                continue
            words = toks[i:j]
            if any(not t.capitalised or t.is_acronym or not t.text.isalpha() for t in words):
                continue
            articles = lx.ARTICLES | lx.NAME_ARTICLES.get(self.lang, frozenset())
            if self.keys[i] not in articles and any(
                self.common(t) or len(t.text) == 1 or lx.is_title(t.text) for t in words
            ):
                continue  # a section heading ("Storia", "Group A", "Morto August Wilson")
            inside = [sp for sp in self.spans if sp.i < j and i < sp.j]
            if inside:
                continue  # the gazetteer knows (a part of) it: its rules decide
            if any(self.covered[m] for m in range(i, j)):
                continue
            # an article-led label names a publication ("De Morgen", "La Stampa")
            etype = self._keyword_type(i, j) or (
                "organisation" if self.keys[i] in articles else "other"
            )
            self.spans.append(Span(i, j, etype, CONF_NAME, label=True))
            for m in range(i, j):
                self.covered[m] = True

    def match_nationalities(self) -> None:
        """Nationality, demonym and religion words ("Israeli", "Brytyjczycy", see
        :mod:`.demonyms`) that stand alone: not inside a longer capitalised name ("Royal Dutch
        Shell", "British Airways"), unless what follows is a title ("Israeli Prime Minister")."""
        toks, covered = self.tokens, self.covered
        # only capitalised words can be nationality words: scan those (str tests, no property)
        for k in [k for k, t in enumerate(toks) if t.text[:1].isupper()]:
            if covered[k]:
                continue
            tok = toks[k]
            if tok.headline:
                # "FRENCH OPEN CHAMPION ...": in a headline only the lexicon's words, by their
                # title-case form (capitals there say nothing about a longer name)
                word = tok.text[0] + tok.text[1:].lower() if tok.text.isupper() else tok.text
                code = demonyms.lexicon(self.lang).get(word)
                if code is None or len(word) < 4:
                    continue
            else:
                code = demonyms.lookup(tok.text, self.lang)
                if code is None or not self._stands_alone(k):
                    continue
            self.covered[k] = True
            self.nationalities[k] = code

    def _stands_alone(self, k: int) -> bool:
        toks = self.tokens
        if self.joined(k) and toks[k - 1].capitalised and not self.covered[k - 1]:
            prev = norm(toks[k - 1].text)
            opener = toks[k - 1].sentence_start and (
                prev in lx.SENTENCE_OPENERS or prev in lx.ARTICLES
            )
            ordinary = self.lang == "en" and lx.en_capitalised_word(toks[k - 1].text)
            if not (opener or ordinary or lx.is_title(toks[k - 1].text)):
                return False  # "Royal Dutch Shell"; not "On Monday Russian ..."
        m = k + 1
        if m < len(toks) and self.joined(m) and toks[m].capitalised and not self.covered[m]:
            if demonyms.is_noun(toks[k].text, self.lang) or is_first_name(toks[m].text):
                return True  # "De Italiaan Paolini", "Australian Michael Doohan"
            # "Israeli Prime Minister ...": a title within the next words; else a longer name
            while m < len(toks) and m <= k + 3 and self.joined(m) and toks[m].capitalised:
                if lx.is_title(toks[m].text):
                    return True
                m += 1
            return False
        return True

    def nationality_groups(self) -> list[Group]:
        """One group per country (or per word when unlinked): "Israeli" and "Israelis" are one
        entity, ``nationality:il``, which the resolution layer links to ``country:IL``."""
        by_key: dict[str, Group] = {}
        for k, code in sorted(self.nationalities.items()):
            if code:
                key = f"{demonyms.NATIONALITY}:{code.lower()}"
            else:
                words = key_words(demonyms.NATIONALITY, [self.tokens[k].text], self.lang)
                key = entity_id(demonyms.NATIONALITY, words or (self.tokens[k].text,))
            group = by_key.setdefault(key, Group(demonyms.NATIONALITY, key=key))
            group.spans.append(Span(k, k + 1, demonyms.NATIONALITY, CONF_KEYWORD))
        return list(by_key.values())

    def match_gazetteer(self) -> None:
        n = len(self.tokens)
        prefixes, inflected = self.gaz.prefixes, self.lang in INFLECTED
        i = 0
        while i < n:
            if (self.keys[i],) not in prefixes and not (inflected and self.tokens[i].capitalised):
                i += 1  # most words start no known name: no attempt to build (same result)
                continue
            found = None
            attempts = [
                (length, tuple(self.keys[i : i + length]), self.gaz.lookup)
                for length in self._candidate_lengths(i)
            ]
            if self.lang in INFLECTED and self.tokens[i].capitalised:
                # case forms of known names ("Pakistanie", "Unii Europejskiej"): by base forms
                index = self.gaz.base_index(self.lang)
                attempts += [
                    (length, tuple(self.bases_from(i, length)),
                     lambda key, index=index, i=i: [
                         a for a in index.by_key.get(key, []) if self._inflects(a, i, len(key))
                     ])
                    for length in self._candidate_lengths(i, base=True)
                ]  # fmt: skip
            for length, key, lookup in attempts:
                toks = self.tokens[i : i + length]
                alias = self._pick_alias(key, toks, lookup)
                if alias is None:
                    continue
                if (
                    length == 1
                    and alias.type in ("country", "city", "place")
                    and (not self._isolated_place(i, i + 1) or self._titled(i))
                ):
                    continue
                if alias.minor and not self._minor_place_ok(i, i + length):
                    continue
                if length >= 2 and self._name_precedes(i):
                    continue  # "National Security Council" is not the UN's "Security Council"
                if (
                    length == 1
                    and alias.type == "organisation"
                    and not toks[0].is_acronym
                    and i + 1 < len(self.tokens)
                    and self.joined(i + 1)
                    and lx.is_title(self.tokens[i + 1].text)
                    and i > 0
                    and self.keys[i - 1] in lx.ARTICLES
                ):
                    continue  # "the Labour Minister": the minister for labour
                if (
                    length == 1
                    and alias.type == "organisation"
                    and not toks[0].is_acronym
                    and self._name_continues(i + 1)
                ):
                    continue  # "Organization of the Amazon Cooperation Treaty", "Siemens Energy"
                if (
                    length == 1
                    and alias.entity_id.startswith(GEONAMES_PREFIX)
                    and not alias.minor
                    and lx.zipf(toks[0].text, self.lang) >= MINOR_PLACE_MAX_ZIPF_AFTER_LOCATIVE
                    and not self._after_locative(i)
                ):
                    continue  # "O Natal deste ano" is Christmas; "em Natal" is the city
                found = (length, alias)
                break
            if found:
                length, alias = found
                conf = CONF_GAZETTEER if length > 1 or not toks[0].is_acronym else CONF_DEFINED
                self.spans.append(Span(i, i + length, alias.type, conf, canonical=alias))
                for k in range(i, i + length):
                    self.covered[k] = True
                i += length
            else:
                i += 1

    # -- 1b. optional spaCy spans -----------------------------------------------------------------
    def add_spacy_spans(self) -> None:
        """Spans of a configured spaCy model on words the gazetteer left free (see spacy_ner)."""
        spans = spacy_spans(self.text)
        if not spans:
            return
        starts = {t.start: k for k, t in enumerate(self.tokens)}
        ends = {t.end: k for k, t in enumerate(self.tokens)}
        for start, end, etype in spans:
            i, last = starts.get(start), ends.get(end)
            if i is None or last is None or any(self.covered[i : last + 1]):
                continue
            if self.tokens[i].headline:
                continue
            self.spans.append(Span(i, last + 1, etype, CONF_NAME, evidence=etype == "person"))
            for k in range(i, last + 1):
                self.covered[k] = True

    # -- 2. capitalised runs ---------------------------------------------------------------------
    def _runs(self) -> list[tuple[int, int]]:
        runs: list[tuple[int, int]] = []
        toks, covered, joined = self.tokens, self.covered, self._joined
        n = len(toks)
        # the words a run can start at, in one pass (Token.capitalised, inlined: this walk
        # asked it of every word); each run ends before the next start it is tested at
        starts = [i for i, t in enumerate(toks) if not covered[i] and t.text[:1].isupper()]
        i = 0
        for start in starts:
            if start < i:
                continue
            i = start
            j = i + 1
            while j < n and not covered[j] and joined[j]:  # _Doc.joined: 0 < j < n here
                if toks[j].text[:1].isupper():
                    j += 1
                elif self._name_number(j):
                    j += 1  # "Nord Stream 2", "Nord Stream 2 AG", "Airbus A380"
                else:
                    # up to two lowercase connectors ("Bank of England", "Organization of the
                    # ..."), not in languages whose names have none ("Rosji do Niemiec"), and
                    # "of" only after the head of a name ("Viorel Ion of Otelul Galati")
                    if not self._connector_allowed(j):
                        break
                    k = j
                    while (
                        k < n
                        and k - j < 2
                        and not self.covered[k]
                        and self.joined(k)
                        and not toks[k].capitalised
                        and (
                            norm(toks[k].text) in lx.CONNECTORS
                            or (norm(toks[k - 1].text), norm(toks[k].text))
                            in particles.SURNAME_PARTICLE_ARTICLES
                        )
                    ):
                        k += 1
                    if (
                        k > j
                        and k < n
                        and not self.covered[k]
                        and toks[k].capitalised
                        and self.joined(k)
                    ):
                        j = k + 1
                    else:
                        break
            runs.append((i, j))
            i = j
        return runs

    def _given_name(self, word: str) -> bool:
        """A given name, also in a case form or another script ("Владимиром" -> "Владимир",
        "Donalda" -> "Donald", "Дональд" -> "Donal'd" -> "Donald")."""
        if is_first_name(word):
            return True
        if self.lang in INFLECTED:
            base = lemma(word, self.lang)
            if base != word and is_first_name(base):
                return True
        if not word.isascii():
            return is_first_name(anyascii(word).replace("'", ""))
        return False

    def _name_number(self, j: int) -> bool:
        """A short number that belongs to the name before it: one or two digits followed by
        an acronym or by a lowercase word that is not a unit ("Nord Stream 2 AG", "the Nord
        Stream 2 pipeline", "Formula 1 season"); not a score ("Liverpool 2 Everton 1") or a
        count ("Monday 5 people")."""
        tok = self.tokens[j]
        if not (tok.text.isdigit() and len(tok.text) <= 2) or j + 1 >= len(self.tokens):
            return False
        nxt = self.tokens[j + 1]
        if not self.joined(j + 1):
            return False
        if nxt.capitalised:
            return nxt.is_acronym
        return (self.keys[j + 1] not in lx.UNIT_WORDS and not self.common(nxt)) or (
            self.keys[j + 1] in lx.NAME_NUMBER_NOUNS
        )

    def _connector_allowed(self, j: int) -> bool:
        """May the lowercase word at ``j`` continue the capitalised name before it?"""
        if self.lang in lx.NO_NAME_CONNECTOR_LANGUAGES:
            return False
        if self.keys[j] == "of" and self.lang == "en":
            head = self.keys[j - 1]
            return head in lx.HEAD_NOUNS or head in lx.OF_HEADS or lx.is_title(head)
        return True

    def _context_evidence(self, i: int, j: int) -> tuple[bool, bool]:
        """(strong, weak) person evidence: a title before it is strong; a speech verb right
        next to it or ", who ..." after it is weak (it also follows "Monday" or "Kenya")."""
        toks = self.tokens
        if self._titled(i):
            return True, True
        weak = False
        if j < len(toks) and self.joined(j):
            nxt = norm(toks[j].text)
            pair = f"{nxt} {norm(toks[j + 1].text)}" if j + 1 < len(toks) else ""
            weak = nxt in lx.SPEECH_VERBS or pair in lx.SPEECH_VERBS
        if j < len(toks) and not weak and self.lang != "de":
            after = self.text[toks[j - 1].end : toks[j].start]
            weak = after.strip() == "," and norm(toks[j].text) in lx.WHO_WORDS
        if i > 0 and not weak and self.joined(i):
            prev = norm(toks[i - 1].text)
            pair = f"{norm(toks[i - 2].text)} {prev}" if i > 1 else ""
            weak = prev in lx.SPEECH_VERBS or pair in lx.SPEECH_VERBS
        return False, weak

    def _keyword_type(self, i: int, j: int) -> str | None:
        """Type from the head word: first word in "Bank of England" / "Banca Mondiale" shapes,
        last word in "World Bank" / "Paris Agreement" shapes."""
        words = [norm(t.text) for t in self.tokens[i:j]]
        has_connector = any(w in lx.CONNECTORS for w in words[1:-1])
        first_head = has_connector or self.lang in ("fr", "it", "es", "pt", "ca", "ro")
        order = [words[0], words[-1]] if first_head else [words[-1], words[0]]
        for w in [*order, *words[1:-1]]:
            if w in lx.TREATY_WORDS:
                return "treaty"
            if w in lx.LAW_WORDS:
                return "law"
            if w in lx.EVENT_WORDS:
                return "event"
            if w in lx.ORG_WORDS:
                return "organisation"
        return None

    def _name_like(self, i: int, j: int) -> bool:
        """Could these capitalised words be a person's name (no title or verb says so)?

        Yes when the first word is a known given name ("Luka Drago"), or when every word is rare
        both in the text's language and in English ("Faouzia Boumaiza Mebarki"); ordinary words
        ("Cassa Depositi", "La Stampa", "Deutsche Bahn" in English) are not names."""
        toks = self.tokens[i:j]
        if not 2 <= len(toks) <= 4:
            return False
        if any(not any(c.isalpha() for c in t.text) or t.is_acronym for t in toks):
            return False
        if self._name_article(i):
            return False  # "El Hierro", "La Restinga", "The Guardian": a place or a title
        if len(toks[0].text) == 1 and toks[0].text.isupper():
            return not self.common(toks[-1])  # "J. S. Bach", "C. Tolley"
        if self._given_name(toks[0].text) and (self.lang != "de" or not self.common(toks[-1])):
            return True
        if self.lang == "de" and is_first_name(toks[0].text):
            return lx.zipf(toks[-1].text, "de") < 4.0 or len(toks) > 2
        return all(
            max(lx.zipf(t.text, self.lang), lx.zipf(t.text, "en")) < 2.5
            for t in toks
            if norm(t.text) not in lx.CONNECTORS
        )

    def classify_runs(self) -> None:
        for i, j in self._runs():
            self._classify(i, j)

    def _initial(self, i: int, j: int) -> bool:
        """Token ``i`` is a capital letter with a full stop before a surname ("A. Dale",
        "M. Butcher" in English scorecards), not the article "A" or the French title "M."."""
        tok = self.tokens[i]
        return (
            i + 1 < j
            and len(tok.text) == 1
            and tok.text.isupper()
            and self.text[tok.end : tok.end + 1] == "."
            and self.joined(i + 1)
            and not (self.lang == "fr" and tok.text == "M")
        )

    def _initials_then_surname(self, i: int, j: int) -> bool:
        """One to three initials, each "X. ", then one word of two letters or more."""
        toks = self.tokens
        k = i
        while (
            k < j - 1
            and self._initial(k, j)
            and self.text[toks[k].end + 1 : toks[k].end + 2] == " "
        ):
            k += 1
        return 1 <= k - i <= 3 and k == j - 1 and len(toks[k].text) >= 2

    def _classify(self, i: int, j: int) -> None:
        toks = self.tokens
        if toks[i].headline:
            return  # headlines only get names the body confirms (see _headline_mentions)
        titled = False
        # Strip sentence openers and titles at the front; split at inner titles.
        while (
            i < j
            and not self._initial(i, j)
            and (
                (toks[i].sentence_start and norm(toks[i].text) in lx.SENTENCE_OPENERS)
                or lx.is_title(toks[i].text)
                or (
                    norm(toks[i].text) in lx.ARTICLES
                    and j - i > 1
                    and not self.covered[i + 1]
                    and not self._name_article(i)
                )
            )
        ):
            titled = titled or lx.is_title(toks[i].text)
            i += 1
        if titled and i < j and norm(toks[i].text) in lx.CONNECTORS:
            if j - i == 3 and self._particle_surname_at(i + 2):
                # "President von der Leyen": the particles are part of the surname
                self.spans.append(Span(i, j, "person", CONF_TITLED, evidence=True))
            return  # "Director of Recreation": a title's complement, not a person
        for k in range(i, j):
            if lx.is_title(toks[k].text) and not self._initial(k, j):
                # "French President Emmanuel Macron": the words before the title stand alone,
                # the words after it are a titled name (the recursion strips the title).
                self._classify_part(i, k, titled=False)
                self._classify(k, j)
                return
        self._classify_part(i, j, titled)

    def _classify_part(self, i: int, j: int, titled: bool) -> None:
        toks = self.tokens
        if self.lang == "en" and all(lx.en_capitalised_word(t.text) for t in toks[i:j]):
            return  # "Monday Russian", "French Dutch": capitals English gives ordinary words
        while j > i and norm(toks[j - 1].text) in lx.CONNECTORS:
            j -= 1
        while i < j and not toks[i].capitalised and norm(toks[i].text) in lx.CONNECTORS:
            i += 1
        if i >= j:
            return
        initial = toks[i].sentence_start
        if self._initials_then_surname(i, j):
            # "M. Butcher", "A. Dale", "J. S. Bach": initials before a word are a person
            self.spans.append(Span(i, j, "person", CONF_TITLED, evidence=True))
            return
        strong, weak = self._context_evidence(i, j)
        evidence = titled or strong or weak
        if (
            self.lang == "de"
            and j - i >= 2
            and norm(toks[i].text).endswith(lx.DE_ORG_DESCRIPTOR_SUFFIXES)
        ):
            self.spans.append(Span(i + 1, j, "organisation", CONF_NAME))
            return
        start = self._german_institution(i, j) if self.lang == "de" and j - i >= 2 else None
        if start is not None:
            self.spans.append(Span(start, j, "organisation", CONF_KEYWORD))
            return
        if j - i >= 2:
            anchor = self._given_name_start(i, j)
            if anchor is not None and anchor > i:
                # "Reederin Sabine Oberholzer", "Schipper Jan de Vries": a role word before a name
                i, initial, evidence, titled = anchor, False, True, True
        if j - i >= 2:
            if (
                initial
                and self._opener(i)
                and not (titled or strong)
                and not self._given_then_surname(i, j)
            ):
                i += 1  # "Yesterday Mario Draghi": drop a common opener
                initial = False
                while i < j and not toks[i].capitalised and norm(toks[i].text) in lx.CONNECTORS:
                    i += 1  # "Yesterday the French ...": and the lowercase word after it
                if j - i == 1:
                    self._classify_single(i, titled or strong)
                    return
            ktype = self._keyword_type(i, j)
            if ktype:
                self.spans.append(Span(i, j, ktype, CONF_KEYWORD))
            elif evidence or self._name_like(i, j):
                conf = CONF_TITLED if evidence else CONF_NAME
                self.spans.append(Span(i, j, "person", conf, evidence=evidence,
                                       sentence_initial=initial))  # fmt: skip
            elif j - i >= 2 and self.lang != "de":
                self.spans.append(Span(i, j, "other", CONF_WEAK, sentence_initial=initial))
            return
        self._classify_single(i, titled or strong)

    def _opener(self, i: int) -> bool:
        """Is a sentence's first word an ordinary word before a name ("Yesterday Mario
        Draghi", "Adwokat Asii Bibi")?"""
        tok = self.tokens[i]
        if self.lang == "de" or self.lang not in CLASS_LANGUAGES:
            return lx.zipf(tok.text, self.lang) >= 4.5
        return self.common(tok) and not is_first_name(tok.text) and not is_surname(tok.text)

    def _german_institution(self, i: int, j: int) -> int | None:
        """Start of a German institution's name that ends the run: national or regional
        adjectives before one compound noun whose last part names an institution ("Deutscher
        Wetterdienst", "Angaben des Deutschen Wetterdienstes", "Bayerische Landesbank"). German
        writes such names as ordinary capitalised words, so the shape is the only clue; plural
        heads ("Deutsche Behörden") and generic adjectives ("Zuständige") are left out."""
        toks = self.tokens
        word = self.keys[j - 1]
        if toks[j - 1].is_acronym or not self._institution_noun(word):
            return None
        start = j - 1
        while start > i:
            stem = _adjective_stem(toks[start - 1].text)
            if not stem or not stem.lower().endswith(lx.DE_NAME_ADJECTIVES):
                break
            start -= 1
        return start if start < j - 1 else None

    @staticmethod
    def _institution_noun(word: str) -> bool:
        for ending in ("es", "s", ""):  # genitive "des Wetterdienstes", "des Bundesamts"
            if ending and not word.endswith(ending):
                continue
            stem = word[: len(word) - len(ending)]
            if stem.endswith(lx.DE_INSTITUTION_SUFFIXES) and stem not in lx.DE_INSTITUTION_SUFFIXES:
                return True
        return False

    def _given_then_surname(self, i: int, j: int) -> bool:
        """ "Jean Le Pen a parlé", "Marco Di Stefano ha detto": a sentence-initial given name
        (frequent as a word only because it is a frequent name) followed by a rare surname."""
        toks = self.tokens
        if not is_first_name(toks[i].text) or lx.zipf(toks[i].text, self.lang) >= 5.5:
            return False  # "Will", "May": words first, names second
        rest = [
            toks[k]
            for k in range(i + 1, j)
            if toks[k].capitalised and self.keys[k] not in particles.SURNAME_PARTICLES
        ]
        return bool(rest) and not any(self.common(t) for t in rest)

    def _particle_surname_at(self, k: int) -> bool:
        """Is token ``k`` a surname right after a particle pair ("von der" Leyen)?"""
        toks = self.tokens
        return (
            k >= 2
            and (self.keys[k - 2], self.keys[k - 1]) in particles.SURNAME_OPENING_PAIRS
            and not toks[k - 1].capitalised
            and self.joined(k)
            and self.joined(k - 1)
            and toks[k].capitalised
            and not toks[k].is_acronym
            and not self.common(toks[k])
        )

    def keep_surname_particles(self) -> None:
        """ "Von der Leyen said", "... according to van der Berg": a lone surname after a
        particle pair takes the particles back. German prose is left out ("von der Regierung"
        is grammar there) unless a title or speech verb says the word is a person."""
        taken = {k for s in self.spans for k in range(s.i, s.j)}
        for span in self.spans:
            if (
                span.j - span.i == 1
                and not span.canonical
                and span.type in ("person", "other")
                and (self.lang != "de" or span.evidence)
                and self._particle_surname_at(span.i)
                and not {span.i - 2, span.i - 1} & taken
            ):
                span.i -= 2
                span.type, span.evidence, span.sentence_initial = "person", True, False
                span.confidence = max(span.confidence, CONF_NAME)
                taken.update((span.i, span.i + 1))

    def _given_name_start(self, i: int, j: int) -> int | None:
        """Index of a given name that starts a person's name inside the run, if the words before
        it are ordinary words (roles, sentence openers, German nouns) rather than names."""
        toks = self.tokens
        for p in range(i, j - 1):
            if not toks[p].capitalised or not is_first_name(toks[p].text):
                continue  # lowercase "von", "de" are particles even where Faker lists them
            before = toks[i:p]
            if all(
                self.lang == "de" or t.sentence_start or self.common(t) or lx.is_title(t.text)
                for t in before
            ) and not any(is_first_name(t.text) for t in before):
                return p
            return None
        return None

    def _classify_single(self, i: int, evidence: bool) -> None:
        tok = self.tokens[i]
        if tok.is_acronym:
            letters = "".join(c for c in tok.text if c.isalpha())
            # a frequent ordinary word set in capitals ("COAL", "PRECIOS", Hungarian "TEKINT"
            # in a press release), not an acronym: the dictionary knows its lower-case lemma
            # and the word is common in text ("BUND", the German NGO, is rare as an English
            # word); known acronyms were matched by the gazetteer before
            if (
                len(letters) >= 4
                and self.lang != "de"
                and letters.isupper()
                and lx.zipf(tok.text.lower(), self.lang) >= 3.0
                and word_class(tok.text.capitalize(), self.lang) == "common"
            ):
                return
            if 2 <= len(letters) <= lx.ACRONYM_MAX and norm(tok.text) not in lx.NON_ENTITY_ACRONYMS:
                self.spans.append(Span(i, i + 1, "organisation", CONF_WEAK))
            return
        if not any(c.isalpha() for c in tok.text):
            return
        # Kept as "pending": grouping decides whether it joins a known name or stands alone.
        self.spans.append(
            Span(i, i + 1, "person" if evidence else "other", CONF_WEAK,
                 evidence=evidence, sentence_initial=tok.sentence_start)
        )  # fmt: skip

    # -- 2a. "Banque européenne d'investissement (BEI)": expansions with lowercase words ---------
    def expand_acronym_definitions(self) -> None:
        toks = self.tokens
        starts = {s.i: s for s in self.spans}
        text = self.text
        for k, tok in enumerate(toks):
            # the closing parenthesis first: one character, and rarely there (the acronym test
            # on every word was most of this loop's cost)
            if k == 0 or text[tok.end : tok.end + 1] != ")" or not tok.is_acronym:
                continue
            if text[toks[k - 1].end : tok.start].strip() != "(":
                continue
            if any(s.i <= k - 1 < s.j and s.j - s.i >= 2 for s in self.spans):
                continue  # the words before already form a name: handled by grouping
            letters = [c for c in tok.text if c.isalpha()]
            for start in range(k - 1, max(-1, k - 1 - len(letters) - 4), -1):
                first = toks[start]
                if self.covered[start] or (not self.joined(start + 1) and start + 1 < k):
                    break
                if not first.capitalised or first.text[0].upper() != letters[0].upper():
                    continue
                words = [t.text for t in toks[start:k]]
                if len(words) >= 2 and _acronym_fits(tok.text, words):
                    self.spans = [s for s in self.spans if not (start <= s.i < k)]
                    etype = self._keyword_type(start, k) or "organisation"
                    self.spans.append(Span(start, k, etype, CONF_KEYWORD))
                    for m in range(start, k):
                        self.covered[m] = True
                    if k not in starts:
                        self.spans.append(Span(k, k + 1, etype, CONF_DEFINED))
                    break

    # -- 2b. lowercase keyword extension ("Minsk agreement", "accordo di Minsk") ------------------
    def absorb_places(self) -> None:
        """A known place inside an organisation's name is part of it: "Universidad de
        California", "National Bank of Poland", "New York Stock Exchange". The gazetteer
        claims "California" first; here the capitalised words before it (through a connector)
        or after it, when they hold an organisation's head word ("Universidad", "Bank",
        "Exchange"), take it back into one organisation."""
        toks = self.tokens
        n = len(toks)
        by_start = {s.i: s for s in self.spans}
        known = [
            s for s in self.spans
            if s.canonical and (s.type in GEO_SPAN_TYPES or s.type == "organisation")
        ]  # fmt: skip
        for place in known:
            if not any(s is place for s in self.spans):
                continue  # taken into a name absorbed before
            i, j = place.i, place.j
            start = end = None
            # before: "<Org words> <connector> <place>", one or two lower-case connectors
            # ("Copa de la UEFA", "Banco do Brasil")
            c = i
            while (
                c - 1 >= 1
                and i - c < 2
                and self.joined(c)
                and not toks[c - 1].capitalised
                and norm(toks[c - 1].text) in lx.CONNECTORS
            ):
                c -= 1
            if c < i:
                k = c
                while (
                    k - 1 >= 0
                    and c - (k - 1) <= 4
                    and self.joined(k)
                    and toks[k - 1].capitalised
                    and not self.covered[k - 1]
                    and not toks[k - 1].headline
                ):
                    k -= 1
                if k < c and (
                    (place.type in GEO_SPAN_TYPES and self._keyword_type(k, c) == "organisation")
                    or (c - k == 1 and self.capitalised_noun_name(k))
                ):
                    # "Universidad de California"; a capitalised ordinary noun before a known
                    # name is the head of a longer name: "Liga de San Marino", "Copa de la
                    # UEFA", "Ayuntamiento de Sevilla", "Comunicaciones de Brasil"
                    start = k
            # after: "<place> <Org words>" ("New York Stock Exchange")
            m = j
            nxt = by_start.get(j)
            if nxt is not None and not nxt.canonical and self.joined(j) and nxt.j - j <= 3:
                m = nxt.j  # the words after were classified on their own ("Stock Exchange")
            else:
                while m < n and m - j < 3 and self.joined(m) and toks[m].capitalised:
                    if self.covered[m] or toks[m].headline:
                        break
                    m += 1
            if m > j and norm(toks[m - 1].text) in lx.ORG_WORDS:
                end = m
            if start is None and end is None:
                continue
            new_i = place.i if start is None else start
            new_j = place.j if end is None else end
            self.spans = [
                s for s in self.spans if s is place or not (new_i <= s.i and s.j <= new_j)
            ]
            place.i, place.j = new_i, new_j
            place.type, place.canonical, place.confidence = "organisation", None, CONF_KEYWORD
            for k in range(new_i, new_j):
                self.covered[k] = True

    def _name_article(self, a: int) -> bool:
        """Is token ``a`` an article written with a capital mid-sentence, so part of the
        name after it (see ``keep_capitalised_articles``)?"""
        tok = self.tokens[a]
        return (
            self.lang != "de"
            and a >= 1
            and self.keys[a] in (lx.ARTICLES | lx.NAME_ARTICLES.get(self.lang, frozenset()))
            and (len(tok.text) > 1 or self.keys[a] in lx.NAME_ARTICLES.get(self.lang, ()))
            and tok.capitalised
            and not tok.is_acronym
            and not tok.sentence_start
            and not tok.headline
        )

    def keep_capitalised_articles(self) -> None:
        """ "de La Voz de Galicia", "en La Coruña", "said The Times", "van De Telegraaf": an
        article written with a capital in mid-sentence is part of the name that follows (the
        languages write their articles in lower case, so the capital belongs to the name). At
        a sentence's start or in a headline the capital says nothing and the article stays
        out ("La Junta decidió"). Not in German: a full sentence after a colon or a dash
        starts with a capital there ("beschloss Folgendes: Der Kaiser hat ..."), so a
        capitalised article mid-line is most often a sentence's first word."""
        taken = {k for s in self.spans for k in range(s.i, s.j)}
        for span in self.spans:
            a = span.i - 1
            if (
                a >= 1
                and a not in taken
                and not self.covered[a]
                and self.joined(span.i)
                and self._name_article(a)
                and span.type != demonyms.NATIONALITY
            ):
                span.i = a
                taken.add(a)
                if span.type == "person" and not span.evidence:
                    span.type = "other"  # a name that starts with an article is no person's

    def extend_keywords(self) -> None:
        toks = self.tokens
        kw = lx.TREATY_WORDS | lx.LAW_WORDS | lx.EVENT_WORDS
        for span in self.spans:
            if span.canonical or span.type not in ("other", "person") or span.evidence:
                continue
            j = span.j
            if j < len(toks) and self.joined(j) and not toks[j].capitalised:
                w = norm(toks[j].text)
                if w in kw:
                    span.j = j + 1
                    span.type = self._keyword_type(span.i, span.j) or "other"
                    span.confidence = CONF_KEYWORD
                    continue
            i = span.i
            if (
                i >= 2
                and self.joined(i)
                and self.joined(i - 1)
                and norm(toks[i - 1].text) in lx.CONNECTORS
                and norm(toks[i - 2].text) in kw
            ):
                span.i = i - 2
                span.type = self._keyword_type(span.i, span.j) or "other"
                span.confidence = CONF_KEYWORD


# -- grouping ------------------------------------------------------------------------------------


def _caseless(token: Token) -> bool:
    """A word with no letter that has case (Devanagari, Arabic, Han, Thai...): capitals can
    say nothing about it, so a known name written so is matched as written. Before, such a
    seed or user-seed alias never matched (no token of it is capitalised)."""
    return token.text.lower() == token.text.upper()


@lru_cache(maxsize=16384)
def _alias_tokens(surface: str) -> list[Token]:
    """Tokens of a seed surface; the same few hundred aliases are checked in every text."""
    return tokenize(surface)


def _initials(words: Sequence[str]) -> str:
    return "".join(w[0] for w in words if w and w[0].isalpha()).upper()


def _acronym_fits(acronym: str, words: Sequence[str]) -> bool:
    """Do the acronym's letters follow the words' initials ("OMS" <- Organisation mondiale ...)?"""
    letters = [c.upper() for c in acronym if c.isalpha()]
    initials = _initials(words)
    if not letters or not initials or letters[0] != initials[0]:
        return False
    pos = 0
    for c in letters:
        pos = initials.find(c, pos)
        if pos < 0:
            return False
        pos += 1
    content = [w for w in words if w[:1].isupper()]
    return len(letters) >= min(2, len(content))


def _token_match(short: str, full: str) -> tuple[bool, bool]:
    """(matches, fuzzy): exact, prefix-truncated or misspelt form of one name token."""
    if short == full:
        return True, False
    n = len(short)
    if n < 4:
        return False, False
    if full.startswith(short) and n / len(full) >= PREFIX_SHARE:
        return True, True
    # fuzz.ratio is at most 200 * shorter / (sum of lengths): skip pairs too unequal to reach
    # the threshold (same answers; most pairs of a long article are)
    m = len(full)
    if (
        200 * min(n, m) >= FUZZY_WITHIN_DOC * (n + m)
        and fuzz.ratio(short, full) >= FUZZY_WITHIN_DOC
    ):
        return True, True
    return False, False


@lru_cache(maxsize=65536)
def _subsequence_match(part: tuple[str, ...], full: tuple[str, ...]) -> tuple[bool, bool]:
    """Is ``part`` a contiguous run of ``full`` ("Boumaiza Mebarki" in the full name)?
    A single word may also match one half of a hyphenated surname ("Kerbrat" in
    "Vasseur-Kerbrat")."""
    if len(part) == 1 and len(full) > 1:
        # the loop below for one word, written out (the common case: a surname alone)
        short = part[0]
        for word in full[1:]:
            if " " in word:
                for half in word.split():
                    ok, fz = _token_match(short, half)
                    if ok:
                        return True, fz
        for word in full[1:]:  # full[0] alone (a given name) is not evidence enough
            ok, fz = _token_match(short, word)
            if ok:
                return True, fz
        return False, False
    for start in range(0, len(full) - len(part) + 1):
        results = [_token_match(p, f) for p, f in zip(part, full[start:], strict=False)]
        if all(ok for ok, _ in results):
            if start == 0 and len(part) == 1 and len(full) > 1:
                continue  # a given name alone is not evidence enough
            return True, any(fz for _, fz in results)
    return False, False


def _kind(etype: str) -> str:
    """Grouping kind: a name typed "other" (no clue found) may be the same as a person's."""
    return "person" if etype == "other" else etype


class _Grouper:
    def __init__(self, doc: _Doc) -> None:
        self.doc = doc
        self.groups: list[Group] = []
        self._version = 0  # bumped when a person named in full changes (see _person_groups)
        self._persons: tuple[int, list[tuple[int, tuple[str, ...]]]] = (-1, [])
        self._longest: dict[int, tuple[str, ...]] = {}  # person group -> its longest name
        self._heads: dict[str, set[int]] = {}  # head noun -> groups with a name it heads
        self._initials: dict[str, set[int]] = {}  # first letter -> groups of multi-word names
        self._acronyms: dict[str, int] = {}  # a one-word acronym -> the first group it is in
        self._by_letter: dict[str, set[int]] = {}  # person named in full: first letters

    def words(self, span: Span) -> list[str]:
        return self.doc.keys[span.i : span.j]

    def bwords(self, span: Span) -> list[str]:
        """The span's words in grouping form (base forms in inflected languages)."""
        return [self.doc.base(k) for k in range(span.i, span.j)]

    def new_group(self, span: Span, gtype: str, canonical: Alias | None = None) -> int:
        self.groups.append(Group(gtype, [span], canonical))
        span.group = len(self.groups) - 1
        self._noted(span.group)
        self._index_heads(span.group, span)
        return span.group

    def join(self, span: Span, group: int) -> None:
        span.group = group
        g = self.groups[group]
        g.spans.append(span)
        if g.type == "other" and span.type == "person" and g.canonical is None:
            g.type = "person"  # "Donalda Trumpa" (no clue) and "Donald Trump" (a person)
        self._noted(group)
        self._index_heads(group, span)

    def _noted(self, gi: int) -> None:
        """Keep the persons named in full (see _person_groups) up to date after group ``gi``
        changed; the list is rebuilt only when one of them changed."""
        g = self.groups[gi]
        before = self._longest.get(gi)
        if g.type != "person" or not g.spans:
            if before is not None:
                del self._longest[gi]
                self._version += 1
            return
        longest = max(g.spans, key=lambda s: s.j - s.i)
        if longest.j - longest.i < 2:
            if before is not None:
                del self._longest[gi]
                self._version += 1
            return
        words = tuple(self.bwords(longest))
        if before != words:
            self._longest[gi] = words
            for word in words:
                self._by_letter.setdefault(word[:1], set()).add(gi)
            self._version += 1

    def _index_heads(self, gi: int, span: Span) -> None:
        """Index the head nouns of a multi-word name ("Commission" of "European Commission"),
        its first letter (acronyms it may expand) and a one-word acronym."""
        if span.j - span.i < 2:
            tok = self.doc.tokens[span.i]
            if tok.is_acronym:
                self._acronyms.setdefault(tok.text, gi)
            return
        first = self.doc.tokens[span.i].text[:1].upper()
        self._initials.setdefault(first, set()).add(gi)
        w = self.words(span)
        for word in {w[0], w[-1]}:
            if word in lx.HEAD_NOUNS:
                self._heads.setdefault(word, set()).add(gi)

    def run(self) -> list[Group]:
        doc = self.doc
        surnames = {
            norm(t.text)
            for s in doc.spans
            if s.type == "person" and s.j - s.i >= 2 and not s.canonical
            for t in doc.tokens[s.i + 1 : s.j]
        }
        for s in doc.spans:
            if (
                s.canonical
                and s.j - s.i == 1
                and s.canonical.type in ("city", "place", "country")
                and norm(doc.tokens[s.i].text) in surnames
            ):
                s.canonical, s.type = None, "person"  # "Jordan" after "Michael Jordan"
        spans = sorted(doc.spans, key=lambda s: s.i)
        by_canonical: dict[str, int] = {}
        by_name: dict[tuple[str, str], int] = {}
        # Known names and multi-word names first: they anchor the shorter forms.
        for span in spans:
            if span.canonical:
                cid = span.canonical.entity_id
                if cid in by_canonical:
                    self.join(span, by_canonical[cid])
                else:
                    by_canonical[cid] = self.new_group(span, span.type, span.canonical)
        self._definitions(spans)
        for span in spans:  # names an acronym definition already grouped
            if span.group >= 0 and not span.canonical and span.j - span.i >= 2:
                by_name.setdefault((_kind(span.type), self._name_key(span)), span.group)
        multi = [s for s in spans if s.group < 0 and (s.j - s.i >= 2 or s.dateline or s.label)]
        multi.sort(key=lambda s: -(s.j - s.i))
        for span in multi:
            key = (_kind(span.type), self._name_key(span))
            if key in by_name:
                self.join(span, by_name[key])
                continue
            if span.type in ("person", "other") and self._attach_to_person(span):
                continue
            by_name[key] = self.new_group(span, span.type)
            if (span.dateline or span.label) and span.j - span.i == 1:
                # "PHILADELPHIA 1996-08-29 ... in Philadelphia": the body's word joins it
                by_name.setdefault(("single", doc.base(span.i)), span.group)
        # one-word names, mid-sentence ones first: a sentence's first word then joins the
        # same name written elsewhere in the text ("Draghi met ... . Draghi said ...")
        singles = [s for s in spans if s.group < 0]
        singles.sort(key=lambda s: (s.sentence_initial, s.i))
        for span in singles:
            if span.group >= 0:
                continue
            if self.doc.tokens[span.i].is_acronym:
                self._attach_acronym(span)
            else:
                self._attach_single(span, by_name)
        self._extend_with_particles()
        return [g for g in self.groups if g.spans]

    def _extend_with_particles(self) -> None:
        """A surname mention takes back the particles that precede it in the full name of its
        group: "de la Fuente" (not "Fuente") with "Carmen de la Fuente", "Le Pen" with "Jean Le
        Pen", "dos Santos" with "João dos Santos"."""
        doc = self.doc
        taken = {k for g in self.groups for s in g.spans for k in range(s.i, s.j)}
        for g in self.groups:
            if g.type != "person" or not g.spans:
                continue
            full = self.words(max(g.spans, key=lambda s: s.j - s.i))
            if len(full) < 3 or not any(w in particles.SURNAME_PARTICLES for w in full[1:-1]):
                continue
            for span in g.spans:
                part = self.words(span)
                starts = [
                    k for k in range(1, len(full) - len(part) + 1)
                    if full[k : k + len(part)] == part
                ]  # fmt: skip
                if not starts:
                    continue
                pos = starts[-1]
                while (
                    pos > 0
                    and full[pos - 1] in particles.SURNAME_PARTICLES
                    and span.i > 0
                    and doc.keys[span.i - 1] == full[pos - 1]
                    and doc.joined(span.i)
                    and span.i - 1 not in taken
                ):
                    span.i -= 1
                    pos -= 1
                    taken.add(span.i)

    def _name_key(self, span: Span) -> str:
        """Grouping key of a multi-word name; German institutions by their base form, so the
        case forms of one name ("Deutscher Wetterdienst", "des Deutschen Wetterdienstes") are
        one entity."""
        if self.doc.lang == "de" and span.type != "person":
            return german_base_key(self.words(span))
        return " ".join(self.bwords(span))

    def _definitions(self, spans: list[Span]) -> None:
        """ "Long Name (ACR)" and "ACR (Long Name)": the acronym joins the long name's group."""
        doc = self.doc
        ordered = sorted(spans, key=lambda s: s.i)
        for a, b in itertools.pairwise(ordered):
            gap = doc.text[doc.tokens[a.j - 1].end : doc.tokens[b.i].start]
            if (
                gap.strip() != "("
                or doc.text[doc.tokens[b.j - 1].end : doc.tokens[b.j - 1].end + 1] != ")"
            ):
                continue
            for long, short in ((a, b), (b, a)):
                if (
                    short.j - short.i != 1
                    or not doc.tokens[short.i].is_acronym
                    or long.j - long.i < 2
                ):
                    continue
                acronym = doc.tokens[short.i].text
                long_words = [t.text for t in doc.tokens[long.i : long.j]]
                if not _acronym_fits(acronym, long_words) and not self._translated_acronym(
                    long, short, a is long
                ):
                    continue
                if long.group < 0:
                    key_type = long.type if long.type != "other" else "organisation"
                    long.type = key_type
                    self.new_group(long, key_type)
                group = self.groups[long.group]
                if short.group >= 0 and short.group != long.group:
                    self.groups[short.group].spans.remove(short)
                    self._noted(short.group)
                if short.group != long.group:
                    short.type, short.canonical = group.type, group.canonical
                    short.confidence = CONF_DEFINED
                    self.join(short, long.group)
                group.acronyms.append(acronym)

    def _translated_acronym(self, long: Span, short: Span, long_first: bool) -> bool:
        """ "the German Weather Service (DWD)": a translated name keeps the acronym of the
        original, so its letters need not fit. Taken only in the "Name (ACR)" order, for an
        organisation's name, and for an acronym no seed entity claims."""
        letters = sum(c.isalpha() for c in self.doc.tokens[short.i].text)
        return (
            long_first
            and long.type == "organisation"
            and short.canonical is None
            and long.canonical is None
            and 2 <= letters <= 6
        )

    def _person_groups(self) -> list[tuple[int, tuple[str, ...]]]:
        """(group index, words of its longest name) of every person named in full; kept until
        the groups change, since each pending name asks for it."""
        if self._persons[0] == self._version:
            return self._persons[1]
        out = sorted(self._longest.items())
        self._persons = (self._version, out)
        return out

    def _attach_to_person(self, span: Span) -> bool:
        part = tuple(self.bwords(span))
        hits = []
        # a name part matches a word of the full name starting with the same letter (a
        # truncation or misspelling keeps the first letter)
        near = self._by_letter.get(part[0][:1], ()) if part and part[0] else ()
        for gi, full in self._person_groups():
            if gi in near and len(full) > len(part):
                ok, fz = _subsequence_match(part, full)
                if ok:
                    hits.append((fz, gi))
        if not hits:
            return False
        exact = [gi for fz, gi in hits if not fz]
        choice = exact or [gi for _, gi in hits]
        if len(set(choice)) != 1:
            return False  # two people could be meant: leave it alone
        span.fuzzy = not exact
        span.type = "person"
        span.confidence = CONF_PARTIAL if exact else CONF_FUZZY
        self.join(span, choice[0])
        return True

    def _attach_acronym(self, span: Span) -> None:
        acronym = self.doc.tokens[span.i].text
        letters = [c for c in acronym if c.isalpha()]
        fits = []
        if len(letters) >= 2:
            # only names whose first word starts with the acronym's first letter can fit
            for gi in sorted(self._initials.get(letters[0].upper(), ())):
                g = self.groups[gi]
                if g.type == "person":
                    continue
                for s in g.spans:
                    if s.j - s.i >= 2 and _acronym_fits(
                        acronym, [t.text for t in self.doc.tokens[s.i : s.j]]
                    ):
                        fits.append(gi)
                        break
        if len(set(fits)) == 1:
            span.type = self.groups[fits[0]].type
            span.confidence = CONF_PARTIAL
            self.join(span, fits[0])
            return
        seen = self._acronyms.get(acronym)  # the same unknown acronym seen before
        if seen is not None:
            self.join(span, seen)
            return
        self._acronyms[acronym] = self.new_group(span, "organisation")

    def _attach_single(self, span: Span, by_name: dict[tuple[str, str], int]) -> None:
        doc = self.doc
        if self._attach_to_person(span):
            return
        word = norm(doc.tokens[span.i].text)
        # Head word of a multi-word organisation/treaty named in the text ("the Commission").
        heads = {
            gi
            for gi in self._heads.get(word, ())
            if self.groups[gi].type not in ("person", "country", "city") and self.groups[gi].spans
        }  # "the Commission", not the adjective "European"
        if len(heads) == 1 and not doc.tokens[span.i].sentence_start:
            gi = heads.pop()
            span.type = self.groups[gi].type
            span.confidence = CONF_WEAK
            self.join(span, gi)
            return
        if len(heads) == 1 and doc.tokens[span.i].sentence_start:
            return
        key = ("single", doc.base(span.i))
        if key in by_name:
            self.join(span, by_name[key])
            return
        if (
            span.sentence_initial
            and not span.evidence
            and not doc.name_at_sentence_start(doc.tokens[span.i])
        ):
            return  # a capital that only marks the start of a sentence
        if not span.evidence and self._given_name_alone(span):
            span.evidence, span.type = True, "person"
        tok = doc.tokens[span.i]
        if not span.evidence and (doc.lang == "de" or doc.common(tok)):
            if doc.capitalised_noun_name(span.i):
                span.type = "organisation"  # "la Junta", "del Gobierno", "a Bizottság"
                by_name[key] = self.new_group(span, span.type)
            return  # ordinary capitalised words (German nouns, "Monday", "French")
        if (
            not span.evidence
            and doc.lang == "en"
            and norm(tok.text).endswith(lx.EN_DEMONYM_ENDINGS)
        ):
            return  # "Amazonian", "Congolese": adjectives, not names
        if span.evidence:
            span.type = "person"
            span.confidence = CONF_TITLED
        by_name[key] = self.new_group(span, span.type)

    def _given_name_alone(self, span: Span) -> bool:
        """ "He and Lucy sang": a known given name mid-sentence that is not an ordinary word."""
        tok = self.doc.tokens[span.i]
        return (
            self.doc.lang != "de"
            and not span.sentence_initial
            and is_first_name(tok.text)
            and max(lx.zipf(tok.text, self.doc.lang), lx.zipf(tok.text, "en")) < GIVEN_NAME_MAX_ZIPF
        )


def _headline_mentions(doc: _Doc, groups: list[Group]) -> None:
    """Tag in headlines only the names that the body or the gazetteer already established."""
    known: dict[tuple[str, ...], int] = {}
    for gi, g in enumerate(groups):
        for s in g.spans:
            if not doc.tokens[s.i].headline:
                words = tuple(norm(t.text) for t in doc.tokens[s.i : s.j])
                known.setdefault(words, gi)
                if g.type == "person" and len(words) >= 2:
                    known.setdefault(words[-1:], gi)  # the surname alone: "Draghi Warns ..."
    if not known:
        return
    longest = max(len(k) for k in known)
    toks, covered = doc.tokens, doc.covered
    # the words a headline name can start at, found in one pass (most words are in no
    # headline); nothing below changes a word's flags, so this is the walk word by word
    starts = [
        i
        for i, t in enumerate(toks)
        if t.headline and not covered[i] and t.text[:1].isupper()  # Token.capitalised
    ]
    after = 0  # the first word after the last name found
    for i in starts:
        if i < after:
            continue
        for length in range(min(longest, len(toks) - i), 0, -1):
            key = tuple(norm(t.text) for t in toks[i : i + length])
            if key in known and all(toks[k].headline for k in range(i, i + length)):
                g = groups[known[key]]
                span = Span(i, i + length, g.type, CONF_PARTIAL, canonical=g.canonical)
                g.spans.append(span)
                after = i + length
                break


def _naming_surfaces(doc: _Doc, group: Group) -> list[str]:
    """The surfaces that may name the group: not fuzzy (truncated, misspelt) and, when the body
    names it, not a headline's capitals."""
    exact = [s for s in group.spans if not s.fuzzy] or group.spans
    body = [s for s in exact if not doc.tokens[s.i].headline] or exact
    return [doc.surface(s) for s in body]


def _to_entities(doc: _Doc, groups: list[Group]) -> list[DocEntity]:
    """One entity per id: the seed id, else the key of the group's name (see ``ids``); groups
    that come to the same id are one entity, exactly as the warehouse will store them."""
    by_key: dict[str, DocEntity] = {}
    naming: dict[str, list[str]] = {}
    for g in groups:
        spans = sorted(g.spans, key=lambda s: s.i)
        mentions = [
            Mention(doc.tokens[s.i].start, doc.tokens[s.j - 1].end, doc.surface(s), s.confidence)
            for s in spans
        ]
        surfaces = _naming_surfaces(doc, g)
        key = (
            g.canonical.entity_id if g.canonical
            else g.key or group_key(g.type, surfaces, doc.lang)
        )  # fmt: skip
        ent = by_key.get(key)
        if ent is None:
            ent = by_key[key] = DocEntity(
                key=key, name="", type=g.type, mentions=[], aliases=[],
                canonical_id=g.canonical.entity_id if g.canonical else None,
            )  # fmt: skip
            naming[key] = []
        ent.mentions.extend(mentions)
        ent.acronyms.extend(a for a in g.acronyms if a not in ent.acronyms)
        naming[key].extend(surfaces)
    out = []
    for key, ent in by_key.items():
        ent.mentions.sort(key=lambda m: m.start)
        ent.aliases = list(dict.fromkeys(m.surface for m in ent.mentions))
        ent.name = best_name(naming[key], doc.lang)
        out.append(ent)
    out.sort(key=lambda e: e.mentions[0].start)
    return out


def _detect_language(text: str) -> str:
    try:
        from newsetl.langdetect_fast import detect_langs

        # langdetect.detect's answer (its top language, "unknown" when none is above its
        # floor) with the call's own seed, not langdetect's shared one (see seeded())
        ranked = detect_langs(text[:LANGUAGE_SAMPLE_CHARS], seed=0)
        return ranked[0].lang if ranked else "unknown"
    except Exception:  # langdetect raises on empty or symbol-only text
        return "en"


#: Language detection reads this much of the text (it needs sentences, not megabytes).
LANGUAGE_SAMPLE_CHARS = 20_000


def _known_word(language: str):
    """``known(word)`` for the junk test, or None when wordfreq has no list for the language."""
    if lx._WORDFREQ_ALIASES.get(language, language) not in lx._wordfreq_languages():
        return None
    if language == "en":  # the fallback is the same lookup: asked once
        return lambda w: lx.zipf(w, "en") > 0
    return lambda w: lx.zipf(w, language) > 0 or lx.zipf(w, "en") > 0


def _analyse(doc: _Doc) -> list[Group]:
    doc.match_gazetteer()
    doc.match_datelines()
    doc.match_nationalities()
    doc.match_label_lines()
    doc.add_spacy_spans()
    doc.classify_runs()
    doc.absorb_places()
    doc.keep_capitalised_articles()
    doc.keep_surname_particles()
    doc.expand_acronym_definitions()
    doc.extend_keywords()
    groups = _Grouper(doc).run()
    for g in groups:  # mark covered tokens so headline matching does not double-tag
        for s in g.spans:
            for k in range(s.i, s.j):
                doc.covered[k] = True
    _headline_mentions(doc, groups)
    return groups + doc.nationality_groups()


def _merge(parts: list[list[DocEntity]], language: str) -> list[DocEntity]:
    """The entities of several segments, one per id (their names decide, see ``ids``)."""
    by_key: dict[str, DocEntity] = {}
    for entities in parts:
        for ent in entities:
            known = by_key.get(ent.key)
            if known is None:
                by_key[ent.key] = ent
                continue
            known.mentions.extend(ent.mentions)
            known.aliases = list(dict.fromkeys([*known.aliases, *ent.aliases]))
            known.acronyms = list(dict.fromkeys([*known.acronyms, *ent.acronyms]))
            if not known.canonical_id:
                known.name = best_name([known.name, ent.name], language)
    return sorted(by_key.values(), key=lambda e: e.mentions[0].start)


def extract_entities(
    text: str,
    language: str | None = None,
    seed_dirs: Sequence[Path | str] = (),
    *,
    max_chars: int | None = None,
) -> DocumentEntities:
    """Mentions of named entities in ``text``, grouped per entity, with offsets into ``text``.

    Pure CPU and thread-safe: the gazetteer is built once (lazily) and only read afterwards.
    ``language`` is an ISO 639-1 code; when missing it is guessed with langdetect.
    ``seed_dirs`` are the user's extra seed folders (``Settings.extra_seed_dirs``): their
    entities and aliases are matched like the repository's. ``max_chars``
    (``Settings.entities_max_chars``): analyse at most this many characters (None or 0: all);
    the result says ``truncated``.

    Time is linear in the text's length: a long text is analysed in segments (see ``guard``),
    lines that are not prose (random tokens, base64, one word repeated) are skipped, and a
    document keeps at most ``guard.MAX_ENTITIES`` entities.
    """
    lang = (language or _detect_language(text) or "en").split("-")[0].split("_")[0].lower()
    gaz = get_gazetteer(seed_dirs)
    bounds = guard.bounded(text, max_chars)
    known = _known_word(lang)
    parts: list[list[DocEntity]] = []
    for start, stop in guard.segments(text, bounds.end):
        tokens = tokenize(text[start:stop], offset=start)
        junk = guard.junk_lines(text, start, stop, known)
        if junk:
            tokens = guard.outside(tokens, junk)
        doc = _Doc(text, lang, gaz, tokens)
        parts.append(_to_entities(doc, _analyse(doc)))
    entities = parts[0] if len(parts) == 1 else _merge(parts, lang)
    entities, capped = guard.cap_entities(entities)
    return DocumentEntities(language=lang, entities=entities, truncated=bounds.truncated or capped)


__all__ = ["alias_key", "extract_entities"]
