"""The fetcher against a real local server: politeness, limits and every kind of bad answer."""

from __future__ import annotations

import itertools
import time

import pytest
from freshrun import spine_run_lines

from newsetl.downloads import Fetcher
from newsetl.settings import Settings

PAGE = "/it/2026/11/onu-rapporto-riciclaggio.html"


def fast_settings(**changes) -> Settings:
    base = Settings(
        per_host_interval_s=0.0,
        backoff_s=0.05,
        read_timeout_s=1.5,
        connect_timeout_s=1.0,
        max_bytes=2 * 1024 * 1024,
        max_retry_after_s=5,
        # the test server is on loopback, which the URL policy refuses by default
        private_network_allow_list=("127.0.0.1/32",),
    )
    return base.replace(**changes)


@pytest.fixture
def fetcher():
    with Fetcher(fast_settings()) as f:
        yield f


def test_page_is_fetched_with_user_agent_and_validators(fresh_site_server, fetcher):
    result = fetcher.fetch(fresh_site_server.url(PAGE))
    assert result.ok and result.status_code == 200
    assert b"<html" in result.body
    assert result.etag and result.last_modified
    sent = fresh_site_server.requests_for(PAGE)[0]
    assert sent.header("User-Agent") == fetcher.settings.user_agent


def test_conditional_get_answers_304_without_body(fresh_site_server, fetcher):
    first = fetcher.fetch(fresh_site_server.url(PAGE))
    second = fetcher.fetch(
        fresh_site_server.url(PAGE), etag=first.etag, last_modified=first.last_modified
    )
    assert second.outcome == "not_modified" and second.status_code == 304
    assert second.body is None
    sent = fresh_site_server.requests_for(PAGE)[-1]
    assert sent.header("If-None-Match") == first.etag


def test_robots_disallow_is_obeyed_and_recorded(fresh_site_server, fetcher):
    result = fetcher.fetch(fresh_site_server.url("/private/do-not-fetch.html"))
    assert result.outcome == "skipped" and result.error_kind == "robots"
    assert fresh_site_server.requests_for("/private/do-not-fetch.html") == []


def test_robots_can_be_switched_off(fresh_site_server):
    with Fetcher(fast_settings(respect_robots=False)) as f:
        f.fetch(fresh_site_server.url("/private/do-not-fetch.html"))
    assert len(fresh_site_server.requests_for("/private/do-not-fetch.html")) == 1


def test_crawl_delay_spaces_requests_to_one_host(fresh_site_server, fetcher):
    from siteserver import ROBOTS_CRAWL_DELAY

    paths = ["/en/2026/11/un-report-money-laundering.html", PAGE, "/index.html"]
    for path in paths:
        assert fetcher.fetch(fresh_site_server.url(path)).ok
    times = [r.time for r in fresh_site_server.requests if r.path in paths]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) == 2
    assert min(gaps) >= ROBOTS_CRAWL_DELAY * 0.9


