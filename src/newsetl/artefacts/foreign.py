"""Statistical detectors: phrases and lone function words left in another language.

Evidence per token is the wordfreq Zipf frequency in the text language versus each candidate
source language. A phrase is reported only when several adjacent unmasked tokens lean to the
same foreign language, at least one of them strongly and lower-case, and lingua agrees on the
whole span. Precision first: names, loanwords and quotations are masked before this runs,
and single foreign words are left to the second pass, which needs the article's inferred
source language to agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from . import language as langid
from . import lexicon
from .intervals import DisjointIntervals
from .rules import Candidate
from .tokens import Token, joined

STRONG = 2.0  # zipf(source) - zipf(text language) for a clearly foreign word
MILD = 0.8


@dataclass
class _Run:
    lang: str
    tokens: list[Token]
    strong: int
    mild: int


def _lookup_form(tok: Token) -> str:
    """The form to look up: elided particles ("d'argent" -> "argent") are scored by the noun."""
    return _lookup_form_of(tok.lower)


def _lookup_form_of(low: str) -> str:
    """:func:`_lookup_form` of a lower-cased token text."""
    if "'" in low:
        head, _, tail = low.partition("'")
        if len(head) <= 2 and tail:
            return tail
    return low


def _lean(tok: Token, text_lang: str, cand: str) -> tuple[float, float, float]:
    """(zipf in candidate, zipf in text language, difference)."""
    form = _lookup_form(tok)
    prof = lexicon.profile(form)
    zc, zl = prof[cand], prof[text_lang]
    if zc == 0.0 and zl == 0.0 and "-" in form:
        parts = [p for p in form.split("-") if p]
        zc = min(lexicon.zipf(p, cand) for p in parts)
        zl = min(lexicon.zipf(p, text_lang) for p in parts)
    return zc, zl, zc - zl


def _classify(tok: Token, text_lang: str, cand: str) -> str:
    """'S'trong / 'M'ild foreign evidence, 'N'eutral, or 'L' (a text-language word)."""
    if tok.masked:
        return "X"
    zc, zl, diff = _lean(tok, text_lang, cand)
    counts = not tok.capitalised or tok.sentence_start
    if text_lang == "de" and tok.capitalised and not tok.sentence_start:
        counts = False  # German capitalises nouns; a capitalised foreign word is a name
    if diff >= STRONG and zc >= 2.5 and counts:
        return "S"
    if diff >= MILD and zc >= 2.0 and counts:
        return "M"
    if zl >= 2.0 and diff <= -0.5:
        return "L"
    return "N"


def _seed_tokens(tokens: list[Token], text_lang: str) -> dict[str, list[int]]:
    """Indices of strongly foreign tokens, per candidate language (cheap pre-pass).

    Most tokens of a clean text are more frequent in the text language than anywhere else;
    they are dismissed with one cached call, and runs are grown only around the few strongly
    foreign tokens that remain.
    """
    seeds: dict[str, list[int]] = {}
    strong_in = _seed_languages(text_lang)
    for tok in [tok for tok in tokens if not tok.masked and strong_in(tok.lower)]:
        if tok.capitalised and not tok.sentence_start:
            continue  # _classify never calls such a token strongly foreign ("S")
        for cand in strong_in(tok.lower):
            seeds.setdefault(cand, []).append(tok.index)
    return seeds


@cache
def _seed_languages(text_lang: str) -> Callable[[str], tuple[str, ...]]:
    """The cached seed test for ``text_lang``: lower-cased token text -> seed languages.

    One single-argument cache per language: ``lru_cache`` keys a lone ``str`` argument by
    the string itself, without building a key tuple, which matters at one call per token.
    """

    @lru_cache(maxsize=200_000)
    def seed_languages(low: str) -> tuple[str, ...]:
        """Languages in which an unmasked, uncapitalised token ``low`` is strongly foreign.

        Empty at once when the form is clearly more frequent in the text language than
        anywhere else (hyphenated forms unknown as a whole are scored by their parts, so
        they are always examined). Otherwise the languages where :func:`_classify` says
        "S" (it depends on the token only through its text once masking and
        capitalisation are settled).
        """
        form = _lookup_form_of(low)
        if lexicon.foreign_lean(form, text_lang) < STRONG and not (
            "-" in form and lexicon.zipf(form, text_lang) == 0.0
        ):
            return ()
        # A stand-in token with this text that "counts" as evidence (sentence_start=True),
        # like every token the caller asks about.
        probe = Token(low, 0, len(low), 0, sentence_start=True)
        probe.lower = low
        return tuple(
            cand
            for cand in lexicon.LANGUAGES
            if cand != text_lang and _classify(probe, text_lang, cand) == "S"
        )

    return seed_languages


@cache
def _leans_away(text_lang: str) -> Callable[[str], bool]:
    """Cached per language: is a token (lower-cased text) strongly foreign by its lean?"""

    @lru_cache(maxsize=200_000)
    def leans_away(low: str) -> bool:
        return lexicon.foreign_lean(_lookup_form_of(low), text_lang) >= STRONG

    return leans_away


def foreign_runs(text: str, tokens: list[Token], text_lang: str) -> list[_Run]:
    """Maximal runs of adjacent tokens leaning to one foreign language, best first.

    A run holds at least one strongly foreign token, extends over strongly or mildly foreign
    neighbours joined by spaces/hyphens/apostrophes, may bridge one neutral token between
    two foreign ones, and stops at punctuation, names and text-language words.
    """
    runs: list[_Run] = []
    seeds = _seed_tokens(tokens, text_lang)
    n = len(tokens)
    for cand in sorted(seeds):
        cache: dict[int, str] = {}

        def cls(k: int, cand: str = cand, cache: dict[int, str] = cache) -> str:
            c = cache.get(k)
            if c is None:
                c = cache[k] = _classify(tokens[k], text_lang, cand)
            return c

        covered = -1
        for s in seeds[cand]:
            if s <= covered:
                continue
            first = s
            k = s
            while k > 0 and joined(text, tokens[k - 1], tokens[k]):
                c = cls(k - 1)
                if c in "SM":
                    k -= 1
                    first = k
                elif (
                    c == "N"
                    and k - 2 >= 0
                    and cls(k - 2) in "SM"
                    and joined(text, tokens[k - 2], tokens[k - 1])
                ):
                    k -= 2
                    first = k
                else:
                    break
            last = s
            k = s
            while k + 1 < n and joined(text, tokens[k], tokens[k + 1]):
                c = cls(k + 1)
                if c in "SM":
                    k += 1
                    last = k
                elif (
                    c == "N"
                    and k + 2 < n
                    and cls(k + 2) in "SM"
                    and joined(text, tokens[k + 1], tokens[k + 2])
                ):
                    k += 2
                    last = k
                else:
                    break
            covered = last
            kinds = [cls(k) for k in range(first, last + 1)]
            runs.append(_Run(cand, tokens[first : last + 1], kinds.count("S"), kinds.count("M")))
    runs.sort(key=lambda r: (r.strong + 0.5 * r.mild, len(r.tokens)), reverse=True)
    return runs


def detect_untranslated_spans(
    text: str, tokens: list[Token], text_lang: str
) -> tuple[list[Candidate], list[Candidate], list[Candidate]]:
    """Candidates for text left in another language, in three tiers of evidence.

    Returns (confident phrases, single words that need the article's source language to
    agree, weak runs that only an original page containing them verbatim can confirm).
    """
    phrases: list[Candidate] = []
    singles: list[Candidate] = []
    weak: list[Candidate] = []
    taken = DisjointIntervals()
    for run in foreign_runs(text, tokens, text_lang):
        start, end = run.tokens[0].start, run.tokens[-1].end
        if taken.overlaps(start, end):
            continue
        content = [t for t in run.tokens if len(_lookup_form(t)) >= 4 and not t.masked]
        if run.strong >= 1 and run.strong + run.mild >= 2 and content:
            if _loanword_phrase(text[start:end], text_lang):
                continue
            conf = langid.span_confidences(text[start:end])
            c_src = conf.get(run.lang, 0.0)
            top = max(conf.values(), default=0.0)
            # Two strongly foreign words are evidence enough for lingua to only have to agree
            # (be its first choice); one strong word needs lingua to be fairly sure as well.
            need = 0.3 if run.strong >= 2 else 0.5
            if c_src >= need and c_src >= top:
                strength = min(1.0, 0.55 + 0.15 * run.strong + 0.05 * run.mild)
                phrases.append(
                    Candidate(
                        "untranslated_span",
                        start,
                        end,
                        None,
                        run.lang,
                        round(strength * (0.5 + 0.5 * c_src), 3),
                        "wordfreq+lingua:phrase",
                        needs_translation=True,
                        source_candidates=(run.lang,),
                    )
                )
                taken.add(start, end)
                continue
        if len(run.tokens) >= 2 and content:
            weak.append(
                Candidate(
                    "untranslated_span",
                    start,
                    end,
                    None,
                    run.lang,
                    0.6,
                    "wordfreq+original:phrase",
                    needs_translation=True,
                    source_candidates=(run.lang,),
                )
            )
            continue
        if len(run.tokens) == 1 and run.strong == 1:
            tok = run.tokens[0]
            zc, zl, _ = _lean(tok, text_lang, run.lang)
            if not tok.capitalised and len(tok.text) >= 6 and zl <= 0.5 and zc >= 3.3:
                singles.append(
                    Candidate(
                        "untranslated_span",
                        start,
                        end,
                        None,
                        run.lang,
                        0.7,
                        "wordfreq:single_word",
                        needs_translation=True,
                        source_candidates=(run.lang,),
                    )
                )
    return phrases, singles, weak


def _loanword_phrase(span: str, text_lang: str) -> bool:
    low = " ".join(span.lower().split())
    return low in lexicon.LOAN_PHRASES.get(text_lang, frozenset())


def detect_function_words(
    text: str, tokens: list[Token], text_lang: str
) -> tuple[list[Candidate], list[Candidate]]:
    """ "evidence e data", "trains und buses": a lone foreign conjunction between own words.

    Returns (confident candidates, candidates that are also words of the text language,
    such as English "con", which need the article's source language to agree).
    """
    out: list[Candidate] = []
    weak: list[Candidate] = []
    own = lexicon.OWN_WORDS.get(text_lang, frozenset())
    closed = lexicon.CLOSED_CLASS.get(text_lang, frozenset())
    listed = lexicon.FUNCTION_WORDS
    # Most tokens are no listed function word in any language: select the others first.
    for i in [i for i in range(1, len(tokens) - 1) if tokens[i].lower in listed]:
        tok = tokens[i]
        word = tok.text
        all_langs = lexicon.function_word_languages(tok.lower)
        if not all_langs or tok.masked or not word.islower():
            continue
        if not all_langs or lexicon.function_word_concept(word, text_lang):
            continue
        langs = [(lang, c) for lang, c in all_langs if lang != text_lang]
        if not langs:
            continue
        best = max(lexicon.zipf(word, lang) for lang, _ in langs)
        if lexicon.zipf(word, text_lang) > best - 1.5:
            continue
        prev, nxt = tokens[i - 1], tokens[i + 1]
        if text[prev.end : tok.start] != " " or text[tok.end : nxt.start] != " ":
            continue
        if not (_own_word(prev, text_lang, langs) and _own_word(nxt, text_lang, langs)):
            continue
        if len(word) == 1 and (
            prev.lower in lexicon.LETTER_LABEL_WORDS
            or prev.lower in closed
            or len(prev.text) == 1
            or len(nxt.text) == 1
        ):
            continue  # "vitamin e", "x and y": a label, not a conjunction after a content word
        if len(word) == 1 and any(
            len(t.text) == 1 and t.text.isalpha() and t.lower not in closed
            for t in tokens[max(0, i - 3) : i + 4]
            if t is not tok
        ):
            continue  # "where x equals y": letters used as variables nearby
        concept = langs[0][1]
        candidates = tuple(dict.fromkeys(lang for lang, _ in langs))
        cand = Candidate(
            "untranslated_function_word",
            tok.start,
            tok.end,
            lexicon.render_concept(concept, text_lang),
            candidates[0],
            0.9,
            "wordfreq:function_word",
            source_candidates=candidates,
        )
        (weak if word in own else out).append(cand)
    return out, weak


def _own_word(tok: Token, text_lang: str, langs: list[tuple[str, str]]) -> bool:
    """Is a neighbour an ordinary word of the text language (not a name, not foreign)?"""
    low = tok.lower
    closed = lexicon.CLOSED_CLASS.get(text_lang, frozenset())
    if len(tok.text) < 2 and low not in closed:
        return False
    if tok.capitalised and not tok.sentence_start and text_lang != "de":
        if (
            low not in lexicon.CONVENTIONAL_CAPITALS
            and low[:-1] not in lexicon.CONVENTIONAL_CAPITALS
        ):
            return False  # a name: "Cassa Depositi e Prestiti"; weekdays/months are fine
    elif tok.masked:
        return False
    zl = lexicon.zipf(low, text_lang)
    if zl < 2.5:
        return False
    return all(lexicon.zipf(low, lang) - zl < 1.0 for lang, _ in langs)


def quoted_language_spans(text: str, tokens: list[Token], text_lang: str) -> list[dict]:
    """Quotations in another language: not artefacts, but part of the article's language map."""
    spans = []
    from .tokens import quote_ranges, tokens_within

    for a, b in quote_ranges(text):
        inner = text[a + 1 : b - 1]
        if len(inner.split()) < 2:
            continue
        inside = tokens_within(tokens, a, b)
        # foreign_lean(w) >= STRONG  <=>  max over all languages - zipf(w, text_lang) >= STRONG
        # (STRONG > 0), and foreign_lean is cached per word.
        if not any(lexicon.foreign_lean(t.lower, text_lang) >= STRONG for t in inside):
            continue  # nothing in the quotation leans to another language
        conf = langid.span_confidences(inner)
        if not conf:
            continue
        lang, value = max(conf.items(), key=lambda kv: kv[1])
        if lang != text_lang and value >= 0.8:
            spans.append({"start": a + 1, "end": b - 1, "language": lang, "surface": inner})
    return spans


#: Words that show a quotation is glossed by the text itself ("which means ...").
_GLOSS = re.compile(
    r"^\s*(?:[(\[–—-]|,?\s*(?:or|i\.e\.|meaning|which means|that is|translated|"
    r"oder|also|ou|soit|c'est-à-dire|o sea|cioè|ovvero|ou seja)\b)"
    r"|\b(?:means|meaning|translat\w*|bedeutet|übersetzt|signifie|significa|vuol dire|"
    r"auf deutsch|in english|en français|in italiano|en español|em português)\b",
    re.IGNORECASE,
)
#: A language named just before the quotation: the foreign wording is the point.
_NAMED_LANGUAGE = re.compile(
    r"\b(?:englisch\w*|english|anglais\w*|ingles\w*|inglés|inglês|französisch\w*|french|"
    r"français\w*|italienisch\w*|italian\w*|spanisch\w*|spanish|espagnol\w*|deutsch\w*|"
    r"german|allemand\w*|tedesc\w*|alemán|alemão|portugiesisch\w*|portuguese|phrase|motto|"
    r"slogan|hashtag|titel|title|titre|titolo|título)\b[^.!?]{0,25}$",
    re.IGNORECASE,
)


def detect_quoted_untranslated(
    text: str, text_lang: str, tokens: list[Token] | None = None
) -> list[Candidate]:
    """Quoted phrases left in another language that the text does not translate.

    Quotations are masked for the main detector (a quoted slogan is deliberate), but machine
    translation also leaves quoted speech untranslated ('„frankly shambolic" Umgang'). Such a
    quotation is reported, never applied (confidence below the apply threshold), unless a
    gloss follows or precedes it ('"No pasarán" ("They shall not pass")').
    """
    from .tokens import mask_tokens, quote_ranges, tokenise, tokens_within

    out: list[Candidate] = []
    leans_away = _leans_away(text_lang)
    for a, b in quote_ranges(text):
        inner = text[a + 1 : b - 1]
        if len(inner.split()) < 2 or len(inner) > 300:
            continue
        if tokens is not None and not any(leans_away(t.lower) for t in tokens_within(tokens, a, b)):
            continue  # cheap pre-check: nothing in the quotation leans to another language
        after = text[b : b + 80]
        before = text[max(0, a - 40) : a]
        if _GLOSS.search(after) or re.search(r"[(\[]\s*$", before):
            continue
        if _NAMED_LANGUAGE.search(before):
            continue
        toks = tokenise(inner)
        long_words = [t for t in toks if len(t.text) >= 3]
        if not long_words or sum(t.capitalised for t in long_words) * 2 >= len(long_words):
            continue  # title case: a title or a name ("How to Get Away With Murder")
        mask_tokens(inner, toks, text_lang)
        for run in foreign_runs(inner, toks, text_lang):
            if run.strong < 2 or any(t.capitalised and not t.sentence_start for t in run.tokens):
                continue
            start, end = run.tokens[0].start, run.tokens[-1].end
            conf = langid.span_confidences(inner[start:end])
            c_src = conf.get(run.lang, 0.0)
            if c_src < 0.5 or c_src < max(conf.values(), default=0.0):
                continue
            out.append(
                Candidate(
                    "untranslated_span",
                    a + 1 + start,
                    a + 1 + end,
                    None,
                    run.lang,
                    0.7,
                    "wordfreq+lingua:quoted_phrase",
                    needs_translation=True,
                    source_candidates=(run.lang,),
                )
            )
            break
    return out
