"""How each table is written (dlt-style declared write dispositions) and the load plan.

The plan (which tables a batch may carry, their order, the loaders of staged extras, the
whole-warehouse steps after a load) is *declared by the stages* (:mod:`newsetl.stages`) and
handed to the loader; the warehouse never imports the stages (arrows point down)."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


# --------------------------------------------------------------------------------------------
# Declared write dispositions (dlt-style)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Merge:
    """Upsert on ``key``; rows whose ``record_hash`` is unchanged are left alone.

    ``keep`` columns are written on insert only (e.g. ``first_seen_at``).

    ``deferred``: the DuckDB file's loader writes the table in bulk, not with each batch
    (:func:`newsetl.warehouse.load.load_deferred`): the batch's rows wait in the staging
    directory's ``deferred/`` until their files hold ``DEFERRED_BYTES`` or the loader is
    told to write them all (after a run's last load, ``newsetl load``, maintenance). For a
    table of large blobs (``page_bodies``): DuckDB re-reads the blobs of the last row group
    at each commit that appends to it and rewrites them at each checkpoint, so a load's cost
    grew with how full that row group was (benchmarks/README.md "Round 22"). Readers must
    treat a missing row as not written yet. The lake merges it with each batch as any table.
    """

    key: tuple[str, ...]
    keep: tuple[str, ...] = ()
    latest_by: str | None = None  # de-duplicate the batch on the key, keeping the latest
    deferred: bool = False


@dataclass(frozen=True)
class Append:
    """Insert every row (logs). A key, if given, makes re-loading the same batch harmless."""

    key: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReplaceChildren:
    """Rows owned by a parent (an article's findings): replace them all for each parent."""

    parent_key: str
    parent_table: str = "articles"


WriteDisposition = Merge | Append | ReplaceChildren


@dataclass(frozen=True)
class LoadPlan:
    """What the loader must know of the stages: derived from the stage list
    (:func:`newsetl.stages.load_plan`) and handed to the loader by the run.

    Extra loaders and after-load steps are named by import path (``"module:function"``) so
    that any process can load any staged batch, whichever process staged it.
    """

    #: table -> how it is written; a staged table not in here is refused (set aside)
    dispositions: dict[str, WriteDisposition]
    #: tables load in this order (parents before children)
    order: tuple[str, ...]
    #: staged extra -> loader ``fn(con, rows) -> counts`` (in the batch's transaction)
    extra_loaders: dict[str, str] = field(default_factory=dict)
    #: staged extra -> (``fn(con) -> count``, name of the count): once, after a load that
    #: loaded the extra (derived tables over the whole warehouse: story clusters)
    after_load: dict[str, tuple[str, str]] = field(default_factory=dict)


_DEFAULT_PLAN: LoadPlan | None = None


def set_default_plan(plan: LoadPlan) -> None:
    """The plan of loads that are given none (``newsetl maintain``, ``newsetl load``):
    :mod:`newsetl.stages` sets it when imported (whoever loads has imported the stages)."""
    global _DEFAULT_PLAN
    _DEFAULT_PLAN = plan


def default_plan() -> LoadPlan:
    """The registered plan (see :func:`set_default_plan`)."""
    if _DEFAULT_PLAN is None:
        raise RuntimeError(
            "no load plan: import newsetl.stages (it registers the stages' plan) or pass plan="
        )
    return _DEFAULT_PLAN


def import_path(target: str) -> Callable[..., Any]:
    """The function at ``"module:function"``."""
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)
