"""Metadata people can trust (issue 16): dates with time and zone, field provenance, quality
flags, canonical URLs and honest counters, through the real path into a real DuckDB file.

The pages are written here (text of our own) and served by a real HTTP server on 127.0.0.1;
``run_ingest`` fetches them from a sitemap, extracts with real trafilatura, and loads them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from newsetl.settings import Settings

PARAGRAPHS = [
    "The city council voted on Tuesday evening to extend the night bus network to the three "
    "districts on the eastern bank of the river, after a petition signed by more than eleven "
    "thousand residents who work late shifts in hospitals, warehouses and restaurants.",
    "The new lines will run every twenty minutes between midnight and five in the morning. The "
    "transport authority estimates the yearly cost at four million, to be covered in part by a "
    "levy on late-night venues that the hospitality association has accepted with reluctance.",
    "Opposition members argued that the money would be better spent on the ageing tram fleet, "
    "whose breakdowns have doubled in two years. The deputy mayor replied that both projects are "
    "funded, and that the first of twelve new trams will be delivered in the spring.",
    "Night workers who spoke at the public hearing described walks of more than an hour to reach "
    "home, and taxi fares that take a fifth of a nurse's night allowance. A pilot on two of the "
    "routes will start next month, with the full network expected to run by the summer.",
]
GERMAN = [
    "Die Stadtwerke haben am Mittwoch angekündigt, die Preise für Fernwärme im kommenden Jahr um "
    "durchschnittlich acht Prozent zu senken, nachdem die Einkaufskosten für Erdgas deutlich "
    "gefallen sind und die neue Wärmepumpe am Hafen ihren Betrieb aufgenommen hat.",
    "Für einen durchschnittlichen Haushalt bedeutet das eine Entlastung von rund hundertzwanzig "
    "Euro im Jahr. Verbraucherschützer begrüßten die Senkung, forderten aber eine transparentere "
    "Berechnung der Grundpreise, die seit drei Jahren unverändert geblieben sind.",
    "Der Aufsichtsrat will im Frühjahr über weitere Investitionen in das Wärmenetz entscheiden. "
    "Bis zum Ende des Jahrzehnts sollen zwei Drittel der Wärme aus erneuerbaren Quellen stammen, "
    "wie es das Landesgesetz verlangt.",
]


def page(
    title: str,
    paragraphs: list[str],
    head: str = "",
    lang: str = "en",
    before_title: str = "",
    after_title: str = "",
) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title} | The Riverside Courier</title>{head}</head><body>"
        "<header><a href='/'>The Riverside Courier</a><nav><a href='/city/'>City</a></nav></header>"
        f"<main><article>{before_title}<h1>{title}</h1>{after_title}\n{body}\n</article></main>"
        "<footer>© The Riverside Courier</footer></body></html>\n"
    )


def jsonld(**fields) -> str:
    return (
        '<script type="application/ld+json">'
        + json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", **fields})
        + "</script>"
    )


def meta(prop: str, content: str) -> str:
    return f'<meta property="{prop}" content="{content}">'


TEASER_DESCRIPTION = (
    "The council's plan for night buses on the eastern bank, the levy on late-night venues that "
    "pays for it, and why the opposition would rather fix the trams first: what we know so far "
    "about the vote and the routes that start running next month."
)


def site_pages() -> dict[str, str]:
    """path -> HTML of the test site (canonical links are filled in per server)."""
    return {
        "politics/jsonld-plus-one.html": page(
            "Council extends night buses",
            PARAGRAPHS,
            jsonld(
                headline="Council extends night buses",
                datePublished="2026-11-18T09:30:00+01:00",
                dateModified="2026-11-18T14:05:00+01:00",
                author={"@type": "Person", "name": "Maria Lopes"},
            ),
        ),
        "economy/meta-minus-five.html": page(
            "Night bus levy accepted",
            PARAGRAPHS[1:] + PARAGRAPHS[:1],
            meta("article:published_time", "2026-11-17T22:15:00-05:00")
            + meta("article:modified_time", "2026-11-18T07:00:00-05:00")
            + '<meta name="author" content="John Okafor">',
        ),
        "world/time-zulu.html": page(
            "Tram fleet breakdowns doubled",
            PARAGRAPHS[2:] + PARAGRAPHS[:2],
            after_title='<p class="byline">By <span>Lena Berg</span>, '
            '<time itemprop="datePublished" datetime="2026-11-16T08:00:00Z">16 Nov</time></p>',
        ),
        "2026/11/15/url-dated.html": page("Night workers at the hearing", PARAGRAPHS[::-1]),
        "culture/no-zone.html": page(
            "Hearing on night routes",
            [PARAGRAPHS[3], PARAGRAPHS[0], PARAGRAPHS[2]],
            jsonld(headline="Hearing on night routes", datePublished="2026-11-14T10:00:00"),
        ),
        "science/future.html": page(
            "Pilot routes start next month",
            [PARAGRAPHS[1], PARAGRAPHS[3], PARAGRAPHS[0]],
            jsonld(headline="Pilot routes start next month", datePublished="2099-06-01T10:00:00Z")
            + meta("article:published_time", "2026-11-10T10:00:00+01:00"),
        ),
        "sport/paywalled.html": page(
            "Stadium night service under review",
            [*PARAGRAPHS[:2], "Subscribe to continue reading."],
            jsonld(
                headline="Stadium night service under review",
                datePublished="2026-11-12T18:00:00+01:00",
                isAccessibleForFree=False,
                hasPart={
                    "@type": "WebPageElement",
                    "isAccessibleForFree": False,
                    "cssSelector": ".paywall",
                },
            ),
        ),
        "opinion/teaser.html": page(
            "What the night bus vote means",
            [
                "The council's plan for night buses on the eastern bank, the levy that pays for "
                "it, and why the opposition would rather fix the trams first: our first look at "
                "the vote of Tuesday evening and at the routes that start next month."
            ],
            meta("og:description", TEASER_DESCRIPTION)
            + meta("article:published_time", "2026-11-18T20:00:00+01:00"),
        ),
        # served at two addresses (see page_urls): one story under its canonical URL
        "news/canonical-story.html": page(
            "Two addresses, one story",
            [PARAGRAPHS[0], PARAGRAPHS[3]],
            '<link rel="canonical" href="/news/canonical-story.html">'
            + meta("article:published_time", "2026-11-11T07:00:00+01:00"),
        ),
        "local/duplicated.html": page(
            "Tram delivery in spring",
            [PARAGRAPHS[2], PARAGRAPHS[1], PARAGRAPHS[2], PARAGRAPHS[0]],
            meta("article:published_time", "2026-11-09T12:00:00+01:00"),
        ),
        "de/fernwaerme.html": page(
            "Fernwärme wird billiger",
            GERMAN,
            meta(
                "og:description", "Die Stadtwerke senken die Preise für Fernwärme um acht Prozent."
            )
            + meta("article:published_time", "2026-11-19T06:00:00+01:00"),
            lang="de",
            before_title='<p class="kicker">Energie</p>',
            after_title='<p class="standfirst">Die Stadtwerke senken die Preise für Fernwärme '
            "um acht Prozent.</p>",
        ),
    }


#: The story that names its canonical URL is listed at two addresses (renderings of one page,
#: as a site's tracking or view parameters make them); every other page at its own path.
TWO_ADDRESSES = ("news/canonical-story.html?view=amp", "news/canonical-story.html?view=print")


def page_urls() -> list[str]:
    """The paths the sitemap lists: one per page, two for the canonical story."""
    return [p for p in site_pages() if not p.startswith("news/")] + list(TWO_ADDRESSES)


@pytest.fixture(scope="module")
def test_site(tmp_path_factory) -> Iterator[str]:
    """The pages above on http://127.0.0.1:PORT/, with a sitemap of all of them."""
    root = tmp_path_factory.mktemp("metadata-site")
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    for path, html in site_pages().items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html.replace('href="/news/', f'href="{base}/news/'), encoding="utf-8")
    urls = "".join(f"<url><loc>{base}/{p.replace('&', '&amp;')}</loc></url>" for p in page_urls())
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def ingested(test_site, tmp_path_factory):
    """Three runs into one real DuckDB file: the sitemap, its pages again, ``stored:``."""
    import os

    from newsetl.ingest import run_ingest

    os.environ.setdefault("NEWSETL_TRANSLATOR", "none")
    root = tmp_path_factory.mktemp("metadata-wh")
    settings = Settings(
        db_path=root / "w.duckdb", per_host_interval_s=0.0, workers=1, page_timeout_s=0
    )
    # the second run names every page (an unchanged sitemap would offer none of them again)
    runs = [
        run_ingest([f"{test_site}/sitemap.xml"], settings),
        run_ingest([f"{test_site}/{path}" for path in page_urls()], settings),
    ]
    runs.append(run_ingest(["stored:"], settings))
    return test_site, settings.db_path, runs


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql, params or []).fetchall()


