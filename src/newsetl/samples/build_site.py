"""Regenerate the bundled sample site from the article texts in ``_articles_*.py``.

Why a generator: sixteen pages, three feeds, two sitemaps and a manifest must agree on every URL,
date and hreflang pair. Writing them by hand drifts; generating them keeps one source of truth
(the article modules) while the generated files stay committed, so ``newsetl ingest`` and the
tests read plain static files and never need this module at run time.

Run ``python -m newsetl.samples.build_site`` after editing an article, then commit ``site/``.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import struct
import zlib
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from newsetl.samples import (
    SAMPLE_BASE_URL,
    SAMPLE_SITE,
    _articles_climate,
    _articles_court,
    _articles_rail,
    _articles_un,
)

SITE_NAME = "Newsetl News"
OG_IMAGE = f"{SAMPLE_BASE_URL}/img/newsetl-og.png"

ARTICLES: list[dict[str, Any]] = [
    *_articles_un.ARTICLES,
    *_articles_climate.ARTICLES,
    *_articles_court.ARTICLES,
    *_articles_rail.ARTICLES,
]

#: Per-language boilerplate. Every string here is chrome that extraction must drop.
CHROME: dict[str, dict[str, Any]] = {
    "en": {
        "nav": ["World", "Europe", "Business", "Climate", "Opinion"],
        "cookie": "We use cookies to improve your experience and to show personalised adverts. "
        "By continuing to browse you accept our cookie policy.",
        "accept": "Accept all",
        "related": "Related stories",
        "comments": "Reader comments",
        "comment_texts": [
            ("mike_77", "Same old story, nothing will change until someone is held to account."),
            ("Helen B.", "Thanks for the clear summary, I could not find this anywhere else."),
        ],
        "footer": "Newsetl Media Ltd. All rights reserved. Imprint · Privacy · Terms · Contact us",
        "newsletter": "Sign up to our morning briefing",
        "by": "By",
    },
    "it": {
        "nav": ["Mondo", "Europa", "Economia", "Clima", "Opinioni"],
        "cookie": "Questo sito utilizza cookie di profilazione per migliorare la navigazione e "
        "mostrarti pubblicità in linea con le tue preferenze.",
        "accept": "Accetta tutti",
        "related": "Leggi anche",
        "comments": "Commenti dei lettori",
        "comment_texts": [
            ("paolo_rm", "Sempre la stessa storia, tanto alla fine non paga mai nessuno."),
            ("Lucia61", "Articolo chiaro, finalmente qualcuno che spiega i numeri."),
        ],
        "footer": "Newsetl Media S.r.l. Tutti i diritti riservati. P.IVA 00000000000 · "
        "Privacy · Contatti",
        "newsletter": "Iscriviti alla newsletter del mattino",
        "by": "di",
    },
    "fr": {
        "nav": ["Monde", "Europe", "Économie", "Climat", "Opinions"],
        "cookie": "Nous utilisons des cookies pour améliorer votre expérience et vous proposer "
        "des publicités personnalisées.",
        "accept": "Tout accepter",
        "related": "À lire aussi",
        "comments": "Commentaires",
        "comment_texts": [
            ("jean_louis", "Encore une annonce, on verra dans un an si quelque chose a changé."),
            ("Sophie D.", "Merci pour cet article très clair et bien documenté."),
        ],
        "footer": "Newsetl Média SAS. Tous droits réservés. Mentions légales · "
        "Confidentialité · Contact",
        "newsletter": "Inscrivez-vous à notre lettre du matin",
        "by": "Par",
    },
    "es": {
        "nav": ["Internacional", "Europa", "Economía", "Clima", "Opinión"],
        "cookie": "Utilizamos cookies propias y de terceros para mejorar tu experiencia y "
        "mostrarte publicidad personalizada.",
        "accept": "Aceptar todas",
        "related": "Te puede interesar",
        "comments": "Comentarios de los lectores",
        "comment_texts": [
            ("pepe_bcn", "Siempre pagamos los mismos, esto no lo arregla nadie."),
            ("MarisaG", "Muy buen artículo, por fin alguien explica las cifras."),
        ],
        "footer": "Newsetl Media S.L. Todos los derechos reservados. Aviso legal · "
        "Privacidad · Contacto",
        "newsletter": "Suscríbete a nuestro boletín matinal",
        "by": "Por",
    },
    "de": {
        "nav": ["Welt", "Europa", "Wirtschaft", "Klima", "Meinung"],
        "cookie": "Wir verwenden Cookies, um Ihnen ein besseres Nutzungserlebnis und "
        "personalisierte Werbung anzubieten.",
        "accept": "Alle akzeptieren",
        "related": "Mehr zum Thema",
        "comments": "Leserkommentare",
        "comment_texts": [
            ("hans_k", "Das gleiche Theater wie jedes Jahr, am Ende zahlt der Kunde."),
            ("Birgit S.", "Danke für die sachliche Zusammenfassung."),
        ],
        "footer": "Newsetl Media GmbH. Alle Rechte vorbehalten. Impressum · Datenschutz · Kontakt",
        "newsletter": "Abonnieren Sie unseren Morgen-Newsletter",
        "by": "Von",
    },
}

PUBLICATION_LANG_NAMES = {
    "en": "English",
    "it": "Italiano",
    "fr": "Français",
    "es": "Español",
    "de": "Deutsch",
}


def absolute(path: str) -> str:
    """Site path (with or without leading slash) -> absolute URL on the sample base."""
    return f"{SAMPLE_BASE_URL}/{path.lstrip('/')}"


def absolutise_links(fragment: str) -> str:
    """In-article links are written site-relative; published pages carry absolute URLs."""
    return re.sub(r'href="/', f'href="{SAMPLE_BASE_URL}/', fragment)


def plain_text(fragment: str) -> str:
    """Paragraph markup -> the text a reader sees (used for word counts and feed summaries)."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def word_count(article: dict[str, Any]) -> int:
    return sum(len(plain_text(p).split()) for p in article["paragraphs"])


