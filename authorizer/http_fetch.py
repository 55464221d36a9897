"""The JWKS fetcher: one HTTP/1.1 GET under one wall-clock deadline (I/O).

``JWKS_TIMEOUT_SECONDS`` bounds the whole fetch, not each read: name resolution, connect, the TLS
handshake, sending the request, the status line, the headers, the chunk framing and the body all
share one deadline, so no server, however slowly it trickles bytes, holds a decision past it. The
socket I/O is ours (``socket`` and ``ssl``); before every blocking call the socket may wait only for
what is left of the deadline, and CPython bounds a single ``recv``, ``sendall`` or TLS handshake by
the socket's timeout as a whole. The HTTP/1.1 framing (status line, headers, chunked or
Content-Length bodies, malformed framing) is parsed by h11, which does no I/O of its own, so no
parser can block on a line that never ends.

Also: a size cap on the bytes received and on the decoded body (declared and actual), gzip and
deflate bodies decoded within that cap, no redirects (any status but 200 is a fault), no proxy or
netrc from the environment (the connection is always direct), TLS verified against certifi's CA
bundle with hostname checking (read from its hashed directory when the build packaged one:
:data:`PACKAGED_CA_DIRECTORY`). Fetches are minutes apart, so no connection is kept
(``Connection: close``).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import SplitResult, urlsplit

import h11

from authorizer.errors import JwksUnavailable, Reason

Fetcher = Callable[[str], bytes]
Address = tuple[Any, ...]  # one getaddrinfo entry: (family, type, proto, canonname, sockaddr)
Resolver = Callable[[str, int], list[Address]]

RECV_BYTES = 65536
MAX_HEAD_BYTES = 16384  # the status line and headers
FRAMING_ALLOWANCE_BYTES = 65536  # wire bytes beyond the body cap: headers, chunk framing, gzip overhead
# Content-Encoding -> compressed? (we ask for gzip; deflate is read too, as requests did)
CONTENT_ENCODINGS = {b"": False, b"identity": False, b"gzip": True, b"x-gzip": True, b"deflate": True}


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self._at = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left, or :class:`JwksUnavailable` (``jwks_timeout``) once none are."""
        left = self._at - time.monotonic()
        if left <= 0:
            raise JwksUnavailable("JWKS fetch exceeded its deadline", reason=Reason.JWKS_TIMEOUT)
        return left


def resolve_address(host: str, port: int) -> list[Address]:
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
        except h11.ProtocolError:
            raise JwksUnavailable("JWKS endpoint sent a malformed HTTP response", reason=Reason.JWKS_UNREACHABLE) from None
        except zlib.error:
            raise JwksUnavailable("JWKS response body does not decode", reason=Reason.JWKS_UNREACHABLE) from None
        except OSError:  # refused, reset, unresolvable, TLS verification failed
            raise JwksUnavailable("JWKS endpoint unreachable", reason=Reason.JWKS_UNREACHABLE) from None

    return fetch


def _bounded_resolve(resolve: Resolver, host: str, port: int, deadline: _Deadline) -> list[Address]:
    """Resolve ``host`` within the deadline. A lookup cannot be interrupted, so it runs on a daemon
    thread that is left to end on its own when the deadline passes first."""
    try:
        ipaddress.ip_address(host)
        return resolve(host, port)  # a literal address: nothing to wait for
    except ValueError:
        pass
    outcome: list[list[Address] | OSError] = []

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


def _connect(addresses: list[Address], deadline: _Deadline) -> socket.socket:
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


