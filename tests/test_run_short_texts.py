"""Short texts (lingua's short-text models) are set aside and identified together in a process
of their own, beside a pooled run's pool: the run's process never loads lingua, the pool is not
ended for them, every page gets the guess a run without a pool gives it, the other pages are
loaded as they come, and the rows are the same (newsetl.run.shorttexts)."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from newsetl import language, pipeline
from newsetl.language import uses_short_text_models
from newsetl.run import RunHooks, run_sources, shorttexts
from newsetl.settings import Settings

LONG = {
    "en": "The council met on Monday and agreed to open the new library in the spring. "
    "Residents asked for longer opening hours, a reading room for children and more seats.",
    "de": "Der Stadtrat hat am Montag beschlossen, die neue Bibliothek im Frühjahr zu eröffnen. "
    "Die Bewohner wünschten sich längere Öffnungszeiten und einen Leseraum für Kinder.",
    "fr": "Le conseil municipal a décidé lundi d'ouvrir la nouvelle bibliothèque au printemps. "
    "Les habitants ont demandé des horaires plus longs et une salle de lecture pour enfants.",
}
SHORT = "Der Rat tagte am Montag in der Stadthalle."


def _html(title: str, text: str) -> str:
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{text}</p></article></body></html>"
    )


def _pages(root: Path) -> Path:
    """Eleven pages in batches of two; the short one in the third batch, with a page whose
    exact copy comes in the fifth (the copy loaded first gives the article its URL), and an
    exact copy of the short one last."""
    pages = root / "pages"
    pages.mkdir()
    names = ["en0", "de0", "fr0", "en1", "short", "de1", "fr1", "en2", "de2"]
    for i, name in enumerate(names):
        text = SHORT if name == "short" else " ".join([f"{LONG[name[:2]]} ({name})"] * 3)
        (pages / f"{i:02d}-{name}.html").write_text(_html(name, text))
    (pages / "09-copy.html").write_text((pages / "05-de1.html").read_text())
    (pages / "10-shortcopy.html").write_text((pages / "04-short.html").read_text())
    return pages


def _settings(db: Path, workers: int, page_timeout_s: float = 120.0) -> Settings:
    return Settings(
        db_path=db,
        per_host_interval_s=0.0,
        workers=workers,
        process_pool_min_pages=1,
        batch_size=2,
        repair=False,
        entities=False,
        page_timeout_s=page_timeout_s,
    )


def _rows(db: Path) -> tuple[list[tuple], list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        articles = con.execute(
            "SELECT url, title, language, language_confidence, language_runner_up, text "
            "FROM articles ORDER BY url"
        ).fetchall()
        pages = con.execute(
            "SELECT p.url, a.url FROM pages p JOIN articles a USING (article_id) ORDER BY 1"
        ).fetchall()
    return articles, pages


class LoadOrder(RunHooks):
    """Notes the file names of each batch's pages in the order the batches are loaded."""

    def __init__(self) -> None:
        self.batches: dict[int, list[str]] = {}
        self.loads: list[list[str]] = []

    def extracted(self, run, index, items) -> None:
        self.batches[index] = [item.target.url.rsplit("/", 1)[1] for item in items]

    def loaded(self, run, index, result) -> None:
        self.loads.append(self.batches[index])


@pytest.mark.parametrize("limit", [500, 1], ids=["at-the-end", "during-the-run"])
def test_a_pooled_run_identifies_short_texts_in_a_process_of_their_own(
    tmp_path, monkeypatch, caplog, limit
):
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    monkeypatch.setattr(language, "_lingua_detector", None)  # nothing loaded here yet
    monkeypatch.setattr(language, "_lingua_trigram_detector", None)
    monkeypatch.setattr(language, "_lingua_subsets", {})
    # a fresh process, as `newsetl ingest` is: one that has extracted before (an earlier test
    # in this pytest worker) takes jobs back from a starting pool and loads lingua's trigram
    # models for the long texts it extracts itself (PendingExtraction.result), which is not
    # what this test is about
    monkeypatch.setattr(pipeline, "_extracted_here", False)
    monkeypatch.setattr(shorttexts, "SET_ASIDE_PAGES", limit)
    pages = _pages(tmp_path)
    pooled = tmp_path / "pooled.duckdb"
    hooks = LoadOrder()
    with caplog.at_level(logging.INFO, logger="newsetl.ingest"):
        summary = run_sources([str(pages)], _settings(pooled, workers=2), hooks=hooks)
    assert summary.status == "completed", summary.stats.failures
    # the run's process never made a lingua detector, so never loaded any of its models, and
    # no identifying process failed over to it
    assert language._lingua_detector is None and language._lingua_trigram_detector is None
    assert not language._lingua_subsets and " failed (" not in caplog.text
    # the short pages were set aside: their batches' other pages and the later batches were
    # loaded without waiting for them, and they were loaded in their own order, after
    loads = [name for batch in hooks.loads for name in batch]
    assert sorted(loads) == sorted(p.name for p in pages.iterdir())
    # identified in a process of their own as soon as set aside (the second page while the
    # first one's process ran, or after it), each in its turn; with limit 1 the run waited
    # for each
    counts = re.findall(r"identified (\d+) short texts in a process of their own", caplog.text)
    assert sum(map(int, counts)) == 2
    if limit == 1:
        assert counts == ["1", "1"]
    assert loads.index("04-short.html") < loads.index("10-shortcopy.html")
    assert loads.index("05-de1.html") < loads.index("04-short.html")

    alone = tmp_path / "alone.duckdb"  # no pool: every page identified in this process
    assert (
        run_sources([str(pages)], _settings(alone, workers=1, page_timeout_s=0)).status
        == "completed"
    )
    articles, page_rows = _rows(pooled)
    assert len(articles) == 9 and len(page_rows) == 11
    assert (articles, page_rows) == _rows(alone)
    # a copy's page belongs to the article of the page extracted (and loaded) first
    assert dict(page_rows)[(pages / "09-copy.html").as_uri()].endswith("05-de1.html")
    assert dict(page_rows)[(pages / "10-shortcopy.html").as_uri()].endswith("04-short.html")
    short = [a for a in articles if a[1] == "short"]
    assert short and uses_short_text_models(short[0][5]) and short[0][2] == "de"


