"""Bounded entity analysis (issue 10): a size cap, long texts in segments, junk that leaves no
entities behind. Speed itself is measured in benchmarks/entities/size.py, not here."""

from __future__ import annotations

import base64
import random
import subprocess
import sys
from pathlib import Path

from newsetl.entities import extract_entities, guard

ARTICLE = (
    "Former European Central Bank president Mario Draghi spoke in Frankfurt on Monday. "
    "Draghi said the ECB must act. Christine Lagarde, who leads the bank, listened.\n"
    "In Geneva, the World Health Organization (WHO) said Nick Ashton-Hart would attend.\n"
)


def random_tokens(size: int, seed: int) -> str:
    rng = random.Random(seed)
    words, length = [], 0
    while length < size:
        w = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
        words.append(w.capitalize() if rng.random() < 0.5 else w)
        length += len(w) + 1
    return " ".join(words)


def test_random_tokens_base64_and_repetition_leave_almost_nothing() -> None:
    rng = random.Random(5)
    b64 = "\n".join(base64.b64encode(rng.randbytes(57)).decode() for _ in range(5000))
    for junk, most in [
        (random_tokens(400_000, 1), 10),
        (b64, 0),
        (" ".join(["ACME"] * 80_000), 0),
        (" ".join(["Acme Corp"] * 40_000), 1),
    ]:
        doc = extract_entities(junk, "en", max_chars=0)
        assert len(doc.entities) <= most, [e.name for e in doc.entities[:20]]
        assert all(len(e.mentions) <= guard.MAX_MENTIONS_PER_ENTITY for e in doc.entities)


def test_junk_lines_do_not_hide_the_prose_around_them() -> None:
    junk = random_tokens(5_000, 2)
    doc = extract_entities(ARTICLE + junk + "\n" + ARTICLE, "en")
    ids = {e.canonical_id or e.key for e in doc.entities}
    assert {"person:mario-draghi", "org:ecb", "city:frankfurt"} <= ids
    draghi = next(e for e in doc.entities if e.key == "person:mario-draghi")
    assert len(draghi.mentions) == 4  # both copies of the article


def test_the_size_cap_cuts_at_a_line_end_and_says_so() -> None:
    text = ARTICLE * 100
    cap = len(ARTICLE) * 10 + 25
    doc = extract_entities(text, "en", max_chars=cap)
    assert doc.truncated
    last = max(m.end for e in doc.entities for m in e.mentions)
    assert last <= cap
    assert not extract_entities(ARTICLE, "en", max_chars=cap).truncated
    assert not extract_entities(text, "en", max_chars=0).truncated


def test_a_long_text_in_segments_has_the_ids_and_offsets_of_its_parts() -> None:
    copies = 3 * guard.SEGMENT_CHARS // len(ARTICLE) + 1
    text = ARTICLE * copies
    one = extract_entities(ARTICLE, "en")
    many = extract_entities(text, "en", max_chars=0)
    assert {e.canonical_id or e.key for e in many.entities} == {
        e.canonical_id or e.key for e in one.entities
    }
    per_copy = sum(len(e.mentions) for e in one.entities)
    assert sum(len(e.mentions) for e in many.entities) == per_copy * copies
    for e in many.entities:
        for m in e.mentions:
            assert text[m.start : m.end] == m.surface