def _exchange(sock: socket.socket, target: str, authority: str, deadline: _Deadline, max_bytes: int,
              after_sending: Callable[[float], None] | None = None) -> bytes:
    """Send one GET and read its response, every blocking call within the deadline."""
    conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD_BYTES)
    request = h11.Request(method="GET", target=target, headers=[
        ("Host", authority), ("Accept", "application/json"), ("Accept-Encoding", "gzip"),
        ("Connection", "close"), ("User-Agent", "scopegate"),
    ])
    sock.settimeout(deadline.remaining())
    sock.sendall((conn.send(request) or b"") + (conn.send(h11.EndOfMessage()) or b""))
    if after_sending is not None:
        after_sending(deadline.remaining())
    received, wire_room = 0, max_bytes + FRAMING_ALLOWANCE_BYTES
    body: _Body | None = None
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            # until the head is whole, h11 is given at most MAX_HEAD_BYTES; after it, the body cap
            # plus room for framing (a flood of empty chunks or deflate blocks ends here)
            room = MAX_HEAD_BYTES - received if body is None else MAX_HEAD_BYTES + wire_room - received
            if room <= 0:
                raise JwksUnavailable("JWKS response too large", reason=Reason.JWKS_TOO_LARGE)
            sock.settimeout(deadline.remaining())
            data = sock.recv(min(room, RECV_BYTES) if body is None else RECV_BYTES)
            received += len(data)
            conn.receive_data(data)
        elif isinstance(event, h11.Response):
            body = _Body(_checked_encoding(event, max_bytes), max_bytes)
        elif isinstance(event, h11.Data) and body is not None:
            body.add(event.data)
        elif isinstance(event, h11.EndOfMessage) and body is not None:
            return body.finish()
        elif isinstance(event, h11.ConnectionClosed):  # h11 raises first when a body is cut short
            raise JwksUnavailable("JWKS endpoint closed the connection", reason=Reason.JWKS_UNREACHABLE)
        # h11.InformationalResponse (1xx): the final response follows


def _header(response: h11.Response, name: bytes) -> bytes:
    return b",".join(value for key, value in response.headers if key == name)


def _checked_encoding(response: h11.Response, max_bytes: int) -> bool:
    """Refuse a response we will not read; True if its body is gzip- or zlib-compressed."""
    if response.status_code != 200:  # redirects included: never followed
        raise JwksUnavailable(f"JWKS endpoint answered HTTP {response.status_code}", reason=Reason.JWKS_HTTP_ERROR)
    declared = _header(response, b"content-length")
    if declared and int(declared) > max_bytes:  # h11 has checked that it is one decimal number
        raise JwksUnavailable("JWKS response too large", reason=Reason.JWKS_TOO_LARGE)
    encoding = _header(response, b"content-encoding").strip().lower()
    if encoding not in CONTENT_ENCODINGS:
        raise JwksUnavailable("JWKS response has an unsupported Content-Encoding", reason=Reason.JWKS_HTTP_ERROR)
    return CONTENT_ENCODINGS[encoding]


class _Body:
    """The decoded body, capped at ``max_bytes`` however well it compresses."""

    def __init__(self, compressed: bool, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        # wbits 32 + 15: a gzip or a zlib header, detected (HTTP's "deflate" is zlib-wrapped)
        self._decoder = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32) if compressed else None
        self._data = bytearray()

    def add(self, data: bytes) -> None:
        if self._decoder is None:
            self._data += data
        else:
            if self._decoder.eof and data:
                raise zlib.error("data after the end of the compressed stream")
            room = self._max_bytes + 1 - len(self._data)  # at least 1: 0 would mean "no limit"
            self._data += self._decoder.decompress(data, room)
            if self._decoder.unused_data:
                raise zlib.error("data after the end of the compressed stream")
            if self._decoder.unconsumed_tail:  # more output than the room left
                raise JwksUnavailable("JWKS response too large", reason=Reason.JWKS_TOO_LARGE)
        if len(self._data) > self._max_bytes:
            raise JwksUnavailable("JWKS response too large", reason=Reason.JWKS_TOO_LARGE)

    def finish(self) -> bytes:
        if self._decoder is not None and not self._decoder.eof:
            raise zlib.error("the compressed stream ends early")
        return bytes(self._data)
