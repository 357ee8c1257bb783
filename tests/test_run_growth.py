"""The run's own process does not grow with the run (issue 14): a loaded batch leaves nothing
of itself alive, and the database the loader keeps open caches no more than its limit.

Real parts: page files on disk, the run engine, the DuckDB file; the objects are counted by
the garbage collector, the limit read back from DuckDB."""

from __future__ import annotations

import gc
from pathlib import Path

from newsetl.pipeline import BatchStats, Processed
from newsetl.run import FETCH_AHEAD, RunHooks, run_sources
from newsetl.run.steps import AnalysisResult
from newsetl.settings import Settings
from newsetl.warehouse import connect

TEXT = (
    "The council met on Monday and agreed to open the new library in the spring. Residents "
    "asked for longer opening hours, a reading room for children and more seats."
)
BATCH = 2


def _alive(kind: type) -> int:
    return sum(1 for o in gc.get_objects() if type(o) is kind)


class Counting(RunHooks):
    """The default steps; after each load, how many per-batch objects are alive."""

    def __init__(self) -> None:
        self.alive: list[tuple[int, int, int]] = []

    def loaded(self, run, index, result):
        gc.collect()
        self.alive.append((_alive(Processed), _alive(AnalysisResult), _alive(BatchStats)))


def _pages(root: Path, n: int) -> Path:
    pages = root / f"pages-{n}"
    pages.mkdir()
    for i in range(n):
        body = " ".join([f"{TEXT} ({i})"] * 3)
        (pages / f"{i:03d}.html").write_text(
            f"<html><head><title>p{i}</title></head><body><article><h1>p{i}</h1>"
            f"<p>{body}</p></article></body></html>"
        )
    return pages


def _run(tmp_path: Path, n: int) -> tuple[Counting, object]:
    settings = Settings(
        db_path=tmp_path / f"w{n}.duckdb",
        per_host_interval_s=0.0,
        workers=1,
        page_timeout_s=0,
        batch_size=BATCH,
        repair=False,
        entities=False,
    )
    hooks = Counting()
    summary = run_sources([str(_pages(tmp_path, n))], settings, hooks=hooks)
    assert summary.status == "completed", summary.stats.failures
    assert summary.stats.articles == n
    return hooks, summary


def test_a_loaded_batch_leaves_nothing_of_itself_alive(tmp_path, monkeypatch):
    """However many batches a run has, what is alive after a load is the window the engine
    works on (the batches fetched ahead, the one in analysis, the one just loaded), never the
    batches loaded before: a run of 20 batches holds no more than a run of 5, and nothing
    once it is over (the run's summary keeps counters, not batches)."""
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    gc.collect()
    before = (_alive(Processed), _alive(AnalysisResult), _alive(BatchStats))
    short, _ = _run(tmp_path, 5 * BATCH)
    long, summary = _run(tmp_path, 20 * BATCH)
    assert len(long.alive) == 20
    window = (FETCH_AHEAD + 3) * BATCH  # pages: ahead, in analysis, just loaded
    most = [max(counts) for counts in zip(*long.alive, strict=True)]
    assert most[0] <= window, long.alive  # Processed pages
    assert most[1] <= 3, long.alive  # AnalysisResults: the one loaded, one finished ahead
    assert most[2] <= 3 + 1, long.alive  # BatchStats: those results' and the run's own
    # nothing piles up along the run: the second half holds no more than the first, and the
    # long run no more than the short one
    pages = [p for p, _, _ in long.alive]
    assert max(pages[10:]) <= max(pages[:10]) <= max(p for p, _, _ in short.alive) + BATCH
    gc.collect()
    assert (_alive(Processed), _alive(AnalysisResult)) == before[:2]
    assert summary.stats.failures == []


class LimitSeen(RunHooks):
    """After the first load (the loader holds the file), DuckDB's memory limit there."""

    def __init__(self) -> None:
        self.limit: str | None = None

    def loaded(self, run, index, result):
        if self.limit is None:
            con = connect(run.settings.db_path)  # joins the loader's open database
            try:
                self.limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
            finally:
                con.close()


def _limit_after(con_path: Path) -> str:
    con = connect(con_path)
    try:
        return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    finally:
        con.close()


def _spine_settings(db_path, loader_memory_limit_mb: int) -> Settings:
    """The bundled corpus's spine in small batches, one worker, with this loader limit."""
    return Settings(
        db_path=db_path,
        per_host_interval_s=0.0,
        workers=1,
        page_timeout_s=0,
        batch_size=5,
        repair=False,
        entities=False,
        loader_memory_limit_mb=loader_memory_limit_mb,
    )


def test_the_loader_bounds_what_duckdb_caches_while_it_holds_the_file(tmp_path, monkeypatch):
    """``loader_memory_limit_mb`` is DuckDB's limit while the loader holds the file (its
    loads' cached blocks grew with the warehouse), and DuckDB's default again once it has let
    go; 0 leaves DuckDB's default throughout."""
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    seen = {}
    for limit in (64, 0):
        settings = _spine_settings(tmp_path / f"l{limit}" / "w.duckdb", limit)
        hooks = LimitSeen()
        assert run_sources(None, settings, hooks=hooks).status == "completed"
        seen[limit] = (hooks.limit, _limit_after(settings.db_path))
    default = seen[0][1]
    assert seen[64] == ("61.0 MiB", default)  # 64 MB as DuckDB counts them
    assert seen[0] == (default, default) and default != "61.0 MiB"


def test_a_load_that_needs_more_than_the_limit_is_loaded_without_it(tmp_path, monkeypatch):
    """A limit too low for a load (DuckDB fails it with OutOfMemoryException, a transient
    error that leaves the batch staged) does not put the batch off to the run's final load:
    the loader lifts the limit and loads it at once. Same rows as a run without a limit."""
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    rows = {}
    for limit in (4, 0):
        settings = _spine_settings(tmp_path / f"t{limit}" / "w.duckdb", limit)
        summary = run_sources(None, settings)
        assert summary.status == "completed", summary.stats.failures
        assert summary.load.transient is None and summary.staged_left == 0
        con = connect(settings.db_path, read_only=True)
        try:
            rows[limit] = con.execute(
                "SELECT a.url, a.title, a.language, a.text, p.url FROM pages p "
                "JOIN articles a USING (article_id) ORDER BY p.url"
            ).fetchall()
        finally:
            con.close()
    assert rows[4] and rows[4] == rows[0]
