"""Stored translations looked up by their indexed key (migration 010), not by a table scan.

A real DuckDB warehouse file, rows written by the real loader, translations made by the real
deep-translator client against a LibreTranslate server on 127.0.0.1 (tests/libreserver.py).
The reference is the lookup this replaces (a ``contains`` of every stored source text in the
batch's texts), run here as plain SQL on the same file.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import duckdb
import pytest
from libreserver import serve
from oldschema import migrate_before

from newsetl.artefacts import analyse
from newsetl.settings import Settings
from newsetl.translate import (
    MAX_SPAN_KEYS,
    GlossaryTranslator,
    MemoryTranslator,
    memory_key,
    span_keys,
    translator_from_settings,
)
from newsetl.warehouse import Batch, load_pending, open_warehouse, stage_batch

TEXTS = [
    "Prosecutors opened a case for corruzione in atti giudiziari last spring.",
    "The mayor spoke about the degrado urbano of the outer districts on Monday.",
    "Police said the riciclaggio di denaro network had moved millions through shell companies.",
    "The minister defended the reddito di cittadinanza before parliament on Tuesday evening.",
    "Residents complained that the Raccolta  Differenziata had stopped for three weeks.",
]
HINT = {"it": "https://example.org/it/"}

#: The lookup before migration 010: every stored text whose loose key occurs in the texts.
_OLD_LOOKUP = (
    "SELECT source_language, target_language, source_text, translation FROM translation_memory"
    " WHERE contains(?, lower(regexp_replace(replace(trim(source_text), '\u2019', ''''),"
    " '[\\t\\n\\f\\r ]+', ' ', 'g')))"
)


class _AnyText(dict):
    """The server's table: it translates any text into English (the spans are what matters;
    the analysis may take an Italian span for Portuguese)."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and key[1] == "en"

    def __getitem__(self, key: tuple[str, str, str]) -> str:
        return f"EN[{key[2]}]"


@pytest.fixture
def libre():
    yield from serve(translations=_AnyText())


def _load(settings: Settings, rows: list[dict[str, Any]]) -> None:
    stage_batch(Batch(tables={"translation_memory": rows}), settings.staging_path)
    load_pending(settings)


def _noise(n: int) -> list[dict[str, Any]]:
    """Stored translations of made-up phrases that none of the texts holds."""
    rnd = random.Random(14)
    letters = "abcdefghilmnoprstuvz"
    rows, seen = [], set()
    while len(rows) < n:
        words = [
            "".join(rnd.choices(letters, k=rnd.randint(4, 9))) for _ in range(rnd.randint(1, 5))
        ]
        text = " ".join(words)
        if text in seen:
            continue
        seen.add(text)
        memory = MemoryTranslator()
        memory.remember(text, "it", "en", f"EN[{text}]", "test")
        rows += memory.new_entries
    return rows


def _findings(chain) -> list[tuple]:
    out = []
    for text in TEXTS:
        result = analyse(text, "en", translator=chain, alternates=HINT)
        out.append(
            (
                result.repaired_text,
                [(f.surface, f.replacement, f.status) for f in result.findings],
            )
        )
    return out


def test_keyed_lookup_gives_the_same_translations_as_the_scan(libre, tmp_path) -> None:
    url, handler = libre
    env = {"NEWSETL_TRANSLATOR": "libre", "NEWSETL_TRANSLATOR_URL": url}
    settings = Settings(db_path=tmp_path / "w.duckdb")
    open_warehouse(settings).close()

    first = translator_from_settings(env, glossary=GlossaryTranslator())
    made = _findings(first)
    asked = [r["q"] for r in handler.requests if "q" in r]
    assert len(asked) >= 4, handler.requests  # the provider translated the spans
    entries = first.memory.new_entries
    assert all(e["source_key"] == memory_key(e["source_text"]) for e in entries)
    # Rows the old scan also found that no span of the texts has: they start or end inside
    # a word (the analysis never asks for them).
    inside = [("it", "en", "orruzione in atti", "x"), ("it", "en", "he degrado", "x")]
    _load(settings, entries + _noise(3000))
    with duckdb.connect(str(settings.db_path)) as con:
        con.executemany(
            "INSERT INTO translation_memory (source_language, target_language, source_text,"
            " translation, source_key, source_words) VALUES (?, ?, ?, ?, ?, 2)",
            [(*row, memory_key(row[2])) for row in inside],
        )
        # A row a person inserted without the key: found by the old test, on such rows only.
        con.execute(
            "INSERT INTO translation_memory (source_language, target_language, source_text,"
            " translation, provider, created_at) VALUES ('it', 'en', 'shell  companies',"
            " 'EN[shell companies]', 'person', ?)",
            [datetime.now(UTC).replace(tzinfo=None)],
        )

    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        new = MemoryTranslator.stored_rows_for(con, TEXTS)
        haystack = "\n".join(memory_key(t) for t in TEXTS)
        old = [
            dict(
                zip(
                    ("source_language", "target_language", "source_text", "translation"),
                    r,
                    strict=True,
                )
            )
            for r in con.execute(_OLD_LOOKUP, [haystack]).fetchall()
        ]
    as_set = {tuple(r.values()) for r in new}
    assert len(as_set) == len(new) == len(entries) + 1
    assert {tuple(r.values()) for r in old} - as_set == set(inside)
    assert as_set <= {tuple(r.values()) for r in old}

    # A later batch with the same texts: the stored rows answer, the server is not asked.
    before = len(handler.requests)
    later = translator_from_settings(env, glossary=GlossaryTranslator())
    later.memory = later.memory.with_stored(new)
    assert _findings(later) == made
    assert len(handler.requests) == before and later.memory.new_entries == []


