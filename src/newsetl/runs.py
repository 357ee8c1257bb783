"""A run's summary: what the CLI prints, the ``runs`` row, and the Prefect artifacts show."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from newsetl.pipeline import BatchStats
from newsetl.stages import stage_metrics
from newsetl.warehouse import LoadReport

#: What a run reports, in this order: the CLI, the Prefect table artifact, the logs. The
#: stages' metrics (``Stage.metrics``) go between the run's own head and tail.
RUN_METRICS_HEAD = (
    "status",
    "targets",
    "pages_fetched",
    "pages_not_modified",
    "pages_failed",
    "pages_skipped",
    "pages_unchanged",
    "articles_new",
    "articles_updated",
    "articles_unchanged",
    "duplicates",
    "near_duplicates",
)
RUN_METRICS_TAIL = ("languages", "batches_staged")


def summary_metrics() -> tuple[str, ...]:
    """The metrics a run reports, with those of every stage registered now."""
    return (*RUN_METRICS_HEAD, *(metric for metric, _ in stage_metrics()), *RUN_METRICS_TAIL)


SUMMARY_METRICS = summary_metrics()  # the built-in stages' (see summary_metrics)


@dataclass
class RunSummary:
    run_id: str
    sources: list[str]
    started_at: datetime
    finished_at: datetime | None = None
    targets: int = 0
    stats: BatchStats = field(default_factory=BatchStats)
    load: LoadReport = field(default_factory=LoadReport)
    staged_left: int = 0
    #: more columns of the run's ``runs`` row (a shard of a distributed run: its flow name,
    #: ``parent_run_id`` and ``shard``, migration 009)
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def processed_anything(self) -> bool:
        s = self.stats
        return (s.articles + s.not_modified + s.unchanged + s.sources_unchanged) > 0

    @property
    def status(self) -> str:
        if not self.processed_anything:
            return "failed"
        if self.stats.failed or self.staged_left or self.load.quarantined:
            return "partial"
        return "completed"

    def failed_text(self) -> str:
        """What failed, in words: pages among the run's pages, and apart from them sources
        that could not be read and URLs or files refused (all count in ``pages_failed``)."""
        s = self.stats
        text = f"{s.failed - s.sources_failed} of {self.targets} pages failed"
        if s.sources_failed:
            text += f" (failed or refused sources and URLs apart: {s.sources_failed})"
        return text

    def count(self, key: str) -> int:
        return int(self.load.counts.get(key, 0))

    def as_row(self) -> dict[str, Any]:
        s = self.stats
        return {
            "run_id": self.run_id,
            "flow_name": "newsetl-ingest",
            "started_at": self.started_at,
            "finished_at": self.finished_at or datetime.now(UTC),
            "status": self.status,
            "sources": self.sources,
            "targets": self.targets,
            "pages_fetched": s.fetched,
            "pages_not_modified": s.not_modified,
            "pages_failed": s.failed,
            "pages_skipped": s.skipped,
            "pages_unchanged": s.unchanged,
            "articles_new": self.count("articles_new"),
            "articles_updated": self.count("articles_updated"),
            # rows the load found unchanged, plus articles none of whose pages was extracted
            # again (same bytes or 304): each article once, never a page count
            "articles_unchanged": self.count("articles_unchanged") + s.articles_not_reprocessed,
            "duplicates": self.count("articles_duplicates"),
            "near_duplicates": self.count("articles_near_duplicates"),
            **{metric: s.count(counter) for metric, counter in stage_metrics()},
            "languages": json.dumps(dict(sorted(s.languages.items()))),
            "batches_staged": self.staged_left,
            "summary": json.dumps(
                {
                    "load": self.load.counts,
                    "busy": self.load.busy,
                    "load_stopped": self.load.transient,
                },
                default=str,
            ),
            **self.record,
        }

    def table(self) -> list[dict[str, Any]]:
        """Rows for a Prefect table artifact and the CLI: one metric per row."""
        row = self.as_row()
        table = [{"metric": "sources", "value": ", ".join(self.sources)}]
        table += [{"metric": k, "value": str(row[k])} for k in summary_metrics()]
        return table

    def failures_markdown(self, limit: int = 200) -> str:
        failures = self.stats.failures + [
            {
                "url": path,
                "kind": "load",
                "error": "staged batch could not be loaded; see ERROR.txt",
            }
            for path in self.load.quarantined
        ]
        if not failures:
            return "# Failures\n\nNo failures in this run."
        lines = [
            f"# Failures ({len(failures)})",
            "",
            "| URL | status | kind | error |",
            "| --- | --- | --- | --- |",
        ]
        for f in failures[:limit]:
            error = str(f.get("error") or "").replace("|", "\\|").replace("\n", " ")[:200]
            lines.append(
                f"| {f['url']} | {f.get('status') or ''} | {f.get('kind') or ''} | {error} |"
            )
        if len(failures) > limit:
            lines.append(f"\n... and {len(failures) - limit} more (see the `fetches` table).")
        return "\n".join(lines)

    def text(self) -> str:
        width = max(len(r["metric"]) for r in self.table())
        return "\n".join(f"{r['metric']:<{width}}  {r['value']}" for r in self.table())

    def to_json(self) -> dict[str, Any]:
        data = self.as_row()
        data["failures"] = self.stats.failures
        data["load"] = {**asdict(self.load), "extras": sorted(self.load.extras)}
        return json.loads(json.dumps(data, default=str))
