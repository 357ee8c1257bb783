"""Hostile sources, each run through the real ingest path into a real DuckDB file (issue 10).

A second test server plays "another service on this machine" (another loopback port, never
named by the user), and a temporary directory holds a page that plays "the crawler's own disk".
Every test checks that the run finishes, that nothing from the local disk or a refused address
is stored, that the good pages beside the bad ones are kept, and that every refusal is a row in
``fetches`` with its kind. Each would fail without the protection it is about: the secret page
would be stored, the other server would see a request, or the run would hang (timeouts below).
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import duckdb
import pytest
from siteserver import SiteServer, _article_html

from newsetl.ingest import run_ingest
from newsetl.samples import load_manifest
from newsetl.settings import Settings
from newsetl.urls import normalise_url

SECRET = "Secret page on the crawler's disk"
ARTICLES = [p["path"] for p in load_manifest()["pages"]]
GOOD = "/en/2026/11/eu-summit-climate-treaty.html"


@pytest.fixture(scope="module")
def hostile():
    """A site of our own (the sample site plus whatever a test puts), named by the user."""
    with SiteServer() as server:
        yield server


@pytest.fixture(scope="module")
def other():
    """Another service on loopback that no user named: it must never see a request."""
    with SiteServer() as server:
        yield server


@pytest.fixture
def site(hostile, other):
    hostile.forget()
    hostile.reset()
    other.reset()
    return hostile


@pytest.fixture
def secret(tmp_path) -> Path:
    """A directory on 'the crawler's disk' with an HTML page that must never be read."""
    folder = tmp_path / "secret-dir"
    folder.mkdir()
    (folder / "secret.html").write_text(_article_html(SECRET), encoding="utf-8")
    return folder


def settings_for(tmp_path: Path, **changes) -> Settings:
    base = Settings(
        db_path=tmp_path / "hostile.duckdb",
        per_host_interval_s=0.0,
        backoff_s=0.05,
        read_timeout_s=5.0,
        fetch_deadline_s=3.0,
        repair=False,
        entities=False,
        workers=1,
        page_timeout_s=0,
    )
    return base.replace(**changes)


def rows(settings: Settings, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def assert_no_secret(settings: Settings) -> None:
    texts = rows(settings, "SELECT url, title, text FROM articles")
    assert not [t for t in texts if SECRET in (t[1] or "") or SECRET in t[2]]
    assert not rows(settings, "SELECT url FROM articles WHERE url LIKE 'file:%'")
    assert not rows(settings, "SELECT url FROM pages WHERE url LIKE 'file:%'")


def refusals(settings: Settings) -> dict[str, str]:
    return dict(rows(settings, "SELECT url, error FROM fetches WHERE error_kind = 'url_policy'"))


def article_urls(settings: Settings) -> set[str]:
    return {u for (u,) in rows(settings, "SELECT url FROM articles")}


# --------------------------------------------------------------------------------------------
# no hang: a trickling server fails alone, by the whole-fetch deadline
# --------------------------------------------------------------------------------------------
@pytest.mark.timeout(90)
def test_trickling_servers_fail_alone_by_the_deadline(site, tmp_path):
    settings = settings_for(tmp_path, fetch_deadline_s=2.0)
    good = site.url(GOOD)
    started = time.monotonic()
    summary = run_ingest(
        [site.url("/bad/trickle-headers.html"), good, site.url("/bad/trickle-body.html")],
        settings,
    )
    elapsed = time.monotonic() - started
    assert summary.status == "partial"
    assert elapsed < 30  # two deadlines of 2 s, not 2 + 45 minutes of trickle
    assert good in article_urls(settings)
    failed = {
        url: (kind, attempts)
        for url, kind, attempts in rows(
            settings, "SELECT url, error_kind, attempts FROM fetches WHERE outcome = 'failed'"
        )
    }
    for path in ("/bad/trickle-headers.html", "/bad/trickle-body.html"):
        # not retried: another attempt would take as long again
        assert failed[site.url(path)] == ("timeout", 1), failed
        assert len(site.requests_for(path)) == 1


# --------------------------------------------------------------------------------------------
# no local file disclosure: documents name http(s) URLs only
# --------------------------------------------------------------------------------------------
def _rss(items: list[str]) -> str:
    entries = "".join(
        f"<item><title>i{n}</title><link>{u}</link></item>" for n, u in enumerate(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'


def _urlset(urls: list[str], padding: str = "") -> str:
    body = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}{padding}</urlset>'
    )


def _index(urls: list[str]) -> str:
    body = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>'
    )


