"""Splitting a distributed run's sources into shards, by host.

Why by host: politeness (one request per host per interval) is then a matter of one worker
in the common case, with its in-process spacing, and the rate limit shared through Prefect
(:mod:`newsetl.lake.politeness`) only has to referee the rare host that is split (a sitemap
that names pages on another host). Why deterministic: a shard re-run after its worker died
must get the same sources under the same shard name, so that it re-makes the same batch ids
(``<parent run>-<shard>-<batch no>``) and the merge takes each batch once.

A shard is a list of source strings and nothing warehouse-sized: it travels as a flow-run
parameter through the Prefect API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from newsetl.urls import is_http


def source_host(source: str) -> str:
    """``host[:port]`` of an http(s) source (a forced mode such as ``sitemap:URL`` is read
    past), or ``""`` for a local file."""
    forced, _, rest = source.partition(":")
    if rest and not rest.startswith("//") and forced.isalpha() and is_http(rest):
        source = rest
    return urlsplit(source).netloc.lower() if is_http(source) else ""


@dataclass
class Shard:
    """One shard of a distributed run: its name (``s00``, ``s01``, ...) and sources."""

    name: str
    sources: list[str] = field(default_factory=list)

    @property
    def hosts(self) -> list[str]:
        return sorted({source_host(s) for s in self.sources} - {""})


def plan_shards(sources: list[str], shards: int) -> list[Shard]:
    """At most ``shards`` shards, every host's sources in one shard, balanced by number of
    sources (largest host first onto the emptiest shard; ties by name), same input -> same
    plan. Fewer hosts than ``shards`` give one shard per host."""
    by_host: dict[str, list[str]] = {}
    for source in dict.fromkeys(sources):  # a source named twice is one source
        by_host.setdefault(source_host(source), []).append(source)
    count = max(1, min(int(shards), len(by_host)))
    plan = [Shard(f"s{n:02d}") for n in range(count)]
    for _host, named in sorted(by_host.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        emptiest = min(plan, key=lambda shard: (len(shard.sources), shard.name))
        emptiest.sources.extend(named)
    return [shard for shard in plan if shard.sources]
