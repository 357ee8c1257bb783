"""What ``newsetl ingest`` shows while it runs: a progress bar with pages/s and ETA on a
terminal, plain lines (one per batch, and while sources expand) otherwise.

It listens to :mod:`newsetl.progress`; Prefect's own console lines are lowered to warnings by
the caller so the two do not interleave (the flow-run logs in the UI keep every line).
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

#: Seconds between two plain lines while sources expand (a big sitemap index names hundreds).
PLAIN_EXPANSION_EVERY_S = 2.0


class ProgressDisplay:
    """A listener for :func:`newsetl.progress.listening`."""

    def __init__(self, stream: TextIO | None = None, tty: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.started = time.monotonic()
        self.fetch_started: float | None = None
        self.last_plain = 0.0
        self.drawn = False

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        now = time.monotonic()
        if event == "document":
            text = (
                f"expanding sources: {data['documents']} feeds/sitemaps/pages read, "
                f"{data['pages']} pages found ({now - self.started:.0f}s)"
            )
            if self.tty:
                self._draw(text)
            elif now - self.last_plain >= PLAIN_EXPANSION_EVERY_S:
                self.last_plain = now
                self._line(text)
        elif event == "expanded":
            self.fetch_started = now
            self._line(f"{data['pages']} pages to fetch in {data['batches']} batches")
        elif event == "batch":
            self._batch(now, data["pages"], data["failed"], data["total"])

    def _batch(self, now: float, pages: int, failed: int, total: int) -> None:
        elapsed = max(1e-6, now - (self.fetch_started or self.started))
        rate = pages / elapsed
        eta = (total - pages) / rate if rate > 0 else float("inf")
        eta_text = _duration(eta) if eta != float("inf") else "?"
        if self.tty:
            width = 30
            filled = int(width * pages / max(1, total))
            bar = "#" * filled + "-" * (width - filled)
            self._draw(
                f"[{bar}] {pages}/{total} pages, {failed} failed, {rate:.1f} pages/s, "
                f"ETA {eta_text}"
            )
            if pages >= total:
                self._end()
        else:
            self._line(
                f"fetched {pages}/{total} pages ({failed} failed), {rate:.1f} pages/s, "
                f"ETA {eta_text}"
            )

    def close(self) -> None:
        if self.drawn:
            self._end()

    def _draw(self, text: str) -> None:
        self.stream.write("\r\x1b[2K" + text)
        self.stream.flush()
        self.drawn = True

    def _end(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
        self.drawn = False

    def _line(self, text: str) -> None:
        if self.drawn:
            self._end()
        self.stream.write(text + "\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