def translations_of(article: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in ARTICLES if a.get("translation_of") == article["path"]]


def by_path(path: str) -> dict[str, Any]:
    return next(a for a in ARTICLES if a["path"] == path)


def hreflang_links(article: dict[str, Any]) -> list[tuple[str, str]]:
    """(hreflang, url) pairs: the whole original+translations cluster, x-default = original."""
    original = by_path(article["translation_of"]) if article.get("translation_of") else article
    cluster = [original, *translations_of(original)]
    if len(cluster) == 1:
        return []
    pairs = [(a["lang"], absolute(a["path"])) for a in cluster]
    pairs.append(("x-default", absolute(original["path"])))
    return pairs


def json_ld(article: dict[str, Any]) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article["title"],
        "description": article["description"],
        "inLanguage": article["lang"],
        "datePublished": article["published"],
        "dateModified": article["published"],
        "author": {"@type": "Person", "name": article["author"]},
        "publisher": {
            "@type": "Organization",
            "name": SITE_NAME,
            "logo": {"@type": "ImageObject", "url": OG_IMAGE},
        },
        "image": [OG_IMAGE],
        "mainEntityOfPage": {"@type": "WebPage", "@id": absolute(article["path"])},
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def related_articles(article: dict[str, Any], limit: int = 3) -> list[dict[str, Any]]:
    same = [a for a in ARTICLES if a["lang"] == article["lang"] and a is not article]
    other = [a for a in ARTICLES if a["lang"] != article["lang"]]
    return (same + other)[:limit]


