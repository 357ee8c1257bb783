"""Prefect flows and deployments for newsetl (the library itself is Prefect-free).

Importing this package sends the ``newsetl`` loggers' records to the Prefect API, so
newsetl's own warnings (translator down, warehouse busy, read copy not refreshed) show in
the flow-run logs next to Prefect's. Prefect does this for the loggers named in
``PREFECT_LOGGING_EXTRA_LOGGERS`` when it configures logging; ``prefect.yaml`` and the CLI
set it to ``newsetl``, and :func:`bridge_newsetl_logs` covers processes where Prefect was
configured before that (a worker's flow-run process, a library user's own flow).
"""

from __future__ import annotations

import logging

from newsetl.memory import settle_allocators

# a flow-run process (a worker's, a library user's) may import pyarrow next: its pool is chosen
# then (newsetl.memory.settle_allocators)
settle_allocators()

#: The loggers whose records reach the flow-run logs.
NEWSETL_LOGGERS = ("newsetl",)


def bridge_newsetl_logs() -> None:
    """Give the newsetl loggers a Prefect API handler unless they have one (idempotent)."""
    from prefect.logging.handlers import APILogHandler

    class RunLogHandler(APILogHandler):
        """Prefect's API handler, silent outside a flow or task run (a library call or a
        CLI command that never starts a flow must not warn about a missing run)."""

        def emit(self, record: logging.LogRecord) -> None:
            from prefect.context import FlowRunContext, TaskRunContext

            if FlowRunContext.get() or TaskRunContext.get():
                super().emit(record)

    for name in NEWSETL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(h, APILogHandler) for h in logger.handlers):
            logger.addHandler(RunLogHandler())


bridge_newsetl_logs()
