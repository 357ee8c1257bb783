"""``analyse``: run every detector on one text, infer its source language, decide repairs.

This is the single entry point the ingest flow and the ``newsetl repair`` CLI share. It is pure
CPU work (no database, no network unless the given translator does it) and keeps no state
between calls, so it can run in worker threads.
"""

from __future__ import annotations

import bisect
import logging
import operator
import re
from collections import Counter
from typing import TYPE_CHECKING

from . import casing, foreign, lexicon, rules
from . import language as langid
from .intervals import DisjointIntervals
from .model import APPLIED, FLAGGED, PENDING, Analysis, Finding, apply_findings
from .rules import Candidate
from .tokens import mask_tokens, tokenise, tokens_within

if TYPE_CHECKING:
    from newsetl.translate import Translator

log = logging.getLogger(__name__)

#: Findings at or above this confidence are applied to the repaired text.
APPLY_THRESHOLD = 0.8
#: Detector priority when two candidates overlap (lower wins).
PRIORITY = {
    "calque_elided_article": 0,
    "calque_article": 1,
    "glued_tokens": 2,
    "untranslated_span": 3,
    "untranslated_function_word": 4,
    "false_friend": 5,
    "capitalisation": 6,
    "truncated_name": 7,
    "duplicated_word": 8,
    "missing_space": 9,
    "translated_name": 10,
}
#: How strongly each kind of evidence points at a source language.
SOURCE_WEIGHT = {
    "untranslated_span": 2.0,
    "untranslated_function_word": 1.0,
    "calque_elided_article": 1.0,
    "calque_article": 1.0,
    "false_friend": 0.5,
}


def analyse(
    text: str,
    language: str | None = None,
    *,
    declared_language: str | None = None,
    alternates: dict[str, str] | None = None,
    original_text: str | None = None,
    original_language: str | None = None,
    translator: Translator | None = None,
) -> Analysis:
    """Find machine-translation artefacts in ``text`` and build the repaired text.

    ``language`` is the text language when known (else detected); ``declared_language`` and
    the hreflang ``alternates`` hint at the source language; ``original_text`` (the page the
    translation was made from, when hreflang points to it) confirms untranslated spans.
    ``translator`` turns untranslated spans into replacements; without one they stay pending.
    """
    lang = langid.normalise_code(language) or _detect(text, declared_language)
    if lang is None or not text.strip():
        return Analysis(lang, None, [], text, text, [])
    tokens = tokenise(text)
    mask_tokens(text, tokens, lang)
    foreign.mark_german_nouns(text, tokens, lang)
    sids = foreign.sentence_ids(tokens)
    runs = foreign.foreign_runs(text, tokens, lang)
    # A sentence in another language has words leaning away, so runs; most texts have none.
    passages = foreign.foreign_sentences(tokens, lang, sids) if runs else set()

    candidates: list[Candidate] = []
    candidates += rules.detect_elided_articles(text, lang)
    candidates += rules.detect_calque_articles(text, lang)
    candidates += rules.detect_glued_tokens(text, tokens, lang)
    phrases, singles, weak_phrases = foreign.detect_untranslated_spans(
        text, tokens, lang, passages, sids, runs
    )
    function_words, weak_function_words = foreign.detect_function_words(
        text, tokens, lang, passages
    )
    # A lone word both detectors find is a function word: that finding names its meaning.
    lone = {(c.start, c.end) for c in function_words}
    candidates += [c for c in phrases if (c.start, c.end) not in lone]
    candidates += foreign.detect_unknown_words(text, tokens, lang)
    candidates += casing.detect_lowercase_nouns(text, tokens, lang)
    candidates += foreign.detect_quoted_untranslated(text, lang, tokens)
    candidates += function_words
    candidates += rules.detect_false_friends(text, lang)
    candidates += rules.detect_capitalisation(text, tokens, lang)
    candidates += rules.detect_truncated_names(text, tokens, lang)
    candidates += rules.detect_duplicated_words(text, tokens, lang)
    candidates += rules.detect_missing_spaces(text, tokens, lang)
    candidates += rules.detect_translated_names(text, tokens, lang)
    if passages:
        candidates = [c for c in candidates if not _in_passage(c, tokens, sids, passages)]
    candidates = _drop_overlaps(candidates)

    orig_lang = langid.normalise_code(original_language)
    source = infer_source_language(candidates, lang, declared_language, alternates, orig_lang)
    support = source or _page_hint(lang, declared_language, alternates)
    if support is not None:
        # Single foreign words and function words that are also words of the text language
        # are only reported when the article's source language agrees: inferred from its
        # other artefacts or, failing those, named by the page (one hreflang alternate or a
        # declared language that differs from the text).
        added = False
        weak = {id(c) for c in weak_function_words}
        for single in singles + weak_function_words:
            if support in single.source_candidates and not _overlaps(single, candidates):
                single.confidence = max(single.confidence, 0.8)
                if id(single) in weak:
                    # a word the text language writes itself ("the greatest con job", "to
                    # con the contacts" beside an Italian alternate): reported with its
                    # likely meaning, never replaced (round 33: it was applied at 0.8)
                    single.confidence = WEAK_FUNCTION_WORD_CONFIDENCE
                    single.detector += "+own_word"
                single.source_language = support
                candidates.append(single)
                added = True
        if added and source is None:
            source = infer_source_language(
                candidates, lang, declared_language, alternates, orig_lang
            )
    _confirm_with_original(text, candidates, original_text, orig_lang)
    candidates += _found_in_original(
        text, singles + weak_phrases, candidates, original_text, orig_lang
    )
    _names_from_original(text, tokens, candidates, original_text)
    for cand in candidates:
        if source in cand.source_candidates:
            cand.source_language = source
    if lang == "en":
        _report_mentions(text, candidates)
    _report_lone_false_friends(candidates, orig_lang)
    votes = _source_votes(candidates, source)
    hint = _page_hint(lang, declared_language, alternates)
    translated = _looks_translated(candidates, hint, orig_lang)
    own_counts: dict[int, list[int]] = {}  # shared by the candidates (see _safe_to_translate)
    for cand in candidates:
        if cand.needs_translation:
            cand.safe = not _table_cell(text, cand) and _safe_to_translate(
                cand, tokens, sids, lang, source, votes, hint, own_counts
            )
        elif cand.kind in NEEDS_TRANSLATION_EVIDENCE and not translated:
            cand.safe = False

    candidates.sort(key=lambda c: c.start)  # finding_no follows the reading order
    findings = _decide(text, candidates, lang, translator)
    spans = language_map(text, tokens, lang, findings, passages, sids)
    return Analysis(lang, source, findings, text, apply_findings(text, findings), spans)


