"""Turn what the user names into a list of pages to process.

A source is auto-detected from the argument: a page URL, a feed or sitemap URL (recognised by
its content, gzip sniffed), a homepage (feeds are discovered from it; robots.txt sitemaps
otherwise), a robots.txt URL, a local HTML file or directory, a text file of URLs, a local
feed or sitemap file, or a WARC file. Prefixes force a reading: ``feed:URL``, ``sitemap:URL``,
``site:URL`` (discover through robots.txt and the homepage's feed links).

Who named a URL decides what it may be:

* **the user** (an argument, a line of a URL list the user named): any http(s) URL, and its
  origin may be a private address (their intent; see :mod:`newsetl.urlpolicy`); an argument
  may also be a local file or directory (read only inside itself: see ``directory``);
* **a document** (a feed, a sitemap, a homepage, robots.txt): only http(s) URLs, checked by
  the URL policy; a ``file:`` URL or a path is refused and recorded, never read. A *local*
  feed or sitemap is read as a mirror of its site: the http(s) pages it lists are read from
  the files at the same paths under its own directory (never above it) when they exist
  there, and fetched otherwise.

Feeds, sitemaps and homepages (*documents*) are fetched once per run (a visited set: an index
that lists itself, or a sitemap named by robots.txt and by the index, is fetched once),
conditionally (a 304 or the same bytes as last run means unchanged: an unchanged feed or
sitemap only yields the pages the warehouse does not have yet, so it costs one request), and
within caps (``Settings.max_*``). Every URL a cap drops and every URL the policy refuses is a
row in the fetch log; a broken document is a recorded failure and expansion goes on.
"""

from __future__ import annotations

import gzip
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from newsetl.downloads import (
    GZIPPED_PAGE_SUFFIXES,
    DocumentMemory,
    FetchedDocument,
    Fetcher,
    FetchError,
    FetchResult,
    StoredDocument,
    open_local,
    read_local,
)
from newsetl.feeds import FeedError, discover_feeds, looks_like_feed, parse_feed
from newsetl.progress import report
from newsetl.sitemaps import (
    SitemapError,
    looks_like_sitemap,
    maybe_gunzip,
    parse_sitemap,
)
from newsetl.urlpolicy import UrlRefused
from newsetl.urls import is_http, normalise_url

log = logging.getLogger(__name__)

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc.gz")
LIST_SUFFIXES = {".txt", ".urls", ".lst"}
XML_SUFFIXES = {".xml", ".rss", ".atom", ".json", ".gz"}
#: What servers send gzipped sitemaps as; accepted for documents, then sniffed.
GZIP_TYPES = ("application/gzip", "application/x-gzip", "application/octet-stream", "binary/")
FORCED_MODES = ("feed", "sitemap", "site")
#: Feeds a homepage advertises that are followed.
MAX_DISCOVERED_FEEDS = 3


@dataclass
class Target:
    """One page to process; ``prefetched`` when its body is already at hand (a stored page),
    ``local`` when it is read from a file (a page, a mirror's file, or a WARC's record at
    ``warc_offset``) when its batch is fetched.

    ``reprocess`` asks for extraction even when the raw bytes are those of the last run.
    """

    url: str
    source: str
    prefetched: FetchResult | None = None
    reprocess: bool = False
    #: a local file read when its batch is fetched, at most ``max_bytes`` (read at expansion,
    #: every body of a 5,000-file directory stayed in memory for the whole run)
    local: Path | None = None
    max_bytes: int = 0
    #: the resolved ``file:`` URI of ``local``, when the expansion resolved it already (a
    #: file the user named: it is ``url``): not resolved again when the batch reads it
    local_uri: str | None = None
    #: the resolved directory ``local`` must really be inside when it is read (a directory the
    #: user named, or a mirror): checked on the opened file (:func:`.downloads.open_local`)
    within: Path | None = None
    #: the offset of the page's response record in the WARC file ``local`` (read at expansion,
    #: every archived body stayed in memory for the whole run: ~5 GB for a 1 GB WARC)
    warc_offset: int | None = None

    def at_hand(self) -> FetchResult | None:
        """The page without the network: its prefetched result, or its local file (or WARC
        record) read now (each call reads it again; nothing is kept here). None: fetch
        ``url``."""
        if self.prefetched is not None or self.local is None:
            return self.prefetched
        if self.warc_offset is not None:
            return read_warc_record(
                self.local, self.warc_offset, self.url, self.max_bytes, self.within
            )
        result = read_local(str(self.local), self.max_bytes, uri=self.local_uri, within=self.within)
        result.url = self.url  # a mirror's file stands for the published URL
        return result


