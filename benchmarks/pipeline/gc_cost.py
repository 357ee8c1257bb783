"""The cyclic garbage collector's collections in the run's own process during ``newsetl``.

Why: the run's process spends more CPU a page late in a long run than early (round 25).
A process that keeps more and more objects pays more for each full collection (it walks
them all); this says whether that is where the time goes. It runs ``newsetl ARGS...`` with
a callback on :data:`gc.callbacks` in the run's process (not in its workers) and writes a
line per full collection (seconds since the start, its milliseconds, the objects it found
in the oldest generation) and per collection over 5 ms to ``--log``.

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/gc_cost.py --log /tmp/gc.log -- ingest PAGES_DIR --db /tmp/gc.duckdb -q
"""

from __future__ import annotations

import gc
import sys
import time
from typing import Any, TextIO


def install(out: TextIO) -> None:
    started = time.time()
    begun = [0.0]

    def timed(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            begun[0] = time.perf_counter()
            return
        ms = 1000 * (time.perf_counter() - begun[0])
        generation = info["generation"]
        if generation == 2 or ms > 5:
            held = len(gc.get_objects(2)) if generation == 2 else ""
            out.write(
                f"{time.time() - started:.1f} gen{generation} {ms:.1f} ms "
                f"collected={info['collected']} oldest={held}\n"
            )

    gc.callbacks.append(timed)


def main() -> None:
    # the worker processes import this module as their __main__: nothing runs there
    args = sys.argv[1:]
    if len(args) < 3 or args[0] != "--log" or args[2] != "--":
        raise SystemExit(__doc__)
    out = open(args[1], "a", buffering=1)  # noqa: SIM115 - open for the process's life
    install(out)
    from newsetl.cli import main as newsetl

    sys.exit(newsetl(args[3:]))


if __name__ == "__main__":
    main()
