"""Polite, defensive HTTP fetching with httpx.

What a news crawler must survive and respect, all in one place:

* one URL policy for every URL and every redirect (:mod:`newsetl.urlpolicy`: http(s) only,
  no private or link-local address unless allowed), checked on the address the connection
  really uses (:mod:`newsetl.transport`);
* explicit connect/read timeouts and a whole-fetch deadline that holds against servers that
  trickle, a bounded number of redirects (loops are detected), a maximum *decoded* body size
  enforced while streaming (so a gzip bomb is cut off after ``max_bytes`` of output, never
  inflated in memory), and a content-type check before the body is read;
* robots.txt (allow/deny and Crawl-delay), a per-host minimum interval shared by every
  thread of the process, retries with exponential backoff on 429/5xx and transport errors
  that honour ``Retry-After``, and a configurable user agent;
* conditional GET: the ETag / Last-Modified of the previous run are sent back, and a 304
  is reported as "not modified" without a body. Feeds, sitemaps, robots.txt files and
  homepages (*documents*) are remembered between runs too (:class:`DocumentMemory`, kept in
  the ``pages`` table): a 304 gives back the stored body, marked unchanged.

Every call returns a :class:`FetchResult`, never raises for a bad page: the caller records
it in the fetch log either way.
"""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import hashlib
import logging
import os
import stat
import threading
import time
import zlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

from protego import Protego

from newsetl.settings import Settings
from newsetl.urlpolicy import UrlPolicy, UrlRefused
from newsetl.urls import normalise_url

if TYPE_CHECKING:
    import httpx

# httpx and newsetl.transport (httpcore, h2: ~0.1 s of CPU) are imported where a fetch needs
# them, not here: the pool's fork server and its workers import this module (the types a job
# carries) but never fetch, and the fork server's imports are on the spine's critical path
# (benchmarks/README.md "Round 10 (spine10)").

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


@dataclass
class FetchResult:
    """The outcome of fetching one URL (or reading one local file)."""

    url: str
    final_url: str | None = None
    status_code: int | None = None
    outcome: str = "failed"  # ok | not_modified | failed | skipped
    error_kind: str | None = None
    error: str | None = None
    content_type: str | None = None
    charset: str | None = None  # declared in the Content-Type header
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    elapsed_ms: float = 0.0
    attempts: int = 0
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: size of a body that was read and then let go (a parsed feed or sitemap)
    body_size: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def size(self) -> int | None:
        """Decoded body size, also after the body was dropped."""
        return len(self.body) if self.body is not None else self.body_size

    def drop_body(self) -> None:
        """Let go of the body once parsed (a big sitemap is not kept until the run ends)."""
        if self.body is not None:
            self.body_size, self.body = len(self.body), None


