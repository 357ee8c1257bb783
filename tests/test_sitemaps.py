"""Sitemap parsing under caps: the entries kept are the most recently modified, as the whole
sitemap's would be, and only they are normalised (URLs made absolute, trackers dropped)."""

from __future__ import annotations

import random

import pytest

from newsetl.sitemaps import newest_first, parse_sitemap
from newsetl.urls import normalise_url

BASE = "https://news.test/sitemap.xml"


def _entries(n: int, seed: int) -> list[tuple[str, str | None]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        loc = f"/a/{i}.html?utm_source=x" if i % 3 else f"https://news.test/b/{i}?{i}"
        day = rng.choice([None, *(f"2026-11-{d:02d}" for d in range(1, 29))])
        out.append((loc, day))
    return out


def _urlset(entries) -> bytes:
    body = "".join(
        f"<url><loc>{loc.replace('&', '&amp;')}</loc>"
        + (f"<lastmod>{day}</lastmod>" if day else "")
        + "</url>"
        for loc, day in entries
    )
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'.encode()


def _index(entries) -> bytes:
    body = "".join(
        f"<sitemap><loc>{loc}</loc>" + (f"<lastmod>{day}</lastmod>" if day else "") + "</sitemap>"
        for loc, day in entries
    )
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>'.encode()


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("cap", [1, 10, 99, 200])
def test_capped_pages_are_the_newest_of_the_whole_sitemap(seed, cap):
    body = _urlset(_entries(150, seed))
    whole = parse_sitemap(body, BASE)
    capped = parse_sitemap(body, BASE, max_pages=cap)
    assert whole.pages_listed == capped.pages_listed == 150
    assert capped.pages == newest_first(whole.pages, cap)[0]
    assert all(url == normalise_url(url) for url, _ in capped.pages)  # normalised, absolute
    assert "utm_source" not in "".join(url for url, _ in capped.pages)


def test_capped_children_of_an_index_are_the_newest():
    entries = [(f"/s/{i}.xml", f"2026-11-{i % 28 + 1:02d}") for i in range(60)]
    capped = parse_sitemap(_index(entries), BASE, max_children=5)
    assert capped.children_listed == 60
    # the five newest (ties: the first listed), in the order the index lists them
    assert [url.rsplit("/", 1)[1] for url, _ in capped.children] == [
        f"{i}.xml" for i in (25, 26, 27, 54, 55)
    ]


def test_a_text_sitemap_is_capped_in_document_order():
    body = "\n".join(f"https://news.test/t/{i}.html" for i in range(40)).encode()
    capped = parse_sitemap(body, BASE, max_pages=7)
    assert capped.pages_listed == 40
    assert [url for url, _ in capped.pages] == [f"https://news.test/t/{i}.html" for i in range(7)]
