"""A real local HTTP server for the test suite: the bundled sample site plus hostile routes.

Why a real server rather than mocked transports: fetching, politeness, conditional GET, robots,
redirect and size limits are properties of the HTTP exchange itself; only a socket shows whether
the fetcher sent the right headers, waited between requests, or stopped reading a bomb.

The sample site's absolute URLs (``https://news.newsetl.example``) are rewritten to this
server's own base URL in every text response, so links, canonicals, feeds and sitemaps all point
back here. Under ``/bad/`` live routes that misbehave on purpose (see ``BAD_ROUTES``), and a test
can serve documents of its own at any path with :meth:`SiteServer.put` (hostile feeds, sitemaps,
robots.txt files and pages that name the test's own temporary files or other servers).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from newsetl.samples import SAMPLE_BASE_URL, SAMPLE_SITE

#: Seconds ``/bad/slow.html`` stalls before answering: longer than any sane read timeout.
SLOW_SECONDS = 30.0
#: Bytes streamed by the oversized routes (~30 MB), without or with a lying Content-Length.
OVERSIZED_BYTES = 30 * 1024 * 1024
DECLARED_OVERSIZED_LENGTH = 10 * 1024**3
#: Decompressed size of ``/bad/gzip-bomb.html`` (1 GiB of zeros after a tiny HTML prefix).
GZIP_BOMB_MIB = 1024
GZIP_BOMB_PREFIX = b"<!DOCTYPE html><html><body><p>"

#: The sample site's robots.txt asks for this delay; politeness tests rely on it.
ROBOTS_CRAWL_DELAY = 0.2

#: The trickling routes send one byte per TRICKLE_INTERVAL seconds (headers or body): every
#: single read succeeds, so only a whole-fetch deadline ends them (they would take minutes).
TRICKLE_INTERVAL = 1.0

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".gz": "application/gzip",
    ".png": "image/png",
    ".pdf": "application/pdf",
}
#: Feeds get their specific media types (by file name), everything else by suffix.
NAMED_CONTENT_TYPES = {
    "feed.xml": "application/rss+xml",
    "atom.xml": "application/atom+xml",
    "feed.json": "application/feed+json",
}
TEXT_SUFFIXES = {".html", ".txt", ".json", ".xml"}


@dataclass
class RequestRecord:
    """One request as the server saw it. ``headers`` keys are lower-case.

    ``status`` and ``body_bytes`` are filled in once the response is written, so a test can
    assert that a 304 carried no body.
    """

    method: str
    path: str
    headers: dict[str, str]
    time: float  # time.monotonic() at arrival, for interval checks
    status: int | None = None
    body_bytes: int = 0

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class _State:
    """Shared, lock-protected server state (the handler class is instantiated per request)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    log: list[RequestRecord] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)

    def count_hit(self, path: str) -> int:
        """Return how many times ``path`` was requested before this one (since reset)."""
        with self.lock:
            seen = self.hits.get(path, 0)
            self.hits[path] = seen + 1
            return seen


# --- fixture content for /bad/ (all text written for this project) ---------------------------

_ARTICLE_PARAGRAPHS = [
    "The regional water authority said on Thursday that reservoirs in the northern valleys "
    "had fallen to their lowest autumn level in twenty years, and asked farmers to delay "
    "the planting of winter crops until the rains return.",
    "Engineers have started to divert water from two smaller lakes into the main reservoir, "
    "a measure last used during the drought of 2009. The authority estimates that the "
    "transfer will add about six weeks of supply for the valley towns.",
    "Farmers' associations called the request unrealistic. They argue that a late planting "
    "would cut yields by a third and that compensation promised in previous dry years had "
    "arrived more than a year late, when many small farms had already sold their machinery.",
    "Meteorologists expect the first significant rainfall in early December. Until then, "
    "households are asked to avoid washing cars and filling swimming pools, and the "
    "authority will publish reservoir levels every morning on its website.",
]


def _article_html(title: str, lang: str = "en", charset: str = "utf-8") -> str:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in _ARTICLE_PARAGRAPHS)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="{charset}">'
        f"<title>{title}</title></head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>{title}</h1>\n{paragraphs}\n</article>"
        "<footer>Test fixture page</footer></body></html>\n"
    )