def test_per_host_interval_holds_across_threads(fresh_site_server):
    import threading

    with Fetcher(fast_settings(per_host_interval_s=0.25)) as f:
        f.fetch(fresh_site_server.url("/robots.txt"), check_robots=False, accept_any_type=True)
        fresh_site_server.clear_log()
        threads = [
            threading.Thread(target=f.fetch, args=(fresh_site_server.url(f"/index.html?{i}"),))
            for i in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    times = sorted(r.time for r in fresh_site_server.requests if r.path.startswith("/index.html"))
    assert len(times) == 4
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.2


@pytest.mark.parametrize(
    ("path", "kind", "status"),
    [
        ("/bad/404.html", "http_status", 404),
        ("/bad/empty.html", "empty", 200),
        ("/bad/loop", "redirects", 302),
        ("/bad/oversized.html", "too_large", 200),
        ("/bad/oversized-declared.html", "too_large", 200),
        ("/bad/gzip-bomb.html", "too_large", 200),
        ("/bad/not-html.pdf", "content_type", 200),
        ("/bad/slow.html", "timeout", None),
    ],
)
def test_bad_answers_become_recorded_failures(fresh_site_server, path, kind, status):
    settings = fast_settings(max_attempts=1 if path == "/bad/slow.html" else 3)
    with Fetcher(settings) as f:
        started = time.monotonic()
        result = f.fetch(fresh_site_server.url(path))
    assert result.outcome == "failed"
    assert result.error_kind == kind, result.error
    assert result.status_code == status
    assert result.body is None
    assert result.error
    assert time.monotonic() - started < 20


def test_gzip_bomb_is_cut_off_without_inflating(fresh_site_server):
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with Fetcher(fast_settings(max_bytes=1024 * 1024)) as f:
        result = f.fetch(fresh_site_server.url("/bad/gzip-bomb.html"))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert result.error_kind == "too_large"
    assert (after - before) < 200 * 1024  # KiB: far below the bomb's 1 GiB


def test_500_then_200_is_retried(fresh_site_server, fetcher):
    result = fetcher.fetch(fresh_site_server.url("/bad/flaky.html"))
    assert result.ok and result.attempts == 2
    assert len(fresh_site_server.requests_for("/bad/flaky.html")) == 2


def test_429_honours_retry_after(fresh_site_server, fetcher):
    started = time.monotonic()
    result = fetcher.fetch(fresh_site_server.url("/bad/retry-after.html"))
    assert result.ok and result.attempts == 2
    assert time.monotonic() - started >= 0.9  # Retry-After: 1


def test_retry_after_beyond_limit_gives_up(fresh_site_server):
    with Fetcher(fast_settings(max_retry_after_s=0.5)) as f:
        result = f.fetch(fresh_site_server.url("/bad/retry-after.html"))
    assert result.outcome == "failed" and result.status_code == 429
    assert "Retry-After" in result.error


def test_unreachable_host_is_a_transport_failure():
    with Fetcher(fast_settings(max_attempts=2)) as f:
        result = f.fetch("http://127.0.0.1:9/nothing.html")
        started = time.monotonic()
        again = f.fetch("http://127.0.0.1:9/other.html")
    assert result.outcome == "failed" and result.error_kind in {"transport", "timeout"}
    assert "unreachable" in result.error
    # the host is remembered as down: the next page fails at once, without retrying
    assert again.error_kind == result.error_kind and time.monotonic() - started < 0.5


def test_larger_document_limit_never_applies_to_html(fresh_site_server):
    """Feeds and sitemaps may be larger than a page (NEWSETL_MAX_SITEMAP_BYTES); a page
    fetched with that limit is still cut at NEWSETL_MAX_BYTES."""
    with Fetcher(fast_settings(max_bytes=1024 * 1024)) as f:
        result = f.fetch(fresh_site_server.url("/bad/oversized.html"), max_bytes=64 * 1024 * 1024)
    assert result.error_kind == "too_large" and "1048576" in result.error


def test_a_run_of_local_files_makes_no_http_client(tmp_path):
    """The fetcher makes its HTTP client on its first request: a run of local files makes
    none, so it never pays httpx's import, our transport's and the SSL context's certificates
    (~0.2 s of CPU at the start of ``newsetl ingest DIR``). A real run in a fresh interpreter;
    the fetcher of a run that does fetch is tested above."""
    after = (
        "print(summary.status, summary.stats.articles)\n"
        "print(*[m for m in ('httpx', 'httpcore') if m in sys.modules])\n"
    )
    lines = [*spine_run_lines(tmp_path, 3, after), ""]
    assert lines[0] == "completed 3"
    assert lines[1] == ""  # neither imported


@pytest.mark.parametrize("served", ["long", "gzip bomb"])
def test_a_robots_txt_over_the_limit_is_read_up_to_its_first_500_kib(fetcher, served):
    """RFC 9309: a crawler parses the first 500 KiB of a robots.txt. One larger than the fetch
    limit (2 MB here; a gzip bomb inflates past it) was refused as too large, which read as a
    server error and disallowed the whole site. (A server of its own: the shared one keeps
    its robots.txt.)"""
    import gzip

    from siteserver import SiteServer

    rules = b"User-agent: *\nDisallow: /private/\n"
    body = rules + b"# padding\n" * (6 * 1024 * 1024 // 10)
    headers = {}
    if served == "gzip bomb":
        body = gzip.compress(body + b"#" * (64 * 1024 * 1024), 9)
        headers = {"Content-Encoding": "gzip"}
    with SiteServer() as server:
        server.put("/robots.txt", body, "text/plain", headers=headers)
        assert fetcher.fetch(server.url(PAGE)).ok
        refused = fetcher.fetch(server.url("/private/do-not-fetch.html"))
        assert refused.outcome == "skipped" and refused.error_kind == "robots"
        assert server.requests_for("/private/do-not-fetch.html") == []
