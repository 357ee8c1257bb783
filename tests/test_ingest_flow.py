"""End to end through Prefect: the local server, the real flow, a real DuckDB file."""

from __future__ import annotations

import duckdb
import pytest

from newsetl.samples import load_manifest

BAD_PAGES = {
    "/bad/malformed.html": ("ok", None),
    "/bad/wrong-charset.html": ("ok", None),
    "/bad/wrong-charset-latin1.html": ("ok", None),
    "/bad/empty.html": ("failed", "empty"),
    "/bad/404.html": ("failed", "http_status"),
    "/bad/flaky.html": ("ok", None),
    "/bad/loop": ("failed", "redirects"),
    "/bad/oversized.html": ("failed", "too_large"),
    "/bad/gzip-bomb.html": ("failed", "too_large"),
    "/bad/not-html.pdf": ("failed", "content_type"),
    "/private/do-not-fetch.html": ("skipped", "robots"),
}


@pytest.fixture
def fast_env(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSETL_PER_HOST_INTERVAL_S", "0")
    monkeypatch.setenv("NEWSETL_BACKOFF_S", "0.05")
    monkeypatch.setenv("NEWSETL_READ_TIMEOUT_S", "2")
    monkeypatch.setenv("NEWSETL_MAX_BYTES", str(2 * 1024 * 1024))
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    monkeypatch.setenv("NEWSETL_BATCH_SIZE", "5")
    return tmp_path / "flow.duckdb"


def table(db, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize("pool", ["in-process", "process pool"])
def test_sitemap_run_loads_correct_rows_and_second_run_adds_none(
    prefect_harness, fresh_site_server, fast_env, monkeypatch, pool
):
    from newsetl.flows.ingest import ingest_flow

    if pool == "process pool":  # both stages in worker processes, loads while analysing
        monkeypatch.setenv("NEWSETL_PROCESS_POOL_MIN_PAGES", "1")
        monkeypatch.setenv("NEWSETL_WORKERS", "2")
    else:  # one worker without a page deadline: everything in the run's process
        monkeypatch.setenv("NEWSETL_WORKERS", "1")
        monkeypatch.setenv("NEWSETL_PAGE_TIMEOUT_S", "0")
    db = fast_env
    manifest = load_manifest()["pages"]
    summary = ingest_flow(sources=[fresh_site_server.url("/sitemap.xml")], db=str(db))
    assert summary["status"] == "completed", summary["failures"]
    assert summary["articles_new"] == len(manifest)
    if pool == "process pool":
        from newsetl import workers

        assert workers._server_warm  # the run did go through the fork-server pool
    got = {
        row[0]: row[1:] for row in table(db, "SELECT canonical_url, language, title FROM articles")
    }
    for page in manifest:
        url = fresh_site_server.url(page["path"])
        assert url in got, url
        language, title = got[url]
        assert language == page["language"]
        assert title == page["title"]
    snapshot = table(db, "SELECT * FROM articles ORDER BY article_id")
    pages = table(db, "SELECT * FROM pages ORDER BY url")

    fresh_site_server.clear_log()
    again = ingest_flow(sources=[fresh_site_server.url("/sitemap.xml")], db=str(db))
    assert again["articles_new"] == 0 and again["status"] == "completed"
    assert table(db, "SELECT * FROM articles ORDER BY article_id") == snapshot
    assert table(db, "SELECT * FROM pages ORDER BY url") == pages
    # conditional GET of the sitemaps: all 304, so nothing is new and no page is asked for
    sitemaps = [r for r in fresh_site_server.requests if "sitemap" in r.path]
    assert len(sitemaps) == 3
    assert all(r.header("If-None-Match") and r.status == 304 for r in sitemaps)
    assert [r for r in fresh_site_server.requests if r.path.endswith(".html")] == []
    runs = table(
        db, "SELECT status, articles_new, pages_not_modified FROM runs ORDER BY started_at"
    )
    assert runs == [("completed", len(manifest), 0), ("completed", 0, 0)]


def test_bad_inputs_are_recorded_and_the_run_goes_on(
    prefect_harness, fresh_site_server, fast_env, tmp_path
):
    from newsetl.flows.ingest import ingest_flow

    db = fast_env
    urls = tmp_path / "urls.txt"
    bad = [fresh_site_server.url(p) for p in BAD_PAGES]
    good = fresh_site_server.url("/es/2026/11/onu-informe-blanqueo.html")
    urls.write_text("\n".join([*bad, good]))
    feeds = [
        f"feed:{fresh_site_server.url('/bad/bomb-feed.xml')}",
        f"feed:{fresh_site_server.url('/bad/broken-feed.xml')}",
    ]
    summary = ingest_flow(sources=[str(urls), *feeds], db=str(db))
    assert summary["status"] == "partial"
    log = {
        row[0]: row[1:] for row in table(db, "SELECT url, outcome, error_kind, error FROM fetches")
    }
    for path, (outcome, kind) in BAD_PAGES.items():
        url = fresh_site_server.url(path)
        assert url in log, path
        assert log[url][:2] == (outcome, kind), (path, log[url])
        if outcome != "ok":
            assert log[url][2]  # a readable error message
    for feed in feeds:
        assert log[feed.removeprefix("feed:")][:2] == ("failed", "parse")
    texts = dict(table(db, "SELECT url, text FROM articles"))
    assert good in texts

    def article_text(path: str) -> str:
        """Via the page: a page whose text duplicates another's points at that article."""
        url = fresh_site_server.url(path)
        [(article_id,)] = table(db, f"SELECT article_id FROM pages WHERE url = '{url}'")
        return table(db, f"SELECT text FROM articles WHERE article_id = '{article_id}'")[0][0]

    # both mislabelled charsets decode to the same correct text (so they dedupe to one article)
    for path in ("/bad/wrong-charset.html", "/bad/wrong-charset-latin1.html"):
        text = article_text(path)
        assert "où ils ont été très applaudis" in text and "Ã" not in text
        assert "Über die Höhe der Gebühren" in text and "\ufffd" not in text
    # the malformed page still yields its article (the same text as /bad/flaky.html)
    assert "Reservoirs at twenty-year low" in article_text("/bad/malformed.html")
    # re-running is safe: no duplicate articles
    n_articles = len(texts)
    ingest_flow(sources=[str(urls)], db=str(db))
    assert len(table(db, "SELECT url FROM articles")) == n_articles


def test_run_publishes_artifacts(prefect_harness, fresh_site_server, fast_env):
    from prefect.client.orchestration import get_client

    from newsetl.flows.ingest import ingest_flow

    state = ingest_flow(
        sources=[fresh_site_server.url("/feed.json")], db=str(fast_env), return_state=True
    )
    flow_run_id = state.state_details.flow_run_id

    import anyio

    async def artifacts():
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

        async with get_client() as client:
            return await client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])
                )
            )

    found = {a.key: a for a in anyio.run(artifacts)}
    assert {"ingest-summary", "ingest-failures", "ingest-progress"} <= set(found)
    assert found["ingest-progress"].data == 100.0
    assert "articles_new" in str(found["ingest-summary"].data)

    async def task_runs():
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

        async with get_client() as client:
            return await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
            )

    runs = anyio.run(task_runs)
    names = [r.name.rsplit("-", 1)[0] for r in runs]  # "load-batch-3" -> "load-batch"
    batches = names.count("fetch-extract-batch")
    # one task per batch for each stage, and each batch's load shows as it happens
    assert batches >= 1
    assert names.count("analyse-stage-batch") == batches == names.count("load-batch")
    assert all(r.state.is_completed() for r in runs if r.name.startswith("load-batch"))
    # task runs are named by batch number (1..n), not random suffixes; the two whole-warehouse
    # loads say what they load, and the read-copy refresh is a task of its own
    numbered = sorted(r.name for r in runs if r.name.startswith("fetch-extract-batch-"))
    assert numbered == sorted(f"fetch-extract-batch-{n}" for n in range(1, batches + 1))
    assert sorted(r.name for r in runs if r.name.startswith("load-batch-")) == sorted(
        f"load-batch-{n}" for n in range(1, batches + 1)
    )
    whole = sorted(r.name for r in runs if not r.name.rsplit("-", 1)[-1].isdigit())
    assert whole == [
        "expand-sources", "load-leftovers", "load-run-record", "load-staged", "refresh-read-copy"
    ]  # fmt: skip
    # the summary names the warehouse; the progress artifact says what was done
    assert str(fast_env) in str(found["ingest-summary"].data)
    assert "pages" in found["ingest-progress"].description
    assert str(fast_env) in found["ingest-progress"].description