def by_path(db: Path, base: str, path: str, columns: str) -> tuple:
    rows = query(db, f"SELECT {columns} FROM articles WHERE url = ?", [f"{base}/{path}"])
    assert len(rows) == 1, (path, rows)
    return rows[0]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_dates_keep_time_zone_and_source(ingested):
    base, db, runs = ingested
    assert runs[0].status == "completed", runs[0].stats.failures
    cols = (
        "published_at, published_at_offset_minutes, published_at_precision, "
        "published_at_source, published_at_raw, modified_at, modified_at_offset_minutes, "
        "modified_at_source"
    )
    assert by_path(db, base, "politics/jsonld-plus-one.html", cols) == (
        utc(2026, 11, 18, 8, 30),
        60,
        "second",
        "json-ld",
        "2026-11-18T09:30:00+01:00",
        utc(2026, 11, 18, 13, 5),
        60,
        "json-ld",
    )
    assert by_path(db, base, "economy/meta-minus-five.html", cols) == (
        utc(2026, 11, 18, 3, 15),  # 22:15 on the 17th in New York is the 18th in UTC
        -300,
        "second",
        "meta",
        "2026-11-17T22:15:00-05:00",
        utc(2026, 11, 18, 12, 0),
        -300,
        "meta",
    )
    assert by_path(db, base, "world/time-zulu.html", cols)[:5] == (
        utc(2026, 11, 16, 8, 0),
        0,
        "second",
        "time-element",
        "2026-11-16T08:00:00Z",
    )
    assert by_path(db, base, "2026/11/15/url-dated.html", cols)[:4] == (
        utc(2026, 11, 15),
        None,
        "day",
        "url",
    )
    # no zone on the page: the wall-clock time is kept as UTC, and the missing zone says so
    assert by_path(db, base, "culture/no-zone.html", cols)[:4] == (
        utc(2026, 11, 14, 10, 0),
        None,
        "second",
        "json-ld",
    )


