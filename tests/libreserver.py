"""A LibreTranslate server on 127.0.0.1 for the translator tests (``POST /translate`` with
q/source/target/api_key, ``GET /languages``), answering from a table of known translations.

The provider path is tested through the real ``deep_translator.LibreTranslator`` client
inside our backend, against this real HTTP server; several test files use it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

SPAN = "corruzione in atti giudiziari"
TRANSLATIONS = {("it", "en", SPAN): "judicial bribery", ("it", "en", "ciao"): "hello"}


class _LibreHandler(BaseHTTPRequestHandler):
    """Minimal LibreTranslate: params may come in the query string, a form or JSON body."""

    delay = 0.0
    requests: ClassVar[list[dict]] = []
    translations: ClassVar[dict] = TRANSLATIONS

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _reply(self, status: int, payload) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if urlparse(self.path).path.rstrip("/") == "/languages":
            self._reply(200, [{"code": c, "name": c} for c in ("en", "it", "fr", "de")])
        else:
            self._reply(404, {"error": "not found"})

    def do_POST(self) -> None:
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if raw:
            if "json" in (self.headers.get("Content-Type") or ""):
                params.update(json.loads(raw))
            else:
                params.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
        type(self).requests.append(params)
        if self.delay:
            time.sleep(self.delay)
        if url.path.rstrip("/") != "/translate":
            self._reply(404, {"error": "not found"})
            return
        if not params.get("api_key"):
            self._reply(403, {"error": "api key required"})
            return
        key = (params.get("source"), params.get("target"), params.get("q"))
        if key not in self.translations:
            self._reply(400, {"error": "unknown text"})
            return
        self._reply(200, {"translatedText": self.translations[key]})


def serve(delay: float = 0.0, translations: dict | None = None) -> Iterator[tuple[str, type]]:
    """Serve until the generator is closed; yields (base URL, handler class with its requests)."""
    handler = type(
        "Handler",
        (_LibreHandler,),
        {
            "delay": delay,
            "requests": [],
            "translations": TRANSLATIONS if translations is None else translations,
        },
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", handler
    finally:
        server.shutdown()
        server.server_close()
