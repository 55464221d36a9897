"""The gateway's HTTP listener on 127.0.0.1: ``/<Stage>/<path>`` -> :class:`Gateway`.

:meth:`GatewayServer.replace_gateway` swaps the gateway for the next requests (a reloaded
template.yaml); each request is served by the gateway in service when it arrived.
"""

from __future__ import annotations

import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from local.background import BackgroundServer
from local.gateway.events import IncomingRequest
from local.gateway.gateway import Gateway
from local.ports import GATEWAY, binding

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


def split_stage(raw_path: str) -> tuple[str, str]:
    """``/Dev/orders/1`` -> (``Dev``, ``/orders/1``); the path is percent-decoded."""
    path = unquote(urlsplit(raw_path).path)
    stage, _, rest = path.lstrip("/").partition("/")
    return stage, "/" + rest


def _handler_class(server: GatewayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True
        server_version = "scopegate-local-gateway"

        def log_message(self, format: str, *args: Any) -> None:  # the gateway logs instead
            return

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self.send_error(413)
                return
            body = self.rfile.read(length) if length else b""
            stage, path = split_stage(self.path)
            request = IncomingRequest(
                method=self.command,
                stage=stage,
                path=path,
                query=parse_qsl(urlsplit(self.path).query, keep_blank_values=True),
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
                request_id=str(uuid.uuid4()),
                received_at=time.time(),
            )
            answer = server.gateway.handle(request)
            self.send_response(answer.status)
            for name, value in answer.headers:
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    return Handler


class GatewayServer(BackgroundServer):
    """A running listener; ``stop()`` shuts it down and stops the function workers."""

    def __init__(self, gateway: Gateway, host: str = "127.0.0.1", port: int = 0) -> None:
        self.gateway = gateway
        with binding(GATEWAY, host, port):
            httpd = ThreadingHTTPServer((host, port), _handler_class(self))
        httpd.daemon_threads = True
        self.port = httpd.server_address[1]
        super().__init__(httpd, "gateway")

    def start(self) -> GatewayServer:
        self.start_serving()
        return self

    def replace_gateway(self, gateway: Gateway) -> Gateway:
        """Serve the next requests with ``gateway``; return the one it replaces (still to close)."""
        previous, self.gateway = self.gateway, gateway
        return previous

    def stop(self) -> None:
        self.stop_serving()
        self.gateway.functions.close()
