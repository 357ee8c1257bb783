"""The process that identifies a run's short texts (newsetl.language_job) asks langdetect about
every text, lets its profiles go, then asks lingua: its peak holds lingua's short-text models
without langdetect's beside them, and every guess is the one identify_language gives."""

from __future__ import annotations

import json
import pickle
import random
import subprocess
import sys
from pathlib import Path

import pytest

from newsetl.language import langdetect_probabilities, release_langdetect

SHARED = Path(__file__).resolve().parents[2] / "shared/benchmarks"
LINGUA_TESTDATA = SHARED / "langid/lingua-py/language-testdata"
ZYTE_TRUTH = SHARED / "extraction/zyte-article-extraction-benchmark/ground-truth.json"

#: short texts of this project's own (for when the benchmark data is not there)
OWN = [
    ("Der Rat tagte am Montag in der Stadthalle.", "de", 0),
    ("Le conseil s'est réuni lundi à la mairie.", None, 0),
    ("The council met on Monday at the town hall.", "en", 7),
    ("Il consiglio si è riunito lunedì in municipio.", None, 0),
    ("Rada zebrała się w poniedziałek w ratuszu.", "pl", 0),
    ("El consejo se reunió el lunes en el ayuntamiento.", None, 3),
    ("short", "en", 0),  # too few letters: decided by the declaration, neither detector asked
    ("", None, 0),
]


def _latin(text: str) -> bool:
    return all(ord(ch) < 0x250 for ch in text if ch.isalpha())


def real_short_texts() -> list[tuple[str, str | None, int]]:
    """Sentences and word pairs of lingua's test data (Latin-script languages: the models a
    run's short texts load), and spans of 25-220 characters cut from the Zyte benchmark's
    article texts, with declared languages and seeds varied."""
    rng = random.Random(12)
    jobs = list(OWN)
    for kind, n in (("sentences", 6), ("word-pairs", 3)):
        for path in sorted((LINGUA_TESTDATA / kind).glob("*.txt")):
            lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
            lines = [line for line in lines if line and _latin(line)]
            for line in rng.sample(lines, min(n, len(lines))):
                jobs.append((line, rng.choice([None, path.stem]), rng.choice([0, 7])))
    truth = json.loads(ZYTE_TRUTH.read_text())
    for entry in sorted(truth.values(), key=lambda e: e.get("articleBody") or "")[:120]:
        body = entry.get("articleBody") or ""
        if len(body) > 250:
            n = rng.choice([25, 60, 90, 120, 160, 220])
            start = rng.randrange(0, len(body) - n)
            jobs.append((body[start : start + n], rng.choice([None, "en"]), 0))
    return jobs


_COMPARE = """
import pickle, sys
from langdetect import detector_factory
from newsetl import language_job
# every model kept: the texts' candidates span ~45 languages, and with the process's bound
# some load again (~1 min here); test_lingua_in_turn_... covers the bound
language_job.MAX_LOADED_LANGUAGES = 1000
jobs = pickle.load(sys.stdin.buffer)
apart = language_job.identify_apart(jobs)
released = detector_factory._factory is None  # lingua's phase did not load langdetect again
together = language_job.identify_all(jobs)
pickle.dump((apart, together, released), sys.stdout.buffer)
"""


@pytest.mark.skipif(
    not (LINGUA_TESTDATA.is_dir() and ZYTE_TRUTH.is_file()), reason="benchmark data not present"
)
def test_langdetect_first_then_lingua_gives_every_guess_identify_language_gives():
    """Several hundred real short texts (lingua's short-text models loaded, in a process of
    their own as in a run): the guesses of the two phases are identify_language's, field for
    field, and langdetect was not loaded again while lingua scored them."""
    jobs = real_short_texts()
    assert len(jobs) > 400
    done = subprocess.run(
        [sys.executable, "-c", _COMPARE], input=pickle.dumps(jobs), capture_output=True, check=True
    )
    apart, together, released = pickle.loads(done.stdout)
    assert released
    assert len(apart) == len(jobs)
    assert apart == together
    assert sum(guess.source == "lingua" for guess in apart) > 10  # lingua's opinion decided some
    assert sum(guess.language is not None for guess in apart) > 400


