"""A raw TCP server on 127.0.0.1 that answers with a script of bytes and pauses: a slow or hostile
HTTP endpoint, byte by byte, below what ``http.server`` lets a test control.

Each connection reads the request head, then plays the script: ``(data, pause_seconds)`` steps,
possibly endless (a generator), until the script ends, the client goes away, or the server stops.
With ``tls`` set, the connection is wrapped first (the handshake itself may be skipped, to play a
server that accepts and then says nothing).
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

Script = Callable[[], Iterable[tuple[bytes, float]]]


class SlowServer:
    def __init__(self, script: Script, *, tls: ssl.SSLContext | None = None, handshake: bool = True,
                 read_request: bool = True) -> None:
        self.script = script
        self.tls = tls
        self.handshake = handshake
        self.read_request = read_request
        self.connections = 0
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    def url(self, scheme: str = "http", host: str = "127.0.0.1") -> str:
        return f"{scheme}://{host}:{self.port}/.well-known/jwks.json"

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            if self.tls is not None:
                if not self.handshake:
                    self._stopping.wait(60)  # accepts, then never answers the ClientHello
                    return
                conn = self.tls.wrap_socket(conn, server_side=True)
            if self.read_request:
                head = b""
                while b"\r\n\r\n" not in head:
                    data = conn.recv(4096)
                    if not data:
                        return
                    head += data
            for data, pause in self.script():
                if data:
                    conn.sendall(data)
                if pause and self._stopping.wait(pause):
                    return
        except (OSError, ssl.SSLError):
            return  # the client gave up: what a deadline is for
        finally:
            conn.close()

    def start(self) -> SlowServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._listener.close()


@contextmanager
def running_slow_server(script: Script, **options: object) -> Iterator[SlowServer]:
    server = SlowServer(script, **options).start()  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


def trickle(head: bytes, drip: bytes, pause: float, seconds: float) -> Script:
    """``head`` at once, then ``drip`` every ``pause`` seconds for ``seconds``."""

    def script() -> Iterator[tuple[bytes, float]]:
        yield head, pause
        for _ in range(int(seconds / pause)):
            yield drip, pause

    return script
