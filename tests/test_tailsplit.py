"""The run's last batches are analysed in parts, one a worker (``newsetl.run.tailsplit``), and
give the rows one pass over the batch gives: a page whose canonical URL an earlier part's page
claims stays a page of that article; the warehouse of a run that splits is the one of a run
that does not."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from newsetl.pipeline import AnalysisOptions
from newsetl.run import RunHooks, run_sources
from newsetl.run.engine import Run
from newsetl.run.steps import analyse_and_stage_job, open_run, start_batch
from newsetl.run.tailsplit import analyse_part_job, claimed_ids, cut, join_parts
from newsetl.settings import Settings
from newsetl.sources import expand_sources
from newsetl.translate import ChainTranslator

TEXT = (
    "The council of Leeds met on Monday with Angela Merkel and agreed to open the new library "
    "in the spring. Residents asked the Guardian for longer opening hours, a reading room for "
    "children and more seats near the station in Manchester."
)


def write_pages(pages: Path, n: int, twin: tuple[int, int] | None = None) -> None:
    """``n`` pages of growing length; pages ``twin`` name the same canonical URL."""
    pages.mkdir()
    for i in range(n):
        canonical = "https://example.org/twin" if twin and i in twin else f"https://example.org/{i}"
        body = "</p><p>".join([f"{TEXT} ({i}, {k})" for k in range(2 + i % 5)])
        (pages / f"{i:02d}.html").write_text(
            f'<html lang="en"><head><title>Page {i}</title>'
            f'<link rel="canonical" href="{canonical}"></head><body><article><h1>Page {i}</h1>'
            f"<p>{body}</p></article></body></html>"
        )


def extracted(tmp_path: Path, pages: Path):
    settings = Settings(db_path=tmp_path / "w.duckdb", staging_dir=tmp_path / "staging", workers=0)
    ctx = open_run(settings)
    targets = expand_sources([str(pages)], ctx.fetcher).targets
    return ctx, start_batch(ctx, targets, None).result()


def staged_rows(directory: Path) -> dict[str, list[tuple]]:
    """Every staged table's rows in file order, without the batch's clock time and the
    hashes over it."""
    out = {}
    with duckdb.connect() as con:
        for path in sorted(directory.glob("*.parquet")):
            rel = con.sql(f"SELECT * FROM read_parquet('{path}')")
            keep = [c for c in rel.columns if c not in ("updated_at", "record_hash")]
            out[path.name] = rel.select(*[duckdb.ColumnExpression(c) for c in keep]).fetchall()
    return out


def test_cut_keeps_the_pages_in_order_and_shares_the_text(tmp_path):
    write_pages(tmp_path / "pages", 9)
    _ctx, items = extracted(tmp_path, tmp_path / "pages")
    for parts in (1, 2, 3, 4):
        cuts = cut(items, parts)
        assert len(cuts) == parts and all(cuts)
        assert [i for part in cuts for i in part] == items
    halves = cut(items, 2)
    sizes = [sum(len(i.page.text) for i in part) for part in halves]
    # about half the text each: no part holds more than half plus its largest page
    largest = max(len(i.page.text) for i in items)
    assert max(sizes) <= sum(sizes) / 2 + largest
    assert cut(items[:1], 4) == [items[:1]]


def test_parts_give_the_rows_of_one_pass(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    # pages 1 and 6 share a canonical URL: in one pass page 6 is a page of page 1's article
    write_pages(tmp_path / "pages", 8, twin=(1, 6))
    ctx, items = extracted(tmp_path, tmp_path / "pages")
    options = AnalysisOptions(translator=ctx.translator)
    whole = analyse_and_stage_job(items, ctx.run_id, options, {}, tmp_path / "one", "b")
    assert whole.staged is not None

    parts, earlier = [], []
    for part in cut(items, 3):
        claimed = frozenset(claimed_ids(earlier))
        opts = AnalysisOptions(translator=ctx.translator)
        parts.append(
            analyse_part_job(part, ctx.run_id, opts, {}, frozenset(), datetime.now(UTC), claimed)
        )
        earlier.extend(part)
    joined = join_parts(parts, tmp_path / "split", "b")
    assert joined.staged is not None
    assert staged_rows(joined.staged) == staged_rows(whole.staged)
    assert (
        len(staged_rows(joined.staged)["articles.parquet"]) == 7
    )  # the twin is one article with two pages
    assert joined.stats.articles == whole.stats.articles == 7
    assert joined.stats.languages == whole.stats.languages
    assert joined.stats.entities == whole.stats.entities > 0


def test_a_part_that_asks_for_a_pending_original_stages_nothing(tmp_path):
    write_pages(tmp_path / "pages", 3)
    ctx, items = extracted(tmp_path, tmp_path / "pages")
    first = analyse_part_job(
        items[:1], ctx.run_id, AnalysisOptions(), {}, frozenset(), datetime.now(UTC), frozenset()
    )
    second = analyse_part_job(
        items[1:], ctx.run_id, AnalysisOptions(), {}, frozenset(), datetime.now(UTC), frozenset()
    )
    second.asked |= {"https://example.org/original-b", "https://example.org/original-a"}
    result = join_parts([first, second], tmp_path / "staging", "b")
    assert result.staged is None and not (tmp_path / "staging" / "b").exists()
    assert result.waits_for == ["https://example.org/original-a", "https://example.org/original-b"]


class FuturesSeen(RunHooks):
    """The default hooks, noting what each batch's analysis was started as."""

    def __init__(self) -> None:
        self.kinds: dict[int, str] = {}

    def analyse(self, run, index, items, lookup, pending, pool):
        future = super().analyse(run, index, items, lookup, pending, pool)
        self.kinds[index] = type(future).__name__
        return future


