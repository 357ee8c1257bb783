"""Publication and modification timestamps with their time, zone and source.

Why not trafilatura's date alone: it asks htmldate for a day (``%Y-%m-%d``), so
``2026-11-18T09:30:00+01:00`` became ``2026-11-18 00:00:00`` and "which language version came
first" was unanswerable. The page's structured statements are read first, in the order of how
deliberate they are, each parsed with its time and UTC offset:

1. ``json-ld``: ``datePublished`` / ``dateModified`` of the page's Article object;
2. ``meta``: ``article:published_time`` and the other publication/modification meta tags;
3. ``time-element``: ``<time datetime>`` (or any element with ``datetime``/``content``)
   marked as the publication time (``itemprop="datePublished"``, ``pubdate``);
4. ``url``: a date in the URL path (``/2026/11/18/``), a day only;
5. ``htmldate``: htmldate's heuristics (markup and text patterns), as trafilatura runs them,
   asked for time and zone too; the last resort.

Values are stored in UTC with the original offset kept (``offset_minutes``; None when the page
gave no zone, in which case the wall-clock time is taken as UTC) and the raw string. A date after
the fetch time (plus a tolerance for clock and zone slack) or before :data:`EARLIEST` is not
used; it is reported as a quality flag with its evidence, and the next source decides.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from lxml.html import HtmlElement

from newsetl.structured import StructuredData, text_value

log = logging.getLogger(__name__)

SOURCES = ("json-ld", "meta", "time-element", "url", "htmldate")
#: The web's news archives start around here; earlier dates are template or parsing noise
#: (htmldate uses the same floor).
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
#: A zoned time may be this far after the fetch (clock skew) before it counts as future.
FUTURE_SLACK = timedelta(minutes=15)
#: A time without zone may be up to UTC+14 ahead of UTC; a bare day may be the fetch's next day.
FUTURE_SLACK_NO_ZONE = timedelta(hours=14)

PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "article.published",
    "published_time",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "dc.date.created",
    "sailthru.date",
    "parsely-pub-date",
    "cxenseparse:recs:publishtime",
    "originalpublicationdate",
    "rnews:datepublished",
    "date",
    "dc.date",
    "dcterms.date",
)
MODIFIED_META = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "datemodified",
    "article.updated",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
)
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
)
_HAS_TIME = re.compile(r"\d[T ]\d{1,2}:\d{2}")
_HAS_SECONDS = re.compile(r"\d{1,2}:\d{2}:\d{2}")
_FORMATS = ("%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M%z", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%Y%m%d")


@dataclass(frozen=True)
class Timestamp:
    """One date statement of a page, parsed."""

    utc: datetime  # aware, UTC
    offset_minutes: int | None  # the page's UTC offset; None: no zone given
    precision: str  # day | minute | second
    source: str  # one of SOURCES
    raw: str  # as written on the page (bounded)
    detail: str | None = None  # which key/tag (e.g. "article:published_time")

    def evidence(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "detail": self.detail,
            "raw": self.raw,
            "utc": self.utc.isoformat(),
        }


@dataclass
class PageDates:
    """The chosen timestamps and what was set aside."""

    published: Timestamp | None = None
    modified: Timestamp | None = None
    #: flag -> evidence (e.g. "future_date": [{"source": "meta", "raw": ...}])
    flags: dict[str, Any] = field(default_factory=dict)


def parse_timestamp(raw: str | None, source: str, detail: str | None = None) -> Timestamp | None:
    """Parse one date string (ISO 8601 in its many spellings, RFC 2822, a few others).

    Returns None for what is not a date; never raises.
    """
    if raw is None:
        return None
    text = str(raw).strip()[:100]
    if len(text) < 8 or (not text[:4].isdigit() and "," not in text[:5]):
        return _parse_rfc2822(text, source, detail)
    value = _fromiso(text)
    if value is None:
        for fmt in _FORMATS:
            try:
                value = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if value is None:
        return _parse_rfc2822(text, source, detail)
    return _timestamp(value, text, source, detail)


def _fromiso(text: str) -> datetime | None:
    candidate = text.replace(" ", "T", 1) if re.match(r"\d{4}-\d{2}-\d{2} \d", text) else text
    # "+0100" and "+01" are ISO too; Python 3.11 accepts them, and a trailing "Z" as well
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        pass
    try:
        return (
            datetime.combine(date.fromisoformat(candidate[:10]), datetime.min.time())
            if (len(candidate) == 10)
            else None
        )
    except ValueError:
        return None


def _parse_rfc2822(text: str, source: str, detail: str | None) -> Timestamp | None:
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if value is None:
        return None
    return _timestamp(value, text, source, detail)


def _timestamp(value: datetime, text: str, source: str, detail: str | None) -> Timestamp | None:
    has_time = bool(_HAS_TIME.search(text)) or "," in text[:5]
    if value.tzinfo is not None and value.utcoffset() is not None:
        offset = int(value.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
        if abs(offset) > 18 * 60:
            return None
        utc = value.astimezone(UTC)
    else:
        offset = None
        utc = value.replace(tzinfo=UTC)
    precision = "day" if not has_time else "second" if _HAS_SECONDS.search(text) else "minute"
    return Timestamp(utc, offset, precision, source, text, detail)


def from_htmldate(value: str | None) -> Timestamp | None:
    """htmldate's answer in ``%Y-%m-%dT%H:%M:%S%z``: midnight without a zone means it found a
    day only (it pads every date to that format)."""
    if not value:
        return None
    stamp = parse_timestamp(value, "htmldate")
    if stamp is not None and stamp.offset_minutes is None and value.endswith("T00:00:00"):
        stamp = Timestamp(stamp.utc, None, "day", "htmldate", value[:10])
    return stamp


def warm_date_parser() -> None:
    """Load every locale of htmldate's external date parser (dateparser), once, in the fork
    server.

    Why: htmldate asks dateparser with ``languages=None`` when its own patterns fail, and
    dateparser then loads and compiles each of its 205 locales it tries, in the process that
    asks: every pool worker, again after each recycle (1.5 s of CPU and ~40 MB per worker;
    benchmarks/README.md "Round 11 (mem11)"). Loaded in the fork server, a worker no longer
    pays that CPU; the memory is mostly copied on write anyway (each parse walks every
    locale's data). A string no locale parses loads them all and leaves the parser as it was
    (dateparser remembers only locales that parsed, and htmldate's parser does not even try
    those first). Never raises: without it a worker loads them on its first date.
    """
    try:
        from htmldate.extractors import get_external_parser

        get_external_parser().get_date_data("newsetl warm-up")
    except Exception:  # pragma: no cover - another htmldate/dateparser: loaded when needed
        log.debug("date parser warm-up failed", exc_info=True)


#: htmldate's output format when asked for time and zone.
HTMLDATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def htmldate_params(reference: datetime) -> dict[str, Any]:
    """htmldate's settings (given to trafilatura): as trafilatura's own, but asked for time and
    zone, and bounded by the fetch day rather than today."""
    return {
        "original_date": True,
        "extensive_search": True,
        "outputformat": HTMLDATE_FORMAT,
        "max_date": (reference + timedelta(days=1)).strftime("%Y-%m-%d"),
    }


def candidates(
    tree: HtmlElement, data: StructuredData, url: str | None
) -> tuple[list[Timestamp], list[Timestamp]]:
    """(published, modified) candidates in order of trust, htmldate not included."""
    published: list[Timestamp] = []
    modified: list[Timestamp] = []
    for obj in filter(None, (data.article(), data.webpage())):
        for key, out in (
            ("datePublished", published),
            ("dateCreated", published),
            ("dateModified", modified),
        ):
            stamp = parse_timestamp(text_value(obj.get(key)), "json-ld", key)
            if stamp is not None:
                out.append(stamp)
    for names, out in ((PUBLISHED_META, published), (MODIFIED_META, modified)):
        for name in names:
            for raw in data.meta.get(name, ())[:3]:
                stamp = parse_timestamp(raw, "meta", name)
                if stamp is not None:
                    out.append(stamp)
    published += _time_elements(tree)
    if url:
        stamp = url_date(url)
        if stamp is not None:
            published.append(stamp)
    return published, modified


def _time_elements(tree: HtmlElement) -> list[Timestamp]:
    found: list[Timestamp] = []
    marked = tree.xpath(
        './/*[@itemprop="datePublished"][@datetime or @content]|.//time[@pubdate][@datetime]'
    )
    for element in marked[:3]:
        raw = element.get("datetime") or element.get("content")
        stamp = parse_timestamp(raw, "time-element", "marked")
        if stamp is not None:
            found.append(stamp)
    # an unmarked <time> may be a comment's, a related story's or a "last updated": htmldate
    # weighs those (with the rest of the page) as the last resort
    return found


def url_date(url: str) -> Timestamp | None:
    """A day named in the URL path (``/2026/11/18/``, ``/2026-11-18-``, ``/20261118/``)."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    scheme_end = path.find("//")
    path = path[path.find("/", scheme_end + 2) :] if scheme_end >= 0 else path
    match = _URL_DATE.search(path)
    if not match:
        return None
    try:
        day = datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=UTC)
    except ValueError:
        return None
    return Timestamp(day, None, "day", "url", match.group(0).strip("/_.-"), None)


