"""The distributed ingest (issue 15 phase B) end to end, on real parts: a PostgreSQL catalog,
moto's S3 server for the data, a real ``prefect server start``, a ``process`` work pool with two
``prefect worker start`` processes, and a local site on three hosts (127.0.0.1-3).

The reference is the single-machine path (``newsetl.ingest.run_ingest`` into a DuckDB file) on
the same pages: the lake must hold the same articles, artefacts, entities, mentions, story
clusters and pages. Host 127.0.0.1's sitemap also names pages of 127.0.0.2 (a host then
fetched by two shards at once): the Prefect rate limit must keep that host's requests spaced
across the two workers. A worker killed with SIGKILL mid-shard, then the parent re-run with the
same run id: every batch is merged exactly once and nothing is stored twice.

Skipped (with the reason) when PostgreSQL or moto is not installed; ``.ci/run`` installs both.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from distsite import SiteHosts
from lakeservers import (
    MotoServer,
    PostgresServer,
    PrefectServer,
    PrefectWorkers,
    lake_env_vars,
    server_fixture,
    stop_process_group,
)

from newsetl.ingest import run_ingest
from newsetl.lake.connect import open_lake
from newsetl.lake.read import snapshot_of_run
from newsetl.lake.schema import STAGING, target_schema
from newsetl.lake.shards import plan_shards, source_host
from newsetl.settings import Settings

BIN = Path(sys.executable).parent
POOL = "newsetl-lake-test"
#: per-host interval of every run here: short, so the test is quick, long enough to measure
INTERVAL = 0.25
BASE = {
    "NEWSETL_PER_HOST_INTERVAL_S": str(INTERVAL),
    "NEWSETL_BATCH_SIZE": "8",  # fewer, larger batches: each merge has a fixed cost
    "NEWSETL_PROCESS_POOL_MIN_PAGES": "1000000",  # two workers share two cores: no pools
    "NEWSETL_PROCESS_POOL_WARM_MIN_PAGES": "1000000",
    "NEWSETL_ALLOW_PRIVATE_NETWORKS": "true",  # the partner pages on another 127.0.0.x
    "NEWSETL_TRANSLATOR": "none",
}

#: What must be equal between the lake and the single-machine file (run ids and times differ).
COMPARED = {
    "articles": "article_id, url, canonical_url, site, title, language, text, content_hash, "
    "fingerprint, near_duplicate_of, source_language, repaired_text, quality_flags",
    "artefacts": "* EXCLUDE (run_id, detected_at)",
    "article_language_spans": "* EXCLUDE (run_id)",
    "entities": "entity_id, name, type, source",
    "entity_aliases": "*",
    "mentions": "*",
    "entity_articles": "*",
    "story_clusters": "*",
    "entity_resolution": "*",
    "pages": "url, final_url, status_code, raw_sha256, article_id",
}


# --- servers (once per module) ---------------------------------------------------------------
postgres = server_fixture(PostgresServer, "module")
s3 = server_fixture(MotoServer, "module", ready=lambda server: server.create_bucket("lake"))


@pytest.fixture(scope="module")
def prefect_api():
    """``prefect server start`` (temporary PREFECT_HOME) with the deployments made by
    ``newsetl lake deploy``; yields the env to talk to it."""
    with PrefectServer() as server:
        deployed = subprocess.run(
            [str(BIN / "newsetl"), "lake", "deploy", "--pool", POOL],
            env=server.env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert deployed.returncode == 0, deployed.stderr[-3000:]
        yield server.env


@pytest.fixture
def lake_env(tmp_path, postgres, s3, prefect_api) -> dict[str, str]:
    """A new lake (its own Postgres database, its own S3 prefix) and the env every process of
    one distributed run gets."""
    dsn = postgres.create_database(f"dist_{uuid.uuid4().hex[:10]}")
    return {
        **prefect_api,
        **BASE,
        **lake_env_vars(dsn, s3, tmp_path),
    }


def lake_settings(env: dict[str, str]) -> Settings:
    return Settings.from_env({k: v for k, v in env.items() if k.startswith("NEWSETL_")})


@pytest.fixture
def workers(lake_env, tmp_path):
    pool = PrefectWorkers(POOL, lake_env, tmp_path)
    pool.start()
    pool.start()
    try:
        yield pool
    finally:
        pool.stop()


@pytest.fixture(scope="module")
def site():
    # host 1 (127.0.0.1) also lists 8 pages of host 2 that host 2's own sitemap does not
    with SiteHosts(hosts=3, pages_per_host=12, partner_pages=8) as served:
        yield served


@pytest.fixture(scope="module")
def reference(site, tmp_path_factory) -> Path:
    """The single-machine path on the same pages: run_ingest into a DuckDB file."""
    root = tmp_path_factory.mktemp("dist-reference")
    settings = Settings.from_env(BASE, db_path=root / "single.duckdb")
    summary = run_ingest(site.sources, settings)
    assert summary.stats.failed == 0
    return settings.db_path


def start_parent(env: dict[str, str], site: SiteHosts, run_id: str, logs: Path):
    out = open(logs / f"parent-{run_id}-{time.monotonic_ns()}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [str(BIN / "newsetl"), "lake", "ingest", *site.sources, "--shards", "2",
         "--run-id", run_id],
        env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    out.close()
    return process


def wait_for(process: subprocess.Popen, timeout: float, log: Path | None = None) -> None:
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_process_group(process)
        pytest.fail(f"parent run did not finish in {timeout}s")
    assert process.returncode == 0, f"parent run failed ({process.returncode})"


def _retries_in_logs(logs: Path) -> str:
    """The lines of the parent run's logs that tell of a retry or a failure (a diagnosis)."""
    lines = []
    for path in sorted(logs.glob("parent-*.log")):
        text = path.read_text(errors="replace")
        lines += [line for line in text.splitlines() if re.search(r"(?i)retr|fail|crash", line)]
    return "\n".join(lines[-40:])


