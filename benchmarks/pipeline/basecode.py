"""Load one module of another checkout (main's code) beside this checkout's, in one process.

Why: the A/B scripts (``round8_ab.py``, ``round11_ab.py``, ``round11_same.py``) time or compare
main's code path and the branch's alternately in one warm process, so each needs main's
version of a module under a name of its own.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


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
