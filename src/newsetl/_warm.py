"""Imported once by the process pool's fork server (see :mod:`newsetl.workers`).

Its import loads the data every worker needs, so that workers forked from the server start
ready. Nothing else imports it.
"""

import gc
import logging

try:
    from newsetl.workers import warm_up

    warm_up()
except Exception:  # a failed warm-up must not break the server: workers then load lazily
    logging.getLogger(__name__).exception("worker warm-up failed")

# The loaded data lives as long as the server and its workers: freezing it keeps the garbage
# collector from scanning it in every worker, which would also touch (and so copy) the pages
# the workers share with the server.
gc.freeze()