#: At most this many words in an untranslated span whose translation may be applied: a
#: longer run is more likely a passage quoted on purpose than a machine's left-over.
MAX_APPLIED_SPAN_WORDS = 6


#: Repairs of errors that any page can have (words fused or cut at a link, a lost space, a
#: doubled word): applied only in a text that shows it was machine translated, reported
#: otherwise. In a page written by people they are usually right too, but a page that is not
#: a translation is left exactly as its authors wrote it.
NEEDS_TRANSLATION_EVIDENCE = frozenset(
    {"glued_tokens", "missing_space", "duplicated_word", "truncated_name"}
)
#: Kinds that only machine translation produces: a text with one of them is a translation.
TRANSLATION_KINDS = frozenset(
    {
        "untranslated_function_word",
        "calque_elided_article",
        "calque_article",
        "false_friend",
        "translated_name",
    }
)


#: The confidence of a finding whose surface the text mentions rather than uses: below
#: :data:`APPLY_THRESHOLD`, so it is reported with its proposed repair, never applied.
MENTION_CONFIDENCE = 0.7


def _report_mentions(text: str, candidates: list[Candidate]) -> None:
    """A word or phrase the writer names ("is called riciclaggio di denaro", "The word e
    means and") is written so on purpose: its finding stays, below the apply threshold
    (a curated glossary term too), and is no evidence that the text is a translation."""
    for cand in candidates:
        if cand.confidence > MENTION_CONFIDENCE and rules.is_mention(text, cand.start, cand.end):
            cand.confidence = MENTION_CONFIDENCE
            cand.detector += "+mention"


#: The confidence of a function word of another language that is also a word of the text
#: language ("con", "met"), reported when the article's source language agrees.
WEAK_FUNCTION_WORD_CONFIDENCE = 0.75
#: The confidence of a false friend in a text with no other trace of translation.
LONE_FALSE_FRIEND_CONFIDENCE = 0.7


