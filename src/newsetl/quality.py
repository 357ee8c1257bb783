"""Extraction-quality flags, each with the evidence that raised it.

What users of news extractors ask about most, after dates: "is this the whole article?". A
flag never changes the text (original data is sacred); it tells the analyst which rows to
distrust and why, queryable as ``list_contains(quality_flags, 'paywall')`` with the evidence in
``quality_evidence`` (JSON: flag -> evidence).

Flags:

- ``paywall``: the page says the article is not free (JSON-LD ``isAccessibleForFree: false``,
  ``hasPart`` with a paywalled section, a ``content_tier`` meta of locked/metered);
- ``paywall_marker``: only the markup mentions a paywall (a class or id such as
  ``paywall-container``): weaker, as sites ship those on free pages too;
- ``teaser``: the extracted text is not much longer than the page's own description
  (``og:description`` / JSON-LD / meta description): what was extracted is the standfirst;
- ``truncated``: the text ends on a cut-off marker ("Read more", "Subscribe to continue", an
  ellipsis), or the page's JSON-LD ``articleBody`` is much longer than what was extracted;
- ``duplicated_paragraphs``: the same paragraph occurs more than once (template residue or an
  extraction that picked a block twice);
- date flags from :mod:`newsetl.dates` (``future_date``, ``implausible_date``,
  ``date_conflict``, ``modified_before_published``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from newsetl.structured import StructuredData, text_value

FLAGS = (
    "paywall",
    "paywall_marker",
    "teaser",
    "truncated",
    "duplicated_paragraphs",
    "future_date",
    "implausible_date",
    "date_conflict",
    "modified_before_published",
)
#: The text is a teaser when it is at most this many times as long as the description.
TEASER_RATIO = 1.5
#: JSON-LD articleBody this many times longer than the extracted text: extraction is partial.
BODY_RATIO = 1.5
#: Paragraphs shorter than this are not compared (bylines, "Photo: AFP" repeat legitimately).
MIN_PARAGRAPH_CHARS = 40
#: Cut-off markers, matched at the end of the text (last line), case-insensitive.
CUT_OFF_MARKERS = (
    "read more",
    "read the full article",
    "read the full story",
    "continue reading",
    "subscribe to continue",
    "subscribe to read",
    "subscribe now",
    "sign in to continue",
    "log in to continue",
    "to continue reading",
    "already a subscriber",
    "this article is for subscribers",
    "weiterlesen",
    "jetzt abonnieren",
    "mehr lesen",
    "lesen sie weiter",
    "lire la suite",
    "abonnez-vous",
    "la suite est réservée",
    "réservé aux abonnés",
    "leggi tutto",
    "leggi anche",
    "continua a leggere",
    "abbonati",
    "riservato agli abbonati",
    "seguir leyendo",
    "leer más",
    "suscríbete",
    "continuar lendo",
    "leia mais",
    "assine",
)
_MARKER = re.compile(
    r"(?:" + "|".join(re.escape(m) for m in CUT_OFF_MARKERS) + r")\s*(?:[.!:›»>…]+|\.\.\.)?\s*$",
    re.IGNORECASE,
)
#: A last line this short that contains a marker is the marker ("Subscribe to continue reading.").
MARKER_LINE_WORDS = 12
_ANY_MARKER = re.compile(
    r"\b(?:" + "|".join(re.escape(m) for m in CUT_OFF_MARKERS) + r")\b", re.IGNORECASE
)
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s*$")
_PAYWALL_CLASS = re.compile(
    r"(?:^|[\s_-])(?:paywall|paywalled|piano-?paywall|premium-?(?:content|article|wall)|"
    r"subscriber-?only|subscribers-?only|regwall|metered-?content|plus-?paywall)(?:$|[\s_-])",
    re.IGNORECASE,
)
#: Words every match of :data:`_PAYWALL_CLASS` contains: when no class or id of the page holds
#: one, no element can match. Why: the per-element loop (an lxml element object, two attribute
#: reads, a string and a search for each of ~2,000 elements) was 1.1 ms of a Zyte page's
#: extraction, and most pages have none of these words (167 of the 181).
_PAYWALL_WORDS = ("paywall", "premium", "subscriber", "regwall", "metered")
#: the same test as a regex with the pattern's flags, for text that is not ASCII (under
#: IGNORECASE "ſ" matches "s" and "ı" matches "i", which ``str.lower`` does not give)
_PAYWALL_WORD = re.compile("|".join(_PAYWALL_WORDS), re.IGNORECASE)
#: every class and id value of the page, as plain strings (no element objects made)
_CLASS_AND_ID = etree.XPath("//@class | //@id", smart_strings=False)
_FALSE = {"false", "no", "0"}


def quality_flags(
    text: str,
    tree: HtmlElement,
    data: StructuredData,
    description: str | None,
    date_flags: dict[str, Any] | None = None,
    *,
    analysed_chars: int | None = None,
) -> dict[str, Any]:
    """flag -> evidence for one extracted page (empty when nothing is wrong).

    ``analysed_chars`` (:mod:`newsetl.textcap`): the paragraph checks read only this much of
    the text; the length checks and the check of the text's end read it whole (cheap)."""
    flags: dict[str, Any] = {}
    paywall = paywall_evidence(tree, data)
    if any(e["signal"] != "markup" for e in paywall):
        flags["paywall"] = paywall
    elif paywall:
        # a paywall's container or script in the markup, with no declaration: many sites ship
        # it on every page, free ones included (38 of 257 Fundus pages had only this signal)
        flags["paywall_marker"] = paywall
    reference = description or _description(data)
    if reference and len(text) <= TEASER_RATIO * len(reference):
        flags["teaser"] = {
            "text_chars": len(text),
            "description_chars": len(reference),
            "ratio": round(len(text) / max(1, len(reference)), 3),
        }
    truncation = truncation_evidence(text, data)
    if truncation:
        flags["truncated"] = truncation
    repeated = duplicated_paragraphs(text[:analysed_chars] if analysed_chars else text)
    if repeated:
        flags["duplicated_paragraphs"] = repeated
    for flag, evidence in (date_flags or {}).items():
        flags[flag] = evidence
    return flags


