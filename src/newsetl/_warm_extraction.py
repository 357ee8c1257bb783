"""Imported once by the process pool's fork server when a run does neither artefact repair nor
entity extraction (see :mod:`newsetl.workers`): loads only what extraction and language
identification need, not the word lists and gazetteers. Nothing else imports it.
"""

from newsetl.workers import warm_fork_server

warm_fork_server(analysis=False)
