"""Main text and metadata extraction with trafilatura, plus the page-level signals we need.

The HTML is parsed once: head signals (canonical link, hreflang alternates, declared
language) and the page's structured data (JSON-LD, meta tags) are read from the tree before
trafilatura prunes it for extraction. Dates with time and zone come from :mod:`newsetl.dates`,
which field came from where from :mod:`newsetl.provenance`, quality flags from
:mod:`newsetl.quality`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import charset_normalizer
import trafilatura
from lxml.html import HtmlElement
from rapidfuzz import fuzz
from trafilatura.utils import load_html

from newsetl import dates, htmlclasses, provenance, quality
from newsetl.fingerprint import content_fingerprint
from newsetl.language import normalise_language_tag
from newsetl.structured import read_structured
from newsetl.textcap import DEFAULT_MAX_TEXT_CHARS, analysed_text, cap_evidence
from newsetl.textcap import FLAG as CAP_FLAG
from newsetl.urls import is_http, normalise_url

htmlclasses.install()  # each node's lxml class picked in C, not by a Python call

EXTRACTOR = "trafilatura"
EXTRACTOR_VERSION = trafilatura.__version__
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_SINGLE_BYTE = {"iso-8859-1", "latin-1", "latin1", "cp1252", "windows-1252", "us-ascii", "ascii"}


class ExtractionError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class ExtractedPage:
    """What one HTML page yields before any language-level analysis."""

    text: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None  # aware, UTC (published.utc)
    published: dates.Timestamp | None = None
    modified: dates.Timestamp | None = None
    title_source: str | None = None
    authors_source: str | None = None
    #: quality flag -> evidence (see newsetl.quality); empty when nothing is wrong
    quality: dict[str, Any] = field(default_factory=dict)
    #: words of the body only: without the kicker, headline and standfirst leading the text
    body_word_count: int = 0
    description: str | None = None
    site_name: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    canonical_url: str | None = None
    declared_language: str | None = None
    declared_language_source: str | None = None
    hreflang: dict[str, str] = field(default_factory=dict)
    charset: str | None = None
    content_hash: str = ""
    fingerprint: int | None = None


def decode_html(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a page robustly; returns (text, charset actually used).

    Valid UTF-8 wins even when a single-byte charset is declared (multi-byte UTF-8 sequences
    practically never occur by chance in Latin-1 text, while servers mislabel UTF-8 all the
    time); otherwise the declared charsets are tried strictly, then charset detection.
    """
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    if declared:
        candidates.append(declared)
    match = _META_CHARSET.search(body[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii", "ignore"))
    candidates.append(_guess_charset(body))
    candidates.append("cp1252")
    for name in candidates:
        name = name.strip().lower()
        if name in {"utf-8", "utf8"}:
            continue  # already failed strictly
        if name in _SINGLE_BYTE:
            name = "cp1252"  # as browsers do (WHATWG): Latin-1 labels mean windows-1252
        try:
            return body.decode(name), name
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace"), "utf-8-replace"


def _guess_charset(body: bytes) -> str:
    """charset_normalizer's guess; among equally clean decodings, windows-1252 (the usual truth
    behind a wrong label on a Western page) rather than whichever tied candidate comes first."""
    results = list(charset_normalizer.from_bytes(body[:200_000]))
    if not results:
        return "cp1252"
    least = min(r.chaos for r in results)
    tied = [r.encoding for r in results if r.chaos == least]
    return "cp1252" if "cp1252" in tied else tied[0]


def read_head_signals(tree: HtmlElement, base_url: str | None) -> dict:
    """Canonical URL, hreflang alternates and declared language, read before extraction."""
    signals: dict = {"hreflang": {}}
    for link in tree.iterfind(".//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        href = link.get("href") or ""
        if "canonical" in rel and "canonical_url" not in signals and href.strip():
            canonical = normalise_url(href, base_url)
            if is_http(canonical):  # a claim; newsetl.urls.accepted_canonical decides on it
                signals["canonical_url"] = canonical
        if "alternate" in rel and link.get("hreflang"):
            signals["hreflang"][link.get("hreflang").strip().lower()] = normalise_url(
                href, base_url
            )
    sources = [
        ("html_lang", tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")),
    ]
    for meta in tree.iterfind(".//meta"):
        prop = (meta.get("property") or meta.get("name") or "").lower()
        if prop == "og:locale":
            sources.append(("og_locale", meta.get("content")))
        if (meta.get("http-equiv") or "").lower() == "content-language":
            sources.append(("content_language", meta.get("content")))
    for source, value in sources:
        lang = normalise_language_tag(value)
        if lang:
            signals["declared_language"], signals["declared_language_source"] = lang, source
            break
    return signals


def normalise_text_for_hash(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.split()).casefold()


def extract_page(
    body: bytes,
    url: str,
    declared_charset: str | None = None,
    fetched_at: datetime | None = None,
    max_text_chars: int | None = DEFAULT_MAX_TEXT_CHARS,
) -> ExtractedPage:
    """Extract the article from raw HTML bytes. Raises ExtractionError with a kind.

    ``fetched_at`` is the reference for implausible dates (a date after it is set aside);
    default now. ``max_text_chars`` (``Settings.max_text_chars``): the quality flags read at
    most this much of the text, and a longer text is flagged (:mod:`newsetl.textcap`).
    """
    html, charset = decode_html(body, declared_charset)
    tree = load_html(html)
    if tree is None:
        raise ExtractionError("parse", "not parseable as HTML")
    head = read_head_signals(tree, url)
    data = read_structured(tree)
    published, modified = dates.candidates(tree, data, head.get("canonical_url") or url)
    reference = fetched_at or datetime.now(UTC)
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        output_format="python",
        # htmldate as trafilatura runs it, but asked for time and zone, and bounded by the
        # fetch day rather than today: its answer is the last-resort date candidate
        date_extraction_params=dates.htmldate_params(reference),
    )
    if doc is None or not (doc.text or "").strip():
        raise ExtractionError("extract", "no main text found")
    text = doc.text.strip()
    normalised = normalise_text_for_hash(text)
    chosen = dates.choose(published, modified, dates.from_htmldate(doc.date), reference)
    authors = [a.strip() for a in re.split(r";|\band\b", doc.author or "") if a.strip()]
    return ExtractedPage(
        text=text,
        title=doc.title,
        authors=authors,
        published_at=chosen.published.utc if chosen.published else None,
        published=chosen.published,
        modified=chosen.modified,
        title_source=provenance.title_source(doc.title, tree, data),
        authors_source=provenance.authors_source(authors, data),
        quality=_quality(text, tree, data, doc.description, chosen.flags, max_text_chars),
        body_word_count=body_word_count(doc.body, text, doc.title, doc.description),
        description=doc.description,
        site_name=doc.sitename,
        categories=list(doc.categories or []),
        tags=list(doc.tags or []),
        image=doc.image,
        canonical_url=head.get("canonical_url"),
        declared_language=head.get("declared_language"),
        declared_language_source=head.get("declared_language_source"),
        hreflang=head["hreflang"],
        charset=charset,
        content_hash=hashlib.sha256(normalised.encode("utf-8")).hexdigest(),
        fingerprint=content_fingerprint(normalised),
    )


def _quality(
    text: str,
    tree: Any,
    data: Any,
    description: str | None,
    date_flags: dict[str, Any],
    max_text_chars: int | None,
) -> dict[str, Any]:
    """The page's quality flags, from at most ``max_text_chars`` of its text; a text over
    the cap gets the flag that says its analysis read a prefix."""
    capped = cap_evidence(text, max_text_chars)
    flags = quality.quality_flags(
        text,
        tree,
        data,
        description,
        date_flags,
        analysed_chars=len(analysed_text(text, max_text_chars)),
    )
    if capped:
        flags[CAP_FLAG] = capped
    return flags


#: A leading block this short, right before a heading, is a kicker ("EXCLUSIVE", "Climate").
KICKER_MAX_WORDS = 8


def body_word_count(body: Any, text: str, title: str | None, description: str | None) -> int:
    """Words of the article body: the text without the kicker, headline and standfirst that
    trafilatura keeps at its start (blocks before the first body paragraph that are a heading,
    the title, the description, or a short line right before a heading)."""
    total = len(text.split())
    if body is None:
        return total
    blocks = [(child.tag, " ".join(" ".join(child.itertext()).split())) for child in body]
    skipped = 0
    for n, (tag, block) in enumerate(blocks):
        words = len(block.split())
        next_is_heading = n + 1 < len(blocks) and blocks[n + 1][0] == "head"
        if (
            tag == "head"
            or _same_text(block, title)
            or _same_text(block, description)
            or (words <= KICKER_MAX_WORDS and next_is_heading)
        ):
            skipped += words
            continue
        break
    return max(0, total - skipped)


def _same_text(block: str, reference: str | None) -> bool:
    if not block or not reference:
        return False
    a, b = block.casefold(), " ".join(reference.split()).casefold()
    return a == b or fuzz.ratio(a, b) >= 90
