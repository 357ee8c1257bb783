"""URL canonicalisation and identity.

An article is identified by its canonical URL (``<link rel=canonical>`` when the page gives
one *and* :func:`accepted_canonical` accepts it, else the URL it was fetched from after
redirects), normalised with courlan so that tracking parameters, default ports, case and
fragments do not create duplicates.

The site of a URL is its registered domain (``news.example.co.uk`` -> ``example.co.uk``),
computed from the Public Suffix List that the ``publicsuffixlist`` package ships (no network:
the list is updated by upgrading the package). :func:`site_of` is the one definition of "the
site" for articles and fetches alike.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import ipaddress
import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urldefrag, urljoin, urlsplit

import courlan

HTTP_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
#: Host labels that name another rendering of the same page (mobile, AMP), not another page.
_RENDERING_HOST_LABELS = ("www.", "m.", "mobile.", "amp.")
_PATH_PARAMETERS = re.compile(r";[^/]*")


def normalise_url(url: str, base: str | None = None) -> str:
    """Absolute, normalised URL without fragment or tracking parameters.

    A query part without ``=`` (``article.php?12345``) is kept, first and as written:
    courlan parses the query with ``parse_qs``, which drops such parts, so ``?101`` and
    ``?102`` of one script were one URL: every page but one was lost, unrecorded.

    A URL that cannot be parsed (``http://[::1/x``: urllib raises ValueError) is returned as
    written, for the URL policy to refuse and record: raised here, one such link lost the whole
    feed or sitemap that listed it."""
    url = url.strip()
    try:
        if base:
            url = urljoin(base, url)
        query = urlsplit(url).query
    except ValueError:
        return url
    if url.startswith("file:"):
        return urldefrag(url)[0]
    bare = _bare_query_parts(query)
    with contextlib.suppress(ValueError, AttributeError):  # leave what courlan cannot parse
        url = courlan.normalize_url(url)
        if bare:
            parts = urlsplit(url)
            query = "&".join([*bare, *([parts.query] if parts.query else [])])
            url = parts._replace(path=parts.path or "/", query=query).geturl()
    return urldefrag(url)[0]


def _bare_query_parts(query: str) -> list[str]:
    """The query's parts without ``=`` (not trackers, no repeats), in their order."""
    found: list[str] = []
    for part in query.split("&"):
        part = part.strip()
        if part and "=" not in part and part not in found and not _TRACKER.search(part.lower()):
            found.append(part)
    return found


#: courlan's own test for a tracking parameter's name, applied to the bare parts as well.
_TRACKER = courlan.clean.TRACKERS_RE


def is_http(url: str) -> bool:
    try:
        return urlsplit(url).scheme.lower() in HTTP_SCHEMES
    except ValueError:
        return False


def host_of(url: str) -> str | None:
    """Lower-case host without a trailing dot (IPv6 without brackets); None if there is none."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    host = (host or "").rstrip(".").lower()
    return host or None


def port_of(url: str) -> int | None:
    """The port, the scheme's default when the URL names none; None if it is invalid."""
    try:
        parts = urlsplit(url)
        return parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None


@functools.cache
def _public_suffix_list():
    """The bundled Public Suffix List, parsed: from the disk cache (:mod:`newsetl.cache`).

    Why: parsing the list's file (~10,000 rules, each also IDNA-encoded) costs ~0.04 s of
    CPU, and the fork server pays it in its extraction warm-up, before it forks the early
    extraction helper (the start's critical path); the parsed rules are a frozenset, whose
    pickle loads in ~2 ms. The key is the package's version and the list file's bytes (a
    list updated in place by ``publicsuffixlist.update`` changes it)."""
    import publicsuffixlist
    from publicsuffixlist import PublicSuffixList

    from newsetl.cache import cache_key, cached, distribution_version

    key = cache_key(
        "public-suffix-list-1",
        distribution_version("publicsuffixlist"),
        Path(publicsuffixlist.PSLFILE),
    )
    # the bundled list: loads a file, never fetches
    return cached("public_suffix_list", key, PublicSuffixList)


def registered_domain(url_or_host: str) -> str | None:
    """The registered domain (``www.bbc.co.uk`` -> ``bbc.co.uk``, ``alice.github.io`` stays).

    An IP address is its own site (without port); a host the Public Suffix List cannot split
    (``localhost``, an intranet name, a bare suffix) is its own site too. None for URLs
    without a host (local files).
    """
    host = host_of(url_or_host) if "/" in url_or_host else url_or_host.rstrip(".").lower()
    if not host:
        return None
    host = host.strip("[]")
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(host)
        return host
    try:
        domain = _public_suffix_list().privatesuffix(host)
    except Exception:  # a label the list's IDNA handling refuses: the host is the site
        domain = None
    return domain or host


def site_of(url: str) -> str | None:
    """What a user means by 'the site': the registered domain of the URL's host.

    The single definition for every table: ``articles.site`` uses it, and a per-site view over
    ``fetches`` must use the same key (it cannot be computed in SQL from the Public Suffix
    List, so a view should join on a stored value rather than split the host in SQL).
    """
    return registered_domain(url) if is_http(url) else None


def same_site(a: str, b: str) -> bool:
    site = site_of(a)
    return site is not None and site == site_of(b)


def article_id_for(canonical_url: str) -> str:
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:20]