def test_a_future_date_is_set_aside_with_evidence(ingested):
    base, db, _ = ingested
    published, source, flags, evidence = by_path(
        db,
        base,
        "science/future.html",
        "published_at, published_at_source, quality_flags, quality_evidence",
    )
    assert (published, source) == (utc(2026, 11, 10, 9, 0), "meta")
    assert "future_date" in flags
    rejected = json.loads(evidence)["future_date"][0]
    assert rejected["source"] == "json-ld" and rejected["raw"] == "2099-06-01T10:00:00Z"
    # queryable without parsing JSON in the client
    assert query(
        db,
        "SELECT count(*) FROM articles WHERE list_contains(quality_flags, 'future_date')",
    ) == [(1,)]


def test_paywall_teaser_truncation_and_duplicates_are_flagged(ingested):
    base, db, _ = ingested
    flags = dict(
        query(db, "SELECT url, quality_flags FROM articles WHERE quality_flags IS NOT NULL")
    )
    assert set(flags[f"{base}/sport/paywalled.html"]) >= {"paywall", "truncated"}
    assert "teaser" in flags[f"{base}/opinion/teaser.html"]
    assert flags[f"{base}/local/duplicated.html"] == ["duplicated_paragraphs"]
    evidence = json.loads(by_path(db, base, "sport/paywalled.html", "quality_evidence")[0])
    assert {"signal": "json-ld", "isAccessibleForFree": False} in evidence["paywall"]
    assert evidence["truncated"]["marker"].lower().startswith("subscribe to continue")
    # clean pages carry no flag at all
    for path in ("politics/jsonld-plus-one.html", "economy/meta-minus-five.html"):
        assert f"{base}/{path}" not in flags


def test_provenance_of_title_authors_and_language(ingested):
    base, db, _ = ingested
    cols = "title_source, authors, authors_source, language, language_source"
    assert by_path(db, base, "politics/jsonld-plus-one.html", cols) == (
        "json-ld",
        ["Maria Lopes"],
        "json-ld",
        "en",
        "langdetect+lingua",
    )
    assert by_path(db, base, "economy/meta-minus-five.html", cols)[:3] == (
        "title-element",
        ["John Okafor"],
        "meta",
    )
    confidence, runner_up = by_path(
        db, base, "de/fernwaerme.html", "language_confidence, language_runner_up"
    )
    # a long, clean German text: as sure as the calibration can tell (its cap), never 1.0
    assert 0.99 <= confidence <= 0.999 and runner_up != "de"