def render_article(article: dict[str, Any]) -> str:
    """One article page: realistic head metadata and the boilerplate a news CMS wraps around."""
    chrome = CHROME[article["lang"]]
    esc = html.escape
    url = absolute(article["path"])
    published = datetime.fromisoformat(article["published"])
    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(article['title'])} | {SITE_NAME}</title>",
        f'<meta name="description" content="{esc(article["description"])}">',
        f'<meta name="author" content="{esc(article["author"])}">',
        f'<meta property="article:published_time" content="{article["published"]}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{esc(article["title"])}">',
        f'<meta property="og:description" content="{esc(article["description"])}">',
        f'<meta property="og:locale" content="{article["locale"]}">',
        f'<meta property="og:site_name" content="{SITE_NAME}">',
        f'<meta property="og:url" content="{url}">',
        f'<meta property="og:image" content="{OG_IMAGE}">',
        f'<link rel="canonical" href="{url}">',
    ]
    head += [
        f'<link rel="alternate" hreflang="{lang}" href="{href}">'
        for lang, href in hreflang_links(article)
    ]
    head.append(
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME}" '
        f'href="{SAMPLE_BASE_URL}/feed.xml">'
    )
    head.append('<link rel="stylesheet" href="/static/site.css">')
    if article.get("jsonld"):
        head.append(f'<script type="application/ld+json">\n{json_ld(article)}\n</script>')

    nav = "\n".join(
        f'      <li><a href="/{article["lang"]}/section-{i}/">{esc(item)}</a></li>'
        for i, item in enumerate(chrome["nav"], start=1)
    )
    related = "\n".join(
        f'      <li><a href="{absolute(a["path"])}">{esc(a["title"])}</a></li>'
        for a in related_articles(article)
    )
    comments = "\n".join(
        f'    <div class="comment"><span class="comment-author">{esc(who)}</span>'
        f"<p>{esc(text)}</p></div>"
        for who, text in chrome["comment_texts"]
    )
    paragraphs = "\n".join(f"    <p>{absolutise_links(p)}</p>" for p in article["paragraphs"])
    return f"""<!DOCTYPE html>
<html lang="{article["lang"]}">
<head>
{chr(10).join(head)}
</head>
<body>
<div id="cookie-banner" class="cookie-consent" role="dialog">
  <p>{esc(chrome["cookie"])}</p>
  <button type="button">{esc(chrome["accept"])}</button>
</div>
<header class="site-header">
  <a class="logo" href="/">{SITE_NAME}</a>
  <nav class="main-menu">
    <ul>
{nav}
    </ul>
  </nav>
</header>
<main>
  <article class="story">
    <h1>{esc(article["title"])}</h1>
    <p class="byline">{chrome["by"]} <span class="author">{esc(article["author"])}</span> ·
      <time datetime="{article["published"]}">{published.strftime("%d.%m.%Y %H:%M")}</time></p>
{paragraphs}
  </article>
  <aside class="related-links">
    <h2>{esc(chrome["related"])}</h2>
    <ul>
{related}
    </ul>
    <div class="newsletter"><a href="/newsletter/">{esc(chrome["newsletter"])}</a></div>
  </aside>
  <section id="comments" class="comments">
    <h2>{esc(chrome["comments"])}</h2>
{comments}
  </section>
</main>
<footer class="site-footer">
  <p>© 2026 {esc(chrome["footer"])}</p>
</footer>
</body>
</html>
"""


def render_index() -> str:
    items = "\n".join(
        f'    <li lang="{a["lang"]}"><a href="{absolute(a["path"])}">{html.escape(a["title"])}</a>'
        f' <time datetime="{a["published"]}">{a["published"][:10]}</time></li>'
        for a in sorted(ARTICLES, key=lambda a: a["published"], reverse=True)
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{SITE_NAME} — international news in five languages</title>
<meta name="description" content="Fictional multilingual sample news site bundled with newsetl.">
<link rel="canonical" href="{SAMPLE_BASE_URL}/">
<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} (RSS)" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" title="{SITE_NAME} (Atom)" href="/atom.xml">
<link rel="alternate" type="application/feed+json" title="{SITE_NAME} (JSON)" href="/feed.json">
</head>
<body>
<header><h1>{SITE_NAME}</h1></header>
<main>
  <ul class="latest">
{items}
  </ul>