def test_feeds_and_sitemaps_naming_local_files_read_nothing_local(site, secret, tmp_path):
    page = secret / "secret.html"
    local_links = [
        page.as_uri(),  # file:///...
        f"file://localhost{page}",
        f"file:{page}",
    ]
    good = [site.url(p) for p in ARTICLES[:3]]
    rss = site.put("/evil/feed.xml", _rss([*local_links, good[0]]), "application/rss+xml")
    json_feed = site.put(
        "/evil/feed.json",
        '{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": ['
        f'{{"id": "1", "url": "{page.as_uri()}"}}, {{"id": "2", "url": "{good[1]}"}}]}}',
        "application/feed+json",
    )
    sitemap = site.put("/evil/sitemap.xml", _urlset([page.as_uri(), good[2]]), "application/xml")
    settings = settings_for(tmp_path)
    summary = run_ingest([rss, json_feed, sitemap], settings)
    assert summary.status == "partial"
    assert_no_secret(settings)
    assert set(good) <= article_urls(settings)
    refused = refusals(settings)
    for link in local_links:
        assert link in refused, refused
    assert all("only http(s)" in error for error in refused.values())


def test_robots_sitemap_lines_never_walk_the_local_disk(site, secret, tmp_path):
    site.put(
        "/robots.txt",
        f"User-agent: *\nAllow: /\nSitemap: {secret}\nSitemap: /\n"
        f"Sitemap: {secret.as_uri()}\nSitemap: /sitemap-news.xml\n",
        "text/plain",
    )
    settings = settings_for(tmp_path)
    summary = run_ingest([f"site:{site.base_url}"], settings)
    assert summary.status == "partial"
    assert_no_secret(settings)
    # the real sitemap still gives its articles
    news = rows(settings, "SELECT count(*) FROM articles")[0][0]
    assert news >= 3
    log = {
        url: (outcome, kind)
        for url, outcome, kind in rows(settings, "SELECT url, outcome, error_kind FROM fetches")
    }
    # "Sitemap: /some/dir" is a path of the site, asked of the site (404), never of the disk
    assert log[site.url(str(secret))] == ("failed", "http_status")
    assert log[secret.as_uri()] == ("failed", "url_policy")
    assert site.requests_for(str(secret))
    # robots.txt itself is in the fetch log
    assert log[site.url("/robots.txt")] == ("ok", None)


def test_url_list_lines_are_urls_not_local_files(site, secret, tmp_path):
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{site.url(GOOD)}\n{secret / 'secret.html'}\n{secret.as_uri()}\n")
    settings = settings_for(tmp_path)
    run_ingest([str(listing)], settings)
    assert_no_secret(settings)
    assert site.url(GOOD) in article_urls(settings)
    assert len(refusals(settings)) == 2


def test_a_local_mirror_reads_only_under_its_own_directory(site, secret, tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "news").mkdir(parents=True)
    (mirror / "news" / "story.html").write_text(_article_html("Mirrored story"), "utf-8")
    (mirror / "news" / "link.html").symlink_to(secret / "secret.html")
    escape = "https://news.invalid/../../secret-dir/secret.html"
    (mirror / "sitemap.xml").write_text(
        _urlset(
            [
                "https://news.invalid/news/story.html",
                "https://news.invalid/news/link.html",  # a symlink out of the mirror
                escape,
                (secret / "secret.html").as_uri(),
            ]
        ),
        "utf-8",
    )
    settings = settings_for(tmp_path, max_attempts=1, connect_timeout_s=0.5)
    run_ingest([str(mirror / "sitemap.xml")], settings)
    assert_no_secret(settings)
    titles = [t for (t,) in rows(settings, "SELECT title FROM articles")]
    assert titles == ["Mirrored story"]
    assert (secret / "secret.html").as_uri() in refusals(settings)


