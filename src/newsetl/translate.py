"""Translators used to repair untranslated spans: memory, glossary, online providers, chains.

Why several backends behind one tiny interface: most untranslated spans in machine-translated
news are recurring terms ("riciclaggio di denaro"), so a translation memory and a curated
glossary answer the bulk offline and reproducibly; an online provider (deep-translator) is only
the fallback, and every result it gives is remembered so it is paid for once. A translator
returns ``None`` when it cannot help; callers then leave the finding "pending". Nothing here
raises into the pipeline and nothing blocks longer than the configured timeout.

Settings (environment variables, read by :func:`translator_from_settings`):

``NEWSETL_TRANSLATOR``
    ``none`` (default: offline, memory and glossary only), ``google``, ``deepl``, ``microsoft``
    or ``libre``. A provider sends article text to a third party, so it is opt-in: no default
    run makes a connection the user did not configure.
``NEWSETL_TRANSLATOR_KEY``
    API key for deepl / microsoft / libre (libre accepts any non-empty key on self-hosted
    servers without keys; a dummy is used when unset).
``NEWSETL_TRANSLATOR_URL``
    Base URL of a self-hosted LibreTranslate server (e.g. ``http://127.0.0.1:5000/``).
``NEWSETL_TRANSLATOR_TIMEOUT``
    Seconds per provider call (default 5). After a failure the provider is skipped for
    ``NEWSETL_TRANSLATOR_COOLDOWN`` seconds (default 60) so a dead server costs one timeout.
``NEWSETL_GLOSSARY_FILES``
    Extra glossary CSV files (``os.pathsep``-separated), same columns as the bundled seed.
"""

from __future__ import annotations

import csv
import logging
import os
import queue
import re
import threading
import time
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from itertools import compress
from operator import sub
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from newsetl.settings import Settings

log = logging.getLogger(__name__)

GLOSSARY_COLUMNS = ("source_language", "target_language", "source_text", "translation")
MEMORY_COLUMNS = (
    "source_language",
    "target_language",
    "source_text",
    "translation",
    "provider",
    "created_at",
    "source_key",
    "source_words",
)
PROVIDERS = ("google", "deepl", "microsoft", "libre")


@runtime_checkable
class Translator(Protocol):
    """Anything that can translate a short span; ``None`` means cannot / unavailable."""

    name: str

    def translate(self, text: str, source: str, target: str) -> str | None: ...


def _key(text: str) -> str:
    """Lookup key: case- and whitespace-insensitive, apostrophes unified."""
    return " ".join(text.replace("’", "'").casefold().split())


#: :func:`memory_key` of ``source_text`` in DuckDB SQL (RE2's ``\s`` is ``[\t\n\f\r ]``);
#: migration 010 back-fills ``translation_memory.source_key`` with the same expression.
_MEMORY_KEY_SQL = (
    "lower(trim(regexp_replace(replace(source_text, '\u2019', ''''),"
    " '[\\t\\n\\f\\r ]+', ' ', 'g')))"
)
_ASCII_SPACE = re.compile(r"[\t\n\f\r ]+")
#: A letter run: what a span the analysis translates starts and ends with (its tokens are
#: letters joined by apostrophes and hyphens, newsetl.artefacts.tokens.WORD).
_LETTERS = re.compile(r"[^\W\d_]+")


def memory_key(text: str) -> str:
    """The indexed lookup key of a translation memory row (``source_key``): lower-cased,
    typographic apostrophe unified, each run of ASCII white space one space, trimmed.

    Why not :func:`_key` (casefold, all Unicode white space): the key of the rows stored
    before migration 010 is computed by DuckDB, which has neither; this one is the same in
    both (the looser :func:`_key` then decides, in memory, which row answers a span)."""
    return _ASCII_SPACE.sub(" ", text.replace("\u2019", "'")).strip(" ").lower()


def key_words(key: str) -> int:
    """``source_words`` of a key: its space-separated words (counted so by migration 010)."""
    return key.count(" ") + 1


#: Span keys a batch may build (its words times the word counts stored rows have; ~260 bytes
#: each measured on 200,000-character texts). Beyond it (long pages and rows of many lengths:
#: 1.3 million keys and 340 MB for ONE such text with 40 lengths), the batch's rows are found
#: by the scan of the stored keys in its texts instead: the same rows (and a few it never
#: asks for), in memory bounded by the texts.
MAX_SPAN_KEYS = 500_000


