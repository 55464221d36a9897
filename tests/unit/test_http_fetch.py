"""authorizer.http_fetch: the JWKS fetcher against a real server on 127.0.0.1."""

from __future__ import annotations

import pytest

from authorizer.errors import JwksUnavailable
from authorizer.http_fetch import make_http_fetcher
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
