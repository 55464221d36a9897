"""Run the issuer on 127.0.0.1 in a background thread (Werkzeug's threaded WSGI server).

The issuer URL (its ``iss``) includes the port, which is known only once the socket is bound
(port 0 picks a free one), so the app is built from the URL after binding. The socket is bound
here, not by Werkzeug (which prints its own message and exits the process when a port is taken),
so a taken port is a :class:`local.ports.PortUnavailable` naming ``--issuer-port``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import make_server

from local.background import BackgroundServer
from local.ports import ISSUER, listening_socket


def _not_ready(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("503 SERVICE UNAVAILABLE", [])
    return []


class _CurrentApp:
    """The WSGI app in service: 503 until the app, which needs the bound port, is built."""

    def __init__(self) -> None:
        self.app: Callable[..., Iterable[bytes]] = _not_ready

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self.app(environ, start_response)


class IssuerServer(BackgroundServer):
    def __init__(self, build_app: Callable[[str], Any], host: str = "127.0.0.1", port: int = 0) -> None:
        self._current = _CurrentApp()
        with listening_socket(ISSUER, host, port) as listener:
            # Werkzeug serves a duplicate of this descriptor; ours is closed on leaving the block
            httpd = make_server(host, port, self._current, threaded=True, fd=listener.fileno())
            self.port = listener.getsockname()[1]
        self.url = f"http://{host}:{self.port}/"
        self._current.app = build_app(self.url)
        super().__init__(httpd, "issuer")

    def start(self) -> IssuerServer:
        self.start_serving()
        return self

    def stop(self) -> None:
        self.stop_serving()