def compared_rows(con, database: str, table: str) -> list[str]:
    rows = con.execute(f"SELECT {COMPARED[table]} FROM {database}.{table}").fetchall()
    return sorted(map(repr, rows))


def assert_same_as_single_machine(settings: Settings, reference: Path) -> dict[str, int]:
    con = open_lake(settings, read_only=True)
    try:
        con.execute(f"ATTACH '{reference}' AS wh (READ_ONLY)")
        counts = {}
        for table in COMPARED:
            expected, got = compared_rows(con, "wh", table), compared_rows(con, "lake", table)
            only_file, only_lake = (
                sorted(set(expected) - set(got)),
                sorted(set(got) - set(expected)),
            )
            assert got == expected, f"{table}: file only {only_file[:2]}, lake only {only_lake[:2]}"
            counts[table] = len(expected)
        return counts
    finally:
        con.close()


def assert_no_duplicate_keys(settings: Settings) -> None:
    con = open_lake(settings, read_only=True)
    try:
        for name, table in target_schema().tables.items():
            if not table.key:
                continue
            keys = ", ".join(table.key)
            twice = con.execute(
                f"SELECT count(*) FROM (SELECT {keys} FROM {name} GROUP BY ALL HAVING count(*) > 1)"
            ).fetchone()[0]
            assert twice == 0, f"{name}: {twice} keys stored twice"
    finally:
        con.close()


def ledger(settings: Settings) -> tuple[dict[str, int], dict[str, list[str]]]:
    """batch id -> versions appended; batch id -> merge ledger statuses."""
    con = open_lake(settings, read_only=True)
    try:
        versions = dict(
            con.execute(f"SELECT batch_id, count(*) FROM {STAGING}.batches GROUP BY 1").fetchall()
        )
        merged: dict[str, list[str]] = collections.defaultdict(list)
        for batch_id, status in con.execute(
            f"SELECT batch_id, status FROM {STAGING}.merged_batches"
        ).fetchall():
            merged[batch_id].append(status)
        return versions, dict(merged)
    finally:
        con.close()