@dataclass
class Expansion:
    targets: list[Target] = field(default_factory=list)
    #: fetches of feeds, sitemaps, homepages, failures to read a source, URLs refused by the
    #: policy and URLs dropped by a cap: for the fetch log
    fetches: list[tuple[str, FetchResult]] = field(default_factory=list)
    #: documents that were as the last run saw them (304 or the same bytes)
    unchanged_documents: int = 0
    #: pages such documents list that the warehouse already has (not fetched again)
    unchanged_pages: int = 0

    def add_target(self, target: Target, seen: set[str]) -> None:
        key = target.url
        if key not in seen:
            seen.add(key)
            self.targets.append(target)


def expand_sources(sources: list[str], fetcher: Fetcher) -> Expansion:
    """The pages ``sources`` name (see the module docstring for who may name what)."""
    expander = _Expander(fetcher)
    for source in sources:  # every origin the user named is theirs, whatever the order
        url = _named_url(source)
        if url is not None:
            fetcher.trust(url)
    for source in sources:
        try:
            expander.user_source(source)
        except Exception as exc:  # one bad source never stops the others
            log.exception("could not expand source %s", source)
            expander.out.fetches.append((source, _failure(source, "internal", repr(exc))))
    return expander.out


#: A stored page (``pages p``) that has its body: a ``page_bodies`` row of the same URL whose
#: hash is the page's. A page whose body is not written yet (deferred: see migration 011) or
#: was never kept has none, as a page without a body. For existence only: a join that reads
#: ``raw_gzip`` reads every body of the table (see :func:`stored_bodies`).
WITH_BODY = "JOIN page_bodies b ON b.url = p.url AND b.record_hash = p.raw_sha256"
#: URLs asked of ``page_bodies`` in one statement (:func:`stored_bodies`).
BODIES_PER_QUERY = 500


def stored_bodies(con, hashes: dict[str, str]) -> dict[str, bytes]:
    """url -> gzipped body, for each page of ``hashes`` (url -> its ``raw_sha256``) whose
    body is its current one.

    Asked by URL, ``BODIES_PER_QUERY`` at a time: DuckDB filters the table's scan by a list of
    constants before it reads a body. Joined with ``pages`` instead, the scan read every body
    of the table first (the run's document memory on a 50,000-page warehouse: 2.3 s of CPU
    and 3.7 GB of RSS for no document; benchmarks/README.md "Round 22")."""
    urls = list(hashes)
    found: dict[str, bytes] = {}
    for start in range(0, len(urls), BODIES_PER_QUERY):
        part = urls[start : start + BODIES_PER_QUERY]
        rows = con.execute(
            "SELECT url, record_hash, raw_gzip FROM page_bodies "
            f"WHERE url IN ({', '.join('?' * len(part))})",
            part,
        ).fetchall()
        found.update((url, raw) for url, sha, raw in rows if sha == hashes[url])
    return found


def load_document_memory(con, known_pages=()) -> DocumentMemory:
    """What the warehouse stored of the feeds, sitemaps, robots.txt files and homepages
    (``pages`` rows without an article but with a body), for conditional GETs; ``known_pages``
    are the page URLs it has, or a function that says which of the URLs it is given it has
    (an unchanged document only yields the others)."""
    rows = con.execute(
        "SELECT url, etag, last_modified, raw_sha256 FROM pages "
        "WHERE article_id IS NULL AND raw_sha256 IS NOT NULL"
    ).fetchall()
    bodies = stored_bodies(con, {url: sha for url, _, _, sha in rows})
    documents = {
        url: StoredDocument(url, etag, modified, sha, bodies[url])
        for url, etag, modified, sha in rows
        if url in bodies
    }
    return DocumentMemory(
        documents, known_pages if callable(known_pages) else frozenset(known_pages)
    )


def _split_mode(source: str) -> tuple[str, str]:
    forced, _, rest = source.partition(":")
    if forced in FORCED_MODES and rest and not rest.startswith("//"):
        return rest, forced
    return source, "auto"


