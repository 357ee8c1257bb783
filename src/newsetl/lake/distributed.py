"""The distributed ingest (issue 15 phase B): a parent flow, shard flows on a work pool, one merge.

```
parent flow (any machine)          workers (prefect worker start --pool P --limit 1, N machines)
  plan shards by host      ─┐
  one rate limit per host   ├─ run_deployment(shard) ─► shard flow: fetch, extract, analyse,
  wait for the shards      ─┘                            stage each batch, append it to the lake
  stage + append its own runs row
  run_deployment(merge)  ─────────────────────────────► the one merge step (concurrency 1)
```

A shard is the run engine (:class:`newsetl.run.Run`) ending at staging (:func:`run_shard`):
each batch is staged on the worker's
disk exactly as for the DuckDB file and appended to the lake's staging tables
(:func:`newsetl.lake.staging.append_pending`); nothing opens a DuckDB warehouse file. What the
run would look up in the warehouse (conditional-GET validators, stored translations, the
originals of machine-translated pages) it reads from the lake pinned at the snapshot the shard
started from, for the shard's URLs and texts only
(:class:`newsetl.run.reader.ConnectionReader`).

Exactly once: the shard's run id is ``<parent run>-<shard>`` and its batches are named
``<parent run>-<shard>-<batch no>`` (``Run.open(batch_prefix=...)``), the run record
``<parent run>-<shard>-run``. A shard re-run after a ``kill -9`` re-makes the same ids; the
merge takes the first appended version of each id and never merges an id twice. A re-run of
the parent with the same run id skips shards whose run record is already appended.

Why a work pool and not Dask: see docs/scale-out.md ("Phase B").
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import duckdb
from prefect import flow, get_run_logger

from newsetl.lake.connect import current_snapshot, open_lake
from newsetl.lake.liveness import (
    ZOMBIE_AUTOMATION,
    ensure_zombie_automation,
    heartbeat_env,
    parent_bound,
    silence_s,
)
from newsetl.lake.schema import STAGING, migrate_lake
from newsetl.lake.shards import Shard, plan_shards
from newsetl.lake.staging import append_pending
from newsetl.run import Run
from newsetl.run.reader import ConnectionReader
from newsetl.runs import RunSummary
from newsetl.settings import Settings
from newsetl.warehouse import Batch, stage_batch

log = logging.getLogger(__name__)

#: Deployment names (``<flow name>/<deployment name>``) that :func:`deploy` creates.
SHARD_DEPLOYMENT = "newsetl-ingest-shard/shard"
MERGE_DEPLOYMENT = "newsetl-lake-merge/merge"
#: The suffix of a shard's (or the parent's) run-record batch: sorts after its batch numbers.
RUN_RECORD = "run"


def shard_run_id(parent_run_id: str, shard: str) -> str:
    return f"{parent_run_id}-{shard}"


# --------------------------------------------------------------------------------------------
# A shard: a run that ends at staging, appended to the lake
# --------------------------------------------------------------------------------------------
@dataclass
class ShardReport:
    """What one shard did; a plain dict of it is the shard flow's result."""

    shard: str
    run_id: str
    snapshot: int | None = None
    skipped: bool = False  # its run record was appended by an earlier attempt
    targets: int = 0
    fetched: int = 0
    failed: int = 0
    batches_appended: int = 0
    batches_already: int = 0
    batches_failed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_record_appended(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    """True if the run record batch of ``run_id`` is in the lake (the run finished)."""
    row = con.execute(
        f"SELECT count(*) FROM {STAGING}.batches WHERE batch_id = ?",
        [f"{run_id}-{RUN_RECORD}"],
    ).fetchone()
    return bool(row and row[0])


def run_shard(
    settings: Settings,
    sources: list[str],
    *,
    parent_run_id: str,
    shard: str,
    before_request: Callable[[str], None] | None = None,
) -> ShardReport:
    """One shard of a distributed run, in this process: the run engine
    (:class:`newsetl.run.Run`) ending at staging, each staged batch appended to the lake as
    it comes, then the shard's runs row. What the warehouse remembers is read from the lake
    at one pinned snapshot, for the shard's URLs and texts only; the DuckDB file is never
    opened.

    Staged batches live under ``<staging>/<shard run id>/`` until appended: batches a killed
    earlier attempt staged but did not append are appended first (same ids).
    """
    started = time.monotonic()
    run_id = shard_run_id(parent_run_id, shard)
    settings = settings.replace(staging_dir=settings.staging_path / run_id)
    report = ShardReport(shard=shard, run_id=run_id)
    con = open_lake(settings)
    try:
        migrate_lake(con, seeds=False)
        if run_record_appended(con, run_id):
            report.skipped = True
            return report
        _add_appends(report, append_pending(settings, con))  # leftovers of a killed attempt
        report.snapshot = current_snapshot(con)
        reader = ConnectionReader(settings, _pin(settings, report.snapshot))

        def append(staged: Path) -> None:
            _add_appends(report, append_pending(settings, con, batches=[staged]))

        try:
            summary = Run.open(
                settings,
                sources,
                run_id=run_id,
                batch_prefix=run_id,  # a re-run of the shard re-makes the same batch ids
                on_staged=append,
                reader=reader,
                before_request=before_request,
                record={
                    "flow_name": "newsetl-ingest-shard",
                    "parent_run_id": parent_run_id,
                    "shard": shard,
                },
            ).execute()
        finally:
            reader.close()
        _add_appends(report, append_pending(settings, con))  # anything left over
        report.targets = summary.targets
        report.fetched, report.failed = summary.stats.fetched, summary.stats.failed
    finally:
        con.close()
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _pin(settings: Settings, snapshot: int) -> duckdb.DuckDBPyConnection | None:
    """The lake read-only at ``snapshot``; None (lookups find nothing: pages are fetched in
    full, as on a first run) where a second attach is refused: a local catalog *file* can be
    attached once per process, and the shard holds it for appending. Postgres has no limit."""
    try:
        return open_lake(settings, snapshot=snapshot)
    except duckdb.BinderException as exc:
        log.warning("lake lookups skipped (catalog attached once per process): %s", exc)
        return None


def _add_appends(report: ShardReport, appended) -> None:
    report.batches_appended += appended.appended
    report.batches_already += appended.already
    report.batches_failed.extend(appended.failed)


def shard_records(settings: Settings, parent_run_id: str) -> dict[str, dict[str, Any]]:
    """shard -> what its appended runs row says (targets, pages fetched and failed, seconds),
    read from the lake's staging tables (the first appended version of each)."""
    con = open_lake(settings, read_only=True)
    try:
        rows = con.execute(
            f"""
            SELECT shard, targets, pages_fetched, pages_failed,
                   epoch(finished_at) - epoch(started_at)
            FROM {STAGING}.runs WHERE parent_run_id = ?
            QUALIFY row_number() OVER (PARTITION BY shard ORDER BY finished_at) = 1
            """,
            [parent_run_id],
        ).fetchall()
    finally:
        con.close()
    return {
        shard: {"targets": t, "fetched": f, "failed": x, "seconds": round(float(sec or 0), 1)}
        for shard, t, f, x, sec in rows
    }


def stage_parent_record(
    settings: Settings,
    parent_run_id: str,
    sources: list[str],
    started_at: datetime,
    shards: list[dict[str, Any]],
) -> None:
    """The parent run's own runs row (``<parent>-zz-run``), appended to the lake."""
    summary = RunSummary(parent_run_id, sources, started_at, targets=0)
    summary.targets = sum(int(s.get("targets") or 0) for s in shards)
    summary.finished_at = datetime.now(UTC)
    row = summary.as_row()
    failed = [s for s in shards if s.get("state") != "COMPLETED"]
    row.update(
        flow_name="newsetl-distributed-ingest",
        status="partial" if failed else "completed",
        pages_fetched=sum(int(s.get("fetched") or 0) for s in shards),
        pages_failed=sum(int(s.get("failed") or 0) for s in shards),
    )
    batch = Batch()
    batch.add("runs", row)
    staging = settings.staging_path / parent_run_id
    staged = stage_batch(batch, staging, f"{parent_run_id}-zz-{RUN_RECORD}")
    append_pending(settings.replace(staging_dir=staging), batches=[staged])


# --------------------------------------------------------------------------------------------
# Prefect: the shard flow (on a worker), the parent flow, the deployments
# --------------------------------------------------------------------------------------------
@flow(name="newsetl-ingest-shard", log_prints=True, validate_parameters=False)
def shard_flow(
    sources: list[str], parent_run_id: str, shard: str, limited_hosts: list[str] | None = None
) -> dict[str, Any]:
    """One shard on a worker: a run that ends at staging, appended to the lake. Settings come
    from the worker's environment (``NEWSETL_WAREHOUSE_BACKEND=ducklake``, ``NEWSETL_LAKE_*``)."""
    from newsetl.lake.politeness import HostRateLimit

    _tag_with_process()
    hook = HostRateLimit(limited_hosts) if limited_hosts else None
    report = run_shard(
        Settings.from_env(), sources, parent_run_id=parent_run_id, shard=shard,
        before_request=hook,
    )  # fmt: skip
    get_run_logger().info("shard %s: %s", shard, report.as_dict())
    if report.batches_failed:
        raise RuntimeError(f"shard {shard}: batches not appended (still staged): {report}")
    return report.as_dict()


#: Tags a shard flow run gives itself: which machine and process runs it (Prefect's process
#: worker records only a process id, not the machine, in ``infrastructure_pid``).
HOST_TAG, PID_TAG = "newsetl-host:", "newsetl-pid:"


def _tag_with_process() -> None:
    """Tag the current flow run with this machine's name and this process's id, so that a
    re-run of the parent can tell a shard run that still runs from one whose worker died."""
    from prefect.client.orchestration import get_client
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return
    run = context.flow_run
    tags = [t for t in run.tags if not t.startswith((HOST_TAG, PID_TAG))]
    tags += [f"{HOST_TAG}{socket.gethostname()}", f"{PID_TAG}{os.getpid()}"]
    try:
        with get_client(sync_client=True) as client:
            client.update_flow_run(run.id, tags=tags)
    except Exception as exc:  # the run goes on; a re-run then takes it as alive
        log.warning("shard flow run not tagged with its process: %s", exc)


def _process_of(run: Any) -> tuple[str | None, int | None]:
    """(machine, process id) a shard flow run tagged itself with (:func:`_tag_with_process`)."""
    host, pid = None, None
    for tag in run.tags or ():
        if tag.startswith(HOST_TAG):
            host = tag[len(HOST_TAG) :]
        elif tag.startswith(PID_TAG) and tag[len(PID_TAG) :].isdigit():
            pid = int(tag[len(PID_TAG) :])
    return host, pid


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    with contextlib.suppress(OSError):  # a zombie has exited: nobody reaps a killed worker's
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return True


def earlier_shard_runs(
    client: Any, parent: str, shards: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The unfinished flow runs an earlier attempt of ``parent`` made for ``shards``:
    (shard -> a run that is still alive, shard -> a run whose process is gone).

    A run is gone when it tagged itself with this machine and its process no longer exists
    (its worker was killed: Prefect leaves it "Running" for ever). A run on another machine,
    or not started yet (Scheduled, Pending), counts as alive: this machine cannot see its
    process. Why it matters: resubmitting a live shard fetches its hosts twice at once (two
    rate limits' worth), and a stale "Running" run hides that the shard never finished."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    names = {f"{parent[:12]}-{shard}": shard for shard in shards}
    runs = client.read_flow_runs(
        flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=sorted(names)))
    )
    here = socket.gethostname()
    live: dict[str, Any] = {}
    gone: dict[str, Any] = {}
    for run in runs:
        shard = names.get(run.name)
        if shard is None or (run.parameters or {}).get("parent_run_id") != parent:
            continue
        if run.state is None or run.state.is_final():
            continue
        host, pid = _process_of(run)
        if run.state.is_running() and host == here and pid and not _process_alive(pid):
            gone[shard] = run
        else:
            live[shard] = run
    return live, gone


def mark_crashed(client: Any, run: Any, why: str) -> None:
    """Set a shard flow run whose process is gone to Crashed (Prefect does not notice it)."""
    from prefect.states import Crashed

    client.set_flow_run_state(run.id, Crashed(message=why), force=True)


def _wait(
    flow_run_ids: list[uuid.UUID],
    poll_s: float,
    bound: float,
    names: dict[uuid.UUID, str],
    parent: str,
) -> dict[uuid.UUID, Any]:
    """Poll the API until every flow run is in a final state; returns id -> flow run.

    Bounded: a run not heard from for ``bound`` seconds (no heartbeat, no state change;
    :class:`newsetl.lake.liveness.SilenceWatch`) is set Crashed here, naming its shard (the
    server's automation usually has done so already), so a shard whose machine was lost ends
    the wait instead of holding it for ever."""
    from prefect.client.orchestration import get_client

    from newsetl.lake.liveness import SilenceWatch

    final: dict[uuid.UUID, Any] = {}
    watch = SilenceWatch(bound)
    with get_client(sync_client=True) as client:
        while len(final) < len(flow_run_ids):
            waiting = []
            for run_id in flow_run_ids:
                if run_id in final:
                    continue
                run = client.read_flow_run(run_id)
                if run.state is not None and run.state.is_final():
                    final[run_id] = run
                else:
                    waiting.append(run)
            for run, unheard in watch.silent(client, waiting):
                fresh = client.read_flow_run(run.id)
                if fresh.state is not None and fresh.state.is_final():  # it just ended
                    continue
                why = (
                    f"{names.get(run.id, 'flow run')}: no heartbeat or state change for "
                    f"{unheard:.0f} s (bound {bound:g} s): its process or machine is gone; "
                    f"marked Crashed by parent run {parent}"
                )
                log.warning("%s (flow run %s)", why, run.id)
                mark_crashed(client, run, why)
            if len(final) < len(flow_run_ids):
                time.sleep(poll_s)
    return final


def _reconcile_earlier_runs(parent: str, shards: list[str], logger: Any) -> dict[str, Any]:
    """Mark the earlier attempt's shard runs whose process is gone Crashed; return the ones
    still alive (shard -> flow run), which the parent waits for instead of resubmitting."""
    from prefect.client.orchestration import get_client

    if not shards:
        return {}
    with get_client(sync_client=True) as client:
        live, gone = earlier_shard_runs(client, parent, shards)
        for shard, run in sorted(gone.items()):
            mark_crashed(client, run, f"its process is gone; shard {shard} re-run by {parent}")
            logger.warning(
                "shard %s: flow run %s had no process left; marked Crashed", shard, run.id
            )
    for shard, run in sorted(live.items()):
        logger.info("shard %s: flow run %s of an earlier attempt is %s; waiting for it",
                    shard, run.id, run.state.name if run.state else "?")  # fmt: skip
    return live


@flow(name="newsetl-distributed-ingest", log_prints=True, validate_parameters=False)
def distributed_ingest_flow(
    sources: list[str],
    shards: int = 2,
    parent_run_id: str | None = None,
    per_host_interval_s: float | None = None,
    shard_deployment: str = SHARD_DEPLOYMENT,
    merge_deployment: str | None = MERGE_DEPLOYMENT,
    poll_s: float = 1.0,
) -> dict[str, Any]:
    """Split ``sources`` into shards by host, create one rate limit per host, run the shard
    deployment once per shard on the work pool, wait, then run the merge deployment.

    Give the ``parent_run_id`` of a run that was interrupted to re-run it: shards whose run
    record is in the lake are skipped, the others re-make the same batch ids.
    """
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment

    from newsetl.lake.politeness import ensure_host_limits

    logger = get_run_logger()
    settings = Settings.from_env()
    parent = parent_run_id or uuid.uuid4().hex
    started_at = datetime.now(UTC)
    plan: list[Shard] = plan_shards(sources, shards)
    hosts = sorted({h for shard in plan for h in shard.hosts})
    interval = settings.per_host_interval_s if per_host_interval_s is None else per_host_interval_s
    ensure_host_limits(hosts, interval)
    con = open_lake(settings)
    try:
        migrate_lake(con, extra_seed_dirs=settings.extra_seed_dirs)
        done = {s.name for s in plan if run_record_appended(con, shard_run_id(parent, s.name))}
    finally:
        con.close()
    submitted: dict[uuid.UUID, Shard] = {}
    live = _reconcile_earlier_runs(parent, [s.name for s in plan if s.name not in done], logger)
    for shard in plan:
        if shard.name in done:
            logger.info("shard %s finished in an earlier attempt; skipped", shard.name)
            continue
        if shard.name in live:  # still running (or queued): wait for it, do not run it twice
            submitted[live[shard.name].id] = shard
            continue
        # a sync call in a sync flow returns the flow run itself (the stubs add a coroutine)
        run = cast(
            FlowRun,
            run_deployment(
                shard_deployment,
                parameters={
                    "sources": shard.sources,
                    "parent_run_id": parent,
                    "shard": shard.name,
                    "limited_hosts": hosts,
                },
                timeout=0,
                as_subflow=True,
                flow_run_name=f"{parent[:12]}-{shard.name}",
            ),
        )
        submitted[run.id] = shard
    results: list[dict[str, Any]] = [
        {"shard": name, "state": "COMPLETED", "skipped": True} for name in sorted(done)
    ]
    names = {run_id: f"shard {shard.name}" for run_id, shard in submitted.items()}
    for run_id, run in _wait(
        list(submitted), poll_s, parent_bound(settings), names, parent
    ).items():
        entry = {"shard": submitted[run_id].name, "state": run.state.type.value}
        if run.state.type.value != "COMPLETED":
            entry["error"] = run.state.message or run.state.name
        results.append(entry)
    records = shard_records(settings, parent)  # from the lake: no Prefect result storage
    for entry in results:
        entry.update(records.get(entry["shard"], {}))
    results.sort(key=lambda r: r["shard"])
    stage_parent_record(settings, parent, sources, started_at, results)
    merged: dict[str, Any] = {}
    if merge_deployment:
        merge = cast(
            FlowRun, run_deployment(merge_deployment, parameters={}, as_subflow=True, timeout=0)
        )
        merge = _wait([merge.id], poll_s, parent_bound(settings), {merge.id: "merge"}, parent)[
            merge.id
        ]
        merged = {"state": merge.state.type.value if merge.state else None}
        if merge.state is not None and not merge.state.is_completed():
            merged["error"] = merge.state.message or merge.state.name
    summary = {"parent_run_id": parent, "shards": results, "merge": merged}
    logger.info("distributed run %s: %s", parent, summary)
    failed = [r for r in results if r["state"] != "COMPLETED"]
    if failed:
        why = "; ".join(f"{r['shard']} {r['state']}: {r.get('error', '')}" for r in failed)
        raise RuntimeError(
            f"shards {[r['shard'] for r in failed]} of run {parent} did not complete ({why}); "
            f"re-run with parent_run_id={parent!r} (finished shards are skipped)"
        )
    return summary


def deploy(work_pool: str = "newsetl-lake", env: dict[str, str] | None = None) -> list[str]:
    """Create the ``process`` work pool (if missing) and the deployments a distributed run
    uses: the shard flow, the merge step (concurrency limit 1) and the parent flow. Their
    code is this installed package (the directory that holds ``newsetl/``), so every worker
    machine needs newsetl installed at the same path (a checkout or a virtualenv).

    Their flow runs emit heartbeats (``NEWSETL_SHARD_HEARTBEAT_S``), and the automation
    :data:`~newsetl.lake.liveness.ZOMBIE_AUTOMATION` sets one that stops sending them for
    ``NEWSETL_SHARD_SILENCE_S`` Crashed (its machine was lost; Prefect alone would leave it
    "Running" for ever). Idempotent: deploying again updates both. Returns the deployment
    names."""
    from pathlib import Path

    from prefect import Flow
    from prefect.client.orchestration import get_client

    import newsetl
    from newsetl.flows.pool import ensure_process_pool

    settings = Settings.from_env()
    ensure_process_pool(work_pool)
    root = str(Path(newsetl.__file__).resolve().parents[1])
    variables = {"env": {**heartbeat_env(settings), **(env or {})}}
    made, ids = [], []
    for entrypoint, name, limit in (
        ("newsetl/lake/distributed.py:shard_flow", "shard", None),
        ("newsetl/lake/flows.py:lake_merge_flow", "merge", 1),
        ("newsetl/lake/distributed.py:distributed_ingest_flow", "distributed", None),
    ):
        remote = cast(Flow, flow.from_source(source=root, entrypoint=entrypoint))
        deployment_id = remote.deploy(
            name=name,
            work_pool_name=work_pool,
            job_variables=variables,
            concurrency_limit=limit,
            print_next_steps=False,
            build=False,
            push=False,
        )
        made.append(f"{remote.name}/{name}")
        ids.append(cast(uuid.UUID, deployment_id))  # a sync call returns the id itself
        log.info("deployed %s (%s)", made[-1], deployment_id)
    with get_client(sync_client=True) as client:
        automation = ensure_zombie_automation(client, ids, silence_s(settings))
    log.info("automation %r (%s): silent runs set Crashed", ZOMBIE_AUTOMATION, automation)
    return made
