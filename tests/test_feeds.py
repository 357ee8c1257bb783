"""Feed parsing at the entry cap: the cap is applied while the XML is first read, so feedparser
parses only the entries taken, and the entries taken are the ones it would take from the whole
feed (RSS 2.0, RSS 1.0/RDF and Atom, with prefixes, extensions and xml:base)."""

from __future__ import annotations

import re

import pytest

from newsetl.feeds import UNLINKED_PER_TAKEN, FeedError, check_xml_is_safe, parse_feed

BASE = "http://news.test/feed.xml"


def rss(n: int) -> bytes:
    items = "".join(
        f"<item><title>Story {i} &amp; more</title><link>http://news.test/a/{i}.html</link>"
        f"<pubDate>Mon, 07 Dec 2026 10:{i % 60:02d}:00 GMT</pubDate>"
        f"<description><![CDATA[<p>Body {i}</p>]]></description></item>"
        for i in range(n)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title>'
        f'<media:thumbnail url="http://news.test/x.png"/>{items}</channel></rss>'
    ).encode()


def rdf(n: int) -> bytes:
    items = "".join(
        f'<item rdf:about="http://news.test/r/{i}"><title>R{i}</title>'
        f"<link>http://news.test/r/{i}.html</link><dc:date>2026-12-07T10:00:00Z</dc:date></item>"
        for i in range(n)
    )
    return (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="http://news.test/"><title>T</title></channel>{items}</rdf:RDF>'
    ).encode()


def atom(n: int) -> bytes:
    entries = "".join(
        f'<a:entry xml:base="/section/{i % 3}/"><a:title>A{i}</a:title>'
        f'<a:link rel="alternate" href="story-{i}.html"/>'
        f"<a:updated>2026-12-07T10:00:00Z</a:updated><x:extra>{i}</x:extra></a:entry>"
        for i in range(n)
    )
    return (
        '<?xml version="1.0"?><a:feed xmlns:a="http://www.w3.org/2005/Atom" '
        'xmlns:x="http://example.test/ext" xml:base="http://news.test/">'
        f"<a:title>T</a:title>{entries}</a:feed>"
    ).encode()


@pytest.mark.parametrize("make", [rss, rdf, atom])
@pytest.mark.parametrize("cap", [1, 7, 30])
def test_the_entries_taken_under_a_cap_are_the_first_of_the_whole_feed(make, cap):
    whole = parse_feed(make(30), BASE)
    capped = parse_feed(make(30), BASE, cap)
    assert whole.listed == capped.listed == 30
    assert len(whole.entries) == 30
    assert capped.entries == whole.entries[:cap]


@pytest.mark.parametrize("make", [rss, rdf, atom])
def test_the_cap_drops_entries_before_feedparser_sees_them(make):
    body, listed = check_xml_is_safe(make(2000), 5)
    assert listed == 2000
    assert body.count(b"A5<") + body.count(b"R5<") + body.count(b"Story 5 ") == 0
    assert len(body) < len(make(5)) * 2  # the kept document, not the whole feed
    assert parse_feed(body, BASE).listed == 5


def test_a_feed_under_its_cap_is_parsed_as_served():
    body = rss(10)
    assert check_xml_is_safe(body, 10) == (body, 10)


def test_a_json_array_served_as_a_feed_is_reported_as_json():
    with pytest.raises(FeedError, match="JSON feed without an items list"):
        parse_feed(b' [null, {"url": "http://news.test/a"}]', BASE)


def test_a_json_feed_counts_its_items_and_takes_the_first():
    items = ",".join(f'{{"url": "/j/{i}.html"}}' for i in range(12))
    feed = parse_feed(('{"items": [' + items + "]}").encode(), BASE, 4)
    assert feed.listed == 12
    assert [e.url for e in feed.entries] == [f"http://news.test/j/{i}.html" for i in range(4)]


def mixed_rss(n: int) -> bytes:
    """Items of which only every third has a link: a ``link``, a permalink ``guid`` or none
    (a ``guid`` that is no permalink, or no link at all)."""
    forms = [
        "<link>http://news.test/m/{i}.html</link>",
        '<guid isPermaLink="false">tag:news.test,{i}</guid>',
        "",
        "<guid>http://news.test/g/{i}.html</guid>",
        "<link>  </link>",
        "",
    ]
    items = "".join(
        f"<item><title>M{i}</title>{forms[i % len(forms)].format(i=i)}</item>" for i in range(n)
    )
    return f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()


@pytest.mark.parametrize("cap", [1, 2, 5])
def test_entries_without_a_link_do_not_take_the_place_of_later_ones(cap):
    whole = parse_feed(mixed_rss(30), BASE)
    capped = parse_feed(mixed_rss(30), BASE, cap)
    assert len(whole.entries) == 10  # 30 items, a third with a link
    assert whole.listed == capped.listed == 30
    assert capped.entries == whole.entries[:cap]


def test_a_feed_of_entries_without_links_is_still_cut_while_read():
    body = re.sub(rb"<(link|guid)>(http[^<]*)</\1>", rb"<x>\2</x>", mixed_rss(3000))
    kept, listed = check_xml_is_safe(body, 5)
    assert listed == 3000
    assert kept.count(b"<item>") == 5 * UNLINKED_PER_TAKEN
    with pytest.raises(FeedError, match="no entries with links"):
        parse_feed(body, BASE, 5)


def test_a_json_feed_s_items_without_a_url_do_not_take_the_place_of_later_ones():
    items = ",".join(f'{{"url": "/j/{i}.html"}}' if i % 3 == 0 else "{}" for i in range(12))
    feed = parse_feed(('{"items": [' + items + "]}").encode(), BASE, 3)
    assert feed.listed == 12
    assert [e.url for e in feed.entries] == [f"http://news.test/j/{i}.html" for i in (0, 3, 6)]
