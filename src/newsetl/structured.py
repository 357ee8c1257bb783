"""The page's own statements about itself: JSON-LD objects and ``<meta>`` tags, read once.

Dates, provenance and quality flags all ask the same questions of the head ("what does the
JSON-LD article say?", "what does ``article:published_time`` say?"); reading the tree once
here keeps them consistent and cheap. Everything is bounded: a hostile page can ship megabytes
of JSON-LD or thousands of meta tags, and neither may cost more than a few milliseconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

#: JSON-LD ``@type`` values that describe the article itself (schema.org Article and subtypes).
ARTICLE_TYPES = frozenset(
    t.lower()
    for t in (
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "LiveBlogPosting",
        "BlogPosting",
        "SocialMediaPosting",
        "TechArticle",
        "ScholarlyArticle",
        "Report",
        "SatiricalArticle",
        "AdvertiserContentArticle",
    )
)
#: Bounds against hostile pages.
MAX_JSONLD_BLOCKS = 20
MAX_JSONLD_CHARS = 500_000
MAX_OBJECTS = 500
MAX_META = 2000


@dataclass
class StructuredData:
    """JSON-LD objects (flattened out of ``@graph`` and lists) and meta tags of one page."""

    objects: list[dict[str, Any]] = field(default_factory=list)
    #: lower-cased ``property`` / ``name`` / ``itemprop`` -> contents, in document order
    meta: dict[str, list[str]] = field(default_factory=dict)
    #: how many JSON-LD blocks could not be parsed (evidence for a quality flag, not an error)
    broken_jsonld: int = 0

    def article(self) -> dict[str, Any] | None:
        """The JSON-LD object describing the article: the first Article-typed one."""
        return next((o for o in self.objects if _types(o) & ARTICLE_TYPES), None)

    def webpage(self) -> dict[str, Any] | None:
        return next((o for o in self.objects if "webpage" in _types(o)), None)

    def first_meta(self, *names: str) -> tuple[str, str] | None:
        """(name, content) of the first non-empty meta tag among ``names`` (priority order)."""
        for name in names:
            for value in self.meta.get(name, ()):
                if value.strip():
                    return name, value.strip()
        return None


def read_structured(tree: HtmlElement) -> StructuredData:
    data = StructuredData()
    chars = 0
    for n, script in enumerate(tree.iterfind(".//script[@type]")):
        if n >= MAX_JSONLD_BLOCKS * 5:
            break
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = script.text or ""
        chars += len(raw)
        if chars > MAX_JSONLD_CHARS or len(data.objects) >= MAX_OBJECTS:
            break
        try:
            parsed = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            data.broken_jsonld += 1
            continue
        _flatten(parsed, data.objects, depth=0)
    for n, meta in enumerate(tree.iterfind(".//meta")):
        if n >= MAX_META:
            break
        content = meta.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop"):
            key = (meta.get(attr) or "").strip().lower()
            if key:
                data.meta.setdefault(key, []).append(content)
    return data


def _flatten(value: Any, out: list[dict[str, Any]], depth: int) -> None:
    """Objects of a JSON-LD document: top-level ones, ``@graph`` members, list members,
    and ``mainEntity`` / ``mainEntityOfPage`` objects that are themselves articles."""
    if depth > 4 or len(out) >= MAX_OBJECTS:
        return
    if isinstance(value, list):
        for item in value[:MAX_OBJECTS]:
            _flatten(item, out, depth + 1)
    elif isinstance(value, dict):
        if "@graph" in value:
            _flatten(value["@graph"], out, depth + 1)
        if "@type" in value:
            out.append(value)
        for key in ("mainEntity", "mainEntityOfPage"):
            inner = value.get(key)
            if isinstance(inner, dict) and _types(inner) & ARTICLE_TYPES:
                _flatten(inner, out, depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.rsplit("/", 1)[-1].lower() for k in kinds if isinstance(k, str)}


def text_value(value: Any) -> str | None:
    """A JSON-LD value as text: strings, ``{"@value": ...}``, or the first of a list."""
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = str(value).strip()
        return text or None
    return None


def names_of(value: Any) -> list[str]:
    """Person/organisation names of a JSON-LD ``author`` value (object, list or string)."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items[:50]:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names
