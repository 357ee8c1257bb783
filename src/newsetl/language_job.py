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
"""

from __future__ import annotations

import pickle
import sys

from newsetl.language import LanguageGuess, identify_language


def identify_all(jobs: list[tuple[str, str | None, int]]) -> list[LanguageGuess]:
    """:func:`identify_language` of each ``(text, declared, seed)``."""
    return [identify_language(text, declared, seed) for text, declared, seed in jobs]


def main() -> None:
    jobs = pickle.load(sys.stdin.buffer)
    pickle.dump(identify_all(jobs), sys.stdout.buffer)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