def paywall_evidence(tree: HtmlElement, data: StructuredData) -> list[dict[str, Any]]:
    evidence: list[dict[str, Any]] = []
    for obj in data.objects[:50]:
        free = obj.get("isAccessibleForFree")
        if free is not None and str(free).strip().lower() in _FALSE:
            evidence.append({"signal": "json-ld", "isAccessibleForFree": free})
        parts = obj.get("hasPart")
        for part in parts if isinstance(parts, list) else [parts]:
            if (
                isinstance(part, dict)
                and str(part.get("isAccessibleForFree", "")).strip().lower() in _FALSE
            ):
                evidence.append(
                    {"signal": "json-ld hasPart", "cssSelector": part.get("cssSelector")}
                )
                break
    tier = data.first_meta("article:content_tier", "content_tier")
    if tier and tier[1].lower() in {"locked", "metered", "premium"}:
        evidence.append({"signal": "meta", "name": tier[0], "content": tier[1]})
    if not _may_name_paywall(" ".join(_CLASS_AND_ID(tree))):
        return evidence
    for element in tree.xpath("//*[@class or @id]")[:5000]:
        value = f"{element.get('class') or ''} {element.get('id') or ''}"
        match = _PAYWALL_CLASS.search(value)
        if match:
            evidence.append(
                {"signal": "markup", "element": element.tag, "marker": match.group(0).strip()}
            )
            break
    return evidence


def _may_name_paywall(values: str) -> bool:
    """Whether a class or id in ``values`` may match :data:`_PAYWALL_CLASS` (never False
    when one does; a lower-cased ``in`` test where it is exact, ~10x faster than the regex)."""
    if not values.isascii():
        return _PAYWALL_WORD.search(values) is not None
    lowered = values.lower()
    return any(word in lowered for word in _PAYWALL_WORDS)


def truncation_evidence(text: str, data: StructuredData) -> dict[str, Any] | None:
    last_line = text.rstrip().rsplit("\n", 1)[-1].strip()
    if len(last_line.split()) <= MARKER_LINE_WORDS and _ANY_MARKER.search(last_line):
        return {"signal": "cut-off marker", "marker": last_line}
    marker = _MARKER.search(last_line[-120:])
    if marker:
        return {"signal": "cut-off marker", "marker": marker.group(0).strip()}
    if _ELLIPSIS_END.search(last_line):
        return {"signal": "ends with ellipsis", "last_line": last_line[-80:]}
    article = data.article()
    body = text_value(article.get("articleBody")) if article else None
    if body and len(body) > BODY_RATIO * len(text) and len(body) - len(text) > 200:
        return {
            "signal": "json-ld articleBody longer",
            "article_body_chars": len(body),
            "text_chars": len(text),
        }
    return None


def duplicated_paragraphs(text: str) -> dict[str, Any] | None:
    seen: dict[str, int] = {}
    repeated: list[str] = []
    for line in text.split("\n"):
        key = " ".join(unicodedata.normalize("NFC", line).split()).casefold()
        if len(key) < MIN_PARAGRAPH_CHARS:
            continue
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            repeated.append(line.strip())
    if not repeated:
        return None
    return {
        "paragraphs": len(repeated),
        "extra_copies": sum(n - 1 for n in seen.values() if n > 1),
        "first": repeated[0][:200],
    }


def _description(data: StructuredData) -> str | None:
    article = data.article()
    if article:
        value = text_value(article.get("description"))
        if value:
            return value
    found = data.first_meta("og:description", "description", "twitter:description")
    return found[1] if found else None
