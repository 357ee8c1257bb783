"""Imported once by the process pool's fork server (see :mod:`newsetl.workers`).

Its import loads the data every worker needs, so that workers forked from the server start
ready. Nothing else imports it.
"""

import logging

try:
    from newsetl.workers import warm_up

    warm_up()
except Exception:  # a failed warm-up must not break the server: workers then load lazily
    logging.getLogger(__name__).exception("worker warm-up failed")