def _malformed_html() -> bytes:
    """Broken markup around a real article: extraction should still recover the story."""
    parts = [
        b"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>Reservoirs low</title>",  # no </head>
        b"<body><div id='wrap'><div class='menu'><ul><li><a href='/'>Home<li>World</ul>",
        b"</div></div></div>\x00\xff\xfe\x81 garbage \xc3\x28\xa0\xa1\n",
        b"<article><h1>Reservoirs at twenty-year low<h2>",
    ]
    for p in _ARTICLE_PARAGRAPHS:
        parts.append(b"<p>" + p.encode() + b"\n")  # paragraphs never closed
    parts.append(b"</span></article></div><table><tr><td>stray cell</p>")
    parts.append(b"<footer>Copyright<div><b><i>unclosed")
    return b"".join(parts)


_FRENCH_GERMAN = (
    "<p>Le député a déclaré que la réforme serait présentée à l'Assemblée après les fêtes, "
    "malgré l'opposition des élus de la majorité. « Ce n'est qu'un début », a-t-il ajouté.</p>\n"
    "<p>Die Bürgermeisterin äußerte sich zurückhaltend: Über die Höhe der Gebühren werde erst "
    "im Frühjahr entschieden, größere Änderungen seien nicht geplant.</p>\n"
    "<p>Les élèves du lycée Molière ont présenté leur projet devant le jury régional, "
    "où ils ont été très applaudis pour leur étude sur la qualité de l'eau.</p>\n"
)


def _charset_page(declared: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="{declared}">'
        "<title>Réforme des retraites : le débat reprend</title></head><body><article>"
        f"<h1>Réforme : le débat reprend</h1>\n{_FRENCH_GERMAN * 2}</article></body></html>\n"
    )


_BOMB_FEED = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughs</title><link>http://example.invalid/</link>
<description>&lol9;</description>
<item><title>&lol9;</title><link>http://example.invalid/a</link></item>
</channel></rss>
"""

_BROKEN_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Broken feed</title>
<item><title>Unclosed item <b>bold</title><link>/bad/flaky.html
<item><title>Second & unescaped</title></channel>
"""

_BROKEN_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>/bad/flaky.html</loc><lastmod>2026-11-20</lastmod>
  <url><loc>/bad/empty.html</loc></url
