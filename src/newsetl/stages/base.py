"""The stage interface: one analysis of a run, and everything the run and the loader must know
about it.

Why: adding an analysis used to touch nine places (pipeline.analyse_batch, AnalysisOptions,
ingest.submit_analysis, Settings, BatchStats.merge, runs.SUMMARY_METRICS, workers.warm_up and
the warehouse's WRITE_DISPOSITIONS / LOAD_ORDER / EXTRA_LOADERS / AFTER_LOAD). Now a stage
declares all of it, and those are derived from the list in :mod:`newsetl.stages`: a new
analysis is one stage file plus its migration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from newsetl.warehouse.dispositions import WriteDisposition

if TYPE_CHECKING:
    from newsetl.pipeline import AnalysisOptions, BatchStats, Processed
    from newsetl.settings import Settings
    from newsetl.warehouse import Batch


@dataclass(frozen=True)
class Stage:
    """One analysis. Subclasses override :meth:`enabled`, :meth:`warm_up` (and
    :meth:`warm_up_native`) and :meth:`apply`.

    Instances travel to worker processes with each batch (pickled by their class, a
    module-level one), so they hold declarations only, never state.
    """

    #: the stage's name (logs, docs, the order of the list)
    name: str = ""
    #: ``extract``: runs with fetching, in stage 1 (extraction, language); ``article``: runs
    #: on each new article of a batch in stage 2 (:meth:`apply`)
    kind: str = "article"
    #: the tables it writes, in load order (parents first), with how each is written
    tables: tuple[tuple[str, WriteDisposition], ...] = ()
    #: staged extras (``Batch.extras``) it produces -> loader ``"module:function"``
    #: (``fn(con, rows) -> counts``), by import path so any process can load any batch
    extra_loaders: tuple[tuple[str, str], ...] = ()
    #: staged extra -> (``"module:function"`` ``fn(con) -> count``, name of that count): run
    #: once after a load that brought the extra (whole-warehouse steps such as story clusters)
    after_load: tuple[tuple[str, tuple[str, str]], ...] = ()
    #: summary metrics it contributes: (metric, BatchStats counter); a metric is also a
    #: column of ``runs`` when the stage's migration adds one
    metrics: tuple[tuple[str, str], ...] = ()
    #: extra ``BatchStats`` counters it adds to (kept in ``BatchStats.counters``)
    counters: tuple[str, ...] = field(default=())
    #: whether :meth:`apply` may read ``options.original_lookup`` (the hreflang originals the
    #: run looks up for each batch, :class:`newsetl.run.steps.AnalysisStream`): a run none
    #: of whose stages does looks none up (the spine: ~0.1 s of its process's CPU on the
    #: Zyte pages). True unless a stage says otherwise, so a plug-in stage keeps them
    reads_originals: bool = True

    def enabled(self, settings: Settings) -> bool:
        """Whether a run with ``settings`` runs this stage."""
        return True

    def warm_up(self) -> None:
        """Load what the stage needs before the first page (word lists, models)."""

    def warm_up_native(self) -> None:
        """The part of :meth:`warm_up` that loads a native library's models (lingua's Rust
        core): :func:`newsetl.stages.warm_up` runs every stage's before the Python
        warm-ups, and a failure here is not fatal. :meth:`warm_up` must still load
        everything on its own (it then finds this part done)."""

    def apply(
        self,
        item: Processed,
        article: dict[str, Any],
        batch: Batch,
        stats: BatchStats,
        run_id: str,
        options: AnalysisOptions,
    ) -> None:
        """Analyse one new article (``article``: its row, still open to changes: the
        ``articles`` row is sealed after every stage ran), adding rows to ``batch``."""
