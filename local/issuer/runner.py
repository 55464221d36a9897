"""Run the issuer on 127.0.0.1 in a background thread (Werkzeug's threaded WSGI server).

The issuer URL (its ``iss``) includes the port, which is known only once the socket is bound
(port 0 picks a free one), so the app is built from the URL after binding. The socket is bound
here, not by Werkzeug (which prints its own message and exits the process when a port is taken),
so a taken port is a :class:`local.ports.PortUnavailable` naming ``--issuer-port``.
:meth:`IssuerServer.serve` swaps the app for the next requests (a reloaded clients.yaml).
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
    """The WSGI app in service; replacing it is one reference assignment (atomic)."""

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
        self.serve(build_app(self.url))
        super().__init__(httpd, "issuer")

    def serve(self, app: Callable[..., Iterable[bytes]]) -> None:
        """Answer the next requests with ``app`` (requests under way finish with the old one)."""
        self._current.app = app

    def start(self) -> IssuerServer:
        self.start_serving()
        return self

    def stop(self) -> None:
        self.stop_serving()