class FetchError(Exception):
    """A failure with a kind that goes into the fetch log's ``error_kind``."""

    def __init__(self, kind: str, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status_code = status_code


class _RetryableStatus(Exception):
    def __init__(self, status_code: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code
        self.retry_after = retry_after


# ----------------------------------------------------------------------------------------
# Politeness shared across threads
# ----------------------------------------------------------------------------------------
class HostScheduler:
    """Enforces a minimum interval between requests to the same host, across threads."""

    def __init__(self, default_interval_s: float) -> None:
        self.default_interval_s = default_interval_s
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self._last_slot: dict[str, float] = {}
        self._last_done: dict[str, float] = {}
        self._interval: dict[str, float] = {}

    def set_interval(self, host: str, seconds: float) -> None:
        """A longer interval (robots.txt Crawl-delay) counts from the last request already
        made, so the first request after robots.txt waits for it too: from its end if it is
        over (as :meth:`done` counts), since its slot may have come well before the server
        saw it (a slow first connection, a starved thread: the server saw the page 0.1 s
        after robots.txt instead of 0.2 on a loaded machine)."""
        with self._lock:
            interval = max(seconds, self.default_interval_s)
            if self._interval.get(host) == interval:
                return
            self._interval[host] = interval
            if host in self._last_slot:
                last = max(self._last_slot[host], self._last_done.get(host, 0.0))
                self._next_slot[host] = max(self._next_slot.get(host, 0.0), last + interval)

    def wait(self, host: str) -> None:
        """Reserve the next free slot for ``host`` and sleep until it comes."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot.get(host, 0.0))
            self._last_slot[host] = slot
            self._next_slot[host] = slot + self._interval.get(host, self.default_interval_s)
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def done(self, host: str) -> None:
        """The request to ``host`` is over: the next one waits a full interval from now, so
        a request that started late (a slow connection, a starved thread) never brings the
        next one closer than the interval to it on the server's side."""
        with self._lock:
            interval = self._interval.get(host, self.default_interval_s)
            now = time.monotonic()
            self._last_done[host] = now
            self._next_slot[host] = max(self._next_slot.get(host, 0.0), now + interval)


#: The part of a robots.txt that is read and parsed (RFC 9309 2.5: a crawler must parse at
#: least the first 500 KiB; what follows is not read).
ROBOTS_TXT_BYTES = 500 * 1024


class BodyPrefix(int):
    """A ``max_bytes`` that keeps a longer body's first bytes instead of refusing it.

    Why: robots.txt. A robots.txt over the fetch limit (or a gzip bomb served as one) failed as
    ``too_large``, which :meth:`RobotsCache._load` took for a server error and so disallowed
    the whole site, although RFC 9309 asks for its first 500 KiB to be parsed. Reading stops
    at the prefix (a declared Content-Length above it is no reason to refuse)."""


class RobotsCache:
    """robots.txt per origin (protego: RFC 9309, wildcards, fractional Crawl-delay),
    fetched once per process with the crawler's own client, conditionally (the stored copy is
    used on a 304), and logged like every fetch (:meth:`Fetcher.take_log`)."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher
        self._lock = threading.Lock()
        self._rules: dict[str, Protego | FetchError] = {}
        self._origin_locks: dict[str, threading.Lock] = {}

    @staticmethod
    def robots_url(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}/robots.txt"

    def rules_for(self, url: str) -> Protego:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            origin_lock = self._origin_locks.setdefault(origin, threading.Lock())
        with origin_lock:
            if origin not in self._rules:
                self._rules[origin] = self._load(self.robots_url(url), url)
            rules = self._rules[origin]
        if isinstance(rules, FetchError):
            raise FetchError(rules.kind, str(rules))  # the host is down: every page fails fast
        return rules

    def _load(self, robots_url: str, wanted_by: str) -> Protego | FetchError:
        document = self._fetcher.fetch_document(
            robots_url,
            check_robots=False,
            accept_any_type=True,
            max_bytes=BodyPrefix(ROBOTS_TXT_BYTES),
        )
        self._fetcher.log_fetch(wanted_by, document.result)
        self._fetcher.remember(document)
        result = document.result
        if result.status_code and 400 <= result.status_code < 500:
            return Protego.parse("")  # RFC 9309: an unavailable robots.txt means no restriction
        if result.error_kind == "url_policy":
            return FetchError(result.error_kind, str(result.error))
        if result.error_kind in {"transport", "timeout"}:
            return FetchError(result.error_kind, f"host unreachable (robots.txt: {result.error})")
        if document.body is None:
            # a server error: RFC 9309 says assume complete disallow
            log.warning("robots.txt %s unreachable (%s): not crawling it", robots_url, result.error)
            return Protego.parse("User-agent: *\nDisallow: /\n")
        text = document.body[:ROBOTS_TXT_BYTES].decode("utf-8", errors="replace")
        result.drop_body()
        return Protego.parse(text)

    def allowed(self, url: str, user_agent: str) -> bool:
        return bool(self.rules_for(url).can_fetch(url, user_agent))

    def crawl_delay(self, url: str, user_agent: str) -> float | None:
        delay = self.rules_for(url).crawl_delay(user_agent)
        return float(delay) if delay is not None else None

    def sitemaps(self, url: str) -> list[str]:
        """The ``Sitemap:`` lines, made absolute against the robots.txt URL (they are meant to
        be absolute; a relative one is read as a path of the same site, never a local file).
        Every one still goes through the URL policy when fetched."""
        base = self.robots_url(url)
        found: list[str] = []
        for line in self.rules_for(url).sitemaps:
            absolute = urljoin(base, str(line).strip())
            if absolute not in found:
                found.append(absolute)
        return found


# ----------------------------------------------------------------------------------------
# What the warehouse remembers of feeds, sitemaps, robots.txt files and homepages
# ----------------------------------------------------------------------------------------
@dataclass
class StoredDocument:
    """A feed, sitemap, robots.txt or homepage as fetched: validators and the gzipped body."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    raw_sha256: str | None = None
    raw_gzip: bytes | None = None
    final_url: str | None = None
    status_code: int | None = None
    content_type: str | None = None
    charset: str | None = None
    raw_bytes: int | None = None
    fetched_at: datetime | None = None
    source: str | None = None

    def body(self) -> bytes | None:
        return gzip.decompress(self.raw_gzip) if self.raw_gzip is not None else None

    @classmethod
    def of(cls, result: FetchResult, source: str | None = None) -> StoredDocument:
        body = result.body or b""
        return cls(
            url=normalise_url(result.url),
            etag=result.etag,
            last_modified=result.last_modified,
            raw_sha256=hashlib.sha256(body).hexdigest(),
            raw_gzip=gzip.compress(body, 3, mtime=0),
            final_url=result.final_url,
            status_code=result.status_code,
            content_type=result.content_type,
            charset=result.charset,
            raw_bytes=len(body),
            fetched_at=result.fetched_at,
            source=source,
        )


class DocumentMemory:
    """The documents of earlier runs (conditional GET for them) and the page URLs the
    warehouse already has (an unchanged feed or sitemap only yields the pages it lacks).

    ``known_pages`` is a collection of URLs, or a function that returns which of the URLs it
    is given the warehouse has (asked once per document: the warehouse's page list is never
    read whole into memory)."""

    def __init__(
        self,
        documents: dict[str, StoredDocument] | None = None,
        known_pages: Collection[str] | Callable[[list[str]], set[str]] = (),
    ) -> None:
        self.documents = documents or {}
        self.known_pages = known_pages

    def get(self, url: str) -> StoredDocument | None:
        return self.documents.get(normalise_url(url))

    def knows_page(self, url: str) -> bool:
        return url in self.pages_among([url])

    def pages_among(self, urls: list[str]) -> set[str]:
        """The ``urls`` the warehouse already has."""
        if callable(self.known_pages):
            return self.known_pages(urls)
        return {url for url in urls if url in self.known_pages}


@dataclass
class FetchedDocument:
    """A document fetch: ``result`` for the fetch log, ``body`` to parse (the stored one after
    a 304), ``unchanged`` when it is what the last run saw (304, or the same bytes)."""

    result: FetchResult
    body: bytes | None = None
    unchanged: bool = False
    fresh: StoredDocument | None = None  # what to store of a 200 (see Fetcher.remember)


# ----------------------------------------------------------------------------------------
# The fetcher
# ----------------------------------------------------------------------------------------
class Fetcher:
    """Thread-safe fetcher. One per run; share it between batches so politeness holds."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        before_request: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        s = self.settings
        #: called with the host (``netloc``) before every request, after the in-process
        #: spacing: a distributed run sets it to a rate limit shared by every worker
        #: (newsetl.lake.politeness); a run of its own keeps None
        self.before_request = before_request
        self.policy = UrlPolicy.from_settings(s)
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()
        self.hosts = HostScheduler(s.per_host_interval_s)
        self.robots = RobotsCache(self)
        self.memory = DocumentMemory()
        self._log_lock = threading.Lock()
        self._log: list[tuple[str | None, FetchResult]] = []
        self._fetched_documents: list[StoredDocument] = []

    @property
    def client(self) -> httpx.Client:
        """The HTTP client, made on the first request: a run of local files never makes
        one (httpx's and our transport's imports and the SSL context's certificates, ~0.2 s
        of CPU at the run's start, benchmarks/README.md "Round 10 (spine10)")."""
        client = self._client
        if client is None:
            with self._client_lock:
                if self._client is None:
                    self._client = self._make_client()
                client = self._client
        return client

    def _make_client(self) -> httpx.Client:
        import httpx

        from newsetl.transport import guarded_transport

        s = self.settings
        return httpx.Client(
            headers={
                "User-Agent": s.user_agent,
                "Accept-Encoding": "gzip, deflate",
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            },
            timeout=httpx.Timeout(s.read_timeout_s, connect=s.connect_timeout_s),
            follow_redirects=False,
            transport=guarded_transport(self.policy),
            trust_env=False,
        )

    def close(self) -> None:
        with self._client_lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ---------------------------------------------------------------------------
    def trust(self, url: str) -> None:
        """The user named ``url``: its origin may be a private address (see UrlPolicy)."""
        self.policy.trust(url)

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        check_robots: bool = True,
        accept_any_type: bool = False,
        extra_types: tuple[str, ...] = (),
        max_bytes: int | None = None,
    ) -> FetchResult:
        """Fetch an http(s) ``url``. Never raises for a bad page; never reads a local file
        (that is :func:`read_local`'s job, for files the user named)."""
        result = FetchResult(url=url)
        started = time.monotonic()
        try:
            self._fetch_with_retries(
                url,
                result,
                etag,
                last_modified,
                check_robots,
                accept_any_type,
                extra_types,
                max_bytes or self.settings.max_bytes,
            )
        except FetchError as exc:
            result.outcome = "skipped" if exc.kind == "robots" else "failed"
            result.error_kind = exc.kind
            result.error = str(exc)
            result.status_code = exc.status_code or result.status_code
            result.body = None
        except Exception as exc:  # an unexpected failure is still one recorded failure
            log.exception("unexpected error fetching %s", url)
            result.outcome, result.error_kind, result.error = "failed", "internal", repr(exc)
            result.body = None
        result.elapsed_ms = (time.monotonic() - started) * 1000
        return result

    def fetch_document(self, url: str, *, source: str | None = None, **options) -> FetchedDocument:
        """Fetch a feed, sitemap, robots.txt or homepage conditionally, with what the last run
        stored: a 304 gives the stored body back, marked unchanged, and so does a 200 with the
        same bytes. :meth:`remember` a document to store it for the next run."""
        stored = self.memory.get(url)
        usable = stored is not None and stored.raw_gzip is not None
        result = self.fetch(
            url,
            etag=stored.etag if usable and stored else None,
            last_modified=stored.last_modified if usable and stored else None,
            **options,
        )
        if result.outcome == "not_modified":
            body = stored.body() if usable and stored else None
            if body is not None:
                return FetchedDocument(result, body, unchanged=True)
            result = self.fetch(url, **options)  # a 304 to validators we did not send
        if not result.ok or result.body is None:
            return FetchedDocument(result)
        fresh = StoredDocument.of(result, source)
        unchanged = stored is not None and stored.raw_sha256 == fresh.raw_sha256
        return FetchedDocument(result, result.body, unchanged, fresh)

    def remember(self, document: FetchedDocument) -> None:
        """Keep a fetched (200) document for :meth:`take_documents`: stored in ``pages``, its
        validators make the next run's fetch of it conditional."""
        if document.fresh is not None:
            with self._log_lock:
                self._fetched_documents.append(document.fresh)

    def log_fetch(self, source: str | None, result: FetchResult) -> None:
        """A fetch the fetcher made on its own (robots.txt), for the run's fetch log."""
        with self._log_lock:
            self._log.append((source, result))

    def take_log(self) -> list[tuple[str | None, FetchResult]]:
        with self._log_lock:
            taken, self._log = self._log, []
        return taken

    def take_documents(self) -> list[StoredDocument]:
        """Documents fetched (200) since the last call, to store for the next run."""
        with self._log_lock:
            taken, self._fetched_documents = self._fetched_documents, []
        return taken

    # -- internals ------------------------------------------------------------------------
    def _fetch_with_retries(
        self,
        url,
        result,
        etag,
        last_modified,
        check_robots,
        accept_any_type,
        extra_types,
        max_bytes,
    ):
        import httpx

        # the client is made now, not inside the host's turn or the fetch's deadline: its
        # first making (imports, certificates) must not shift a request after its wait
        self.client  # noqa: B018
        s = self.settings
        delay = s.backoff_s
        budget = _Budget(s.fetch_deadline_s)
        for attempt in range(1, s.max_attempts + 1):
            result.attempts = attempt
            try:
                self._fetch_once(
                    url,
                    result,
                    etag,
                    last_modified,
                    check_robots,
                    accept_any_type,
                    extra_types,
                    max_bytes,
                    budget,
                )
                return
            except _RetryableStatus as exc:
                result.status_code = exc.status_code
                if attempt == s.max_attempts:
                    raise FetchError(
                        "http_status",
                        f"HTTP {exc.status_code} after {attempt} attempts",
                        exc.status_code,
                    ) from None
                wait = exc.retry_after if exc.retry_after is not None else delay
                if wait > s.max_retry_after_s:
                    raise FetchError(
                        "http_status",
                        f"HTTP {exc.status_code}, Retry-After {wait:.0f}s exceeds the limit",
                        exc.status_code,
                    ) from None
                time.sleep(wait)
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                # the URL itself is wrong: another attempt gives the same answer
                raise FetchError("invalid_url", f"malformed URL: {exc}") from None
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if budget.spent:
                    # the whole-fetch deadline: another attempt would only take as long again
                    raise FetchError(
                        "timeout",
                        f"no complete answer within the fetch deadline of "
                        f"{s.fetch_deadline_s:g}s (NEWSETL_FETCH_DEADLINE_S), "
                        f"attempt {attempt}: {type(exc).__name__}",
                    ) from None
                if attempt == s.max_attempts:
                    kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "transport"
                    raise FetchError(
                        kind, f"{type(exc).__name__}: {exc} (after {attempt} attempts)"
                    ) from None
                time.sleep(delay)
            delay *= 2

    def _fetch_once(
        self,
        url,
        result,
        etag,
        last_modified,
        check_robots,
        accept_any_type,
        extra_types,
        max_bytes,
        budget,
    ):
        s = self.settings
        seen: list[str] = []
        current = url
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        while True:
            if current in seen:
                raise FetchError("redirects", f"redirect loop: {' -> '.join([*seen, current])}")
            if len(seen) > s.max_redirects:
                raise FetchError("redirects", f"more than {s.max_redirects} redirects")
            seen.append(current)
            via = f" (redirected from {seen[0]})" if len(seen) > 1 else ""
            try:
                self.policy.check_url(current)
                host = urlsplit(current).netloc
                if check_robots and s.respect_robots:
                    if not self.robots.allowed(current, s.user_agent):
                        raise FetchError("robots", f"disallowed by robots.txt: {current}")
                    crawl_delay = self.robots.crawl_delay(current, s.user_agent)
                    if crawl_delay is not None:
                        self.hosts.set_interval(host, min(crawl_delay, s.max_crawl_delay_s))
                self.hosts.wait(host)
                if self.before_request is not None:
                    self.before_request(host)
                try:
                    with budget.running():
                        location = self._exchange(
                            current, headers, result, etag, last_modified,
                            accept_any_type, extra_types, max_bytes,
                        )  # fmt: skip
                finally:
                    self.hosts.done(host)
            except UrlRefused as exc:
                raise FetchError(exc.kind, f"{exc}{via}") from None
            except FetchError as exc:
                if exc.kind == "url_policy" and via:  # refused on robots.txt's connection
                    raise FetchError(exc.kind, f"{exc}{via}", exc.status_code) from None
                raise
            if location is None:
                return
            current = location

    def _exchange(
        self, url, headers, result, etag, last_modified, accept_any_type, extra_types, max_bytes
    ) -> str | None:
        """One request and its answer; returns the next URL of a redirect, else None."""
        s = self.settings
        with self.client.stream("GET", url, headers=headers) as response:
            result.status_code = response.status_code
            if response.status_code in REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise FetchError("redirects", "redirect without Location", response.status_code)
                return urljoin(url, location.strip())
            result.final_url = str(response.url)
            if response.status_code == 304:
                result.outcome = "not_modified"
                result.etag, result.last_modified = etag, last_modified
                return None
            if response.status_code in RETRY_STATUSES:
                raise _RetryableStatus(
                    response.status_code, _retry_after(response.headers.get("retry-after"))
                )
            if response.status_code >= 400:
                raise FetchError(
                    "http_status", f"HTTP {response.status_code}", response.status_code
                )
            if response.status_code != 200:
                raise FetchError(
                    "http_status",
                    f"unexpected HTTP {response.status_code}",
                    response.status_code,
                )
            content_type, charset = _parse_content_type(response.headers.get("content-type"))
            result.content_type, result.charset = content_type, charset
            allowed = (*s.allowed_content_types, *extra_types)
            if (
                not accept_any_type
                and content_type
                and not any(content_type.startswith(t) for t in allowed)
            ):
                raise FetchError(
                    "content_type",
                    f"content type {content_type} is not a page, feed or sitemap",
                )
            prefix = isinstance(max_bytes, BodyPrefix)
            if content_type in HTML_TYPES:  # a page: the larger limit is for feeds and sitemaps
                max_bytes = min(max_bytes, s.max_bytes)
            declared = response.headers.get("content-length")
            if not prefix and declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(
                    "too_large", f"Content-Length {declared} exceeds {max_bytes} bytes"
                )
            result.body = _read_limited(response, max_bytes, keep_prefix=prefix)
            result.etag = response.headers.get("etag")
            result.last_modified = response.headers.get("last-modified")
            if not result.body.strip():
                raise FetchError("empty", "empty body", response.status_code)
            result.outcome = "ok"
            return None


class _Budget:
    """The network time one fetch may still spend (all attempts and redirects together);
    politeness waits and robots.txt lookups happen outside it."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds

    @property
    def spent(self) -> bool:
        return self.left <= 0

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        from newsetl.transport import deadline

        started = time.monotonic()
        try:
            with deadline(max(self.left, 0.0)):
                yield
        finally:
            self.left -= time.monotonic() - started


def _read_limited(response: httpx.Response, max_bytes: int, *, keep_prefix: bool = False) -> bytes:
    """Read and decode the body ourselves, stopping at ``max_bytes`` of *decoded* output: a
    longer body is refused (``too_large``), or with ``keep_prefix`` cut to its first
    ``max_bytes`` (:class:`BodyPrefix`)."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in {"", "identity"}:
        decompressor = None
    elif encoding in {"gzip", "x-gzip", "deflate"}:
        decompressor = zlib.decompressobj(47)  # gzip or zlib header, auto-detected
    else:
        raise FetchError("decode", f"unsupported Content-Encoding {encoding}")
    chunks: list[bytes] = []
    total = 0
    for data in response.iter_raw(65536):
        while data:
            if decompressor is None:
                out, data = data, b""
            else:
                # max_length bounds each step: a bomb never inflates past the limit in memory
                out = decompressor.decompress(data, max_bytes - total + 1)
                data = decompressor.unconsumed_tail
            total += len(out)
            if total > max_bytes:
                if keep_prefix:
                    chunks.append(out[: len(out) - (total - max_bytes)])
                    return b"".join(chunks)
                raise FetchError("too_large", f"body exceeds {max_bytes} bytes (decoded)")
            chunks.append(out)
    return b"".join(chunks)


def _parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    parts = [p.strip() for p in value.split(";")]
    charset = None
    for p in parts[1:]:
        if p.lower().startswith("charset="):
            charset = p.split("=", 1)[1].strip("\"' ").lower() or None
    return parts[0].lower() or None, charset


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


#: Saved pages kept gzipped (web archives, benchmark sets): read as the page they hold.
GZIPPED_PAGE_SUFFIXES = (".html.gz", ".htm.gz")


def _gunzip_limited(body: bytes, max_bytes: int) -> bytes:
    """A gzipped page file inflated to at most ``max_bytes`` (a gzip bomb is cut off)."""
    decompressor = zlib.decompressobj(47)
    try:
        out = decompressor.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise FetchError("decode", f"broken gzip: {exc}") from exc
    if len(out) > max_bytes or decompressor.unconsumed_tail:
        raise FetchError("too_large", f"gzipped file expands past {max_bytes} bytes")
    if not decompressor.eof:
        raise FetchError("decode", "truncated gzip file")
    return out


def open_local(path: Path, within: Path | None = None) -> BinaryIO:
    """A local file opened for reading, if what was opened is a regular file (and, with
    ``within``, a file whose real path is inside that resolved directory).

    Why check the open file and not the name first: a name checked when the sources were
    expanded is read later, with its batch. Swapped in between for a FIFO (opening it would
    block the run), a device (never ends) or a symlink out of the directory the user named, it
    would be read. The open does not block (``O_NONBLOCK``: a FIFO opens at once, and is then
    refused), and what is checked is the opened file itself (its ``fstat``, and its real path
    from ``/proc/self/fd`` where there is one)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FetchError("io", f"not a regular file: {path}")
        if within is not None and not _opened_path(fd, path).is_relative_to(within):
            raise FetchError(
                "url_policy",
                f"{path} is outside the named directory {within} when read: not read",
            )
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _opened_path(fd: int, path: Path) -> Path:
    """The real path of an open file: the kernel's (Linux), else the name resolved now."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return path.resolve()


def read_local(
    location: str, max_bytes: int, *, uri: str | None = None, within: Path | None = None
) -> FetchResult:
    """A local file as a fetch result, so local pages flow through the same path.

    Only for files the user named (or a local mirror's files under its own directory, see
    :mod:`newsetl.sources`); the fetcher itself never reads local files. Only regular files
    are read (a FIFO or a device would block or never end), at most ``max_bytes`` + 1; with
    ``within`` (a named directory or a mirror, resolved), only files really inside it
    (:func:`open_local`). ``uri``: the file's resolved ``file:`` URI, when the caller has it
    (else resolved here).
    """
    path = (
        Path(url2pathname(urlsplit(location).path))
        if location.startswith("file:")
        else Path(location)
    )
    url = uri or path.resolve().as_uri()
    result = FetchResult(url=url, final_url=url, attempts=1)
    started = time.monotonic()
    try:
        with open_local(path, within) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise FetchError("too_large", f"file is {size} bytes, limit {max_bytes}")
            body = handle.read(max_bytes + 1)
        if len(body) > max_bytes:
            raise FetchError("too_large", f"file exceeds {max_bytes} bytes")
        if path.name.lower().endswith(GZIPPED_PAGE_SUFFIXES):
            body = _gunzip_limited(body, max_bytes)
        if not body.strip():
            raise FetchError("empty", "empty file")
        result.body, result.outcome = body, "ok"
    except FetchError as exc:
        result.error_kind, result.error = exc.kind, str(exc)
    except OSError as exc:
        result.error_kind, result.error = "io", f"{type(exc).__name__}: {exc}"
    result.elapsed_ms = (time.monotonic() - started) * 1000
    return result
