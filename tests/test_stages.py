"""The stage interface: a new analysis is one stage declaration (plus its table), and the
run, the loader and the summary pick it up from the stage list."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import duckdb

from newsetl import stages
from newsetl.ingest import run_ingest
from newsetl.runs import summary_metrics
from newsetl.settings import Settings
from newsetl.stages import Stage
from newsetl.warehouse import Merge, open_warehouse

#: the test stage's table, created by the test's own SQL (no migration of ours has it)
WORDS_SQL = """
CREATE TABLE test_word_counts (
    article_id VARCHAR PRIMARY KEY,
    words      BIGINT,
    run_id     VARCHAR
)
"""


@dataclass(frozen=True)
class WordCount(Stage):
    """Counts the words of each article: the smallest analysis there is."""

    def apply(self, item, article, batch, stats, run_id, options) -> None:
        words = len(article["text"].split())
        batch.add(
            "test_word_counts",
            {"article_id": article["article_id"], "words": words, "run_id": run_id},
        )
        stats.add("test_words", words)


WORD_COUNT = WordCount(
    name="word-count",
    tables=(("test_word_counts", Merge(key=("article_id",))),),
    metrics=(("test_words", "test_words"),),
    counters=("test_words",),
)


def test_the_built_in_declarations_come_from_the_stage_list():
    assert [s.name for s in stages.STAGES] == ["extraction", "language", "repair", "entities"]
    assert stages.LOAD_ORDER == (
        "articles",
        "pages",
        "page_bodies",
        "fetches",
        "artefacts",
        "article_language_spans",
        "translation_memory",
        "runs",
    )
    assert set(stages.WRITE_DISPOSITIONS) == set(stages.LOAD_ORDER)
    assert stages.EXTRA_LOADERS == {"entity_documents": "newsetl.pipeline:load_entity_documents"}
    assert stages.AFTER_LOAD["entity_documents"][1] == "story_clusters"
    metrics = summary_metrics()
    assert metrics.index("artefacts_found") < metrics.index("entities") < metrics.index("languages")
    assert [s.name for s in stages.article_stages(Settings(repair=False))] == ["entities"]


def test_a_registered_stage_is_run_and_its_rows_are_loaded(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSETL_TRANSLATOR", "none")
    settings = Settings(
        db_path=tmp_path / "w.duckdb",
        per_host_interval_s=0.0,
        workers=1,
        page_timeout_s=0,  # the test's stage class lives in this module: analyse in-process
        repair=False,
        entities=False,
    )
    con = open_warehouse(settings)
    con.execute(WORDS_SQL)
    con.close()
    stages.register(WORD_COUNT)
    try:
        assert "test_word_counts" in stages.WRITE_DISPOSITIONS  # derived, in place
        assert "test_words" in summary_metrics()
        summary = run_ingest(None, settings)
        table = {row["metric"]: row["value"] for row in summary.table()}
    finally:
        stages.unregister(WORD_COUNT)
    assert "test_word_counts" not in stages.WRITE_DISPOSITIONS
    assert summary.status == "completed", summary.stats.failures
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        rows: list[Any] = con.execute(
            "SELECT w.words, a.text, w.run_id FROM test_word_counts w "
            "JOIN articles a USING (article_id)"
        ).fetchall()
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        runs = con.execute("SELECT count(*) FROM runs").fetchone()[0]
    assert len(rows) == articles == summary.stats.articles > 0
    assert all(words == len(text.split()) and run == summary.run_id for words, text, run in rows)
    assert runs == 1  # the run record loads although its row has a metric with no column
    total = sum(words for words, _, _ in rows)
    assert summary.stats.count("test_words") == total
    assert table["test_words"] == str(total)


#: (stage:part, thread id) in the order the warm-up test's stages were warmed
WARMED: list[tuple[str, int]] = []


@dataclass(frozen=True)
class NativeWarm(Stage):
    """A stage with a native part (as the language and repair stages have)."""

    def warm_up_native(self) -> None:
        WARMED.append((f"{self.name}:native", threading.get_ident()))

    def warm_up(self) -> None:
        WARMED.append((self.name, threading.get_ident()))


@dataclass(frozen=True)
class PythonWarm(Stage):
    def warm_up(self) -> None:
        WARMED.append((self.name, threading.get_ident()))


@dataclass(frozen=True)
class FailingNative(Stage):
    def warm_up_native(self) -> None:
        raise RuntimeError("no models here")

    def warm_up(self) -> None:
        WARMED.append((self.name, threading.get_ident()))


def test_warm_ups_run_in_the_calling_thread_native_parts_first(monkeypatch):
    """lingua's model loading holds the GIL (round 8), so a thread of its own never ran beside
    the Python warm-ups: every part runs in the caller's thread, the native parts first,
    each group in the stages' order. A failing native part is not fatal (the stage's own
    warm-up loads it); a stage left out (``analysis=False``: stage 1 only) is not warmed."""
    WARMED.clear()
    monkeypatch.setattr(
        stages,
        "STAGES",
        [
            PythonWarm(name="first", kind="extract"),
            NativeWarm(name="native-a", kind="extract"),
            FailingNative(name="failing", kind="extract"),
            NativeWarm(name="skipped"),  # an analysis stage: not warmed for stage 1
            NativeWarm(name="native-b", kind="extract"),
        ],
    )
    stages.warm_up(analysis=False)
    assert [name for name, _ in WARMED] == [
        "native-a:native",
        "native-b:native",
        "first",
        "native-a",
        "failing",
        "native-b",
    ]
    assert {thread for _, thread in WARMED} == {threading.get_ident()}


def test_the_warm_up_settles_after_each_part_before_the_helpers_fork(monkeypatch):
    """``settle`` (the fork server freezes there what a part loaded) runs after each group's
    native parts and after each stage's Python warm-up, and before each helper's fork."""
    WARMED.clear()
    monkeypatch.setattr(
        stages,
        "STAGES",
        [
            NativeWarm(name="extraction", kind="extract"),
            NativeWarm(name="language", kind="extract"),
            NativeWarm(name="repair"),
            PythonWarm(name="entities"),
        ],
    )
    monkeypatch.setattr(stages, "EXTRACTION", stages.STAGES[0])
    here = threading.get_ident()
    stages.warm_up(
        analysis=True,
        extraction_ready=lambda: WARMED.append(("fork first helper", here)),
        language_ready=lambda: WARMED.append(("fork second helper", here)),
        settle=lambda: WARMED.append(("settle", here)),
    )
    assert [name for name, _ in WARMED] == [
        "extraction:native",
        "settle",
        "extraction",
        "settle",
        "fork first helper",
        "language:native",
        "settle",
        "language",
        "settle",
        "fork second helper",
        "repair:native",
        "settle",
        "repair",
        "settle",
        "entities",
        "settle",
    ]


def test_a_settled_part_is_frozen_and_its_young_garbage_collected():
    """What a warm-up part keeps is frozen (never scanned by the collector again: 0.23-0.28 s
    of the analyses' warm-up went to scanning it), and its cyclic garbage is collected first,
    not frozen with it."""
    import gc
    import weakref

    from newsetl.workers import settle_warm_part

    class Node:
        pass

    kept, garbage = Node(), Node()
    kept.me = kept  # a cycle the part keeps
    garbage.me = garbage  # a cycle the part dropped
    gone = weakref.ref(garbage)
    del garbage
    before = gc.get_freeze_count()
    try:
        settle_warm_part()
        assert gone() is None
        assert gc.get_freeze_count() > before
        assert not any(obj is kept for obj in gc.get_objects())  # frozen: not in a generation
    finally:
        gc.unfreeze()
    assert any(obj is kept for obj in gc.get_objects())


def test_stage_one_warm_up_reads_the_public_suffix_list():
    """Every page's rows ask for their site (the Public Suffix List, ~0.1 s to read): the fork
    server reads it once, so no worker reads it again on its first page."""
    from newsetl import urls

    urls._public_suffix_list.cache_clear()
    stages.warm_up(analysis=False)
    assert urls._public_suffix_list.cache_info().currsize == 1
