"""Which signal decided a metadata field: queryable as ``<field>_source`` columns.

trafilatura reads the title and authors from meta tags, lets JSON-LD override them, and falls
back to the ``<title>`` element, the first ``<h1>`` or a byline in the text. It does not say which
won; the value it returns is matched here against each signal, in trafilatura's own order, so
the answer is the signal that actually carries the value. Why columns on ``articles`` rather
than a key-value table: one per field, a handful of fields, filtered and grouped like any
column (``WHERE published_at_source = 'htmldate'``), no join and no extra write disposition.
"""

from __future__ import annotations

import unicodedata

from lxml.html import HtmlElement

from newsetl.structured import StructuredData, names_of, text_value

TITLE_META = ("og:title", "twitter:title", "dc.title", "dcterms.title", "title", "headline")
AUTHOR_META = (
    "author",
    "article:author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "parsely-author",
    "sailthru.author",
    "citation_author",
    "twitter:creator",
)


def _norm(value: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", value or "").split()).casefold()


def title_source(title: str | None, tree: HtmlElement, data: StructuredData) -> str | None:
    """json-ld | meta | title-element | h1 | text (trafilatura's own pick), None if no title."""
    wanted = _norm(title)
    if not wanted:
        return None
    article = data.article()
    if article:
        for key in ("headline", "name", "alternativeHeadline"):
            if wanted and wanted in _norm(text_value(article.get(key))):
                return "json-ld"
    for name in TITLE_META:
        if any(wanted in _norm(v) for v in data.meta.get(name, ())):
            return "meta"
    element = tree.find(".//title")
    if element is not None and wanted in _norm(element.text_content()):
        return "title-element"
    for h1 in tree.iterfind(".//h1"):
        if wanted in _norm(h1.text_content()):
            return "h1"
    return "text"


def authors_source(authors: list[str], data: StructuredData) -> str | None:
    """json-ld | meta | byline (found in the page's text by trafilatura), None if no author."""
    if not authors:
        return None
    first = _norm(authors[0])
    article = data.article()
    if article and any(first in _norm(n) for n in names_of(article.get("author"))):
        return "json-ld"
    for name in AUTHOR_META:
        if any(first in _norm(v) for v in data.meta.get(name, ())):
            return "meta"
    return "byline"
