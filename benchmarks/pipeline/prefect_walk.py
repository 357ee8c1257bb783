"""What Prefect's walk of a task's parameters costs, with main's arguments and with today's.

Prefect walks every task parameter (dataclasses, lists, dicts, all the way down) twice per
task run, looking for futures. Main passed the run's ``RunContext`` (one ``PageState`` per
stored page) to every task; tasks now get the run id and ``newsetl.flows.ingest.Opaque`` handles.
This times one walk (best of 5) of each, for warehouses of 1,000, 6,000 and 50,000 pages.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/prefect_walk.py
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

from prefect.utilities.collections import visit_collection

from newsetl.pipeline import PageState
from newsetl.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from newsetl.flows.ingest import Opaque

#: main's RunContext, as Prefect saw it (its fields)
MainRunContext = dataclasses.make_dataclass(
    "MainRunContext", [("settings", Settings), ("run_id", str), ("page_state", dict)]
)


def walk_ms(args: tuple, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        visit_collection(args, visit_fn=lambda x: x, return_data=True)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    settings = Settings()
    for stored in (1_000, 6_000, 50_000):
        states = {
            f"https://example.org/{i}": PageState('"etag"', "Mon", "s" * 64, "a" * 24)
            for i in range(stored)
        }
        ctx = MainRunContext(settings, "run", states)
        old, new = walk_ms((ctx,)), walk_ms(("run", Opaque(ctx)))
        print(f"{stored:>6} stored pages: main {old:8.1f} ms per walk, now {new:.3f} ms")


if __name__ == "__main__":
    main()
