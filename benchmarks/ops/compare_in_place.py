"""How long the read copy's update in place takes to compare a warehouse with its spare: the
files mapped and compared with ``memcmp`` (``newsetl.filesync``, the default where it can) or
read into buffers (the fallback), alternating, on a copy of FILE (equal bytes: every window is
compared, nothing written: the comparison alone).

Run (the 50,000-page warehouse of ``scale.py --keep``: 0.46 s against 0.70 s of CPU,
benchmarks/README.md "Round 21")::

    .venv/bin/python benchmarks/ops/compare_in_place.py WAREHOUSE.duckdb [--reps 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from newsetl import filesync


def timed(source: Path, copy: Path, mapped: bool) -> tuple[float, float, int]:
    """(wall s, CPU s, bytes written) of one update of ``copy`` from ``source``."""
    memcmp = filesync._memcmp
    if not mapped:
        filesync._memcmp = lambda: None  # the platform fallback: read both files
    fd = os.open(copy, os.O_RDWR)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        written = filesync.update_in_place(source, fd)
        return time.perf_counter() - wall, time.process_time() - cpu, written
    finally:
        os.close(fd)
        filesync._memcmp = memcmp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--reps", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.file.parent) as tmp:
        copy = Path(tmp) / "spare"
        shutil.copyfile(args.file, copy)
        for _ in range(args.reps):
            for mapped in (True, False):
                wall, cpu, written = timed(args.file, copy, mapped)
                print(
                    f"{'mapped' if mapped else 'read':6s}: wall {wall:.2f} s, CPU {cpu:.2f} s, "
                    f"{written} bytes written",
                    flush=True,
                )


if __name__ == "__main__":
    main()
