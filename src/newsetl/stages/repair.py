"""The repair stage: machine-translation artefacts found and (when safe) repaired, with the
original page (hreflang) as evidence. Wraps :mod:`newsetl.artefacts` (not rewritten here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsetl.stages.base import Stage
from newsetl.warehouse.dispositions import Merge, ReplaceChildren

if TYPE_CHECKING:
    from newsetl.pipeline import AnalysisOptions, BatchStats, Processed
    from newsetl.settings import Settings
    from newsetl.warehouse import Batch


@dataclass(frozen=True)
class Repair(Stage):
    def enabled(self, settings: Settings) -> bool:
        return settings.repair

    def warm_up(self) -> None:
        from newsetl.artefacts import analyse
        from newsetl.artefacts import warm_up as warm_artefacts
        from newsetl.workers import _WARM_TEXTS

        warm_artefacts()
        for language, text in _WARM_TEXTS.items():
            analyse(text, language)

    def warm_up_native(self) -> None:
        """lingua's high-accuracy models of the main languages (~1.2 s of CPU in its Rust
        core, the largest part of this stage's warm-up)."""
        from newsetl.artefacts.language import warm_up as warm_lingua

        warm_lingua()

    def apply(
        self,
        item: Processed,
        article: dict[str, Any],
        batch: Batch,
        stats: BatchStats,
        run_id: str,
        options: AnalysisOptions,
    ) -> None:
        from newsetl.pipeline import add_repair

        add_repair(item, article, batch, stats, run_id, options)


REPAIR = Repair(
    name="repair",
    tables=(
        ("artefacts", ReplaceChildren(parent_key="article_id")),
        ("article_language_spans", ReplaceChildren(parent_key="article_id")),
        ("translation_memory", Merge(key=("source_language", "target_language", "source_text"))),
    ),
    metrics=(("artefacts_found", "artefacts_found"), ("artefacts_applied", "artefacts_applied")),
)