# --------------------------------------------------------------------------------------------
# rel=canonical: a claim made by the page, accepted only when it cannot hijack another article
# --------------------------------------------------------------------------------------------
def _rendering_key(url: str) -> tuple[str, int | None, str, frozenset] | None:
    """(host, port, path, query pairs) with the parts that only name another rendering of the
    same page removed: scheme, default port, ``www.``/``m.``/``amp.`` host labels, percent
    encoding and ``;parameters`` of the path, a trailing slash, an ``/amp`` suffix or prefix."""
    host = host_of(url)
    if not host or not is_http(url):
        return None
    for label in _RENDERING_HOST_LABELS:
        if host.startswith(label) and host.count(".") > 1:
            host = host[len(label) :]
            break
    parts = urlsplit(url)
    # percent-encoding and path parameters (";jsessionid=...") do not name another page
    path = _PATH_PARAMETERS.sub("", unquote(parts.path)) or "/"
    if path.startswith("/amp/"):
        path = path[4:]
    for suffix in ("/amp", ".amp"):
        if path.endswith(suffix) and len(path) > len(suffix):
            path = path[: -len(suffix)]
    path = path.rstrip("/") or "/"
    query = frozenset(parse_qsl(parts.query, keep_blank_values=True))
    port = port_of(url)
    if port == DEFAULT_PORTS.get(parts.scheme.lower()):
        port = None  # http://x/a and https://x/a are one page on their default ports
    return host, port, path, query


def names_same_page(canonical: str, own: str) -> bool:
    """True if ``canonical`` is the page's own URL ``own`` modulo normalisation: same host (up
    to ``www.``/``m.``/``amp.``), port and path (up to percent encoding, ``;jsessionid=...``,
    a trailing slash or ``/amp``), and only query parameters of ``own`` (some may be dropped,
    none added or changed)."""
    a, b = _rendering_key(canonical), _rendering_key(own)
    if a is None or b is None:
        return False
    return a[:3] == b[:3] and a[3] <= b[3]


def accepted_canonical(declared: str | None, own_urls: list[str], *, local: bool) -> str | None:
    """The declared ``rel=canonical`` if it may identify the article, else None.

    The rule (a canonical is a claim by whoever wrote the page, and accepting it lets the page
    overwrite the article stored under that URL):

    * a page read from a local file the user named (``local``) is trusted: the canonical is
      the only way to know where a saved page was published (any http(s) URL is accepted);
    * otherwise the canonical must be on the same registered domain as a URL the page was
      actually served from (``own_urls``: requested and final URL), so no page can take over
      another site's article;
    * and it must name that same page modulo normalisation (:func:`names_same_page`), so a
      page cannot take over *another article of its own site* either (a comment page, a
      user-content page or a broken template claiming the front-page story). Different
      renderings of one story (AMP, mobile host, tracking or pagination parameters) still
      share one article; two URLs with the same text are merged by the content hash instead.
    """
    if not declared or not is_http(declared):
        return None
    if local:
        return declared
    for own in own_urls:
        if is_http(own) and same_site(declared, own) and names_same_page(declared, own):
            return declared
    return None