def _named_url(source: str) -> str | None:
    url, _mode = _split_mode(source)
    return url if is_http(url) else None


class _Expander:
    """One expansion: the visited documents, the pages found so far, the caps' counters."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self.settings = fetcher.settings
        self.out = Expansion()
        self.seen: set[str] = set()  # target URLs
        self.visited: set[str] = set()  # documents fetched or read
        self.documents = 0

    # -- what the user named ----------------------------------------------------------------
    def user_source(self, source: str) -> None:
        if source.startswith(STORED_PREFIX):
            _expand_stored(source, source.removeprefix(STORED_PREFIX), self.fetcher, self)
            return
        if source.startswith(STORED_PAGE_PREFIX):
            page = source.removeprefix(STORED_PAGE_PREFIX)
            _expand_stored(source, page, self.fetcher, self, exact=True)
            return
        url, mode = _split_mode(source)
        if is_http(url):
            self.remote(source, normalise_url(url), mode, depth=0)
        elif url.startswith("file:"):
            self.local(source, Path(url2pathname(urlsplit(url).path)))
        elif "://" in url:
            self.refuse(source, url, f"only http(s) URLs and local paths are read, not {url!r}")
        else:
            self.local(source, Path(url).expanduser())

    # -- documents and pages on the web ----------------------------------------------------
    def remote(self, source: str, url: str, mode: str, depth: int) -> None:
        """Fetch ``url`` and expand it as ``mode`` (auto, feed, sitemap, site, home)."""
        if mode == "site" or urlsplit(url).path.endswith("/robots.txt"):
            self.site(source, url, depth, want_feeds=mode == "site")
            return
        document = self.fetch_document(source, url, mode)
        if document is None:
            return
        result = document.result
        if document.body is None:
            self.out.fetches.append((source, result))
            return
        try:
            data = maybe_gunzip(document.body, self.settings.max_sitemap_bytes)
        except SitemapError as exc:
            self.parsed(source, document, "parse", str(exc))
            return
        if mode == "sitemap" or (mode == "auto" and looks_like_sitemap(data)):
            self.parsed(source, document)
            self.sitemap(source, url, data, result, depth, document.unchanged)
        elif mode == "feed" or (mode == "auto" and looks_like_feed(data, result.content_type)):
            self.parsed(source, document)
            self.feed(source, url, data, result, document.unchanged)
        elif mode == "home" or _is_homepage(url):
            self.parsed(source, document)
            feeds = discover_feeds(data, result.final_url or url)
            for feed in feeds[:MAX_DISCOVERED_FEEDS]:
                self.discovered(source, feed, "feed", depth + 1)
            if not feeds and mode != "home":
                self.site(source, url, depth, want_feeds=False)
        else:
            self.page(source, url, document)
            return
        result.drop_body()

    def page(self, source: str, url: str, document: FetchedDocument) -> None:
        """A user-named URL that turned out to be a page: a target with its body."""
        result = document.result
        if document.unchanged and result.outcome == "not_modified":
            result.body = document.body  # it was stored as a document: the page is its body
        ctype = result.content_type or ""
        if any(ctype.startswith(t) for t in GZIP_TYPES):
            _mark_failed(result, "content_type", f"content type {ctype} is not a page")
        elif result.size and result.size > self.settings.max_bytes:
            _mark_failed(result, "too_large", f"page exceeds {self.settings.max_bytes} bytes")
        if not result.ok:
            result.body = None
            self.out.fetches.append((source, result))
            return
        self.add_page(source, Target(url=url, source=source, prefetched=result))

    def fetch_document(self, source: str, url: str, mode: str) -> FetchedDocument | None:
        """One fetch per document per run, within the run's document cap."""
        key = normalise_url(url)
        if key in self.visited:
            log.debug("document %s already read in this run", url)
            return None
        self.visited.add(key)
        if self.documents >= self.settings.max_source_documents:
            self.capped(
                source,
                url,
                f"not fetched: this run already read {self.documents} feeds, sitemaps and "
                "homepages (NEWSETL_MAX_SOURCE_DOCUMENTS)",
            )
            return None
        self.documents += 1
        report("document", url=url, documents=self.documents, pages=len(self.out.targets))
        s = self.settings
        return self.fetcher.fetch_document(
            url,
            source=source,
            accept_any_type=mode in {"feed", "sitemap"},
            extra_types=GZIP_TYPES,
            max_bytes=max(s.max_bytes, s.max_sitemap_bytes),
        )

    def parsed(
        self, source: str, document: FetchedDocument, kind: str | None = None, error: str = ""
    ) -> None:
        """Log a document fetch; a good one is stored for the next run's conditional GET."""
        self.out.fetches.append((source, document.result))
        if kind:
            _mark_failed(document.result, kind, error)
            document.result.drop_body()
            return
        self.fetcher.remember(document)
        if document.unchanged:
            self.out.unchanged_documents += 1

    def site(self, source: str, url: str, depth: int, *, want_feeds: bool) -> None:
        """robots.txt sitemaps, and feeds the homepage advertises."""
        try:
            sitemaps = self.fetcher.robots.sitemaps(url)
        except FetchError as exc:
            self.out.fetches.append((source, _failure(url, exc.kind, f"robots.txt: {exc}")))
            sitemaps = []
        for sitemap in sitemaps:
            self.discovered(source, sitemap, "sitemap", depth + 1)
        if want_feeds or not sitemaps:
            parts = urlsplit(url)
            self.remote(source, f"{parts.scheme}://{parts.netloc}/", "home", depth + 1)

    def discovered(self, source: str, url: str, mode: str, depth: int) -> None:
        """A document named by another document: http(s) and the policy, or a refusal row."""
        if self.allowed(source, url):
            self.remote(source, normalise_url(url), mode, depth)

    def allowed(self, source: str, url: str) -> bool:
        try:
            self.fetcher.policy.check_url(url)
        except UrlRefused as exc:
            self.refuse(source, url, str(exc))
            return False
        return True

    # -- what documents list ----------------------------------------------------------------
    def sitemap(
        self,
        source: str,
        url: str,
        data: bytes,
        result: FetchResult,
        depth: int,
        unchanged: bool,
        mirror: Path | None = None,
    ) -> None:
        s = self.settings
        try:
            sitemap = parse_sitemap(
                data,
                url,
                s.max_sitemap_bytes,
                max_pages=s.max_sitemap_urls,
                max_children=s.max_sitemap_children,
            )
        except SitemapError as exc:
            _mark_failed(result, "parse", str(exc))
            return
        pages = sitemap.pages
        if sitemap.pages_listed > len(pages):
            self.capped(
                source,
                url,
                f"sitemap lists {sitemap.pages_listed} pages: the {len(pages)} most recently "
                f"modified are taken, {sitemap.pages_listed - len(pages)} dropped "
                "(NEWSETL_MAX_SITEMAP_URLS)",
            )
        # a site's front page is a list of links, not an article
        urls = [page for page, _when in pages if not _is_homepage(page)]
        self.add_listed(source, url, urls, unchanged, mirror)
        if not sitemap.children:
            return
        if depth >= s.max_sitemap_depth:
            self.capped(
                source,
                url,
                f"sitemap index nested {depth} deep: its {sitemap.children_listed} sitemaps "
                "are not read (NEWSETL_MAX_SITEMAP_DEPTH)",
            )
            return
        children = sitemap.children
        if sitemap.children_listed > len(children):
            self.capped(
                source,
                url,
                f"sitemap index lists {sitemap.children_listed} sitemaps: the "
                f"{len(children)} most recently modified are read, "
                f"{sitemap.children_listed - len(children)} dropped "
                "(NEWSETL_MAX_SITEMAP_CHILDREN)",
            )
        for child, _when in children:
            local = _mirror_file(child, mirror)
            if local is not None:  # a document of the mirror, never a URL list: document_file
                self.document_file(source, local, depth=depth + 1, mirror=mirror)
            else:
                self.discovered(source, child, "sitemap", depth + 1)

    def feed(
        self,
        source: str,
        url: str,
        data: bytes,
        result: FetchResult,
        unchanged: bool,
        mirror: Path | None = None,
    ) -> None:
        limit = self.settings.max_feed_entries
        try:
            feed = parse_feed(data, url, limit)
        except FeedError as exc:
            _mark_failed(result, "parse", str(exc))
            return
        if feed.listed > limit:
            self.capped(
                source,
                url,
                f"feed lists {feed.listed} entries: the first {len(feed.entries)} with a link"
                f" are taken, {feed.listed - len(feed.entries)} dropped or without a link"
                " (NEWSETL_MAX_FEED_ENTRIES)",
            )
        urls = [entry.url for entry in feed.entries]
        self.add_listed(source, url, urls, unchanged, mirror)

    def add_listed(
        self,
        source: str,
        document_url: str,
        urls: list[str],
        unchanged: bool,
        mirror: Path | None,
    ) -> None:
        """The pages a feed or sitemap lists: policy-checked (refusals are rows), read from the
        mirror when local, skipped when the document is unchanged and the warehouse has them,
        and within the run's page cap (what it drops is one row)."""
        dropped = 0
        stored = self.fetcher.memory.pages_among(urls) if unchanged else set()
        within = mirror.resolve() if mirror is not None else None
        for url in urls:
            local = _mirror_file(url, mirror)
            if local is None and not self.allowed(source, url):
                continue
            if url in stored:
                self.out.unchanged_pages += 1
                continue
            if url in self.seen or url in self.visited:  # a feed or sitemap is not a page
                continue
            if len(self.out.targets) >= self.settings.max_targets:
                dropped += 1
                continue
            self.add_page(source, _target(url, source, local, self.settings.max_bytes, within))
        if dropped:
            self.capped(
                source,
                document_url,
                f"{dropped} pages it lists are dropped: the run's sources already gave "
                f"{self.settings.max_targets} pages (NEWSETL_MAX_TARGETS)",
            )

    def add_page(self, source: str, target: Target) -> None:
        if target.url in self.seen:
            return
        if len(self.out.targets) >= self.settings.max_targets:
            self.capped(
                source,
                target.url,
                f"not fetched: the run's sources already gave {self.settings.max_targets} "
                "pages (NEWSETL_MAX_TARGETS)",
            )
            return
        self.out.add_target(target, self.seen)

    # -- local files the user named ---------------------------------------------------------
    def local(self, source: str, path: Path, within: Path | None = None) -> None:
        """A local file or directory the user named. A local sitemap or feed is read as a
        mirror of its site: the URLs it lists are read from files at the same paths under its
        directory when they exist there, and fetched otherwise. ``within``: the resolved
        directory the user named, for a file found in it (read only if still inside it)."""
        settings = self.settings
        if not path.exists():
            self.out.fetches.append(
                (source, _failure(source, "not_found", f"no such file or directory: {path}"))
            )
            return
        if path.is_dir():
            within = path.resolve()
            for file in self.directory(source, path):
                self.local(source, file, within)
            return
        name = path.name.lower()
        if name.endswith(WARC_SUFFIXES):
            records, failures = scan_warc(path, within)
            for url, offset in records:
                target = Target(
                    url=url,
                    source=source,
                    local=path,
                    max_bytes=settings.max_bytes,
                    within=within,
                    warc_offset=offset,
                )
                self.add_page(source, target)
            self.out.fetches.extend((source, failure) for failure in failures)
            return
        if name.endswith(GZIPPED_PAGE_SUFFIXES):  # a saved page, not a gzipped sitemap
            url = path.resolve().as_uri()
            self.add_page(source, self._local_page(source, path, url, within))
            return
        if path.suffix.lower() in LIST_SUFFIXES:
            self.url_list(source, path)
            return
        if path.suffix.lower() in XML_SUFFIXES:
            self.document_file(source, path)
            return
        url = path.resolve().as_uri()  # as read_local names it
        self.add_page(source, self._local_page(source, path, url, within))

    def directory(self, source: str, path: Path) -> list[Path]:
        """The pages (HTML, saved ``.html.gz``, WARC) of a directory the user named, at any
        depth, read only inside it (the user named this directory, not what it points to).

        A symlink whose real path is outside the directory (a page or a directory, at any
        depth, or a device) and an entry that is not a regular file (a FIFO would block the
        run when opened, a device never end) are refused and recorded, never opened; the rest
        is read. A symlink that stays inside is followed, as a mirror's are
        (:func:`_mirror_file`); a symlinked directory is not walked (what is inside is walked
        under its real path)."""
        root = path.resolve()
        files: list[Path] = []
        folders = [root]
        while folders:
            folder = folders.pop()
            try:
                with os.scandir(folder) as scan:
                    entries = sorted(scan, key=lambda e: e.name)
            except OSError as exc:
                failure = _failure(folder.as_uri(), "io", f"unreadable directory: {exc}")
                self.out.fetches.append((source, failure))
                continue
            for entry in entries:
                file = Path(entry.path)
                is_page = _is_page_name(entry.name)
                if entry.is_symlink():
                    try:
                        real = file.resolve(strict=True)
                    except (OSError, RuntimeError) as exc:  # dangling, or a loop
                        if is_page:
                            failure = _failure(file.as_uri(), "not_found", f"broken symlink: {exc}")
                            self.out.fetches.append((source, failure))
                        continue
                    real_dir = real.is_dir()
                    if not (is_page or real_dir):
                        continue
                    if not real.is_relative_to(root):
                        self.refuse(
                            source,
                            file.as_uri(),
                            "a symlink whose real path is outside the named directory "
                            f"{root}: not read (name what you want read)",
                        )
                    elif not real_dir and not real.is_file():
                        self.refuse(source, file.as_uri(), _NOT_REGULAR)
                    elif not real_dir:
                        files.append(file)
                elif entry.is_dir(follow_symlinks=False):
                    folders.append(file)
                elif not is_page:
                    continue
                elif entry.is_file(follow_symlinks=False):
                    files.append(file)
                else:  # a FIFO, a device, a socket: never opened
                    self.refuse(source, file.as_uri(), _NOT_REGULAR)
        return sorted(files)

    def document_file(
        self, source: str, path: Path, *, depth: int = 0, mirror: Path | None = None
    ) -> None:
        """A local feed or sitemap, read as a mirror of its site (``mirror``: its directory).

        ``mirror`` is given for a file of a mirror that a mirror's sitemap index names (see
        :meth:`sitemap`): whatever its name, that file is a document the index lists, read as a
        feed or else a sitemap (a text sitemap is a list of URLs) as a fetched child would be,
        so the URLs it lists are checked by the URL policy. It is never a URL list (a list
        grants the user's trust to its URLs, and the user did not name this file), a WARC (its
        records would be stored under any URL they claim) or a page."""
        settings = self.settings
        key = path.resolve().as_uri()
        if key in self.visited:
            return
        self.visited.add(key)
        within = mirror.resolve() if mirror is not None else None
        result = read_local(str(path), settings.max_sitemap_bytes, within=within)
        self.out.fetches.append((source, result))
        if not result.ok or result.body is None:
            return
        child = mirror is not None
        mirror = mirror or path.resolve().parent
        try:
            data = maybe_gunzip(result.body, settings.max_sitemap_bytes)
        except SitemapError as exc:
            _mark_failed(result, "parse", str(exc))
            return
        if looks_like_sitemap(data) or (child and not looks_like_feed(data)):
            self.sitemap(source, result.url, data, result, depth, False, mirror)
        elif looks_like_feed(data):
            self.feed(source, result.url, data, result, False, mirror)
        else:
            _mark_failed(result, "parse", "neither a feed nor a sitemap")
        result.drop_body()

    def _local_page(self, source: str, path: Path, url: str, within: Path | None) -> Target:
        """A local file the user named, at its resolved URI (``url``), read with its batch
        (the URI is not resolved again then: a ``resolve`` a file, ~0.2 ms of the run's CPU
        beside the workers), inside ``within`` then too when it was found in a directory."""
        max_bytes = self.settings.max_bytes
        return Target(
            url=url, source=source, local=path, max_bytes=max_bytes, local_uri=url, within=within
        )

    def url_list(self, source: str, path: Path) -> None:
        """A text file of URLs the user named, one a line: each is named by the user (its
        origin is theirs: trusted for the run), with the same prefixes as arguments. Local
        files are named on the command line, not in a list (a list may come from anywhere).

        Only :meth:`local` (an argument, or a line of a list, the user gave) calls this: a
        ``.txt`` file that a mirror's sitemap index names is read by :meth:`document_file`
        as a (text) sitemap whose URLs the policy checks. Trusting its lines let a mirrored
        file reach private addresses the user never named."""
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            url = _named_url(line)
            if url is None:
                self.refuse(
                    source,
                    line,
                    "a URL list names http(s) URLs; name local files on the command line",
                )
                continue
            self.fetcher.trust(url)
            try:
                self.user_source(line)
            except Exception as exc:
                log.exception("could not expand %s", line)
                self.out.fetches.append((source, _failure(line, "internal", repr(exc))))

    # -- records ----------------------------------------------------------------------------
    def refuse(self, source: str, url: str, message: str) -> None:
        self.out.fetches.append((source, _failure(url[:2000], "url_policy", message)))

    def capped(self, source: str, url: str, message: str) -> None:
        log.warning("%s: %s", url, message)
        self.out.fetches.append(
            (
                source,
                FetchResult(
                    url=url,
                    outcome="skipped",
                    error_kind="cap_exceeded",
                    error=message,
                    fetched_at=datetime.now(UTC),
                ),
            )
        )