# --------------------------------------------------------------------------------------------
# no SSRF: redirects and discovered links to other private origins are refused
# --------------------------------------------------------------------------------------------
def test_redirects_to_private_addresses_are_refused(site, other, tmp_path):
    port = other.port
    targets = {
        "another port": f"http://127.0.0.1:{port}/index.html",
        "cloud metadata": "http://169.254.169.254/latest/meta-data/",
        "decimal IP": f"http://2130706433:{port}/index.html",
        "hex IP": f"http://0x7f.0.0.1:{port}/index.html",
        "IPv4-mapped IPv6": f"http://[::ffff:127.0.0.1]:{port}/index.html",
        "a name for loopback": f"http://localhost:{port}/index.html",  # refused on connect
        "a file": "file:///etc/passwd",
    }
    redirects = {
        name: normalise_url(site.url(f"/bad/redirect?to={url}")) for name, url in targets.items()
    }
    settings = settings_for(tmp_path)
    summary = run_ingest([*redirects.values(), site.url(GOOD)], settings)
    assert summary.status == "partial"
    assert other.requests == []  # not even robots.txt
    assert article_urls(settings) == {site.url(GOOD)}
    log = dict(rows(settings, "SELECT url, error_kind FROM fetches"))
    for name, url in redirects.items():
        assert log[url] == "url_policy", name
    errors = refusals(settings)
    assert "169.254.169.254" in errors[redirects["cloud metadata"]]
    assert "127.0.0.1" in errors[redirects["decimal IP"]]
    assert "redirected from" in errors[redirects["a name for loopback"]]


def test_links_in_documents_to_private_origins_are_refused(site, other, tmp_path):
    port = other.port
    private = [
        f"http://127.0.0.1:{port}/index.html",
        f"http://localhost:{port}/en/2026/11/eu-summit-climate-treaty.html",
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://[::1]:9/",
        "http://0177.0.0.1:9/",
    ]
    feed = site.put("/evil/feed.xml", _rss([*private, site.url(GOOD)]), "application/rss+xml")
    settings = settings_for(tmp_path)
    run_ingest([feed], settings)
    assert other.requests == []
    assert article_urls(settings) == {site.url(GOOD)}
    refused = refusals(settings)
    assert set(private) <= set(refused), refused


def test_private_origins_can_be_allowed_by_setting(site, other, tmp_path):
    feed = site.put(
        "/evil/feed.xml",
        _rss([f"http://127.0.0.1:{other.port}{GOOD}", site.url(GOOD)]),
        "application/rss+xml",
    )
    settings = settings_for(
        tmp_path, private_network_allow_list=(f"http://127.0.0.1:{other.port}",)
    )
    run_ingest([feed], settings)
    assert other.requests_for(GOOD)
    assert refusals(settings) == {}


# --------------------------------------------------------------------------------------------
# no fan-out: visited set, caps, and every cap recorded
# --------------------------------------------------------------------------------------------
def test_self_referencing_sitemap_index_is_read_once(site, tmp_path):
    index = site.url("/loop/index.xml")
    child = site.url("/loop/child.xml")
    site.put("/loop/index.xml", _index([index] * 20 + [child] * 20), "application/xml")
    site.put(
        "/loop/child.xml", _urlset([site.url(p) for p in ARTICLES[:3]] + [index]), "application/xml"
    )
    settings = settings_for(tmp_path)
    summary = run_ingest([index], settings)
    assert summary.status == "completed", summary.stats.failures
    assert len(site.requests_for("/loop/index.xml")) == 1
    assert len(site.requests_for("/loop/child.xml")) == 1
    assert len(article_urls(settings)) == 3


