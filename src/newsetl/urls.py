"""URL canonicalisation and identity.

An article is identified by its canonical URL (``<link rel=canonical>`` when the page gives
one, else the URL it was fetched from after redirects), normalised with courlan so that
tracking parameters, default ports, case and fragments do not create duplicates.
"""

from __future__ import annotations

import contextlib
import hashlib
from urllib.parse import urldefrag, urljoin, urlsplit

import courlan


def normalise_url(url: str, base: str | None = None) -> str:
    """Absolute, normalised URL without fragment or tracking parameters."""
    url = url.strip()
    if base:
        url = urljoin(base, url)
    if url.startswith("file:"):
        return urldefrag(url)[0]
    with contextlib.suppress(ValueError, AttributeError):  # leave what courlan cannot parse
        url = courlan.normalize_url(url)
    return urldefrag(url)[0]


def site_of(url: str) -> str | None:
    """The host without ``www.``: what a user means by 'the site'."""
    host = urlsplit(url).hostname
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def article_id_for(canonical_url: str) -> str:
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:20]


def is_http(url: str) -> bool:
    return urlsplit(url).scheme in {"http", "https"}
