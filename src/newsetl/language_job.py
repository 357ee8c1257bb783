"""``python -m newsetl.language_job``: identify the languages of the short texts a run set
aside (:mod:`newsetl.run.shorttexts`) in a process that imports nothing else (pickled
``(text, declared language, seed)`` jobs on stdin, the pickled
:class:`~newsetl.language.LanguageGuess` list on stdout). Same function of the same text and
seed as anywhere else, so the same guess.

Why a plain interpreter, beside the run's pool, and neither the run's process nor a fork of
the fork server: the short-text models of the texts' candidate languages (~0.2 GB,
:func:`newsetl.language.short_text_probabilities`) leave with the process; a fork of the
server could not let them go (lingua's unloading waits forever on its Rust thread pool, whose
threads stayed in the server).

Why langdetect first, for every text, then lingua (:func:`identify_apart`): langdetect's
profiles (~60 MB) are let go before lingua's models load, so this process's peak (beside the
run's pool) holds lingua's models only (benchmarks/README.md "Round 12 (id12)"). Each guess
is :func:`newsetl.language.guess_from` of the same two opinions
:func:`~newsetl.language.identify_language` asks for (langdetect's draws are seeded per text,
so the order of the texts does not change them).
"""

from __future__ import annotations

import gc
import pickle
import sys

from newsetl.language import (
    LINGUA_CHARS,
    SHORT_TEXT_LETTERS,
    LanguageGuess,
    guess_from,
    has_letters,
    identify_language,
    langdetect_probabilities,
    language_sample,
    lingua_probabilities,
    release_langdetect,
    short_text_candidates,
    short_text_reading,
    unload_short_text_models,
)
from newsetl.memory import give_back

#: At most this many languages' short-text models are loaded at once (:func:`lingua_in_turn`):
#: ~26 MB each, ~0.6 GB with the process's own (572 MB on texts of ~45 languages).
MAX_LOADED_LANGUAGES = 16
#: :func:`lingua_in_turn` gives freed memory back to the system (``malloc_trim``) once this
#: many languages' models were let go since it last did. On 572 short texts of ~45 languages
#: (``tests/test_language_job.py``'s): after each let-go 11.3 s of system CPU and a peak of
#: 561 MB; never 1.4 s and 621 MB; after 8 languages 5.4 s and 572 MB.
TRIM_AFTER_LANGUAGES = 8


def identify_all(jobs: list[tuple[str, str | None, int]]) -> list[LanguageGuess]:
    """:func:`identify_language` of each ``(text, declared, seed)``, one after another: the
    guesses :func:`identify_apart` gives by another order of work (the tests compare the two;
    since round 31 the run's fallback, too, uses :func:`identify_apart`)."""
    return [identify_language(text, declared, seed) for text, declared, seed in jobs]


def identify_apart(jobs: list[tuple[str, str | None, int]]) -> list[LanguageGuess]:
    """The guesses of :func:`identify_all`, langdetect asked about every text before lingua
    about any, and its profiles let go (and the memory given back) in between."""
    samples = [language_sample(text) for text, _, _ in jobs]
    ld = [
        langdetect_probabilities(sample, seed) if sample is not None else {}
        for sample, (_, _, seed) in zip(samples, jobs, strict=True)
    ]
    release_langdetect()
    gc.collect()
    give_back()
    li = lingua_in_turn([s[:LINGUA_CHARS] if s is not None else None for s in samples], ld)
    return [
        guess_from(sample, declared, a, b)
        for sample, (_, declared, _), a, b in zip(samples, jobs, ld, li, strict=True)
    ]


def lingua_in_turn(
    texts: list[str | None], opinions: list[dict[str, float]]
) -> list[dict[str, float]]:
    """:func:`~newsetl.language.lingua_probabilities` of each text (``{}`` for None), the
    texts taken in an order of their short-text candidate languages, and the models of the
    languages used longest ago let go whenever more than :data:`MAX_LOADED_LANGUAGES`
    languages' would be loaded at once.

    Why: a run's set-aside texts come in one process, and their candidates together may be
    most of lingua's Latin-script languages (~26 MB of short-text models each): this
    process's peak, beside the run's pool, stays that of :data:`MAX_LOADED_LANGUAGES`
    languages. The next text is always the one that needs the fewest models not loaded yet,
    so texts of alike candidates come together and models are loaded again rarely; when it
    would pass the bound, the languages it does not need that were used longest ago go, not
    every language (round 30 let every model go: 572 short texts of ~45 languages took the
    process 254 s, models loaded again group after group; 73 s now, with fewer candidates a
    text too; benchmarks/README.md "Round 31"). Each text's scores are the same whatever
    came before it (lingua's models are only loaded or not)."""
    # each text's trigram reading, once: it names the text's candidates here, and is handed
    # to lingua_probabilities below (which would otherwise read the text again)
    readings = [
        short_text_reading(text, opinion)
        if text is not None and not has_letters(text, SHORT_TEXT_LETTERS)
        else None
        for text, opinion in zip(texts, opinions, strict=True)
    ]
    candidates = [
        short_text_candidates(text, reading=reading) if text is not None else frozenset()
        for text, reading in zip(texts, readings, strict=True)
    ]
    out: list[dict[str, float]] = [{} for _ in texts]
    left = {i for i, text in enumerate(texts) if text is not None}
    used: dict[str, int] = {}  # loaded languages -> when a text last needed them
    let_go = 0  # languages let go since the memory was last given back
    for turn in range(len(left)):
        # the text that needs the fewest models not loaded yet; when it would pass the bound,
        # the loaded languages it does not need go, those used longest ago first
        i = min(left, key=lambda i: (len(candidates[i] - used.keys()), sorted(candidates[i]), i))
        over = len(used.keys() | candidates[i]) - MAX_LOADED_LANGUAGES
        if over > 0:
            spare = sorted(used.keys() - candidates[i], key=lambda code: (used[code], code))
            unload_short_text_models(spare[:over])
            for code in spare[:over]:
                del used[code]
            let_go += over
            if let_go >= TRIM_AFTER_LANGUAGES:  # what they held, back to the system
                give_back()
                let_go = 0
        out[i] = lingua_probabilities(texts[i], opinions[i], readings[i])  # type: ignore[arg-type]
        used.update(dict.fromkeys(candidates[i], turn))
        left.discard(i)
    return out


def main() -> None:
    jobs = pickle.load(sys.stdin.buffer)
    pickle.dump(identify_apart(jobs), sys.stdout.buffer)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
