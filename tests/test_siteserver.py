"""The local test web server behaves as the rest of the suite assumes."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
import zlib

import httpx
import pytest
import trafilatura
from siteserver import GZIP_BOMB_MIB, SiteServer, make_warc

from newsetl.samples import SAMPLE_BASE_URL

UA = "newsetl-test/1.0"


@pytest.fixture
def client() -> httpx.Client:
    with httpx.Client(headers={"User-Agent": UA}, timeout=5.0) as c:
        yield c


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/en/2026/11/eu-summit-climate-treaty.html", "text/html; charset=utf-8"),
        ("/feed.xml", "application/rss+xml"),
        ("/atom.xml", "application/atom+xml"),
        ("/feed.json", "application/feed+json"),
        ("/sitemap.xml", "application/xml"),
        ("/sitemap-news.xml", "application/xml"),
        ("/sitemap-pages.xml.gz", "application/gzip"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/bad/not-html.pdf", "application/pdf"),
    ],
)
def test_content_types(fresh_site_server: SiteServer, client, path, content_type):
    response = client.get(fresh_site_server.url(path))
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type


@pytest.mark.parametrize("path", ["/", "/feed.xml", "/atom.xml", "/feed.json", "/sitemap.xml"])
def test_text_responses_point_back_at_the_server(site_server: SiteServer, client, path):
    text = client.get(site_server.url(path)).text
    assert SAMPLE_BASE_URL not in text
    assert site_server.base_url in text


def test_article_canonical_and_hreflang_are_rewritten(site_server: SiteServer, client):
    html = client.get(site_server.url("/it/2026/11/onu-rapporto-riciclaggio.html")).text
    canonical = site_server.url("/it/2026/11/onu-rapporto-riciclaggio.html")
    assert f'<link rel="canonical" href="{canonical}">' in html
    mt = site_server.url("/en/2026/11/un-report-money-laundering.html")
    assert f'hreflang="en" href="{mt}"' in html
    assert SAMPLE_BASE_URL not in html


def test_gzipped_sitemap_is_rewritten_inside_the_gzip(site_server: SiteServer, client):
    response = client.get(site_server.url("/sitemap-pages.xml.gz"))
    xml = gzip.decompress(response.content).decode()
    assert SAMPLE_BASE_URL not in xml
    assert site_server.url("/en/2026/11/eu-summit-climate-treaty.html") in xml


def test_robots_txt(site_server: SiteServer, client):
    robots = client.get(site_server.url("/robots.txt")).text
    assert "User-agent: *" in robots
    assert "Disallow: /private/" in robots
    assert "Crawl-delay: 0.2" in robots
    assert f"Sitemap: {site_server.url('/sitemap.xml')}" in robots


def test_etag_conditional_get_returns_304_without_body(fresh_site_server: SiteServer, client):
    url = fresh_site_server.url("/feed.xml")
    first = client.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    changed = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200
    log = fresh_site_server.requests_for("/feed.xml")
    assert [r.status for r in log] == [200, 304, 200]
    assert log[1].body_bytes == 0
    assert log[1].header("If-None-Match") == etag
    assert log[0].body_bytes == len(first.content)


def test_last_modified_conditional_get(fresh_site_server: SiteServer, client):
    url = fresh_site_server.url("/sitemap.xml")
    last_modified = client.get(url).headers["last-modified"]
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(url, headers={"If-Modified-Since": old}).status_code == 200


def test_head_sends_headers_only(site_server: SiteServer, client):
    response = client.head(site_server.url("/feed.json"))
    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 0
    assert response.content == b""


def test_missing_and_escaping_paths_are_404(site_server: SiteServer, client):
    assert client.get(site_server.url("/nope.html")).status_code == 404
    assert client.get(site_server.url("/../../pyproject.toml")).status_code == 404
    assert client.get(site_server.url("/bad/404.html")).status_code == 404


def test_request_log_records_user_agent_and_clears(fresh_site_server: SiteServer, client):
    client.get(fresh_site_server.url("/robots.txt"))
    client.get(fresh_site_server.url("/private/do-not-fetch.html"))
    log = fresh_site_server.requests
    assert [r.path for r in log] == ["/robots.txt", "/private/do-not-fetch.html"]
    assert all(r.method == "GET" and r.header("user-agent") == UA for r in log)
    assert log[0].time <= log[1].time
    fresh_site_server.clear_log()
    assert fresh_site_server.requests == []


def test_flaky_fails_once_then_serves_until_reset(fresh_site_server: SiteServer, client):
    url = fresh_site_server.url("/bad/flaky.html")
    assert client.get(url).status_code == 500
    second = client.get(url)
    assert second.status_code == 200
    assert "Reservoirs" in second.text
    fresh_site_server.reset()
    assert client.get(url).status_code == 500


def test_retry_after_once(fresh_site_server: SiteServer, client):
    url = fresh_site_server.url("/bad/retry-after.html")
    first = client.get(url)
    assert first.status_code == 429
    assert first.headers["retry-after"] == "1"
    assert client.get(url).status_code == 200


def test_redirect_loop(site_server: SiteServer, client):
    response = client.get(site_server.url("/bad/loop"))
    assert response.status_code == 302
    assert response.headers["location"] == "/bad/loop2"
    with pytest.raises(httpx.TooManyRedirects):
        client.get(site_server.url("/bad/loop"), follow_redirects=True)


def test_gzip_bomb_is_small_on_the_wire_and_huge_inflated(site_server: SiteServer, client):
    with client.stream("GET", site_server.url("/bad/gzip-bomb.html")) as response:
        assert response.headers["content-encoding"] == "gzip"
        wire = int(response.headers["content-length"])
        raw = b"".join(response.iter_raw())
    assert wire == len(raw) < 2 * 1024 * 1024
    # gzip trailer ISIZE = inflated length mod 2**32; 1 GiB + prefix fits in 32 bits.
    assert int.from_bytes(raw[-4:], "little") >= GZIP_BOMB_MIB * 1024 * 1024
    inflated = zlib.decompressobj(31).decompress(raw[:16384])
    assert len(inflated) > 1000 * 16384 * 0.9  # deflate's ~1:1000 ratio holds from the start


def test_slow_page_trips_a_read_timeout(site_server: SiteServer):
    with httpx.Client(timeout=httpx.Timeout(5.0, read=0.3)) as c, pytest.raises(httpx.ReadTimeout):
        c.get(site_server.url("/bad/slow.html"))


def test_oversized_without_length_streams_until_client_stops(site_server: SiteServer, client):
    with client.stream("GET", site_server.url("/bad/oversized.html")) as response:
        assert "content-length" not in response.headers
        received = 0
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > 2 * 1024 * 1024:
                break
    assert received > 2 * 1024 * 1024


def test_oversized_declared_length(site_server: SiteServer, client):
    with client.stream("GET", site_server.url("/bad/oversized-declared.html")) as response:
        assert int(response.headers["content-length"]) >= 1024**3


def test_empty_page(site_server: SiteServer, client):
    response = client.get(site_server.url("/bad/empty.html"))
    assert response.status_code == 200
    assert response.content == b""


def test_wrong_charsets(site_server: SiteServer, client):
    cp1252 = client.get(site_server.url("/bad/wrong-charset.html"))
    assert "charset=utf-8" in cp1252.headers["content-type"]
    assert b'<meta charset="utf-8">' in cp1252.content
    with pytest.raises(UnicodeDecodeError):
        cp1252.content.decode("utf-8")
    assert "député" in cp1252.content.decode("cp1252")

    latin1 = client.get(site_server.url("/bad/wrong-charset-latin1.html"))
    assert "charset=iso-8859-1" in latin1.headers["content-type"]
    assert "député" in latin1.content.decode("utf-8")
    assert "député" not in latin1.text  # decoding as declared gives mojibake


def test_malformed_page_still_yields_its_article(site_server: SiteServer, client):
    body = client.get(site_server.url("/bad/malformed.html")).content
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = trafilatura.extract(body, include_comments=False) or ""
    assert "reservoirs in the northern valleys" in text


def test_broken_xml_routes_are_not_well_formed(site_server: SiteServer, client):
    for path in ("/bad/broken-feed.xml", "/bad/broken-sitemap.xml"):
        with pytest.raises(ET.ParseError):
            ET.fromstring(client.get(site_server.url(path)).content)


def test_bomb_feed_declares_nested_entities(site_server: SiteServer, client):
    from defusedxml import EntitiesForbidden
    from defusedxml.ElementTree import fromstring

    body = client.get(site_server.url("/bad/bomb-feed.xml")).content
    assert body.count(b"<!ENTITY") == 10
    with pytest.raises(EntitiesForbidden):
        fromstring(body)


def test_make_warc_round_trips(tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    pages = [
        ("https://news.newsetl.example/a.html", b"<html><body><p>alpha</p></body></html>"),
        ("https://news.newsetl.example/b.html", "<p>Grüße</p>".encode()),
    ]
    for name in ("pages.warc.gz", "pages.warc"):
        path = make_warc(tmp_path / name, pages)
        with path.open("rb") as stream:
            got = [
                (r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
                for r in ArchiveIterator(stream)
                if r.rec_type == "response"
            ]
        assert got == pages


def test_server_stops_cleanly_and_wakes_slow_handlers():
    server = SiteServer().start()
    url = server.url("/bad/slow.html")
    with httpx.Client(timeout=httpx.Timeout(5.0, read=0.2)) as c, pytest.raises(httpx.ReadTimeout):
        c.get(url)
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url("/"), timeout=1.0)
