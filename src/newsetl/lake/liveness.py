"""Shard flow runs whose process died elsewhere ("zombies"): heartbeats, an automation, a bound.

A flow run whose machine is lost (SIGKILL, OOM, power) stays "Running" in Prefect for ever:
nothing is left to report its end. The parent of a distributed run waits for every shard, so
without this it would wait for ever. Prefect's documented answer ("detect zombie flows"):

1. flow runs emit ``prefect.flow-run.heartbeat`` events every
   ``PREFECT_FLOWS_HEARTBEAT_FREQUENCY`` seconds (:func:`heartbeat_env`, put in the
   deployments' job variables by :func:`newsetl.lake.distributed.deploy`);
2. a *proactive* automation (:func:`ensure_zombie_automation`) expects, after each heartbeat
   of a run, another heartbeat or a final state within ``shard_silence_s``, and sets the run
   Crashed when neither comes. It runs in the server's triggers service (the OSS
   ``prefect server start`` has it), so it also covers runs nobody waits for;
3. the parent does not rely on it: :class:`SilenceWatch` marks a run it has not heard from
   (no new heartbeat, no state change) for ``shard_silence_s`` (plus
   :data:`AUTOMATION_LAG_S`, to let the automation act first) Crashed itself, so the wait is
   bounded even where the automation is missing (a server set up by hand, the triggers
   service off) or a run died before its first heartbeat reached the server.

"Heard from" is measured on the parent's own clock (when it *saw* a new heartbeat event or a
new state), never by comparing another machine's timestamps with this one's.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from newsetl.settings import Settings

log = logging.getLogger(__name__)

#: The automation :func:`ensure_zombie_automation` keeps (one per Prefect server).
ZOMBIE_AUTOMATION = "newsetl: crash silent distributed runs"
#: The message a run the automation crashed carries (the parent reports it per shard).
ZOMBIE_MESSAGE = "no heartbeat within {silence:g} s: its process or machine is gone"
#: Prefect refuses a heartbeat frequency below this (``FlowsSettings.heartbeat_frequency``).
PREFECT_MIN_HEARTBEAT_S = 30
HEARTBEAT_EVENT = "prefect.flow-run.heartbeat"


def heartbeat_s(settings: Settings) -> int:
    """The heartbeat period to ask Prefect for: ``shard_heartbeat_s``, at least Prefect's floor."""
    return max(PREFECT_MIN_HEARTBEAT_S, int(settings.shard_heartbeat_s))


def silence_s(settings: Settings) -> float:
    """How long a run may stay unheard before it is taken as dead: ``shard_silence_s``, but
    never less than one heartbeat period and a half (a shorter bound would crash healthy runs
    between two heartbeats)."""
    return max(float(settings.shard_silence_s), 1.5 * heartbeat_s(settings))


#: How much longer than ``shard_silence_s`` the parent waits before it crashes a run itself:
#: the server evaluates proactive triggers every 5 s and persists events every 5 s, so the
#: automation (which also records the crash for runs nobody waits for) normally acts first.
AUTOMATION_LAG_S = 15.0


def parent_bound(settings: Settings) -> float:
    """Seconds the waiting parent lets a run go unheard before it marks it Crashed itself."""
    return silence_s(settings) + AUTOMATION_LAG_S


def heartbeat_env(settings: Settings) -> dict[str, str]:
    """Environment for a deployment's flow runs that makes them emit heartbeats."""
    return {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(heartbeat_s(settings))}


