"""Offline full-text search over articles (DuckDB's ``fts`` extension), one index per language.

Why one index per language: a Snowball stemmer is language-specific (``Streiks`` -> ``streik``
only with the German stemmer; the English one would leave it or mangle it), so each language
with a stemmer gets its own document table and index, and the query is stemmed by the index it
runs against. Languages without a Snowball stemmer share one unstemmed index.

Where the index lives: in a file of its own (``Settings.search_index``, default
``warehouse/newsetl-search.duckdb``), built from the read copy (``newsetl.readcopy``) and swapped
in atomically, so searching never touches the live file and a load never waits for a build.

When it is built: on demand. The build grows with the warehouse (~20 s at 10,000 articles) and
most loads are never followed by a search, so a load does not build it (unless
``Settings.search_index_on_refresh``). The index records a fingerprint of the ``articles`` it
was built from (:func:`source_fingerprint`); :func:`newsetl.readcopy.ensure_search_index`, which
``newsetl search`` calls first, rebuilds it only when that differs from the current read copy's.
``newsetl maintain`` always rebuilds it.

The extension comes from the ``duckdb-extension-fts`` wheel through ``duckdb_extensions``
(a local ``INSTALL`` of the bundled file, then ``LOAD``): nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from newsetl.leftovers import building

if TYPE_CHECKING:
    pass

#: ISO 639-1 -> DuckDB fts (Snowball) stemmer.
STEMMERS: dict[str, str] = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}
#: The index for every language without a stemmer (and articles with no language).
OTHER = "other"
SCHEMA = "search"
#: The fts extension only ships an English stopword list; other languages keep all words
#: (BM25's idf already discounts words that occur everywhere).
STOPWORDS = {"en": "english"}
#: One row: the :class:`SourceFingerprint` of the articles the index was built from.
BUILT_FROM = f"{SCHEMA}.built_from"


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Make ``fts`` available on this connection from the bundled wheel (offline)."""
    import duckdb_extensions

    duckdb_extensions.import_extension("fts", con=con)
    con.execute("LOAD fts")


def index_key(language: str | None) -> str:
    return language if language in STEMMERS else OTHER


def _doc_table(key: str) -> str:
    return f"{SCHEMA}.docs_{key}"


def _fts_schema(key: str) -> str:
    return f"fts_{SCHEMA}_docs_{key}"


@dataclass(frozen=True)
class SourceFingerprint:
    """What an index was built from, cheap to compute on the source (one scan of ``articles``,
    no index work), so a searcher can tell whether the index is current."""

    articles: int
    digest: str


#: Every column the index copies or filters on; a change to any of them (new article, repaired
#: text, a near-duplicate mark set after the load) changes the digest. XOR and sum of per-row
#: hashes do not depend on row order.
_FINGERPRINT_SQL = """
SELECT count(*), coalesce(bit_xor(h), 0), coalesce(sum(h::HUGEINT), 0)
FROM (
    SELECT hash(article_id, title, coalesce(repaired_text, text), language, near_duplicate_of,
                site, published_at, url) AS h
    FROM {source}
)
"""


def source_fingerprint(
    con: duckdb.DuckDBPyConnection, source: str = "articles"
) -> SourceFingerprint:
    """The fingerprint of the articles in ``source`` (a table with the columns of
    ``articles``, possibly in an attached database)."""
    n, xor, total = con.execute(_FINGERPRINT_SQL.format(source=source)).fetchone()
    return SourceFingerprint(articles=int(n), digest=f"{int(xor):016x}-{int(total):x}")


