"""Re-analysis of stored pages whose findings wait for a translation (issue 16).

Why this exists: a page that comes back ``304 Not Modified`` (or with the same body) is not
analysed again, so an untranslated span left ``pending`` because no translator could answer
(offline default, provider down) would stay pending for ever, and a glossary row added later
would never reach the pages it was added for. The maintenance flow calls
:func:`reanalyse_pending` after loading leftovers: it picks the stored pages that now *can*
be resolved and runs them through an ordinary ingest run from the warehouse's raw copy
(``stored-page:URL``), so the repair, its audit trail and every other table are written by
the same code as a first analysis. Nothing is fetched.

Which pages: with an online provider configured (``NEWSETL_TRANSLATOR``), every page with a
pending finding (the provider may answer now; its answers are remembered, so each span is
paid for once). Offline, only pages where the translation memory or the glossary now answers
at least one pending span, checked here without touching the network. At most
``limit`` pages per call, oldest findings first, so one night never turns into a full reprocess.
"""

from __future__ import annotations

import logging
from typing import Any

from newsetl.settings import Settings
from newsetl.sources import STORED_PAGE_PREFIX, WITH_BODY
from newsetl.translate import (
    ChainTranslator,
    GlossaryTranslator,
    MemoryTranslator,
    configured_provider,
)
from newsetl.warehouse import WarehouseBusy, open_warehouse

log = logging.getLogger(__name__)

_PENDING = f"""
    SELECT p.url, a.surface, a.source_language, coalesce(ar.language, 'en') AS target,
           min(a.detected_at) OVER (PARTITION BY p.url) AS first_seen
    FROM artefacts a
    JOIN pages p ON p.article_id = a.article_id
    {WITH_BODY}
    LEFT JOIN articles ar ON ar.article_id = a.article_id
    WHERE a.status = 'pending' AND a.surface IS NOT NULL AND a.source_language IS NOT NULL
    ORDER BY first_seen, p.url
"""


def pages_to_reanalyse(con: Any, *, online: bool, limit: int) -> list[str]:
    """Stored page URLs with a pending finding that can be resolved now (see module doc)."""
    rows = con.execute(_PENDING).fetchall() if limit > 0 else []
    if not rows:
        return []
    offline: ChainTranslator | None = None
    if not online:
        offline = ChainTranslator(
            memory=MemoryTranslator.from_duckdb(con),
            glossary=GlossaryTranslator.default(Settings.field_from_env("glossary_files")),
        )
    chosen: dict[str, None] = {}
    for url, surface, source, target, _first_seen in rows:
        if url in chosen:
            continue
        if offline is None or offline.translate(surface, source, target):
            chosen[url] = None
            if len(chosen) >= limit:
                break
    return list(chosen)


def reanalyse_pending(settings: Settings, limit: int | None = None) -> dict[str, Any]:
    """Re-run the pages that :func:`pages_to_reanalyse` picks; returns counts for the summary."""
    limit = settings.reanalyse_limit if limit is None else limit
    if not settings.repair or limit <= 0:
        return {"reanalysed_pages": 0, "reanalysis": "off"}
    try:
        con = open_warehouse(settings)
    except WarehouseBusy as exc:
        log.warning("re-analysis skipped, warehouse busy: %s", exc)
        return {"reanalysed_pages": 0, "reanalysis": "warehouse busy"}
    try:
        urls = pages_to_reanalyse(con, online=configured_provider() is not None, limit=limit)
        before = _pending_count(con)
    finally:
        con.close()
    if not urls:
        return {"reanalysed_pages": 0, "pending_findings": before}
    from newsetl.ingest import run_ingest

    log.info("re-analysing %d stored pages with pending findings", len(urls))
    summary = run_ingest([STORED_PAGE_PREFIX + url for url in urls], settings)
    con = open_warehouse(settings)
    try:
        after = _pending_count(con)
    finally:
        con.close()
    return {
        "reanalysed_pages": len(urls),
        "reanalysis_run": summary.run_id,
        "pending_findings_before": before,
        "pending_findings": after,
    }


def _pending_count(con: Any) -> int:
    return int(con.execute("SELECT count(*) FROM artefacts WHERE status = 'pending'").fetchone()[0])
