"""authorizer.http_fetch: the JWKS fetcher against a real server on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys

import pytest

from authorizer.errors import JwksUnavailable
from authorizer.http_fetch import REQUEST_HEADERS, make_http_fetcher, request_head
from authorizer.http_response import h11_request_bytes
from tests.support.jwks_server import Answer, JwksServer


def test_fetches_the_body_and_recovers_after_failed_answers(jwks_server: JwksServer) -> None:
    # GIVEN one fetcher WHEN the server drops, refuses, then answers THEN each fetch stands alone
    fetch = make_http_fetcher(0.5, 64 * 1024)
    good = Answer(body=b'{"keys": []}')
    outcomes = []
    for answer in (good, Answer(drop_connection=True), Answer(status=500, body=b"oops"), good, good):
        jwks_server.serve(answer)
        try:
            outcomes.append(fetch(jwks_server.url))
        except JwksUnavailable as error:
            outcomes.append(error.reason)
    assert outcomes == [b'{"keys": []}', "jwks_unreachable", "jwks_http_error", b'{"keys": []}', b'{"keys": []}']
    assert jwks_server.paths == ["/.well-known/jwks.json"] * 5


def test_a_declared_length_over_the_cap_is_refused_before_reading(jwks_server: JwksServer) -> None:
    jwks_server.serve(Answer(body=b"x" * 2048))
    with pytest.raises(JwksUnavailable) as refused:
        make_http_fetcher(0.5, 1024)(jwks_server.url)
    assert refused.value.reason == "jwks_too_large"


def test_an_unreachable_port_is_a_fault() -> None:
    with pytest.raises(JwksUnavailable) as refused:
        make_http_fetcher(0.5, 1024)("http://127.0.0.1:9/.well-known/jwks.json")
    assert refused.value.reason == "jwks_unreachable"


@pytest.mark.parametrize(
    ("target", "authority"),
    [
        ("/.well-known/jwks.json", "tenant.eu.auth0.com"),
        ("/", "127.0.0.1:8443"),
        ("/keys?tenant=a&v=2", "[::1]:8080"),
        ("/%7Euser/jwks.json", "keys.example.com"),
    ],
)
def test_the_request_written_before_h11_is_imported_is_the_one_h11_writes(target: str, authority: str) -> None:
    # the request leaves before h11 is imported; h11 frames the answer from the same bytes
    assert request_head(target, authority) == h11_request_bytes(target, (("Host", authority), *REQUEST_HEADERS))


@pytest.mark.parametrize("target", ["/a b", "/a\r\nX-Injected: 1", "/\x00", "/cl\u00e9", ""])
def test_a_target_that_is_not_printable_ascii_is_never_sent(jwks_server: JwksServer, target: str) -> None:
    with pytest.raises(JwksUnavailable, match="characters an HTTP request cannot carry"):
        request_head(target, "keys.example.com")
    with pytest.raises(JwksUnavailable):
        make_http_fetcher(0.5, 1024)(jwks_server.url.replace("/.well-known", "/.well known"))
    assert jwks_server.requests == 0


def test_importing_the_fetcher_does_not_import_h11() -> None:
    # at Lambda's init the request is sent before h11 (and dataclasses, inspect, typing) are imported
    program = ("import sys, authorizer.http_fetch; "
               "print(sorted(name for name in ('h11', 'dataclasses', 'authorizer.http_response') if name in sys.modules))")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