def zombie_automation(deployment_ids: Iterable[uuid.UUID], silence: float) -> Any:
    """The automation of Prefect's "detect zombie flows" guide, limited to flow runs of
    ``deployment_ids`` (other flows on the same server are not this project's to crash):
    after a heartbeat of a run, expect another heartbeat or a final state within ``silence``
    seconds, else set the run Crashed."""
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    deployments = sorted(f"prefect.deployment.{d}" for d in deployment_ids)
    return AutomationCore(
        name=ZOMBIE_AUTOMATION,
        description="Distributed newsetl runs: a flow run of these deployments that stops "
        "sending heartbeats (its machine was lost) is set Crashed. Made by `newsetl lake deploy`.",
        trigger=EventTrigger(
            after={HEARTBEAT_EVENT},
            expect={
                HEARTBEAT_EVENT,
                "prefect.flow-run.Completed",
                "prefect.flow-run.Failed",
                "prefect.flow-run.Cancelled",
                "prefect.flow-run.Crashed",
            },
            match=ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"}),
            match_related=ResourceSpecification(
                {"prefect.resource.role": "deployment", "prefect.resource.id": deployments}
            ),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=silence),
        ),
        actions=[
            ChangeFlowRunState(
                name=None,
                state=StateType.CRASHED,
                message=ZOMBIE_MESSAGE.format(silence=silence),
                force=False,  # a run that just ended keeps its final state
            )
        ],
    )


def ensure_zombie_automation(client: Any, deployment_ids: Iterable[uuid.UUID], silence: float):
    """Create :data:`ZOMBIE_AUTOMATION` or bring it up to date (deploying twice leaves one
    automation, with the latest deployments and bound); returns its id."""
    wanted = zombie_automation(deployment_ids, silence)
    existing = client.read_automations_by_name(ZOMBIE_AUTOMATION)
    if not existing:
        return client.create_automation(wanted)
    keep, *extra = sorted(existing, key=lambda a: str(a.id))
    for automation in extra:  # made by two deploys at once: one is enough
        client.delete_automation(automation.id)
    client.update_automation(keep.id, wanted)
    return keep.id


class SilenceWatch:
    """The parent's own bound: which of the flow runs it waits for it has not heard from
    (no new heartbeat event, no new state) for ``silence`` seconds.

    Runs Scheduled or Late are never silent: they wait for a free worker, which may rightly
    take long. From Pending on (a worker took the run), the clock runs."""

    def __init__(self, silence: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.silence = silence
        self.clock = clock
        self._seen: dict[uuid.UUID, tuple[Any, float]] = {}  # run -> (what was heard, when)

    def silent(self, client: Any, runs: list[Any]) -> list[tuple[Any, float]]:
        """(run, seconds unheard) for each of ``runs`` (not final) silent for too long."""
        watched = [r for r in runs if r.state is not None and (r.state.is_running() or
                                                               r.state.is_pending())]  # fmt: skip
        beats = latest_heartbeats(client, [r.id for r in watched]) if watched else {}
        now = self.clock()
        found = []
        for run in watched:
            heard = (run.state.id, beats.get(run.id) if beats is not None else None)
            last = self._seen.get(run.id)
            if last is None or last[0] != heard or beats is None:  # None: cannot tell
                self._seen[run.id] = (heard, now)
                continue
            unheard = now - last[1]
            if unheard > self.silence:
                found.append((run, unheard))
        return found


#: Events the server returns per request at most (``prefect.server.events.storage``).
EVENTS_PAGE = 50


def latest_heartbeats(client: Any, run_ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID] | None:
    """run id -> id of its newest heartbeat event the server holds (one request per 50 runs);
    None when the events cannot be read (the caller then cannot tell silence from life)."""
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    resources = {f"prefect.flow-run.{r}": r for r in run_ids}
    names = sorted(resources)
    found: dict[uuid.UUID, uuid.UUID] = {}
    for start in range(0, len(names), EVENTS_PAGE):
        chunk = names[start : start + EVENTS_PAGE]
        try:
            page = client.read_events(
                EventFilter(
                    event=EventNameFilter(name=[HEARTBEAT_EVENT]),
                    resource=EventResourceFilter(id=chunk, distinct=True),
                ),
                limit=len(chunk),
            )
        except Exception as exc:  # an old server without the events API, a network error
            log.warning("heartbeats not readable: %s", exc)
            return None
        for event in page.events:
            if event.resource.id in resources:
                found[resources[event.resource.id]] = event.id
    return found