def choose(
    published: list[Timestamp],
    modified: list[Timestamp],
    heuristic: Timestamp | None,
    fetched_at: datetime | None,
) -> PageDates:
    """The first plausible candidate of each list (htmldate last for published); implausible
    ones are set aside as flags with evidence."""
    result = PageDates()
    reference = fetched_at or datetime.now(UTC)
    if reference.tzinfo is None:
        reference = reference.replace(tzinfo=UTC)

    def plausible(stamp: Timestamp) -> bool:
        problem = _implausible(stamp, reference)
        if problem:
            evidence = {**stamp.evidence(), "fetched_at": reference.isoformat()}
            result.flags.setdefault(problem, []).append(evidence)
            return False
        return True

    result.published = next(
        (s for s in [*published, *([heuristic] if heuristic else [])] if plausible(s)), None
    )
    result.modified = next((s for s in modified if plausible(s)), None)
    if result.published is not None:
        others = [*published, *([heuristic] if heuristic else [])]
        result.published = with_local_offset(result.published, others)
    if result.modified is not None:
        result.modified = with_local_offset(result.modified, modified)
    pub, mod = result.published, result.modified
    if pub is not None:
        conflicts = _day_conflicts(pub, published)
        if conflicts:
            result.flags["date_conflict"] = {
                "chosen": pub.evidence(),
                "others": [s.evidence() for s in conflicts[:5]],
            }
    if pub is not None and mod is not None and mod.utc < pub.utc - timedelta(minutes=1):
        result.flags["modified_before_published"] = {
            "published": pub.evidence(),
            "modified": mod.evidence(),
        }
    return result