def _report_lone_false_friends(candidates: list[Candidate], orig_lang: str | None) -> None:
    """A false friend next to the right term ("treatise" in a text that says "treaty") is
    applied only when the text shows it is a machine translation by something else: one
    of its translation-only artefacts of another kind (a calque, a left-over conjunction, a
    translated name) or a known original. People write both words of a pair ("riots were a
    manifestation of anger" beside "demonstrations", a "library" and a "bookshop"); neither
    the pair nor a page's hreflang alternate tells their choice from a machine's."""
    if orig_lang or any(
        c.kind in TRANSLATION_KINDS and c.kind != "false_friend" and c.confidence >= APPLY_THRESHOLD
        for c in candidates
    ):
        return
    for cand in candidates:
        if cand.kind == "false_friend" and cand.confidence > LONE_FALSE_FRIEND_CONFIDENCE:
            cand.confidence = LONE_FALSE_FRIEND_CONFIDENCE
            cand.detector += "+no_other_trace"


def _looks_translated(candidates: list[Candidate], hint: str | None, orig_lang: str | None) -> bool:
    """Does the text show it is a machine translation? Its page names another language
    (hreflang, declared language, a known original), or it holds an artefact only a
    translation leaves. Untranslated spans are not enough: pages quote foreign terms."""
    if hint or orig_lang:
        return True
    return any(c.kind in TRANSLATION_KINDS and c.confidence >= APPLY_THRESHOLD for c in candidates)


def _source_votes(candidates: list[Candidate], source: str | None) -> int:
    """How many artefacts of the article other than untranslated spans point to its
    inferred source language (a page can quote several terms of one language on purpose;
    a calque or a left-over conjunction is a translation's own trace)."""
    if source is None:
        return 0
    return sum(
        1 for c in candidates if c.kind in TRANSLATION_KINDS and source in c.source_candidates
    )


def _table_cell(text: str, cand: Candidate) -> bool:
    """Is the span a cell of a table extracted as text ("| その時に | sono toki ni | at that
    moment |"): data written as it is, not a machine's left-over in running text?"""
    line_start = text.rfind("\n", 0, cand.start) + 1
    line_end = text.find("\n", cand.end)
    before = text[line_start : cand.start].rstrip()
    after = text[cand.end : len(text) if line_end < 0 else line_end].lstrip()
    return before.endswith("|") and after.startswith("|")


def _safe_to_translate(
    cand: Candidate,
    tokens: list,
    sids: list[int],
    lang: str,
    source: str | None,
    votes: int,
    hint: str | None,
    own_counts: dict[int, list[int]],
) -> bool:
    """May a provider's translation of this untranslated span replace it in the text?

    Only when the span is certainly a machine's left-over: a phrase of two to six words
    inside a sentence that is otherwise in the text language, in the language the article
    was translated from (one of its translation-only artefacts, or the page itself, says
    so), or found verbatim in the original page. A single word, a long passage or a span in a language the article
    gives no other sign of is reported, never rewritten (a curated glossary entry still is).

    ``own_counts`` (sentence number -> running count of its words of the text language, built
    here at a sentence's first candidate): the same dict for every candidate of a text, so a
    long sentence with many candidates is read once, not once per candidate (quadratic: a
    400 KB text without sentence punctuation took 9 s).
    """
    if cand.detector.startswith("original-page") or cand.detector.endswith("+original"):
        return True
    # Tokens are in text order and sentence numbers never decrease: bisect, so an article
    # with thousands of findings is not read once per finding (quadratic before round 6).
    first = bisect.bisect_left(tokens, cand.start, key=operator.attrgetter("start"))
    inside = []
    for t in tokens[first : first + MAX_APPLIED_SPAN_WORDS + 1]:
        if t.start >= cand.end:
            break
        if t.end <= cand.end:
            inside.append(t)
    if not 2 <= len(inside) <= MAX_APPLIED_SPAN_WORDS or cand.confidence < APPLY_THRESHOLD:
        return False
    sid = sids[inside[0].index]
    lean = foreign.lean_of(lang)
    lo, hi = bisect.bisect_left(sids, sid), bisect.bisect_right(sids, sid)
    counts = own_counts.get(sid)
    if counts is None:  # counts[k]: words of the text language among the sentence's first k
        run = 0
        counts = [0]
        for t in tokens[lo:hi]:
            if lean(t.lower).own:
                run += 1
            counts.append(run)
        own_counts[sid] = counts
    # the sentence's tokens starting inside the span (tokens are sorted by start)
    a = bisect.bisect_left(tokens, cand.start, lo, hi, key=_token_start)
    b = bisect.bisect_left(tokens, cand.end, a, hi, key=_token_start)
    own_outside = counts[-1] - (counts[b - lo] - counts[a - lo])
    if own_outside < max(3, len(inside)):
        return False  # the span is not a small part of a sentence in the text language
    return _language_allows(cand.source_language, inside, lang, source, votes, hint)


