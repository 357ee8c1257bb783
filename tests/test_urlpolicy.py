"""The URL policy, the guarded transport and URL identity (site, canonical), piece by piece.

The end-to-end cases (hostile feeds, sitemaps, redirects through a real ingest run) are in
``test_hostile_sources.py``; these pin the rules themselves.
"""

from __future__ import annotations

import ipaddress
import socket
import time

import pytest

from newsetl.downloads import Fetcher, HostScheduler
from newsetl.settings import Settings
from newsetl.urlpolicy import UrlPolicy, UrlRefused, is_public_address, literal_address
from newsetl.urls import (
    accepted_canonical,
    names_same_page,
    registered_domain,
    site_of,
)

PAGE = "/en/2026/11/eu-summit-climate-treaty.html"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",  # multicast
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fec0::1",  # site-local
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "2002:7f00:1::1",  # 6to4 around 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 around 169.254.169.254
        "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
        "::127.0.0.1",  # IPv4-compatible
    ],
)
def test_addresses_that_are_not_public(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700::1", "::ffff:8.8.8.8", "2002:808:808::1"]
)
def test_public_addresses(address):
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("2852039166", "169.254.169.254"),
        ("[::1]", "::1"),
        ("example.org", None),
        ("0x7f.example", None),
    ],
)
def test_every_spelling_of_an_address_is_recognised(host, address):
    found = literal_address(host)
    assert (str(found) if found else None) == address


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "/etc/passwd",
        "ftp://example.org/x",
        "gopher://127.0.0.1:11211/",
        "javascript:alert(1)",
        "http://127.0.0.1/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1]/",
        "http:///nohost",
    ],
)
def test_urls_refused_by_default(url):
    with pytest.raises(UrlRefused):
        UrlPolicy().check_url(url)


def test_allow_list_entries_and_the_users_own_origins():
    settings = Settings(
        private_network_allow_list=(
            "10.0.0.0/8",
            "intranet.corp",
            ".lab.corp",
            "http://127.0.0.1:8080",
        )
    )
    policy = UrlPolicy.from_settings(settings)
    allows = policy.allows
    assert allows("news.corp", 80, ipaddress.ip_address("10.9.8.7"))
    assert allows("intranet.corp", 80, ipaddress.ip_address("192.168.0.5"))
    assert allows("a.lab.corp", 443, ipaddress.ip_address("192.168.0.6"))
    assert allows("127.0.0.1", 8080, ipaddress.ip_address("127.0.0.1"))
    assert not allows("127.0.0.1", 8081, ipaddress.ip_address("127.0.0.1"))
    assert not allows("lab.corp.evil", 80, ipaddress.ip_address("192.168.0.6"))
    policy.trust("http://localhost:9000/feed.xml")
    assert allows("localhost", 9000, ipaddress.ip_address("127.0.0.1"))
    assert not allows("localhost", 9001, ipaddress.ip_address("127.0.0.1"))
    assert UrlPolicy.from_settings(Settings(allow_private_networks=True)).allows(
        "x", 1, ipaddress.ip_address("169.254.169.254")
    )


def test_allow_list_from_the_environment():
    settings = Settings.from_env(
        {"NEWSETL_PRIVATE_NETWORK_ALLOW_LIST": "10.0.0.0/8, intranet.corp"}
    )
    assert settings.private_network_allow_list == ("10.0.0.0/8", "intranet.corp")
    assert Settings.from_env({"NEWSETL_ALLOW_PRIVATE_NETWORKS": "true"}).allow_private_networks


# --------------------------------------------------------------------------------------------
# the guarded transport: resolve once, check, connect to the checked address
# --------------------------------------------------------------------------------------------
class _Resolver:
    """socket.getaddrinfo answering chosen addresses for ``*.test`` names, counting calls."""

    def __init__(self, monkeypatch, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.calls: dict[str, int] = {}
        real = socket.getaddrinfo

        def fake(host, port, *args, **kwargs):
            if host not in self.answers:
                return real(host, port, *args, **kwargs)
            n = self.calls.get(host, 0)
            self.calls[host] = n + 1
            addresses = self.answers[host][min(n, len(self.answers[host]) - 1)]
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                for address in addresses
            ]

        monkeypatch.setattr(socket, "getaddrinfo", fake)


def _fetcher(**changes) -> Fetcher:
    base = Settings(per_host_interval_s=0.0, respect_robots=False, max_attempts=1)
    return Fetcher(base.replace(connect_timeout_s=1.0, **changes))


