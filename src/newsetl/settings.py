"""All tunables in one place.

Every field can be overridden from the environment as ``NEWSETL_<FIELD>`` (upper case), so a
scheduled deployment and a test can change behaviour without code. Defaults are polite and
conservative: a news crawler that hammers a site gets blocked, and one that trusts servers to
send sane bodies gets OOM-killed by the first gzip bomb.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsetl import __version__

REPO_ROOT = Path(__file__).resolve().parents[2]


def default_warehouse_dir() -> Path:
    """``warehouse/`` of the checkout when run from one, else the current directory's."""
    candidate = REPO_ROOT / "warehouse"
    if (candidate / "migrations").is_dir():
        return candidate
    return Path.cwd() / "warehouse"


#: The values of ``Settings.orchestration`` (``NEWSETL_ORCHESTRATION``).
ORCHESTRATIONS = ("auto", "prefect", "direct")


@dataclass(frozen=True)
class Settings:
    # --- warehouse --------------------------------------------------------------------------
    db_path: Path = field(default_factory=lambda: default_warehouse_dir() / "newsetl.duckdb")
    #: Batches waiting to be loaded (parquet); survives a busy database file.
    staging_dir: Path | None = None
    #: Bounded wait when another process holds the DuckDB file.
    lock_retries: int = 8
    lock_backoff_s: float = 0.5
    #: Extra seed CSV directories (user extensions of glossary / entity aliases).
    extra_seed_dirs: tuple[Path, ...] = ()

    # --- the lake (newsetl.lake, docs/scale-out.md) -----------------------------------------
    #: ``duckdb``: the one DuckDB file at ``db_path`` (default). ``ducklake``: a DuckLake with
    #: its catalog in ``lake_catalog`` and its Parquet files under ``lake_data_path``, written
    #: by many workers (append) and one merge step.
    warehouse_backend: str = "duckdb"
    #: DuckLake catalog: ``postgres:dbname=newsetl host=... user=...`` (libpq; the password
    #: from ``PGPASSWORD`` or ``~/.pgpass``), or a local catalog file path for one machine.
    lake_catalog: str = ""
    #: Where the lake's Parquet files go: a local directory or ``s3://bucket/prefix/``.
    lake_data_path: str = ""
    #: S3-compatible storage for an ``s3://`` data path: ``host:port`` of the endpoint
    #: (empty: AWS itself), keys, region, TLS, and path-style URLs (most non-AWS servers).
    lake_s3_endpoint: str = ""
    lake_s3_key_id: str = ""
    lake_s3_secret: str = ""
    lake_s3_region: str = "us-east-1"
    lake_s3_use_ssl: bool = True
    lake_s3_url_style: str = "path"
    #: Batches merged per lake commit by the merge step: every commit writes new Parquet
    #: files and a snapshot, so merging a few dozen batches at once keeps both down.
    lake_merge_batches_per_commit: int = 20
    #: Inserts of at most this many rows are kept in the catalog (Postgres) instead of a new
    #: Parquet file (DuckLake's data inlining; its default is 10; 0 turns it off); maintenance
    #: flushes them to Parquet. Small batches from many workers make many such inserts.
    lake_inlining_row_limit: int = 10
    #: Maintenance expires snapshots older than this (time travel reaches back this far).
    lake_snapshot_retention_days: float = 30.0
    #: Distributed runs (``newsetl.lake.liveness``): the deployed flow runs emit a Prefect
    #: heartbeat every this many seconds (``PREFECT_FLOWS_HEARTBEAT_FREQUENCY``; Prefect's
    #: floor is 30), so a run whose machine is lost can be told from a slow one.
    shard_heartbeat_s: int = 30
    #: A shard run not heard from (no heartbeat, no state change) for this long is taken as
    #: dead and set Crashed: by the server's automation (``newsetl lake deploy``) and by the
    #: waiting parent itself. At least 1.5 heartbeats; Prefect's guide uses 3 (90 s).
    shard_silence_s: float = 90.0

    # --- fetching ---------------------------------------------------------------------------
    user_agent: str = f"newsetl/{__version__} (+https://github.com/newsetl/newsetl)"
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    max_redirects: int = 5
    max_bytes: int = 8 * 1024 * 1024  # decoded body limit; larger bodies are refused
    max_attempts: int = 3  # for 429 / 5xx / transport errors
    backoff_s: float = 0.5
    max_retry_after_s: float = 30.0
    per_host_interval_s: float = 1.0  # minimum time between two requests to one host
    respect_robots: bool = True
    max_crawl_delay_s: float = 30.0
    allowed_content_types: tuple[str, ...] = (
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "application/xml",
        "text/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
    )
    #: One fetch (every attempt and redirect, connect + headers + body; politeness waits
    #: excluded) ends by this deadline: a server trickling one byte per second never trips
    #: the per-read timeout. A fetch that hits it fails (``timeout``) and is not retried.
    fetch_deadline_s: float = 60.0
    #: Addresses that are not public (loopback, private, link-local, ...) are refused unless
    #: the user named the origin themselves (a source URL), it is on the allow list (CIDRs,
    #: host names, ``.domain`` suffixes, ``http://host:port`` origins), or this is true.
    allow_private_networks: bool = False
    private_network_allow_list: tuple[str, ...] = ()
    #: Caps on what feeds and sitemaps expand to; every URL a cap drops is recorded in
    #: ``fetches`` (outcome ``skipped``, error_kind ``cap_exceeded``), never dropped silently.
    max_feed_entries: int = 500  # per feed
    max_sitemap_urls: int = 5000  # per sitemap (the newest by lastmod are kept)
    max_sitemap_children: int = 100  # sitemaps per sitemap index (the newest are kept)
    max_sitemap_depth: int = 3  # nesting of sitemap indexes
    max_sitemap_bytes: int = 50 * 1024 * 1024  # a feed or sitemap, decompressed (sitemaps.org)
    max_source_documents: int = 500  # feeds, sitemaps and homepages one run fetches
    max_targets: int = 20000  # pages one run's sources expand to

    # --- orchestration ----------------------------------------------------------------------
    #: How ``newsetl ingest`` runs: ``prefect`` (a Prefect flow run: tasks, artifacts and logs
    #: in the UI; without a configured server Prefect starts a temporary one for the run),
    #: ``direct`` (the same run engine in this process, no Prefect server), or ``auto``: a flow
    #: run when a Prefect API is configured (``PREFECT_API_URL``), else direct. Why auto: a
    #: temporary server costs ~5-10 s per run (and times out on a busy machine) and shows the
    #: run to nobody; scheduled runs are flow runs whatever this says (they are deployments).
    orchestration: str = "auto"  # one of ORCHESTRATIONS (newsetl.commands.checks says so)

    # --- processing -------------------------------------------------------------------------
    batch_size: int = 25  # pages per Prefect task
    #: Processes for the CPU-bound stages (extraction, language, artefacts, entities);
    #: 0 = one per core. The first pool of a process starts a fork server that loads the word
    #: lists and gazetteers (seconds, see newsetl.workers), so a run uses the pool only from
    #: ``process_pool_min_pages`` pages; once the server is loaded, from
    #: ``process_pool_warm_min_pages`` (break-even points measured in benchmarks/README.md).
    workers: int = 0
    process_pool_min_pages: int = 150
    process_pool_warm_min_pages: int = 20
    #: Keep the pool's workers between the runs of one process (a Prefect worker serving a
    #: schedule, a notebook): their per-word caches and the word lists of languages met on
    #: earlier pages stay loaded. Off: a new pool per run, idle workers free their memory.
    keep_workers: bool = True
    #: End the pool's fork server once the run's last pool has ended, instead of keeping it
    #: warm for a next run in this process. For a process that runs one run and exits (the
    #: ``newsetl ingest`` command sets it): the server (~0.5 GB of PSS) then ends on the
    #: idle core while the run's closing steps go on, and is reaped before the run returns,
    #: instead of ending after the command's exit (benchmarks/README.md "Round 16 merged").
    fork_server_per_run: bool = False
    #: ``newsetl ingest`` of local pages: the fork server forks an extraction helper once
    #: trafilatura is warm, and the run hands it pages while the language models' and the
    #: analyses' warm-up goes on (a pool worker identifies the helper's pages' languages; with
    #: the analyses, a second helper forked after the language models takes over and
    #: identifies its own; :mod:`newsetl.earlyextract`; same rows). Off: the run's pages wait
    #: for the first worker.
    early_extraction: bool = True
    #: Pages after which a run replaces its pool's workers by fresh forks of the fork server
    #: (0: never). Why: a worker's caches and the per-language data it loads grow its PSS from
    #: ~300 MB fresh to ~480 MB at 700 pages and ~550 MB at 1,800 (scale corpus, sampled from
    #: /proc): with two workers that alone takes a run over 1.5 GB. The caches are pure (same
    #: output); a new worker refills them, at the cost of letting the pool drain once. 250, not
    #: 500, since the fork server loads the date parser's locales (:func:`newsetl.dates.
    #: warm_date_parser`): a fresh worker no longer pays 1.5 s of CPU for them, so the pool's
    #: peak falls ~80 MB for no CPU (benchmarks/README.md "Round 11 (mem11)").
    recycle_workers_pages: int = 250
    #: The run's last this many batches have their analysis split into one job per worker
    #: (parts joined and staged as the batch: same rows, :mod:`newsetl.run.tailsplit`). Why:
    #: once nothing is left to extract, a batch's analysis as one job kept one worker busy
    #: while the other idled, and the last loads waited for it. 0: never split.
    analysis_tail_batches: int = 2
    #: Seconds one page may take in the CPU stages (extraction, language, artefacts,
    #: entities); a job of several pages (a batch's analysis) gets as many times this. A
    #: page past it (hostile HTML can keep trafilatura busy for minutes: 40,000 spans in one
    #: paragraph) has its worker process killed and is recorded as failed (``page_timeout``);
    #: the pages in flight beside it are run again on a new pool, and the run goes on. With
    #: a deadline every run extracts in the pool, however small (a process that can be
    #: killed; measured in benchmarks/README.md "Round 10"), with one worker (``workers`` 1,
    #: or one core) too: a pool of one. 0: none (one worker then runs in the run's process).
    page_timeout_s: float = 120.0
    #: DuckDB's memory limit (MB) while the run's loader has the file open (0: DuckDB's own,
    #: 80 % of the RAM). Why: each load's merge and duplicate checks scan the keyed tables'
    #: key and hash columns, and DuckDB keeps every block it read cached until the file is
    #: closed, so the run's process grew with the warehouse (``duckdb_memory()`` BASE_TABLE
    #: 42 MB after one load into a 1,000-page warehouse, 100 MB into a 20,000-page one;
    #: benchmarks/README.md "Memory, round 9"). Under the limit DuckDB evicts those cached
    #: blocks (read again from the OS's page cache at the next load); the rows loaded are the
    #: same. Below ~100 MB it starts spilling the last row group it appends to (the loads'
    #: bytes written grow), so not lower than that.
    loader_memory_limit_mb: int = 128
    langdetect_seed: int = 0
    #: SimHash (64-bit) Hamming distance that counts as near-duplicate. Measured on the sample
    #: corpus: distinct articles (even translations of one story) differ by >= 21 bits, a page
    #: with one to three words added by 0-8.
    near_duplicate_bits: int = 7
    repair: bool = True  # run machine-translation artefact detection / repair
    #: Stored pages the maintenance flow re-analyses per run at most, when a pending finding
    #: can now be translated (newsetl.reanalysis); 0 = never.
    reanalyse_limit: int = 500
    entities: bool = True  # run named-entity normalisation
    #: Entity analysis reads at most this many characters of a text (cut at a line end; the
    #: document is marked truncated); 0 = no cap. News articles are ~5,000 characters.
    entities_max_chars: int = 200_000
    #: Every analysis stage (language, quality flags, artefacts, entities) reads at most this
    #: many characters of an extracted text (cut at a line end); the text is still stored
    #: whole and the article is flagged ``analysis_capped``; 0 = no cap (newsetl.textcap).
    max_text_chars: int = 200_000

    # --- querying while flows run (newsetl.readcopy / newsetl.search) ----------------------
    #: The analysts' copy of the warehouse, swapped in atomically after each load.
    #: Default: ``<db stem>-read.duckdb`` beside the warehouse file.
    read_copy_path: Path | None = None
    #: The full-text index, a file of its own built from the read copy.
    #: Default: ``<db stem>-search.duckdb`` beside the warehouse file.
    search_index_path: Path | None = None
    #: Also rebuild the index after every load. Off by default: the rebuild grows with the
    #: warehouse (~20 s at 10,000 articles) and most loads are never followed by a search, so
    #: ``newsetl search`` rebuilds it when it is older than the read copy
    #: (``newsetl.readcopy.ensure_search_index``) and ``newsetl maintain`` always does.
    search_index_on_refresh: bool = False
    #: Bounded wait for the live file when refreshing the copy: a refresh is never worth
    #: holding up a load for, so it gives up sooner than a load does.
    read_copy_lock_retries: int = 3
    #: Keep the copy published before the current one (a hidden file beside it) and bring it
    #: up to date in place at the next refresh, writing only what changed, when nobody reads
    #: it any more (newsetl.filesync). Why: a whole copy per run wrote the whole warehouse
    #: again (~1 GB per run at 20,000 pages). Costs a third file of the warehouse's size on
    #: disk; off: every refresh copies the whole file, and nothing is kept.
    read_copy_in_place: bool = True

    # --- read where no Settings object travels (Settings.field_from_env) --------------------
    #: The online translation provider (``none``: offline, the default), its key, endpoint,
    #: time-out per call and the pause after a failure (newsetl.translate).
    translator: str = "none"
    translator_key: str | None = None
    translator_url: str | None = None
    translator_timeout: float = 5.0
    translator_cooldown: float = 60.0
    #: Extra glossary CSVs for the offline translator, separated by the path separator.
    glossary_files: str = ""
    #: A spaCy model for extra entity spans (empty: none; newsetl.entities.spacy_ner).
    spacy_model: str = ""
    #: The derived-data cache (newsetl.cache): unset = ``$XDG_CACHE_HOME/newsetl``, ``off``
    #: or empty = no cache.
    cache_dir: str | None = None

    @property
    def staging_path(self) -> Path:
        return self.staging_dir or self.db_path.parent / "staging"

    @property
    def read_copy(self) -> Path:
        return self.read_copy_path or self.db_path.with_name(f"{self.db_path.stem}-read.duckdb")

    @property
    def search_index(self) -> Path:
        return self.search_index_path or self.db_path.with_name(
            f"{self.db_path.stem}-search.duckdb"
        )

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then ``NEWSETL_*`` variables, then explicit ``overrides`` (CLI flags)."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f"NEWSETL_{f.name.upper()}")
            if raw is None:
                continue
            values[f.name] = _parse(raw, f.type)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("db_path", "staging_dir", "read_copy_path", "search_index_path"):
            if isinstance(values.get(key), str):
                values[key] = Path(str(values[key]))
        return cls(**values)

    @classmethod
    def field_from_env(
        cls, name: str, environ: Mapping[str, str] | None = None, *, empty_is_default: bool = True
    ) -> Any:
        """One setting from ``NEWSETL_<NAME>`` (its default when unset, or empty unless
        ``empty_is_default`` is off), parsed like :meth:`from_env`.

        For code that runs where no Settings object travels (worker processes, a translator
        chain built from an environment mapping): it still reads the setting through here, so
        its name, type and default are declared once, in this class."""
        env = os.environ if environ is None else environ
        spec = next(f for f in dataclasses.fields(cls) if f.name == name)
        raw = env.get(f"NEWSETL_{name.upper()}")
        if raw is None or (empty_is_default and not raw.strip()):
            return spec.default
        return _parse(raw, spec.type)


def _parse(raw: str, annotation: object) -> object:
    text = str(annotation)
    if text.startswith("bool"):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if text.startswith("int"):
        return int(raw)
    if text.startswith("float"):
        return float(raw)
    if text.startswith("tuple[Path"):
        return tuple(Path(p) for p in raw.split(os.pathsep) if p)
    if text.startswith("tuple"):
        return tuple(p.strip() for p in raw.split(",") if p.strip())
    if "Path" in text:
        return Path(raw)
    return raw
