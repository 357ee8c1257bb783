"""The bundled sample corpus is well-formed and its MANIFEST tells the truth about it.

Other test files use MANIFEST.json as ground truth, so these checks derive every fact from the
HTML/XML files themselves (parsed independently) and compare against the manifest.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from functools import cache
from pathlib import Path

import feedparser
import lxml.html
import pytest
import trafilatura
from defusedxml.ElementTree import fromstring as parse_xml

from newsetl.samples import (
    SAMPLE_BASE_URL,
    SAMPLE_SITE,
    build_site,
    load_manifest,
    sample_pages,
)

MANIFEST = load_manifest()
PAGES = MANIFEST["pages"]
PAGE_IDS = [p["path"] for p in PAGES]
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
ARTEFACT_KINDS = {
    "untranslated_span",
    "untranslated_function_word",
    "calque_elided_article",
    "calque_article",
    "glued_tokens",
    "false_friend",
    "capitalisation",
    "truncated_name",
}


@cache
def tree(path: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((SAMPLE_SITE / path).read_bytes())


@cache
def extracted(path: str) -> str:
    html = (SAMPLE_SITE / path).read_text(encoding="utf-8")
    return trafilatura.extract(html, include_comments=False) or ""


def meta(doc: lxml.html.HtmlElement, attr: str, name: str) -> str | None:
    found = doc.xpath(f'//meta[@{attr}="{name}"]/@content')
    return found[0] if found else None


def article_urls() -> set[str]:
    return {p["url"] for p in PAGES}


def test_manifest_lists_exactly_the_article_files():
    on_disk = {p.relative_to(SAMPLE_SITE).as_posix() for p in sample_pages()}
    assert on_disk == set(PAGE_IDS)
    assert len(on_disk) >= 14
    assert MANIFEST["base_url"] == SAMPLE_BASE_URL
    for page in PAGES:
        assert page["url"] == f"{SAMPLE_BASE_URL}/{page['path']}"


def test_language_mix_meets_the_brief():
    originals = Counter(p["language"] for p in PAGES if p["translation_of"] is None)
    assert originals["it"] >= 2 and originals["fr"] >= 2 and originals["es"] >= 2
    assert originals["de"] >= 2 and originals["en"] >= 2
    lang_of = {p["url"]: p["language"] for p in PAGES}
    mt_en_sources = Counter(
        lang_of[p["translation_of"]] for p in PAGES if p["translation_of"] and p["language"] == "en"
    )
    assert sum(mt_en_sources.values()) >= 4
    assert mt_en_sources["it"] >= 2 and mt_en_sources["fr"] >= 1 and mt_en_sources["es"] >= 1
    de_from_en = [
        p
        for p in PAGES
        if p["language"] == "de" and p["translation_of"] and lang_of[p["translation_of"]] == "en"
    ]
    assert de_from_en and any(
        a["kind"] == "untranslated_span" for p in de_from_en for a in p["artefacts"]
    )


@pytest.mark.parametrize("path", PAGE_IDS)
def test_page_head_metadata(path):
    page = next(p for p in PAGES if p["path"] == path)
    doc = tree(path)
    assert doc.get("lang") == page["language"]
    assert doc.findtext(".//title").strip()
    assert meta(doc, "name", "description")
    assert meta(doc, "name", "author") == page["author"]
    assert meta(doc, "property", "article:published_time") == page["published"]
    assert meta(doc, "property", "og:title")
    assert meta(doc, "property", "og:site_name")
    assert meta(doc, "property", "og:image").startswith(SAMPLE_BASE_URL)
    assert meta(doc, "property", "og:locale").startswith(page["language"] + "_")
    assert doc.xpath('//link[@rel="canonical"]/@href') == [page["url"]]
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        data = json.loads(script.text)
        assert data["@type"] == "NewsArticle"
        assert data["inLanguage"] == page["language"]
        assert data["mainEntityOfPage"]["@id"] == page["url"]


def test_some_pages_carry_json_ld():
    with_ld = [p for p in PAGE_IDS if tree(p).xpath('//script[@type="application/ld+json"]')]
    assert 0 < len(with_ld) < len(PAGE_IDS)


@pytest.mark.parametrize("path", PAGE_IDS)
def test_page_body_has_boilerplate_and_a_real_article(path):
    doc = tree(path)
    for xpath in (
        "//nav",
        "//aside",
        "//footer",
        '//*[@id="cookie-banner"]',
        '//*[@id="comments"]',
    ):
        assert doc.xpath(xpath), xpath
    paragraphs = doc.xpath('//article/p[not(@class="byline")]')
    words = sum(len(p.text_content().split()) for p in paragraphs)
    assert 250 <= words <= 600
    in_text_links = [a for p in paragraphs for a in p.iter("a")]
    assert in_text_links
    for link in in_text_links:
        href = link.get("href")
        assert href.startswith(SAMPLE_BASE_URL)
        assert (SAMPLE_SITE / href.removeprefix(SAMPLE_BASE_URL + "/")).is_file(), href


def hreflang_map(path: str) -> dict[str, str]:
    return {
        link.get("hreflang"): link.get("href")
        for link in tree(path).xpath('//link[@rel="alternate"][@hreflang]')
    }


def test_hreflang_pairs_are_symmetric_and_match_the_manifest():
    by_url = {p["url"]: p for p in PAGES}
    for page in PAGES:
        alternates = hreflang_map(page["path"])
        if page["translation_of"]:
            original = by_url[page["translation_of"]]
            assert alternates[original["language"]] == original["url"]
            assert alternates["x-default"] == original["url"]
        for lang, url in alternates.items():
            if lang == "x-default":
                continue
            target = by_url[url]
            assert target["language"] == lang
            assert hreflang_map(target["path"])[page["language"]] == page["url"]
    originals_with_mt = {p["translation_of"] for p in PAGES if p["translation_of"]}
    for url in originals_with_mt:
        assert "x-default" in hreflang_map(by_url[url]["path"])


def test_feeds_list_every_article():
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((SAMPLE_SITE / name).read_bytes())
        assert not parsed.bozo, name
        assert {e.link for e in parsed.entries} == article_urls()
        assert all(e.get("published_parsed") for e in parsed.entries)
    json_feed = json.loads((SAMPLE_SITE / "feed.json").read_text(encoding="utf-8"))
    assert json_feed["version"] == "https://jsonfeed.org/version/1.1"
    assert {item["url"] for item in json_feed["items"]} == article_urls()


def test_sitemaps_list_every_article_with_lastmod():
    index = parse_xml((SAMPLE_SITE / "sitemap.xml").read_bytes())
    children = [loc.text for loc in index.iter(f"{SM}loc")]
    assert children == [
        f"{SAMPLE_BASE_URL}/sitemap-news.xml",
        f"{SAMPLE_BASE_URL}/sitemap-pages.xml.gz",
    ]

    news = parse_xml((SAMPLE_SITE / "sitemap-news.xml").read_bytes())
    urls = news.findall(f"{SM}url")
    assert {u.findtext(f"{SM}loc") for u in urls} == article_urls()
    for url in urls:
        assert url.findtext(f"{SM}lastmod")
        assert url.find(f"{NEWS}news/{NEWS}publication_date") is not None
        assert url.findtext(f"{NEWS}news/{NEWS}title")

    pages = parse_xml(gzip.decompress((SAMPLE_SITE / "sitemap-pages.xml.gz").read_bytes()))
    dated = {
        u.findtext(f"{SM}loc") for u in pages.findall(f"{SM}url") if u.findtext(f"{SM}lastmod")
    }
    assert dated == article_urls()


def test_robots_and_homepage():
    robots = (SAMPLE_SITE / "robots.txt").read_text()
    assert f"Sitemap: {SAMPLE_BASE_URL}/sitemap.xml" in robots
    assert "Disallow: /private/" in robots
    home = tree("index.html")
    assert home.xpath('//link[@rel="alternate"][@type="application/rss+xml"]/@href') == [
        "/feed.xml"
    ]
    assert set(home.xpath("//main//a/@href")) == article_urls()


@pytest.mark.parametrize("path", PAGE_IDS)
def test_manifest_surfaces_survive_extraction(path):
    page = next(p for p in PAGES if p["path"] == path)
    text = extracted(path)
    for artefact in page["artefacts"]:
        assert artefact["kind"] in ARTEFACT_KINDS
        assert artefact["surface"] in text, artefact
        assert artefact["expected_repair"] and artefact["expected_repair"] != artefact["surface"]
    for surface in page["hard_negatives"]:
        assert surface in text, surface
    for entity in page["entities"]:
        assert entity["type"] in {"PER", "ORG", "LOC"}
        assert entity["surface"] in text, entity
    # Boilerplate is marked up well enough for extraction to drop it.
    doc = tree(path)
    for xpath in ('//*[@id="cookie-banner"]/p', '//*[@id="comments"]//p', "//footer/p"):
        assert doc.xpath(xpath)[0].text_content() not in text, xpath


def test_mt_pages_carry_artefacts_and_originals_do_not():
    for page in PAGES:
        if page["translation_of"]:
            assert page["artefacts"], page["path"]
        else:
            assert page["artefacts"] == [], page["path"]
    kinds = {a["kind"] for p in PAGES for a in p["artefacts"]}
    assert kinds == ARTEFACT_KINDS


def test_cross_language_entities_and_traps():
    canon_langs: dict[str, set[str]] = {}
    for page in PAGES:
        for entity in page["entities"]:
            canon_langs.setdefault(entity["canonical"], set()).add(page["language"])
    assert {"it", "es", "de", "en", "fr"} <= canon_langs["United Nations"]
    surnames = Counter(
        e["canonical"] for p in PAGES for e in p["entities"] if e["surface"] == "Weber"
    )
    assert set(surnames) == {"Thomas Weber", "Anna Weber"}
    canon = {e["surface"]: e["canonical"] for p in PAGES for e in p["entities"]}
    assert canon["Draghi"] != canon["Drago"]


def test_committed_site_matches_the_generator(tmp_path: Path):
    """Editing an article module without rebuilding would leave MANIFEST and pages stale."""
    written = build_site.build(tmp_path)
    for fresh in written:
        rel = fresh.relative_to(tmp_path)
        assert fresh.read_bytes() == (SAMPLE_SITE / rel).read_bytes(), rel
