"""Translator backends: glossary, memory, chain, and deep-translator against a local server.

The provider path is tested against a real HTTP server on 127.0.0.1 that speaks the
LibreTranslate protocol (POST /translate with q/source/target/api_key, GET /languages), used
through the real ``deep_translator.LibreTranslator`` client inside our backend.
"""

from __future__ import annotations

import time

import duckdb
import pytest
from libreserver import SPAN, serve

from newsetl.artefacts import APPLIED, PENDING, analyse
from newsetl.translate import (
    ChainTranslator,
    DeepTranslatorBackend,
    GlossaryTranslator,
    MemoryTranslator,
    Translator,
    bundled_glossary_path,
    translator_from_settings,
)

TEXT = f"Prosecutors opened a case for {SPAN} last spring."


@pytest.fixture
def libre():
    yield from serve(0.0)


@pytest.fixture
def hanging_libre():
    yield from serve(3.0)


# --- provider path ----------------------------------------------------------------------------
def test_libre_backend_translates_through_deep_translator(libre) -> None:
    url, handler = libre
    backend = DeepTranslatorBackend("libre", url=url, api_key="k", timeout=5)
    assert isinstance(backend, Translator)
    assert backend.translate(SPAN, "it", "en") == "judicial bribery"
    assert handler.requests[-1]["q"] == SPAN and handler.requests[-1]["api_key"] == "k"


def test_analyse_repairs_span_via_local_libretranslate_and_remembers_it(libre) -> None:
    url, handler = libre
    env = {
        "NEWSETL_TRANSLATOR": "libre",
        "NEWSETL_TRANSLATOR_URL": url,
        "NEWSETL_TRANSLATOR_TIMEOUT": "5",
    }
    chain = translator_from_settings(env, glossary=GlossaryTranslator())
    # The page names its Italian original (hreflang): a provider's translation may be applied.
    hint = {"it": "https://example.org/it/"}
    result = analyse(TEXT, "en", translator=chain, alternates=hint)
    (finding,) = result.findings
    assert finding.status == APPLIED and finding.replacement == "judicial bribery"
    assert result.repaired_text == "Prosecutors opened a case for judicial bribery last spring."
    (entry,) = chain.memory.new_entries
    assert entry["source_text"] == SPAN and entry["provider"] == "deep-translator:libre"
    # Second time the memory answers; the server is not asked again.
    before = len(handler.requests)
    again = analyse(TEXT, "en", translator=chain, alternates=hint)
    assert again.repaired_text == result.repaired_text and len(handler.requests) == before


def test_hanging_server_leaves_findings_pending_quickly(hanging_libre) -> None:
    url, _ = hanging_libre
    backend = DeepTranslatorBackend("libre", url=url, api_key="k", timeout=0.3, cooldown=60)
    chain = ChainTranslator(provider=backend)
    text = TEXT + " Officials denied any riciclaggio di denaro in the port."
    t0 = time.perf_counter()
    result = analyse(text, "en", translator=chain)
    elapsed = time.perf_counter() - t0
    spans = [f for f in result.findings if f.kind == "untranslated_span"]
    assert len(spans) == 2 and all(f.status == PENDING for f in spans)
    assert result.repaired_text == text
    # One timeout, then the cooldown answers "unavailable" at once for the second span.
    assert elapsed < 1.5, elapsed
    assert not backend.available


def test_unreachable_server_returns_none() -> None:
    backend = DeepTranslatorBackend("libre", url="http://127.0.0.1:9/", timeout=2)
    assert backend.translate(SPAN, "it", "en") is None


def test_unknown_provider_is_rejected() -> None:
    with pytest.raises(ValueError):
        DeepTranslatorBackend("babelfish")


# --- glossary, memory, chain ------------------------------------------------------------------
def test_bundled_glossary_loads_and_matches_case_insensitively() -> None:
    path = bundled_glossary_path()
    assert path is not None and path.name == "glossary.csv"
    glossary = GlossaryTranslator([path])
    assert len(glossary) > 20
    assert glossary.translate("Riciclaggio di Denaro", "it", "en") == "Money laundering"
    assert glossary.translate("riciclaggio di denaro", "it", "de") is None


