"""The entities stage: entities found on the (repaired) text, linked and stored at load time,
story clusters refreshed after the load. Wraps :mod:`newsetl.entities` (not rewritten here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsetl.stages.base import Stage

if TYPE_CHECKING:
    from newsetl.pipeline import AnalysisOptions, BatchStats, Processed
    from newsetl.settings import Settings
    from newsetl.warehouse import Batch


@dataclass(frozen=True)
class Entities(Stage):
    def enabled(self, settings: Settings) -> bool:
        return settings.entities

    def warm_up(self) -> None:
        try:
            from newsetl.entities import extract_entities
        except ImportError:  # pragma: no cover - optional stage not installed
            return
        from newsetl.workers import _WARM_TEXTS

        for language, text in _WARM_TEXTS.items():
            extract_entities(text, language)

    def apply(
        self,
        item: Processed,
        article: dict[str, Any],
        batch: Batch,
        stats: BatchStats,
        run_id: str,
        options: AnalysisOptions,
    ) -> None:
        from newsetl.pipeline import add_entities

        caps = [c for c in (options.entities_max_chars, options.max_text_chars) if c]
        add_entities(article, batch, stats, options.seed_dirs, min(caps, default=0))


ENTITIES = Entities(
    name="entities",
    extra_loaders=(("entity_documents", "newsetl.pipeline:load_entity_documents"),),
    after_load=(
        ("entity_documents", ("newsetl.entities:refresh_entity_layers", "story_clusters")),
    ),
    metrics=(("entities", "entities"), ("mentions", "mentions")),
    reads_originals=False,
)