def span_keys(texts: Iterable[str], word_counts: Iterable[int]) -> set[str]:
    """Every :func:`memory_key` a span of ``texts`` with one of ``word_counts`` words can
    have: each stretch of a text's key from the start of a letter run to the end of one.

    Why: the analysis only ever translates spans that start and end with a word (its tokens
    are letter runs joined by apostrophes or hyphens), so a stored row it can ask for has one
    of these keys; looking the keys up costs what the batch costs, not what the table
    holds. Only the word counts stored rows have are built (the longest bounds the
    work per word)."""
    wanted = {n for n in word_counts if n and n > 0}
    if not wanted:
        return set()
    longest = max(wanted)
    gaps_wanted = {n - 1 for n in wanted}
    keys: set[str] = set()
    for text in texts:
        norm = memory_key(text)
        starts: list[int] = []
        ends: list[int] = []
        spaces: list[int] = []  # spaces before each run: a span's words are the difference + 1
        seen, at = 0, 0
        for m in _LETTERS.finditer(norm):
            start = m.start()
            seen += norm.count(" ", at, start)
            at = m.end()
            starts.append(start)
            ends.append(at)
            spaces.append(seen)
        # Spans of d + 1 letter runs, for d = 0, 1, ...: one pass of C-level maps each (a
        # loop over pairs in Python costs three times as much).
        for d in range(len(starts)):
            gaps = list(map(sub, spaces[d:], spaces))  # each span's words - 1
            if min(gaps) >= longest:
                break
            spans = map(norm.__getitem__, map(slice, starts, ends[d:]))
            keys.update(compress(spans, map(gaps_wanted.__contains__, gaps)))
    return keys


def duckdb_errors() -> tuple[type[Exception], ...]:
    """The errors a query on a table that may not exist yet raises."""
    import duckdb

    return (duckdb.Error,)


def _match_case(original: str, translation: str) -> str:
    """Carry a leading capital over ("Riciclaggio di denaro" -> "Money laundering")."""
    if original[:1].isupper() and translation[:1].islower():
        return translation[:1].upper() + translation[1:]
    return translation


# --- Glossary --------------------------------------------------------------------------------
def bundled_glossary_path() -> Path | None:
    """The glossary seed shipped with the project (source tree or installed wheel)."""
    here = Path(__file__).resolve().parent
    for candidate in (
        here / "_warehouse" / "seeds" / "glossary.csv",  # installed wheel (force-include)
        here.parents[1] / "warehouse" / "seeds" / "glossary.csv",  # source checkout
    ):
        if candidate.is_file():
            return candidate
    return None


class GlossaryTranslator:
    """Curated term translations from CSV files (bundled seed plus user files)."""

    name = "glossary"

    def __init__(self, paths: Iterable[str | Path] = (), entries: Iterable[Mapping] = ()):
        self._table: dict[tuple[str, str, str], str] = {}
        for path in paths:
            self.load(path)
        for row in entries:
            self.add(
                row["source_language"],
                row["target_language"],
                row["source_text"],
                row["translation"],
            )

    @classmethod
    def default(cls, extra_files: str | None = None) -> GlossaryTranslator:
        """Bundled glossary plus ``NEWSETL_GLOSSARY_FILES`` (or ``extra_files``)."""
        paths: list[str | Path] = []
        bundled = bundled_glossary_path()
        if bundled:
            paths.append(bundled)
        extra = (
            extra_files if extra_files is not None else Settings.field_from_env("glossary_files")
        )
        paths += [p for p in extra.split(os.pathsep) if p.strip()]
        return cls(paths)

    def load(self, path: str | Path) -> int:
        """Add every row of a glossary CSV; returns the number of rows read."""
        n = 0
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if not row.get("source_text") or not row.get("translation"):
                    continue
                self.add(
                    row["source_language"],
                    row["target_language"],
                    row["source_text"],
                    row["translation"],
                )
                n += 1
        return n

    def add(self, source: str, target: str, text: str, translation: str) -> None:
        self._table[(source.strip().lower(), target.strip().lower(), _key(text))] = (
            translation.strip()
        )

    def __len__(self) -> int:
        return len(self._table)

    def translate(self, text: str, source: str, target: str) -> str | None:
        found = self._table.get((source, target, _key(text)))
        return _match_case(text.strip(), found) if found else None


def _rows_with_keys(con: Any, keys: Collection[str]) -> list[tuple]:
    """The ``translation_memory`` rows whose ``source_key`` is one of ``keys``.

    The keys reach DuckDB as an Arrow table: a list parameter of 60,000 strings takes DuckDB
    about 1.5 s to convert, an Arrow column about a millisecond."""
    import pyarrow as pa

    name = f"_span_keys_{threading.get_ident()}"
    con.register(name, pa.table({"key": pa.array(list(keys), pa.string())}))
    try:
        return con.execute(
            "SELECT source_language, target_language, source_text, translation "
            f"FROM translation_memory WHERE source_key IN (SELECT key FROM {name})"
        ).fetchall()
    finally:
        con.unregister(name)