</urlset
"""

_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@cache
def gzip_bomb_bytes() -> bytes:
    """~1 MB of gzip that inflates to over 1 GiB, built without holding 1 GiB in memory.

    After a full flush, deflate output for each further MiB of zeros is byte-identical, so one
    compressed block is repeated and the gzip trailer (CRC32, size) is computed on the fly.
    Deflate caps the ratio near 1:1030, hence ~1 MB rather than a few KB.
    """
    mib = bytes(1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = comp.compress(GZIP_BOMB_PREFIX) + comp.compress(mib) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(mib) + comp.flush(zlib.Z_FULL_FLUSH)
    final = comp.flush(zlib.Z_FINISH)[:-8]  # empty last block; trailer replaced below
    crc = zlib.crc32(GZIP_BOMB_PREFIX)
    for _ in range(GZIP_BOMB_MIB):
        crc = zlib.crc32(mib, crc)
    size = (len(GZIP_BOMB_PREFIX) + GZIP_BOMB_MIB * len(mib)) % 2**32
    trailer = crc.to_bytes(4, "little") + size.to_bytes(4, "little")
    return head + block * (GZIP_BOMB_MIB - 1) + final + trailer


#: Every hostile route, for documentation and for tests that iterate them.
BAD_ROUTES = (
    "/bad/malformed.html",
    "/bad/wrong-charset.html",
    "/bad/wrong-charset-latin1.html",
    "/bad/empty.html",
    "/bad/404.html",
    "/bad/flaky.html",
    "/bad/retry-after.html",
    "/bad/loop",
    "/bad/loop2",
    "/bad/oversized.html",
    "/bad/oversized-declared.html",
    "/bad/gzip-bomb.html",
    "/bad/slow.html",
    "/bad/not-html.pdf",
    "/bad/bomb-feed.xml",
    "/bad/broken-feed.xml",
    "/bad/broken-sitemap.xml",
    "/bad/trickle-headers.html",
    "/bad/trickle-body.html",
    "/bad/redirect",
)

PRIVATE_PAGE = "/private/do-not-fetch.html"


class _Handler(BaseHTTPRequestHandler):
    """Request handler; ``server`` is a :class:`_Server` carrying the shared state."""

    protocol_version = "HTTP/1.1"
    server: _Server

    # -- plumbing -----------------------------------------------------------------------------
    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    def _record(self) -> RequestRecord:
        record = RequestRecord(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            time=time.monotonic(),
        )
        with self.server.state.lock:
            self.server.state.log.append(record)
        return record

    def _send(
        self,
        record: RequestRecord,
        status: int,
        body: bytes = b"",
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        record.status = status
        if self.command != "HEAD" and body:
            self.wfile.write(body)
            record.body_bytes = len(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        record = self._record()
        path = urlsplit(self.path).path
        route = self.server.routes.get(path)
        # a document put under a path with its query first (pages of one script)
        put = self.server.put_documents.get(self.path) or self.server.put_documents.get(path)
        try:
            if put is not None:
                status, body, content_type, headers = put
                self._send(record, status, body, content_type=content_type, headers=headers)
            elif route is not None:
                route(self, record)
            elif path.startswith("/private/"):
                self._send(record, 200, _article_html("Private page: never fetch").encode())
            else:
                self._serve_static(record, path)
        except (BrokenPipeError, ConnectionResetError):  # client gave up: expected for bombs
            self.close_connection = True

    # -- the sample site ------------------------------------------------------------------------
    def _serve_static(self, record: RequestRecord, path: str) -> None:
        file = self._resolve(path)
        if file is None:
            self._send(record, 404, b"<html><body><h1>404 Not Found</h1></body></html>")
            return
        body = self.server.rendered(file)
        mtime = int(file.stat().st_mtime)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}
        if self._not_modified(etag, mtime):
            self._send(record, 304, b"", content_type=None, headers=headers)
            return
        ctype = NAMED_CONTENT_TYPES.get(file.name) or CONTENT_TYPES.get(
            file.suffix, "application/octet-stream"
        )
        self._send(record, 200, body, content_type=ctype, headers=headers)

    def _resolve(self, path: str) -> Path | None:
        root = self.server.site.resolve()
        candidate = (root / path.lstrip("/")).resolve()
        if not candidate.is_relative_to(root):
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def _not_modified(self, etag: str, mtime: int) -> bool:
        """RFC 9110: If-None-Match wins; If-Modified-Since only when it is absent."""
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return "*" in tags or etag in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                return mtime <= parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    # -- hostile routes -------------------------------------------------------------------------
    def bad_malformed(self, record: RequestRecord) -> None:
        self._send(record, 200, _malformed_html())

    def bad_wrong_charset(self, record: RequestRecord) -> None:
        """Declared utf-8 (header and meta) but encoded windows-1252."""
        self._send(record, 200, _charset_page("utf-8").encode("cp1252"))

    def bad_wrong_charset_latin1(self, record: RequestRecord) -> None:
        """Declared iso-8859-1 (header and meta) but encoded utf-8."""
        body = _charset_page("iso-8859-1").encode("utf-8")
        self._send(record, 200, body, content_type="text/html; charset=iso-8859-1")

    def bad_empty(self, record: RequestRecord) -> None:
        self._send(record, 200, b"")

    def bad_404(self, record: RequestRecord) -> None:
        self._send(record, 404, b"<html><body><h1>Not here</h1></body></html>")

    def bad_flaky(self, record: RequestRecord) -> None:
        if self.server.state.count_hit("/bad/flaky.html") == 0:
            self._send(record, 500, b"<html><body>Internal Server Error</body></html>")
        else:
            self._send(record, 200, _article_html("Reservoirs at twenty-year low").encode())

    def bad_retry_after(self, record: RequestRecord) -> None:
        if self.server.state.count_hit("/bad/retry-after.html") == 0:
            body = b"<html><body>Too Many Requests</body></html>"
            self._send(record, 429, body, headers={"Retry-After": "1"})
        else:
            self._send(record, 200, _article_html("Reservoirs at twenty-year low").encode())

    def bad_loop(self, record: RequestRecord) -> None:
        self._send(record, 302, b"", headers={"Location": "/bad/loop2"})

    def bad_loop2(self, record: RequestRecord) -> None:
        self._send(record, 302, b"", headers={"Location": "/bad/loop"})

    def _stream(self, record: RequestRecord, declared: int | None) -> None:
        """Stream ~30 MB of HTML; without a length the end of the body is the connection close."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if declared is not None:
            self.send_header("Content-Length", str(declared))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        record.status = 200
        if self.command == "HEAD":
            return
        chunk = b"<p>" + b"filler text " * 5400 + b"</p>\n"  # ~64 KB
        self.wfile.write(b"<!DOCTYPE html><html><body>")
        while record.body_bytes < OVERSIZED_BYTES and not self.server.state.stopping.is_set():
            self.wfile.write(chunk)
            record.body_bytes += len(chunk)

    def bad_oversized(self, record: RequestRecord) -> None:
        self._stream(record, declared=None)

    def bad_oversized_declared(self, record: RequestRecord) -> None:
        self._stream(record, declared=DECLARED_OVERSIZED_LENGTH)

    def bad_gzip_bomb(self, record: RequestRecord) -> None:
        headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        self._send(record, 200, gzip_bomb_bytes(), headers=headers)

    def bad_slow(self, record: RequestRecord) -> None:
        """Say nothing for SLOW_SECONDS (or until the server stops), then answer."""
        if self.server.state.stopping.wait(SLOW_SECONDS):
            self.close_connection = True
            return
        self._send(record, 200, _article_html("Finally").encode())

    def bad_pdf(self, record: RequestRecord) -> None:
        self._send(record, 200, _PDF, content_type="application/pdf")

    def bad_bomb_feed(self, record: RequestRecord) -> None:
        self._send(record, 200, _BOMB_FEED, content_type="application/rss+xml")

    def bad_broken_feed(self, record: RequestRecord) -> None:
        self._send(record, 200, _BROKEN_FEED, content_type="application/rss+xml")

    def bad_broken_sitemap(self, record: RequestRecord) -> None:
        self._send(record, 200, _BROKEN_SITEMAP, content_type="application/xml")

    def _trickle(self, data: bytes) -> bool:
        """Write ``data`` one byte per TRICKLE_INTERVAL; False once the server stops."""
        for i in range(len(data)):
            self.wfile.write(data[i : i + 1])
            self.wfile.flush()
            if self.server.state.stopping.wait(TRICKLE_INTERVAL):
                return False
        return True

    def bad_trickle_headers(self, record: RequestRecord) -> None:
        """A status line, then the headers one byte per second (~2 minutes), then a page."""
        body = _article_html("Trickled headers").encode()
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"X-Padding: {'x' * 80}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        record.status = 200
        self.close_connection = True
        if self._trickle(head):
            self.wfile.write(body)
            record.body_bytes = len(body)

    def bad_trickle_body(self, record: RequestRecord) -> None:
        """Headers at once, then the page one byte per second (it would take ~45 minutes)."""
        body = _article_html("Trickled body").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        record.status = 200
        self.close_connection = True
        if self._trickle(body):
            record.body_bytes = len(body)

    def bad_redirect(self, record: RequestRecord) -> None:
        """``/bad/redirect?to=URL[&status=301]``: a redirect to wherever the test says."""
        query = parse_qs(urlsplit(self.path).query)
        status = int(query.get("status", ["302"])[0])
        self._send(record, status, b"", headers={"Location": query.get("to", ["/"])[0]})