def built_from(con: duckdb.DuckDBPyConnection) -> SourceFingerprint | None:
    """The fingerprint stored with the index on ``con``; None for no index, or one built
    before fingerprints were stored."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
        [SCHEMA, BUILT_FROM.split(".")[1]],
    ).fetchone()[0]
    if not exists:
        return None
    row = con.execute(f"SELECT articles, digest FROM {BUILT_FROM}").fetchone()
    return SourceFingerprint(articles=int(row[0]), digest=row[1]) if row else None


def build_search_index(con: duckdb.DuckDBPyConnection, source: str = "articles") -> dict[str, int]:
    """(Re)build every per-language index from ``source`` (a table with the columns of
    ``articles``, possibly in an attached database); returns documents per index.

    Indexes the repaired text when an article has one (it is what a reader should find),
    else the text as extracted. Exact duplicates never reach ``articles``; near-duplicates
    are left out so a search does not list the same story twice.
    """
    load_fts(con)
    con.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    for (schema,) in con.execute(
        "SELECT schema_name FROM duckdb_schemas() WHERE schema_name LIKE ?", [f"fts_{SCHEMA}_%"]
    ).fetchall():
        con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    con.execute(f"CREATE SCHEMA {SCHEMA}")
    fingerprint = source_fingerprint(con, source)
    con.execute(f"CREATE TABLE {BUILT_FROM} (articles BIGINT, digest VARCHAR)")
    con.execute(
        f"INSERT INTO {BUILT_FROM} VALUES (?, ?)", [fingerprint.articles, fingerprint.digest]
    )
    languages = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT language FROM {source} WHERE near_duplicate_of IS NULL"
        ).fetchall()
    ]
    keys = sorted({index_key(lang) for lang in languages})
    counts: dict[str, int] = {}
    for key in keys:
        if key == OTHER:
            where = "(language IS NULL OR language NOT IN (SELECT unnest(?)))"
            params: list[object] = [sorted(STEMMERS)]
        else:
            where = "language = ?"
            params = [key]
        con.execute(
            f"""
            CREATE TABLE {_doc_table(key)} AS
            SELECT article_id, title, coalesce(repaired_text, text) AS body, site, language,
                   published_at, url
            FROM {source}
            WHERE near_duplicate_of IS NULL AND {where}
            """,
            params,
        )
        n = con.execute(f"SELECT count(*) FROM {_doc_table(key)}").fetchone()[0]
        counts[key] = int(n)
        stemmer = STEMMERS.get(key, "none")
        stopwords = STOPWORDS.get(key, "none")
        con.execute(
            f"PRAGMA create_fts_index('{_doc_table(key)}', 'article_id', 'title', 'body', "
            f"stemmer = '{stemmer}', stopwords = '{stopwords}', overwrite = 1)"
        )
    return counts


def indexed_languages(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? AND table_name LIKE 'docs_%'",
        [SCHEMA],
    ).fetchall()
    return sorted(r[0].removeprefix("docs_") for r in rows)


class NoSearchIndex(RuntimeError):
    """The database has no full-text index yet (run ``newsetl maintain``)."""


@dataclass(frozen=True)
class SearchHit:
    article_id: str
    title: str | None
    site: str | None
    language: str | None
    published_at: datetime | None
    url: str | None
    score: float
    snippet: str


def search(
    con: duckdb.DuckDBPyConnection,
    terms: str,
    *,
    language: str | None = None,
    limit: int = 10,
) -> list[SearchHit]:
    """Rank articles for ``terms`` (BM25 over title and body), best first.

    Without ``language`` every index is searched and the hits merged by score; BM25 scores
    of different indexes are comparable only roughly (each has its own statistics), which is
    good enough to list the best few of each language together.
    """
    available = indexed_languages(con)
    if not available:
        if built_from(con) is not None:  # an index of a warehouse with no articles yet
            return []
        raise NoSearchIndex("no full-text index in this database; run 'newsetl maintain'")
    if language is not None:
        key = index_key(language)
        if key not in available:
            return []
        keys = [key]
    else:
        keys = available
    load_fts(con)
    parts = []
    params: list[object] = []
    for key in keys:
        lang_filter = ""
        if key == OTHER and language is not None:
            lang_filter = "AND language = ?"
        parts.append(
            f"""
            SELECT article_id, title, site, language, published_at, url, body,
                   {_fts_schema(key)}.match_bm25(article_id, ?) AS score
            FROM {_doc_table(key)}
            WHERE score IS NOT NULL {lang_filter}
            """
        )
        params.append(terms)
        if lang_filter:
            params.append(language)
    sql = " UNION ALL ".join(parts) + " ORDER BY score DESC, article_id LIMIT ?"
    params.append(limit)
    rows = con.execute(sql, params).fetchall()
    return [
        SearchHit(
            article_id=r[0],
            title=r[1],
            site=r[2],
            language=r[3],
            published_at=r[4],
            url=r[5],
            score=float(r[7]),
            snippet=snippet(r[6] or "", terms),
        )
        for r in rows
    ]


def snippet(text: str, terms: str, width: int = 160) -> str:
    """The passage around the first query word found (matched on its first 4+ letters, a
    crude stand-in for the stem), on one line."""
    words = [w for w in re.findall(r"\w+", terms.lower()) if w]
    flat = " ".join(text.split())
    lower = flat.lower()
    positions = []
    for word in words:
        stem = word[: max(4, len(word) - 3)] if len(word) > 4 else word
        found = lower.find(stem)
        if found >= 0:
            positions.append(found)
    start = max(0, min(positions) - width // 4) if positions else 0
    piece = flat[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(flat) else "")


INDEX_CATALOG = "newsetl_search_index"


def connect_index(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection whose default catalog is the index file ``path``, attached under a fixed
    name: a file opened directly is a catalog named after its stem, so an index file called
    ``search.duckdb`` made every ``search.<table>`` ambiguous between that catalog and the
    index's own schema."""
    con = duckdb.connect(":memory:")
    try:
        literal = str(path).replace("'", "''")
        con.execute(f"ATTACH '{literal}' AS {INDEX_CATALOG}{' (READ_ONLY)' if read_only else ''}")
        con.execute(f"USE {INDEX_CATALOG}")
    except BaseException:
        con.close()
        raise
    return con


