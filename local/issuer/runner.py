"""Run the issuer on 127.0.0.1 in a background thread (Werkzeug's threaded WSGI server).

The issuer URL (its ``iss``) includes the port, which is known only once the socket is bound
(port 0 picks a free one), so the app is built from the URL after binding.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from werkzeug.serving import make_server


class IssuerServer:
    def __init__(self, build_app: Callable[[str], Any], host: str = "127.0.0.1", port: int = 0) -> None:
        def not_ready(environ: Any, start_response: Callable[..., Any]) -> list[bytes]:
            start_response("503 SERVICE UNAVAILABLE", [])
            return []

        self.httpd = make_server(host, port, not_ready, threaded=True)
        self.port = self.httpd.server_port
        self.url = f"http://{host}:{self.port}/"
        self.httpd.app = build_app(self.url)
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="issuer", daemon=True)

    def start(self) -> IssuerServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join()
