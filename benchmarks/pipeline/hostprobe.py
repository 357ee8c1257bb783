"""The host's own speed through a long run: a fixed piece of work, timed every few seconds.

Why: on a shared machine the same 500 pages cost 46 ms of CPU a page in one stretch of a
run and 89 in another (benchmarks/README.md "Round 24"): another tenant on the same cores
or caches slows every process on them, ours and this probe alike, and there are no
hardware counters in such a VM (``perf stat -e instructions``: not supported) to count the
run's work apart from its speed. The probe takes the machine's pulse beside the run: a
pure-Python loop whose CPU time (~7.5 ms on this project's machine, ~0.4 % of a core every
2 s) changes only when the host does. A window of the run that is slow while the probe is
slow is the host's. One that is slow while the probe is not is the run's, or contention the
loop does not feel: it stays in the L1 cache, so another tenant's cache or memory traffic
passes it by (benchmarks/README.md "Round 25").

The probe is a process of its own (not a thread of the benchmark, whose sampler holds the
GIL), started and ended with the ``with`` block; nothing outlives it.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

#: The probe's loop: CPU milliseconds of a fixed sum, one ``epoch ms`` line every ``gap``
#: seconds, until its parent closes its stdin.
PROBE = r"""
import sys, threading, time
out = open(sys.argv[1], "a", buffering=1)
gap = float(sys.argv[2])
done = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
def work():
    s = 0
    for i in range(200_000):
        s += i * i % 7
    return s
while not done.is_set():
    t0 = time.process_time()
    work()
    out.write(f"{time.time():.2f} {1000 * (time.process_time() - t0):.3f}\n")
    done.wait(gap)
"""


class HostProbe:
    """``with HostProbe() as probe: ...``; then ``probe.samples``: ``(epoch s, ms)`` pairs."""

    def __init__(self, gap_s: float = 2.0) -> None:
        self.gap_s = gap_s
        self.samples: list[tuple[float, float]] = []
        self._dir = tempfile.TemporaryDirectory(prefix="newsetl-probe-")
        self._file = Path(self._dir.name) / "probe.txt"
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> HostProbe:
        self._proc = subprocess.Popen(
            [sys.executable, "-c", PROBE, str(self._file), str(self.gap_s)],
            stdin=subprocess.PIPE,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.close()  # the probe's signal to end
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._file.exists():
            for line in self._file.read_text().splitlines():
                t, ms = line.split()
                self.samples.append((float(t), float(ms)))
        self._dir.cleanup()


def host_ms(samples: list[tuple[float, float]], start: float, end: float) -> float | None:
    """The probe's median between two epoch times (None: no sample in between)."""
    inside = [ms for t, ms in samples if start <= t <= end]
    return statistics.median(inside) if inside else None