#: Why a directory's FIFO, device or socket is refused (see :meth:`_Expander.directory`).
_NOT_REGULAR = "not a regular file (a FIFO, a device or a socket): never opened"


def _is_page_name(name: str) -> bool:
    """A file name a directory walk reads: HTML, a saved ``.html.gz`` page, a WARC."""
    name = name.lower()
    return Path(name).suffix in HTML_SUFFIXES or name.endswith(
        WARC_SUFFIXES + GZIPPED_PAGE_SUFFIXES
    )


def _mirror_file(url: str, mirror: Path | None) -> Path | None:
    """The file of a local site mirror that stands for ``url`` (``/`` is ``index.html``):
    only a regular file under the mirror's own directory (symlinks resolved first)."""
    if mirror is None or not is_http(url):
        return None
    path = urlsplit(url).path.lstrip("/")
    root = mirror.resolve()
    candidate = (root / (path or "index.html")).resolve()
    if candidate.is_dir():
        candidate = candidate / "index.html"
    if not candidate.is_relative_to(root) or candidate == root or not candidate.is_file():
        return None
    return candidate


def _target(
    url: str, source: str, local: Path | None, max_bytes: int, within: Path | None
) -> Target:
    """A page to fetch, or to read from the local mirror (``within``: its resolved directory,
    which the file must still be inside when read) when a local sitemap/feed names it."""
    if local is None:
        return Target(url=url, source=source)
    # identity is the published URL; the body comes from the mirror, read with its batch
    return Target(url=url, source=source, local=local, max_bytes=max_bytes, within=within)


