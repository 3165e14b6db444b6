"""The local OpenSSL TSA of tests/core/custody/tsa.py served over real HTTP (RFC 3161 §3.4).

A thread runs ``http.server`` on 127.0.0.1 (ephemeral port); each POST of an
``application/timestamp-query`` is answered by ``openssl ts -reply``. ``closed_url()`` gives an
address where nothing listens (an unreachable TSA). Synthetic certificates only.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.core.custody.tsa import OPENSSL, LocalTsa

__all__ = ["OPENSSL", "HttpTsa", "closed_url", "http_tsa"]


class HttpTsa:
    def __init__(self, tsa: LocalTsa, server: ThreadingHTTPServer) -> None:
        self.tsa = tsa
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
        self.root_pem = tsa.directory / "root.crt"
        self.requests = 0
        self.available = True  # False: answers 503 (a TSA that is down)


@contextmanager
def http_tsa(directory: Path, *, name: str = "synthetic-tsa") -> Iterator[HttpTsa]:
    tsa = LocalTsa(directory, name=name)
    lock = threading.Lock()
    holder: list[HttpTsa] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 — http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if not holder[0].available:
                self.send_error(503)
                return
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            with lock:
                holder[0].requests += 1
                reply = tsa.request(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(HttpTsa(tsa, server))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        server.shutdown()
        server.server_close()


def closed_url() -> str:
    """An http address on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"