def test_rows_stored_before_migration_010_are_back_filled_and_found(tmp_path) -> None:
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:  # the warehouse as migration 009 left it
        migrate_before(con, 10)
        con.execute(
            "INSERT INTO translation_memory VALUES"
            " ('it', 'en', '  Degrado\tUrbano ', 'urban decay', 'old', now()),"
            " ('it', 'en', 'dell\u2019Emilia', 'of Emilia', 'old', now())"
        )
    con = open_warehouse(Settings(db_path=path))  # migrates to 010
    try:
        assert con.execute(
            "SELECT source_key, source_words FROM translation_memory ORDER BY 1"
        ).fetchall() == [("degrado urbano", 2), ("dell'emilia", 1)]
        indexes = con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()
        assert ("translation_memory_source_key",) in indexes
        rows = MemoryTranslator.stored_rows_for(
            con, ["Il degrado urbano della via Emilia.", "Le strade dell’Emilia."]
        )
    finally:
        con.close()
    assert sorted(r["translation"] for r in rows) == ["of Emilia", "urban decay"]


def test_span_keys_start_and_end_with_a_word() -> None:
    keys = span_keys(["Il «Degrado  urbano» dell’Emilia, 2024."], [1, 2])
    assert "degrado urbano" in keys and "dell'emilia" in keys  # one word, two letter runs
    assert "il «degrado" in keys and "urbano» dell'emilia" in keys  # spans punctuation
    assert not any(k.startswith("«") or k.endswith(("»", ",")) for k in keys)
    assert "egrado urbano" not in keys and "degrado urban" not in keys  # inside a word
    assert "degrado urbano» dell'emilia" not in keys  # three words: not asked for
    assert span_keys(["anything"], []) == set()


def test_the_lake_reader_finds_keyed_rows_and_rows_from_before_migration_010(tmp_path) -> None:
    """A DuckLake (catalog file, local data path): the columns are there without an index;
    a shard's reader (ConnectionReader at a pinned snapshot) finds rows by key, and rows a
    lake held before 010 (no key: the lake's schema step adds columns, it fills none)."""
    from newsetl.lake.connect import current_snapshot, open_lake
    from newsetl.lake.schema import migrate_lake
    from newsetl.run.reader import ConnectionReader

    settings = Settings(
        db_path=tmp_path / "unused.duckdb",
        warehouse_backend="ducklake",
        lake_catalog=str(tmp_path / "catalog.ducklake"),
        lake_data_path=str(tmp_path / "data") + "/",
    )
    con = open_lake(settings)
    try:
        migrate_lake(con, seeds=False)
        memory = MemoryTranslator()
        memory.remember("degrado urbano", "it", "en", "urban decay", "test")
        (keyed,) = memory.new_entries
        con.execute(
            "INSERT INTO translation_memory (source_language, target_language, source_text,"
            " translation, source_key, source_words) VALUES (?, ?, ?, ?, ?, ?)",
            [keyed[c] for c in ("source_language", "target_language", "source_text")]
            + [keyed[c] for c in ("translation", "source_key", "source_words")],
        )
        con.execute(
            "INSERT INTO translation_memory (source_language, target_language, source_text,"
            " translation) VALUES ('it', 'en', 'Raccolta Differenziata', 'recycling')"
        )
        snapshot = current_snapshot(con)
    finally:
        con.close()
    reader = ConnectionReader(settings, open_lake(settings, snapshot=snapshot))
    try:
        rows = reader.stored_translations(
            MemoryTranslator(), ["Il degrado urbano e la raccolta differenziata."]
        )
        none = reader.stored_translations(MemoryTranslator(), ["Niente da tradurre."])
    finally:
        reader.close()
    assert sorted(r["translation"] for r in rows) == ["recycling", "urban decay"]
    assert none == []


def test_long_texts_with_rows_of_many_lengths_are_matched_in_bounded_memory(tmp_path) -> None:
    """Span keys grow with the batch's words times the word counts stored rows have: two
    200,000-character pages against rows of 40 lengths would build ~2.6 million keys (~700 MB).
    Past ``MAX_SPAN_KEYS`` the batch is matched by the scan instead: the same rows, and
    memory that follows the texts."""
    import tracemalloc

    settings = Settings(db_path=tmp_path / "w.duckdb")
    open_warehouse(settings).close()
    rnd = random.Random(7)
    filler = " ".join(
        "".join(rnd.choices("abcdefghij", k=rnd.randint(2, 9))) for _ in range(33_000)
    )
    phrases = [
        " ".join("".join(rnd.choices("klmnopqrstuvz", k=8)) for _ in range(n)) for n in range(1, 41)
    ]
    memory = MemoryTranslator()
    for phrase in phrases:
        memory.remember(phrase, "it", "en", f"EN[{phrase}]", "test")
    _load(settings, memory.new_entries)
    texts = [f"{filler} {phrases[3]} {filler}", f"{phrases[39]}. {filler}"]
    assert sum(t.count(" ") + 1 for t in texts) * 40 > MAX_SPAN_KEYS  # the bounded path
    con = open_warehouse(settings)
    try:
        tracemalloc.start()
        rows = MemoryTranslator.stored_rows_for(con, texts)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    finally:
        con.close()
    assert sorted(r["source_text"] for r in rows) == sorted([phrases[3], phrases[39]])
    assert peak < 50 * 2**20, f"{peak / 2**20:.0f} MB"