# --- Translation memory ----------------------------------------------------------------------
class MemoryTranslator:
    """Every translation made so far, preloaded from DuckDB's ``translation_memory`` table.

    The analysing code never writes to DuckDB: new translations are collected in
    ``new_entries`` (dicts with the table's columns) for the single warehouse writer.
    """

    name = "memory"

    def __init__(self, entries: Iterable[Mapping] = ()):
        self._lock = threading.Lock()
        self._table: dict[tuple[str, str, str], str] = {}
        self.new_entries: list[dict[str, Any]] = []
        for row in entries:
            self._table[
                (row["source_language"], row["target_language"], _key(row["source_text"]))
            ] = row["translation"]

    @classmethod
    def from_duckdb(cls, con: Any) -> MemoryTranslator:
        """Load the table from an open DuckDB connection (empty if the table is missing)."""
        try:
            rows = con.execute(
                "SELECT source_language, target_language, source_text, translation "
                "FROM translation_memory"
            ).fetchall()
        except Exception as exc:  # table not migrated yet: start empty
            log.info("translation_memory not available: %s", exc)
            rows = []
        return cls(dict(zip(GLOSSARY_COLUMNS, row, strict=True)) for row in rows)

    @staticmethod
    def stored_rows_for(con: Any, texts: Iterable[str]) -> list[dict[str, Any]]:
        """The ``translation_memory`` rows a batch with ``texts`` may ask for: those whose
        key (:func:`memory_key`) is the key of a span of them (:func:`span_keys`).

        Why not the whole table: it grows with every run, and a copy of the memory travels
        with each batch to a worker process. Every span the analysis translates is a span of
        the text it analyses, starting and ending with a word, so a row whose key is no such
        span's is never asked for. The keys are matched against ``source_key`` (migration
        010) in one hash join, so the cost follows the batch, not the table, but for DuckDB
        reading the key column (0.13 s per 25 texts at 1,000 rows, 0.18 s at 100,000; it
        was a ``contains`` of every stored text in the texts: 5.6 s at 100,000 rows). Rows
        without a key (a lake's rows from before migration 010, rows a person inserted) are
        still found by that test, on those rows only."""
        texts = [text for text in texts if text]
        try:
            total, unkeyed, counts = con.execute(
                "SELECT count(*), count(*) FILTER (WHERE source_key IS NULL),"
                " list(DISTINCT source_words) FROM translation_memory"
            ).fetchone()
            if not total or not texts:
                return []  # the offline default: only an online provider adds rows
            rows = []
            wanted = [n for n in counts or () if n and n > 0]
            words = sum(text.count(" ") + 1 for text in texts)
            if words * len(wanted) > MAX_SPAN_KEYS:
                unkeyed = total  # long texts: the scan below finds the same rows in bounded memory
            elif keys := span_keys(texts, wanted):
                rows += _rows_with_keys(con, keys)
            if unkeyed:
                scanned = "true" if unkeyed == total else "source_key IS NULL"
                haystack = "\n".join(memory_key(text) for text in texts)
                rows += con.execute(
                    "SELECT source_language, target_language, source_text, translation "
                    f"FROM translation_memory WHERE {scanned} "
                    f"AND contains(?, {_MEMORY_KEY_SQL})",
                    [haystack],
                ).fetchall()
        except duckdb_errors() as exc:  # table not migrated yet: nothing stored
            log.info("translation_memory not available: %s", exc)
            return []
        return [dict(zip(GLOSSARY_COLUMNS, row, strict=True)) for row in rows]

    def with_stored(self, rows: Iterable[Mapping]) -> MemoryTranslator:
        """A copy of this memory (its table and new entries) that also knows the stored
        ``rows`` (not new: they are in the warehouse already); a stored row wins its key."""
        copy = MemoryTranslator(rows)
        with self._lock:
            copy._table = {**self._table, **copy._table}
            copy.new_entries = list(self.new_entries)
        return copy

    def translate(self, text: str, source: str, target: str) -> str | None:
        with self._lock:
            found = self._table.get((source, target, _key(text)))
        return _match_case(text.strip(), found) if found else None

    def remember(
        self, text: str, source: str, target: str, translation: str, provider: str
    ) -> None:
        """Record a translation made by another backend (once per key)."""
        key = (source, target, _key(text))
        stored = memory_key(text)
        with self._lock:
            if key in self._table:
                return
            self._table[key] = translation
            self.new_entries.append(
                {
                    "source_language": source,
                    "target_language": target,
                    "source_text": text.strip(),
                    "translation": translation,
                    "provider": provider,
                    "created_at": datetime.now(UTC).replace(tzinfo=None),
                    "source_key": stored,
                    "source_words": key_words(stored),
                }
            )

    def absorb(self, entries: Iterable[Mapping]) -> None:
        """Take the new entries a copy of this memory made in a worker process (once per key)."""
        for e in entries:
            key = (e["source_language"], e["target_language"], _key(e["source_text"]))
            with self._lock:
                if key in self._table:
                    continue
                self._table[key] = e["translation"]
                self.new_entries.append(dict(e))

    def __len__(self) -> int:
        return len(self._table)

    # A copy travels to worker processes with each batch; a lock does not pickle. The copy is
    # taken under the lock: the pool pickles on a background thread while this process may
    # be absorbing another batch's entries.
    def __getstate__(self) -> dict[str, Any]:
        with self._lock:
            return {
                "_table": dict(self._table),
                "new_entries": list(self.new_entries),
                **{
                    k: v
                    for k, v in self.__dict__.items()
                    if k not in ("_lock", "_table", "new_entries")
                },
            }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()


