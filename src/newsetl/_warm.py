"""Imported once by the process pool's fork server (see :mod:`newsetl.workers`).

Its import loads the data every worker needs, so that workers forked from the server start
ready. Nothing else imports it.

The cyclic garbage collector is paused first, for the imports too: see
:func:`newsetl.workers.warm_fork_server`, which starts it again.
"""

import gc

gc.disable()

from newsetl.workers import warm_fork_server  # noqa: E402  (after the collector's pause)

warm_fork_server(analysis=True)