def test_deep_and_wide_sitemap_indexes_are_capped_and_recorded(site, tmp_path):
    for level in range(6):  # /deep/0.xml -> /deep/1.xml -> ... -> /deep/5.xml
        site.put(
            f"/deep/{level}.xml", _index([site.url(f"/deep/{level + 1}.xml")]), "application/xml"
        )
    wide = [site.url(f"/wide/{n}.xml") for n in range(30)]
    site.put("/wide/index.xml", _index(wide), "application/xml")
    settings = settings_for(tmp_path, max_sitemap_children=10, max_sitemap_depth=3)
    run_ingest([site.url("/deep/0.xml"), site.url("/wide/index.xml")], settings)
    capped = dict(
        rows(settings, "SELECT url, error FROM fetches WHERE error_kind = 'cap_exceeded'")
    )
    assert "NEWSETL_MAX_SITEMAP_DEPTH" in capped[site.url("/deep/3.xml")]
    assert not site.requests_for("/deep/4.xml")
    assert "30 sitemaps" in capped[site.url("/wide/index.xml")]
    assert "20 dropped" in capped[site.url("/wide/index.xml")]
    assert (
        sum(1 for r in site.requests if r.path.startswith("/wide/") and r.path != "/wide/index.xml")
        == 10
    )


@pytest.mark.timeout(240)
def test_a_2000_item_feed_is_capped_and_the_cap_recorded(site, tmp_path):
    """The issue's feed of 2,000 items, with the cap lowered from its default (500) to 100 so
    the test fetches 100 pages, not 500 (the cap's code path is the same)."""
    items = [site.url(f"/many/{n}.html") for n in range(2000)]
    feed = site.put("/many/feed.xml", _rss(items), "application/rss+xml")
    settings = settings_for(tmp_path, max_feed_entries=100)
    summary = run_ingest([feed], settings)
    assert summary.targets == 100
    [(error,)] = rows(
        settings, "SELECT error FROM fetches WHERE error_kind = 'cap_exceeded' AND url = ?", feed
    )
    assert "2000 entries" in error and "1900 dropped" in error
    assert any(f.get("kind") == "cap_exceeded" for f in summary.stats.failures)  # in the report
    assert (
        len([r for r in site.requests if r.path.startswith("/many/") and r.path.endswith(".html")])
        == 100
    )


def test_total_pages_cap_is_recorded(site, tmp_path):
    feed = site.put(
        "/few/feed.xml", _rss([site.url(p) for p in ARTICLES[:5]]), "application/rss+xml"
    )
    settings = settings_for(tmp_path, max_targets=2)
    summary = run_ingest([feed], settings)
    assert summary.targets == 2
    [(error,)] = rows(settings, "SELECT error FROM fetches WHERE error_kind = 'cap_exceeded'")
    assert "3 pages" in error and "NEWSETL_MAX_TARGETS" in error


@pytest.mark.parametrize(
    "content_type", ["application/gzip", "application/x-gzip", "application/octet-stream"]
)
def test_gzipped_sitemap_over_one_mib_is_sniffed_and_read(site, tmp_path, content_type):
    padding = "<!-- " + "padding " * 200_000 + "-->"  # 1.6 MB inflated, a few KB on the wire
    xml = _urlset([site.url(p) for p in ARTICLES[:3]], padding).encode()
    assert len(xml) > 1 << 20
    url = site.put("/big/sitemap.xml.gz", gzip.compress(xml), content_type)
    settings = settings_for(tmp_path)
    summary = run_ingest([url], settings)
    assert summary.status == "completed", summary.stats.failures
    assert article_urls(settings) == {site.url(p) for p in ARTICLES[:3]}


def test_gzipped_sitemap_bomb_is_bounded_and_recorded(site, tmp_path):
    import zlib

    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunks = [comp.compress(b"<urlset>")]
    chunks += [comp.compress(bytes(1 << 20).replace(b"\0", b" ")) for _ in range(200)]
    bomb = b"".join(chunks) + comp.flush()  # 200 MiB inflated, ~200 KB on the wire
    url = site.put("/bomb/sitemap.xml.gz", bomb, "application/gzip")
    settings = settings_for(tmp_path)
    run_ingest([url, site.url(GOOD)], settings)
    [(kind, error)] = rows(settings, "SELECT error_kind, error FROM fetches WHERE url = ?", url)
    assert kind == "parse" and "expands past" in error
    assert article_urls(settings) == {site.url(GOOD)}