class ForkServerSeen(RunHooks):
    """Notes the fork server's process id each time a batch is extracted."""

    def __init__(self) -> None:
        self.pids: list[int | None] = []

    def extracted(self, run, index, items) -> None:
        from multiprocessing import forkserver

        self.pids.append(getattr(forkserver._forkserver, "_forkserver_pid", None))


def test_short_texts_are_identified_without_ending_the_pool(tmp_path, monkeypatch):
    """The pool (its fork server and all it warmed) lives through the identifications: a run
    that met short texts mid-run extracts every batch with the same fork server (rounds 18-29
    ended the pool for them and warmed a new one, ~2 s of CPU and of wall time each)."""
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    monkeypatch.setattr(language, "_lingua_detector", None)
    monkeypatch.setattr(pipeline, "_extracted_here", False)
    monkeypatch.setattr(shorttexts, "SET_ASIDE_PAGES", 1)
    hooks = ForkServerSeen()
    summary = run_sources(
        [str(_pages(tmp_path))], _settings(tmp_path / "w.duckdb", workers=2), hooks=hooks
    )
    assert summary.status == "completed", summary.stats.failures
    servers = [pid for pid in hooks.pids if pid is not None]
    # five batches with a page that goes on, then the two set-aside pages, each its batch
    assert len(servers) == len(hooks.pids) == 5 + 2
    assert len(set(servers)) == 1, hooks.pids


class IdentifyingSeen(RunHooks):
    """Notes, each time a batch is extracted, whether a short-text process is running."""

    def __init__(self) -> None:
        self.seen: list[bool] = []
        self.names: list[list[str]] = []

    def extracted(self, run, index, items) -> None:
        self.seen.append(_identifying())
        self.names.append([item.target.url.rsplit("/", 1)[1] for item in items])


