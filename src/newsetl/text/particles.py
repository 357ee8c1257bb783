"""Lower-case words that belong to proper names ("von der Leyen", "Cassa Depositi e Prestiti"):
every list in one place, each named by what it is for.

The lists differ on purpose. The artefact detectors mask whole names so that no rule flags a
word inside one, so their list also holds the conjunctions and articles of organisation names
("e", "and", "of", "the"). Entity extraction decides which words a *surname* keeps, so its
list holds only the particles of personal names, in more languages. Entity ids are computed
with :data:`SURNAME_PARTICLES`, so a change to it changes ids.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Lower-case words that may sit inside a multi-word proper name ("Cassa Depositi e Prestiti",
#: "Ursula von der Leyen", "Museo del Prado"): the detectors mask a capitalised sequence joined
#: by them.
WITHIN_NAMES = _words(
    "de di da do dos das del della delle dello dei degli du des von van der den ten ter zu e "
    "y et und la le el los las les l d of and the for on upon in am im al ibn bin bint"
)

#: Lower-case particles that join the name after them ("von der Leyen", "de Gaulle", "da
#: Vinci"): the detectors mask them with the name they precede.
BEFORE_NAMES = _words("von van der de di da del della dos du le la al ibn bin")

#: Lower-case words that belong to a surname ("von der Leyen", "de la Fuente", "dos Santos",
#: "bin Salman"). A surname mention keeps them when the full name in the same text has them
#: right before the surname, so "von der Leyen" groups with "Ursula von der Leyen".
SURNAME_PARTICLES = _words(
    """von vom zu van der den de del della dei degli di da dal dalla do dos das du des la le
    lo ter ten bin ibn al el"""
)

#: "van der Berg", "von der Leyen": articles allowed after a surname particle.
SURNAME_PARTICLE_ARTICLES = frozenset(
    {("van", "der"), ("van", "den"), ("von", "der"), ("van", "de"), ("de", "la")}
)

#: Particle pairs that, outside German prose, begin a surname even with no full name in the
#: text ("... said von der Leyen"); "van de" is left out: Dutch writes "van de Veluwe".
SURNAME_OPENING_PAIRS = frozenset({("von", "der"), ("van", "der"), ("van", "den"), ("von", "dem")})