def test_two_urls_of_one_canonical_are_one_article_under_the_canonical_url(ingested):
    base, db, _ = ingested
    canonical = f"{base}/news/canonical-story.html"
    rows = query(db, "SELECT article_id, url FROM articles WHERE canonical_url = ?", [canonical])
    assert len(rows) == 1 and rows[0][1] == canonical
    pages = query(db, "SELECT url FROM pages WHERE article_id = ? ORDER BY url", [rows[0][0]])
    assert [p[0] for p in pages] == [f"{base}/{path}" for path in TWO_ADDRESSES]


def test_counters_count_what_their_names_say(ingested):
    _, db, runs = ingested
    articles = query(db, "SELECT count(*) FROM articles")[0][0]
    first, second, stored = (r.as_row() for r in runs)
    assert first["articles_new"] == articles == len(page_urls()) - 1
    # the second run finds every page unchanged (304, or the same bytes): each article is
    # counted once, not once per page (two pages give the canonical story)
    assert second["pages_not_modified"] + second["pages_unchanged"] == len(page_urls())
    assert second["pages_skipped"] == 0
    assert (second["articles_new"], second["articles_updated"]) == (0, 0)
    assert second["articles_unchanged"] == articles
    # reprocessing the stored pages changes nothing: no "update" of the two-URL article
    assert (stored["articles_new"], stored["articles_updated"]) == (0, 0)
    assert stored["articles_unchanged"] == articles
    assert query(db, "SELECT articles_unchanged FROM runs ORDER BY started_at") == [
        (0,),
        (articles,),
        (articles,),
    ]


def test_word_count_is_the_body_without_kicker_headline_and_standfirst(ingested):
    base, db, _ = ingested
    text, words = by_path(db, base, "de/fernwaerme.html", "text, word_count")
    body = sum(len(p.split()) for p in GERMAN)
    assert words == body
    assert len(text.split()) > body  # the text itself keeps what was extracted


def test_hreflang_is_a_map_and_csv_lists_are_json(ingested, tmp_path):
    from newsetl.export import export_relations

    _, db, _ = ingested
    with duckdb.connect(str(db), read_only=True) as con:
        kinds = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = 'articles'"
            ).fetchall()
        )
        assert kinds["hreflang"] == "MAP(VARCHAR, VARCHAR)"
        assert kinds["published_at"] == "TIMESTAMP WITH TIME ZONE"
        written = export_relations(con, tmp_path, fmt="csv", names=["articles"])
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT authors FROM read_csv(?, all_varchar = true) WHERE authors LIKE '%Lopes%'",
            [str(written["articles"])],
        ).fetchall()
    assert rows == [('["Maria Lopes"]',)]
    assert json.loads(rows[0][0]) == ["Maria Lopes"]


def test_per_day_view_counts_near_duplicates_apart_in_articles_and_words(ingested):
    _, db, _ = ingested
    totals = query(
        db,
        "SELECT sum(articles), sum(near_duplicates), sum(words), sum(near_duplicate_words) "
        "FROM articles_per_site_language_day",
    )[0]
    expected = query(
        db,
        "SELECT count(*) FILTER (WHERE near_duplicate_of IS NULL), "
        "count(*) FILTER (WHERE near_duplicate_of IS NOT NULL), "
        "sum(word_count) FILTER (WHERE near_duplicate_of IS NULL), "
        "coalesce(sum(word_count) FILTER (WHERE near_duplicate_of IS NOT NULL), 0) FROM articles",
    )[0]
    assert totals == expected
    assert totals[1] > 0  # the test site has near-duplicates (shuffled paragraphs)
    # the day is the publisher's own: 22:15 on the 17th in New York
    days = query(
        db,
        "SELECT day FROM articles_per_site_language_day v JOIN articles a "
        "ON a.site = v.site AND coalesce(a.language, 'und') = v.language "
        "WHERE a.url LIKE '%meta-minus-five%' AND v.day = DATE '2026-11-17'",
    )
    assert days


def test_per_site_views_of_fetches_and_articles_join(ingested):
    """Both say '127.0.0.1' (the registered-domain key of newsetl.urls.site_of), not host:port."""
    _, db, runs = ingested
    assert [run.status for run in runs] == ["completed"] * 3  # stored: found its pages
    fetch_sites = {row[0] for row in query(db, "SELECT DISTINCT site FROM fetches")}
    assert "127.0.0.1" in fetch_sites and fetch_sites <= {"127.0.0.1", "local"}  # + local files
    joined = query(
        db,
        "SELECT count(*) FROM fetch_failures_per_site_day f "
        "JOIN (SELECT DISTINCT site FROM articles) a USING (site)",
    )[0][0]
    assert joined == query(db, "SELECT count(*) FROM fetch_failures_per_site_day")[0][0] > 0
