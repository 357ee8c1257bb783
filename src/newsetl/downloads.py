"""Polite, defensive HTTP fetching with httpx.

What a news crawler must survive and respect, all in one place:

* explicit connect/read timeouts, a bounded number of redirects (loops are detected), a
  maximum *decoded* body size enforced while streaming (so a gzip bomb is cut off after
  ``max_bytes`` of output, never inflated in memory), and a content-type check before the
  body is read;
* robots.txt (allow/deny and Crawl-delay), a per-host minimum interval shared by every
  thread of the process, retries with exponential backoff on 429/5xx and transport errors
  that honour ``Retry-After``, and a configurable user agent;
* conditional GET: the ETag / Last-Modified of the previous run are sent back, and a 304
  is reported as "not modified" without a body.

Every call returns a :class:`FetchResult`, never raises for a bad page: the caller records
it in the fetch log either way.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import httpx
from protego import Protego

from newsetl.settings import Settings

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


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

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


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
        self._interval: dict[str, float] = {}

    def set_interval(self, host: str, seconds: float) -> None:
        with self._lock:
            self._interval[host] = max(seconds, self.default_interval_s)

    def wait(self, host: str) -> None:
        """Reserve the next free slot for ``host`` and sleep until it comes."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot.get(host, 0.0))
            self._next_slot[host] = slot + self._interval.get(host, self.default_interval_s)
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)