def _language_allows(
    span_lang: str | None,
    inside: list,
    lang: str,
    source: str | None,
    votes: int,
    hint: str | None,
) -> bool:
    """Does the article show that a phrase in ``span_lang`` (its words ``inside``) is a
    machine's left-over of the language it was translated from?"""
    if span_lang is None:
        return False
    if span_lang == source and votes >= 1:
        return True  # the text's own translation traces point to the span's language
    # The page alone (an hreflang alternate, a declared language) is enough only for a
    # language the text language does not borrow from routinely: every language takes
    # English phrases on purpose ("By the way", "all inclusive", "scuba diving", an English
    # paper's title in a German reference list; round 33's check with a translation sign
    # rewrote 33 of them in clean text of 11 languages).
    if span_lang != hint or span_lang == "en":
        return False
    # ... and only for a phrase holding a word the text language never writes
    # ("corruzione in atti giudiziari"): one of words it knows, however rarely ("muso
    # posteriors", English slang lingua calls Italian), may be its own.
    return any(lexicon.zipf(t.lower, lang) == 0.0 for t in inside)


#: Kinds read from capitals and word forms of the text language: inside a sentence in
#: another language (German capitalises nouns: "was eigentlich Innovation ist", "folgender
#: Conclusio:") they are that language's spelling, not artefacts (round 5, v4 dev).
_TEXT_LANGUAGE_FORMS = frozenset({"capitalisation", "truncated_name", "translated_name"})


def _in_passage(cand: Candidate, tokens: list, sids: list[int], passages: set[int]) -> bool:
    """Is ``cand`` of a kind read from the text language's forms, inside a sentence that is
    in another language?"""
    if cand.kind not in _TEXT_LANGUAGE_FORMS:
        return False
    k = bisect.bisect_left(tokens, cand.start, key=_token_start)
    return k < len(tokens) and sids[k] in passages


_token_start = operator.attrgetter("start")


def _detect(text: str, declared: str | None) -> str | None:
    detected = langid.detect_language(text)
    return detected or langid.normalise_code(declared)


def _overlaps(c: Candidate, others: list[Candidate]) -> bool:
    return any(o.start < c.end and c.start < o.end for o in others)


def _drop_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    kept: list[Candidate] = []
    held = DisjointIntervals()
    for cand in sorted(candidates, key=lambda c: (PRIORITY[c.kind], -c.confidence, c.start)):
        if not held.overlaps(cand.start, cand.end):
            kept.append(cand)
            held.add(cand.start, cand.end)
    return sorted(kept, key=lambda c: c.start)


def infer_source_language(
    candidates: list[Candidate],
    language: str,
    declared_language: str | None = None,
    alternates: dict[str, str] | None = None,
    original_language: str | None = None,
) -> str | None:
    """The language the text was most likely translated from, or None.

    Votes come from the artefacts themselves (an Italian phrase, an Italian "e", an "L'"
    calque), weighted by how specific they are; hreflang alternates and a declared language
    that differs from the text language add weight but never decide alone: a page with
    alternates is not necessarily a translation. A known original language decides.
    """
    if original_language and original_language != language:
        return original_language
    votes: Counter[str] = Counter()
    evidence = 0.0
    for cand in candidates:
        weight = SOURCE_WEIGHT.get(cand.kind)
        if not weight or not cand.source_candidates:
            continue
        share = weight / len(cand.source_candidates)
        for src in cand.source_candidates:
            if src != language:
                votes[src] += share
        evidence += weight
    if evidence == 0:
        return None
    hints = {langid.normalise_code(k) for k in (alternates or {})}
    hints.add(langid.normalise_code(declared_language))
    for hint in hints:
        if hint and hint != language:
            votes[hint] += 1.0 if hint in votes else 0.25
    if not votes:
        return None
    (best, score), *rest = votes.most_common()
    if rest and rest[0][1] == score:
        return None  # a tie between languages is no evidence
    return best


def _page_hint(
    language: str, declared_language: str | None, alternates: dict[str, str] | None
) -> str | None:
    """The one other language the page itself points to (hreflang or declared), if any."""
    hints = {langid.normalise_code(k) for k in (alternates or {})}
    hints.add(langid.normalise_code(declared_language))
    hints -= {None, language}
    return hints.pop() if len(hints) == 1 else None


