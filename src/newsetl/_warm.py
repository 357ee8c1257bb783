"""Imported once by the process pool's fork server (see :mod:`newsetl.workers`).

Its import loads the data every worker needs, so that workers forked from the server start
ready. Nothing else imports it.
"""

from newsetl.workers import warm_fork_server

warm_fork_server(analysis=True)