def test_user_glossary_file_extends_the_bundled_one(tmp_path, monkeypatch) -> None:
    extra = tmp_path / "mine.csv"
    extra.write_text(
        "source_language,target_language,source_text,translation\n"
        "it,en,corruzione in atti giudiziari,judicial corruption\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("NEWSETL_GLOSSARY_FILES", str(extra))
    glossary = GlossaryTranslator.default()
    assert glossary.translate(SPAN, "it", "en") == "judicial corruption"
    assert glossary.translate("lavado de dinero", "es", "en") == "money laundering"


def test_memory_loads_from_duckdb_table() -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE translation_memory (source_language VARCHAR, target_language VARCHAR, "
        "source_text VARCHAR, translation VARCHAR, provider VARCHAR, created_at TIMESTAMP)"
    )
    con.execute(
        "INSERT INTO translation_memory VALUES ('it', 'en', 'degrado urbano', 'urban decay', "
        "'glossary', now())"
    )
    memory = MemoryTranslator.from_duckdb(con)
    assert memory.translate("Degrado urbano", "it", "en") == "Urban decay"
    assert MemoryTranslator.from_duckdb(duckdb.connect()).translate("x", "it", "en") is None


def test_chain_order_memory_then_glossary_then_provider() -> None:
    class Provider:
        name = "fake-provider"
        calls = 0

        def translate(self, text, source, target):
            Provider.calls += 1
            return "from provider"

    memory = MemoryTranslator(
        [
            {
                "source_language": "it",
                "target_language": "en",
                "source_text": "ciao",
                "translation": "hi (memory)",
            }
        ]
    )
    glossary = GlossaryTranslator(
        entries=[
            {
                "source_language": "it",
                "target_language": "en",
                "source_text": "grazie",
                "translation": "thanks",
            }
        ]
    )
    chain = ChainTranslator(memory, glossary, Provider())
    assert chain.translate("ciao", "it", "en") == "hi (memory)"
    assert chain.translate("grazie", "it", "en") == "thanks"
    assert Provider.calls == 0
    assert chain.translate("prego", "it", "en") == "from provider"
    assert chain.translate("prego", "it", "en") == "from provider"
    assert Provider.calls == 1  # remembered after the first call
    assert [e["source_text"] for e in memory.new_entries] == ["prego"]


def test_settings_none_means_offline_chain_without_provider() -> None:
    chain = translator_from_settings({"NEWSETL_TRANSLATOR": "none"})
    assert chain.provider is None and chain.glossary is not None
    default = translator_from_settings({})
    assert default.provider is None  # offline unless a provider is configured
    google = translator_from_settings({"NEWSETL_TRANSLATOR": "google"})
    assert isinstance(google.provider, DeepTranslatorBackend)
    assert google.provider.provider == "google" and google.provider.timeout == 5.0


def test_translations_made_in_a_worker_process_reach_the_run(libre, tmp_path) -> None:
    """Stage 2 in a process pool: the worker's translator copy calls the provider, and the
    new memory entry comes back to the run (which stages it for translation_memory)."""
    from newsetl.downloads import Fetcher
    from newsetl.ingest import analyse_and_stage, open_run
    from newsetl.pipeline import fetch_and_extract
    from newsetl.settings import Settings
    from newsetl.sources import expand_sources
    from newsetl.warehouse import pending_batches
    from newsetl.workers import process_pool

    url, handler = libre
    page = tmp_path / "site" / "case.html"
    page.parent.mkdir()
    body = " ".join([TEXT] + ["The court heard three witnesses on Tuesday morning."] * 5)
    page.write_text(
        "<html lang='en'><head><link rel='alternate' hreflang='it'"
        " href='https://example.org/it/case.html'></head>"
        f"<body><article><p>{body}</p></article></body></html>"
    )
    settings = Settings(
        db_path=tmp_path / "w.duckdb", workers=2, process_pool_min_pages=1, per_host_interval_s=0
    )
    ctx = open_run(settings)
    env = {"NEWSETL_TRANSLATOR": "libre", "NEWSETL_TRANSLATOR_URL": url}
    ctx.translator = translator_from_settings(env, glossary=GlossaryTranslator())
    try:
        with Fetcher(settings) as fetcher:
            items = fetch_and_extract(expand_sources([str(page)], fetcher).targets, fetcher)
        with process_pool(settings, len(items)) as pool:
            assert pool is not None
            stats = analyse_and_stage(items, ctx, None, executor=pool, index=0)
    finally:
        ctx.close()
    assert stats.artefacts_applied == 1
    assert [r["q"] for r in handler.requests if "q" in r] == [SPAN]  # asked by the worker
    (entry,) = ctx.translator.memory.new_entries
    assert entry["source_text"] == SPAN and entry["translation"] == "judicial bribery"
    (staged,) = pending_batches(settings.staging_path)
    artefacts = duckdb.sql(f"SELECT replacement, status FROM '{staged}/artefacts.parquet'")
    assert artefacts.fetchall() == [("judicial bribery", "applied")]


@pytest.mark.parametrize(
    "answer",
    [
        "MYMEMORY WARNING: YOU USED ALL AVAILABLE FREE TRANSLATIONS FOR TODAY. NEXT AVAILABLE IN "
        "10 HOURS 20 MINUTES",
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        "judicial bribery " * 40,
        "judicial\nbribery",
    ],
)
def test_an_implausible_provider_answer_is_neither_applied_nor_remembered(answer) -> None:
    """A provider answers what it answers (a quota notice with HTTP 200, an error page, a
    runaway): such an answer leaves the finding pending, the text as it was, and the memory
    without it; a plausible one is still taken."""
    gen = serve(0.0, {("it", "en", SPAN): answer, ("it", "en", "ciao"): "hello"})
    url, handler = next(gen)
    try:
        backend = DeepTranslatorBackend("libre", url=url, api_key="k", timeout=5)
        chain = ChainTranslator(glossary=GlossaryTranslator(), provider=backend)
        result = analyse(TEXT, "en", translator=chain, alternates={"it": "https://example.org/it/"})
        (finding,) = result.findings
        assert handler.requests and handler.requests[-1]["q"] == SPAN  # the server was asked
        assert finding.status == PENDING and finding.replacement is None
        assert result.repaired_text == TEXT
        assert not chain.memory.new_entries
        assert chain.translate("ciao", "it", "en") == "hello"
    finally:
        gen.close()


def test_an_implausible_memory_entry_is_not_applied() -> None:
    """The translation memory may hold answers stored before they were checked (a quota
    notice, an error page): such an entry is not applied, the finding stays pending, and a
    plausible provider answer is taken instead."""
    notice = "MYMEMORY WARNING: YOU USED ALL AVAILABLE FREE TRANSLATIONS FOR TODAY"
    row = {"source_language": "it", "target_language": "en", "source_text": SPAN}
    memory = MemoryTranslator([{**row, "translation": notice}])
    chain = ChainTranslator(memory, GlossaryTranslator())
    result = analyse(TEXT, "en", translator=chain, alternates={"it": "https://example.org/it/"})
    (finding,) = result.findings
    assert finding.status == PENDING and finding.replacement is None
    assert result.repaired_text == TEXT

    class Provider:
        name = "fake-provider"

        def translate(self, text, source, target):
            return "judicial bribery"

    chain = ChainTranslator(MemoryTranslator([{**row, "translation": notice}]), None, Provider())
    assert chain.translate_with_origin(SPAN, "it", "en") == ("judicial bribery", "fake-provider")
    good = MemoryTranslator([{**row, "translation": "judicial bribery"}])
    assert ChainTranslator(good).translate_with_origin(SPAN, "it", "en") == (
        "judicial bribery",
        "memory",
    )
