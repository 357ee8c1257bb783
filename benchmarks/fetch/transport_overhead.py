"""Cost of the guarded transport (resolve once, check the address, deadline-bounded socket
operations) per fetch, against httpx's own transport, on a loopback server.

Each variant fetches the same small page ``--fetches`` times with keep-alive (the usual case: one
connection per host) and ``--fetches`` times with a new connection each time (worst case: one
DNS resolution and address check per fetch), interleaved over ``--repeats`` rounds; the median
per-fetch time of each is printed.

    uv run python benchmarks/fetch/transport_overhead.py [--fetches 300] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from newsetl.downloads import Fetcher
from newsetl.settings import Settings

BODY = b"<html><body>" + b"<p>news text</p>" * 200 + b"</body></html>"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # headers and body in one send: no Nagle / delayed-ACK stall of 40 ms

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        pass


def fetcher(guarded: bool) -> Fetcher:
    settings = Settings(
        per_host_interval_s=0.0,
        respect_robots=False,
        private_network_allow_list=("127.0.0.1/32",),
    )
    f = Fetcher(settings)
    if not guarded:
        f.client._transport = httpx.HTTPTransport()
    return f


def timed(guarded: bool, url: str, n: int, *, reuse: bool) -> float:
    """Seconds per fetch."""
    f = fetcher(guarded)
    try:
        started = time.perf_counter()
        for i in range(n):
            result = f.fetch(f"{url}?{i}")
            assert result.ok, result.error
            if not reuse:
                f.client._transport.close()  # the pool opens a new connection next time
        return (time.perf_counter() - started) / n
    finally:
        f.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fetches", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/page.html"
    results: dict[tuple[str, str], list[float]] = {}
    try:
        for _ in range(args.repeats):
            for reuse in (True, False):
                for guarded in (False, True):
                    key = ("guarded" if guarded else "httpx", "keep-alive" if reuse else "new conn")
                    results.setdefault(key, []).append(
                        timed(guarded, url, args.fetches, reuse=reuse)
                    )
    finally:
        server.shutdown()
    for (variant, mode), values in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        ms = [v * 1000 for v in values]
        print(
            f"{mode:<10} {variant:<8} median {statistics.median(ms):.3f} ms/fetch "
            f"(min {min(ms):.3f}, max {max(ms):.3f}, {args.repeats} x {args.fetches})"
        )


if __name__ == "__main__":
    main()