STORED_PREFIX = "stored:"
#: One stored page by its exact URL (``stored:`` is a prefix and would take ``/a1`` with ``/a``);
#: the maintenance flow's re-analysis names pages this way.
STORED_PAGE_PREFIX = "stored-page:"


def _expand_stored(
    source: str, prefix: str, fetcher: Fetcher, expander: _Expander, *, exact: bool = False
) -> None:
    """Pages kept in the warehouse (raw, gzip), to reprocess without refetching.

    ``stored:`` takes every stored page, ``stored:https://example.org/`` those whose URL
    starts with the prefix; ``stored-page:URL`` (``exact``) that one page. The feeds,
    sitemaps, robots.txt files and homepages kept for conditional GETs are not pages and are
    left out.
    """
    from newsetl.warehouse import open_warehouse

    out = expander.out
    con = open_warehouse(fetcher.settings)
    try:
        rows = con.execute(
            "SELECT url, final_url, status_code, content_type, charset, fetched_at, raw_sha256 "
            "FROM pages WHERE raw_sha256 IS NOT NULL AND "
            + ("url = ?" if exact else "starts_with(url, ?)")
            + " ORDER BY url",
            [prefix],
        ).fetchall()
        bodies = stored_bodies(con, {row[0]: row[-1] for row in rows})
    finally:
        con.close()
    found = 0
    for url, final_url, status, content_type, charset, fetched_at, _ in rows:
        if url not in bodies:
            continue
        body = gzip.decompress(bodies[url])
        if _is_document(url, body):
            continue
        found += 1
        result = FetchResult(
            url=url,
            final_url=final_url,
            status_code=status,
            outcome="ok",
            content_type=content_type,
            charset=charset,
            body=body,
            fetched_at=fetched_at,
            attempts=0,
        )
        expander.add_page(source, Target(url=url, source=source, prefetched=result, reprocess=True))
    if not found:
        out.fetches.append(
            (source, _failure(source, "not_found", f"no stored pages match {prefix!r}"))
        )


