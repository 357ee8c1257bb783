"""``python -m newsetl.language_job``: identify the languages of short texts in a process
that imports nothing else (pickled ``(text, declared language, seed)`` jobs on stdin, the
pickled :class:`~newsetl.language.LanguageGuess` list on stdout).

Why a process of its own that is neither the run's nor a fork of the fork server: lingua's
uni- to five-gram models of every Latin-script language (~0.9 GB) are loaded for these texts
(:mod:`newsetl.run.shorttexts`). A fork of the fork server holds them on top of everything the
server warmed (trafilatura, the gazetteer: ~1.15 GB for the pair while it runs), a plain
interpreter with this module only ~1.0 GB, and the server is stopped meanwhile
(benchmarks/README.md "Memory, round 8"). Same function of the same text and seed, so the
same guess.

Why langdetect first, for every text, then lingua (:func:`identify_apart`): langdetect's
profiles (~60 MB) are let go before lingua's models load, so this process's peak, which is
the run's (beside the run's own process), holds lingua's models only (benchmarks/README.md
"Round 12 (id12)"). Each guess is :func:`newsetl.language.guess_from` of the same two
opinions :func:`~newsetl.language.identify_language` asks for (langdetect's draws are seeded
per text, so the order of the texts does not change them).
"""

from __future__ import annotations

import gc
import pickle
import sys

from newsetl.language import (
    LINGUA_CHARS,
    LanguageGuess,
    guess_from,
    identify_language,
    langdetect_probabilities,
    language_sample,
    lingua_probabilities,
    release_langdetect,
)
from newsetl.memory import give_back


def identify_all(jobs: list[tuple[str, str | None, int]]) -> list[LanguageGuess]:
    """:func:`identify_language` of each ``(text, declared, seed)`` (the run's own process,
    when this one failed: langdetect stays loaded there for the rest of the run)."""
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
    li = [
        lingua_probabilities(sample[:LINGUA_CHARS]) if sample is not None else {}
        for sample in samples
    ]
    return [
        guess_from(sample, declared, a, b)
        for sample, (_, declared, _), a, b in zip(samples, jobs, ld, li, strict=True)
    ]


def main() -> None:
    jobs = pickle.load(sys.stdin.buffer)
    pickle.dump(identify_apart(jobs), sys.stdout.buffer)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
