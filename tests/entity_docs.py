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


def documents_with_names(
    articles: list[tuple[str, str, str, str, list[tuple[str, str]]]],
) -> list[dict]:
    """``(article_id, language, published ISO time, text, [(name, type), ...])`` -> documents for
    store_entities whose learned entities are the given names at each place they occur, keyed
    as the extractor keys a group (``ids.group_key``), with their own forms as the analysis
    gives them: what a configured spaCy model's spans become in a script without capitals,
    where the rules find no names of their own."""
    from newsetl.entities.ids import group_key
    from newsetl.entities.model import DocEntity, DocumentEntities, Mention
    from newsetl.entities.store import entity_forms

    out = []
    for article_id, lang, ts, text, names in articles:
        entities = []
        for name, etype in names:
            mentions, start = [], text.find(name)
            while start >= 0:
                mentions.append(Mention(start, start + len(name), name, 0.8))
                start = text.find(name, start + len(name))
            assert mentions, (name, text)
            key = group_key(etype, [name], lang)
            entities.append(DocEntity(key, name, etype, mentions, [name]))
        doc = DocumentEntities(lang, entities)
        entity_forms(doc, lang)
        out.append(
            {
                "article_id": article_id,
                "language": lang,
                "site": "test.example",
                "published_at": datetime.fromisoformat(ts),
                "title": None,
                "entities": doc.to_storage(),
            }
        )
    return out
