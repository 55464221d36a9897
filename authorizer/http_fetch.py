"""The JWKS fetcher: one HTTP(S) connection per fetch, from the standard library (I/O).

``http.client`` is already loaded by PyJWT (``jwt.jwks_client``), so fetching with it costs the
cold start nothing, where ``requests`` cost about 50 ms of imports. Behaviour is the one the JWKS
cache relies on: one deadline for connect and body, a size cap (declared and actual), no redirects,
no proxy from the environment, TLS verified against certifi's CA bundle (as requests did).
Fetches are minutes apart, so no connection is kept: an idle keep-alive connection would be closed
by the server long before the next fetch and fail it.
"""

from __future__ import annotations

import http.client
import ssl
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from authorizer.errors import JwksUnavailable

Fetcher = Callable[[str], bytes]
CHUNK_BYTES = 16384


def _tls_context() -> ssl.SSLContext:
    try:
        import certifi
    except ImportError:  # pragma: no cover - certifi ships with the function
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def make_http_fetcher(timeout_seconds: float, max_bytes: int) -> Fetcher:
    """A fetcher opening a new connection for every fetch (TLS context built once)."""
    tls: list[ssl.SSLContext] = []

    def connect(scheme: str, netloc: str) -> http.client.HTTPConnection:
        if scheme == "https":
            if not tls:
                tls.append(_tls_context())
            return http.client.HTTPSConnection(netloc, timeout=timeout_seconds, context=tls[0])
        return http.client.HTTPConnection(netloc, timeout=timeout_seconds)

    def read_body(response: http.client.HTTPResponse, deadline: float) -> bytes:
        declared = response.getheader("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise JwksUnavailable("JWKS response too large", reason="jwks_too_large")
        body = bytearray()
        while chunk := response.read1(CHUNK_BYTES):
            body += chunk
            if len(body) > max_bytes:
                raise JwksUnavailable("JWKS response too large", reason="jwks_too_large")
            if time.monotonic() > deadline:
                raise JwksUnavailable("JWKS fetch exceeded its deadline", reason="jwks_timeout")
        return bytes(body)

    def fetch(url: str) -> bytes:
        deadline = time.monotonic() + timeout_seconds
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn = connect(parts.scheme, parts.netloc)
        try:
            conn.request("GET", target, headers={"Accept": "application/json", "Connection": "close"})
            response = conn.getresponse()
            if response.status != 200:
                raise JwksUnavailable(f"JWKS endpoint answered HTTP {response.status}", reason="jwks_http_error")
            return read_body(response, deadline)
        except TimeoutError:
            raise JwksUnavailable("JWKS fetch timed out", reason="jwks_timeout") from None
        except (OSError, http.client.HTTPException):
            raise JwksUnavailable("JWKS endpoint unreachable", reason="jwks_unreachable") from None
        finally:
            conn.close()

    return fetch