def test_a_document_keeps_at_most_max_entities() -> None:
    counts = [1 if n % 5 == 0 else 2 for n in range(guard.MAX_ENTITIES + guard.MAX_ENTITIES // 4)]
    entities = [type("E", (), {"mentions": [0] * c})() for c in counts]
    kept, dropped = guard.cap_entities(entities)
    assert dropped and len(kept) == guard.MAX_ENTITIES
    assert all(len(e.mentions) == 2 for e in kept)  # the most mentioned are kept
    assert [entities.index(e) for e in kept] == sorted(entities.index(e) for e in kept)


def test_cli_max_chars(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text(ARTICLE * 50, encoding="utf-8")
    script = Path(sys.executable).with_name("newsetl")
    capped = subprocess.run(
        [str(script), "entities", str(path), "--json", "--max-chars", "300", "-l", "en"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    full = subprocess.run(
        [str(script), "entities", str(path), "--json", "--max-chars", "0", "-l", "en"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "analysed the first 300 characters" in capped.stderr
    assert full.stderr == ""
    assert len(capped.stdout) < len(full.stdout)


def test_junk_test_stops_at_enough_known_words_with_the_full_count_s_answer() -> None:
    """``_is_junk`` stops looking words up once enough of a line's longer words are known
    (prose): the answer is the full count's, on lines on both sides of the 30 % bound and
    at it, and a prose line asks about fewer words than it has."""
    rng = random.Random(12)
    known_words = [f"known{k}" for k in range(40)]
    unknown = [f"zq{k}xv" for k in range(40)]
    asked: list[str] = []

    def known(word: str) -> bool:
        asked.append(word)
        return word.startswith("known")

    def full_count(runs: list[str]) -> bool:  # main's test, every word counted
        longer = [w for w in runs[: 4 * guard._SAMPLE_WORDS] if len(w) >= 4]
        longer = longer[: guard._SAMPLE_WORDS]
        if len(longer) < guard._MIN_WORDS:
            return False
        return sum(1 for w in longer if known(w)) / len(longer) < guard._MIN_KNOWN

    answers = set()
    for size in (20, 21, 30, 33, 59, 60, 61, 100, 250):
        for share in (0.0, 0.1, 0.29, 0.3, 0.31, 0.5, 0.9, 1.0):
            hits = round(size * share)
            runs = rng.sample(known_words * 7, hits) + rng.sample(unknown * 7, size - hits)
            rng.shuffle(runs)
            expected = full_count(runs)
            asked.clear()
            assert guard._is_junk(runs, known) is expected, (size, share)
            answers.add(expected)
            if not expected:
                assert len(asked) <= min(size, guard._SAMPLE_WORDS)
    assert answers == {True, False}
    prose = (known_words * 2)[:60]
    asked.clear()
    assert guard._is_junk(prose, known) is False
    assert len(asked) == 18  # 30 % of 60: the line is prose at the 18th known word


def test_junk_lines_search_a_line_s_seams_once_with_the_per_word_count_s_answer() -> None:
    """``junk_lines`` tells ``_is_junk`` whether a line has any lower -> upper seam (one search
    of the line): a seam lies inside one word (both are letters), so the answer is the
    per-word count's. Lines of identifiers, of prose, and of both, in several scripts."""
    rng = random.Random(16)
    pieces = ["aGVsbG8", "dGhpcyBp", "helloWorld", "plain", "words", "Straße", "éTé", "İstanbul",
              "ПривітСвіт", "iPhone", "x", "McDonald", "abc1Def", "a_B", "naïveÉcole"]  # fmt: skip
    lines = ["", "one", " ".join(pieces)]
    for _ in range(300):
        lines.append(" ".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))))
    text = "\n".join(lines)
    for line in lines:
        runs = guard._WORD.findall(line)
        seams = guard._INNER_CAPITAL.search(line) is not None
        assert seams == any(guard._INNER_CAPITAL.search(w) for w in runs), line
        assert guard._is_junk(runs, None, seams) is guard._is_junk(runs, None), line
    expected, pos = [], 0
    for line in text.splitlines(keepends=True):
        if guard._is_code(line) or guard._is_junk(guard._WORD.findall(line), None):
            expected.append((pos, pos + len(line)))
        pos += len(line)
    assert guard.junk_lines(text, 0, len(text), None) == expected
    assert expected  # some lines of identifiers are junk
    # without the seam the inner-capital test is left out: four words all with seams are
    # junk, the same words said to have none are not
    assert guard._is_junk(["aGVs", "bG8g", "d29y", "bGQh"], None) is True
    assert guard._is_junk(["aGVs", "bG8g", "d29y", "bGQh"], None, False) is False
