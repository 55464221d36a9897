"""The JWKS fetcher: one HTTP/1.1 GET under one wall-clock deadline (I/O).

``JWKS_TIMEOUT_SECONDS`` bounds the whole fetch, not each read: name resolution, connect, the TLS
handshake, sending the request, the status line, the headers, the chunk framing and the body all
share one deadline, so no server, however slowly it trickles bytes, holds a decision past it. The
socket I/O is ours (``socket`` and ``ssl``); before every blocking call the socket may wait only for
what is left of the deadline, and CPython bounds a single ``recv``, ``sendall`` or TLS handshake by
the socket's timeout as a whole.

The request is written here (:func:`request_head`: a GET with fixed headers, to a URL the settings
have checked); the response is read by :mod:`authorizer.http_response`, whose HTTP/1.1 framing is
h11's, imported only once the request is sent. Until the request leaves, this module needs only
``socket`` and ``ssl``: at Lambda's init (:mod:`authorizer.lambda_init`) the request is on the
wire before the rest of the authorizer is imported; h11 is imported when the answer is read.

Also: a size cap on the bytes received and on the decoded body (declared and actual), gzip and
deflate bodies decoded within that cap, no redirects (any status but 200 is a fault), no proxy or
netrc from the environment (the connection is always direct), TLS verified against certifi's CA
bundle with hostname checking (read from its hashed directory when the build packaged one:
:data:`PACKAGED_CA_DIRECTORY`). Fetches are minutes apart, so no connection is kept
(``Connection: close``).
"""

from __future__ import annotations

import os
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from functools import cache
from urllib.parse import SplitResult, urlsplit

from authorizer.errors import JwksUnavailable, Reason

Fetcher = Callable[[str], bytes]
# one getaddrinfo entry: (family, type, proto, canonname, sockaddr)
Address = tuple[socket.AddressFamily, socket.SocketKind, int, str,
                tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes]]
Resolver = Callable[[str, int], Sequence[Address]]

# every header of the request but Host, in the order written
REQUEST_HEADERS = (("Accept", "application/json"), ("Accept-Encoding", "gzip"), ("Connection", "close"),
                   ("User-Agent", "scopegate"))


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self._at = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left, or :class:`JwksUnavailable` (``jwks_timeout``) once none are."""
        left = self._at - time.monotonic()
        if left <= 0:
            raise JwksUnavailable("JWKS fetch exceeded its deadline", reason=Reason.JWKS_TIMEOUT)
        return left


def resolve_address(host: str, port: int) -> Sequence[Address]:
    """The system resolver: ``getaddrinfo`` for a TCP connection."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


# certifi's bundle as an OpenSSL hashed directory, written beside the package by the build
# (scripts/ca-directory): the same certificates, read by the handshake on demand
PACKAGED_CA_DIRECTORY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ca-certificates")


def tls_context(ca_directory: str | None) -> ssl.SSLContext:
    """Certificate and hostname verification against certifi's CA bundle: from ``ca_directory``
    (its hashed form, about 1 ms) when given, else from certifi's file (every certificate parsed,
    tens of ms)."""
    if ca_directory is not None:
        return ssl.create_default_context(capath=ca_directory)
    import certifi  # only https fetches need it

    return ssl.create_default_context(cafile=certifi.where())


@cache
def default_tls_context() -> ssl.SSLContext:
    """The TLS context of every https fetch, built once per container: from the packaged hashed
    directory when the artifact has one, else from certifi's file."""
    return tls_context(PACKAGED_CA_DIRECTORY if os.path.isdir(PACKAGED_CA_DIRECTORY) else None)


