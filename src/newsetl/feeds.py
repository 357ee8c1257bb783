"""RSS / Atom / JSON feeds, and feed discovery from a homepage.

XML is checked with defusedxml before feedparser sees it: a feed is untrusted input, and an
entity-expansion bomb must become a recorded failure, not a hung worker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
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


def check_xml_is_safe(body: bytes) -> None:
    """Raise FeedError for XML with entity declarations (bombs, external entities)."""
    try:
        safe_fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FeedError(f"refused unsafe XML: {type(exc).__name__}") from exc
    except Exception as exc:  # ParseError and friends
        raise FeedError(f"malformed XML: {exc}") from exc


def parse_feed(body: bytes, base_url: str, max_entries: int | None = None) -> list[FeedEntry]:
    """Entries of an RSS/Atom/RDF or JSON Feed document, links made absolute (all of them
    unless ``max_entries``: the caller caps, and records what a cap drops)."""
    if body.lstrip()[:1] == b"{":
        return _parse_json_feed(body, base_url, max_entries)
    check_xml_is_safe(body)
    import feedparser  # not at import (~0.02 s): the pool's workers import this module, never parse

    parsed = feedparser.parse(body)
    if parsed.bozo and not parsed.entries:
        raise FeedError(f"malformed feed: {parsed.get('bozo_exception')}")
    entries: list[FeedEntry] = []
    for item in parsed.entries[:max_entries]:
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
    return entries


def _parse_json_feed(body: bytes, base_url: str, max_entries: int | None) -> list[FeedEntry]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"malformed JSON feed: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedError("JSON feed without an items list")
    entries = []
    for item in data["items"][:max_entries]:
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
    return entries


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
