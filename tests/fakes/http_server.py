"""A real HTTP server on 127.0.0.1 (port 0) that tests script route by route.

Shared by the source tests (hostile responses: slow, streamed, huge) and the engine tests
(feeds with ETags answering 304 to a conditional GET).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """What the server answers. ``body`` may be an iterable of chunks: those are streamed
    without Content-Length (connection closes at the end), ``chunk_delay`` apart."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunk_delay: float = 0.0


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


Route = Reply | Callable[[Seen], Reply]


class _QuietServer(ThreadingHTTPServer):
    """Records handler errors (a client hanging up mid-answer is expected here) instead of
    printing tracebacks over the test output."""

    errors: list[str]

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        self.errors.append(repr(sys.exc_info()[1]))


class LocalServer:
    """Routes by exact path; records every request; counts body bytes actually written."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.sent: dict[str, int] = {}
        self.finished: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self.errors: list[str] = []
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.errors = self.errors
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="test-http", daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, reply: Route) -> str:
        self.routes[path] = reply
        self.finished[path] = threading.Event()
        return self.url(path)

    def hits(self, path: str) -> list[Seen]:
        with self._lock:
            return [seen for seen in self.requests if seen.path == path]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
                with server._lock:
                    server.requests.append(seen)
                route = server.routes.get(self.path)
                reply = Reply(404, b"not here") if route is None else route(seen) if callable(route) else route
                try:
                    server._answer(self, seen.path, reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    event = server.finished.get(seen.path)
                    if event is not None:
                        event.set()

        return Handler

    def _answer(self, handler: BaseHTTPRequestHandler, path: str, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        handler.send_response(reply.status)
        streamed = not isinstance(reply.body, bytes)
        for key, value in reply.headers.items():
            handler.send_header(key, value)
        if streamed:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        elif "Content-Length" not in reply.headers:
            handler.send_header("Content-Length", str(len(reply.body)))  # type: ignore[arg-type]
        handler.end_headers()
        chunks = [reply.body] if isinstance(reply.body, bytes) else reply.body
        for chunk in chunks:
            if reply.chunk_delay:
                time.sleep(reply.chunk_delay)
            handler.wfile.write(chunk)
            handler.wfile.flush()
            with self._lock:
                self.sent[path] = self.sent.get(path, 0) + len(chunk)


def feed(body: bytes, content_type: str = "application/rss+xml", status: int = 200) -> Route:
    """A feed route with an ETag (the body's hash) that answers 304 to a matching If-None-Match."""
    etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'

    def reply(seen: Seen) -> Reply:
        if status == 200 and seen.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        headers = {"Content-Type": content_type}
        if status == 200:
            headers["ETag"] = etag
        return Reply(status, body, headers)

    return reply