def _is_document(url: str, body: bytes) -> bool:
    """A stored feed, sitemap, robots.txt or homepage (kept for conditional GET), not a page."""
    return (
        _is_homepage(url)
        or urlsplit(url).path.endswith("/robots.txt")
        or looks_like_sitemap(body)
        or looks_like_feed(body)
    )


def scan_warc(
    path: Path, within: Path | None = None
) -> tuple[list[tuple[str, int]], list[FetchResult]]:
    """The HTML responses archived in a WARC file, as (URL, offset of the record): their
    bodies are read with their batch (:func:`read_warc_record`), not kept from here. Archived
    responses other than HTTP 200, and a file that cannot be read to its end, are failures (a
    file found in a named directory, ``within``, is read only if still inside it)."""
    from warcio.archiveiterator import ArchiveIterator

    records: list[tuple[str, int]] = []
    failures: list[FetchResult] = []
    try:
        with open_local(path, within) as stream:
            archive = ArchiveIterator(stream)
            for record in archive:
                result = _archived_response(record)
                if result is None:
                    continue
                if result.status_code != 200:
                    _mark_failed(result, "http_status", f"archived HTTP {result.status_code}")
                    failures.append(result)
                else:
                    records.append((result.url, archive.get_record_offset()))
    except FetchError as exc:
        failures.append(_failure(path.as_uri(), exc.kind, str(exc)))
    except Exception as exc:
        failures.append(_failure(path.as_uri(), "parse", f"unreadable WARC: {exc}"))
    return records, failures


