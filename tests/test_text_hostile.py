"""Hostile text in the text analyses: a lone surrogate reaches language identification, and
inputs that made three analyses quadratic (a long run of spaces between two tokens, a long
"sentence" with many untranslated-span candidates, many short passages or quotations in
another language).

The speed tests check growth, not absolute speed: the time for 8x the input must stay under
16x the time for 1x (a quadratic analysis takes ~64x). Each keeps a copy of the code it
replaced as the reference, and checks that the new code answers the same on inputs where the
old one is fast.
"""

from __future__ import annotations

import bisect
import gc
import random
import re
import time
from collections.abc import Callable

import pytest

from newsetl import language
from newsetl.artefacts import analyse, core, foreign, warm_up
from newsetl.entities import extract_entities
from newsetl.entities import text as etext
from newsetl.language import identify_language, lingua_probabilities

#: the largest ratio of times for 8x the input that counts as linear (or n log n)
MAX_GROWTH = 16.0


def _time(run: Callable[[], object], reps: int) -> float:
    """Seconds for ``reps`` runs, without the garbage collector (its full passes over a big
    input's objects are noise here, not the analysis's own growth)."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(reps):
            run()
        return time.perf_counter() - start
    finally:
        gc.enable()


def _growth(small: Callable[[], object], big: Callable[[], object]) -> float:
    """Time of ``big`` over time of ``small`` (inputs 8x apart), each repeated so the small
    one takes at least 20 ms; the best of up to three readings of each, to beat noise."""
    reps = 1
    while _time(small, reps) < 0.02 and reps < 1 << 16:
        reps *= 2
    t_small = min(_time(small, reps) for _ in range(3))
    best = float("inf")
    for _ in range(3):  # stop as soon as a reading is low enough: a quadratic one never is
        best = min(best, _time(big, reps) / t_small)
        if best < MAX_GROWTH:
            break
    return best


@pytest.fixture(scope="module")
def warm():
    warm_up()
    analyse("The minister said that die Regierung hat heute beschlossen.", "en")


# --- 1. a lone surrogate in language identification -------------------------------------------

SURROGATE_TEXT = (
    "Angela Merkel met Emmanuel Macron in Paris \ud800 to discuss the budget of the Union."
)


def test_identify_language_answers_on_a_lone_surrogate():
    guess = identify_language(SURROGATE_TEXT)  # raised UnicodeEncodeError inside lingua
    assert guess.language == "en"
    assert identify_language("\ud800 abc " + "Die Regierung hat heute beschlossen \udcff").language
    # every lingua path: a long text (trigrams over every language) and a short one
    long_text = ("The government said that the minister would meet workers. \udc80 " * 10)[:300]
    assert lingua_probabilities(long_text)
    assert lingua_probabilities("Die Regierung hat \ud83d heute beschlossen")


def test_surrogate_text_in_the_other_analyses(warm):
    assert analyse(SURROGATE_TEXT).language == "en"
    assert analyse(SURROGATE_TEXT, "en").language == "en"
    extract_entities(SURROGATE_TEXT)
    extract_entities(SURROGATE_TEXT, "en")


def test_valid_text_reaches_the_detectors_unchanged():
    for text in ["", "plain ASCII", "Zürich – «ça» 😀 日本語", "a\ufffdb", "\U0010ffff"]:
        assert language._encodable(text) is text
    assert language._encodable("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert language._encodable("\ud83d\ude00") == "\ufffd\ufffd"  # a pair left as two code points


# --- 2. entities: the sentence-gap regex on long runs of spaces ----------------------------------

#: the regex before the fix (backtracked quadratically on a long run of spaces)
OLD_SENTENCE_GAP = re.compile(r"[.!?…]\s*[\"'«“‘(\[]?\s*$|^\s*[-–—•*]\s*$")
_GAP_CHARS = [" ", "  ", "\n", "\t", "\r", "\u00a0", "\u2003", "\u3000", "\x0b", "\x1c"]
_GAP_CHARS += [".", "!", "?", "…", '"', "'", "«", "“", "‘", "(", "[", "-", "–", "—", "•"]
_GAP_CHARS += ["*", ":", ";", ",", "#", ")", "»", "”", "’", "]", "/", "\u200b", "a", "1", "_"]


def _random_gaps(rng: random.Random, n: int) -> list[str]:
    gaps = []
    for _ in range(n):
        parts = rng.choices(_GAP_CHARS, k=rng.randint(0, 8))
        gaps.append("".join(p * rng.choice((1, 1, 1, 2, 5)) for p in parts))
    return gaps


def test_sentence_gap_matches_as_the_old_regex():
    rng = random.Random(32)
    gaps = _random_gaps(rng, 40_000)
    # every short string over the characters that matter, and a few long ones
    alphabet = [" ", "\n", ".", "?", '"', "(", "-", "•", "#"]
    gaps += ["".join(rng.choices(alphabet, k=k)) for k in range(12) for _ in range(300)]
    gaps += [". " + " " * 300 + c for c in ['"', "#", "(", "", "\n", "- "]]
    gaps += [" " * 200 + c + " " * 200 for c in ["-", "—", "*", ".", "x"]]
    matched = 0
    for gap in gaps:
        old = OLD_SENTENCE_GAP.search(gap) is not None
        assert (etext._SENTENCE_GAP.search(gap) is not None) == old, repr(gap)
        matched += old
    assert 1000 < matched < len(gaps) - 1000  # both answers are well represented


def test_tokenize_same_as_with_the_old_regex(monkeypatch):
    rng = random.Random(7)
    words = ["Angela", "Merkel", "spoke", "U.S.", "l'ONU", "theUnited", "Nations", "in", "Mr"]
    texts = []
    for _ in range(300):
        pieces = []
        for gap in _random_gaps(rng, rng.randint(1, 30)):
            pieces += [rng.choice(words), gap or " "]
        texts.append("".join(pieces))
    new = [etext.tokenize(t) for t in texts]
    monkeypatch.setattr(etext, "_SENTENCE_GAP", OLD_SENTENCE_GAP)
    monkeypatch.setattr(etext, "_GAP_FLAGS", {})  # the flags of the old regex, not cached ones
    assert [etext.tokenize(t) for t in texts] == new


def test_tokenize_is_linear_in_a_gap_of_spaces():
    def text(n: int) -> str:
        return "Angela Merkel spoke." + " " * n + "# Emmanuel Macron replied."

    small, big = text(1_000), text(8_000)
    assert [t.text for t in etext.tokenize(big)][-3:] == ["Emmanuel", "Macron", "replied"]
    growth = _growth(lambda: etext.tokenize(small), lambda: etext.tokenize(big))
    assert growth < MAX_GROWTH, growth


# --- 3. and 4. artefacts: untranslated-span candidates, passages, quotations -------------------


_EN = [
    "the",
    "government",
    "said",
    "that",
    "the",
    "minister",
    "would",
    "meet",
    "workers",
    "tomorrow",
    "morning",
]
_DE = [
    "die",
    "Regierung",
    "sagte",
    "dass",
    "der",
    "Minister",
    "morgen",
    "früh",
    "die",
    "Arbeiter",
    "treffen",
    "würde",
]


def _one_sentence(n: int) -> str:
    """English and German words in turn, no sentence punctuation: one long sentence with a
    candidate every few words."""
    out, i, size = [], 0, 0
    while size < n:
        out.append(_EN[i % len(_EN)] + " " + _DE[i % len(_DE)] + " ")
        size += len(out[-1])
        i += 1
    return "".join(out)


_PASSAGE = (
    "The minister spoke to reporters on Monday. "
    "Die Regierung hat heute beschlossen, dass die Steuern steigen. "
)
_QUOTE = 'The minister said "die Regierung hat heute beschlossen" to reporters. '


def test_safe_to_translate_is_linear_in_a_long_sentence(warm):
    small, big = _one_sentence(25_000), _one_sentence(200_000)
    assert len(analyse(small, "en").findings) > 100
    growth = _growth(lambda: analyse(small, "en"), lambda: analyse(big, "en"))
    assert growth < MAX_GROWTH, growth


@pytest.mark.parametrize("unit", [_PASSAGE, _QUOTE], ids=["passages", "quotes"])
def test_language_map_is_linear_in_passages_and_quotations(warm, unit):
    small, big = unit * (25_000 // len(unit)), unit * (200_000 // len(unit))
    source = "passage" if unit is _PASSAGE else "quote"
    assert sum(s["source"] == source for s in analyse(small, "en").language_spans) > 100
    growth = _growth(lambda: analyse(small, "en"), lambda: analyse(big, "en"))
    assert growth < MAX_GROWTH, growth


def _old_safe_to_translate(cand, tokens, sids, lang, source, votes, hint, own_counts=None):
    """``core._safe_to_translate`` before the fix (it re-counted the sentence per candidate)."""
    if cand.detector.startswith("original-page") or cand.detector.endswith("+original"):
        return True
    first = bisect.bisect_left(tokens, cand.start, key=lambda t: t.start)
    inside = []
    for t in tokens[first : first + core.MAX_APPLIED_SPAN_WORDS + 1]:
        if t.start >= cand.end:
            break
        if t.end <= cand.end:
            inside.append(t)
    if (
        not 2 <= len(inside) <= core.MAX_APPLIED_SPAN_WORDS
        or cand.confidence < core.APPLY_THRESHOLD
    ):
        return False
    sid = sids[inside[0].index]
    lean = foreign.lean_of(lang)
    lo, hi = bisect.bisect_left(sids, sid), bisect.bisect_right(sids, sid)
    own_outside = sum(
        1 for t in tokens[lo:hi] if not (cand.start <= t.start < cand.end) and lean(t.lower).own
    )
    if own_outside < max(3, len(inside)):
        return False
    # the decision on the span's language is round 33's (the rule changed, not the counting)
    return core._language_allows(cand.source_language, inside, lang, source, votes, hint)


def _old_language_map(text, tokens, lang, findings, passages, sids):
    """``core.language_map`` before the fix (every token read per quotation and passage)."""
    if not tokens:
        return []
    lean = foreign.lean_of(lang)
    own_label, none_label = (lang, "text"), (None, "text")
    labels = [none_label if tok.masked or not lean(tok.lower).own else own_label for tok in tokens]
    by_start = None
    for f in findings:
        if f.kind != "untranslated_span" or f.source_language is None:
            continue
        if by_start is None:
            by_start = {t.start: t.index for t in tokens}
        i = by_start.get(f.start)
        while i is not None and i < len(tokens) and tokens[i].end <= f.end:
            labels[i] = (f.source_language, "artefact")
            i += 1
    for span in foreign.quoted_language_spans(text, tokens, lang):
        for tok in tokens:
            if span["start"] <= tok.start and tok.end <= span["end"]:
                labels[tok.index] = (span["language"], "quote")
    for sid in passages:
        members = [t for t, s in zip(tokens, sids, strict=True) if s == sid]
        passage_lang = core._passage_language(text, members, lang)
        if passage_lang:
            for tok in members:
                if labels[tok.index][1] == "text":
                    labels[tok.index] = (passage_lang, "passage")
    known = next((x for x in labels if x[0] is not None), (lang, "text"))
    filled = []
    for label in labels:
        if label[0] is not None:
            known = label
        filled.append(known if label[0] is None else label)
    firsts = [0, *(k for k in range(1, len(filled)) if filled[k] != filled[k - 1])]
    spans = [
        {"start": tokens[a].start, "end": tokens[b - 1].end, "language": filled[a][0],
         "source": filled[a][1]}
        for a, b in zip(firsts, [*firsts[1:], len(filled)], strict=True)
    ]  # fmt: skip
    spans[0]["start"] = 0
    spans[-1]["end"] = len(text)
    for span in spans:
        if span["language"] != lang:
            span["surface"] = text[span["start"] : span["end"]]
    return spans


class _EchoTranslator:
    name = "echo"

    def translate(self, text: str, source: str, target: str) -> str:
        return f"<{source}>{text}</{source}>"


def _mixed_texts() -> list[str]:
    """Small texts mixing English with German and Italian words, phrases, sentences and
    quotations, with random sentence breaks."""
    rng = random.Random(5)
    it = [
        "il",
        "governo",
        "ha",
        "deciso",
        "di",
        "aumentare",
        "le",
        "tasse",
        "per",
        "tutti",
        "i",
        "cittadini",
    ]
    pools = [_EN, _DE, it]
    texts = [_one_sentence(3_000), _PASSAGE * 12, _QUOTE * 12]
    for _ in range(40):
        words: list[str] = []
        while len(words) < 120:
            pool = pools[rng.choice((0, 0, 0, 1, 2))]
            k = rng.randint(0, len(pool) - 1)
            words += pool[k : k + rng.randint(1, 8)]
            if rng.random() < 0.1:
                words[-1] += rng.choice((".", ".", "!", ","))
            if rng.random() < 0.05:
                words.append('"' + " ".join(rng.choices(pools[1], k=rng.randint(2, 5))) + '"')
            if rng.random() < 0.05:
                words[-1] += "."
                words += [w.capitalize() if i == 0 else w for i, w in enumerate(pools[1][:9])]
                words[-1] += "."
        texts.append(" ".join(words))
    return texts


def test_artefacts_same_as_the_old_code(warm, monkeypatch):
    new_safe, new_map = core._safe_to_translate, core.language_map
    seen = {"safe": 0, "safe_true": 0, "maps": 0, "quote": 0, "passage": 0}

    def both_safe(*args):
        new = new_safe(*args)
        assert new == _old_safe_to_translate(*args)
        seen["safe"] += 1
        seen["safe_true"] += new
        return new

    def both_maps(*args):
        new = new_map(*args)
        assert new == _old_language_map(*args)
        seen["maps"] += 1
        seen["quote"] += sum(s["source"] == "quote" for s in new)
        seen["passage"] += sum(s["source"] == "passage" for s in new)
        return new

    monkeypatch.setattr(core, "_safe_to_translate", both_safe)
    monkeypatch.setattr(core, "language_map", both_maps)
    for text in _mixed_texts():
        analyse(text, "en")
        analyse(text, "en", declared_language="de", translator=_EchoTranslator())
        analyse(text, "en", declared_language="it", translator=_EchoTranslator())
    assert seen["maps"] == 3 * 43
    assert seen["safe"] > 500 and seen["safe_true"] > 20
    assert seen["quote"] > 20 and seen["passage"] > 20, seen