def build_search_file(warehouse: Path, target: Path) -> dict[str, int]:
    """Build the index from the warehouse file ``warehouse`` (opened read-only) into a new file
    and swap it onto ``target`` atomically; returns documents per index."""

    def attach_warehouse(con: duckdb.DuckDBPyConnection) -> str:
        path = str(warehouse).replace("'", "''")
        con.execute(f"ATTACH '{path}' AS wh (READ_ONLY)")
        return "wh.articles"

    return build_index_file(target, attach_warehouse)


def build_index_file(
    target: Path,
    attach_source: Callable[[duckdb.DuckDBPyConnection], str],
    finish: Callable[[duckdb.DuckDBPyConnection], object] | None = None,
) -> dict[str, int]:
    """Build the index into a new file and swap it onto ``target`` atomically (a searcher never
    sees a half-built index); returns documents per index.

    ``attach_source(con)`` attaches the articles' catalog to the new file's connection and
    returns the articles table's qualified name, its first part the catalog (detached before
    the file is closed): the warehouse file (:func:`build_search_file`) or a lake snapshot
    (:func:`newsetl.lake.read.build_search_file`). ``finish(con)``, if given, runs once the
    index is built, with the catalog still attached (the lake records what it was built from).
    """
    with building(target) as tmp:
        con = connect_index(tmp)
        try:
            source = attach_source(con)
            counts = build_search_index(con, source=source)
            if finish is not None:
                finish(con)
            con.execute(f"DETACH {source.split('.', 1)[0]}")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        with contextlib.suppress(FileNotFoundError):
            Path(f"{target}.wal").unlink()
        os.replace(tmp, target)
    return counts


def open_search_index(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the index file; :class:`NoSearchIndex` if there is none."""
    if not path.exists():
        raise NoSearchIndex(
            f"no full-text index at {path}; 'newsetl search' (without --no-reindex) or "
            "'newsetl maintain' builds it"
        )
    return connect_index(path, read_only=True)


def index_fingerprint(path: Path) -> SourceFingerprint | None:
    """The fingerprint stored in the index file at ``path``; None when there is no usable
    index there (missing, unreadable, or built before fingerprints were stored)."""
    if not path.exists():
        return None
    try:
        con = connect_index(path, read_only=True)
    except duckdb.Error:  # not a DuckDB file (a crash mid-copy, say): rebuilding fixes it
        return None
    try:
        return built_from(con)
    finally:
        con.close()