TABLES = ("articles", "pages", "artefacts", "entities", "mentions", "entity_articles")
VOLATILE = {"run_id", "fetched_at", "updated_at", "first_seen_at", "detected_at", "fetch_id",
            "record_hash", "quality_evidence", "loaded_at", "last_seen_at", "created_at"}  # fmt: skip


def warehouse_rows(db: Path) -> dict[str, list[tuple]]:
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for table in TABLES:
            cols = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = ?"
                    " ORDER BY column_index",
                    [table],
                ).fetchall()
                if r[0] not in VOLATILE
            ]
            quoted = ", ".join(f'"{c}"' for c in cols)
            out[table] = con.execute(f"SELECT {quoted} FROM {table} ORDER BY ALL").fetchall()
    return out


def _run(pages: Path, db: Path, tail: int) -> tuple[dict[int, str], dict[str, list[tuple]]]:
    settings = Settings(
        db_path=db,
        staging_dir=db.parent / f"staging-{db.stem}",
        per_host_interval_s=0.0,
        workers=2,
        process_pool_min_pages=1,
        batch_size=4,
        analysis_tail_batches=tail,
    )
    hooks = FuturesSeen()
    assert run_sources([str(pages)], settings, hooks=hooks).status == "completed"
    return hooks.kinds, warehouse_rows(db)


def test_a_run_splits_its_last_batches_and_loads_the_same_rows(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    # three batches (4, 4, 2 pages); pages 8 and 9 share a canonical URL, in the last batch
    write_pages(tmp_path / "pages", 10, twin=(8, 9))
    kinds, rows = _run(tmp_path / "pages", tmp_path / "split.duckdb", tail=2)
    plain_kinds, plain_rows = _run(tmp_path / "pages", tmp_path / "plain.duckdb", tail=0)
    assert kinds == {0: "AnalysisFuture", 1: "SplitAnalysisFuture", 2: "SplitAnalysisFuture"}
    assert set(plain_kinds.values()) == {"AnalysisFuture"}
    assert len(rows["articles"]) == 9 and len(rows["pages"]) == 10
    assert rows["entities"] and rows["mentions"]
    assert rows == plain_rows


class Provider:
    """An online translator as a plug-in provides one (answers nothing here)."""

    name = "provider"

    def translate(self, text: str, source: str, target: str) -> str | None:
        return None


def test_no_split_with_an_online_translator_one_worker_or_no_article_stage(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    settings = Settings(db_path=tmp_path / "w.duckdb", workers=2, analysis_tail_batches=2)
    run = Run.open(settings, [str(tmp_path)])
    try:
        run.batches = 5
        pool = object()  # only whether there is a pool counts here
        assert [run.analysis_parts(i, pool) for i in range(5)] == [1, 1, 1, 2, 2]
        assert run.analysis_parts(4, None) == 1
        run.ctx.translator = ChainTranslator(provider=Provider())
        assert [run.analysis_parts(i, pool) for i in range(5)] == [1] * 5
        run.ctx.translator = ChainTranslator()
        run.settings = Settings(db_path=tmp_path / "w.duckdb", workers=1)
        assert run.analysis_parts(4, pool) == 1
        # the spine: no article stage, nothing worth a part
        run.settings = Settings(db_path=tmp_path / "w.duckdb", workers=2, repair=False,
                                entities=False)  # fmt: skip
        assert run.analysis_parts(4, pool) == 1
        run.settings = Settings(db_path=tmp_path / "w.duckdb", workers=2, repair=False)
        assert run.analysis_parts(4, pool) == 2
    finally:
        run.ctx.close()