# --- the tests -------------------------------------------------------------------------------
def test_distributed_ingest_equals_the_single_machine_run(
    lake_env, workers, site, reference, tmp_path
):
    run_id = uuid.uuid4().hex
    before = len(site.hits())
    parent = start_parent(lake_env, site, run_id, tmp_path)
    wait_for(parent, 600)
    settings = lake_settings(lake_env)

    counts = assert_same_as_single_machine(settings, reference)
    assert counts["articles"] == len(site.page_urls()) and counts["artefacts"] > 0
    assert counts["mentions"] > 0 and counts["story_clusters"] > 0
    assert_no_duplicate_keys(settings)

    # each page fetched once (the server's log), although host 2 was in two shards' plans:
    # one fetch row each, and every request the server saw is an attempt of that fetch (the
    # fetcher tries again after a transport error or a timeout, and records its attempts)
    hits = site.hits()[before:]
    pages = collections.Counter(f"{h.host}{h.path}" for h in hits if h.path.startswith("/news/"))
    assert set(pages) == {u.split("//", 1)[1] for u in site.page_urls()}

    con = open_lake(settings, read_only=True)
    try:
        fetched = con.execute(
            "SELECT url, count(*), sum(attempts), list(run_id), list(outcome) FROM fetches "
            "WHERE url LIKE '%/news/%' GROUP BY url"
        ).fetchall()
        recorded = {url.split("//", 1)[1]: (n, attempts) for url, n, attempts, _, _ in fetched}
        unexplained = {p: (hit, recorded.get(p)) for p, hit in pages.items()
                       if recorded.get(p) != (1, hit)}  # fmt: skip
        assert not unexplained, (
            "pages requested other than once per recorded fetch attempt "
            "(page: (requests, (fetch rows, attempts))); the run's log says:\n"
            + _retries_in_logs(tmp_path),
            unexplained,
            [row for row in fetched if row[0].split("//", 1)[1] in unexplained],
        )
        # per-host spacing held across the workers: the shared host's requests came from two
        # shards (two processes), and no two of its fetches started closer than the interval
        # fetched_at is when the fetch was asked for (before the politeness wait); it ended
        # elapsed_ms later, a few milliseconds after the request went out
        rows = con.execute(
            "SELECT site, fetched_at + to_milliseconds(elapsed_ms::BIGINT) AS done, run_id "
            "FROM fetches WHERE outcome = 'ok' ORDER BY site, done"
        ).fetchall()
        runs_row = con.execute(
            "SELECT run_id, parent_run_id, shard FROM runs ORDER BY run_id"
        ).fetchall()
        # --as-of-run PARENT: the last merge of any of its shards (here: the last merge)
        merges = [
            r[0]
            for r in con.execute(
                "SELECT snapshot_id FROM ducklake_snapshots('lake') "
                "WHERE commit_message = 'merge' ORDER BY 1"
            ).fetchall()
        ]
        shard_snapshots = [snapshot_of_run(con, f"{run_id}-{s}") for s in ("s00", "s01")]
        assert snapshot_of_run(con, run_id) == merges[-1] >= max(shard_snapshots)
        assert set(shard_snapshots) <= set(merges)
    finally:
        con.close()
    by_site: dict[str, list] = collections.defaultdict(list)
    shards_by_site: dict[str, set] = collections.defaultdict(set)
    for site_name, at, shard_run in rows:
        by_site[site_name].append(at)
        shards_by_site[site_name].add(shard_run)
    assert any(len(s) == 2 for s in shards_by_site.values()), shards_by_site
    for site_name, times in by_site.items():
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
        assert min(gaps) >= INTERVAL * 0.8, (site_name, min(gaps))
    # the server saw the same: arrivals at the shared host never closer than the interval
    shared = site.addresses[1]
    arrivals = sorted(h.at for h in hits if h.host.startswith(shared + ":"))
    assert min(b - a for a, b in itertools.pairwise(arrivals)) >= INTERVAL * 0.8

    assert runs_row == [
        (run_id, None, None),
        (f"{run_id}-s00", run_id, "s00"),
        (f"{run_id}-s01", run_id, "s01"),
    ]
    versions, merged = ledger(settings)
    assert set(versions) == set(merged) and all(v == ["merged"] for v in merged.values())
    assert set(versions.values()) == {1}