def test_the_connection_goes_to_the_address_that_was_checked(fresh_site_server, monkeypatch):
    """DNS rebinding: the first answer is allowed, any later one is not. One resolution per
    connection, so the socket goes where the check said (and Host keeps the name)."""
    resolver = _Resolver(monkeypatch, {"rebind.test": [["127.0.0.1"], ["10.255.255.1"]]})
    url = f"http://rebind.test:{fresh_site_server.port}{PAGE}"
    with _fetcher(private_network_allow_list=("127.0.0.1/32",)) as fetcher:
        result = fetcher.fetch(url)
    assert result.ok, result.error
    assert resolver.calls["rebind.test"] == 1
    [request] = fresh_site_server.requests_for(PAGE)
    assert request.header("Host") == f"rebind.test:{fresh_site_server.port}"


@pytest.mark.parametrize(
    "answer", [["127.0.0.1"], ["8.8.8.8", "127.0.0.1"], ["169.254.169.254"], ["10.0.0.1"]]
)
def test_a_name_resolving_to_a_private_address_is_refused_before_connecting(
    fresh_site_server, monkeypatch, answer
):
    _Resolver(monkeypatch, {"evil.test": [answer]})
    with _fetcher() as fetcher:
        result = fetcher.fetch(f"http://evil.test:{fresh_site_server.port}{PAGE}")
    assert result.outcome == "failed" and result.error_kind == "url_policy"
    assert "not a public address" in result.error
    assert fresh_site_server.requests == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "/etc/passwd", "file://localhost/etc/hosts"])
def test_the_fetcher_never_reads_local_files(url):
    with _fetcher() as fetcher:
        result = fetcher.fetch(url)
    assert result.outcome == "failed" and result.error_kind == "url_policy"
    assert result.body is None


@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", ["/bad/trickle-headers.html", "/bad/trickle-body.html"])
def test_whole_fetch_deadline_holds_against_trickling(fresh_site_server, path):
    with _fetcher(
        private_network_allow_list=("127.0.0.1/32",), fetch_deadline_s=1.5, max_attempts=3
    ) as fetcher:
        started = time.monotonic()
        result = fetcher.fetch(fresh_site_server.url(path))
    elapsed = time.monotonic() - started
    assert result.error_kind == "timeout" and "deadline" in result.error
    assert result.attempts == 1  # not retried
    assert 1.4 <= elapsed < 5


def test_a_resolver_that_hangs_is_cut_off_by_the_deadline(monkeypatch):
    real = socket.getaddrinfo

    def slow(host, *args, **kwargs):
        if host == "slow.test":
            time.sleep(4)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    with _fetcher(fetch_deadline_s=1.0) as fetcher:
        started = time.monotonic()
        result = fetcher.fetch("http://slow.test/page.html")
    assert result.error_kind == "timeout" and "deadline" in result.error
    assert time.monotonic() - started < 2.5


def test_crawl_delay_counts_from_the_request_before_it():
    hosts = HostScheduler(0.0)
    hosts.wait("h")  # the robots.txt request
    started = time.monotonic()
    hosts.set_interval("h", 0.3)  # robots.txt says Crawl-delay: 0.3
    hosts.wait("h")
    assert time.monotonic() - started >= 0.25


# --------------------------------------------------------------------------------------------
# identity: the site and the canonical URL
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://www.bbc.co.uk/news/world", "bbc.co.uk"),
        ("https://news.bbc.co.uk/", "bbc.co.uk"),
        ("https://alice.github.io/post", "alice.github.io"),  # private suffixes: one owner each
        ("http://127.0.0.1:18431/x.html", "127.0.0.1"),  # no port: articles and fetches agree
        ("http://[::1]:8080/", "::1"),
        ("http://localhost:8000/", "localhost"),
        ("https://news.newsetl.example/a.html", "newsetl.example"),
        ("https://EXAMPLE.com./a", "example.com"),
        ("file:///tmp/a.html", None),
    ],
)
def test_site_is_the_registered_domain(url, site):
    assert site_of(url) == site


def test_public_suffix_list_is_read_offline(monkeypatch):
    from newsetl import urls

    def no_network(*args, **kwargs):
        raise AssertionError("the public suffix list must not go online")

    urls._public_suffix_list.cache_clear()
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert registered_domain("https://www.theguardian.co.uk/x") == "theguardian.co.uk"


