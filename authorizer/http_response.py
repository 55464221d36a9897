"""Reading the JWKS response: HTTP/1.1 framing by h11, every read within the fetch's deadline (I/O).

:mod:`authorizer.http_fetch` writes the request itself and imports this module only once the
request is on the wire, so that at Lambda's init the request leaves before h11 and what it pulls in
(``dataclasses``, ``inspect``, ``typing``) are imported: the request is on the wire first.
h11 still frames the exchange: it is told the request that was sent, and a request it would have
written differently is refused (:func:`read_response`), so the bytes on the wire and h11's state
cannot disagree.

h11 does no I/O of its own, so no parser can block on a line that never ends; the size caps are on
the head (:data:`MAX_HEAD_BYTES`), on the wire bytes and on the decoded body (gzip and deflate
decoded within the cap).
"""

from __future__ import annotations

import socket
import zlib
from collections.abc import Callable, Sequence

import h11

from authorizer.errors import JwksUnavailable, Reason

RECV_BYTES = 65536
MAX_HEAD_BYTES = 16384  # the status line and headers
FRAMING_ALLOWANCE_BYTES = 65536  # wire bytes beyond the body cap: headers, chunk framing, gzip overhead
# Content-Encoding -> compressed? (we ask for gzip; deflate is read too, as requests did)
CONTENT_ENCODINGS = {b"": False, b"identity": False, b"gzip": True, b"x-gzip": True, b"deflate": True}


def h11_request_bytes(target: str, headers: Sequence[tuple[str, str]]) -> bytes:
    """The bytes h11 writes for a GET of ``target`` with ``headers`` and no body."""
    conn = h11.Connection(h11.CLIENT)
    return _sent(conn, target, headers)


def _sent(conn: h11.Connection, target: str, headers: Sequence[tuple[str, str]]) -> bytes:
    request = h11.Request(method="GET", target=target, headers=list(headers))
    return (conn.send(request) or b"") + (conn.send(h11.EndOfMessage()) or b"")


def read_response(sock: socket.socket, sent: bytes, target: str, headers: Sequence[tuple[str, str]],
                  seconds_left: Callable[[], float], max_bytes: int) -> bytes:
    """The body of the response to the GET already ``sent`` on ``sock``, within the deadline.

    ``seconds_left`` gives what is left of the fetch's deadline (it raises once none is).
    """
    conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD_BYTES)
    try:
        if _sent(conn, target, headers) != sent:  # a fault of ours: never read an answer to another request
            raise JwksUnavailable("the JWKS request sent is not the one h11 would write",
                                  reason=Reason.JWKS_UNREACHABLE)
        return _read_body(conn, sock, seconds_left, max_bytes)
    except h11.ProtocolError:
        raise JwksUnavailable("JWKS endpoint sent a malformed HTTP response", reason=Reason.JWKS_UNREACHABLE) from None
    except zlib.error:
        raise JwksUnavailable("JWKS response body does not decode", reason=Reason.JWKS_UNREACHABLE) from None


def _read_body(conn: h11.Connection, sock: socket.socket, seconds_left: Callable[[], float], max_bytes: int) -> bytes:
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
            sock.settimeout(seconds_left())
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