_ROUTE_METHODS: dict[str, Callable[[_Handler, RequestRecord], None]] = {
    "/bad/malformed.html": _Handler.bad_malformed,
    "/bad/wrong-charset.html": _Handler.bad_wrong_charset,
    "/bad/wrong-charset-latin1.html": _Handler.bad_wrong_charset_latin1,
    "/bad/empty.html": _Handler.bad_empty,
    "/bad/404.html": _Handler.bad_404,
    "/bad/flaky.html": _Handler.bad_flaky,
    "/bad/retry-after.html": _Handler.bad_retry_after,
    "/bad/loop": _Handler.bad_loop,
    "/bad/loop2": _Handler.bad_loop2,
    "/bad/oversized.html": _Handler.bad_oversized,
    "/bad/oversized-declared.html": _Handler.bad_oversized_declared,
    "/bad/gzip-bomb.html": _Handler.bad_gzip_bomb,
    "/bad/slow.html": _Handler.bad_slow,
    "/bad/not-html.pdf": _Handler.bad_pdf,
    "/bad/bomb-feed.xml": _Handler.bad_bomb_feed,
    "/bad/broken-feed.xml": _Handler.bad_broken_feed,
    "/bad/broken-sitemap.xml": _Handler.bad_broken_sitemap,
    "/bad/trickle-headers.html": _Handler.bad_trickle_headers,
    "/bad/trickle-body.html": _Handler.bad_trickle_body,
    "/bad/redirect": _Handler.bad_redirect,
}
assert set(_ROUTE_METHODS) == set(BAD_ROUTES)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, site: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site
        self.state = _State()
        self.routes = _ROUTE_METHODS
        #: path -> (status, body, content type, headers), set by SiteServer.put
        self.put_documents: dict[str, tuple[int, bytes, str | None, dict[str, str]]] = {}
        host, port = self.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self._cache: dict[Path, bytes] = {}
        self._cache_lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up mid-keep-alive (after a bomb, a timeout) are normal here."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def rendered(self, file: Path) -> bytes:
        """File bytes with the sample base URL rewritten to ours (gzip: inflate, fix, deflate)."""
        with self._cache_lock:
            if file in self._cache:
                return self._cache[file]
        raw = file.read_bytes()
        if file.suffix in TEXT_SUFFIXES:
            raw = self._rewrite(raw)
        elif file.name.endswith(".xml.gz"):
            raw = gzip.compress(self._rewrite(gzip.decompress(raw)), mtime=0)
        with self._cache_lock:
            self._cache[file] = raw
        return raw

    def _rewrite(self, data: bytes) -> bytes:
        return data.replace(SAMPLE_BASE_URL.encode(), self.base_url.encode())


