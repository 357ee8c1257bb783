"""Source auto-detection and expansion against the local server and local files."""

from __future__ import annotations

import gzip
import io

import pytest
from siteserver import make_warc

from newsetl.downloads import Fetcher
from newsetl.samples import SAMPLE_BASE_URL, SAMPLE_SITE, load_manifest, sample_pages
from newsetl.settings import Settings
from newsetl.sources import expand_sources


@pytest.fixture
def fetcher():
    with Fetcher(Settings(per_host_interval_s=0.0, backoff_s=0.05, read_timeout_s=2)) as f:
        yield f


def article_urls(server) -> set[str]:
    return {server.url(p["path"]) for p in load_manifest()["pages"]}


@pytest.mark.parametrize("path", ["/feed.xml", "/atom.xml", "/feed.json"])
def test_feeds_expand_to_their_articles(site_server, fetcher, path):
    expansion = expand_sources([site_server.url(path)], fetcher)
    assert {t.url for t in expansion.targets} == article_urls(site_server)
    assert [r.outcome for _, r in expansion.fetches] == ["ok"]


def test_sitemap_index_with_gzip_and_news_sitemaps(site_server, fetcher):
    expansion = expand_sources([site_server.url("/sitemap.xml")], fetcher)
    assert {t.url for t in expansion.targets} == article_urls(site_server)
    fetched = {r.url for _, r in expansion.fetches}
    assert site_server.url("/sitemap-news.xml") in fetched
    assert site_server.url("/sitemap-pages.xml.gz") in fetched


def test_homepage_discovers_feeds(site_server, fetcher):
    expansion = expand_sources([site_server.url("/")], fetcher)
    assert {t.url for t in expansion.targets} == article_urls(site_server)


def test_site_prefix_uses_robots_sitemaps(site_server, fetcher):
    site_server.clear_log()
    expansion = expand_sources([f"site:{site_server.base_url}"], fetcher)
    assert {t.url for t in expansion.targets} == article_urls(site_server)
    assert site_server.requests_for("/sitemap.xml")


def test_page_url_is_a_target_with_its_body(site_server, fetcher):
    url = site_server.url("/fr/2026/11/greve-cheminots-trafic-perturbe.html")
    expansion = expand_sources([url], fetcher)
    assert [t.url for t in expansion.targets] == [url]
    assert expansion.targets[0].prefetched.ok  # not fetched twice


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("/bad/bomb-feed.xml", "unsafe XML"),
        ("/bad/broken-feed.xml", "malformed"),
        ("/bad/broken-sitemap.xml", "malformed"),
    ],
)
def test_hostile_feeds_and_sitemaps_are_recorded_failures(site_server, fetcher, path, needle):
    expansion = expand_sources(
        [f"{'sitemap' if 'sitemap' in path else 'feed'}:{site_server.url(path)}"], fetcher
    )
    assert expansion.targets == []
    [(_source, result)] = expansion.fetches
    assert result.outcome == "failed" and result.error_kind == "parse"
    assert needle in result.error


def test_bad_source_does_not_stop_the_others(site_server, fetcher, tmp_path):
    good = site_server.url("/feed.xml")
    expansion = expand_sources(
        [str(tmp_path / "missing.html"), site_server.url("/bad/404.html"), good], fetcher
    )
    assert len(expansion.targets) == len(article_urls(site_server))
    kinds = sorted(r.error_kind for _, r in expansion.fetches if r.outcome == "failed")
    assert kinds == ["http_status", "not_found"]


def test_local_directory_and_url_list(site_server, fetcher, tmp_path):
    pages = sample_pages()
    expansion = expand_sources([str(SAMPLE_SITE / "it")], fetcher)
    assert len(expansion.targets) == len([p for p in pages if "/it/" in str(p)])
    # read when their batch is fetched, not at expansion (bodies are not kept for the run)
    assert all(t.prefetched is None and t.local is not None for t in expansion.targets)
    assert all(t.url.startswith("file://") and t.at_hand().ok for t in expansion.targets)
    url_list = tmp_path / "urls.txt"
    url_list.write_text(
        f"# a comment\n{site_server.url('/feed.xml')}\n\n{site_server.url('/bad/404.html')}\n"
    )
    expansion = expand_sources([str(url_list)], fetcher)
    assert len(expansion.targets) == len(pages)


def test_local_sitemap_reads_its_site_mirror(fetcher):
    expansion = expand_sources([str(SAMPLE_SITE / "sitemap.xml")], fetcher)
    manifest = load_manifest()
    assert {t.url for t in expansion.targets} == {p["url"] for p in manifest["pages"]}
    assert all(t.url.startswith(SAMPLE_BASE_URL) and t.at_hand().ok for t in expansion.targets)
    assert all(t.at_hand().url == t.url for t in expansion.targets)  # the published URL


def test_warc_records_become_targets(tmp_path, fetcher):
    pages = sample_pages()[:3]
    warc = make_warc(
        tmp_path / "crawl.warc.gz",
        [(f"https://example.org/{p.name}", p.read_bytes()) for p in pages],
    )
    expansion = expand_sources([str(warc)], fetcher)
    assert [t.url for t in expansion.targets] == [f"https://example.org/{p.name}" for p in pages]
    # no body is kept from the expansion: each record is read with its batch
    assert all(t.prefetched is None for t in expansion.targets)
    assert [t.at_hand().body for t in expansion.targets] == [p.read_bytes() for p in pages]