# --- Online providers ------------------------------------------------------------------------
class DeepTranslatorBackend:
    """deep-translator providers with a hard deadline per call and a failure cooldown.

    deep-translator's HTTP calls have no timeout, so each call runs in a daemon worker
    thread that the caller stops waiting for at the deadline (a daemon thread never keeps
    the process alive). After a failure or timeout the backend reports "unavailable"
    (``None``) without trying again until the cooldown has passed.
    """

    def __init__(
        self,
        provider: str = "google",
        *,
        api_key: str | None = None,
        url: str | None = None,
        timeout: float = 5.0,
        cooldown: float = 60.0,
    ):
        if provider not in PROVIDERS:
            raise ValueError(f"unknown translation provider {provider!r}; use one of {PROVIDERS}")
        self.provider = provider
        self.name = f"deep-translator:{provider}"
        self.api_key = api_key
        self.url = url
        self.timeout = timeout
        self.cooldown = cooldown
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    # A copy travels to worker processes; its cooldown starts afresh there (monotonic clocks
    # are per process), and a lock does not pickle.
    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k != "_lock"}
        state["_down_until"] = 0.0
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _client(self, source: str, target: str):
        """Build the deep-translator client (cheap, no network)."""
        import deep_translator as dt

        if self.provider == "google":
            return dt.GoogleTranslator(source=source, target=target)
        if self.provider == "deepl":
            return dt.DeeplTranslator(
                source=source, target=target, api_key=self.api_key, use_free_api=True
            )
        if self.provider == "microsoft":
            return dt.MicrosoftTranslator(source=source, target=target, api_key=self.api_key)
        url = self.url or "http://127.0.0.1:5000/"
        return dt.LibreTranslator(
            source=source, target=target, api_key=self.api_key or "unused", custom_url=_slash(url)
        )

    def translate(self, text: str, source: str, target: str) -> str | None:
        if not self.available:
            return None
        box: queue.Queue = queue.Queue(maxsize=1)

        def work() -> None:
            try:
                box.put(("ok", self._client(source, target).translate(text)))
            except Exception as exc:  # any provider failure is "unavailable"
                box.put(("error", exc))

        threading.Thread(target=work, name=f"translate-{self.provider}", daemon=True).start()
        try:
            status, value = box.get(timeout=self.timeout)
        except queue.Empty:
            log.warning("%s timed out after %.1fs", self.name, self.timeout)
            self._fail()
            return None
        if status == "error":
            log.warning("%s failed: %s", self.name, value)
            self._fail()
            return None
        return value if isinstance(value, str) and value.strip() else None

    def _fail(self) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self.cooldown


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