class RobotsCache:
    """robots.txt per origin (protego: RFC 9309, wildcards, fractional Crawl-delay),
    fetched once per process with the crawler's own client."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher
        self._lock = threading.Lock()
        self._rules: dict[str, Protego | FetchError] = {}
        self._origin_locks: dict[str, threading.Lock] = {}

    def rules_for(self, url: str) -> Protego:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            origin_lock = self._origin_locks.setdefault(origin, threading.Lock())
        with origin_lock:
            if origin not in self._rules:
                self._rules[origin] = self._load(origin)
            rules = self._rules[origin]
        if isinstance(rules, FetchError):
            raise FetchError(rules.kind, str(rules))  # the host is down: every page fails fast
        return rules

    def _load(self, origin: str) -> Protego | FetchError:
        result = self._fetcher.fetch(
            origin + "/robots.txt", check_robots=False, accept_any_type=True
        )
        if result.status_code and 400 <= result.status_code < 500:
            return Protego.parse("")  # RFC 9309: an unavailable robots.txt means no restriction
        if result.error_kind in {"transport", "timeout"}:
            return FetchError(result.error_kind, f"host unreachable (robots.txt: {result.error})")
        if not result.ok or result.body is None:
            # a server error: RFC 9309 says assume complete disallow
            log.warning("robots.txt of %s unreachable (%s): not crawling it", origin, result.error)
            return Protego.parse("User-agent: *\nDisallow: /\n")
        return Protego.parse(result.body.decode("utf-8", errors="replace"))

    def allowed(self, url: str, user_agent: str) -> bool:
        return bool(self.rules_for(url).can_fetch(url, user_agent))

    def crawl_delay(self, url: str, user_agent: str) -> float | None:
        delay = self.rules_for(url).crawl_delay(user_agent)
        return float(delay) if delay is not None else None

    def sitemaps(self, url: str) -> list[str]:
        return list(self.rules_for(url).sitemaps)


# ----------------------------------------------------------------------------------------
# The fetcher
# ----------------------------------------------------------------------------------------
class Fetcher:
    """Thread-safe fetcher. One per run; share it between batches so politeness holds."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()
        s = self.settings
        self.client = httpx.Client(
            headers={
                "User-Agent": s.user_agent,
                "Accept-Encoding": "gzip, deflate",
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            },
            timeout=httpx.Timeout(s.read_timeout_s, connect=s.connect_timeout_s),
            follow_redirects=False,
            http2=False,
        )
        self.hosts = HostScheduler(s.per_host_interval_s)
        self.robots = RobotsCache(self)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ---------------------------------------------------------------------------
    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        check_robots: bool = True,
        accept_any_type: bool = False,
    ) -> FetchResult:
        """Fetch ``url`` (http(s) or file). Never raises for a bad page."""
        if url.startswith("file:") or "://" not in url:
            return read_local(url, self.settings.max_bytes)
        result = FetchResult(url=url)
        started = time.monotonic()
        try:
            self._fetch_with_retries(
                url, result, etag, last_modified, check_robots, accept_any_type
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

    # -- internals ------------------------------------------------------------------------
    def _fetch_with_retries(self, url, result, etag, last_modified, check_robots, accept_any_type):
        s = self.settings
        delay = s.backoff_s
        for attempt in range(1, s.max_attempts + 1):
            result.attempts = attempt
            try:
                self._fetch_once(url, result, etag, last_modified, check_robots, accept_any_type)
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
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if attempt == s.max_attempts:
                    kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "transport"
                    raise FetchError(
                        kind, f"{type(exc).__name__}: {exc} (after {attempt} attempts)"
                    ) from None
                time.sleep(delay)
            delay *= 2

    def _fetch_once(self, url, result, etag, last_modified, check_robots, accept_any_type):
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
            if not current.startswith(("http://", "https://")):
                raise FetchError("redirects", f"redirect to unsupported URL {current}")
            host = urlsplit(current).netloc
            if check_robots and s.respect_robots:
                if not self.robots.allowed(current, s.user_agent):
                    raise FetchError("robots", f"disallowed by robots.txt: {current}")
                crawl_delay = self.robots.crawl_delay(current, s.user_agent)
                if crawl_delay is not None:
                    self.hosts.set_interval(host, min(crawl_delay, s.max_crawl_delay_s))
            self.hosts.wait(host)
            with self.client.stream("GET", current, headers=headers) as response:
                result.status_code = response.status_code
                if response.status_code in REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(
                            "redirects", "redirect without Location", response.status_code
                        )
                    current = urljoin(current, location)
                    continue
                result.final_url = str(response.url)
                if response.status_code == 304:
                    result.outcome = "not_modified"
                    result.etag, result.last_modified = etag, last_modified
                    return
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
                if (
                    not accept_any_type
                    and content_type
                    and not any(content_type.startswith(t) for t in s.allowed_content_types)
                ):
                    raise FetchError(
                        "content_type",
                        f"content type {content_type} is not a page, feed or sitemap",
                    )
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > s.max_bytes:
                    raise FetchError(
                        "too_large", f"Content-Length {declared} exceeds {s.max_bytes} bytes"
                    )
                result.body = _read_limited(response, s.max_bytes)
                result.etag = response.headers.get("etag")
                result.last_modified = response.headers.get("last-modified")
                if not result.body.strip():
                    raise FetchError("empty", "empty body", response.status_code)
                result.outcome = "ok"
                return


def _read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    """Read and decode the body ourselves, stopping at ``max_bytes`` of *decoded* output."""
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


def read_local(location: str, max_bytes: int) -> FetchResult:
    """A local file as a fetch result, so local pages flow through the same path."""
    path = (
        Path(url2pathname(urlsplit(location).path))
        if location.startswith("file:")
        else Path(location)
    )
    url = path.resolve().as_uri()
    result = FetchResult(url=url, final_url=url, attempts=1)
    started = time.monotonic()
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FetchError("too_large", f"file is {size} bytes, limit {max_bytes}")
        body = path.read_bytes()
        if not body.strip():
            raise FetchError("empty", "empty file")
        result.body, result.outcome = body, "ok"
    except FetchError as exc:
        result.error_kind, result.error = exc.kind, str(exc)
    except OSError as exc:
        result.error_kind, result.error = "io", f"{type(exc).__name__}: {exc}"
    result.elapsed_ms = (time.monotonic() - started) * 1000
    return result
