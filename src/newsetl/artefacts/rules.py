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
        replacement = word if word.lower() in places else f"{article} {word}"
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


def detect_calque_articles(text: str, language: str | None) -> list[Candidate]:
    """ "There Russia has criticized" (from "La Russia") and "The Russia has ..."."""
    if language != "en":
        return []
    out = []
    places = lexicon.place_names()
    for m in _finditer_after_boundary(THERE, text):
        word = m.group(2)
        low = word.lower()
        if low in NOT_AFTER_THERE or (word.isupper() and len(word) > 1):
            continue
        if not at_sentence_start(text, m.start()):
            continue
        after = text[m.end() : m.end() + 40].lstrip(" \u00a0")
        nxt = re.match(r"[\w'’]+", after)
        if nxt and nxt.group().lower() in NOT_AFTER_THERE and nxt.group()[:1].isupper():
            continue  # "There Is No ..." headline in title case
        if low in places:
            out.append(
                Candidate(
                    "calque_article",
                    m.start(),
                    m.end(),
                    word,
                    "it",
                    0.95,
                    "rule:there_article",
                    source_candidates=("it",),
                )
            )
        elif lexicon.zipf(low, "en") >= 3.0 and nxt and nxt.group()[:1].islower():
            out.append(
                Candidate(
                    "calque_article",
                    m.start(),
                    m.end(),
                    f"The {word}",
                    "it",
                    0.88,
                    "rule:there_article",
                    source_candidates=("it",),
                )
            )
    for m in _finditer_after_boundary(THE_PLACE, text):
        word, nxt = m.group(2), m.group(3)
        if word.lower() not in places or nxt not in PREDICATES:
            continue
        if text[m.end(2) : m.end(2) + 2] in ("'s", "’s"):
            continue
        prefix = text[max(0, m.start() - 30) : m.start()]
        if re.search(r"\b(?:of|for|in)\s*$", prefix) and m.group(1) == "the":
            continue  # "the head of the Italy team has ..." is rarer than it is risky
        start, end = m.start(), m.end(2)
        replacement = word
        out.append(
            Candidate(
                "calque_article",
                start,
                end,
                replacement,
                None,
                0.9,
                "rule:article_before_country",
                source_candidates=("it", "fr", "es", "pt", "de"),
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
GLUE_SUFFIXES_EN = ("and", "the", "of", "for", "with")
_MIXED_CASE = re.compile(rf"[{LOWER}][{UPPER}]")
PREFIX_GLUE = re.compile(rf"^([{LOWER}]+)([{UPPER}][\w'’-]*)$")
SUFFIX_GLUE = re.compile(rf"^([{UPPER}][{LOWER}]{{3,}})({'|'.join(GLUE_SUFFIXES_EN)})$")


def detect_glued_tokens(text: str, tokens: list[Token], language: str | None) -> list[Candidate]:
    """ "theUnited Nations", "inBrussels", "Nationsand": words fused at a link boundary."""
    if language not in GLUE_PREFIXES:
        return []
    prefixes = GLUE_PREFIXES[language]
    separate: set[str] | None = None
    out = []
    for tok in _glue_suspects(text, tokens, language):
        if tok.in_quote or tok.lower in lexicon.BRANDS:
            continue
        if lexicon.zipf(tok.lower, language) >= 2.0 or lexicon.zipf(tok.lower, "en") >= 2.0:
            continue  # a known word or brand ("easyJet", "macOS"); hashtags score below 2
        m = PREFIX_GLUE.match(tok.text)
        if m:
            prefix, rest = m.groups()
            if prefix not in prefixes or (prefix == "a" and language in ("en", "de", "fr")):
                continue
            if separate is None:
                separate = {t.text for t in tokens}
            if not _plausible_word(rest, language, separate):
                continue
            out.append(
                Candidate(
                    "glued_tokens",
                    tok.start,
                    tok.end,
                    f"{prefix} {rest}",
                    None,
                    0.95,
                    "rule:glued_prefix",
                )
            )
            continue
        if language == "en":
            m = SUFFIX_GLUE.match(tok.text)
            if m and lexicon.zipf(m.group(1).lower(), "en") >= 3.0:
                out.append(
                    Candidate(
                        "glued_tokens",
                        tok.start,
                        tok.end,
                        f"{m.group(1)} {m.group(2)}",
                        None,
                        0.9,
                        "rule:glued_suffix",
                    )
                )
    return out


_SUFFIX_SUSPECT_EN = re.compile(rf"[{UPPER}][{LOWER}]{{3,}}(?:{'|'.join(GLUE_SUFFIXES_EN)})\b")


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


def _plausible_word(word: str, language: str, separate: set[str]) -> bool:
    """Is the capitalised remainder of a glued token a real word or name?"""
    if word in separate or (word.isupper() and len(word) >= 2):
        return True
    low = word.lower()
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
        if len(word) < 3 or not word[1:].isalpha() or not word[1:].islower():
            continue
        low = word.lower()
        singular = low[:-1] if low.endswith("s") else low
        if (
            low in lexicon.CONVENTIONAL_CAPITALS
            or singular in lexicon.CONVENTIONAL_CAPITALS
            or low in lexicon.COMMON_WORD_BRANDS
            or low in places
            or lexicon.is_place(low)
        ):
            continue
        if not ((prev.text.islower() or prev.sentence_start) and nxt.text.islower()):
            continue
        if prev.sentence_start and prev.capitalised and prev.lower not in QUANTIFIERS:
            continue  # "Home Depot shares", "Summary Studies show": a name or a heading
        if (
            (prev.masked and not prev.sentence_start)
            or prev.lower in NAME_DETERMINERS
            or prev.text.endswith(("'s", "’s"))
        ):
            continue  # a particle inside a name ("Hall of Fame") or "the <Name> ..."
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
        confidence = 0.9 if low in lower_seen else 0.85
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


FALSE_FRIENDS = (
    FalseFriend(
        {"treatise": "treaty", "treatises": "treaties"},
        r"\btreat(?:y|ies)\b",
        ("it", "es", "pt", "fr"),
        veto=r"philosoph|wrote|written|author|essay|book|scholar|theolog",
    ),
    FalseFriend(
        {"manifestation": "demonstration", "manifestations": "demonstrations"},
        r"\bdemonstrations?\b",
        ("it", "fr", "es", "pt"),
        veto=r"symptom|disease|clinical|spirit",
    ),
    FalseFriend(
        {"formation": "training"},
        r"\btraining\b",
        ("it", "fr"),
        veto=r"formation of (?:a|an|the)\b|rock|geolog|cloud|militar|squad",
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


def detect_truncated_names(text: str, tokens: list[Token], language: str | None) -> list[Candidate]:
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
    capital_idx = [i for i, tok in enumerate(tokens) if tok.capitalised]
    for i in capital_idx:
        tok = tokens[i]
        if len(tok.text) >= 5 and tok.text.isalpha():
            caps[tok.text] = caps.get(tok.text, 0) + 1
        elif "-" in tok.text:
            # Double-barrelled names: "Kerbra" may be cut from "Vasseur-Kerbrat".
            for part in tok.text.split("-")[1:]:
                if len(part) >= 5 and part[:1].isupper() and part.isalpha():
                    caps[part] = caps.get(part, 0) + 1
                    double[part] = tok.text
    if len(caps) < 2:
        return []
    by_prefix: dict[str, list[str]] = {}
    for word in caps:
        for cut in (1, 2, 3):
            if len(word) - cut >= 4:
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
        full = max(longer, key=lambda w: caps[w])
        if counts[tok.text] > 1 and counts[tok.text] >= caps[full]:
            continue  # used as often as the long form: a spelling variant, not a cut name
        rest = full[len(tok.text) :]
        if rest in _INFLECTIONS or rest.lower() in _INFLECTIONS:
            continue
        prof = lexicon.profile(tok.lower)
        known = prof.get(language, 0.0) >= 2.0 or max(prof.values()) >= 3.0
        # The word before is a capitalised part of the same name ("Almeida Cost").
        same_context = (
            i > 0 and tokens[i - 1].capitalised and tokens[i - 1].text in previous.get(full, set())
        )
        if known and not same_context:
            continue
        if text[tok.end : tok.end + 1] in ("-", "'", "’"):
            continue  # "Mebark-based": part of a longer compound, not a cut name
        out.append(
            Candidate(
                "truncated_name",
                tok.start,
                tok.end,
                double.get(full, full),
                None,
                0.9 if same_context else 0.85,
                "rule:truncated_name_document_usage",
            )
        )
    return out


# --- duplicated_word -----------------------------------------------------------------------
DUPLICABLE = words(
    "the a an of to in on for and with at by from la le les il lo gli der die das den dem "
    "des el los las de di da del della du et und y e o em do na no com"
)


def detect_duplicated_words(
    text: str, tokens: list[Token], language: str | None
) -> list[Candidate]:
    """ "the the", "di di": a function word doubled where two link texts were joined."""
    if language not in lexicon.LANGUAGES:
        return []
    out = []
    for left, right in itertools.pairwise(tokens):
        if (
            left.text == right.text
            and left.lower in DUPLICABLE
            and text[left.end : right.start] == " "
        ):
            out.append(
                Candidate(
                    "duplicated_word",
                    left.start,
                    right.end,
                    left.text,
                    None,
                    0.9,
                    "rule:duplicated_function_word",
                )
            )
    return out
