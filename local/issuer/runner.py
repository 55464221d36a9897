"""Run the issuer on 127.0.0.1 in a background thread (Werkzeug's threaded WSGI server).

The issuer URL (its ``iss``) includes the port, which is known only once the socket is bound
(port 0 picks a free one), so the app is built from the URL after binding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.serving import make_server

from local.background import BackgroundServer


class IssuerServer(BackgroundServer):
    def __init__(self, build_app: Callable[[str], Any], host: str = "127.0.0.1", port: int = 0) -> None:
        def not_ready(environ: Any, start_response: Callable[..., Any]) -> list[bytes]:
            start_response("503 SERVICE UNAVAILABLE", [])
            return []

        httpd = make_server(host, port, not_ready, threaded=True)
        self.port = httpd.server_port
        self.url = f"http://{host}:{self.port}/"
        httpd.app = build_app(self.url)
        super().__init__(httpd, "issuer")

    def start(self) -> IssuerServer:
        self.start_serving()
        return self

    def stop(self) -> None:
        self.stop_serving()
