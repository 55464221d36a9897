"""Serve a ``socketserver`` server (stdlib or Werkzeug) from a daemon thread, and stop it."""

from __future__ import annotations

import threading
from socketserver import BaseServer


class BackgroundServer:
    def __init__(self, httpd: BaseServer, name: str) -> None:
        self.httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, name=name, daemon=True)

    def start_serving(self) -> None:
        self._thread.start()

    def stop_serving(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join()