def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flow_run_logs(flow_run_id, must_contain: str, timeout: float = 20.0) -> list:
    """The flow run's logs from the API (they arrive in batches: wait for ``must_contain``)."""
    import time

    import anyio
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    async def read():
        async with get_client() as client:
            return await client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
            )

    deadline = time.monotonic() + timeout
    while True:
        logs = anyio.run(read)
        if any(must_contain in log.message for log in logs) or time.monotonic() > deadline:
            return logs
        time.sleep(0.5)


HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()
"""


def test_partial_run_is_named_partial_and_newsetl_warnings_reach_its_logs(
    prefect_harness, fresh_site_server, fast_env, monkeypatch
):
    """A page fails and another process holds the live file all along: the run ends Completed
    named "Partial" with the reason (not plain green Completed), and newsetl's own warnings
    (warehouse busy) are in its flow-run logs, read back from the API."""
    import subprocess
    import sys

    from newsetl.flows.ingest import ingest_flow

    monkeypatch.setenv("NEWSETL_LOCK_RETRIES", "1")
    monkeypatch.setenv("NEWSETL_LOCK_BACKOFF_S", "0.05")
    dead = f"http://127.0.0.1:{closed_port()}/news/page.html"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(fast_env)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "holding"
        state = ingest_flow(
            sources=[fresh_site_server.url("/feed.json"), dead],
            db=str(fast_env),
            return_state=True,
        )
    finally:
        holder.stdin.write("stop\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
    assert state.is_completed() and state.name == "Partial"
    assert (
        "partial run: 0 of 16 pages failed (failed or refused sources and URLs apart: 1)"
        in state.message
        and str(fast_env) in state.message
    )
    assert "batches left staged" in state.message
    summary = state.result()
    assert summary["status"] == "partial" and summary["pages_failed"] == 1
    assert summary["batches_staged"] >= 1  # nothing lost: staged for the next run
    logs = flow_run_logs(state.state_details.flow_run_id, "warehouse busy")
    newsetl = [log for log in logs if log.name.startswith("newsetl")]
    assert any("warehouse busy" in log.message for log in newsetl), [
        (log.name, log.message) for log in logs
    ]
    assert all(log.level >= 30 for log in newsetl)  # warnings, not every info line


def test_run_that_processes_nothing_ends_failed(prefect_harness, fast_env):
    from newsetl.flows.ingest import ingest_flow

    dead = f"http://127.0.0.1:{closed_port()}/news/page.html"
    state = ingest_flow(sources=[dead], db=str(fast_env), return_state=True)
    assert state.is_failed() and "nothing could be processed" in state.message
    assert state.result(raise_on_failure=False)["status"] == "failed"
