"""A plug-in analysis stage that never returns on one article (``tests/test_page_deadline.py``).

Why a plug-in and not a hostile text: no real text was found that keeps the built-in analyses
busy for long (their inputs are capped, ``Settings.max_text_chars``); a stage registered by a
user is code the run does not control either, and the deadline must hold for it too. It lives
in a module of its own so that the pool's workers can import it (the stage travels to them
pickled, by reference).
"""

from __future__ import annotations

from dataclasses import dataclass

from newsetl.stages import Stage

#: The stage spins on an article whose text has this.
MARKER = "Stuckmarker"


@dataclass(frozen=True)
class Spin(Stage):
    def apply(self, item, article, batch, stats, run_id, options) -> None:
        while MARKER in article["text"]:  # for ever: a CPU-bound loop, as a hostile input gives
            pass


STUCK = Spin(name="stuck-on-marker")