def test_a_worker_killed_mid_shard_then_a_rerun_merges_every_batch_once(
    lake_env, workers, site, reference, tmp_path
):
    settings = lake_settings(lake_env)
    run_id = uuid.uuid4().hex
    parent = start_parent(lake_env, site, run_id, tmp_path)
    # wait for the first batch a shard appended, then SIGKILL that shard's process and its
    # worker (the flow run's parent): the shard is cut off mid-way
    victim = None
    deadline = time.monotonic() + 300
    while victim is None:
        assert parent.poll() is None, "the run ended before a worker could be killed"
        assert time.monotonic() < deadline, "no batch appended in time"
        with contextlib.suppress(Exception):
            con = open_lake(settings, read_only=True)
            try:
                row = con.execute(
                    f"SELECT worker, batch_id FROM {STAGING}.batches "
                    "WHERE batch_id LIKE ? || '-s%-0%' ORDER BY staged_at LIMIT 1",
                    [run_id],
                ).fetchone()
            finally:
                con.close()
            if row:
                victim = (int(row[0].rsplit(":", 1)[1]), row[1])
        time.sleep(0.2)
    flow_pid, first_batch = victim
    worker_pid = int(Path(f"/proc/{flow_pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    assert worker_pid in {w.pid for w in workers.processes}
    os.kill(flow_pid, signal.SIGKILL)
    os.kill(worker_pid, signal.SIGKILL)
    stop_process_group(parent)  # it would end only after the silence bound: stop it now
    workers.start()  # a new machine takes the killed one's place

    rerun = start_parent(lake_env, site, run_id, tmp_path)
    wait_for(rerun, 600)

    versions, merged = ledger(settings)
    killed_shard = first_batch.rsplit("-", 1)[0]
    assert any(b.startswith(killed_shard) for b in versions)
    # every batch appended was merged exactly once; a batch re-made by the re-run is a
    # second version of the same id, never merged again
    assert set(merged) == set(versions)
    assert all(statuses == ["merged"] for statuses in merged.values())
    assert_no_duplicate_keys(settings)
    assert_same_as_single_machine(settings, reference)


def test_shards_keep_each_host_whole_balanced_and_the_same_every_time():
    sources = [
        "https://a.example/sitemap.xml",
        "https://a.example/feed.xml",
        "sitemap:https://b.example/news.xml",
        "https://c.example/",
        "https://A.example/other.xml",
        "/data/local-pages",
        "https://a.example/feed.xml",  # named twice: one source
    ]
    plan = plan_shards(sources, 3)
    assert plan == plan_shards(list(sources), 3)  # deterministic
    assert [s.name for s in plan] == ["s00", "s01", "s02"]
    hosts = [h for shard in plan for h in shard.hosts]
    assert sorted(hosts) == ["a.example", "b.example", "c.example"]  # no host in two shards
    assert plan[0].sources == [
        "https://a.example/sitemap.xml",
        "https://a.example/feed.xml",
        "https://A.example/other.xml",
    ]  # the biggest host first, on the emptiest shard
    assert sum(len(s.sources) for s in plan) == 6
    assert len(plan_shards(sources, 10)) == 4  # at most one shard per host (and local files)
    assert [len(s.sources) for s in plan_shards(sources, 1)] == [6]
    assert source_host("sitemap:https://b.example/news.xml") == "b.example"
    assert source_host("/data/local-pages") == ""