# --------------------------------------------------------------------------------------------
# no canonical hijack
# --------------------------------------------------------------------------------------------
def _with_canonical(title: str, canonical: str) -> str:
    html = _article_html(title)
    return html.replace("<title>", f'<link rel="canonical" href="{canonical}"><title>', 1)


def test_canonical_cannot_take_over_another_article(site, tmp_path):
    settings = settings_for(tmp_path)
    victim = site.url(GOOD)
    run_ingest([victim], settings)
    [(victim_id, victim_text)] = rows(settings, "SELECT article_id, text FROM articles")
    cross = site.put(
        "/evil/cross.html", _with_canonical("Cross-site claim", "https://victim.example/story.html")
    )
    same = site.put("/evil/same.html", _with_canonical("Same-site claim", victim))
    run_ingest([cross, same], settings)
    assert rows(settings, "SELECT text FROM articles WHERE article_id = ?", victim_id) == [
        (victim_text,)
    ]
    stored = dict(rows(settings, "SELECT url, canonical_url FROM articles"))
    assert stored[cross] == cross and stored[same] == same  # each kept under its own URL
    assert not rows(settings, "SELECT 1 FROM articles WHERE canonical_url LIKE '%victim.example%'")


def test_canonical_of_another_rendering_of_the_same_page_is_accepted(site, tmp_path):
    settings = settings_for(tmp_path)
    victim = site.url(GOOD)
    amp = site.put("/amp" + GOOD, _with_canonical("AMP rendering", victim))
    run_ingest([amp], settings)
    # accepted: the article is known by its canonical URL (which is also its url)
    assert rows(settings, "SELECT canonical_url, url FROM articles") == [(victim, victim)]
    assert rows(settings, "SELECT url FROM pages WHERE article_id IS NOT NULL") == [(amp,)]


# --------------------------------------------------------------------------------------------
# conditional GET for documents, robots.txt in the log, crawl-delay after robots.txt
# --------------------------------------------------------------------------------------------
def test_unchanged_feed_costs_one_request_and_still_retries_what_failed(site, tmp_path):
    """A feed answering 304 yields only the pages the warehouse lacks: the one that failed
    (HTTP 500 once) is asked again, the others are not."""
    feed = site.put(
        "/cond/feed.xml",
        _rss([site.url(p) for p in ARTICLES[:3]] + [site.url("/bad/flaky.html")]),
        "application/rss+xml",
        headers={"ETag": '"feed-v1"'},
    )
    settings = settings_for(tmp_path, max_attempts=1)
    first = run_ingest([feed], settings)
    assert first.stats.failed == 1 and first.stats.articles == 3
    site.clear_log()
    site.put(
        "/cond/feed.xml", b"", "application/rss+xml", status=304, headers={"ETag": '"feed-v1"'}
    )
    second = run_ingest([feed], settings)
    assert second.status == "completed", second.stats.failures
    [feed_request] = site.requests_for("/cond/feed.xml")
    assert feed_request.header("If-None-Match") == '"feed-v1"'
    asked = [r.path for r in site.requests if r.path.endswith(".html")]
    assert asked == ["/bad/flaky.html"]
    outcome = rows(settings, "SELECT outcome FROM fetches WHERE url = ? ORDER BY fetched_at", feed)
    assert outcome == [("ok",), ("not_modified",)]