def with_local_offset(chosen: Timestamp, others: list[Timestamp]) -> Timestamp:
    """A time given in UTC ("Z", +00:00) with the publisher's own offset, when another
    statement of the page names the same instant in local time: a zoned one with another
    offset, or a wall-clock time without zone whose minutes and seconds match and which lies a
    whole number of quarter hours (at most 14 h) away. The instant is unchanged; only the
    local day and offset become the page's own. Recorded in ``detail``."""
    if chosen.offset_minutes != 0 or chosen.precision == "day":
        return chosen
    for other in others:
        if other is chosen or other.precision == "day":
            continue
        if other.offset_minutes not in (None, 0):
            if abs((other.utc - chosen.utc).total_seconds()) <= 60:
                return _reoffset(chosen, other.offset_minutes, other)
        elif other.offset_minutes is None:
            delta = (other.utc - chosen.utc).total_seconds()  # wall clock read as UTC
            if delta and abs(delta) <= 14 * 3600 and delta % 900 == 0:
                return _reoffset(chosen, int(delta // 60), other)
    return chosen


def _reoffset(chosen: Timestamp, offset: int, other: Timestamp) -> Timestamp:
    detail = f"{chosen.detail or chosen.source}; offset from {other.source}"
    return Timestamp(chosen.utc, offset, chosen.precision, chosen.source, chosen.raw, detail)


def _implausible(stamp: Timestamp, reference: datetime) -> str | None:
    if stamp.utc < EARLIEST:
        return "implausible_date"
    if stamp.precision == "day":
        latest = datetime.combine(
            (reference + FUTURE_SLACK_NO_ZONE).date(), datetime.max.time(), tzinfo=UTC
        )
    elif stamp.offset_minutes is None:
        latest = reference + FUTURE_SLACK_NO_ZONE
    else:
        latest = reference + FUTURE_SLACK
    return "future_date" if stamp.utc > latest else None


def _day_conflicts(chosen: Timestamp, others: list[Timestamp]) -> list[Timestamp]:
    """Strong statements (JSON-LD, meta, URL) whose day differs from the chosen one by more
    than a zone can explain."""
    out = []
    for other in others:
        if other is chosen or other.source not in ("json-ld", "meta", "url"):
            continue
        if abs(_local_day(other) - _local_day(chosen)) > timedelta(days=1):
            out.append(other)
    return out


def _local_day(stamp: Timestamp) -> datetime:
    offset = timedelta(minutes=stamp.offset_minutes or 0)
    local = stamp.utc + offset
    return datetime(local.year, local.month, local.day)


def local_day(stamp: Timestamp) -> date:
    """The day as the page's own zone sees it."""
    return _local_day(stamp).date()
