"""Imported by the process pool's fork server after its warm-up module, for a run long enough
to recycle its workers (see :func:`newsetl.workers.preload_modules`).

It loads htmldate's date parser (:func:`newsetl.dates.warm_date_parser`): 1.9 s of CPU once,
instead of 1.5 s in every worker of every generation. A shorter run does not import it: its
workers may never need the date parser's locales (the 181 Zyte pages: +1.6 s of CPU with it,
benchmarks/README.md "Round 11 (mem11)"). Nothing else imports it.
"""

import gc

from newsetl.dates import warm_date_parser

warm_date_parser()
gc.freeze()  # as the warm-up module's data: never scanned (and so touched) in a worker
