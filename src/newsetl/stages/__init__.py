"""The stages of a run, in order, and everything derived from their declarations.

A stage (:class:`~newsetl.stages.base.Stage`) declares its name, whether settings enable
it, its warm-up, what it does to each article of a batch, the tables it writes with their
write dispositions, loaders of its staged extras, steps after a load, and the summary
metrics it contributes. From :data:`STAGES` come the loader's :class:`LoadPlan`
(``WRITE_DISPOSITIONS``, ``LOAD_ORDER``, ``EXTRA_LOADERS``, ``AFTER_LOAD``), the run's
summary metrics and the fork server's warm-up: a new analysis is one stage file plus its
migration, added with :func:`register`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from newsetl.stages.base import Stage
from newsetl.stages.entities import ENTITIES
from newsetl.stages.extraction import EXTRACTION, LANGUAGE
from newsetl.stages.repair import REPAIR
from newsetl.warehouse.dispositions import LoadPlan, Merge, WriteDisposition, set_default_plan

if TYPE_CHECKING:
    from newsetl.settings import Settings

log = logging.getLogger(__name__)

#: The run's own table, not an analysis': the run record, loaded after everything else.
RUN_TABLES: tuple[tuple[str, WriteDisposition], ...] = (("runs", Merge(key=("run_id",))),)

#: The stages, in the order they run (and their tables load).
STAGES: list[Stage] = [EXTRACTION, LANGUAGE, REPAIR, ENTITIES]


def load_plan(stages: list[Stage] | None = None) -> LoadPlan:
    """What the loader must know, from the stages' declarations (the run's table last)."""
    stages = STAGES if stages is None else stages
    tables = [pair for stage in stages for pair in stage.tables] + list(RUN_TABLES)
    return LoadPlan(
        dispositions=dict(tables),
        order=tuple(name for name, _ in tables),
        extra_loaders={k: v for stage in stages for k, v in stage.extra_loaders},
        after_load={k: v for stage in stages for k, v in stage.after_load},
    )


def stage_metrics(stages: list[Stage] | None = None) -> tuple[tuple[str, str], ...]:
    """(summary metric, BatchStats counter) the stages contribute, in stage order."""
    return tuple(pair for stage in (STAGES if stages is None else stages) for pair in stage.metrics)


def article_stages(settings: Settings) -> tuple[Stage, ...]:
    """The stage-2 stages ``settings`` enable, in order (what each new article goes through)."""
    return tuple(s for s in STAGES if s.kind == "article" and s.enabled(settings))


def warm_up(
    analysis: bool = True,
    extraction_ready: Callable[[], object] | None = None,
    language_ready: Callable[[], object] | None = None,
    settle: Callable[[], object] | None = None,
) -> None:
    """Warm every stage (stage 1 only without ``analysis``), in this thread: first each
    stage's native part, then each stage's Python warm-up, in list order. A stage whose
    native part fails only loads it on its first page instead.

    Why not a thread for the native parts beside the Python warm-ups (rounds 6-7): lingua's
    model loading holds the GIL from start to end (measured in round 8: a Python loop in
    another thread made no progress while six languages' models loaded, 0.53 s), so the two
    threads never ran side by side; they only took turns. One thread is simpler, and the fork
    server's warm-up was faster without the other (benchmarks/README.md "Round 8").

    ``extraction_ready``: called once what the fork server's early extraction helper needs is
    warm, before the rest (each part natives then Python): the server forks its helper there
    (:mod:`newsetl.earlyextract`). That is extraction alone, with the analyses or without: the
    helper extracts without a guess, and the language models (~0.45 s of the server's CPU)
    and the analyses' models load while it works (a pool worker identifies its pages'
    languages: :meth:`newsetl.pipeline.PendingExtraction.result`). Why, with the analyses too:
    the helper forks ~0.5 s sooner, in the start's idle core (benchmarks/README.md "Round 13
    (spine13)", "Round 14 (start14)").

    ``language_ready``: with ``extraction_ready``, called once the rest of stage 1 (the
    language models) is warm too, if more stages (the analyses) come after: the server forks
    there the helper that takes over from the first and identifies its pages itself.

    ``settle``: called after each part (a group's native parts, each stage's Python warm-up),
    before the next part and before ``extraction_ready``/``language_ready`` (the fork server
    freezes what the part loaded there: :func:`newsetl.workers.warm_fork_server`).
    """
    chosen = [stage for stage in STAGES if analysis or stage.kind == "extract"]
    groups = [chosen]
    calls: list[Callable[[], object]] = []
    if extraction_ready is not None:
        first: list[Stage] = [s for s in chosen if s is EXTRACTION]
        rest = [stage for stage in chosen if stage not in first]
        groups, calls = [first, rest], [extraction_ready]
        second = [s for s in rest if s.kind == "extract"]
        third = [s for s in rest if s not in second]
        if language_ready is not None and second and third:
            groups, calls = [first, second, third], [extraction_ready, language_ready]
    for n, group in enumerate(groups):
        if n:
            calls[n - 1]()
        for stage in group:
            try:
                stage.warm_up_native()
            except Exception:  # the stage's own warm_up loads it (and says why it cannot)
                log.debug("native warm-up of %s failed", stage.name, exc_info=True)
        if settle is not None:
            settle()
        for stage in group:
            stage.warm_up()
            if settle is not None:
                settle()


#: Derived from :data:`STAGES` (updated in place by :func:`register`, so importers of these
#: names see a registered stage too).
WRITE_DISPOSITIONS: dict[str, WriteDisposition] = {}
EXTRA_LOADERS: dict[str, str] = {}
AFTER_LOAD: dict[str, tuple[str, str]] = {}
LOAD_ORDER: tuple[str, ...] = ()
PLAN = LoadPlan(WRITE_DISPOSITIONS, LOAD_ORDER, EXTRA_LOADERS, AFTER_LOAD)


def _derive() -> None:
    """Recompute the derived tables (and the loader's default plan) from :data:`STAGES`."""
    global LOAD_ORDER, PLAN
    fresh = load_plan()
    WRITE_DISPOSITIONS.clear()
    WRITE_DISPOSITIONS.update(fresh.dispositions)
    EXTRA_LOADERS.clear()
    EXTRA_LOADERS.update(fresh.extra_loaders)
    AFTER_LOAD.clear()
    AFTER_LOAD.update(fresh.after_load)
    LOAD_ORDER = fresh.order
    PLAN = LoadPlan(WRITE_DISPOSITIONS, LOAD_ORDER, EXTRA_LOADERS, AFTER_LOAD)
    set_default_plan(PLAN)


def current_plan() -> LoadPlan:
    """The load plan of the stages registered now (what a run hands to the loader)."""
    return PLAN


def register(stage: Stage) -> None:
    """Add a stage at the end of the list (a plug-in analysis); the derived tables follow."""
    STAGES.append(stage)
    _derive()


def unregister(stage: Stage) -> None:
    STAGES.remove(stage)
    _derive()


_derive()

__all__ = [
    "AFTER_LOAD",
    "ENTITIES",
    "EXTRACTION",
    "EXTRA_LOADERS",
    "LANGUAGE",
    "LOAD_ORDER",
    "PLAN",
    "REPAIR",
    "RUN_TABLES",
    "STAGES",
    "WRITE_DISPOSITIONS",
    "Stage",
    "article_stages",
    "current_plan",
    "load_plan",
    "register",
    "stage_metrics",
    "unregister",
    "warm_up",
]