def _confirm_with_original(
    text: str, candidates: list[Candidate], original: str | None, orig_lang: str | None
) -> None:
    """A span that occurs verbatim in the original page is certainly untranslated."""
    if not original or not orig_lang:
        return
    low = original.lower()
    for cand in candidates:
        if cand.kind != "untranslated_span":
            continue
        if text[cand.start : cand.end].lower() in low:
            cand.source_language = orig_lang
            cand.source_candidates = (orig_lang,)
            cand.confidence = max(cand.confidence, 0.95)
            if not cand.detector.endswith("+original"):
                cand.detector += "+original"


def _found_in_original(
    text: str,
    weak: list[Candidate],
    accepted: list[Candidate],
    original: str | None,
    orig_lang: str | None,
) -> list[Candidate]:
    """Weak candidates that occur verbatim in the original page are untranslated for sure."""
    if not original or not orig_lang:
        return []
    low = " ".join(original.lower().split())
    out: list[Candidate] = []
    for cand in weak:
        if cand.source_language != orig_lang or _overlaps(cand, accepted + out):
            continue
        surface = " ".join(text[cand.start : cand.end].lower().split())
        if re.search(rf"(?<!\w){re.escape(surface)}(?!\w)", low):
            cand.confidence = 0.95
            cand.detector = "original-page:verbatim"
            out.append(cand)
    return out


def _decide(
    text: str, candidates: list[Candidate], lang: str, translator: Translator | None
) -> list[Finding]:
    """Turn candidates into findings with a status; translate untranslated spans.

    An untranslated span is applied only when its translation is a curated glossary entry
    or the span is safe to rewrite (``Candidate.safe``); otherwise it is reported with the
    translation (``flagged``) or, with no translation at hand, left ``pending``.
    """
    findings: list[Finding] = []
    cache: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for cand in candidates:
        surface = text[cand.start : cand.end]
        replacement = cand.replacement
        if cand.needs_translation:
            replacement, origin = None, None
            if translator is not None and cand.source_language:
                key = (surface, cand.source_language)
                if key not in cache:
                    cache[key] = _translate(translator, surface, cand.source_language, lang)
                replacement, origin = cache[key]
            if replacement is None:
                status = PENDING
            elif cand.confidence >= APPLY_THRESHOLD and (cand.safe or origin == "glossary"):
                status = APPLIED
            else:
                status = FLAGGED
        elif replacement is None or cand.confidence < APPLY_THRESHOLD or not cand.safe:
            status = FLAGGED
        else:
            status = APPLIED
        findings.append(
            Finding(
                cand.kind,
                cand.start,
                cand.end,
                surface,
                replacement,
                cand.source_language,
                float(cand.confidence),
                cand.detector,
                status,
            )
        )
    return findings


def _translate(
    translator: Translator, surface: str, source: str, target: str
) -> tuple[str | None, str | None]:
    """(translation, who answered); any failure means "pending", never an exception."""
    try:
        if hasattr(translator, "translate_with_origin"):
            result, origin = translator.translate_with_origin(surface, source, target)
        else:
            result, origin = translator.translate(surface, source, target), None
    except Exception as exc:  # a misbehaving backend must not block loading
        log.warning("translator %s failed: %s", getattr(translator, "name", "?"), exc)
        return None, None
    if not result or not result.strip() or result.strip() == surface.strip():
        return None, None
    if origin is None and getattr(translator, "name", None) == "glossary":
        origin = "glossary"
    return result.strip(), origin


def _names_from_original(
    text: str, tokens: list, candidates: list[Candidate], original: str | None
) -> None:
    """The likely original of a surname translated word by word ("Giuseppe Count"): the word
    after the same given name in the original page ("Giuseppe Conte")."""
    if not original:
        return
    for cand in candidates:
        if cand.kind != "translated_name":
            continue
        before = text[: cand.start].split()
        if not before:
            continue
        given = before[-1]
        m = re.search(rf"(?<!\w){re.escape(given)}\s+([^\W\d_][\w'’-]*)", original)
        if m and m.group(1) != text[cand.start : cand.end]:
            cand.replacement = m.group(1)
            cand.confidence = 0.7