def test_robots_txt_is_logged_remembered_and_its_crawl_delay_holds(site, tmp_path):
    from siteserver import ROBOTS_CRAWL_DELAY

    settings = settings_for(tmp_path)
    run_ingest([site.url(GOOD)], settings)
    robots = site.url("/robots.txt")
    assert rows(settings, "SELECT outcome FROM fetches WHERE url = ?", robots) == [("ok",)]
    times = {r.path: r.time for r in site.requests}
    assert times[GOOD] - times["/robots.txt"] >= ROBOTS_CRAWL_DELAY * 0.9
    site.clear_log()
    run_ingest([site.url(ARTICLES[0])], settings)
    [again] = site.requests_for("/robots.txt")
    assert again.header("If-None-Match") and again.status == 304


def test_a_sitemap_named_by_robots_and_by_the_index_is_fetched_once(site, tmp_path):
    site.put(
        "/robots.txt",
        f"User-agent: *\nSitemap: {site.url('/sitemap.xml')}\n"
        f"Sitemap: {site.url('/sitemap-news.xml')}\n",
        "text/plain",
    )
    settings = settings_for(tmp_path)
    summary = run_ingest([f"site:{site.base_url}"], settings)
    assert summary.status == "completed", summary.stats.failures
    assert len(site.requests_for("/sitemap-news.xml")) == 1
    assert len(article_urls(settings)) == len(ARTICLES)


def test_documents_kept_for_conditional_get_are_not_reprocessed_as_pages(site, tmp_path):
    settings = settings_for(tmp_path)
    run_ingest([site.url("/feed.xml")], settings)
    documents = {u for (u,) in rows(settings, "SELECT url FROM pages WHERE article_id IS NULL")}
    assert documents == {site.url("/feed.xml"), site.url("/robots.txt")}
    before = rows(settings, "SELECT count(*) FROM articles")
    site.clear_log()
    summary = run_ingest(["stored:"], settings)
    assert summary.status == "completed", summary.stats.failures
    assert summary.targets == len(ARTICLES)  # the stored pages, not the feed or robots.txt
    assert rows(settings, "SELECT count(*) FROM articles") == before
    assert site.requests == []


# --------------------------------------------------------------------------------------------
# nothing lost: pages of one script told apart by a query without a value
# --------------------------------------------------------------------------------------------
def test_urls_told_apart_by_a_bare_query_are_each_fetched_and_kept(site, tmp_path):
    settings = settings_for(tmp_path)
    named = [site.url(f"/script.php?{n}") for n in (101, 102, 103)]
    for n in (101, 102, 103):
        site.put(f"/script.php?{n}", _article_html(f"Article number {n} of the script"))
    run_ingest(named, settings)
    fetched = {u for (u,) in rows(settings, "SELECT url FROM fetches WHERE outcome = 'ok'")}
    assert fetched >= set(named)
    assert article_urls(settings) == set(named)


# --------------------------------------------------------------------------------------------
# nothing lost: one unparseable link is refused alone, not with the document that lists it
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["feed", "sitemap"])
def test_an_unparseable_link_is_refused_and_the_rest_of_its_document_read(site, tmp_path, kind):
    good = site.url(GOOD)
    broken = "http://[::1/x.html"  # urllib: "Invalid IPv6 URL"
    if kind == "feed":
        document = site.put("/broken-link/feed.xml", _rss([broken, good]), "application/rss+xml")
    else:
        document = site.put("/broken-link/sitemap.xml", _urlset([broken, good]), "application/xml")
    settings = settings_for(tmp_path)
    run_ingest([document], settings)
    assert article_urls(settings) == {good}
    assert "unparseable URL" in refusals(settings)[broken]
    [(outcome,)] = rows(settings, "SELECT outcome FROM fetches WHERE url = ?", document)
    assert outcome == "ok"


def test_a_page_with_unparseable_head_links_is_still_an_article(site, tmp_path):
    head = (
        '<link rel="canonical" href="http://[::1/x.html">'
        '<link rel="alternate" hreflang="de" href="https://[bad/de.html">'
    )
    html = _article_html("Unparseable head links").replace("</head>", head + "</head>")
    url = site.put("/broken-head.html", html)
    settings = settings_for(tmp_path)
    run_ingest([url], settings)
    assert article_urls(settings) == {url}  # the page failed: "Invalid IPv6 URL"
