"""Per-host politeness across workers: one Prefect rate limit per host.

A single run spaces its requests to one host in-process (``newsetl.downloads.HostScheduler``).
Workers on several machines cannot share that, so the parent flow of a distributed run
creates one Prefect *global concurrency limit* per host (``host:<host>``, limit 1, slot decay
``1 / interval``: a slot frees itself ``interval`` seconds after it was taken), and each
shard's fetcher calls :class:`HostRateLimit` before every request to a host of the plan
(``Fetcher(before_request=...)``), which takes a slot with
``prefect.concurrency.sync.rate_limit(..., strict=True)``: strict, because a missing limit
would otherwise let the request through unthrottled.

Hosts outside the plan (a redirect or a sitemap to another site) keep the in-process spacing
only: creating limits from the workers would race between them, and such hosts are named by
one shard's sources in the common case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PREFIX = "host:"


def limit_name(host: str) -> str:
    """The concurrency-limit name of ``host`` (Prefect names refuse ``/`` and ``%``)."""
    return PREFIX + re.sub(r"[^A-Za-z0-9._:\-\[\]]", "_", host.lower())


def ensure_host_limits(hosts: Iterable[str], interval_s: float) -> list[str]:
    """Create (or update) one rate limit per host: 1 slot, decaying in ``interval_s``.
    Returns the limit names. Needs a Prefect API (``PREFECT_API_URL``)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import (
        GlobalConcurrencyLimitCreate,
        GlobalConcurrencyLimitUpdate,
    )
    from prefect.exceptions import ObjectNotFound

    decay = 1.0 / max(float(interval_s), 1e-3)
    names = []
    with get_client(sync_client=True) as client:
        for host in sorted(set(hosts)):
            name = limit_name(host)
            names.append(name)
            try:
                client.read_global_concurrency_limit_by_name(name)
            except ObjectNotFound:
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(
                        name=name, limit=1, slot_decay_per_second=decay, active=True
                    )
                )
            else:
                client.update_global_concurrency_limit(
                    name,
                    GlobalConcurrencyLimitUpdate(limit=1, slot_decay_per_second=decay, active=True),
                )
    return names


class HostRateLimit:
    """``Fetcher(before_request=HostRateLimit(hosts))``: wait for the host's shared slot.

    A plain object (picklable, no client held): each call goes through Prefect's own
    concurrency client, which retries while the slot is taken.
    """

    def __init__(self, hosts: Iterable[str]) -> None:
        self.hosts = frozenset(h.lower() for h in hosts)

    def __call__(self, host: str) -> None:
        if host.lower() not in self.hosts:
            return
        from prefect.concurrency.sync import rate_limit

        rate_limit(limit_name(host), occupy=1, strict=True)
