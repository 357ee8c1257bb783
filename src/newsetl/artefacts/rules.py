"""Deterministic artefact detectors: calqued articles, glued tokens, capitalisation, false friends.

These kinds have a fixed surface shape ("THE'Iran", "There Russia", "theUnited", "Many Human
rights", "This treatise") and a repair that needs no translation, so each is a small rule with
explicit guards for the legitimate look-alikes (names with apostrophes, "There is", brands with
inner capitals, conventionally capitalised words, "a philosophical treatise").
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ..text import particles
from . import lexicon
from .lexicon import words
from .tokens import Token

UPPER = "A-ZÀ-ÖØ-Þ"
LOWER = "a-zß-öø-ÿ"


@dataclass
class Candidate:
    """A detector's proposal before statuses are decided."""

    kind: str
    start: int
    end: int
    replacement: str | None
    source_language: str | None
    confidence: float
    detector: str
    needs_translation: bool = False
    source_candidates: tuple[str, ...] = ()
    #: A translated replacement may be applied (else it is only reported): set by ``analyse``
    #: for untranslated spans that are safe to rewrite (see core.py).
    safe: bool = True


def at_sentence_start(text: str, pos: int) -> bool:
    """True when only quotes/brackets/spaces separate ``pos`` from a sentence boundary."""
    i = pos - 1
    while i >= 0 and text[i] in " \t\"'“”„«»‘’([—–-":
        if text[i] == "\n":
            return True
        i -= 1
    return i < 0 or text[i] in ".!?…\n:;"


def _article(text: str, pos: int) -> str:
    return "The" if at_sentence_start(text, pos) else "the"


# --- mention, not use ----------------------------------------------------------------------
#: What an English writer puts before a word or phrase they *name* rather than use: "is
#: called riciclaggio di denaro", "the word e", "the Italian term ...", "known as ...".
#: A word mentioned so is written as it is on purpose: any repair of it is only reported.
_MENTION_BEFORE = re.compile(
    r"(?:\b(?:called|termed|dubbed|nicknamed|spelled|spelt|pronounced|so-called|"
    r"(?:known|referred\s+to|described|translated|rendered)\s+as|"
    r"the\s+(?:[A-Z][a-z]+\s+)?(?:word|term|phrase|expression|verb|noun|adjective|"
    r"conjunction|preposition|letter|name|label|slogan|motto)s?)"
    r"\s*[:,]?\s*[\"'“‘«„]?)\Z"
)
#: What follows a mentioned word: "e means and", "riciclaggio di denaro, meaning money
#: laundering", "... stands for", "... translates as".
_MENTION_AFTER = re.compile(
    r"[\"'”’»]?\s*[,(]?\s*(?:which\s+|that\s+)?(?:means|meant|meaning|mean|stands\s+for|"
    r"translates|translated\s+as|literally)\b"
)


