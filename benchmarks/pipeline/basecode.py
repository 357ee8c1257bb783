"""Load one module of another checkout (main's code) beside this checkout's, in one process.

Why: the A/B scripts (``round8_ab.py``, ``round11_ab.py``, ``round11_same.py``,
``round12_ab.py``) time or compare main's code path and the branch's alternately in one warm
process, so each needs main's version of a module under a name of its own, and the timed
ones share the alternation (:func:`alternate`).
"""

from __future__ import annotations

import gzip
import importlib.util
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any


def module_from(path: Path, name: str) -> ModuleType:
    """The module at ``path`` (a file of the other checkout), executed as ``name`` and
    registered in ``sys.modules`` under it (dataclasses and pickling look a module up there)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def alternate(
    run: Callable[[], tuple[Any, ...]],
    use: Callable[[Any], None],
    main_paths: Any,
    branch_paths: Any,
    rounds: int,
    labels: Sequence[str],
    pages: int,
) -> None:
    """Time main's code and the branch's alternately in this process and print the result.

    ``use(paths)`` puts one version's code paths in place; ``run()`` returns one CPU time (s)
    per label and, last, a text of the output, which must not change between rounds. One
    untimed run of the branch first (every list and model either version reads), then
    ``rounds`` rounds, the order swapped each round; ms of CPU per page, median and min."""
    use(branch_paths)
    run()
    results: dict[str, list[tuple[Any, ...]]] = {"main": [], "branch": []}
    outputs: dict[str, str] = {}
    for k in range(rounds):
        order = (("main", main_paths), ("branch", branch_paths))
        for name, paths in order if k % 2 == 0 else order[::-1]:
            use(paths)
            *timings, output = run()
            results[name].append(tuple(timings))
            outputs.setdefault(name, output)
            assert outputs[name] == output, f"{name}: output changed between rounds"
    use(branch_paths)
    print(f"{pages} pages, {rounds} alternating rounds, ms CPU per page (median, min)")
    for name, rows in results.items():
        for k, label in enumerate(labels):
            values = sorted(1000 * r[k] / pages for r in rows)
            print(f"  {name:<7} {label:<24} {values[len(values) // 2]:7.2f} {values[0]:7.2f}")
    print("same output:", outputs["main"] == outputs["branch"])


def page_texts(pages: Path) -> tuple[int, list[str]]:
    """How many pages (``*.html``, ``*.html.gz``) there are under ``pages``, and the texts
    this checkout's extraction finds in them (a page without an article gives none), for
    the scripts that compare main's code paths and the branch's on real text."""
    from newsetl.extract import extract_page

    files = sorted(
        f for f in pages.rglob("*") if f.name.endswith((".html", ".html.gz")) and f.is_file()
    )
    now = datetime.now(UTC)
    texts = []
    for f in files:
        body = gzip.decompress(f.read_bytes()) if f.suffix == ".gz" else f.read_bytes()
        try:
            texts.append(extract_page(body, f"http://pages.invalid/{f.name}", None, now).text)
        except Exception:  # a page without an article: nothing to compare
            continue
    return len(files), texts