# --- Chain -----------------------------------------------------------------------------------
class ChainTranslator:
    """memory -> glossary -> provider; provider results are stored in the memory."""

    name = "chain"

    def __init__(
        self,
        memory: MemoryTranslator | None = None,
        glossary: GlossaryTranslator | None = None,
        provider: Translator | None = None,
    ):
        self.memory = memory if memory is not None else MemoryTranslator()
        self.glossary = glossary
        self.provider = provider
        #: spans whose memory entry was refused (:func:`plausible_translation`), warned once
        self._refused: set[str] = set()

    def translate(self, text: str, source: str, target: str) -> str | None:
        return self.translate_with_origin(text, source, target)[0]

    def translate_with_origin(
        self, text: str, source: str, target: str
    ) -> tuple[str | None, str | None]:
        """(translation, who answered: "memory", "glossary" or the provider's name).

        Why the origin matters: a glossary entry is a curated term, so the artefact detector
        may apply it; a provider's answer is applied only where the context makes the
        finding certain (see newsetl.artefacts.core).
        """
        if source == target:
            return None, None
        found = self.memory.translate(text, source, target)
        if found and plausible_translation(text, found):
            return found, "memory"
        if found and text not in self._refused:
            # stored before answers were checked (718544c), or inserted by hand: as if absent;
            # the provider's answer, if plausible, is used but the stored row is left as it is
            self._refused.add(text)
            log.warning("translation memory's entry for %r is not taken: %r", text, found[:120])
        if self.glossary is not None:
            found = self.glossary.translate(text, source, target)
            if found:
                return found, "glossary"
        if self.provider is None:
            return None, None
        try:
            found = self.provider.translate(text, source, target)
        except Exception as exc:  # a third-party Translator must not break the chain
            log.warning("translator %s failed: %s", getattr(self.provider, "name", "?"), exc)
            return None, None
        if found and (answer := found.strip()) and _key(found) != _key(text):
            if not plausible_translation(text, answer):
                log.warning(
                    "translator %s answered %d characters for %d, not taken as a translation: %r",
                    self.provider.name,
                    len(found),
                    len(text),
                    found[:120],
                )
                return None, None
            self.memory.remember(text, source, target, answer, self.provider.name)
            return answer, self.provider.name
        return None, None


#: A provider's answer longer than this many times the text, plus the margin (a short text's
#: translation may be longer: "Bundestag" -> "the German federal parliament"), is no
#: translation of it.
ANSWER_GROWTH = 4
ANSWER_MARGIN = 40


def plausible_translation(text: str, answer: str) -> bool:
    """Whether a provider's answer can be a translation of ``text``: not many times longer, no
    control character (a line break is one), no markup the text does not have, not shouted when
    the text is not.

    Why: a provider answers whatever it answers (a LibreTranslate URL the user gave; a quota
    notice sent as a translation with HTTP 200, as MyMemory's "MYMEMORY WARNING: YOU USED ALL
    AVAILABLE FREE TRANSLATIONS..."), and its answer is stored in the translation memory and
    may be applied to the text. An implausible one leaves the finding pending, as no answer."""
    if len(answer) > ANSWER_GROWTH * len(text) + ANSWER_MARGIN:
        return False
    if any(mark in answer and mark not in text for mark in "<>{}"):
        return False
    if any(unicodedata.category(ch) == "Cc" for ch in answer):
        return False
    cased = [ch for ch in answer if ch.lower() != ch.upper()]
    shouted = len(cased) >= 8 and all(ch.isupper() for ch in cased)
    return not shouted or text.isupper()


def configured_provider(env: Mapping[str, str] | None = None) -> str | None:
    """The online provider ``NEWSETL_TRANSLATOR`` names, or None (offline: the default)."""
    choice = str(Settings.field_from_env("translator", env)).strip().lower()
    return None if choice in ("none", "off", "") else choice


def translator_from_settings(
    env: Mapping[str, str] | None = None,
    *,
    memory: MemoryTranslator | None = None,
    glossary: GlossaryTranslator | None = None,
) -> ChainTranslator:
    """The translator configured by the ``NEWSETL_TRANSLATOR*`` environment variables.

    Always a chain with the memory and the glossary; an online provider is added only when
    ``NEWSETL_TRANSLATOR`` names one (offline by default).
    """
    choice = configured_provider(env)
    timeout = float(Settings.field_from_env("translator_timeout", env))
    cooldown = float(Settings.field_from_env("translator_cooldown", env))
    if glossary is None:
        glossary = GlossaryTranslator.default(Settings.field_from_env("glossary_files", env))
    provider: Translator | None = None
    if choice is not None:
        provider = DeepTranslatorBackend(
            choice,
            api_key=Settings.field_from_env("translator_key", env) or None,
            url=Settings.field_from_env("translator_url", env) or None,
            timeout=timeout,
            cooldown=cooldown,
        )
    return ChainTranslator(memory=memory, glossary=glossary, provider=provider)


__all__ = [
    "ChainTranslator",
    "DeepTranslatorBackend",
    "GlossaryTranslator",
    "MemoryTranslator",
    "Translator",
    "bundled_glossary_path",
    "configured_provider",
    "translator_from_settings",
]