def read_warc_record(
    path: Path, offset: int, url: str, max_bytes: int, within: Path | None = None
) -> FetchResult:
    """The archived response for ``url`` at ``offset`` of a WARC file (see :func:`scan_warc`),
    its body at most ``max_bytes``; a failure when the file no longer holds it there."""
    from warcio.archiveiterator import ArchiveIterator

    result = FetchResult(url=url, final_url=url, attempts=1)
    try:
        with open_local(path, within) as stream:
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)), None)
            archived = _archived_response(record) if record is not None else None
            if record is None or archived is None or archived.url != url:
                raise FetchError(
                    "io", f"{path} holds no archived response for {url} at {offset} any more"
                )
            result = archived
            body = record.content_stream().read(max_bytes + 1)
        if len(body) > max_bytes:
            _mark_failed(result, "too_large", f"WARC record exceeds {max_bytes} bytes")
        elif result.status_code != 200:
            _mark_failed(result, "http_status", f"archived HTTP {result.status_code}")
        elif not body.strip():
            _mark_failed(result, "empty", "empty archived body")
        else:
            result.body, result.outcome = body, "ok"
    except FetchError as exc:
        _mark_failed(result, exc.kind, str(exc))
    except Exception as exc:
        _mark_failed(result, "parse", f"unreadable WARC record: {exc}")
    return result


def _archived_response(record) -> FetchResult | None:
    """An archived HTML (or untyped) response's fetch result without its body; None for other
    records (requests, metadata, responses of other types)."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    content_type = (
        (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    )
    if content_type and "html" not in content_type:
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI")
    result = FetchResult(url=normalise_url(uri), final_url=uri, attempts=1)
    result.status_code = int(record.http_headers.get_statuscode() or 0) or None
    result.content_type = content_type or None
    stamp = record.rec_headers.get_header("WARC-Date")
    if stamp:
        result.fetched_at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return result


def _is_homepage(url: str) -> bool:
    try:
        return urlsplit(url).path in {"", "/"}
    except ValueError:  # unparseable: not a homepage (the URL policy refuses it)
        return False


def _mark_failed(result: FetchResult, kind: str, message: str) -> None:
    """Record a failure, its message on one line: a library's may span many (warcio's for a
    WARC gzipped as one stream is 14 lines ending in the ``warcio recompress`` advice)."""
    result.outcome, result.error_kind, result.error = "failed", kind, " ".join(message.split())


def _failure(url: str, kind: str, message: str) -> FetchResult:
    result = FetchResult(url=url, fetched_at=datetime.now(UTC))
    _mark_failed(result, kind, message)
    return result
