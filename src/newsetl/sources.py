"""Turn what the user names into a list of pages to process.

A source is auto-detected from the argument: a page URL, a feed or sitemap URL (recognised by
its content), a homepage (feeds are discovered from it; robots.txt sitemaps otherwise), a
robots.txt URL, a local HTML file or directory, a text file of URLs, a local feed or sitemap
file, or a WARC file. Prefixes force a reading: ``feed:URL``, ``sitemap:URL``, ``site:URL``
(discover through robots.txt and the homepage's feed links).

Fetching a feed, sitemap or homepage is logged like any fetch; a broken one is a recorded
failure and expansion goes on with the other sources.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from newsetl.downloads import Fetcher, FetchResult, read_local
from newsetl.feeds import FeedError, discover_feeds, looks_like_feed, parse_feed
from newsetl.sitemaps import SitemapError, looks_like_sitemap, parse_sitemap
from newsetl.urls import is_http, normalise_url

log = logging.getLogger(__name__)

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc.gz")
LIST_SUFFIXES = {".txt", ".urls", ".lst"}
XML_SUFFIXES = {".xml", ".rss", ".atom", ".json", ".gz"}


@dataclass
class Target:
    """One page to process; ``prefetched`` when its body is already at hand (WARC, probe).

    ``reprocess`` asks for extraction even when the raw bytes are those of the last run.
    """

    url: str
    source: str
    prefetched: FetchResult | None = None
    reprocess: bool = False


@dataclass
class Expansion:
    targets: list[Target] = field(default_factory=list)
    #: fetches of feeds, sitemaps, homepages and failures to read a source, for the fetch log
    fetches: list[tuple[str, FetchResult]] = field(default_factory=list)

    def add_target(self, target: Target, seen: set[str]) -> None:
        key = target.url
        if key not in seen:
            seen.add(key)
            self.targets.append(target)


def expand_sources(sources: list[str], fetcher: Fetcher) -> Expansion:
    expansion = Expansion()
    seen: set[str] = set()
    for source in sources:
        try:
            _expand_one(source, fetcher, expansion, seen, depth=0)
        except Exception as exc:  # one bad source never stops the others
            log.exception("could not expand source %s", source)
            expansion.fetches.append((source, _failure(source, "internal", repr(exc))))
    return expansion


def _expand_one(source: str, fetcher: Fetcher, out: Expansion, seen: set[str], depth: int) -> None:
    if source.startswith(STORED_PREFIX):
        _expand_stored(source, source.removeprefix(STORED_PREFIX), fetcher, out, seen)
        return
    forced, _, rest = source.partition(":")
    if forced in {"feed", "sitemap", "site"} and rest and not rest.startswith("//"):
        source_url, mode = rest, forced
    else:
        source_url, mode = source, "auto"
    if not is_http(source_url):
        _expand_local(source, Path(source_url).expanduser(), fetcher, out, seen)
        return
    url = normalise_url(source_url)
    if mode == "site" or urlsplit(url).path.endswith("/robots.txt"):
        _expand_site(source, url, fetcher, out, seen, depth, want_feeds=mode == "site")
        return
    result = fetcher.fetch(url, accept_any_type=mode != "auto")
    if not result.ok or result.body is None:
        out.fetches.append((source, result))
        return
    body = result.body
    if mode == "sitemap" or (mode == "auto" and looks_like_sitemap(body)):
        out.fetches.append((source, result))
        _expand_sitemap(source, url, body, fetcher, out, seen, depth, result)
    elif mode == "feed" or (mode == "auto" and looks_like_feed(body, result.content_type)):
        out.fetches.append((source, result))
        _expand_feed(source, url, body, out, seen, result, fetcher.settings)
    elif _is_homepage(url):
        out.fetches.append((source, result))
        feeds = discover_feeds(body, result.final_url or url)
        if feeds:
            for feed in feeds[:3]:
                _expand_one(f"feed:{feed}", fetcher, out, seen, depth + 1)
        else:
            _expand_site(source, url, fetcher, out, seen, depth, want_feeds=False)
    else:
        out.add_target(Target(url=url, source=source, prefetched=result), seen)


def _expand_site(source, url, fetcher, out, seen, depth, *, want_feeds: bool) -> None:
    sitemaps = fetcher.robots.sitemaps(url)
    for sitemap in sitemaps:
        _expand_one(f"sitemap:{sitemap}", fetcher, out, seen, depth + 1)
    if want_feeds or not sitemaps:
        parts = urlsplit(url)
        home = fetcher.fetch(f"{parts.scheme}://{parts.netloc}/")
        out.fetches.append((source, home))
        if home.ok and home.body:
            for feed in discover_feeds(home.body, home.final_url or url)[:3]:
                _expand_one(f"feed:{feed}", fetcher, out, seen, depth + 1)


def _expand_sitemap(source, url, body, fetcher, out, seen, depth, result, mirror=None) -> None:
    settings = fetcher.settings
    try:
        sitemap = parse_sitemap(body, url, settings.max_sitemap_urls, settings.max_bytes * 4)
    except SitemapError as exc:
        _mark_failed(result, "parse", str(exc))
        return
    for page, _when in sitemap.pages:
        if not _is_homepage(page):  # a site's front page is a list of links, not an article
            out.add_target(_target(page, source, mirror, settings.max_bytes), seen)
    if depth >= settings.max_sitemap_depth:
        if sitemap.children:
            _mark_failed(result, "parse", f"sitemap index nesting deeper than {depth}")
        return
    for child in sitemap.children:
        local = _mirror_file(child, mirror)
        if local is not None:
            _expand_local(source, local, fetcher, out, seen, mirror=mirror, depth=depth + 1)
        else:
            _expand_one(f"sitemap:{child}", fetcher, out, seen, depth + 1)


def _expand_feed(source, url, body, out, seen, result, settings, mirror=None) -> None:
    try:
        entries = parse_feed(body, url, settings.max_feed_entries)
    except FeedError as exc:
        _mark_failed(result, "parse", str(exc))
        return
    for entry in entries:
        out.add_target(_target(entry.url, source, mirror, settings.max_bytes), seen)


def _mirror_file(url: str, mirror: Path | None) -> Path | None:
    """The file of a local site mirror that stands for ``url`` (``/`` is ``index.html``)."""
    if mirror is None or not is_http(url):
        return None
    path = urlsplit(url).path.lstrip("/")
    candidate = (mirror / (path or "index.html")).resolve()
    if candidate.is_dir():
        candidate = candidate / "index.html"
    if mirror.resolve() not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def _target(url: str, source: str, mirror: Path | None, max_bytes: int) -> Target:
    """A page to fetch, or to read from the local mirror when a local sitemap/feed names it."""
    local = _mirror_file(url, mirror)
    if local is None:
        return Target(url=url, source=source)
    result = read_local(str(local), max_bytes)
    result.url = url  # identity is the published URL; the body comes from the mirror
    return Target(url=url, source=source, prefetched=result)


def _expand_local(
    source: str,
    path: Path,
    fetcher: Fetcher,
    out: Expansion,
    seen: set[str],
    *,
    mirror: Path | None = None,
    depth: int = 0,
) -> None:
    """A local file or directory. A local sitemap or feed is read as a mirror of its site:
    the URLs it lists are read from files at the same paths under its directory when they
    exist there, and fetched otherwise."""
    settings = fetcher.settings
    if not path.exists():
        out.fetches.append(
            (source, _failure(source, "not_found", f"no such file or directory: {path}"))
        )
        return
    if path.is_dir():
        files = sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and (p.suffix.lower() in HTML_SUFFIXES or p.name.lower().endswith(WARC_SUFFIXES))
        )
        for file in files:
            _expand_local(source, file, fetcher, out, seen)
        return
    name = path.name.lower()
    if name.endswith(WARC_SUFFIXES):
        for result in read_warc(path, settings.max_bytes):
            if result.ok:
                out.add_target(Target(url=result.url, source=source, prefetched=result), seen)
            else:
                out.fetches.append((source, result))
        return
    if path.suffix.lower() in LIST_SUFFIXES:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                _expand_one(line, fetcher, out, seen, depth=0)
        return
    if path.suffix.lower() in XML_SUFFIXES:
        result = read_local(str(path), settings.max_bytes * 4)
        out.fetches.append((source, result))
        if not result.ok or result.body is None:
            return
        mirror = mirror or path.resolve().parent
        if looks_like_sitemap(result.body):
            _expand_sitemap(
                source, result.url, result.body, fetcher, out, seen, depth, result, mirror
            )
        elif looks_like_feed(result.body):
            _expand_feed(source, result.url, result.body, out, seen, result, settings, mirror)
        else:
            _mark_failed(result, "parse", "neither a feed nor a sitemap")
        return
    result = read_local(str(path), settings.max_bytes)
    out.add_target(Target(url=result.url, source=source, prefetched=result), seen)


STORED_PREFIX = "stored:"


def _expand_stored(
    source: str, prefix: str, fetcher: Fetcher, out: Expansion, seen: set[str]
) -> None:
    """Pages kept in the warehouse (raw, gzip), to reprocess without refetching.

    ``stored:`` takes every stored page, ``stored:https://example.org/`` those whose URL
    starts with the prefix.
    """
    import gzip

    from newsetl.warehouse import open_warehouse

    con = open_warehouse(fetcher.settings)
    try:
        rows = con.execute(
            "SELECT url, final_url, status_code, content_type, charset, raw_gzip, fetched_at "
            "FROM pages WHERE raw_gzip IS NOT NULL AND starts_with(url, ?) ORDER BY url",
            [prefix],
        ).fetchall()
    finally:
        con.close()
    if not rows:
        out.fetches.append(
            (source, _failure(source, "not_found", f"no stored pages match {prefix!r}"))
        )
    for url, final_url, status, content_type, charset, raw, fetched_at in rows:
        result = FetchResult(
            url=url,
            final_url=final_url,
            status_code=status,
            outcome="ok",
            content_type=content_type,
            charset=charset,
            body=gzip.decompress(raw),
            fetched_at=fetched_at,
            attempts=0,
        )
        out.add_target(Target(url=url, source=source, prefetched=result, reprocess=True), seen)


def read_warc(path: Path, max_bytes: int) -> list[FetchResult]:
    """HTML responses stored in a WARC file, as fetch results."""
    from warcio.archiveiterator import ArchiveIterator

    results: list[FetchResult] = []
    try:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                content_type = (
                    (record.http_headers.get_header("Content-Type") or "")
                    .split(";")[0]
                    .strip()
                    .lower()
                )
                if content_type and "html" not in content_type:
                    continue
                result = FetchResult(url=normalise_url(url), final_url=url, attempts=1)
                result.status_code = int(record.http_headers.get_statuscode() or 0) or None
                result.content_type = content_type or None
                stamp = record.rec_headers.get_header("WARC-Date")
                if stamp:
                    result.fetched_at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
                body = record.content_stream().read(max_bytes + 1)
                if len(body) > max_bytes:
                    result.error_kind, result.error = (
                        "too_large",
                        f"WARC record exceeds {max_bytes} bytes",
                    )
                elif result.status_code != 200:
                    result.error_kind, result.error = (
                        "http_status",
                        f"archived HTTP {result.status_code}",
                    )
                elif not body.strip():
                    result.error_kind, result.error = "empty", "empty archived body"
                else:
                    result.body, result.outcome = body, "ok"
                results.append(result)
    except Exception as exc:
        results.append(_failure(path.as_uri(), "parse", f"unreadable WARC: {exc}"))
    return results


def _is_homepage(url: str) -> bool:
    return urlsplit(url).path in {"", "/"}


def _mark_failed(result: FetchResult, kind: str, message: str) -> None:
    result.outcome, result.error_kind, result.error = "failed", kind, message


def _failure(url: str, kind: str, message: str) -> FetchResult:
    return FetchResult(
        url=url, outcome="failed", error_kind=kind, error=message, fetched_at=datetime.now(UTC)
    )
