"""The run engine's hooks for a distributed run (docs/scale-out.md "Phase B"): a run that
ends at staging, batch ids with a shard prefix, and every read through one reader."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from newsetl.run import RunHooks, run_sources
from newsetl.run.reader import DuckDBReader
from newsetl.settings import Settings
from newsetl.stages import current_plan
from newsetl.warehouse import load_pending


def _settings(tmp_path: Path, name: str) -> Settings:
    return Settings(
        db_path=tmp_path / name / "w.duckdb",
        per_host_interval_s=0.0,
        workers=1,
        page_timeout_s=0,
        batch_size=5,
        repair=False,
        entities=False,
    )


def _count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return int(con.execute(sql).fetchone()[0])


def test_a_shard_ends_at_staging_with_ids_a_rerun_makes_again(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    settings = _settings(tmp_path, "shard")
    handed: list[Path] = []
    summary = run_sources(None, settings, batch_prefix="shard-03", on_staged=handed.append)
    assert summary.status == "completed", summary.stats.failures
    names = [p.name for p in handed]
    assert len(names) >= 3  # several batches, then the run record
    assert names == [*(f"shard-03-{n:05d}" for n in range(len(names) - 1)), "shard-03-run"]
    assert all(p.is_dir() for p in handed)  # staged and handed over, not loaded
    assert _count(settings.db_path, "SELECT count(*) FROM articles") == 0

    again: list[Path] = []
    run_sources(None, settings, batch_prefix="shard-03", on_staged=again.append)
    assert [p.name for p in again] == names  # a re-run of the shard re-makes the same ids

    # the staged batches are ordinary batches: the usual loader takes them
    report = load_pending(settings, plan=current_plan())
    assert report.loaded == len(names) and not report.quarantined
    assert _count(settings.db_path, "SELECT count(*) FROM articles") == summary.stats.articles
    # the re-run staged the same names: its copies were the same batches and were dropped
    assert _count(settings.db_path, "SELECT count(*) FROM runs") == 1


class CountingReader(DuckDBReader):
    """The DuckDB reader, counting what the run asks of it."""

    def __init__(self, settings: Settings) -> None:
        base = DuckDBReader.open(settings)
        super().__init__(settings, ready=base.ready)
        self._documents = base._documents
        self.asked: dict[str, int] = {"page_states": 0, "originals": 0}

    def page_states(self, urls):
        self.asked["page_states"] += 1
        return super().page_states(urls)

    def originals(self, urls):
        self.asked["originals"] += 1
        return super().originals(urls)


def test_every_read_of_a_run_goes_through_its_reader(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    settings = _settings(tmp_path, "reader")
    run_sources(None, settings)
    reader = CountingReader(settings)
    second = run_sources(None, settings, reader=reader, hooks=RunHooks())
    assert second.status == "completed", second.stats.failures
    batches = -(-second.targets // settings.batch_size)
    assert reader.asked["page_states"] == batches  # one lookup per batch, all through it
    # what it read made the second run's fetches conditional: every page unchanged
    assert second.stats.unchanged + second.stats.not_modified == second.targets

    # the originals a translated page names are read through it too
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        url, language, text = con.execute(
            "SELECT canonical_url, language, text FROM articles ORDER BY 1 LIMIT 1"
        ).fetchone()
    assert reader.originals({url, "https://elsewhere.test/"}) == {url: (language, text)}


def _translated_pages(directory: Path, n: int) -> Path:
    """``n`` local pages, each naming an original in German by hreflang (not in the run)."""
    directory.mkdir(parents=True)
    for k in range(n):
        paragraphs = "".join(
            f"<p>The council of town {k} said on day {j} that the bridge in district {j} "
            f"would close for repairs, and the mayor answered that buses would run.</p>"
            for j in range(8)
        )
        (directory / f"p{k}.html").write_text(
            "<html lang='en'><head><title>Bridge</title>"
            f"<link rel='alternate' hreflang='de' href='https://elsewhere.test/de/{k}'>"
            f"</head><body><article><h1>Bridge {k}</h1>{paragraphs}</article></body></html>"
        )
    return directory


def test_a_run_whose_stages_read_no_original_looks_none_up(tmp_path, monkeypatch):
    """The originals a batch names by hreflang are evidence for the artefact repair only: a
    run without it (the spine; entities alone) keeps, looks up and waits for none (~0.1 s of
    the spine's process on the Zyte pages), and loads the same articles."""
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    pages = _translated_pages(tmp_path / "pages", 7)
    asked = {}
    articles = {}
    for name, repair, entities in (("spine", False, False), ("entities", False, True),
                                   ("repair", True, False)):  # fmt: skip
        settings = _settings(tmp_path, name).replace(repair=repair, entities=entities)
        reader = CountingReader(settings)
        summary = run_sources([str(pages)], settings, reader=reader, hooks=RunHooks())
        assert summary.status == "completed", summary.stats.failures
        asked[name] = reader.asked["originals"]
        with duckdb.connect(str(settings.db_path), read_only=True) as con:
            articles[name] = con.execute(
                "SELECT article_id, url, language, text FROM articles ORDER BY 1"
            ).fetchall()
    assert asked["repair"] == 2  # one lookup a batch (of 5 and 2 pages)
    assert asked["spine"] == 0 and asked["entities"] == 0
    assert len(articles["spine"]) == 7
    assert articles["spine"] == articles["entities"] == articles["repair"]


def test_a_run_migrates_its_warehouse_once(tmp_path, monkeypatch):
    """A migration re-creates every view, so the connection's close checkpoints and syncs the
    file (tens of ms of CPU, hundreds of wall on a busy disk): a run migrates when it opens
    the file, and its loads, whole-warehouse steps, run record and read copy do not again.
    The read copy still has the views."""
    import sys

    import newsetl.readcopy

    connect_module = sys.modules["newsetl.warehouse.connect"]  # the package exports connect()
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    settings = _settings(tmp_path, "once")
    real = connect_module.migrate
    calls: list[str] = []

    def counting(con, **kwargs):
        calls.append("migrate")
        return real(con, **kwargs)

    monkeypatch.setattr(connect_module, "migrate", counting)
    monkeypatch.setattr(newsetl.readcopy, "migrate", counting)
    summary = run_sources(None, settings)
    assert summary.status == "completed", summary.stats.failures
    assert summary.stats.articles >= 10  # several batches of 5 were loaded
    assert calls == ["migrate"]
    views = _count(settings.read_copy, "SELECT count(*) FROM duckdb_views() WHERE NOT internal")
    assert views == _count(
        settings.db_path, "SELECT count(*) FROM duckdb_views() WHERE NOT internal"
    )
    assert views > 0


class WalAtReadCopy(RunHooks):
    """Records whether the run's writes since the last checkpoint are still in the
    write-ahead log when the read copy is made."""

    wal_before_copy: bool | None = None

    def refresh_read_copy(self, run) -> None:
        wal = run.settings.db_path.with_name(run.settings.db_path.name + ".wal")
        self.wal_before_copy = wal.exists()
        super().refresh_read_copy(run)


def test_a_runs_closing_steps_share_one_open_and_checkpoint_once(tmp_path, monkeypatch):
    """The whole-warehouse steps, the run record and the read copy open the file one after
    another: they share one open (held_open), so the run record's close does not checkpoint
    (its rows are still in the log when the read copy is made), the read copy's CHECKPOINT
    does, and the run leaves no log behind; the copy has the run's row."""
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    settings = _settings(tmp_path, "closing")
    hooks = WalAtReadCopy()
    summary = run_sources(None, settings, hooks=hooks)
    assert summary.status == "completed", summary.stats.failures
    assert hooks.wal_before_copy is True
    assert not settings.db_path.with_name(settings.db_path.name + ".wal").exists()
    assert _count(settings.read_copy, "SELECT count(*) FROM runs") == 1


TRY_OPEN = """
import sys, time
from newsetl.warehouse import WarehouseBusy, connect
started = time.monotonic()
try:
    connect(sys.argv[1], retries=int(sys.argv[2]), backoff_s=0.2).close()
except WarehouseBusy:
    sys.exit(3)
print(round(time.monotonic() - started, 2))
"""


class OtherProcessAfterFirstLoad(RunHooks):
    """After the run's first load (or load ``after``), another process opens the file
    (``retries`` waits)."""

    def __init__(self, retries: int, after: int = 0) -> None:
        self.retries = retries
        self.after = after
        self.outcome: tuple[int, float] | None = None

    def loaded(self, run, index, result) -> None:
        if index != self.after:
            return
        import subprocess
        import sys
        import time

        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-c", TRY_OPEN, str(run.settings.db_path), str(self.retries)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.outcome = (proc.returncode, time.monotonic() - started)


def test_the_loader_keeps_the_file_open_between_loads(tmp_path, monkeypatch):
    """Between two loads the run keeps the file open (an open per batch costs a new database
    and a checkpoint): another process that does not wait finds it busy."""
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    hooks = OtherProcessAfterFirstLoad(retries=0)
    summary = run_sources(None, _settings(tmp_path, "kept"), hooks=hooks)
    assert summary.status == "completed", summary.stats.failures
    assert hooks.outcome is not None and hooks.outcome[0] == 3  # busy


def test_a_process_waiting_for_the_file_gets_it_while_the_run_goes_on(tmp_path, monkeypatch):
    """A process that waits for the file says so, and the loader lets go of it at once (not
    after its idle or longest hold, set here beyond the test): the other process gets in
    within a few of its retries, and the run completes, every batch loaded."""
    import newsetl.run.steps as steps

    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    monkeypatch.setattr(steps, "HOLD_IDLE_S", 600.0)
    monkeypatch.setattr(steps, "HOLD_MAX_S", 600.0)
    settings = _settings(tmp_path, "waiter")
    hooks = OtherProcessAfterFirstLoad(retries=8)
    summary = run_sources(None, settings, hooks=hooks)
    assert summary.status == "completed", summary.stats.failures
    assert hooks.outcome is not None
    code, waited = hooks.outcome
    assert code == 0 and waited < 10  # 8 retries from 0.2 s: 51 s of waiting at most
    assert summary.staged_left == 0
    assert _count(settings.db_path, "SELECT count(*) FROM articles") == summary.stats.articles


def test_the_loader_lets_go_after_its_most_loads_in_one_open(tmp_path, monkeypatch):
    """A kept open takes at most HOLD_MAX_LOADS loads (the database grows with each load it
    takes, and batches may come in a burst): after that many,
    the file is closed at once, within the time limits (set here beyond the test), and
    another process that does not wait gets it; after one load fewer it would not."""
    import newsetl.run.steps as steps

    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    monkeypatch.setattr(steps, "HOLD_IDLE_S", 600.0)
    monkeypatch.setattr(steps, "HOLD_MAX_S", 600.0)
    monkeypatch.setattr(steps, "HOLD_MAX_LOADS", 2)
    outcomes = []
    for after in (0, 1):
        hooks = OtherProcessAfterFirstLoad(retries=0, after=after)
        summary = run_sources(None, _settings(tmp_path, f"most-{after}"), hooks=hooks)
        assert summary.status == "completed", summary.stats.failures
        assert hooks.outcome is not None
        outcomes.append(hooks.outcome[0])
    assert outcomes == [3, 0]  # busy after the first load, free after the second


def test_a_batch_analysed_while_the_run_waits_for_an_extraction_is_loaded_meanwhile(tmp_path):
    """With a pool, the run loads each batch whose analysis is done while it waits for the
    next batch's extraction, not only after it: the next-to-last batch is then loaded while
    the last one is extracted, not in the tail with both workers idle. The last batch here
    holds a page that takes the pool long to extract (thousands of paragraphs), so batch 1's
    analysis is done well before; it must be loaded before batch 2 is extracted, and every
    page still loads, in batch order."""
    pages = _translated_pages(tmp_path / "pages", 8)
    slow = "".join(
        f"<p>Paragraph {k} of a very long page: the committee met again on day {k} and "
        f"discussed the budget of department {k}, then adjourned until the next week.</p>"
        for k in range(3_000)
    )
    (pages / "p9-slow.html").write_text(
        f"<html><head><title>Long</title></head><body><article>{slow}</article></body></html>"
    )
    settings = _settings(tmp_path, "pooled").replace(
        batch_size=4, workers=2, process_pool_min_pages=1, keep_workers=False
    )
    events: list[tuple[str, int]] = []

    class Hooks(RunHooks):
        def extracted(self, run, index, items):
            events.append(("extracted", index))

        def loaded(self, run, index, result):
            events.append(("loaded", index))

    summary = run_sources([str(pages)], settings, hooks=Hooks())
    assert summary.status == "completed", summary.stats.failures
    assert [i for kind, i in events if kind == "loaded"] == [0, 1, 2]
    assert events.index(("loaded", 1)) < events.index(("extracted", 2))
    assert _count(settings.db_path, "SELECT count(*) FROM articles") == 9


class Opens:
    """Every database this process opens and closes for a warehouse file, in order, with the
    hook event (``mark``) each came after."""

    def __init__(self, monkeypatch) -> None:
        import sys

        connect_module = sys.modules["newsetl.warehouse.connect"]  # the package exports connect()
        self.events: list[str] = []
        real_open, real_close = connect_module._open_shared, connect_module._close_shared

        def opening(key, path, *, read_only):
            self.events.append("open")
            return real_open(key, path, read_only=read_only)

        def closing(key):
            self.events.append("close")
            return real_close(key)

        monkeypatch.setattr(connect_module, "_open_shared", opening)
        monkeypatch.setattr(connect_module, "_close_shared", closing)

    def mark(self, what: str) -> None:
        self.events.append(what)

    def hooks(self, pause_after_first_fetch: float = 0.0) -> RunHooks:
        """Hooks that mark each batch's fetch and load among the opens and closes; with
        ``pause_after_first_fetch``, the first batch's fetch returns that many seconds late."""
        opens = self

        class Marking(RunHooks):
            def fetch_extract(self, run, index, targets, pool):
                opens.mark(f"fetch {index}")
                extracting = super().fetch_extract(run, index, targets, pool)
                if index == 0 and pause_after_first_fetch:
                    time.sleep(pause_after_first_fetch)
                return extracting

            def load_batch(self, run, index, result, loader):
                opens.mark(f"load {index}")
                super().load_batch(run, index, result, loader)

        return Marking()


def test_the_lookups_before_the_first_load_join_the_file_the_loader_keeps(tmp_path, monkeypatch):
    """Each batch fetched before the first load looks its validators up in the file; those
    lookups opened the database and closed it (a checkpoint) each, and the first load opened
    it again. Now the first lookup opens it for the loader to keep, and the other lookups,
    the loads and the closing steps join that open: the run opens the file twice (once to
    migrate it at its start) and closes it twice, every page loaded."""
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    pages = _translated_pages(tmp_path / "pages", 23)  # 5 batches of 5: 4 fetched ahead
    settings = _settings(tmp_path, "lookups")
    opens = Opens(monkeypatch)
    summary = run_sources([str(pages)], settings, hooks=opens.hooks())
    assert summary.status == "completed", summary.stats.failures
    events = opens.events
    assert events.index("fetch 3") < events.index("load 0")  # lookups before the first load
    assert events.count("open") == 2 and events.count("close") == 2
    # the second open is the first lookup's, and it lasts to the run's end
    assert events[events.index("fetch 0") + 1] == "open"
    assert events[-1] == "close" and "close" not in events[events.index("fetch 0") : -1]
    assert _count(settings.db_path, "SELECT count(*) FROM articles") == 23
    assert not settings.db_path.with_name(settings.db_path.name + ".wal").exists()


def test_a_lookup_lets_a_process_waiting_for_the_file_in(tmp_path, monkeypatch):
    """The file a lookup opened for the loader is let go as a load's is: a process waiting
    for it gets it while the run goes on (before the first load here), and no lookup holds
    it while the mark says someone waits; every page is still loaded."""
    import newsetl.run.steps as steps

    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    monkeypatch.setattr(steps, "HOLD_IDLE_S", 600.0)
    monkeypatch.setattr(steps, "HOLD_MAX_S", 600.0)
    pages = _translated_pages(tmp_path / "pages", 12)
    settings = _settings(tmp_path, "waiting-lookup")
    outcome: list[tuple[int, float]] = []

    class Hooks(RunHooks):
        def fetch_extract(self, run, index, targets, pool):
            extracting = super().fetch_extract(run, index, targets, pool)
            if index == 1:  # batch 0's and 1's lookups done, nothing loaded yet
                import subprocess
                import sys
                import time

                started = time.monotonic()
                proc = subprocess.run(
                    [sys.executable, "-c", TRY_OPEN, str(run.settings.db_path), "8"],
                    capture_output=True,
                    text=True,
                    timeout=60,
                )
                outcome.append((proc.returncode, time.monotonic() - started))
            return extracting

    summary = run_sources([str(pages)], settings, hooks=Hooks())
    assert summary.status == "completed", summary.stats.failures
    ((code, waited),) = outcome
    assert code == 0 and waited < 10
    assert summary.staged_left == 0
    assert _count(settings.db_path, "SELECT count(*) FROM articles") == 12


def test_the_closing_steps_join_the_loaders_last_open(tmp_path, monkeypatch):
    """The loader lets go of the file after HOLD_MAX_LOADS loads in one open; at the end of
    a run that closed it after the last load (a checkpoint) and the closing steps opened it
    again at once. Now the run's last loads keep it for the closing steps (a load beyond
    the limit still lets go first): after the last load the file is closed once, at the
    end, and not opened again. A pool of two, so the last batches load after all
    extraction; one load an open at most."""
    import newsetl.run.steps as steps

    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    monkeypatch.setattr(steps, "HOLD_MAX_LOADS", 1)
    pages = _translated_pages(tmp_path / "pages", 9)
    settings = _settings(tmp_path, "ending").replace(
        batch_size=4, workers=2, page_timeout_s=30, process_pool_min_pages=1, keep_workers=False
    )
    opens = Opens(monkeypatch)

    class Hooks(RunHooks):
        def load_batch(self, run, index, result, loader):
            opens.mark(f"load {index}")
            super().load_batch(run, index, result, loader)

        def loaded(self, run, index, result):
            opens.mark(f"loaded {index}")

        def finished(self, run):
            opens.mark("finished")

    summary = run_sources([str(pages)], settings, hooks=Hooks())
    assert summary.status == "completed", summary.stats.failures
    events = opens.events
    assert events[events.index("loaded 2") + 1 :] == ["close", "finished"]
    # one load an open still: each load opened the file anew (an open kept for the
    # closing steps is let go before a load beyond the limit)
    for index in (1, 2):
        load = events[events.index(f"load {index}") + 1 : events.index(f"loaded {index}")]
        assert load.count("open") == 1, load
    assert _count(settings.db_path, "SELECT count(*) FROM articles") == 9
    assert _count(settings.read_copy, "SELECT count(*) FROM runs") == 1


def test_the_run_waits_for_an_extraction_one_future_at_a_time(monkeypatch):
    """While it waits for a batch's extraction the run polls for analyses to load; each poll
    waited on all the batch's 25 futures (a waiter installed on each: ~0.15 s of the run's
    CPU on the Zyte pages, beside the workers). Now each wait is given one future; the run
    still loads between polls and returns once every page of the batch is extracted."""
    import concurrent.futures
    import time
    from types import SimpleNamespace

    from newsetl.run.engine import Run

    sizes: list[int] = []
    real = concurrent.futures.wait

    def counting(fs, timeout=None, return_when=concurrent.futures.ALL_COMPLETED):
        sizes.append(len(fs))
        return real(fs, timeout=timeout, return_when=return_when)

    monkeypatch.setattr(concurrent.futures, "wait", counting)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        pool.started = True  # type: ignore[attr-defined]  # a pool that has delivered
        futures = [pool.submit(time.sleep, 0.01) for _ in range(25)]
        polls: list[bool] = []
        Run._wait_loading(SimpleNamespace(futures=futures), pool, polls.append)
        assert all(f.done() for f in futures)
    assert len(polls) >= 5 and not any(polls)  # loads polled without waiting, meanwhile
    assert sizes and max(sizes) == 1


def test_the_loads_are_checkpointed_apart_from_the_whole_warehouse_steps(tmp_path, monkeypatch):
    """The whole-warehouse steps (the entity resolution, story clusters) rewrite tables the
    loads touched: checkpointed with the loads' rows in one go, the file kept room for both
    copies (+2 MB of free blocks on the Zyte warehouse). The loads are checkpointed first,
    apart (since round 16 in a thread beside those steps, which join the loader's open): once
    the steps have written, before they commit, the write-ahead log holds nothing (the loads
    are in the file; the steps' rows are not committed yet). Fails if the loads' rows are
    left for the checkpoint after the steps."""
    import newsetl.entities.store as store

    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    pages = _translated_pages(tmp_path / "pages", 7)
    settings = _settings(tmp_path, "entities").replace(entities=True)
    wal = settings.db_path.with_name(settings.db_path.name + ".wal")
    seen: list[int] = []
    real = store.refresh_story_clusters  # after the resolution's writes, in their transaction

    def observed(con):
        deadline = time.monotonic() + 10  # the checkpoint's thread may still be finishing
        while (size := wal.stat().st_size if wal.exists() else 0) and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(size)
        return real(con)

    monkeypatch.setattr(store, "refresh_story_clusters", observed)
    summary = run_sources([str(pages)], settings)
    assert summary.status == "completed", summary.stats.failures
    assert seen == [0]
    assert _count(settings.db_path, "SELECT count(*) FROM entity_articles") == 7


def test_the_closing_steps_join_the_loaders_last_open_with_everything_on(tmp_path, monkeypatch):
    """With the whole-warehouse steps due (entities on), the loader's close checkpointed the
    loads after the last load and the closing steps opened the file again at once (~0.13 s
    and ~0.02 s of the serial tail on the Zyte pages). Now they join the loader's last open,
    as the spine's do, and the loads' checkpoint runs beside them: after the last load the
    file is closed once, at the end, and not opened again."""
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    pages = _translated_pages(tmp_path / "pages", 9)
    settings = _settings(tmp_path, "ending").replace(
        batch_size=4, workers=2, page_timeout_s=30, process_pool_min_pages=1,
        keep_workers=False, entities=True,
    )  # fmt: skip
    opens = Opens(monkeypatch)

    class Hooks(RunHooks):
        def loaded(self, run, index, result):
            opens.mark(f"loaded {index}")

        def finished(self, run):
            opens.mark("finished")

    summary = run_sources([str(pages)], settings, hooks=Hooks())
    assert summary.status == "completed", summary.stats.failures
    events = opens.events
    assert events[events.index("loaded 2") + 1 :] == ["close", "finished"]
    assert _count(settings.db_path, "SELECT count(*) FROM entity_articles") == 9
    assert _count(settings.read_copy, "SELECT count(*) FROM runs") == 1
    assert not settings.db_path.with_name(settings.db_path.name + ".wal").exists()


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_pool_not_kept_lets_its_workers_end_with_the_runs_last_analysis(tmp_path, monkeypatch):
    """A pool that is not kept for a next run (``keep_workers`` off) was shut down after the
    run's last load and the loader's close, and the run waited there for its workers to end
    (~0.05-0.15 s of the serial tail). Now it is retired as soon as the run's last analysis
    is in hand: its workers end by themselves while the run loads the last batch."""
    from newsetl import workers

    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    pages = _translated_pages(tmp_path / "pages", 9)
    settings = _settings(tmp_path, "retire").replace(
        batch_size=4, workers=2, page_timeout_s=30, process_pool_min_pages=1, keep_workers=False
    )
    before = set(workers._pools)
    pids: set[int] = set()
    ended_in_last_load: list[bool] = []

    class Hooks(RunHooks):
        def load_batch(self, run, index, result, loader):
            for pool in set(workers._pools) - before:
                pids.update((getattr(pool, "_processes", None) or {}).keys())
            if index == run.batches - 1:  # the last load: nothing else will end the workers
                deadline = time.monotonic() + 10
                while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
                    time.sleep(0.01)
                ended_in_last_load.append(not any(_alive(pid) for pid in pids))
            super().load_batch(run, index, result, loader)

    summary = run_sources([str(pages)], settings, hooks=Hooks())
    assert summary.status == "completed", summary.stats.failures
    assert len(pids) == 2
    assert ended_in_last_load == [True]
    assert _count(settings.db_path, "SELECT count(*) FROM articles") == 9


def test_the_longest_hold_counts_from_the_first_load_not_the_lookups(tmp_path, monkeypatch):
    """A file the lookups opened for the loader (before the first load) is let go after
    HOLD_MAX_S counted from the first load, as a file the first load opened: counted from the
    lookups, a slow start let go of it amid the loads (the checkpoint split in two left ~9 MB
    of free blocks in the Zyte warehouse with everything on). Here the start takes longer
    than the longest hold: the lookups' open still takes the first load."""

    import newsetl.run.steps as steps

    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    monkeypatch.setattr(steps, "HOLD_IDLE_S", 600.0)
    monkeypatch.setattr(steps, "HOLD_MAX_S", 1.0)
    pages = _translated_pages(tmp_path / "pages", 12)
    settings = _settings(tmp_path, "longest")
    opens = Opens(monkeypatch)
    # the watcher polls every HOLD_POLL_S while the first fetch is late
    summary = run_sources([str(pages)], settings, hooks=opens.hooks(pause_after_first_fetch=1.6))
    assert summary.status == "completed", summary.stats.failures
    events = opens.events
    start = events[events.index("fetch 0") : events.index("load 0")]
    assert start.count("open") == 1 and "close" not in start, start
    assert _count(settings.db_path, "SELECT count(*) FROM articles") == 12


def _recycling_every_8_pages(tmp_path: Path, batch_size: int) -> Settings:
    """A run with a pool of 2 workers replaced every 8 pages."""
    return _settings(tmp_path, "pooled").replace(
        batch_size=batch_size, workers=2, process_pool_min_pages=1, keep_workers=False,
        recycle_workers_pages=8, page_timeout_s=120.0,
    )  # fmt: skip


def _same_articles_as_without_a_pool(tmp_path: Path, pages: Path, settings: Settings) -> None:
    """The articles ``settings``' run loaded are those a run of ``pages`` without a pool loads."""
    alone = _settings(tmp_path, "alone")
    assert run_sources([str(pages)], alone).status == "completed"
    rows = "SELECT url, language, text FROM articles ORDER BY url"
    with (
        duckdb.connect(str(settings.db_path), read_only=True) as a,
        duckdb.connect(str(alone.db_path), read_only=True) as b,
    ):
        assert a.execute(rows).fetchall() == b.execute(rows).fetchall()


def test_the_loads_wait_through_the_second_half_of_each_pool_generation(tmp_path, monkeypatch):
    """A pool's workers grow through their generation (Settings.recycle_workers_pages) and
    the run's process grows while its loader keeps the file open: the run's peak was the two
    at once. So in the second half of each generation the loads wait (and the file is let
    go), and they are done as the next generation starts: here (8 pages a generation, 2 a
    batch) every load before the run's last generation comes with 0 or 2 pages extracted
    since the last restart, never 4 or 6; the rows are those of a run without a pool."""
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    pages = _translated_pages(tmp_path / "pages", 40)
    settings = _recycling_every_8_pages(tmp_path, batch_size=2)
    extracted: list[int] = []
    at_load: list[int] = []

    class Hooks(RunHooks):
        def extracted(self, run, index, items):
            extracted.append(len(items))
            time.sleep(0.3)  # the batches before are analysed meanwhile: ready to load

        def loaded(self, run, index, result):
            at_load.append(sum(extracted))

    summary = run_sources([str(pages)], settings, hooks=Hooks())
    assert summary.status == "completed", summary.stats.failures
    assert len(at_load) == 20
    # no wait in the run's last generation (from 32 pages: no restart after it)
    during = [count for count in at_load if count < 32]
    assert during and all(count % 8 < 4 for count in during), at_load
    _same_articles_as_without_a_pool(tmp_path, pages, settings)


def test_a_new_pool_generation_gets_its_work_between_the_held_back_loads(tmp_path, monkeypatch):
    """As a pool generation starts, the next batches are extracted already (the old pool
    finished them before it ended), so the run does not wait in its next passes, and the
    loads the second half held back ran at once, in the first pass, while the new pool had
    one batch to work on. Now each pass loads one finished batch (engine.LOADS_PER_PASS), and
    hands the pool the next batch in between, until the last pass before the loads wait
    again: here (1 page a batch, 8 a generation, loads in the first 4) the run's second
    generation starts at page 8 with the loads of pages 5-8 held back, and its first two
    passes load one each. The rows are those of a run without a pool."""
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    pages = _translated_pages(tmp_path / "pages", 24)
    settings = _recycling_every_8_pages(tmp_path, batch_size=1)
    events: list[str] = []

    class Hooks(RunHooks):
        def extracted(self, run, index, items):
            events.append("x")
            time.sleep(0.3)  # the batches before are analysed meanwhile: ready to load

        def loaded(self, run, index, result):
            events.append("l")

    summary = run_sources([str(pages)], settings, hooks=Hooks())
    assert summary.status == "completed", summary.stats.failures
    assert events.count("l") == 24
    passes = "".join(events).split("x")[1:]  # the loads after each extracted batch
    # the second generation's first two passes (after pages 9 and 10): one load each, and
    # the held-back loads of pages 5-8 were waiting (the first generation's second half
    # loaded none of them)
    assert passes[8] == "l" and passes[9] == "l", passes
    assert "".join(passes[4:8]) == "", passes
    _same_articles_as_without_a_pool(tmp_path, pages, settings)
