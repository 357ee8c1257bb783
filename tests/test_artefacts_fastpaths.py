"""The speed-ups of the artefact detectors give exactly the answers of the plain versions.

Each fast path (one-pass tokeniser, bisected overlap test, false friends looked for only
where a wrong form occurs, lookbehinds tested in Python, cached seed languages) is compared
with a straightforward reference written here, on texts made to hit its edge cases.
"""

from __future__ import annotations

import random
import re

import pytest

from newsetl.artefacts import foreign, rules
from newsetl.artefacts.intervals import DisjointIntervals
from newsetl.artefacts.tokens import SENTENCE_END, WORD, mask_tokens, tokenise

TEXTS = [
    "",
    "   ",
    "2024 - 17:30 ...",
    "abc",
    "Plain words. Then a new sentence!\n\nAnd a paragraph",
    '"Quoted start" and (brackets) - then: colon; semicolon… ellipsis',
    "Digits inside words: abc123def, under_score, x2",
    "Hyphen-joined and apostrophe l'Italia d’Europa rock'n'roll -dash- 'quote'",
    "Combining e\u0301 marks and Ä Ö ß",
    "Trailing digits " + "1" * 3000,
    "Trailing punctuation !!!???...",
    "ΟΔΟΣ Greek and русский текст and 東京 mixed.",
    "Mr. Smith met Ms. Jones at 5 p.m. yesterday.",
    "One\ttab\u00a0nbsp  two spaces",
]


def _reference_tokens(text: str) -> list[tuple[str, int, int, bool]]:
    """The tokeniser as first written: WORD.finditer plus the gap rule for sentence starts."""
    out = []
    prev_end = 0
    for i, m in enumerate(WORD.finditer(text)):
        start, end = m.span()
        gap = text[prev_end:start]
        if i == 0:
            starts = gap.strip(" \t\"'“”„«»‘’([-–—") == ""
        elif gap == " ":
            starts = False
        else:
            starts = any(c in gap for c in ".!?…:;\n") and (
                "\n" in gap or bool(SENTENCE_END.search(gap))
            )
        out.append((m.group(), start, end, starts))
        prev_end = end
    return out


@pytest.mark.parametrize("text", TEXTS)
def test_tokenise_matches_the_plain_regex_scan(text: str) -> None:
    got = [(t.text, t.start, t.end, t.sentence_start) for t in tokenise(text)]
    assert got == _reference_tokens(text)
    assert all(text[t.start : t.end] == t.text for t in tokenise(text))


def test_disjoint_intervals_answer_like_a_linear_scan() -> None:
    rng = random.Random(7)
    for _ in range(200):
        held = DisjointIntervals()
        kept: list[tuple[int, int]] = []
        for _ in range(40):
            a = rng.randrange(0, 300)
            b = a + rng.choice((0, 1, 2, 5, 20))  # empty intervals too
            expected = any(x < b and a < y for x, y in kept)
            assert held.overlaps(a, b) == expected
            if not expected:
                held.add(a, b)
                kept.append((a, b))


FALSE_FRIEND_TEXTS = [
    "The treatise was signed; the treaty binds both states.",
    "TREATISES and Treatises, treatisesque, pretreatise and information on the formation.",
    "Actual government? The actual crisis. Actually no. current",
    "İnformation and ınformation: actual, the parents of Parents, ſensible data.",
    "assisted assists assist assistance, the chef of the kitchen, camera of deputies",
    "no false friend at all in this sentence",
]


@pytest.mark.parametrize("text", FALSE_FRIEND_TEXTS)
def test_false_friend_matches_equal_the_full_scan(text: str) -> None:
    pattern, _ = rules._false_friend_index()
    got = [(m.start(), m.end()) for m in rules._false_friend_matches(text, text.lower())]
    assert got == [m.span() for m in pattern.finditer(text)]


LOOKBEHIND_TEXTS = [
    "xthe Rome the Italy has agreed",
    "bathe The Italy has agreed",
    "’the Italy has, 'the Russia was, _the Spain is, the France said",
    "There Russia has criticized. ThereThere Italy has. 'There Spain. There  France was",
    "the\u00a0Italy\u00a0has and The Germany wants",
]


@pytest.mark.parametrize("text", LOOKBEHIND_TEXTS)
@pytest.mark.parametrize("pattern", [rules.THE_PLACE, rules.THERE])
def test_lookbehind_in_python_equals_the_regex_lookbehind(text: str, pattern: re.Pattern) -> None:
    combined = re.compile(r"(?<![\w'’])" + pattern.pattern)
    got = [m.span() for m in rules._finditer_after_boundary(pattern, text)]
    assert got == [m.span() for m in combined.finditer(text)]