def _identifying() -> bool:
    """Whether a short-text process of this process's runs is alive (its own child: another
    test's, in another pytest worker, is not this run's)."""
    me = str(os.getpid())
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes()
                parent = (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
            except (OSError, IndexError):
                continue
            if b"newsetl.language_job" in cmdline and parent == me:
                return True
    return False


@pytest.mark.parametrize("early", [250, 10], ids=["short-run", "long-run"])
def test_a_short_run_starts_the_identification_at_once(tmp_path, monkeypatch, early):
    """In a run of up to EARLY_IN_RUNS_OF pages the process runs beside the extraction of the
    pages after the short one (rounds 18-29 started it after the last one, and the run waited
    for it); in a longer run, after the last page (one process for every set-aside page)."""
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    monkeypatch.setattr(pipeline, "_extracted_here", False)
    monkeypatch.setattr(shorttexts, "EARLY_IN_RUNS_OF", early)
    hooks = IdentifyingSeen()
    summary = run_sources(
        [str(_pages(tmp_path))], _settings(tmp_path / "w.duckdb", workers=2), hooks=hooks
    )
    assert summary.status == "completed", summary.stats.failures
    # batches of 2 of 11 pages, the short page in the third, its copy in the sixth
    if early == 250:  # at once: batches after the short page's saw the process at work
        # (the third batch's hook may run before the process starts on a loaded machine:
        # 1 of 1,648 in a fresh-clone CI run saw it from the fourth; after the last page's
        # batch, as rounds 18-29 started it, none of these three would see it)
        assert hooks.seen[:2] == [False, False] and any(hooks.seen[2:5]), (
            hooks.seen,
            hooks.names,
        )
    else:  # no extraction saw it
        assert hooks.seen[:5] == [False] * 5, (hooks.seen, hooks.names)
    assert not _identifying()


def test_the_identifying_process_imports_the_language_identification_only():
    """What it imports is what it holds beside lingua's models: not the extraction, the
    analysis stages or the warehouse that the fork server warms for the workers."""
    import subprocess
    import sys

    code = (
        "import sys, newsetl.language_job; "
        "print(sorted(m for m in ('trafilatura', 'newsetl.pipeline', 'newsetl.entities', "
        "'duckdb', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_identifying_process_that_runs_too_long_is_killed_and_the_texts_identified_here(
    caplog,
):
    """A hung or dead identifying process must not cost the run its waiting batches: past its
    timeout it is killed, and the run's process gives the same guesses (same function, text
    and seed) as the process does when it finishes."""
    # texts long enough for lingua's light models: the test is about the fallback, and the
    # short-text models would cost ~10 s of CPU to load in each process
    jobs = [
        (
            "Le gouvernement a annoncé hier soir de nouvelles mesures pour les hôpitaux. " * 3,
            None,
            0,
        ),
        (
            "Die Regierung hat gestern neue Maßnahmen für die Krankenhäuser angekündigt. " * 3,
            "de",
            0,
        ),
        ("Il governo ha annunciato ieri nuove misure per gli ospedali del paese. " * 3, None, 7),
    ]
    assert not any(language.uses_short_text_models(text) for text, _, _ in jobs)
    finished = shorttexts.Identification(jobs).result()
    with caplog.at_level("WARNING", logger="newsetl.ingest"):
        killed = shorttexts.Identification(jobs, timeout_s=0.01).result()
    assert "TimeoutExpired" in caplog.text
    assert [g.language for g in finished] == ["fr", "de", "it"]
    assert killed == finished


def test_set_aside_pages_are_identified_before_the_end_past_a_count_or_their_bodies_bytes(
    monkeypatch,
):
    """The set-aside pages hold their bodies until they are analysed and staged: past
    SET_ASIDE_PAGES pages or SET_ASIDE_BYTES of bodies they are identified mid-run."""
    from newsetl.downloads import FetchResult
    from newsetl.pipeline import Processed
    from newsetl.sources import Target

    def page(size: int) -> Processed:
        fetch = FetchResult(url="https://example.org/a", outcome="ok", body=b"x" * size)
        target = Target("https://example.org/a", "https://example.org/")
        return Processed(target, fetch, "https://example.org/")

    monkeypatch.setattr(shorttexts, "SET_ASIDE_PAGES", 3)
    monkeypatch.setattr(shorttexts, "SET_ASIDE_BYTES", 1000)
    assert not shorttexts.due([])
    assert not shorttexts.due([[page(10), page(10)]])
    assert shorttexts.due([[page(10)], [page(10), page(10)]])  # three pages
    assert not shorttexts.due([[page(999)]])
    assert shorttexts.due([[page(600)], [page(400)]])  # 1,000 bytes of bodies
    dropped = page(5000)
    dropped.fetch.drop_body()  # a body let go holds nothing
    assert not shorttexts.due([[dropped]])


def test_the_run_s_own_process_identifies_short_texts_as_the_identifying_process_would():
    """When the identifying process fails, the run's process identifies the texts itself, by
    the same function (language_job.identify_apart, its models bounded): the guesses of short
    texts of several languages are those of the identifying process; and the models it loaded
    for them (~0.66 GB here) are let go after, not kept for the rest of the run (round 30's
    fallback kept them, and langdetect's profiles). In a process of its own."""
    code = """
import json
from newsetl import language_job
from newsetl.run import shorttexts
import resource
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
jobs = [
    ("Die Regierung hat heute neue Regeln beschlossen.", None, 0),
    ("Le gouvernement a adopte de nouvelles regles.", None, 1),
    ("Il governo ha approvato nuove regole oggi.", None, 2),
    ("El gobierno aprobo hoy nuevas normas.", None, 3),
    ("De regering heeft vandaag nieuwe regels.", "nl", 4),
]
apart = shorttexts.Identification(jobs).result()
before = rss()
here = shorttexts.Identification(jobs, timeout_s=0.0).result()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
language_job.MAX_LOADED_LANGUAGES = 3  # the bound reached: models let go mid-way
bounded = shorttexts.Identification(jobs, timeout_s=0.0).result()
print(json.dumps([[[g.language, g.confidence, g.runner_up] for g in apart + here + bounded],
                  [before, peak, rss()]]))
"""
    import json

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "identifying them in the run's process" in done.stderr
    rows, (before, peak, after) = json.loads(done.stdout)
    apart, here, bounded = rows[:5], rows[5:10], rows[10:]
    assert here == apart == bounded
    assert [row[0] for row in here] == ["de", "fr", "it", "es", "nl"]
    assert peak - before > 200  # the short-text models were loaded here
    assert after - before < 100, (before, peak, after)  # and let go
