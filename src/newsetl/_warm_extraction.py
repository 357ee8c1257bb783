"""Imported once by the process pool's fork server when a run does neither artefact repair nor
entity extraction (see :mod:`newsetl.workers`): loads only what extraction and language
identification need, not the word lists and gazetteers. Nothing else imports it.

The cyclic garbage collector is paused first, for the imports too: see
:func:`newsetl.workers.warm_fork_server`, which starts it again.
"""

import gc

gc.disable()

from newsetl.workers import warm_fork_server  # noqa: E402  (after the collector's pause)

warm_fork_server(analysis=False)