@pytest.mark.parametrize(
    ("canonical", "own", "same"),
    [
        ("https://example.com/a", "https://example.com/a", True),
        ("https://example.com/a", "http://www.example.com/a/", True),
        ("https://example.com/a", "https://m.example.com/a", True),
        ("https://example.com/a", "https://example.com/amp/a", True),
        ("https://example.com/a", "https://example.com/a/amp", True),
        ("https://example.com/a?id=5", "https://example.com/a?id=5&page=2", True),
        ("https://example.com/a?id=5", "https://example.com/a?id=6", False),
        ("https://example.com/pi%C3%B9", "https://example.com/più", True),
        ("https://example.com/a.html", "https://example.com/a.html;jsessionid=B01B.2", True),
        ("https://example.com/a?x=1", "https://example.com/a", False),
        ("https://example.com/b", "https://example.com/a", False),
        ("https://other.example.com/a", "https://example.com/a", False),
        ("https://example.com:8443/a", "https://example.com/a", False),
    ],
)
def test_canonical_names_the_same_page(canonical, own, same):
    assert names_same_page(canonical, own) is same


def test_canonical_acceptance_rule():
    own = ["https://www.example.com/2026/story.html"]
    assert accepted_canonical("https://example.com/2026/story.html", own, local=False)
    assert accepted_canonical("https://victim.org/2026/story.html", own, local=False) is None
    assert accepted_canonical("https://example.com/front-page.html", own, local=False) is None
    assert accepted_canonical("file:///etc/passwd", own, local=False) is None
    # a saved page the user named: its canonical is where it was published
    assert accepted_canonical("https://example.org/same", ["file:///tmp/a.html"], local=True)
    assert accepted_canonical("file:///etc/x", ["file:///tmp/a.html"], local=True) is None


# --------------------------------------------------------------------------------------------
# TLS through the guarded transport: SNI and certificate checks keep the host name
# --------------------------------------------------------------------------------------------
def _certificates(folder, name: str):
    """A throw-away CA and a server certificate for ``name`` (PEM files)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def build(subject, issuer, key, signer, *, ca: bool, san: str | None = None):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if san:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = build("newsetl test CA", "newsetl test CA", ca_key, ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = build(name, "newsetl test CA", key, ca_key, ca=False, san=name)
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "server.pem").write_bytes(
        cert.public_bytes(pem)
        + key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return folder / "ca.pem", folder / "server.pem"


def test_https_keeps_the_host_name_for_sni_and_certificate_checks(tmp_path, monkeypatch):
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    ca, server_pem = _certificates(tmp_path, "tls.test")
    seen_sni: list[str | None] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<html><body><p>over TLS</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(server_pem)
    context.sni_callback = lambda sock, name, ctx: seen_sni.append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(ca))
        _Resolver(monkeypatch, {"tls.test": [["127.0.0.1"]]})
        with _fetcher(private_network_allow_list=("127.0.0.1/32",)) as fetcher:
            by_name = fetcher.fetch(f"https://tls.test:{port}/")
            by_address = fetcher.fetch(f"https://127.0.0.1:{port}/")
    finally:
        server.shutdown()
        server.server_close()
    assert by_name.ok, by_name.error
    assert "tls.test" in seen_sni  # SNI carries the name although the socket went to the IP
    # the certificate is checked against the name in the URL: for the bare IP it fails
    assert by_address.outcome == "failed" and by_address.error_kind == "transport"


def test_public_suffix_list_comes_back_from_the_cache(tmp_path, monkeypatch):
    """The parsed list is read from the disk cache after the first process (the fork server's
    extraction warm-up parsed it in every run) and splits hosts as a freshly parsed one."""
    from publicsuffixlist import PublicSuffixList

    from newsetl import urls

    monkeypatch.setenv("NEWSETL_CACHE_DIR", str(tmp_path))
    urls._public_suffix_list.cache_clear()
    try:
        first = urls._public_suffix_list()
        assert list(tmp_path.glob("public_suffix_list-*.pickle"))

        def no_parse(*args, **kwargs):
            raise AssertionError("the list was parsed again")

        monkeypatch.setattr(PublicSuffixList, "_parse", no_parse)
        urls._public_suffix_list.cache_clear()
        cached = urls._public_suffix_list()
    finally:
        urls._public_suffix_list.cache_clear()
    monkeypatch.undo()
    fresh = PublicSuffixList()
    assert cached is not first and vars(cached) == vars(fresh)
    hosts = ["www.bbc.co.uk", "alice.github.io", "a.b.kawasaki.jp", "city.kawasaki.jp", "x.ck"]
    hosts += ["news.xn--p1ai", "новости.рф", "example.invalid"]
    assert [cached.privatesuffix(h) for h in hosts] == [fresh.privatesuffix(h) for h in hosts]
