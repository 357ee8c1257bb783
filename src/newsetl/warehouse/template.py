"""A new warehouse file copied from a migrated, seeded empty one kept in the disk cache.

Why: a run into a new warehouse file (every benchmark run, a user's first ``newsetl ingest``)
applied the nine migrations, created the views and loaded the seeds (17,488 entity aliases
into a table with a primary key, 856 entities, the glossary) in its own process: 0.20-0.34 s
of CPU and 0.3-0.7 s of wall before its first batch, while the pool's fork server warms up
beside it. The result depends only on the SQL files, the seed files (their paths are stored
in ``seed_files``), DuckDB's version and how the file is attached, so a file built once from
them (:func:`template_key`) can be copied instead: 0.05-0.06 s of CPU for the copy, the
connection and :func:`restamp` (benchmarks/README.md "Round 16 (warm16)").

The copy holds the same rows as a freshly migrated file. Only the times that say when the
schema and seeds arrived come from the template's build, so :func:`restamp` sets them to the
copy's time (``schema_version.applied_at``, ``seed_files.loaded_at`` and the seed entities'
``created_at``: the only time columns an empty warehouse fills; a test checks that no other
is filled). The caller migrates the copy as any file (a no-op but for the views), so a
template that lacks anything (or a stale one) is completed as before.

Only an optimisation: no cache directory, a file that exists already (or its WAL), a
template that cannot be built, copied or linked, and the file is created as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb

log = logging.getLogger("newsetl.warehouse")

#: Cache name of the template files (``<cache dir>/warehouse_template-<key>.duckdb``).
NAME = "warehouse_template"
#: Bump when what a template holds, or how it is made, changes.
_FORM = "migrated-seeded-1"


def template_key(extra_seed_dirs: tuple[Path, ...] = ()) -> str:
    """A digest of what a new file's migration gives: DuckDB's version, the row group size
    the file is attached with, every migration and view file (name and bytes) and every seed
    file (its path, which ``seed_files`` stores, and its bytes)."""
    from newsetl.cache import cache_key
    from newsetl.warehouse.connect import (
        ROW_GROUP_SIZE,
        migration_files,
        seed_files,
        view_files,
    )

    parts: list[str | bytes | Path] = [_FORM, duckdb.__version__, f"rows{ROW_GROUP_SIZE}"]
    parts += ["migrations", *migration_files(), "views", *view_files(), "seeds"]
    for file in seed_files(extra_seed_dirs):
        parts += [str(file), file]
    return cache_key(*parts)


def create_from_template(path: Path, extra_seed_dirs: tuple[Path, ...] = ()) -> Path | None:
    """Create the warehouse file ``path`` as a copy of the template (built in the cache the
    first time), if ``path`` does not exist. The template's path if this call created the
    file (the caller then migrates it as usual and calls :func:`restamp`), else None. Never
    raises."""
    try:
        if str(path).startswith(":") or path.exists() or Path(f"{path}.wal").exists():
            return None
        from newsetl.cache import cache_dir

        directory = cache_dir()
        if directory is None:
            return None
        template = directory / f"{NAME}-{template_key(extra_seed_dirs)}.duckdb"
        if not _usable(template) and not _build(template, extra_seed_dirs):
            return None
        return template if _copy(template, path) else None
    except Exception:  # an optimisation only
        log.debug("warehouse %s not created from a template", path, exc_info=True)
        return None


def discard(path: Path, template: Path) -> None:
    """Remove a copy that could not be opened or migrated (this call's own new file) and the
    template it came from (built again next time)."""
    for file in (path, Path(f"{path}.wal"), template):
        with contextlib.suppress(OSError):
            file.unlink()


def _usable(template: Path) -> bool:
    from newsetl.cache import foreign_owner, mark_used

    try:
        with template.open("rb") as fh:
            if foreign_owner(fh.fileno()):
                log.warning("warehouse template %s belongs to another user; ignoring it", template)
                return False
            mark_used(template, fh.fileno())
        return True
    except OSError:
        return False


def _build(template: Path, extra_seed_dirs: tuple[Path, ...]) -> bool:
    """Migrate a new file in the cache directory, close it (a checkpoint: no WAL left), and
    move it to ``template`` (a reader sees the whole file or none)."""
    from newsetl.cache import write_atomically
    from newsetl.warehouse.connect import connect, migrate

    template.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    work = Path(tempfile.mkdtemp(prefix=f".{NAME}-build-", dir=template.parent))
    try:
        built = work / "template.duckdb"
        con = connect(built)
        try:
            migrate(con, extra_seed_dirs=extra_seed_dirs)
        finally:
            con.close()
        if Path(f"{built}.wal").exists():
            return False

        def write(fh) -> None:  # type: ignore[no-untyped-def]
            with built.open("rb") as src:
                shutil.copyfileobj(src, fh, 1 << 20)

        return write_atomically(template, NAME, write)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _copy(template: Path, path: Path) -> bool:
    """Copy ``template`` beside ``path``, then link it there only if ``path`` is still free
    (another process creating the same file meanwhile keeps its own)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = str(path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    # mode 0o666 less the umask, as DuckDB creates a file (mkstemp's would be 0o600)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as dst, template.open("rb") as src:
            shutil.copyfileobj(src, dst, 1 << 20)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def restamp(con: duckdb.DuckDBPyConnection) -> None:
    """Set the times the template's build left in a copied file to now, as a fresh migration
    would have set them: when the schema versions were applied, when the seeds were loaded,
    and when the seed entities were created (an empty warehouse holds no other entity)."""
    now = datetime.now(UTC)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("UPDATE schema_version SET applied_at = ?", [now])
        con.execute("UPDATE seed_files SET loaded_at = ?", [now])
        con.execute("UPDATE entities SET created_at = current_timestamp")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
