"""Argument checks that run before a command starts Prefect or touches the warehouse.

Why here and not in the flow: a typo in a path or URL used to cost a full Prefect start
(~20 s), leave an empty warehouse file behind and end in a traceback or a retried fetch. Each
check returns one line saying what is wrong (the caller prints it and exits with status 2), or
``None``. They look at the arguments and the file system only: no network, nothing created.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

#: A host name: dot-separated labels of letters, digits and hyphens (IDNA names are checked by
#: encoding them), or an IP literal.
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
#: What a mistyped URL looks like when it is not an existing path: "http//x", "https:/x",
#: "http:x", "www.example.org/feed".
_URL_TYPO = re.compile(r"^(https?)(?::/{0,1}(?!/)|/{1,2}|:(?=[^/]))(.*)$", re.IGNORECASE)


def positive_int(text: str) -> int:
    """An ``argparse`` type: a whole number of at least 1 (``--batch-size 0`` says why)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def check_url(url: str) -> str | None:
    """Why ``url`` (http or https) cannot be fetched as written, or None."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a bad port
    except ValueError as exc:
        return f"malformed URL {url!r}: {exc}"
    host = parts.hostname
    if not host:
        rest = url.split(":", 1)[1].lstrip("/")
        guess = f" (did you mean '{parts.scheme.lower()}://{rest}'?)" if rest else ""
        return f"malformed URL {url!r}: no host name{guess}"
    if port == 0:
        return f"malformed URL {url!r}: port 0"
    if ":" in host:  # an IPv6 literal, already validated by urlsplit's brackets
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return f"malformed URL {url!r}: {host!r} is not a valid host name"
    labels = ascii_host.rstrip(".").split(".")
    if not all(_LABEL.match(label) for label in labels):
        return f"malformed URL {url!r}: {host!r} is not a valid host name"
    return None


def check_source(source: str) -> str | None:
    """Why the ``newsetl ingest`` SOURCE ``source`` cannot be read, or None.

    A source without a colon is no URL, no ``stored:`` and no forced reading (``feed:``…):
    only a path, answered without importing :mod:`newsetl.sources`. Why: that import (HTTP
    clients, feed and URL parsers: 0.17 s) ran before the process pool's fork server was
    started (:mod:`newsetl.poolstart`), delaying the whole run's warm-up by as much; the
    run's engine imports it anyway, after the server is started."""
    if ":" not in source and Path(source).expanduser().exists():
        return None
    from newsetl.sources import STORED_PREFIX, _split_mode
    from newsetl.urls import is_http

    if source.startswith(STORED_PREFIX):
        return None
    url, _mode = _split_mode(source)
    if is_http(url) or url.lower().startswith(("http://", "https://")):
        return check_url(url)  # (is_http is False for a URL urlsplit cannot even split)
    if url.startswith("file:"):
        return None if Path(urlsplit(url).path).exists() else f"no such file: {url}"
    if "://" in url:
        return f"{url!r}: only http(s) URLs and local paths can be ingested"
    if Path(url).expanduser().exists():
        return None
    typo = _URL_TYPO.match(url)
    if typo:
        guess = f"{typo.group(1).lower()}://{typo.group(2).lstrip(':/')}"
        return f"{url!r} is neither a URL nor an existing file (did you mean {guess!r}?)"
    if url.lower().startswith("www."):
        return f"{url!r} is neither a URL nor an existing file (did you mean 'https://{url}'?)"
    return f"no such file or directory: {url}"


def check_writable_db(db: str | os.PathLike[str]) -> str | None:
    """Why the warehouse file ``db`` cannot be created or written, or None (nothing created)."""
    path = Path(db).expanduser()
    if path.is_dir():
        return f"--db {db}: is a directory, not a warehouse file"
    if path.exists():
        try:  # opened for writing, not changed (os.access is always true for root)
            with path.open("r+b"):
                return None
        except OSError as exc:
            return f"--db {db}: not writable ({exc.strerror})"
    parent = path.parent
    while not parent.exists():  # the directories a load would create
        if parent == parent.parent:
            break
        parent = parent.parent
    if not parent.is_dir():
        return f"--db {db}: cannot create it, {parent} is not a directory"
    try:  # a nameless probe file, gone when closed: the directory really takes new files
        with tempfile.TemporaryFile(dir=parent):
            return None
    except OSError as exc:
        return f"--db {db}: cannot create it in {parent} ({exc.strerror})"


def check_settings(environ: Mapping[str, str] | None = None) -> str | None:
    """Why a ``NEWSETL_*`` variable cannot be used as it is set, or None: a number that does
    not parse, an ``NEWSETL_ORCHESTRATION`` that names no way to run.

    Why before anything: read where it is first needed, a bad value ended the command with a
    traceback (``int('abc')``) or a bare exit deep inside, after Prefect had started."""
    import dataclasses

    from newsetl.settings import ORCHESTRATIONS, Settings

    env = os.environ if environ is None else environ
    for spec in dataclasses.fields(Settings):
        name = f"NEWSETL_{spec.name.upper()}"
        if name not in env:
            continue
        try:
            value = Settings.field_from_env(spec.name, env)
        except ValueError:
            kind = "a number" if "float" in str(spec.type) else "a whole number"
            return f"{name}={env[name]!r} is not {kind}"
        if spec.name == "orchestration" and value not in ORCHESTRATIONS:
            return f"{name} must be {', '.join(ORCHESTRATIONS)}, not {value!r}"
    return None


def check_ingest(args: argparse.Namespace) -> str | None:
    """Every check of ``newsetl ingest``'s arguments and settings; the first problem, or None."""
    from newsetl.settings import Settings

    problem = check_settings()
    if problem:
        return problem
    if args.db is not None:
        problem = check_writable_db(args.db)
    else:
        problem = check_writable_db(Settings.from_env().db_path)
    if problem:
        return problem
    for source in args.sources:
        problem = check_source(source)
        if problem:
            return problem
    return None