</main>
<footer><p>All stories on this site are fictional samples.</p></footer>
</body>
</html>
"""


def sorted_articles() -> list[dict[str, Any]]:
    return sorted(ARTICLES, key=lambda a: a["published"], reverse=True)


def render_rss() -> str:
    esc = html.escape
    items = []
    for a in sorted_articles():
        pub = format_datetime(datetime.fromisoformat(a["published"]))
        items.append(
            f"""    <item>
      <title>{esc(a["title"])}</title>
      <link>{absolute(a["path"])}</link>
      <guid isPermaLink="true">{absolute(a["path"])}</guid>
      <description>{esc(a["description"])}</description>
      <dc:creator>{esc(a["author"])}</dc:creator>
      <dc:language>{a["lang"]}</dc:language>
      <pubDate>{pub}</pubDate>
    </item>"""
        )
    newest = format_datetime(datetime.fromisoformat(sorted_articles()[0]["published"]))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>{SITE_NAME}</title>
    <link>{SAMPLE_BASE_URL}/</link>
    <atom:link href="{SAMPLE_BASE_URL}/feed.xml" rel="self" type="application/rss+xml"/>
    <description>Fictional multilingual sample news bundled with newsetl.</description>
    <lastBuildDate>{newest}</lastBuildDate>
{chr(10).join(items)}
  </channel>
</rss>
"""