def make_http_fetcher(
    timeout_seconds: float,
    max_bytes: int,
    *,
    resolve: Resolver = resolve_address,
    tls_context: Callable[[], ssl.SSLContext] = default_tls_context,
    after_sending: Callable[[float], None] | None = None,
) -> Fetcher:
    """A fetcher that opens one connection per fetch, bounded by ``timeout_seconds`` in all.

    ``resolve`` and ``tls_context`` are the system resolver and certifi's trust store unless a
    test gives its own (a slow resolver, a test CA). ``after_sending`` is called with the seconds
    left once the request is sent, before the answer is read (the fetch begun at Lambda's init
    waits there until the answer is wanted: the kernel keeps what arrives meanwhile).
    """

    def fetch(url: str) -> bytes:
        deadline = _Deadline(timeout_seconds)
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            sock = _connect(_bounded_resolve(resolve, host, port, deadline), deadline)
            try:
                if parts.scheme == "https":
                    sock.settimeout(deadline.remaining())  # the handshake as a whole
                    sock = tls_context().wrap_socket(sock, server_hostname=host)
                return _exchange(sock, _target(parts), _authority(parts), deadline, max_bytes, after_sending)
            finally:
                sock.close()
        except TimeoutError:
            raise JwksUnavailable("JWKS fetch exceeded its deadline", reason=Reason.JWKS_TIMEOUT) from None
        except OSError:  # refused, reset, unresolvable, TLS verification failed
            raise JwksUnavailable("JWKS endpoint unreachable", reason=Reason.JWKS_UNREACHABLE) from None

    return fetch


def _bounded_resolve(resolve: Resolver, host: str, port: int, deadline: _Deadline) -> Sequence[Address]:
    """Resolve ``host`` within the deadline. A lookup cannot be interrupted, so it runs on a daemon
    thread that is left to end on its own when the deadline passes first."""
    if _is_address_literal(host):
        return resolve(host, port)  # nothing to look up, nothing to wait for
    outcome: list[Sequence[Address] | OSError] = []

    def lookup() -> None:
        try:
            outcome.append(resolve(host, port))
        except OSError as error:
            outcome.append(error)

    worker = threading.Thread(target=lookup, name="jwks-resolve", daemon=True)
    worker.start()
    worker.join(deadline.remaining())
    if not outcome:
        raise JwksUnavailable("JWKS host name did not resolve within the deadline", reason=Reason.JWKS_TIMEOUT)
    if isinstance(outcome[0], OSError):
        raise outcome[0]
    return outcome[0]


def _is_address_literal(host: str) -> bool:
    """An IPv4 or IPv6 address written out (``socket.inet_pton``, no ``ipaddress`` import)."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
            return True
        except OSError:
            pass
    return False


def _connect(addresses: Sequence[Address], deadline: _Deadline) -> socket.socket:
    """Connect to the first address that accepts, as ``socket.create_connection`` does."""
    last_error = OSError("the host name has no address")
    for family, kind, protocol, _, address in addresses:
        sock = socket.socket(family, kind, protocol)
        try:
            sock.settimeout(deadline.remaining())
            sock.connect(address)
            return sock
        except (OSError, JwksUnavailable) as error:
            sock.close()
            if isinstance(error, JwksUnavailable):
                raise
            last_error = error
    raise last_error


def _authority(parts: SplitResult) -> str:
    host = parts.hostname or ""
    authority = f"[{host}]" if ":" in host else host
    return authority if parts.port is None else f"{authority}:{parts.port}"


def _target(parts: SplitResult) -> str:
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def request_head(target: str, authority: str) -> bytes:
    """The bytes of a GET of ``target`` from ``authority``, as h11 writes it (h11 checks that
    before the answer is read: :func:`authorizer.http_response.read_response`).

    Only printable ASCII without spaces goes on the wire: anything else in the URL would be a
    request nobody meant (the settings refuse such a URL first, naming the fix)."""
    for part in (target, authority):
        if not part or not all("!" <= char <= "~" for char in part):
            raise JwksUnavailable("JWKS URL has characters an HTTP request cannot carry", reason=Reason.JWKS_UNREACHABLE)
    lines = [f"GET {target} HTTP/1.1", f"Host: {authority}", *(f"{name}: {value}" for name, value in REQUEST_HEADERS)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def _exchange(sock: socket.socket, target: str, authority: str, deadline: _Deadline, max_bytes: int,
              after_sending: Callable[[float], None] | None = None) -> bytes:
    """Send one GET, then read its response; every blocking call within the deadline."""
    head = request_head(target, authority)
    sock.settimeout(deadline.remaining())
    sock.sendall(head)
    if after_sending is not None:
        after_sending(deadline.remaining())
    from authorizer import http_response  # h11 and its imports: only now, the request is on its way

    headers = (("Host", authority), *REQUEST_HEADERS)
    return http_response.read_response(sock, head, target, headers, deadline.remaining, max_bytes)
