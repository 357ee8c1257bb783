"""Entity documents as ``store_entities`` takes them, built from test texts."""

from __future__ import annotations

from datetime import datetime

from newsetl.entities import extract_entities


def documents(articles: list[tuple[str, str, str, str]]) -> list[dict]:
    """``(article_id, language, published ISO time, text)`` -> documents for store_entities."""
    return [
        {
            "article_id": article_id,
            "language": lang,
            "site": "test.example",
            "published_at": datetime.fromisoformat(ts),
            "title": None,
            "entities": extract_entities(text, lang).to_storage(),
        }
        for article_id, lang, ts, text in articles
    ]