def render_atom() -> str:
    esc = html.escape
    entries = "\n".join(
        f"""  <entry xml:lang="{a["lang"]}">
    <title>{esc(a["title"])}</title>
    <link rel="alternate" href="{absolute(a["path"])}"/>
    <id>{absolute(a["path"])}</id>
    <published>{a["published"]}</published>
    <updated>{a["published"]}</updated>
    <author><name>{esc(a["author"])}</name></author>
    <summary>{esc(a["description"])}</summary>
  </entry>"""
        for a in sorted_articles()
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>{SITE_NAME}</title>
  <id>{SAMPLE_BASE_URL}/</id>
  <link rel="self" href="{SAMPLE_BASE_URL}/atom.xml"/>
  <link rel="alternate" href="{SAMPLE_BASE_URL}/"/>
  <updated>{sorted_articles()[0]["published"]}</updated>
{entries}
</feed>
"""


def render_json_feed() -> str:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": SITE_NAME,
        "home_page_url": f"{SAMPLE_BASE_URL}/",
        "feed_url": f"{SAMPLE_BASE_URL}/feed.json",
        "items": [
            {
                "id": absolute(a["path"]),
                "url": absolute(a["path"]),
                "title": a["title"],
                "summary": a["description"],
                "date_published": a["published"],
                "authors": [{"name": a["author"]}],
                "language": a["lang"],
            }
            for a in sorted_articles()
        ],
    }
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def render_sitemap_index() -> str:
    newest = sorted_articles()[0]["published"]
    maps = "\n".join(
        f"  <sitemap>\n    <loc>{SAMPLE_BASE_URL}/{name}</loc>\n    <lastmod>{newest}</lastmod>\n"
        "  </sitemap>"
        for name in ("sitemap-news.xml", "sitemap-pages.xml.gz")
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{maps}
</sitemapindex>
"""


def render_news_sitemap() -> str:
    esc = html.escape
    urls = "\n".join(
        f"""  <url>
    <loc>{absolute(a["path"])}</loc>
    <lastmod>{a["published"]}</lastmod>
    <news:news>
      <news:publication>
        <news:name>{SITE_NAME}</news:name>
        <news:language>{a["lang"]}</news:language>
      </news:publication>
      <news:publication_date>{a["published"]}</news:publication_date>
      <news:title>{esc(a["title"])}</news:title>
    </news:news>
  </url>"""
        for a in sorted_articles()
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{urls}
</urlset>
"""


def render_pages_sitemap() -> str:
    urls = [
        f"  <url>\n    <loc>{SAMPLE_BASE_URL}/</loc>\n    <changefreq>hourly</changefreq>\n  </url>"
    ]
    urls += [
        f"  <url>\n    <loc>{absolute(a['path'])}</loc>\n    <lastmod>{a['published'][:10]}</lastmod>\n"
        "  </url>"
        for a in sorted_articles()
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(urls)
        + "\n</urlset>\n"
    )


ROBOTS = f"""User-agent: *
Disallow: /private/
Crawl-delay: 0.2
Allow: /

Sitemap: {SAMPLE_BASE_URL}/sitemap.xml
"""


def tiny_png() -> bytes:
    """A 1x1 grey PNG, so og:image resolves to a real image without shipping a binary asset."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


def manifest() -> dict[str, Any]:
    pages = []
    for a in ARTICLES:
        pages.append(
            {
                "path": a["path"],
                "url": absolute(a["path"]),
                "language": a["lang"],
                "translation_of": absolute(a["translation_of"])
                if a.get("translation_of")
                else None,
                "machine_translated": bool(a.get("translation_of")),
                "title": a["title"],
                "author": a["author"],
                "published": a["published"],
                "word_count": word_count(a),
                "artefacts": a["artefacts"],
                "hard_negatives": a.get("hard_negatives", []),
                "entities": a["entities"],
            }
        )
    return {
        "base_url": SAMPLE_BASE_URL,
        "description": "Fictional multilingual sample news site bundled with newsetl; "
        "see ../README.md. Generated by newsetl.samples.build_site.",
        "artefact_kinds": [
            "untranslated_span",
            "untranslated_function_word",
            "calque_elided_article",
            "calque_article",
            "glued_tokens",
            "false_friend",
            "capitalisation",
            "truncated_name",
        ],
        "pages": pages,
    }


def build(site: Path = SAMPLE_SITE) -> list[Path]:
    """Write every file of the sample site under ``site``; return the paths written."""
    written: list[Path] = []

    def write(rel: str, data: str | bytes) -> None:
        target = site / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            target.write_text(data, encoding="utf-8")
        else:
            target.write_bytes(data)
        written.append(target)

    for article in ARTICLES:
        write(article["path"], render_article(article))
    write("index.html", render_index())
    write("feed.xml", render_rss())
    write("atom.xml", render_atom())
    write("feed.json", render_json_feed())
    write("robots.txt", ROBOTS)
    write("sitemap.xml", render_sitemap_index())
    write("sitemap-news.xml", render_news_sitemap())
    # mtime=0 keeps the gzip bytes reproducible, so rebuilding does not churn git.
    write("sitemap-pages.xml.gz", gzip.compress(render_pages_sitemap().encode(), mtime=0))
    write("img/newsetl-og.png", tiny_png())
    write("MANIFEST.json", json.dumps(manifest(), ensure_ascii=False, indent=2) + "\n")
    return written


README = SAMPLE_SITE.parent / "README.md"
README_MARKER = "## Pages\n"


def pages_table() -> str:
    """The README's per-page table, derived from the manifest so the two cannot disagree."""
    rows = [
        "| Page | Lang | Words | MT of | Artefacts (kind: surface → repair) | Hard negatives |",
        "|---|---|---|---|---|---|",
    ]
    for page in manifest()["pages"]:
        artefacts = "<br>".join(
            f"{a['kind']}: `{a['surface']}` → `{a['expected_repair']}`" for a in page["artefacts"]
        )
        source = page["translation_of"].rsplit("/", 1)[-1] if page["translation_of"] else "—"
        rows.append(
            f"| `{page['path']}` | {page['language']} | {page['word_count']} | {source} | "
            f"{artefacts or '—'} | {', '.join(page['hard_negatives']) or '—'} |"
        )
    return "\n".join(rows) + "\n"


def update_readme(readme: Path = README) -> None:
    """Replace everything after the README's "## Pages" heading with a fresh table."""
    head = readme.read_text(encoding="utf-8").split(README_MARKER, 1)[0]
    readme.write_text(f"{head}{README_MARKER}\n{pages_table()}", encoding="utf-8")


if __name__ == "__main__":
    for path in build():
        print(path.relative_to(SAMPLE_SITE))
    update_readme()