def language_map(
    text: str,
    tokens: list,
    lang: str,
    findings: list[Finding],
    passages: set[int],
    sids: list[int],
) -> list[dict]:
    """Which parts of the text are in which language: ``[{start, end, language, source}]``.

    Per-token evidence (the same word frequencies the detectors use) aggregated into spans:
    words of the text language, untranslated spans (their finding's language), quotations
    and whole sentences in another language (by the word evidence, confirmed by lingua).
    Names and words without evidence take the language of the words around them. ``source``
    says why: ``text``, ``artefact``, ``quote`` or ``passage``; spans in another language
    also carry their ``surface``.
    """
    if not tokens:
        return []
    lean = foreign.lean_of(lang)
    own_label, none_label = (lang, "text"), (None, "text")
    labels: list[tuple[str | None, str]] = [
        none_label if tok.masked or not lean(tok.lower).own else own_label for tok in tokens
    ]
    by_start: dict[int, int] | None = None  # built at the first such finding: most have none
    for f in findings:
        if f.kind != "untranslated_span" or f.source_language is None:
            continue
        if by_start is None:
            by_start = {t.start: t.index for t in tokens}
        i = by_start.get(f.start)
        while i is not None and i < len(tokens) and tokens[i].end <= f.end:
            labels[i] = (f.source_language, "artefact")
            i += 1
    # Tokens are sorted by start and sentence numbers never decrease: each quotation's and
    # passage's tokens are found by bisection, not by reading every token for each of them
    # (quadratic: 5-10 s for 400 KB of short sentences or quotations in another language).
    for span in foreign.quoted_language_spans(text, tokens, lang):
        quote_label = (span["language"], "quote")
        for tok in tokens_within(tokens, span["start"], span["end"]):
            labels[tok.index] = quote_label
    for sid in passages:
        members = tokens[bisect.bisect_left(sids, sid) : bisect.bisect_right(sids, sid)]
        passage_lang = _passage_language(text, members, lang)
        if passage_lang:
            for tok in members:
                if labels[tok.index][1] == "text":
                    labels[tok.index] = (passage_lang, "passage")
    # Words without a label take the one before them (or, at the start, the one after).
    known = next((x for x in labels if x[0] is not None), (lang, "text"))
    filled = []
    for label in labels:
        if label[0] is not None:
            known = label
        filled.append(known if label[0] is None else label)
    # one span per run of equal labels: the runs' first words found in one comprehension
    # (a dict looked at for every word was a visible part of this function)
    firsts = [0, *(k for k in range(1, len(filled)) if filled[k] != filled[k - 1])]
    spans: list[dict] = [
        {
            "start": tokens[a].start,
            "end": tokens[b - 1].end,
            "language": filled[a][0],
            "source": filled[a][1],
        }
        for a, b in zip(firsts, [*firsts[1:], len(filled)], strict=True)
    ]
    spans[0]["start"] = 0
    spans[-1]["end"] = len(text)
    for span in spans:
        if span["language"] != lang:
            span["surface"] = text[span["start"] : span["end"]]
    return spans


def _passage_language(text: str, members: list, lang: str) -> str | None:
    """The language of a sentence mostly not in the text language, if lingua agrees with the
    words' evidence."""
    lean = foreign.lean_of(lang)
    scores: Counter[str] = Counter()
    for tok in members:
        for other, z in lean(tok.lower).langs:
            scores[other] += z
    if not scores:
        return None
    cands = [c for c, _ in scores.most_common(3)]
    start, end = members[0].start, members[-1].end
    conf = langid.span_confidences(text[start:end], (lang, *cands))
    best = max(conf, key=conf.__getitem__) if conf else None
    return best if best in cands and conf[best] >= 0.5 else None


def warm_up() -> None:
    """Load word lists and language models once (call before timing or a large batch)."""
    lexicon.warm_up()
    lexicon.evidence("warm")  # the 23-language evidence table (from the disk cache)
    lexicon.alphabets()
    lexicon.place_names()
    lexicon.is_place("rome")
    lexicon.is_town("rome")
    lexicon.person_names("first_names")
    lexicon.person_names("last_names")
    lexicon.multiword_places()
    lexicon.exonyms()
    rules.english_completions()  # prefix table of cut common names (disk cache)
    # The evidence of the commonest English words, computed here once for every worker the
    # fork server starts (each would otherwise miss on them on its first pages). English
    # only: the run's languages are not known yet, and it is the one most news is in.
    lean = foreign.lean_of("en")
    for word in lexicon.common_words("en"):
        lean(word)
    langid.warm_up()
    # lingua's trigram models of every evidence language (unknown words are asked about all)
    langid.span_confidences("warm", lexicon.EVIDENCE_LANGUAGES)


__all__ = ["APPLIED", "FLAGGED", "PENDING", "analyse", "infer_source_language", "warm_up"]
