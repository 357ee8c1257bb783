"""Imported once by the process pool's fork server when a run does neither artefact repair nor
entity extraction (see :mod:`newsetl.workers`): loads only what extraction and language
identification need, not the word lists and gazetteers. Nothing else imports it.
"""

import gc
import logging

try:
    from newsetl.workers import warm_up

    warm_up(analysis=False)
except Exception:  # a failed warm-up must not break the server: workers then load lazily
    logging.getLogger(__name__).exception("worker warm-up failed")

gc.freeze()  # see newsetl._warm