def is_mention(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` a word or phrase mentioned rather than used ("the offence is
    called riciclaggio di denaro", "The word e means and")? English only: the cues are
    English words; the text's own sentence is all that is read."""
    before = text[max(0, start - 60) : start]
    return bool(_MENTION_BEFORE.search(before) or _MENTION_AFTER.match(text, end))


# --- calque_elided_article -----------------------------------------------------------------
ELIDED = re.compile(rf"(?<![\w'’])(THE|The|the)['’]([{UPPER}][\w]*(?:-[{UPPER}][\w]*)*)")
#: Every ELIDED match contains one of these; most articles contain none, and ``in`` on the
#: text is far cheaper than a regex scan that must try its lookbehind at every position.
_ELIDED_SEAMS = ("the'", "the’", "The'", "The’", "THE'", "THE’")


def detect_elided_articles(text: str, language: str | None) -> list[Candidate]:
    """ "THE'Iran", "The'Austria": Italian/French L' glued to a translated article."""
    if language != "en" or not any(seam in text for seam in _ELIDED_SEAMS):
        return []
    out = []
    places = lexicon.place_names()
    for m in ELIDED.finditer(text):
        word = m.group(2)
        article = _article(text, m.start())
        english = lexicon.exonyms().get(word.lower())
        if english and word.lower() not in places:
            replacement = english  # "THE'Italia" -> "Italy": the country, in English
        elif word.lower() in places or lexicon.is_place(word.lower()):
            replacement = word
        else:
            replacement = f"{article} {word}"
        out.append(
            Candidate(
                "calque_elided_article",
                m.start(),
                m.end(),
                replacement,
                "it",
                0.97,
                "rule:elided_article",
                source_candidates=("it", "fr"),
            )
        )
    return out


# --- calque_article ------------------------------------------------------------------------
NOT_AFTER_THERE = words(
    "is are was were will would shall should can could may might must has have had seems "
    "seem seemed appears appear appeared remains remain remained exist exists existed come "
    "comes came go goes went follows followed lies lay lived lives live stands stood used "
    "ought be been being also still never already just only now then once again too "
    "nothing ain't isn't aren't wasn't weren't won't wouldn't hasn't haven't here there "
    "where when what who how why you i we they he she it"
)
#: "There <Word>" not preceded by a word character or apostrophe (the lookbehind is checked
#: by :func:`_finditer_after_boundary`, see THE_PLACE).
THERE = re.compile(rf"(There|THERE)[ \u00a0]+([{UPPER}][\w]*)")
#: Verbs after "The <country>" that show the article is a calque ("The Russia has ...").
PREDICATES = words(
    "has have had is was were will would can could should must may might wants want said "
    "says announced reported recorded received signed rejected approved criticized "
    "criticised decided declared asked plans plan remains continues needs hopes fears "
    "expects intends refuses accepts"
)
#: "The <Place> <predicate>" not preceded by a word character or apostrophe. The lookbehind is
#: checked by :func:`_finditer_after_boundary`: a pattern that starts with a lookbehind makes
#: the regex engine try it at every position, one that starts with "The|the" is scanned fast.
THE_PLACE = re.compile(rf"(The|the)[ \u00a0]+([{UPPER}][{LOWER}]+)[ \u00a0]+([{LOWER}]+)\b")
_WORD_OR_APOSTROPHE = re.compile(r"[\w'’]")


def _finditer_after_boundary(pattern: re.Pattern, text: str) -> Iterator[re.Match]:
    """``re.finditer`` of ``(?<![\\w'’])`` + ``pattern``, with the lookbehind tested in Python.

    Same matches as the combined regex: where the lookbehind fails there is no match at that
    position, so the scan resumes one character later, exactly as the regex engine would.
    """
    pos = 0
    search = pattern.search
    blocked = _WORD_OR_APOSTROPHE.match
    while (m := search(text, pos)) is not None:
        start = m.start()
        if start and blocked(text, start - 1):
            pos = start + 1
            continue
        yield m
        pos = m.end()


#: Words after a sentence-initial "He" that make an English sentence: verbs that do not end
#: in -s/-ed (modals, auxiliaries, frequent irregular past forms), adverbs and pronouns. Any
#: other word after "He" ("He jury", "He government") is the Spanish/Portuguese article
#: "El"/"O" translated as the pronoun.
AFTER_HE = words(
    "is was has had will would can could should must may might shall does did do also then "
    "still never always just now once again too even only already later first last often "
    "himself alone together instead thus therefore however soon recently currently quickly "
    "said told met won led took gave went came ran left made got put set cut hit let quit "
    "read wrote spoke saw knew thought felt kept held brought bought sent spent built lost "
    "paid sold found stood sat fell grew drew flew threw chose rose drove began became broke "
    "fought taught caught sought meant heard slept struck swore wore bore hid bit shot fed "
    "fled sped dealt dug hung rang sang sank swam shook forgot forgave overcame withdrew "
    "undertook understood upheld beat bet cast cost hurt shut spread split burst lit slid "
    "spun stuck swung wept woke arose lay laid ate drank tore sank stole froze rode "
    "not isn't wasn't hasn't hadn't won't wouldn't can't couldn't shouldn't doesn't didn't "
    "mustn't cannot needn't shan't added noted and or but who whose whom that which almost kind sort rather quite "
    "perhaps maybe often sometimes twice yet afterwards anyway nevertheless meanwhile "
    "first second next finally eventually initially ultimately"
)
_HE = re.compile(r"(He)[ \u00a0]+([a-z][a-z'’-]*)\b")
#: Verbs whose subject is plural (or any subject after a modal): "He songs are", "He doctors
#: said". After "He" + a verb in -s ("He plans", "He works") none of them can follow.
_PLURAL_VERBS = words(
    "are were have had said say think believe will would can could may might should must do "
    "did remain include show suggest want need see appear appeared seem seemed"
)
#: Adverbs and other words in -s that may follow "He" before a verb ("He always said").
_S_ADVERBS = words(
    "always sometimes afterwards perhaps nevertheless besides towards upwards downwards "
    "thus nonetheless regardless whereas less unless"
)


#: Adjectives that may follow "He" as adverbs ("He first joined", "He only wanted"); before
#: a noun they show "He" stands for an article ("He first session", "He only caveat").
_HE_ADJECTIVES = words("first second third next last only final main latest")
_TIME_NOUNS = words(
    "year week month season time night day summer winter spring autumn fall weekend term "
    "century decade morning evening afternoon quarter round"
)


#: Endings of English nouns that no verb form has (round 4).
_NOUN_SUFFIXES = ("tion", "sion", "ment", "ness", "ity", "ship", "hood", "ism")


def _adjective_then_noun(text: str, m: re.Match) -> bool:
    """ "He next round of tariffs": after the adjective comes a common word that is no verb
    form (not in -ed/-s/-ly, not a past form listed in :data:`AFTER_HE`)."""
    nxt = re.match(r"[ \u00a0]+([a-z]+)\b", text[m.end() :])
    if nxt is None:
        return False
    noun = nxt.group(1)
    if noun in AFTER_HE or noun.endswith(("ed", "s", "ly")) or len(noun) < 3:
        return False
    if noun in _PLURAL_VERBS or noun in lexicon.CLOSED_CLASS["en"] or noun in _TIME_NOUNS:
        return False  # "He last year won ...": an adverbial of time
    return lexicon.zipf(noun, "en") >= 3.5


def _plural_subject(text: str, m: re.Match, word: str) -> bool:
    """Is ``word`` after "He" a plural noun followed by its verb ("He researchers think")?"""
    if len(word) < 5 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return False
    if word in AFTER_HE or word in _S_ADVERBS:
        return False
    nxt = re.match(r"[ \u00a0]+([a-z]+)\b", text[m.end() :])
    if nxt is None or nxt.group(1) not in _PLURAL_VERBS:
        return False
    stem = word[:-1]
    if word.endswith("ies") and lexicon.zipf(word[:-3] + "y", "en") >= 3.5:
        return True  # "He parties are": "party"
    return lexicon.zipf(stem, "en") >= 3.5 or lexicon.zipf(word[:-2], "en") >= 3.5


#: A form English uses at least this often (Zipf) is in use as a verb form.
VERB_FORM_ZIPF = 2.5
#: First parts of hyphenated verbs ("He re-signed", "He co-wrote", "He double-checked").
_VERB_PREFIXES = words(
    "re co pre de un over under out double cross mis self fast live test fact spot sub "
    "hand dry spoon"
)


def _verb_forms(stem: str) -> bool:
    """Does English use ``stem`` as a verb: a past form in -ed or a form in -ing is common
    ("charge": "charged", "charging"; "run": "running"; not "outage", "sale", "earbud")?"""
    z = lexicon.zipf
    forms = [stem + "ed", stem + "d", stem + "ing"]
    if stem.endswith("e"):
        forms.append(stem[:-1] + "ing")
    if len(stem) >= 3:
        forms += [stem + stem[-1] + "ed", stem + stem[-1] + "ing"]
    if stem.endswith("y"):
        forms.append(stem[:-1] + "ied")
    return any(z(form, "en") >= VERB_FORM_ZIPF for form in forms)


def _noun_only_plural(word: str) -> bool:
    """Is ``word`` the plural of a common noun English never uses as a verb ("outages",
    "sales", "earbuds", "layoffs")? After sentence-initial "He" it shows a calque of "Los":
    "He protests" or "He charges" could be verbs and are left alone."""
    if len(word) < 4 or not word.isalpha() or not word.endswith("s"):
        return False
    if word.endswith(("ss", "us", "is", "ous")) or word in AFTER_HE or word in _S_ADVERBS:
        return False
    stems = [word[:-1]]
    if word.endswith("es"):
        stems.append(word[:-2])
    if word.endswith("ies"):
        stems.append(word[:-3] + "y")
    # a common plural of a word English has in the singular ("layoff", "earbud")
    stems = [st for st in stems if lexicon.zipf(st, "en") >= 2.0]
    if not stems or lexicon.zipf(word, "en") < 3.0:
        return False
    return not any(_verb_forms(st) for st in stems)


def _no_verb_adjective(text: str, m: re.Match, word: str) -> bool:
    """Is ``word`` after "He" an adjective no verb form can be, before a lower-case word?
    "He dangerous, dirty air" (in -ous), "He unprecedented resolution" (in -ed, but with no
    verb "unprecedent"), "He family-friendly event" (a hyphenated compound whose first part
    is no verb prefix and that does not end like a verb)."""
    nxt = re.match(r"[  ]*,?[  ]+([a-z]+)\b", text[m.end() :])
    if nxt is None or nxt.group(1) in lexicon.CLOSED_CLASS["en"] or nxt.group(1) in AFTER_HE:
        return False
    if word.isalpha() and word.endswith("ous") and lexicon.zipf(word, "en") >= 3.0:
        return True
    if word.isalpha() and word.endswith("ed") and lexicon.zipf(word, "en") >= 3.0:
        stem = word[:-2]
        bases = [stem, stem + "e", stem + "ing", stem + "s", stem + "es"]
        if len(stem) > 3 and stem[-1] == stem[-2]:
            bases += [stem[:-1], stem[:-1] + "ing"]
        if stem.endswith("i"):
            bases.append(stem[:-1] + "y")
        return not any(lexicon.zipf(x, "en") >= VERB_FORM_ZIPF for x in bases)
    if "-" in word and not word.endswith(("ed", "s", "ing", "'")):
        first, _, last = word.partition("-")
        return (
            first not in _VERB_PREFIXES
            and lexicon.zipf(first, "en") >= 3.0
            and lexicon.zipf(last.rsplit("-", 1)[-1], "en") >= 3.0
        )
    return False


def _multiword_place(text: str, pos: int) -> bool | None:
    """At ``pos`` starts a country name of several words: does English give it "the"
    ("the United States", "the Czech Republic") or not ("Saudi Arabia", "New Zealand")?
    None when no such name starts there."""
    head = text[pos : pos + 60].lower()
    for name, with_article in lexicon.multiword_places():
        if head.startswith(name) and not head[len(name) : len(name) + 1].isalpha():
            return with_article
    return None


#: Adverbs that stand between a subject and its verb ("The Scotland also has ...").
_MID_ADVERBS = words("also still now already never often recently again even")


def _then_predicate(text: str, pos: int) -> bool:
    """Is the word after ``pos`` one of :data:`PREDICATES`?"""
    m = re.match(r"[ \u00a0]+([a-z]+)\b", text[pos:])
    return m is not None and m.group(1) in PREDICATES


def _demonym_adjective(low: str) -> bool:
    """A people's or place's adjective ("grenadian", "kentuckian"), by the place lists or
    by the ending of a place the lists know ("Kentucky" + "-an")."""
    if lexicon.is_demonym(low):
        return True
    for ending, back in (("ian", ("y", "ia", "")), ("an", ("a", "")), ("ese", ("", "a"))):
        if low.endswith(ending) and len(low) > len(ending) + 3:
            stem = low[: -len(ending)]
            if any(lexicon.is_place(stem + b) or (stem + b) in lexicon.place_names() for b in back):
                return True
    return False


#: The phrase of place that ends a sentence, which a locative "there" after it points back
#: to: a spatial preposition and its noun phrase ("to the border", "at the far post",
#: "at the eastern front") or a preposition or verb of place and a name ("in Moscow",
#: "reached Dover"), then only the sentence's end (a bracket or quote may close it).
_PLACE_AT_END = re.compile(
    r"\b(?:(?i:to|at|into|onto|near|across|along|toward|towards|through|inside|outside|"
    r"beyond|behind|around|over|under)\s+(?:(?:the|a|an|this|that|its|their|his|her|our|"
    r"my|your)\s+)?(?:[\w'’-]+\s+){0,2}([^\W\d_][\w'’-]*)"
    r"|(?i:in|on|from|reached|visited|entered|crossed|left)\s+(?:the\s+)?"
    r"((?:[A-Z][\w'’-]*\s+){0,2}[A-Z][\w'’-]*))"
    r"[\s\"'”’)\]]*\Z"
)
#: Nouns that name a time or a manner, not a place ("to the end", "at the time", "in
#: May"): no antecedent for a locative "there".
_NOT_PLACES = words(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december today tomorrow yesterday "
    "time times order fact addition response particular general total part turn short "
    "contrast return favour favor behalf case view light terms spite line "
    "recent past future end beginning start meantime meanwhile years months weeks days "
    "hours minutes morning evening afternoon night week month year decade century"
)


def _place_before(text: str, pos: int) -> bool:
    """Does the sentence before ``pos`` end with a place that a locative "there" at ``pos``
    can point back to? Without a sentence before (the text's first), it cannot."""
    i = pos - 1
    while i >= 0 and not text[i].isalnum():
        i -= 1  # the end of the sentence before, past its stop, quotes and spaces
    if i < 0:
        return False
    start = max(text.rfind(c, 0, i) for c in ".!?\n")
    m = _PLACE_AT_END.search(text, start + 1, i + 1)
    if m is None:
        return False
    noun = (m.group(1) or m.group(2)).split()[-1].lower()
    return noun not in _NOT_PLACES and noun not in _TIME_NOUNS


def detect_calque_articles(text: str, language: str | None) -> list[Candidate]:
    """ "There Russia has criticized" (from "La Russia"), "There White House" (from "La Casa
    Bianca"), "The Russia has ...", and "He jury" (from Spanish "El jurado")."""
    if language != "en":
        return []
    out = []
    places = lexicon.place_names()
    for m in _finditer_after_boundary(THERE, text):
        word = m.group(2)
        low = word.lower()
        if low in NOT_AFTER_THERE:
            continue
        if not at_sentence_start(text, m.start()):
            continue
        after = text[m.end() : m.end() + 40].lstrip(" \u00a0")
        nxt = re.match(r"[\w'’]+", after)
        if nxt and nxt.group().lower() in NOT_AFTER_THERE and nxt.group()[:1].isupper():
            continue  # "There Is No ..." headline in title case
        if (
            nxt
            and nxt.group()[:1].islower()
            and not word.isupper()  # "There NEA also published": no surname in capitals
            and low in lexicon.person_names("last_names")
            and low not in places
        ):
            continue  # "There Smith scored ...": "there" as an adverb of place
        multi = _multiword_place(text, m.start(2))
        if multi is not None:
            # "There Saudi Arabia" -> "Saudi Arabia"; "There United States" -> "The United"
            replacement, confidence = (f"The {word}" if multi else word), 0.95
        elif low in places or (lexicon.is_place(low) and low not in lexicon.ARTICLE_PLACES):
            replacement, confidence = word, 0.95
        elif word.isupper() and len(word) > 1:
            replacement, confidence = f"The {word}", 0.85  # "There NATO alliance"
        elif nxt and nxt.group()[:1].islower() and _demonym_adjective(low):
            # "There Grenadian leader", "There Kentuckian effectively": a people's word
            # is an adjective or a noun, never what the adverb "there" introduces (round 5)
            replacement, confidence = f"The {word}", 0.85
        elif lexicon.zipf(low, "en") >= 3.0 or (nxt and nxt.group()[:1].isupper()):
            replacement, confidence = f"The {word}", 0.88  # "There Commission", "There White House"
        else:
            continue
        detector = "rule:there_article"
        if replacement == word and text[m.end() : m.end() + 2] in ("'s", "’s"):
            # "There Russia's advance has stalled": the adverb before a name's possessive
            # is English ("There, Russia's advance ..."); reported, not applied (round 33).
            # A common noun's ("There Commission's latest move") reads only as the calque.
            confidence = min(confidence, 0.75)
            detector += "+possessive"
        elif replacement == word and _place_before(text, m.start()):
            # "We drove north to the border. There Germany ends": the sentence before names
            # a place the adverb "there" can point back to; the calque ("There Russia has
            # announced", from "La Russia") opens a text or follows no such place. Both read
            # alike: reported, not applied (round 33). A bare common noun after "There"
            # ("There Grenadian leader", "There Commission") reads only as the calque.
            confidence = min(confidence, 0.75)
            detector += "+place_before"
        out.append(
            Candidate(
                "calque_article",
                m.start(),
                m.end(),
                replacement,
                "it",
                confidence,
                detector,
                source_candidates=("it",),
            )
        )
    for m in _finditer_after_boundary(THE_PLACE, text):
        word, nxt = m.group(2), m.group(3)
        if word.lower() not in places:
            continue
        sentence_initial = m.group(1) == "The" and at_sentence_start(text, m.start())
        if nxt in PREDICATES:
            confidence = 0.9
        elif nxt in _MID_ADVERBS and _then_predicate(text, m.end()):
            confidence = 0.85  # "The Scotland also has a problem" (round 5)
        elif (
            sentence_initial
            and len(nxt) >= 5
            and nxt.endswith("s")
            and not nxt.endswith("ss")
            and lexicon.zipf(nxt, "en") >= 3.5
            and _verb_forms(nxt[:-1])
        ):
            # "The China claims sovereignty": a verb in -s after "The <country>" at the
            # start of a sentence ("The China Daily reports" has a capital next). Reported.
            confidence = 0.75
        elif (
            sentence_initial
            and nxt.endswith("ed")
            and len(nxt) >= 5
            and lexicon.zipf(nxt, "en") >= 3.5
            and _verb_forms(nxt[:-2]) | _verb_forms(nxt[:-1])
        ):
            # "The Israel promised ...": a past form after a sentence-initial "The <country>"
            # ("The Israel Museum" has a capital next); reported with less certainty.
            confidence = 0.75
        elif nxt in ("and", "or") and sentence_initial:
            # "The Russia and China relationship" is English; "The Russia and Ukraine have"
            # a calque: reported, not applied.
            confidence = 0.7
        else:
            continue
        if text[m.end(2) : m.end(2) + 2] in ("'s", "’s"):
            continue
        prefix = text[max(0, m.start() - 30) : m.start()]
        if re.search(r"\b(?:of|for|in)\s*$", prefix) and m.group(1) == "the":
            continue  # "the head of the Italy team has ..." is rarer than it is risky
        out.append(
            Candidate(
                "calque_article",
                m.start(),
                m.end(2),
                word,
                None,
                confidence,
                "rule:article_before_country",
                source_candidates=("it", "fr", "es", "pt", "de"),
            )
        )
    for m in _HE.finditer(text):
        word = m.group(2).lower()
        if not at_sentence_start(text, m.start()):
            continue
        if word in _HE_ADJECTIVES and _adjective_then_noun(text, m):
            out.append(
                Candidate(
                    "calque_article",
                    m.start(),
                    m.end(),
                    f"The {m.group(2)}",
                    "es",
                    0.75,
                    "rule:he_article",
                    source_candidates=("es", "pt"),
                )
            )
            continue
        if word in AFTER_HE:
            continue
        if len(word) < 4 and lexicon.zipf(word, "en") < lexicon.top_zipf(word) - 2.0:
            continue  # "He du not", "“He te in on me": a short word of another language
            # or a typo, not an English noun after a calqued article (round 5, v2 dev)
        possessive = word.endswith(("'s", "’s")) and len(word) > 3
        noun_phrase = not possessive and (
            _plural_subject(text, m, word)  # "He doctors said": a plural noun, then its verb
            or _noun_only_plural(word)  # "He outages", "He sales slump"
            or _no_verb_adjective(text, m, word)  # "He unprecedented", "He family-friendly"
        )
        if noun_phrase:
            pass
        elif (
            not possessive
            and word.endswith(("s", "ed", "ly", "'d", "’d", "'ll", "’ll"))
            and not word.endswith("ss")
        ):
            continue  # a verb ("He plans", "He resigned") or an adverb ("He briefly"); a
            # word in -ss is none ("He duchess", "He stress of": English writes "stresses")
        head = word[:-2] if possessive else word
        if "-" in head:
            head = head.rsplit("-", 1)[1]  # "He low-cost airline": the compound's head
        # A noun suffix no verb has ("He characterisation of") needs less frequency.
        need = 2.0 if head.endswith(_NOUN_SUFFIXES) and len(head) >= 8 else 3.0
        if not noun_phrase and (lexicon.zipf(head, "en") < need or head in AFTER_HE):
            continue
        out.append(
            Candidate(
                "calque_article",
                m.start(),
                m.end(),
                f"The {m.group(2)}",
                "es",
                0.75,
                "rule:he_article",
                source_candidates=("es", "pt"),
            )
        )
    return out


# --- missing_space -------------------------------------------------------------------------
#: Letters with Latin Extended-A ("gości.Na", "Łódź"): Central European sentences lose their
#: spaces too. The block mixes cases; the words' frequencies check them (round 5).
LOWER_EXT = LOWER + "\u0100-\u017f"
UPPER_EXT = UPPER + "\u0100-\u017f"
#: "bonds.The": a sentence end without its space (two paragraphs or link texts joined).
_NO_SPACE_AFTER_STOP = re.compile(
    rf"(?<![\w./@:-])([{LOWER_EXT}]{{3,}}|[{LOWER_EXT}]+[-'’][{LOWER_EXT}]+)([.!?][”\"»’]?)"
    rf"([“\"„«]?[{UPPER_EXT}][{LOWER_EXT}]+)\b(?![.@/]\w|\()"
)
#: A quotation glued to the word before or after it: 'said"We', '"Yes,"he said'.
#: Each branch starts at the first letter of a lower-case run and takes the run whole
#: (possessive): a match can only start there and end the run (no lower-case letter is a
#: quote or a stop), so these are the matches of the plain pattern, found without trying
#: and backtracking from every letter of every word.
_NO_SPACE_AT_QUOTE = re.compile(
    rf"(?<![{LOWER}])([{LOWER}]{{2,}}+[:,]?)([“„«]|\")([{UPPER}][{LOWER}]+)"
    rf"|(?<![{LOWER}])([{LOWER}]{{2,}}+[.,!?]?)([”»]|\")([{LOWER}]{{2,}})"
)


#: Every match of the two patterns above holds a letter or punctuation mark directly
#: followed by a quote or a capital; most texts hold none, and this scan is fast (no
#: lookbehind to try at every position).
_GAPLESS = re.compile(
    rf"[.!?][”\"»’]?[“„«\"]?[{UPPER_EXT}]|[{LOWER}][.,!?]?[”»\"][{LOWER}]|[{LOWER}]:?[“„«\"][{UPPER}]"
)


def detect_missing_spaces(text: str, tokens: list[Token], language: str | None) -> list[Candidate]:
    """ "bonds.The", 'said"We', '"Yes,"he said': a space lost after a sentence or at a quote.

    Both words must be words of the text language (a known word, the capitalised one
    lower-cased): "Node.Js", "e.On" or a domain name are not sentences.
    """
    if language not in lexicon.EVIDENCE_LANGUAGES or not _GAPLESS.search(text):
        return []
    out = []
    for m in _NO_SPACE_AFTER_STOP.finditer(text):
        left, stop, right = m.groups()
        word = right.lstrip('“"„«')
        if lexicon.zipf(word.lower(), language) < 3.0 and not (
            # A name after the stop ("display.Wistron", "charity.Prakash"): the word before
            # must then be a common word of the text language, and the name no short token.
            len(word) >= 4 and len(left) >= 4 and lexicon.zipf(left.lower(), language) >= 3.5
        ):
            continue
        confidence, detector = 0.9, "rule:missing_space_after_stop"
        opener = word.lower() in _closed_class(language) or (
            language == "en" and word in SENTENCE_OPENERS_EN
        )
        if not opener and (
            lexicon.zipf(left.lower(), language) < 3.0
            or len(re.findall(rf"(?<![\w.]){re.escape(left)}\.[{UPPER}]", text)) >= 2
        ):
            # "readme.Txt": a file's name and its extension (a lost sentence end has a word
            # of the language before the stop, or a sentence opener after it: "Mebarki.The");
            # "stuff.Stuffinator and stuff.Stuffinatrix": a module's names (a lost space does
            # not repeat the same word before a stop). Reported.
            confidence, detector = 0.75, detector + "+name_shape"
        out.append(
            Candidate(
                "missing_space",
                m.start(),
                m.end(),
                f"{left}{stop} {right}",
                None,
                confidence,
                detector,
            )
        )
    # Offsets of the straight quotes: how many come before a match tells an opening quote from
    # a closing one (a bisection, not a count over the text before each match: linear time)
    straight = [k for k, ch in enumerate(text) if ch == '"'] if '"' in text else []
    for m in _NO_SPACE_AT_QUOTE.finditer(text):
        if m.group(2):
            left, quote, right = m.group(1), m.group(2), m.group(3)
            opening = quote != '"' or bisect.bisect_left(straight, m.start(2)) % 2 == 0
            if not opening:
                continue
            replacement = f"{left} {quote}{right}"
            known = lexicon.zipf(right.lower(), language) >= 3.0
        else:
            left, quote, right = m.group(4), m.group(5), m.group(6)
            closing = quote != '"' or bisect.bisect_left(straight, m.start(5)) % 2 == 1
            if not closing:
                continue
            replacement = f"{left}{quote} {right}"
            known = lexicon.zipf(right, language) >= 3.0
        word = re.sub(r"[^\w]", "", left)
        if not known or lexicon.zipf(word.lower(), language) < 3.0:
            continue
        out.append(
            Candidate(
                "missing_space",
                m.start(),
                m.end(),
                replacement,
                None,
                0.85,
                "rule:missing_space_at_quote",
            )
        )
    return out


# --- glued_tokens --------------------------------------------------------------------------
GLUE_PREFIXES: dict[str, frozenset[str]] = {
    "en": words(
        "the of in on at to for from with by and or into about after before "
        "between against under over during across via than"
    ),
    "de": words(
        "der die das den dem des im am in an auf für mit von vom zu zum zur bei "
        "nach aus und oder über unter gegen"
    ),
    "it": words(
        "il lo la i gli le di a da in con su per tra fra e del della dello dei "
        "degli delle al alla allo ai agli alle dal dalla dallo dai dagli dalle nel "
        "nella nello nei negli nelle sul sulla sullo sui sugli sulle"
    ),
    "fr": words("le la les de du des à au aux en dans sur pour par avec et ou chez vers"),
    "es": words("el la los las de del a al en con por para y o sobre entre desde hacia"),
    "pt": words(
        "o a os as de do da dos das em no na nos nas com por para e ou ao aos pela pelo sobre entre"
    ),
}
GLUE_SUFFIXES_EN = ("and", "the", "of", "for", "with", "to", "in", "on")
#: Capitalised words that start a paragraph or sentence; glued to the last word of the one
#: before when the full stop and space were lost ("rulesIn 2020 ...").
SENTENCE_OPENERS_EN = words(
    "The In It This A An But And He She We They On At For As If When After While There "
    "That These Those His Her Its Their Our"
)
_MIXED_CASE = re.compile(rf"[{LOWER}][{UPPER}]")
PREFIX_GLUE = re.compile(rf"^([{LOWER}]+)([{UPPER}][\w'’-]*)$")
#: A capitalised or lower-case word with a function word fused to its end ("Nationsand",
#: "Rakiticand", "improvementand", "Thunbergto").
SUFFIX_GLUE = re.compile(rf"^([{UPPER}{LOWER}][{LOWER}]{{3,}})({'|'.join(GLUE_SUFFIXES_EN)})$")
_POSSESSIVE = re.compile(r"['’]s$")


def detect_glued_tokens(text: str, tokens: list[Token], language: str | None) -> list[Candidate]:
    """ "theUnited Nations", "inBrussels", "Nationsand", "rulesIn": words fused at a link or
    paragraph boundary.

    The fused form must be unknown as a word in every language (or far rarer than its second
    part: "tothe" is a common typo, "toThe" a fused link) and both parts must be words or
    names the text or wordfreq knows.
    """
    if language not in GLUE_PREFIXES:
        return []
    prefixes = GLUE_PREFIXES[language]
    separate: set[str] | None = None
    out = []
    for tok in _glue_suspects(text, tokens, language):
        if _DOMAIN_AFTER.match(text, tok.end):
            continue  # "dasWindrad.de", "theGuardian.com": a site's address, not fused words
        if tok.start and text[tok.start - 1] in _HANDLE_MARKS:
            continue  # "@theGuardian", "#theWeek": a handle or hashtag is written as its
            # owner chose; splitting it changed the name (round 32's audit)
        if tok.lower in lexicon.BRANDS:
            continue  # (inside quotations too: 'It toThe Streets', '"a fiery standfor"')
        whole = max(lexicon.zipf(tok.lower, language), lexicon.zipf(tok.lower, "en"))
        m = PREFIX_GLUE.match(tok.text)
        if m:
            prefix, rest = m.groups()
            rest_z = lexicon.zipf(_POSSESSIVE.sub("", rest).lower(), language)
            if whole >= 2.0 and whole >= rest_z - 2.0:
                continue  # a known word or brand ("easyJet", "macOS"); hashtags score below 2
            if separate is None:
                separate = {t.text for t in tokens}
            if prefix in prefixes and not (prefix == "a" and language in ("en", "de", "fr")):
                if language != "en" and _lost_letter(rest.lower(), language):
                    continue  # "conMxico": "México" with its accented letter lost, in a page
                    # whose encoding broke; the missing space is no evidence there
                if rest.lower() not in _closed_class(language) and _before_initials(
                    text, tokens, tok
                ):
                    continue  # "Dimick JB andRyan AM .": a reference list's author names
                    # (a surname; "toThe BBC", "ofThe US": "The" is none, the capitals
                    # after it are an acronym)
                known = _plausible_word(rest, language, separate)
                if known or _name_like(text, tok, rest):
                    if _written_as_a_name(text, tokens, tok, rest, known, separate):
                        out.append(
                            _glued(tok, f"{prefix} {rest}", 0.75, "rule:glued_prefix+name_shape")
                        )
                    else:
                        out.append(_glued(tok, f"{prefix} {rest}", 0.95, "rule:glued_prefix"))
                continue
            if (
                language == "en"
                and rest in SENTENCE_OPENERS_EN
                and len(prefix) >= 3
                and lexicon.zipf(prefix, "en") >= 3.0
            ):
                # "rulesIn": a lost sentence boundary; the space is certain, the full stop
                # is not, so the repair only separates the words.
                out.append(_glued(tok, f"{prefix} {rest}", 0.85, "rule:glued_sentence"))
            continue
        if language == "en":
            m = SUFFIX_GLUE.match(tok.text)
            if m is None:
                continue
            base, suffix = m.groups()
            if suffix == "in" and text[tok.end : tok.end + 1] in ("'", "’"):
                continue  # "roamin' Catholic", "nothin'": "-ing" with its "g" dropped
            if text[tok.end : tok.end + 1] == ":" and text[tok.end + 1 : tok.end + 2].strip():
                continue  # "mailto:chris.abel@enron.com": a URI's scheme
            base_z = lexicon.zipf(base.lower(), "en")
            if whole >= 2.5 or (whole >= 2.0 and whole >= base_z - 2.0):
                continue  # a word ("husband", "thereof", "Justin"), not a typo-level fusion
            if not base.islower() and (
                tok.lower in lexicon.person_names("first_names")
                or tok.lower in lexicon.person_names("last_names")
            ):
                continue  # a name ("Augustin", "Juston")
            if separate is None:
                separate = {t.text for t in tokens}
            if lexicon.evidence(tok.lower) and whole < 2.0 and base not in separate:
                continue  # a word of another language ("kirkon" is Finnish); but the text's
                # own "King" makes "Kingin" that name glued to "in", whatever Finnish
                # writes for "King's" (round 7)
            if not base.islower() and any(
                len(t.text) > len(tok.text) and t.text.startswith(tok.text) for t in tokens
            ):
                continue  # "Clanto" beside "Clanton": a name cut short, not glued to "to"
            if base in separate:
                out.append(_suffix_glued(text, tokens, tok, base, suffix, 0.9))
                continue
            if not base.islower():
                k = tok.index
                nxt = tokens[k + 1] if k + 1 < len(tokens) else None
                joined_next = (
                    nxt is not None and nxt.capitalised and text[tok.end : nxt.start] == " "
                )
                # A common English word fused with "in"/"to"/"on" into a form no list knows
                # ("Olympicsto London", "Air Forcein May", "Flight Centerin Greenbelt") is
                # no surname: names ending so are known forms ("Crafton", "Brighton").
                fused_word = (
                    suffix in _SURNAME_ENDINGS and len(base) >= 5 and base_z >= 4.0 and whole < 1.0
                )
                if (
                    suffix != "and"
                    and joined_next
                    and not (suffix in _GLUED_BEFORE_NAMES and len(base) >= 4 and base_z >= 3.5)
                    and not fused_word
                ):
                    continue  # the first part of a name ("Juston Burris"), but not a common
                    # word before "of"/"the"/...: "the Departmentof Commerce", "Why Doesthe Earth"
                prev = tokens[k - 1] if k > 0 else None
                after_given_name = (
                    prev is not None
                    and prev.capitalised
                    and text[prev.end : tok.start] == " "
                    and prev.lower in lexicon.person_names("first_names")
                )
                names_joined = suffix == "and" and joined_next  # not "Sondland. He said"
                if (
                    prev is not None
                    and prev.lower in _NAME_CLASSIFIERS
                    and suffix in _SURNAME_ENDINGS
                ):
                    continue  # "security firm Preventon": a noun that introduces a name, and
                    # names end so (but "group Doctorsfor Camp Closure": no name ends in "for")
                if (after_given_name or base_z < 2.0) and not names_joined:
                    continue  # a surname ("Chuck Peruto", "Kelly Sawyer Patricof"), unless
                    # it joins two names ("Ivan Rakiticand Mario Mandzukic")
                if prev is not None and prev.capitalised and base_z < 3.0 and not names_joined:
                    continue
                if (
                    prev is not None
                    and prev.capitalised
                    and suffix in _SURNAME_ENDINGS
                    and not fused_word
                    and text[prev.end : tok.start] == " "
                    and not lexicon.is_place(base.lower())  # "Hitler's Germanyin 1938"
                    and not lexicon.is_demonym(base.lower().removesuffix("s"))  # "African
                    # Americansin 2017": a people, no surname
                ):
                    continue  # the second part of a full name: "Talorie Crafton", "Ben Franklin"
            elif base_z < (GLUED_LONG_BASE_MIN if len(base) >= 8 else 3.0):
                continue  # a long base English uses ("morbidity", "modularity") is enough
            out.append(_suffix_glued(text, tokens, tok, base, suffix, 0.85))
            continue
        if whole >= 2.0:
            continue
    return out


#: A lower-case base of eight letters or more this common in English before a glued
#: function word ("morbidityand", "modularityand"): long words English uses are rarer.
GLUED_LONG_BASE_MIN = 2.0
#: Glued words that are also how surnames end ("Crafton", "Franklin", "Soto").
_SURNAME_ENDINGS = frozenset({"on", "in", "to"})
#: Glued function words that join a common word to a following name, where no name ends
#: the same way: "Departmentof Commerce", "Ministerof Foreign Affairs", "Doesthe Earth".
_GLUED_BEFORE_NAMES = frozenset({"of", "the", "for", "with"})


#: Nouns that introduce a firm's or group's name ("security firm Preventon"): a capitalised
#: word after one ending in "on"/"in"/"to" is that name, not a word glued to them.
_NAME_CLASSIFIERS = words("firm company startup group agency brand label band club")

#: A top-level domain right after a token: the token is part of a site's address.
_DOMAIN_AFTER = re.compile(r"\.(?:[a-z]{2}|com|org|net|info|gov|edu)\b")
#: Characters that make the word after them a handle or a hashtag (X/Twitter, Instagram,
#: Mastodon), never words fused by a translation.
_HANDLE_MARKS = frozenset("@#＠＃")


def _closed_class(language: str) -> frozenset[str]:
    return lexicon.CLOSED_CLASS.get(language, lexicon.CLOSED_CLASS["en"])


def _before_initials(text: str, tokens: list[Token], tok: Token) -> bool:
    """Is ``tok`` followed by a surname's initials ("andRyan AM", "andJena AB")? Reference
    lists write authors so; their fused "and" is the list's formatting, not a link's
    (round 5: v4 dev, web pages with bibliographies)."""
    k = tok.index + 1
    if k >= len(tokens):
        return False
    nxt = tokens[k]
    if text[tok.end : nxt.start] != " " or text[nxt.end : nxt.end + 1] == ".":
        return False  # "theYear. I", "atThe U.K.'s": a sentence or an abbreviation follows
    return 1 <= len(nxt.text) <= 3 and nxt.text.isupper() and nxt.text.isalpha()


def _lost_letter(low: str, language: str) -> bool:
    """:func:`foreign.lost_letter_word` (imported here: foreign imports this module)."""
    from .foreign import lost_letter_word

    return lost_letter_word(low, language)


def _suffix_glued(
    text: str, tokens: list[Token], tok: Token, base: str, suffix: str, confidence: float
) -> Candidate:
    """A word with a function word fused to its end ("Nationsand", "memberof"). "findin a
    restaurant" is "finding" with its "g" dropped as often as "find" + "in": a common form
    in "-ing" of the base makes the split only reported. A fused preposition must have its
    noun phrase after it ("Thunbergto world leaders", "gatheredin August"): before a verb, a
    stop or another function word ("Hartson foxed", "Shepherdson said", "(Boldon)",
    "Lievin on Saturday", "head of Preventon told") the word is a name ending so. Reported."""
    if suffix == "in" and base.islower() and lexicon.zipf(base + "ing", "en") >= 3.0:
        return _glued(tok, f"{base} {suffix}", 0.7, "rule:glued_suffix+dropped_g")
    if suffix != "and" and not _complement_after(text, tokens, tok):
        return _glued(tok, f"{base} {suffix}", 0.7, "rule:glued_suffix+no_complement")
    if tok.capitalised and sum(1 for t in tokens if t.text == tok.text) >= 2:
        # "Hartson" four times, "Lievin" twice in one report: a name the writer spells
        # so; a link's fusion does not repeat itself
        return _glued(tok, f"{base} {suffix}", 0.7, "rule:glued_suffix+recurs")
    return _glued(tok, f"{base} {suffix}", confidence, "rule:glued_suffix")


def _complement_after(text: str, tokens: list[Token], tok: Token) -> bool:
    """Can the words after ``tok`` be the noun phrase of a preposition fused to its end: a
    word joined by a space (or a number, a currency sign) that is no verb form ("said",
    "foxed", "pouncing") and no preposition or conjunction?"""
    if re.match(r"[ \u00a0]+[$£€]?[ \u00a0]?\d", text[tok.end : tok.end + 6]):
        return True  # "fallto $ 2.00", "rosein 2019": a number
    k = tok.index + 1
    gap = text[tok.end : tokens[k].start] if k < len(tokens) else ""
    if k >= len(tokens) or gap.strip(" $£€\u00a0"):
        return False  # a stop, a bracket, a quote: the sentence or the name ends here
    nxt = tokens[k].lower
    if nxt[:1].isdigit() or tokens[k].capitalised:
        return True
    if nxt in AFTER_HE or nxt in VERBISH or nxt in _closed_class("en") - NAME_DETERMINERS:
        return False
    return not (nxt.endswith(("ed", "ing")) and _verb_forms(re.sub(r"(?:ed|ing)$", "", nxt)))


def _glued(tok: Token, replacement: str, confidence: float, detector: str) -> Candidate:
    return Candidate("glued_tokens", tok.start, tok.end, replacement, None, confidence, detector)


#: A lower-case first letter only where a run of lower-case letters starts: a match from inside
#: the run implies one from its start (more lower-case letters before the same ending), so
#: the same tokens are found, and a long run is scanned once instead of once per letter (a
#: 200,000-letter word took 425 s of CPU).
_SUFFIX_SUSPECT_EN = re.compile(
    rf"(?:[{UPPER}]|(?<![{LOWER}])[{LOWER}])[{LOWER}]{{3,}}(?:{'|'.join(GLUE_SUFFIXES_EN)})\b"
)


def _glue_suspects(text: str, tokens: list[Token], language: str) -> list[Token]:
    """Tokens with an inner lower->upper seam (or, in English, a glued function word).

    Found with regex passes over the text instead of a test per token, returned in text
    order. Both patterns match letters only, so a match never spans two tokens: one scan per
    pattern finds the same tokens as one scan of their alternation, and runs faster.
    """
    patterns = (_MIXED_CASE, _SUFFIX_SUSPECT_EN) if language == "en" else (_MIXED_CASE,)
    found: set[int] = set()
    for pattern in patterns:
        for m in pattern.finditer(text):
            k = bisect.bisect_right(tokens, m.start(), key=_token_start) - 1
            if k >= 0 and tokens[k].start <= m.start() < tokens[k].end:
                found.add(k)
    return [tokens[k] for k in sorted(found)]


_token_start = operator.attrgetter("start")


#: Legal forms and their like that follow a firm's name ("toGo Ltd", "inVentiv Health Inc").
_FIRM_DESIGNATORS = words(
    "Ltd Ltd. Limited Inc Inc. Incorporated Corp Corp. Corporation LLC LLP plc PLC GmbH AG "
    "KG SA S.A. SpA S.p.A. SRL Srl NV N.V. BV B.V. AB ASA Oy Pty Co Co. Holdings"
)


def _written_as_a_name(
    text: str, tokens: list[Token], tok: Token, rest: str, known: bool, separate: set[str]
) -> bool:
    """Is a lower-case word + capitalised word ("inVentiv", "toGo Ltd") written so as a
    firm's or product's name, not fused at a link? Names in camel case keep their lower-case
    head: the token recurs as written, a legal form ("Ltd", "Inc") follows it, or its
    capitalised part is no word or name the lists or the text know by itself (a fused
    "theSeaquarium" shows "Seaquarium" elsewhere in the text). Reported, not applied."""
    if sum(1 for t in tokens if t.text == tok.text) >= 2:
        return True
    nxt = re.match(r"[ \u00a0]+(\S+)", text[tok.end : tok.end + 40])
    if nxt and nxt.group(1).rstrip(",;:") in _FIRM_DESIGNATORS:
        return True
    return not known and rest not in separate


def _name_like(text: str, tok: Token, rest: str) -> bool:
    """Could the capitalised rest after a glued function word be a name the lists lack
    ("theSeaquarium", "theGannett-Gatehouse")? Not after a handle or hashtag sign."""
    if tok.start and text[tok.start - 1] in "#@/_.":
        return False
    head = rest.split("-")[0]
    return len(head) >= 4 and head[1:].isalpha() and head[1:].islower()


def _plausible_word(word: str, language: str, separate: set[str]) -> bool:
    """Is the capitalised remainder of a glued token a real word or name? A compound is
    when its first part is ("theUS-China trade", "theNBA-leading Lakers"), a name in
    camel case when all its parts are words ("theSportsBusiness Journal"; round 5)."""
    if word in separate or (word.isupper() and len(word) >= 2):
        return True
    if "-" in word:
        head = word.split("-", 1)[0]
        return bool(head) and head[:1].isupper() and _plausible_word(head, language, separate)
    parts = re.findall(rf"[{UPPER}][{LOWER}]+", word)
    if len(parts) >= 2 and "".join(parts) == word:
        return all(lexicon.zipf(p.lower(), language) >= 3.0 for p in parts)
    low = _POSSESSIVE.sub("", word).lower()
    if low in lexicon.place_names():
        return True
    return max(lexicon.zipf(low, language), lexicon.zipf(low, "en")) >= 2.0


# --- capitalisation ------------------------------------------------------------------------
VERBISH = words(
    "is are was were has have had will would can could should must may might said says "
    "told tells announced added rose fell grew won lost made makes took takes gave gives "
    "called calls wants wanted warned warns insisted insists reported reports confirmed "
    "denied claimed claims argued argues believes believed thinks thought knows knew "
    "became becomes remains remained did does do go goes went came comes got gets "
    "plans plan hopes hoped agreed agrees decided decides"
)


QUANTIFIERS = words("many several most some all few both other more new various numerous")
ADVERBS = words(
    "still also never always just now then already recently later soon again often only "
    "even ever once yet too very"
)
#: Words before which a capitalised word is a name used as a modifier ("the Trump
#: administration", "our Instagram account"); a generic noun phrase ("human rights groups")
#: takes no article, so the artefact is looked for only without one.
NAME_DETERMINERS = words("the a an this these those his her its their our your my whose every each")


def _international(word: str) -> bool:
    """Is the word about as frequent in other languages as in English (a name or brand)?

    Names and brands travel across languages with their spelling (Trump, Netflix, Audi);
    English common words do not. Minimum over the other languages, so that a word shared
    with one Romance language ("civil", "local") still counts as English.
    """
    en = lexicon.zipf(word, "en")
    others = min(lexicon.zipf(word, lang) for lang in lexicon.LANGUAGES if lang != "en")
    return en - others < 1.2


#: Grammar words no name or title is made of when they stand alone between two lower-case
#: words: modals and auxiliaries, pronouns, prepositions and adverbs of time and degree.
#: Sentence openers ("The", "It", "In", "But") are left out: after a full stop lost in
#: extraction they start the next sentence ("was updated The previous ...").
GRAMMAR_WORDS = words(
    "will would should shall could can must might does did have has had been being "
    "them they their theirs your yours ours whom whose "
    "from across into onto upon within without toward towards through throughout "
    "also always still never often anymore already almost perhaps likely quite rather "
    "many more most than like are were was what which where why how "
    "beyond among amid despite during behind beneath beside between "
    "while whereas because although though unless until whether"
)


#: Words after which English puts a verb's base form: the infinitive marker, modals, and
#: plural or first/second-person subject pronouns ("to Utilize its", "could Pave the",
#: "who Want nature"). A name there is a place or a person ("flew to Paris on"), never a
#: verb, so a capitalised verb in this slot is a left-over capital (round 5).
VERB_SLOTS = words(
    "to will would can could should must might shall who they we you i not never just also even"
)
#: Words after which "to" is a preposition, so a noun follows, not a verb ("a step up to
#: Test rugby", "next to", "due to", "according to").
_PREPOSITION_TO = words(
    "up next close due according thanks prior compared similar contrary relative owing back down"
)
#: Subject pronouns before which a past form or a verb in -s follows ("as he Sought in").
_SUBJECT_PRONOUNS = words("he she it they we i you who")


def _past_form(low: str) -> bool:
    """Is ``low`` an irregular past form ("sought", "found", "wrote": :data:`AFTER_HE`)
    or a common past form in -ed of an English verb that is no name ("Reed")?"""
    if low in AFTER_HE and len(low) >= 4 and low not in lexicon.CLOSED_CLASS["en"]:
        return not _a_name(low)
    return (
        len(low) >= 5
        and low.endswith("ed")
        and lexicon.zipf(low, "en") >= 3.0
        and (_verb_forms(low[:-2]) or _verb_forms(low[:-1]))
        and not _a_name(low)
    )


def _base_verb(low: str) -> bool:
    """Is ``low`` a common English verb (it has common -ed/-ing forms: "overthrow",
    "supplement", "pave") that is no name, place, brand or word other languages share?"""
    if len(low) < 4 or not low.isalpha() or lexicon.zipf(low, "en") < 3.0:
        return False
    if low.endswith(("ed", "ing", "ly", "s")) or not _verb_forms(low):
        return False
    return not (
        _a_name(low)
        or low in lexicon.COMMON_WORD_BRANDS
        or low in lexicon.CONVENTIONAL_CAPITALS
        or low in lexicon.place_names()
        or lexicon.is_place(low)
        or lexicon.is_demonym(low)
        or _international(low)
    )


#: Grammar words that are also given names.
_GIVEN_NAME_GRAMMAR_WORDS = words("will can")
#: Prepositions after which a word stands in a noun slot: a capitalised past form there is a
#: name ("played for United", "a win over United"), not a verb left with a capital.
_NOUN_SLOT_PREPOSITIONS = words(
    "for with against over from by at of into onto toward towards than about without"
)
#: Auxiliaries: the word before one is its subject, never a past form ("United have").
_AUXILIARIES = words("have has had is are was were will would can could should may might must")
#: Words that title case leaves in lower case inside a title ("Through the Fire", "Now or
#: Never", "Gone with the Wind").
TITLE_MINOR_WORDS = words("the a an of and or nor in on at to for by with from as but")
#: Of those, the ones that join two content words of a title ("Now or Never", "Lord of the
#: Rings"); after a name, "to" is the infinitive marker ("Ogbene to Squeeze a header").
_TITLE_JOINERS = words("the a an of and or nor")


def _in_title_case_run(text: str, tokens: list[Token], i: int) -> bool:
    """Is the capitalised ``tokens[i]`` part of a run in title case, joined to another
    capitalised word by one of the words title case keeps small ("hit Through the Fire",
    "It's Now or Never at number 27")? Its capital is then the title's, not a left-over."""

    def joined(a: Token, b: Token) -> bool:
        return text[a.end : b.start] == " "

    def title_word(t: Token) -> bool:
        """A content word of a title: a common English word, no name, place or people
        ("Fire", "Now"; not "the Bavarian government", "to Paris")."""
        low = _POSSESSIVE.sub("", t.lower)
        return (
            t.capitalised
            and t.text != "I"
            and low not in lexicon.CLOSED_CLASS["en"]
            and lexicon.zipf(low, "en") >= 3.0
            and not (
                _a_name(low)
                or low in lexicon.CONVENTIONAL_CAPITALS
                or low in lexicon.place_names()
                or lexicon.is_place(low)
                or _demonym_adjective(low)
            )
        )

    if i + 2 < len(tokens):
        minor, cap = tokens[i + 1], tokens[i + 2]
        if (
            minor.lower in TITLE_MINOR_WORDS
            and not cap.sentence_start
            and title_word(cap)  # not "computer Anymore and I don't"
            and joined(tokens[i], minor)
            and joined(minor, cap)
        ):
            return True
    if i >= 2:
        cap, minor = tokens[i - 2], tokens[i - 1]
        if (
            minor.lower in _TITLE_JOINERS
            and title_word(cap)
            and joined(cap, minor)
            and joined(minor, tokens[i])
        ):
            return True  # (a sentence-initial "It's Now": the run may start a sentence)
    return False


def _never_a_name(text: str, tokens: list[Token], i: int) -> bool:
    """Is the capitalised ``tokens[i]`` a grammar word or an inflected verb/adverb between two
    lower-case words ("you Will also", "speeds Across the", "prices Fluctuated wildly",
    "was Likely to")? Such a word is never a name, so its capital is a left-over (round 4).

    Inflected forms count when English uses them (Zipf >= 2.5) and they are no person's name
    or place ("Reed", "Browning", "Reading" are), and the word around is no title.
    """
    tok, prev, nxt = tokens[i], tokens[i - 1], tokens[i + 1]
    if prev.sentence_start or not prev.text.islower() or not nxt.text.islower():
        return False
    if text[prev.end : tok.start] != " " or text[tok.end : nxt.start] != " ":
        return False
    if tok.in_quote or prev.lower in NAME_DETERMINERS:
        return False  # "with the Lightning in the offseason": a team, a title, a name
    if _in_title_case_run(text, tokens, i):
        return False  # "hit Through the Fire", "It's Now or Never at": a title's grammar word
    low = tok.lower.replace("\u2019", "'")
    if low in GRAMMAR_WORDS or low.endswith("n't") or low.endswith("'re"):
        # Title case capitalises the content words around a grammar word, so with both
        # neighbours in lower case a capital nearby ("Chong scored From close range",
        # "and They're usually U.S. companies") belongs to a name, not to a title (round 5).
        # "Will" is also a given name ("told Will about"): as a modal a verb follows.
        if low in _GIVEN_NAME_GRAMMAR_WORDS:
            return nxt.lower in ADVERBS or (
                nxt.lower not in lexicon.CLOSED_CLASS["en"] and _verb_forms(nxt.lower)
            )
        return True
    if prev.lower == "as" and nxt.lower == "as" and lexicon.zipf(low, "en") >= 3.0:
        return True  # "as Long as": the frame of a comparison holds no name
    if prev.lower in _SUBJECT_PRONOUNS and _past_form(low):
        return True  # "as he Sought in", "they Found that"
    if (
        prev.lower in VERB_SLOTS
        and not (prev.lower == "to" and i >= 2 and tokens[i - 2].lower in _PREPOSITION_TO)
        and _base_verb(low)
        and lexicon.zipf(nxt.lower, "en") >= max(3.0, lexicon.top_zipf(nxt.lower) - 1.0)
    ):
        # (an English word next: "According to Programme des Nations unies" is a name)
        return True  # "to Overthrow the", "will Supplement their", "who Want nature"
    if in_title_context(tokens, i):
        return False
    if len(low) < 6 or not low.endswith(("ed", "ing", "ly")):
        return False
    if low.endswith("ed") and (prev.lower in _NOUN_SLOT_PREPOSITIONS or nxt.lower in _AUXILIARIES):
        return False  # "played for United as", "that United have come": a noun slot (after
        # a preposition, before an auxiliary), so a name, not a past form
    if lexicon.zipf(low, "en") < 2.5 or _international(low):
        return False
    return not (
        low in lexicon.person_names("first_names")
        or low in lexicon.person_names("last_names")
        or low in lexicon.place_names()
        or lexicon.is_place(low)
    )


#: Nouns of media and brands a title or name follows directly ("the Web site Them").
_NAME_AFTER = words("site website app channel band outlet brand label game platform account")


_NAMING_VERBS = words("called named titled entitled")


def _after_work_noun(text: str, tokens: list[Token], i: int) -> bool:
    """Is ``tokens[i]`` (part of) a title after a work noun ("the song Also sprach ...",
    "the Web site Them that", "the magazine Time")? Titles keep their capitals (round 5:
    the blind listing of round 4 and the tune half of the clean pages)."""
    from .foreign import _WORK_TITLE, in_work_title  # (foreign imports this module)

    start = tokens[i].start
    prev = tokens[i - 1].lower
    return (
        prev in _NAME_AFTER
        # a work noun right before ("the song Also ..."); not a verb of naming: "should not
        # be called Statically in" holds an adverb, no title
        or (
            prev not in _NAMING_VERBS
            and _WORK_TITLE.search(text[max(0, start - 40) : start]) is not None
        )
        or in_work_title(text, start)
    )


def in_title_context(tokens: list[Token], i: int) -> bool:
    """Is another word within two words of ``tokens[i]`` (same sentence) capitalised?"""
    left = tokens[max(0, i - 2) : i]
    for k in range(len(left) - 1, -1, -1):
        if left[k].sentence_start:
            left = left[k:]
            break
    window = left + tokens[i + 1 : i + 3]
    return any(t.capitalised and not t.sentence_start for t in window)


def detect_capitalisation(text: str, tokens: list[Token], language: str | None) -> list[Candidate]:
    """ "Many Human rights": a title-cased common word mid-sentence before a lower-case noun."""
    if language != "en":
        return []
    lower_seen: set[str] | None = None
    places = lexicon.place_names()
    out = []
    # Only capitalised tokens inside a sentence and outside quotations can be artefacts.
    suspects = [
        i
        for i in range(1, len(tokens) - 1)
        if tokens[i].capitalised and not tokens[i].sentence_start and not tokens[i].in_quote
    ]
    for i in suspects:
        tok = tokens[i]
        prev, nxt = tokens[i - 1], tokens[i + 1]
        word = tok.text
        if word.isupper():
            continue
        bare = word.replace("’", "").replace("'", "")  # "They’re", "Shouldn’t"
        if len(word) < 3 or not bare[1:].isalpha() or not bare[1:].islower():
            continue
        if word[0] == "I" and word[1] in "'’":
            continue  # "I'm", "I've": English always capitalises the pronoun
        if (
            prev.lower in ("and", "or", "&")
            and i >= 2
            and tokens[i - 2].capitalised
            and text[tokens[i - 2].end : prev.start] == " "
        ):
            continue  # "Butler and Yelling finished": coordinated with a name, a name
        low = word.lower()
        singular = low[:-1] if low.endswith("s") else low
        if (
            low in lexicon.CONVENTIONAL_CAPITALS
            or singular in lexicon.CONVENTIONAL_CAPITALS
            or low in lexicon.COMMON_WORD_BRANDS
            or low in places
            or lexicon.is_place(low)
            or lexicon.is_demonym(low)
            or lexicon.is_demonym(singular)
        ):
            continue
        if not ((prev.text.islower() or prev.sentence_start) and nxt.text.islower()):
            continue
        if _never_a_name(text, tokens, i):
            if _after_work_noun(text, tokens, i):
                continue  # "the Web site Them that", "the song Also sprach ...": a title
            out.append(
                Candidate(
                    "capitalisation",
                    tok.start,
                    tok.end,
                    low,
                    None,
                    0.75,
                    "rule:titlecase_grammar_word",
                )
            )
            continue
        if prev.sentence_start and prev.capitalised and prev.lower not in QUANTIFIERS:
            continue  # "Home Depot shares", "Summary Studies show": a name or a heading
        if (
            (prev.masked and not prev.sentence_start)
            or prev.lower in NAME_DETERMINERS
            or prev.text.endswith(("'s", "’s"))
        ):
            continue  # a particle inside a name ("Hall of Fame") or "the <Name> ..."
        if (i >= 2 and tokens[i - 2].lower in NAME_DETERMINERS) or (
            prev.start > 0 and text[prev.start - 1].isdigit()
        ):
            continue  # "the entire Experience team", "the 5th District": a name as modifier
            # after a determiner and an adjective or ordinal (round 4, clean news pages; the
            # ordinal's digits are no part of the token "th": round 6, noharm tune half)
        if low.endswith("s") and not low.endswith("ss") and lexicon.zipf(low[:-1], "en") >= 3.0:
            continue  # plural modifiers are team/band/agency names ("Steelers quarterback")
        if nxt.lower in ADVERBS:
            continue
        left = tokens[max(0, i - 2) : i]
        for k in range(len(left) - 1, -1, -1):
            if left[k].sentence_start:
                left = left[k:]  # only the current sentence counts as context
                break
        window = left + tokens[i + 1 : i + 3]
        if any(t.capitalised and not t.sentence_start for t in window):
            continue  # title-heavy context: product listings, headlines, names
        if text[prev.end : tok.start] != " " or text[tok.end : nxt.start] != " ":
            continue
        if nxt.lower in VERBISH or nxt.lower.endswith("ed") or len(nxt.lower) < 2:
            continue
        if nxt.lower in lexicon.CLOSED_CLASS["en"] and nxt.lower != "of":
            continue
        if nxt.lower == "of":
            after = tokens[i + 2] if i + 2 < len(tokens) else None
            if (
                after is None
                or not after.text.islower()
                or after.lower in lexicon.CLOSED_CLASS["en"]
            ):
                continue  # "Speaker of the House", "Artist of the Decade": a title
        if low in lexicon.CLOSED_CLASS["en"]:
            continue  # "updated The previous ...": a lost full stop, not a capitalised noun
        if lexicon.zipf(low, "en") < 3.5 or _international(low):
            continue
        if lexicon.zipf(nxt.lower, "en") < 3.0:
            continue
        if lower_seen is None:
            lower_seen = {t.text for t in tokens if t.text.islower()}
        if low not in lower_seen and prev.lower not in QUANTIFIERS:
            continue  # no evidence that the document writes it in lower case
        if _after_work_noun(text, tokens, i):
            continue  # (checked last: the regexes cost more than the tests above)
        # Reported, never applied: a capitalised common word is as often a name or a title
        # the text means ("the Experience team", "the 5th District") as a link's left-over.
        confidence = 0.75 if low in lower_seen else 0.7
        out.append(
            Candidate(
                "capitalisation",
                tok.start,
                tok.end,
                low,
                None,
                confidence,
                "rule:midsentence_titlecase",
            )
        )
    return out


# --- false_friend --------------------------------------------------------------------------
@dataclass(frozen=True)
class FalseFriend:
    """A wrong term, the right one, and the evidence the document itself must show."""

    wrong: dict[str, str]  # wrong form -> right form (lower-case)
    evidence: str  # regex the rest of the document must match (right term in use)
    sources: tuple[str, ...]
    next_words: frozenset[str] | None = None  # the wrong form must be followed by one of these
    veto: str | None = None  # regex that, near the occurrence, shows the word is meant
    #: regex right after the word that is the English word's own construction ("a
    #: manifestation of deep anger", "a treatise on economics"): the word is meant
    english_frame: str | None = None


FALSE_FRIENDS = (
    FalseFriend(
        {"treatise": "treaty", "treatises": "treaties"},
        r"\btreat(?:y|ies)\b",
        ("it", "es", "pt", "fr"),
        veto=r"philosoph|wrote|written|author|essay|book|scholar|theolog",
        english_frame=r"\s+(?:on|upon|about|concerning)\b",
    ),
    FalseFriend(
        {"manifestation": "demonstration", "manifestations": "demonstrations"},
        r"\bdemonstrations?\b",
        ("it", "fr", "es", "pt"),
        veto=r"symptom|disease|clinical|spirit",
        english_frame=r"\s+of\b",
    ),
    FalseFriend(
        {"formation": "training"},
        r"\btraining\b",
        ("it", "fr"),
        veto=r"formation of (?:a|an|the)\b|rock|geolog|cloud|militar|squad|combat|jets?\b|"
        r"aircraft|troops|flight|battle|tactical",
    ),
    FalseFriend(
        {"actual": "current"},
        r"\bcurrent\b",
        ("it", "fr", "es", "pt"),
        next_words=words(
            "government crisis situation system president minister "
            "law rules legislation regime context model mayor "
            "leadership prime executive administration"
        ),
    ),
    FalseFriend(
        {"parents": "relatives"},
        r"\brelatives\b",
        ("it", "fr"),
        next_words=frozenset({"of"}),
        veto=r"\b(?:child|children|son|daughter|pupils?|students?|baby|kids?)\b",
    ),
    FalseFriend({"camera": "chamber"}, r"\bchamber\b", ("it",), next_words=frozenset({"of"})),
    FalseFriend(
        {"library": "bookshop"},
        r"\bbookshop\b",
        ("it", "es", "fr"),
        veto=r"\bborrow|public library|\bloan",
    ),
    FalseFriend(
        {"sensible": "sensitive"},
        r"\bsensitive\b",
        ("fr", "es"),
        next_words=words(
            "data information issue issues topic topics subject area areas material documents files"
        ),
    ),
    FalseFriend(
        {"assisted": "attended", "assist": "attend", "assists": "attends"},
        r"\battend(?:s|ed|ing)?\b",
        ("fr", "es"),
        next_words=frozenset({"the", "a", "an"}),
        veto=r"assisted (?:the|a|an) (?:police|investigat|rescue|victim|team|"
        r"recovery|effort)",
    ),
    FalseFriend(
        {"chef": "boss"},
        r"\bboss\b",
        ("de", "fr"),
        next_words=frozenset({"of"}),
        veto=r"restaurant|kitchen|cook|cuisine|menu|dish|michelin",
    ),
)
WORD_RE = re.compile(r"[^\W\d_]+")


#: Characters that a case-insensitive regex equates with an ASCII letter although their
#: ``str.lower()`` is not that letter (or changes the length of the text).
_CASE_FOLD_EXCEPTIONS = ("İ", "ı", "ſ")


@lru_cache(maxsize=1)
def _false_friend_index() -> tuple[re.Pattern, dict[str, FalseFriend]]:
    by_form = {form: ff for ff in FALSE_FRIENDS for form in ff.wrong}
    pattern = re.compile(
        r"\b(" + "|".join(sorted(by_form, key=len, reverse=True)) + r")\b", re.IGNORECASE
    )
    return pattern, by_form


@lru_cache(maxsize=1)
def _false_friend_stems() -> tuple[str, ...]:
    """Wrong forms that do not start with another wrong form ("treatise", not "treatises").

    Every offset where a longer form occurs is an offset of its shorter stem, so searching
    for the stems finds all the offsets where the pattern can match.
    """
    forms = _false_friend_index()[1]
    return tuple(f for f in forms if not any(f != g and f.startswith(g) for g in forms))


def _false_friend_matches(text: str, lower: str) -> Iterator[re.Match]:
    """``finditer`` of the false-friend pattern, tried only where a wrong form occurs.

    A case-insensitive match of an ASCII form is that form in ``text.lower()`` at the same
    offset unless the text holds one of the few characters for which the two disagree
    (then the whole text is scanned). Trying the regex at those offsets in order, and
    resuming after each match, yields exactly the matches of ``pattern.finditer``; the
    common article without any wrong form costs a few substring searches.
    """
    pattern = _false_friend_index()[0]
    if any(c in text for c in _CASE_FOLD_EXCEPTIONS):
        yield from pattern.finditer(text)
        return
    offsets: set[int] = set()
    for form in _false_friend_stems():
        i = lower.find(form)
        while i >= 0:
            offsets.add(i)
            i = lower.find(form, i + 1)
    pos = 0
    match = pattern.match
    for i in sorted(offsets):
        if i < pos:
            continue
        m = match(text, i)
        if m is not None:
            yield m
            pos = m.end()


def detect_false_friends(text: str, language: str | None) -> list[Candidate]:
    """A false friend used where the document's own wording shows the right term."""
    if language != "en":
        return []
    _, by_form = _false_friend_index()
    lower = text.lower()
    out = []
    for m in _false_friend_matches(text, lower):
        form = m.group().lower()
        ff = by_form[form]
        right = ff.wrong[form]
        rest = lower[: m.start()] + " " + lower[m.end() :]
        if not re.search(ff.evidence, rest):
            continue
        nxt = WORD_RE.search(text, m.end())
        if ff.next_words is not None and (nxt is None or nxt.group().lower() not in ff.next_words):
            continue
        window = lower[max(0, m.start() - 80) : m.end() + 80]
        if ff.veto and re.search(ff.veto, window):
            continue
        if ff.english_frame and re.match(ff.english_frame, text[m.end() :]):
            continue
        word = m.group()
        replacement = right.capitalize() if word[:1].isupper() else right
        out.append(
            Candidate(
                "false_friend",
                m.start(),
                m.end(),
                replacement,
                None,
                0.85,
                "rule:false_friend_document_usage",
                source_candidates=ff.sources,
            )
        )
    return out


# --- truncated_name ------------------------------------------------------------------------
#: Endings that make a longer form a different word, not a completed name (plurals, genitive).
_INFLECTIONS = ("s", "es", "'s", "’s", "n", "e", "ns", "ans", "ian", "ese")
#: English has no "-n"/"-e" endings on names ("Madiso" is "Madison" cut), but demonyms
#: ("Israel" / "Israeli").
_INFLECTIONS_EN = ("s", "es", "'s", "’s", "ns", "an", "ans", "ian", "ians", "ese")
#: German declension endings: a noun and its inflected form differ by these.
_INFLECTIONS_DE = (
    "r",
    "n",
    "s",
    "e",
    "en",
    "er",
    "es",
    "em",
    "ern",
    "ns",
    "in",
    "innen",
    "isch",
    "ische",
    "ischen",
    "us",
)
#: Function words that a glued token may end with, per language (see glued_tokens).
GLUE_SUFFIXES = {"en": ("and", "the", "of", "for", "with", "to", "in", "on")}


#: A Roman numeral with an ordinal ending ("XVIIè", "XXème", "IIIrd"): abbreviations of one
#: ordinal, not a name cut short (round 6, the tune half of noharm.py).
_ROMAN_ORDINAL = re.compile(r"^[IVXLCDM]{2,}(?:è|ème|eme|e|er|re|nd|rd|st|th|º|ª)$")

#: Endings that make a people of a place ("Kenya" / "Kenyan", "China" / "Chinese").
_DEMONYM_ENDINGS = frozenset({"n", "ns", "an", "ans", "ian", "ians", "ese"})


def _no_inflection_en(short: str, full: str, rest: str) -> bool:
    """Is the English ending ``rest`` of ``full`` no inflection of ``short`` (round 5)?

    A people's ending only makes one when the long form is a demonym or the short one a place
    ("Sult" / "Sultan" is a cut title, "Kenya" / "Kenyan" a pair). Plural endings stay
    inflections: the singular of a rare noun is unknown too ("Delhiite" / "Delhiites")."""
    if rest == "n":
        # "Lanka" / "Lankan", "Kenya" / "Kenyan": only a place or a word of its own takes
        # "-n"; "Egyptia" is "Egyptian" cut (round 6, v6 and v5 dev)
        return not (
            lexicon.is_place(short)
            or short in lexicon.place_names()
            or lexicon.zipf(short, "en") >= CUT_SHORT_MAX
        )
    if rest in _DEMONYM_ENDINGS:
        return not (
            lexicon.is_demonym(full)
            or lexicon.is_place(short)
            or short in lexicon.place_names()
            or lexicon.zipf(short, "en") >= CUT_SHORT_MAX  # "Dakota" / "Dakotans"
        )
    return False


def _a_name(low: str) -> bool:
    """A given name or surname of a Faker locale ("Kati" beside "Katie", "Cornel" beside
    "Cornell": two people, not one name cut)."""
    return low in lexicon.person_names("first_names") or low in lexicon.person_names("last_names")


def _too_short_to_tell(text: str, tok: Token, full: str) -> bool:
    """A three-letter capitalised form cut from a longer name of the document ("Pyt" for
    "Python", "Isr" for "Israel") only counts when no language writes it and nothing marks
    it as an abbreviation ("Sen.", "Gen", "Feb", "Inc" are common short forms)."""
    low = tok.lower
    if text[tok.end : tok.end + 1] == "." or len(full) < 6 or not tok.text[1:].islower():
        return True
    if lexicon.zipf(low, "en") >= 3.0 or max(lexicon.profile(low).values(), default=0.0) >= 3.0:
        return True  # (wordfreq counts abbreviations: "Isr" 2.6, "Eas" 2.8, "Sen" 3.4)
    return _a_name(low)


#: Below this Zipf English practically never writes a word: a capitalised short form of a
#: longer word of the same document is then a cut name even when another language has it.
UNUSED_IN_EN = 2.5
#: ... unless another language uses the short form this often: "degli Stati americani" is
#: Italian, not "Station" cut (round 5, v5 dev).
FOREIGN_WORD_ZIPF = 5.5


def detect_truncated_names(text: str, tokens: list[Token], language: str | None) -> list[Candidate]:
    """Names cut at a link boundary: by the document's own longer form, else (English) by a
    common English name or word the short form starts (:func:`_cut_common_names`)."""
    out = _document_cut_names(text, tokens, language)
    if language == "en":
        seen = {c.start for c in out}
        out += [c for c in _cut_common_names(text, tokens) if c.start not in seen]
    return out


#: A completion this common in English ("European", "Democratic", "Premier") ...
CUT_COMPLETION_MIN = 4.0
#: ... of a capitalised short form English hardly writes (below this Zipf) and no other
#: language uses often: "Europ", "Ukrainia", "Democrati", "Ameri" (round 4, v2-v4 dev).
CUT_SHORT_MAX = 2.5
CUT_SHORT_MAX_ELSEWHERE = 3.5


#: How many of wordfreq's most frequent English words :func:`english_completions` reads.
COMPLETION_WORDS = 30_000


@lru_cache(maxsize=1)
def english_completions() -> dict[str, tuple[str, ...]]:
    """Prefix (the word minus one to three letters, at least four letters) -> common English
    words it starts (Zipf >= CUT_COMPLETION_MIN): built once from wordfreq's English list.

    Read from the on-disk cache (:mod:`newsetl.cache`): building takes ~0.3-0.5 s of CPU in
    every fork server's serial warm-up, loading ~2 ms. The key covers every input (wordfreq's
    version, the threshold, the word count); bump the tag when the building code changes."""
    from ..cache import cache_key, cached, distribution_version

    key = cache_key(
        distribution_version("wordfreq"),
        "english-completions-1",
        str(CUT_COMPLETION_MIN),
        str(COMPLETION_WORDS),
    )
    return cached("artefacts_completions", key, _build_english_completions)


def _build_english_completions() -> dict[str, tuple[str, ...]]:
    from ..text.lexdata import top_words

    out: dict[str, list[str]] = {}
    for word in top_words("en", COMPLETION_WORDS):
        if not word.isalpha() or lexicon.zipf(word, "en") < CUT_COMPLETION_MIN:
            continue
        for cut in (1, 2, 3):
            if len(word) - cut >= 4:
                out.setdefault(word[:-cut], []).append(word)
    return {k: tuple(v) for k, v in out.items()}


def _cut_common_names(text: str, tokens: list[Token]) -> list[Candidate]:
    """ "the Europ Union", "for Ukrainia attacks", "the Democrati Party": a capitalised form
    no language knows that is a common English word or name minus one to three letters.

    The document need not hold the full form: English never writes the short one, no other
    language of the lists knows it, no Faker locale has it as a name, and the missing letters
    are no inflection ("Ukrainian" / "Ukrainians"). Reported, never applied.
    """
    completions = english_completions()
    given: frozenset[str] | None = None
    surnames: frozenset[str] = frozenset()
    out = []
    for i in range(1, len(tokens)):
        tok = tokens[i]
        word = tok.text
        if not tok.capitalised or tok.sentence_start or tok.in_quote:
            continue  # (names are masked for the other detectors; cut names are names)
        if len(word) < 4 or not word.isalpha() or not word[1:].islower():
            continue
        low = word.lower()
        longer = completions.get(low)
        if not longer:
            continue
        if lexicon.zipf(low, "en") >= CUT_SHORT_MAX or any(
            z >= CUT_SHORT_MAX_ELSEWHERE for _, z in lexicon.evidence(low)
        ):
            continue
        if text[tok.end : tok.end + 1] in ("-", "'", "’", "\ufffd", "."):
            continue  # a compound, or an abbreviation ("J Investig. Dermatol.")
        prev = tokens[i - 1]
        if not prev.text.islower() or text[prev.end : tok.start] != " ":
            continue  # after a capital: a surname or a part of a name ("Mike Bost", "Le Guin")
        full = max(longer, key=lambda w: lexicon.zipf(w, "en"))
        if full[len(low) :] in _INFLECTIONS_EN:
            continue
        if full.endswith(("ed", "ing", "ly")) or _verb_forms(full) or _verb_forms(full[:-1]):
            continue  # "Indic" / "indicate": a name is no verb ("European", "Premier" are not)
        if given is None:
            given = lexicon.person_names("first_names")
            surnames = lexicon.person_names("last_names")
        if low in given or low in surnames:
            continue  # "Dani", "Kare": names of their own
        out.append(
            Candidate(
                "truncated_name",
                tok.start,
                tok.end,
                full.capitalize(),
                None,
                0.7,
                "rule:truncated_common_name",
            )
        )
    return out


def _document_cut_names(text: str, tokens: list[Token], language: str | None) -> list[Candidate]:
    """ "Mebark" where the article elsewhere says "Mebarki": a name cut at a link boundary.

    Evidence is the document itself: a capitalised token that is the start of a longer
    capitalised token of the same document, missing one to three letters. The short form must
    not be a word or a name in its own right (unknown to wordfreq in every language), unless
    the token before it matches the token before the full name ("Almeida Cost" / "Almeida
    Costa"). Plural/genitive endings are not completions.
    """
    if language not in lexicon.LANGUAGES:
        return []
    caps: dict[str, int] = {}
    double: dict[str, str] = {}  # last part of a double-barrelled name -> the whole name
    mixed: set[str] = set()
    capital_idx = [i for i, tok in enumerate(tokens) if tok.capitalised]
    for i in capital_idx:
        tok = tokens[i]
        if len(tok.text) >= 5 and tok.text.isalpha() and not _MIXED_CASE.search(tok.text):
            caps[tok.text] = caps.get(tok.text, 0) + 1  # not "ShelbourneBar" (glued)
        elif len(tok.text) >= 6 and tok.text.isalpha() and not tok.text.isupper():
            # A mixed-case name ("MacBook", "FoodCorp") completes only a mixed-case short
            # form ("MacBoo", "FoodCo"): "Shelbourne" is no cut of a glued "ShelbourneBar".
            caps[tok.text] = caps.get(tok.text, 0) + 1
            mixed.add(tok.text)
        elif "-" in tok.text:
            # Double-barrelled names: "Kerbra" may be cut from "Vasseur-Kerbrat".
            for part in tok.text.split("-")[1:]:
                if len(part) >= 5 and part[:1].isupper() and part.isalpha():
                    caps[part] = caps.get(part, 0) + 1
                    double[part] = tok.text
    if len(caps) < 2:
        return []
    by_prefix: dict[str, list[str]] = {}
    shortest = 3 if language == "en" else 4  # "Pyt" for "Python": see _too_short_to_tell
    for word in caps:
        for cut in (1, 2, 3):
            if len(word) - cut >= shortest:
                by_prefix.setdefault(word[:-cut], []).append(word)
    # Capitalised tokens that are the start of a longer one; usually there are none, and the
    # counts below are only needed for them.
    hits = [i for i in capital_idx if tokens[i].text in by_prefix]
    if not hits:
        return []
    counts: dict[str, int] = {}
    previous: dict[str, set[str]] = {}
    for i in capital_idx:
        tok = tokens[i]
        counts[tok.text] = counts.get(tok.text, 0) + 1
        if i and tok.text in caps:
            previous.setdefault(tok.text, set()).add(tokens[i - 1].text)
    out = []
    for i in hits:
        tok = tokens[i]
        longer = by_prefix[tok.text]
        if tok.sentence_start and i == 0:
            continue
        if not _MIXED_CASE.search(tok.text):
            longer = [w for w in longer if w not in mixed]
            if not longer:
                continue
        full = max(longer, key=lambda w: caps[w])
        if counts[tok.text] > 1 and counts[tok.text] >= caps[full]:
            continue  # used as often as the long form: a spelling variant, not a cut name
        rest = full[len(tok.text) :]
        if len(tok.text) < 4 and _too_short_to_tell(text, tok, full):
            continue
        if (
            i + 1 < len(tokens)
            and tokens[i + 1].text.lower().startswith(rest.lower())
            and lexicon.zipf(tokens[i + 1].lower, language) < 4.0
        ):
            continue  # "its Arte mis m oon program": a word split by a broken page (but
            # "the Board of Educati on Monday" is cut before a word of its own)
        short_z = lexicon.zipf(tok.lower, language)
        if (
            len(rest) == 1
            and short_z < 3.0
            and short_z > lexicon.zipf(full.lower(), language) + 0.5
        ):
            continue  # "Zelensky" beside "Zelenskyy": one letter apart, the form the
            # language writes more often is a spelling variant, not a cut (round 5, tune half)
        # (in English also "-n" when the short form is a place: "Lanka" / "Lankan")
        endings = (*_INFLECTIONS_EN, "n") if language == "en" else _INFLECTIONS
        if rest == "s" and full.endswith("ss"):
            pass  # "Congres" / "Congress": a cut "-ss" word, no plural
        elif (rest in endings or rest.lower() in endings) and not (
            language == "en" and _no_inflection_en(tok.lower, full.lower(), rest.lower())
        ):
            continue
        if (
            lexicon.is_demonym(full.lower())
            and not lexicon.is_demonym(tok.lower)
            and (lexicon.zipf(tok.lower, language) >= CUT_SHORT_MAX or lexicon.is_place(tok.lower))
        ):
            continue  # "Israel" / "Israeli": the place and its people (but "Pakist" is no
            # place: "Pakistani" cut, round 5)
        if tok.text.isupper():
            continue  # "GOOOAAALL" / "GOOOAAALLL": shouting, not a name
        if _ROMAN_ORDINAL.match(tok.text):
            continue  # "XVIIè" / "XVIIème": a century written as a Roman numeral
        if language == "en" and rest in ("er", "ers") and lexicon.is_place(tok.lower):
            continue  # "York" / "Yorker": a place and the word for its people
        if language == "de" and rest.lower() in _INFLECTIONS_DE:
            continue  # "Steuerbeamte" / "Steuerbeamter": German declension, not a cut name
        if rest.lower() in GLUE_SUFFIXES.get(language, ()) and (
            lexicon.zipf(full.lower(), language) < 2.0
        ):
            continue  # "Thunbergto" is "Thunberg" glued to "to", not its full form (but
            # "Education" is a word: "Educati" is cut from it)
        if lexicon.zipf(full.lower(), language) >= 3.5 and lexicon.zipf(tok.lower, language) >= 3.5:
            continue  # "East" / "Eastern": two words of the language
        if language == "de" and lexicon.zipf(tok.lower, "de") > 0.0:
            continue  # a German noun (capitalised like a name) that German knows
        # Known as a word of the text language or a main language (not merely of one of the
        # many evidence languages, where short forms like "Tayl" turn up by chance).
        known = (
            lexicon.zipf(tok.lower, language) >= 2.0
            or max(lexicon.profile(tok.lower).values()) >= 3.0
        )
        own_z = lexicon.zipf(tok.lower, language)
        if known and (
            (caps[full] >= 2 and own_z < 3.0)
            or (
                language == "en"
                and own_z < UNUSED_IN_EN
                and not _a_name(tok.lower)
                and lexicon.top_zipf(tok.lower) < FOREIGN_WORD_ZIPF
            )
        ):
            # The full name twice in the document and the short form no common word of
            # the text language ("Senat", "Devi", "Preside" for "Senate", "Devils",
            # "President"): the document's own usage outweighs another language's word.
            # In English text also once, when English itself never writes the short form
            # ("Educati", "Chine", "Compa": Italian, French, Spanish words, not English ones).
            # Reported, not applied (see the confidence below).
            known, relaxed = False, True
        else:
            relaxed = False
        # The word before is a capitalised part of the same name ("Almeida Cost").
        same_context = (
            i > 0 and tokens[i - 1].capitalised and tokens[i - 1].text in previous.get(full, set())
        )
        if known and not same_context:
            continue
        if text[tok.end : tok.end + 1] in ("-", "'", "’", "\ufffd", "&"):
            continue  # "Mebark-based": part of a longer compound, not a cut name; or a
            # character the extraction could not decode ("Betriebsr\ufffdte", an entity
            # left in the text: "Bernab&#233;u")
        if language == "de" and lexicon.zipf(full.lower(), "de") > 0.0:
            continue  # "Betriebsrat": a German word, not a name
        # Applied only for a form no language knows; a known word ("Zelensky" for
        # "Zelenskyy", a spelling variant) is reported.
        confidence = 0.9 if same_context else 0.85
        if known or relaxed or language == "de":
            confidence = 0.7
        detector = "rule:truncated_name_document_usage"
        prev = tokens[i - 1] if i > 0 else None
        if _ABBREVIATION_AFTER.match(text, tok.end):
            # "J Econom. 2008", "Clin Pharmacokinet. 2007", "Lepr Rev. 2012", "Pediatr Crit
            # Care Med. 2010": a word the writer shortened in a journal's abbreviated title
            # (a stop, then a year or a volume) is no name a translation cut. Reported.
            confidence, detector = min(confidence, 0.7), detector + "+abbreviation"
        elif (
            not same_context
            and prev is not None
            and prev.capitalised
            and text[prev.end : tok.start] == " "
            and prev.lower in lexicon.person_names("first_names")
        ) or re.search(rf"[{LOWER}][{UPPER}]", tok.text):
            # "Andrew Bridgen" beside the place "Bridgend": a given name before the short
            # form makes it a full name of its own; "RustCon Asia" beside "RustConf": a
            # name in camel case is written as its owner chose. Reported, not applied.
            confidence, detector = min(confidence, 0.7), detector + "+own_name"
        out.append(
            Candidate(
                "truncated_name",
                tok.start,
                tok.end,
                double.get(full, full),
                None,
                confidence,
                detector,
            )
        )
    return out


#: The rest of a journal's abbreviated title in a reference, after a cut word: up to four
#: more capitalised words ("Crit Care Med"), a stop, and a year, a volume or a bracket.
_ABBREVIATION_AFTER = re.compile(r"(?: [A-Z][A-Za-z]*){0,4}\.\s*(?:\d{4}|\d+[;:(]|[(\[])")


# --- duplicated_word -----------------------------------------------------------------------
DUPLICABLE = words(
    "the a an of to in on for and with at by from la le les il lo gli der die das den dem "
    "des el los las de di da del della du et und y e o em do na no com"
)


#: Doubled words that are grammatical: German relative clauses after an article ("Soldaten,
#: die die Schüsse abgaben"), English "that that" / "had had", Dutch "dat dat", French
#: reflexive "nous nous", Portuguese and Italian "se se" (the conjunction "if" before the
#: reflexive pronoun: "como se se quisessem"); English degree words doubled for emphasis ("very very good", "many
#: many years", "a no no"). Never reported.
GRAMMATICAL_DOUBLES = {
    "de": words("der die das den dem des sie es ihr wir so"),
    "en": words("that had do very so too much many far no"),
    "nl": words("dat die de"),
    "fr": words("nous vous"),
    "it": words("che se"),
    "es": words("que"),
    "pt": words("que se"),
}
#: A short lower-case word this frequent in the text language is a function word there.
DOUBLE_MIN_ZIPF = 6.0
#: Doubled verbs that are sometimes grammatical ("what it is is ..."): reported, not applied.
#: "Add to this this new law": a demonstrative pronoun, then a determiner (round 33).
MAYBE_GRAMMATICAL_DOUBLES = {"en": words("is was this")}
_WH_BEFORE = words("what where how why who whatever all thing")


def detect_duplicated_words(
    text: str, tokens: list[Token], language: str | None
) -> list[Candidate]:
    """ "the the", "di di": a function word doubled where two link texts were joined.

    A function word is one of :data:`DUPLICABLE` or, in any language with a word list, a
    lower-case word of at most four letters that is among the language's most frequent
    (Zipf >= :data:`DOUBLE_MIN_ZIPF`: Dutch "een", Polish "się", German "im").
    """
    if language not in lexicon.EVIDENCE_LANGUAGES:
        return []
    grammatical = GRAMMATICAL_DOUBLES.get(language, frozenset())
    maybe = MAYBE_GRAMMATICAL_DOUBLES.get(language, frozenset())
    out = []
    for i, (left, right) in enumerate(itertools.pairwise(tokens)):
        if left.text != right.text or text[left.end : right.start] != " ":
            continue
        if left.lower in grammatical:
            continue
        if _tripled(text, tokens, i):
            continue  # "Na Na Na", "no no no": a chant or a refrain, not a joined link
        if left.lower in maybe:
            if any(t.lower in _WH_BEFORE for t in tokens[max(0, i - 4) : i]):
                continue  # "what it is is ...": grammatical
            confidence = 0.7
        elif left.lower in DUPLICABLE or left.lower in lexicon.CLOSED_CLASS.get(language, ()):
            confidence = 0.9
            prev = tokens[i - 1] if i > 0 else None
            if left.start and text[left.start - 1].isdigit():
                continue  # "8x10in in size": the first is a unit written after a number
            if (
                language == "en"
                and left.lower in _PREPOSITIONS_EN
                and prev is not None
                and text[prev.end : left.start] == " "
                and prev.lower.endswith(("ed", "ing"))
            ):
                # "waiting for for years", "placed in in the past": a verb's preposition,
                # then a phrase that starts with the same one. Reported.
                confidence = 0.7
            if re.match(r"[,;:.!?…]", text[right.end : right.end + 1]):
                # "Sport und und, so kann er": "und und" closing a list is German for "and
                # so on"; a doubling where two links were joined has the next word after it
                confidence = 0.7
        elif (
            left.text.islower()
            and len(left.text) <= 4
            and lexicon.zipf(left.lower, language) >= DOUBLE_MIN_ZIPF
        ):
            # A frequent short word that is no listed article, preposition or conjunction:
            # doubled on purpose as often as by a joined link ("det var det det kunne
            # være", "az az én munkám", Turkish "tek tek", Romanian "va va" for "vă va",
            # "way way harder"; round 33's check with a translation sign). Reported.
            confidence = 0.7
        else:
            continue
        if right.text[:1].isupper() and not right.text.isupper():
            # "The band The The", "Duran Duran", "Talk Talk": a doubled word with a capital
            # on its second copy is a name or a title written so; a doubling at a joined
            # link repeats the article as the sentence has it ("the the"). Reported.
            confidence = min(confidence, 0.7)
        out.append(
            Candidate(
                "duplicated_word",
                left.start,
                right.end,
                left.text,
                None,
                confidence,
                "rule:duplicated_function_word",
            )
        )
    return out


#: English prepositions that a verb takes before a phrase that may start with the same one.
_PREPOSITIONS_EN = words("of to in on for with at by from about into over")


def _tripled(text: str, tokens: list[Token], i: int) -> bool:
    """Does the doubled pair at tokens[i], tokens[i + 1] belong to a run of three or more?"""
    word = tokens[i].lower  # "Aber aber aber": a sentence may open the run
    before = (
        i > 0 and tokens[i - 1].lower == word and text[tokens[i - 1].end : tokens[i].start] == " "
    )
    j = i + 2
    after = (
        j < len(tokens)
        and tokens[j].lower == word
        and text[tokens[j - 1].end : tokens[j].start] == " "
    )
    return before or after


# --- translated_name ---------------------------------------------------------------------
def _not_a_surname(low: str) -> bool:
    """A word no surname looks like: an adverb in -ly, a verb form in -ing/-ed ("Literally",
    "Coming", "Attracted"); checked after a given name English also uses for people of its
    own ("Marie", "Roger"). Plural nouns are not enough: "Alicia Keys", "Jeff Sessions"."""
    if low in _NUMBER_WORDS:
        return True  # "Danielle Eight"
    return len(low) >= 6 and low.endswith(_NO_SURNAME_ENDINGS)


def _institution_noun(low: str) -> bool:
    """A noun of an institution or an abstraction ("Legislature", "Treasury"-like -ure,
    -tion, -ment, -ity): after a given name it names an institution, unless the words
    around show a person ("Emma Legislature, the ministry's chief economist"). A person
    context alone is no evidence: every real surname stands in one ("Stephanie Lay said",
    "writer Jennifer Senior"), and English words are surnames often enough (round 5: such
    flags on the clean pages' tune half, v4 dev and the v5 blind run)."""
    return len(low) >= 7 and low.endswith(_INSTITUTION_ENDINGS)


_INSTITUTION_ENDINGS = ("tion", "sion", "ment", "ity", "ture", "ance", "ence", "ship", "ism")

#: Endings of English adverbs, verb forms and adjectives that no surname has ("Literally",
#: "Attracted", "Dangerous", "Hopeless"). Not the nouns in -tion/-ment/-ic: after a given
#: name they name institutions ("Mayo Clinic", "Marvel Entertainment", "Hoover Institution").
_NO_SURNAME_ENDINGS = ("ly", "ing", "ed", "ous", "ful", "less")
_NUMBER_WORDS = words(
    "two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
    "hundred thousand million"
)


#: Head nouns that end names of places, institutions and firms after a word that is also a
#: given name ("Marin County", "Mayo Clinic", "Alden Capital", "Roxy Music"): never a
#: translated surname. A word class, chosen from clean pages' false flags (noharm.py).
NAME_HEADS = words(
    "county city town village island islands park river lake valley bay beach street avenue "
    "road square station airport hall bridge mountain hill hills creek harbor harbour port "
    "coast capital music group partners media records studios studio clinic university "
    "college school institute institution foundation bank hospital center centre church "
    "company entertainment advisers advisors society association club pictures films "
    "productions"
)


_ARTICLES = words("the a an")

#: Nouns that name a person by role or relation. After a name, in an apposition (", an
#: official", ", the party's spokeswoman"), or before it ("spokeswoman Julia ..."), they
#: show that the two capitalised words are a person's given name and surname (round 5).
ROLE_NOUNS = words(
    "official officials spokesman spokeswoman spokesperson minister president director "
    "chairman chairwoman chair chief head member leader expert professor analyst lawyer "
    "attorney researcher economist scientist engineer manager executive officer commissioner "
    "secretary senator governor mayor judge prosecutor adviser advisor consultant author "
    "writer journalist reporter editor founder owner resident teacher student doctor nurse "
    "coach player actor actress artist singer activist candidate deputy ambassador diplomat "
    "colonel captain priest bishop partner colleague mother father son daughter wife husband "
    "brother sister woman man representative lecturer historian politician lawmaker "
    "legislator ceo cfo coo mp mep envoy negotiator investigator inspector detective "
    "surgeon physician psychologist sociologist specialist director-general vice-president "
    "aide assistant counsel campaigner organiser organizer volunteer worker employee "
    "entrepreneur investor banker trader farmer officer-in-charge superintendent"
)
#: Words between the apposition's article and its role noun ("the party's deputy leader").
_APPOSITION_GAP = 4
#: Verbs of speech: the capitalised word right before one is its speaker, a person.
SPEECH_VERBS = words("said says told added explained noted stated wrote argued warned")


def _person_context(text: str, tokens: list[Token], i: int) -> bool:
    """Do the words around ``tokens[i]`` ``tokens[i + 1]`` (a given name and a capitalised
    word) show a person: a role noun before them ("spokeswoman Julia Projects"), an
    apposition that names a role after them (", an official", ", the bank's chief
    economist"), or a speech verb ("Julia Projects said")? A firm or an event after a given
    name ("Brit Awards, a chance", "Howard University, the ...") has none of them."""
    if i > 0 and tokens[i - 1].lower in ROLE_NOUNS:
        return True
    second = tokens[i + 1]
    after = text[second.end : second.end + 3]
    nxt = tokens[i + 2] if i + 2 < len(tokens) else None
    if nxt is None:
        return False
    if after.startswith(" ") and nxt.lower in SPEECH_VERBS and not nxt.sentence_start:
        return True
    if not after.startswith(", ") or nxt.lower not in _ARTICLES:
        return False
    for tok in tokens[i + 3 : i + 3 + _APPOSITION_GAP]:
        if tok.lower in ROLE_NOUNS or tok.lower.removesuffix("'s") in ROLE_NOUNS:
            return True
        if text[tok.end : tok.end + 1] in ",.;:!?)":
            return False  # the apposition ended without a role
    return False


def detect_translated_names(
    text: str, tokens: list[Token], language: str | None
) -> list[Candidate]:
    """ "Giuseppe Count" (Giuseppe Conte): a surname translated word by word.

    A known given name followed by a capitalised word that is a common word of the text
    language and nothing else: not a surname of any Faker locale, not a place, and not a
    word that travels across languages the way names do ("Merkel" is as frequent in every
    language). Reported only, never applied: the likely original comes from the original
    page when there is one (see core).
    """
    if language != "en":
        return []
    given = lexicon.person_names("first_names")
    surnames = lexicon.person_names("last_names")
    out = []
    for i in range(len(tokens) - 1):
        first, second = tokens[i], tokens[i + 1]
        if not (first.capitalised and second.capitalised) or second.sentence_start:
            continue
        if text[first.end : second.start] != " " or not second.text[1:].islower():
            continue
        double_given = "-" in first.lower and all(
            part in given for part in first.lower.split("-")
        )  # "Hans-Albert", "Jean-Pierre" (round 5, v5 dev)
        if (first.lower not in given and not double_given) or lexicon.zipf(
            first.lower, "en"
        ) >= 4.5:
            continue  # not a given name, or one English uses as a word everywhere
        if first.lower in particles.WITHIN_NAMES:
            continue  # "Von Trapped", "Van Cleef": a particle starts a surname or a title,
            # it is no given name (round 6, v6 dev)
        common_given = lexicon.zipf(first.lower, "en") >= 3.5  # "Marie", "Roger", "Patrick"
        if common_given and (
            not (
                _not_a_surname(second.lower)
                or (_institution_noun(second.lower) and _person_context(text, tokens, i))
            )
            or sum(t.text == second.text for t in tokens) > 1
        ):
            continue  # the text uses the word as a name elsewhere ("Jeff Sessions. Sessions")
        before = tokens[i - 1] if i > 0 else None
        if (
            before is not None
            and before.capitalised
            and text[before.end : first.start] == " "
            and before.lower not in lexicon.CONVENTIONAL_CAPITALS
        ):
            continue  # inside a longer name ("New York Times"), not after a title
        if (
            before is not None
            and before.lower in _ARTICLES
            and text[before.end : first.start] == " "
        ):
            continue  # "the Aspen Times": English writes no article before a person's name
        low = _POSSESSIVE.sub("", second.lower)
        if low in NAME_HEADS:
            continue  # "Marin County", "Alden Capital", "Roxy Music": a place or a firm
        if (
            low in surnames
            or low in given
            or low in lexicon.CONVENTIONAL_CAPITALS
            or low in lexicon.place_names()
            or lexicon.is_place(low)
            or lexicon.is_demonym(low)
            or lexicon.zipf(low, "en") < 3.5
            or _international(low)
        ):
            continue
        third = tokens[i + 2] if i + 2 < len(tokens) else None
        if (
            third is not None
            and third.capitalised
            and not third.sentence_start
            and text[second.end : third.start] == " "
        ):
            continue  # a longer name or title ("Maria Grace Church")
        out.append(
            Candidate(
                "translated_name",
                second.start,
                second.end,
                None,
                None,
                0.6,
                "rule:given_name_common_word",
            )
        )
    return out