def test_the_identifying_process_gives_identify_language_s_guesses():
    """``python -m newsetl.language_job`` (the two phases, in a process of its own) against
    identify_language in this process, on texts decided by the declaration alone and texts
    long enough for lingua's light models (the short-text models would cost this process
    ~0.9 GB; the test above compares those in a process of their own)."""
    from newsetl.language_job import identify_all

    jobs = [
        ("Der Stadtrat hat am Montag beschlossen, die neue Bibliothek zu eröffnen. " * 3, "de", 0),
        ("Le conseil municipal a décidé lundi d'ouvrir la nouvelle bibliothèque. " * 3, None, 7),
        ("Il consiglio comunale ha deciso lunedì di aprire la nuova biblioteca. " * 3, "en", 0),
        ("short", "en", 0),  # too few letters: the declaration decides, no detector asked
        ("", None, 0),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "newsetl.language_job"],
        input=pickle.dumps(jobs),
        capture_output=True,
        check=True,
    )
    guesses = pickle.loads(done.stdout)
    assert guesses == identify_all(jobs)
    assert [g.language for g in guesses] == ["de", "fr", "it", "en", None]
    assert guesses[3].source == "declared" and guesses[3].confidence is None


def test_langdetect_let_go_is_loaded_again_with_the_same_probabilities():
    """release_langdetect frees the profiles; the next call loads them again and gives the
    same probabilities bit for bit (a process that asks after letting go is not wrong, only
    slower)."""
    pairs = [(text, seed) for text, _, seed in OWN[:6]]
    before = [langdetect_probabilities(text, seed) for text, seed in pairs]
    release_langdetect()
    from langdetect import detector_factory

    assert detector_factory._factory is None
    after = [langdetect_probabilities(text, seed) for text, seed in pairs]
    assert after == before
    assert detector_factory._factory is not None


_IN_TURN = """
import json, sys
from newsetl import language, language_job
texts = json.loads(sys.stdin.read())
opinions = [language.langdetect_probabilities(t) for t in texts]
alone = [language.lingua_probabilities(t, o) for t, o in zip(texts, opinions)]
loads = []
unload = language.unload_short_text_models
def counted(codes=None):
    loads.append(sorted(codes))
    unload(codes)
language_job.unload_short_text_models = counted
language_job.MAX_LOADED_LANGUAGES = 14
print(json.dumps([alone, language_job.lingua_in_turn(texts, opinions), loads]))
"""


def test_lingua_in_turn_lets_models_go_and_gives_each_text_its_own_scores():
    """The identifying process keeps at most MAX_LOADED_LANGUAGES languages' short-text
    models at once: with a low bound it lets some go between texts of other candidates (those
    used longest ago, not all), and every text's scores are those it gets alone (a long
    text's too)."""
    texts = [text for text, _, _ in OWN if len(text) > 20] + [
        "Der Stadtrat hat am Montag beschlossen, die neue Bibliothek im Frühjahr zu eröffnen. " * 3
    ]
    out = subprocess.run(
        [sys.executable, "-c", _IN_TURN],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    alone, in_turn, unloads = json.loads(out)
    assert len(unloads) >= 2
    # the languages used longest ago, a few at a time, not every loaded language at once
    assert all(0 < len(codes) < 14 for codes in unloads)
    assert len(in_turn) == len(alone) == len(texts)
    for a, b in zip(alone, in_turn, strict=True):
        assert a.keys() == b.keys() and max(a, key=a.get) == max(b, key=b.get)
        for code in a:
            assert abs(a[code] - b[code]) <= 1e-9 * max(1.0, a[code]), code
