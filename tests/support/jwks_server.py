"""A real JWKS endpoint on 127.0.0.1 whose answers a test can change while it runs."""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    """What the server sends next: a status, a body, and optional misbehaviour."""

    status: int = 200
    body: bytes = b'{"keys": []}'
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay_seconds: float = 0.0  # before the status line
    trickle_seconds: float = 0.0  # between body chunks of 64 bytes
    drop_connection: bool = False


class JwksServer:
    """Plain HTTP, or HTTPS when given a server ``tls`` context (tests/support/tls.py)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.answer = Answer()
        self.tls = tls
        self.requests = 0
        self.paths: list[str] = []
        self.arrivals: list[float] = []  # time.monotonic() as each request's head was read
        self.answered: list[float] = []  # time.monotonic() as each answer's status line was sent
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_GET(self) -> None:
                with server._lock:
                    server.requests += 1
                    server.paths.append(self.path)
                    server.arrivals.append(time.monotonic())
                    answer = server.answer
                if answer.delay_seconds:
                    time.sleep(answer.delay_seconds)
                if answer.drop_connection:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                with server._lock:
                    server.answered.append(time.monotonic())
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                try:
                    if answer.trickle_seconds:
                        for start in range(0, len(answer.body), 64):
                            self.wfile.write(answer.body[start : start + 64])
                            self.wfile.flush()
                            time.sleep(answer.trickle_seconds)
                    else:
                        self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if tls is not None:  # each accepted connection does its handshake before its request is read
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    @property
    def url(self) -> str:
        return self.base_url + "/.well-known/jwks.json"

    def serve_keys(self, *jwks: dict[str, Any]) -> None:
        self.answer = Answer(body=json.dumps({"keys": list(jwks)}).encode())

    def serve(self, answer: Answer) -> None:
        self.answer = answer

    def start(self) -> JwksServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def running_jwks_server(tls: ssl.SSLContext | None = None) -> Iterator[JwksServer]:
    server = JwksServer(tls).start()
    try:
        yield server
    finally:
        server.stop()
