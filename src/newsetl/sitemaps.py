"""XML sitemaps: plain, gzipped, sitemap indexes and Google News sitemaps.

Like feeds, sitemaps are untrusted XML: parsed with defusedxml, decompressed with a size
limit, and a broken one is a recorded failure.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from newsetl.urls import normalise_url


class SitemapError(ValueError):
    """Not a usable sitemap."""


@dataclass
class Sitemap:
    pages: list[tuple[str, datetime | None]] = field(default_factory=list)
    children: list[str] = field(default_factory=list)  # sitemaps listed by an index


def looks_like_sitemap(body: bytes) -> bool:
    head = maybe_gunzip(body, 1 << 20)[:2048]
    return b"<urlset" in head or b"<sitemapindex" in head


def maybe_gunzip(body: bytes, max_bytes: int) -> bytes:
    if body[:2] != b"\x1f\x8b":
        return body
    decompressor = zlib.decompressobj(47)
    out = decompressor.decompress(body, max_bytes + 1)
    if len(out) > max_bytes:
        raise SitemapError(f"gzipped sitemap expands past {max_bytes} bytes")
    return out


def parse_sitemap(
    body: bytes, base_url: str, max_urls: int = 5000, max_bytes: int = 50 << 20
) -> Sitemap:
    data = maybe_gunzip(body, max_bytes)
    stripped = data.lstrip()
    if stripped[:1] != b"<":  # a plain-text sitemap: one URL per line
        urls = [line.strip().decode("utf-8", "replace") for line in stripped.splitlines()]
        pages = [(normalise_url(u), None) for u in urls if u.startswith(("http://", "https://"))]
        if not pages:
            raise SitemapError("neither XML nor a text list of URLs")
        return Sitemap(pages=pages[:max_urls])
    try:
        root = safe_fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise SitemapError(f"refused unsafe XML: {type(exc).__name__}") from exc
    except Exception as exc:
        raise SitemapError(f"malformed sitemap XML: {exc}") from exc
    tag = _local(root.tag)
    result = Sitemap()
    if tag == "sitemapindex":
        for node in root:
            loc = _child_text(node, "loc")
            if loc:
                result.children.append(normalise_url(loc, base_url))
    elif tag == "urlset":
        for node in root:
            loc = _child_text(node, "loc")
            if not loc:
                continue
            stamp = _child_text(node, "lastmod") or _news_date(node)
            result.pages.append((normalise_url(loc, base_url), _parse_when(stamp)))
            if len(result.pages) >= max_urls:
                break
    else:
        raise SitemapError(f"root element <{tag}> is not a sitemap")
    return result


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(node, name: str) -> str | None:
    for child in node:
        if _local(child.tag) == name and child.text:
            return child.text.strip()
    return None


def _news_date(node) -> str | None:
    for child in node:
        if _local(child.tag) == "news":
            return _child_text(child, "publication_date")
    return None


def _parse_when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
