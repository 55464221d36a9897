"""The JWKS fetcher over ``requests`` (I/O), as the JWKS cache relies on it.

One deadline for connect, headers and body (before each body read the socket may wait only for
what is left of it, so neither a slow nor a trickling server can hold a decision past it), a size cap (declared and actual), no redirects, no proxy or netrc from
the environment, TLS verified against certifi's CA bundle. Fetches are minutes apart, so no
connection is kept (``Connection: close``): an idle keep-alive connection would be closed by the
server long before the next fetch.

``requests`` costs about 50 ms of imports at cold start (docs/benchmarks.md); that is paid once per
container, in Lambda's init phase where the JWKS is prefetched.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import requests
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3 import Timeout
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from authorizer.errors import JwksUnavailable

Fetcher = Callable[[str], bytes]
CHUNK_BYTES = 16384


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # never route key fetches through an ambient proxy or netrc
    session.headers.update({"Accept": "application/json", "Connection": "close"})
    return session


def _limit_socket_wait(response: requests.Response, deadline: float) -> None:
    """Let the next body read wait only until the deadline (a trickling server cannot hold it)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise JwksUnavailable("JWKS fetch exceeded its deadline", reason="jwks_timeout")
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        sock.settimeout(remaining)


def make_http_fetcher(timeout_seconds: float, max_bytes: int) -> Fetcher:
    """A fetcher that opens a session (and so a connection) per fetch and closes it after."""

    def read_body(response: requests.Response, deadline: float) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise JwksUnavailable("JWKS response too large", reason="jwks_too_large")
        body = bytearray()
        while True:
            _limit_socket_wait(response, deadline)
            chunk = response.raw.read1(CHUNK_BYTES, decode_content=True)
            if not chunk:
                return bytes(body)
            body += chunk
            if len(body) > max_bytes:
                raise JwksUnavailable("JWKS response too large", reason="jwks_too_large")

    def fetch(url: str) -> bytes:
        deadline = time.monotonic() + timeout_seconds
        try:
            with _session() as session, session.get(
                url,
                # connect, and wait for the headers, within the one deadline
                timeout=Timeout(total=timeout_seconds),
                allow_redirects=False,
                stream=True,
            ) as response:
                if response.status_code != 200:
                    raise JwksUnavailable(
                        f"JWKS endpoint answered HTTP {response.status_code}", reason="jwks_http_error"
                    )
                return read_body(response, deadline)
        # reading response.raw directly, urllib3's own errors (read timeout, broken or
        # undecodable body) arrive unwrapped by requests
        except (requests.Timeout, Urllib3Timeout):
            raise JwksUnavailable("JWKS fetch timed out", reason="jwks_timeout") from None
        except (requests.RequestException, Urllib3Error):
            raise JwksUnavailable("JWKS endpoint unreachable", reason="jwks_unreachable") from None

    return fetch