class SiteServer:
    """The sample site (plus ``/bad/`` and ``/private/``) on 127.0.0.1, in a daemon thread.

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, site: Path = SAMPLE_SITE) -> None:
        self._server = _Server(site)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="siteserver", daemon=True
        )

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return self._server.base_url

    def url(self, path: str) -> str:
        """Absolute URL for a site path, e.g. ``url("/feed.xml")``."""
        return f"{self.base_url}/{path.lstrip('/')}"

    @property
    def requests(self) -> list[RequestRecord]:
        """Snapshot of the request log, oldest first."""
        with self._server.state.lock:
            return list(self._server.state.log)

    def requests_for(self, path: str) -> list[RequestRecord]:
        """Logged requests whose path (query ignored) equals ``path``."""
        return [r for r in self.requests if urlsplit(r.path).path == path]

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def put(
        self,
        path: str,
        body: bytes | str,
        content_type: str | None = "text/html; charset=utf-8",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Serve ``body`` at ``path`` (before any route or file) until :meth:`forget`; returns
        the absolute URL. Bodies are served as given (no base-URL rewriting)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self._server.put_documents[path] = (status, data, content_type, dict(headers or {}))
        return self.url(path)

    def forget(self) -> None:
        """Drop every document served with :meth:`put`."""
        self._server.put_documents.clear()

    def clear_log(self) -> None:
        with self._server.state.lock:
            self._server.state.log.clear()

    def reset(self) -> None:
        """Forget per-path hit counters (flaky, retry-after) and clear the log."""
        with self._server.state.lock:
            self._server.state.hits.clear()
            self._server.state.log.clear()

    def start(self) -> SiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Wake stalled handlers, stop serving, close the socket."""
        self._server.state.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def make_warc(path: Path | str, records: list[tuple[str, bytes]]) -> Path:
    """Write a WARC (gzipped when ``path`` ends in ``.gz``) of HTTP 200 HTML responses.

    Why: WARC input is one of the ingest sources; tests need small archives with known pages.
    """
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    target = Path(path)
    with target.open("wb") as out:
        writer = WARCWriter(out, gzip=target.name.endswith(".gz"))
        writer.write_record(
            writer.create_warcinfo_record(target.name, {"software": "newsetl tests"})
        )
        for url, html_bytes in records:
            http_headers = StatusAndHeaders(
                "200 OK",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(html_bytes))),
                ],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(html_bytes), http_headers=http_headers
            )
            writer.write_record(record)
    return target