def test_glue_suspects_equal_one_alternation_scan() -> None:
    text = "theUnited Nations inBrussels, Nationsand Governmentthe iPhone McDonald NATOand x"
    tokens = tokenise(text)
    combined = re.compile(
        rf"[{rules.LOWER}][{rules.UPPER}]|"
        rf"[{rules.UPPER}][{rules.LOWER}]{{3,}}(?:{'|'.join(rules.GLUE_SUFFIXES_EN)})\b"
    )
    expected = []
    for m in combined.finditer(text):
        tok = next(t for t in tokens if t.start <= m.start() < t.end)
        if tok not in expected:
            expected.append(tok)
    assert rules._glue_suspects(text, tokens, "en") == expected


EVIDENCE_WORDS = [
    "riciclaggio",
    "koning",
    "och",
    "und",
    "the",
    "wynagrodzenia",
    "během",
    "bête",
    "zeitgeist",
    "tilstand",
    "argent",
    "ß",
    "straße",
    "xqzvw",
]


@pytest.mark.parametrize("word", EVIDENCE_WORDS)
def test_evidence_table_equals_wordfreq(word: str) -> None:
    """The compact per-word table gives wordfreq's own Zipf frequencies (to 0.1), for every
    evidence language where the word is common enough, and nothing else."""
    from wordfreq import zipf_frequency

    got = dict(foreign.lexicon.evidence(word))
    for lang in foreign.lexicon.EVIDENCE_LANGUAGES:
        z = zipf_frequency(word.casefold(), lang)
        if lang in got:
            assert abs(got[lang] - z) <= 0.051, (word, lang, got[lang], z)
        else:
            assert z < foreign.lexicon.EVIDENCE_MIN_ZIPF or not foreign.lexicon._LETTERS.fullmatch(
                word.casefold()
            ), (word, lang, z)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The suspects face charges of riciclaggio di denaro and traffico di stupefacenti.", "en"),
        ("Die Regierung hat die fake news und das Home-Office diskutiert, the end.", "de"),
        ("Il governo ha approvato the new budget con molte riserve e-commerce.", "it"),
        ("Le ministre a dit que the government would help, cost-effective.", "fr"),
    ],
)
def test_cached_word_evidence_equals_a_fresh_computation(text: str, lang: str) -> None:
    """The per-language cache of word evidence answers what an uncached call computes."""
    cached = foreign.lean_of(lang)
    fresh = foreign.lean_of.__wrapped__(lang)
    tokens = tokenise(text)
    mask_tokens(text, tokens, lang)
    assert [cached(t.lower) for t in tokens] == [fresh(t.lower) for t in tokens]
    assert any(cached(t.lower).leaning for t in tokens)  # each text has a foreign word


#: main's quote-gap pattern (before round 16): tried at every letter, backtracking
_PLAIN_NO_SPACE_AT_QUOTE = re.compile(
    rf"([{rules.LOWER}]{{2,}}[:,]?)([“„«]|\")([{rules.UPPER}][{rules.LOWER}]+)"
    rf"|([{rules.LOWER}]{{2,}}[.,!?]?)([”»]|\")([{rules.LOWER}]{{2,}})"
)


def test_quote_gap_pattern_finds_the_plain_pattern_s_matches_from_run_starts_only() -> None:
    """``_NO_SPACE_AT_QUOTE`` starts at a lower-case run's first letter and takes the run
    whole: the same matches (spans and groups) as the plain pattern on texts made of words,
    quotes and stops glued in every way; and it is not tried inside a word."""
    rng = random.Random(16)
    alphabet = ["ab", "said", "ßÿ", "é", "We", "Ä", "X", '"', "“", "”", "„", "«", "»", ":", ",",
                ".", "!", "?", " ", "\n", "a", "Yes"]  # fmt: skip
    texts = [*TEXTS, 'he said"We go', '"Yes,"he said', "word«Hallo", "ab»cd", 'said,"Ok']
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(3000)]
    matched = 0
    for text in texts:
        ours = [(m.span(), m.groups()) for m in rules._NO_SPACE_AT_QUOTE.finditer(text)]
        plain = [(m.span(), m.groups()) for m in _PLAIN_NO_SPACE_AT_QUOTE.finditer(text)]
        assert ours == plain, text
        matched += bool(ours)
    assert matched > 300
    assert _PLAIN_NO_SPACE_AT_QUOTE.match('he said"We', 4) is not None  # "aid" inside "said"
    assert rules._NO_SPACE_AT_QUOTE.match('he said"We', 4) is None
    assert rules._NO_SPACE_AT_QUOTE.match('he said"We', 3) is not None