@pytest.mark.parametrize("gzipped", [True, False])
def test_warc_records_are_read_with_their_batch_and_checked(tmp_path, fetcher, gzipped):
    """Archived responses are listed at expansion and read at their offsets when their batch
    is fetched: non-200 responses are failures at once; an empty or oversized body, or a
    file that changed since, fails that page alone."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / ("mixed.warc.gz" if gzipped else "mixed.warc")
    page = sample_pages()[0].read_bytes()
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzipped)
        for n, (status, body, kind) in enumerate(
            [
                ("200 OK", page, "text/html"),
                ("404 Not Found", b"<html>gone</html>", "text/html"),
                ("200 OK", b"  ", "text/html"),
                ("200 OK", b"<html>" + b"x" * len(page) + b"</html>", "text/html"),
                ("200 OK", b"{}", "application/json"),  # not a page: not listed
            ]
        ):
            headers = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                f"https://example.org/{n}.html",
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
            )
            writer.write_record(record)
    settings = Settings(max_bytes=len(page) + 10)
    with Fetcher(settings) as small:
        expansion = expand_sources([str(path)], small)
    assert [t.url for t in expansion.targets] == [
        f"https://example.org/{n}.html" for n in (0, 2, 3)
    ]
    [(_, gone)] = expansion.fetches
    assert gone.error_kind == "http_status" and gone.url == "https://example.org/1.html"
    read = [t.at_hand() for t in expansion.targets]
    assert read[0].ok and read[0].body == page and read[0].status_code == 200
    assert [(r.ok, r.error_kind) for r in read[1:]] == [(False, "empty"), (False, "too_large")]
    path.write_bytes(b"")  # the file changed after the expansion
    changed = expansion.targets[0].at_hand()
    assert not changed.ok and changed.error_kind == "io" and changed.body is None


def test_corrupt_warc_is_a_recorded_failure(tmp_path, fetcher):
    bad = tmp_path / "broken.warc.gz"
    bad.write_bytes(gzip.compress(b"WARC/1.0\r\nnot really a warc") + b"garbage")
    expansion = expand_sources([str(bad)], fetcher)
    assert expansion.targets == []
    assert [r.error_kind for _, r in expansion.fetches] == ["parse"]


def test_a_warc_gzipped_as_one_stream_is_a_one_line_failure_that_says_what_to_do(tmp_path, fetcher):
    """warcio reads the first record of a WARC gzipped whole (not record by record), then
    refuses the rest with a message of many lines: recorded on one line, with its advice."""
    plain = make_warc(
        tmp_path / "crawl.warc",
        [(f"https://example.org/{p.name}", p.read_bytes()) for p in sample_pages()[:3]],
    )
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))
    expansion = expand_sources([str(whole)], fetcher)
    [(_, failed)] = expansion.fetches
    assert failed.error_kind == "parse" and "\n" not in failed.error
    assert "non-chunked gzip file detected" in failed.error
    assert "warcio recompress" in failed.error


def test_gzipped_saved_pages_are_read_as_pages_and_bombs_refused(tmp_path):
    """A directory of ``.html.gz`` pages (how archives and benchmark sets keep them) is read
    like ``.html``; a gzip bomb and a broken file are recorded failures, not read whole."""
    pages = sample_pages()[:2]
    folder = tmp_path / "saved"
    folder.mkdir()
    for page in pages:
        (folder / (page.name + ".gz")).write_bytes(gzip.compress(page.read_bytes()))
    (folder / "bomb.html.gz").write_bytes(gzip.compress(b"<p>" + b"a" * 3_000_000))
    (folder / "broken.html.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    settings = Settings(per_host_interval_s=0.0, max_bytes=1_000_000)
    with Fetcher(settings) as fetcher:
        expansion = expand_sources([str(folder)], fetcher)
    by_name = {t.url.rsplit("/", 1)[-1]: t.at_hand() for t in expansion.targets}
    assert sorted(by_name) == sorted(
        [p.name + ".gz" for p in pages] + ["bomb.html.gz", "broken.html.gz"]
    )
    for page in pages:
        assert by_name[page.name + ".gz"].body == page.read_bytes()
    assert (by_name["bomb.html.gz"].ok, by_name["bomb.html.gz"].error_kind) == (False, "too_large")
    assert (by_name["broken.html.gz"].ok, by_name["broken.html.gz"].error_kind) == (False, "decode")


def test_a_local_page_read_with_its_batch_is_not_resolved_again(tmp_path, fetcher, monkeypatch):
    """A file the user named is resolved once, at expansion (its URL); reading it with its
    batch names it by that URI (a ``resolve`` a page was ~0.2 ms of the run's CPU beside the
    workers). The result is named as before: URL and final URL the resolved file's URI, also
    through a symlinked directory; a mirror's page still gets the mirror file's URI."""
    from pathlib import Path

    real = tmp_path / "real"
    real.mkdir()
    (real / "a.html").write_text("<html><body><p>Hello there, a page.</p></body></html>")
    (tmp_path / "link").symlink_to(real)
    expansion = expand_sources([str(tmp_path / "link")], fetcher)
    mirror = expand_sources([str(SAMPLE_SITE / "sitemap.xml")], fetcher).targets[0]
    (target,) = expansion.targets
    assert target.url == (real / "a.html").as_uri()
    resolved: list[Path] = []
    original = Path.resolve

    def counting(self, strict=False):
        resolved.append(self)
        return original(self, strict)

    monkeypatch.setattr(Path, "resolve", counting)
    result = target.at_hand()
    assert result.ok and result.url == result.final_url == target.url
    assert resolved == []
    published = mirror.at_hand()
    assert published.url == mirror.url and published.final_url.startswith("file://")
    assert published.final_url == original(mirror.local).as_uri()
