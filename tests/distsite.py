"""A local news site on several hosts (127.0.0.1, 127.0.0.2, ...), for the distributed tests.

Each host serves ``/robots.txt``, ``/sitemap.xml`` and ``pages_per_host`` small article pages;
every page is one paragraph of the bundled sample articles (five languages, machine-translated
copies with artefacts, named entities), each paragraph on one page only (:data:`PAGES`). The
first host's sitemap also names ``partner_pages`` pages of the second host. Every request is
logged with its host, path and time (:meth:`SiteHosts.hits`): the test reads from it that each
page was fetched once and that a host's requests were spaced.
"""

from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from newsetl.samples._articles_climate import ARTICLES as CLIMATE
from newsetl.samples._articles_court import ARTICLES as COURT
from newsetl.samples._articles_rail import ARTICLES as RAIL
from newsetl.samples._articles_un import ARTICLES as UN

SAMPLE_ARTICLES = [*CLIMATE, *COURT, *RAIL, *UN]


@dataclass(frozen=True)
class Hit:
    host: str
    path: str
    at: float  # time.time()


def _plain(fragment: str) -> str:
    """A sample paragraph without its links (links would point at the sample site)."""
    import re

    return re.sub(r"<[^>]+>", "", fragment)


#: (article, paragraph) pairs: page n of the site is pair n, so no two pages share text (a
#: page shaped like another would make near-duplicates, whose first-seen copy depends on the
#: order batches are merged in, not on what this test is about)
PAGES = [(a, p) for a in SAMPLE_ARTICLES for p in range(len(a["paragraphs"]))]


def page_html(page_no: int) -> str:
    article, paragraph = PAGES[page_no % len(PAGES)]
    text = _plain(article["paragraphs"][paragraph])
    title = html.escape(" ".join(text.split()[:9]))
    return (
        f'<!DOCTYPE html><html lang="{article["lang"]}"><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        f'<meta property="article:published_time" content="{article["published"]}">'
        f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>\n"
        f"<p>{html.escape(text)}</p>\n</article><footer>Distributed test site</footer>"
        "</body></html>\n"
    )


class SiteHosts:
    """``with SiteHosts(hosts=3, pages_per_host=70) as site: site.sources``.

    ``bodies``: serve these pages instead of the sample paragraphs (page n of the site is
    ``bodies[n]``, ``pages_per_host`` follows from their number; the distributed benchmark
    serves the public evaluation pages so)."""

    def __init__(
        self,
        hosts: int = 3,
        pages_per_host: int = 70,
        partner_pages: int = 0,
        bodies: list[bytes] | None = None,
    ) -> None:
        self.bodies = bodies
        if bodies is not None:
            pages_per_host = -(-len(bodies) // hosts)
        self.pages_per_host = pages_per_host
        #: pages of the second host (``/news/1000.html``, ...) that only the first host's
        #: sitemap names: with shards by host, two shards fetch from the second host at once
        self.partner_pages = partner_pages
        self.addresses = [f"127.0.0.{n + 1}" for n in range(hosts)]
        self.log: list[Hit] = []
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []
        self.bases: list[str] = []

    @property
    def sources(self) -> list[str]:
        return [f"{base}/sitemap.xml" for base in self.bases]

    def page_urls(self) -> set[str]:
        urls = {f"{b}/news/{k:04d}.html" for n, b in enumerate(self.bases) for k in self._own(n)}
        return urls | set(self.partner_urls())

    def _own(self, host_no: int) -> range:
        """The page numbers ``k`` of host ``host_no`` (``/news/k.html``)."""
        if self.bodies is None:
            return range(self.pages_per_host)
        first = host_no * self.pages_per_host
        return range(max(0, min(self.pages_per_host, len(self.bodies) - first)))

    def page(self, number: int) -> str | bytes:
        """Page ``number`` of the whole site."""
        return page_html(number) if self.bodies is None else self.bodies[number]

    def partner_urls(self) -> list[str]:
        if self.partner_pages and len(self.bases) > 1:
            return [f"{self.bases[1]}/news/{1000 + j:04d}.html" for j in range(self.partner_pages)]
        return []

    def hits(self) -> list[Hit]:
        with self._lock:
            return list(self.log)

    def _handler(self, host_no: int):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                base = site.bases[host_no]
                with site._lock:
                    site.log.append(Hit(base.split("//", 1)[1], self.path, time.time()))
                path = self.path.split("?", 1)[0]
                if path == "/robots.txt":
                    self._send(200, "text/plain", "User-agent: *\nAllow: /\n")
                elif path == "/sitemap.xml":
                    locs = [f"{base}/news/{k:04d}.html" for k in site._own(host_no)]
                    if host_no == 0:
                        locs += site.partner_urls()
                    urls = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
                    self._send(
                        200,
                        "application/xml",
                        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                        f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
                    )
                elif path.startswith("/news/") and path.endswith(".html"):
                    try:
                        k = int(path[6:-5])
                    except ValueError:
                        k = -1
                    partner = host_no == 1 and 1000 <= k < 1000 + site.partner_pages
                    if k in site._own(host_no) or partner:
                        own = len(site.bases) * site.pages_per_host  # pages of all hosts
                        number = own + k - 1000 if k >= 1000 else host_no * site.pages_per_host + k
                        self._send(200, "text/html; charset=utf-8", site.page(number))
                    else:
                        self._send(404, "text/plain", "not found")
                else:
                    self._send(404, "text/plain", "not found")

            def _send(self, status: int, ctype: str, text: str | bytes) -> None:
                body = text.encode() if isinstance(text, str) else text
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def __enter__(self) -> SiteHosts:
        for n, address in enumerate(self.addresses):
            self.bases.append("")
            server = ThreadingHTTPServer((address, 0), self._handler(n))
            server.daemon_threads = True
            self.bases[n] = f"http://{address}:{server.server_address[1]}"
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers.append(server)
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
