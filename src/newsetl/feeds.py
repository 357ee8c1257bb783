"""RSS / Atom / JSON feeds, and feed discovery from a homepage.

XML is read by defusedxml before feedparser sees it: a feed is untrusted input, and an
entity-expansion bomb must become a recorded failure, not a hung worker. That first, streaming
read also counts the entries and drops those past the caller's cap, so feedparser (~0.1 ms per
entry) only ever parses what is taken: a 52 MB feed of 400,000 items took 41-63 s and ~0.6 GB
above its body when feedparser parsed it whole to keep 500 (benchmarks/fetch/big_documents.py).
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as safe_iterparse
from lxml.html import fromstring as html_fromstring

from newsetl.urls import normalise_url

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
)


class FeedError(ValueError):
    """The body is not a usable feed (malformed, dangerous or empty)."""


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str | None = None
    published_at: datetime | None = None


def looks_like_feed(body: bytes, content_type: str | None = None) -> bool:
    if content_type and any(content_type.startswith(t) for t in FEED_TYPES[:3]):
        return True
    head = body[:1024].lstrip().lower()
    if head.startswith(b"{"):
        return b"jsonfeed.org" in body[:4096]
    return any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf"))


@dataclass(frozen=True)
class Feed:
    """A feed's entries (at most the cap asked for) and how many it lists in all."""

    entries: list[FeedEntry]
    listed: int


#: Local names of a feed's entry elements: RSS 0.9x/2.0 and RSS 1.0 (RDF) ``item``, Atom ``entry``.
_ENTRY_TAGS = frozenset({"item", "entry"})


#: Entries without a link kept, per entry the cap takes, while a feed is read under a cap.
UNLINKED_PER_TAKEN = 4


def check_xml_is_safe(body: bytes, max_entries: int | None = None) -> tuple[bytes, int]:
    """Read XML safely: raise FeedError for entity declarations (bombs, external entities) or
    malformed XML. Returns the body to parse and the number of entries it lists; past
    ``max_entries`` the entries are dropped while reading (memory stays that of the kept part)
    and the body returned is the kept document, re-serialised.

    An entry is an ``item``/``entry`` element that is a child of the root (Atom, RDF) or of a
    child of the root (RSS's ``channel``): elements of those names nested deeper are parts of an
    entry, not entries. The cap counts the entries with a link (:func:`_has_link`): those
    without one are skipped by :func:`parse_feed`, so they must not take the place of later
    entries that have one; at most :data:`UNLINKED_PER_TAKEN` times ``max_entries`` of them are
    kept besides (a feed of link-less items must not bring back the cost the cap avoids)."""
    listed = linked = unlinked = 0
    path: list[ET.Element] = []
    root: ET.Element | None = None
    try:
        for event, element in safe_iterparse(
            io.BytesIO(body),
            events=("start", "end"),
            forbid_dtd=False,
            forbid_entities=True,
            forbid_external=True,
        ):
            if event == "start":
                root = element if root is None else root
                path.append(element)
                continue
            path.pop()
            if 1 <= len(path) <= 2 and element.tag.rpartition("}")[2] in _ENTRY_TAGS:
                listed += 1
                if max_entries is None:
                    continue
                if linked >= max_entries:
                    keep = False
                elif _has_link(element):
                    keep = True
                    linked += 1
                else:
                    keep = unlinked < UNLINKED_PER_TAKEN * max_entries
                    unlinked += keep
                if not keep:
                    del path[-1][-1]  # ``element``, its parent's last child so far: dropped
    except DefusedXmlException as exc:
        raise FeedError(f"refused unsafe XML: {type(exc).__name__}") from exc
    except Exception as exc:  # ParseError and friends
        raise FeedError(f"malformed XML: {exc}") from exc
    if root is None or max_entries is None or listed == linked + unlinked:
        return body, listed
    return ET.tostring(root, encoding="utf-8"), listed


def _has_link(entry: ET.Element) -> bool:
    """Whether feedparser finds a link in an entry: a ``link`` child with text or an
    ``href`` (RSS, Atom), or a ``guid`` that is a permalink (RSS's default)."""
    for child in entry:
        name = child.tag.rpartition("}")[2] if isinstance(child.tag, str) else ""
        if name == "link" and ((child.text or "").strip() or child.get("href", "").strip()):
            return True
        permalink = child.get("isPermaLink", "true").strip().lower() != "false"
        if name == "guid" and permalink and (child.text or "").strip():
            return True
    return False


def parse_feed(body: bytes, base_url: str, max_entries: int | None = None) -> Feed:
    """The first ``max_entries`` entries (all without it) of an RSS/Atom/RDF or JSON Feed
    document, links made absolute, and how many entries the feed lists: the caller records
    what the cap drops. Entries without a link are skipped (counted as listed, not taken)."""
    if body.lstrip()[:1] in (b"{", b"["):
        return _parse_json_feed(body, base_url, max_entries)
    body, listed = check_xml_is_safe(body, max_entries)
    import feedparser  # not at import (~0.02 s): the pool's workers import this module, never parse

    parsed = feedparser.parse(body)
    if parsed.bozo and not parsed.entries:
        raise FeedError(f"malformed feed: {parsed.get('bozo_exception')}")
    entries: list[FeedEntry] = []
    for item in parsed.entries:
        if max_entries is not None and len(entries) >= max_entries:
            break
        link = item.get("link") or next(
            (lk.get("href") for lk in item.get("links", []) if lk.get("href")), None
        )
        if not isinstance(link, str) or not link.strip():
            continue
        stamp = item.get("published_parsed") or item.get("updated_parsed")
        published = datetime(*stamp[:6], tzinfo=UTC) if stamp else None
        entries.append(FeedEntry(normalise_url(link, base_url), item.get("title"), published))
    if not entries:
        raise FeedError("feed has no entries with links")
    return Feed(entries, max(listed, len(parsed.entries)))


def _parse_json_feed(body: bytes, base_url: str, max_entries: int | None) -> Feed:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"malformed JSON feed: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedError("JSON feed without an items list")
    entries: list[FeedEntry] = []
    for item in data["items"]:
        if max_entries is not None and len(entries) >= max_entries:
            break
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("external_url")
        if not isinstance(link, str) or not link.strip():
            continue
        published = None
        if item.get("date_published"):
            try:
                published = datetime.fromisoformat(
                    str(item["date_published"]).replace("Z", "+00:00")
                )
            except ValueError:
                published = None
        title = item.get("title")
        entries.append(
            FeedEntry(
                normalise_url(link, base_url), title if isinstance(title, str) else None, published
            )
        )
    if not entries:
        raise FeedError("JSON feed has no entries with links")
    return Feed(entries, len(data["items"]))


def discover_feeds(html: bytes | str, base_url: str) -> list[str]:
    """Feed URLs a homepage advertises with ``<link rel=alternate type=...>``."""
    try:
        tree = html_fromstring(html)
    except Exception:
        return []
    found: list[str] = []
    for link in tree.iterfind(".//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower()
        if "alternate" in rel and kind in FEED_TYPES:
            url = normalise_url(link.get("href"), base_url)
            if url not in found:
                found.append(url)
    return found
